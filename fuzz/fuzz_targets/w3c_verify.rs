//! Untrusted W3C credentials through the whole verifier: a credential TrustVC signed
//! (`sd_credential.json`), whose members the input replaces (a JSON object), is verified with
//! its issuer's DID document served from memory. Verification never panics, always gives
//! TrustVC's seven fragments, and the credential as signed is valid.
#![no_main]

use std::sync::{Arc, LazyLock};

use corridor_verify::providers::{FetchError, HttpGet, HttpResponse};
use corridor_verify::{Providers, Subject, Verifier};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

/// The issuer's DID document, and nothing else, as the network.
struct IssuerOnly(Vec<u8>);

impl HttpGet for IssuerOnly {
    fn get(&self, url: &str) -> Result<HttpResponse, FetchError> {
        match url {
            "https://carrier.corridor.example/.well-known/did.json" => Ok(HttpResponse {
                status: 200,
                body: self.0.clone(),
            }),
            _ => Err(FetchError::NoSuchHost(url.to_owned())),
        }
    }
}

static SIGNED: LazyLock<Map<String, Value>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("sd_credential.json")).expect("the credential is a JSON object")
});

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    let did = "did:web:carrier.corridor.example";
    let document = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "type": "Multikey",
            "id": format!("{did}#keys-1"),
            "controller": did,
            "publicKeyMultibase": "zDnaekvECqzCk27iw7TayJ6imnK3eDnMupUtzqzfNwxAukpbE",
        }],
        "assertionMethod": [format!("{did}#keys-1")],
    });
    let verifier = Verifier::new(Providers {
        http: Some(Arc::new(IssuerOnly(document.to_string().into_bytes()))),
        ..Providers::offline()
    });
    let as_signed = verifier.verify(&Subject::credential(Value::Object(SIGNED.clone())));
    assert!(as_signed.is_valid(), "{as_signed:?}");
    verifier
});

fuzz_target!(|bytes: &[u8]| {
    let Ok(Value::Object(changes)) = serde_json::from_slice::<Value>(bytes) else {
        // Not a change to the credential: the bytes themselves, as a file would be.
        VERIFIER.verify_bytes(bytes);
        return;
    };
    let mut credential = SIGNED.clone();
    credential.extend(changes);
    let verdict = VERIFIER.verify(&Subject::credential(Value::Object(credential)));
    assert_eq!(verdict.fragments.len(), 7, "{verdict:?}");
});
