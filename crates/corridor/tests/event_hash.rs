//! The CBV 2.0 event hash ID (issue 17) against GS1's own reference, epcis-event-hash-generator
//! 1.9.3 (pinned in compat/.venv), on generated events of every type and shape: identifiers in
//! each form with awkward serials, CBV values bare, as URIs and as EPCIS 1.x URNs, times with
//! offsets and fractions that round, numbers Python writes its own way, sensor reports, ILMD,
//! extensions with and without declared prefixes. Both give the same pre-hash string, or
//! neither gives one.

mod common;

use std::process::Command;

use corridor_epcis::prehash;
use serde_json::{Value, json};

/// What GS1's reference says of each case: `{"prehash", "eventID"}` or `{"error"}`.
fn reference(cases: &[Value]) -> Vec<Value> {
    let compat = common::repo().join("compat");
    let python = compat.join(".venv/bin/python");
    assert!(
        python.exists(),
        "the event hash reference is not installed in {}: run scripts/setup-oracle (scripts/test does)",
        compat.display()
    );
    let mut command = Command::new(python);
    command.arg(compat.join("oracle-epcis-hash.py"));
    let input: String = cases.iter().map(|c| format!("{c}\n")).collect();
    common::piped(command, input, "oracle-epcis-hash.py")
}

#[test]
fn generated_events_hash_as_gs1s_reference_hashes_them() {
    let mut rng = common::rng(17_089);
    let cases: Vec<Value> = (0..1500)
        .map(|_| {
            let (event, context) = common::epcis::event(&mut rng);
            json!({"context": context, "event": event})
        })
        .collect();
    let answers = reference(&cases);
    assert_eq!(answers.len(), cases.len());
    let mut hashed = 0;
    for (case, answer) in cases.iter().zip(&answers) {
        let ours = prehash(&case["event"], Some(&case["context"]));
        match (answer.get("prehash").and_then(Value::as_str), ours) {
            (Some(theirs), Ok(ours)) => {
                assert_eq!(ours, theirs, "event {}", case["event"]);
                hashed += 1;
            }
            (None, Err(_)) => {}
            (theirs, ours) => panic!(
                "event {}\nreference: {theirs:?} {}\ncorridor: {ours:?}",
                case["event"], answer
            ),
        }
    }
    assert!(hashed > 1400, "only {hashed} events hashed");
}
