//! Company profiles for partners, under `/api/companies`: a partner's look-ups by identifier or
//! name, one company, and the feed of profiles issued since a cursor that a mirroring partner
//! pulls. Each answer is a selectively disclosed copy of the provider's own credential,
//! revealing only what the disclosure policy allows, and each disclosure (and refusal of one
//! company) is recorded in the audit log before it is sent.
//!
//! A partner is an API token with the `companies` scope, naming the policies it may receive
//! profiles under: a request names one of them (`policy=`, which may be left out when the
//! token has one), and the legal basis it is made under (`basis=KIND:REFERENCE`).

use std::sync::LazyLock;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use corridor_company::policy::{Basis, OnMissing, Policy};
use corridor_company::{Disclosure, name_key, normalise};
use corridor_jsonld::{BundledContexts, Processor};
use corridor_ledger::{CompanyCredential, Scope};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, PathParams, QueryParams, live_token, reading, with_writer};
use crate::work::Ticket;

/// The most profiles one page of the feed gives, and what it gives unless asked for fewer.
pub const MAX_PAGE: usize = 100;

/// The most companies one look-up discloses (a common name may find more: narrow it).
pub const MAX_FOUND: usize = 20;

/// Expands profile credentials to derive copies: their contexts are bundled or inside them.
static PROCESSOR: LazyLock<Processor> = LazyLock::new(|| Processor::new(BundledContexts));

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/companies", get(look_up))
        .route("/api/companies/changes", get(changes))
        .route("/api/companies/{id}", get(one))
}

/// A request with an API token holding the companies scope: the partner's name and the
/// policies it receives profiles under.
pub struct Partner {
    name: String,
    policies: std::collections::BTreeSet<String>,
}

impl FromRequestParts<AppState> for Partner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let live = live_token(
            parts,
            state,
            Scope::Companies,
            "company profiles are for partners",
        )
        .await?;
        Ok(Partner {
            name: live.name,
            policies: live.scopes.companies.unwrap_or_default(),
        })
    }
}

/// What every request says: the policy, and the legal basis.
#[derive(Deserialize)]
pub struct Terms {
    policy: Option<String>,
    basis: Option<String>,
}

#[derive(Deserialize)]
pub struct LookUp {
    /// Anything: an id, an identifier, a name.
    q: Option<String>,
    uen: Option<String>,
    uscc: Option<String>,
    lei: Option<String>,
    name: Option<String>,
    #[serde(flatten)]
    terms: Terms,
}

#[derive(Deserialize)]
pub struct Feed {
    /// The `next` of the page before; 0 (or left out) for the first.
    #[serde(default)]
    after: i64,
    limit: Option<usize>,
    #[serde(flatten)]
    terms: Terms,
}

/// The policy and basis a request is made under, checked against its token.
struct Under {
    policy: Policy,
    basis: Option<Basis>,
}

impl Under {
    async fn of(state: &AppState, partner: &Partner, terms: &Terms) -> Result<Under, ApiError> {
        let id = match (&terms.policy, partner.policies.len()) {
            (Some(id), _) => id.clone(),
            (None, 1) => partner.policies.iter().next().cloned().unwrap_or_default(),
            (None, _) => {
                return Err(ApiError::bad_request(
                    "policy_required",
                    format!(
                        "name the disclosure policy with `policy=`: one of {}",
                        list(&partner.policies)
                    ),
                ));
            }
        };
        if !partner.policies.contains(&id) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "policy_not_allowed",
                format!(
                    "API token {:?} receives profiles under {} only, not {id:?}",
                    partner.name,
                    list(&partner.policies)
                ),
            ));
        }
        let lookup = id.clone();
        let kept = reading(state, move |store| store.policy(&lookup)).await?;
        let kept = kept.ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "policy_not_kept",
                format!(
                    "the policy {id:?} is not kept on this node (`corridor company policy add`)"
                ),
            )
        })?;
        let policy = Policy::from_toml(&kept.text)
            .map_err(|e| ApiError::internal("reading a kept policy", e))?;
        let basis = terms
            .basis
            .as_deref()
            .map(|text| match text.split_once(':') {
                Some((kind, reference))
                    if !kind.trim().is_empty() && !reference.trim().is_empty() =>
                {
                    Ok(Basis {
                        kind: kind.trim().to_owned(),
                        reference: reference.trim().to_owned(),
                    })
                }
                _ => Err(ApiError::bad_request(
                    "invalid_basis",
                    "give the legal basis as `basis=KIND:REFERENCE` (consent:C-2026-0042)",
                )),
            })
            .transpose()?;
        Ok(Under { policy, basis })
    }

    /// The refusal of the whole request, when the policy refuses without an accepted basis.
    fn refusal(&self) -> Option<&'static str> {
        (!self.policy.accepts(self.basis.as_ref()) && self.policy.on_missing == OnMissing::Refuse)
            .then(|| {
                if self.basis.is_some() {
                    "basis-not-accepted"
                } else {
                    "basis-missing"
                }
            })
    }
}

