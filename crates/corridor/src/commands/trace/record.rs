//! `corridor trace record`: EPCIS 2.0 events in (EPCISDocuments, single events, JSON Lines of
//! either), captured by `corridor-capture`: each checked against GS1's schema, given its CBV
//! 2.0 event hash ID, issued as a credential signed by its recorder's key (OpenAttestation v2
//! in batches, or, with `--suite`, a W3C VC 2.0 Digital Traceability Event each), and kept in
//! the store. The whole run is one transaction: every event is recorded, or, on any refusal,
//! none.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
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
    /// it, and verifiers look the key up there. Not for --suite, whose issuer is a did:web DID.
    #[arg(
        long,
        value_name = "DOMAIN",
        required_unless_present = "suite",
        conflicts_with = "suite"
    )]
    domain: Option<String>,
    #[command(flatten)]
    w3c: W3cEventArgs,
    /// The recording party's GLN (as `urn:epc:id:pgln:…`, `https://id.gs1.org/417/…` or 13
    /// digits). Events that name another party in `corridor:recordedBy` are refused: a party
    /// signs only what it observed; events that name none are given this one.
    #[arg(long, value_name = "PGLN", value_parser = parse_party)]
    party: Option<Gln>,
    /// The recorder's name as credentials show it. Default: the party's name in the store's
    /// reference data, else the domain. Not for --suite: TrustVC's verifiers require a W3C
    /// credential's issuer to be its DID alone.
    #[arg(long, value_name = "TEXT", conflicts_with = "suite")]
    name: Option<String>,
    /// Where `corridor serve` answers revocation questions for this store (credentials name
    /// its `/ocsp/KEY`). Not for --suite, whose credentials are withdrawn on a status list.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    responder: String,
}

/// Events issued as W3C credentials.
#[derive(clap::Args)]
pub struct W3cEventArgs {
    /// Issue each event as a W3C VC 2.0 credential of its own, signed with this selective
    /// disclosure suite (`ecdsa-sd-2023` with a P-256 key, `bbs-2023` with a BLS12-381 key;
    /// see `corridor key new --type`), instead of OpenAttestation v2 documents in batches.
    /// Each is in the shape of UN/CEFACT's Digital Traceability Event: type
    /// VerifiableCredential and DigitalTraceabilityEvent, the recorder's did:web DID as issuer,
    /// the event (in GS1's EPCIS 2.0 vocabulary) as its subject, and an entry of
    /// --status-list. Its proof always discloses the issuer, validFrom, the status entry, the
    /// event's ID, type and time; a holder may pass on a copy with only some of the rest
    /// (`corridor derive`).
    #[arg(long, value_enum, value_name = "SUITE")]
    suite: Option<crate::commands::credential::SuiteArg>,
    /// The key's verification method in the recorder's DID document
    /// (did:web:farm.example#keys-1; see `corridor did document`): the credentials' issuer
    /// is its DID.
    #[arg(long, value_name = "DID_URL", requires = "suite")]
    verification_method: Option<String>,
    /// The store's status list (see `corridor status-list new`) that gives each event's
    /// credential its entry, by which it is withdrawn (`corridor status-list revoke`, or
    /// `corridor revoke` on the credential). Required with --suite.
    #[arg(long, value_name = "URL", requires = "suite")]
    status_list: Option<String>,
    /// A JSON pointer the proofs always disclose besides those above
    /// (/credentialSubject/bizStep); repeat for several.
    #[arg(long = "mandatory", value_name = "POINTER", requires = "suite")]
    mandatory: Vec<String>,
    /// A folder answering for the network: contexts the events name that Corridor does not
    /// bundle (GS1's EPCIS 2.0 context is bundled) are read from it.
    #[arg(long = "contexts-world", value_name = "DIR", requires = "suite")]
    world: Option<PathBuf>,
    /// Fetch from the network the contexts neither bundled nor in --contexts-world.
    #[arg(long, requires = "suite")]
    fetch_contexts: bool,
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
    issuance: Issuance,
    /// The issuer name the store records the batches under.
    issuer: String,
    /// The DID the credentials' issuer is.
    did: String,
    pub party: Option<Gln>,
}

/// How the events' credentials are issued (each kind's keys boxed, as they differ in size).
enum Issuance {
    OpenAttestation {
        signer: Box<corridor_format::did::DidSigner>,
        issuer_block: Value,
    },
    W3c(Box<W3cKey>),
}

