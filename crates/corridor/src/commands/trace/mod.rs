//! `corridor trace`: food traceability over GS1 EPCIS 2.0 events. `trace id` reads GS1
//! identifiers; `trace record` validates, signs and stores events; `trace reference` keeps the
//! chain's parties, products and certificates; `trace provenance` walks an item, lot or
//! logistic unit back to its origins and names every break.

mod id;
mod provenance;
mod recall;
mod record;

pub use record::{parse_party, party_name};
mod reference;

use anyhow::{Context, Result};

use crate::exit::Exit;
use crate::home::Home;

#[derive(clap::Subcommand)]
pub enum TraceAction {
    /// Read GS1 identifiers — Digital Link URIs (any domain; 01 GTIN with 22/10/21, 00 SSCC,
    /// 414 GLN with 254, 417 party GLN) or EPC URNs (sgtin, lgtin, sscc, sgln, pgln) — and
    /// print what each names: its canonical Digital Link and its EPC URN. A bad one is
    /// refused with the reason: which check digit, which application identifier, which field.
    /// Exit 1 when any is refused.
    Id(id::IdArgs),
    /// Record EPCIS 2.0 events (EPCISDocuments, or events each with its @context; files,
    /// folders or JSON Lines): each is checked against GS1's EPCIS 2.0 JSON schema (an error
    /// names the event and the field), given its CBV 2.0 event hash ID (one it carries must be
    /// its own), issued as a credential signed by the recorder's key — an OpenAttestation v2
    /// document (a batch of thousands under one signature), or with --suite a W3C VC 2.0
    /// Digital Traceability Event of its own — and kept in the store. All or nothing; events
    /// recorded before are left as they are.
    Record(record::RecordArgs),
    /// The chain's reference data that provenance checks events against: parties (their
    /// locations and the steps each may record), products (temperature ranges) and
    /// certificates.
    Reference {
        #[command(subcommand)]
        action: reference::ReferenceAction,
    },
    /// The provenance of items, lots or logistic units (Digital Links or EPC URNs) from the
    /// recorded events: their origins, and every break — a hop no shipment links, an event
    /// its recorder may not record, a reading outside the product's range, a certificate that
    /// does not hold, a recall upstream. Exit 0 when all are clean, 1 when any is broken or
    /// unknown.
    Provenance(provenance::ProvenanceArgs),
    /// Record a recall — of a lot, item or logistic unit, of everything a certificate's events
    /// name, or of what an event names or made — as an event signed by the recalling party
    /// (disposition `recalled`, at its site), and list everything downstream: the lots,
    /// logistic units and items whose provenance holds it, and the unsold items to pull by
    /// the site they are at. From then on their provenance is broken (`recalled-upstream`).
    Recall(recall::RecallArgs),
    /// A recorded event and the credential its recorder signed over it (which `corridor
    /// verify` checks), by event ID.
    Show {
        #[arg(value_name = "EVENT_ID")]
        id: String,
        /// Print only the credential, as a file `corridor verify` reads.
        #[arg(long)]
        credential: bool,
    },
}

pub fn run(home: &Home, action: &TraceAction) -> Result<Exit> {
    match action {
        TraceAction::Id(args) => id::run(args),
        TraceAction::Record(args) => record::run(home, args),
        TraceAction::Reference { action } => reference::run(home, action),
        TraceAction::Provenance(args) => provenance::run(home, args),
        TraceAction::Recall(args) => recall::run(home, args),
        TraceAction::Show { id, credential } => show(home, id, *credential),
    }
}

fn show(home: &Home, id: &str, only_credential: bool) -> Result<Exit> {
    let store = home.store()?;
    let Some(stored) = store.event(id)? else {
        return Err(crate::exit::Refused(format!(
            "no event {id} is recorded in {}",
            store.location()
        ))
        .into());
    };
    let credential = corridor_capture::credential_text(&store, &stored)
        .with_context(|| format!("event {id} in {}", store.location()))?;
    if only_credential {
        println!("{credential}");
    } else {
        let event: serde_json::Value = serde_json::from_str(&stored.event)?;
        let credential: serde_json::Value = serde_json::from_str(&credential)?;
        let mut shown = serde_json::json!({"event": event, "recordedBy": stored.issuer});
        // An OpenAttestation credential is one of a batch; a W3C credential is signed alone.
        if credential.get("signature").is_some() {
            shown["merkleRoot"] = stored.root.to_string().into();
        }
        shown["credential"] = credential;
        println!("{}", serde_json::to_string_pretty(&shown)?);
    }
    Ok(Exit::Success)
}
