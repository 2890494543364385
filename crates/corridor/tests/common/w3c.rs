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
    new_issuer_for(work, world, host, &[])
}

/// A did:web issuer with keys for the suites named (`BbsBlsSignature2020` among them); both
/// current suites when none is.
pub fn new_issuer_for(
    work: &Workdir,
    world: &Path,
    host: &str,
    suites: &[&str],
) -> (Value, PathBuf) {
    let mut args = vec!["new-issuer", world.to_str().unwrap(), host];
    args.extend(suites);
    let keys = compat_script("oracle-w3c.mjs", &args, &[], String::new()).remove(0);
    let keys_file = work.path("keys.json");
    std::fs::write(&keys_file, keys.to_string()).unwrap();
    (keys, keys_file)
}

/// Corridor's verdicts on `paths`, one JSON line each: the world folder answering for the
/// network, the chain a closed port (as the reference's was).
pub fn corridor_verdicts(work: &Workdir, world: &Path, paths: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "verify",
        "--json",
        "--world",
        world.to_str().unwrap(),
        "--rpc-url",
        "http://127.0.0.1:9",
        "--network-chain-id",
        "1337",
    ];
    args.extend(paths);
    let out = work.run(&args);
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Whether Corridor's message says what TrustVC's says: the same, or the same followed by
/// details; or, where TrustVC's is a JavaScript crash ("Cannot read properties of …", or
/// jsonld-signatures 7 meeting the text mattr's proof verifier fails with) or its JSON-LD
/// library's wording, one that names the same fault.
pub fn message_agrees(theirs: &str, ours: &str) -> bool {
    let theirs_trimmed = theirs.trim_end_matches('.');
    let crashed = theirs.contains("Cannot read properties of")
        || theirs == "Object.defineProperty called on non-object";
    if ours.starts_with(theirs_trimmed) || crashed {
        return true;
    }
    // jsonld-signatures 7's strict expansion against Corridor's safe mode: the same term.
    if let Some(term) = theirs
        .strip_prefix("The property \"")
        .and_then(|t| t.split('"').next())
    {
        return ours.contains(&format!("the property \"{term}\" is not defined"));
    }
    // jsonld.js's safe mode names no term; Corridor's does.
    if theirs == "Safe mode validation error." {
        return ours.contains("safe mode refuses it");
    }
    // The clock differs between the two runs.
    if let (Some(a), Some(b)) = (
        theirs.split_once("The current date time ("),
        ours.split_once("The current date time ("),
    ) {
        let after = |s: &str| s.split_once(')').map(|(_, rest)| rest.to_owned());
        return after(a.1) == after(b.1);
    }
    // noble's point decoding refuses a changed derived BBS proof before the pairing does.
    theirs.starts_with("bad point:") && ours == "Invalid signature."
}

/// Data agree: equal, or the same status entries with agreeing errors.
pub fn data_agrees(theirs: &Value, ours: &Value) -> bool {
    match (theirs, ours) {
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter()
                .zip(b)
                .all(|(x, y)| match (x.get("error"), y.get("error")) {
                    (Some(Value::String(x)), Some(Value::String(y))) => message_agrees(x, y),
                    _ => x == y,
                })
        }
        _ => theirs == ours,
    }
}

/// What differs between TrustVC's verdict and Corridor's on one document.
pub fn disagreements(name: &str, theirs: &Value, ours: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut differ = |what: String| found.push(format!("{name}: {what}"));
    let their_verdict = theirs["verdict"].as_str().unwrap();
    let our_fragments = ours["fragments"].as_array().unwrap();
    if their_verdict == "ERROR" {
        if ours["valid"] != false || !our_fragments.iter().any(|f| f["status"] == "ERROR") {
            differ(format!("TrustVC could not verify it, Corridor says {ours}"));
        }
        return found;
    }
    if ours["valid"] != (their_verdict == "VALID") {
        differ(format!(
            "verdict {their_verdict}, Corridor's valid = {}",
            ours["valid"]
        ));
    }
    let their_fragments = theirs["fragments"].as_array().unwrap();
    let names = |fs: &[Value]| fs.iter().map(|f| f["name"].clone()).collect::<Vec<_>>();
    if names(their_fragments) != names(our_fragments) {
        differ(format!(
            "fragments {:?}, Corridor's {:?}",
            names(their_fragments),
            names(our_fragments)
        ));
        return found;
    }
    for (a, b) in their_fragments.iter().zip(our_fragments) {
        let fragment = a["name"].as_str().unwrap();
        for field in ["type", "status"] {
            if a[field] != b[field] {
                differ(format!(
                    "{fragment} {field} {} ({}), Corridor's {} ({})",
                    a[field], a["reason"], b[field], b["reason"]
                ));
            }
        }
        let (ra, rb) = (&a["reason"], &b["reason"]);
        for field in ["code", "codeString"] {
            if ra[field] != rb[field] {
                differ(format!(
                    "{fragment} reason {field} {}, Corridor's {}",
                    ra[field], rb[field]
                ));
            }
        }
        if let Some(message) = ra["message"].as_str()
            && !message_agrees(message, rb["message"].as_str().unwrap_or(""))
        {
            differ(format!(
                "{fragment} message {message:?}, Corridor's {}",
                rb["message"]
            ));
        }
        if a["status"] == b["status"] && !data_agrees(&a["data"], &b["data"]) {
            differ(format!(
                "{fragment} data {}, Corridor's {}",
                a["data"], b["data"]
            ));
        }
    }
    found
}

/// The keystore password of the W3C tests' keys.
pub const KEY_PASSWORD: &str = "a keystore password";

/// Runs `corridor` in `work` with the keystore password in its environment.
pub fn unlocked(work: &Workdir, args: &[&str]) -> std::process::Output {
    work.command(args)
        .env("CORRIDOR_KEY_PASSWORD", KEY_PASSWORD)
        .output()
        .unwrap()
}

/// As [`unlocked`], its standard output; fails the test if it fails.
pub fn unlocked_ok(work: &Workdir, args: &[&str]) -> String {
    let out = unlocked(work, args);
    assert!(
        out.status.success(),
        "corridor {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Makes a revocation list of 1,024 entries at `url` in the workdir's store, signed by the
/// Multikey `key` as `method`.
pub fn new_revocation_list(work: &Workdir, url: &str, key: &str, method: &str) {
    unlocked_ok(
        work,
        &[
            "status-list",
            "new",
            url,
            "--purpose",
            "revocation",
            "--entries",
            "1024",
            "--key",
            key,
            "--verification-method",
            method,
        ],
    );
}

/// A world folder at `dir` answering each URL of `files` with its text (`DIR/index.json` and a
/// file each). `whole`: it says it is the whole network (any other host does not exist);
/// otherwise what it lacks is the network's to answer.
pub fn world_folder(dir: &Path, files: &[(&str, &str)], whole: bool) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut index = Map::new();
    for (i, (url, text)) in files.iter().enumerate() {
        let file = format!("{i}.json");
        std::fs::write(dir.join(&file), text).unwrap();
        index.insert((*url).to_owned(), json!(file));
    }
    let mut index = json!({ "files": index });
    if whole {
        index["unknownHosts"] = json!("every host not listed here");
    }
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
    dir.to_path_buf()
}
