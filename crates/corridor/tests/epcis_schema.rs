//! EPCIS 2.0 validation (issue 17) against GS1's own tooling: generated events of every type,
//! half of them broken in one of a dozen ways (a value outside its enumeration, a missing
//! required field, a malformed time, offset or URI, a field of the wrong type, an unknown field,
//! an extension whose prefix the @context does not declare), each get the same verdict from
//! Corridor as from epcis2.js 2.7.3 (pinned in compat/), and Corridor names the field.

mod common;

use corridor_epcis::validate;
use rand::Rng;
use serde_json::{Value, json};

/// Breaks `event` in one way, and names the field that must then be reported.
fn break_event(rng: &mut impl Rng, event: &mut Value) -> &'static str {
    let fields = event.as_object_mut().unwrap();
    match rng.random_range(0..11) {
        0 if fields.contains_key("action") => {
            fields.insert("action".into(), json!("TAKE"));
            "action"
        }
        1 => {
            fields.remove("eventTime");
            "eventTime"
        }
        2 => {
            fields.insert("eventTimeZoneOffset".into(), json!("+8:00"));
            "eventTimeZoneOffset"
        }
        3 => {
            fields.insert("colour".into(), json!("blue"));
            "colour"
        }
        4 => {
            fields.insert("eventTime".into(), json!("2025-13-01T00:00:00Z"));
            "eventTime"
        }
        5 => {
            fields.insert("bizStep".into(), json!(42));
            "bizStep"
        }
        6 => {
            fields.insert("zz:thing".into(), json!(1));
            "zz:thing"
        }
        7 => {
            fields.insert("readPoint".into(), json!("urn:epc:id:sgln:0614141.00777.0"));
            "readPoint"
        }
        8 if fields.get("type") == Some(&json!("ObjectEvent")) => {
            fields.remove("action");
            "action"
        }
        9 => {
            fields.insert("certificationInfo".into(), json!(17));
            "certificationInfo"
        }
        _ => {
            fields.insert("eventTimeZoneOffset".into(), json!("UTC"));
            "eventTimeZoneOffset"
        }
    }
}

#[test]
fn generated_events_get_the_verdict_gs1s_epcis2_js_gives() {
    let mut rng = common::rng(2_017);
    let mut events = Vec::new();
    let mut broken_fields = Vec::new();
    for _ in 0..1600 {
        let (mut event, context) = common::epcis::event(&mut rng);
        event
            .as_object_mut()
            .unwrap()
            .insert("@context".into(), context);
        // Only an event valid before it is broken shows that the break is what is named.
        let was_valid = validate(&event).is_ok();
        let broken = rng
            .random_bool(0.5)
            .then(|| break_event(&mut rng, &mut event))
            .filter(|_| was_valid);
        broken_fields.push(broken);
        events.push(event);
    }
    let input: String = events.iter().map(|e| format!("{e}\n")).collect();
    let answers = common::compat_script("oracle-epcis.mjs", &["validate"], &[], input);
    assert_eq!(answers.len(), events.len());
    let (mut valid, mut invalid) = (0, 0);
    for ((event, broken), answer) in events.iter().zip(&broken_fields).zip(&answers) {
        let ours = validate(event);
        let theirs = answer["valid"].as_bool().unwrap();
        assert_eq!(
            ours.is_ok(),
            theirs,
            "event {event}\nepcis2.js: {answer}\ncorridor: {ours:?}"
        );
        match (broken, ours) {
            (Some(field), Err(problems)) => {
                invalid += 1;
                assert!(
                    problems.iter().any(|p| p.field == *field
                        || p.field.is_empty()
                        || p.field.starts_with(&format!("{field}."))),
                    "broke {field} of {event}, but Corridor names {problems:?}"
                );
            }
            (None, Ok(())) => valid += 1,
            (Some(field), Ok(())) => {
                panic!("broke {field} of {event}, and Corridor finds it valid")
            }
            _ => {}
        }
    }
    assert!(
        valid > 150 && invalid > 150,
        "{valid} valid, {invalid} broken"
    );
}
