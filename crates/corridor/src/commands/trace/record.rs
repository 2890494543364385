//! `corridor trace record`: EPCIS 2.0 events in (EPCISDocuments, single events, JSON Lines of
//! either), each checked against GS1's schema, given its CBV 2.0 event hash ID, issued as an
//! OpenAttestation v2 credential signed by its recorder's key, and kept in the store. Events
//! are signed in batches (one merkle root, one signature, for thousands), and the whole run is
//! one transaction: every event is recorded, or, on any refusal, none.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use corridor_epcis::{Epc, Event, Prefixes, event_hash_id, validate};
use corridor_format::{Hash32, MerkleSignature, MerkleTree, SCHEMA_V2, salt_document_into};
use corridor_gs1::Gln;
use corridor_ledger::{Batch, EventWriter, TraceEvent};
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::{input, progress, secrets};

/// Events signed per batch: one merkle root and one signature each.
const BATCH: usize = 8192;

/// Documents read, checked and hashed per parallel step.
const CHUNK: usize = 2048;

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
    /// signs only what it observed.
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
fn parse_party(text: &str) -> Result<Gln, String> {
    if text.len() == 13 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<Gln>().map_err(|e| e.to_string());
    }
    Epc::read(text)
        .ok()
        .and_then(|epc| epc.gln())
        .ok_or_else(|| format!("{text:?} is not a party GLN (urn:epc:id:pgln:…, https://id.gs1.org/417/…, or 13 digits)"))
}

/// An event ready to sign: its ID, its time and its text with that ID.
struct Ready {
    id: String,
    time: i64,
    event: Value,
    label: String,
}

/// A key ready to record events as its party.
pub struct Recorder {
    signer: corridor_format::did::DidSigner,
    /// The issuer name the store records the batches under.
    issuer: String,
    issuer_block: Value,
    created: String,
    pub party: Option<Gln>,
}

