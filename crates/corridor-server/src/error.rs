//! How the API says no: every error is `{"error": {"code", "message"}}` with the HTTP status
//! that fits; and the extractors that produce them — a bounded JSON body, an API token.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::AppState;

/// An API error: a status, a stable code for programs, a message for people.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

/// The fallback: no such route.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; see /openapi.json",
    )
}

/// A request body within the server's size limit, as sent.
pub struct BodyBytes(pub axum::body::Bytes);

impl FromRequest<AppState> for BodyBytes {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(request, state)
            .await
            .map(BodyBytes)
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

/// The error for a body that is not JSON.
pub fn malformed(problem: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        "malformed_json",
        format!("the request body is not JSON: {problem}"),
    )
}

/// A request body: JSON, within the server's size limit.
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let BodyBytes(bytes) = BodyBytes::from_request(request, state).await?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(malformed)
    }
}

/// A request made with a live API token (`Authorization: Bearer <token>`); holds its name.
pub struct Writer(pub String);

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = |message: &str| {
            let mut error = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
            if parts
                .headers
                .get(axum::http::header::AUTHORIZATION)
                .is_some()
            {
                error = ApiError::new(StatusCode::FORBIDDEN, "forbidden", message);
            }
            error
        };
        let Some(token) = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string)
        else {
            return Err(unauthorized(
                "this route writes: send an API token as `Authorization: Bearer <token>` (`corridor token new`)",
            ));
        };
        let name = blocking(state, move |store| store.api_token_name(&token)).await?;
        name.map(Writer)
            .ok_or_else(|| unauthorized("the API token is not a live one"))
    }
}

/// Runs `work` on the store off the async workers, within the request timeout.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut corridor_ledger::Store) -> Result<T, corridor_ledger::StoreError>
    + Send
    + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    let job = tokio::task::spawn_blocking(move || {
        let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
        work(&mut store)
    });
    match tokio::time::timeout(state.timeout, job).await {
        Err(_) => Err(timeout()),
        Ok(Err(e)) => Err(ApiError::internal("the store", e)),
        Ok(Ok(Err(e))) => Err(store_error(e)),
        Ok(Ok(Ok(value))) => Ok(value),
    }
}

/// The error the request timeout gives.
pub fn timeout() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "timeout",
        "the request took longer than the server allows",
    )
}

/// A store error as the client should see it: what it asked that cannot be, or a failure.
fn store_error(e: corridor_ledger::StoreError) -> ApiError {
    use corridor_ledger::StoreError as E;
    match e {
        E::AlreadyIssued { .. }
        | E::AlreadyRevoked { .. }
        | E::RegistryExists { .. }
        | E::TokenExists(_) => ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string()),
        E::UnknownIssuer(_) | E::UnknownRegistry(_) | E::UnknownToken(_) => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
        }
        E::BadIssuer(_) | E::BadBatch { .. } | E::BadTokenName(_) => {
            ApiError::bad_request("invalid", e.to_string())
        }
        other => ApiError::internal("the store", other),
    }
}
