//! BBS signatures and proofs of knowledge with the BLS12-381-SHA-256 ciphersuite
//! (`BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_`), as the `bbs-2023` cryptosuite uses them and
//! as TrustVC's `@digitalbazaar/bbs-signatures` 3 computes them: the IRTF draft's signature
//! `(A, e)` with `e` derived from the secret key and the messages, and its proof
//! `(Abar, Bbar, D, e^, r1^, r3^, m^…, c)` with the challenge over the disclosed messages first.
//!
//! The arithmetic is `blst`'s. Work on secrets (the signer's key, a holder's hidden messages
//! and blinding scalars) uses its constant-time multiplication; verification, where
//! everything is public, its Pippenger multi-scalar multiplication. The message generators, the
//! same for every key, are derived once and kept.
//!
//! ```
//! use corridor_bbs::{SecretKey, proof_gen, proof_verify, sign};
//! let key = SecretKey::from_bytes(&[7; 32]).unwrap();
//! let public = key.public_key();
//! let messages: [&[u8]; 3] = [b"name", b"date of birth", b"nationality"];
//! let signature = sign(&key, b"header", &messages).unwrap();
//! let proof = proof_gen(&public, &signature, b"header", b"", &messages, &[0, 2]).unwrap();
//! assert!(proof_verify(&public, &proof, b"header", b"", &[b"name", b"nationality"], &[0, 2]));
//! assert!(!proof_verify(&public, &proof, b"header", b"", &[b"name", b"nationality?"], &[0, 2]));
//! ```

mod curve;
mod generators;

use curve::{G1, G2, Scalar, pairing_is_one};
use generators::generators;

/// The ciphersuite's API identifier, which every domain separation tag starts with.
const API_ID: &[u8] = b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_";

/// Bytes of a signature: `A` (48, compressed) and `e` (32).
pub const SIGNATURE_LEN: usize = 80;
/// Bytes of a public key: a compressed G2 point.
pub const PUBLIC_KEY_LEN: usize = 96;

/// Why a signature or proof could not be made, or a key read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BbsError {
    #[error("not a BLS12-381 secret key (a scalar from 1 to r - 1)")]
    SecretKey,
    #[error("not a BLS12-381 G2 public key")]
    PublicKey,
    #[error("not a BBS signature")]
    Signature,
    #[error("disclosed index {index} is not one of the {count} messages")]
    DisclosedIndex { index: usize, count: usize },
    #[error("the signature is degenerate")]
    Degenerate,
}

/// A signer's secret key: a non-zero scalar.
#[derive(Clone)]
pub struct SecretKey(Scalar);

impl SecretKey {
    /// The key from its 32 big-endian bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<SecretKey, BbsError> {
        Scalar::from_be_bytes(bytes)
            .filter(|s| !s.is_zero())
            .map(SecretKey)
            .ok_or(BbsError::SecretKey)
    }

    /// A fresh random key.
    pub fn generate() -> SecretKey {
        loop {
            let bytes: [u8; 32] = rand::random();
            if let Ok(key) = SecretKey::from_bytes(&bytes) {
                return key;
            }
        }
    }

    /// Its 32 big-endian bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_be_bytes()
    }

    /// Its public key `W = SK · BP2`, compressed.
    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        G2::generator().mul(&self.0).compress()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// `hash_to_scalar`: expand_message_xmd (SHA-256) to 48 bytes, reduced modulo r.
fn hash_to_scalar(message: &[u8], dst: &[u8]) -> Scalar {
    Scalar::from_wide(&curve::expand_message_xmd::<48>(message, dst))
}

fn dst(suffix: &[u8]) -> Vec<u8> {
    [API_ID, suffix].concat()
}

/// Each message mapped to a scalar (`MAP_MSG_TO_SCALAR_AS_HASH_`).
fn message_scalars(messages: &[&[u8]]) -> Vec<Scalar> {
    let map = dst(b"MAP_MSG_TO_SCALAR_AS_HASH_");
    messages.iter().map(|m| hash_to_scalar(m, &map)).collect()
}

