//! Provenance latency: a generated chain of about 100,000 events (farms → packer → carrier →
//! importer → stores: five parties, six stages from harvest to shelf) read and indexed once,
//! then the provenance of 2,000 items picked at random, each timed: p50, p99 and the slowest.
//!
//!     cargo bench -p corridor-trace --bench provenance [-- EVENTS]

use std::time::Instant;

use corridor_epcis::{Epc, Event, Prefixes};
use corridor_trace::{Registry, Trace};
use rand::SeedableRng;
use rand::seq::IndexedRandom;

fn main() {
    let events_wanted: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(100_000);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut chain = corridor_tracegen::generate_lots(&mut rng, 6..16, 100);
    let mut next = 16;
    while chain.events.len() < events_wanted {
        chain.extend(corridor_tracegen::generate_lots(
            &mut rng,
            next..next + 10,
            100,
        ));
        next += 10;
    }
    let started = Instant::now();
    let events: Vec<Event> = chain
        .events
        .iter()
        .map(|e| Event::read(e, &Prefixes::default()).expect("a generated event reads"))
        .collect();
    let read = started.elapsed();
    let count = events.len();
    let started = Instant::now();
    let trace = Trace::new(events);
    let indexed = started.elapsed();
    let reference = &chain.reference;
    let registry = Registry::from_json(
        &serde_json::json!({"parties": reference["parties"]}).to_string(),
        &serde_json::json!({"products": reference["products"]}).to_string(),
        &serde_json::json!({"certificates": reference["certificates"]}).to_string(),
    )
    .expect("the generated reference data reads");
    let items: Vec<&String> = chain
        .expected
        .keys()
        .filter(|o| o.contains("/21/"))
        .collect();
    let mut times = Vec::with_capacity(2000);
    for item in (0..2000).map(|_| items.choose(&mut rng).expect("items")) {
        let target = Epc::read(item).expect("an item's Digital Link");
        let started = Instant::now();
        let provenance = trace
            .provenance(&target, &registry)
            .expect("a recorded item");
        times.push(started.elapsed());
        assert!(provenance.breaks.is_empty(), "{item} is clean");
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "provenance of one item among {count} events: p50 {:.2} ms, p99 {:.2} ms, slowest {:.2} ms (reading {:.2} s, indexing {:.2} s, once)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times.last().expect("times").as_secs_f64() * 1e3,
        read.as_secs_f64(),
        indexed.as_secs_f64()
    );
}
