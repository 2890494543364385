//! Corridor's HTTP side, over the embedded store:
//!
//! - the portal, for people, at `/` (`portal.rs`; its assets are built into the binary);
//! - the HTTP API under `/api` (`api.rs`), described by the OpenAPI 3.1 document served at
//!   `/openapi.json`: verify, wrap and obfuscate documents (open), revoke and act on titles
//!   (with an API token); every error is JSON with a code and a message (`error.rs`);
//! - the revocation responder documents name as their issuer's `OCSP_RESPONDER` (`ocsp.rs`);
//! - `POST /rpc`, the embedded title registries answering token registry questions over
//!   JSON-RPC, as a chain's node would (`rpc.rs`).
//!
//! Architecture invariant: only this crate (and the HTTP clients of the verification
//! providers) knows HTTP; the store it reads and the checks it runs know nothing of it.
//!
//! Architecture invariant: no request body, document or secret is logged; logs say which
//! route answered what, how fast.

mod api;
mod chain;
mod companies;
mod epcis;
mod error;
mod feed;
mod follow;
mod issuer;
mod links;
mod ocsp;
mod portal;
mod rate;
mod renderers;
mod rpc;
mod shopper;
mod status_lists;
mod store;
mod trace;
mod w3c;
mod work;

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use corridor_ledger::{ShareLimits, StoreError};
use corridor_verify::Verifier;
use tower_http::set_header::SetResponseHeaderLayer;

pub use follow::FollowConfig;
pub use issuer::{Issuer, IssuerError};

/// A party's own key, and so the kind of credential the events its tokens capture are.
#[derive(Clone)]
pub enum PartyIssuer {
    /// OpenAttestation v2 documents, in batches under one signature.
    OpenAttestation(Arc<Issuer>),
    /// W3C VC 2.0 Digital Traceability Events, each signed alone, with entries of the
    /// issuer's status list.
    W3c(Arc<W3cIssuer>),
}
pub use renderers::{RendererOrigin, Renderers};
pub use trace::linked_documents;
pub use w3c::{W3cIssuer, W3cIssuerError};

/// How the server runs.
pub struct ServerConfig {
    pub store: corridor_ledger::StoreLocation,
    /// Makes the outside world one request's verifier reaches, with fresh caches:
    /// revocations and ownership change between requests. The replicas of the peers
    /// followed come before it.
    pub providers: Arc<dyn Fn() -> corridor_verify::Providers + Send + Sync>,
    /// The peers whose feeds this node follows, answering for their documents from its
    /// replicas of them, if any.
    pub follow: Option<FollowConfig>,
    /// Whether verification is offline: valid when intact and nothing that could be checked
    /// failed, as `corridor verify --offline` decides.
    pub offline: bool,
    /// The largest request body, in bytes.
    pub max_body: usize,
    /// How long one request may take.
    pub timeout: Duration,
    /// How many heavy requests (verify, wrap, obfuscate, issue) are worked on at once.
    pub workers: NonZeroUsize,
    /// How many more heavy requests may wait for a worker; beyond them, 503 `busy`.
    pub queue: usize,
    /// The issuer `POST /api/issue` signs and records as, if the server was given a key.
    pub issuer: Option<Arc<Issuer>>,
    /// Parties' own keys, by party GLN: the events a party's token captures are signed by
    /// its key, as `corridor trace record --party` signs them, rather than by [`Self::issuer`].
    pub party_issuers: std::collections::HashMap<corridor_gs1::Gln, PartyIssuer>,
    /// The W3C issuer `POST /api/issue` signs credentials as (`"format": "w3c"`), if the
    /// server was given a Multikey.
    pub w3c_issuer: Option<Arc<W3cIssuer>>,
    /// The chain whose token registries the title routes also answer for, if one was given.
    pub chain: Option<Arc<corridor_chain::Chain>>,
    /// The writes each API token may make in a minute (a burst of that many at most).
    pub writes_per_minute: std::num::NonZeroU32,
    /// What shares may be.
    pub shares: SharePolicy,
    /// The most bytes the store's file may grow to, if limited.
    pub store_max_size: Option<u64>,
    /// did:web DID documents hosted, each at its path (`/.well-known/did.json`, or
    /// `/A/B/did.json` for `did:web:HOST:A:B`).
    pub did_documents: Vec<DidDocument>,
    /// How often the documents events link to are verified again while the records stay
    /// the same: a certificate its issuer revokes, or whose issuer's identity stops holding,
    /// counts at the checkout within this.
    pub recheck_documents: Duration,
    /// The issuers' renderers the portal may load in a frame; by default none.
    pub renderers: Renderers,
    /// How long the portal waits for a renderer to answer before it lays the document out
    /// with the built-in template.
    pub renderer_wait: Duration,
}