/// The domain: the public key, the generators `Q1, H1…HL` and the header, hashed.
fn domain(public: &[u8; PUBLIC_KEY_LEN], points: &[G1], header: &[u8]) -> Scalar {
    let mut input = Vec::with_capacity(
        PUBLIC_KEY_LEN + 8 + 48 * points.len() + API_ID.len() + 8 + header.len(),
    );
    input.extend_from_slice(public);
    input.extend_from_slice(&(points.len() as u64 - 1).to_be_bytes());
    for point in points {
        input.extend_from_slice(&point.compress());
    }
    input.extend_from_slice(API_ID);
    input.extend_from_slice(&(header.len() as u64).to_be_bytes());
    input.extend_from_slice(header);
    hash_to_scalar(&input, &dst(b"H2S_"))
}

/// `B = P1 + Q1·domain + Σ Hi·mi`, in constant time (the messages may be a holder's secrets).
fn commitment(points: &[G1], domain: &Scalar, messages: &[Scalar]) -> G1 {
    let mut b = generators::p1();
    b = b.add(&points[0].mul(domain));
    for (h, m) in points[1..].iter().zip(messages) {
        b = b.add(&h.mul(m));
    }
    b
}

/// A signature over `messages` under `header` (`Sign`): deterministic for a key and its input.
pub fn sign(
    key: &SecretKey,
    header: &[u8],
    messages: &[&[u8]],
) -> Result<[u8; SIGNATURE_LEN], BbsError> {
    let public = key.public_key();
    let points = generators(messages.len() + 1);
    let scalars = message_scalars(messages);
    let domain = domain(&public, &points, header);
    let mut input = Vec::with_capacity(32 * (scalars.len() + 2));
    input.extend_from_slice(&key.0.to_be_bytes());
    for m in &scalars {
        input.extend_from_slice(&m.to_be_bytes());
    }
    input.extend_from_slice(&domain.to_be_bytes());
    let e = hash_to_scalar(&input, &dst(b"H2S_"));
    let b = commitment(&points, &domain, &scalars);
    let inverse = key.0.add(&e).invert().ok_or(BbsError::Degenerate)?;
    let a = b.mul(&inverse);
    if a.is_identity() {
        return Err(BbsError::Degenerate);
    }
    let mut out = [0; SIGNATURE_LEN];
    out[..48].copy_from_slice(&a.compress());
    out[48..].copy_from_slice(&e.to_be_bytes());
    Ok(out)
}

/// A signature's `(A, e)`: `A` a point of G1 other than the identity, `e` a scalar.
fn read_signature(signature: &[u8; SIGNATURE_LEN]) -> Result<(G1, Scalar), BbsError> {
    let a = G1::decompress(&signature[..48]).ok_or(BbsError::Signature)?;
    let e = Scalar::from_be_bytes(signature[48..].try_into().expect("32 bytes"))
        .ok_or(BbsError::Signature)?;
    Ok((a, e))
}

fn read_public_key(public: &[u8; PUBLIC_KEY_LEN]) -> Result<G2, BbsError> {
    G2::decompress(public).ok_or(BbsError::PublicKey)
}

/// Whether `signature` is a valid signature of `messages` under `header` (`Verify`).
pub fn verify(
    public: &[u8; PUBLIC_KEY_LEN],
    signature: &[u8; SIGNATURE_LEN],
    header: &[u8],
    messages: &[&[u8]],
) -> bool {
    let (Ok(w), Ok((a, e))) = (read_public_key(public), read_signature(signature)) else {
        return false;
    };
    let points = generators(messages.len() + 1);
    let domain = domain(public, &points, header);
    let mut all = vec![generators::p1()];
    all.extend_from_slice(&points);
    let mut scalars = vec![Scalar::one(), domain];
    scalars.extend(message_scalars(messages));
    let b = G1::multi_mul(&all, &scalars);
    // e(A, W) · e(A·e − B, BP2) = 1
    pairing_is_one(&[(&a, &w), (&a.mul(&e).sub(&b), &G2::generator())])
}

