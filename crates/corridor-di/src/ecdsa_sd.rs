//! The `ecdsa-sd-2023` cryptosuite as TrustVC runs it (`@digitalbazaar/ecdsa-sd-2023-cryptosuite`
//! 3): each non-mandatory statement signed with a one-time P-256 key, the mandatory statements
//! and the proof options covered by the issuer's signature over that key; blank nodes named by
//! an HMAC the base proof carries the key of.
//!
//! Derive selects statements by JSON pointer and keeps only their signatures; verifying a
//! derived proof needs no pointers, only the statements the credential still has.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value as Cbor;
use corridor_jsonld::Processor;
use hmac::{Hmac, Mac};
use p256::ecdsa::Signature;
pub use p256::ecdsa::VerifyingKey;
use p256::ecdsa::signature::Verifier;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::DiError;
use crate::group::{canonical_document, canonicalize_and_group, canonicalize_lines};
use crate::pointer::select;

const BASE_TAG: [u8; 3] = [0xd9, 0x5d, 0x00];
const DERIVED_TAG: [u8; 3] = [0xd9, 0x5d, 0x01];
/// The multikey header of a compressed P-256 public key.
const P256_MULTIKEY: [u8; 2] = [0x80, 0x24];

/// A base proof's value: what the issuer signed, and what a holder needs to derive.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseProof {
    pub base_signature: [u8; 64],
    /// The one-time key, as a multikey (header and compressed point).
    pub public_key: [u8; 35],
    pub hmac_key: [u8; 32],
    /// One signature per non-mandatory statement, in canonical order.
    pub signatures: Vec<[u8; 64]>,
    pub mandatory_pointers: Vec<String>,
}

/// A derived proof's value.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedProof {
    pub base_signature: [u8; 64],
    pub public_key: [u8; 35],
    /// The signatures of the disclosed non-mandatory statements.
    pub signatures: Vec<Vec<u8>>,
    /// Canonical label number (`c14nN`) → the HMAC label the issuer signed it under.
    pub label_map: BTreeMap<u64, Vec<u8>>,
    /// Which of the disclosed statements are mandatory, by index.
    pub mandatory_indexes: Vec<i64>,
}

/// A proof value of this suite: base or derived.
#[derive(Debug, Clone, PartialEq)]
pub enum ProofValue {
    Base(BaseProof),
    Derived(DerivedProof),
}

fn bad(why: impl Into<String>) -> DiError {
    DiError::ProofValue(why.into())
}

