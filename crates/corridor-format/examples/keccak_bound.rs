//! The keccak-bound cost of verifying and of wrapping a file of wrapped documents: the time
//! that only the keccak256 computations the reference makes take, one at a time (alloy's
//! single-stream keccak256), on one core — the same number, of the same sizes. Verifying hashes
//! every leaf text, the sorted-hash list and every proof step of every document; wrapping
//! hashes the leaf texts, the sorted-hash lists and the n - 1 nodes of the batch's tree. The
//! inputs are hashed from one buffer, so that the measure is keccak's own cost, not memory
//! traffic.
//!
//! `cargo run --release -p corridor-format --example keccak_bound -- wrapped.jsonl`
//! prints `{"documents", "hashes", "bytes", "seconds", "documentsPerSecond", "wrapSeconds"}`
//! (`seconds` is verifying's).

use std::io::BufRead;
use std::time::Instant;

use corridor_format::{Hash32, for_each_leaf, keccak256};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: keccak_bound WRAPPED.jsonl");
    let file = std::io::BufReader::new(std::fs::File::open(&path).expect("cannot open the input"));
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    // The same leaves and sorted-hash lists, and the tree's nodes in place of the proofs.
    let mut wrap_sizes: Vec<usize> = Vec::new();
    let mut documents = 0usize;
    for line in file.lines() {
        let line = line.expect("cannot read the input");
        if line.trim().is_empty() {
            continue;
        }
        let doc: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        let count_of = |v: &serde_json::Value| v.as_array().map_or(0, Vec::len);
        let first = inputs.len();
        let mut leaves = 0;
        for_each_leaf(&doc["data"], |path, value| {
            let mut text = Vec::new();
            text.push(b'{');
            corridor_js::write_string(&mut text, path);
            text.push(b':');
            corridor_js::write_value(&mut text, value);
            text.push(b'}');
            inputs.push(text);
            leaves += 1;
            Ok(())
        })
        .expect("hashable data");
        // The sorted list of hex hashes: `["…","…"]`, 67 bytes per hash less one comma, plus brackets.
        let count = leaves + count_of(&doc["privacy"]["obfuscatedData"]);
        inputs.push(vec![b'a'; 2 + 67 * count - 1]);
        wrap_sizes.extend(inputs[first..].iter().map(Vec::len));
        inputs.extend((0..count_of(&doc["signature"]["proof"])).map(|_| vec![0u8; 64]));
        documents += 1;
    }
    let sizes: Vec<usize> = inputs.iter().map(Vec::len).collect();
    drop(inputs);
    wrap_sizes.extend(std::iter::repeat_n(64, documents.saturating_sub(1)));
    let bytes: usize = sizes.iter().sum();
    let seconds = single_stream(&sizes);
    let wrap_seconds = single_stream(&wrap_sizes);
    println!(
        "{}",
        serde_json::json!({"documents": documents, "hashes": sizes.len(), "bytes": bytes, "seconds": seconds,
                           "documentsPerSecond": documents as f64 / seconds, "wrapSeconds": wrap_seconds})
    );
}

/// Seconds to hash inputs of these sizes one at a time.
fn single_stream(sizes: &[usize]) -> f64 {
    let scratch = vec![b'a'; sizes.iter().copied().max().unwrap_or(0)];
    let start = Instant::now();
    let mut sink = Hash32::default();
    for &size in sizes {
        let h = keccak256(&scratch[..size]);
        sink.0[0] ^= h.0[0];
    }
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(sink);
    seconds
}