/// A DID document the server hosts for a did:web issuer.
#[derive(Debug, Clone)]
pub struct DidDocument {
    /// Where: the URL path its DID resolves to.
    pub path: String,
    /// The document's JSON text, served as it is.
    pub json: Arc<str>,
}

/// What shares may be: their size, lifetime and number.
#[derive(Debug, Clone, Copy)]
pub struct SharePolicy {
    /// The largest envelope, in bytes.
    pub max_bytes: u64,
    /// How long a share is kept unless its sharer asks for less or more.
    pub lifetime: Duration,
    /// The longest a sharer may ask for.
    pub max_lifetime: Duration,
    /// Each token's quota, and the room kept for revocations.
    pub limits: ShareLimits,
}

/// What the handlers share: one `Arc`, as every request clones it (a dozen `Arc`s of its own
/// were counted up and down on each).
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub(crate) struct Shared {
    store: Arc<store::StoreConnections>,
    admission: work::Admission,
    verifier: VerifierMaker,
    offline: bool,
    timeout: Duration,
    /// The largest request body, in bytes.
    max_body: usize,
    /// The largest answer wrapping may give: [`ANSWER_PER_BODY`] times the body limit.
    max_answer: usize,
    issuer: Option<Arc<Issuer>>,
    party_issuers: Arc<std::collections::HashMap<corridor_gs1::Gln, PartyIssuer>>,
    w3c_issuer: Option<Arc<W3cIssuer>>,
    chain: Option<Arc<corridor_chain::Chain>>,
    write_rate: Arc<rate::WriteRate>,
    shares: SharePolicy,
    trace: Arc<trace::TraceIndex>,
    companies: companies::Companies,
}

/// Makes each request's verifier: this node's own store for its own URL, the replicas of
/// the peers followed, then the outside world.
#[derive(Clone)]
pub(crate) struct VerifierMaker {
    providers: Arc<dyn Fn() -> corridor_verify::Providers + Send + Sync>,
    own: Option<Arc<follow::Own>>,
    replicas: Option<Arc<follow::Replicas>>,
}

impl VerifierMaker {
    /// A verifier for one request, and the way it asks the store and the replicas (which
    /// says, after, how fresh those it asked were), if it has them.
    pub(crate) fn make(&self) -> (Verifier, Option<Arc<follow::ReplicaFirst>>) {
        let mut providers = (self.providers)();
        if self.own.is_none() && self.replicas.is_none() {
            return (Verifier::new(providers), None);
        }
        let replica = Arc::new(follow::ReplicaFirst {
            own: self.own.clone(),
            replicas: self.replicas.clone(),
            network: providers.http.take(),
            asked: Default::default(),
        });
        providers.http = Some(replica.clone());
        (Verifier::new(providers), Some(replica))
    }

    /// How one request reaches the web, under the verifier's rules, if the server is online.
    pub(crate) fn http(&self) -> Option<Arc<dyn corridor_verify::providers::HttpGet>> {
        (self.providers)().http
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot start the worker threads: {0}")]
    Workers(std::io::Error),
}

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// How many times the body limit a wrapped answer may be: wrapping salts every leaf and adds
/// each document's proof, so the answer outgrows the body, but only by so much.
pub const ANSWER_PER_BODY: usize = 4;

/// The OpenAPI document of the routes below.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The routes, over the store `config` names (created if missing).
pub fn router(config: &ServerConfig) -> Result<Router, ServeError> {
    Ok(routes(app_state(config)?, config))
}

/// The DID documents hosted, each at its path.
fn did_documents(documents: &[DidDocument]) -> Router<AppState> {
    documents.iter().fold(Router::new(), |router, document| {
        let json = document.json.clone();
        router.route(
            &document.path,
            get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/did+json")],
                    json.to_string(),
                )
            }),
        )
    })
}

