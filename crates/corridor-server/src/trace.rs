//! Traceability over HTTP: the answer a self-service checkout needs (`GET /api/trace/check`),
//! an item's provenance for machines (`GET /api/trace/provenance`), and a GS1-conformant
//! Digital Link resolver (`/01/{gtin}/…`, `/00/{sscc}`): a shopper's phone gets a small page,
//! `linkType=all` the linkset, a machine asking for JSON the check and the journey.
//!
//! The recorded events are read once into an index and kept up to date from the store: each
//! request asks where the records stand (one small query), and only what was recorded since is
//! read.

use corridor_ledger::StoreLocation;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant, SystemTime};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use corridor_epcis::{Epc, Event, Prefixes};
use corridor_trace::{Check, Registry, Trace};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, store_error};
use crate::store::StoreConnections;
use crate::work::off_the_async_threads;

/// The recorded events, indexed, and the reference data, as of a generation of the store; and
/// the checkout's answers given since, by code.
pub(crate) struct TraceIndex {
    loaded: RwLock<Loaded>,
    seen: Mutex<Option<Seen>>,
    answers: Mutex<HashMap<String, KeptAnswer>>,
}

/// A checkout's answer as kept: its fields written as JSON once, after the object's opening
/// brace, so that giving it again is one copy (a `Value` was cloned and written again each
/// time, at tens of thousands of requests a second).
type KeptAnswer = Arc<str>;

/// The most checkout answers kept; beyond, they are forgotten and worked out again.
const MOST_ANSWERS: usize = 100_000;

/// How long the store's files may look unchanged before its generation is asked anyway.
const TRUST_FILES_FOR: Duration = Duration::from_secs(1);

/// How long the files, once found unchanged, are taken to be so without looking: two `stat`s
/// were half the system calls of a checkout's answer, and another process's commit is still
/// seen within a millisecond of it, sooner than any scanner can tell. This server's own
/// changes are seen at once.
const LOOK_AGAIN_AFTER: Duration = Duration::from_millis(1);

/// The store's files as they were when its generation was last asked, when that was, and
/// when they were last found the same, with as many changes made by this server.
struct Seen {
    files: Option<FileStamp>,
    asked: Instant,
    looked: Instant,
    changes: u64,
}

/// The size and time of the store's file and its write-ahead log: every commit changes the
/// log (or, once checkpointed, the file), so while they look the same nothing was committed.
/// A store on PostgreSQL has none: another server's commit shows nowhere on this machine, so
/// its generation is asked each time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp(Vec<Option<(u64, SystemTime)>>);

impl FileStamp {
    fn of(location: &StoreLocation) -> Option<FileStamp> {
        let path = location.file()?;
        Some(FileStamp(
            ["", "-wal"]
                .iter()
                .map(|suffix| {
                    let mut file = path.as_os_str().to_owned();
                    file.push(suffix);
                    std::fs::metadata(&file)
                        .ok()
                        .and_then(|m| Some((m.len(), m.modified().ok()?)))
                })
                .collect(),
        ))
    }
}

#[derive(Default)]
pub(crate) struct Loaded {
    pub trace: Option<Trace>,
    pub registry: Registry,
    /// Each event's place in the record and when it was recorded, by eventID.
    pub recorded: HashMap<String, (i64, i64)>,
    generation: (i64, Vec<i64>),
}

