//! Capturing EPCIS 2.0 events: EPCISDocuments, EPCISQueryDocuments or single events in, each
//! event checked against GS1's schema, given its CBV 2.0 event hash ID (or checked against the
//! one it has), issued as a verifiable credential signed by its recorder's key, and kept in
//! the store. Events are read, checked and hashed a chunk at a time on every core.
//!
//! A credential is either an OpenAttestation v2 document, signed in batches (one merkle root,
//! one signature, for thousands), or a W3C VC 2.0 credential in the shape of UN/CEFACT's
//! Digital Traceability Event, signed alone with a selective disclosure suite
//! (ecdsa-sd-2023, bbs-2023) and given an entry of a status list ([`W3cIssuer`]).
//!
//! A capture is one transaction. On a refused event it either stops and keeps nothing
//! ([`OnError::Rollback`], EPCIS 1.2's behaviour and the default of EPCIS 2.0's capture
//! interface) or keeps every other event and reports the refused ones ([`OnError::Proceed`]).
//! Events recorded before are left as they were: a hash ID names the same content.

use std::collections::HashSet;
use std::fmt;
use std::sync::mpsc::SyncSender;

use corridor_di::IssuerSigningKey;
use corridor_epcis::{Epc, Event, Prefixes, event_hash_id, name_recorder, validate};
use corridor_format::did::DidSigner;
use corridor_format::{
    Hash32, MerkleSignature, MerkleTree, SCHEMA_V2, SaltSeed, salt_document_into,
};
use corridor_gs1::Gln;
use corridor_jsonld::Processor;
use corridor_ledger::{
    Batch, BatchFrame, EventWriter, SignedEvent, StoreError, StoredCredential, StoredEvent,
    TraceEvent,
};
use rand::Rng;
use rayon::prelude::*;
use serde_json::{Map, Value};

/// Events signed per batch unless asked otherwise: one merkle root and one signature each.
const BATCH: usize = 8192;

/// W3C credentials signed (and written) per batch unless asked otherwise: each is signed
/// alone, in milliseconds, so a batch is a step of progress rather than a signature.
const W3C_BATCH: usize = 256;

/// The type a Digital Traceability Event credential has besides `VerifiableCredential`, by
/// its IRI in UN/CEFACT's vocabulary: the events are written in GS1's EPCIS vocabulary, whose
/// context does not name the class.
pub const DIGITAL_TRACEABILITY_EVENT: &str =
    "https://test.uncefact.org/vocabulary/untp/dte/0/DigitalTraceabilityEvent";

/// The pointers every event credential's proof discloses, beyond the issuer and `validFrom`:
/// its status (so that a copy passed on can still be checked for withdrawal) and when the
/// event happened.
const TRACE_MANDATORY: [&str; 2] = ["/credentialStatus", "/credentialSubject/eventTime"];

/// The most refusals a capture keeps to report; the rest are counted.
pub const MOST_REFUSALS_KEPT: usize = 100;

/// What a capture does with the other events when one is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Keep none of them: all or nothing.
    #[default]
    Rollback,
    /// Keep every event that is not refused.
    Proceed,
}

/// An input or event refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The input and, within it, the event (its place and eventID).
    pub input: String,
    pub problem: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.input, self.problem)
    }
}

/// Why a capture kept nothing.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Events were refused and the capture rolls back; the first few, and how many in all
    /// were found before it stopped.
    #[error("{}", refusals_text(.0))]
    Refused(Vec<Refusal>),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The events could not be issued (a failure of the signer's own).
    #[error("issuing the events failed: {0}")]
    Issue(String),
}

fn refusals_text(refusals: &[Refusal]) -> String {
    let shown: Vec<String> = refusals.iter().take(5).map(Refusal::to_string).collect();
    let more = refusals.len().saturating_sub(shown.len());
    if more == 0 {
        shown.join("; ")
    } else {
        format!("{} (and {more} more)", shown.join("; "))
    }
}

