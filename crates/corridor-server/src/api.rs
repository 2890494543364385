//! The HTTP API, under `/api`; `openapi.json` describes every route, body and answer.
//!
//! Verification, wrapping and obfuscation change nothing and are open; issuing, revoking,
//! sharing and acting on titles write to the store and need an API token allowed that write
//! (its scope).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::{Address, Bytes, U256};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use corridor_format::{FieldPath, Hash32, HideError, RevocationReason};
use corridor_ledger::{DEFAULT_REGISTRY_NAME, StoreError};
use corridor_title::{Action, RegistryError, SignedAction, TitleRegistry};
use corridor_verify::{ReadError, Subject, Verdict, Verifier};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::chain::{self, on_chain};
use crate::error::{
    ActingOnTitles, ApiError, Issuing, JsonBody, JsonBytes, PathParams, QueryParams, Revoking,
    Sharing, Writer, blocking, malformed, parse_json, reading, store_error, with_writer,
};
use crate::follow::ReplicaFirst;
use crate::w3c::NotRevocable;
use crate::work::{Cancel, Ticket};
use crate::{AppState, Issuer, W3cIssuer};

/// The most documents one request may verify or wrap.
pub const MAX_DOCUMENTS: usize = 1000;

/// The most leaves one request may wrap (all its documents' together), issue, or obfuscate
/// (in the document's data, and fields to hide). Tens of times a large trade document's; each
/// leaf is salted or hashed, and a salted leaf is a string of its own in memory.
pub const MAX_LEAVES: usize = 20_000;

/// The largest single document `POST /api/verify` checks offline without a thread hand-off.
const VERIFY_HERE_BYTES: usize = 256 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/verify", post(verify))
        .route("/api/examples", get(examples))
        .route("/api/wrap", post(wrap))
        .route("/api/issue", post(issue))
        .route("/api/issuer", get(issuer))
        .route("/api/obfuscate", post(obfuscate))
        .route("/api/revoke", post(revoke))
        .route("/api/titles/{registry}/{token}", get(title))
        .route("/api/titles/{registry}/{token}/history", get(history))
        .route("/api/titles/actions", post(act))
        .route("/api/titles/transactions/prepare", post(chain::prepare))
        .route("/api/titles/transactions", post(chain::submit))
        .route("/api/documents/fetch", post(fetch_document))
        .route("/api/shares", post(put_share))
        .route("/api/shares/{id}", get(get_share).delete(delete_share))
}

fn not_a_document(problem: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_a_document",
        format!("not a wrapped document: {problem}"),
    )
}

fn too_many(count: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_many_documents",
        format!("{count} documents in one request; at most {MAX_DOCUMENTS}"),
    )
}

/// `POST /api/verify`: one wrapped document (an object), or an array of them. A single
/// document is read once, straight from the body's bytes.
async fn verify(
    State(state): State<AppState>,
    ticket: Ticket,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let offline = state.offline;
    // Offline, one small document is a few hundred microseconds of CPU and no waiting: it is
    // verified where the request is, which saves two thread hand-offs (a tenth of the server's
    // time under load). What may wait on the network, or take long, goes to a worker.
    let here = offline
        && body.len() <= VERIFY_HERE_BYTES
        && body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let make_verifier = state.verifier.clone();
    let work = move |cancel: &Cancel| {
        let (verifier, replica) = make_verifier.make();
        verify_body(&body, &verifier, offline, cancel, replica.as_deref())
    };
    let answer = if here {
        ticket.run_here(work)
    } else {
        ticket.run(work).await
    }?;
    Ok(json_answer(answer))
}

/// The answer to a verify request's `body`: one document's report, or an array of each
/// document's report or error. Stops between documents once `cancel` is set.
fn verify_body(
    body: &[u8],
    verifier: &Verifier,
    offline: bool,
    cancel: &Cancel,
    replica: Option<&ReplicaFirst>,
) -> Result<Vec<u8>, ApiError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => {
            let documents: Vec<&RawValue> = serde_json::from_slice(body).map_err(malformed)?;
            if documents.len() > MAX_DOCUMENTS {
                return Err(too_many(documents.len()));
            }
            verify_many(&documents, verifier, offline, cancel, replica)
        }
        Some(b'{') => {
            let subject = read_subject(body, true)?;
            verifier.prefetch(&[&subject]);
            let verdict = verifier.verify(&subject);
            Ok(report(&verdict, offline, replica))
        }
        Some(_) if serde_json::from_slice::<&RawValue>(body).is_ok() => Err(not_a_document(
            "the body is neither a document (an object) nor an array of documents",
        )),
        _ => Err(malformed("expected a document or an array of documents")),
    }
}

/// A document read for verification: a wrapped document or a W3C credential. A body that is
/// not JSON is a malformed request; an array item that is not, a document that is not one.
fn read_subject(text: &[u8], whole_body: bool) -> Result<Subject, ApiError> {
    match Subject::parse(text) {
        // A W3C credential is verified whatever it holds: its fragments say what is wrong.
        Ok(subject) if subject.credential.is_some() || subject.v3.is_some() => Ok(subject),
        Ok(subject) => match &subject.wrapped {
            Ok(_) => Ok(subject),
            Err(problem) => Err(not_a_document(problem)),
        },
        Err(ReadError::Json(problem)) if whole_body => Err(malformed(problem)),
        Err(problem) => Err(not_a_document(problem)),
    }
}

/// The JSON array of each document's report, or its error in the API's form.
fn verify_many(
    documents: &[&RawValue],
    verifier: &Verifier,
    offline: bool,
    cancel: &Cancel,
    replica: Option<&ReplicaFirst>,
) -> Result<Vec<u8>, ApiError> {
    let mut subjects = Vec::with_capacity(documents.len());
    for document in documents {
        cancel.check()?;
        subjects.push(read_subject(document.get().as_bytes(), false));
    }
    let read: Vec<&Subject> = subjects.iter().filter_map(|s| s.as_ref().ok()).collect();
    cancel.check()?;
    verifier.prefetch(&read);
    let mut array = b"[".to_vec();
    for (i, subject) in subjects.iter().enumerate() {
        cancel.check()?;
        if i > 0 {
            array.push(b',');
        }
        match subject {
            Ok(subject) => {
                let verdict = verifier.verify(subject);
                array.extend(report(&verdict, offline, replica))
            }
            Err(e) => array.extend(
                json!({"error": {"code": e.code, "message": e.message}})
                    .to_string()
                    .into_bytes(),
            ),
        }
    }
    array.push(b']');
    Ok(array)
}

