//! Company profiles for partners, under `/api/companies`: a partner's look-ups by identifier or
//! name, one company, and the feed of profiles issued since a cursor that a mirroring partner
//! pulls. Each answer is a selectively disclosed copy of the provider's own credential,
//! revealing only what the disclosure policy allows, and each disclosure (and refusal of one
//! company) is recorded in the audit log before it is sent.
//!
//! A partner is an API token with the `companies` scope, naming the policies it may receive
//! profiles under: a request names one of them (`policy=`, which may be left out when the
//! token has one), and the legal basis it is made under (`basis=KIND:REFERENCE`).
//!
//! Two things keep a look-up to well under a millisecond of work. A disclosure depends only
//! on the credential, the policy (and its version) and the standing of the basis (accepted,
//! missing, of a kind not accepted), so each is made once and its answer reused
//! ([`Companies`]); an ecdsa-sd-2023 copy comes out the same every time, and a bbs-2023 copy,
//! randomised to be unlinkable, is reused as it is. And the records of what crossed are
//! written by one task that gathers the disclosures of every request waiting into one
//! transaction: the store syncs to disk once for them all, and each request is answered once
//! its disclosure is on disk.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use corridor_company::policy::{Basis, OnMissing, Policy};
use corridor_company::{name_key, normalise};
use corridor_jsonld::{BundledContexts, Processor};
use corridor_ledger::{Disclosed, Scope, Shape, token_digest};
use rayon::iter::{IntoParallelIterator, ParallelIterator};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::AppState;
use crate::error::{ApiError, PathParams, QueryParams, live_token_found, reading, store_error};
use crate::store::StoreConnections;
use crate::work::Ticket;

/// The most profiles one page of the feed gives, and what it gives unless asked for fewer.
pub const MAX_PAGE: usize = 100;

/// The most companies one look-up discloses (a common name may find more: narrow it).
pub const MAX_FOUND: usize = 20;

/// Expands profile credentials to derive copies: their contexts are bundled or inside them.
static PROCESSOR: LazyLock<Processor> = LazyLock::new(|| Processor::new(BundledContexts));

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/companies", get(look_up))
        .route("/api/companies/changes", get(changes))
        .route("/api/companies/{id}", get(one))
}

/// A request with an API token holding the companies scope: the partner's name and the
/// policies it receives profiles under.
pub struct Partner {
    name: String,
    policies: std::collections::BTreeSet<String>,
}

impl FromRequestParts<AppState> for Partner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let live = live_token_found(
            parts,
            Scope::Companies,
            "company profiles are for partners",
            |token| {
                state.companies.read_through(
                    &state.store,
                    Kept::tokens,
                    token_digest(token),
                    |store| store.api_token(token),
                )
            },
        )?;
        Ok(Partner {
            name: live.name,
            policies: live.scopes.companies.unwrap_or_default(),
        })
    }
}

/// What every request says: the policy, and the legal basis.
#[derive(Deserialize)]
pub struct Terms {
    policy: Option<String>,
    basis: Option<String>,
}

#[derive(Deserialize)]
pub struct LookUp {
    /// Anything: an id, an identifier, a name.
    q: Option<String>,
    uen: Option<String>,
    uscc: Option<String>,
    lei: Option<String>,
    name: Option<String>,
    #[serde(flatten)]
    terms: Terms,
}

#[derive(Deserialize)]
pub struct Feed {
    /// The `next` of the page before; 0 (or left out) for the first.
    #[serde(default)]
    after: i64,
    limit: Option<usize>,
    #[serde(flatten)]
    terms: Terms,
}

/// The policy and basis a request is made under, checked against its token.
struct Under {
    policy: Arc<Policy>,
    /// The version kept, which a prepared disclosure is for.
    version: i64,
    basis: Option<Basis>,
}