/// Reads a `proofValue` (`u` + base64url of a tagged CBOR array).
///
/// ```
/// use corridor_di::ecdsa_sd::parse_proof_value;
/// assert!(parse_proof_value("zabc").unwrap_err().to_string().contains("base64url"));
/// ```
pub fn parse_proof_value(text: &str) -> Result<ProofValue, DiError> {
    let encoded = text
        .strip_prefix('u')
        .ok_or_else(|| bad("only base64url multibase encoding is supported"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|e| bad(format!("not base64url: {e}")))?;
    let (tag, payload) = bytes.split_at(bytes.len().min(3));
    let items = decode_array(payload)?;
    match tag {
        t if t == BASE_TAG => {
            let [base_signature, public_key, hmac_key, signatures, pointers] = items
                .try_into()
                .map_err(|_| bad("a base proof has five parts"))?;
            Ok(ProofValue::Base(BaseProof {
                base_signature: fixed(base_signature, "baseSignature")?,
                public_key: fixed(public_key, "publicKey")?,
                hmac_key: fixed(hmac_key, "hmacKey")?,
                signatures: array(signatures, "signatures")?
                    .into_iter()
                    .map(|s| fixed(s, "signatures"))
                    .collect::<Result<_, _>>()?,
                mandatory_pointers: array(pointers, "mandatoryPointers")?
                    .into_iter()
                    .map(|p| match p {
                        Cbor::Text(t) => Ok(t),
                        _ => Err(bad("\"mandatoryPointers\" must be an array of strings")),
                    })
                    .collect::<Result<_, _>>()?,
            }))
        }
        t if t == DERIVED_TAG => {
            let [base_signature, public_key, signatures, label_map, indexes] = items
                .try_into()
                .map_err(|_| bad("a derived proof has five parts"))?;
            let Cbor::Map(label_map) = untag(label_map) else {
                return Err(bad("\"labelMap\" must be a map"));
            };
            Ok(ProofValue::Derived(DerivedProof {
                base_signature: fixed(base_signature, "baseSignature")?,
                public_key: fixed(public_key, "publicKey")?,
                signatures: array(signatures, "signatures")?
                    .into_iter()
                    .map(|s| bytes_of(s, "signatures"))
                    .collect::<Result<_, _>>()?,
                label_map: label_map
                    .into_iter()
                    .map(|(k, v)| {
                        let k = match k {
                            Cbor::Integer(i) => u64::try_from(i128::from(i)).ok(),
                            _ => None,
                        }
                        .ok_or_else(|| bad("\"labelMap\" keys must be label numbers"))?;
                        Ok((k, bytes_of(v, "labelMap")?))
                    })
                    .collect::<Result<_, DiError>>()?,
                mandatory_indexes: array(indexes, "mandatoryIndexes")?
                    .into_iter()
                    .map(|i| match i {
                        Cbor::Integer(i) => i64::try_from(i128::from(i))
                            .map_err(|_| bad("\"mandatoryIndexes\" must be integers")),
                        _ => Err(bad("\"mandatoryIndexes\" must be an array of integers")),
                    })
                    .collect::<Result<_, _>>()?,
            }))
        }
        _ => Err(bad("not an ecdsa-sd-2023 base or derived proof")),
    }
}

fn decode_array(payload: &[u8]) -> Result<Vec<Cbor>, DiError> {
    let mut reader = payload;
    let value: Cbor =
        ciborium::de::from_reader(&mut reader).map_err(|e| bad(format!("not CBOR: {e}")))?;
    if !reader.is_empty() {
        return Err(bad("bytes after the CBOR value"));
    }
    match value {
        Cbor::Array(items) => Ok(items),
        _ => Err(bad("the CBOR value must be an array")),
    }
}

/// Tag 64 (a typed byte array) read as its bytes, as the suite's decoder reads it.
fn untag(value: Cbor) -> Cbor {
    match value {
        Cbor::Tag(64, inner) => *inner,
        other => other,
    }
}

fn bytes_of(value: Cbor, name: &str) -> Result<Vec<u8>, DiError> {
    match untag(value) {
        Cbor::Bytes(b) => Ok(b),
        _ => Err(bad(format!("\"{name}\" must hold byte strings"))),
    }
}

fn fixed<const N: usize>(value: Cbor, name: &str) -> Result<[u8; N], DiError> {
    bytes_of(value, name)?
        .try_into()
        .map_err(|_| bad(format!("\"{name}\" must be {N} bytes")))
}

fn array(value: Cbor, name: &str) -> Result<Vec<Cbor>, DiError> {
    match untag(value) {
        Cbor::Array(items) => Ok(items),
        _ => Err(bad(format!("\"{name}\" must be an array"))),
    }
}

/// The CBOR of a derived proof, encoded as the suite's encoder (cborg) encodes it: shortest
/// lengths, map keys in order.
fn encode_derived(proof: &DerivedProof) -> String {
    let mut out = DERIVED_TAG.to_vec();
    head(&mut out, 4, 5);
    bytes(&mut out, &proof.base_signature);
    bytes(&mut out, &proof.public_key);
    head(&mut out, 4, proof.signatures.len() as u64);
    for s in &proof.signatures {
        bytes(&mut out, s);
    }
    head(&mut out, 5, proof.label_map.len() as u64);
    for (k, v) in &proof.label_map {
        head(&mut out, 0, *k);
        bytes(&mut out, v);
    }
    head(&mut out, 4, proof.mandatory_indexes.len() as u64);
    for &i in &proof.mandatory_indexes {
        if i >= 0 {
            head(&mut out, 0, i as u64);
        } else {
            head(&mut out, 1, (-1 - i) as u64);
        }
    }
    format!("u{}", URL_SAFE_NO_PAD.encode(out))
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend(n.to_be_bytes());
        }
    }
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    head(out, 2, b.len() as u64);
    out.extend_from_slice(b);
}

/// The issuer's key from a P-256 Multikey `publicKeyMultibase` (`z` + base58btc).
pub fn p256_multikey(multibase: &str) -> Result<VerifyingKey, DiError> {
    let encoded = multibase.strip_prefix('z').ok_or_else(|| {
        DiError::Key("publicKeyMultibase must be base58btc (start with z)".into())
    })?;
    let decoded = bs58::decode(encoded)
        .into_vec()
        .map_err(|e| DiError::Key(format!("publicKeyMultibase is not base58btc: {e}")))?;
    key_from_multikey(&decoded)
}

fn key_from_multikey(bytes: &[u8]) -> Result<VerifyingKey, DiError> {
    let point = bytes
        .strip_prefix(&P256_MULTIKEY)
        .ok_or_else(|| DiError::Key("not a P-256 multikey".into()))?;
    VerifyingKey::from_sec1_bytes(point).map_err(|_| DiError::Key("not a P-256 public key".into()))
}

