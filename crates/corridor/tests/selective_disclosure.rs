//! Selective disclosure against TrustVC (issue 16), both suites: on bills of lading TrustVC
//! signs for an issuer of its own, of varied shape (fields present or not, awkward text,
//! numbers of every form, nested packages), Corridor derives the credential TrustVC derives for
//! the same pointers (ecdsa-sd-2023 byte for byte; bbs-2023 the same disclosure, its proofs
//! being randomized), TrustVC verifies what Corridor derives, Corridor verifies TrustVC's
//! derived and base proofs, and a changed value fails. With the shared fixtures beside the
//! repository, every valid and derived credential verifies and every document change is caught.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::w3c::{FIELDS, bill_of_lading, chosen_pointers, new_issuer};
use common::{Workdir, compat_script, compat_script_split};
use corridor_di::{IssuerKey, IssuerSigningKey, bbs_2023, disclosed_pointers};
use corridor_jsonld::{BundledContexts, ContextSource, Processor};
use rand::Rng;
use serde_json::{Value, json};

/// A credential without its proof's value: what two derivations of the same disclosure share
/// when the suite's proofs are randomized (bbs-2023).
fn without_proof_value(credential: &Value) -> Value {
    let mut credential = credential.clone();
    credential["proof"]
        .as_object_mut()
        .unwrap()
        .remove("proofValue");
    credential
}

/// What a bbs-2023 derived proof says besides the zero-knowledge proof itself.
fn bbs_disclosure(credential: &Value) -> (BTreeMap<u64, u64>, Vec<i64>, Vec<i64>) {
    let value = credential["proof"]["proofValue"].as_str().unwrap();
    let bbs_2023::ProofValue::Derived(d) = bbs_2023::parse_proof_value(value).unwrap() else {
        panic!("not a derived proof: {credential}")
    };
    (d.label_map, d.mandatory_indexes, d.selective_indexes)
}

/// The integrity fragment TrustVC gives a credential of `suite`.
fn integrity_fragment(suite: &str) -> &'static str {
    match suite {
        "bbs-2023" => "Bbs2023W3CSignatureIntegrity",
        _ => "EcdsaW3CSignatureIntegrity",
    }
}

