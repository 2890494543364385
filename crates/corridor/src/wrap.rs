//! `corridor wrap`: raw documents in, wrapped documents out (OpenAttestation v2 or v3), as one
//! merkle batch.
//!
//! Streams in two passes so that a batch of a million documents never sits in memory: the
//! first salts and digests each document (in parallel) and spools its salted form to disk,
//! keeping only the 32-byte target hashes; once the tree is built, the second pass appends each
//! document's signature block. Output is written to temporary files and moved into place only
//! when everything succeeded, so a failed wrap leaves nothing half-written.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};

use anyhow::{Context, Result, anyhow, bail};
use corridor_format::{Hash32, MerkleSignature, MerkleTree, SCHEMA_V2, SaltBatch, v3};
use corridor_jsonld::Processor;
use rayon::prelude::*;
use serde_json::Value;

use crate::input::{self, Document, Source};
use crate::output::{Destination, Staged};
use crate::progress;

/// Documents read, salted and digested per parallel step.
const CHUNK: usize = 4096;

/// Documents salted together, their digests hashed side by side.
const SALT_TOGETHER: usize = 32;

/// Which OpenAttestation document to make.
pub enum Form {
    /// Version 2: the data salted in place, a `signature` block.
    V2,
    /// Version 3: a W3C credential with its salts in its `proof`, each checked as JSON-LD
    /// with these contexts (every property defined, as the reference requires).
    V3(Processor),
}

/// What the wrap produced: the merkle roots (one, or one per document with `individual`).
pub struct Wrapped {
    pub count: usize,
    pub roots: Vec<Hash32>,
}

pub fn run(
    sources: &[Source],
    destination: &Destination,
    form: &Form,
    individual: bool,
    max_size: u64,
) -> Result<Wrapped> {
    let spool_dir = destination.staging_dir()?;
    let spool = tempfile::Builder::new()
        .prefix(".corridor-spool-")
        .tempfile_in(&spool_dir)
        .with_context(|| format!("{}: cannot create a temporary file", spool_dir.display()))?;

    let total_bytes = sources.iter().map(Source::size).sum();
    let bar = progress::bytes(total_bytes, "salting and hashing");
    let mut hashes: Vec<Hash32> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut seen_names: HashSet<String> = HashSet::new();
    {
        let mut spool_out = BufWriter::with_capacity(1 << 20, spool.as_file());
        let mut chunk: Vec<Document> = Vec::with_capacity(CHUNK);
        let mut flush = |chunk: &mut Vec<Document>| -> Result<()> {
            let salted: Vec<Vec<(Vec<u8>, Hash32)>> = chunk
                .par_chunks(SALT_TOGETHER)
                .map(|raws| salt_many(raws, form))
                .collect::<Result<_>>()?;
            for ((text, hash), raw) in salted.into_iter().flatten().zip(chunk.drain(..)) {
                bar.inc(raw.bytes.len() as u64);
                spool_out
                    .write_all(&text)
                    .and_then(|_| spool_out.write_all(b"\n"))
                    .context("cannot write the spool file")?;
                hashes.push(hash);
                if matches!(destination, Destination::Folder(_)) {
                    if !seen_names.insert(raw.out_name.clone()) {
                        bail!(
                            "{}: another input also becomes {} in the output folder; rename one of them",
                            raw.label,
                            raw.out_name
                        );
                    }
                    names.push(raw.out_name);
                }
            }
            Ok(())
        };
        for source in sources {
            input::for_each_document(source, max_size, |raw| {
                chunk.push(raw);
                if chunk.len() == CHUNK {
                    flush(&mut chunk)
                } else {
                    Ok(())
                }
            })?;
        }
        flush(&mut chunk)?;
        spool_out.flush().context("cannot write the spool file")?;
    }
    bar.finish_and_clear();
    if hashes.is_empty() {
        bail!("no documents found in the inputs");
    }

    let tree = match individual {
        true => None,
        false => Some(MerkleTree::new(hashes.clone()).context("no documents found in the inputs")?),
    };
    let signature_of = |hash: &Hash32| match &tree {
        Some(tree) => MerkleSignature {
            target_hash: *hash,
            proof: tree.proof_of(hash).unwrap_or_default(),
            merkle_root: tree.root(),
        },
        None => MerkleSignature {
            target_hash: *hash,
            proof: Vec::new(),
            merkle_root: *hash,
        },
    };

    let spooled = BufReader::with_capacity(
        1 << 20,
        File::open(spool.path()).context("cannot reopen the spool file")?,
    );
    let bar = progress::count(hashes.len() as u64, "writing");
    let mut staged = Staged::begin(destination)?;
    let mut document = Vec::with_capacity(4096);
    for_each_spooled(spooled, |i, spooled| {
        document.clear();
        match form {
            Form::V2 => {
                document.extend_from_slice(spooled);
                document.extend_from_slice(b",\"signature\":");
                signature_of(&hashes[i]).write_json(&mut document);
            }
            Form::V3(_) => {
                let (prefix, salts) = split_salts(spooled)?;
                document.extend_from_slice(prefix);
                document.extend_from_slice(b",\"proof\":");
                v3::write_proof(&signature_of(&hashes[i]), salts, &mut document);
            }
        }
        document.push(b'}');
        bar.inc(1);
        staged.write(names.get(i).map_or("", String::as_str), &document)
    })?;
    staged.commit()?;
    bar.finish_and_clear();
    let roots = match tree {
        Some(tree) => vec![tree.root()],
        None => hashes.clone(),
    };
    Ok(Wrapped {
        count: hashes.len(),
        roots,
    })
}