/// What one capture did.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Events read from the inputs.
    pub read: u64,
    /// Events recorded by this capture.
    pub recorded: u64,
    /// Events that came again within the inputs (the same eventID).
    pub repeated: u64,
    /// Events recorded before this capture.
    pub before: u64,
    /// Signed batches made.
    pub batches: u64,
    /// Events or inputs refused (with [`OnError::Proceed`]), the first [`MOST_REFUSALS_KEPT`].
    pub refused: Vec<Refusal>,
    /// How many were refused in all.
    pub refused_count: u64,
    /// The eventID of the first event read (as recorded: made, if it came without one).
    pub first_id: Option<String>,
}

/// How events' credentials are issued.
enum Issuance<'k> {
    /// OpenAttestation v2 documents, a batch under one signature of an Ethereum key, naming
    /// `issuer_block` (its `id`, `name`, `revocation` and `identityProof`).
    OpenAttestation {
        signer: &'k DidSigner,
        issuer_block: Value,
    },
    W3c(W3cIssuer<'k>),
}

/// A W3C issuer of events: each event is issued as a VC 2.0 credential in the shape of
/// UN/CEFACT's Digital Traceability Event, one event a credential as UNTP's own issuing
/// service does, over GS1's EPCIS vocabulary, signed alone with `key`'s selective disclosure
/// suite and given the next entry of the store's status list `status_list`.
pub struct W3cIssuer<'k> {
    /// Expands the credentials for signing: GS1's EPCIS context is bundled, and the
    /// processor's source answers for any other context the events name.
    pub processor: &'k Processor,
    pub key: &'k IssuerSigningKey,
    /// The key's verification method (`did:web:example.com#keys-1`), whose DID is the
    /// credentials' `issuer`: the DID alone, as TrustVC's verifier requires.
    pub method: String,
    /// The status list of the store that gives each credential its entry.
    pub status_list: String,
    /// What the list's entries mean (`revocation` or `suspension`).
    pub status_purpose: String,
    /// Whether the list is a VC 1.1 `StatusList2021Credential` (its entries are
    /// `StatusList2021Entry`).
    pub status_list_2021: bool,
    /// Pointers the proof discloses beyond those every event credential's does.
    pub mandatory: Vec<String>,
}

/// A key ready to record events: the credentials' issuer, and the party it records for.
pub struct Recorder<'k> {
    issuance: Issuance<'k>,
    /// The issuer name the store records the batches under.
    issuer: String,
    created: String,
    /// When the recording began, for W3C proofs (milliseconds since 1970).
    created_ms: u64,
    party: Option<Gln>,
    /// Events signed per batch.
    batch: usize,
}

/// An event ready to sign: its ID, its time and its text with that ID.
struct Ready {
    id: String,
    time: i64,
    event: Value,
    label: String,
    /// The identifiers of what it recalls (disposition `recalled`): published in the feed.
    recalls: Vec<String>,
}

