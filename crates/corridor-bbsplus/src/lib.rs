//! The BBS+ signatures of 2020 that TradeTrust's `BbsBlsSignature2020` credentials carry, and
//! the proofs of knowledge (`BbsBlsSignatureProof2020`) of their redacted copies: verified as
//! mattr's `bbs-signatures` 1.x verifies them (`blsVerify`, `blsVerifyProof`), which is what
//! TrustVC runs.
//!
//! The scheme is Hyperledger Ursa's `bbs` 0.4.1, the code mattr compiles; this crate frames its
//! inputs as mattr does and bounds what untrusted input may cost:
//!
//! - a message is hashed to a scalar (`SignatureMessage::hash`);
//! - the issuer's key is a BLS12-381 G2 point (96 bytes compressed) from which the generators
//!   for `n` messages are derived;
//! - a proof is `u16` big-endian message count ‖ revealed-index bit vector (`n / 8 + 1` bytes,
//!   big-endian: bit `i` of the number is message `i`) ‖ the compressed proof of knowledge;
//! - a proof's nonce is hashed to a scalar, or is zero when empty.
//!
//! Verify only: Corridor signs with the current suites, never this one.

use std::collections::{BTreeMap, BTreeSet};

use bbs::HashElem;
use bbs::prelude::{
    DeterministicPublicKey, PoKOfSignatureProof, ProofNonce, ProofRequest, Signature,
    SignatureMessage, SignatureProof, Verifier,
};

/// The most messages a signature or proof may cover here. Each one costs a hash to the curve
/// before any check, so the count an attacker writes in a proof is bounded; a credential's
/// statements are far fewer.
pub const MAX_MESSAGES: usize = 4096;

/// Bytes of a compressed BLS12-381 G2 public key.
pub const PUBLIC_KEY_LEN: usize = 96;

/// Why a signature or proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BbsPlusError {
    #[error("the public key is not a compressed BLS12-381 G2 point of {PUBLIC_KEY_LEN} bytes")]
    PublicKey,
    #[error("the signature is not a BBS+ signature (A, e, s)")]
    SignatureEncoding,
    #[error("the proof is not a BBS+ proof of knowledge")]
    ProofEncoding,
    #[error("there are no messages")]
    NoMessages,
    #[error("{0} messages: more than the {MAX_MESSAGES} verified here")]
    TooManyMessages(usize),
    #[error("the proof reveals message {index} of only {count}")]
    RevealedOutOfRange { index: usize, count: usize },
    #[error(
        "Given messages count ({given}) is different from revealed messages count ({revealed}) for this proof"
    )]
    MessageCount { given: usize, revealed: usize },
    #[error("Invalid signature.")]
    Invalid,
}

/// An issuer's BBS+ public key: the G2 point its generators are derived from.
#[derive(Debug, Clone)]
pub struct PublicKey(DeterministicPublicKey);

impl PublicKey {
    /// The key from its 96 compressed bytes (a `Bls12381G2Key2020`'s `publicKeyBase58`, decoded).
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey, BbsPlusError> {
        if bytes.len() != PUBLIC_KEY_LEN {
            return Err(BbsPlusError::PublicKey);
        }
        DeterministicPublicKey::try_from(bytes)
            .map(PublicKey)
            .map_err(|_| BbsPlusError::PublicKey)
    }
}

fn hashed(messages: &[&[u8]]) -> Vec<SignatureMessage> {
    messages.iter().map(SignatureMessage::hash).collect()
}

fn bounded(count: usize) -> Result<(), BbsPlusError> {
    match count {
        0 => Err(BbsPlusError::NoMessages),
        n if n > MAX_MESSAGES => Err(BbsPlusError::TooManyMessages(n)),
        _ => Ok(()),
    }
}

/// Checks a signature over every message, in order (mattr's `blsVerify`).
pub fn verify_signature(
    key: &PublicKey,
    signature: &[u8],
    messages: &[&[u8]],
) -> Result<(), BbsPlusError> {
    bounded(messages.len())?;
    let signature = Signature::try_from(signature).map_err(|_| BbsPlusError::SignatureEncoding)?;
    let generators = key
        .0
        .to_public_key(messages.len())
        .map_err(|_| BbsPlusError::PublicKey)?;
    match signature.verify(&hashed(messages), &generators) {
        Ok(true) => Ok(()),
        _ => Err(BbsPlusError::Invalid),
    }
}