impl TraceIndex {
    /// The answer given for `key` since the records last changed, if the store's files say
    /// they have not changed since: what most scans at a checkout ask, answered without
    /// leaving the async thread.
    fn answered(&self, store: &StoreConnections, key: &str) -> Option<KeptAnswer> {
        if !self.unchanged(store) {
            return None;
        }
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Whether nothing was committed to `store` since its generation was last asked, as far
    /// as this server's changes and the files tell (looked at again at most every
    /// [`LOOK_AGAIN_AFTER`]), and that was less than [`TRUST_FILES_FOR`] ago.
    fn unchanged(&self, store: &StoreConnections) -> bool {
        let now = Instant::now();
        let changes = store.changes();
        {
            let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            match seen.as_ref() {
                Some(seen)
                    if seen.changes == changes
                        && now.duration_since(seen.asked) < TRUST_FILES_FOR =>
                {
                    if now.duration_since(seen.looked) < LOOK_AGAIN_AFTER {
                        return true;
                    }
                }
                _ => return false,
            }
        }
        // Looked at outside the lock: the other requests need not wait for the file system.
        let files = FileStamp::of(store.location());
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        match seen.as_mut() {
            Some(seen)
                if files.is_some()
                    && seen.files == files
                    && seen.changes == changes
                    && now.duration_since(seen.asked) < TRUST_FILES_FOR =>
            {
                seen.looked = seen.looked.max(now);
                true
            }
            _ => false,
        }
    }

    pub(crate) fn new() -> TraceIndex {
        TraceIndex {
            loaded: RwLock::new(Loaded::default()),
            seen: Mutex::new(None),
            answers: Mutex::new(HashMap::new()),
        }
    }
}

/// Runs `answer` over the index brought up to date with the store. Blocks: call it off the
/// async threads.
fn with_trace<T>(
    state: &AppState,
    answer: impl FnOnce(&Trace, &Registry) -> T,
) -> Result<T, ApiError> {
    let loaded = loaded(state)?;
    Ok(answer(
        loaded.trace.as_ref().expect("loaded"),
        &loaded.registry,
    ))
}

/// The index brought up to date with the store. Blocks: call it off the async threads.
pub(crate) fn loaded(state: &AppState) -> Result<RwLockReadGuard<'_, Loaded>, ApiError> {
    let index = &state.trace;
    // Asking the store where it stands costs a query; its files say for free that nothing
    // was committed since it was last asked.
    if index.unchanged(&state.store) {
        let loaded = index.loaded.read().unwrap_or_else(|e| e.into_inner());
        if loaded.trace.is_some() {
            return Ok(loaded);
        }
    }
    // Stamped before asking: a commit after the stamp changes the files (or the count) from it.
    let changes = state.store.changes();
    let files = FileStamp::of(state.store.location());
    let asked = Instant::now();
    let generation = state
        .store
        .read(|store| store.trace_generation())
        .map_err(store_error)?;
    *index.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(Seen {
        files,
        asked,
        looked: asked,
        changes,
    });
    {
        let loaded = index.loaded.read().unwrap_or_else(|e| e.into_inner());
        if loaded.trace.is_some() && loaded.generation == generation {
            return Ok(loaded);
        }
    }
    let mut loaded = index.loaded.write().unwrap_or_else(|e| e.into_inner());
    if loaded.trace.is_none() || loaded.generation != generation {
        let since = if loaded.trace.is_some() {
            loaded.generation.0
        } else {
            0
        };
        let (rows, registry, withdrawn, linked) = state
            .store
            .read(|store| {
                let rows = store.events_after(since)?;
                let changed = loaded.generation.1 != generation.1 || loaded.trace.is_none();
                let registry = changed.then(|| reference(store)).transpose()?;
                let withdrawn = changed.then(|| store.revoked_events()).transpose()?;
                let linked = changed
                    .then(|| linked_documents(store, &state.verifier.make().0, state.offline))
                    .transpose()?;
                Ok((rows, registry, withdrawn, linked))
            })
            .map_err(store_error)?;
        let mut events = Vec::with_capacity(rows.len());
        let mut last = since;
        for row in rows {
            let corridor_ledger::RecordedEvent {
                seq,
                id,
                event: text,
                recorded,
                signer,
            } = row;
            let mut event = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|value| Event::read(&value, &Prefixes::default()).ok())
                .ok_or_else(|| {
                    ApiError::internal(
                        "reading the recorded events",
                        format!("event {id} cannot be read"),
                    )
                })?;
            event.signed_by = signer;
            events.push(event);
            loaded.recorded.insert(id, (seq, recorded));
            last = last.max(seq);
        }
        let trace = loaded.trace.get_or_insert_with(|| Trace::new(Vec::new()));
        trace.extend(events);
        if let Some(withdrawn) = withdrawn {
            trace.set_withdrawn(withdrawn);
        }
        if let Some(linked) = linked {
            trace.set_linked(linked);
        }
        if let Some(registry) = registry {
            loaded.registry =
                registry.map_err(|e| ApiError::internal("reading the reference data", e))?;
        }
        loaded.generation = (last.max(generation.0), generation.1);
        index
            .answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
    drop(loaded);
    Ok(index.loaded.read().unwrap_or_else(|e| e.into_inner()))
}

