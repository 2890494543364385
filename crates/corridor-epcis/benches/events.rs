//! What recording costs per event, by step, on one core: GS1's schema, the hash ID, reading.
//!
//!     cargo bench -p corridor-epcis --bench events

use std::time::Instant;

use corridor_epcis::{Event, Prefixes, event_hash_id, validate};
use rand::SeedableRng;

fn main() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let chain = corridor_tracegen::generate_lots(&mut rng, 6..106, 100);
    let events = &chain.events;
    let time = |what: &str, step: &dyn Fn(&serde_json::Value)| {
        let started = Instant::now();
        for event in events {
            step(event);
        }
        let each = started.elapsed().as_secs_f64() / events.len() as f64;
        println!(
            "{what:<28} {:>7.1} µs an event ({} events)",
            each * 1e6,
            events.len()
        );
    };
    let texts: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    let started = Instant::now();
    for text in &texts {
        let _: serde_json::Value = serde_json::from_str(text).unwrap();
    }
    println!(
        "{:<28} {:>7.1} µs an event",
        "parse JSON",
        started.elapsed().as_secs_f64() / texts.len() as f64 * 1e6
    );
    time("validate (GS1's schema)", &|e| assert!(validate(e).is_ok()));
    time("event hash ID", &|e| {
        assert!(event_hash_id(e, None).is_ok())
    });
    time("read", &|e| {
        assert!(Event::read(e, &Prefixes::default()).is_ok())
    });
}
