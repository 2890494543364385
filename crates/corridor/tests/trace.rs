//! Traceability through the command line (issue 17): events recorded with `corridor trace
//! record` — each checked, given its hash ID, signed by its recorder's key and stored — and
//! `corridor trace provenance` over them. A generated cold chain with one fault of each kind
//! injected on its own lot: each fault is found, on exactly the objects it reaches, and nothing
//! else is flagged. With the shared fixtures beside the repository, the public corpus gets every
//! expected answer field by field.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::Workdir;
use corridor_tracegen::{Chain, generate};
use serde_json::Value;

/// A raw private key for each party, in the environment of the command that records for it.
fn party_key(index: usize) -> String {
    format!("{:064x}", 0x51ed_0000 + index as u64)
}

/// Records the chain's events, each party's with its own key and `--party`.
fn record(work: &Workdir, chain: &Chain) {
    let reference = work.path("reference.json");
    std::fs::write(&reference, chain.reference.to_string()).unwrap();
    work.ok(&["trace", "reference", "import", reference.to_str().unwrap()]);
    let mut by_recorder: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for event in &chain.events {
        let recorder =
            corridor_epcis::Epc::read(event["corridor:recordedBy"].as_str().unwrap()).unwrap();
        by_recorder
            .entry(recorder.gln().unwrap().to_string())
            .or_default()
            .push(event);
    }
    for (index, (gln, events)) in by_recorder.iter().enumerate() {
        let file = work.path(&format!("events-{gln}.jsonl"));
        common::write_lines(
            &file,
            &events.iter().map(|e| (*e).clone()).collect::<Vec<_>>(),
        );
        work.ok_with(
            &[
                "trace",
                "record",
                "--private-key-env",
                "PARTY_KEY",
                "--party",
                gln,
                "--domain",
                "trace.example",
                file.to_str().unwrap(),
            ],
            &[("PARTY_KEY", &party_key(index))],
        );
    }
}

