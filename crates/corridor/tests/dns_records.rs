//! DNS TXT identity records read by Corridor exactly as `@tradetrust-tt/dnsprove` reads them:
//! thousands of generated records (spacing, empty keys and values, repeated keys, `type=`,
//! case, quotes, `;`, `=` in values, Unicode white space) through both parsers, compared on
//! whether each is a DNS-TXT or DNS-DID record and on the fields read.

mod common;

use common::{oracle, rng};
use corridor_format::dns_records::{parse_dns_did, parse_dns_txt};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

const RECORDS: usize = 6_000;
const ADDRESS: &str = "0x0c9d5E6C766030cc6f0f49951D275Ad0701F81EC";

/// White space JavaScript's `trim` removes, and characters that only look like it.
const SPACES: [&str; 9] = [
    " ", "  ", "\t", "\u{a0}", "\u{3000}", "\u{feff}", "\n", "\u{200b}", "\u{85}",
];

fn pick<'a>(rng: &mut impl Rng, choices: &[&'a str]) -> &'a str {
    choices.choose(rng).unwrap()
}

/// A token's key: the names the records use, in other cases, padded, empty, or odd.
fn key(rng: &mut impl Rng) -> String {
    let name = pick(
        rng,
        &[
            "net",
            "netId",
            "addr",
            "a",
            "p",
            "v",
            "type",
            "dnssec",
            "",
            "NET",
            "netid",
            "Addr",
            "__proto__",
            "constructor",
            "toString",
            "x",
        ],
    );
    match rng.random_range(0..6) {
        0 => format!("{}{name}", pick(rng, &SPACES)),
        1 => format!("{name}{}", pick(rng, &SPACES)),
        _ => name.to_string(),
    }
}

/// A value for the key, right or nearly right more often than not.
fn value(rng: &mut impl Rng, key: &str) -> String {
    let did = format!("did:ethr:{ADDRESS}#controller");
    let right = match key.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}') {
        "net" => "ethereum".to_string(),
        "netId" => pick(rng, &["1", "5", "1337", "01", "", "x", "1.0", "١", "-1"]).to_string(),
        "addr" => match rng.random_range(0..5) {
            0 => ADDRESS.to_lowercase(),
            1 => ADDRESS[..30].to_string(),
            2 => format!("junk{ADDRESS}junk"),
            3 => ADDRESS.replacen("0x", "0X", 1),
            _ => ADDRESS.to_string(),
        },
        "a" => pick(rng, &["dns-did", "DNS-DID", "dns-did;", ""]).to_string(),
        "p" => match rng.random_range(0..6) {
            0 => "did:ETHR:0x1".to_string(),
            1 => "did::x".to_string(),
            2 => "did:ethr:".to_string(),
            3 => "did:ethr".to_string(),
            4 => did.to_uppercase(),
            _ => did,
        },
        "v" => pick(rng, &["1.0", "", "2"]).to_string(),
        "type" => pick(rng, &["openatts", "", "OPENATTS", "openatts;", "other"]).to_string(),
        _ => pick(rng, &["true", "", "x", "ethereum"]).to_string(),
    };
    match rng.random_range(0..12) {
        0 => format!("{right};"),
        1 => format!("{right};;"),
        2 => format!("{right}={}", pick(rng, &["x", "", "="])),
        3 => format!("{}{right}{}", pick(rng, &SPACES), pick(rng, &SPACES)),
        4 => format!("{right}{};", pick(rng, &SPACES)),
        5 => format!("{right}😀"),
        _ => right,
    }
}

/// A token: usually `key=value`, sometimes empty, a bare word or `=value`.
fn token(rng: &mut impl Rng) -> String {
    match rng.random_range(0..14) {
        0 => String::new(),
        1 => pick(rng, &["openatts", "=", "==", ";", "x", "net"]).to_string(),
        2 => format!("={}", pick(rng, &["x", "", "openatts"])),
        _ => {
            let key = key(rng);
            let value = value(rng, &key);
            format!("{key}={value}")
        }
    }
}

