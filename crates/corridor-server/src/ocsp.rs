//! The revocation responder that documents name as their issuer's `revocation: {"type":
//! "OCSP_RESPONDER", "location": "<url>"}`, answering from the embedded store.
//!
//! tt-verify asks `GET <location>/0x<hash>` for each hash from a document's target hash up to
//! its merkle root, and reads `{"revoked": false, "documentHash"}` or `{"revoked": true,
//! "documentHash", "reasonCode"}`. Two locations are served:
//!
//! - `/ocsp/<hash>`: revoked by any issuer of the store;
//! - `/ocsp/<issuer>/<hash>`: revoked by that issuer.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use corridor_format::Hash32;
use corridor_ledger::Revocation;
use serde_json::json;

use crate::AppState;
use crate::error::{ApiError, PathParams, reading};

pub(crate) async fn any_issuer(
    State(state): State<AppState>,
    PathParams(hash): PathParams<String>,
) -> Result<Response, ApiError> {
    answer(state, None, hash).await
}

pub(crate) async fn one_issuer(
    State(state): State<AppState>,
    PathParams((issuer, hash)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    answer(state, Some(issuer), hash).await
}

/// Looks `hash` up and answers as tt-verify expects; a failure is the API's JSON error.
async fn answer(
    state: AppState,
    issuer: Option<String>,
    hash: String,
) -> Result<Response, ApiError> {
    let parsed = parse_hash(&hash).ok_or_else(|| {
        ApiError::bad_request(
            "invalid",
            "the document hash is not a 32-byte hash (64 hex digits, 0x optional)",
        )
    })?;
    let revocation = reading(&state, move |store| {
        store.first_revoked(issuer.as_deref(), &[parsed])
    })
    .await?;
    Ok(Json(ocsp_body(&parsed, revocation.as_ref().map(revoked))).into_response())
}

/// A revocation as the responder says it: its reason's code and when.
pub(crate) fn revoked(revocation: &Revocation) -> (i64, i64) {
    (revocation.reason.code(), revocation.at)
}

/// The responder's answer for `hash`: not revoked, or revoked for a reason (its code) at a
/// time (milliseconds since 1970). The note stays with the issuer.
pub(crate) fn ocsp_body(hash: &Hash32, revoked: Option<(i64, i64)>) -> serde_json::Value {
    let document_hash = format!("0x{hash}");
    match revoked {
        None => json!({"revoked": false, "documentHash": document_hash}),
        Some((code, at)) => json!({
            "revoked": true,
            "documentHash": document_hash,
            "reasonCode": code,
            "revokedAt": corridor_ledger::show_time(at),
        }),
    }
}

pub(crate) fn parse_hash(text: &str) -> Option<Hash32> {
    text.strip_prefix("0x").unwrap_or(text).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_ledger::RevocationReason;

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
        let body = ocsp_body(&hash, Some(revoked(&revocation)));
        assert_eq!(body["reasonCode"], 1);
        assert!(body.get("note").is_none(), "the note stays with the issuer");
        assert_eq!(parse_hash(&format!("0x{hash}")), Some(hash));
        assert_eq!(parse_hash("0x12"), None);
    }
}
