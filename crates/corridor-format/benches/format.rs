//! Hot paths of the format: salting and digesting a bill-of-lading-sized document, checking a
//! wrapped one, building a batch's merkle tree with every proof, and hiding many leaves.

use corridor_format::{
    FieldPath, MerkleTree, WrappedDocument, keccak256, obfuscate_document, read_wrapped,
    salt_document, wrap_documents,
};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

fn bill_of_lading(i: usize) -> Value {
    json!({
        "$template": {"name": "BILL_OF_LADING", "type": "EMBEDDED_RENDERER", "url": "https://renderer.example.com"},
        "issuers": [{"name": "Carrier", "tokenRegistry": "0x142Ca30e3b78A840a82192529cA047ED759a6F7e",
                     "identityProof": {"type": "DNS-TXT", "location": "carrier.example.com"}}],
        "blNumber": format!("BL-{i:08}"),
        "shipper": {"name": "Exporter Pte Ltd", "address": {"street": "1 Harbour Front", "city": "Singapore", "country": "SG"}},
        "consignee": {"name": "Importer Co", "address": {"street": "88 Jiefangbei", "city": "Chongqing", "country": "CN"}},
        "vessel": "MV Lion City", "voyage": "V0123", "portOfLoading": "SGSIN", "portOfDischarge": "CNCKG",
        "packages": [{"description": "Frozen durian", "count": 120, "weightKg": 2400.5},
                     {"description": "Orchids", "count": 30, "weightKg": 180.25}],
        "negotiable": true, "freightPrepaid": false, "remarks": null
    })
}

fn benches(c: &mut Criterion) {
    let raw = bill_of_lading(1);
    let mut rng = rand::rng();
    c.bench_function("salt_and_digest/bill_of_lading", |b| {
        b.iter(|| salt_document(&raw, &mut rng).unwrap())
    });

    let wrapped = wrap_documents(std::slice::from_ref(&raw), &mut rng)
        .unwrap()
        .remove(0);
    let text = serde_json::to_string(&wrapped).unwrap();
    // What `corridor verify` does: the one-pass reader.
    c.bench_function("verify_integrity/bill_of_lading", |b| {
        b.iter(|| {
            let doc = read_wrapped(text.as_bytes()).unwrap();
            doc.check_schema().unwrap();
            doc.check_integrity().unwrap()
        })
    });
    // The exact path the reader falls back to on unusual documents.
    c.bench_function("verify_integrity_through_value/bill_of_lading", |b| {
        b.iter(|| {
            let doc = WrappedDocument::from_value(serde_json::from_str(&text).unwrap()).unwrap();
            doc.check_schema().unwrap();
            doc.check_integrity().unwrap()
        })
    });

    let leaf = [7u8; 60];
    c.bench_function("keccak256/60_bytes", |b| b.iter(|| keccak256(leaf)));

    let mut group = c.benchmark_group("merkle_tree_with_all_proofs");
    for n in [1_000usize, 100_000] {
        let leaves: Vec<_> = (0..n as u64).map(|i| keccak256(i.to_be_bytes())).collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &leaves, |b, leaves| {
            b.iter(|| {
                let tree = MerkleTree::new(leaves.clone()).unwrap();
                leaves
                    .iter()
                    .map(|l| tree.proof_of(l).unwrap().len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
    obfuscation(c);
}

/// Hiding 80,000 leaves: all under one field, and as 80,000 fields of one object (one key is
/// kept, as an object may not be left empty).
fn obfuscation(c: &mut Criterion) {
    const LEAVES: usize = 80_000;
    let fields: serde_json::Map<String, Value> =
        (0..=LEAVES).map(|i| (format!("k{i}"), json!(i))).collect();
    let raw = json!({"issuers": [{"name": "Carrier", "certificateStore": "0x0000000000000000000000000000000000000001"}],
                     "f": fields});
    let wrapped = wrap_documents(&[raw], &mut rand::rng()).unwrap().remove(0);
    let mut group = c.benchmark_group("obfuscate_80000_leaves");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(LEAVES as u64));
    let one_field = ["f".parse::<FieldPath>().unwrap()];
    group.bench_function("in_one_field", |b| {
        b.iter_batched(
            || wrapped.clone(),
            |mut d| obfuscate_document(&mut d, &one_field).unwrap(),
            BatchSize::LargeInput,
        )
    });
    let many_fields: Vec<FieldPath> = (0..LEAVES)
        .map(|i| format!("f.k{i}").parse().unwrap())
        .collect();
    group.bench_function("as_many_fields", |b| {
        b.iter_batched(
            || wrapped.clone(),
            |mut d| obfuscate_document(&mut d, &many_fields).unwrap(),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(format, benches);
criterion_main!(format);
