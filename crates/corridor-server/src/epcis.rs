//! EPCIS 2.0's REST binding, so that a system built for an EPCIS 2.0 repository works against
//! Corridor unchanged: capture (`POST /capture` as a capture job, `GET /capture[/{id}]`,
//! `POST /events` for one event) and query (`GET /events` with the standard's query
//! parameters, `GET /events/{eventID}`, and the same query under `/eventTypes/{type}`,
//! `/epcs/{epc}`, `/bizSteps/{step}`, `/bizLocations/{gln}`, `/readPoints/{gln}` and
//! `/dispositions/{disposition}`), paged with `perPage` and `nextPageToken` (the `Link` header
//! names the next page). Errors are RFC 7807 problems typed as the standard's exceptions.
//!
//! Every route needs an API token with the trace scope. A token for one party captures only
//! what that party recorded (an event naming none is given it) and sees that party's events
//! and, about the same things, its partners'; the repository operator's token (made without
//! `--party`) captures and sees any party's. Captured events are issued as credentials by the
//! server's issuer key, each naming the party that recorded it.

use std::collections::HashSet;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use corridor_capture::{CaptureError, OnError, Refusal};
use corridor_epcis::{Epc, Event};
use corridor_ledger::{CaptureJob, Scope, TraceParty};
use corridor_trace::{EventQuery, OrderBy, Trace};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, JsonBytes, PathParams, live_token, reading, take_write, with_writer};
use crate::work::off_the_async_threads;

/// The most events one capture takes (`GS1-EPCIS-Capture-Limit`).
pub const CAPTURE_LIMIT: usize = 10_000;

/// Events per page unless `perPage` says otherwise, and the most it may say.
const PER_PAGE: usize = 30;
const MOST_PER_PAGE: usize = 1000;

/// Capture jobs per page of `GET /capture`.
const JOBS_PER_PAGE: usize = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/capture",
            get(capture_jobs).post(capture).options(capture_options),
        )
        .route("/capture/{id}", get(capture_job))
        .route("/events", get(events).post(capture_one))
        .route("/events/{id}", get(event))
        .route("/eventTypes/{value}/events", get(under("eventType")))
        .route("/epcs/{value}/events", get(under("MATCH_anyEPC")))
        .route("/bizSteps/{value}/events", get(under("EQ_bizStep")))
        .route("/bizLocations/{value}/events", get(under("EQ_bizLocation")))
        .route("/readPoints/{value}/events", get(under("EQ_readPoint")))
        .route("/dispositions/{value}/events", get(under("EQ_disposition")))
}

/// An EPCIS exception as an RFC 7807 problem.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    /// The exception's name: `ValidationException`, `QueryParameterException`…
    exception: &'static str,
    detail: String,
    retry_after: Option<u64>,
}

impl Problem {
    fn new(status: StatusCode, exception: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            exception,
            detail: detail.into(),
            retry_after: None,
        }
    }

    fn validation(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "ValidationException", detail)
    }

    fn query_parameter(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "QueryParameterException", detail)
    }

    fn no_such(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "NoSuchResourceException", detail)
    }

    fn body(&self) -> Value {
        problem_body(self.exception, self.status, &self.detail)
    }
}

fn problem_body(exception: &str, status: StatusCode, detail: &str) -> Value {
    json!({
        "type": format!("epcisException:{exception}"),
        "title": status.canonical_reason().unwrap_or("error"),
        "status": status.as_u16(),
        "detail": detail,
    })
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Problem {
        let exception = match e.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "SecurityException",
            StatusCode::NOT_FOUND => "NoSuchResourceException",
            StatusCode::PAYLOAD_TOO_LARGE => "CaptureLimitExceededException",
            StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE => "ValidationException",
            StatusCode::CONFLICT => "ResourceAlreadyExistsException",
            _ => "ImplementationException",
        };
        Problem {
            status: e.status,
            exception,
            detail: e.message,
            retry_after: e.retry_after,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body().to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        versions(headers);
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
            headers.insert("GS1-EPCIS-Capture-Limit", CAPTURE_LIMIT.into());
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// The versions every answer names.
fn versions(headers: &mut HeaderMap) {
    headers.insert("GS1-EPCIS-Version", HeaderValue::from_static("2.0.0"));
    headers.insert("GS1-CBV-Version", HeaderValue::from_static("2.0.0"));
}

/// A request with an API token holding the trace scope: its name and party.
pub struct TraceToken {
    name: String,
    party: TraceParty,
}

impl FromRequestParts<AppState> for TraceToken {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let live = live_token(parts, state, Scope::Trace, "EPCIS capture and query").await?;
        Ok(TraceToken {
            name: live.name,
            party: live.scopes.trace.unwrap_or(TraceParty::Any),
        })
    }
}

/// The capture interface's settings: `OPTIONS /capture`.
async fn capture_options(State(state): State<AppState>) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    versions(headers);
    headers.insert(
        header::ALLOW,
        HeaderValue::from_static("OPTIONS, POST, GET"),
    );
    headers.insert("GS1-EPCIS-Capture-Limit", CAPTURE_LIMIT.into());
    headers.insert("GS1-EPCIS-Capture-File-Size-Limit", state.max_body.into());
    headers.insert(
        "GS1-Capture-Error-Behaviour",
        HeaderValue::from_static("all"),
    );
    response
}

