//! Titles on the chain the server was given: TradeTrust's token registry and title escrows,
//! read through `corridor-chain`, for registries the embedded store does not hold.
//!
//! An action on a chain title is an Ethereum transaction from the party's own account, so the
//! server never signs one: `POST /api/titles/transactions/prepare` answers the unsigned
//! transaction (refused there, with the rules' error, when the contract would refuse it), the
//! party signs it where its key is, and `POST /api/titles/transactions` sends the signed bytes
//! on and waits for them to be confirmed.

use std::sync::Arc;

use alloy_primitives::{Address, Bytes, U256};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use corridor_chain::{Chain, ChainError, EvmTitles, SubmitError};
use corridor_title::{Action, RegistryVersion, TitleRegistry};
use serde_json::{Value, json};

use crate::AppState;
use crate::api::{registry_refusal, token_of};
use crate::error::{ActingOnTitles, ApiError, JsonBody, Writer, timeout};

/// Where a title lives, as the title routes say it: on `chain`, in a registry of `version`.
pub(crate) fn ledger(chain: &Chain, version: RegistryVersion) -> Value {
    let target = chain.target();
    json!({"kind": "chain", "network": target.label, "chainId": target.chain_id,
           "registryVersion": version})
}

/// Runs `work` on the token registry at `registry` on `chain`, off the async workers (the
/// chain client blocks), within the request timeout. An address that is no token registry
/// there is not found.
pub(crate) async fn on_chain<T: Send + 'static>(
    state: &AppState,
    chain: Arc<Chain>,
    registry: Address,
    work: impl FnOnce(&EvmTitles<'_>) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let job = tokio::task::spawn_blocking(move || {
        let titles = EvmTitles::open(&chain, registry).map_err(|e| match e {
            ChainError::Invalid(why) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{registry} is not a registry of the embedded store, and {why}"),
            ),
            e => chain_failure(e),
        })?;
        work(&titles)
    });
    match tokio::time::timeout(state.timeout, job).await {
        Err(_) => Err(timeout()),
        Ok(Err(e)) => Err(ApiError::internal("the chain request", e)),
        Ok(Ok(answer)) => answer,
    }
}

/// A chain that did not answer as the client should see it. The endpoints are not named:
/// their URLs may carry the operator's API keys. The server's log has the detail.
pub(crate) fn chain_failure(error: ChainError) -> ApiError {
    match error {
        ChainError::Unreachable { ref target, .. } => {
            tracing::warn!("{error}");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "chain_unavailable",
                format!("{target}: no endpoint answered"),
            )
        }
        ChainError::WrongChain { ref target, .. } => {
            tracing::warn!("{error}");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "chain_unavailable",
                format!("an endpoint of {target} serves another chain"),
            )
        }
        e @ (ChainError::Reverted { .. } | ChainError::Failed { .. }) => {
            ApiError::new(StatusCode::CONFLICT, "reverted", e.to_string())
        }
        e @ ChainError::Unconfirmed { .. } => {
            ApiError::new(StatusCode::GATEWAY_TIMEOUT, "unconfirmed", e.to_string())
        }
        ChainError::Invalid(why) => {
            ApiError::new(StatusCode::BAD_GATEWAY, "chain_unavailable", why)
        }
    }
}

/// What a party asks to be prepared: an action on a title, as it would sign it.
#[derive(serde::Deserialize)]
struct PrepareRequest {
    registry: Address,
    token: String,
    /// The account that will sign and send the transaction.
    party: Address,
    #[serde(flatten)]
    action: Action,
    #[serde(default, with = "corridor_title::json::remark")]
    remark: Bytes,
}

/// `POST /api/titles/transactions/prepare`: the unsigned legacy (EIP-155) transaction by
/// which `party` takes an action on a chain title. Open: it changes nothing.
pub(crate) async fn prepare(
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let request: PrepareRequest = serde_json::from_value(body.0)
        .map_err(|e| ApiError::bad_request("invalid", format!("not an action to prepare: {e}")))?;
    let chain = given_chain(&state)?;
    let token = token_of(&request.token)?;
    let party = request.party;
    let tx = on_chain(&state, chain.clone(), request.registry, move |titles| {
        titles
            .prepare(party, token, &request.action, &request.remark)
            .map_err(registry_refusal)
    })
    .await?;
    let quantity = |n: u128| format!("{n:#x}");
    Ok(Json(json!({
        "from": party.to_checksum(None),
        "to": tx.to.to().map(|to| to.to_checksum(None)),
        "data": tx.input,
        "value": quantity(tx.value.to()),
        "nonce": quantity(tx.nonce.into()),
        "gasPrice": quantity(tx.gas_price),
        "gasLimit": quantity(tx.gas_limit.into()),
        "chainId": chain.target().chain_id,
    })))
}

/// A transaction a party signed, to be sent.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitRequest {
    registry: Address,
    token: String,
    /// The signed transaction, 0x and hex, as `eth_sendRawTransaction` takes it.
    transaction: Bytes,
}

/// `POST /api/titles/transactions`, with an API token: sends a signed transaction on a chain
/// title and waits for it to be confirmed; answers its hash and the title after it.
pub(crate) async fn submit(
    State(state): State<AppState>,
    writer: Writer<ActingOnTitles>,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let request: SubmitRequest = serde_json::from_value(body.0).map_err(|e| {
        ApiError::bad_request("invalid", format!("not a signed transaction to send: {e}"))
    })?;
    let chain = given_chain(&state)?;
    let token = token_of(&request.token)?;
    tracing::info!(token = %writer.name, "chain title transaction");
    let (receipt, title) = on_chain(&state, chain, request.registry, move |titles| {
        let receipt = titles
            .submit(token, &request.transaction)
            .map_err(|e| match e {
                SubmitError::NotForTitle(why) => ApiError::bad_request("invalid", why),
                SubmitError::Registry(e) => registry_refusal(e),
            })?;
        Ok((receipt, minted(titles, token)?))
    })
    .await?;
    Ok(Json(json!({
        "reference": receipt.reference,
        "token": format!("{token:#066x}"),
        "title": title,
    })))
}

/// The chain the server was given, which acting on chain titles needs.
fn given_chain(state: &AppState) -> Result<Arc<Chain>, ApiError> {
    state.chain.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the server was given no chain (corridor serve --network …): its titles are all embedded",
        )
    })
}

/// A registry error that did not come from the embedded store: a chain's, if it is one.
pub(crate) fn chain_backend(error: Box<dyn std::error::Error + Send + Sync>) -> ApiError {
    match error.downcast::<ChainError>() {
        Ok(e) => chain_failure(*e),
        Err(e) => ApiError::internal("the title action", e),
    }
}

/// The title of `token` on the registry, or not found.
pub(crate) fn minted(
    titles: &EvmTitles<'_>,
    token: U256,
) -> Result<corridor_title::Title, ApiError> {
    titles
        .title(token)
        .map_err(registry_refusal)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no title {token:#x} was minted on {}", titles.describe()),
            )
        })
}
