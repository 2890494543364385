//! The `corridor` command line: a thin layer that reads arguments and files, calls the
//! crates, and prints. Only this crate knows the terminal.

// Verification and wrapping make many small, short-lived allocations (JSON values, hash
// texts); mimalloc serves them markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod input;
mod progress;
mod verify;
mod wrap;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use corridor_format::{FieldPath, Integrity, WrappedDocument, obfuscate_document, unsalt_data};

/// Verifiable, transferable trade documents, compatible with TradeTrust / OpenAttestation v2.
#[derive(Parser)]
#[command(name = "corridor", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Wrap raw JSON documents into OpenAttestation v2 documents, as one merkle batch.
    ///
    /// Every leaf of each document is salted and hashed; the documents' target hashes form a
    /// merkle tree whose root is printed on standard output — the value to sign or to issue.
    /// Inputs are JSON files, folders of them, or JSON Lines files (.jsonl, .ndjson) with one
    /// document per line. Output is written only if every document wraps.
    #[command(group(clap::ArgGroup::new("destination").required(true).args(["out_dir", "out"])))]
    Wrap {
        /// Write one wrapped file per document into this folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Write all wrapped documents as JSON Lines into this file (`-` for standard output).
        #[arg(long, value_name = "FILE.jsonl")]
        out: Option<PathBuf>,
        /// Give every document a batch of its own (its merkle root is its target hash).
        #[arg(long)]
        individual: bool,
        /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
        #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
        max_size: u64,
        /// Raw documents: JSON files, folders, or JSON Lines files.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
    },
    /// Verify wrapped documents: integrity, and the DID signature where there is one.
    ///
    /// Each document gets the fragments TradeTrust's verifier gives: OpenAttestationHash
    /// (untampered?), the status checks and the identity checks. Checks that need a chain or
    /// DNS are reported SKIPPED with the reason. Exit status: 0 if every document is valid,
    /// 1 if any is not, 2 for a usage error.
    Verify {
        /// One JSON object per document and line: {"file", "valid", "fragments": [...]}.
        #[arg(long)]
        json: bool,
        /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
        #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
        max_size: u64,
        /// Wrapped documents: files, folders, or JSON Lines files (each line reported as path:line).
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
    },
    /// Hide fields of a wrapped document; it still verifies, with the same signature.
    ///
    /// The hidden fields' hashes go to privacy.obfuscatedData. Paths are written as
    /// `shipper.address`, `issuers[0].name` or `items.1.description`.
    Obfuscate {
        /// The wrapped document.
        file: PathBuf,
        /// A field to hide; repeat for several.
        #[arg(long = "field", value_name = "PATH", required = true)]
        fields: Vec<FieldPath>,
        /// Write here instead of standard output (replaced only when all went well).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the data of a wrapped document without its salts.
    Data {
        /// The wrapped document.
        file: PathBuf,
    },
}

/// Reads `64M`, `512K`, `1G` or a plain number of bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text
        .trim()
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        Some((i, _)) => text.trim().split_at(i),
        None => (text.trim(), ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 64M"))?;
    let factor = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (use K, M or G)")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Wrap {
            out_dir,
            out,
            individual,
            max_size,
            inputs,
        } => {
            let destination = match (out_dir, out) {
                (Some(dir), None) => wrap::Destination::Folder(dir),
                (None, Some(file)) => wrap::Destination::Lines(file),
                _ => unreachable!("clap requires exactly one destination"),
            };
            let sources = input::expand(&inputs)?;
            let wrapped = wrap::run(&sources, &destination, individual, max_size)?;
            let mut stdout = std::io::stdout().lock();
            if !matches!(&destination, wrap::Destination::Lines(p) if p.as_os_str() == "-") {
                for root in &wrapped.roots {
                    writeln!(stdout, "{root}")?;
                }
            }
            let batches = if individual {
                format!("{} batches of one", wrapped.count)
            } else {
                "one batch".into()
            };
            eprintln!("wrapped {} document(s) into {batches}", wrapped.count);
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify {
            json,
            max_size,
            inputs,
        } => {
            let sources = input::expand(&inputs)?;
            if sources.is_empty() {
                eprintln!("error: no documents found in the inputs");
                return Ok(ExitCode::from(2));
            }
            let tally = verify::run(&sources, json, max_size)?;
            eprintln!(
                "{} document(s): {} valid, {} not valid",
                tally.valid + tally.not_valid,
                tally.valid,
                tally.not_valid
            );
            Ok(if tally.not_valid == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Obfuscate { file, fields, out } => {
            let mut document = read_document(&file)?;
            let wrapped = WrappedDocument::from_value(document.clone())
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            match wrapped
                .check_integrity()
                .map_err(|e| anyhow!("{}: {e}", file.display()))?
            {
                Integrity::Intact => {}
                Integrity::Tampered(t) => bail!(
                    "{}: the document does not verify ({t}); refusing to obfuscate it",
                    file.display()
                ),
            }
            obfuscate_document(&mut document, &fields)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let mut text = serde_json::to_vec_pretty(&document)?;
            text.push(b'\n');
            match out {
                Some(path) => write_atomically(&path, &text)?,
                None => std::io::stdout().lock().write_all(&text)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Data { file } => {
            let document = read_document(&file)?;
            let data = document
                .get("data")
                .ok_or_else(|| anyhow!("{}: the document has no data", file.display()))?;
            let plain = unsalt_data(data).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let mut text = serde_json::to_vec_pretty(&plain)?;
            text.push(b'\n');
            std::io::stdout().lock().write_all(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The largest single document `obfuscate` and `data` read.
const MAX_DOCUMENT: u64 = 64 << 20;

fn read_document(path: &Path) -> Result<serde_json::Value> {
    let bytes = input::read_bounded(path, MAX_DOCUMENT)?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not valid JSON", path.display()))
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".corridor-")
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.persist(path)
        .map_err(|e| anyhow!("{}: cannot write: {}", path.display(), e.error))?;
    Ok(())
}
