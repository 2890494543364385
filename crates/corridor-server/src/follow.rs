//! Following peers (`corridor serve --follow URL`): a task a peer polls its feed, checks each
//! page and applies it to the store's replica of the peer; the verifier then asks the
//! replica, not the peer, what the peer's revocation responder and status lists would say —
//! while the replica is fresh. Past `max_staleness` an answer is an error that says since
//! when it could not be confirmed: never valid on old data, never revoked because a link
//! failed.
//!
//! Fresh is judged by the older of two times: when the peer signed the last head accepted
//! (its own clock, so a replayed old head shows its age) and when this node accepted it (its
//! clock, so a peer's clock running ahead buys nothing).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use corridor_feed::{FeedFault, Node, Page};
use corridor_format::Hash32;
use corridor_ledger::{PeerState, StoreError};
use corridor_verify::providers::{FetchError, HttpGet, HttpResponse, NotAsked, TxtResolver};
use serde_json::{Value, json};

use crate::store::StoreConnections;

/// Which peers to follow, and how.
#[derive(Clone)]
pub struct FollowConfig {
    /// Each peer's feed URL (`https://peer.example/api/feed`).
    pub peers: Vec<String>,
    /// How long to pause after a poll that found nothing new (each poll waits at the peer
    /// for an entry first: a long poll).
    pub every: Duration,
    /// How old a replica may be and still answer.
    pub max_staleness: Duration,
    /// How long one poll may take.
    pub timeout: Duration,
    /// Where the DNS-DID record of a peer's domain is read, vouching for its key.
    pub dns: Option<Arc<dyn TxtResolver>>,
}

/// The longest a poll waits at the peer for a new entry: at most this, a quarter of the
/// staleness bound (so the head it brings back keeps the replica fresh), and the poll's own
/// time less two seconds.
const LONGEST_POLL: Duration = Duration::from_secs(20);

/// The largest page of a feed read: its entries and what they publish.
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// How often a peer's domain is asked again whether it vouches for the key signing its feed:
/// a key its domain withdraws stops being followed within this (and on every start).
const VOUCH_AGAIN: Duration = Duration::from_secs(600);

/// The longest wait between tries of a peer that keeps failing: at most this, and at most a
/// quarter of the staleness bound, so that a link back is found well before a replica that
/// could be fresh goes stale.
const LONGEST_BACKOFF: Duration = Duration::from_secs(30);

/// The replicas of the peers followed, as the verifier asks them.
pub(crate) struct Replicas {
    store: Arc<StoreConnections>,
    /// What is known of each peer, by feed URL, as the follow tasks last left it.
    peers: RwLock<Vec<PeerState>>,
    max_staleness: Duration,
    /// When each peer's domain last vouched for its key, in this run.
    vouched: Mutex<std::collections::HashMap<String, (Node, std::time::Instant)>>,
}

impl Replicas {
    /// The replicas of `config`'s peers, as the store has them.
    pub(crate) fn open(
        store: Arc<StoreConnections>,
        config: &FollowConfig,
    ) -> Result<Replicas, StoreError> {
        let peers = store.read(|s| {
            config
                .peers
                .iter()
                .map(|url| Ok(s.peer(url)?.unwrap_or_else(|| never_reached(url))))
                .collect::<Result<Vec<_>, StoreError>>()
        })?;
        Ok(Replicas {
            store,
            peers: RwLock::new(peers),
            max_staleness: config.max_staleness,
            vouched: Mutex::default(),
        })
    }

