//! ecdsa-sd-2023 selective disclosure against TrustVC (issue 16): on bills of lading TrustVC
//! signs for an issuer of its own, of varied shape (fields present or not, awkward text,
//! numbers of every form, nested packages), Corridor derives exactly the credential TrustVC
//! derives for the same pointers, byte for byte, and verifies TrustVC's derived and base
//! proofs; a changed value fails. With the shared fixtures beside the repository, every
//! valid and derived ecdsa-sd-2023 credential verifies and every document change is caught.

mod common;

use std::path::PathBuf;

use common::{Workdir, compat_script};
use corridor_di::disclosed_pointers;
use corridor_di::ecdsa_sd::VerifyingKey;
use corridor_di::ecdsa_sd::{self, ProofValue};
use corridor_jsonld::{BundledContexts, ContextSource, Processor};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Map, Value, json};

const FIELDS: [&str; 12] = [
    "billOfLadingName",
    "scac",
    "blNumber",
    "vessel",
    "voyageNo",
    "portOfLoading",
    "portOfDischarge",
    "carrierName",
    "shipperName",
    "consigneeName",
    "notifyPartyName",
    "placeOfDelivery",
];

/// A bill of lading of random shape: some fields, text or numbers of awkward forms, and
/// zero to three packages.
fn bill_of_lading(rng: &mut impl Rng, issuer: &str) -> Value {
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["BillOfLading"]));
    for field in FIELDS {
        if rng.random_bool(0.6) {
            let value = match rng.random_range(0..6) {
                0 => common::awkward_number(rng),
                1 => json!(rng.random::<bool>()),
                _ => json!(common::awkward_string(rng)),
            };
            subject.insert(field.into(), value);
        }
    }
    subject.insert(
        "blNumber".into(),
        json!(format!("BL-{}", rng.random::<u32>())),
    );
    let packages: Vec<Value> = (0..rng.random_range(0..4))
        .map(|_| {
            json!({
                "packagesDescription": common::awkward_string(rng),
                "packagesWeight": common::awkward_number(rng),
                "packagesMeasurement": format!("{} m3", rng.random_range(1..90)),
            })
        })
        .collect();
    if !packages.is_empty() {
        subject.insert("packages".into(), Value::Array(packages));
    }
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/security/data-integrity/v2",
            "https://trustvc.io/context/bill-of-lading.json",
        ],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2025-03-10T01:00:00Z",
        "credentialSubject": subject,
    })
}

/// Pointers a holder might choose: none, fields of the subject, a package or a field of one.
fn chosen_pointers(rng: &mut impl Rng, credential: &Value) -> Vec<String> {
    let subject = credential["credentialSubject"].as_object().unwrap();
    let mut pointers = Vec::new();
    for (key, value) in subject {
        if key == "type" || !rng.random_bool(0.3) {
            continue;
        }
        match value {
            Value::Array(packages) => {
                let i = rng.random_range(0..packages.len());
                let field = ["", "/packagesWeight", "/packagesDescription"]
                    .choose(rng)
                    .unwrap();
                pointers.push(format!("/credentialSubject/{key}/{i}{field}"));
            }
            _ => pointers.push(format!("/credentialSubject/{key}")),
        }
    }
    if rng.random_bool(0.2) {
        pointers.push("/validFrom".into());
    }
    pointers
}

fn without_proof(credential: &Value) -> (Value, Map<String, Value>) {
    let mut document = credential.clone();
    let proof = document.as_object_mut().unwrap().remove("proof").unwrap();
    (document, proof.as_object().unwrap().clone())
}

/// Verifies a credential as TrustVC does: a derived proof as it is, a base proof by deriving
/// it with nothing chosen first.
fn verifies(processor: &Processor, credential: &Value, key: &VerifyingKey) -> Result<bool, String> {
    let (document, proof) = without_proof(credential);
    let value = proof["proofValue"].as_str().unwrap_or_default();
    match ecdsa_sd::parse_proof_value(value).map_err(|e| e.to_string())? {
        ProofValue::Derived(_) => {
            ecdsa_sd::verify_derived(processor, &document, &proof, key).map_err(|e| e.to_string())
        }
        ProofValue::Base(_) => {
            let derived = ecdsa_sd::derive(processor, &document, &proof, &disclosed_pointers(&[]))
                .map_err(|e| e.to_string())?;
            verifies(processor, &derived, key)
        }
    }
}

