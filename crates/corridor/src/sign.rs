//! `corridor sign`: adds a DID signature (`OpenAttestationSignature2018`) over each document's
//! merkle root, as the reference's `signDocument` does. A batch shares one root, so it costs
//! one signature however many documents it holds.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
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

impl Signed {
    /// Prints the merkle roots signed, unless the documents themselves go to standard output.
    pub fn print_roots(&self, destination: &Destination) -> Result<()> {
        if !destination.is_stdout() {
            let mut stdout = std::io::stdout().lock();
            for root in self.batches.keys() {
                writeln!(stdout, "{root}")?;
            }
        }
        Ok(())
    }
}

/// How documents are made issued.
pub enum Issuance<'a> {
    /// Each batch's merkle root is signed with a DID key: `corridor sign`, and `issue` on the
    /// embedded store.
    DidSigned(&'a DidSigner),
    /// The documents stay as they are, and their issuers must name this document store
    /// contract (`0x…`), on which their roots are issued: `issue --ledger evm`.
    DocumentStore(String),
}

/// Signs (or, for a document store, checks) every document of `sources` into `destination`.
/// `record` runs once all are done and before the output is moved into place: if it fails,
/// nothing is written.
pub fn run(
    sources: &[Source],
    destination: &Destination,
    issuance: &Issuance,
    max_size: u64,
    record: impl FnOnce(&Signed) -> Result<()>,
) -> Result<Signed> {
    let created = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    let entries: Mutex<HashMap<Hash32, Value>> = Mutex::default();
    let entry_for = |root: &Hash32| -> Option<Value> {
        let Issuance::DidSigned(signer) = issuance else {
            return None;
        };
        let mut entries = entries.lock().unwrap_or_else(|e| e.into_inner());
        Some(
            entries
                .entry(*root)
                .or_insert_with(|| signer.proof_entry(root, &created))
                .clone(),
        )
    };

    let mut staged = Staged::begin(destination)?;
    let mut signed = Signed::default();
    let mut chunk: Vec<Document> = Vec::with_capacity(CHUNK);
    let mut flush = |chunk: &mut Vec<Document>, staged: &mut Staged| -> Result<()> {
        let texts: Vec<SignedDocument> = chunk
            .par_iter()
            .map(|doc| sign_one(doc, issuance, &entry_for))
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

/// Checks one wrapped document and returns it as issued: with the signature entry appended
/// to its `proof`, or as it is for a document store its issuers name.
fn sign_one(
    doc: &Document,
    issuance: &Issuance,
    entry_for: &(impl Fn(&Hash32) -> Option<Value> + Sync),
) -> Result<SignedDocument> {
    let label = &doc.label;
    let wrapped = read_wrapped(&doc.bytes).map_err(|e| anyhow!("{label}: {e}"))?;
    match wrapped
        .check_integrity()
        .map_err(|e| anyhow!("{label}: {e}"))?
    {
        Integrity::Intact => {}
        Integrity::Tampered(t) => {
            let doing = match issuance {
                Issuance::DidSigned(_) => "sign",
                Issuance::DocumentStore(_) => "issue",
            };
            return Err(crate::exit::Refused(format!(
                "{label}: the document does not verify ({t}); refusing to {doing} it"
            ))
            .into());
        }
    }
    // The reference signs the bytes of `0x<merkleRoot>`, and a document store records it as
    // a bytes32: it must be exactly 32 bytes.
    let root: Hash32 = wrapped
        .merkle_root
        .parse()
        .map_err(|e| anyhow!("{label}: signature.merkleRoot: {e}"))?;
    // Intact, so the target hash is the computed one, written as lowercase hex.
    let target = wrapped
        .target_hash
        .parse()
        .map_err(|e| anyhow!("{label}: signature.targetHash: {e}"))?;
    if let Issuance::DocumentStore(address) = issuance {
        let names_it = wrapped
            .head()
            .and_then(|h| h.get("issuers"))
            .and_then(Value::as_array)
            .is_some_and(|issuers| {
                issuers.iter().any(|issuer| {
                    ["documentStore", "certificateStore"].iter().any(|field| {
                        issuer[field]
                            .as_str()
                            .is_some_and(|a| a.eq_ignore_ascii_case(address))
                    })
                })
            });
        if !names_it {
            bail!(
                "{label}: no issuer of the document names document store {address} (issuers[].documentStore); it would not verify against it"
            );
        }
        return Ok(SignedDocument {
            text: doc.bytes.trim_ascii().to_vec(),
            root,
            target,
        });
    }
    let mut value: Value =
        serde_json::from_slice(&doc.bytes).map_err(|e| anyhow!("{label}: {e}"))?;
    let Value::Object(fields) = &mut value else {
        bail!("{label}: not a JSON object");
    };
    let entry = entry_for(&root).ok_or_else(|| anyhow!("{label}: no key to sign with"))?;
    match fields
        .entry("proof")
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(proofs) => proofs.push(entry),
        _ => bail!("{label}: proof is there but not an array; refusing to replace it"),
    }
    Ok(SignedDocument {
        text: serde_json::to_vec(&value)?,
        root,
        target,
    })
}
