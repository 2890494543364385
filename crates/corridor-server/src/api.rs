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
use corridor_format::{FieldPath, Hash32, Integrity, RevocationReason, WrappedDocument};
use corridor_ledger::{DEFAULT_REGISTRY_NAME, RegistryInfo, StoreError};
use corridor_title::{Action, RegistryError, SignedAction, TitleRegistry};
use corridor_verify::{ReadError, Subject, Verdict};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::chain::{self, on_chain};
use crate::error::{
    ActingOnTitles, ApiError, Issuing, JsonBody, JsonBytes, PathParams, QueryParams, Revoking,
    Sharing, Writer, blocking, malformed, store_error, timeout,
};
use crate::{AppState, Issuer};

/// The most documents one request may verify or wrap.
pub const MAX_DOCUMENTS: usize = 1000;

/// The most leaves `POST /api/obfuscate` takes: in the document's data, and fields to hide.
/// Tens of times a large trade document's; each leaf is hashed at least twice.
pub const MAX_OBFUSCATE_LEAVES: usize = 20_000;

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
        .route("/api/shares", post(put_share))
        .route("/api/shares/{id}", get(get_share).delete(delete_share))
}

/// Runs CPU work on the machine's worker threads (rayon's pool: one a core), within the
/// request timeout. A fixed pool, not a thread a request: under load the work queues instead
/// of the threads (and their per-thread hash memos) multiplying.
async fn compute<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (done, result) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        done.send(work()).ok();
    });
    match tokio::time::timeout(state.timeout, result).await {
        Err(_) => Err(timeout()),
        Ok(Err(e)) => Err(ApiError::internal("the work", e)),
        Ok(Ok(value)) => Ok(value),
    }
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
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    // `None`: the body is one document; `Some`: the documents of the array it is.
    let many: Option<Vec<Box<[u8]>>> = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => {
            let documents: Vec<&RawValue> = serde_json::from_slice(&body).map_err(malformed)?;
            if documents.len() > MAX_DOCUMENTS {
                return Err(too_many(documents.len()));
            }
            Some(
                documents
                    .iter()
                    .map(|d| d.get().as_bytes().into())
                    .collect(),
            )
        }
        Some(b'{') => None,
        Some(_) if serde_json::from_slice::<&RawValue>(&body).is_ok() => {
            return Err(not_a_document(
                "the body is neither a document (an object) nor an array of documents",
            ));
        }
        _ => return Err(malformed("expected a document or an array of documents")),
    };
    let offline = state.offline;
    // Offline, one small document is a few hundred microseconds of CPU and no waiting: it is
    // verified where the request is, which saves two thread hand-offs (a tenth of the server's
    // time under load). What may wait on the network, or take long, goes to the worker pool,
    // within the request timeout.
    let here = state.offline && many.is_none() && body.len() <= VERIFY_HERE_BYTES;
    let make_verifier = state.verifier.clone();
    let work = move || {
        // A body that is not JSON is a malformed request; an array item that is not, a
        // document that is not one.
        let read = |text: &[u8], whole_body: bool| match Subject::parse(text) {
            Ok(subject) => match &subject.wrapped {
                Ok(_) => Ok(subject),
                Err(problem) => Err(not_a_document(problem)),
            },
            Err(ReadError::Json(problem)) if whole_body => Err(malformed(problem)),
            Err(problem) => Err(not_a_document(problem)),
        };
        let verifier = make_verifier();
        let Some(texts) = many else {
            return Reports::One(read(&body, true).map(|subject| {
                verifier.prefetch(&[&subject]);
                report(&verifier.verify(&subject), offline)
            }));
        };
        let subjects: Vec<Result<Subject, ApiError>> =
            texts.iter().map(|t| read(t, false)).collect();
        let read: Vec<&Subject> = subjects.iter().filter_map(|s| s.as_ref().ok()).collect();
        verifier.prefetch(&read);
        Reports::Many(
            subjects
                .into_iter()
                .map(|subject| subject.map(|s| report(&verifier.verify(&s), offline)))
                .collect(),
        )
    };
    let reports = if here {
        work()
    } else {
        compute(&state, work).await?
    };
    let json = |bytes: Vec<u8>| {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response()
    };
    let results = match reports {
        Reports::One(result) => return result.map(json),
        Reports::Many(results) => results,
    };
    let mut array = b"[".to_vec();
    for (i, result) in results.into_iter().enumerate() {
        if i > 0 {
            array.push(b',');
        }
        match result {
            Ok(bytes) => array.extend_from_slice(&bytes),
            Err(e) => array.extend(
                json!({"error": {"code": e.code, "message": e.message}})
                    .to_string()
                    .into_bytes(),
            ),
        }
    }
    array.push(b']');
    Ok(json(array))
}

