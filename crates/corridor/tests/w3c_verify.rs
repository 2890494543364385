//! W3C credentials verified as TrustVC verifies them (issue 16): `corridor verify --world DIR`
//! gives, for every document, the fragments TrustVC's `verifyDocument` gives — the same names
//! in the same order, statuses, codes and data, and its messages where they are sentences.
//!
//! The documents are made here by TrustVC through the oracle: an issuer with both suites' keys,
//! status lists (Bitstring and 2021, revocation and suspension, bits set and not), bills of
//! lading of random shape with every kind of status, selectively disclosed copies, and single
//! changes to them (values, issuer, dates, proof, purpose, key, status entries, shape). With
//! the shared fixtures beside the repository, their 121 files are checked against the verdicts
//! recorded there as well.

mod common;

use std::path::PathBuf;

use common::w3c::{
    FIELDS, bill_of_lading, chosen_pointers, corridor_verdicts, disagreements, new_issuer,
    new_issuer_for,
};
use common::{Workdir, compat_script, compat_script_split};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

const HOST: &str = "carrier.corridor.test";
const REVOCATION: &str = "https://carrier.corridor.test/status/revocation/1";
const SUSPENSION: &str = "https://carrier.corridor.test/status/suspension/1";
const LIST_2021: &str = "https://carrier.corridor.test/status/2021/1";
const BBS_LIST: &str = "https://carrier.corridor.test/status/revocation/bbs";
/// Bits set in each list: entries at these indexes are revoked or suspended.
const SET: [u64; 3] = [1, 5, 9];

/// A credential's status entries, of a kind chosen at random (or none).
fn random_status(rng: &mut impl Rng, version_1: bool) -> Option<Value> {
    let index = |rng: &mut dyn rand::RngCore| rng.random_range(0..12u64).to_string();
    let entry = |rng: &mut dyn rand::RngCore, url: &str, purpose: &str| {
        let kind = if version_1 {
            "StatusList2021Entry"
        } else {
            "BitstringStatusListEntry"
        };
        let i = index(rng);
        json!({"id": format!("{url}#{i}"), "type": kind, "statusPurpose": purpose,
               "statusListIndex": i, "statusListCredential": url})
    };
    if version_1 {
        return rng
            .random_bool(0.7)
            .then(|| entry(rng, LIST_2021, "revocation"));
    }
    match rng.random_range(0..6) {
        0 => None,
        1 | 2 => Some(entry(rng, REVOCATION, "revocation")),
        3 => Some(entry(rng, SUSPENSION, "suspension")),
        4 => Some(json!([
            entry(rng, REVOCATION, "revocation"),
            entry(rng, SUSPENSION, "suspension")
        ])),
        _ => Some(json!({
            "type": "TransferableRecords",
            "tokenNetwork": {"chain": "MATIC", "chainId": 80002},
            // Mixed case with a wrong checksum, which the reference refuses, or lower case.
            "tokenRegistry": *["0x71D28767662cB233F887aBe2cA6f8bD7e1e9d1Eb", "0x71d28767662cb233f887abe2ca6f8bd7e1e9d1eb"].choose(rng).unwrap(),
        })),
    }
}

/// A credential to sign: a bill of lading, sometimes VC 1.1 (ecdsa-sd-2023 only, as the
/// reference's own fixtures), with a random status.
fn credential(rng: &mut impl Rng, did: &str, suite: &str) -> Value {
    let mut credential = bill_of_lading(rng, did);
    let version_1 = suite == "ecdsa-sd-2023" && rng.random_bool(0.15);
    if version_1 {
        credential["@context"][0] = json!("https://www.w3.org/2018/credentials/v1");
        let object = credential.as_object_mut().unwrap();
        object.remove("validFrom");
        object.insert("issuanceDate".into(), json!("2025-03-10T01:00:00Z"));
    } else if rng.random_bool(0.2) {
        credential["validUntil"] = json!(if rng.random_bool(0.5) {
            "2025-04-01T00:00:00Z"
        } else {
            "2099-01-01T00:00:00Z"
        });
    }
    if let Some(status) = random_status(rng, version_1) {
        let context = if version_1 {
            "https://w3id.org/vc/status-list/2021/v1"
        } else if status["type"] == "TransferableRecords" {
            "https://trustvc.io/context/transferable-records-context.json"
        } else {
            "https://www.w3.org/ns/credentials/v2"
        };
        let contexts = credential["@context"].as_array_mut().unwrap();
        if !contexts.contains(&json!(context)) {
            contexts.push(json!(context));
        }
        credential["credentialStatus"] = status;
    }
    credential
}