fn list(ids: &std::collections::BTreeSet<String>) -> String {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    ids.join(", ")
}

/// A company found, with its credential.
struct Found {
    id: String,
    credential: CompanyCredential,
}

/// Discloses each of `found` under `under` on a worker, records every disclosure (and
/// refusal) for `partner` in one transaction, and gives each company's answer.
async fn disclose_all(
    state: &AppState,
    ticket: Ticket,
    partner: &Partner,
    under: Under,
    found: Vec<Found>,
) -> Result<Vec<(String, i64, Disclosure)>, ApiError> {
    let partner_name = partner.name.clone();
    let (records, disclosed) = ticket
        .run(move |cancel| {
            let mut records = Vec::with_capacity(found.len());
            let mut disclosed = Vec::with_capacity(found.len());
            for company in found {
                cancel.check()?;
                let credential: Value = serde_json::from_str(&company.credential.credential)
                    .map_err(|e| ApiError::internal("reading a kept credential", e))?;
                let disclosure = corridor_company::disclose(
                    &PROCESSOR,
                    &credential,
                    &under.policy,
                    under.basis.as_ref(),
                )
                .map_err(|e| ApiError::internal("disclosing a profile", e))?;
                records.push(disclosure.record(
                    &partner_name,
                    &company.id,
                    credential.get("id").and_then(Value::as_str),
                    &under.policy,
                    under.basis.as_ref(),
                ));
                disclosed.push((company.id, company.credential.seq, disclosure));
            }
            Ok((records, disclosed))
        })
        .await?;
    // Recorded before anything is sent: nothing leaves unrecorded.
    if !records.is_empty() {
        with_writer(state, move |store| {
            store
                .record_disclosures(&records)
                .map_err(crate::error::store_error)
        })
        .await?;
    }
    Ok(disclosed)
}

/// One company's answer: `{"company", "outcome", "refusal_reason", "disclose", "withhold",
/// "credential"}`.
fn answer(id: &str, disclosure: &Disclosure) -> Value {
    let mut answer = disclosure.to_json();
    if let Value::Object(fields) = &mut answer {
        fields.insert("company".into(), Value::from(id));
    }
    answer
}

/// The companies `query` finds that `under`'s policy covers and that have a credential.
async fn found(
    state: &AppState,
    under: &Under,
    id: String,
    identifier: String,
    key: String,
) -> Result<Vec<Found>, ApiError> {
    let from = under.policy.from;
    reading(state, move |store| {
        let companies = store.find_companies(&id, &identifier, &key)?;
        let mut found = Vec::new();
        for company in companies
            .into_iter()
            .filter(|c| from.contains(&c.row.jurisdiction))
        {
            if let Some(credential) = store.company_credential(&company.row.id)? {
                found.push(Found {
                    id: company.row.id,
                    credential,
                });
            }
        }
        Ok(found)
    })
    .await
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no company with a profile credential is found by {what} under this policy"),
    )
}

/// `GET /api/companies?q=…` (or `uen=`, `uscc=`, `lei=`, `name=`): the companies found, each
/// disclosed under the policy.
async fn look_up(
    State(state): State<AppState>,
    partner: Partner,
    QueryParams(query): QueryParams<LookUp>,
    ticket: Ticket,
) -> Result<Response, ApiError> {
    let under = Under::of(&state, &partner, &query.terms).await?;
    let asked = [
        ("q", &query.q),
        ("uen", &query.uen),
        ("uscc", &query.uscc),
        ("lei", &query.lei),
        ("name", &query.name),
    ];
    let given: Vec<(&str, &str)> = asked
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)))
        .collect();
    let [(kind, text)] = given[..] else {
        return Err(ApiError::bad_request(
            "invalid",
            "give one of q= (an id, identifier or name), uen=, uscc=, lei= or name=",
        ));
    };
    if text.trim().is_empty() || text.len() > 512 {
        return Err(ApiError::bad_request(
            "invalid",
            format!("{kind}= is empty or too long"),
        ));
    }
    // A kind asked for finds by that only: an identifier is not a name, nor a name an id.
    let (id, identifier, key) = match kind {
        "q" => (text.trim().to_owned(), normalise(text), name_key(text)),
        "name" => (String::new(), String::new(), name_key(text)),
        _ => (String::new(), normalise(text), String::new()),
    };
    if let Some(reason) = under.refusal() {
        return Err(refused(reason, &under.policy));
    }
    let found = found(&state, &under, id, identifier, key).await?;
    if found.is_empty() {
        return Err(not_found(&format!("{kind}={text:?}")));
    }
    if found.len() > MAX_FOUND {
        return Err(ApiError::bad_request(
            "too_many",
            format!(
                "{} companies are found by {kind}={text:?}; ask by an identifier or a fuller name",
                found.len()
            ),
        ));
    }
    let policy = under.policy.id.clone();
    let disclosed = disclose_all(&state, ticket, &partner, under, found).await?;
    let results: Vec<Value> = disclosed.iter().map(|(id, _, d)| answer(id, d)).collect();
    Ok(Json(json!({"query": {kind: text}, "policy": policy, "results": results})).into_response())
}

