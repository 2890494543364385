//! `corridor obfuscate` and `corridor data`: one wrapped document, read and changed.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use corridor_format::{FieldPath, Integrity, WrappedDocument, obfuscate_document, unsalt_data};

use crate::exit::{Exit, Refused};
use crate::input;

#[derive(clap::Args)]
pub struct ObfuscateArgs {
    /// The wrapped document.
    file: PathBuf,
    /// A field to hide; repeat for several.
    #[arg(long = "field", value_name = "PATH", required = true)]
    fields: Vec<FieldPath>,
    /// Write here instead of standard output (replaced only when all went well).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct DataArgs {
    /// The wrapped document.
    file: PathBuf,
}

/// The largest single document read here.
const MAX_DOCUMENT: u64 = 64 << 20;

pub fn obfuscate(args: &ObfuscateArgs) -> Result<Exit> {
    let file = &args.file;
    let mut document = read_document(file)?;
    let wrapped = WrappedDocument::from_value(document.clone())
        .map_err(|e| anyhow!("{}: {e}", file.display()))?;
    match wrapped
        .check_integrity()
        .map_err(|e| anyhow!("{}: {e}", file.display()))?
    {
        Integrity::Intact => {}
        Integrity::Tampered(t) => {
            return Err(Refused(format!(
                "{}: the document does not verify ({t}); refusing to obfuscate it",
                file.display()
            ))
            .into());
        }
    }
    obfuscate_document(&mut document, &args.fields)
        .map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let mut text = serde_json::to_vec_pretty(&document)?;
    text.push(b'\n');
    match &args.out {
        Some(path) => crate::output::write_atomically(path, &text)?,
        None => std::io::stdout().lock().write_all(&text)?,
    }
    Ok(Exit::Success)
}

pub fn data(args: &DataArgs) -> Result<Exit> {
    let file = &args.file;
    let document = read_document(file)?;
    let data = document
        .get("data")
        .ok_or_else(|| anyhow!("{}: the document has no data", file.display()))?;
    let plain = unsalt_data(data).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let mut text = serde_json::to_vec_pretty(&plain)?;
    text.push(b'\n');
    std::io::stdout().lock().write_all(&text)?;
    Ok(Exit::Success)
}

fn read_document(path: &Path) -> Result<serde_json::Value> {
    let bytes = input::read_bounded(path, MAX_DOCUMENT)?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not valid JSON", path.display()))
}