impl<'k> Recorder<'k> {
    /// Records with `signer`, as the store's issuer `issuer`, each credential naming
    /// `issuer_block` (an OpenAttestation v2 issuer: its `id`, `name`, `revocation` and
    /// `identityProof`). With a `party`, events naming another recorder are refused and those
    /// naming none are given it (unless their hash ID would then no longer be theirs).
    pub fn new(
        signer: &'k DidSigner,
        issuer: String,
        issuer_block: Value,
        party: Option<Gln>,
        created: std::time::SystemTime,
    ) -> Recorder<'k> {
        Recorder::with(
            Issuance::OpenAttestation {
                signer,
                issuer_block,
            },
            issuer,
            party,
            created,
            BATCH,
        )
    }

    /// Records with a W3C issuer ([`W3cIssuer`]), as the store's issuer `issuer` (the key's
    /// name); `party` as for [`Recorder::new`].
    pub fn w3c(
        w3c: W3cIssuer<'k>,
        issuer: String,
        party: Option<Gln>,
        created: std::time::SystemTime,
    ) -> Recorder<'k> {
        Recorder::with(Issuance::W3c(w3c), issuer, party, created, W3C_BATCH)
    }

    fn with(
        issuance: Issuance<'k>,
        issuer: String,
        party: Option<Gln>,
        created: std::time::SystemTime,
        batch: usize,
    ) -> Recorder<'k> {
        let created_ms = created
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Recorder {
            issuance,
            issuer,
            created: rfc3339_millis(created),
            created_ms,
            party,
            batch,
        }
    }

    /// Signs `events` events a batch (8,192 unless asked), each batch under one signature.
    pub fn in_batches_of(self, events: std::num::NonZeroUsize) -> Recorder<'k> {
        Recorder {
            batch: events.get(),
            ..self
        }
    }

    /// Documents read, checked and hashed per parallel step: a quarter of a batch, so that
    /// preparing the next overlaps with signing and writing the last.
    fn chunk(&self) -> usize {
        (self.batch / 4).max(1)
    }

    /// Signs a batch of events ready to sign; W3C credentials take the status entries from
    /// `first_status` on.
    fn sign(&self, batch: &mut [Ready], first_status: u64) -> Result<Signed, CaptureError> {
        match &self.issuance {
            Issuance::OpenAttestation {
                signer,
                issuer_block,
            } => sign_batch(batch, issuer_block, signer, &self.created),
            Issuance::W3c(w3c) => {
                sign_alone(batch, w3c, first_status, &self.created, self.created_ms)
            }
        }
    }

    /// The party it records for, if one.
    pub fn party(&self) -> Option<Gln> {
        self.party
    }

    /// Records the documents `feed` gives (an EPCISDocument, an EPCISQueryDocument or an
    /// event, as JSON bytes, each with a label for messages), in one transaction.
    ///
    /// Three stages run at once: `feed` and the preparation of its documents on one thread
    /// (the reading, checking and hashing spread over every core), signing a batch, and
    /// writing the batch signed before on this thread, which holds the store's transaction.
    pub fn record<E: From<CaptureError> + Send>(
        &self,
        store: &mut corridor_ledger::Store,
        on_error: OnError,
        feed: impl FnOnce(&mut dyn FnMut(String, Vec<u8>) -> Result<(), E>) -> Result<(), E> + Send,
    ) -> Result<Recorded, E> {
        let mut counts = Recorded::default();
        let written = store.record_events(&self.issuer, |writer| -> Result<(), Failed<E>> {
            // Two chunks prepared ahead at most: memory stays bounded when writing is slower.
            let (send, prepared) = std::sync::mpsc::sync_channel(2);
            std::thread::scope(|scope| {
                // The sender goes with the producer: the chunks end when the feed does.
                let producing = scope.spawn(move || self.produce(feed, &send));
                let mut run = Run {
                    recorder: self,
                    on_error,
                    seen: HashSet::new(),
                    pending: Vec::with_capacity(self.batch),
                    unwritten: None,
                    counts: &mut counts,
                };
                let taken = prepared
                    .iter()
                    .try_for_each(|chunk| run.take(writer, chunk));
                // A capture that stopped stops the feed at its next chunk.
                drop(prepared);
                let fed = producing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                match (taken, fed) {
                    // The feed stopped because the capture did: the error is the capture's.
                    (Err(e), _) => Err(Failed::Capture(e)),
                    // Nothing is kept of a feed that failed.
                    (Ok(()), Err(e)) => Err(Failed::Feed(e)),
                    (Ok(()), Ok(())) => run.finish(writer).map_err(Failed::Capture),
                }
            })
        });
        let written = match written {
            Ok(written) => written,
            Err(Failed::Capture(e)) => return Err(e.into()),
            Err(Failed::Feed(e)) => return Err(e),
        };
        counts.recorded = written;
        Ok(counts)
    }

    /// Runs `feed`, sending its documents' events, read, checked and hashed a chunk at a
    /// time on every core, to `prepared`; stops when the capture does.
    fn produce<E: From<CaptureError>>(
        &self,
        feed: impl FnOnce(&mut dyn FnMut(String, Vec<u8>) -> Result<(), E>) -> Result<(), E>,
        prepared: &SyncSender<Vec<Result<Ready, Refusal>>>,
    ) -> Result<(), E> {
        let party = self.party;
        let chunk_size = self.chunk();
        let mut chunk: Vec<(String, Vec<u8>)> = Vec::with_capacity(chunk_size);
        let send = |chunk: &mut Vec<(String, Vec<u8>)>| -> Result<(), E> {
            let ready: Vec<Result<Ready, Refusal>> = chunk
                .par_drain(..)
                .flat_map_iter(|(label, bytes)| match events_of(&label, &bytes) {
                    Ok(events) => events
                        .into_iter()
                        .map(|(label, event)| prepare(label, event, party.as_ref()))
                        .collect(),
                    Err(refusal) => vec![Err(refusal)],
                })
                .collect();
            // The capture has stopped, with an error of its own that is the one reported.
            prepared
                .send(ready)
                .map_err(|_| E::from(CaptureError::Issue("the capture stopped".into())))
        };
        feed(&mut |label, bytes| {
            chunk.push((label, bytes));
            if chunk.len() == chunk_size {
                send(&mut chunk)?;
            }
            Ok(())
        })?;
        send(&mut chunk)
    }
}