/// `POST /capture`: an EPCISDocument (or EPCISQueryDocument) captured as a job, all or
/// nothing unless `GS1-Capture-Error-Behaviour: proceed`. A document that fails GS1's schema
/// is refused whole (400), as the standard has it; what is refused of its events (one naming
/// another recorder, a hash eventID that is not the event's) is the job's errors.
async fn capture(
    State(state): State<AppState>,
    token: TraceToken,
    headers: HeaderMap,
    body: Request,
) -> Result<Response, Problem> {
    let on_error = match headers
        .get("GS1-Capture-Error-Behaviour")
        .map(|v| v.to_str().unwrap_or(""))
    {
        None | Some("rollback") => OnError::Rollback,
        Some("proceed") => OnError::Proceed,
        Some(other) => {
            return Err(Problem::validation(format!(
                "GS1-Capture-Error-Behaviour {other:?} is not rollback or proceed"
            )));
        }
    };
    take_write(&state, &token.name)?;
    let JsonBytes(bytes) = JsonBytes::from_request(body, &state).await?;
    let bytes =
        off_the_async_threads(move |_| Ok(checked_document(&bytes).map(|()| bytes))).await??;
    let created = crate::now_ms() as i64;
    let id = job_id();
    let outcome = record(&state, &token, on_error, bytes.to_vec()).await?;
    let (success, report) = match outcome {
        Ok(done) => (
            done.refused_count == 0,
            json!({
                "captured": done.recorded,
                "alreadyRecorded": done.before,
                "refused": done.refused_count,
                "errors": errors(&done.refused),
            }),
        ),
        Err(refused) => (
            false,
            json!({"captured": 0, "alreadyRecorded": 0, "refused": refused.len(), "errors": errors(&refused)}),
        ),
    };
    let job = CaptureJob {
        id: id.clone(),
        token: token.name,
        created,
        finished: Some(crate::now_ms() as i64),
        rollback: on_error == OnError::Rollback,
        success,
        report: report.to_string(),
    };
    with_writer(&state, move |store| {
        store
            .keep_capture_job(&job)
            .map_err(crate::error::store_error)
    })
    .await?;
    let mut response = StatusCode::ACCEPTED.into_response();
    let headers = response.headers_mut();
    versions(headers);
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/capture/{id}")).expect("a job ID is a header value"),
    );
    Ok(response)
}

/// Checks a capture body: an EPCIS document within the capture limit. (GS1's schema is
/// checked as it is recorded.)
fn checked_document(bytes: &[u8]) -> Result<(), Problem> {
    let document: Value = serde_json::from_slice(bytes)
        .map_err(|e| Problem::validation(format!("the body is not JSON: {e}")))?;
    let kind = document.get("type").and_then(Value::as_str).unwrap_or("");
    let events = match kind {
        "EPCISDocument" => &document["epcisBody"]["eventList"],
        "EPCISQueryDocument" => &document["epcisBody"]["queryResults"]["resultsBody"]["eventList"],
        _ => {
            return Err(Problem::validation(
                "the body is not an EPCISDocument or EPCISQueryDocument (its \"type\"); POST one event to /events",
            ));
        }
    };
    let count = events.as_array().map_or(0, Vec::len);
    if count > CAPTURE_LIMIT {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "CaptureLimitExceededException",
            format!(
                "{count} events: a capture takes {CAPTURE_LIMIT} at most (GS1-EPCIS-Capture-Limit); split it"
            ),
        ));
    }
    Ok(())
}