impl Under {
    fn of(state: &AppState, partner: &Partner, terms: &Terms) -> Result<Under, ApiError> {
        let id = match (&terms.policy, partner.policies.len()) {
            (Some(id), _) => id.clone(),
            (None, 1) => partner.policies.iter().next().cloned().unwrap_or_default(),
            (None, _) => {
                return Err(ApiError::bad_request(
                    "policy_required",
                    format!(
                        "name the disclosure policy with `policy=`: one of {}",
                        list(&partner.policies)
                    ),
                ));
            }
        };
        if !partner.policies.contains(&id) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "policy_not_allowed",
                format!(
                    "API token {:?} receives profiles under {} only, not {id:?}",
                    partner.name,
                    list(&partner.policies)
                ),
            ));
        }
        let kept =
            state
                .companies
                .read_through(&state.store, Kept::policies, id.clone(), |store| {
                    store.policy(&id)?.map(read_policy).transpose()
                })?;
        let (version, policy) = kept.ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "policy_not_kept",
                format!(
                    "the policy {id:?} is not kept on this node (`corridor company policy add`)"
                ),
            )
        })?;
        let basis = terms
            .basis
            .as_deref()
            .map(|text| {
                Basis::parse(text).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_basis",
                        "give the legal basis as `basis=KIND:REFERENCE` (consent:C-2026-0042)",
                    )
                })
            })
            .transpose()?;
        Ok(Under {
            policy,
            version,
            basis,
        })
    }

    /// The basis's standing under the policy: all a disclosure's judgement depends on of it.
    fn standing(&self) -> Standing {
        match &self.basis {
            basis if self.policy.accepts(basis.as_ref()) => Standing::Accepted,
            Some(_) => Standing::NotAccepted,
            None => Standing::Missing,
        }
    }

    /// The basis as the record of what crossed writes it.
    fn basis_json(&self) -> Value {
        json!(
            self.basis
                .as_ref()
                .map(|b| json!({"kind": b.kind, "reference": b.reference}))
        )
    }

    /// The refusal of the whole request, when the policy refuses without an accepted basis.
    fn refusal(&self) -> Option<&'static str> {
        (!self.policy.accepts(self.basis.as_ref()) && self.policy.on_missing == OnMissing::Refuse)
            .then(|| {
                if self.basis.is_some() {
                    "basis-not-accepted"
                } else {
                    "basis-missing"
                }
            })
    }
}

fn list(ids: &std::collections::BTreeSet<String>) -> String {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    ids.join(", ")
}

/// A company found: its id, and its credential's place in the order kept.
struct Found {
    id: String,
    seq: i64,
}

/// How a request's basis stands under its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Standing {
    Accepted,
    Missing,
    NotAccepted,
}

/// What a prepared disclosure is for: the company, its credential (by place), the policy and
/// its version, the basis's standing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    company: String,
    seq: i64,
    policy: String,
    version: i64,
    standing: Standing,
}

/// A disclosure made once, for every request that asks the same.
struct Prepared {
    /// The company's answer: `{"company", "outcome", "refusal_reason", "disclose", "withhold",
    /// "credential"}`, as JSON text, sent as it is.
    answer: Bytes,
    /// Where the company's id ends in it, for the feed to add the place after.
    company_end: usize,
    refused: bool,
    shape: Shape,
}

/// A policy as kept: its version, and the policy read from its text.
type KeptPolicy = (i64, Arc<Policy>);

/// Reads a policy as the store keeps it; one that does not read was edited outside Corridor.
fn read_policy(
    kept: corridor_ledger::StoredPolicy,
) -> Result<KeptPolicy, corridor_ledger::StoreError> {
    let policy = Policy::from_toml(&kept.text).map_err(|e| {
        corridor_ledger::StoreError::Corrupt(format!("the kept policy {:?}: {e}", kept.id))
    })?;
    Ok((kept.version, Arc::new(policy)))
}

/// The companies a query found: each one's id, jurisdiction and credential's place.
type FoundCompanies = Arc<[(String, String, i64)]>;

/// What a look-up read from the store (a token, a policy, the companies a query finds), kept
/// while the store's look-up generation stands: most look-ups then read nothing but the
/// generation, and that at most every [`LOOK_AGAIN_AFTER`].
#[derive(Default)]
struct Kept {
    /// The generation, and when it was asked.
    generation: Option<(i64, Instant)>,
    /// Live tokens (or none) by their SHA-256.
    tokens: HashMap<[u8; 32], Option<corridor_ledger::LiveToken>>,
    /// Policies kept (or none), by id: the version and the policy as read.
    policies: HashMap<String, Option<KeptPolicy>>,
    /// By (kind, text) asked: each company's id, jurisdiction and credential's place.
    found: HashMap<(String, String), FoundCompanies>,
}

