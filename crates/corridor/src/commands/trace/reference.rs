//! `corridor trace reference`: the chain's parties, products and certificates, kept in the
//! store, which provenance checks events against.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use corridor_ledger::ReferenceKind;
use corridor_trace::Registry;
use serde_json::Value;

use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::input;

#[derive(clap::Subcommand)]
pub enum ReferenceAction {
    /// Keep reference data from JSON files, each holding one or more of
    /// `{"parties": […]}` (party GLN, name, company prefix, locations, authorisedBizSteps),
    /// `{"products": […]}` (GTIN, name, temperatureRange {minCelsius, maxCelsius}) and
    /// `{"certificates": […]}` (id, covers, validFrom, validUntil, revoked) and
    /// `{"documents": […]}` (documents events link to — certificates, bills of lading —,
    /// OpenAttestation wrapped documents, linked as `urn:oa:<target hash>`, or W3C credentials,
    /// linked by their `id`: provenance verifies them). Each kind replaces what was kept of
    /// it; a file with a bad key or date is refused whole.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// How many parties, products and certificates are kept.
    Show,
}

pub fn run(home: &Home, action: &ReferenceAction) -> Result<Exit> {
    match action {
        ReferenceAction::Import { files } => import(home, files),
        ReferenceAction::Show => show(home),
    }
}

fn import(home: &Home, files: &[PathBuf]) -> Result<Exit> {
    let mut found: Vec<(ReferenceKind, String)> = Vec::new();
    for file in files {
        let label = file.display();
        let bytes = input::read_bounded(file, 256 << 20)?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Refused(format!("{label}: not JSON: {e}")))?;
        let mut any = false;
        for kind in ReferenceKind::ALL {
            let Some(list) = value.get(kind.name()) else {
                continue;
            };
            any = true;
            let body = serde_json::to_string(&serde_json::json!({ kind.name(): list }))?;
            let check = match kind {
                ReferenceKind::Parties => Registry::from_json(&body, "", "").map(drop),
                ReferenceKind::Products => Registry::from_json("", &body, "").map(drop),
                ReferenceKind::Certificates => Registry::from_json("", "", &body).map(drop),
                ReferenceKind::Documents => {
                    documents_checked(list).map_err(|e| Refused(format!("{label}: {e}")))?;
                    Ok(())
                }
            };
            check.map_err(|e| Refused(format!("{label}: {e}")))?;
            found.push((kind, body));
        }
        if !any {
            return Err(Refused(format!(
                "{label}: holds none of \"parties\", \"products\", \"certificates\", \"documents\""
            ))
            .into());
        }
    }
    let mut store = home.store()?;
    for (kind, body) in &found {
        store.set_reference(*kind, body)?;
        let count = serde_json::from_str::<Value>(body)?[kind.name()]
            .as_array()
            .map_or(0, Vec::len);
        eprintln!("kept {count} {}", kind.name());
    }
    Ok(Exit::Success)
}

fn show(home: &Home) -> Result<Exit> {
    let store = home.store()?;
    for kind in ReferenceKind::ALL {
        let count = match store.reference(kind)? {
            Some(body) => serde_json::from_str::<Value>(&body)
                .map_err(|e| anyhow!("the store's {}: {e}", kind.name()))?[kind.name()]
            .as_array()
            .map_or(0, Vec::len),
            None => 0,
        };
        println!("{:<13} {count}", kind.name());
    }
    Ok(Exit::Success)
}

/// Linked documents as kept: a list of documents (OpenAttestation wrapped documents or W3C
/// credentials), each linkable (a target hash, or an `id`).
fn documents_checked(list: &Value) -> Result<(), String> {
    let documents = list
        .as_array()
        .ok_or_else(|| "\"documents\" is not a list".to_owned())?;
    for (i, document) in documents.iter().enumerate() {
        if corridor_trace::link_keys(document).is_empty() {
            return Err(format!(
                "documents[{i}] is neither an OpenAttestation wrapped document (signature.targetHash) nor a W3C credential with an id"
            ));
        }
    }
    Ok(())
}

/// The reference data kept in `store`, as provenance checks against it.
pub fn registry(store: &corridor_ledger::Store) -> Result<Registry> {
    let text = |kind| -> Result<String> { Ok(store.reference(kind)?.unwrap_or_default()) };
    Registry::from_json(
        &text(ReferenceKind::Parties)?,
        &text(ReferenceKind::Products)?,
        &text(ReferenceKind::Certificates)?,
    )
    .map_err(|e| anyhow!("the store's reference data: {e}"))
}
