//! Shares (issue 15, item 10): a size cap of their own, a quota per token, expiry, deletion by
//! the token that made them, each in the audit log (never their content), and a store that
//! keeps room for revocations — a full one answering 507, never 500.

use serde_json::{Value, json};

use super::common::{Served, Workdir};
use super::tokens::{code, envelope, issued, token};

/// An envelope of about `bytes` bytes: its cipher text is the base64 of the base64 of the text.
fn envelope_of(bytes: usize) -> Value {
    let key = corridor_share::Key::generate(&mut rand::rng());
    let text = "x".repeat(bytes * 9 / 16);
    serde_json::to_value(corridor_share::encrypt(&text, &key, &mut rand::rng())).unwrap()
}

/// The audit log's entries about shares: (action, who, detail), oldest first.
fn share_entries(work: &Workdir) -> Vec<(String, String, Vec<u8>)> {
    let store = work.connect_store();
    let mut query = store
        .prepare("SELECT action, issuer, detail FROM audit WHERE action LIKE 'share%' ORDER BY seq")
        .unwrap();
    query
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_share_larger_than_the_cap_is_refused_before_it_is_kept() {
    let work = Workdir::new();
    let sharer = token(&work, "sharer", &["--scope", "share"]);
    let served = Served::start(&work, &["--offline", "--share-max-bytes", "4K"]);
    let answer = served.send(
        "POST",
        "/api/shares",
        Some(&sharer),
        Some(&envelope_of(8 << 10)),
    );
    assert_eq!(
        (answer.status, code(&answer)),
        (413, "share_too_large"),
        "{}",
        answer.json
    );
    assert!(share_entries(&work).is_empty());
    let answer = served.send(
        "POST",
        "/api/shares",
        Some(&sharer),
        Some(&envelope_of(2 << 10)),
    );
    assert_eq!(answer.status, 200, "{}", answer.json);
}

#[test]
fn a_token_keeps_no_more_shares_than_its_quota() {
    let work = Workdir::new();
    let first = token(&work, "first", &["--scope", "share"]);
    let second = token(&work, "second", &["--scope", "share"]);
    let served = Served::start(
        &work,
        &[
            "--offline",
            "--shares-per-token",
            "2",
            "--share-bytes-per-token",
            "40K",
        ],
    );
    let share =
        |token: &str, body: &Value| served.send("POST", "/api/shares", Some(token), Some(body));
    let kept = share(&first, &envelope());
    assert_eq!(kept.status, 200, "{}", kept.json);
    assert_eq!(share(&first, &envelope()).status, 200);
    let refused = share(&first, &envelope());
    assert_eq!(
        (refused.status, code(&refused)),
        (507, "share_quota_exceeded"),
        "{}",
        refused.json
    );
    // Another token has its own quota, in bytes as in number.
    assert_eq!(share(&second, &envelope_of(30 << 10)).status, 200);
    let refused = share(&second, &envelope_of(20 << 10));
    assert_eq!(
        (refused.status, code(&refused)),
        (507, "share_quota_exceeded")
    );
    // A share deleted makes room for another.
    let id = kept.json["id"].as_str().unwrap();
    let deleted = served.send("DELETE", &format!("/api/shares/{id}"), Some(&first), None);
    assert_eq!(deleted.status, 200, "{}", deleted.json);
    assert_eq!(share(&first, &envelope()).status, 200);
}

#[test]
fn an_expired_share_is_not_served_and_is_deleted() {
    let work = Workdir::new();
    let sharer = token(&work, "sharer", &["--scope", "share"]);
    let served = Served::start(
        &work,
        &[
            "--offline",
            "--share-lifetime",
            "10m",
            "--share-max-lifetime",
            "1h",
        ],
    );
    let mut brief = envelope();
    brief["expiresIn"] = json!(1);
    let kept = served.send("POST", "/api/shares", Some(&sharer), Some(&brief));
    assert_eq!(kept.status, 200, "{}", kept.json);
    let path = format!("/api/shares/{}", kept.json["id"].as_str().unwrap());
    assert_eq!(served.send("GET", &path, None, None).status, 200);

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let gone = served.send("GET", &path, None, None);
    assert_eq!(
        (gone.status, code(&gone)),
        (404, "not_found"),
        "{}",
        gone.json
    );
    // The next share deletes it; the operator's list no longer has it.
    let next = served.send("POST", "/api/shares", Some(&sharer), Some(&envelope()));
    assert_eq!(next.status, 200, "{}", next.json);
    let listed = work.ok(&["share", "list"]);
    assert!(
        !listed.contains(kept.json["id"].as_str().unwrap()),
        "{listed}"
    );
    assert!(
        listed.contains(next.json["id"].as_str().unwrap()),
        "{listed}"
    );
    let actions: Vec<String> = share_entries(&work).into_iter().map(|(a, ..)| a).collect();
    assert_eq!(actions, ["share", "share-expired", "share"]);

    // A sharer may not ask for more than the maximum.
    let mut long = envelope();
    long["expiresIn"] = json!(7200);
    let refused = served.send("POST", "/api/shares", Some(&sharer), Some(&long));
    assert_eq!(
        (refused.status, code(&refused)),
        (400, "invalid"),
        "{}",
        refused.json
    );
}

#[test]
fn only_the_token_that_made_a_share_deletes_it_and_the_log_says_so_without_its_content() {
    let work = Workdir::new();
    let owner = token(&work, "owner", &["--scope", "share"]);
    let other = token(&work, "other", &["--scope", "share"]);
    let served = Served::start(&work, &["--offline"]);
    let body = envelope();
    let kept = served.send("POST", "/api/shares", Some(&owner), Some(&body));
    let path = format!("/api/shares/{}", kept.json["id"].as_str().unwrap());
    let refused = served.send("DELETE", &path, Some(&other), None);
    assert_eq!(
        (refused.status, code(&refused)),
        (403, "forbidden"),
        "{}",
        refused.json
    );
    assert_eq!(served.send("GET", &path, None, None).status, 200);
    let deleted = served.send("DELETE", &path, Some(&owner), None);
    assert_eq!(deleted.status, 200, "{}", deleted.json);
    assert_eq!(served.send("GET", &path, None, None).status, 404);
    assert_eq!(served.send("DELETE", &path, Some(&owner), None).status, 404);

    let entries = share_entries(&work);
    let said: Vec<(&str, &str)> = entries
        .iter()
        .map(|(action, who, _)| (action.as_str(), who.as_str()))
        .collect();
    assert_eq!(said, [("share", "owner"), ("share-deleted", "owner")]);
    let cipher_text = body["cipherText"].as_str().unwrap().as_bytes();
    for (_, _, detail) in &entries {
        assert!(
            !detail
                .windows(8)
                .any(|w| cipher_text.windows(8).any(|c| c == w))
        );
    }
}

#[test]
fn a_store_out_of_room_for_shares_still_takes_revocations_and_a_full_one_answers_507() {
    // The size limit is the SQLite file's; a PostgreSQL server's disk is its own to watch.
    let work = Workdir::on_sqlite();
    let (_, documents) = issued(&work, "carrier", 40);
    let sharer = token(&work, "sharer", &["--scope", "share"]);
    let ops = token(&work, "ops", &["--scope", "revoke"]);
    let served = Served::start(
        &work,
        &[
            "--offline",
            "--store-max-size",
            "1M",
            "--store-reserve",
            "512K",
        ],
    );
    // Shares fill the store down to its reserve, and are refused there.
    let refused = (0..20)
        .map(|_| {
            served.send(
                "POST",
                "/api/shares",
                Some(&sharer),
                Some(&envelope_of(100 << 10)),
            )
        })
        .find(|answer| answer.status != 200)
        .expect("shares refused before the store is full");
    assert_eq!(
        (refused.status, code(&refused)),
        (507, "store_reserve"),
        "{}",
        refused.json
    );
    // Revocations still go in, into the reserve, until the store is full: then 507, not 500.
    let note = "n".repeat(60 << 10);
    let mut revoked = 0;
    let full = documents
        .iter()
        .map(|hash| {
            served.send(
                "POST",
                "/api/revoke",
                Some(&ops),
                Some(&json!({"hash": hash, "note": note})),
            )
        })
        .find(|answer| {
            revoked += usize::from(answer.status == 200);
            answer.status != 200
        })
        .expect("the store fills up");
    assert!(
        revoked >= 2,
        "revocations taken after shares were refused: {revoked}"
    );
    assert_eq!(
        (full.status, code(&full)),
        (507, "store_full"),
        "{}",
        full.json
    );
    // Nothing half-written: the log is whole, and the server still answers.
    let audit = work.ok(&["store", "audit"]);
    assert!(audit.contains("intact"), "{audit}");
    let ocsp = served.send("GET", &format!("/ocsp/0x{}", documents[0]), None, None);
    assert_eq!(ocsp.json["revoked"], true);
}