/// What the handlers share, over the store `config` names (created if missing, limited in
/// size as it says, its expired shares deleted).
fn app_state(config: &ServerConfig) -> Result<AppState, ServeError> {
    let store = Arc::new(store::StoreConnections::open(&config.store)?);
    store.write(|store| {
        if let Some(bytes) = config.store_max_size {
            store.limit_size(bytes)?;
        }
        store.expire_shares()
    })?;
    let replicas = config
        .follow
        .as_ref()
        .map(|follow| follow::Replicas::open(store.clone(), follow).map(Arc::new))
        .transpose()?;
    let own = config.issuer.as_ref().map(|issuer| {
        Arc::new(follow::Own {
            url: issuer.public_url().to_string(),
            store: store.clone(),
        })
    });
    Ok(AppState(Arc::new(Shared {
        companies: companies::Companies::new(Arc::clone(&store)),
        store,
        admission: work::Admission::new(config.workers, config.queue)
            .map_err(ServeError::Workers)?,
        verifier: VerifierMaker {
            providers: config.providers.clone(),
            own,
            replicas,
        },
        offline: config.offline,
        timeout: config.timeout,
        max_body: config.max_body,
        max_answer: config.max_body.saturating_mul(ANSWER_PER_BODY),
        issuer: config.issuer.clone(),
        party_issuers: Arc::new(config.party_issuers.clone()),
        w3c_issuer: config.w3c_issuer.clone(),
        chain: config.chain.clone(),
        write_rate: Arc::new(rate::WriteRate::new(config.writes_per_minute)),
        shares: config.shares,
        trace: Arc::new(trace::TraceIndex::new()),
    })))
}

/// The routes, over `state`, taking bodies of `config.max_body` bytes at most.
fn routes(state: AppState, config: &ServerConfig) -> Router {
    let max_body = config.max_body;
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(portal::routes(&config.renderers, config.renderer_wait))
        .route(
            "/openapi.json",
            get(|| async {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    OPENAPI,
                )
            }),
        )
        .route("/ocsp/{hash}", get(ocsp::any_issuer))
        .route("/ocsp/{issuer}/{hash}", get(ocsp::one_issuer))
        .route(
            "/rpc",
            post(rpc::handler).layer(DefaultBodyLimit::max(rpc::MAX_BODY)),
        )
        .merge(api::routes())
        .merge(epcis::routes())
        .merge(companies::routes())
        .merge(feed::routes())
        .merge(follow::routes())
        .route("/api/trace/check", get(trace::check))
        .route("/api/trace/provenance", get(trace::provenance))
        .route("/api/trace/graph", get(trace::graph))
        .route("/01/{*rest}", get(trace::resolve))
        .route("/00/{*rest}", get(trace::resolve))
        .merge(did_documents(&config.did_documents))
        // After every route is in: the 405 of each is the JSON error.
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(status_lists::or_not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            follow::in_the_peers_stead,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            within_the_request_timeout,
        ))
        // No answer is read as anything but its declared type; what is not a page (whose own
        // policy it keeps) may load nothing and run nothing if a browser opens it.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'"),
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// How often the server deletes expired shares.
const SHARE_SWEEP: Duration = Duration::from_secs(60);

/// Deletes expired shares every [`SHARE_SWEEP`], for as long as the server runs: an expired
/// share is not served from the moment it expires, and is gone within the minute.
async fn sweep_shares(state: AppState) {
    let mut every = tokio::time::interval(SHARE_SWEEP);
    loop {
        every.tick().await;
        match api::expire_shares(&state).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "expired shares deleted"),
            Err(e) => tracing::warn!("expired shares not deleted: {}", e.message),
        }
    }
}

/// Verifies the documents events link to again every `every`, for as long as the server runs
/// (the records changing verifies them too): what their issuers say of them may change
/// while nothing here does.
async fn recheck_linked_documents(state: AppState, every: Duration) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_secs(1)));
    // The first tick is at once, and the documents were verified when the records loaded.
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let checking = state.clone();
        match tokio::task::spawn_blocking(move || trace::recheck_linked(&checking)).await {
            Ok(Ok(false)) => {}
            Ok(Ok(true)) => tracing::info!("linked documents verified differently"),
            Ok(Err(e)) => tracing::warn!("linked documents not verified again: {}", e.message),
            Err(e) => tracing::warn!("linked documents not verified again: {e}"),
        }
    }
}