    /// Every peer followed, as last left.
    pub(crate) fn states(&self) -> Vec<PeerState> {
        self.peers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn refresh(&self, url: &str) {
        let Ok(Some(state)) = self.store.read(|s| s.peer(url)) else {
            return;
        };
        let mut peers = self.peers.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = peers.iter_mut().find(|p| p.url == url) {
            *kept = state;
        }
    }

    /// How fresh the replica of `peer` is, as an answer shows it.
    pub(crate) fn freshness(&self, peer: &PeerState, now: i64) -> Value {
        let show = |ms: Option<i64>| ms.map(corridor_ledger::show_time);
        let age = as_of(peer).map(|at| (now - at).max(0));
        json!({
            "peer": peer.url,
            "node": peer.node.as_ref().map(|n| json!({"did": n.did, "domain": n.domain, "url": n.url})),
            "lastEntry": peer.seq,
            "lastHash": format!("0x{}", peer.hash),
            "signedAt": show(peer.signed_at),
            "reachedAt": show(peer.reached_at),
            "ageSeconds": age.map(|ms| ms / 1000),
            "fresh": self.fresh(peer, now).is_ok(),
            "fault": peer.fault.as_ref().map(|(why, at)| json!({"message": why, "at": corridor_ledger::show_time(*at)})),
        })
    }

    /// The followed peer whose host `host` (a request's `Host`) is, if one is: by the URL
    /// its node names, or, for a peer not reached yet, by its feed's URL. With the origin
    /// (scheme and host) of the URL its documents name, once known.
    fn peer_for_host(&self, host: &str) -> Option<(PeerState, Option<String>)> {
        let peers = self.peers.read().unwrap_or_else(PoisonError::into_inner);
        peers.iter().find_map(|peer| {
            let named = peer
                .node
                .as_ref()
                .map_or(peer.url.as_str(), |n| n.url.as_str());
            let (scheme, authority) = origin(named)?;
            authority.eq_ignore_ascii_case(host).then(|| {
                let origin = peer
                    .node
                    .as_ref()
                    .map(|_| format!("{scheme}://{authority}"));
                (peer.clone(), origin)
            })
        })
    }

    /// The peer whose documents name `url` (under its node's URL: with the path there), or
    /// whose domain vouches for it, if one is followed.
    fn peer_for<'a>(&self, url: &'a str) -> Option<(PeerState, Option<&'a str>)> {
        let peers = self.peers.read().unwrap_or_else(PoisonError::into_inner);
        peers.iter().find_map(|peer| {
            let node = peer.node.as_ref()?;
            let path = under(url, &node.url);
            (path.is_some() || node.vouches_for(url)).then(|| (peer.clone(), path))
        })
    }

    /// What the replica answers for a GET of `url` — a revocation responder's answer, a
    /// status list — or `None` when no replica answers for it (the network is asked).
    fn answer(&self, url: &str, now: i64) -> Option<(PeerState, Result<HttpResponse, FetchError>)> {
        let (peer, path) = self.peer_for(url)?;
        let question = path.and_then(ocsp_question);
        let list = match &question {
            Some(_) => None,
            None => self.store.read(|s| s.peer_status_list(url)).ok().flatten(),
        };
        if question.is_none() && list.as_ref().is_none_or(|(owner, _)| *owner != peer.url) {
            return None;
        }
        if let Err(why) = self.fresh(&peer, now) {
            return Some((peer, Err(FetchError::Failed(why))));
        }
        let answered = match (question, list) {
            (Some((issuer, hash)), _) => {
                let revoked = self
                    .store
                    .read(|s| s.peer_revoked(&peer.url, issuer.as_deref(), &[hash]));
                match revoked {
                    Ok(revoked) => Ok(json_answer(&crate::ocsp::ocsp_body(
                        &hash,
                        revoked.map(|r| (r.reason, r.at)),
                    ))),
                    Err(e) => Err(FetchError::Failed(format!(
                        "the replica of {}: {e}",
                        peer.url
                    ))),
                }
            }
            (None, Some((_, signed))) => Ok(answered(signed.into_bytes())),
            (None, None) => return None,
        };
        Some((peer, answered))
    }

