//! `corridor trace record`: EPCIS 2.0 events in (EPCISDocuments, single events, JSON Lines of
//! either), captured by `corridor-capture`: each checked against GS1's schema, given its CBV
//! 2.0 event hash ID, issued as an OpenAttestation v2 credential signed by its recorder's key,
//! and kept in the store. The whole run is one transaction: every event is recorded, or, on
//! any refusal, none.

use std::path::PathBuf;

use anyhow::{Result, bail};
use corridor_capture::{CaptureError, OnError, Recorded};
use corridor_epcis::Epc;
use corridor_gs1::Gln;
use serde_json::{Value, json};

use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::{input, progress, secrets};

/// Who records: the key, the identity its credentials claim, the party it records for.
#[derive(clap::Args)]
pub struct RecorderArgs {
    #[command(flatten)]
    signer: secrets::SignerArgs,
    /// The DNS domain whose TXT record vouches for the key (DNS-DID): each credential names
    /// it, and verifiers look the key up there.
    #[arg(long, value_name = "DOMAIN")]
    domain: String,
    /// The recording party's GLN (as `urn:epc:id:pgln:…`, `https://id.gs1.org/417/…` or 13
    /// digits). Events that name another party in `corridor:recordedBy` are refused: a party
    /// signs only what it observed; events that name none are given this one.
    #[arg(long, value_name = "PGLN", value_parser = parse_party)]
    party: Option<Gln>,
    /// The recorder's name as credentials show it. Default: the party's name in the store's
    /// reference data, else the domain.
    #[arg(long, value_name = "TEXT")]
    name: Option<String>,
    /// Where `corridor serve` answers revocation questions for this store (credentials name
    /// its `/ocsp/KEY`).
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    responder: String,
}

#[derive(clap::Args)]
pub struct RecordArgs {
    #[command(flatten)]
    recorder: RecorderArgs,
    /// Largest file (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = input::parse_size)]
    max_size: u64,
    /// EPCISDocuments or events (each with its @context): files, folders, or JSON Lines files.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

/// A party GLN written any way.
pub fn parse_party(text: &str) -> Result<Gln, String> {
    if text.len() == 13 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<Gln>().map_err(|e| e.to_string());
    }
    Epc::read(text)
        .ok()
        .and_then(|epc| epc.gln())
        .ok_or_else(|| format!("{text:?} is not a party GLN (urn:epc:id:pgln:…, https://id.gs1.org/417/…, or 13 digits)"))
}

/// A key ready to record events as its party.
pub struct Recorder {
    signer: corridor_format::did::DidSigner,
    /// The issuer name the store records the batches under.
    issuer: String,
    issuer_block: Value,
    pub party: Option<Gln>,
}

impl Recorder {
    pub fn new(
        home: &Home,
        store: &corridor_ledger::Store,
        args: &RecorderArgs,
    ) -> Result<Recorder> {
        let signer = args.signer.signer(&home.keyring()?)?;
        let issuer = args.signer.issuer_name(&signer);
        let name = match &args.name {
            Some(name) => name.clone(),
            None => args
                .party
                .and_then(|gln| party_name(store, &gln))
                .unwrap_or_else(|| args.domain.clone()),
        };
        let did = signer.did();
        let issuer_block = json!({
            "id": did,
            "name": name,
            "revocation": {"type": "OCSP_RESPONDER",
                           "location": format!("{}/ocsp/{issuer}", args.responder.trim_end_matches('/'))},
            "identityProof": {"type": "DNS-DID", "location": args.domain, "key": format!("{did}#controller")},
        });
        Ok(Recorder {
            signer,
            issuer,
            issuer_block,
            party: args.party,
        })
    }

    /// Who signs, as the summary says it.
    pub fn named(&self) -> String {
        let did = self.signer.did();
        if self.issuer == did {
            did
        } else {
            format!("{} ({did})", self.issuer)
        }
    }

    /// Records the documents `feed` gives (an EPCISDocument or an event, as JSON, each with a
    /// label for messages), all or nothing.
    pub fn record(
        &self,
        store: &mut corridor_ledger::Store,
        feed: impl FnOnce(&mut dyn FnMut(String, Vec<u8>) -> Result<()>) -> Result<()> + Send,
    ) -> Result<Recorded> {
        let capture = corridor_capture::Recorder::new(
            &self.signer,
            self.issuer.clone(),
            self.issuer_block.clone(),
            self.party,
            std::time::SystemTime::now(),
        );
        capture.record(store, OnError::Rollback, feed).map_err(|e| {
            match e.downcast::<CaptureError>() {
                // A refusal is the input's fault: its exit code says so.
                Ok(CaptureError::Refused(refusals)) => {
                    Refused(CaptureError::Refused(refusals).to_string()).into()
                }
                Ok(other) => other.into(),
                Err(other) => other,
            }
        })
    }
}

pub fn run(home: &Home, args: &RecordArgs) -> Result<Exit> {
    let sources = input::expand(&args.inputs)?;
    let mut store = home.store()?;
    let recorder = Recorder::new(home, &store, &args.recorder)?;
    let bar = progress::bytes(sources.iter().map(input::Source::size).sum(), "recording");
    let counts = recorder.record(&mut store, |record| {
        for source in &sources {
            input::for_each_document(source, args.max_size, |doc| {
                bar.inc(doc.bytes.len() as u64);
                record(doc.label, doc.bytes)
            })?;
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    if counts.read == 0 {
        bail!("no events found in the inputs");
    }
    let mut notes = Vec::new();
    if counts.before > 0 {
        notes.push(format!("{} recorded before", counts.before));
    }
    if counts.repeated > 0 {
        notes.push(format!("{} repeated in the inputs", counts.repeated));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({}, left as they were)", notes.join(", "))
    };
    eprintln!(
        "recorded {} of {} event(s) in {} signed batch(es) as {}{notes}",
        counts.recorded,
        counts.read,
        counts.batches,
        recorder.named()
    );
    Ok(Exit::Success)
}

/// The party's name in the store's reference data.
pub fn party_name(store: &corridor_ledger::Store, gln: &Gln) -> Option<String> {
    let parties = store
        .reference(corridor_ledger::ReferenceKind::Parties)
        .ok()??;
    let registry = corridor_trace::Registry::from_json(&parties, "", "").ok()?;
    registry.party(gln).map(|party| party.name.clone())
}