/// What verification answers: one document's verdict, or each of an array's.
enum Reports {
    One(Result<Vec<u8>, ApiError>),
    Many(Vec<Result<Vec<u8>, ApiError>>),
}

/// A verdict as the API answers it, written on the worker thread.
fn report(verdict: &Verdict, offline: bool) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        valid: bool,
        fragments: &'a [corridor_verify::Fragment],
    }
    let valid = if offline {
        verdict.is_valid_offline()
    } else {
        verdict.is_valid()
    };
    serde_json::to_vec(&Report {
        valid,
        fragments: &verdict.fragments,
    })
    .expect("a verdict serializes")
}

/// The example documents Corridor carries, raw: (name, title, document).
const EXAMPLES: [(&str, &str, &str); 3] = [
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
fn raw_documents(body: JsonBody, verb: &str) -> Result<Vec<Value>, ApiError> {
    let raws = match body.0 {
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

/// `raws` wrapped as one batch; a raw document that cannot be is the client's to fix.
fn wrap_batch(raws: &[Value]) -> Result<Vec<Value>, ApiError> {
    corridor_format::wrap_documents(raws, &mut rand::rng()).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_document",
            e.to_string(),
        )
    })
}

/// `POST /api/wrap`: `{"documents": [raw, …]}` wrapped as one batch.
async fn wrap(State(state): State<AppState>, body: JsonBody) -> Result<Json<Value>, ApiError> {
    let raws = raw_documents(body, "wrap")?;
    let documents = compute(&state, move || wrap_batch(&raws)).await??;
    let root = documents[0]["signature"]["merkleRoot"].clone();
    Ok(Json(json!({"merkleRoot": root, "documents": documents})))
}

/// `GET /api/issuer`: who `POST /api/issue` signs as — the name its batches are recorded
/// under (and its revocation responder path, `/ocsp/{name}`), its DID and account — and the
/// title registries it administers, the default one first (created when first minted in), so
/// that a client can name that issuer, or that registry, in the documents it sends.
async fn issuer(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let issuer = state.issuer.clone().ok_or_else(no_issuer)?;
    let admin = issuer.signer.address();
    let default = default_registry(admin);
    let others = blocking(&state, move |store| store.registries()).await?;
    let registries: Vec<Value> =
        std::iter::once(json!({"address": default, "name": DEFAULT_REGISTRY_NAME}))
            .chain(
                others
                    .into_iter()
                    .filter(|r| r.admin == admin && r.address != default)
                    .map(|r| json!({"address": r.address, "name": r.name})),
            )
            .collect();
    Ok(Json(json!({
        "name": issuer.name,
        "did": issuer.signer.did(),
        "verificationMethod": issuer.signer.verification_method(),
        "address": admin,
        "titleRegistries": registries,
    })))
}

/// The registry the issuer key `admin` mints titles in unless a request names another.
fn default_registry(admin: Address) -> Address {
    RegistryInfo::address_of(admin, DEFAULT_REGISTRY_NAME)
}

fn no_issuer() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "no_issuer",
        "this server holds no issuer key; start it with `corridor serve --key NAME`",
    )
}

/// `POST /api/issue`, with an API token: `{"documents": [raw, …]}` wrapped as one batch,
/// signed with the server's issuer key (a DID signature over the merkle root) and recorded in
/// the store as issued; or, with `"title"`, transferable records (see [`TitleRequest`]).
/// Answers the issued documents.
async fn issue(
    State(state): State<AppState>,
    writer: Writer<Issuing>,
    mut body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let issuer = state.issuer.clone().ok_or_else(no_issuer)?;
    let title = match body.0.as_object_mut().and_then(|b| b.remove("title")) {
        None => None,
        Some(title) => Some(serde_json::from_value::<TitleRequest>(title).map_err(|e| {
            ApiError::bad_request(
                "invalid",
                format!("\"title\" is {{\"beneficiary\", \"holder\"?, \"registry\"?}}: {e}"),
            )
        })?),
    };
    let raws = raw_documents(body, "issue")?;
    tracing::info!(token = %writer.name, issuer = %issuer.name, documents = raws.len(), transferable = title.is_some(), "issuing");
    match title {
        None => issue_signed(&state, issuer, raws).await,
        Some(title) => issue_transferable(&state, issuer, raws, title).await,
    }
}