    /// The recalls of the peers followed that reach an object of `objects` (a product's
    /// provenance), as reasons not to sell it; and, for each peer whose replica is too old to
    /// answer, that whether it recalled any of them could not be confirmed, and since when.
    pub(crate) fn recalls_reaching(
        &self,
        objects: &[corridor_epcis::Epc],
        now: i64,
    ) -> Result<Vec<(&'static str, String)>, StoreError> {
        let by_subject: std::collections::HashMap<Hash32, &corridor_epcis::Epc> = objects
            .iter()
            .map(|object| (corridor_feed::recall_subject(&object.to_string()), object))
            .collect();
        let subjects: Vec<Hash32> = by_subject.keys().copied().collect();
        let recalls = self.store.read(|s| s.peer_recalls(&subjects))?;
        let peers = self.states();
        let name = |url: &str| {
            peers
                .iter()
                .find(|p| p.url == url)
                .and_then(|p| p.node.as_ref())
                .map_or_else(|| url.to_owned(), |n| n.domain.clone())
        };
        let mut reasons = Vec::new();
        for recall in recalls {
            let Some(object) = by_subject.get(&recall.subject) else {
                continue;
            };
            reasons.push((
                "recalled",
                format!(
                    "Recalled: {object} was recalled by its producer ({}, as {} published; recalled {}).",
                    recall.issuer,
                    name(&recall.peer),
                    corridor_ledger::show_time(recall.at)
                ),
            ));
        }
        for peer in &peers {
            if let Err(why) = self.fresh(peer, now) {
                reasons.push((
                    "unconfirmed",
                    format!(
                        "Whether {} recalled what it came from {why}.",
                        name(&peer.url)
                    ),
                ));
            }
        }
        Ok(reasons)
    }

    /// Whether the replica of the peer followed at `url` may answer now; if not, why.
    pub(crate) fn fresh_by_url(&self, url: &str) -> Result<(), String> {
        let peers = self.peers.read().unwrap_or_else(PoisonError::into_inner);
        match peers.iter().find(|p| p.url == url) {
            Some(peer) => self.fresh(peer, crate::now_ms() as i64),
            None => Err(format!(
                "could not be confirmed: {url} is no longer followed"
            )),
        }
    }

    /// Whether `peer`'s replica may answer at `now`; if not, why, saying since when.
    fn fresh(&self, peer: &PeerState, now: i64) -> Result<(), String> {
        let who = peer
            .node
            .as_ref()
            .map_or_else(|| peer.url.clone(), |n| format!("{} ({})", n.url, n.did));
        let fault = peer
            .fault
            .as_ref()
            .map(|(why, at)| format!("; at {}: {why}", corridor_ledger::show_time(*at)))
            .unwrap_or_default();
        match as_of(peer) {
            Some(at) if now - at <= self.max_staleness.as_millis() as i64 => Ok(()),
            Some(at) => Err(format!(
                "could not be confirmed since {}: the replica of {who} is older than {} (its last entry {}){fault}",
                corridor_ledger::show_time(at),
                humantime::format_duration(self.max_staleness),
                peer.seq
            )),
            None => Err(format!(
                "could not be confirmed: {who} has not been reached since it was followed{fault}"
            )),
        }
    }
}

/// When the replica was last known to be the peer's state: the older of the head's signed
/// time and when it was accepted.
fn as_of(peer: &PeerState) -> Option<i64> {
    Some(peer.signed_at?.min(peer.reached_at?))
}

fn never_reached(url: &str) -> PeerState {
    PeerState {
        url: url.to_string(),
        node: None,
        seq: 0,
        hash: Hash32([0; 32]),
        signed_at: None,
        reached_at: None,
        fault: None,
    }
}

/// `/ocsp/<hash>` or `/ocsp/<issuer>/<hash>`, under a node's URL: the issuer (if named) and
/// the hash, percent-decoded as the responder's own route decodes them.
fn ocsp_question(path: &str) -> Option<(Option<String>, Hash32)> {
    let rest = path.strip_prefix("/ocsp/")?;
    let decoded = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .ok()
            .map(|text| text.into_owned())
    };
    let (issuer, hash) = match rest.rsplit_once('/') {
        Some((issuer, hash)) if !issuer.is_empty() && !issuer.contains('/') => {
            (Some(decoded(issuer)?), hash)
        }
        Some(_) => return None,
        None => (None, rest),
    };
    Some((issuer, crate::ocsp::parse_hash(&decoded(hash)?)?))
}

/// A URL's scheme and authority (host and port).
fn origin(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    Some((scheme, rest.split('/').next()?))
}

/// The path of `url` under `base` (a node's URL), if it is under it.
fn under<'a>(url: &'a str, base: &str) -> Option<&'a str> {
    url.strip_prefix(base).filter(|rest| rest.starts_with('/'))
}

/// A 200 answer with `body`.
fn answered(body: Vec<u8>) -> HttpResponse {
    HttpResponse { status: 200, body }
}

