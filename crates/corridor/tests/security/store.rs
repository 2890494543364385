//! The store under load: another process holding a write (a long `corridor issue`, a backup)
//! neither stalls the readers nor turns writes into 500s.

use super::common::http::{Answer, call};
use super::common::{self, Served, Workdir};
use serde_json::json;
use std::time::Duration;

/// A store with one batch issued by `carrier` (its merkle root) and an API token.
fn store_with_a_batch_and_a_token(work: &Workdir) -> (String, String) {
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let raw = json!({"issuers": [{"id": did, "name": "Carrier", "revocation": {"type": "NONE"},
                                  "identityProof": {"type": "DID", "key": format!("{did}#controller")}}],
                     "blNumber": "BL-1"});
    common::write_lines(&work.path("raw.jsonl"), &[raw]);
    let root = work
        .ok(&["wrap", "--out", "wrapped.jsonl", "raw.jsonl"])
        .trim()
        .to_string();
    work.ok(&[
        "issue",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--issuer",
        "carrier",
        "--out",
        "issued.jsonl",
        "wrapped.jsonl",
    ]);
    let token = work
        .ok(&["token", "new", "ci", "--scope", "revoke"])
        .trim()
        .to_string();
    (root, token)
}

/// Another process begins a write and holds it. A revocation through the API is answered
/// quickly with 503 `store_busy` and `Retry-After`, never a 500 "database is locked";
/// meanwhile, and while that revocation waits, the responder, `/rpc`, the token check and
/// title and share reads answer at once. Once the other write ends, the revocation goes
/// through, and the command line works beside the server.
#[test]
fn readers_never_wait_behind_a_writer_and_a_busy_store_is_a_503() {
    let work = Workdir::new();
    let (root, token) = store_with_a_batch_and_a_token(&work);
    let registry = common::create_registry(&work, common::TEST_KEY);
    let served = Served::start(&work, &["--offline"]);
    let base = served.base.as_str();

    let mut other = work.connect_store();
    let other = other
        .transaction_with_behavior(corridor_db::TransactionBehavior::Immediate)
        .unwrap();

    let revocation = serde_json::to_vec(&json!({"hash": root, "reason": "superseded"})).unwrap();
    let revoke = || call(base, "POST", "/api/revoke", Some(&revocation), Some(&token));
    let reads = [
        ("GET", format!("/ocsp/0x{root}"), None, 200),
        ("GET", format!("/ocsp/carrier/0x{root}"), None, 200),
        (
            "POST",
            "/rpc".to_string(),
            Some(br#"{"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}"#.to_vec()),
            200,
        ),
        ("GET", format!("/api/titles/{registry}/5"), None, 404),
        ("GET", format!("/api/shares/{}", "0".repeat(32)), None, 404),
    ];
    std::thread::scope(|scope| {
        let waiting_revocation = scope.spawn(revoke);
        std::thread::sleep(Duration::from_millis(200));
        for (method, path, body, status) in &reads {
            let answer: Answer = call(base, method, path, body.as_deref(), None);
            assert_eq!(answer.status, *status, "{method} {path}: {}", answer.json);
            assert!(
                answer.took < Duration::from_millis(500),
                "{method} {path} took {:?}",
                answer.took
            );
        }
        let refused = waiting_revocation.join().unwrap();
        assert_eq!(refused.status, 503, "{}", refused.json);
        assert_eq!(refused.json["error"]["code"], "store_busy");
        assert_eq!(refused.retry_after.as_deref(), Some("1"));
        assert!(refused.took < Duration::from_secs(3), "{:?}", refused.took);
    });
    let answer = call(base, "GET", &format!("/ocsp/0x{root}"), None, None);
    assert_eq!(
        answer.json["revoked"], false,
        "the refused revocation did nothing"
    );

    other.commit().unwrap();
    let revoked = revoke();
    assert_eq!(revoked.status, 200, "{}", revoked.json);
    let answer = call(base, "GET", &format!("/ocsp/0x{root}"), None, None);
    assert_eq!(answer.json["revoked"], true);

    // The command line, beside the server: it reads and writes the same store.
    let status = work.run(&["status", &root]);
    let said = String::from_utf8_lossy(&status.stdout);
    assert!(said.contains("REVOKED by carrier"), "{said}");
    work.ok(&["token", "new", "another", "--scope", "share"]);
}