/// What a W3C recorder signs with.
struct W3cKey {
    key: corridor_di::IssuerSigningKey,
    method: String,
    processor: corridor_jsonld::Processor,
    status_list: corridor_ledger::StatusListRecord,
    mandatory: Vec<String>,
}

impl Recorder {
    pub fn new(
        home: &Home,
        store: &corridor_ledger::Store,
        args: &RecorderArgs,
    ) -> Result<Recorder> {
        if let Some(suite) = args.w3c.suite {
            return Recorder::w3c(home, store, args, suite);
        }
        let domain = args
            .domain
            .as_deref()
            .ok_or_else(|| anyhow!("give --domain DOMAIN, whose TXT record vouches for the key"))?;
        let signer = args.signer.signer(&home.keyring()?)?;
        let issuer = args.signer.issuer_name(&signer);
        let did = signer.did();
        let issuer_block = json!({
            "id": did,
            "name": args.name.clone().unwrap_or_else(|| {
                args.party
                    .and_then(|gln| party_name(store, &gln))
                    .unwrap_or_else(|| domain.to_owned())
            }),
            "revocation": {"type": "OCSP_RESPONDER",
                           "location": format!("{}/ocsp/{issuer}", args.responder.trim_end_matches('/'))},
            "identityProof": {"type": "DNS-DID", "location": domain, "key": format!("{did}#controller")},
        });
        Ok(Recorder {
            issuance: Issuance::OpenAttestation {
                signer: Box::new(signer),
                issuer_block,
            },
            issuer,
            did,
            party: args.party,
        })
    }

    fn w3c(
        home: &Home,
        store: &corridor_ledger::Store,
        args: &RecorderArgs,
        suite: crate::commands::credential::SuiteArg,
    ) -> Result<Recorder> {
        let w3c = &args.w3c;
        let Some(url) = &w3c.status_list else {
            bail!(
                "--suite needs --status-list URL: the store's status list whose entries withdraw the events' credentials (make one with `corridor status-list new`)"
            );
        };
        let (key, method) = crate::commands::credential::multikey_signer(
            home,
            &args.signer,
            suite.suite(),
            w3c.verification_method.as_deref(),
        )?;
        let status_list = store.status_list(url)?.ok_or_else(|| {
            anyhow!("--status-list {url}: no such list in the store (make one with `corridor status-list new`)")
        })?;
        let did = corridor_verify::w3c::did_of(&method).to_owned();
        Ok(Recorder {
            issuance: Issuance::W3c(Box::new(W3cKey {
                key,
                method,
                processor: crate::commands::credential::processor(
                    w3c.world.as_deref(),
                    w3c.fetch_contexts,
                )?,
                status_list,
                mandatory: w3c.mandatory.clone(),
            })),
            // The keyring's name of the key, which --suite requires.
            issuer: args.signer.key.clone().unwrap_or_else(|| did.clone()),
            did,
            party: args.party,
        })
    }

    /// Who signs, as the summary says it.
    pub fn named(&self) -> String {
        if self.issuer == self.did {
            self.did.clone()
        } else {
            format!("{} ({})", self.issuer, self.did)
        }
    }

    /// Records the documents `feed` gives (an EPCISDocument or an event, as JSON, each with a
    /// label for messages), all or nothing.
    pub fn record(
        &self,
        store: &mut corridor_ledger::Store,
        feed: impl FnOnce(&mut dyn FnMut(String, Vec<u8>) -> Result<()>) -> Result<()> + Send,
    ) -> Result<Recorded> {
        let now = std::time::SystemTime::now();
        let capture = match &self.issuance {
            Issuance::OpenAttestation {
                signer,
                issuer_block,
            } => corridor_capture::Recorder::new(
                signer,
                self.issuer.clone(),
                issuer_block.clone(),
                self.party,
                now,
            ),
            Issuance::W3c(w3c) => corridor_capture::Recorder::w3c(
                corridor_capture::W3cIssuer {
                    processor: &w3c.processor,
                    key: &w3c.key,
                    method: w3c.method.clone(),
                    status_list: w3c.status_list.url.clone(),
                    status_purpose: w3c.status_list.purpose.name().to_owned(),
                    status_list_2021: crate::commands::credential::is_status_list_2021(
                        &w3c.status_list,
                    ),
                    mandatory: w3c.mandatory.clone(),
                },
                self.issuer.clone(),
                self.party,
                now,
            ),
        };
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