fn json_answer(body: &Value) -> HttpResponse {
    answered(body.to_string().into_bytes())
}

/// This node's own public URL, under which its documents name its responder and its status
/// lists: the verifier asks the store for what is there, as the routes would answer, without
/// going out and back in.
pub(crate) struct Own {
    pub(crate) url: String,
    pub(crate) store: Arc<StoreConnections>,
}

impl Own {
    fn answer(&self, url: &str) -> Option<Result<HttpResponse, FetchError>> {
        let rest = under(url, &self.url)?;
        let failed = |e: StoreError| FetchError::Failed(format!("{url}: {e}"));
        if let Some((issuer, hash)) = ocsp_question(rest) {
            let revoked = self
                .store
                .read(|s| s.first_revoked(issuer.as_deref(), &[hash]));
            return Some(
                revoked
                    .map(|r| {
                        let revoked = r.as_ref().map(crate::ocsp::revoked);
                        json_answer(&crate::ocsp::ocsp_body(&hash, revoked))
                    })
                    .map_err(failed),
            );
        }
        match self.store.read(|s| s.status_list(url)) {
            Ok(Some(list)) => Some(Ok(answered(list.signed.into_bytes()))),
            Ok(None) => None,
            Err(e) => Some(Err(failed(e))),
        }
    }
}

/// The verifier's way out for one request: this node's own store for what is under its own
/// URL, the replicas of the peers followed for what they answer, then the network; it keeps
/// which peers it asked, for the answer to say how fresh they were.
pub(crate) struct ReplicaFirst {
    pub(crate) own: Option<Arc<Own>>,
    pub(crate) replicas: Option<Arc<Replicas>>,
    pub(crate) network: Option<Arc<dyn HttpGet>>,
    pub(crate) asked: Mutex<BTreeSet<String>>,
}

impl ReplicaFirst {
    /// How fresh each replica asked was, if any was.
    pub(crate) fn freshness(&self) -> Option<Value> {
        let asked = self.asked.lock().unwrap_or_else(PoisonError::into_inner);
        let replicas = self.replicas.as_ref().filter(|_| !asked.is_empty())?;
        let now = crate::now_ms() as i64;
        let shown = replicas
            .states()
            .iter()
            .filter(|p| asked.contains(&p.url))
            .map(|p| replicas.freshness(p, now))
            .collect();
        Some(Value::Array(shown))
    }
}

impl HttpGet for ReplicaFirst {
    fn get(&self, url: &str) -> Result<HttpResponse, FetchError> {
        if let Some(answer) = self.own.as_ref().and_then(|own| own.answer(url)) {
            return answer;
        }
        let now = crate::now_ms() as i64;
        let replicated = self.replicas.as_ref().and_then(|r| r.answer(url, now));
        if let Some((peer, answer)) = replicated {
            self.asked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(peer.url);
            return answer;
        }
        match &self.network {
            Some(network) => network.get(url),
            None => Err(FetchError::NotAsked(NotAsked::Refused(
                "verification is offline, and no peer followed answers for it".into(),
            ))),
        }
    }
}