/// Verifies the documents events link to again, outside every lock, and keeps what it finds
/// if anything differs (forgetting the answers given); whether anything did. Nothing is done
/// before the records are first loaded, which verifies them.
pub(crate) fn recheck_linked(state: &AppState) -> Result<bool, ApiError> {
    let index = &state.trace;
    let unloaded = index
        .loaded
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .trace
        .is_none();
    if unloaded {
        return Ok(false);
    }
    let linked = state
        .store
        .read(|store| linked_documents(store, &state.verifier.make().0, state.offline))
        .map_err(store_error)?;
    let mut loaded = index.loaded.write().unwrap_or_else(|e| e.into_inner());
    let Some(trace) = loaded.trace.as_mut() else {
        return Ok(false);
    };
    if *trace.linked() == linked {
        return Ok(false);
    }
    trace.set_linked(linked);
    index
        .answers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
    Ok(true)
}

/// The store's reference data.
fn reference(
    store: &corridor_ledger::Store,
) -> Result<Result<Registry, corridor_trace::RegistryError>, corridor_ledger::StoreError> {
    use corridor_ledger::ReferenceKind as Kind;
    let text = |kind| store.reference(kind).map(Option::unwrap_or_default);
    Ok(Registry::from_json(
        &text(Kind::Parties)?,
        &text(Kind::Products)?,
        &text(Kind::Certificates)?,
    ))
}

/// Today, as the checks compare best-before dates with it.
fn today() -> String {
    humantime::format_rfc3339(std::time::SystemTime::now()).to_string()[..10].to_owned()
}

fn read_target(text: &str, what: &str) -> Result<Epc, ApiError> {
    Epc::read(text).map_err(|e| {
        ApiError::bad_request("invalid", format!("{what} is not a GS1 identifier: {e}"))
    })
}

#[derive(Deserialize)]
pub(crate) struct CheckQuery {
    link: Option<String>,
}

/// `GET /api/trace/check?link=…`: sell or do not sell, and why.
pub(crate) async fn check(
    State(state): State<AppState>,
    Query(query): Query<CheckQuery>,
) -> Result<Response, ApiError> {
    let link = query.link.ok_or_else(|| {
        ApiError::bad_request(
            "invalid",
            "give the scanned code as ?link= (a GS1 Digital Link or EPC URN)",
        )
    })?;
    let target = read_target(&link, "the link")?;
    // Answers hold until the records change (which clears them) or the day does; on a node
    // that follows others, whose recalls and freshness change apart from its own records,
    // they are worked out each time.
    let today = today();
    let key = format!("{today}|{target}");
    let following = state.verifier.replicas.is_some();
    let kept = (!following)
        .then(|| state.trace.answered(&state.store, &key))
        .flatten();
    let answer = match kept {
        Some(answer) => answer,
        None => {
            off_the_async_threads(move |_| {
                let index = state.trace.clone();
                with_trace(&state, |trace, registry| {
                    let answers = index.answers.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(answer) = answers.get(&key).filter(|_| !following) {
                        return Ok(answer.clone());
                    }
                    drop(answers);
                    let mut check = trace.check(&target, registry, &today);
                    peers_recalls(&state, trace, &target, &mut check)?;
                    let answer = json!({
                        "id": check.provenance.as_ref().map(|p| p.dl.clone()),
                        "decision": check.decision,
                        "reasons": check.reasons,
                        "bestBefore": check.best_before,
                    })
                    .to_string();
                    let answer: KeptAnswer = Arc::from(&answer[1..]);
                    if !following {
                        let mut answers = index.answers.lock().unwrap_or_else(|e| e.into_inner());
                        if answers.len() >= MOST_ANSWERS {
                            answers.clear();
                        }
                        answers.insert(key, answer.clone());
                    }
                    Ok(answer)
                })?
            })
            .await?
        }
    };
    // The link first, then the kept fields and the closing brace.
    let link = Value::String(link).to_string();
    let mut body = String::with_capacity(link.len() + answer.len() + 10);
    body.push_str("{\"link\":");
    body.push_str(&link);
    body.push(',');
    body.push_str(&answer);
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct ProvenanceQuery {
    target: Option<String>,
}

/// `GET /api/trace/provenance?target=…`: the provenance, as `corridor trace provenance --json`.
pub(crate) async fn provenance(
    State(state): State<AppState>,
    Query(query): Query<ProvenanceQuery>,
) -> Result<Response, ApiError> {
    let (text, target) = query.target()?;
    let found = off_the_async_threads(move |_| {
        with_trace(&state, |trace, registry| {
            trace.provenance(&target, registry)
        })
    })
    .await?;
    found
        .map(|provenance| Json(provenance).into_response())
        .ok_or_else(|| unknown_target(&text))
}

impl ProvenanceQuery {
    /// The target asked about, as written and as read.
    fn target(self) -> Result<(String, Epc), ApiError> {
        let text = self.target.ok_or_else(|| {
            ApiError::bad_request("invalid", "give the item, lot or logistic unit as ?target=")
        })?;
        let target = read_target(&text, "the target")?;
        Ok((text, target))
    }
}

/// The answer about a target no recorded event names.
fn unknown_target(text: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown",
        format!("no recorded event names {text}"),
    )
}