/// A JSON answer written already (on a worker).
fn json_answer(bytes: Vec<u8>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}

/// `answer` written as JSON, if it is at most `max` bytes; writing stops as soon as it would
/// be more. Wrapping outgrows its request (every leaf salted, every document given its
/// proof), and the answer is bounded with the request.
fn bounded_answer(answer: &impl serde::Serialize, max: usize) -> Result<Vec<u8>, ApiError> {
    /// Bytes up to a limit; writing past it fails.
    struct UpTo {
        bytes: Vec<u8>,
        max: usize,
    }
    impl std::io::Write for UpTo {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.bytes.len() + buf.len() > self.max {
                return Err(std::io::Error::other("over the limit"));
            }
            self.bytes.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = UpTo {
        bytes: Vec::new(),
        max,
    };
    match serde_json::to_writer(&mut out, answer) {
        Ok(()) => Ok(out.bytes),
        Err(e) if e.is_io() => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "answer_too_large",
            format!(
                "the answer would be larger than {max} bytes ({} times the body limit); send fewer or smaller documents",
                crate::ANSWER_PER_BODY
            ),
        )),
        Err(e) => Err(ApiError::internal("writing the answer", e)),
    }
}

/// A verdict as the API answers it, written on the worker thread.
fn report(verdict: &Verdict, offline: bool, replica: Option<&ReplicaFirst>) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        valid: bool,
        fragments: &'a [corridor_verify::Fragment],
        /// How fresh each replica that answered for a followed peer was.
        #[serde(skip_serializing_if = "Option::is_none")]
        replicas: Option<Value>,
    }
    let valid = if offline {
        verdict.is_valid_offline()
    } else {
        verdict.is_valid()
    };
    serde_json::to_vec(&Report {
        valid,
        fragments: &verdict.fragments,
        replicas: replica.and_then(ReplicaFirst::freshness),
    })
    .expect("a verdict serializes")
}

/// The example documents Corridor carries, raw: (name, title, document).
const EXAMPLES: [(&str, &str, &str); 6] = [
    (
        "bill-of-lading",
        "Bill of lading",
        include_str!("../../../examples/documents/bill-of-lading.json"),
    ),
    (
        "certificate-of-origin",
        "Certificate of origin",
        include_str!("../../../examples/documents/certificate-of-origin.json"),
    ),
    (
        "invoice",
        "Invoice",
        include_str!("../../../examples/documents/invoice.json"),
    ),
    (
        "carrier-bill-of-lading",
        "Carrier bill of lading",
        include_str!("../../../examples/documents/carrier-bill-of-lading.json"),
    ),
    (
        "warehouse-receipt",
        "Warehouse receipt",
        include_str!("../../../examples/documents/warehouse-receipt.json"),
    ),
    (
        "promissory-note",
        "Promissory note",
        include_str!("../../../examples/documents/promissory-note.json"),
    ),
];

/// `GET /api/examples`: the example documents, wrapped once (on the first request), and one
/// of them altered after wrapping — something to verify on a fresh machine, tampering
/// included.
async fn examples() -> Response {
    static WRAPPED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let examples = WRAPPED.get_or_init(|| {
        let raws: Vec<Value> = EXAMPLES
            .iter()
            .map(|(_, _, text)| serde_json::from_str(text).expect("the examples are JSON"))
            .collect();
        let mut rng = rand::rng();
        let wrapped = corridor_format::wrap_documents(&raws, &mut rng)
            .expect("the examples are documents");
        let mut list: Vec<Value> = EXAMPLES
            .iter()
            .zip(wrapped)
            .map(|((name, title, _), document)| json!({"name": name, "title": title, "document": document}))
            .collect();
        let mut altered = list[0].clone();
        let vessel = &mut altered["document"]["data"]["vessel"];
        let salted = vessel.as_str().expect("the bill of lading names its vessel");
        let (salt, _) = salted.rsplit_once(':').expect("a salted value");
        *vessel = json!(format!("{salt}:MV Changed After Issue"));
        altered["name"] = json!("bill-of-lading-altered");
        altered["title"] = json!("Bill of lading, altered after issue");
        list.push(altered);
        serde_json::to_vec(&json!({"examples": list})).expect("JSON serializes")
    });
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        examples.as_slice(),
    )
        .into_response()
}

/// The raw documents of a `{"documents": [raw, …]}` body, taken out of it, for `verb`.
fn raw_documents(body: Value, verb: &str) -> Result<Vec<Value>, ApiError> {
    let raws = match body {
        Value::Object(mut fields) => fields.remove("documents"),
        _ => None,
    };
    let Some(Value::Array(raws)) = raws else {
        return Err(ApiError::bad_request(
            "invalid",
            "give {\"documents\": [raw document, …]}",
        ));
    };
    if raws.is_empty() {
        return Err(ApiError::bad_request(
            "invalid",
            format!("no documents to {verb}"),
        ));
    }
    if raws.len() > MAX_DOCUMENTS {
        return Err(too_many(raws.len()));
    }
    Ok(raws)
}

/// `raws` wrapped as one batch; a raw document that cannot be is the client's to fix. At most
/// [`MAX_LEAVES`] leaves in all: wrapping is a string and a hash a leaf.
fn wrap_batch(raws: &[Value], cancel: &Cancel) -> Result<Vec<Value>, ApiError> {
    within_the_leaf_cap(raws)?;
    cancel.check()?;
    corridor_format::wrap_documents(raws, &mut rand::rng()).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_document",
            e.to_string(),
        )
    })
}

/// `POST /api/wrap`: `{"documents": [raw, …]}` wrapped as one batch.
async fn wrap(
    State(state): State<AppState>,
    ticket: Ticket,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let max_answer = state.max_answer;
    let answer = ticket
        .run(move |cancel| {
            let raws = raw_documents(parse_json(&body)?, "wrap")?;
            let documents = wrap_batch(&raws, cancel)?;
            cancel.check()?;
            let root = &documents[0]["signature"]["merkleRoot"];
            bounded_answer(
                &json!({"merkleRoot": root, "documents": documents}),
                max_answer,
            )
        })
        .await?;
    Ok(json_answer(answer))
}