/// `raws` wrapped as one batch, signed and recorded as issued by `issuer`.
async fn issue_signed(
    state: &AppState,
    issuer: Arc<Issuer>,
    raws: Vec<Value>,
) -> Result<Json<Value>, ApiError> {
    let signing = issuer.clone();
    let signed = compute(
        state,
        move || -> Result<(Hash32, Vec<Hash32>, Vec<Value>), ApiError> {
            let mut documents = wrap_batch(&raws)?;
            let root = signature_hash(&documents[0], "merkleRoot")?;
            let targets = documents
                .iter()
                .map(|d| signature_hash(d, "targetHash"))
                .collect::<Result<Vec<_>, _>>()?;
            let created = corridor_ledger::show_time(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as i64)
                    .unwrap_or_default(),
            );
            let entry = signing.signer.proof_entry(&root, &created);
            for document in &mut documents {
                document["proof"] = Value::Array(vec![entry.clone()]);
            }
            Ok((root, targets, documents))
        },
    )
    .await??;
    let (root, targets, documents) = signed;
    let name = issuer.name.clone();
    blocking(state, move |store| {
        store.issue(
            &name,
            &[corridor_ledger::Batch {
                root,
                documents: targets,
            }],
        )
    })
    .await?;
    Ok(Json(
        json!({"merkleRoot": root.to_string(), "documents": documents}),
    ))
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

/// `raws` as transferable records: each wrapped on its own (its merkle root is its token),
/// none signed (its title is its record), and their titles minted by the issuer key, all in
/// one store transaction. Each document must name the registry as an issuer's
/// `tokenRegistry`, which is where verifiers look for its title.
async fn issue_transferable(
    state: &AppState,
    issuer: Arc<Issuer>,
    raws: Vec<Value>,
    title: TitleRequest,
) -> Result<Json<Value>, ApiError> {
    let admin = issuer.signer.address();
    let registry = title.registry.unwrap_or_else(|| default_registry(admin));
    let (beneficiary, holder) = (title.beneficiary, title.holder.unwrap_or(title.beneficiary));
    if let Some(i) = raws.iter().position(|raw| !names_registry(raw, registry)) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_document",
            format!(
                "document {}: no issuer names the registry {registry} as its tokenRegistry, \
                 which a transferable record's issuer must for verifiers to find its title",
                i + 1
            ),
        ));
    }
    let documents = compute(state, move || {
        raws.iter()
            .map(|raw| Ok(wrap_batch(std::slice::from_ref(raw))?.remove(0)))
            .collect::<Result<Vec<Value>, ApiError>>()
    })
    .await??;
    let tokens = documents
        .iter()
        .map(|d| signature_hash(d, "merkleRoot").map(|root| U256::from_be_bytes(root.0)))
        .collect::<Result<Vec<_>, _>>()?;
    let store = state.store.clone();
    let minting = tokens.clone();
    let minted = compute(state, move || {
        let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
        mint_titles(
            &mut store,
            &issuer.signer,
            registry,
            &minting,
            beneficiary,
            holder,
        )
    })
    .await?
    .map_err(registry_refusal)?;
    let titles: Vec<Value> = tokens
        .iter()
        .zip(minted)
        .map(|(token, seq)| {
            json!({"registry": registry, "token": format!("{token:#066x}"), "beneficiary": beneficiary,
                   "holder": holder, "reference": format!("log #{seq}")})
        })
        .collect();
    Ok(Json(json!({"documents": documents, "titles": titles})))
}

