//! Work bounded per request: obfuscation's leaves, and /rpc's batches, bodies and time.

use super::common::{self, Served, Workdir};
use corridor_format::{FieldPath, obfuscate_document, wrap_documents};
use serde_json::{Map, Value, json};

/// POSTs `body` to the server; the status and the JSON answer.
fn post(served: &Served, path: &str, body: &[u8]) -> (u16, Value) {
    let answer = common::http::post(&served.base, path, body);
    (answer.status, answer.json)
}

// ---- Work bounded per request: obfuscation (item 6) and /rpc (item 7) ----

/// A wrapped document whose data holds `leaves` keys `k0`, `k1`, … under `f`, and `g.h.i`.
fn document_with_leaves(leaves: usize) -> Value {
    let f: Map<String, Value> = (0..leaves).map(|i| (format!("k{i}"), json!(i))).collect();
    let raw = json!({
        "issuers": [{"name": "Carrier", "certificateStore": "0x0000000000000000000000000000000000000001"}],
        "f": f,
        "g": {"h": {"i": "hidden with h"}, "j": "kept"},
    });
    wrap_documents(&[raw], &mut rand::rng()).unwrap().remove(0)
}

#[test]
fn obfuscate_refuses_more_leaves_than_it_takes_in_one_request() {
    let work = Workdir::new();
    let served = Served::start(&work, &["--offline"]);
    let (status, answer) = post(
        &served,
        "/api/obfuscate",
        &serde_json::to_vec(&json!({"document": document_with_leaves(20_001), "fields": ["g.h"]}))
            .unwrap(),
    );
    assert_eq!(status, 413, "{}", answer["error"]);
    assert_eq!(
        answer["error"]["code"], "too_many_leaves",
        "{}",
        answer["error"]
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 20000"),
        "{}",
        answer["error"]
    );

    let fields = vec!["g.h"; 20_001];
    let (status, answer) = post(
        &served,
        "/api/obfuscate",
        &serde_json::to_vec(&json!({"document": document_with_leaves(3), "fields": fields}))
            .unwrap(),
    );
    assert_eq!(status, 413, "{}", answer["error"]);
    assert_eq!(
        answer["error"]["code"], "too_many_leaves",
        "{}",
        answer["error"]
    );
}

#[test]
fn obfuscating_many_fields_agrees_byte_for_byte_with_the_reference() {
    let document = document_with_leaves(5_000);
    // Many fields, out of order; and a field named before the object it empties, which the
    // reference hides with that object.
    let mut fields: Vec<String> = (0..4_999).rev().map(|i| format!("f.k{i}")).collect();
    fields.extend(["g.h.i".into(), "g.h".into()]);
    let reference = common::oracle(
        "obfuscate",
        &[json!({"document": document, "fields": fields})],
    )
    .remove(0);

    let mut ours = document;
    let paths: Vec<FieldPath> = fields.iter().map(|f| f.parse().unwrap()).collect();
    obfuscate_document(&mut ours, &paths).unwrap();
    assert_eq!(
        serde_json::to_string(&ours).unwrap(),
        serde_json::to_string(&reference).unwrap()
    );
}

/// Sends a JSON-RPC body to `/rpc`: the status and the JSON answer.
fn rpc(served: &Served, body: &Value) -> (u16, Value) {
    post(served, "/rpc", &serde_json::to_vec(body).unwrap())
}

#[test]
fn rpc_refuses_a_batch_longer_than_its_limit() {
    let work = Workdir::new();
    let served = Served::start(&work, &["--offline"]);
    let batch = |n: u64| -> Value {
        (0..n)
            .map(|id| json!({"jsonrpc": "2.0", "id": id, "method": "eth_blockNumber"}))
            .collect()
    };
    let (status, answer) = rpc(&served, &batch(100));
    assert_eq!(status, 200);
    assert_eq!(answer.as_array().map(Vec::len), Some(100), "{answer}");

    let (status, answer) = rpc(&served, &batch(101));
    assert_eq!(status, 200);
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100"),
        "{answer}"
    );
}

#[test]
fn rpc_refuses_a_body_larger_than_its_limit() {
    let work = Workdir::new();
    let served = Served::start(&work, &["--offline"]);
    // Within the server's body limit, beyond /rpc's.
    let padding = "x".repeat(70 * 1024);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": [padding]});
    let (status, answer) = rpc(&served, &body);
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
}

#[test]
fn rpc_answers_within_the_request_timeout_while_a_write_waits_on_the_store() {
    let work = Workdir::new();
    let token = work
        .ok(&["token", "new", "ci", "--scope", "share"])
        .trim()
        .to_string();
    let served = Served::start(&work, &["--offline", "--request-timeout", "1"]);

    // Another process writes to the store (a long `corridor issue`, a backup): the server's
    // next write waits for it, as long as the store lets it.
    let mut holder = work.connect_store();
    let holder = holder
        .transaction_with_behavior(corridor_db::TransactionBehavior::Immediate)
        .unwrap();
    holder.execute("DELETE FROM shares", []).unwrap();
    let share = {
        let base = served.base.clone();
        std::thread::spawn(move || {
            ureq::post(&format!("{base}/api/shares"))
                .config()
                .http_status_as_error(false)
                .build()
                .header("Authorization", &format!("Bearer {token}"))
                .send_json(
                    json!({"type": "OPEN-ATTESTATION-TYPE-1", "cipherText": "AAAA",
                                  "iv": "AAAAAAAAAAAAAAAA", "tag": "AAAAAAAAAAAAAAAAAAAAAA=="}),
                )
                .map(|r| r.status().as_u16())
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(500));

    let started = std::time::Instant::now();
    let (status, answer) = rpc(&served, &json!({"id": 2, "method": "eth_blockNumber"}));
    let took = started.elapsed();
    holder.rollback().unwrap();
    assert!(
        took < std::time::Duration::from_secs(4),
        "/rpc answered after {took:?}, past the 1 s request timeout"
    );
    match status {
        200 => assert!(answer.get("result").is_some(), "{answer}"),
        _ => {
            assert_eq!(status, 503, "{answer}");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(
                message.contains("took longer than the server allows"),
                "{answer}"
            );
        }
    }
    // The write waited for the other process's: it went through once that ended (within the
    // store's busy wait), or was told to retry — never a 500.
    let share = share.join().unwrap().unwrap();
    assert!(matches!(share, 200 | 503), "the write answered {share}");
}