/// `GET /api/issuer`: who `POST /api/issue` signs as — the name its batches are recorded
/// under (and its revocation responder path, `/ocsp/{name}`), its DID and account, the
/// domain that vouches for it and the issuer block it puts in the documents it signs — and
/// the title registries it administers, the default one first (created when first minted
/// in), each with the issuer block of the transferable records minted there; and, under
/// `"w3c"`, the W3C issuer that signs credentials (`null` without one). A server with only a
/// W3C issuer answers that alone.
async fn issuer(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let w3c = state.w3c_issuer.as_ref().map(|i| i.described());
    let Some(issuer) = state.issuer.clone() else {
        return match w3c {
            Some(w3c) => Ok(Json(json!({"w3c": w3c}))),
            None => Err(no_issuer()),
        };
    };
    let admin = issuer.signer.address();
    let (default, others) = reading(&state, move |store| {
        Ok((
            store.registry_address(admin, DEFAULT_REGISTRY_NAME)?,
            store.registries()?,
        ))
    })
    .await?;
    let registry = |address: Address, name: &str| json!({"address": address, "name": name, "documentIssuer": issuer.transferable_block(address)});
    let registries: Vec<Value> = std::iter::once(registry(default, DEFAULT_REGISTRY_NAME))
        .chain(
            others
                .iter()
                .filter(|r| r.admin == admin && r.address != default)
                .map(|r| registry(r.address, &r.name)),
        )
        .collect();
    Ok(Json(json!({
        "name": issuer.name,
        "did": issuer.signer.did(),
        "verificationMethod": issuer.signer.verification_method(),
        "address": admin,
        "domain": issuer.domain(),
        "documentIssuer": issuer.signed_block(),
        "titleRegistries": registries,
        "w3c": w3c,
    })))
}

fn no_issuer() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "no_issuer",
        "this server holds no issuer key; start it with `corridor serve --key NAME` (and, for W3C credentials, `--w3c-key NAME`)",
    )
}

/// `POST /api/issue`, with an API token: `{"documents": [raw, …]}` wrapped as one batch,
/// signed with the server's issuer key (a DID signature over the merkle root) and recorded in
/// the store as issued; or, with `"title"`, transferable records (see [`TitleRequest`]).
/// Each document gets the server's own issuer block (see [`Issuer`]); one that names other
/// issuers is refused. With `"format": "w3c"`, the documents are W3C credentials, signed by
/// the server's W3C issuer (see [`W3cIssuer`]). Answers the issued documents.
async fn issue(
    State(state): State<AppState>,
    writer: Writer<Issuing>,
    ticket: Ticket,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    if state.issuer.is_none() && state.w3c_issuer.is_none() {
        return Err(no_issuer());
    }
    let max_answer = state.max_answer;
    // Known before the body is read: the store is not at hand on the worker.
    let default_registry = match &state.issuer {
        Some(issuer) => {
            let admin = issuer.signer.address();
            Some(
                reading(&state, move |store| {
                    store.registry_address(admin, DEFAULT_REGISTRY_NAME)
                })
                .await?,
            )
        }
        None => None,
    };
    let (signing, w3c_signing) = (state.issuer.clone(), state.w3c_issuer.clone());
    let store = state.store.clone();
    let owner = writer.name.clone();
    let (prepared, links) = ticket
        .run(move |cancel| {
            let request = issue_request(parse_json(&body)?)?;
            let IssueRequest {
                format,
                mut documents,
                title,
                link,
            } = request;
            tracing::info!(token = %writer.name, ?format, documents = documents.len(), transferable = title.is_some(), link, "issuing");
            // A link names the server's public address, which its OpenAttestation issuer knows.
            let links = if link {
                let public_url = signing.as_ref().map(|s| s.public_url()).ok_or_else(no_link_base)?;
                let w3c = matches!(format, Format::W3c);
                Some(crate::links::put_links(&mut documents, w3c, public_url, &mut rand::rng())?)
            } else {
                None
            };
            // Titles are minted by the issuer key, which administers the registries.
            let registry = match (&title, default_registry) {
                (None, _) => None,
                (Some(title), Some(default)) => Some(title.registry.unwrap_or(default)),
                (Some(_), None) => return Err(no_minter()),
            };
            match (format, title.zip(registry)) {
                (Format::OpenAttestation, None) => {
                    let signing = signing.ok_or_else(no_issuer)?;
                    sign_batch(&signing, &mut documents, max_answer, cancel).map(Prepared::Signed)
                }
                (Format::OpenAttestation, Some((title, registry))) => {
                    let signing = signing.ok_or_else(no_issuer)?;
                    wrap_transferable(&signing, &mut documents, registry, title, max_answer, cancel)
                        .map(Prepared::Transferable)
                }
                (Format::W3c, title) => {
                    let issuer = w3c_signing.ok_or_else(no_w3c_issuer)?;
                    sign_credentials(&issuer, &store, documents, title, max_answer, cancel)
                }
            }
            .map(|prepared| (prepared, links))
        })
        .await?;
    // The copies the links name are kept before the issue is recorded: a document is never
    // handed out with a link to nothing.
    if let Some(links) = links {
        let issued = prepared.documents()?;
        let policy = state.shares;
        let sealed: Vec<_> = {
            let mut rng = rand::rng();
            links
                .iter()
                .zip(&issued)
                .map(|(link, document)| (link.id.clone(), link.seal(document, &mut rng)))
                .collect()
        };
        blocking(&state, move |store| {
            sealed.iter().try_for_each(|(id, envelope)| {
                store
                    .put_share_as(id, envelope, &owner, policy.max_lifetime, &policy.limits)
                    .map(drop)
            })
        })
        .await?;
    }
    match prepared {
        Prepared::Signed(batch) => {
            let issuer = state.issuer.as_ref().ok_or_else(no_issuer)?;
            let name = issuer.name.clone();
            let record = corridor_ledger::Batch {
                root: batch.root,
                documents: batch.targets,
            };
            blocking(&state, move |store| store.issue(&name, &[record])).await?;
            Ok(json_answer(batch.answer))
        }
        Prepared::Transferable(records) => {
            let issuer = state.issuer.clone().ok_or_else(no_minter)?;
            mint_transferable(&state, issuer, records).await
        }
        Prepared::Credentials(answer) => Ok(json_answer(answer)),
    }
}

/// What an issue request asks for.
struct IssueRequest {
    format: Format,
    documents: Vec<Value>,
    title: Option<TitleRequest>,
    /// Whether each document is to carry a link to its copy (see [`crate::links`]).
    link: bool,
}

fn no_link_base() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "no_issuer",
        "links name the server's public address, which it knows with an issuer key: start it with `corridor serve --key NAME --public-url URL`",
    )
}