/// How a capture's body is named in its refusals: one naming it alone refuses it whole.
const INPUT: &str = "the capture";

/// Records the document or event `bytes` as `token`'s party, signed by the party's own key if
/// the server holds it, else by the server's issuer: what was done, or the refusals of its
/// events that rolled it back. A body refused whole (not valid EPCIS 2.0) is a 400.
async fn record(
    state: &AppState,
    token: &TraceToken,
    on_error: OnError,
    bytes: Vec<u8>,
) -> Result<Result<corridor_capture::Recorded, Vec<Refusal>>, Problem> {
    let party = match token.party {
        TraceParty::Any => None,
        TraceParty::Party(gln) => Some(gln),
    };
    let own = party.and_then(|gln| state.party_issuers.get(&gln)).cloned();
    let issuer = match own {
        Some(own) => own,
        None => state
            .issuer
            .clone()
            .map(crate::PartyIssuer::OpenAttestation)
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::NOT_IMPLEMENTED,
                    "ImplementationException",
                    "this repository records no events: it holds no key to sign them with; start it with `corridor serve --key NAME`, or `--party-key` for a party's own",
                )
            })?,
    };
    let outcome = with_writer(state, move |store| {
        let now = std::time::SystemTime::now();
        let recorder = match &issuer {
            crate::PartyIssuer::OpenAttestation(issuer) => corridor_capture::Recorder::new(
                &issuer.signer,
                issuer.name.clone(),
                issuer.signed_block(),
                party,
                now,
            ),
            crate::PartyIssuer::W3c(issuer) => corridor_capture::Recorder::w3c(
                issuer.event_issuer(),
                issuer.name().to_owned(),
                party,
                now,
            ),
        };
        match recorder.record(store, on_error, |feed| feed(INPUT.into(), bytes)) {
            Ok(done) => Ok(Ok(done)),
            Err(CaptureError::Refused(refused)) => Ok(Err(refused)),
            Err(CaptureError::Store(e)) => Err(crate::error::store_error(e)),
            Err(e @ CaptureError::Issue(_)) => Err(ApiError::internal("capture", e)),
        }
    })
    .await?;
    let refused = match &outcome {
        Ok(done) => &done.refused,
        Err(refused) => refused,
    };
    if let Some(whole) = refused.iter().find(|r| r.input == INPUT) {
        return Err(Problem::validation(whole.problem.clone()));
    }
    Ok(outcome)
}

/// Refusals as a capture job's errors.
fn errors(refused: &[Refusal]) -> Vec<Value> {
    refused
        .iter()
        .map(|r| {
            problem_body(
                "ValidationException",
                StatusCode::BAD_REQUEST,
                &r.to_string(),
            )
        })
        .collect()
}

/// A new capture job's ID: 128 random bits.
fn job_id() -> String {
    let bits: [u8; 16] = rand::random();
    const_hex::encode(bits)
}