/// One change to a signed or derived credential, the `n`th of the kinds (each kind is made).
fn changed(rng: &mut impl Rng, n: usize, document: &Value) -> (String, Value) {
    let mut d = document.clone();
    let kinds = 22;
    let what = match n % kinds {
        0 => match FIELDS
            .iter()
            .find(|f| d["credentialSubject"].get(**f).is_some())
        {
            Some(field) => {
                d["credentialSubject"][*field] = json!("changed");
                "a subject value"
            }
            None => {
                d["credentialSubject"]["blNumber"] = json!("BL-changed");
                "the bill of lading number"
            }
        },
        1 => {
            d["issuer"] = json!("did:web:someone-else.corridor.test");
            "the issuer"
        }
        2 => {
            d["validFrom"] = json!("2025-03-11T01:00:00Z");
            "validFrom"
        }
        3 => {
            d["validFrom"] = json!("2099-01-01T00:00:00Z");
            "validFrom in the future"
        }
        4 => {
            let value = d["proof"]["proofValue"].as_str().unwrap().to_owned();
            let at = rng.random_range(value.len() / 3..value.len() - 4);
            let flipped: String = value
                .char_indices()
                .map(|(i, c)| {
                    if i == at {
                        if c == 'A' { 'B' } else { 'A' }
                    } else {
                        c
                    }
                })
                .collect();
            d["proof"]["proofValue"] = json!(flipped);
            "a character of the proof value"
        }
        5 => {
            d["proof"]["proofPurpose"] = json!("authentication");
            "the proof purpose"
        }
        6 => {
            d["proof"]["verificationMethod"] = json!(format!("did:web:{HOST}#keys-9"));
            "a verification method the DID document lacks"
        }
        7 => {
            d.as_object_mut().unwrap().remove("proof");
            "no proof"
        }
        8 => {
            let suite = d["proof"]["cryptosuite"].clone();
            d["proof"]["cryptosuite"] = json!(if suite == "bbs-2023" {
                "ecdsa-sd-2023"
            } else {
                "bbs-2023"
            });
            "the other cryptosuite named"
        }
        9 => {
            d["type"] = json!(["VerifiablePresentation"]);
            "not a credential type"
        }
        10 => {
            d.as_object_mut().unwrap().remove("credentialSubject");
            "no subject"
        }
        11 => {
            d["issuer"] = json!("carrier.corridor.test");
            "an issuer that is not a URI"
        }
        12 => {
            d["name"] = json!("An added name");
            "an added top-level field"
        }
        13 => {
            d["proof"] = json!([d["proof"].clone(), d["proof"].clone()]);
            "two proofs"
        }
        14 => {
            let id = d["issuer"].clone();
            d["issuer"] = json!({"id": id, "name": "Carrier"});
            "the issuer as an object"
        }
        15 => {
            d["@context"] = json!([
                "https://w3id.org/security/data-integrity/v2",
                d["@context"].clone()
            ]);
            "a first context that is not the credentials context"
        }
        16 => {
            d["validUntil"] = json!("2025-03-12T00:00:00Z");
            "a past validUntil"
        }
        kind => match d.get_mut("credentialStatus") {
            Some(status) => {
                let entry = if status.is_array() {
                    &mut status[0]
                } else {
                    status
                };
                match (kind, entry["type"].as_str()) {
                    (_, Some("TransferableRecords")) => {
                        entry.as_object_mut().unwrap().remove("tokenId");
                        "no tokenId"
                    }
                    (17, _) => {
                        entry["statusListIndex"] = json!("seven");
                        "a status index that is not a number"
                    }
                    (18, _) => {
                        entry["statusListIndex"] = json!(SET[1].to_string());
                        "the status index of a set bit"
                    }
                    (19, _) => {
                        entry["statusPurpose"] = json!(if entry["statusPurpose"] == "revocation" {
                            "suspension"
                        } else {
                            "revocation"
                        });
                        "the status purpose"
                    }
                    (20, _) => {
                        entry["statusListCredential"] =
                            json!(format!("https://{HOST}/status/missing"));
                        "a status list that is not there"
                    }
                    _ => {
                        entry["statusListIndex"] = json!("999999999");
                        "a status index past the list's end"
                    }
                }
            }
            None => {
                d["credentialStatus"] =
                    json!({"type": "RevocationList2020Status", "id": "https://x.example/1"});
                "an unknown status type"
            }
        },
    };
    (what.to_owned(), d)
}