/// The form of the documents an issue request sends and gets back.
#[derive(Debug, Clone, Copy)]
enum Format {
    /// Raw OpenAttestation v2 documents, issued wrapped (TradeTrust's `.tt` files).
    OpenAttestation,
    /// W3C credentials without a proof, issued signed.
    W3c,
}

/// What an issue request's body asks: its `"format"` (OpenAttestation unless `"w3c"`), its
/// documents, and its `"title"`, if it asks for transferable records.
fn issue_request(mut body: Value) -> Result<IssueRequest, ApiError> {
    let fields = body.as_object_mut();
    let format = match fields.as_ref().and_then(|b| b.get("format")) {
        None => Format::OpenAttestation,
        Some(Value::String(f)) if f == "openattestation" => Format::OpenAttestation,
        Some(Value::String(f)) if f == "w3c" => Format::W3c,
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid",
                format!("\"format\" is \"openattestation\" (the default) or \"w3c\", not {other}"),
            ));
        }
    };
    let title = match fields.and_then(|b| b.remove("title")) {
        None => None,
        Some(title) => Some(serde_json::from_value::<TitleRequest>(title).map_err(|e| {
            ApiError::bad_request(
                "invalid",
                format!("\"title\" is {{\"beneficiary\", \"holder\"?, \"registry\"?}}: {e}"),
            )
        })?),
    };
    let link = match body.as_object_mut().and_then(|b| b.remove("link")) {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid",
                format!("\"link\" is true or false, not {other}"),
            ));
        }
    };
    Ok(IssueRequest {
        format,
        documents: raw_documents(body, "issue")?,
        title,
        link,
    })
}

fn no_w3c_issuer() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "no_issuer",
        "this server holds no W3C issuer key; start it with `corridor serve --w3c-key NAME --w3c-method DID_URL --w3c-status-list URL`",
    )
}

fn no_minter() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "no_issuer",
        "titles are minted by the server's issuer key, which administers its registries, and this server holds none; start it with `corridor serve --key NAME`",
    )
}

/// `credentials` made `issuer`'s (see [`W3cIssuer::claim`]), each given an entry of its
/// status list (handed out by the store) or, with `title`, a transferable record's status in
/// its registry, then signed; their answer written (at most `max_answer` bytes).
fn sign_credentials(
    issuer: &W3cIssuer,
    store: &crate::store::StoreConnections,
    mut credentials: Vec<Value>,
    title: Option<(TitleRequest, Address)>,
    max_answer: usize,
    cancel: &Cancel,
) -> Result<Prepared, ApiError> {
    let now = crate::now_ms();
    let refused = |i: usize, problem: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_document",
            format!("credential {}: {problem}", i + 1),
        )
    };
    for (i, credential) in credentials.iter_mut().enumerate() {
        issuer.claim(credential, now).map_err(|p| refused(i, p))?;
    }
    match &title {
        Some((_, registry)) => credentials
            .iter_mut()
            .for_each(|c| W3cIssuer::put_transferable_status(c, *registry)),
        None => {
            // Refused before the list hands out entries: each is checked with its entry to be.
            for (i, credential) in credentials.iter_mut().enumerate() {
                cancel.check()?;
                issuer.put_list_entry(credential, 0);
                issuer.signable(credential).map_err(|p| refused(i, p))?;
            }
            let count = credentials.len() as u64;
            let url = issuer.status_list().to_owned();
            let first = store
                .write(|store| store.allocate_status_indexes(&url, count))
                .map_err(store_error)?;
            for (index, credential) in (first..).zip(credentials.iter_mut()) {
                issuer.put_list_entry(credential, index);
            }
        }
    }
    let mut rng = rand::rng();
    let mut signed = Vec::with_capacity(credentials.len());
    for (i, credential) in credentials.iter().enumerate() {
        cancel.check()?;
        signed.push(
            issuer
                .sign(credential, now, rand::Rng::random(&mut rng))
                .map_err(|p| refused(i, p))?,
        );
    }
    match title {
        None => {
            bounded_answer(&json!({"documents": signed}), max_answer).map(Prepared::Credentials)
        }
        Some((title, registry)) => {
            let tokens = signed
                .iter()
                .map(|c| {
                    c["credentialStatus"]["tokenId"]
                        .as_str()
                        .and_then(|id| U256::from_str_radix(id, 16).ok())
                        .ok_or_else(|| {
                            ApiError::internal("issuing", "a signed record has no tokenId")
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Prepared::Transferable(TransferableRecords {
                registry,
                beneficiary: title.beneficiary,
                holder: title.holder.unwrap_or(title.beneficiary),
                tokens,
                documents: bounded_answer(&signed, max_answer)?,
            }))
        }
    }
}

/// What an issue request comes to once its documents are wrapped, before the store records
/// them.
enum Prepared {
    Signed(SignedBatch),
    Transferable(TransferableRecords),
    /// W3C credentials signed, their answer written.
    Credentials(Vec<u8>),
}

impl Prepared {
    /// The documents issued, read back from the answer written.
    fn documents(&self) -> Result<Vec<Value>, ApiError> {
        let read = |bytes: &[u8]| -> Result<Value, ApiError> {
            serde_json::from_slice(bytes).map_err(|e| ApiError::internal("the answer", e))
        };
        let documents = match self {
            Prepared::Signed(batch) => read(&batch.answer)?["documents"].take(),
            Prepared::Credentials(answer) => read(answer)?["documents"].take(),
            Prepared::Transferable(records) => read(&records.documents)?,
        };
        match documents {
            Value::Array(documents) => Ok(documents),
            _ => Err(ApiError::internal("the answer", "it lists no documents")),
        }
    }
}

/// A batch wrapped and signed, and the answer that gives it to the client.
struct SignedBatch {
    root: Hash32,
    targets: Vec<Hash32>,
    answer: Vec<u8>,
}

/// `raws`, given `issuer`'s block, wrapped as one batch and signed by it, its answer written
/// (at most `max_answer` bytes).
fn sign_batch(
    issuer: &Issuer,
    raws: &mut [Value],
    max_answer: usize,
    cancel: &Cancel,
) -> Result<SignedBatch, ApiError> {
    with_issuer_block(raws, &issuer.signed_block())?;
    let mut documents = wrap_batch(raws, cancel)?;
    let root = signature_hash(&documents[0], "merkleRoot")?;
    let targets = documents
        .iter()
        .map(|d| signature_hash(d, "targetHash"))
        .collect::<Result<Vec<_>, _>>()?;
    let created = corridor_ledger::show_time(crate::now_ms() as i64);
    let entry = issuer.signer.proof_entry(&root, &created);
    for document in &mut documents {
        document["proof"] = Value::Array(vec![entry.clone()]);
    }
    cancel.check()?;
    let answer = bounded_answer(
        &json!({"merkleRoot": root.to_string(), "documents": documents}),
        max_answer,
    )?;
    Ok(SignedBatch {
        root,
        targets,
        answer,
    })
}

/// `block` put in each of `raws` as its issuer; a document naming other issuers is refused.
fn with_issuer_block(raws: &mut [Value], block: &Value) -> Result<(), ApiError> {
    for (i, raw) in raws.iter_mut().enumerate() {
        Issuer::set_block(raw, block).map_err(|problem| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_our_issuer",
                format!("document {}: {problem}", i + 1),
            )
        })?;
    }
    Ok(())
}

