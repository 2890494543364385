//! Writes a generated cold chain for the benchmarks: `DIR/events.jsonl` (about `EVENTS`
//! events, lot by lot), `DIR/reference.json` (its parties, products and certificates) and
//! `DIR/items.txt` (every item's Digital Link).
//!
//!     cargo run --release -p corridor-tracegen --example write_chain -- EVENTS DIR

use std::io::{BufWriter, Write};

use rand::SeedableRng;
use serde_json::Value;

/// Items per lot: about 2.6 events an item, and 20 a lot besides.
const ITEMS_PER_LOT: usize = 100;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(events), Some(dir)) = (
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: write_chain EVENTS DIR");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(17);
    let mut out = BufWriter::new(std::fs::File::create(dir.join("events.jsonl"))?);
    let mut items = BufWriter::new(std::fs::File::create(dir.join("items.txt"))?);
    let mut reference: Option<Value> = None;
    let mut certificates: Vec<Value> = Vec::new();
    let mut kept = std::collections::HashSet::new();
    let (mut written, mut lot) = (0, 6); // after the lots that carry faults: a clean chain
    while written < events {
        let chain = corridor_tracegen::generate_lots(&mut rng, lot..lot + 10, ITEMS_PER_LOT);
        lot += 10;
        for event in &chain.events {
            serde_json::to_writer(&mut out, event)?;
            out.write_all(b"\n")?;
        }
        written += chain.events.len();
        for object in chain.expected.keys().filter(|o| o.contains("/21/")) {
            writeln!(items, "{object}")?;
        }
        for certificate in chain.reference["certificates"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if kept.insert(certificate["id"].to_string()) {
                certificates.push(certificate.clone());
            }
        }
        reference.get_or_insert(chain.reference);
    }
    let mut reference = reference.unwrap_or_default();
    reference["certificates"] = Value::Array(certificates);
    std::fs::write(dir.join("reference.json"), reference.to_string())?;
    out.flush()?;
    items.flush()?;
    eprintln!("{written} events of {} lots in {}", lot - 6, dir.display());
    Ok(())
}