/// `GET /api/companies/{id}`: one company disclosed under the policy; 403 with the
/// disclosure (outcome `refused`, its reason) when the policy refuses it.
async fn one(
    State(state): State<AppState>,
    partner: Partner,
    PathParams(id): PathParams<String>,
    QueryParams(terms): QueryParams<Terms>,
    ticket: Ticket,
) -> Result<Response, ApiError> {
    let under = Under::of(&state, &partner, &terms).await?;
    let from = under.policy.from;
    let lookup = id.clone();
    let found = reading(&state, move |store| {
        let Some(company) = store.company(&lookup)? else {
            return Ok(None);
        };
        if !from.contains(&company.row.jurisdiction) {
            return Ok(None);
        }
        Ok(store.company_credential(&lookup)?.map(|credential| Found {
            id: lookup,
            credential,
        }))
    })
    .await?;
    let found = found.ok_or_else(|| not_found(&format!("the id {id:?}")))?;
    let mut disclosed = disclose_all(&state, ticket, &partner, under, vec![found]).await?;
    let Some((id, _, disclosure)) = disclosed.pop() else {
        return Err(ApiError::internal("disclosing a profile", "no answer"));
    };
    let status = if disclosure.classification.refused.is_some() {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer(&id, &disclosure))).into_response())
}

/// `GET /api/companies/changes?after=CURSOR&limit=N`: the profiles issued after the cursor
/// that the policy covers, each disclosed under it, oldest first, and the next cursor.
async fn changes(
    State(state): State<AppState>,
    partner: Partner,
    QueryParams(feed): QueryParams<Feed>,
    ticket: Ticket,
) -> Result<Response, ApiError> {
    let under = Under::of(&state, &partner, &feed.terms).await?;
    if feed.after < 0 {
        return Err(ApiError::bad_request(
            "invalid",
            "after= is a cursor: 0 or a page's next",
        ));
    }
    let limit = match feed.limit {
        None => MAX_PAGE,
        Some(n @ 1..=MAX_PAGE) => n,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid",
                format!("limit= is from 1 to {MAX_PAGE}"),
            ));
        }
    };
    if let Some(reason) = under.refusal() {
        return Err(refused(reason, &under.policy));
    }
    let (after, from) = (feed.after, under.policy.from);
    // One more than a page, to say whether more follow.
    let mut page = reading(&state, move |store| {
        store.company_credentials_since(after, limit + 1)
    })
    .await?;
    let more = page.len() > limit;
    page.truncate(limit);
    let next = page.last().map_or(after, |(_, _, k)| k.seq);
    let found: Vec<Found> = page
        .into_iter()
        .filter(|(_, jurisdiction, _)| from.contains(jurisdiction))
        .map(|(id, _, credential)| Found { id, credential })
        .collect();
    let policy = under.policy.id.clone();
    let disclosed = disclose_all(&state, ticket, &partner, under, found).await?;
    let changes: Vec<Value> = disclosed
        .iter()
        .map(|(id, seq, d)| {
            let mut change = answer(id, d);
            if let Value::Object(fields) = &mut change {
                fields.insert("seq".into(), Value::from(*seq));
            }
            change
        })
        .collect();
    Ok(
        Json(json!({"policy": policy, "changes": changes, "next": next, "more": more}))
            .into_response(),
    )
}

/// The refusal of a request the policy cannot be met for: 403, naming the reason.
fn refused(reason: &'static str, policy: &Policy) -> ApiError {
    let accepted = policy.accepted.join(", ");
    ApiError::new(
        StatusCode::FORBIDDEN,
        "refused",
        format!(
            "the policy {} refuses without a recorded basis of a kind it accepts ({accepted}): {reason}",
            policy.id
        ),
    )
}