/// Bills of lading TrustVC signs with `suite`, derived by TrustVC and by Corridor for the same
/// pointers: the same disclosure (for ecdsa-sd-2023 the same bytes), each side's derivation
/// verifying on the other, base proofs verifying in Corridor, and a changed value failing.
fn derives_and_verifies_with_trustvc(suite: &str, count: usize, seed: u64) {
    let work = Workdir::new();
    let world = work.path("world");
    let world_arg = world.to_str().unwrap();
    let host = "sd.corridor.test";
    let (keys, keys_file) = new_issuer(&work, &world, host);
    let key =
        IssuerKey::from_multibase(keys[suite]["publicKeyMultibase"].as_str().unwrap()).unwrap();
    let did = format!("did:web:{host}");

    let mut rng = common::rng(seed);
    let credentials: Vec<Value> = (0..count).map(|_| bill_of_lading(&mut rng, &did)).collect();
    let input: Vec<String> = credentials.iter().map(|c| format!("{c}\n")).collect();
    let signed = compat_script_split(
        "oracle-w3c.mjs",
        &["sign", world_arg, keys_file.to_str().unwrap(), suite],
        &input,
        &[],
    );
    let chosen: Vec<Vec<String>> = signed
        .iter()
        .map(|c| chosen_pointers(&mut rng, c))
        .collect();
    let requests: Vec<String> = signed
        .iter()
        .zip(&chosen)
        .map(|(credential, pointers)| {
            format!(
                "{}\n",
                json!({"credential": credential, "pointers": pointers})
            )
        })
        .collect();
    let theirs = compat_script_split("oracle-w3c.mjs", &["derive", world_arg], &requests, &[]);

    let processor = Processor::new(BundledContexts);
    let (mut numbers, mut ours_files) = (0, Vec::new());
    for (i, ((base, pointers), their_derived)) in
        signed.iter().zip(&chosen).zip(&theirs).enumerate()
    {
        assert!(
            their_derived.get("error").is_none(),
            "TrustVC could not derive {pointers:?}: {their_derived}"
        );
        let ours = corridor_di::derive(&processor, base, &disclosed_pointers(pointers)).unwrap();
        if suite == "bbs-2023" {
            assert_eq!(
                without_proof_value(&ours),
                without_proof_value(their_derived),
                "derived with {pointers:?} from {base}"
            );
            assert_eq!(
                bbs_disclosure(&ours),
                bbs_disclosure(their_derived),
                "derived with {pointers:?}"
            );
        } else {
            assert_eq!(
                &ours, their_derived,
                "derived with {pointers:?} from {base}"
            );
        }
        assert_eq!(
            corridor_di::verify(&processor, their_derived, &key).map_err(|e| e.to_string()),
            Ok(true),
            "{their_derived}"
        );
        assert_eq!(
            corridor_di::verify(&processor, base, &key).map_err(|e| e.to_string()),
            Ok(true),
            "{base}"
        );
        let file = work.path(&format!("ours-{i}.json"));
        std::fs::write(&file, ours.to_string()).unwrap();
        ours_files.push(file);

        // One disclosed value changed: caught in the derived credential and in the base.
        let subject = their_derived["credentialSubject"].as_object().unwrap();
        if let Some(field) = subject
            .keys()
            .find(|k| FIELDS.contains(&k.as_str()))
            .cloned()
        {
            for credential in [their_derived, base] {
                let mut tampered = credential.clone();
                tampered["credentialSubject"][&field] = json!("changed");
                assert_ne!(
                    corridor_di::verify(&processor, &tampered, &key).map_err(|e| e.to_string()),
                    Ok(true),
                    "{field} changed in {tampered}"
                );
            }
        }
        numbers += usize::from(
            base["credentialSubject"]
                .as_object()
                .unwrap()
                .values()
                .any(Value::is_number),
        );
    }
    assert!(
        numbers > count / 8,
        "only {numbers} credentials carried numbers"
    );

    // What Corridor derived, TrustVC verifies.
    let paths: Vec<&str> = ours_files.iter().map(|p| p.to_str().unwrap()).collect();
    let verdicts = compat_script_split("oracle-w3c.mjs", &["verify", world_arg], &[], &paths);
    for (path, verdict) in paths.iter().zip(&verdicts) {
        let integrity = verdict["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == integrity_fragment(suite))
            .unwrap();
        assert_eq!(
            integrity["status"], "VALID",
            "TrustVC on Corridor's {path}: {verdict}"
        );
    }
}

#[test]
fn ecdsa_sd_2023_derivations_agree_with_trustvc_both_ways() {
    derives_and_verifies_with_trustvc("ecdsa-sd-2023", 40, 162);
}

#[test]
fn bbs_2023_derivations_agree_with_trustvc_both_ways() {
    derives_and_verifies_with_trustvc("bbs-2023", 16, 163);
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
fn the_fixtures_signed_with_either_suite_verify_and_their_document_changes_do_not() {
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
    // The key the proof names, from its issuer's DID document in the world.
    let key_of = |credential: &Value| -> Result<IssuerKey, String> {
        let method = credential["proof"]["verificationMethod"].as_str().unwrap();
        let did = method.split('#').next().unwrap();
        let document = &served[index["dids"][did].as_str().unwrap()];
        let entry = document["verificationMethod"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == method)
            .ok_or_else(|| format!("{method} is not in {did}'s document"))?;
        IssuerKey::from_multibase(entry["publicKeyMultibase"].as_str().unwrap())
            .map_err(|e| e.to_string())
    };
    let mut checked = std::collections::BTreeMap::new();
    for folder in ["valid", "derived", "tampered"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_str().unwrap().to_owned();
            let Some(suite) = ["ecdsa", "bbs"]
                .into_iter()
                .find(|s| name.starts_with(&format!("{s}-")))
            else {
                continue;
            };
            let credential = read(file);
            let outcome = key_of(&credential).and_then(|key| {
                corridor_di::verify(&processor, &credential, &key).map_err(|e| e.to_string())
            });
            if folder == "tampered" {
                // The other tampered files changed the world (a forged status list, a key out of
                // assertionMethod), which is not the signature's concern.
                if name.starts_with(&format!("{suite}-base-"))
                    || name.starts_with(&format!("{suite}-derived-"))
                {
                    assert_ne!(outcome, Ok(true), "{folder}/{name}");
                    *checked.entry(suite).or_insert(0) += 1;
                }
            } else {
                assert_eq!(outcome, Ok(true), "{folder}/{name}");
                *checked.entry(suite).or_insert(0) += 1;
            }
        }
    }
    assert!(
        checked["ecdsa"] >= 30 && checked["bbs"] >= 20,
        "checked {checked:?}"
    );
}

/// A context of the issuer's own, served by the world rather than bundled.
const TRACE_CONTEXT: &str = "https://contexts.corridor.test/trace/v1.jsonld";

/// Puts [`TRACE_CONTEXT`] in the world at `world`.
fn serve_trace_context(world: &std::path::Path) {
    let file = "contexts.corridor.test/trace/v1.jsonld";
    std::fs::create_dir_all(world.join("contexts.corridor.test/trace")).unwrap();
    let context = json!({"@context": {
        "@protected": true,
        "TraceEvent": "https://contexts.corridor.test/trace#TraceEvent",
        "lotNumber": "https://contexts.corridor.test/trace#lotNumber",
        "temperature": "https://contexts.corridor.test/trace#temperature"
    }});
    std::fs::write(world.join(file), context.to_string()).unwrap();
    let index_file = world.join("index.json");
    let mut index: Value =
        serde_json::from_str(&std::fs::read_to_string(&index_file).unwrap()).unwrap();
    index["files"][TRACE_CONTEXT] = json!(file);
    index["kinds"][TRACE_CONTEXT] = json!("context");
    std::fs::write(&index_file, index.to_string()).unwrap();
}

#[test]
fn corridor_derive_makes_copies_trustvc_verifies_and_refuses_what_it_cannot_derive() {
    let work = Workdir::new();
    let world = work.path("world");
    let world_arg = world.to_str().unwrap();
    let host = "cli.corridor.test";
    let (_, keys_file) = new_issuer(&work, &world, host);
    serve_trace_context(&world);
    let did = format!("did:web:{host}");
    let mut rng = common::rng(164);
    let trace_event = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v2", TRACE_CONTEXT],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2025-03-10T01:00:00Z",
        "credentialSubject": {"type": ["TraceEvent"], "lotNumber": "LOT-7", "temperature": 4.5}
    });
    let mut derived_files = Vec::new();
    for suite in ["ecdsa-sd-2023", "bbs-2023"] {
        let input = format!("{}\n{trace_event}\n", bill_of_lading(&mut rng, &did));
        let signed = compat_script(
            "oracle-w3c.mjs",
            &["sign", world_arg, keys_file.to_str().unwrap(), suite],
            &[],
            input,
        );
        let (bol, trace) = (
            work.path(&format!("{suite}-bol.json")),
            work.path(&format!("{suite}-trace.json")),
        );
        std::fs::write(&bol, signed[0].to_string()).unwrap();
        std::fs::write(&trace, signed[1].to_string()).unwrap();

        // The number only, then the lot of a credential on a context the world serves.
        let number_only = work.path(&format!("{suite}-number.json"));
        work.ok(&[
            "derive",
            bol.to_str().unwrap(),
            "--reveal",
            "/credentialSubject/blNumber",
            "--out",
            number_only.to_str().unwrap(),
        ]);
        let copy: Value =
            serde_json::from_str(&std::fs::read_to_string(&number_only).unwrap()).unwrap();
        let fields: Vec<&String> = copy["credentialSubject"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(fields, ["type", "blNumber"], "{copy}");
        derived_files.push((suite, number_only));

        let refused = work.run(&[
            "derive",
            trace.to_str().unwrap(),
            "--reveal",
            "/credentialSubject/lotNumber",
        ]);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(trace.to_str().unwrap())
                && stderr.contains(TRACE_CONTEXT)
                && stderr.contains("--world"),
            "{stderr}"
        );
        let lot_only = work.path(&format!("{suite}-lot.json"));
        work.ok(&[
            "derive",
            trace.to_str().unwrap(),
            "--reveal",
            "/credentialSubject/lotNumber",
            "--world",
            world_arg,
            "--out",
            lot_only.to_str().unwrap(),
        ]);
        derived_files.push((suite, lot_only));

        // What cannot be derived is refused, naming the file, and nothing is written.
        let out = work.path(&format!("{suite}-never.json"));
        let copy_of_copy = work.run(&[
            "derive",
            derived_files[derived_files.len() - 2].1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&copy_of_copy.stderr);
        assert_eq!(copy_of_copy.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("cannot be further derived")
                && stderr.contains(&format!("{suite}-number.json")),
            "{stderr}"
        );
        let nowhere = work.run(&[
            "derive",
            bol.to_str().unwrap(),
            "--reveal",
            "/credentialSubject/nowhere",
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&nowhere.stderr);
        assert_eq!(nowhere.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("JSON pointer \"/credentialSubject/nowhere\" does not match document."),
            "{stderr}"
        );
        assert!(!out.exists(), "nothing written on failure");

        // Many at once: JSON Lines in, a copy a line out. A line that cannot be derived is
        // named, and nothing is written.
        let both = work.path(&format!("{suite}-both.jsonl"));
        std::fs::write(&both, format!("{}\n{}\n", signed[0], signed[1])).unwrap();
        let copies = work.path(&format!("{suite}-copies.jsonl"));
        let (both_arg, copies_arg) = (both.to_str().unwrap(), copies.to_str().unwrap());
        let partly = work.run(&[
            "derive",
            both_arg,
            "--reveal",
            "/credentialSubject/blNumber",
            "--world",
            world_arg,
            "--out",
            copies_arg,
        ]);
        let stderr = String::from_utf8_lossy(&partly.stderr);
        assert_eq!(partly.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("{suite}-both.jsonl:2")),
            "{stderr}"
        );
        assert!(!copies.exists(), "nothing written on failure");
        work.ok(&[
            "derive", both_arg, "--world", world_arg, "--out", copies_arg,
        ]);
        let lines = std::fs::read_to_string(&copies).unwrap();
        assert_eq!(lines.lines().count(), 2, "{lines}");
        for (i, line) in lines.lines().enumerate() {
            let copy = work.path(&format!("{suite}-copy-{i}.json"));
            std::fs::write(&copy, line).unwrap();
            derived_files.push((suite, copy));
        }
    }
    let not_json = work.path("not.json");
    std::fs::write(&not_json, "{\"@context\": [").unwrap();
    let broken = work.run(&["derive", not_json.to_str().unwrap()]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("not.json: not valid JSON"));

    // TrustVC verifies every copy Corridor made.
    let paths: Vec<&str> = derived_files
        .iter()
        .map(|(_, p)| p.to_str().unwrap())
        .collect();
    let verdicts = compat_script_split("oracle-w3c.mjs", &["verify", world_arg], &[], &paths);
    for ((suite, path), verdict) in derived_files.iter().zip(&verdicts) {
        assert_eq!(
            verdict["verdict"],
            "VALID",
            "TrustVC on {}: {verdict}",
            path.display()
        );
        let integrity = verdict["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == integrity_fragment(suite))
            .unwrap();
        assert_eq!(integrity["status"], "VALID");
    }
}

/// Corridor signs bills of lading with `suite` for TrustVC's own issuer keys: TrustVC verifies
/// them (the whole verdict), derives from them, and Corridor verifies those derivations;
/// changed after signing, TrustVC refuses them.
fn signs_what_trustvc_verifies(suite: &str, count: usize, seed: u64) {
    let work = Workdir::new();
    let world = work.path("world");
    let world_arg = world.to_str().unwrap();
    let host = "signer.corridor.test";
    let (keys, _) = new_issuer(&work, &world, host);
    let pair = &keys[suite];
    let key = IssuerSigningKey::from_multibase(
        pair["secretKeyMultibase"].as_str().unwrap(),
        pair["publicKeyMultibase"].as_str().unwrap(),
    )
    .unwrap();
    let issuer_key =
        IssuerKey::from_multibase(pair["publicKeyMultibase"].as_str().unwrap()).unwrap();
    let method = pair["id"].as_str().unwrap();
    let did = format!("did:web:{host}");
    let processor = Processor::new(BundledContexts);
    let mut rng = common::rng(seed);
    let mandatory: Vec<String> = ["/issuer", "/validFrom"].map(String::from).to_vec();
    let mut signed = Vec::new();
    let mut files = Vec::new();
    for i in 0..count {
        let mut credential = bill_of_lading(&mut rng, &did);
        credential["id"] = json!(format!("urn:uuid:{:032x}", rng.random::<u128>()));
        let ours = corridor_di::sign(
            &processor,
            &credential,
            &key,
            method,
            "2025-03-10T01:00:00Z",
            &mandatory,
        )
        .unwrap();
        assert_eq!(
            corridor_di::verify(&processor, &ours, &issuer_key).map_err(|e| e.to_string()),
            Ok(true),
            "{ours}"
        );
        let mut tampered = ours.clone();
        tampered["credentialSubject"]["blNumber"] = json!("changed");
        for (name, credential) in [
            (format!("signed-{i}.json"), &ours),
            (format!("tampered-{i}.json"), &tampered),
        ] {
            let file = work.path(&name);
            std::fs::write(&file, credential.to_string()).unwrap();
            files.push(file);
        }
        signed.push(ours);
    }
    let paths: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let verdicts = compat_script_split("oracle-w3c.mjs", &["verify", world_arg], &[], &paths);
    for (path, verdict) in paths.iter().zip(&verdicts) {
        let expected = if path.contains("tampered") {
            "INVALID"
        } else {
            "VALID"
        };
        assert_eq!(
            verdict["verdict"], expected,
            "TrustVC on Corridor's {path}: {verdict}"
        );
        let integrity = verdict["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == integrity_fragment(suite))
            .unwrap();
        assert_eq!(integrity["status"], expected, "{path}: {verdict}");
    }
    let requests: Vec<String> = signed
        .iter()
        .map(|credential| {
            format!(
                "{}\n",
                json!({"credential": credential, "pointers": chosen_pointers(&mut rng, credential)})
            )
        })
        .collect();
    for derived in compat_script_split("oracle-w3c.mjs", &["derive", world_arg], &requests, &[]) {
        assert!(
            derived.get("error").is_none(),
            "TrustVC could not derive: {derived}"
        );
        assert_eq!(
            corridor_di::verify(&processor, &derived, &issuer_key).map_err(|e| e.to_string()),
            Ok(true),
            "{derived}"
        );
    }
}

#[test]
fn ecdsa_sd_2023_credentials_corridor_signs_verify_in_trustvc() {
    signs_what_trustvc_verifies("ecdsa-sd-2023", 12, 165);
}

#[test]
fn bbs_2023_credentials_corridor_signs_verify_in_trustvc() {
    signs_what_trustvc_verifies("bbs-2023", 8, 166);
}

/// Serves `body` as JSON to every request on a local port, counting the requests.
fn serve_json(body: String) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&asked);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/ld+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (format!("http://{address}"), asked)
}

