//! W3C credentials made by TrustVC through the oracle: an issuer of its own in a world folder,
//! bills of lading of random shape, the pointers a holder might choose.

use std::path::{Path, PathBuf};

use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Map, Value, json};

use super::{Workdir, compat_script};

pub const FIELDS: [&str; 12] = [
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
pub fn bill_of_lading(rng: &mut impl Rng, issuer: &str) -> Value {
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["BillOfLading"]));
    for field in FIELDS {
        if rng.random_bool(0.6) {
            let value = match rng.random_range(0..6) {
                0 => super::awkward_number(rng),
                1 => json!(rng.random::<bool>()),
                _ => json!(super::awkward_string(rng)),
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
                "packagesDescription": super::awkward_string(rng),
                "packagesWeight": super::awkward_number(rng),
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
pub fn chosen_pointers(rng: &mut impl Rng, credential: &Value) -> Vec<String> {
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

/// A did:web issuer TrustVC makes for `host` in the world at `world`: its key pairs (by suite)
/// and the file they are written to.
pub fn new_issuer(work: &Workdir, world: &Path, host: &str) -> (Value, PathBuf) {
    let world_arg = world.to_str().unwrap();
    let keys = compat_script(
        "oracle-w3c.mjs",
        &["new-issuer", world_arg, host],
        &[],
        String::new(),
    )
    .remove(0);
    let keys_file = work.path("keys.json");
    std::fs::write(&keys_file, keys.to_string()).unwrap();
    (keys, keys_file)
}