/// A hash of a wrapped document's `signature` block.
fn signature_hash(document: &Value, field: &str) -> Result<Hash32, ApiError> {
    document["signature"][field]
        .as_str()
        .and_then(|h| h.parse().ok())
        .ok_or_else(|| ApiError::internal("issuing", format!("a wrapped document has no {field}")))
}

/// The title `POST /api/issue` mints for each document when the documents are transferable
/// records (bills of lading): in an embedded registry the server's issuer key administers —
/// its default one unless `registry` names another — to a first owner (`beneficiary`) and
/// holder (by default the owner), as `corridor title mint` does.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TitleRequest {
    beneficiary: Address,
    holder: Option<Address>,
    registry: Option<Address>,
}

/// Transferable records wrapped, their titles not yet minted.
struct TransferableRecords {
    registry: Address,
    beneficiary: Address,
    holder: Address,
    /// Each document's token: its merkle root.
    tokens: Vec<U256>,
    /// The documents, written as a JSON array.
    documents: Vec<u8>,
}

/// `raws` as transferable records in `registry`: each given `issuer`'s block naming the
/// registry (where verifiers look for its title), wrapped on its own (its merkle root is its
/// token), none signed (its title is its record).
fn wrap_transferable(
    issuer: &Issuer,
    raws: &mut [Value],
    registry: Address,
    title: TitleRequest,
    max_answer: usize,
    cancel: &Cancel,
) -> Result<TransferableRecords, ApiError> {
    with_issuer_block(raws, &issuer.transferable_block(registry))?;
    within_the_leaf_cap(raws)?;
    let documents = raws
        .iter()
        .map(|raw| Ok(wrap_batch(std::slice::from_ref(raw), cancel)?.remove(0)))
        .collect::<Result<Vec<Value>, ApiError>>()?;
    let tokens = documents
        .iter()
        .map(|d| signature_hash(d, "merkleRoot").map(|root| U256::from_be_bytes(root.0)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TransferableRecords {
        registry,
        beneficiary: title.beneficiary,
        holder: title.holder.unwrap_or(title.beneficiary),
        tokens,
        documents: bounded_answer(&documents, max_answer)?,
    })
}

/// Mints the titles of `records` by the issuer key, all in one store transaction, and
/// answers the documents and their titles.
async fn mint_transferable(
    state: &AppState,
    issuer: Arc<Issuer>,
    records: TransferableRecords,
) -> Result<Response, ApiError> {
    let TransferableRecords {
        registry,
        beneficiary,
        holder,
        tokens,
        documents,
    } = records;
    let minting = tokens.clone();
    let minted = with_writer(state, move |store| {
        mint_titles(
            store,
            &issuer.signer,
            registry,
            &minting,
            beneficiary,
            holder,
        )
        .map_err(registry_refusal)
    })
    .await?;
    let titles: Vec<Value> = tokens
        .iter()
        .zip(minted)
        .map(|(token, seq)| {
            json!({"registry": registry, "token": format!("{token:#066x}"), "beneficiary": beneficiary,
                   "holder": holder, "reference": format!("log #{seq}")})
        })
        .collect();
    // The documents were written on the worker; they go into the answer as written.
    let mut answer = b"{\"documents\":".to_vec();
    answer.extend(documents);
    answer.extend(b",\"titles\":");
    answer.extend(serde_json::to_vec(&titles).map_err(|e| ApiError::internal("the answer", e))?);
    answer.push(b'}');
    Ok(json_answer(answer))
}

/// Mints `tokens` to `beneficiary` and `holder` on `registry` as `signer`, all or none; the
/// signer's default registry is created first if it does not exist yet (an empty registry
/// left behind by a refused mint is harmless). The log entries of the mints.
fn mint_titles(
    store: &mut corridor_ledger::Store,
    signer: &corridor_format::did::DidSigner,
    registry: Address,
    tokens: &[U256],
    beneficiary: Address,
    holder: Address,
) -> Result<Vec<i64>, RegistryError> {
    let backend = |e: StoreError| RegistryError::Backend(Box::new(e));
    let admin = signer.address();
    if registry
        == store
            .registry_address(admin, DEFAULT_REGISTRY_NAME)
            .map_err(backend)?
        && matches!(
            store.registry(registry),
            Err(StoreError::UnknownRegistry(_))
        )
    {
        store
            .create_registry(admin, DEFAULT_REGISTRY_NAME)
            .map_err(backend)?;
    }
    let first = store.next_nonce(registry, admin).map_err(backend)?;
    let deployment = store.deployment().map_err(backend)?;
    let mints: Vec<SignedAction> = (first..)
        .zip(tokens)
        .map(|(nonce, token)| {
            SignedAction::sign(
                signer.signing_key(),
                &deployment,
                registry,
                *token,
                Action::Mint {
                    beneficiary,
                    holder,
                },
                Bytes::new(),
                nonce,
            )
        })
        .collect();
    store.submit_all(&mints)
}

/// `POST /api/obfuscate`: `{"document": wrapped, "fields": ["path", …]}`.
async fn obfuscate(
    State(state): State<AppState>,
    ticket: Ticket,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let max_answer = state.max_answer;
    let answer = ticket
        .run(move |cancel| {
            let (document, fields) = obfuscate_request(parse_json(&body)?)?;
            cancel.check()?;
            let hidden = obfuscated(document, &fields)?;
            cancel.check()?;
            bounded_answer(&json!({"document": hidden}), max_answer)
        })
        .await?;
    Ok(json_answer(answer))
}

/// The document and the fields to hide of an obfuscate request.
fn obfuscate_request(mut body: Value) -> Result<(Value, Vec<FieldPath>), ApiError> {
    let (Some(document), Some(Value::Array(fields))) = (
        body.get_mut("document").map(Value::take),
        body.get("fields"),
    ) else {
        return Err(ApiError::bad_request(
            "invalid",
            "give {\"document\": wrapped document, \"fields\": [\"path\", …]}",
        ));
    };
    if fields.len() > MAX_LEAVES {
        return Err(too_many_leaves(fields.len(), "fields to hide"));
    }
    let fields = fields
        .iter()
        .map(|f| {
            let text = f
                .as_str()
                .ok_or_else(|| ApiError::bad_request("invalid", "fields are strings"))?;
            FieldPath::from_str(text)
                .map_err(|e| ApiError::bad_request("invalid", format!("{text:?}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((document, fields))
}

/// `document` (wrapped, intact) with `fields` hidden.
fn obfuscated(document: Value, fields: &[FieldPath]) -> Result<Value, ApiError> {
    // A v2 document's leaves are in its data; a v3 one's are the document.
    let leaves = document
        .get("data")
        .map_or_else(|| leaf_count(&document), leaf_count);
    if leaves > MAX_LEAVES {
        return Err(too_many_leaves(leaves, "leaves in the document's data"));
    }
    let mut document = document;
    corridor_format::hide_fields(&mut document, fields).map_err(|e| match e {
        HideError::NotADocument(e) => not_a_document(e),
        HideError::Tampered(t) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "tampered",
            format!("the document does not verify ({t})"),
        ),
        HideError::Refused(e) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
        }
    })?;
    Ok(document)
}

fn too_many_leaves(count: usize, what: &str) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_many_leaves",
        format!("{count} {what}; at most {MAX_LEAVES}"),
    )
}

/// Refuses raw documents of more than [`MAX_LEAVES`] leaves in all.
fn within_the_leaf_cap(raws: &[Value]) -> Result<(), ApiError> {
    let leaves: usize = raws.iter().map(leaf_count).sum();
    if leaves > MAX_LEAVES {
        return Err(too_many_leaves(leaves, "leaves in the documents"));
    }
    Ok(())
}

/// How many leaves `data` flattens to: its values that are not non-empty objects or arrays.
fn leaf_count(data: &Value) -> usize {
    match data {
        Value::Object(m) if !m.is_empty() => m.values().map(leaf_count).sum(),
        Value::Array(a) if !a.is_empty() => a.iter().map(leaf_count).sum(),
        _ => 1,
    }
}

/// `POST /api/revoke`: `{"hash", "issuer"?, "reason"?, "note"?}`, with an API token.
async fn revoke(
    State(state): State<AppState>,
    writer: Writer<Revoking>,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    if let Some(credential) = body.0.get("credential") {
        return revoke_credential(&state, writer, credential.clone()).await;
    }
    let field = |name: &str| body.0.get(name).and_then(Value::as_str).map(str::to_string);
    let hash = field("hash")
        .and_then(|h| Hash32::from_str(h.strip_prefix("0x").unwrap_or(&h)).ok())
        .ok_or_else(|| {
            ApiError::bad_request("invalid", "give \"hash\": a 32-byte hash, 64 hex digits")
        })?;
    let reason = match field("reason") {
        None => RevocationReason::Unspecified,
        Some(name) => RevocationReason::from_name(&name).ok_or_else(|| {
            ApiError::bad_request(
                "invalid",
                format!("{name:?} is not a revocation reason (superseded, key-compromise, …)"),
            )
        })?,
    };
    let note = field("note").unwrap_or_default();
    let issuer = field("issuer");
    if let Some(issuer) = &issuer {
        writer.may_revoke_for(issuer)?;
    }
    tracing::info!(token = %writer.name, "revoking");
    // Only what the store issued: a token cannot fill the audit log with made-up hashes.
    let issuer = blocking(&state, move |store| {
        let issuer = match issuer {
            Some(issuer) => issuer,
            None => only_issuer(store)?,
        };
        if let Err(refused) = writer.may_revoke_for(&issuer) {
            return Ok(Err(refused));
        }
        store.revoke_issued(&issuer, &[hash], reason, &note)?;
        Ok(Ok(issuer))
    })
    .await??;
    Ok(Json(
        json!({"revoked": format!("0x{hash}"), "issuer": issuer}),
    ))
}

/// `POST /api/revoke` with `{"credential": {…}}`: a W3C credential the server's W3C issuer
/// issued, revoked by setting its entry on the issuer's revocation list, which the issuer's
/// key signs again (the server publishes it as it is then).
async fn revoke_credential(
    state: &AppState,
    writer: Writer<Revoking>,
    credential: Value,
) -> Result<Json<Value>, ApiError> {
    let issuer = state.w3c_issuer.clone().ok_or_else(no_w3c_issuer)?;
    writer.may_revoke_for(issuer.did())?;
    tracing::info!(token = %writer.name, issuer = %issuer.did(), "revoking a W3C credential");
    let revoking = issuer.clone();
    let indexes = with_writer(state, move |store| {
        let random = rand::Rng::random(&mut rand::rng());
        revoking
            .revoke(store, &credential, crate::now_ms(), random)
            .map_err(store_error)?
            .map_err(|refused| match refused {
                NotRevocable::AlreadyRevoked(_) => {
                    ApiError::new(StatusCode::CONFLICT, "conflict", refused.to_string())
                }
                NotRevocable::Kept(..) => ApiError::internal("revoking", refused),
                _ => ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not_revocable",
                    refused.to_string(),
                ),
            })
    })
    .await?;
    let url = issuer.status_list();
    let revoked: Vec<Value> = indexes
        .iter()
        .map(|i| json!({"statusListCredential": url, "statusListIndex": i.to_string()}))
        .collect();
    Ok(Json(json!({"revoked": revoked, "issuer": issuer.did()})))
}

fn only_issuer(store: &corridor_ledger::Store) -> Result<String, StoreError> {
    let mut issuers = store.issuers()?;
    match issuers.len() {
        1 => Ok(issuers.remove(0)),
        _ => Err(StoreError::UnknownIssuer(
            "(the store has several issuers or none; name one as \"issuer\")".into(),
        )),
    }
}

fn title_of(registry: &str, token: &str) -> Result<(Address, U256), ApiError> {
    let registry = Address::from_str(registry)
        .map_err(|_| ApiError::bad_request("invalid", "the registry is not an address"))?;
    Ok((registry, token_of(token)?))
}

pub(crate) fn token_of(token: &str) -> Result<U256, ApiError> {
    corridor_title::parse_token_id(token).ok_or_else(|| {
        ApiError::bad_request(
            "invalid",
            "the token id is not one (0x and hex digits, or a decimal number)",
        )
    })
}

/// Where the embedded registries live, as the title routes say it: the network `/rpc`
/// answers as, and the EIP-712 domain a party signs its actions on `registry` in (that of
/// `deployment`, this server's store).
fn embedded_ledger(registry: Address, deployment: corridor_title::Deployment) -> Value {
    let domain = corridor_title::SigningDomain::Deployment(deployment).eip712(registry);
    // As `eth_signTypedData_v4` takes a domain.
    let signing_domain = json!({
        "name": domain.name,
        "version": domain.version,
        "chainId": domain.chain_id.map(|id| id.to::<u64>()),
        "verifyingContract": domain.verifying_contract,
        "salt": domain.salt,
    });
    json!({"kind": "embedded", "network": "corridor", "chainId": corridor_ledger::EMBEDDED_CHAIN_ID,
           "registryVersion": corridor_title::RegistryVersion::V5, "signingDomain": signing_domain})
}

/// Where a registry's answer comes from.
enum Found<T> {
    /// The embedded store holds the registry: its answer.
    Embedded(T),
    /// The store does not: the chain the server was given is asked.
    OnChain(Arc<corridor_chain::Chain>),
}

/// What the store answered, or the chain to ask when the store holds no such registry and
/// the server has one.
fn in_store<T>(
    answer: Result<T, StoreError>,
    chain: Option<Arc<corridor_chain::Chain>>,
) -> Result<Found<T>, StoreError> {
    match (answer, chain) {
        (Err(StoreError::UnknownRegistry(_)), Some(chain)) => Ok(Found::OnChain(chain)),
        (answer, _) => answer.map(Found::Embedded),
    }
}

/// Who asks about a title, to be told what they may do with it.
#[derive(serde::Deserialize)]
struct PartyQuery {
    party: Option<String>,
}

/// `GET /api/titles/{registry}/{token}[?party=0xADDRESS]`: the title; with a party, also the
/// nonce its next signed action must carry and the actions open to it now.
async fn title(
    State(state): State<AppState>,
    PathParams((registry, token)): PathParams<(String, String)>,
    QueryParams(query): QueryParams<PartyQuery>,
) -> Result<Json<Value>, ApiError> {
    let (registry, token) = title_of(&registry, &token)?;
    let party = query
        .party
        .map(|p| {
            Address::from_str(&p)
                .map_err(|_| ApiError::bad_request("invalid", "the party is not an address"))
        })
        .transpose()?;
    let chain = state.chain.clone();
    let found = reading(&state, move |store| {
        let info = match in_store(store.registry(registry), chain)? {
            Found::Embedded(info) => info,
            Found::OnChain(chain) => return Ok(Found::OnChain(chain)),
        };
        let deployment = store.deployment()?;
        let Some(title) = store.title(registry, token)? else {
            return Ok(Found::Embedded((None, None, deployment)));
        };
        let party = match party {
            Some(party) => Some(json!({
                "address": party,
                "nonce": store.next_nonce(registry, party)?,
                "open": corridor_title::open_actions(
                    corridor_title::RegistryVersion::V5,
                    &info.roles(),
                    &title,
                    party,
                ),
            })),
            None => None,
        };
        Ok(Found::Embedded((Some(title), party, deployment)))
    })
    .await?;
    let (title, party, ledger) = match found {
        Found::Embedded((title, party, deployment)) => {
            (title, party, embedded_ledger(registry, deployment))
        }
        Found::OnChain(chain) => {
            let (title, party, version) =
                on_chain(&state, chain.clone(), registry, move |titles| {
                    let title = titles.title(token).map_err(registry_refusal)?;
                    let party = match (party, &title) {
                        (Some(party), Some(title)) => {
                            let roles = titles.roles_of(party).map_err(chain::chain_failure)?;
                            Some(json!({
                                "address": party,
                                "open": corridor_title::open_actions(
                                    titles.version(),
                                    &roles,
                                    title,
                                    party,
                                ),
                            }))
                        }
                        _ => None,
                    };
                    Ok((title, party, titles.version()))
                })
                .await?;
            (title, party, chain::ledger(&chain, version))
        }
    };
    let title = title.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no title {token:#x} was minted on {registry}"),
        )
    })?;
    let mut answer = json!({"registry": registry, "token": format!("{token:#066x}"),
                            "ledger": ledger, "title": title});
    if let Some(party) = party {
        answer["party"] = party;
    }
    Ok(Json(answer))
}

