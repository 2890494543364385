//! The embedded title registries over JSON-RPC, as a chain's node serves a token registry: a
//! verifier that knows how to ask a chain — Corridor's, or tt-verify with an ethers provider —
//! asks `POST /rpc` the same questions and gets the same kinds of answer.
//!
//! Served: `eth_chainId` and `net_version` (the embedded network, `corridor`), `eth_blockNumber`
//! (the audit log's length), `eth_getCode` (a marker byte at each registry's address, nothing
//! elsewhere), and `eth_call` of `ownerOf(uint256)` on a registry: the title's owner as the
//! contracts name it (live: its escrow; surrendered: the registry; burnt: `0x…dEaD`), or the
//! registry's revert for a token never minted. Anything else is the JSON-RPC error for an
//! unknown method, or an empty revert.
//!
//! A node that follows peers answers for their registries too, from its replicas of them,
//! while they are fresh; past the staleness bound a question about one is a JSON-RPC error
//! saying since when it could not be confirmed, as a node that cannot answer gives.

use std::time::Instant;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{Revert, SolError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use corridor_ledger::{EMBEDDED_CHAIN_ID, Store, StoreError, escrow_address};
use corridor_title::Custody;
use serde_json::{Value, json};

use crate::error::{ApiError, JsonBytes, reading};
use crate::follow::Replicas;

/// `ownerOf(uint256)`.
const OWNER_OF: [u8; 4] = [0x63, 0x52, 0x21, 0x1e];
const NONEXISTENT: &str = "ERC721: owner query for nonexistent token";

/// The most requests one batch may hold.
pub const MAX_BATCH: usize = 100;

/// The largest `/rpc` body, in bytes: a full batch of the questions served is a few KiB.
pub const MAX_BODY: usize = 64 * 1024;

/// `POST /rpc`. The batch is answered on a reader of the store, which holds nothing from the
/// writers; it stops at the request timeout.
pub(crate) async fn handler(
    State(state): State<crate::AppState>,
    body: Result<JsonBytes, ApiError>,
) -> Response {
    // A body over /rpc's limit is answered as JSON-RPC clients read errors; one that is not
    // sent as JSON, as the API answers it.
    let body = match body {
        Ok(JsonBytes(body)) => body,
        Err(e) if e.status == StatusCode::PAYLOAD_TOO_LARGE => {
            let message = format!("the request body is larger than {MAX_BODY} bytes");
            return refused(StatusCode::PAYLOAD_TOO_LARGE, -32600, &message);
        }
        Err(e) => return e.into_response(),
    };
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return refused(StatusCode::OK, -32700, "the body is not JSON");
    };
    if let Value::Array(batch) = &request
        && batch.len() > MAX_BATCH
    {
        let message = format!("a batch of {} requests; at most {MAX_BATCH}", batch.len());
        return refused(StatusCode::OK, -32600, &message);
    }
    let deadline = Instant::now() + state.timeout;
    let replicas = state.verifier.replicas.clone();
    let answered = reading(&state, move |store| {
        Ok(answer(&request, deadline, replicas.as_deref(), || store))
    })
    .await;
    match answered {
        Ok(Some(answer)) => Json(answer).into_response(),
        Ok(None) => refused(
            StatusCode::SERVICE_UNAVAILABLE,
            -32000,
            "the request took longer than the server allows",
        ),
        Err(e) => e.into_response(),
    }
}

/// A JSON-RPC error for the whole body, with the HTTP status that fits.
fn refused(status: StatusCode, code: i64, message: &str) -> Response {
    (status, Json(error(Value::Null, code, message, None))).into_response()
}

/// The answer to one JSON-RPC request, or to a batch of them in order, the store taken from
/// `store` for each; `None` if `deadline` passed before the batch was answered.
fn answer<S: std::ops::Deref<Target = Store>>(
    request: &Value,
    deadline: Instant,
    replicas: Option<&Replicas>,
    store: impl Fn() -> S,
) -> Option<Value> {
    match request {
        Value::Array(batch) if !batch.is_empty() => batch
            .iter()
            .map(|r| (Instant::now() < deadline).then(|| one(&store(), replicas, r)))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        _ => Some(one(&store(), replicas, request)),
    }
}