/// What one recording did.
#[derive(Default)]
pub struct Recorded {
    pub read: u64,
    pub recorded: u64,
    pub repeated: u64,
    pub before: u64,
    pub batches: u64,
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
            created: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
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
    /// label for messages), in one transaction. Documents are read, checked and hashed a
    /// chunk at a time on every core.
    pub fn record(
        &self,
        store: &mut corridor_ledger::Store,
        feed: impl FnOnce(&mut dyn FnMut(String, Vec<u8>) -> Result<()>) -> Result<()>,
    ) -> Result<Recorded> {
        let mut counts = Recorded::default();
        let written = store.record_events(&self.issuer, |writer| -> Result<()> {
            let mut seen: HashSet<String> = HashSet::new();
            let mut pending: Vec<Ready> = Vec::with_capacity(BATCH);
            let mut chunk: Vec<(String, Vec<u8>)> = Vec::with_capacity(CHUNK);
            let sign = |writer: &mut EventWriter,
                        pending: &mut Vec<Ready>,
                        counts: &mut Recorded|
             -> Result<()> {
                let ids: Vec<&str> = pending.iter().map(|r| r.id.as_str()).collect();
                let known = writer.recorded(&ids)?;
                counts.before += known.len() as u64;
                pending.retain(|r| !known.contains(&r.id));
                if pending.is_empty() {
                    return Ok(());
                }
                let (batch, events) =
                    sign_batch(pending, &self.issuer_block, &self.signer, &self.created)?;
                writer.batch(&batch, &events)?;
                counts.batches += 1;
                pending.clear();
                Ok(())
            };
            let mut take = |writer: &mut EventWriter,
                            chunk: &mut Vec<(String, Vec<u8>)>,
                            pending: &mut Vec<Ready>,
                            counts: &mut Recorded|
             -> Result<()> {
                let ready: Vec<Vec<Ready>> = chunk
                    .par_iter()
                    .map(|(label, bytes)| {
                        let value: Value = serde_json::from_slice(bytes)
                            .map_err(|e| Refused(format!("{label}: not JSON: {e}")))?;
                        events_of(label, value)?
                            .into_iter()
                            .map(|(label, event)| prepare(label, event, self.party.as_ref()))
                            .collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<_>>()?;
                chunk.clear();
                for ready in ready.into_iter().flatten() {
                    counts.read += 1;
                    if !seen.insert(ready.id.clone()) {
                        counts.repeated += 1;
                        continue;
                    }
                    pending.push(ready);
                    if pending.len() == BATCH {
                        sign(writer, pending, counts)?;
                    }
                }
                Ok(())
            };
            feed(&mut |label, bytes| {
                chunk.push((label, bytes));
                if chunk.len() == CHUNK {
                    take(writer, &mut chunk, &mut pending, &mut counts)?;
                }
                Ok(())
            })?;
            take(writer, &mut chunk, &mut pending, &mut counts)?;
            sign(writer, &mut pending, &mut counts)
        })?;
        counts.recorded = written;
        Ok(counts)
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
fn party_name(store: &corridor_ledger::Store, gln: &Gln) -> Option<String> {
    let parties = store
        .reference(corridor_ledger::ReferenceKind::Parties)
        .ok()??;
    let registry = corridor_trace::Registry::from_json(&parties, "", "").ok()?;
    registry.party(gln).map(|party| party.name.clone())
}

/// The events of one input: a document's, each given the document's `@context`, or the
/// event itself; each checked against GS1's schema first.
fn events_of(label: &str, value: Value) -> Result<Vec<(String, Value)>> {
    let refuse = |problems: Vec<corridor_epcis::Invalid>, events: &[Value]| -> anyhow::Error {
        let named: Vec<String> = problems
            .iter()
            .take(5)
            .map(|p| match p.event {
                Some(i) => format!("{} {p}", event_name(label, i, events.get(i))),
                None => p.to_string(),
            })
            .collect();
        Refused(format!(
            "{label}: not valid EPCIS 2.0: {}",
            named.join("; ")
        ))
        .into()
    };
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    if kind == "EPCISDocument" || kind == "EPCISQueryDocument" {
        let list = if kind == "EPCISDocument" {
            &value["epcisBody"]["eventList"]
        } else {
            &value["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        };
        let events = list.as_array().cloned().unwrap_or_default();
        validate(&value).map_err(|problems| refuse(problems, &events))?;
        let context = value.get("@context").cloned();
        return Ok(events
            .into_iter()
            .enumerate()
            .map(|(i, mut event)| {
                let name = event_name(label, i, Some(&event));
                if let (Some(fields), Some(context)) = (event.as_object_mut(), &context) {
                    if !fields.contains_key("@context") {
                        // The context first, as an event sent alone carries it.
                        let mut with = Map::with_capacity(fields.len() + 1);
                        with.insert("@context".into(), context.clone());
                        with.extend(std::mem::take(fields));
                        *fields = with;
                    }
                }
                (name, event)
            })
            .collect());
    }
    validate(&value).map_err(|problems| refuse(problems, &[]))?;
    Ok(vec![(label.to_owned(), value)])
}

/// How messages name an event of a document: its place and its eventID.
fn event_name(label: &str, index: usize, event: Option<&Value>) -> String {
    match event.and_then(|e| e.get("eventID")).and_then(Value::as_str) {
        Some(id) => format!("{label}: event {} ({id})", index + 1),
        None => format!("{label}: event {}", index + 1),
    }
}

/// Gives the event its hash ID (or checks the one it has) and reads it, refusing one whose
/// identifiers are wrong or that names another recorder than `party`.
fn prepare(label: String, mut event: Value, party: Option<&Gln>) -> Result<Ready> {
    let computed = event_hash_id(&event, None).map_err(|e| Refused(format!("{label}: {e}")))?;
    let id = match event.get("eventID").and_then(Value::as_str) {
        // A hash ID vouches for the content: it must be the content's.
        Some(given) if given.starts_with("ni:///") && given != computed => {
            return Err(Refused(format!(
                "{label}: eventID {given} is not the event's hash ID ({computed}): the event was changed after its ID was made"
            ))
            .into());
        }
        Some(given) => given.to_owned(),
        None => {
            if let Some(fields) = event.as_object_mut() {
                fields.insert("eventID".into(), Value::String(computed.clone()));
            }
            computed
        }
    };
    let read =
        Event::read(&event, &Prefixes::default()).map_err(|e| Refused(format!("{label}: {e}")))?;
    if let Some(party) = party {
        let recorder = read
            .recorded_by
            .as_deref()
            .and_then(|r| Epc::read(r).ok())
            .and_then(|e| e.gln());
        if let Some(recorder) = recorder.filter(|r| r != party) {
            return Err(Refused(format!(
                "{label}: the event names party {recorder} as its recorder, and this key records for {party}: a party signs only what it observed"
            ))
            .into());
        }
    }
    Ok(Ready {
        id,
        time: read.time,
        event,
        label,
    })
}

/// Signs a batch of events: each issued as an OpenAttestation v2 document holding the event,
/// the batch's merkle root signed once.
fn sign_batch(
    pending: &[Ready],
    issuer: &Value,
    signer: &corridor_format::did::DidSigner,
    created: &str,
) -> Result<(Batch, Vec<TraceEvent>)> {
    let salted: Vec<(Vec<u8>, Hash32)> = pending
        .par_iter()
        .map(|ready| {
            let raw = json!({"issuers": [issuer], "epcisEvent": ready.event});
            let mut text = Vec::with_capacity(2048);
            let target = salt_document_into(&raw, &mut rand::rng(), &mut text).map_err(|e| {
                Refused(format!(
                    "{}: cannot be issued as an OpenAttestation document: {e}",
                    ready.label
                ))
            })?;
            Ok((text, target))
        })
        .collect::<Result<_>>()?;
    let targets: Vec<Hash32> = salted.iter().map(|(_, target)| *target).collect();
    let tree = MerkleTree::new(targets.clone()).context("an empty batch")?;
    let root = tree.root();
    let proof_entry = serde_json::to_vec(&signer.proof_entry(&root, created))?;
    let events: Vec<TraceEvent> = salted
        .into_par_iter()
        .zip(pending.par_iter())
        .map(|((data, target), ready)| {
            let signature = MerkleSignature {
                target_hash: target,
                proof: tree.proof_of(&target).unwrap_or_default(),
                merkle_root: root,
            };
            let mut credential = Vec::with_capacity(data.len() + 512);
            credential
                .extend_from_slice(format!("{{\"version\":\"{SCHEMA_V2}\",\"data\":").as_bytes());
            credential.extend_from_slice(&data);
            credential.extend_from_slice(b",\"signature\":");
            signature.write_json(&mut credential);
            credential.extend_from_slice(b",\"proof\":[");
            credential.extend_from_slice(&proof_entry);
            credential.extend_from_slice(b"]}");
            Ok(TraceEvent {
                id: ready.id.clone(),
                time: ready.time,
                event: serde_json::to_string(&ready.event)?,
                credential: String::from_utf8(credential)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok((
        Batch {
            root,
            documents: targets,
        },
        events,
    ))
}
