//! How the server says no: every error is `{"error": {"code", "message"}}` with the HTTP status
//! that fits; and the extractors that produce them — a bounded JSON body, an API token allowed
//! the write a route makes.

use std::marker::PhantomData;

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use corridor_ledger::{Scope, Scopes};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::AppState;
use crate::work::off_the_async_threads;

/// An API error: a status, a stable code for programs, a message for people.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds after which asking again may succeed, sent as `Retry-After`: for a server,
    /// or a token, that must wait, not for a request that cannot succeed.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 503: the server (its workers, or its store) is busy now; the same request may succeed
    /// in a moment.
    pub fn busy(code: &'static str, message: &str) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
            .retry_after(RETRY_AFTER_SECONDS)
    }

    /// The error, saying that asking again after `seconds` may succeed.
    pub fn retry_after(self, seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(seconds),
            ..self
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// A failure of the server's own, logged; the client is told only that it happened.
    pub fn internal(what: &str, error: impl std::fmt::Display) -> ApiError {
        tracing::error!("{what}: {error}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("{what} failed on the server"),
        )
    }
}

/// What a busy server tells a client to wait: its work takes seconds at most.
const RETRY_AFTER_SECONDS: u64 = 1;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// The fallback: no such route. The path is not repeated: an answer never echoes what the
/// request asked for.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; see /openapi.json",
    )
}

/// A route asked with a method it does not answer (the `Allow` header lists those it does).
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not answer that method; the Allow header lists those it does",
    )
}

/// A request body sent as JSON (`Content-Type: application/json`, or a `+json` type), within
/// the server's size limit, as sent. Anything else is refused before it is read: a form or a
/// text body, which a browser sends across sites without asking, never reaches a handler.
pub struct JsonBytes(pub axum::body::Bytes);

impl FromRequest<AppState> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the request body must be JSON, sent with `Content-Type: application/json`",
            ));
        }
        axum::body::Bytes::from_request(request, state)
            .await
            .map(JsonBytes)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "the request body is larger than the server accepts",
                    )
                } else {
                    ApiError::bad_request("unreadable_body", rejection.body_text())
                }
            })
    }
}

/// Whether the request says its body is JSON: `application/json` or `application/<x>+json`,
/// parameters such as `charset` aside, in any case.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(Ok(value)) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .map(|v| v.to_str())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let suffix = subtype
        .len()
        .checked_sub(5)
        .and_then(|at| subtype.get(at..));
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || suffix.is_some_and(|s| s.eq_ignore_ascii_case("+json")))
}

/// The error for a body that is not JSON.
pub fn malformed(problem: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "malformed_json",
        format!("the request body is not JSON: {problem}"),
    )
}

/// A request body: JSON, within the server's size limit.
pub struct JsonBody(pub Value);

/// The largest body parsed where the request is; a larger one is parsed on a blocking thread,
/// so that the async threads keep answering meanwhile.
const PARSE_HERE_BYTES: usize = 64 * 1024;

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let JsonBytes(bytes) = JsonBytes::from_request(request, state).await?;
        if bytes.len() <= PARSE_HERE_BYTES {
            return parse_json(&bytes).map(JsonBody);
        }
        off_the_async_threads(move |_| parse_json(&bytes))
            .await
            .map(JsonBody)
    }
}

/// A request body's bytes as JSON.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(malformed)
}

/// A route's path parameters. A path that cannot be read as them (say, percent-encoding that
/// is not UTF-8) is a 400 that does not repeat it, as axum's own rejection would.
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(params)) => Ok(PathParams(params)),
            Err(rejection) if rejection.status().is_server_error() => Err(ApiError::internal(
                "reading the path",
                rejection.body_text(),
            )),
            Err(_) => Err(ApiError::bad_request(
                "invalid",
                "the path cannot be read (its percent-encoding is not UTF-8)",
            )),
        }
    }
}

/// A route's query string. One that cannot be read as `T` is a 400 that does not repeat it.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(query)| QueryParams(query))
            .map_err(|_| ApiError::bad_request("invalid", "the query string cannot be read"))
    }
}