impl Kept {
    fn tokens(&mut self) -> &mut HashMap<[u8; 32], Option<corridor_ledger::LiveToken>> {
        &mut self.tokens
    }

    fn policies(&mut self) -> &mut HashMap<String, Option<KeptPolicy>> {
        &mut self.policies
    }

    fn found(&mut self) -> &mut HashMap<(String, String), FoundCompanies> {
        &mut self.found
    }
}

/// How long the look-up generation, once asked, is taken to stand: a token revoked, a policy
/// or a credential kept by another process is seen within it. This server's recording of
/// disclosures does not move it.
const LOOK_AGAIN_AFTER: Duration = Duration::from_millis(1);

/// The most reads of each kind kept; past it, they are forgotten and read again as asked.
const MOST_KEPT: usize = 65_536;

/// The bytes of disclosures kept prepared; past it, half are forgotten (any half) and made
/// again as asked. The twenty thousand profiles a partner mirrors of a provider fit (about 15
/// KB each); a million do not.
const PREPARED_BYTES: usize = 768 << 20;

/// The disclosures kept prepared, and about how many bytes they hold.
#[derive(Default)]
struct PreparedKept {
    all: HashMap<Key, Arc<Prepared>>,
    bytes: usize,
}

/// About how many bytes a prepared disclosure kept under `key` holds.
fn held(key: &Key, prepared: &Prepared) -> usize {
    key.company.len() + key.policy.len() + prepared.answer.len() + prepared.shape.size() + 64
}

/// A request's disclosures, waiting to be recorded, and where to say they are.
struct Pending {
    disclosures: Vec<(Arc<Prepared>, String)>,
    partner: String,
    basis: Value,
    done: tokio::sync::oneshot::Sender<Result<(), ApiError>>,
}

/// The most requests whose disclosures one transaction of the recorder writes.
const MOST_RECORDED_AT_ONCE: usize = 512;

/// The company profiles a server discloses: disclosures prepared, and the recorder of what
/// crossed.
pub(crate) struct Companies {
    prepared: Mutex<PreparedKept>,
    kept: Mutex<Kept>,
    store: Arc<StoreConnections>,
    /// Started by the first disclosure on the runtime it came on, and again if that runtime
    /// is gone (a router can outlive the runtime it first served on).
    recorder: Mutex<Option<mpsc::UnboundedSender<Pending>>>,
}

impl Companies {
    /// The disclosures of `store`, recorded there.
    pub(crate) fn new(store: Arc<StoreConnections>) -> Companies {
        Companies {
            prepared: Mutex::new(PreparedKept::default()),
            kept: Mutex::new(Kept::default()),
            store,
            recorder: Mutex::new(None),
        }
    }

