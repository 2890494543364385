//! The public traceability corpus (`../shared/fixtures/trace`), when it sits beside the
//! repository: every sample target's provenance and every recall's forward trace, field by
//! field as `expected.json` gives them.

use std::path::PathBuf;

use corridor_epcis::{Epc, Event, Prefixes};
use corridor_trace::{Registry, Trace};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/trace");
    dir.join("expected.json").exists().then_some(dir)
}

fn read(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(dir: &std::path::Path) -> (Trace, Registry, Value) {
    let events: Vec<Event> = read(dir, "events.jsonl")
        .lines()
        .enumerate()
        .map(|(n, line)| {
            let value: Value = serde_json::from_str(line).unwrap();
            Event::read(&value, &Prefixes::default())
                .unwrap_or_else(|e| panic!("line {}: {e}", n + 1))
        })
        .collect();
    let registry = Registry::from_json(
        &read(dir, "parties.json"),
        &read(dir, "products.json"),
        &read(dir, "certificates.json"),
    )
    .unwrap();
    let expected = serde_json::from_str(&read(dir, "expected.json")).unwrap();
    (Trace::new(events), registry, expected)
}

#[test]
fn every_sample_target_gets_the_expected_provenance() {
    let Some(dir) = corpus() else { return };
    let (trace, registry, expected) = load(&dir);
    let targets = expected["targets"].as_array().unwrap();
    let mut wrong = Vec::new();
    for target in targets {
        for written in [&target["dl"], &target["urn"]] {
            let id = Epc::read(written.as_str().unwrap()).unwrap();
            let got = trace
                .provenance(&id, &registry)
                .map(|p| serde_json::to_value(p).unwrap());
            if !got
                .as_ref()
                .is_some_and(|got| corridor_tracegen::same_json(got, target))
            {
                wrong.push(format!(
                    "{written}\n  expected {target}\n  got      {}",
                    got.map_or("nothing".into(), |g| g.to_string())
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        targets.len() * 2,
        wrong[..wrong.len().min(6)].join("\n")
    );
}

#[test]
fn every_recall_is_traced_forward_to_the_stock_to_pull() {
    let Some(dir) = corpus() else { return };
    let (trace, _, expected) = load(&dir);
    let recalls = expected["recalls"].as_array().unwrap();
    let got: Vec<Value> = trace
        .recall_events()
        .map(|event| serde_json::to_value(trace.recall_trace(event)).unwrap())
        .collect();
    assert_eq!(got.len(), recalls.len());
    for (got, want) in got.iter().zip(recalls) {
        assert!(
            corridor_tracegen::same_json(got, want),
            "expected {want}\ngot      {got}"
        );
    }
}
