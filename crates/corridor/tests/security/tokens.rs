//! What a token holder can do (issue 15, item 11): each token only the writes of its scopes,
//! revocation only for the issuers it names and only of what the store issued, and no more
//! writes a minute than the server allows.

use alloy_primitives::{Address, Bytes, U256};
use corridor_title::{Action, SignedAction};
use k256::ecdsa::SigningKey;
use serde_json::{Value, json};

use super::common::{self, Served, Workdir};

/// A raw document whose issuer signs with the test key's DID, told apart by `number`.
pub(super) fn raw(number: &str) -> Value {
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    json!({"issuers": [{"id": did, "name": "Carrier", "revocation": {"type": "NONE"},
                        "identityProof": {"type": "DID", "key": format!("{did}#controller")}}],
           "blNumber": number})
}

/// Issues a batch of `documents` for `issuer` with `corridor issue`: its root and its
/// documents' target hashes.
pub(super) fn issued(work: &Workdir, issuer: &str, documents: usize) -> (String, Vec<String>) {
    let raws: Vec<Value> = (0..documents)
        .map(|i| raw(&format!("{issuer}-{i}")))
        .collect();
    let (raw_file, wrapped, out) = (
        format!("{issuer}.raw.jsonl"),
        format!("{issuer}.wrapped.jsonl"),
        format!("{issuer}.issued.jsonl"),
    );
    common::write_lines(&work.path(&raw_file), &raws);
    let root = work
        .ok(&["wrap", "--out", &wrapped, &raw_file])
        .trim()
        .to_string();
    let key = ["--private-key-env", "TEST_PRIVATE_KEY", "--issuer", issuer];
    work.ok(&[&["issue"], &key[..], &["--out", &out, &wrapped]].concat());
    let targets = common::read_lines(&work.path(&out))
        .iter()
        .map(|d| d["signature"]["targetHash"].as_str().unwrap().to_string())
        .collect();
    (root, targets)
}

/// A new API token with `args` (its scopes and issuers).
pub(super) fn token(work: &Workdir, name: &str, args: &[&str]) -> String {
    work.ok(&[&["token", "new", name], args].concat())
        .trim()
        .to_string()
}

/// How many entries the store's audit log holds, as `corridor store audit` says.
pub(super) fn audit_entries(work: &Workdir) -> u64 {
    let said = work.ok(&["store", "audit"]);
    said.split(", ")
        .find_map(|part| part.strip_suffix(" audit entries"))
        .unwrap_or_else(|| panic!("corridor store audit said {said:?}"))
        .parse()
        .unwrap()
}

pub(super) fn code(answer: &common::Answer) -> &str {
    answer.json["error"]["code"].as_str().unwrap_or_default()
}

fn key(byte: u8) -> SigningKey {
    SigningKey::from_slice(&[byte; 32]).unwrap()
}

pub(super) fn envelope() -> Value {
    let key = corridor_share::Key::generate(&mut rand::rng());
    serde_json::to_value(corridor_share::encrypt("{}", &key, &mut rand::rng())).unwrap()
}

#[test]
fn each_write_is_refused_without_its_scope_and_made_with_it() {
    let work = Workdir::new();
    let (root, _) = issued(&work, "carrier", 1);
    let admin = key(1);
    let registry: Address = common::create_registry(&work, &const_hex::encode(admin.to_bytes()))
        .parse()
        .unwrap();
    let holder = Address::from_private_key(&key(2));
    let mint = serde_json::to_value(SignedAction::sign(
        &admin,
        &common::deployment(&work),
        registry,
        U256::from(7),
        Action::Mint {
            beneficiary: holder,
            holder,
        },
        Bytes::new(),
        0,
    ))
    .unwrap();
    let writes: [(&str, &str, Value); 4] = [
        (
            "issue",
            "/api/issue",
            json!({"documents": [{"blNumber": "BL-9"}]}),
        ),
        (
            "revoke",
            "/api/revoke",
            json!({"hash": root, "issuer": "carrier"}),
        ),
        ("share", "/api/shares", envelope()),
        ("titles", "/api/titles/actions", mint),
    ];
    let tokens: Vec<String> = writes
        .iter()
        .map(|(scope, _, _)| token(&work, scope, &["--scope", scope]))
        .collect();
    let served = Served::start(
        &work,
        &[
            "--offline",
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            "issuer.corridor.test",
        ],
    );
    for (i, (scope, path, body)) in writes.iter().enumerate() {
        for (j, other) in tokens.iter().enumerate().filter(|(j, _)| *j != i) {
            let answer = served.send("POST", path, Some(other), Some(body));
            assert_eq!(
                (answer.status, code(&answer)),
                (403, "missing_scope"),
                "{path} with the {} token: {}",
                writes[j].0,
                answer.json
            );
            let message = answer.json["error"]["message"].as_str().unwrap();
            assert!(message.contains(&format!("scope \"{scope}\"")), "{message}");
        }
        let answer = served.send("POST", path, Some(&tokens[i]), Some(body));
        assert_eq!(answer.status, 200, "{path} with its scope: {}", answer.json);
    }
    // A share is deleted with the share scope only.
    let id = {
        let answer = served.send("POST", "/api/shares", Some(&tokens[2]), Some(&envelope()));
        answer.json["id"].as_str().unwrap().to_string()
    };
    let path = format!("/api/shares/{id}");
    let answer = served.send("DELETE", &path, Some(&tokens[0]), None);
    assert_eq!((answer.status, code(&answer)), (403, "missing_scope"));
    let answer = served.send("DELETE", &path, Some(&tokens[2]), None);
    assert_eq!(answer.status, 200, "{}", answer.json);
}

