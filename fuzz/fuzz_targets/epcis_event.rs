//! EPCIS events from untrusted JSON: validating, reading, hashing and walking them never
//! panics; an event's hash ID does not depend on the order of its fields (where the reference's
//! does not); and provenance over
//! whatever was read answers for every object the events name.
#![no_main]

use corridor_epcis::{Event, Prefixes, event_hash_id, validate};
use corridor_trace::{Registry, Trace};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ = validate(&value);
    let events: Vec<Value> = match &value {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    let mut read = Vec::new();
    for event in &events {
        if let Ok(id) = event_hash_id(event, None) {
            // The same event with its fields in reverse order hashes the same — unless a field
            // is named as a source, destination or business transaction's part, whose order
            // the reference keeps (and so its hash ID with it).
            let keeps_order = |fields: &serde_json::Map<String, Value>| {
                ["source", "destination", "bizTransaction"].iter().any(|k| fields.contains_key(*k))
            };
            if let Value::Object(fields) = event
                && !keeps_order(fields)
            {
                let reversed: serde_json::Map<String, Value> =
                    fields.iter().rev().map(|(k, v)| (k.clone(), v.clone())).collect();
                assert_eq!(event_hash_id(&Value::Object(reversed), None), Ok(id));
            }
        }
        if let Ok(event) = Event::read(event, &Prefixes::default()) {
            read.push(event);
        }
    }
    let trace = Trace::new(read);
    let registry = Registry::default();
    let objects: Vec<_> = trace.events().iter().flat_map(|e| e.objects().cloned()).collect();
    for object in objects.iter().take(8) {
        assert!(trace.provenance(object, &registry).is_some());
        for recall in trace.recall_events().take(2) {
            let _ = trace.recall_trace(recall);
        }
    }
});