/// `GET /api/titles/{registry}/{token}/history`.
async fn history(
    State(state): State<AppState>,
    PathParams((registry, token)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (registry, token) = title_of(&registry, &token)?;
    let chain = state.chain.clone();
    let found = reading(&state, move |store| {
        let found = in_store(store.title_history(registry, token), chain)?;
        Ok(match found {
            Found::Embedded(history) => Found::Embedded((history, store.deployment()?)),
            Found::OnChain(chain) => Found::OnChain(chain),
        })
    })
    .await?;
    let (history, ledger) = match found {
        Found::Embedded((history, deployment)) => (
            serde_json::to_value(history),
            embedded_ledger(registry, deployment),
        ),
        Found::OnChain(chain) => {
            let (history, version) = on_chain(&state, chain.clone(), registry, move |titles| {
                Ok((
                    titles.history(token).map_err(registry_refusal)?,
                    titles.version(),
                ))
            })
            .await?;
            (
                serde_json::to_value(history),
                chain::ledger(&chain, version),
            )
        }
    };
    let history = history.map_err(|e| ApiError::internal("the history", e))?;
    Ok(Json(
        json!({"registry": registry, "token": format!("{token:#066x}"),
                   "ledger": ledger, "history": history}),
    ))
}

/// `POST /api/titles/actions`: an action signed by its actor (`SignedAction`), with an API
/// token.
async fn act(
    State(state): State<AppState>,
    writer: Writer<ActingOnTitles>,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let signed: SignedAction = serde_json::from_value(body.0)
        .map_err(|e| ApiError::bad_request("invalid", format!("not a signed title action: {e}")))?;
    tracing::info!(token = %writer.name, action = signed.action.name(), "title action");
    let (seq, title) = with_writer(&state, move |store| {
        let seq = store.submit(&signed).map_err(registry_refusal)?;
        let title = store
            .title(signed.registry, signed.token)
            .map_err(store_error)?;
        Ok((seq, title))
    })
    .await?;
    Ok(Json(
        json!({"reference": format!("log #{seq}"), "title": title}),
    ))
}

/// A title action the embedded registry did not accept, as the client should see it: the
/// rules' refusal (named as the contract names it), a bad signature or nonce, an unknown
/// registry, or a failure of the server's own.
pub(crate) fn registry_refusal(error: RegistryError) -> ApiError {
    match error {
        RegistryError::Refused(rule) => {
            ApiError::new(StatusCode::CONFLICT, rule.name(), rule.to_string())
        }
        RegistryError::Signature(e) => {
            ApiError::new(StatusCode::FORBIDDEN, "invalid_signature", e.to_string())
        }
        e @ RegistryError::Nonce { .. } => {
            ApiError::new(StatusCode::CONFLICT, "invalid_nonce", e.to_string())
        }
        RegistryError::Backend(e) => match e.downcast::<StoreError>() {
            Ok(e) => store_error(*e),
            Err(e) => chain::chain_backend(e),
        },
    }
}

/// `POST /api/shares`: an encrypted document's envelope (never its key), with an API token,
/// and optionally `"expiresIn"`, the seconds it is to be kept; answers the id it is kept under
/// and when it expires. Within the envelope size cap and the token's quota, and only while
/// the store keeps its reserve.
async fn put_share(
    State(state): State<AppState>,
    writer: Writer<Sharing>,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let policy = state.shares;
    let lifetime = match body.0.get("expiresIn") {
        None => policy.lifetime,
        Some(seconds) => seconds
            .as_u64()
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
            .filter(|d| *d <= policy.max_lifetime)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid",
                    format!(
                        "\"expiresIn\" is the seconds to keep the share: 1 to {}",
                        policy.max_lifetime.as_secs()
                    ),
                )
            })?,
    };
    let envelope: corridor_share::Envelope = serde_json::from_value(body.0).map_err(|e| {
        ApiError::bad_request(
            "invalid",
            format!("not an encrypted document (cipherText, iv, tag, type): {e}"),
        )
    })?;
    envelope
        .check()
        .map_err(|e| ApiError::bad_request("invalid", e.to_string()))?;
    let bytes = envelope.size();
    if bytes as u64 > policy.max_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "share_too_large",
            format!(
                "the envelope is {bytes} bytes; a share is at most {} (`corridor serve --share-max-bytes`)",
                policy.max_bytes
            ),
        ));
    }
    tracing::info!(token = %writer.name, bytes, "sharing a document");
    let kept = blocking(&state, move |store| {
        store.put_share(
            &envelope,
            &writer.name,
            lifetime,
            &policy.limits,
            &mut rand::rng(),
        )
    })
    .await?;
    Ok(Json(
        json!({"id": kept.id, "expires": corridor_ledger::show_time(kept.expires)}),
    ))
}

