//! Traceability through the command line (issue 17): events recorded with `corridor trace
//! record` — each checked, given its hash ID, signed by its recorder's key and stored — and
//! `corridor trace provenance` over them. A generated cold chain with one fault of each kind
//! injected on its own lot: each fault is found, on exactly the objects it reaches, and nothing
//! else is flagged. With the shared fixtures beside the repository, the public corpus gets every
//! expected answer field by field.

mod common;

use std::collections::BTreeSet;

use common::Workdir;
use common::trace::{party_key, record, sold_items};
use corridor_tracegen::generate;
use serde_json::{Value, json};

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

    // A recall of a clean lot reaches everything made from it, and breaks it from then on.
    let lot = chain
        .lot_of
        .values()
        .find(|lot| chain.expected[*lot].is_empty())
        .unwrap()
        .clone();
    let made: Vec<&String> = chain
        .lot_of
        .iter()
        .filter(|(object, of)| **of == lot && **object != lot)
        .map(|(object, _)| object)
        .collect();
    let sold = sold_items(&chain);
    let farm = chain
        .parties
        .iter()
        .find(|p| chain.farm_site[&lot] == p.sites[0])
        .unwrap();
    let recall: Value = serde_json::from_str(&work.ok_with(
        &[
            "trace",
            "recall",
            &lot,
            "--json",
            "--private-key-env",
            "K",
            "--party",
            &farm.gln(),
            "--domain",
            "farm.example",
        ],
        &[("K", &party_key(0))],
    ))
    .unwrap();
    let items: Vec<&String> = made
        .iter()
        .copied()
        .filter(|o| o.contains("/21/"))
        .collect();
    let cases: Vec<&String> = made
        .iter()
        .copied()
        .filter(|o| o.contains("/00/"))
        .collect();
    assert_eq!(recall["recalled"], serde_json::json!([lot]));
    assert_eq!(recall["affected"]["lots"], serde_json::json!([lot]));
    assert_eq!(
        recall["affected"]["logisticUnits"],
        serde_json::json!(cases)
    );
    assert_eq!(recall["affected"]["items"], items.len());
    let sold_here = items.iter().filter(|i| sold.contains(**i)).count();
    assert!(
        sold_here > 0 && sold_here < items.len(),
        "{sold_here} of {} sold",
        items.len()
    );
    assert_eq!(recall["affected"]["itemsSold"], sold_here);
    let to_pull: usize = recall["notSoldByLastSite"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["items"].as_array().unwrap().len())
        .sum();
    assert_eq!(to_pull, items.len() - sold_here);
    let after = provenance(&work, &[items[0].as_str()]);
    let kinds: Vec<&str> = after[0]["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["recalled-upstream"], "{}", after[0]);
}