    /// Gives `pending` to the recorder, started if it is not running.
    fn record(&self, pending: Pending) -> Result<(), ApiError> {
        let mut recorder = self.recorder.lock().unwrap_or_else(PoisonError::into_inner);
        let running = recorder.as_ref().filter(|send| !send.is_closed());
        let send = match running {
            Some(send) => send,
            None => {
                let (send, waiting) = mpsc::unbounded_channel();
                tokio::spawn(record_what_crossed(Arc::clone(&self.store), waiting));
                recorder.insert(send)
            }
        };
        send.send(pending)
            .map_err(|e| ApiError::internal("recording a disclosure", e))
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store's look-up generation, asked again when it was last asked
    /// [`LOOK_AGAIN_AFTER`] ago; what was kept of another generation is forgotten.
    fn generation(&self, store: &StoreConnections) -> Result<i64, ApiError> {
        let asked = Instant::now();
        if let Some((generation, when)) = self.kept().generation
            && asked.duration_since(when) < LOOK_AGAIN_AFTER
        {
            return Ok(generation);
        }
        let generation = store
            .read(|store| store.look_up_generation())
            .map_err(store_error)?;
        let mut kept = self.kept();
        match kept.generation {
            // Another request asked later, and kept its answer.
            Some((_, when)) if when > asked => {}
            Some((known, _)) if known == generation => kept.generation = Some((generation, asked)),
            _ => {
                *kept = Kept {
                    generation: Some((generation, asked)),
                    ..Kept::default()
                };
            }
        }
        Ok(generation)
    }

    /// The value kept under `key` in the map `of` selects, or else `read` from the store and
    /// kept, if the generation it was read in still stands.
    fn read_through<K: std::hash::Hash + Eq, V: Clone>(
        &self,
        store: &StoreConnections,
        of: fn(&mut Kept) -> &mut HashMap<K, V>,
        key: K,
        read: impl FnOnce(&corridor_ledger::Store) -> Result<V, corridor_ledger::StoreError>,
    ) -> Result<V, ApiError> {
        let generation = self.generation(store)?;
        if let Some(value) = of(&mut self.kept()).get(&key) {
            return Ok(value.clone());
        }
        let value = store.read(read).map_err(store_error)?;
        let mut kept = self.kept();
        // Read after the generation was asked, it is at least as new: kept unless the
        // generation moved meanwhile.
        if kept.generation.map(|(g, _)| g) == Some(generation) {
            let map = of(&mut kept);
            if map.len() >= MOST_KEPT {
                map.clear();
            }
            map.insert(key, value.clone());
        }
        Ok(value)
    }

    fn prepared(&self, key: &Key) -> Option<Arc<Prepared>> {
        let prepared = self.prepared.lock().unwrap_or_else(PoisonError::into_inner);
        prepared.all.get(key).cloned()
    }

    fn keep(&self, key: Key, prepared: Arc<Prepared>) {
        self.prepared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keep(key, prepared, PREPARED_BYTES);
    }
}

impl PreparedKept {
    /// Keeps `prepared` under `key`, forgetting half of the others first if it would take the
    /// bytes held past `budget`.
    fn keep(&mut self, key: Key, prepared: Arc<Prepared>, budget: usize) {
        let size = held(&key, &prepared);
        if self.bytes + size > budget {
            let mut every_other = false;
            let mut freed = 0;
            self.all.retain(|key, prepared| {
                every_other = !every_other;
                if every_other {
                    freed += held(key, prepared);
                }
                !every_other
            });
            self.bytes -= freed;
        }
        if let Some(before) = self.all.insert(key.clone(), prepared) {
            self.bytes -= held(&key, &before);
        }
        self.bytes += size;
    }
}

/// Writes what waits to be recorded, all that waits in one transaction on a blocking thread,
/// until the server stops. The requests hand their disclosures to this task and are woken by
/// it, on the runtime's own threads: a batch, not each request, crosses to another thread.
async fn record_what_crossed(
    store: Arc<StoreConnections>,
    mut waiting: mpsc::UnboundedReceiver<Pending>,
) {
    let mut batch = Vec::new();
    while waiting.recv_many(&mut batch, MOST_RECORDED_AT_ONCE).await > 0 {
        let store = Arc::clone(&store);
        let taken = std::mem::take(&mut batch);
        let written = tokio::task::spawn_blocking(move || {
            let all: Vec<Disclosed> = taken
                .iter()
                .flat_map(|pending| {
                    pending
                        .disclosures
                        .iter()
                        .map(|(prepared, company)| Disclosed {
                            shape: &prepared.shape,
                            partner: &pending.partner,
                            company,
                            basis: &pending.basis,
                        })
                })
                .collect();
            let written = store
                .write(|store| store.record_disclosures(&all))
                .map_err(store_error);
            drop(all);
            (taken, written)
        })
        .await;
        let Ok((taken, written)) = written else {
            // The write panicked: its requests' senders are gone, and they answer so.
            continue;
        };
        for pending in taken {
            let result = match &written {
                Ok(_) => Ok(()),
                Err(e) => Err(ApiError::new(e.status, e.code, e.message.clone())),
            };
            // A request gone (timed out) is not told.
            pending.done.send(result).ok();
        }
    }
}

/// Discloses each of `found` under `under` (prepared once, on a worker, for what was not
/// prepared before), records every disclosure (and refusal) for `partner`, and gives each
/// company's answer once its record is on disk.
async fn disclose_all(
    state: &AppState,
    partner: &Partner,
    under: Under,
    found: Vec<Found>,
) -> Result<Vec<(String, i64, Arc<Prepared>)>, ApiError> {
    let key = |f: &Found| Key {
        company: f.id.clone(),
        seq: f.seq,
        policy: under.policy.id.clone(),
        version: under.version,
        standing: under.standing(),
    };
    let mut answers: Vec<Option<Arc<Prepared>>> = found
        .iter()
        .map(|f| state.companies.prepared(&key(f)))
        .collect();
    let missing: Vec<(usize, Key)> = found
        .iter()
        .zip(&answers)
        .enumerate()
        .filter(|(_, (_, prepared))| prepared.is_none())
        .map(|(i, (f, _))| (i, key(f)))
        .collect();
    let under = Arc::new(under);
    if !missing.is_empty() {
        let (working, keys) = (Arc::clone(&under), missing.clone());
        let store = Arc::clone(&state.store);
        // Only what was not prepared is heavy: a place in line for that alone, and every
        // idle worker on it (a page of the feed is a hundred companies).
        let made = Ticket::take(state)?
            .run(move |cancel| {
                keys.into_par_iter()
                    .map(|(_, key)| {
                        cancel.check()?;
                        prepare(&store, &working, &key)
                    })
                    .collect::<Result<Vec<_>, ApiError>>()
            })
            .await?;
        for ((i, key), prepared) in missing.into_iter().zip(made) {
            let prepared = Arc::new(prepared);
            state.companies.keep(key, Arc::clone(&prepared));
            answers[i] = Some(prepared);
        }
    }
    let answers: Vec<(String, i64, Arc<Prepared>)> = found
        .into_iter()
        .zip(answers)
        .filter_map(|(f, prepared)| prepared.map(|p| (f.id, f.seq, p)))
        .collect();
    if answers.is_empty() {
        return Ok(answers);
    }
    // Recorded before anything is sent: nothing leaves unrecorded.
    let (done, recorded) = tokio::sync::oneshot::channel();
    let pending = Pending {
        disclosures: answers
            .iter()
            .map(|(id, _, prepared)| (Arc::clone(prepared), id.clone()))
            .collect(),
        partner: partner.name.clone(),
        basis: under.basis_json(),
        done,
    };
    state.companies.record(pending)?;
    recorded
        .await
        .map_err(|e| ApiError::internal("recording a disclosure", e))??;
    Ok(answers)
}

/// Makes the disclosure `key` names: reads the credential, judges and derives it under
/// `under`'s policy.
fn prepare(store: &StoreConnections, under: &Under, key: &Key) -> Result<Prepared, ApiError> {
    let company = key.company.clone();
    let kept = store
        .read(move |store| store.company_credential(&company))
        .map_err(store_error)?
        .ok_or_else(|| not_found(&format!("the id {:?}", key.company)))?;
    if kept.seq != key.seq {
        return Err(ApiError::busy(
            "changed",
            "a profile asked for was issued again meanwhile; ask again",
        ));
    }
    let credential: Value = serde_json::from_str(&kept.credential)
        .map_err(|e| ApiError::internal("reading a kept credential", e))?;
    let disclosure =
        corridor_company::disclose(&PROCESSOR, &credential, &under.policy, under.basis.as_ref())
            .map_err(|e| ApiError::internal("disclosing a profile", e))?;
    let shape = disclosure.shape(credential.get("id").and_then(Value::as_str), &under.policy);
    let fields = serde_json::to_string(&disclosure.to_json())
        .map_err(|e| ApiError::internal("writing an answer", e))?;
    // The disclosure is an object: the company goes in front of its fields.
    let fields = fields.strip_prefix('{').unwrap_or("}");
    let company = format!("{{\"company\":{}", Value::from(key.company.as_str()));
    let separator = if fields == "}" { "" } else { "," };
    Ok(Prepared {
        answer: Bytes::from(format!("{company}{separator}{fields}")),
        company_end: company.len(),
        refused: disclosure.classification.refused.is_some(),
        shape: Shape::of(&shape).map_err(store_error)?,
    })
}

/// A JSON answer: `open`, the answers separated by commas, `close`, in one piece.
fn json_list<'a>(
    open: &str,
    answers: impl Iterator<Item = &'a [u8]> + Clone,
    close: &str,
) -> Response {
    let size = answers.clone().map(|a| a.len() + 1).sum::<usize>();
    let mut body = Vec::with_capacity(open.len() + size + close.len());
    body.extend_from_slice(open.as_bytes());
    for (i, answer) in answers.enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(answer);
    }
    body.extend_from_slice(close.as_bytes());
    json_body(StatusCode::OK, Bytes::from(body))
}