/// The longest URI an action link may name.
const MAX_URI: usize = 2048;

/// `POST /api/documents/fetch`: `{"uri"}`, the document a TradeTrust action link names,
/// fetched by the server because the portal's pages may reach only it. The fetch keeps the
/// verifier's rules (public addresses over https, or a host `--allow-fetch` names; a bounded
/// answer) and is answered as `{"document": <its JSON>}`. An encrypted document stays so: its
/// key travels in the link, which the page keeps.
async fn fetch_document(
    State(state): State<AppState>,
    ticket: Ticket,
    body: JsonBody,
) -> Result<Response, ApiError> {
    let uri = match body.0.get("uri").and_then(Value::as_str) {
        Some(uri)
            if uri.len() <= MAX_URI
                && (uri.starts_with("https://") || uri.starts_with("http://")) =>
        {
            uri.to_string()
        }
        _ => {
            return Err(ApiError::bad_request(
                "invalid",
                format!("give {{\"uri\": an http(s) URL of at most {MAX_URI} characters}}"),
            ));
        }
    };
    let http = state.verifier.http().ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "offline",
            "this server is offline (`--offline`): it fetches nothing",
        )
    })?;
    let answer = ticket
        .run(move |_| {
            let unreachable =
                |why: String| ApiError::new(StatusCode::BAD_GATEWAY, "fetch_failed", why);
            let response = http
                .get(&uri)
                .map_err(|e| unreachable(format!("{uri} could not be fetched: {e}")))?;
            if response.status != 200 {
                return Err(unreachable(format!(
                    "{uri} answered HTTP {}",
                    response.status
                )));
            }
            let document: Value = serde_json::from_slice(&response.body).map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "not_json",
                    format!("{uri} did not answer with JSON: {e}"),
                )
            })?;
            Ok(serde_json::to_vec(&json!({"document": document})).expect("JSON serializes"))
        })
        .await?;
    Ok(json_answer(answer))
}