/// Checks a proof of knowledge of a signature that reveals `messages` (the revealed ones, in
/// the order of their indexes) under `nonce` (mattr's `blsVerifyProof`).
pub fn verify_proof(
    key: &PublicKey,
    proof: &[u8],
    messages: &[&[u8]],
    nonce: &[u8],
) -> Result<(), BbsPlusError> {
    let (count, revealed, proof) = split_proof(proof)?;
    bounded(count)?;
    if let Some(&index) = revealed.iter().find(|&&i| i >= count) {
        return Err(BbsPlusError::RevealedOutOfRange { index, count });
    }
    if messages.len() != revealed.len() {
        return Err(BbsPlusError::MessageCount {
            given: messages.len(),
            revealed: revealed.len(),
        });
    }
    let nonce = if nonce.is_empty() {
        ProofNonce::default()
    } else {
        ProofNonce::hash(nonce)
    };
    let verification_key = key
        .0
        .to_public_key(count)
        .map_err(|_| BbsPlusError::PublicKey)?;
    let revealed_messages: BTreeMap<usize, SignatureMessage> =
        revealed.iter().copied().zip(hashed(messages)).collect();
    let request = ProofRequest {
        revealed_messages: revealed,
        verification_key,
    };
    let proof = SignatureProof {
        revealed_messages,
        proof,
    };
    Verifier::verify_signature_pok(&request, &proof, &nonce)
        .map(|_| ())
        .map_err(|_| BbsPlusError::Invalid)
}

/// A proof's message count, revealed indexes and proof of knowledge.
fn split_proof(
    bytes: &[u8],
) -> Result<(usize, BTreeSet<usize>, PoKOfSignatureProof), BbsPlusError> {
    let [high, low, rest @ ..] = bytes else {
        return Err(BbsPlusError::ProofEncoding);
    };
    let count = usize::from(u16::from_be_bytes([*high, *low]));
    let vector_len = count / 8 + 1;
    if rest.len() < vector_len {
        return Err(BbsPlusError::ProofEncoding);
    }
    let (vector, pok) = rest.split_at(vector_len);
    let pok = PoKOfSignatureProof::try_from(pok).map_err(|_| BbsPlusError::ProofEncoding)?;
    Ok((count, revealed_indexes(vector), pok))
}

/// The indexes a bit vector marks. Big-endian: the last byte holds messages 0 to 7, its
/// lowest bit message 0.
fn revealed_indexes(vector: &[u8]) -> BTreeSet<usize> {
    vector
        .iter()
        .rev()
        .enumerate()
        .flat_map(|(byte, bits)| {
            (0..8)
                .filter(move |bit| bits & (1 << bit) != 0)
                .map(move |bit| byte * 8 + bit)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bit_vector_reads_big_endian() {
        // Messages 0, 3 and 9 of ten: 0x02 (message 9), then 0x09 (messages 3 and 0).
        assert_eq!(revealed_indexes(&[0x02, 0x09]), BTreeSet::from([0, 3, 9]));
        // The vector is longer than its count says: refused before any curve work.
        assert_eq!(
            split_proof(&[0, 10, 0x02]).err(),
            Some(BbsPlusError::ProofEncoding)
        );
        assert_eq!(split_proof(&[0]).err(), Some(BbsPlusError::ProofEncoding));
    }

    #[test]
    fn the_g2_generator_is_a_key_that_verifies_nothing_it_did_not_sign() {
        let hex = "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let key = PublicKey::from_bytes(&bytes).unwrap();
        assert_eq!(
            verify_signature(&key, &[0; 112], &[b"a"]).err(),
            Some(BbsPlusError::SignatureEncoding)
        );
        assert_eq!(
            verify_signature(&key, &[0; 112], &[]).err(),
            Some(BbsPlusError::NoMessages)
        );
        // A proof that claims 60,000 messages is refused before any generator is derived.
        let mut proof = vec![0xea, 0x60];
        proof.extend(vec![0; 60_000 / 8 + 1]);
        assert!(matches!(
            verify_proof(&key, &proof, &[b"a"], b"n").err(),
            Some(BbsPlusError::ProofEncoding | BbsPlusError::TooManyMessages(60_000))
        ));
    }

    #[test]
    fn bad_keys_and_encodings_are_named() {
        assert_eq!(
            PublicKey::from_bytes(&[1; 95]).err(),
            Some(BbsPlusError::PublicKey)
        );
        assert_eq!(
            PublicKey::from_bytes(&[0xff; 96]).err(),
            Some(BbsPlusError::PublicKey)
        );
    }
}