/// Parses, checks, salts and digests raw documents; returns, for each, what is spooled of it
/// and its target hash, or the first that could not be. Of a v2 document, the start of its wrapped form (everything but the
/// signature block and the closing brace); of a v3 one, the same without its proof, a tab, and
/// its salts. The v2 documents' digests are hashed together, side by side.
fn salt_many(raws: &[Document], form: &Form) -> Result<Vec<(Vec<u8>, Hash32)>> {
    let Form::V3(processor) = form else {
        return salt_v2(raws);
    };
    raws.iter()
        .map(|raw| salt_v3(&parse_raw(raw)?, raw, processor))
        .collect()
}

/// A raw document's JSON object.
fn parse_raw(raw: &Document) -> Result<Value> {
    let value: Value = serde_json::from_slice(&raw.bytes)
        .map_err(|e| anyhow!("{}: not valid JSON: {e}", raw.label))?;
    if !value.is_object() {
        bail!("{}: a raw document must be a JSON object", raw.label);
    }
    Ok(value)
}

fn salt_v3(value: &Value, raw: &Document, processor: &Processor) -> Result<(Vec<u8>, Hash32)> {
    let salted =
        v3::salt_credential(value, &mut rand::rng()).map_err(|e| anyhow!("{}: {e}", raw.label))?;
    // As the reference, the credential wrapped alone must expand as JSON-LD.
    processor
        .expand(&salted.wrapped_alone())
        .map_err(|e| anyhow!("{}: as JSON-LD: {e}", raw.label))?;
    let mut text = serde_json::to_vec(&salted.document)?;
    text.pop(); // the closing brace, written after the proof
    text.push(b'\t');
    text.extend_from_slice(v3::encode_salts(&salted.salts).as_bytes());
    Ok((text, salted.target_hash))
}

fn salt_v2(raws: &[Document]) -> Result<Vec<(Vec<u8>, Hash32)>> {
    let (mut batch, mut rng) = (SaltBatch::default(), rand::rng());
    let texts: Vec<Vec<u8>> = raws
        .iter()
        .map(|raw| {
            let value = parse_raw(raw)?;
            let mut text = Vec::with_capacity(raw.bytes.len() * 2 + 100);
            text.extend_from_slice(b"{\"version\":\"");
            text.extend_from_slice(SCHEMA_V2.as_bytes());
            text.extend_from_slice(b"\",\"data\":");
            batch
                .salt(&value, &mut rng, &mut text)
                .map_err(|e| anyhow!("{}: {e}", raw.label))?;
            Ok(text)
        })
        .collect::<Result<_>>()?;
    Ok(texts.into_iter().zip(batch.digests()).collect())
}

/// A spooled v3 credential: its text without proof, and its salts. Compact JSON holds no
/// tab outside its strings, and a string holds none unescaped.
fn split_salts(spooled: &[u8]) -> Result<(&[u8], &str)> {
    let tab = spooled
        .iter()
        .rposition(|b| *b == b'\t')
        .context("the spool file lost a credential's salts")?;
    let salts = std::str::from_utf8(&spooled[tab + 1..]).context("the spool file is damaged")?;
    Ok((&spooled[..tab], salts))
}

/// Calls `each` with the index and text of every spooled document, in order.
fn for_each_spooled(
    mut spooled: impl BufRead,
    mut each: impl FnMut(usize, &[u8]) -> Result<()>,
) -> Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut i = 0;
    loop {
        buf.clear();
        if spooled
            .read_until(b'\n', &mut buf)
            .context("cannot read the spool file")?
            == 0
        {
            return Ok(());
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        each(i, &buf)?;
        i += 1;
    }
}
