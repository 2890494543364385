//! The TrustVC oracle checks itself before it judges Corridor on W3C Verifiable Credentials
//! (issue 16): `compat/oracle-w3c.mjs` runs the pinned `@trustvc/trustvc` with a folder (a
//! "world") answering in place of the network.
//!
//! On every clone it signs credentials of both suites for an issuer of its own and verifies
//! them, and a tampered one, in a world of its own. When the shared fixtures sit beside the
//! repository (`../shared/fixtures/w3c`, as in CI), it also resolves exactly the versions they
//! were made with and reaches their recorded verdict on every file: the same fragments, in the
//! same order, with the same statuses and codes, asking the same URLs.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Workdir, compat_script, compat_script_split};
use serde_json::{Value, json};

const SUITES: [&str; 2] = ["ecdsa-sd-2023", "bbs-2023"];

/// Runs `oracle-w3c.mjs` with `args` and `input` on its standard input.
fn oracle_w3c(args: &[&str], input: String) -> Vec<Value> {
    compat_script("oracle-w3c.mjs", args, &[], input)
}

/// What a fragment is, as compared: name, type, status and reason code.
fn fragments(verdict: &Value) -> Vec<(String, String, String, Option<i64>)> {
    verdict["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |field: &str| f[field].as_str().unwrap_or_default().to_string();
            (
                text("name"),
                text("type"),
                text("status"),
                f["reason"]["code"].as_i64(),
            )
        })
        .collect()
}

/// The statuses of the fragments that were not skipped, by name.
fn checked(verdict: &Value) -> BTreeMap<String, String> {
    fragments(verdict)
        .into_iter()
        .filter(|(_, _, status, _)| status != "SKIPPED")
        .map(|(name, _, status, _)| (name, status))
        .collect()
}

/// A VC 2.0 bill of lading from `issuer`, on contexts TrustVC bundles.
fn bill_of_lading(issuer: &str, number: &str) -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/security/data-integrity/v2",
            "https://trustvc.io/context/bill-of-lading.json",
        ],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2025-03-10T01:00:00Z",
        "credentialSubject": {
            "type": ["BillOfLading"],
            "blNumber": number,
            "shipperName": "Tropical Fruits Export Pte Ltd",
            "portOfLoading": "Singapore, SG",
        },
    })
}

/// The oracle, checked on credentials it signs itself, and on the shared fixtures when they
/// are there.
#[test]
fn the_trustvc_oracle_checks_itself() {
    signs_and_verifies_both_suites_in_a_world_of_its_own();
    match fixtures_dir() {
        Some(dir) => reaches_every_recorded_verdict_of_the_shared_fixtures(&dir),
        None => eprintln!("no shared W3C fixtures beside the repository: generated cases only"),
    }
}

