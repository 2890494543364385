//! Untrusted selective disclosure input: `proofValue` text, JSON pointers and documents. Reading a
//! proof value of either suite never panics, and what reads reads back the same once encoded; pointers are
//! parsed and followed on any document without a panic; deriving from an ecdsa-sd-2023
//! credential (TrustVC-signed, `sd_credential.json`) changed by the input, then verifying what
//! was derived, answers a value; and a derivation from the credential as it was signed always
//! verifies, whatever pointers the holder chose.
//!
//! The input is three lines: the pointers (separated by tabs), a proof value, and a JSON object
//! whose members replace the credential's. The proof value replaces the base proof's when it
//! reads as one.
#![no_main]

use std::sync::LazyLock;

use corridor_di::bbs_2023;
use corridor_di::ecdsa_sd::{self, ProofValue, VerifyingKey};
use corridor_di::pointer::{parse_pointer, select};
use corridor_jsonld::{BundledContexts, Processor};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

struct Fixed {
    processor: Processor,
    /// The credential without its proof.
    credential: Map<String, Value>,
    proof: Map<String, Value>,
    issuer_key: VerifyingKey,
}

static FIXED: LazyLock<Fixed> = LazyLock::new(|| {
    let Value::Object(mut credential) =
        serde_json::from_str(include_str!("sd_credential.json")).expect("the credential is JSON")
    else {
        panic!("the credential is an object")
    };
    let Some(Value::Object(proof)) = credential.remove("proof") else {
        panic!("the credential has a proof")
    };
    Fixed {
        processor: Processor::new(BundledContexts),
        credential,
        proof,
        // did:web:carrier.corridor.example#keys-1, which signed the credential
        issuer_key: ecdsa_sd::p256_multikey("zDnaekvECqzCk27iw7TayJ6imnK3eDnMupUtzqzfNwxAukpbE")
            .expect("the issuer's key"),
    }
});

fuzz_target!(|text: &str| {
    let mut lines = text.splitn(3, '\n');
    let (pointers, proof_value, document) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    let pointers: Vec<String> = match pointers {
        "" => Vec::new(),
        some => some.split('\t').map(str::to_owned).collect(),
    };
    let document = serde_json::from_str::<Value>(document).ok();

    // bbs-2023's reader too: whatever it reads, written again, reads back the same.
    match bbs_2023::parse_proof_value(proof_value) {
        Ok(bbs_2023::ProofValue::Base(base)) => {
            let again = bbs_2023::parse_proof_value(&base.encode()).expect("an encoded proof reads");
            assert_eq!(again, bbs_2023::ProofValue::Base(base));
        }
        Ok(bbs_2023::ProofValue::Derived(derived)) => {
            let again = bbs_2023::parse_proof_value(&derived.encode()).expect("an encoded proof reads");
            assert_eq!(again, bbs_2023::ProofValue::Derived(derived));
        }
        Err(_) => {}
    }
    let proof = ecdsa_sd::parse_proof_value(proof_value);
    if let Ok(ProofValue::Base(base)) = &proof {
        let again = ecdsa_sd::parse_proof_value(&base.encode()).expect("an encoded proof reads");
        assert_eq!(again, ProofValue::Base(base.clone()));
    }
    if let Ok(ProofValue::Derived(derived)) = &proof {
        let again = ecdsa_sd::parse_proof_value(&derived.encode()).expect("an encoded proof reads");
        assert_eq!(again, ProofValue::Derived(derived.clone()));
    }
    for pointer in &pointers {
        let _ = parse_pointer(pointer);
    }
    if let Some(document) = &document {
        let _ = select(document, &pointers);
    }

    let fixed = &*FIXED;
    let mut credential = fixed.credential.clone();
    let mut changed = false;
    if let Some(Value::Object(members)) = document {
        for (k, v) in members {
            changed |= credential.get(&k) != Some(&v);
            credential.insert(k, v);
        }
    }
    let mut base = fixed.proof.clone();
    if let Ok(ProofValue::Base(_)) = proof {
        changed |= base.get("proofValue").and_then(Value::as_str) != Some(proof_value);
        base.insert(
            "proofValue".to_owned(),
            Value::String(proof_value.to_owned()),
        );
    }
    let credential = Value::Object(credential);
    let Ok(Value::Object(mut derived)) =
        ecdsa_sd::derive(&fixed.processor, &credential, &base, &pointers)
    else {
        return;
    };
    let Some(Value::Object(derived_proof)) = derived.remove("proof") else {
        panic!("a derived credential has its proof")
    };
    let verdict = ecdsa_sd::verify_derived(
        &fixed.processor,
        &Value::Object(derived),
        &derived_proof,
        &fixed.issuer_key,
    );
    if !changed {
        assert!(
            matches!(verdict, Ok(true)),
            "derived from the signed credential with {pointers:?}: {verdict:?}"
        );
    }
});
