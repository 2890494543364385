//! Provenance over generated chains (crates/corridor-tracegen), through the library: events
//! added as they arrive, in order or late, answer as the same events indexed at once.

use corridor_epcis::{Epc, Event, Prefixes};
use corridor_trace::{Registry, Trace};
use rand::SeedableRng;
use rand::seq::SliceRandom;

fn registry(reference: &serde_json::Value) -> Registry {
    let part = |kind: &str| serde_json::json!({ kind: reference[kind] }).to_string();
    Registry::from_json(&part("parties"), &part("products"), &part("certificates")).unwrap()
}

#[test]
fn events_added_as_they_arrive_answer_as_when_indexed_at_once() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let chain = corridor_tracegen::generate(&mut rng, 8, 20);
    let events: Vec<Event> = chain
        .events
        .iter()
        .map(|e| Event::read(e, &Prefixes::default()).unwrap())
        .collect();
    let registry = registry(&chain.reference);
    let at_once = Trace::new(events.clone());

    // In order, in three parts; then with a late part that arrives after later events.
    let third = events.len() / 3;
    let mut in_order = Trace::new(events[..third].to_vec());
    in_order.extend(events[third..2 * third].to_vec());
    in_order.extend(events[2 * third..].to_vec());
    let mut shuffled = events.clone();
    shuffled.shuffle(&mut rng);
    let mut late = Trace::new(shuffled[..third].to_vec());
    late.extend(shuffled[third..].to_vec());

    for target in chain.expected.keys() {
        let target = Epc::read(target).unwrap();
        let expected = at_once.provenance(&target, &registry).unwrap();
        assert!(expected.breaks.iter().all(|b| {
            serde_json::to_value(b).unwrap()["events"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        }));
        assert_eq!(
            in_order.provenance(&target, &registry).as_ref(),
            Some(&expected)
        );
        assert_eq!(
            late.provenance(&target, &registry).as_ref(),
            Some(&expected)
        );
    }
}