/// The write a route makes, which the token it is made with must be allowed.
pub trait Write {
    const SCOPE: Scope;
}

/// `POST /api/issue`.
pub struct Issuing;
/// `POST /api/revoke`; the issuer is checked once the body names it.
pub struct Revoking;
/// `POST` and `DELETE /api/shares`.
pub struct Sharing;
/// Title actions and chain title transactions.
pub struct ActingOnTitles;

impl Write for Issuing {
    const SCOPE: Scope = Scope::Issue;
}
impl Write for Revoking {
    const SCOPE: Scope = Scope::Revoke;
}
impl Write for Sharing {
    const SCOPE: Scope = Scope::Share;
}
impl Write for ActingOnTitles {
    const SCOPE: Scope = Scope::Titles;
}

/// A request made with a live API token (`Authorization: Bearer <token>`) that may make the
/// write `W`, within its rate; holds the token's name and scopes. Checked before the body is
/// read.
pub struct Writer<W: Write> {
    pub name: String,
    pub scopes: Scopes,
    write: PhantomData<W>,
}

impl<W: Write> FromRequestParts<AppState> for Writer<W> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let live = live_token(parts, state, W::SCOPE, "this route writes").await?;
        take_write(state, &live.name)?;
        Ok(Writer {
            name: live.name,
            scopes: live.scopes,
            write: PhantomData,
        })
    }
}

/// The live API token the request is made with (`Authorization: Bearer <token>`), if it holds
/// `scope`; else 401 (no token; `why` says why one is needed) or 403 (not a live one, or
/// without the scope).
pub async fn live_token(
    parts: &Parts,
    state: &AppState,
    scope: Scope,
    why: &str,
) -> Result<corridor_ledger::LiveToken, ApiError> {
    let token = sent_token(parts, why)?;
    let live = reading(state, move |store| store.api_token(&token)).await?;
    check_token(parts, live, scope)
}

/// The live token the request sends, holding `scope`, as `find` looks it up (where the
/// request is, from what the caller keeps of the store).
pub fn live_token_found(
    parts: &Parts,
    scope: Scope,
    why: &str,
    find: impl FnOnce(&str) -> Result<Option<corridor_ledger::LiveToken>, ApiError>,
) -> Result<corridor_ledger::LiveToken, ApiError> {
    let token = sent_token(parts, why)?;
    check_token(parts, find(&token)?, scope)
}

/// The refusal of a request made with a token that is not live or lacks `scope`.
fn refusal(parts: &Parts, message: &str) -> ApiError {
    if parts
        .headers
        .contains_key(axum::http::header::AUTHORIZATION)
    {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    } else {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

/// The token the request sends as `Authorization: Bearer <token>`; else 401 or 403.
fn sent_token(parts: &Parts, why: &str) -> Result<String, ApiError> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_string)
        .ok_or_else(|| {
            refusal(
                parts,
                &format!("{why}: send an API token as `Authorization: Bearer <token>` (`corridor token new`)"),
            )
        })
}

/// The token as found, if live and holding `scope`.
fn check_token(
    parts: &Parts,
    live: Option<corridor_ledger::LiveToken>,
    scope: Scope,
) -> Result<corridor_ledger::LiveToken, ApiError> {
    let live = live.ok_or_else(|| refusal(parts, "the API token is not a live one"))?;
    if !live.scopes.allow(scope) {
        return Err(missing_scope(&live.name, scope));
    }
    Ok(live)
}

/// Counts a write against the token `name`'s rate, or says when it may write again.
pub fn take_write(state: &AppState, name: &str) -> Result<(), ApiError> {
    state.write_rate.take(name).map_err(|wait| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_writes",
            format!(
                "this API token made more writes than the server allows ({} a minute, `corridor serve --writes-per-minute`); try again later",
                state.write_rate.per_minute()
            ),
        )
        .retry_after(wait.as_secs_f64().ceil() as u64)
    })
}