/// `POST /events`: one event (with its `@context`), captured at once: 201 with its URL.
async fn capture_one(
    State(state): State<AppState>,
    token: TraceToken,
    body: Request,
) -> Result<Response, Problem> {
    take_write(&state, &token.name)?;
    let JsonBytes(bytes) = JsonBytes::from_request(body, &state).await?;
    let bytes = off_the_async_threads(move |_| {
        Ok((|| {
            let event: Value = serde_json::from_slice(&bytes)
                .map_err(|e| Problem::validation(format!("the body is not JSON: {e}")))?;
            if matches!(
                event.get("type").and_then(Value::as_str),
                Some("EPCISDocument" | "EPCISQueryDocument")
            ) {
                return Err(Problem::validation(
                    "POST /events takes one event; capture a document at /capture",
                ));
            }
            Ok(bytes)
        })())
    })
    .await??;
    let outcome = record(&state, &token, OnError::Rollback, bytes.to_vec()).await?;
    let done = outcome.map_err(|refused| {
        Problem::validation(refused.first().map_or_else(String::new, Refusal::to_string))
    })?;
    if done.before > 0 {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "ResourceAlreadyExistsException",
            "the event is recorded already (the same eventID)",
        ));
    }
    let id = done.first_id.unwrap_or_default();
    let mut response = StatusCode::CREATED.into_response();
    let headers = response.headers_mut();
    versions(headers);
    if let Ok(location) = HeaderValue::from_str(&format!("/events/{}", encode(&id))) {
        headers.insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET /capture`: the token's capture jobs (every job, for the operator's), in the order
/// made, paged.
async fn capture_jobs(
    State(state): State<AppState>,
    token: TraceToken,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let params = pairs(query.as_deref())?;
    let mut after = 0i64;
    let mut per_page = JOBS_PER_PAGE;
    for (name, value) in &params {
        match name.as_str() {
            "nextPageToken" => {
                after = value.parse().map_err(|_| {
                    Problem::query_parameter("nextPageToken is not one this repository gave")
                })?
            }
            "perPage" => per_page = page_size(value)?.min(JOBS_PER_PAGE),
            other => {
                return Err(Problem::query_parameter(format!(
                    "{other} is not a parameter of /capture (perPage, nextPageToken)"
                )));
            }
        }
    }
    let mine = match token.party {
        TraceParty::Any => None,
        TraceParty::Party(_) => Some(token.name),
    };
    let jobs = reading(&state, move |store| {
        store.capture_jobs(mine.as_deref(), after, per_page + 1)
    })
    .await?;
    let more = jobs.len() > per_page;
    let shown: Vec<&(i64, CaptureJob)> = jobs.iter().take(per_page).collect();
    let body: Vec<Value> = shown.iter().map(|(_, job)| job_json(job)).collect();
    let mut response = axum::Json(body).into_response();
    versions(response.headers_mut());
    if more && let Some((seq, _)) = shown.last() {
        link_next(
            response.headers_mut(),
            &format!("/capture?perPage={per_page}&nextPageToken={seq}"),
        );
    }
    Ok(response)
}

/// `GET /capture/{id}`: one job, to the token that made it (or the operator's).
async fn capture_job(
    State(state): State<AppState>,
    token: TraceToken,
    PathParams(id): PathParams<String>,
) -> Result<Response, Problem> {
    let job = reading(&state, move |store| store.capture_job(&id)).await?;
    let job = job
        .filter(|job| token.party == TraceParty::Any || job.token == token.name)
        .ok_or_else(|| Problem::no_such("no such capture job (for this token)"))?;
    let mut response = axum::Json(job_json(&job)).into_response();
    versions(response.headers_mut());
    Ok(response)
}

/// A job as the standard shows it, with what it did.
fn job_json(job: &CaptureJob) -> Value {
    let mut body = json!({
        "captureID": job.id,
        "createdAt": corridor_js::to_iso_string(job.created),
        "running": job.finished.is_none(),
        "success": job.success,
        "captureErrorBehaviour": if job.rollback { "rollback" } else { "proceed" },
    });
    if let Some(finished) = job.finished {
        body["finishedAt"] = json!(corridor_js::to_iso_string(finished));
    }
    if let Ok(Value::Object(report)) = serde_json::from_str::<Value>(&job.report) {
        for (key, value) in report {
            body[key] = value;
        }
    }
    body
}

/// The query string's parameters, decoded, in order.
fn pairs(query: Option<&str>) -> Result<Vec<(String, String)>, Problem> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or(""))
        .map_err(|_| Problem::query_parameter("the query string cannot be read"))
}

fn page_size(value: &str) -> Result<usize, Problem> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            Problem::query_parameter(format!("perPage {value:?} is not a positive whole number"))
        })
}

fn link_next(headers: &mut HeaderMap, url: &str) {
    if let Ok(link) = HeaderValue::from_str(&format!("<{url}>; rel=\"next\"")) {
        headers.insert(header::LINK, link);
    }
}

/// A path segment or query value, percent-encoded.
fn encode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|pair| pair[1..].to_owned())
        .unwrap_or_default()
}

/// `GET /events`: the query its parameters ask.
async fn events(
    State(state): State<AppState>,
    token: TraceToken,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    let params = pairs(query.as_deref())?;
    answer(state, token, "/events".into(), params).await
}

/// The answer a narrowed query's handler gives.
type Narrowed = std::pin::Pin<Box<dyn Future<Output = Result<Response, Problem>> + Send>>;

/// `GET /{resource}/{value}/events`: the query with `parameter=value` added.
fn under(
    parameter: &'static str,
) -> impl Fn(State<AppState>, TraceToken, PathParams<String>, RawQuery) -> Narrowed
+ Clone
+ Send
+ 'static {
    move |State(state), token, PathParams(value), RawQuery(query)| {
        Box::pin(async move {
            let mut params = pairs(query.as_deref())?;
            let base = match parameter {
                "eventType" => "eventTypes",
                "MATCH_anyEPC" => "epcs",
                "EQ_bizStep" => "bizSteps",
                "EQ_bizLocation" => "bizLocations",
                "EQ_readPoint" => "readPoints",
                _ => "dispositions",
            };
            let path = format!("/{base}/{}/events", encode(&value));
            params.push((parameter.to_owned(), value));
            answer(state, token, path, params).await
        })
    }
}

/// `GET /events/{eventID}`: one event in an EPCISQueryDocument.
async fn event(
    State(state): State<AppState>,
    token: TraceToken,
    PathParams(id): PathParams<String>,
) -> Result<Response, Problem> {
    let path = format!("/events/{}", encode(&id));
    answer(state, token, path, vec![("EQ_eventID".to_owned(), id)]).await
}

/// A page of a query's answer.
struct Page {
    events: Vec<Value>,
    next: Option<String>,
}

/// Answers `params` for `token` at `path`: an EPCISQueryDocument, its next page linked. At
/// `/events/{eventID}`, an event not there (or not to be seen) is a 404; a query that finds
/// nothing is an empty answer.
async fn answer(
    state: AppState,
    token: TraceToken,
    path: String,
    params: Vec<(String, String)>,
) -> Result<Response, Problem> {
    let single = path.starts_with("/events/");
    let mut per_page = PER_PAGE;
    let mut after: Option<Cursor> = None;
    for (name, value) in &params {
        match name.as_str() {
            "perPage" => per_page = page_size(value)?.min(MOST_PER_PAGE),
            "nextPageToken" => after = Some(Cursor::read(value)?),
            _ => {}
        }
    }
    let query =
        EventQuery::parse(params.clone()).map_err(|e| Problem::query_parameter(e.to_string()))?;
    let digest = query_digest(&path, &params);
    if let Some(cursor) = &after
        && cursor.query != digest
    {
        return Err(Problem::query_parameter(
            "nextPageToken belongs to another query: page with the parameters that gave it",
        ));
    }
    let page = off_the_async_threads(move |_| {
        let loaded = crate::trace::loaded(&state)?;
        let (Some(trace), recorded) = (loaded.trace.as_ref(), &loaded.recorded) else {
            return Ok(Err(Problem::no_such("no events are recorded")));
        };
        let visible = Visible::for_party(token.party, trace);
        let mut found: Vec<(Key, &Event)> = trace
            .events()
            .iter()
            .filter_map(|event| {
                let id = event.id.as_deref()?;
                let &(seq, at) = recorded.get(id)?;
                (visible.sees(event) && query.matches(event, at)).then(|| {
                    let primary = match query.order_by {
                        OrderBy::Recorded => seq,
                        OrderBy::EventTime => event.time,
                        OrderBy::RecordTime => at,
                    };
                    ((primary, seq), event)
                })
            })
            .collect();
        found.sort_unstable_by_key(|(key, _)| *key);
        if query.descending {
            found.reverse();
        }
        if let Some(limit) = query.event_count_limit {
            found.truncate(limit);
        }
        if let Some(most) = query.max_event_count
            && found.len() > most
        {
            return Ok(Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "QueryTooLargeException",
                format!(
                    "{} events match, more than maxEventCount {most}",
                    found.len()
                ),
            )));
        }
        let start = match &after {
            None => 0,
            Some(cursor) => found.partition_point(|(key, _)| {
                if query.descending {
                    *key >= cursor.key
                } else {
                    *key <= cursor.key
                }
            }),
        };
        let shown = &found[start..found.len().min(start + per_page)];
        let next = (start + shown.len() < found.len())
            .then(|| {
                shown.last().map(|(key, _)| {
                    Cursor {
                        key: *key,
                        query: digest,
                    }
                    .write()
                })
            })
            .flatten();
        let ids: Vec<String> = shown
            .iter()
            .filter_map(|(_, event)| event.id.clone())
            .collect();
        let times: Vec<i64> = ids.iter().map(|id| recorded[id].1).collect();
        drop(loaded);
        let events = state
            .store
            .read(|store| {
                ids.iter()
                    .zip(times)
                    .map(|(id, at)| {
                        let stored = store.event(id)?.ok_or_else(|| {
                            corridor_ledger::StoreError::Trace(format!("event {id} went missing"))
                        })?;
                        let mut event: Value =
                            serde_json::from_str(&stored.event).unwrap_or(Value::Null);
                        event["recordTime"] = json!(corridor_js::to_iso_string(at));
                        Ok(event)
                    })
                    .collect::<Result<Vec<Value>, corridor_ledger::StoreError>>()
            })
            .map_err(crate::error::store_error)?;
        Ok(Ok(Page { events, next }))
    })
    .await??;
    if single && page.events.is_empty() {
        return Err(Problem::no_such("no such event (that this token may see)"));
    }
    let document = json!({
        "@context": [corridor_epcis::EPCIS_CONTEXT_URL],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": corridor_js::to_iso_string(crate::now_ms() as i64),
        "epcisBody": {"queryResults": {
            "queryName": "SimpleEventQuery",
            "resultsBody": {"eventList": page.events},
        }},
    });
    let mut response = (
        [(header::CONTENT_TYPE, "application/ld+json")],
        document.to_string(),
    )
        .into_response();
    versions(response.headers_mut());
    if let Some(token) = page.next {
        let kept: Vec<(String, String)> = params
            .into_iter()
            .filter(|(name, _)| {
                name != "nextPageToken" && name != "perPage" && !path_param(&path, name)
            })
            .chain([
                ("perPage".to_owned(), per_page.to_string()),
                ("nextPageToken".to_owned(), token),
            ])
            .collect();
        let query = serde_urlencoded::to_string(kept).unwrap_or_default();
        link_next(response.headers_mut(), &format!("{path}?{query}"));
    }
    Ok(response)
}

/// Whether `name` is the parameter a resource path (`/eventTypes/{value}/events`…) adds.
fn path_param(path: &str, name: &str) -> bool {
    let added = [
        ("/eventTypes/", "eventType"),
        ("/epcs/", "MATCH_anyEPC"),
        ("/bizSteps/", "EQ_bizStep"),
        ("/bizLocations/", "EQ_bizLocation"),
        ("/readPoints/", "EQ_readPoint"),
        ("/dispositions/", "EQ_disposition"),
    ];
    added
        .iter()
        .any(|(prefix, param)| path.starts_with(prefix) && *param == name)
}

/// An event's place in an answer: its sort value, then its place in the record.
type Key = (i64, i64);

/// Where the next page starts: after `key`, in the answer to the query whose digest is
/// `query`. Written as text the client hands back.
struct Cursor {
    key: Key,
    query: u64,
}

impl Cursor {
    fn write(&self) -> String {
        format!("{}.{}.{:x}", self.key.0, self.key.1, self.query)
    }

    fn read(text: &str) -> Result<Cursor, Problem> {
        let bad = || Problem::query_parameter("nextPageToken is not one this repository gave");
        let mut parts = text.split('.');
        let (Some(a), Some(b), Some(q), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        Ok(Cursor {
            key: (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?),
            query: u64::from_str_radix(q, 16).map_err(|_| bad())?,
        })
    }
}

/// A digest of a query (its path and its parameters but the paging ones), so that a page
/// token is not taken to another query.
fn query_digest(path: &str, params: &[(String, String)]) -> u64 {
    let mut kept: Vec<&(String, String)> = params
        .iter()
        .filter(|(name, _)| name != "nextPageToken" && name != "perPage")
        .collect();
    kept.sort();
    let text = serde_json::to_string(&(path, kept)).unwrap_or_default();
    let hash = corridor_format::keccak256(text.as_bytes());
    u64::from_be_bytes(hash.0[..8].try_into().expect("8 bytes"))
}

/// What a token may see: everything, or one party's events and its partners' events about
/// the things it recorded events about.
enum Visible<'t> {
    All,
    Party {
        party: corridor_gs1::Gln,
        objects: HashSet<&'t Epc>,
    },
}

impl<'t> Visible<'t> {
    fn for_party(party: TraceParty, trace: &'t Trace) -> Visible<'t> {
        let TraceParty::Party(party) = party else {
            return Visible::All;
        };
        let objects = trace
            .events()
            .iter()
            .filter(|event| recorder(event) == Some(party))
            .flat_map(Event::objects)
            .collect();
        Visible::Party { party, objects }
    }

    fn sees(&self, event: &Event) -> bool {
        match self {
            Visible::All => true,
            Visible::Party { party, objects } => {
                recorder(event) == Some(*party) || event.objects().any(|o| objects.contains(o))
            }
        }
    }
}

fn recorder(event: &Event) -> Option<corridor_gs1::Gln> {
    event
        .recorded_by
        .as_deref()
        .and_then(|r| Epc::read(r).ok())
        .and_then(|e| e.gln())
}