/// A P-256 signature check as WebCrypto makes it: SHA-256, `r‖s`; anything malformed is
/// simply not valid.
fn verifies(key: &VerifyingKey, data: &[u8], signature: &[u8]) -> bool {
    Signature::from_slice(signature).is_ok_and(|s| key.verify(data, &s).is_ok())
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The hash of the proof's options: the proof without its value, under the document's
/// context, canonicalized.
pub(crate) fn proof_hash(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
) -> Result<[u8; 32], DiError> {
    let mut options = Map::new();
    if let Some(context) = document.get("@context") {
        options.insert("@context".to_owned(), context.clone());
    }
    for (k, v) in proof {
        if k != "proofValue" {
            options.insert(k.clone(), v.clone());
        }
    }
    let quads = processor.to_rdf(&Value::Object(options))?;
    let canonical = corridor_rdfc::canonicalize(&quads)?;
    Ok(sha256(canonical.document().as_bytes()))
}

/// Verifies a derived proof on `document` (without its `proof`) with the issuer's key:
/// `Ok(false)` when a signature does not verify.
pub fn verify_derived(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
    issuer_key: &VerifyingKey,
) -> Result<bool, DiError> {
    let proof_hash = proof_hash(processor, document, proof);
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("\"proofValue\" must be a string"))?;
    let ProofValue::Derived(derived) = parse_proof_value(value)? else {
        return Err(bad("\"proof.proofValue\" must be a derived proof"));
    };
    let labels: BTreeMap<String, String> = derived
        .label_map
        .iter()
        .map(|(k, v)| {
            (
                format!("c14n{k}"),
                format!("u{}", URL_SAFE_NO_PAD.encode(v)),
            )
        })
        .collect();
    let nquads = canonical_document(processor, document, |_, c14n| labels.get(c14n).cloned())?;
    let (mut mandatory, mut non_mandatory) = (String::new(), Vec::new());
    for (i, nq) in nquads.iter().enumerate() {
        if derived.mandatory_indexes.contains(&(i as i64)) {
            mandatory.push_str(nq);
        } else {
            non_mandatory.push(nq);
        }
    }
    let mandatory_hash = sha256(mandatory.as_bytes());
    let proof_hash = proof_hash?;
    let one_time_key = key_from_multikey(&derived.public_key)?;
    if derived.signatures.len() != non_mandatory.len() {
        return Err(DiError::Mismatch(format!(
            "Signature count ({}) does not match non-mandatory message count ({}).",
            derived.signatures.len(),
            non_mandatory.len()
        )));
    }
    let statements_verify = derived
        .signatures
        .iter()
        .zip(&non_mandatory)
        .all(|(s, nq)| verifies(&one_time_key, nq.as_bytes(), s));
    if !statements_verify {
        return Ok(false);
    }
    let signed = [&proof_hash[..], &derived.public_key, &mandatory_hash].concat();
    Ok(verifies(issuer_key, &signed, &derived.base_signature))
}

/// Derives from a base proof a credential disclosing the mandatory statements and those the
/// `selective` pointers select: the document the holder passes on, with its derived `proof`.
pub fn derive(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
    selective: &[String],
) -> Result<Value, DiError> {
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("\"proofValue\" must be a string"))?;
    let ProofValue::Base(base) = parse_proof_value(value)? else {
        return Err(bad("\"proof.proofValue\" must be a base proof"));
    };
    if base.mandatory_pointers.is_empty() && selective.is_empty() {
        return Err(DiError::Mismatch(
            "Nothing selected for disclosure.".to_owned(),
        ));
    }
    let hmac_label = |c14n: &str| {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&base.hmac_key).expect("any key length");
        mac.update(c14n.as_bytes());
        format!("u{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    };
    let combined: Vec<String> = base
        .mandatory_pointers
        .iter()
        .chain(selective)
        .cloned()
        .collect();
    let grouped = canonicalize_and_group(
        processor,
        document,
        |_, c14n| Some(hmac_label(c14n)),
        &[&base.mandatory_pointers, selective, &combined],
    )?;
    let [mandatory, chosen, all] = &grouped.groups[..] else {
        unreachable!("three groups asked")
    };
    let mandatory_indexes = all
        .matching
        .keys()
        .enumerate()
        .filter(|(_, absolute)| mandatory.matching.contains_key(absolute))
        .map(|(relative, _)| relative as i64)
        .collect();
    let mut index = 0;
    let mut signatures = Vec::new();
    for signature in &base.signatures {
        while mandatory.matching.contains_key(&index) {
            index += 1;
        }
        if chosen.matching.contains_key(&index) {
            signatures.push(signature.to_vec());
        }
        index += 1;
    }
    let mut revealed = select(document, &combined)?.expect("at least one pointer");
    // The verifier's canonical labels for the revealed statements, each mapped to the HMAC
    // label the issuer signed it under.
    let revealed_labels = canonicalize_lines(&all.deskolemized)?.labels;
    let mut label_map = BTreeMap::new();
    for (input, c14n) in &revealed_labels {
        let number: u64 = c14n
            .strip_prefix("c14n")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| DiError::Mismatch(format!("unexpected canonical label {c14n}")))?;
        let hmac = grouped
            .label_map
            .get(input)
            .and_then(|l| l.strip_prefix('u'))
            .and_then(|l| URL_SAFE_NO_PAD.decode(l).ok())
            .ok_or_else(|| {
                DiError::Mismatch(format!("no HMAC label for the blank node {input}"))
            })?;
        label_map.insert(number, hmac);
    }
    let derived = DerivedProof {
        base_signature: base.base_signature,
        public_key: base.public_key,
        signatures,
        label_map,
        mandatory_indexes,
    };
    let mut new_proof = proof.clone();
    new_proof.insert(
        "proofValue".to_owned(),
        Value::String(encode_derived(&derived)),
    );
    new_proof.remove("@context");
    if let Value::Object(revealed) = &mut revealed {
        revealed.insert("proof".to_owned(), Value::Object(new_proof));
    }
    Ok(revealed)
}
