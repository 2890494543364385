//! The W3C status lists of the store, published: a GET of a list's URL path answers its list
//! credential as last signed, read from the store at each request (so a revocation is seen
//! at once, and a list made after the server started is published too).

use axum::extract::State;
use axum::http::{Method, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{ApiError, not_found, reading};

/// What no route answers: a status list's path, else the API's 404.
pub(crate) async fn or_not_found(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
) -> Result<Response, ApiError> {
    if method != Method::GET {
        return Err(not_found().await);
    }
    let path = uri.path().to_owned();
    let list = reading(&state, move |store| store.status_list_at(&path)).await?;
    match list {
        Some(list) => Ok((
            [(header::CONTENT_TYPE, "application/vc+ld+json")],
            list.signed,
        )
            .into_response()),
        None => Err(not_found().await),
    }
}
