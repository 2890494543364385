//! keccak256 of 10,000 inputs the size of OpenAttestation's leaves, digests and merkle pairs,
//! by each path this processor has.

use corridor_keccak::{Lanes, keccak256_many_with};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn lanes(c: &mut Criterion) {
    for (what, size) in [("leaf", 80), ("merkle pair", 64), ("two blocks", 200)] {
        let inputs: Vec<Vec<u8>> = (0..10_000u32)
            .map(|i| (0..size).map(|j| (i as usize * 31 + j) as u8).collect())
            .collect();
        let slices: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        let mut out = vec![[0u8; 32]; slices.len()];
        let mut group = c.benchmark_group(format!("keccak256 of 10,000 × {size} bytes ({what})"));
        group.throughput(Throughput::Elements(slices.len() as u64));
        for lanes in Lanes::ALL.into_iter().filter(|l| l.available()) {
            group.bench_function(lanes.name(), |b| {
                b.iter(|| keccak256_many_with(lanes, &slices, &mut out))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, lanes);
criterion_main!(benches);