#[test]
fn corridor_derives_what_trustvc_derives_and_verifies_what_it_signs() {
    let work = Workdir::new();
    let world = work.path("world");
    let world_arg = world.to_str().unwrap();
    let host = "sd.corridor.test";
    let keys = compat_script(
        "oracle-w3c.mjs",
        &["new-issuer", world_arg, host],
        &[],
        String::new(),
    )
    .remove(0);
    let keys_file = work.path("keys.json");
    std::fs::write(&keys_file, keys.to_string()).unwrap();
    let key = ecdsa_sd::p256_multikey(
        keys["ecdsa-sd-2023"]["publicKeyMultibase"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let did = format!("did:web:{host}");

    let mut rng = common::rng(162);
    let credentials: Vec<Value> = (0..40).map(|_| bill_of_lading(&mut rng, &did)).collect();
    let input: String = credentials.iter().map(|c| format!("{c}\n")).collect();
    let signed = compat_script(
        "oracle-w3c.mjs",
        &[
            "sign",
            world_arg,
            keys_file.to_str().unwrap(),
            "ecdsa-sd-2023",
        ],
        &[],
        input,
    );
    let chosen: Vec<Vec<String>> = signed
        .iter()
        .map(|c| chosen_pointers(&mut rng, c))
        .collect();
    let requests: String = signed
        .iter()
        .zip(&chosen)
        .map(|(credential, pointers)| {
            format!(
                "{}\n",
                json!({"credential": credential, "pointers": pointers})
            )
        })
        .collect();
    let theirs = compat_script("oracle-w3c.mjs", &["derive", world_arg], &[], requests);

    let processor = Processor::new(BundledContexts);
    let mut numbers = 0;
    for ((base, pointers), their_derived) in signed.iter().zip(&chosen).zip(&theirs) {
        assert!(
            their_derived.get("error").is_none(),
            "TrustVC could not derive {pointers:?}: {their_derived}"
        );
        let (document, proof) = without_proof(base);
        let ours =
            ecdsa_sd::derive(&processor, &document, &proof, &disclosed_pointers(pointers)).unwrap();
        assert_eq!(
            &ours, their_derived,
            "derived with {pointers:?} from {base}"
        );
        assert_eq!(
            verifies(&processor, their_derived, &key),
            Ok(true),
            "{their_derived}"
        );
        assert_eq!(verifies(&processor, base, &key), Ok(true), "{base}");

        // One disclosed value changed: caught in the derived credential and in the base.
        let subject = their_derived["credentialSubject"].as_object().unwrap();
        let field = subject
            .keys()
            .find(|k| FIELDS.contains(&k.as_str()))
            .cloned();
        if let Some(field) = field {
            let mut tampered = their_derived.clone();
            tampered["credentialSubject"][&field] = json!("changed");
            assert_ne!(
                verifies(&processor, &tampered, &key),
                Ok(true),
                "{field} changed in {tampered}"
            );
            let mut tampered_base = base.clone();
            tampered_base["credentialSubject"][&field] = json!("changed");
            assert_ne!(
                verifies(&processor, &tampered_base, &key),
                Ok(true),
                "{field} changed in {tampered_base}"
            );
        }
        numbers += usize::from(
            base["credentialSubject"]
                .as_object()
                .unwrap()
                .values()
                .any(Value::is_number),
        );
    }
    assert!(numbers > 5, "only {numbers} credentials carried numbers");
}

/// The shared W3C fixtures, when they sit beside the repository.
fn fixtures_dir() -> Option<PathBuf> {
    let dir = common::repo().join("../shared/fixtures/w3c");
    dir.join("expected.json").is_file().then_some(dir)
}

/// A world folder answering contexts it serves, after the bundled ones.
struct WorldContexts(std::collections::HashMap<String, Value>);

impl ContextSource for WorldContexts {
    fn context(&self, url: &str) -> Result<Value, String> {
        self.0
            .get(url)
            .cloned()
            .ok_or_else(|| "not in the world".to_owned())
    }
}

#[test]
fn the_fixtures_signed_with_ecdsa_sd_verify_and_their_document_changes_do_not() {
    let Some(dir) = fixtures_dir() else {
        eprintln!("no shared W3C fixtures beside the repository: generated cases only");
        return;
    };
    let read = |path: PathBuf| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let index = read(dir.join("world/index.json"));
    let served: std::collections::HashMap<String, Value> = index["files"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(url, file)| {
            let text = std::fs::read_to_string(dir.join("world").join(file.as_str()?)).ok()?;
            Some((url.clone(), serde_json::from_str(&text).ok()?))
        })
        .collect();
    let processor = Processor::new((BundledContexts, WorldContexts(served.clone())));
    // The P-256 key the proof names, from its issuer's DID document in the world.
    let key_of = |credential: &Value| -> Result<VerifyingKey, String> {
        let method = credential["proof"]["verificationMethod"].as_str().unwrap();
        let did = method.split('#').next().unwrap();
        let document = &served[index["dids"][did].as_str().unwrap()];
        let entry = document["verificationMethod"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == method)
            .ok_or_else(|| format!("{method} is not in {did}'s document"))?;
        ecdsa_sd::p256_multikey(entry["publicKeyMultibase"].as_str().unwrap())
            .map_err(|e| e.to_string())
    };
    let mut checked = 0;
    for folder in ["valid", "derived", "tampered"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("ecdsa-")
            })
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_str().unwrap().to_owned();
            let credential = read(file);
            let outcome =
                key_of(&credential).and_then(|key| verifies(&processor, &credential, &key));
            if folder == "tampered" {
                // The other tampered files changed the world (a forged status list, a key out of
                // assertionMethod), which is not the signature's concern.
                if name.starts_with("ecdsa-base-") || name.starts_with("ecdsa-derived-") {
                    assert_ne!(outcome, Ok(true), "{folder}/{name}");
                    checked += 1;
                }
            } else {
                assert_eq!(outcome, Ok(true), "{folder}/{name}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} fixture credentials checked");
}
