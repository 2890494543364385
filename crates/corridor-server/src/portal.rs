//! The portal: pages for people, served from assets built into the binary (no CDN, nothing to
//! install). One page, whose script shows the part the path names: verify (`/`, and shared
//! documents at `/s/{id}`), issue (`/issue`), titles (`/titles`), share (`/share`), trace
//! (`/trace`) and companies (`/companies`).

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::error::{ApiError, PathParams};

const INDEX: &str = include_str!("../assets/index.html");

/// The assets under `/assets/`: name, content type, contents.
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", CSS, include_str!("../assets/app.css")),
    ("app.js", JS, include_str!("../assets/app.js")),
    ("common.js", JS, include_str!("../assets/common.js")),
    ("render.js", JS, include_str!("../assets/render.js")),
    ("templates.js", JS, include_str!("../assets/templates.js")),
    ("verify.js", JS, include_str!("../assets/verify.js")),
    ("issue.js", JS, include_str!("../assets/issue.js")),
    ("titles.js", JS, include_str!("../assets/titles.js")),
    ("share.js", JS, include_str!("../assets/share.js")),
    ("trace.js", JS, include_str!("../assets/trace.js")),
    ("companies.js", JS, include_str!("../assets/companies.js")),
    ("vendor.js", JS, include_str!("../assets/vendor.js")),
];
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Pages may load only what this server serves, and may send requests only to it.
const POLICY: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/issue", get(page))
        .route("/titles", get(page))
        .route("/share", get(page))
        .route("/trace", get(page))
        .route("/companies", get(page))
        .route("/s/{id}", get(page))
        .route("/assets/{name}", get(asset))
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, POLICY),
        ],
        INDEX,
    )
        .into_response()
}

async fn asset(PathParams(name): PathParams<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, body)) => ([(header::CONTENT_TYPE, *kind)], *body).into_response(),
        None => ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such asset").into_response(),
    }
}
