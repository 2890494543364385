//! `corridor sign`: adds a DID signature (`OpenAttestationSignature2018`) over each document's
//! merkle root, as the reference's `signDocument` does. A batch shares one root, so it costs
//! one signature however many documents it holds.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use anyhow::{Result, anyhow, bail};
use corridor_format::did::DidSigner;
use corridor_format::{Hash32, Integrity, read_wrapped};
use rayon::prelude::*;
use serde_json::Value;

use crate::input::{self, Document, Source};
use crate::output::{Destination, Staged};

/// Documents signed per parallel step.
const CHUNK: usize = 2048;

/// What was signed: every merkle root, with the target hashes of its documents.
#[derive(Default)]
pub struct Signed {
    pub count: usize,
    pub batches: BTreeMap<Hash32, Vec<Hash32>>,
}

/// Signs every document of `sources` into `destination`. `record` runs once all are signed and
/// before the output is moved into place: if it fails, nothing is written.
pub fn run(
    sources: &[Source],
    destination: &Destination,
    signer: &DidSigner,
    max_size: u64,
    record: impl FnOnce(&Signed) -> Result<()>,
) -> Result<Signed> {
    let created = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    let entries: Mutex<HashMap<Hash32, Value>> = Mutex::default();
    let entry_for = |root: &Hash32| -> Value {
        let mut entries = entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .entry(*root)
            .or_insert_with(|| signer.proof_entry(root, &created))
            .clone()
    };

    let mut staged = Staged::begin(destination)?;
    let mut signed = Signed::default();
    let mut chunk: Vec<Document> = Vec::with_capacity(CHUNK);
    let mut flush = |chunk: &mut Vec<Document>, staged: &mut Staged| -> Result<()> {
        let texts: Vec<SignedDocument> = chunk
            .par_iter()
            .map(|doc| sign_one(doc, &entry_for))
            .collect::<Result<_>>()?;
        for (signed_doc, doc) in texts.into_iter().zip(chunk.drain(..)) {
            staged.write(&doc.out_name, &signed_doc.text)?;
            signed.count += 1;
            signed
                .batches
                .entry(signed_doc.root)
                .or_default()
                .push(signed_doc.target);
        }
        Ok(())
    };
    for source in sources {
        input::for_each_document(source, max_size, |doc| {
            chunk.push(doc);
            if chunk.len() == CHUNK {
                flush(&mut chunk, &mut staged)
            } else {
                Ok(())
            }
        })?;
    }
    flush(&mut chunk, &mut staged)?;
    if signed.count == 0 {
        bail!("no documents found in the inputs");
    }
    record(&signed)?;
    staged.commit()?;
    Ok(signed)
}

/// One document signed: its text, and where it sits in its batch.
struct SignedDocument {
    text: Vec<u8>,
    root: Hash32,
    target: Hash32,
}

/// Checks one wrapped document and returns it with the signature entry appended to its
/// `proof`.
fn sign_one(
    doc: &Document,
    entry_for: &(impl Fn(&Hash32) -> Value + Sync),
) -> Result<SignedDocument> {
    let label = &doc.label;
    let wrapped = read_wrapped(&doc.bytes).map_err(|e| anyhow!("{label}: {e}"))?;
    match wrapped
        .check_integrity()
        .map_err(|e| anyhow!("{label}: {e}"))?
    {
        Integrity::Intact => {}
        Integrity::Tampered(t) => {
            bail!("{label}: the document does not verify ({t}); refusing to sign it")
        }
    }
    // The reference signs the bytes of `0x<merkleRoot>`, which must be exactly 32 bytes.
    let root: Hash32 = wrapped
        .merkle_root
        .parse()
        .map_err(|e| anyhow!("{label}: signature.merkleRoot: {e}"))?;
    let mut value: Value =
        serde_json::from_slice(&doc.bytes).map_err(|e| anyhow!("{label}: {e}"))?;
    let Value::Object(fields) = &mut value else {
        bail!("{label}: not a JSON object");
    };
    match fields
        .entry("proof")
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(proofs) => proofs.push(entry_for(&root)),
        _ => bail!("{label}: proof is there but not an array; refusing to replace it"),
    }
    Ok(SignedDocument {
        text: serde_json::to_vec(&value)?,
        root,
        // Intact, so the target hash is the computed one, written as lowercase hex.
        target: wrapped
            .target_hash
            .parse()
            .map_err(|e| anyhow!("{label}: signature.targetHash: {e}"))?,
    })
}
