//! Every reference document (`common::reference`: made by the pinned reference in this run, and
//! the shared fixtures when they are beside the repository) gets the reference's verdict, and
//! the hashes and signers recomputed here equal the ones the reference computed.

mod common;

use common::reference::{self, Accepted, Integrity};
use corridor_format::{Hash32, WrappedDocument, did::recover_signer, digest};
use corridor_verify::{Status, Verifier};
use serde_json::Value;

/// A status as the reference and the JSON output write it.
fn name(status: Status) -> String {
    serde_json::to_value(status)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

/// The documents the reference accepted, with what it computed for them.
fn accepted() -> impl Iterator<Item = (&'static reference::Case, &'static Accepted)> {
    reference::all().filter_map(|case| match &case.integrity {
        Integrity::Valid(Some(accepted)) => Some((case, accepted)),
        _ => None,
    })
}

#[test]
fn integrity_verdicts_agree_with_the_reference() {
    let verifier = Verifier::default();
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for case in reference::all() {
        checked += 1;
        let verdict = verifier.verify_bytes(&case.bytes);
        let got = verdict
            .fragment("OpenAttestationHash")
            .expect("integrity fragment")
            .status;
        if !case.integrity.admits(&name(got)) {
            disagreements.push(format!(
                "{}: {got:?}, reference {:?}",
                case.name, case.integrity
            ));
        }
        if got != Status::Valid {
            let reason = &verdict.fragments[0]
                .reason
                .as_ref()
                .expect("a reason when not valid")
                .message;
            assert!(!reason.is_empty(), "{}", case.name);
        }
        assert_eq!(
            verdict.is_valid_offline(),
            matches!(case.integrity, Integrity::Valid(_)),
            "{}: overall verdict",
            case.name
        );
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(
        checked >= 50,
        "every kind of document is checked ({checked})"
    );
}

#[test]
fn recomputed_hashes_equal_the_recorded_ones() {
    let mut checked = 0;
    for (case, want) in accepted() {
        checked += 1;
        let value = case.value();
        let doc = WrappedDocument::from_value(value.clone()).unwrap();
        let obfuscated: Vec<&str> = doc.obfuscated().iter().map(String::as_str).collect();
        // Through the data as a tree, and in one pass over the bytes: the same hash.
        let computed = digest(&value["data"], &obfuscated).unwrap();
        assert_eq!(
            corridor_format::read_wrapped(&case.bytes)
                .unwrap()
                .digest()
                .unwrap(),
            computed
        );
        assert_eq!(
            computed,
            want.target_hash.parse::<Hash32>().unwrap(),
            "{}: target hash",
            case.name
        );
        let proof: Vec<Hash32> = doc.proof.iter().map(|p| p.parse().unwrap()).collect();
        let root_computed = corridor_format::merkle::root_from_proof(&computed, &proof);
        assert_eq!(
            root_computed.to_string(),
            want.merkle_root,
            "{}: merkle root",
            case.name
        );
    }
    assert!(checked >= 30, "{checked} documents checked");
}

#[test]
fn signed_documents_name_their_signer() {
    let verifier = Verifier::default();
    let mut signed = 0;
    for (case, want) in accepted() {
        let Some(signer) = &want.signer else {
            continue;
        };
        signed += 1;
        let value: Value = case.value();
        let doc = WrappedDocument::from_value(value).unwrap();
        let proofs =
            corridor_format::did::parse_did_proofs(doc.did_proof.as_ref().unwrap()).unwrap();
        let recovered = recover_signer(&doc.merkle_root, &proofs[0].signature).unwrap();
        assert_eq!(&recovered.to_string(), signer, "{}", case.name);
        let verdict = verifier.verify_bytes(&case.bytes);
        let did = verdict
            .fragment("OpenAttestationDidSignedDocumentStatus")
            .unwrap();
        assert_eq!(did.status, Status::Valid, "{}: {did:?}", case.name);
    }
    assert!(signed >= 4, "{signed} signed documents checked");
}

/// The shared fixtures count when they are there (in CI, and beside this repository on the
/// project's machine), and a bare clone does without them.
#[test]
fn the_shared_fixtures_join_when_beside_the_repository() {
    let fixtures = reference::fixtures();
    let expected = reference::fixtures_dir().join("expected.json");
    match std::fs::read(&expected) {
        Ok(text) => {
            let recorded: serde_json::Map<String, Value> = serde_json::from_slice(&text).unwrap();
            assert!(!recorded.is_empty());
            assert_eq!(fixtures.len(), recorded.len());
        }
        Err(_) => assert!(fixtures.is_empty()),
    }
    eprintln!(
        "{} generated reference documents, {} from {}",
        reference::generated().len(),
        fixtures.len(),
        reference::fixtures_dir().display()
    );
}
