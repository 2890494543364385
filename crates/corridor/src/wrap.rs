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
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use corridor_format::{Hash32, MerkleSignature, MerkleTree, SCHEMA_V2, salt_document_into};
use rayon::prelude::*;
use serde_json::Value;

use crate::input::{self, Lines, Source};
use crate::progress;

/// Where the wrapped documents go.
pub enum Destination {
    /// One JSON Lines file (or standard output for `-`).
    Lines(PathBuf),
    /// One file per document in a folder.
    Folder(PathBuf),
}

/// Documents read, salted and digested per parallel step.
const CHUNK: usize = 4096;

/// What the wrap produced: the merkle roots (one, or one per document with `individual`).
pub struct Wrapped {
    pub count: usize,
    pub roots: Vec<Hash32>,
}

/// A raw document read from an input, before salting.
struct RawDocument {
    /// `file` or `file:line`, for messages.
    label: String,
    /// The file name it gets in an output folder.
    out_name: String,
    bytes: Vec<u8>,
}

pub fn run(
    sources: &[Source],
    destination: &Destination,
    individual: bool,
    max_size: u64,
) -> Result<Wrapped> {
    let spool_dir = match destination {
        Destination::Lines(p) if p.as_os_str() == "-" => std::env::temp_dir(),
        Destination::Lines(p) => parent_dir(p),
        Destination::Folder(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create the output folder", dir.display()))?;
            dir.clone()
        }
    };
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
        let mut chunk: Vec<RawDocument> = Vec::with_capacity(CHUNK);
        let mut flush = |chunk: &mut Vec<RawDocument>| -> Result<()> {
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
            read_source(source, max_size, |raw| {
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
    let mut line = Vec::with_capacity(4096);
    let mut emit = |i: usize, prefix: &[u8], out: &mut dyn Write| -> std::io::Result<()> {
        line.clear();
        line.extend_from_slice(prefix);
        line.extend_from_slice(b",\"signature\":");
        signature_of(&hashes[i]).write_json(&mut line);
        line.extend_from_slice(b"}\n");
        bar.inc(1);
        out.write_all(&line)
    };
    match destination {
        Destination::Lines(path) if path.as_os_str() == "-" => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
            for_each_spooled(spooled, |i, prefix| emit(i, prefix, &mut out))?;
            out.flush().context("cannot write to standard output")?;
        }
        Destination::Lines(path) => {
            let tmp = tempfile::Builder::new()
                .prefix(".corridor-wrap-")
                .tempfile_in(&spool_dir)?;
            {
                let mut out = BufWriter::with_capacity(1 << 20, tmp.as_file());
                for_each_spooled(spooled, |i, prefix| emit(i, prefix, &mut out))?;
                out.flush()
                    .with_context(|| format!("{}: cannot write", path.display()))?;
            }
            tmp.persist(path)
                .map_err(|e| anyhow!("{}: cannot write: {}", path.display(), e.error))?;
        }
        Destination::Folder(dir) => {
            let staging = tempfile::Builder::new()
                .prefix(".corridor-wrap-")
                .tempdir_in(dir)?;
            for_each_spooled(spooled, |i, prefix| {
                let mut out = BufWriter::new(File::create(staging.path().join(&names[i]))?);
                emit(i, prefix, &mut out)?;
                out.flush()
            })
            .with_context(|| format!("{}: cannot write the wrapped documents", dir.display()))?;
            for name in &names {
                std::fs::rename(staging.path().join(name), dir.join(name)).with_context(|| {
                    format!("{}: cannot move into place", dir.join(name).display())
                })?;
            }
        }
    }
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
fn salt_one(raw: &RawDocument) -> Result<(Vec<u8>, Hash32)> {
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

fn read_source(
    source: &Source,
    max_size: u64,
    mut each: impl FnMut(RawDocument) -> Result<()>,
) -> Result<()> {
    let path = &source.path;
    if source.lines {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("document");
        let mut lines = Lines::open(path, max_size)?;
        let mut bytes = Vec::new();
        while let Some(n) = lines.read_line(&mut bytes)? {
            each(RawDocument {
                label: format!("{}:{n}", path.display()),
                out_name: format!("{stem}-{n}.json"),
                bytes: std::mem::take(&mut bytes),
            })?;
        }
        Ok(())
    } else {
        let bytes = input::read_bounded(path, max_size)?;
        let out_name = path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("document.json")
            .to_string();
        each(RawDocument {
            label: path.display().to_string(),
            out_name,
            bytes,
        })
    }
}

/// Calls `each` with the index and text of every spooled document, in order.
fn for_each_spooled(
    mut spooled: impl BufRead,
    mut each: impl FnMut(usize, &[u8]) -> std::io::Result<()>,
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

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
