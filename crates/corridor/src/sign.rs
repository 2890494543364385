//! `corridor sign`: adds a DID signature (`OpenAttestationSignature2018`) over each document's
//! merkle root, as the reference's `signDocument` does (of a v3 document, `proof.key` and
//! `proof.signature`). A batch shares one root, so it costs
//! one signature however many documents it holds.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Mutex;

use anyhow::{Result, anyhow, bail};
use corridor_format::did::DidSigner;
use corridor_format::{Hash32, Integrity, read_wrapped, v3};
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
    if is_v3(&doc.bytes) {
        return sign_v3(doc, issuance, entry_for);
    }
    let wrapped = read_wrapped(&doc.bytes).map_err(|e| anyhow!("{label}: {e}"))?;
    refuse_tampered(label, issuance, wrapped.check_integrity())?;
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

/// Whether a wrapped document is OpenAttestation v3: a credential (`@context`) whose
/// `version` is 3.0's. Read cheaply; the document is read in full after.
fn is_v3(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"\"@context\"").is_some()
        && memchr::memmem::find(bytes, v3::SCHEMA_V3.as_bytes()).is_some()
}

/// [`sign_one`] for a v3 document: its proof gains `key` and `signature`; or, for a document
/// store, it must name the store in `openAttestationMetadata.proof`.
fn sign_v3(
    doc: &Document,
    issuance: &Issuance,
    entry_for: &(impl Fn(&Hash32) -> Option<Value> + Sync),
) -> Result<SignedDocument> {
    let label = &doc.label;
    let mut value: Value =
        serde_json::from_slice(&doc.bytes).map_err(|e| anyhow!("{label}: not valid JSON: {e}"))?;
    let wrapped =
        v3::WrappedCredential::from_value(value.clone()).map_err(|e| anyhow!("{label}: {e}"))?;
    refuse_tampered(label, issuance, wrapped.check_integrity())?;
    let root: Hash32 = wrapped
        .merkle_root
        .parse()
        .map_err(|e| anyhow!("{label}: proof.merkleRoot: {e}"))?;
    let target: Hash32 = wrapped
        .target_hash
        .parse()
        .map_err(|e| anyhow!("{label}: proof.targetHash: {e}"))?;
    match issuance {
        Issuance::DocumentStore(address) => {
            let names_it = wrapped.metadata_text("proof", "method") == Some("DOCUMENT_STORE")
                && wrapped
                    .metadata_text("proof", "value")
                    .is_some_and(|a| a.eq_ignore_ascii_case(address));
            if !names_it {
                bail!(
                    "{label}: the document does not name document store {address} (openAttestationMetadata.proof: method DOCUMENT_STORE, value the address); it would not verify against it"
                );
            }
            Ok(SignedDocument {
                text: doc.bytes.trim_ascii().to_vec(),
                root,
                target,
            })
        }
        Issuance::DidSigned(signer) => {
            if wrapped.signature.is_some() {
                bail!("{label}: the document is signed already (proof.key, proof.signature)");
            }
            // One signature a root, made once for the whole batch.
            let entry = entry_for(&root).ok_or_else(|| anyhow!("{label}: no key to sign with"))?;
            let proof = value
                .get_mut("proof")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| anyhow!("{label}: proof is not an object"))?;
            proof.insert("key".into(), signer.verification_method().into());
            proof.insert("signature".into(), entry["signature"].clone());
            Ok(SignedDocument {
                text: serde_json::to_vec(&value)?,
                root,
                target,
            })
        }
    }
}

/// Refuses a document that does not verify: it is not signed or issued as it is.
fn refuse_tampered(
    label: &str,
    issuance: &Issuance,
    integrity: Result<Integrity, corridor_format::FormatError>,
) -> Result<()> {
    match integrity.map_err(|e| anyhow!("{label}: {e}"))? {
        Integrity::Intact => Ok(()),
        Integrity::Tampered(t) => {
            let doing = match issuance {
                Issuance::DidSigned(_) => "sign",
                Issuance::DocumentStore(_) => "issue",
            };
            Err(crate::exit::Refused(format!(
                "{label}: the document does not verify ({t}); refusing to {doing} it"
            ))
            .into())
        }
    }
}
