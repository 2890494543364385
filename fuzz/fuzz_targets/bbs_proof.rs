//! Untrusted BBS input (bbs-2023): whatever bytes stand for a signature, a proof of knowledge
//! or an issuer's key, checking them answers "not valid", never a panic; and whatever a
//! holder discloses, a proof made from a good signature verifies.
#![no_main]

use std::sync::LazyLock;

use corridor_bbs::{SecretKey, proof_gen, proof_verify, verify};
use libfuzzer_sys::fuzz_target;

static KEY: LazyLock<(SecretKey, [u8; 96])> = LazyLock::new(|| {
    let key = SecretKey::from_bytes(&[0x2a; 32]).expect("a key");
    let public = key.public_key();
    (key, public)
});

fuzz_target!(|data: &[u8]| {
    let (key, public) = &*KEY;
    let messages: Vec<&[u8]> = data.chunks(7).take(12).collect();
    let mut chosen_key = *public;
    if let Some(bytes) = data.get(..96) {
        chosen_key.copy_from_slice(bytes);
    }
    // Garbage as a signature and as a proof, under the real key and under the input's.
    if let Ok(signature) = <[u8; 80]>::try_from(data.get(..80).unwrap_or_default()) {
        let _ = verify(public, &signature, b"h", &messages);
        let _ = verify(&chosen_key, &signature, b"h", &messages);
    }
    let indexes: Vec<usize> = data.iter().take(4).map(|&b| usize::from(b % 16)).collect();
    let shown: Vec<&[u8]> = indexes.iter().map(|_| &b"m"[..]).collect();
    assert!(!proof_verify(public, data, b"h", b"", &shown, &indexes), "a forged proof");
    let _ = proof_verify(&chosen_key, data, b"h", b"", &shown, &indexes);
    // A real proof of whatever the input discloses verifies.
    if messages.is_empty() {
        return;
    }
    let signature = corridor_bbs::sign(key, b"h", &messages).expect("signs");
    let mut disclosed: Vec<usize> = data
        .iter()
        .map(|&b| usize::from(b) % messages.len())
        .collect();
    disclosed.sort_unstable();
    disclosed.dedup();
    let proof = proof_gen(public, &signature, b"h", b"ph", &messages, &disclosed).expect("proves");
    let shown: Vec<&[u8]> = disclosed.iter().map(|&i| messages[i]).collect();
    assert!(proof_verify(public, &proof, b"h", b"ph", &shown, &disclosed));
});
