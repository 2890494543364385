//! Generated supply chains put through the command line: recorded party by party.

use std::collections::{BTreeMap, BTreeSet};

use corridor_tracegen::Chain;
use serde_json::Value;

use super::Workdir;

/// A raw private key for each party, in the environment of the command that records for it.
pub fn party_key(index: usize) -> String {
    format!("{:064x}", 0x51ed_0000 + index as u64)
}

/// The chain's events by the GLN of the party that recorded them (`corridor:recordedBy`).
pub fn by_recorder(chain: &Chain) -> BTreeMap<String, Vec<Value>> {
    let mut by_recorder: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for event in &chain.events {
        let recorder =
            corridor_epcis::Epc::read(event["corridor:recordedBy"].as_str().unwrap()).unwrap();
        by_recorder
            .entry(recorder.gln().unwrap().to_string())
            .or_default()
            .push(event.clone());
    }
    by_recorder
}

/// Records the chain's events, each party's with its own key and `--party`.
pub fn record(work: &Workdir, chain: &Chain) {
    let reference = work.path("reference.json");
    std::fs::write(&reference, chain.reference.to_string()).unwrap();
    work.ok(&["trace", "reference", "import", reference.to_str().unwrap()]);
    for (index, (gln, events)) in by_recorder(chain).iter().enumerate() {
        let file = work.path(&format!("events-{gln}.jsonl"));
        super::write_lines(&file, events);
        work.ok_with(
            &[
                "trace",
                "record",
                "--private-key-env",
                "PARTY_KEY",
                "--party",
                gln,
                "--domain",
                "trace.example",
                file.to_str().unwrap(),
            ],
            &[("PARTY_KEY", &party_key(index))],
        );
    }
}

/// An item (its canonical Digital Link) of the lot whose key ends `lot` (as `/10/L000X`) that
/// no store sold.
pub fn unsold_item(chain: &Chain, lot: &str) -> String {
    let sold = sold_items(chain);
    chain
        .lot_of
        .iter()
        .find(|(object, of)| {
            of.ends_with(lot) && object.contains("/21/") && !sold.contains(*object)
        })
        .map(|(object, _)| object.clone())
        .unwrap_or_else(|| panic!("no unsold item of {lot}"))
}

/// The items a store sold.
pub fn sold_items(chain: &Chain) -> BTreeSet<String> {
    chain
        .events
        .iter()
        .filter(|e| e["bizStep"] == "retail_selling")
        .map(|e| {
            corridor_epcis::Epc::read(e["epcList"][0].as_str().unwrap())
                .unwrap()
                .to_string()
        })
        .collect()
}