/// `corridor trace provenance --json` of `targets`, by target.
fn provenance(work: &Workdir, targets: &[&str]) -> Vec<Value> {
    let mut args = vec!["trace", "provenance", "--json"];
    args.extend(targets);
    let output = work.run(&args);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn each_injected_fault_is_found_where_it_reaches_and_nothing_else_is_flagged() {
    let mut rng = common::rng(1_717);
    let chain = generate(&mut rng, 24, 40);
    let work = Workdir::new();
    record(&work, &chain);
    let targets: Vec<&str> = chain.expected.keys().map(String::as_str).collect();
    assert!(targets.len() > 1000, "{} objects", targets.len());
    let answers = provenance(&work, &targets);
    assert_eq!(answers.len(), targets.len());
    let mut broken = 0;
    for (target, answer) in targets.iter().zip(&answers) {
        assert_eq!(answer["dl"], *target);
        let kinds: BTreeSet<&str> = answer["breaks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["kind"].as_str().unwrap())
            .collect();
        let expected: BTreeSet<&str> = chain.expected[*target].iter().copied().collect();
        assert_eq!(kinds, expected, "{target}: {answer}");
        assert_eq!(
            answer["verdict"],
            if expected.is_empty() {
                "clean"
            } else {
                "broken"
            }
        );
        broken += usize::from(!expected.is_empty());
        // Everything began on its lot's farm.
        let lot = &chain.lot_of[*target];
        let origins = answer["origins"].as_array().unwrap();
        assert_eq!(origins.len(), 1, "{target}: {answer}");
        assert_eq!(origins[0]["id"], *lot);
        assert_eq!(origins[0]["site"], chain.farm_site[lot].as_str());
    }
    assert!(broken > 100, "{broken} broken");

    // The missing hop names the two events no shipment links.
    let (storing, received) = chain.unlinked.unwrap();
    let id_of = |index: usize| -> String {
        corridor_epcis::event_hash_id(&chain.events[index], None).unwrap()
    };
    let hop = answers
        .iter()
        .flat_map(|a| a["breaks"].as_array().unwrap())
        .find(|b| b["kind"] == "missing-hop")
        .unwrap();
    assert_eq!(
        hop["events"],
        serde_json::json!([id_of(storing), id_of(received)])
    );
}

#[test]
fn recording_refuses_bad_events_by_file_line_event_and_field_and_records_nothing() {
    let mut rng = common::rng(99);
    let chain = generate(&mut rng, 1, 10);
    let work = Workdir::new();
    let key = [("K", party_key(0))];
    let env: Vec<(&str, &str)> = key.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut events = chain.events.clone();
    events[3]["action"] = "TAKE".into();
    let file = work.path("events.jsonl");
    common::write_lines(&file, &events);
    let output = work
        .command(&[
            "trace",
            "record",
            "--private-key-env",
            "K",
            "--domain",
            "t.example",
            file.to_str().unwrap(),
        ])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("events.jsonl:4") && stderr.contains("action"),
        "{stderr}"
    );

    // An eventID that is not the content's hash is named; a recorder other than --party too.
    let mut events = chain.events.clone();
    let id = corridor_epcis::event_hash_id(&events[0], None).unwrap();
    events[0]["eventID"] = id.into();
    events[0]["quantityList"][0]["quantity"] = 41.into();
    common::write_lines(&file, &events);
    let output = work
        .command(&[
            "trace",
            "record",
            "--private-key-env",
            "K",
            "--domain",
            "t.example",
            file.to_str().unwrap(),
        ])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not the event's hash ID"));
    common::write_lines(&file, &chain.events);
    let output = work
        .command(&[
            "trace",
            "record",
            "--private-key-env",
            "K",
            "--party",
            "urn:epc:id:pgln:8880007.00000",
            "--domain",
            "t.example",
            file.to_str().unwrap(),
        ])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("a party signs only what it observed")
    );

    // Nothing of the refused runs was kept; then the whole file is, once.
    let target = chain.expected.keys().next().unwrap().clone();
    assert_eq!(provenance(&work, &[&target])[0]["verdict"], "unknown");
    work.ok_with(
        &[
            "trace",
            "record",
            "--private-key-env",
            "K",
            "--domain",
            "t.example",
            file.to_str().unwrap(),
        ],
        &env,
    );
    let again = work
        .command(&[
            "trace",
            "record",
            "--private-key-env",
            "K",
            "--domain",
            "t.example",
            file.to_str().unwrap(),
        ])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains(&format!("recorded 0 of {}", chain.events.len()))
    );
    assert!(work.ok(&["store", "audit"]).contains("intact"));

    // Each event's credential verifies: integrity and its recorder's signature.
    let id = corridor_epcis::event_hash_id(&chain.events[0], None).unwrap();
    let credential = work.ok(&["trace", "show", &id, "--credential"]);
    let path = work.path("credential.json");
    std::fs::write(&path, credential).unwrap();
    let verdict: Value =
        serde_json::from_str(&work.ok(&["verify", "--offline", "--json", path.to_str().unwrap()]))
            .unwrap();
    let fragment = |name: &str| {
        verdict["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(fragment("OpenAttestationHash")["status"], "VALID");
    let signed = fragment("OpenAttestationDidSignedDocumentStatus");
    assert!(
        signed["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("every issuer's signature is valid"),
        "{signed}"
    );
}

/// Numbers compared by value, whichever way they were written.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn the_public_corpus_recorded_and_walked_gets_every_expected_answer() {
    let dir = common::repo().join("../shared/fixtures/trace");
    if !dir.join("expected.json").exists() {
        return;
    }
    let work = Workdir::new();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    work.ok(&[
        "trace",
        "reference",
        "import",
        &path("parties.json"),
        &path("products.json"),
        &path("certificates.json"),
    ]);
    work.ok_with(
        &[
            "trace",
            "record",
            "--private-key-env",
            "K",
            "--domain",
            "trace.example",
            &path("events.jsonl"),
        ],
        &[("K", &party_key(7))],
    );
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let targets = expected["targets"].as_array().unwrap();
    for form in ["dl", "urn"] {
        let asked: Vec<&str> = targets.iter().map(|t| t[form].as_str().unwrap()).collect();
        let answers = provenance(&work, &asked);
        for (target, answer) in targets.iter().zip(&answers) {
            assert!(
                same(answer, target),
                "by {form}:\nexpected {target}\ngot      {answer}"
            );
        }
    }
}