/// Whether `raw` names `registry` as one of its issuers' `tokenRegistry`.
fn names_registry(raw: &Value, registry: Address) -> bool {
    raw["issuers"].as_array().is_some_and(|issuers| {
        issuers.iter().any(|issuer| {
            issuer["tokenRegistry"]
                .as_str()
                .and_then(|a| Address::from_str(a).ok())
                == Some(registry)
        })
    })
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
    if registry == default_registry(admin)
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
    let mints: Vec<SignedAction> = (first..)
        .zip(tokens)
        .map(|(nonce, token)| {
            SignedAction::sign(
                signer.signing_key(),
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
async fn obfuscate(State(state): State<AppState>, body: JsonBody) -> Result<Json<Value>, ApiError> {
    let (Some(document), Some(Value::Array(fields))) =
        (body.0.get("document").cloned(), body.0.get("fields"))
    else {
        return Err(ApiError::bad_request(
            "invalid",
            "give {\"document\": wrapped document, \"fields\": [\"path\", …]}",
        ));
    };
    if fields.len() > MAX_OBFUSCATE_LEAVES {
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
    let hidden = compute(&state, move || -> Result<Value, ApiError> {
        let leaves = document.get("data").map_or(0, leaf_count);
        if leaves > MAX_OBFUSCATE_LEAVES {
            return Err(too_many_leaves(leaves, "leaves in the document's data"));
        }
        let wrapped = WrappedDocument::from_value(document.clone()).map_err(not_a_document)?;
        match wrapped.check_integrity().map_err(not_a_document)? {
            Integrity::Intact => {}
            Integrity::Tampered(t) => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "tampered",
                    format!("the document does not verify ({t})"),
                ));
            }
        }
        let mut document = document;
        corridor_format::obfuscate_document(&mut document, &fields).map_err(|e| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
        })?;
        Ok(document)
    })
    .await??;
    Ok(Json(json!({"document": hidden})))
}

fn too_many_leaves(count: usize, what: &str) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_many_leaves",
        format!("{count} {what}; at most {MAX_OBFUSCATE_LEAVES}"),
    )
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
/// answers as.
fn embedded_ledger() -> Value {
    json!({"kind": "embedded", "network": "corridor", "chainId": corridor_ledger::EMBEDDED_CHAIN_ID})
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
    let found = blocking(&state, move |store| {
        let info = match in_store(store.registry(registry), chain)? {
            Found::Embedded(info) => info,
            Found::OnChain(chain) => return Ok(Found::OnChain(chain)),
        };
        let Some(title) = store.title(registry, token)? else {
            return Ok(Found::Embedded((None, None)));
        };
        let party = match party {
            Some(party) => Some(json!({
                "address": party,
                "nonce": store.next_nonce(registry, party)?,
                "open": corridor_title::open_actions(&info.roles(), &title, party),
            })),
            None => None,
        };
        Ok(Found::Embedded((Some(title), party)))
    })
    .await?;
    let (title, party, ledger) = match found {
        Found::Embedded((title, party)) => (title, party, embedded_ledger()),
        Found::OnChain(chain) => {
            let ledger = chain::ledger(&chain);
            let (title, party) = on_chain(&state, chain, registry, move |titles| {
                let title = titles.title(token).map_err(registry_refusal)?;
                let party = match (party, &title) {
                    (Some(party), Some(title)) => {
                        let roles = titles.roles_of(party).map_err(chain::chain_failure)?;
                        Some(json!({
                            "address": party,
                            "open": corridor_title::open_actions(&roles, title, party),
                        }))
                    }
                    _ => None,
                };
                Ok((title, party))
            })
            .await?;
            (title, party, ledger)
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
    let found = blocking(&state, move |store| {
        in_store(store.title_history(registry, token), chain)
    })
    .await?;
    let (history, ledger) = match found {
        Found::Embedded(history) => (serde_json::to_value(history), embedded_ledger()),
        Found::OnChain(chain) => {
            let ledger = chain::ledger(&chain);
            let history = on_chain(&state, chain, registry, move |titles| {
                titles.history(token).map_err(registry_refusal)
            })
            .await?;
            (serde_json::to_value(history), ledger)
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
    let store = state.store.clone();
    let outcome = compute(&state, move || {
        let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
        let seq = store.submit(&signed)?;
        let title = store
            .title(signed.registry, signed.token)
            .map_err(|e| RegistryError::Backend(Box::new(e)))?;
        Ok::<_, RegistryError>((seq, title))
    })
    .await?;
    let (seq, title) = outcome.map_err(registry_refusal)?;
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
            Ok(e) if matches!(*e, StoreError::UnknownRegistry(_)) => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
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
) -> Result<Json<Value>, ApiError> {
    let id = share_id(id)?;
    let found = blocking(&state, move |store| store.share(&id)).await?;
    let (envelope, expires) = found.ok_or_else(|| store_error(StoreError::UnknownShare))?;
    let mut answer = serde_json::to_value(envelope).expect("an envelope serializes");
    answer["expires"] = json!(corridor_ledger::show_time(expires));
    Ok(Json(answer))
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
