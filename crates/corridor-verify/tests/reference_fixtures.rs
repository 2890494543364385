//! Every document the reference made in `../shared/fixtures/oa-v2` gets the reference's verdict,
//! and the hashes recomputed here equal the ones the reference recorded.

use std::path::PathBuf;

use corridor_format::{Hash32, WrappedDocument, did::recover_signer, digest};
use corridor_verify::{Status, Verifier};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/oa-v2")
}

fn expected() -> serde_json::Map<String, Value> {
    let path = fixtures().join("expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the shared fixtures must sit beside the repository)",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("expected.json is JSON")
}

#[test]
fn integrity_verdicts_agree_with_the_reference() {
    let verifier = Verifier::default();
    let expected = expected();
    assert!(expected.len() >= 50, "the fixture set is complete");
    let mut disagreements = Vec::new();
    for (file, want) in &expected {
        let bytes = std::fs::read(fixtures().join(file)).unwrap();
        let verdict = verifier.verify_bytes(&bytes);
        let got = verdict
            .fragment("OpenAttestationHash")
            .expect("integrity fragment")
            .status;
        let agrees = match want["integrity"].as_str().unwrap() {
            "VALID" => got == Status::Valid,
            "INVALID" => got == Status::Invalid,
            // A malformed file: the reference accepts ERROR or a clear INVALID, never VALID.
            "ERROR" => matches!(got, Status::Error | Status::Invalid),
            other => panic!("unknown verdict {other}"),
        };
        if !agrees {
            disagreements.push(format!("{file}: {got:?}, reference {}", want["integrity"]));
        }
        if got != Status::Valid {
            let reason = &verdict.fragments[0]
                .reason
                .as_ref()
                .expect("a reason when not valid")
                .message;
            assert!(!reason.is_empty(), "{file}");
        }
        assert_eq!(
            verdict.is_valid_offline(),
            want["integrity"] == "VALID",
            "{file}: overall verdict"
        );
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn recomputed_hashes_equal_the_recorded_ones() {
    for (file, want) in expected() {
        let (Some(target), Some(root)) = (want.get("targetHash"), want.get("merkleRoot")) else {
            continue;
        };
        if want["integrity"] != "VALID" {
            continue;
        }
        let bytes = std::fs::read(fixtures().join(&file)).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        let doc = WrappedDocument::from_value(value.clone()).unwrap();
        let obfuscated: Vec<&str> = doc.obfuscated.iter().map(String::as_str).collect();
        // Through the data as a tree, and in one pass over the bytes: the same hash.
        let computed = digest(&value["data"], &obfuscated).unwrap();
        assert_eq!(
            corridor_format::read_wrapped(&bytes)
                .unwrap()
                .digest()
                .unwrap(),
            computed
        );
        assert_eq!(
            computed,
            target.as_str().unwrap().parse::<Hash32>().unwrap(),
            "{file}: target hash"
        );
        let proof: Vec<Hash32> = doc.proof.iter().map(|p| p.parse().unwrap()).collect();
        let root_computed = corridor_format::merkle::root_from_proof(&computed, &proof);
        assert_eq!(
            root_computed.to_string(),
            root.as_str().unwrap(),
            "{file}: merkle root"
        );
    }
}

#[test]
fn signed_documents_name_their_signer() {
    let verifier = Verifier::default();
    let mut signed = 0;
    for (file, want) in expected() {
        let Some(signer) = want.get("signer").and_then(Value::as_str) else {
            continue;
        };
        signed += 1;
        let bytes = std::fs::read(fixtures().join(&file)).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        let doc = WrappedDocument::from_value(value).unwrap();
        let proofs =
            corridor_format::did::parse_did_proofs(doc.did_proof.as_ref().unwrap()).unwrap();
        let recovered = recover_signer(&doc.merkle_root, &proofs[0].signature).unwrap();
        assert_eq!(recovered.to_string(), signer, "{file}");
        let verdict = verifier.verify_bytes(&bytes);
        let did = verdict
            .fragment("OpenAttestationDidSignedDocumentStatus")
            .unwrap();
        assert_eq!(did.status, Status::Valid, "{file}: {did:?}");
    }
    assert!(signed >= 4);
}