/// Every request within the request timeout, its body included: a client that sends a head
/// and then trickles its body, or stops, is answered with the timeout's error (and hyper,
/// the body unread, closes the connection) instead of holding it for ever.
async fn within_the_request_timeout(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(state.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error::timeout().into_response(),
    }
}

/// Serves HTTP/1.1 until `shutdown` completes, then lets the requests under way finish (for
/// at most the request timeout).
///
/// Each connection is hyper's HTTP/1 connection over the routes, nothing between: the API
/// speaks HTTP/1.1 only, and the generic layer that would sniff for HTTP/2 is work on every
/// request for nothing. A client gets the request timeout to send a request's
/// head, idle keep-alive included, so a connection that never finishes one is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let state = app_state(&config)?;
    if let (Some(replicas), Some(follow)) = (&state.verifier.replicas, &config.follow) {
        follow::start(replicas.clone(), follow.clone());
    }
    let sweeper = tokio::spawn(sweep_shares(state.clone()));
    let rechecker = tokio::spawn(recheck_linked_documents(
        state.clone(),
        config.recheck_documents,
    ));
    let app = routes(state, &config);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.timeout);
    let connections = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection closed: {e}");
            }
        });
    }
    if tokio::time::timeout(config.timeout, connections.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("stopped with requests still under way after the request timeout");
    }
    sweeper.abort();
    rechecker.abort();
    Ok(())
}