/// A proof of knowledge of `signature` disclosing the messages at `disclosed` (`ProofGen`),
/// bound to `presentation_header`. Randomized: two proofs of the same disclosure differ.
pub fn proof_gen(
    public: &[u8; PUBLIC_KEY_LEN],
    signature: &[u8; SIGNATURE_LEN],
    header: &[u8],
    presentation_header: &[u8],
    messages: &[&[u8]],
    disclosed: &[usize],
) -> Result<Vec<u8>, BbsError> {
    read_public_key(public)?;
    let (a, e) = read_signature(signature)?;
    let count = messages.len();
    let mut disclosed = disclosed.to_vec();
    disclosed.sort_unstable();
    disclosed.dedup();
    if let Some(&index) = disclosed.iter().find(|&&i| i >= count) {
        return Err(BbsError::DisclosedIndex { index, count });
    }
    let undisclosed: Vec<usize> = (0..count)
        .filter(|i| disclosed.binary_search(i).is_err())
        .collect();
    let points = generators(count + 1);
    let scalars = message_scalars(messages);
    let domain = domain(public, &points, header);

    let random = || Scalar::random();
    let (r1, r2, e_tilde, r1_tilde, r3_tilde) = (random(), random(), random(), random(), random());
    let m_tilde: Vec<Scalar> = undisclosed.iter().map(|_| random()).collect();

    let b = commitment(&points, &domain, &scalars);
    let d = b.mul(&r2);
    let a_bar = a.mul(&r1.mul(&r2));
    let b_bar = d.mul(&r1).sub(&a_bar.mul(&e));
    let t1 = a_bar.mul(&e_tilde).add(&d.mul(&r1_tilde));
    let mut t2 = d.mul(&r3_tilde);
    for (&j, m) in undisclosed.iter().zip(&m_tilde) {
        t2 = t2.add(&points[j + 1].mul(m));
    }
    let disclosed_scalars: Vec<Scalar> = disclosed.iter().map(|&i| scalars[i]).collect();
    let challenge = challenge(
        &disclosed,
        &disclosed_scalars,
        [&a_bar, &b_bar, &d, &t1, &t2],
        &domain,
        presentation_header,
    );
    let r3 = r2.invert().ok_or(BbsError::Degenerate)?;
    let mut out = Vec::with_capacity(48 * 3 + 32 * (4 + undisclosed.len()));
    for point in [&a_bar, &b_bar, &d] {
        out.extend_from_slice(&point.compress());
    }
    let e_cap = e_tilde.add(&e.mul(&challenge));
    let r1_cap = r1_tilde.sub(&r1.mul(&challenge));
    let r3_cap = r3_tilde.sub(&r3.mul(&challenge));
    for s in [e_cap, r1_cap, r3_cap] {
        out.extend_from_slice(&s.to_be_bytes());
    }
    for (&j, m) in undisclosed.iter().zip(&m_tilde) {
        out.extend_from_slice(&m.add(&scalars[j].mul(&challenge)).to_be_bytes());
    }
    out.extend_from_slice(&challenge.to_be_bytes());
    Ok(out)
}

/// The challenge: the disclosed indexes and messages, `Abar, Bbar, D, T1, T2`, the domain and
/// the presentation header, hashed.
fn challenge(
    disclosed: &[usize],
    disclosed_scalars: &[Scalar],
    points: [&G1; 5],
    domain: &Scalar,
    presentation_header: &[u8],
) -> Scalar {
    let mut input =
        Vec::with_capacity(8 + 40 * disclosed.len() + 48 * 5 + 32 + 8 + presentation_header.len());
    input.extend_from_slice(&(disclosed.len() as u64).to_be_bytes());
    for (&i, m) in disclosed.iter().zip(disclosed_scalars) {
        input.extend_from_slice(&(i as u64).to_be_bytes());
        input.extend_from_slice(&m.to_be_bytes());
    }
    for point in points {
        input.extend_from_slice(&point.compress());
    }
    input.extend_from_slice(&domain.to_be_bytes());
    input.extend_from_slice(&(presentation_header.len() as u64).to_be_bytes());
    input.extend_from_slice(presentation_header);
    hash_to_scalar(&input, &dst(b"H2S_"))
}