#[test]
fn a_token_revokes_only_for_the_issuers_it_names() {
    let work = Workdir::new();
    let (carrier_root, _) = issued(&work, "carrier", 1);
    let (other_root, _) = issued(&work, "other", 1);
    let carrier = token(
        &work,
        "carrier-ops",
        &["--scope", "revoke", "--issuer", "carrier"],
    );
    let listed = work.ok(&["token", "list"]);
    assert!(listed.contains("revoke(carrier)"), "{listed}");
    let refused = work.run(&[
        "token", "new", "x", "--scope", "share", "--issuer", "carrier",
    ]);
    assert!(
        !refused.status.success(),
        "an issuer without the revoke scope"
    );
    let served = Served::start(&work, &["--offline"]);

    let answer = served.send(
        "POST",
        "/api/revoke",
        Some(&carrier),
        Some(&json!({"hash": other_root, "issuer": "other"})),
    );
    assert_eq!(
        (answer.status, code(&answer)),
        (403, "issuer_not_allowed"),
        "{}",
        answer.json
    );
    assert!(
        answer.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"other\""),
        "{}",
        answer.json
    );
    let ocsp = served.send("GET", &format!("/ocsp/other/0x{other_root}"), None, None);
    assert_eq!(ocsp.json["revoked"], false);

    let answer = served.send(
        "POST",
        "/api/revoke",
        Some(&carrier),
        Some(&json!({"hash": carrier_root, "issuer": "carrier"})),
    );
    assert_eq!(answer.status, 200, "{}", answer.json);
}

#[test]
fn revoking_a_hash_the_store_never_issued_is_refused_and_logged_nowhere() {
    let work = Workdir::new();
    let (root, targets) = issued(&work, "carrier", 2);
    let ops = token(&work, "ops", &["--scope", "revoke"]);
    let served = Served::start(&work, &["--offline"]);
    let before = audit_entries(&work);
    for junk in 0..5u8 {
        let hash = const_hex::encode([junk; 32]);
        let answer = served.send(
            "POST",
            "/api/revoke",
            Some(&ops),
            Some(&json!({"hash": hash})),
        );
        assert_eq!(
            (answer.status, code(&answer)),
            (404, "not_found"),
            "{}",
            answer.json
        );
    }
    assert_eq!(
        audit_entries(&work),
        before,
        "no audit entry for made-up hashes"
    );
    // What was issued, a document and the batch's root, is revoked.
    for hash in [&targets[0], &root] {
        let answer = served.send(
            "POST",
            "/api/revoke",
            Some(&ops),
            Some(&json!({"hash": hash})),
        );
        assert_eq!(answer.status, 200, "{}", answer.json);
    }
    assert_eq!(audit_entries(&work), before + 2);
}

#[test]
fn writes_past_a_tokens_rate_are_answered_429_with_retry_after() {
    let work = Workdir::new();
    let first = token(&work, "first", &["--scope", "share"]);
    let second = token(&work, "second", &["--scope", "share"]);
    let served = Served::start(&work, &["--offline", "--writes-per-minute", "5"]);
    for _ in 0..5 {
        let answer = served.send("POST", "/api/shares", Some(&first), Some(&envelope()));
        assert_eq!(answer.status, 200, "{}", answer.json);
    }
    let answer = served.send("POST", "/api/shares", Some(&first), Some(&envelope()));
    assert_eq!(
        (answer.status, code(&answer)),
        (429, "too_many_writes"),
        "{}",
        answer.json
    );
    let wait: u64 = answer.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((1..=12).contains(&wait), "Retry-After: {wait}");
    // Another token has its own allowance.
    let answer = served.send("POST", "/api/shares", Some(&second), Some(&envelope()));
    assert_eq!(answer.status, 200, "{}", answer.json);
}
