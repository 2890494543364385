//! Untrusted OpenAttestation v3 documents: whatever a credential holds, reading it, checking
//! its integrity, hiding a field and reading a salt's path answer or refuse, never panic or
//! hang; a field added to a wrapped credential is caught unless it holds no value at all (the
//! format counts leaves, and an empty object or array has none); and the verifier's verdict
//! on the bytes is the format's.
#![no_main]

use std::sync::LazyLock;

use corridor_format::v3::{self, Salt, WrappedCredential};
use corridor_format::{FieldPath, Integrity};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

static WRAPPED: LazyLock<Value> = LazyLock::new(|| {
    let raw = json!({
        "@context": ["https://www.w3.org/2018/credentials/v1", {"@vocab": "https://example.com/v#"}],
        "type": ["VerifiableCredential", "OpenAttestationCredential"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "issuer": {"id": "https://example.com", "name": "Chamber"},
        "credentialSubject": {"lot": "L1", "items": [{"sku": "A", "count": 3}], "note": false},
        "openAttestationMetadata": {
            "proof": {"type": "OpenAttestationProofMethod", "method": "DOCUMENT_STORE",
                      "value": "0x0000000000000000000000000000000000000001"},
            "identityProof": {"type": "DNS-TXT", "identifier": "example.com"}
        }
    });
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
    v3::wrap_credentials(&[raw], &mut rng).expect("wraps").remove(0)
});

fn leaf_count(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.values().map(leaf_count).sum(),
        Value::Array(a) => a.iter().map(leaf_count).sum(),
        _ => 1,
    }
}

fuzz_target!(|data: &[u8]| {
    // The bytes as a document, through the verifier: it never fails.
    let verdict = corridor_verify::Verifier::default().verify_bytes(data);
    assert!(!verdict.fragments.is_empty());

    let text = String::from_utf8_lossy(data);
    // The text as a salt's path and as a field to hide.
    let mut document = WRAPPED.as_object().expect("an object").clone();
    document.remove("proof");
    let salt = Salt { path: text.to_string(), value: "a".repeat(64) };
    let _ = v3::digest_credential(&document, &[salt], &[]);
    if let Ok(field) = text.parse::<FieldPath>() {
        let mut copy = WRAPPED.clone();
        if v3::obfuscate_credential(&mut copy, &[field]).is_ok() {
            let read = WrappedCredential::from_value(copy).expect("still a wrapped credential");
            assert_eq!(read.check_integrity().expect("checks"), Integrity::Intact);
        }
    }
    // The text as salts, and as a value added to the credential.
    let mut salted = WRAPPED.clone();
    salted["proof"]["salts"] = Value::String(text.to_string());
    if let Ok(read) = WrappedCredential::from_value(salted) {
        let _ = read.check_integrity();
    }
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let mut added = WRAPPED.clone();
        added["credentialSubject"]["added"] = value.clone();
        let read = WrappedCredential::from_value(added).expect("still a wrapped credential");
        match read.check_integrity() {
            Ok(Integrity::Intact) => assert_eq!(leaf_count(&value), 0, "an added field went unseen"),
            Ok(Integrity::Tampered(_)) => assert!(leaf_count(&value) > 0),
            // A key with '.', '[' or ']': refused, as the reference refuses it.
            Err(_) => {}
        }
    }
});