/// Signs a bill of lading with each suite for an issuer of its own: VALID, every check made;
/// with one subject value changed, INVALID.
fn signs_and_verifies_both_suites_in_a_world_of_its_own() {
    let work = Workdir::new();
    let world = work.path("world");
    let world_arg = world.to_str().unwrap();
    let host = "issuer.corridor.test";
    let keys = oracle_w3c(&["new-issuer", world_arg, host], String::new()).remove(0);
    let keys_file = work.path("keys.json");
    std::fs::write(&keys_file, keys.to_string()).unwrap();
    let did = format!("did:web:{host}");
    let mut files = Vec::new();
    for suite in SUITES {
        assert_eq!(keys[suite]["controller"], did, "{keys}");
        let signed = oracle_w3c(
            &["sign", world_arg, keys_file.to_str().unwrap(), suite],
            format!("{}\n", bill_of_lading(&did, "BL-1")),
        )
        .remove(0);
        assert_eq!(signed["proof"]["cryptosuite"], suite, "{signed}");
        let file = work.path(&format!("{suite}.json"));
        std::fs::write(&file, signed.to_string()).unwrap();
        let mut tampered = signed.clone();
        tampered["credentialSubject"]["blNumber"] = json!("BL-2");
        let tampered_file = work.path(&format!("{suite}-tampered.json"));
        std::fs::write(&tampered_file, tampered.to_string()).unwrap();
        files.push((suite, file, tampered_file));
    }
    let paths: Vec<&str> = files
        .iter()
        .flat_map(|(_, file, tampered)| [file.to_str().unwrap(), tampered.to_str().unwrap()])
        .collect();
    let verdicts = oracle_w3c(
        &[&["verify", world_arg][..], &paths].concat(),
        String::new(),
    );
    let did_document = format!("https://{host}/.well-known/did.json");
    for ((suite, _, _), pair) in files.iter().zip(verdicts.chunks(2)) {
        let integrity = if *suite == "bbs-2023" {
            "Bbs2023W3CSignatureIntegrity"
        } else {
            "EcdsaW3CSignatureIntegrity"
        };
        let expected = |status: &str| {
            BTreeMap::from([
                (integrity.to_string(), status.to_string()),
                ("W3CEmptyCredentialStatus".to_string(), "VALID".to_string()),
                ("W3CIssuerIdentity".to_string(), "VALID".to_string()),
            ])
        };
        assert_eq!(pair[0]["verdict"], "VALID", "{suite}: {}", pair[0]);
        assert_eq!(checked(&pair[0]), expected("VALID"), "{suite}");
        assert_eq!(pair[0]["needs"], json!([did_document]));
        assert_eq!(
            pair[1]["verdict"], "INVALID",
            "{suite} tampered: {}",
            pair[1]
        );
        assert_eq!(checked(&pair[1]), expected("INVALID"), "{suite} tampered");
    }
}

/// The shared W3C fixtures, when they sit beside the repository.
fn fixtures_dir() -> Option<PathBuf> {
    let dir = common::repo().join("../shared/fixtures/w3c");
    dir.join("expected.json").is_file().then_some(dir)
}

/// The versions the fixtures were made with, and their recorded verdict on every file: the
/// same fragments in the same order, statuses and codes, asking the same URLs.
fn reaches_every_recorded_verdict_of_the_shared_fixtures(dir: &Path) {
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let versions = oracle_w3c(&["versions"], String::new()).remove(0);
    assert_eq!(versions, expected["reference"], "the pinned reference");

    let recorded = expected["files"].as_object().unwrap();
    assert_eq!(recorded.len(), 121);
    let files: Vec<PathBuf> = recorded.keys().map(|name| dir.join(name)).collect();
    let paths: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    let world = dir.join("world");
    // Shared out among processes: TrustVC checks a BBS proof in pure JavaScript on one core.
    let verdicts = compat_script_split(
        "oracle-w3c.mjs",
        &["verify", world.to_str().unwrap()],
        &[],
        &paths,
    );
    assert_eq!(verdicts.len(), recorded.len());
    let mut disagreements = Vec::new();
    for ((name, want), got) in recorded.iter().zip(&verdicts) {
        assert_eq!(Path::new(got["file"].as_str().unwrap()), dir.join(name));
        let needs = |v: &Value| -> Vec<String> {
            let mut urls: Vec<String> = v["needs"]
                .as_array()
                .map(|a| a.iter().map(|u| u.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            urls.sort();
            urls
        };
        let want_fragments = if want["fragments"].is_array() {
            fragments(want)
        } else {
            Vec::new()
        };
        if got["verdict"] != want["verdict"]
            || fragments(got) != want_fragments
            || needs(got) != needs(want)
        {
            disagreements.push(format!(
                "{name}: {} {:?} {:?}, recorded {} {:?} {:?}",
                got["verdict"],
                fragments(got),
                needs(got),
                want["verdict"],
                want_fragments,
                needs(want)
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} files:\n{}",
        disagreements.len(),
        recorded.len(),
        disagreements.join("\n")
    );
}