#[test]
fn credentials_trustvc_makes_and_changes_get_trustvcs_verdicts() {
    let work = Workdir::new();
    let world = work.path("world");
    let world_arg = world.to_str().unwrap();
    let (_, keys_file) = new_issuer(&work, &world, HOST);
    let keys_arg = keys_file.to_str().unwrap();
    let did = format!("did:web:{HOST}");
    let lists = |suite: &str, lists: Vec<Value>| {
        let lines: Vec<String> = lists.iter().map(|l| format!("{l}\n")).collect();
        compat_script(
            "oracle-w3c.mjs",
            &["status-list", world_arg, keys_arg, suite],
            &[],
            lines.concat(),
        );
    };
    let set = SET.to_vec();
    lists(
        "ecdsa-sd-2023",
        vec![
            json!({"url": REVOCATION, "purpose": "revocation", "length": 131072, "set": set}),
            json!({"url": SUSPENSION, "purpose": "suspension", "length": 131072, "set": set}),
            json!({"url": LIST_2021, "purpose": "revocation", "length": 131072, "set": set, "type": "StatusList2021Credential"}),
        ],
    );
    lists(
        "bbs-2023",
        vec![json!({"url": BBS_LIST, "purpose": "revocation", "length": 131072, "set": set})],
    );

    let mut rng = common::rng(1616);
    let mut documents: Vec<(String, Value)> = Vec::new();
    for (suite, count) in [("ecdsa-sd-2023", 30), ("bbs-2023", 10)] {
        let input: Vec<String> = (0..count)
            .map(|_| {
                let mut c = credential(&mut rng, &did, suite);
                if suite == "bbs-2023"
                    && c["credentialStatus"]["statusListCredential"] == REVOCATION
                {
                    c["credentialStatus"]["statusListCredential"] = json!(BBS_LIST);
                }
                format!("{c}\n")
            })
            .collect();
        let signed = compat_script_split(
            "oracle-w3c.mjs",
            &["sign", world_arg, keys_arg, suite],
            &input,
            &[],
        );
        let requests: Vec<String> = signed
            .iter()
            .step_by(2)
            .map(|c| {
                let mut pointers = chosen_pointers(&mut rng, c);
                pointers.retain(|p| c.pointer(p).is_some());
                if c.get("credentialStatus").is_some() && rng.random_bool(0.5) {
                    pointers.push("/credentialStatus".into());
                }
                format!("{}\n", json!({"credential": c, "pointers": pointers}))
            })
            .collect();
        let derived = compat_script_split("oracle-w3c.mjs", &["derive", world_arg], &requests, &[]);
        documents.extend(named(suite, signed, derived));
    }
    add_changes(&mut rng, &mut documents);

    let verdicts = trustvc_agrees(&work, &world, documents);
    // The corpus reached every verdict, and enough of each.
    assert!(
        verdicts.get("VALID").is_some_and(|n| *n >= 30),
        "{verdicts:?}"
    );
    assert!(
        verdicts.get("INVALID").is_some_and(|n| *n >= 60),
        "{verdicts:?}"
    );
}