/// Where a registry is: this store's, a followed peer's (its replica's freshness judged), or
/// none here.
enum Registry {
    Own,
    /// A followed peer's, by its feed URL.
    Peer(String),
    Stale(String),
    Unknown,
}

fn registry_at(
    store: &Store,
    replicas: Option<&Replicas>,
    at: Address,
) -> Result<Registry, StoreError> {
    match store.registry(at) {
        Ok(_) => return Ok(Registry::Own),
        Err(StoreError::UnknownRegistry(_)) => {}
        Err(e) => return Err(e),
    }
    let Some(replicas) = replicas else {
        return Ok(Registry::Unknown);
    };
    // Made by one peer's feed, or by none that answers: no peer takes another's address.
    let Ok([peer]) = <[String; 1]>::try_from(store.peer_registry(at)?) else {
        return Ok(Registry::Unknown);
    };
    Ok(match replicas.fresh_by_url(&peer) {
        Ok(()) => Registry::Peer(peer),
        Err(why) => Registry::Stale(why),
    })
}

fn one(store: &Store, replicas: Option<&Replicas>, request: &Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let (Some(method), params) = (
        request.get("method").and_then(Value::as_str),
        request.get("params"),
    ) else {
        return error(id, -32600, "not a JSON-RPC request", None);
    };
    let params = params
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let result = match method {
        "eth_chainId" => Ok(json!(format!("{EMBEDDED_CHAIN_ID:#x}"))),
        "net_version" => Ok(json!(EMBEDDED_CHAIN_ID.to_string())),
        "eth_blockNumber" => store.audit_length().map(|n| json!(format!("{n:#x}"))),
        "eth_getCode" => match params.first().and_then(address) {
            Some(at) => match registry_at(store, replicas, at) {
                Ok(Registry::Stale(why)) => return error(id, -32000, &why, None),
                Ok(Registry::Own | Registry::Peer(_)) => Ok(json!("0xfe")),
                Ok(Registry::Unknown) => Ok(json!("0x")),
                Err(e) => Err(e),
            },
            None => return error(id, -32602, "eth_getCode takes an address", None),
        },
        "eth_call" => match call(store, replicas, params) {
            Ok(Ok(data)) => Ok(json!(data)),
            Ok(Err((3, message, data))) => return error(id, 3, &message, Some(data)),
            Ok(Err((code, message, _))) => return error(id, code, &message, None),
            Err(e) => Err(e),
        },
        other => {
            return error(
                id,
                -32601,
                &format!("the method {other} is not served here"),
                None,
            );
        }
    };
    match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(e) => {
            tracing::error!("registry lookup failed: {e}");
            error(id, -32603, "the store could not be read", None)
        }
    }
}

/// An `eth_call`: the returned data, or an error's code, message and data (3: a revert).
fn call(
    store: &Store,
    replicas: Option<&Replicas>,
    params: &[Value],
) -> Result<Result<String, (i64, String, String)>, StoreError> {
    let call = params.first();
    let to = call.and_then(|c| c.get("to")).and_then(address);
    let data = call
        .and_then(|c| c.get("data").or_else(|| c.get("input")))
        .and_then(Value::as_str)
        .and_then(|d| const_hex::decode(d).ok())
        .unwrap_or_default();
    let reverted = || Ok(Err((3, "execution reverted".to_string(), "0x".to_string())));
    let Some(registry) = to else {
        return Ok(Ok("0x".into()));
    };
    let title = match registry_at(store, replicas, registry)? {
        // no contract there: an empty answer, as a node gives
        Registry::Unknown => return Ok(Ok("0x".into())),
        Registry::Stale(why) => return Ok(Err((-32000, why, String::new()))),
        Registry::Own | Registry::Peer(_) if data.len() != 36 || data[..4] != OWNER_OF => {
            return reverted();
        }
        Registry::Own => store.title(registry, U256::from_be_slice(&data[4..]))?,
        Registry::Peer(peer) => {
            store.peer_title(&peer, registry, U256::from_be_slice(&data[4..]))?
        }
    };
    let token = U256::from_be_slice(&data[4..]);
    let owner = match title {
        None => {
            return Ok(Err((
                3,
                format!("execution reverted: {NONEXISTENT}"),
                revert_string(NONEXISTENT),
            )));
        }
        Some(title) => match title.custody {
            Custody::Escrow => escrow_address(registry, token),
            Custody::Surrendered => registry,
            Custody::Burnt => corridor_title::BURN_ADDRESS,
        },
    };
    let mut word = [0u8; 32];
    word[12..].copy_from_slice(owner.as_slice());
    Ok(Ok(const_hex::encode_prefixed(word)))
}