/// `GET /api/trace/graph?target=…`: a lot's (or unit's, or item's) place in the chain, for
/// an operator: its provenance, what it came from, and what it went into.
pub(crate) async fn graph(
    State(state): State<AppState>,
    Query(query): Query<ProvenanceQuery>,
) -> Result<Response, ApiError> {
    let (text, target) = query.target()?;
    let found = off_the_async_threads(move |_| {
        with_trace(&state, |trace, registry| {
            let provenance = trace.provenance(&target, registry)?;
            let upstream: Vec<String> =
                trace.upstream(&target).iter().map(Epc::to_string).collect();
            let forward = trace.forward(&[&target]);
            Some(json!({
                "target": provenance.dl,
                "provenance": provenance,
                "upstream": upstream,
                "downstream": forward,
            }))
        })
    })
    .await?;
    found
        .map(|graph| Json(graph).into_response())
        .ok_or_else(|| unknown_target(&text))
}

#[derive(Deserialize)]
pub(crate) struct ResolverQuery {
    #[serde(rename = "linkType")]
    link_type: Option<String>,
}

/// What a resolver answers for one identifier: the check, the product, and the journey.
struct Resolved {
    id: Epc,
    check: Check,
    product: Option<String>,
    journey: Vec<Value>,
}

/// The Digital Link resolver: `/01/{gtin}[/10/{lot}][/21/{serial}]`, `/00/{sscc}`.
pub(crate) async fn resolve(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    Query(query): Query<ResolverQuery>,
) -> Result<Response, ApiError> {
    let path = uri.path().to_owned();
    let target = read_target(&format!("https://id.gs1.org{path}"), "the Digital Link")?;
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let wants_linkset =
        query.link_type.as_deref() == Some("all") || accept.contains("application/linkset+json");
    let resolved = {
        let target = target.clone();
        off_the_async_threads(move |_| {
            with_trace(&state, |trace, registry| {
                let mut resolved = resolved(trace, registry, target);
                peers_recalls(&state, trace, &resolved.id, &mut resolved.check)?;
                Ok::<_, ApiError>(resolved)
            })?
        })
        .await?
    };
    if wants_linkset {
        let anchor = resolved.id.to_string();
        let body = json!({"linkset": [{
            "anchor": anchor,
            "https://gs1.org/voc/defaultLink": [{"href": path, "title": "Where it came from, and whether it is fine to buy", "type": "text/html"}],
            "https://gs1.org/voc/pip": [{"href": path, "title": resolved.product.clone().unwrap_or_else(|| "Product information".into()), "type": "text/html"}],
            "https://gs1.org/voc/traceability": [{"href": format!("/api/trace/provenance?target={}", urlencode(&anchor)), "title": "Provenance", "type": "application/json"}],
        }]});
        return Ok((
            [(header::CONTENT_TYPE, "application/linkset+json")],
            body.to_string(),
        )
            .into_response());
    }
    if accept.contains("application/json") && !accept.contains("text/html") {
        return Ok(Json(json!({
            "id": resolved.id.to_string(),
            "product": resolved.product,
            "decision": resolved.check.decision,
            "reasons": resolved.check.reasons,
            "bestBefore": resolved.check.best_before,
            "origins": resolved.check.provenance.as_ref().map(|p| &p.origins),
            "journey": resolved.journey,
        }))
        .into_response());
    }
    Ok(crate::shopper::page(
        &resolved.id.to_string(),
        resolved.product.as_deref(),
        &resolved.check,
        &resolved.journey,
    ))
}

