//! Events as W3C credentials (issue 17): `corridor trace record --suite` issues each event as a
//! VC 2.0 credential in the shape of UN/CEFACT's Digital Traceability Event, over GS1's EPCIS
//! vocabulary, signed by its party's did:web key with a selective disclosure suite and given
//! an entry of the party's status list. A generated cold chain recorded so walks clean; an
//! event's credential verifies in TrustVC and in Corridor alike, and so does a copy that
//! discloses only some of the event; withdrawn on its list, the event breaks the provenance
//! that leans on it and both verifiers say revoked.

mod common;

use std::collections::BTreeMap;

use common::Workdir;
use common::w3c::{
    corridor_verdicts, disagreements, new_revocation_list, unlocked, unlocked_ok as ok,
    world_folder,
};
use corridor_tracegen::generate;
use serde_json::{Value, json};

/// A party's did:web host.
fn host(index: usize) -> String {
    format!("party{index}.trace.test")
}

/// A party's status list (on a path of its own: one server publishes them all).
fn list(index: usize) -> String {
    format!("https://{}/status/events-{index}", host(index))
}

/// The world a verifier needs: each party's DID document and status list as the store has it
/// now, and GS1's EPCIS context (which TrustVC does not bundle) as Corridor bundles it.
fn world(work: &Workdir, documents: &[Value], name: &str) -> std::path::PathBuf {
    let mut files: Vec<(String, String)> = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        files.push((
            format!("https://{}/.well-known/did.json", host(index)),
            document.to_string(),
        ));
        files.push((
            list(index),
            ok(work, &["status-list", "show", &list(index), "--signed"]),
        ));
    }
    let (url, context) = corridor_jsonld::BUNDLED
        .iter()
        .find(|(url, _)| url.contains("epcis-context"))
        .unwrap();
    files.push(((*url).to_owned(), (*context).to_owned()));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(u, t)| (u.as_str(), t.as_str()))
        .collect();
    world_folder(&work.path(name), &files, true)
}