#[test]
fn recording_refuses_bad_events_by_file_line_event_and_field_and_records_nothing() {
    let mut rng = common::rng(99);
    let chain = generate(&mut rng, 1, 10);
    let work = Workdir::new();
    let file = work.path("events.jsonl");
    let key = party_key(0);
    // `corridor trace record` of `events` (with `extra` arguments): its exit code and errors.
    let record_file = |events: &[Value], extra: &[&str]| -> (Option<i32>, String) {
        common::write_lines(&file, events);
        let mut args = vec![
            "trace",
            "record",
            "--private-key-env",
            "K",
            "--domain",
            "t.example",
        ];
        args.extend(extra);
        args.push(file.to_str().unwrap());
        let output = work.command(&args).env("K", &key).output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let mut events = chain.events.clone();
    events[3]["action"] = "TAKE".into();
    let (code, stderr) = record_file(&events, &[]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("events.jsonl:4") && stderr.contains("action"),
        "{stderr}"
    );

    // An eventID that is not the content's hash is named; a recorder other than --party too.
    let mut events = chain.events.clone();
    let id = corridor_epcis::event_hash_id(&events[0], None).unwrap();
    events[0]["eventID"] = id.into();
    events[0]["quantityList"][0]["quantity"] = 41.into();
    let (code, stderr) = record_file(&events, &[]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("is not the event's hash ID"), "{stderr}");
    let (code, stderr) = record_file(&chain.events, &["--party", "urn:epc:id:pgln:8880007.00000"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("a party signs only what it observed"),
        "{stderr}"
    );

    // Nothing of the refused runs was kept; then the whole file is, once.
    let target = chain.expected.keys().next().unwrap().clone();
    assert_eq!(provenance(&work, &[&target])[0]["verdict"], "unknown");
    let (code, _) = record_file(&chain.events, &[]);
    assert_eq!(code, Some(0));
    let (code, stderr) = record_file(&chain.events, &[]);
    assert_eq!(code, Some(0));
    assert!(
        stderr.contains(&format!("recorded 0 of {}", chain.events.len())),
        "{stderr}"
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

#[test]
fn the_public_corpus_recorded_and_walked_gets_every_expected_answer() {
    let work = Workdir::new();
    corpus_gets_every_expected_answer(
        &work,
        &["--private-key-env", "K", "--domain", "trace.example"],
        &[("K", &party_key(7))],
    );
}

#[test]
fn the_public_corpus_recorded_as_w3c_credentials_gets_every_expected_answer() {
    let work = Workdir::new();
    let method = "did:web:trace.example#keys-1";
    let list = "https://trace.example/status/events";
    let password = common::w3c::KEY_PASSWORD;
    let unlocked = [("CORRIDOR_KEY_PASSWORD", password)];
    work.ok_with(&["key", "new", "corpus", "--type", "p256"], &unlocked);
    work.ok_with(
        &[
            "status-list",
            "new",
            list,
            "--purpose",
            "revocation",
            "--entries",
            "8192",
            "--key",
            "corpus",
            "--verification-method",
            method,
        ],
        &unlocked,
    );
    corpus_gets_every_expected_answer(
        &work,
        &[
            "--suite",
            "ecdsa-sd-2023",
            "--key",
            "corpus",
            "--verification-method",
            method,
            "--status-list",
            list,
        ],
        &unlocked,
    );
}

/// With the shared fixtures beside the repository: the corpus recorded by one key (`signer`,
/// with `env`), then walked, gets the provenance `expected.json` gives each target, found by
/// its Digital Link and by its EPC URN; recalling each recalled lot again, as its recorder,
/// reaches what the corpus says its recall reaches.
fn corpus_gets_every_expected_answer(work: &Workdir, signer: &[&str], env: &[(&str, &str)]) {
    let dir = common::repo().join("../shared/fixtures/trace");
    if !dir.join("expected.json").exists() {
        return;
    }
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    work.ok(&[
        "trace",
        "reference",
        "import",
        &path("parties.json"),
        &path("products.json"),
        &path("certificates.json"),
    ]);
    let events = path("events.jsonl");
    let mut record = vec!["trace", "record"];
    record.extend(signer);
    record.push(&events);
    work.ok_with(&record, env);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let targets = expected["targets"].as_array().unwrap();
    for form in ["dl", "urn"] {
        let asked: Vec<&str> = targets.iter().map(|t| t[form].as_str().unwrap()).collect();
        let answers = provenance(work, &asked);
        for (target, answer) in targets.iter().zip(&answers) {
            assert!(
                corridor_tracegen::same_json(answer, target),
                "by {form}:\nexpected {target}\ngot      {answer}"
            );
        }
    }
    let recalls = expected["recalls"].as_array().unwrap();
    assert!(!recalls.is_empty());
    for expected in recalls {
        let lot = expected["recalled"][0].as_str().unwrap();
        let recorder = expected["recorder"].as_str().unwrap();
        let mut recall = vec!["trace", "recall", lot, "--json", "--party", recorder];
        recall.extend(signer);
        let recall: Value = serde_json::from_str(&work.ok_with(&recall, env)).unwrap();
        assert_eq!(recall["recorder"], expected["recorder"]);
        assert!(
            corridor_tracegen::same_json(&recall["affected"], &expected["affected"]),
            "{lot}:\nexpected {}\ngot      {}",
            expected["affected"],
            recall["affected"]
        );
        assert!(
            corridor_tracegen::same_json(
                &recall["notSoldByLastSite"],
                &expected["notSoldByLastSite"]
            ),
            "{lot}"
        );
    }
}

/// The URL query value of `text`.
fn query(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An answer of the server as text: status, content type, body.
fn fetch(base: &str, path: &str, accept: &str) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::config::Config::builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut answer = agent
        .get(&format!("{base}{path}"))
        .header("Accept", accept)
        .call()
        .unwrap();
    let kind = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        answer.status().as_u16(),
        kind,
        answer.body_mut().read_to_string().unwrap(),
    )
}

#[test]
fn the_checkout_and_the_resolver_answer_from_the_recorded_events_at_once() {
    let mut rng = common::rng(4_242);
    let chain = generate(&mut rng, 8, 20);
    let work = Workdir::new();
    record(&work, &chain);
    let server = common::Served::start(&work, &["--offline"]);
    let sold = sold_items(&chain);
    let unsold_of = |lot: usize, case_only: bool| -> String {
        chain
            .lot_of
            .iter()
            .filter(|(object, of)| {
                of.contains(&format!("/10/L{lot:03}X"))
                    && object.contains("/21/")
                    && !sold.contains(*object)
            })
            .find(|(object, _)| {
                !case_only || chain.expected[*object].contains("temperature-excursion")
            })
            .map(|(object, _)| object.clone())
            .unwrap()
    };
    let check = |link: &str| -> Value {
        let (status, answer) = server.call(
            "GET",
            &format!("/api/trace/check?link={}", query(link)),
            None,
            None,
        );
        assert_eq!(status, 200, "{answer}");
        answer
    };
    let codes = |answer: &Value| -> Vec<String> {
        answer["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_owned())
            .collect()
    };
    // A clean item not yet sold, asked for by its EPC URN as a scanner may read it.
    let good = unsold_of(0, false);
    let answer = check(&good);
    assert_eq!(answer["decision"], "sell", "{answer}");
    assert_eq!(codes(&answer), Vec::<String>::new());
    let sold_one = sold
        .iter()
        .find(|item| chain.expected[*item].is_empty())
        .unwrap();
    assert_eq!(codes(&check(sold_one)), ["sold"]);
    assert_eq!(codes(&check(&unsold_of(5, false))), ["recalled"]);
    assert_eq!(codes(&check(&unsold_of(3, true))), ["temperature"]);
    assert_eq!(codes(&check(&unsold_of(4, false))), ["certificate"]);
    let unknown = check(&format!(
        "https://id.gs1.org/01/{}/21/NEVER",
        corridor_tracegen::key("0695123400009")
    ));
    assert_eq!(
        (unknown["decision"].as_str(), codes(&unknown)),
        (Some("do-not-sell"), vec!["unknown".to_owned()])
    );
    let (status, answer) = server.call(
        "GET",
        "/api/trace/check?link=https%3A%2F%2Fid.gs1.org%2F01%2F06951234000010",
        None,
        None,
    );
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("invalid")),
        "{answer}"
    );

    // The resolver: a page for a phone, the linkset, JSON for machines.
    let path = good.strip_prefix("https://id.gs1.org").unwrap();
    let (status, kind, page) = fetch(&server.base, path, "text/html");
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert!(
        page.contains("Fine to buy") && page.len() < 16_000,
        "{page}"
    );
    let (status, kind, linkset) = fetch(&server.base, &format!("{path}?linkType=all"), "*/*");
    assert_eq!((status, kind.as_str()), (200, "application/linkset+json"));
    let linkset: Value = serde_json::from_str(&linkset).unwrap();
    assert_eq!(linkset["linkset"][0]["anchor"], good.as_str());
    let (_, _, json) = fetch(&server.base, path, "application/json");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["decision"], "sell");
    assert!(json["journey"].as_array().unwrap().len() >= 8, "{json}");

    // An event its recorder withdraws (revoking its credential) no longer vouches for the
    // step: the answer flips at the next scan, and provenance names the event.
    let other = unsold_of(6, false);
    let item = corridor_epcis::Epc::read(&other).unwrap();
    let step = chain
        .events
        .iter()
        .find(|e| {
            corridor_epcis::Event::read(e, &corridor_epcis::Prefixes::default())
                .unwrap()
                .epcs
                .contains(&item)
        })
        .unwrap();
    let step_id = corridor_epcis::event_hash_id(step, None).unwrap();
    let credential = work.path("withdrawn.json");
    std::fs::write(
        &credential,
        work.ok(&["trace", "show", &step_id, "--credential"]),
    )
    .unwrap();
    assert_eq!(codes(&check(&other)), Vec::<String>::new());
    work.ok(&[
        "revoke",
        "--note",
        "recorded at the wrong dock",
        credential.to_str().unwrap(),
    ]);
    let answer = check(&other);
    assert_eq!(codes(&answer), ["withdrawn-step"], "{answer}");
    assert!(
        answer["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("recorded at the wrong dock"),
        "{answer}"
    );
    let walked = provenance(&work, &[&other]);
    assert_eq!(walked[0]["verdict"], "broken");
    assert_eq!(
        walked[0]["breaks"],
        json!([{"kind": "event-revoked", "events": [step_id], "note": "recorded at the wrong dock"}])
    );
    assert_eq!(
        codes(&check(&good)),
        Vec::<String>::new(),
        "others unchanged"
    );

    // A recall recorded while the server runs flips the answer at the next scan.
    let lot = &chain.lot_of[&good];
    let farm = chain
        .parties
        .iter()
        .find(|p| chain.farm_site[lot] == p.sites[0])
        .unwrap();
    work.ok_with(
        &[
            "trace",
            "recall",
            lot,
            "--private-key-env",
            "K",
            "--party",
            &farm.gln(),
            "--domain",
            "farm.example",
        ],
        &[("K", &party_key(0))],
    );
    let answer = check(&good);
    assert_eq!(
        (answer["decision"].as_str(), codes(&answer)),
        (Some("do-not-sell"), vec!["recalled".to_owned()])
    );
}

#[test]
fn a_partys_events_signed_by_a_key_it_does_not_list_are_wrong_signers() {
    let mut rng = common::rng(9_191);
    let chain = generate(&mut rng, 1, 6);
    let work = Workdir::new();
    record(&work, &chain);
    let farm = chain
        .parties
        .iter()
        .find(|p| chain.farm_site.values().any(|site| *site == p.sites[0]))
        .unwrap();
    let farm_event = chain
        .events
        .iter()
        .find(|e| {
            corridor_epcis::Epc::read(e["corridor:recordedBy"].as_str().unwrap())
                .unwrap()
                .gln()
                .map(|g| g.to_string())
                == Some(farm.gln())
        })
        .unwrap();
    let id = corridor_epcis::event_hash_id(farm_event, None).unwrap();
    let credential: Value =
        serde_json::from_str(&work.ok(&["trace", "show", &id, "--credential"])).unwrap();
    let farm_did = credential["proof"][0]["verificationMethod"]
        .as_str()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    let lot = chain.farm_site.keys().next().unwrap().clone();
    let with_signers = |signers: &[&str]| {
        let mut reference = chain.reference.clone();
        for party in reference["parties"].as_array_mut().unwrap() {
            if party["gln"] == farm.gln() {
                party["signers"] = json!(signers);
            }
        }
        let file = work.path("reference.json");
        std::fs::write(&file, reference.to_string()).unwrap();
        work.ok(&["trace", "reference", "import", file.to_str().unwrap()]);
        provenance(&work, &[&lot]).remove(0)
    };
    // The farm's key is not among those it lists: each of its events is a wrong signer.
    let walked = with_signers(&["did:ethr:0x0000000000000000000000000000000000000001"]);
    let reasons: BTreeSet<String> = walked["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "wrong-signer")
        .flat_map(|b| b["reasons"].as_array().unwrap().clone())
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        reasons,
        BTreeSet::from(["not-signed-by-recorder".to_owned()]),
        "{walked}"
    );
    // Listed (its address in any case): clean again.
    let walked = with_signers(&[&farm_did.to_lowercase()]);
    assert_eq!(walked["verdict"], "clean", "{walked}");
}

#[test]
fn a_certificate_an_event_links_to_is_verified_with_its_provenance() {
    let mut rng = common::rng(7_373);
    let chain = generate(&mut rng, 1, 6);
    let work = Workdir::new();
    record(&work, &chain);
    // A health certificate, issued and signed in this store.
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let raw = json!({
        "issuers": [{"id": did, "name": "Chongqing Customs", "revocation": {"type": "NONE"},
                     "identityProof": {"type": "DNS-DID", "location": "customs.example",
                                       "key": format!("{did}#controller")}}],
        "certificateType": "health", "holder": "Bishan Green Leaf Farm",
    });
    std::fs::create_dir_all(work.path("raw")).unwrap();
    std::fs::write(work.path("raw/health.json"), raw.to_string()).unwrap();
    work.ok(&[
        "wrap",
        "--out-dir",
        "wrapped",
        work.path("raw").to_str().unwrap(),
    ]);
    work.ok(&[
        "issue",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--out-dir",
        "issued",
        work.path("wrapped").to_str().unwrap(),
    ]);
    let certificate: Value =
        serde_json::from_slice(&std::fs::read(work.path("issued/health.json")).unwrap()).unwrap();
    let link = format!(
        "urn:oa:{}",
        certificate["signature"]["targetHash"].as_str().unwrap()
    );
    // The farm records an inspection of its lot citing the certificate.
    let lot = chain.farm_site.keys().next().unwrap().clone();
    let commissioning = chain
        .events
        .iter()
        .find(|e| e["bizStep"] == "commissioning" && e["type"] == "ObjectEvent")
        .unwrap();
    let mut inspection = commissioning.clone();
    let fields = inspection.as_object_mut().unwrap();
    for key in ["eventID", "ilmd", "certificationInfo"] {
        fields.remove(key);
    }
    let time = corridor_epcis::Event::read(commissioning, &corridor_epcis::Prefixes::default())
        .unwrap()
        .time;
    fields.insert(
        "eventTime".into(),
        json!(corridor_js::to_iso_string(time + 60_000)),
    );
    fields.insert("action".into(), json!("OBSERVE"));
    fields.insert("bizStep".into(), json!("holding"));
    fields.insert("certificationInfo".into(), json!([link]));
    let farm_gln =
        corridor_epcis::Epc::read(commissioning["corridor:recordedBy"].as_str().unwrap())
            .unwrap()
            .gln()
            .unwrap()
            .to_string();
    let recorders: BTreeSet<String> = chain
        .events
        .iter()
        .map(|e| {
            corridor_epcis::Epc::read(e["corridor:recordedBy"].as_str().unwrap())
                .unwrap()
                .gln()
                .unwrap()
                .to_string()
        })
        .collect();
    let farm_index = recorders.iter().position(|g| *g == farm_gln).unwrap();
    let file = work.path("inspection.json");
    std::fs::write(&file, inspection.to_string()).unwrap();
    work.ok_with(
        &[
            "trace",
            "record",
            "--private-key-env",
            "FARM_KEY",
            "--party",
            &farm_gln,
            "--domain",
            "trace.example",
            file.to_str().unwrap(),
        ],
        &[("FARM_KEY", &party_key(farm_index))],
    );
    let walk = |documents: Value| -> Value {
        let reference = work.path("documents.json");
        std::fs::write(&reference, json!({ "documents": documents }).to_string()).unwrap();
        work.ok(&["trace", "reference", "import", reference.to_str().unwrap()]);
        let output = work.run(&["trace", "provenance", "--offline", "--json", &lot]);
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let problems = |walked: &Value| -> Vec<(String, String)> {
        walked["breaks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["reason"].as_str().unwrap_or_default().to_owned(),
                    b["detail"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    // Kept and intact: the link holds, and the lot is clean.
    let walked = walk(json!([certificate]));
    assert_eq!(walked["verdict"], "clean", "{walked}");
    // Not kept: a certificate no one can check.
    let walked = walk(json!([]));
    assert_eq!(problems(&walked), [("unknown".to_owned(), String::new())]);
    // Tampered: not verified, and what failed is said.
    let mut tampered = certificate.clone();
    tampered["data"]["holder"] = json!("a4f1e1f8-b8d7-4f4b-8a2f-000000000000:string:Someone Else");
    let walked = walk(json!([tampered]));
    let found = problems(&walked);
    assert_eq!(found.len(), 1, "{walked}");
    assert_eq!(found[0].0, "not-verified");
    assert!(found[0].1.contains("OpenAttestationHash"), "{walked}");
    // Revoked by its issuer in this store: not verified either, with the issuer's words.
    work.ok(&[
        "revoke",
        "--note",
        "issued in error",
        work.path("issued/health.json").to_str().unwrap(),
    ]);
    let walked = walk(json!([certificate]));
    let found = problems(&walked);
    assert_eq!(found[0].0, "not-verified", "{walked}");
    assert!(found[0].1.contains("issued in error"), "{walked}");
}
