//! `corridor wrap`: raw documents in, wrapped documents out, as one merkle batch.
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
use corridor_format::{Hash32, MerkleSignature, MerkleTree, SCHEMA_V2, salt_document_into};
use rayon::prelude::*;
use serde_json::Value;

use crate::input::{self, Document, Source};
use crate::output::{Destination, Staged};
use crate::progress;

/// Documents read, salted and digested per parallel step.
const CHUNK: usize = 4096;

/// What the wrap produced: the merkle roots (one, or one per document with `individual`).
pub struct Wrapped {
    pub count: usize,
    pub roots: Vec<Hash32>,
}

pub fn run(
    sources: &[Source],
    destination: &Destination,
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
            let salted: Vec<(Vec<u8>, Hash32)> =
                chunk.par_iter().map(salt_one).collect::<Result<_>>()?;
            for ((text, hash), raw) in salted.into_iter().zip(chunk.drain(..)) {
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
    for_each_spooled(spooled, |i, prefix| {
        document.clear();
        document.extend_from_slice(prefix);
        document.extend_from_slice(b",\"signature\":");
        signature_of(&hashes[i]).write_json(&mut document);
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

/// Parses, checks, salts and digests one raw document; returns the start of its wrapped form
/// (everything but the signature block and the closing brace) and its target hash.
fn salt_one(raw: &Document) -> Result<(Vec<u8>, Hash32)> {
    let value: Value = serde_json::from_slice(&raw.bytes)
        .map_err(|e| anyhow!("{}: not valid JSON: {e}", raw.label))?;
    if !value.is_object() {
        bail!("{}: a raw document must be a JSON object", raw.label);
    }
    let mut text = Vec::with_capacity(raw.bytes.len() * 2 + 100);
    text.extend_from_slice(b"{\"version\":\"");
    text.extend_from_slice(SCHEMA_V2.as_bytes());
    text.extend_from_slice(b"\",\"data\":");
    let target_hash = salt_document_into(&value, &mut rand::rng(), &mut text)
        .map_err(|e| anyhow!("{}: {e}", raw.label))?;
    Ok((text, target_hash))
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