/// An error inside a capture's transaction: the capture's own, or the feed's.
enum Failed<E> {
    Capture(CaptureError),
    Feed(E),
}

impl<E> From<StoreError> for Failed<E> {
    fn from(e: StoreError) -> Self {
        Failed::Capture(e.into())
    }
}

/// The writing side of one capture under way.
struct Run<'r, 'k> {
    recorder: &'r Recorder<'k>,
    on_error: OnError,
    seen: HashSet<String>,
    pending: Vec<Ready>,
    /// A batch signed and not yet written: written while the next is signed.
    unwritten: Option<Signed>,
    counts: &'r mut Recorded,
}

impl Run<'_, '_> {
    /// Signs and writes what is still queued, once the feed has ended.
    fn finish(&mut self, writer: &mut EventWriter) -> Result<(), CaptureError> {
        while !self.pending.is_empty() {
            self.advance(writer)?;
        }
        self.flush(writer)
    }

    /// Queues a chunk's events for signing, counting those repeated and refused, and signs
    /// and writes each batch it fills.
    fn take(
        &mut self,
        writer: &mut EventWriter,
        chunk: Vec<Result<Ready, Refusal>>,
    ) -> Result<(), CaptureError> {
        let mut refused = Vec::new();
        for ready in chunk {
            let ready = match ready {
                Ok(ready) => ready,
                Err(refusal) => {
                    refused.push(refusal);
                    continue;
                }
            };
            self.counts.read += 1;
            if self.counts.first_id.is_none() {
                self.counts.first_id = Some(ready.id.clone());
            }
            if !self.seen.insert(ready.id.clone()) {
                self.counts.repeated += 1;
                continue;
            }
            self.pending.push(ready);
        }
        if !refused.is_empty() {
            if self.on_error == OnError::Rollback {
                refused.truncate(MOST_REFUSALS_KEPT);
                return Err(CaptureError::Refused(refused));
            }
            self.counts.refused_count += refused.len() as u64;
            let room = MOST_REFUSALS_KEPT.saturating_sub(self.counts.refused.len());
            self.counts.refused.extend(refused.into_iter().take(room));
        }
        while self.pending.len() >= self.recorder.batch {
            self.advance(writer)?;
        }
        Ok(())
    }