/// Answers in a followed peer's stead what is asked of the peer's own host: a verifier of this
/// region that its DNS sends here for the peer's name (tt-verify or TrustVC, which ask the
/// URLs documents name) gets the peer's revocation responder and status lists from the
/// replica, with the replica's age (`Age`, and the entry it is at), or, past the staleness
/// bound, 503 saying since when it could not be confirmed; `/rpc` answers for the peer's
/// registries itself. Anything else asked of the peer's host is not answered here.
pub(crate) async fn in_the_peers_stead(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    // This node's own host is its own, whatever a peer's node claims.
    let own = state.verifier.own.as_ref().is_some_and(|own| {
        origin(&own.url).is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
    });
    let peer = match &state.verifier.replicas {
        Some(replicas) if !own => replicas.peer_for_host(host),
        _ => None,
    };
    let (Some((peer, origin)), Some(replicas)) = (peer, state.verifier.replicas.clone()) else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_string();
    if path == "/rpc" {
        return next.run(request).await;
    }
    let Some(origin) = origin else {
        // A peer not reached yet: nothing is known of it, and nothing answers in its stead.
        return crate::error::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "stale",
            format!(
                "could not be confirmed: {} has not been reached since it was followed",
                peer.url
            ),
        )
        .into_response();
    };
    let peer_url = origin;
    let not_here = || {
        crate::error::ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "this node answers for {peer_url} only its revocation responder, its status lists and /rpc"
            ),
        )
        .into_response()
    };
    if request.method() != axum::http::Method::GET {
        return not_here();
    }
    let url = format!("{peer_url}{path}");
    let now = crate::now_ms() as i64;
    let answered = tokio::task::spawn_blocking(move || replicas.answer(&url, now)).await;
    let Ok(Some((peer, answer))) = answered else {
        return not_here();
    };
    match answer {
        Ok(answer) => {
            let age = as_of(&peer).map_or(0, |at| (now - at).max(0) / 1000);
            let kind = if path.starts_with("/ocsp/") {
                "application/json"
            } else {
                "application/vc+ld+json"
            };
            (
                [
                    (header::CONTENT_TYPE, kind.to_string()),
                    (header::AGE, age.to_string()),
                    (
                        header::HeaderName::from_static("corridor-replica-entry"),
                        peer.seq.to_string(),
                    ),
                ],
                answer.body,
            )
                .into_response()
        }
        Err(why) => {
            crate::error::ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "stale", why.to_string())
                .into_response()
        }
    }
}

/// `GET /api/peers`: each peer followed, and how fresh its replica is.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new().route("/api/peers", axum::routing::get(peers))
}

async fn peers(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
) -> axum::Json<Value> {
    let now = crate::now_ms() as i64;
    let peers: Vec<Value> = state
        .verifier
        .replicas
        .as_ref()
        .map(|replicas| {
            replicas
                .states()
                .iter()
                .map(|peer| replicas.freshness(peer, now))
                .collect()
        })
        .unwrap_or_default();
    let max = state.verifier.replicas.as_ref().map(|r| r.max_staleness);
    axum::Json(json!({
        "maxStalenessSeconds": max.map(|d| d.as_secs()),
        "peers": peers,
    }))
}

/// Starts a task for each peer followed, on the current runtime.
pub(crate) fn start(replicas: Arc<Replicas>, config: FollowConfig) {
    // A peer's answer is its own: a redirect elsewhere is not followed.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(config.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    for url in config.peers.clone() {
        let (replicas, config, agent) = (replicas.clone(), config.clone(), agent.clone());
        tokio::spawn(async move {
            let longest = LONGEST_BACKOFF
                .min(config.max_staleness / 4)
                .max(config.every);
            let mut backoff = config.every;
            loop {
                let outcome = {
                    let (replicas, config, agent, url) =
                        (replicas.clone(), config.clone(), agent.clone(), url.clone());
                    tokio::task::spawn_blocking(move || {
                        let outcome = poll(&replicas, &config, &agent, &url);
                        replicas.refresh(&url);
                        outcome
                    })
                    .await
                    .unwrap_or_else(|e| Err(format!("the follower stopped: {e}")))
                };
                let wait = match outcome {
                    Ok(true) => Duration::ZERO,
                    Ok(false) => {
                        backoff = config.every;
                        config.every
                    }
                    Err(why) => {
                        tracing::warn!(peer = %url, "following: {why}");
                        backoff = (backoff * 2).min(longest);
                        backoff
                    }
                };
                tokio::time::sleep(wait).await;
            }
        });
    }
}