/// TradeTrust's published credentials: `BbsBlsSignature2020`, signed by the TrustVC 1 that made
/// them (VC 1.1, as it signed), and `BbsBlsSignatureProof2020` copies revealing what a JSON-LD
/// frame asks for; values of awkward forms (control characters included, which the old
/// canonicalization wrote unescaped), and single changes to each.
#[test]
fn legacy_bbs_credentials_get_trustvcs_verdicts() {
    let work = Workdir::new();
    let world = work.path("world");
    let world_arg = world.to_str().unwrap();
    let (_, keys_file) = new_issuer_for(&work, &world, HOST, &["BbsBlsSignature2020"]);
    let did = format!("did:web:{HOST}");
    let mut rng = common::rng(2020);
    let input: Vec<String> = (0..16)
        .map(|_| {
            let mut c = bill_of_lading(&mut rng, &did);
            // TrustVC 1 signed VC 1.1 only.
            c["@context"][0] = json!("https://www.w3.org/2018/credentials/v1");
            c["@context"][1] = json!("https://w3id.org/security/bbs/v1");
            let object = c.as_object_mut().unwrap();
            object.remove("validFrom");
            object.insert("issuanceDate".into(), json!("2025-03-10T01:00:00Z"));
            format!("{c}\n")
        })
        .collect();
    let signed = compat_script_split(
        "oracle-w3c.mjs",
        &[
            "sign",
            world_arg,
            keys_file.to_str().unwrap(),
            "BbsBlsSignature2020",
        ],
        &input,
        &[],
    );
    let requests: Vec<String> = signed
        .iter()
        .map(|c| {
            // Reveal some of the subject's fields: a frame of them, nothing else explicit.
            let mut subject = json!({"@explicit": true, "type": ["BillOfLading"]});
            for (key, _) in c["credentialSubject"].as_object().unwrap() {
                if key != "type" && rng.random_bool(0.4) {
                    subject[key] = json!({});
                }
            }
            let frame = json!({
                "@context": c["@context"],
                "type": ["VerifiableCredential"],
                "credentialSubject": subject,
            });
            format!("{}\n", json!({"credential": c, "frame": frame}))
        })
        .collect();
    let derived = compat_script_split("oracle-w3c.mjs", &["derive", world_arg], &requests, &[]);
    let mut documents = named("legacy", signed, derived);
    add_changes(&mut rng, &mut documents);
    let verdicts = trustvc_agrees(&work, &world, documents);
    assert!(
        verdicts.get("VALID").is_some_and(|n| *n >= 32),
        "{verdicts:?}"
    );
    assert!(
        verdicts.get("INVALID").is_some_and(|n| *n >= 40),
        "{verdicts:?}"
    );
}

/// The credentials TrustVC signed and derived, named by `prefix` and place; a derivation
/// TrustVC could not make fails the test.
fn named(prefix: &str, signed: Vec<Value>, derived: Vec<Value>) -> Vec<(String, Value)> {
    let mut documents = Vec::new();
    for (i, c) in signed.into_iter().enumerate() {
        documents.push((format!("{prefix}-{i}"), c));
    }
    for (i, c) in derived.into_iter().enumerate() {
        assert!(c.get("error").is_none(), "TrustVC could not derive: {c}");
        documents.push((format!("{prefix}-derived-{i}"), c));
    }
    documents
}

/// Two single changes for each document, of every kind in turn, added to them.
fn add_changes(rng: &mut impl Rng, documents: &mut Vec<(String, Value)>) {
    let originals = documents.clone();
    for n in 0..originals.len() * 2 {
        let (name, original) = originals.choose(rng).unwrap();
        let (what, document) = changed(rng, n, original);
        documents.push((format!("{name} with {what}"), document));
    }
}