/// The share id of a path, if it is one (32 hex digits).
fn share_id(id: String) -> Result<String, ApiError> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(
            "invalid",
            "the share id is not one (32 hex digits)",
        ));
    }
    Ok(id.to_ascii_lowercase())
}

/// `GET /api/shares/{id}`: the envelope kept as `id` and when it expires; an expired share is
/// not found.
async fn get_share(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let id = share_id(id)?;
    let found = reading(&state, move |store| store.share(&id)).await?;
    let (envelope, expires) = found.ok_or_else(|| store_error(StoreError::UnknownShare))?;
    let mut answer = serde_json::to_value(envelope).expect("an envelope serializes");
    answer["expires"] = json!(corridor_ledger::show_time(expires));
    // Any page may fetch it, as TradeTrust's opens the document an action link names: it is
    // encrypted, and its key is only in the link.
    Ok((
        [(axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        Json(answer),
    )
        .into_response())
}

/// `DELETE /api/shares/{id}`, with the API token that made the share.
async fn delete_share(
    State(state): State<AppState>,
    writer: Writer<Sharing>,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let id = share_id(id)?;
    tracing::info!(token = %writer.name, "deleting a share");
    let deleted = id.clone();
    blocking(&state, move |store| {
        store.delete_share(&deleted, corridor_ledger::Deleter::Token(&writer.name))
    })
    .await?;
    Ok(Json(json!({"deleted": id})))
}

/// Deletes the shares expired by now; how many there were.
pub(crate) async fn expire_shares(state: &AppState) -> Result<usize, ApiError> {
    blocking(state, |store| store.expire_shares()).await
}