/// A JSON answer of `body`.
fn json_body(status: StatusCode, body: Bytes) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// The companies `text` finds, asked as `kind` (`q`, `name`, `id` or an identifier's
/// kind), that `under`'s policy covers and that have a credential: looked up where the
/// request is (a few indexed reads, when not kept).
fn found(state: &AppState, under: &Under, kind: &str, text: &str) -> Result<Vec<Found>, ApiError> {
    let from = under.policy.from;
    let asked = (kind.to_owned(), text.to_owned());
    let all = state
        .companies
        .read_through(&state.store, Kept::found, asked, |store| {
            // A kind asked for finds by that only: an identifier is not a name, nor a name
            // an id.
            let (id, identifier, key) = match kind {
                "q" => (text.trim().to_owned(), normalise(text), name_key(text)),
                "name" => (String::new(), String::new(), name_key(text)),
                "id" => (text.to_owned(), String::new(), String::new()),
                _ => (String::new(), normalise(text), String::new()),
            };
            let mut found = Vec::new();
            for (id, jurisdiction) in store.find_company_ids(&id, &identifier, &key)? {
                if let Some(seq) = store.company_credential_seq(&id)? {
                    found.push((id, jurisdiction, seq));
                }
            }
            Ok(Arc::from(found))
        })?;
    Ok(all
        .iter()
        .filter(|(_, jurisdiction, _)| from.contains(jurisdiction))
        .map(|(id, _, seq)| Found {
            id: id.clone(),
            seq: *seq,
        })
        .collect())
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no company with a profile credential is found by {what} under this policy"),
    )
}