/// Asserts that Corridor gives TrustVC's fragments on every document (three that are not
/// credentials added), and counts TrustVC's verdicts.
fn trustvc_agrees(
    work: &Workdir,
    world: &std::path::Path,
    mut documents: Vec<(String, Value)>,
) -> std::collections::BTreeMap<String, usize> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for (i, (_, document)) in documents.iter().enumerate() {
        let path = work.path(&format!("doc-{i}.json"));
        std::fs::write(&path, document.to_string()).unwrap();
        paths.push(path);
    }
    for (name, text) in [
        ("not JSON", "this is not JSON"),
        ("an array", "[1, 2]"),
        ("a string", "\"x\""),
    ] {
        let path = work.path(&format!("odd-{}.json", paths.len()));
        std::fs::write(&path, text).unwrap();
        documents.push((name.into(), Value::Null));
        paths.push(path);
    }
    let paths: Vec<&str> = paths.iter().map(|p| p.to_str().unwrap()).collect();
    let world_arg = world.to_str().unwrap();
    let theirs = compat_script_split("oracle-w3c.mjs", &["verify", world_arg], &[], &paths);
    let ours = corridor_verdicts(work, world, &paths);
    assert_eq!(theirs.len(), ours.len());

    let mut found = Vec::new();
    let mut verdicts = std::collections::BTreeMap::<String, usize>::new();
    for (((name, _), their), our) in documents.iter().zip(&theirs).zip(&ours) {
        if matches!(name.as_str(), "an array" | "a string") {
            // TrustVC takes any JSON for a credential; Corridor reads JSON that is not an
            // object as an OpenAttestation document, and finds it is not one either.
            assert_eq!(their["verdict"], "INVALID");
            assert_eq!(our["valid"], false);
            continue;
        }
        found.extend(disagreements(name, their, our));
        *verdicts
            .entry(their["verdict"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert!(
        found.is_empty(),
        "{} disagreements:\n{}",
        found.len(),
        found.join("\n")
    );
    verdicts
}

/// The shared fixtures' W3C corpus, when it is beside the repository.
fn fixtures_dir() -> Option<PathBuf> {
    let dir = common::repo().join("../shared/fixtures/w3c");
    dir.join("expected.json").is_file().then_some(dir)
}

#[test]
fn the_fixtures_get_the_verdicts_trustvc_recorded() {
    let Some(dir) = fixtures_dir() else {
        return; // A bare clone: the test above makes its own corpus.
    };
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let files = expected["files"].as_object().unwrap();
    assert_eq!(files.len(), 121);
    let work = Workdir::new();
    let world = dir.join("world");
    let paths: Vec<String> = files
        .keys()
        .map(|f| dir.join(f).to_str().unwrap().to_owned())
        .collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let ours = corridor_verdicts(&work, &world, &paths);

    // TrustVC takes any JSON for a credential; `corridor verify` reads JSON that is not an
    // object as an OpenAttestation document, so those are checked as credentials through the
    // library.
    let http = std::sync::Arc::new(corridor_net::WorldFirst {
        world: corridor_net::World::open(&world).unwrap(),
        network: None,
    });
    let verifier = corridor_verify::Verifier::new(corridor_verify::Providers {
        http: Some(http),
        ..corridor_verify::Providers::offline()
    });
    let mut found = Vec::new();
    let mut checked = 0;
    for ((name, theirs), ours) in files.iter().zip(&ours) {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let ours = match serde_json::from_slice::<Value>(&bytes) {
            Ok(value @ (Value::Array(_) | Value::String(_))) => {
                let verdict = verifier.verify(&corridor_verify::Subject::credential(value));
                json!({"valid": verdict.is_valid(), "fragments": verdict.fragments})
            }
            _ => ours.clone(),
        };
        found.extend(disagreements(name, theirs, &ours));
        checked += 1;
    }
    assert_eq!(checked, 121);
    assert!(
        found.is_empty(),
        "{} disagreements:\n{}",
        found.len(),
        found.join("\n")
    );
}