/// Whether `proof` proves knowledge of a signature under `header` whose messages at
/// `disclosed` (ascending, as the proof was made) are `disclosed_messages`
/// (`ProofVerify`). A proof that cannot be read does not verify.
pub fn proof_verify(
    public: &[u8; PUBLIC_KEY_LEN],
    proof: &[u8],
    header: &[u8],
    presentation_header: &[u8],
    disclosed_messages: &[&[u8]],
    disclosed: &[usize],
) -> bool {
    let Ok(w) = read_public_key(public) else {
        return false;
    };
    let Some(proof) = Proof::read(proof) else {
        return false;
    };
    if disclosed.len() != disclosed_messages.len() {
        return false;
    }
    let count = proof.m_cap.len() + disclosed.len();
    // Ascending and distinct, each one of the messages.
    if disclosed.windows(2).any(|w| w[0] >= w[1]) || disclosed.last().is_some_and(|&i| i >= count) {
        return false;
    }
    let undisclosed: Vec<usize> = (0..count)
        .filter(|i| disclosed.binary_search(i).is_err())
        .collect();
    let points = generators(count + 1);
    let domain = domain(public, &points, header);
    let disclosed_scalars = message_scalars(disclosed_messages);

    let t1 = G1::multi_mul(
        &[proof.b_bar, proof.a_bar, proof.d],
        &[proof.challenge, proof.e_cap, proof.r1_cap],
    );
    let mut bv_points = vec![generators::p1(), points[0]];
    bv_points.extend(disclosed.iter().map(|&i| points[i + 1]));
    let mut bv_scalars = vec![Scalar::one(), domain];
    bv_scalars.extend_from_slice(&disclosed_scalars);
    let bv = G1::multi_mul(&bv_points, &bv_scalars);
    let mut t2_points = vec![bv, proof.d];
    t2_points.extend(undisclosed.iter().map(|&j| points[j + 1]));
    let mut t2_scalars = vec![proof.challenge, proof.r3_cap];
    t2_scalars.extend_from_slice(&proof.m_cap);
    let t2 = G1::multi_mul(&t2_points, &t2_scalars);

    let expected = challenge(
        disclosed,
        &disclosed_scalars,
        [&proof.a_bar, &proof.b_bar, &proof.d, &t1, &t2],
        &domain,
        presentation_header,
    );
    // e(Abar, W) · e(Bbar, −BP2) = 1
    expected == proof.challenge
        && pairing_is_one(&[(&proof.a_bar, &w), (&proof.b_bar, &G2::generator().neg())])
}

/// A proof, read: its points (none the identity) and scalars (each below r).
struct Proof {
    a_bar: G1,
    b_bar: G1,
    d: G1,
    e_cap: Scalar,
    r1_cap: Scalar,
    r3_cap: Scalar,
    m_cap: Vec<Scalar>,
    challenge: Scalar,
}

impl Proof {
    fn read(bytes: &[u8]) -> Option<Proof> {
        if bytes.len() < 48 * 3 + 32 * 4 || (bytes.len() - 48 * 3) % 32 != 0 {
            return None;
        }
        let (points, scalars) = bytes.split_at(48 * 3);
        let mut points = points.chunks_exact(48).map(G1::decompress);
        let mut scalars = scalars
            .chunks_exact(32)
            .map(|s| Scalar::from_be_bytes(s.try_into().expect("32 bytes")))
            .collect::<Option<Vec<Scalar>>>()?;
        let challenge = scalars.pop()?;
        let m_cap = scalars.split_off(3);
        Some(Proof {
            a_bar: points.next()??,
            b_bar: points.next()??,
            d: points.next()??,
            e_cap: scalars[0],
            r1_cap: scalars[1],
            r3_cap: scalars[2],
            m_cap,
            challenge,
        })
    }
}
