//! `corridor obfuscate` and `corridor data`: one wrapped document, read and changed.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use corridor_format::{FieldPath, HideError, hide_fields, unsalt_data, v3};

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
    hide_fields(&mut document, &args.fields).map_err(|e| match e {
        HideError::Tampered(_) => Refused(format!("{}: {e}", file.display())).into(),
        other => anyhow!("{}: {other}", file.display()),
    })?;
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
    let mut document = read_document(file)?;
    let plain = if v3::says_v3(&document) {
        // A v3 credential is readable as it is: its salts are in its proof.
        if let Some(fields) = document.as_object_mut() {
            fields.shift_remove("proof");
        }
        document
    } else {
        let data = document
            .get("data")
            .ok_or_else(|| anyhow!("{}: the document has no data", file.display()))?;
        unsalt_data(data).map_err(|e| anyhow!("{}: {e}", file.display()))?
    };
    let mut text = serde_json::to_vec_pretty(&plain)?;
    text.push(b'\n');
    std::io::stdout().lock().write_all(&text)?;
    Ok(Exit::Success)
}

fn read_document(path: &Path) -> Result<serde_json::Value> {
    let bytes = input::read_bounded(path, MAX_DOCUMENT)?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not valid JSON", path.display()))
}
