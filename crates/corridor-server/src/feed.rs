//! `GET /api/feed`: this node's status feed, for nodes of the other region to follow — the
//! public part of each audit entry a verifier needs (`corridor_feed`), a page after a cursor,
//! with the head signed by the node's issuer key (DNS-DID: its domain vouches for the key).
//! Public, as the revocation responder is: hashes and states only.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use corridor_feed::{Head, MOST_PER_PAGE, Node, Page};
use corridor_format::Hash32;
use serde::Deserialize;
use std::time::{Duration, Instant};

use crate::AppState;
use crate::error::{ApiError, QueryParams, reading};

/// Entries a page holds unless asked for fewer.
const PAGE: usize = 1000;

/// The most a page's published credentials may add up to, past its first entry: a page of
/// lists' credentials stays a size a follower reads at once.
const PUBLISHED_PER_PAGE: usize = 8 * 1024 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/feed", get(page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedQuery {
    after: Option<i64>,
    limit: Option<usize>,
    /// Seconds (a fraction allowed) to wait for an entry after `after` when there is none
    /// yet: a long poll.
    wait: Option<f64>,
}

/// The longest a page may wait for an entry.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// How often a waiting page looks at the store for what another process wrote.
const LOOK_AGAIN: Duration = Duration::from_millis(100);

async fn page(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<FeedQuery>,
) -> Result<Response, ApiError> {
    let Some(issuer) = state.issuer.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "no_issuer",
            "this node signs no status feed: start it with `corridor serve --key NAME --issuer-domain DOMAIN`",
        ));
    };
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::bad_request(
            "invalid",
            "after must be the number of an entry, 0 or more",
        ));
    }
    let limit = query.limit.unwrap_or(PAGE);
    if !(1..=MOST_PER_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid",
            format!("limit must be from 1 to {MOST_PER_PAGE}"),
        ));
    }
    let wait = Duration::try_from_secs_f64(query.wait.unwrap_or(0.0))
        .ok()
        .filter(|wait| *wait <= LONGEST_WAIT)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid",
                format!("wait must be from 0 to {} seconds", LONGEST_WAIT.as_secs()),
            )
        })?;
    // Within the request's own time, with a second to answer in.
    let until = Instant::now() + wait.min(state.timeout.saturating_sub(Duration::from_secs(1)));
    while !wait.is_zero() {
        let written = state.store.written();
        let last = reading(&state, |store| store.feed_last()).await?;
        if last.is_some_and(|(seq, _)| seq > after) || Instant::now() >= until {
            break;
        }
        let left = until.saturating_duration_since(Instant::now());
        let _ = tokio::time::timeout(LOOK_AGAIN.min(left), written).await;
    }
    // The head first, then the entries up to it: a write between the two reads adds entries
    // past the head, which this page leaves for the next.
    let (last, mut entries, deployments) = reading(&state, move |store| {
        let last = store.feed_last()?;
        let entries = store.feed_since(after, limit + 1)?;
        Ok((last, entries, store.deployed()?))
    })
    .await?;
    let (seq, hash) = last.unwrap_or((0, Hash32([0; 32])));
    entries.retain(|entry| entry.seq <= seq);
    let cut = within_bytes(&mut entries);
    let more = cut || entries.len() > limit;
    entries.truncate(limit);
    let head = Head {
        node: Node {
            did: issuer.signer.did(),
            domain: issuer.domain().to_string(),
            url: issuer.public_url().to_string(),
        },
        seq,
        hash,
        signed_at: i64::try_from(crate::now_ms()).unwrap_or(i64::MAX),
        deployments,
    };
    let page = Page {
        head: head.sign(&issuer.signer),
        entries,
        more,
    };
    Ok(axum::Json(page.to_json()).into_response())
}

/// Cuts `entries` where what they publish passes [`PUBLISHED_PER_PAGE`] (keeping one at
/// least); whether it cut.
fn within_bytes(entries: &mut Vec<corridor_feed::FeedEntry>) -> bool {
    let mut bytes = 0;
    let keep = entries
        .iter()
        .position(|entry| {
            bytes += entry.published.len();
            bytes > PUBLISHED_PER_PAGE
        })
        .map_or(entries.len(), |at| at.max(1));
    let cut = keep < entries.len();
    entries.truncate(keep);
    cut
}