#[test]
fn corridor_derive_fetches_a_context_only_when_told_to() {
    let work = Workdir::new();
    let world = work.path("world");
    let world_arg = world.to_str().unwrap();
    let host = "fetch.corridor.test";
    let (_, keys_file) = new_issuer(&work, &world, host);
    let context = json!({"@context": {
        "@protected": true,
        "TraceEvent": "https://contexts.corridor.test/trace#TraceEvent",
        "lotNumber": "https://contexts.corridor.test/trace#lotNumber"
    }});
    let (origin, asked) = serve_json(context.to_string());
    let url = format!("{origin}/trace/v1.jsonld");
    // TrustVC signs with the context from its world; Corridor will fetch it from the server.
    std::fs::write(world.join("trace.jsonld"), context.to_string()).unwrap();
    let index_file = world.join("index.json");
    let mut index: Value =
        serde_json::from_str(&std::fs::read_to_string(&index_file).unwrap()).unwrap();
    index["files"][&url] = json!("trace.jsonld");
    std::fs::write(&index_file, index.to_string()).unwrap();
    let credential = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v2", url],
        "type": ["VerifiableCredential"],
        "issuer": format!("did:web:{host}"),
        "validFrom": "2025-03-10T01:00:00Z",
        "credentialSubject": {"type": ["TraceEvent"], "lotNumber": "LOT-9"}
    });
    let signed = compat_script(
        "oracle-w3c.mjs",
        &[
            "sign",
            world_arg,
            keys_file.to_str().unwrap(),
            "ecdsa-sd-2023",
        ],
        &[],
        format!("{credential}\n"),
    )
    .remove(0);
    let file = work.path("trace.json");
    std::fs::write(&file, signed.to_string()).unwrap();

    let refused = work.run(&["derive", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&url) && stderr.contains("--fetch-contexts") && stderr.contains("--world"),
        "{stderr}"
    );
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing fetched unless told"
    );

    let out = work.path("lot.json");
    work.ok(&[
        "derive",
        file.to_str().unwrap(),
        "--fetch-contexts",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "fetched once"
    );
    let verdict = compat_script(
        "oracle-w3c.mjs",
        &["verify", world_arg, out.to_str().unwrap()],
        &[],
        String::new(),
    )
    .remove(0);
    assert_eq!(verdict["verdict"], "VALID", "{verdict}");
}
