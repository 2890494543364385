//! EPCIS query strings from untrusted clients: reading one never panics, whatever its
//! parameters and values, and a query read matches events without panicking.
#![no_main]

use corridor_epcis::{Event, Prefixes};
use corridor_trace::EventQuery;
use libfuzzer_sys::fuzz_target;

const EVENTS: [&str; 2] = [
    r#"{"type": "ObjectEvent", "eventTime": "2025-03-02T22:21:40+08:00", "eventTimeZoneOffset": "+08:00",
        "eventID": "ni:///sha-256;ab?ver=CBV2.0", "action": "OBSERVE", "bizStep": "receiving",
        "epcList": ["urn:epc:id:sgtin:6918790.000001.A1"],
        "quantityList": [{"epcClass": "urn:epc:class:lgtin:6918790.000001.L7", "quantity": 2}],
        "readPoint": {"id": "urn:epc:id:sgln:6918790.00000.DOCK"}, "bizLocation": {"id": "urn:epc:id:sgln:6918790.00000.0"},
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6918790.00000"}]}"#,
    r#"{"type": "AggregationEvent", "eventTime": "2025-03-03T01:00:00Z", "eventTimeZoneOffset": "+00:00",
        "action": "ADD", "parentID": "urn:epc:id:sscc:6918790.0000000001", "childEPCs": ["https://id.gs1.org/01/06918790000015/21/A1"]}"#,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(params) = serde_urlencoded::from_str::<Vec<(String, String)>>(text) else {
        return;
    };
    let Ok(query) = EventQuery::parse(params) else {
        return;
    };
    for event in EVENTS {
        let value: serde_json::Value = serde_json::from_str(event).expect("an event");
        let event = Event::read(&value, &Prefixes::default()).expect("an event");
        let _ = query.matches(&event, 1_700_000_000_000);
    }
});
