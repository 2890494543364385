//! The public traceability corpus (`../shared/fixtures/trace`), when it sits beside the
//! repository: every event's ID recomputed, and the pre-hash strings of its vectors.

use std::path::PathBuf;

use corridor_epcis::{Event, Prefixes, event_hash_id, prehash, validate};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/trace");
    dir.join("events.jsonl").exists().then_some(dir)
}

#[test]
fn the_vectors_pre_hash_strings_and_ids_are_reproduced() {
    let Some(dir) = corpus() else { return };
    let vectors: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("eventid-vectors.json")).unwrap())
            .unwrap();
    let context = serde_json::json!([
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"corridor": "https://ns.corridor.example/trace/"}
    ]);
    let vectors = vectors["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 10);
    for vector in vectors {
        let event = &vector["event"];
        assert_eq!(
            prehash(event, Some(&context)).unwrap(),
            vector["prehash"].as_str().unwrap(),
            "{event}"
        );
        assert_eq!(
            event_hash_id(event, Some(&context)).unwrap(),
            vector["eventID"].as_str().unwrap()
        );
    }
}

#[test]
fn every_event_of_the_corpus_has_the_id_it_carries() {
    let Some(dir) = corpus() else { return };
    let text = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    let mut count = 0;
    for (n, line) in text.lines().enumerate() {
        let event: Value = serde_json::from_str(line).unwrap();
        let id = event_hash_id(&event, None).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        assert_eq!(id, event["eventID"].as_str().unwrap(), "line {}", n + 1);
        Event::read(&event, &Prefixes::default()).unwrap();
        validate(&event).unwrap_or_else(|e| panic!("line {}: {e:?}", n + 1));
        count += 1;
    }
    assert!(count > 0);
}

#[test]
fn the_corpus_document_passes_gs1s_schema() {
    let Some(dir) = corpus() else { return };
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("events.jsonld")).unwrap()).unwrap();
    validate(&document).unwrap();
    let mut broken = document.clone();
    broken["epcisBody"]["eventList"][5]["eventTimeZoneOffset"] = "8 hours".into();
    let problems = validate(&broken).unwrap_err();
    assert_eq!(
        (problems[0].event, problems[0].field.as_str()),
        (Some(5), "eventTimeZoneOffset")
    );
}
