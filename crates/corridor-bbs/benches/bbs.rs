//! BBS on a bill of lading's worth of messages (40 statements, a quarter disclosed): sign,
//! prove and verify a proof, one core.

use corridor_bbs::{SecretKey, proof_gen, proof_verify, sign, verify};
use criterion::{Criterion, criterion_group, criterion_main};

fn bbs(c: &mut Criterion) {
    let key = SecretKey::from_bytes(&[9; 32]).unwrap();
    let public = key.public_key();
    let texts: Vec<String> = (0..40)
        .map(|i| format!("_:b{i} <https://trustvc.io/context/bol#field{i}> \"value {i}\" ."))
        .collect();
    let messages: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
    let header = [3u8; 64];
    let disclosed: Vec<usize> = (0..40).step_by(4).collect();
    let shown: Vec<&[u8]> = disclosed.iter().map(|&i| messages[i]).collect();
    let signature = sign(&key, &header, &messages).unwrap();
    let proof = proof_gen(&public, &signature, &header, b"", &messages, &disclosed).unwrap();
    c.bench_function("bbs sign 40", |b| {
        b.iter(|| sign(&key, &header, &messages).unwrap())
    });
    c.bench_function("bbs verify 40", |b| {
        b.iter(|| assert!(verify(&public, &signature, &header, &messages)))
    });
    c.bench_function("bbs proof_gen 40", |b| {
        b.iter(|| proof_gen(&public, &signature, &header, b"", &messages, &disclosed).unwrap())
    });
    c.bench_function("bbs proof_verify 40", |b| {
        b.iter(|| {
            assert!(proof_verify(
                &public, &proof, &header, b"", &shown, &disclosed
            ))
        })
    });
}

criterion_group!(benches, bbs);
criterion_main!(benches);