/// `GET /api/companies?q=…` (or `uen=`, `uscc=`, `lei=`, `name=`): the companies found, each
/// disclosed under the policy, or refused by it (each refusal recorded as a disclosure is).
async fn look_up(
    State(state): State<AppState>,
    partner: Partner,
    QueryParams(query): QueryParams<LookUp>,
) -> Result<Response, ApiError> {
    let under = Under::of(&state, &partner, &query.terms)?;
    let asked = [
        ("q", &query.q),
        ("uen", &query.uen),
        ("uscc", &query.uscc),
        ("lei", &query.lei),
        ("name", &query.name),
    ];
    let given: Vec<(&str, &str)> = asked
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)))
        .collect();
    let [(kind, text)] = given[..] else {
        return Err(ApiError::bad_request(
            "invalid",
            "give one of q= (an id, identifier or name), uen=, uscc=, lei= or name=",
        ));
    };
    if text.trim().is_empty() || text.len() > 512 {
        return Err(ApiError::bad_request(
            "invalid",
            format!("{kind}= is empty or too long"),
        ));
    }
    let found = found(&state, &under, kind, text)?;
    if found.is_empty() {
        return Err(not_found(&format!("{kind}={text:?}")));
    }
    if found.len() > MAX_FOUND {
        return Err(ApiError::bad_request(
            "too_many",
            format!(
                "{} companies are found by {kind}={text:?}; ask by an identifier or a fuller name",
                found.len()
            ),
        ));
    }
    let policy = Value::from(under.policy.id.clone());
    let disclosed = disclose_all(&state, &partner, under, found).await?;
    let query = json!({kind: text});
    Ok(json_list(
        &format!("{{\"query\":{query},\"policy\":{policy},\"results\":["),
        disclosed
            .iter()
            .map(|(_, _, prepared)| &prepared.answer[..]),
        "]}",
    ))
}

/// `GET /api/companies/{id}`: one company disclosed under the policy; 403 with the
/// disclosure (outcome `refused`, its reason) when the policy refuses it.
async fn one(
    State(state): State<AppState>,
    partner: Partner,
    PathParams(id): PathParams<String>,
    QueryParams(terms): QueryParams<Terms>,
) -> Result<Response, ApiError> {
    let under = Under::of(&state, &partner, &terms)?;
    let found = found(&state, &under, "id", &id)?
        .into_iter()
        .next()
        .ok_or_else(|| not_found(&format!("the id {id:?}")))?;
    let mut disclosed = disclose_all(&state, &partner, under, vec![found]).await?;
    let Some((_, _, prepared)) = disclosed.pop() else {
        return Err(ApiError::internal("disclosing a profile", "no answer"));
    };
    let status = if prepared.refused {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::OK
    };
    Ok(json_body(status, prepared.answer.clone()))
}

