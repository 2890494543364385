//! The portal: pages for people, served from assets built into the binary (no CDN, nothing to
//! install). One page, whose script shows the part the path names: verify (`/`, and shared
//! documents at `/s/{id}`), issue (`/issue`), titles (`/titles`), share (`/share`), trace
//! (`/trace`) and companies (`/companies`).

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use std::sync::Arc;

use crate::error::{ApiError, PathParams};
use crate::{AppState, Renderers};

const INDEX: &str = include_str!("../assets/index.html");

/// The assets under `/assets/`: name, content type, contents.
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", CSS, include_str!("../assets/app.css")),
    ("app.js", JS, include_str!("../assets/app.js")),
    ("common.js", JS, include_str!("../assets/common.js")),
    ("render.js", JS, include_str!("../assets/render.js")),
    ("renderer.js", JS, include_str!("../assets/renderer.js")),
    ("templates.js", JS, include_str!("../assets/templates.js")),
    ("verify.js", JS, include_str!("../assets/verify.js")),
    ("issue.js", JS, include_str!("../assets/issue.js")),
    ("titles.js", JS, include_str!("../assets/titles.js")),
    ("share.js", JS, include_str!("../assets/share.js")),
    ("envelope.js", JS, include_str!("../assets/envelope.js")),
    ("actions.js", JS, include_str!("../assets/actions.js")),
    ("trace.js", JS, include_str!("../assets/trace.js")),
    ("companies.js", JS, include_str!("../assets/companies.js")),
    ("vendor.js", JS, include_str!("../assets/vendor.js")),
];
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Pages may load only what this server serves, send requests only to it, and frame only the
/// issuers' renderers the deployment allows (`frame-src`, filled in by [`routes`]).
const POLICY: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; frame-src";

/// The page's placeholders for the renderers it may load and how long it waits for one, which
/// its script reads.
const RENDERERS_META: &str = r#"<meta name="corridor-renderers" content="">"#;
const RENDERER_WAIT_META: &str = r#"<meta name="corridor-renderer-wait" content="5000">"#;

pub fn routes(renderers: &Renderers, renderer_wait: std::time::Duration) -> Router<AppState> {
    let page = Arc::new(Page::new(renderers, renderer_wait));
    let page = get(move || std::future::ready(page.response()));
    Router::new()
        .route("/", page.clone())
        .route("/issue", page.clone())
        .route("/titles", page.clone())
        .route("/share", page.clone())
        .route("/trace", page.clone())
        .route("/companies", page.clone())
        .route("/s/{id}", page)
        .route("/assets/{name}", get(asset))
}

/// The one page, as this deployment serves it.
struct Page {
    policy: String,
    page_text: String,
}

impl Page {
    /// The page that may frame `renderers`, and tells its script which they are and how long
    /// to wait for one to answer.
    fn new(renderers: &Renderers, renderer_wait: std::time::Duration) -> Page {
        let page_text = INDEX
            .replacen(
                RENDERERS_META,
                &format!(
                    r#"<meta name="corridor-renderers" content="{}">"#,
                    renderers.for_page()
                ),
                1,
            )
            .replacen(
                RENDERER_WAIT_META,
                &format!(
                    r#"<meta name="corridor-renderer-wait" content="{}">"#,
                    renderer_wait.as_millis()
                ),
                1,
            );
        Page {
            policy: format!("{POLICY} {}", renderers.frame_sources()),
            page_text,
        }
    }

    fn response(&self) -> Response {
        (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, self.policy.as_str()),
            ],
            self.page_text.clone(),
        )
            .into_response()
    }
}

async fn asset(PathParams(name): PathParams<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, body)) => ([(header::CONTENT_TYPE, *kind)], *body).into_response(),
        None => ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such asset").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_frames_the_renderers_allowed_and_tells_its_script_which() {
        let listed = Renderers::Listed(vec![
            "https://a.example".parse().unwrap(),
            "http://127.0.0.1:9000".parse().unwrap(),
        ]);
        for (renderers, frames, meta) in [
            (Renderers::None, "'none'", ""),
            (
                listed,
                "https://a.example http://127.0.0.1:9000",
                "https://a.example http://127.0.0.1:9000",
            ),
            (Renderers::AnyHttps, "https:", "https:"),
        ] {
            let page = Page::new(&renderers, std::time::Duration::from_secs(7));
            assert!(
                page.page_text
                    .contains(r#"<meta name="corridor-renderer-wait" content="7000">"#)
            );
            assert!(
                page.policy.ends_with(&format!("; frame-src {frames}")),
                "{}",
                page.policy
            );
            assert!(page.policy.starts_with("default-src 'self';"));
            let tag = format!(r#"<meta name="corridor-renderers" content="{meta}">"#);
            assert_eq!(page.page_text.matches(&tag).count(), 1, "{renderers:?}");
            assert_eq!(page.page_text.matches("corridor-renderers").count(), 1);
        }
    }
}