/// The tokens a valid record of one kind or the other has, so that many generated records are valid.
fn essential_tokens(rng: &mut impl Rng) -> Vec<String> {
    let did = format!("did:ethr:{ADDRESS}#controller");
    let names = if rng.random_bool(0.5) {
        [
            ("net", "ethereum".into()),
            ("netId", "1".into()),
            ("addr", ADDRESS.into()),
        ]
    } else {
        [
            ("a", "dns-did;".into()),
            ("p", format!("{did};")),
            ("v", "1.0;".into()),
        ]
    };
    names
        .into_iter()
        .filter(|_| rng.random_range(0..12) != 0)
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

fn record(rng: &mut impl Rng) -> String {
    let mut tokens = essential_tokens(rng);
    let extra = if rng.random_bool(0.3) {
        0
    } else {
        rng.random_range(1..5)
    };
    for _ in 0..extra {
        let at = rng.random_range(0..=tokens.len());
        tokens.insert(at, token(rng));
    }
    let kind = pick(
        rng,
        &[
            "openatts",
            "openatts",
            "openatts",
            "openattsX",
            "OPENATTS",
            "openatt",
            " openatts",
            "x",
        ],
    );
    let mut text = kind.to_string();
    for token in tokens {
        text.push_str(if rng.random_range(0..10) == 0 {
            pick(rng, &SPACES)
        } else {
            " "
        });
        text.push_str(&token);
    }
    if rng.random_range(0..8) == 0 {
        text.push_str(pick(rng, &SPACES));
    }
    match rng.random_range(0..12) {
        0..3 => format!("\"{text}\""),
        3 => format!("\"{text}"),
        4 => format!("\"{text}😀"),
        _ => text,
    }
}

/// Corridor's reading of a record, in the oracle's shape; a record the reference fails on is
/// `{"error"}` with the reference's message (a JavaScript TypeError's, which Corridor's own
/// message does not copy).
fn corridor_reading(txt: &str, reference: &Value) -> Value {
    let store = match parse_dns_txt(txt) {
        Ok(record) => json!(record.map(|r| json!({"netId": r.net_id, "addr": r.addr}))),
        Err(_) => {
            json!({"error": reference["txt"]["error"].as_str().unwrap_or("none from dnsprove")})
        }
    };
    json!({
        "txt": store,
        "did": parse_dns_did(txt).map(|r| json!({"publicKey": r.public_key, "version": r.version})),
    })
}

#[test]
fn generated_records_read_as_dnsprove_reads_them() {
    let mut rng = rng(14);
    let records: Vec<String> = (0..RECORDS).map(|_| record(&mut rng)).collect();
    let input: Vec<Value> = records.iter().map(|txt| json!({ "txt": txt })).collect();
    let theirs = oracle("dns-records", &input);
    assert_eq!(theirs.len(), records.len());

    let differing: Vec<String> = records
        .iter()
        .zip(&theirs)
        .filter_map(|(txt, reference)| {
            let ours = corridor_reading(txt, reference);
            (ours != *reference)
                .then(|| format!("{txt:?}\n  dnsprove: {reference}\n  corridor: {ours}"))
        })
        .collect();
    assert!(
        differing.is_empty(),
        "{} of {RECORDS} records read differently, the first:\n{}",
        differing.len(),
        differing[..differing.len().min(10)].join("\n")
    );

    // The records reach every reading, often enough for the comparison to mean something.
    let count = |kind: &str| {
        let read = |r: &&Value| r[kind].is_object() && r[kind].get("error").is_none();
        theirs.iter().filter(read).count()
    };
    let failing = theirs
        .iter()
        .filter(|r| r["txt"]["error"].is_string())
        .count();
    assert!(
        failing > RECORDS / 100,
        "{failing} records make dnsprove fail"
    );
    for kind in ["txt", "did"] {
        let valid = count(kind);
        assert!(
            (RECORDS / 20..RECORDS / 2).contains(&valid),
            "{valid} of {RECORDS} records are {kind} records"
        );
    }
}
