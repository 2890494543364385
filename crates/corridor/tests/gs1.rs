//! GS1 identifiers (issue 17): keys, Digital Link URIs and EPC URNs read as the standards say,
//! compared with GS1's own digital-link.js (pinned in compat/) on generated links, valid and
//! broken, and — when the shared fixtures sit beside the repository — with every case of
//! `trace/identifiers/`. `corridor trace id` says the same.

mod common;

use std::path::PathBuf;

use corridor_gs1::{Gln, Gtin, Identifier, Sscc, check_digit};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

/// Digits with their check digit.
fn key(rng: &mut impl Rng, len: usize) -> String {
    let body: Vec<u8> = (0..len - 1)
        .map(|_| b'0' + rng.random_range(0..10))
        .collect();
    let check = check_digit(&body).unwrap();
    format!("{}{check}", String::from_utf8(body).unwrap())
}

/// A value of 1 to 20 characters of set 82, written for a Digital Link path as its grammar
/// writes it: letters, digits, `-`, `.` and `_` as they are, every other character
/// percent-encoded (in either case of hex). Not `"`, which digital-link.js's grammar takes
/// raw — not a character a URI may hold — and Corridor only encoded.
fn value(rng: &mut impl Rng) -> String {
    const PLAIN: &[u8] = b"ABCXYZabcxyz0189-._";
    const SYMBOLS: &[u8] = b"!%&'()*+,/:;<=>?";
    (0..rng.random_range(1..=20))
        .map(|_| {
            if rng.random_bool(0.2) {
                let hex = format!("%{:02X}", SYMBOLS.choose(rng).unwrap());
                if rng.random_bool(0.2) {
                    hex.to_lowercase()
                } else {
                    hex
                }
            } else {
                (*PLAIN.choose(rng).unwrap() as char).to_string()
            }
        })
        .collect()
}

/// A Digital Link of random shape, and how it was broken, if it was.
fn link(rng: &mut impl Rng) -> (String, Option<&'static str>) {
    let domain = [
        "https://id.gs1.org",
        "https://dl.shop.example",
        "http://x.example/a/b",
    ]
    .choose(rng)
    .unwrap();
    let mut segments: Vec<String> = match rng.random_range(0..3) {
        0 => {
            let len = *[8, 12, 13, 14].choose(rng).unwrap();
            let mut s = vec!["01".to_owned(), key(rng, len)];
            for ai in ["22", "10", "21"] {
                if rng.random_bool(0.5) {
                    s.extend([ai.to_owned(), value(rng)]);
                }
            }
            s
        }
        1 => vec!["00".to_owned(), key(rng, 18)],
        _ => {
            let mut s = vec!["414".to_owned(), key(rng, 13)];
            if rng.random_bool(0.5) {
                s.extend(["254".to_owned(), value(rng)]);
            }
            s
        }
    };
    let broken = match rng.random_range(0..10) {
        0 => {
            // A wrong check digit.
            let last = segments[1].pop().unwrap();
            segments[1].push(char::from(b'0' + (last as u8 - b'0' + 1) % 10));
            Some("check digit")
        }
        1 => {
            segments.extend(["99".to_owned(), "X".to_owned()]);
            Some("unknown qualifier")
        }
        2 if segments.len() > 2 => {
            let value = segments.last_mut().unwrap();
            value.push_str(&"Q".repeat(21));
            Some("too long")
        }
        3 if segments.len() > 2 => {
            let raw = *[" ", "&", "!", "+", "%2D", "%5F"].choose(rng).unwrap();
            segments.last_mut().unwrap().insert_str(0, raw);
            Some("a character written as it must not be")
        }
        4 if segments[0] == "01" && segments.len() >= 6 => {
            let (a, b) = (segments.len() - 4, segments.len() - 2);
            segments.swap(a, b);
            segments.swap(a + 1, b + 1);
            Some("qualifiers out of order")
        }
        5 => {
            segments[1].insert(3, 'X');
            Some("not all digits")
        }
        _ => None,
    };
    let query = if rng.random_bool(0.2) {
        "?linkType=all"
    } else {
        ""
    };
    (format!("{domain}/{}{query}", segments.join("/")), broken)
}