fn address(value: &Value) -> Option<Address> {
    value.as_str()?.parse().ok()
}

/// `Error(string)` revert data, ABI-encoded.
fn revert_string(reason: &str) -> String {
    const_hex::encode_prefixed(Revert::from(reason).abi_encode())
}

fn error(id: Value, code: i64, message: &str, data: Option<String>) -> Value {
    let mut error = json!({"code": code, "message": message});
    if let Some(data) = data {
        error["data"] = json!(data);
    }
    json!({"jsonrpc": "2.0", "id": id, "error": error})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_a_node_would_and_refuses_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.sqlite")).unwrap();
        let registry = store
            .create_registry(Address::repeat_byte(1), "R")
            .unwrap()
            .address;
        let answer = |request: &Value| {
            let deadline = Instant::now() + std::time::Duration::from_secs(60);
            super::answer(request, deadline, None, || &store).unwrap()
        };
        let ask = |method: &str, params: Value| {
            answer(&json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}))
        };
        assert_eq!(ask("eth_chainId", json!([]))["result"], "0x434f52");
        assert_eq!(
            ask("eth_getCode", json!([registry, "latest"]))["result"],
            "0xfe"
        );
        assert_eq!(
            ask("eth_getCode", json!([Address::repeat_byte(2), "latest"]))["result"],
            "0x"
        );
        let owner_of = format!("0x6352211e{}", "00".repeat(31) + "05");
        let unminted = ask(
            "eth_call",
            json!([{"to": registry, "data": owner_of}, "latest"]),
        );
        assert_eq!(unminted["error"]["code"], 3);
        assert!(
            unminted["error"]["message"]
                .as_str()
                .unwrap()
                .contains(NONEXISTENT)
        );
        let elsewhere = ask(
            "eth_call",
            json!([{"to": Address::repeat_byte(2), "data": owner_of}, "latest"]),
        );
        assert_eq!(elsewhere["result"], "0x");
        assert_eq!(
            ask("eth_sendRawTransaction", json!(["0x00"]))["error"]["code"],
            -32601
        );
        assert_eq!(answer(&json!({"id": 1}))["error"]["code"], -32600);
        let batch = answer(
            &json!([{"id": 1, "method": "net_version"}, {"id": 2, "method": "eth_chainId"}]),
        );
        assert_eq!(batch[0]["result"], EMBEDDED_CHAIN_ID.to_string());
        assert_eq!(batch[1]["id"], 2);
    }

    #[test]
    fn a_batch_stops_at_its_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.sqlite")).unwrap();
        let batch =
            json!([{"id": 1, "method": "eth_blockNumber"}, {"id": 2, "method": "eth_blockNumber"}]);
        let passed = Instant::now() - std::time::Duration::from_millis(1);
        assert_eq!(answer(&batch, passed, None, || &store), None);
        let later = Instant::now() + std::time::Duration::from_secs(60);
        assert_eq!(
            answer(&batch, later, None, || &store).unwrap()[1]["result"],
            "0x0"
        );
    }
}
