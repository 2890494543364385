//! The DID signature check (`OpenAttestationDidSignedDocumentStatus`) on documents the
//! reference signed with the test key, changed in the ways that matter: each failure gets
//! tt-verify's status and code.

mod common;

use corridor_verify::{Status, Subject, Verifier};
use serde_json::{Value, json};

const NAME: &str = "OpenAttestationDidSignedDocumentStatus";
const SALT: &str = "ee7f3323-1634-4dea-8c12-f0bb83aff874";

fn signed(n: usize) -> Value {
    common::reference::document(&format!("signed/signed-{n}.json")).value()
}

/// The DID fragment's status, code name and message.
fn did_fragment(doc: Value) -> (Status, Option<&'static str>, String) {
    let verdict = Verifier::default().verify(&Subject::from_value(doc));
    let f = verdict.fragment(NAME).unwrap().clone();
    let (code, message) = f.reason.map_or((None, String::new()), |r| {
        (Some(r.code_string), r.message.into_owned())
    });
    (f.status, code, message)
}

#[test]
fn a_signature_over_another_root_is_invalid() {
    let mut doc = signed(0);
    doc["proof"][0]["signature"] = signed(1)["proof"][0]["signature"].clone();
    let (status, code, message) = did_fragment(doc.clone());
    assert_eq!((status, code), (Status::Invalid, Some("WRONG_SIGNATURE")));
    assert!(message.contains(common::TEST_ADDRESS), "{message}");
    // The signature is outside the hashed data: integrity still holds, the verdict does not.
    let verdict = Verifier::default().verify(&Subject::from_value(doc));
    assert_eq!(verdict.fragments[0].status, Status::Valid);
    assert!(!verdict.is_valid());
}

#[test]
fn a_proof_for_another_key_is_missing() {
    let mut doc = signed(0);
    doc["proof"][0]["verificationMethod"] =
        json!(format!("did:ethr:{}#other", common::TEST_ADDRESS));
    assert_eq!(did_fragment(doc).1, Some("CORRESPONDING_PROOF_MISSING"));
}

#[test]
fn a_malformed_signature_is_an_error() {
    let mut doc = signed(0);
    doc["proof"][0]["signature"] = json!("0x1234");
    let (status, code, _) = did_fragment(doc);
    assert_eq!((status, code), (Status::Error, Some("UNEXPECTED_ERROR")));
}

#[test]
fn issuer_rules_follow_tt_verify() {
    let mut doc = signed(0);
    doc["data"]["issuers"][0]["identityProof"]["type"] = json!(format!("{SALT}:string:DNS-TXT"));
    assert_eq!(did_fragment(doc).1, Some("INVALID_ISSUERS"));

    let mut doc = signed(0);
    doc["data"]["issuers"][0]
        .as_object_mut()
        .unwrap()
        .remove("revocation");
    assert_eq!(did_fragment(doc).1, Some("MISSING_REVOCATION"));

    let mut doc = signed(0);
    doc["data"]["issuers"][0]["revocation"]["type"] = json!(format!("{SALT}:string:SOMETHING"));
    assert_eq!(did_fragment(doc).1, Some("UNRECOGNIZED_REVOCATION_TYPE"));

    let mut doc = signed(0);
    doc["data"]["issuers"][0]["revocation"] = json!({"type": format!("{SALT}:string:OCSP_RESPONDER"), "location": format!("{SALT}:string:https://ocsp.example.com")});
    let (status, _, message) = did_fragment(doc);
    assert_eq!(status, Status::NotChecked);
    assert!(
        message.contains("signature is valid") && message.contains("https://ocsp.example.com"),
        "{message}"
    );
}

#[test]
fn unsigned_documents_are_skipped() {
    let mut doc = signed(0);
    doc.as_object_mut().unwrap().remove("proof");
    let (status, _, message) = did_fragment(doc);
    assert_eq!(status, Status::Skipped);
    assert_eq!(message, "Document was not signed by DID directly");
}