/// What Corridor makes of what digital-link.js read: its key and most specific qualifier, as
/// a canonical link Corridor reads.
fn as_read_by_dljs(answer: &Value) -> Identifier {
    let (ai, key) = answer["identifier"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let qualifiers = answer["keyQualifiers"].as_object().unwrap();
    let mut uri = format!("https://id.gs1.org/{ai}/{}", key.as_str().unwrap());
    for q in ["21", "10", "254"] {
        if let Some(v) = qualifiers.get(q) {
            uri.push_str(&format!("/{q}/{}", v.as_str().unwrap()));
            break;
        }
    }
    Identifier::parse(&uri).unwrap()
}

fn digital_link_js(uris: &[String]) -> Vec<Value> {
    let lines: String = uris.iter().map(|u| format!("{}\n", json!(u))).collect();
    common::compat_script("oracle-gs1.mjs", &["digital-link"], &[], lines)
}

#[test]
fn identifiers_get_the_standards_verdicts_and_agree_with_digital_link_js() {
    let mut rng = common::rng(17);
    let generated: Vec<(String, Option<&str>)> = (0..3000).map(|_| link(&mut rng)).collect();
    let uris: Vec<String> = generated.iter().map(|(u, _)| u.clone()).collect();
    let theirs = digital_link_js(&uris);
    let mut found = Vec::new();
    for ((uri, broken), theirs) in generated.iter().zip(&theirs) {
        let ours = Identifier::parse(uri);
        if ours.is_ok() == broken.is_some() {
            found.push(format!("{uri} ({broken:?}): Corridor says {ours:?}"));
        }
        if theirs["valid"] != json!(ours.is_ok()) {
            found.push(format!(
                "{uri}: digital-link.js {theirs}, Corridor {ours:?}"
            ));
        } else if let Ok(ours) = ours
            && as_read_by_dljs(theirs) != ours
        {
            found.push(format!(
                "{uri}: digital-link.js read {theirs}, Corridor {ours}"
            ));
        }
    }
    assert!(
        found.is_empty(),
        "{} disagreements:\n{}",
        found.len(),
        found.join("\n")
    );
    let valid = generated.iter().filter(|(_, b)| b.is_none()).count();
    assert!(valid > 1500 && valid < 2900, "{valid} valid of 3000");

    // Each valid link, written as an EPC URN with a company prefix of each length its key
    // allows, reads back as the same thing.
    for (uri, _) in generated.iter().filter(|(_, b)| b.is_none()).take(300) {
        let read = Identifier::parse(uri).unwrap();
        for prefix in 6..=12 {
            let urn = read.epc_urn(prefix).unwrap();
            assert_eq!(
                Identifier::parse_urn(&urn).unwrap(),
                (read.clone(), prefix),
                "{urn}"
            );
        }
        assert_eq!(Identifier::parse(&read.digital_link()).unwrap(), read);
    }

    if let Some(dir) = fixtures_dir() {
        the_shared_cases_get_their_verdicts(&dir);
    }
}

/// The shared GS1 identifier cases, when they sit beside the repository.
fn fixtures_dir() -> Option<PathBuf> {
    let dir = common::repo().join("../shared/fixtures/trace/identifiers");
    dir.join("digital-link.json").is_file().then_some(dir)
}

fn cases(dir: &std::path::Path, file: &str) -> Vec<Value> {
    let read: Value = serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
    read["cases"].as_array().unwrap().clone()
}

/// Every verdict and conversion of the standards, and digital-link.js's own verdicts as
/// recorded there (the pinned harness is the tool that made them).
fn the_shared_cases_get_their_verdicts(dir: &std::path::Path) {
    let mut found = Vec::new();
    for case in cases(dir, "gs1-keys.json") {
        let value = case["value"].as_str().unwrap();
        let ours = match case["key"].as_str().unwrap() {
            "gtin" => value.parse::<Gtin>().map(drop),
            "gln" => value.parse::<Gln>().map(drop),
            _ => value.parse::<Sscc>().map(drop),
        };
        if case["valid"] != json!(ours.is_ok()) {
            found.push(format!("{case}: {ours:?}"));
        }
    }
    let links = cases(dir, "digital-link.json");
    for case in &links {
        let uri = case["uri"].as_str().unwrap();
        match Identifier::parse(uri) {
            Ok(read) => {
                let urn = read.epc_urn(case["gcpLength"].as_u64().unwrap() as usize);
                if case["valid"] != true
                    || case["canonical"] != json!(read.digital_link())
                    || case["urn"] != json!(urn.unwrap())
                {
                    found.push(format!("{case}: read as {read}"));
                }
            }
            Err(problem) if case["valid"] == true => found.push(format!("{case}: {problem}")),
            Err(_) => {}
        }
    }
    let uris: Vec<String> = links
        .iter()
        .map(|c| c["uri"].as_str().unwrap().to_owned())
        .collect();
    for (case, theirs) in links.iter().zip(digital_link_js(&uris)) {
        if case["digitalLinkJs"] != theirs["valid"] {
            found.push(format!("{case}: the pinned digital-link.js says {theirs}"));
        }
    }
    for case in cases(dir, "epc-urn.json") {
        let urn = case["urn"].as_str().unwrap();
        match Identifier::parse_urn(urn) {
            Ok((read, prefix)) => {
                if case["valid"] != true
                    || case["digitalLink"] != json!(read.digital_link())
                    || read.epc_urn(prefix).unwrap() != urn
                {
                    found.push(format!("{case}: read as {read}"));
                }
            }
            Err(problem) if case["valid"] == true => found.push(format!("{case}: {problem}")),
            Err(_) => {}
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn trace_id_says_what_each_identifier_names_or_why_not() {
    let work = common::Workdir::new();
    let run = work.run(&[
        "trace",
        "id",
        "--json",
        "--gcp-length",
        "7",
        "https://dl.kopigo.example/01/06918790000015/10/L1/21/S%2F1?linkType=all",
        "urn:epc:id:sgln:88844998.0000.FRIDGE",
        "https://id.gs1.org/01/06918790000015/21/A/10/B",
        "urn:epc:id:sgtin:6918790.0000010.X",
    ]);
    assert_eq!(run.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["kind"], "SGTIN");
    assert_eq!(
        lines[0]["digitalLink"],
        "https://id.gs1.org/01/06918790000015/21/S%2F1"
    );
    assert_eq!(lines[0]["urn"], "urn:epc:id:sgtin:6918790.000001.S%2F1");
    assert_eq!(
        lines[1]["digitalLink"],
        "https://id.gs1.org/414/8884499800004/254/FRIDGE"
    );
    assert_eq!(lines[1]["urn"], "urn:epc:id:sgln:88844998.0000.FRIDGE");
    assert_eq!(lines[2]["valid"], false);
    assert!(
        lines[2]["reason"]
            .as_str()
            .unwrap()
            .contains("order 22, 10, 21")
    );
    assert!(
        lines[3]["reason"]
            .as_str()
            .unwrap()
            .contains("14 digits, not 13")
    );
    let fine = work.run(&["trace", "id", "urn:epc:id:pgln:88844998.0000"]);
    assert_eq!(fine.status.code(), Some(0));
    let said = String::from_utf8(fine.stdout).unwrap();
    assert!(
        said.contains("https://id.gs1.org/417/8884499800004"),
        "{said}"
    );
}
