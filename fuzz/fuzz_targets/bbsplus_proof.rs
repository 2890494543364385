//! Untrusted 2020 BBS+ proof values: whatever bytes stand for a `BbsBlsSignature2020`
//! signature or a `BbsBlsSignatureProof2020` proof (message count, bit vector, proof of
//! knowledge), and whatever bytes stand for the issuer's key, checking them answers an error
//! or "not valid", never a panic and never unbounded work.
#![no_main]

use corridor_bbsplus::{PublicKey, verify_proof, verify_signature};
use libfuzzer_sys::fuzz_target;

/// A valid key to check against when the input's own is not one: the G2 generator.
const GENERATOR: &str = "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";

fuzz_target!(|data: &[u8]| {
    let generator: Vec<u8> = (0..GENERATOR.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&GENERATOR[i..i + 2], 16).expect("hex"))
        .collect();
    let key = data
        .get(..96)
        .and_then(|k| PublicKey::from_bytes(k).ok())
        .unwrap_or_else(|| PublicKey::from_bytes(&generator).expect("the generator is a key"));
    let messages: [&[u8]; 3] = [b"_:c14n0 <p> \"a\" .", b"b", b""];
    let (nonce, value) = data.split_at(data.len().min(4));
    for count in 0..=messages.len() {
        let _ = verify_signature(&key, value, &messages[..count]);
        let _ = verify_proof(&key, value, &messages[..count], nonce);
    }
});
