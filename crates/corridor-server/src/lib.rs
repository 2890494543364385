//! Corridor's HTTP side. Today: the revocation responder that documents name as their
//! issuer's `revocation: {"type": "OCSP_RESPONDER", "location": "<url>"}`, answering from the
//! embedded store; and `POST /rpc`, the embedded title registries answering token registry
//! questions over JSON-RPC, as a chain's node would (`rpc.rs`).
//!
//! tt-verify asks `GET <location>/0x<hash>` for each hash from a document's target hash up to
//! its merkle root, and reads `{"revoked": false, "documentHash"}` or `{"revoked": true,
//! "documentHash", "reasonCode"}`. The responder serves two locations:
//!
//! - `/ocsp/<hash>`: revoked by any issuer of the store;
//! - `/ocsp/<issuer>/<hash>`: revoked by that issuer.
//!
//! Architecture invariant: only this crate (and the HTTP clients of the verification
//! providers) knows HTTP; the store it reads knows nothing of it.

mod rpc;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use corridor_format::Hash32;
use corridor_ledger::{Revocation, Store, StoreError};
use serde_json::json;

/// What the handlers share: the store, opened once.
#[derive(Clone)]
struct AppState {
    store: Arc<Mutex<Store>>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// The routes, over the store at `store_path` (created if missing).
pub fn router(store_path: &std::path::Path) -> Result<Router, ServeError> {
    let state = AppState {
        store: Arc::new(Mutex::new(Store::open(store_path)?)),
    };
    Ok(Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/ocsp/{hash}", get(any_issuer))
        .route("/ocsp/{issuer}/{hash}", get(one_issuer))
        .route("/rpc", post(json_rpc))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state))
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store_path: PathBuf,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let app = router(&store_path)?;
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// The embedded title registries over JSON-RPC (`rpc.rs`).
async fn json_rpc(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return Json(json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "the body is not JSON"}}))
            .into_response();
    };
    let answered = tokio::task::spawn_blocking(move || {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        rpc::answer(&store, &request)
    })
    .await;
    match answered {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => {
            tracing::error!("JSON-RPC answer stopped: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn any_issuer(State(state): State<AppState>, Path(hash): Path<String>) -> Response {
    answer(state, None, hash).await
}

async fn one_issuer(
    State(state): State<AppState>,
    Path((issuer, hash)): Path<(String, String)>,
) -> Response {
    answer(state, Some(issuer), hash).await
}

/// Looks `hash` up and answers as tt-verify expects.
async fn answer(state: AppState, issuer: Option<String>, hash: String) -> Response {
    let Some(parsed) = parse_hash(&hash) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": format!("{hash:?} is not a 32-byte hash (64 hex digits, 0x optional)")})),
        )
            .into_response();
    };
    // SQLite blocks: look up off the async workers.
    let found = tokio::task::spawn_blocking(move || {
        let store = state.store.lock().unwrap_or_else(|e| e.into_inner());
        store.first_revoked(issuer.as_deref(), &[parsed])
    })
    .await;
    match found {
        Ok(Ok(revocation)) => Json(ocsp_body(&parsed, revocation.as_ref())).into_response(),
        Ok(Err(e)) => {
            tracing::error!("revocation lookup failed: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": "the store could not be read"})),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!("revocation lookup stopped: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The responder's answer for `hash`.
fn ocsp_body(hash: &Hash32, revocation: Option<&Revocation>) -> serde_json::Value {
    let document_hash = format!("0x{hash}");
    match revocation {
        None => json!({"revoked": false, "documentHash": document_hash}),
        Some(r) => json!({
            "revoked": true,
            "documentHash": document_hash,
            "reasonCode": r.reason.code(),
            "revokedAt": corridor_ledger::show_time(r.at),
        }),
    }
}

fn parse_hash(text: &str) -> Option<Hash32> {
    text.strip_prefix("0x").unwrap_or(text).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_ledger::{Batch, RevocationReason};

    #[test]
    fn answers_as_tt_verify_reads_them() {
        let hash = corridor_format::keccak256(b"doc");
        assert_eq!(
            ocsp_body(&hash, None),
            json!({"revoked": false, "documentHash": format!("0x{hash}")})
        );
        let revocation = Revocation {
            issuer: "a".into(),
            hash,
            at: 0,
            reason: RevocationReason::KeyCompromise,
            note: "internal".into(),
        };
        let body = ocsp_body(&hash, Some(&revocation));
        assert_eq!(body["reasonCode"], 1);
        assert!(body.get("note").is_none(), "the note stays with the issuer");
        assert_eq!(parse_hash(&format!("0x{hash}")), Some(hash));
        assert_eq!(parse_hash("0x12"), None);
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
                .revoke("carrier", hash, RevocationReason::Superseded, "")
                .unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, path, async {
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
        assert!(body["error"].as_str().unwrap().contains("nonsense"));
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }
}