/// `GET /api/companies/changes?after=CURSOR&limit=N`: the profiles issued after the cursor
/// that the policy covers, each disclosed under it, oldest first, and the next cursor.
async fn changes(
    State(state): State<AppState>,
    partner: Partner,
    QueryParams(feed): QueryParams<Feed>,
) -> Result<Response, ApiError> {
    let under = Under::of(&state, &partner, &feed.terms)?;
    if feed.after < 0 {
        return Err(ApiError::bad_request(
            "invalid",
            "after= is a cursor: 0 or a page's next",
        ));
    }
    let limit = match feed.limit {
        None => MAX_PAGE,
        Some(n @ 1..=MAX_PAGE) => n,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid",
                format!("limit= is from 1 to {MAX_PAGE}"),
            ));
        }
    };
    if let Some(reason) = under.refusal() {
        return Err(refused(reason, &under.policy));
    }
    let (after, from) = (feed.after, under.policy.from);
    // One more than a page, to say whether more follow.
    let mut page = reading(&state, move |store| {
        store.company_credentials_since(after, limit + 1)
    })
    .await?;
    let more = page.len() > limit;
    page.truncate(limit);
    let next = page.last().map_or(after, |(_, _, k)| k.seq);
    let found: Vec<Found> = page
        .into_iter()
        .filter(|(_, jurisdiction, _)| from.contains(jurisdiction))
        .map(|(id, _, credential)| Found {
            id,
            seq: credential.seq,
        })
        .collect();
    let policy = Value::from(under.policy.id.clone());
    let disclosed = disclose_all(&state, &partner, under, found).await?;
    // Each answer with its place after the company.
    let changes: Vec<Vec<u8>> = disclosed
        .iter()
        .map(|(_, seq, prepared)| {
            let (company, fields) = prepared.answer.split_at(prepared.company_end);
            [company, format!(",\"seq\":{seq}").as_bytes(), fields].concat()
        })
        .collect();
    Ok(json_list(
        &format!("{{\"policy\":{policy},\"changes\":["),
        changes.iter().map(Vec::as_slice),
        &format!("],\"next\":{next},\"more\":{more}}}"),
    ))
}

/// The refusal of a request the policy cannot be met for: 403, naming the reason.
fn refused(reason: &'static str, policy: &Policy) -> ApiError {
    let accepted = policy.accepted.join(", ");
    ApiError::new(
        StatusCode::FORBIDDEN,
        "refused",
        format!(
            "the policy {} refuses without a recorded basis of a kind it accepts ({accepted}): {reason}",
            policy.id
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(company: &str) -> (Key, Arc<Prepared>) {
        let key = Key {
            company: company.to_owned(),
            seq: 1,
            policy: "sg-cn".to_owned(),
            version: 1,
            standing: Standing::Accepted,
        };
        let shape = Shape::of(&json!({
            "policy": {"id": "sg-cn", "version": 1},
            "outcome": "disclosed",
            "disclose": ["name.legal"],
            "people": [],
            "credential": company,
        }))
        .unwrap();
        let answer = Bytes::from(format!("{{\"company\":\"{company}\"}}"));
        let prepared = Prepared {
            company_end: answer.len() - 1,
            answer,
            refused: false,
            shape,
        };
        (key, Arc::new(prepared))
    }

    #[test]
    fn prepared_disclosures_are_kept_within_their_budget_and_the_latest_always() {
        let (key, one) = prepared("SG-0");
        let budget = 5 * held(&key, &one);
        let mut kept = PreparedKept::default();
        for i in 0..40 {
            let (key, prepared) = prepared(&format!("SG-{}", i % 12));
            kept.keep(key.clone(), prepared, budget);
            assert!(kept.bytes <= budget, "{} bytes held", kept.bytes);
            assert!(kept.all.contains_key(&key));
            let counted: usize = kept.all.iter().map(|(k, p)| held(k, p)).sum();
            assert_eq!(kept.bytes, counted);
        }
        assert!(kept.all.len() >= 2);
    }
}