    /// Takes a batch of what is queued, leaving events recorded before, and signs it while
    /// the batch signed before is written.
    fn advance(&mut self, writer: &mut EventWriter) -> Result<(), CaptureError> {
        let take = self.pending.len().min(self.recorder.batch);
        let mut batch: Vec<Ready> = self.pending.drain(..take).collect();
        let ids: Vec<&str> = batch.iter().map(|r| r.id.as_str()).collect();
        let known = writer.recorded(&ids)?;
        self.counts.before += known.len() as u64;
        batch.retain(|r| !known.contains(&r.id));
        if batch.is_empty() {
            return Ok(());
        }
        let recorder = self.recorder;
        let first_status = match &recorder.issuance {
            Issuance::W3c(w3c) => {
                writer.allocate_status_indexes(&w3c.status_list, batch.len() as u64)?
            }
            Issuance::OpenAttestation { .. } => 0,
        };
        let (signed, written) = std::thread::scope(|scope| {
            let signing = scope.spawn(|| recorder.sign(&mut batch, first_status));
            let written = self.flush(writer);
            let signed = signing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (signed, written)
        });
        written?;
        self.unwritten = Some(signed?);
        Ok(())
    }

    /// Writes the batch signed and not yet written, if one is.
    fn flush(&mut self, writer: &mut EventWriter) -> Result<(), CaptureError> {
        match self.unwritten.take() {
            None => return Ok(()),
            Some(Signed::Batch {
                batch,
                frame,
                events,
            }) => writer.batch(&batch, &frame, &events)?,
            Some(Signed::Alone(events)) => writer.signed(&events)?,
        }
        self.counts.batches += 1;
        Ok(())
    }
}