/// Asks the peer at `url` for what follows the replica, checks it and applies it: whether
/// more follows at once. A failure is recorded as the peer's fault, and said.
fn poll(
    replicas: &Replicas,
    config: &FollowConfig,
    agent: &ureq::Agent,
    url: &str,
) -> Result<bool, String> {
    let failed = |why: String| {
        let _ = replicas
            .store
            .write(|s| s.peer_failed(url, &why, crate::now_ms() as i64));
        Err(why)
    };
    // As the last poll left it: this task is the only one that writes this peer's replica
    // (and the store checks the page against it again as it applies it).
    let after = replicas
        .states()
        .iter()
        .find(|p| p.url == url)
        .map_or(0, |p| p.seq);
    let wait = LONGEST_POLL
        .min(config.max_staleness / 4)
        .min(config.timeout.saturating_sub(Duration::from_secs(2)));
    let page = match fetch_page(agent, url, after, wait) {
        Ok(page) => page,
        Err(why) => return failed(why),
    };
    let node = page.head.head.node.clone();
    let last_vouched = replicas
        .vouched
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(url)
        .filter(|(vouched, _)| *vouched == node)
        .map(|(_, at)| *at);
    if vouch_due(last_vouched, std::time::Instant::now()) {
        if let Err(why) = vouch(config.dns.as_deref(), &page) {
            return failed(FeedFault::BadSignature { why }.to_string());
        }
        replicas
            .vouched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(url.to_string(), (node.clone(), std::time::Instant::now()));
    }
    let now = crate::now_ms() as i64;
    match replicas
        .store
        .write(|s| s.apply_peer_page(url, &node, &page, now))
    {
        Ok(Ok(applied)) => {
            if applied.entries > 0 {
                tracing::info!(peer = %url, entries = applied.entries, last = applied.seq, "followed");
            }
            Ok(page.more || applied.entries > 0)
        }
        Ok(Err(fault)) => Err(fault.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether a node last vouched for at `last` (in this run, for the node now named) must be
/// vouched for again at `now`.
fn vouch_due(last: Option<std::time::Instant>, now: std::time::Instant) -> bool {
    last.is_none_or(|at| now.duration_since(at) >= VOUCH_AGAIN)
}

/// The page of the feed at `url` after entry `after`, waiting at most `wait` for one.
fn fetch_page(agent: &ureq::Agent, url: &str, after: i64, wait: Duration) -> Result<Page, String> {
    let join = if url.contains('?') { '&' } else { '?' };
    // Pages as large as a node serves: behind by many entries, each page is a round trip.
    let asked = format!(
        "{url}{join}after={after}&limit={}&wait={:.3}",
        corridor_feed::MOST_PER_PAGE,
        wait.as_secs_f64()
    );
    let mut response = agent
        .get(&asked)
        .call()
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(response.body_mut().as_reader(), MAX_PAGE_BYTES + 1),
        &mut body,
    )
    .map_err(|e| format!("cannot read the answer of {url}: {e}"))?;
    if status != 200 {
        return Err(format!("{url} answered HTTP {status}"));
    }
    if body.len() as u64 > MAX_PAGE_BYTES {
        return Err(format!(
            "{url} answered more than {MAX_PAGE_BYTES} bytes for a page"
        ));
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| format!("{url} did not answer a feed page: not JSON ({e})"))?;
    Page::from_json(&value).map_err(|why| format!("{url} did not answer a feed page: {why}"))
}

/// Checks that the node a page names is who it says: its head signed by its DID's key, its
/// URL on its domain, and the domain's DNS-DID record naming the DID.
fn vouch(dns: Option<&dyn TxtResolver>, page: &Page) -> Result<(), String> {
    let node: &Node = &page.head.head.node;
    if !page.head.is_signed_by_its_node() {
        return Err(format!("the head is not signed by the key of {}", node.did));
    }
    if !node.url_is_on_its_domain() {
        return Err(format!(
            "the node's URL {} is not on its domain {}",
            node.url, node.domain
        ));
    }
    let dns = dns.ok_or_else(|| {
        format!(
            "the DNS-DID record of {} cannot be read: this server has no DNS (it is offline)",
            node.domain
        )
    })?;
    let records = dns
        .txt(&node.domain)
        .map_err(|e| format!("the DNS-DID record of {} cannot be read: {e}", node.domain))?;
    let key = format!("{}#controller", node.did);
    let vouched = records
        .iter()
        .filter_map(|txt| corridor_format::dns_records::parse_dns_did(txt))
        .any(|record| record.public_key.eq_ignore_ascii_case(&key));
    if vouched {
        Ok(())
    } else {
        Err(format!(
            "{} has no DNS-DID record naming {key}",
            node.domain
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responder_paths_are_read_under_a_nodes_url() {
        let hash = corridor_format::keccak256(b"doc");
        assert_eq!(
            ocsp_question(&format!("/ocsp/0x{hash}")),
            Some((None, hash))
        );
        assert_eq!(
            ocsp_question(&format!("/ocsp/did:ethr:0xabc/{hash}")),
            Some((Some("did:ethr:0xabc".into()), hash))
        );
        assert_eq!(ocsp_question(&format!("/ocsp/a/b/0x{hash}")), None);
        // Decoded as the route decodes them: an issuer named with a space, or non-ASCII.
        assert_eq!(
            ocsp_question(&format!("/ocsp/Lion%20City%E5%B1%B1/0x{hash}")),
            Some((Some("Lion City山".into()), hash))
        );
        assert_eq!(ocsp_question(&format!("/ocsp/bad%FF/0x{hash}")), None);
        assert_eq!(ocsp_question("/ocsp/0x12"), None);
        assert_eq!(ocsp_question(&format!("/status/0x{hash}")), None);
    }

    #[test]
    fn a_nodes_domain_is_asked_again_on_each_start_and_every_ten_minutes() {
        let now = std::time::Instant::now();
        assert!(vouch_due(None, now));
        assert!(!vouch_due(Some(now), now + Duration::from_secs(599)));
        assert!(vouch_due(Some(now), now + VOUCH_AGAIN));
    }

    #[test]
    fn freshness_is_the_older_of_the_peers_word_and_ours() {
        let mut peer = never_reached("https://sg.example/api/feed");
        assert_eq!(as_of(&peer), None);
        peer.signed_at = Some(5_000);
        peer.reached_at = Some(4_000);
        assert_eq!(as_of(&peer), Some(4_000));
        peer.reached_at = Some(9_000);
        assert_eq!(as_of(&peer), Some(5_000));
    }
}

#[cfg(test)]
mod vouching {
    use super::*;
    use corridor_feed::Head;
    use corridor_format::did::DidSigner;
    use corridor_verify::providers::LookupError;

    /// Answers every TXT question with `records`, or fails.
    struct Records(Result<Vec<String>, LookupError>);

    impl TxtResolver for Records {
        fn txt(&self, _name: &str) -> Result<Vec<String>, LookupError> {
            self.0.clone()
        }
    }

    fn signer(seed: u8) -> DidSigner {
        DidSigner::new(k256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
    }

    /// An empty page from a node with `url`, signed by `key` as `did`.
    fn page(key: &DidSigner, did: &str, url: &str) -> Page {
        let node = Node {
            did: did.into(),
            domain: "lion-city.test".into(),
            url: url.into(),
        };
        Page {
            head: Head {
                node,
                seq: 0,
                hash: Hash32([0; 32]),
                signed_at: 1,
                deployments: Vec::new(),
            }
            .sign(key),
            entries: Vec::new(),
            more: false,
        }
    }

    #[test]
    fn a_node_is_followed_only_when_its_key_signs_its_url_is_its_domains_and_its_dns_vouches() {
        let key = signer(7);
        let did = key.did();
        let record = corridor_format::dns_records::dns_did_record(&format!("{did}#controller"));
        let vouching = Records(Ok(vec!["v=spf1 -all".into(), record]));
        let good = page(&key, &did, "https://sg.lion-city.test");
        assert_eq!(vouch(Some(&vouching), &good), Ok(()));

        let refusals = [
            (
                vouch(
                    Some(&vouching),
                    &page(&signer(8), &did, "https://sg.lion-city.test"),
                ),
                "is not signed by the key of",
            ),
            (
                vouch(
                    Some(&vouching),
                    &page(&key, &did, "https://sg.elsewhere.test"),
                ),
                "is not on its domain lion-city.test",
            ),
            (vouch(None, &good), "this server has no DNS"),
            (
                vouch(Some(&Records(Ok(vec!["v=spf1 -all".into()]))), &good),
                "has no DNS-DID record naming",
            ),
            (
                vouch(
                    Some(&Records(Err(LookupError::Failed("timed out".into())))),
                    &good,
                ),
                "cannot be read: timed out",
            ),
        ];
        for (refused, why) in refusals {
            let refused = refused.unwrap_err();
            assert!(refused.contains(why), "{refused}");
        }
    }
}