/// TrustVC's and Corridor's verdicts on `paths` in `world`, which must agree; Corridor's.
fn verdicts(work: &Workdir, world: &std::path::Path, paths: &[&str]) -> Vec<Value> {
    let theirs = common::compat_script_split(
        "oracle-w3c.mjs",
        &["verify", world.to_str().unwrap()],
        &[],
        paths,
    );
    let ours = corridor_verdicts(work, world, paths);
    let mut found = Vec::new();
    for ((path, their), our) in paths.iter().zip(&theirs).zip(&ours) {
        found.extend(disagreements(path, their, our));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    ours
}

fn walk(work: &Workdir, target: &str) -> Value {
    let out = unlocked(work, &["trace", "provenance", "--json", target]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_chain_recorded_as_w3c_credentials_verifies_everywhere_and_a_withdrawn_event_breaks_it() {
    let mut rng = common::rng(4_242);
    let chain = generate(&mut rng, 1, 3);
    let work = Workdir::new();

    let by_party = common::trace::by_recorder(&chain);
    // Each party lists its own did:web DID as its signer.
    let mut reference = chain.reference.clone();
    let index_of: BTreeMap<String, usize> = by_party
        .keys()
        .enumerate()
        .map(|(i, g)| (g.clone(), i))
        .collect();
    for party in reference["parties"].as_array_mut().unwrap() {
        if let Some(index) = index_of.get(party["gln"].as_str().unwrap()) {
            party["signers"] = json!([format!("did:web:{}", host(*index))]);
        }
    }
    let file = work.path("reference.json");
    std::fs::write(&file, reference.to_string()).unwrap();
    ok(
        &work,
        &["trace", "reference", "import", file.to_str().unwrap()],
    );

    // Every party its key, DID document and status list; the first signs with bbs-2023.
    let mut documents = Vec::new();
    for (index, (gln, events)) in by_party.iter().enumerate() {
        let (suite, kind) = if index == 0 {
            ("bbs-2023", "bls12-381")
        } else {
            ("ecdsa-sd-2023", "p256")
        };
        let key = format!("party{index}");
        ok(&work, &["key", "new", &key, "--type", kind]);
        let did = format!("did:web:{}", host(index));
        let method = format!("{did}#keys-1");
        documents.push(
            serde_json::from_str::<Value>(&ok(&work, &["did", "document", &did, "--key", &key]))
                .unwrap(),
        );
        new_revocation_list(&work, &list(index), &key, &method);
        let file = work.path(&format!("events-{gln}.jsonl"));
        common::write_lines(&file, events);
        let out = unlocked(
            &work,
            &[
                "trace",
                "record",
                "--suite",
                suite,
                "--key",
                &key,
                "--verification-method",
                &method,
                "--status-list",
                &list(index),
                "--party",
                gln,
                file.to_str().unwrap(),
            ],
        );
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{said}");
        assert!(
            said.contains(&format!("recorded {} of {}", events.len(), events.len())),
            "{said}"
        );
    }

    // The chain walks clean: every event signed by the key its party lists.
    let item = common::trace::sold_items(&chain)
        .into_iter()
        .next()
        .unwrap();
    let walked = walk(&work, &item);
    assert_eq!(walked["verdict"], "clean", "{walked}");

    // The farm's harvest event, as a credential: what it holds, and that it verifies in
    // TrustVC and Corridor, whole and as a copy disclosing only the step.
    let farm_event = &by_party.values().next().unwrap()[0];
    let id = corridor_epcis::event_hash_id(farm_event, None).unwrap();
    let text = ok(&work, &["trace", "show", &id, "--credential"]);
    let credential: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        credential["type"],
        json!([
            "VerifiableCredential",
            "https://test.uncefact.org/vocabulary/untp/dte/0/DigitalTraceabilityEvent"
        ])
    );
    assert_eq!(credential["issuer"], format!("did:web:{}", host(0)));
    assert_eq!(credential["credentialSubject"]["id"], id.as_str());
    assert_eq!(
        credential["credentialSubject"]["bizStep"],
        farm_event["bizStep"]
    );
    assert_eq!(credential["proof"]["cryptosuite"], "bbs-2023");
    assert_eq!(
        credential["credentialStatus"]["statusListCredential"],
        list(0)
    );
    // Shown with its event: signed alone, it belongs to no merkle root.
    let shown: Value = serde_json::from_str(&ok(&work, &["trace", "show", &id])).unwrap();
    assert!(shown.get("merkleRoot").is_none(), "{shown}");
    assert_eq!(shown["credential"], credential);
    assert_eq!(shown["event"]["eventID"], id.as_str());
    let whole = work.path("event.json");
    std::fs::write(&whole, &text).unwrap();
    let copy = work.path("copy.json");
    ok(
        &work,
        &[
            "derive",
            "--reveal",
            "/credentialSubject/bizStep",
            "--out",
            copy.to_str().unwrap(),
            whole.to_str().unwrap(),
        ],
    );
    let derived: Value = serde_json::from_str(&std::fs::read_to_string(&copy).unwrap()).unwrap();
    assert!(
        derived["credentialSubject"].get("epcList").is_none(),
        "{derived}"
    );
    assert_eq!(derived["credentialSubject"]["id"], id.as_str());
    let paths = [whole.to_str().unwrap(), copy.to_str().unwrap()];
    let before = world(&work, &documents, "world-before");
    for verdict in verdicts(&work, &before, &paths) {
        assert_eq!(verdict["valid"], true, "{verdict}");
    }

    // Withdrawn on its list: the provenance that leans on it breaks, and both verifiers say
    // the credential (and its copy) revoked.
    ok(&work, &["revoke", whole.to_str().unwrap()]);
    let walked = walk(&work, &item);
    let revoked: Vec<&Value> = walked["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "event-revoked")
        .collect();
    assert_eq!(revoked.len(), 1, "{walked}");
    assert_eq!(revoked[0]["events"], json!([id]), "{walked}");
    assert!(
        revoked[0]["note"]
            .as_str()
            .unwrap()
            .contains(&format!("revoked on status list {}", list(0))),
        "{walked}"
    );
    let after = world(&work, &documents, "world-after");
    for verdict in verdicts(&work, &after, &paths) {
        assert_eq!(verdict["valid"], false, "{verdict}");
    }
    let audit = ok(&work, &["store", "audit"]);
    assert!(audit.contains("intact"), "{audit}");
}

#[test]
fn recording_as_w3c_is_refused_without_what_it_needs_and_records_nothing() {
    let work = Workdir::new();
    ok(&work, &["key", "new", "farm", "--type", "p256"]);
    ok(&work, &["key", "new", "eth"]);
    let event = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "ObjectEvent", "eventTime": "2025-03-02T22:21:40+08:00",
        "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "bizStep": "receiving",
        "epcList": ["urn:epc:id:sgtin:6918790.000001.A1"]
    });
    let file = work.path("event.json");
    std::fs::write(&file, event.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let method = "did:web:farm.trace.test#keys-1";
    let list = "https://farm.trace.test/status/1";
    let base = ["trace", "record", "--suite", "ecdsa-sd-2023"];
    for (extra, says) in [
        (
            vec!["--key", "farm", "--verification-method", method],
            "--suite needs --status-list",
        ),
        (
            vec![
                "--key",
                "farm",
                "--verification-method",
                method,
                "--status-list",
                list,
            ],
            "no such list in the store",
        ),
        (
            vec!["--key", "farm", "--status-list", list],
            "--suite needs --verification-method",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend(&extra);
        args.push(file);
        let out = unlocked(&work, &args);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(said.contains(says), "{args:?}: {said}");
    }
    new_revocation_list(&work, list, "farm", method);
    // Records `input` with `suite`, `key` and `extra`, with the list and method.
    let record = |suite: &str, key: &str, extra: &[&str], input: &str| {
        let mut args = vec![
            "trace",
            "record",
            "--suite",
            suite,
            "--key",
            key,
            "--verification-method",
            method,
            "--status-list",
            list,
        ];
        args.extend(extra);
        args.push(input);
        let out = unlocked(&work, &args);
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), said)
    };
    // An Ethereum key, or a P-256 key asked to sign bbs-2023, is refused; --domain belongs
    // to OpenAttestation credentials.
    for (suite, key, extra, says) in [
        ("ecdsa-sd-2023", "eth", &[][..], "is an Ethereum key"),
        ("bbs-2023", "farm", &[], "signs ecdsa-sd-2023, not bbs-2023"),
        ("ecdsa-sd-2023", "farm", &["--domain", "x.test"], "--domain"),
    ] {
        let (code, said) = record(suite, key, extra, file);
        assert_eq!(code, Some(2), "{said}");
        assert!(said.contains(says), "{said}");
    }
    // An event naming a context nobody gives is refused by name, and nothing is recorded
    // nor any entry handed out.
    let mut odd = event.clone();
    odd["epcList"] = json!(["urn:epc:id:sgtin:6918790.000001.A2"]);
    odd["@context"] = json!([
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "https://nowhere.trace.test/context.jsonld"
    ]);
    let odd_file = work.path("odd.jsonl");
    common::write_lines(&odd_file, &[event.clone(), odd]);
    let (code, said) = record("ecdsa-sd-2023", "farm", &[], odd_file.to_str().unwrap());
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("odd.jsonl") && said.contains("nowhere.trace.test"),
        "{said}"
    );
    let shown = ok(&work, &["status-list", "show", list]);
    assert!(shown.contains("(0 handed out)"), "{shown}");
    let out = unlocked(
        &work,
        &[
            "trace",
            "show",
            &corridor_epcis::event_hash_id(&event, None).unwrap(),
        ],
    );
    assert!(!out.status.success(), "nothing was recorded");
}