/// Adds to `check` the recalls the peers followed published of anything `target` came from,
/// and, for a peer whose replica is too old, that whether it recalled any could not be
/// confirmed: a node in one region answers for products made from another's lots.
fn peers_recalls(
    state: &AppState,
    trace: &Trace,
    target: &Epc,
    check: &mut Check,
) -> Result<(), ApiError> {
    let Some(replicas) = &state.verifier.replicas else {
        return Ok(());
    };
    let objects = trace.provenance_objects(target);
    let reasons = replicas
        .recalls_reaching(&objects, crate::now_ms() as i64)
        .map_err(store_error)?;
    for (code, message) in reasons {
        check.refuse(code, message);
    }
    Ok(())
}

fn resolved(trace: &Trace, registry: &Registry, target: Epc) -> Resolved {
    let check = trace.check(&target, registry, &today());
    let product = target
        .gs1()
        .and_then(corridor_gs1::Identifier::gtin)
        .and_then(|gtin| registry.product(&gtin))
        .map(|p| p.name.clone());
    let place = |gln: Option<corridor_gs1::Gln>| -> (Option<String>, Option<String>) {
        let owner = gln.and_then(|g| registry.owner_of(&g));
        let site = gln.and_then(|g| {
            owner
                .and_then(|o| o.locations.iter().find(|l| l.gln == g.to_string()))
                .map(|l| l.name.clone())
        });
        (
            site.filter(|s| !s.is_empty()),
            owner.map(|o| o.name.clone()),
        )
    };
    let journey = trace
        .journey(&target)
        .into_iter()
        .map(|event| {
            let (site, party) = place(event.site());
            json!({
                "time": corridor_js::to_iso_string(event.time),
                "step": event.biz_step,
                "site": event.site().map(|g| g.to_string()),
                "siteName": site,
                "party": party,
                "event": event.id,
            })
        })
        .collect();
    Resolved {
        id: target,
        check,
        product,
        journey,
    }
}

/// A query parameter's value, percent-encoded.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The documents events link to, kept in the store's reference data, each verified by
/// `verifier` (deciding offline as `corridor verify --offline` does) and, for one this store
/// issued, not revoked here; by the URIs events link to them by.
pub fn linked_documents(
    store: &corridor_ledger::Store,
    verifier: &corridor_verify::Verifier,
    offline: bool,
) -> Result<HashMap<String, corridor_trace::Linked>, corridor_ledger::StoreError> {
    let Some(body) = store.reference(corridor_ledger::ReferenceKind::Documents)? else {
        return Ok(HashMap::new());
    };
    Ok(corridor_trace::linked_documents(&body, |document| {
        if let Some(revoked) = revoked_here(store, document) {
            return Err(revoked);
        }
        let verdict = verifier.verify_bytes(&serde_json::to_vec(document).unwrap_or_default());
        let valid = if offline {
            verdict.is_valid_offline()
        } else {
            verdict.is_valid()
        };
        if valid {
            return Ok(());
        }
        Err(verdict
            .failure()
            .unwrap_or_else(|| "its issuer's identity or status could not be confirmed".into()))
    }))
}

/// Why an OpenAttestation document this store issued is revoked here (its target hash or its
/// batch's root), if it is.
fn revoked_here(store: &corridor_ledger::Store, document: &Value) -> Option<String> {
    ["/signature/targetHash", "/signature/merkleRoot"]
        .iter()
        .filter_map(|at| document.pointer(at)?.as_str()?.parse().ok())
        .find_map(|hash| {
            let statuses = store.status(&hash).ok()?;
            let revoked = statuses.into_iter().find_map(|s| s.revoked)?;
            Some(if revoked.note.is_empty() {
                format!("revoked by {}", revoked.issuer)
            } else {
                format!("revoked by {}: {}", revoked.issuer, revoked.note)
            })
        })
}