/// After a failed accept: a connection that failed before it was taken is the client's
/// business; anything else (out of file descriptors, say) is logged, and accepting pauses a
/// moment rather than spinning.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!("cannot accept a connection: {error}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_ledger::{Batch, RevocationReason, Store};
    use serde_json::json;

    pub(crate) fn test_config(store: std::path::PathBuf) -> ServerConfig {
        ServerConfig {
            store: store.into(),
            providers: Arc::new(corridor_verify::Providers::offline),
            follow: None,
            offline: true,
            max_body: 1 << 20,
            timeout: Duration::from_secs(10),
            workers: NonZeroUsize::MIN,
            queue: 4,
            issuer: None,
            party_issuers: std::collections::HashMap::new(),
            w3c_issuer: None,
            chain: None,
            writes_per_minute: std::num::NonZeroU32::new(60).unwrap(),
            shares: SharePolicy {
                max_bytes: 1 << 20,
                lifetime: Duration::from_secs(3600),
                max_lifetime: Duration::from_secs(86400),
                limits: ShareLimits {
                    per_token: 10,
                    bytes_per_token: 4 << 20,
                    reserve: 0,
                },
            },
            store_max_size: None,
            did_documents: Vec::new(),
            recheck_documents: Duration::from_secs(300),
            renderers: Renderers::None,
            renderer_wait: Duration::from_secs(5),
        }
    }

    /// Answers TXT questions from a list the test changes: an issuer's DNS as it changes.
    struct ChangingDns(std::sync::Mutex<Vec<String>>);

    impl corridor_verify::providers::TxtResolver for ChangingDns {
        fn txt(&self, _name: &str) -> Result<Vec<String>, corridor_verify::providers::LookupError> {
            Ok(self.0.lock().unwrap().clone())
        }
    }

    /// The reasons provenance gives for `uri`'s document not holding.
    fn linked_breaks(provenance: &serde_json::Value, uri: &str) -> Vec<String> {
        provenance["breaks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b.to_string().contains(uri))
            .map(|b| b["reason"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn a_linked_document_whose_issuer_stops_vouching_for_it_is_caught_without_a_new_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        // A health certificate its issuer's DNS vouches for, and an event citing it.
        let customs = corridor_format::did::DidSigner::new(
            k256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap(),
        );
        let raw = json!({
            "issuers": [{"id": customs.did(), "name": "Customs", "revocation": {"type": "NONE"},
                         "identityProof": {"type": "DNS-DID", "location": "customs.example",
                                           "key": format!("{}#controller", customs.did())}}],
            "certificateType": "health",
        });
        let mut certificate = corridor_format::wrap_documents(&[raw], &mut rand::rng())
            .unwrap()
            .remove(0);
        let root: corridor_format::Hash32 = certificate["signature"]["merkleRoot"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        certificate["proof"] = json!([customs.proof_entry(&root, "2026-11-27T00:00:00.000Z")]);
        let link = format!(
            "urn:oa:{}",
            certificate["signature"]["targetHash"].as_str().unwrap()
        );
        let item = "urn:epc:id:sgtin:6918790.000001.S1";
        let event = json!({
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "ObjectEvent", "eventTime": "2026-11-20T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00", "epcList": [item], "action": "ADD",
            "bizStep": "commissioning", "certificationInfo": [link],
        });
        let farm = corridor_format::did::DidSigner::new(
            k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap(),
        );
        let farm_block = json!({"id": farm.did(), "name": "Farm", "revocation": {"type": "NONE"},
            "identityProof": {"type": "DNS-DID", "location": "farm.example",
                              "key": format!("{}#controller", farm.did())}});
        {
            let mut store = Store::open(&path).unwrap();
            corridor_capture::Recorder::new(
                &farm,
                "farm".into(),
                farm_block,
                None,
                std::time::SystemTime::now(),
            )
            .record(
                &mut store,
                corridor_capture::OnError::Rollback,
                |record| -> Result<(), corridor_capture::CaptureError> {
                    record("event".into(), event.to_string().into_bytes())
                },
            )
            .unwrap();
            store
                .set_reference(
                    corridor_ledger::ReferenceKind::Documents,
                    &json!({"documents": [certificate]}).to_string(),
                )
                .unwrap();
        }
        let dns = Arc::new(ChangingDns(std::sync::Mutex::new(vec![
            corridor_format::dns_records::dns_did_record(&format!("{}#controller", customs.did())),
        ])));
        let resolver = dns.clone();
        let mut config = test_config(path);
        config.providers = Arc::new(move || corridor_verify::Providers {
            dns: Some(resolver.clone()),
            ..corridor_verify::Providers::offline()
        });
        config.offline = false;
        config.recheck_documents = Duration::from_secs(1);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/api/trace/provenance?target={item}",
            listener.local_addr().unwrap()
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, config, async {
            stopped.await.ok();
        }));
        let provenance = || {
            let url = url.clone();
            tokio::task::spawn_blocking(move || -> serde_json::Value {
                ureq::get(&url)
                    .call()
                    .unwrap()
                    .body_mut()
                    .read_json()
                    .unwrap()
            })
        };
        let first = provenance().await.unwrap();
        assert!(first["breaks"].is_array(), "{first}");
        assert_eq!(
            linked_breaks(&first, &link),
            Vec::<String>::new(),
            "{first}"
        );

        // The issuer takes its DNS record down; nothing is recorded here.
        dns.0.lock().unwrap().clear();
        let mut after = serde_json::Value::Null;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            after = provenance().await.unwrap();
            if !linked_breaks(&after, &link).is_empty() {
                break;
            }
        }
        assert_eq!(linked_breaks(&after, &link), ["not-verified"], "{after}");
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn serves_revocations_from_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let hash = corridor_format::keccak256(b"doc");
        {
            let mut store = Store::open(&path).unwrap();
            store
                .issue(
                    "carrier",
                    &[Batch {
                        root: hash,
                        documents: vec![hash],
                    }],
                )
                .unwrap();
            store
                .revoke("carrier", &[hash], RevocationReason::Superseded, "")
                .unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, test_config(path), async {
            stopped.await.ok();
        }));
        let get = |url: String| {
            tokio::task::spawn_blocking(move || {
                let mut response = ureq::get(&url)
                    .config()
                    .http_status_as_error(false)
                    .build()
                    .call()
                    .unwrap();
                let status = response.status().as_u16();
                let body: serde_json::Value = response.body_mut().read_json().unwrap();
                (status, body)
            })
        };
        let (status, body) = get(format!("{base}/ocsp/0x{hash}")).await.unwrap();
        assert_eq!(
            (status, &body["revoked"], &body["reasonCode"]),
            (200, &json!(true), &json!(4))
        );
        let (_, body) = get(format!("{base}/ocsp/carrier/{hash}")).await.unwrap();
        assert_eq!(body["revoked"], true);
        let (_, body) = get(format!("{base}/ocsp/someone-else/0x{hash}"))
            .await
            .unwrap();
        assert_eq!(body["revoked"], false);
        let other = corridor_format::keccak256(b"other");
        let (_, body) = get(format!("{base}/ocsp/0x{other}")).await.unwrap();
        assert_eq!(
            body,
            json!({"revoked": false, "documentHash": format!("0x{other}")})
        );
        let (status, body) = get(format!("{base}/ocsp/nonsense")).await.unwrap();
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid");
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}