impl Writer<Revoking> {
    /// The refusal for revoking for `issuer`, unless the token may.
    pub fn may_revoke_for(&self, issuer: &str) -> Result<(), ApiError> {
        if self.scopes.allow_revoking_for(issuer) {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "issuer_not_allowed",
            format!(
                "API token {:?} may not revoke for the issuer {issuer:?}; a token made with `corridor token new NAME --scope revoke --issuer {issuer:?}` may",
                self.name
            ),
        ))
    }
}

/// The refusal of a token that lacks `scope`, naming it.
fn missing_scope(token: &str, scope: Scope) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "missing_scope",
        format!(
            "API token {token:?} lacks the scope {scope:?} this route needs; a token made with `corridor token new NAME --scope {scope}` has it",
            scope = scope.name()
        ),
    )
}

/// The token of an `Authorization: Bearer <token>` value; the scheme's name is matched in
/// any case, as HTTP's authentication schemes are.
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Runs `work` on the store's writer off the async threads, after the writes before it. A
/// request gone by the time its turn comes (timed out, say) does not write.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut corridor_ledger::Store) -> Result<T, corridor_ledger::StoreError>
    + Send
    + 'static,
) -> Result<T, ApiError> {
    with_writer(state, move |store| work(store).map_err(store_error)).await
}

/// As [`blocking`], for work that says its own errors.
pub async fn with_writer<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut corridor_ledger::Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    off_the_async_threads(move |cancel| {
        store.write(|store| {
            cancel.check()?;
            work(store)
        })
    })
    .await
}

/// Runs `read` on a reader of the store off the async threads: it never waits behind a write.
pub async fn reading<T: Send + 'static>(
    state: &AppState,
    read: impl FnOnce(&corridor_ledger::Store) -> Result<T, corridor_ledger::StoreError>
    + Send
    + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    off_the_async_threads(move |_| store.read(read).map_err(store_error)).await
}

/// The error the request timeout gives.
pub fn timeout() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "timeout",
        "the request took longer than the server allows",
    )
}

/// A store error as the client should see it: what it asked that cannot be, a store busy
/// with another process's write, a full store, or a failure.
pub(crate) fn store_error(e: corridor_ledger::StoreError) -> ApiError {
    use corridor_ledger::StoreError as E;
    if e.is_busy() {
        return store_busy();
    }
    if e.is_full() {
        tracing::error!("the store is full: {e}");
        return ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "store_full",
            "the store is full: the write was not made",
        );
    }
    match e {
        E::AlreadyIssued { .. }
        | E::AlreadyRevoked { .. }
        | E::RegistryExists { .. }
        | E::TokenExists(_)
        // A full status list: the issuer must make another.
        | E::StatusList {
            fault: corridor_ledger::StatusListFault::Conflict,
            ..
        } => ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string()),
        E::StatusList {
            fault: corridor_ledger::StatusListFault::Missing,
            ..
        } => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
        E::StatusList {
            fault: corridor_ledger::StatusListFault::Invalid,
            ..
        } => ApiError::bad_request("invalid", e.to_string()),
        E::UnknownIssuer(_)
        | E::UnknownRegistry(_)
        | E::UnknownToken(_)
        | E::NotIssued { .. }
        | E::UnknownShare => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
        E::NotShareOwner => ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
        E::ShareQuota { .. } => ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "share_quota_exceeded",
            e.to_string(),
        ),
        E::ReserveReached { .. } => ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "store_reserve",
            e.to_string(),
        ),
        E::BadIssuer(_) | E::BadBatch { .. } | E::BadTokenName(_) | E::NoScopes(_) => {
            ApiError::bad_request("invalid", e.to_string())
        }
        other => ApiError::internal("the store", other),
    }
}

/// The error for a change refused because another process holds the store's write lock.
pub fn store_busy() -> ApiError {
    ApiError::busy(
        "store_busy",
        "the store is busy with another writer; retry in a moment",
    )
}
