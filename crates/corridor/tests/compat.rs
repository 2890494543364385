//! Both directions with the reference implementation (`compat/oracle.mjs`, pinned npm packages):
//! documents wrapped and obfuscated by Corridor pass the reference's `verifySignature`, and
//! documents wrapped and obfuscated by the reference pass `corridor verify`.

mod common;

use common::*;
use corridor_format::{FieldPath, obfuscate_document};
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

/// At least 2,000 documents, in batches of varied sizes (a batch of 1 included).
const DOCUMENTS: usize = 2_000;
const BATCHES: [usize; 9] = [1, 2, 3, 5, 8, 64, 117, 500, 1300];

/// The keccak paths wrap and verify are run by (`CORRIDOR_KECCAK_LANES`): each must give the
/// same hashes. Every machine the tests run on is x86-64 with AVX2.
const KECCAK_PATHS: [&str; 2] = ["scalar", "avx2"];

fn documents(seed: u64) -> Vec<Value> {
    let mut rng = rng(seed);
    (0..DOCUMENTS).map(|_| awkward_document(&mut rng)).collect()
}

fn batches(docs: &[Value]) -> Vec<&[Value]> {
    assert_eq!(BATCHES.iter().sum::<usize>(), DOCUMENTS);
    let mut rest = docs;
    BATCHES
        .iter()
        .map(|&n| {
            let (batch, tail) = rest.split_at(n);
            rest = tail;
            batch
        })
        .collect()
}

/// Field paths in lodash's quoted form, accepted by both implementations.
fn lodash_path(path: &str) -> String {
    path.to_string()
}

fn pick_fields(rng: &mut impl Rng, document: &Value) -> Vec<String> {
    let mut candidates = hideable_fields(&document["data"]);
    candidates.shuffle(rng);
    candidates
        .into_iter()
        .take(1)
        .map(|p| lodash_path(&p))
        .collect()
}

/// Keeps documents that failed in a file for inspection, and returns its path.
fn keep(what: &str, documents: &[Value]) -> String {
    let path = std::env::temp_dir().join(format!("corridor-compat-failures-{what}.jsonl"));
    write_lines(&path, documents);
    path.display().to_string()
}

/// The documents the reference's `verifySignature` does not accept.
fn rejected_by_reference(documents: &[Value]) -> Vec<Value> {
    let verdicts = oracle("verify", documents);
    assert_eq!(verdicts.len(), documents.len());
    documents
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| v["valid"] != json!(true))
        .map(|(d, _)| d.clone())
        .collect()
}

#[test]
fn corridor_documents_pass_the_reference() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = documents(1);
    let mut wrapped = Vec::new();
    for (i, batch) in batches(&docs).into_iter().enumerate() {
        let input = tmp.path().join(format!("raw-{i}.jsonl"));
        let output = tmp.path().join(format!("wrapped-{i}.jsonl"));
        write_lines(&input, batch);
        // Each batch by one of the keccak paths in turn: every path's documents must pass.
        let run = corridor()
            .env(
                "CORRIDOR_KECCAK_LANES",
                KECCAK_PATHS[i % KECCAK_PATHS.len()],
            )
            .arg("wrap")
            .arg("--out")
            .arg(&output)
            .arg(&input)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "wrap failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let batch_docs = read_lines(&output);
        assert_eq!(batch_docs.len(), batch.len());
        let root = String::from_utf8(run.stdout).unwrap().trim().to_string();
        assert!(
            batch_docs
                .iter()
                .all(|d| d["signature"]["merkleRoot"] == json!(root)),
            "one batch, one root"
        );
        wrapped.extend(batch_docs);
    }

    let failed = rejected_by_reference(&wrapped);
    assert!(
        failed.is_empty(),
        "{} of {} Corridor documents fail the reference; kept in {}",
        failed.len(),
        wrapped.len(),
        keep("wrapped", &failed)
    );

    let mut rng = rng(2);
    let mut hidden = 0;
    let obfuscated: Vec<Value> = wrapped
        .into_iter()
        .map(|mut doc| {
            let fields: Vec<FieldPath> = pick_fields(&mut rng, &doc)
                .iter()
                .map(|f| f.parse().unwrap())
                .collect();
            hidden += fields.len();
            obfuscate_document(&mut doc, &fields).unwrap_or_else(|e| panic!("{e}: {fields:?}"));
            doc
        })
        .collect();
    assert!(
        hidden > DOCUMENTS / 2,
        "most documents had a field hidden ({hidden})"
    );
    let failed = rejected_by_reference(&obfuscated);
    assert!(
        failed.is_empty(),
        "{} obfuscated Corridor documents fail the reference; kept in {}",
        failed.len(),
        keep("obfuscated", &failed)
    );
}

#[test]
fn reference_documents_pass_corridor() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = documents(3);
    let batches: Vec<Value> = batches(&docs).into_iter().map(|b| json!(b)).collect();
    let wrapped: Vec<Value> = oracle("wrap", &batches)
        .into_iter()
        .flat_map(|batch| serde_json::from_value::<Vec<Value>>(batch).unwrap())
        .collect();
    assert_eq!(wrapped.len(), DOCUMENTS);
    let mut rng = rng(4);
    let requests: Vec<Value> = wrapped
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, doc)| json!({"document": doc, "fields": pick_fields(&mut rng, doc)}))
        .collect();
    let obfuscated = oracle("obfuscate", &requests);
    assert!(obfuscated.iter().any(|d| {
        d["privacy"]["obfuscatedData"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    }));

    let file = tmp.path().join("reference.jsonl");
    let all = [wrapped, obfuscated].concat();
    write_lines(&file, &all);
    let verify = |lanes: &str| {
        corridor()
            .env("CORRIDOR_KECCAK_LANES", lanes)
            .args(["verify", "--offline", "--json"])
            .arg(&file)
            .output()
            .unwrap()
    };
    let run = verify(KECCAK_PATHS[0]);
    for lanes in &KECCAK_PATHS[1..] {
        assert_eq!(
            verify(lanes).stdout,
            run.stdout,
            "verify by the {lanes} keccak path differs from {}",
            KECCAK_PATHS[0]
        );
    }
    let reports: Vec<Value> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), DOCUMENTS + DOCUMENTS / 2);
    let failed: Vec<Value> = all
        .iter()
        .zip(&reports)
        .filter(|(_, r)| r["valid"] != json!(true))
        .map(|(d, _)| d.clone())
        .collect();
    let first = reports.iter().find(|r| r["valid"] != json!(true));
    assert!(
        failed.is_empty(),
        "{} reference documents Corridor rejects, kept in {}; the first: {first:#?}",
        failed.len(),
        keep("reference", &failed)
    );
    assert!(run.status.success());
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r["file"], json!(format!("{}:{}", file.display(), i + 1)));
    }
}