/// The events of one input: a document's, each given the document's `@context`, or the
/// event itself; each checked against GS1's schema first.
fn events_of(label: &str, bytes: &[u8]) -> Result<Vec<(String, Value)>, Refusal> {
    let refusal = |problem: String| Refusal {
        input: label.to_owned(),
        problem,
    };
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| refusal(format!("not JSON: {e}")))?;
    let invalid = |problems: Vec<corridor_epcis::Invalid>, events: &[Value]| {
        let named: Vec<String> = problems
            .iter()
            .take(5)
            .map(|p| match p.event {
                Some(i) => format!("{}: {p}", event_name(i, events.get(i))),
                None => p.to_string(),
            })
            .collect();
        refusal(format!("not valid EPCIS 2.0: {}", named.join("; ")))
    };
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    if kind == "EPCISDocument" || kind == "EPCISQueryDocument" {
        let list = if kind == "EPCISDocument" {
            &value["epcisBody"]["eventList"]
        } else {
            &value["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        };
        let events = list.as_array().cloned().unwrap_or_default();
        validate(&value).map_err(|problems| invalid(problems, &events))?;
        let context = value.get("@context").cloned();
        return Ok(events
            .into_iter()
            .enumerate()
            .map(|(i, mut event)| {
                let name = format!("{label}: {}", event_name(i, Some(&event)));
                if let (Some(fields), Some(context)) = (event.as_object_mut(), &context)
                    && !fields.contains_key("@context")
                {
                    // The context first, as an event sent alone carries it.
                    let mut with = Map::with_capacity(fields.len() + 1);
                    with.insert("@context".into(), context.clone());
                    with.extend(std::mem::take(fields));
                    *fields = with;
                }
                (name, event)
            })
            .collect());
    }
    validate(&value).map_err(|problems| invalid(problems, &[]))?;
    Ok(vec![(label.to_owned(), value)])
}

/// How messages name an event of a document: its place and its eventID.
fn event_name(index: usize, event: Option<&Value>) -> String {
    match event.and_then(|e| e.get("eventID")).and_then(Value::as_str) {
        Some(id) => format!("event {} ({id})", index + 1),
        None => format!("event {}", index + 1),
    }
}

/// Gives the event its hash ID (or checks the one it has) and reads it, refusing one whose
/// identifiers are wrong or that names another recorder than `party`; one naming none is
/// given `party`.
fn prepare(label: String, mut event: Value, party: Option<&Gln>) -> Result<Ready, Refusal> {
    let refuse = |problem: String| Refusal {
        input: label.clone(),
        problem,
    };
    let given = event
        .get("eventID")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let hash_given = given.as_deref().is_some_and(|id| id.starts_with("ni:///"));
    // Read once: naming the recorder or the eventID changes neither its time nor its
    // objects.
    let read = Event::read(&event, &Prefixes::default()).map_err(|e| refuse(e.to_string()));
    if let Some(party) = party {
        let read = read.as_ref().map_err(Clone::clone)?;
        match read.recorded_by.as_deref() {
            Some(recorder) => {
                let recorder = Epc::read(recorder).ok().and_then(|e| e.gln());
                if recorder.as_ref() != Some(party) {
                    let named =
                        recorder.map_or_else(|| "no party GLN".to_owned(), |r| r.to_string());
                    return Err(refuse(format!(
                        "the event names {named} as its recorder (corridor:recordedBy), and this key records for {party}: a party signs only what it observed"
                    )));
                }
            }
            // Naming the recorder changes the content a hash ID vouches for.
            None if hash_given => {
                return Err(refuse(format!(
                    "the event does not name its recorder (corridor:recordedBy), and naming {party} would change the content its hash eventID vouches for: send it with corridor:recordedBy, or without its eventID"
                )));
            }
            None => name_recorder(&mut event, party),
        }
    }
    let computed = event_hash_id(&event, None).map_err(|e| refuse(e.to_string()))?;
    let id = match given {
        // A hash ID vouches for the content: it must be the content's.
        Some(given) if hash_given && given != computed => {
            return Err(refuse(format!(
                "eventID {given} is not the event's hash ID ({computed}): the event was changed after its ID was made"
            )));
        }
        Some(given) => given,
        None => {
            if let Some(fields) = event.as_object_mut() {
                fields.insert("eventID".into(), Value::String(computed.clone()));
            }
            computed
        }
    };
    let read = read?;
    let recalls = if read.disposition.as_deref() == Some("recalled") {
        read.listed().map(ToString::to_string).collect()
    } else {
        Vec::new()
    };
    Ok(Ready {
        id,
        time: read.time,
        event,
        label,
        recalls,
    })
}

/// A batch of events signed.
enum Signed {
    /// OpenAttestation documents under one signature: the batch, what its credentials share,
    /// and its events.
    Batch {
        batch: Batch,
        frame: BatchFrame,
        events: Vec<TraceEvent>,
    },
    /// W3C credentials, each signed alone.
    Alone(Vec<SignedEvent>),
}

/// The data of an event's credential: its issuer and the event, which `salt` is given and
/// which is put back after. Lent rather than cloned (4% of a recording's time).
fn with_credential_data<T>(issuer: &Value, event: &mut Value, salt: impl FnOnce(&Value) -> T) -> T {
    let mut data = Map::with_capacity(2);
    data.insert("issuers".into(), Value::Array(vec![issuer.clone()]));
    data.insert("epcisEvent".into(), std::mem::take(event));
    let mut data = Value::Object(data);
    let salted = salt(&data);
    *event = data["epcisEvent"].take();
    salted
}

/// Signs a batch of events: each issued as an OpenAttestation v2 document holding the event,
/// the batch's merkle root signed once. Each document's salts come from a seed of its own,
/// kept in its place: the store makes the document again when it is asked for.
fn sign_batch(
    pending: &mut [Ready],
    issuer: &Value,
    signer: &DidSigner,
    created: &str,
) -> Result<Signed, CaptureError> {
    let issue = |e: &dyn fmt::Display| CaptureError::Issue(e.to_string());
    let salted: Vec<(SaltSeed, Hash32)> = pending
        .par_iter_mut()
        .map_init(
            || Vec::with_capacity(2048),
            |text, ready| {
                let seed = SaltSeed::random();
                text.clear();
                let target = with_credential_data(issuer, &mut ready.event, |data| {
                    salt_document_into(data, &mut seed.salts(), text)
                })
                .map_err(|e| {
                    CaptureError::Refused(vec![Refusal {
                        input: ready.label.clone(),
                        problem: format!("cannot be issued as an OpenAttestation document: {e}"),
                    }])
                })?;
                Ok((seed, target))
            },
        )
        .collect::<Result<_, CaptureError>>()?;
    let targets: Vec<Hash32> = salted.iter().map(|(_, target)| *target).collect();
    let tree = MerkleTree::new(targets.clone())
        .ok_or_else(|| CaptureError::Issue("an empty batch".into()))?;
    let root = tree.root();
    let frame = BatchFrame {
        issuer: serde_json::to_string(issuer).map_err(|e| issue(&e))?,
        proof: serde_json::to_string(&signer.proof_entry(&root, created)).map_err(|e| issue(&e))?,
    };
    let events: Vec<TraceEvent> = salted
        .into_par_iter()
        .zip(pending.par_iter())
        .map(|((seed, target), ready)| {
            Ok(TraceEvent::new(
                ready.id.clone(),
                ready.time,
                serde_json::to_string(&ready.event).map_err(|e| issue(&e))?,
                seed,
                target,
            )
            .recalling(ready.recalls.clone()))
        })
        .collect::<Result<_, CaptureError>>()?;
    Ok(Signed::Batch {
        batch: Batch {
            root,
            documents: targets,
        },
        frame,
        events,
    })
}

/// An event's W3C credential before its proof: a Digital Traceability Event whose subject is
/// the event (its `@context` moved up to the credential's, after the VC 2.0 context), issued
/// by the DID `issuer` from `valid_from`, with the status entry `status`.
///
/// The event's `eventID` is written `id`, which GS1's context maps to the same `@id`:
/// selective disclosure keeps a node's `id` in every copy it derives, and not an alias of it,
/// so a copy would otherwise speak of a blank node and not of the event that was signed.
///
/// The subject is the event itself rather than a list of one: selective disclosure works on
/// the credential compacted, where a list of one is that one, so pointers into a list would
/// not be found.
pub fn event_credential(event: &Value, issuer: &str, valid_from: &str, status: Value) -> Value {
    let mut contexts = vec![Value::String(corridor_verify::w3c::VC_V2.into())];
    let mut subject = Map::new();
    if let Value::Object(fields) = event {
        match fields.get("@context") {
            Some(Value::Array(list)) => contexts.extend(list.iter().cloned()),
            Some(Value::Null) | None => {
                contexts.push(Value::String(corridor_epcis::EPCIS_CONTEXT_URL.into()));
            }
            Some(one) => contexts.push(one.clone()),
        }
        if let Some(id) = fields.get("eventID") {
            subject.insert("id".into(), id.clone());
        }
        for (name, value) in fields {
            if name != "@context" && name != "eventID" {
                subject.insert(name.clone(), value.clone());
            }
        }
    }
    contexts.dedup();
    let mut credential = Map::with_capacity(7);
    credential.insert("@context".into(), Value::Array(contexts));
    credential.insert(
        "type".into(),
        serde_json::json!(["VerifiableCredential", DIGITAL_TRACEABILITY_EVENT]),
    );
    credential.insert("issuer".into(), Value::String(issuer.to_owned()));
    credential.insert("validFrom".into(), Value::String(valid_from.to_owned()));
    credential.insert("credentialStatus".into(), status);
    credential.insert("credentialSubject".into(), Value::Object(subject));
    Value::Object(credential)
}

/// Signs each event of a batch alone, as a W3C credential ([`event_credential`]) with the
/// status entries from `first_status` on, on every core.
fn sign_alone(
    pending: &[Ready],
    w3c: &W3cIssuer,
    first_status: u64,
    created: &str,
    created_ms: u64,
) -> Result<Signed, CaptureError> {
    let mut mandatory: Vec<String> = TRACE_MANDATORY.iter().map(|p| (*p).to_owned()).collect();
    mandatory.extend(w3c.mandatory.iter().cloned());
    let issuer = corridor_verify::w3c::did_of(&w3c.method);
    let events = pending
        .par_iter()
        .enumerate()
        .map(|(n, ready)| {
            let status = corridor_verify::w3c::status_list_entry(
                &w3c.status_list,
                &w3c.status_purpose,
                first_status + n as u64,
                w3c.status_list_2021,
            );
            let credential = event_credential(&ready.event, issuer, created, status);
            let signed = corridor_verify::w3c::sign_credential(
                w3c.processor,
                w3c.key,
                &w3c.method,
                &credential,
                &mandatory,
                created_ms,
                rand::rng().random(),
            )
            .map_err(|problem| {
                CaptureError::Refused(vec![Refusal {
                    input: ready.label.clone(),
                    problem: format!("cannot be issued as a W3C credential: {problem}"),
                }])
            })?;
            let text = |value: &Value| {
                serde_json::to_string(value).map_err(|e| CaptureError::Issue(e.to_string()))
            };
            Ok(SignedEvent::new(
                ready.id.clone(),
                ready.time,
                text(&ready.event)?,
                text(&signed)?,
            )
            .recalling(ready.recalls.clone()))
        })
        .collect::<Result<_, CaptureError>>()?;
    Ok(Signed::Alone(events))
}

/// The credential its recorder signed over a recorded event, as JSON text: kept whole, or made
/// again from its parts, exactly as it was signed.
///
/// A credential made again whose data no longer digests to the target hash kept beside it
/// (its event, seed or issuer changed in the store), or whose target hash is not among its
/// batch's, is refused, never shown as signed.
pub fn credential_text(
    store: &corridor_ledger::Store,
    stored: &StoredEvent,
) -> Result<String, CaptureError> {
    let (frame, seed, target) = match &stored.credential {
        StoredCredential::Whole(text) => return Ok(text.clone()),
        StoredCredential::Parts {
            frame,
            seed,
            target,
        } => (frame, seed, target),
    };
    let unreadable = |what: &str, e: serde_json::Error| {
        CaptureError::Issue(format!("the store holds its {what} unreadable: {e}"))
    };
    let mut event: Value =
        serde_json::from_str(&stored.event).map_err(|e| unreadable("event", e))?;
    let issuer: Value = serde_json::from_str(&frame.issuer).map_err(|e| unreadable("issuer", e))?;
    let mut data = Vec::with_capacity(2048);
    let digested = with_credential_data(&issuer, &mut event, |credential| {
        salt_document_into(credential, &mut seed.salts(), &mut data)
    })
    .map_err(|e| CaptureError::Issue(e.to_string()))?;
    if digested != *target {
        return Err(CaptureError::Issue(format!(
            "its credential made again digests to {digested}, not to the target hash {target} it was signed with: the event was changed in the store (`corridor store audit` says where)"
        )));
    }
    // The merkle path follows from the batch's documents, kept once for every store.
    let tree = MerkleTree::new(store.batch_documents(&stored.issuer, &stored.root)?)
        .filter(|tree| tree.root() == stored.root);
    let Some(proof) = tree.and_then(|tree| tree.proof_of(target)) else {
        return Err(CaptureError::Issue(format!(
            "its target hash {target} is not among the documents of its batch {}: the store was changed (`corridor store audit` says where)",
            stored.root
        )));
    };
    let signature = MerkleSignature {
        target_hash: *target,
        proof,
        merkle_root: stored.root,
    };
    let mut credential = Vec::with_capacity(data.len() + 512);
    credential.extend_from_slice(format!("{{\"version\":\"{SCHEMA_V2}\",\"data\":").as_bytes());
    credential.extend_from_slice(&data);
    credential.extend_from_slice(b",\"signature\":");
    signature.write_json(&mut credential);
    credential.extend_from_slice(b",\"proof\":[");
    credential.extend_from_slice(frame.proof.as_bytes());
    credential.extend_from_slice(b"]}");
    String::from_utf8(credential).map_err(|e| CaptureError::Issue(e.to_string()))
}

/// `time` as RFC 3339 in UTC with milliseconds, as credentials' proofs carry it.
fn rfc3339_millis(time: std::time::SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}
