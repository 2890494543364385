//! Documents encrypted for sharing, both ways with `@govtechsg/oa-encryption` 1.3.5 (pinned in
//! `compat/`): what Corridor encrypts, the package opens; what the package encrypts, Corridor
//! opens; and a wrong key or an altered envelope is refused with a message, never a document.

mod common;

use common::Workdir;
use serde_json::{Value, json};

/// Documents with every kind of text the envelope must carry: one the reference wrapped,
/// astral-plane and control characters, a large one.
fn documents() -> Vec<String> {
    let wrapped = common::reference::document("valid/single-0.json")
        .text()
        .to_string();
    let mut rng = common::rng(7);
    let awkward = serde_json::to_string(&common::awkward_document(&mut rng)).unwrap();
    vec![wrapped, awkward, "é😀\u{1}\"\\".into(), "x".repeat(300_000)]
}

#[test]
fn corridor_and_oa_encryption_open_each_others_documents() {
    let work = Workdir::new();
    let documents = documents();
    // Corridor encrypts; the package opens.
    let mut envelopes = Vec::new();
    for (i, document) in documents.iter().enumerate() {
        let path = work.path(&format!("doc-{i}.json"));
        std::fs::write(&path, document).unwrap();
        let out = work.ok(&["share", "encrypt", path.to_str().unwrap()]);
        envelopes.push(serde_json::from_str::<Value>(out.trim()).unwrap());
    }
    let opened = common::oracle("decrypt", &envelopes);
    for (document, opened) in documents.iter().zip(&opened) {
        assert_eq!(
            opened["document"].as_str(),
            Some(document.as_str()),
            "{opened}"
        );
    }
    // The package encrypts; Corridor opens.
    let requests: Vec<Value> = documents.iter().map(|d| json!({"document": d})).collect();
    for (i, (envelope, document)) in common::oracle("encrypt", &requests)
        .iter()
        .zip(&documents)
        .enumerate()
    {
        let path = work.path(&format!("theirs-{i}.json"));
        std::fs::write(&path, envelope.to_string()).unwrap();
        let out = work.ok(&["share", "decrypt", path.to_str().unwrap()]);
        assert_eq!(out.strip_suffix('\n').unwrap(), document);
        // The key apart from the envelope, as a share link carries it.
        let mut keyless = envelope.clone();
        let key = keyless.as_object_mut().unwrap().remove("key").unwrap();
        std::fs::write(&path, keyless.to_string()).unwrap();
        let out = work
            .command(&[
                "share",
                "decrypt",
                path.to_str().unwrap(),
                "--key-env",
                "SHARE_KEY",
            ])
            .env("SHARE_KEY", key.as_str().unwrap())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout)
                .unwrap()
                .strip_suffix('\n')
                .unwrap(),
            document
        );
    }
}

#[test]
fn a_wrong_key_or_an_altered_envelope_is_refused() {
    let work = Workdir::new();
    let mut envelope = common::oracle("encrypt", &[json!({"document": "{\"a\": 1}"})]).remove(0);
    let path = work.path("shared.json");
    let refused = |envelope: &Value, expected: &str| {
        std::fs::write(&path, envelope.to_string()).unwrap();
        let out = work.run(&["share", "decrypt", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && out.stdout.is_empty(), "{stderr}");
        assert!(
            stderr.contains("shared.json") && stderr.contains(expected),
            "{stderr}"
        );
    };
    let key = envelope["key"].as_str().unwrap().to_string();
    envelope["key"] = json!(format!(
        "{}{}",
        &key[..63],
        if key.ends_with('0') { "1" } else { "0" }
    ));
    refused(&envelope, "does not open this envelope");
    envelope["key"] = json!(key);
    envelope["tag"] = json!("AAAAAAAAAAAAAAAAAAAAAA==");
    refused(&envelope, "does not open this envelope");
    envelope["type"] = json!("OPEN-ATTESTATION-TYPE-2");
    refused(&envelope, "OPEN-ATTESTATION-TYPE-1");
    // What the package refuses too.
    let theirs = common::oracle("decrypt", &[envelope]);
    assert!(
        theirs[0]["error"]
            .as_str()
            .unwrap()
            .contains("OPEN-ATTESTATION-TYPE-1")
    );
}
