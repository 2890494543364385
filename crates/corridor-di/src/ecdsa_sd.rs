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
pub use p256::ecdsa::VerifyingKey;
use p256::ecdsa::signature::Signer;
pub use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::DiError;
use crate::cbor::{
    array, bad, bytes, bytes_of, decode_array, fixed, head, int, integer, multibase,
    multibase_bytes, text, untag,
};
use crate::group::{
    Labels, attach_proof, canonical_document, disclose, mandatory_split, proof_hash,
    split_mandatory,
};

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

/// Reads a `proofValue` (`u` + base64url of a tagged CBOR array).
///
/// ```
/// use corridor_di::ecdsa_sd::parse_proof_value;
/// assert!(parse_proof_value("zabc").unwrap_err().to_string().contains("base64url"));
/// ```
pub fn parse_proof_value(text: &str) -> Result<ProofValue, DiError> {
    let bytes = multibase_bytes(text)?;
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
                mandatory_pointers: pointer_list(pointers)?,
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
                    .map(|(k, v)| Ok((int(k, "labelMap")?, bytes_of(v, "labelMap")?)))
                    .collect::<Result<_, DiError>>()?,
                mandatory_indexes: int_list(indexes, "mandatoryIndexes")?,
            }))
        }
        _ => Err(bad("not an ecdsa-sd-2023 base or derived proof")),
    }
}

impl DerivedProof {
    /// The `proofValue` text (`u` + base64url of the tagged CBOR), written as the suite's
    /// encoder (cborg) writes it: shortest lengths, map keys in order.
    pub fn encode(&self) -> String {
        let mut out = DERIVED_TAG.to_vec();
        head(&mut out, 4, 5);
        bytes(&mut out, &self.base_signature);
        bytes(&mut out, &self.public_key);
        head(&mut out, 4, self.signatures.len() as u64);
        for s in &self.signatures {
            bytes(&mut out, s);
        }
        head(&mut out, 5, self.label_map.len() as u64);
        for (k, v) in &self.label_map {
            head(&mut out, 0, *k);
            bytes(&mut out, v);
        }
        head(&mut out, 4, self.mandatory_indexes.len() as u64);
        for &i in &self.mandatory_indexes {
            integer(&mut out, i);
        }
        multibase(&out)
    }
}

/// A P-256 public key as a Multikey's `publicKeyMultibase` (its compressed point).
pub fn p256_multibase(key: &VerifyingKey) -> String {
    let point = key.to_encoded_point(true);
    let bytes = [&P256_MULTIKEY[..], point.as_bytes()].concat();
    format!("z{}", bs58::encode(bytes).into_string())
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

/// P-256 signature checks as WebCrypto makes them: SHA-256, `r‖s`, any valid `s` (high or
/// low); anything malformed is simply not valid. `ring` checks them, several times faster than
/// `p256`'s portable arithmetic — it matters, a credential carries a signature per statement.
struct P256Checker {
    /// The key as an uncompressed point, the form `ring` takes.
    point: p256::EncodedPoint,
}

impl P256Checker {
    fn new(key: &VerifyingKey) -> P256Checker {
        P256Checker {
            point: key.to_encoded_point(false),
        }
    }

    fn verifies(&self, data: &[u8], signature: &[u8]) -> bool {
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            self.point.as_bytes(),
        )
        .verify(data, signature)
        .is_ok()
    }
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
    let ProofValue::Derived(derived) = parse_proof_value(proof_value_of(proof)?)? else {
        return Err(bad("\"proof.proofValue\" must be a derived proof"));
    };
    let labels: BTreeMap<String, String> = derived
        .label_map
        .iter()
        .map(|(k, v)| (format!("c14n{k}"), multibase(v)))
        .collect();
    let nquads = canonical_document(processor, document, |issued| by_canonical(issued, &labels))?;
    let (mandatory_hash, non_mandatory) = split_mandatory(&nquads, &derived.mandatory_indexes);
    let proof_hash = proof_hash?;
    let one_time_key = P256Checker::new(&key_from_multikey(&derived.public_key)?);
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
        .all(|(s, nq)| one_time_key.verifies(nq.as_bytes(), s));
    if !statements_verify {
        return Ok(false);
    }
    let signed = [&proof_hash[..], &derived.public_key, &mandatory_hash].concat();
    Ok(P256Checker::new(issuer_key).verifies(&signed, &derived.base_signature))
}

/// Derives from a base proof a credential disclosing the mandatory statements and those the
/// `selective` pointers select: the document the holder passes on, with its derived `proof`.
pub fn derive(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
    selective: &[String],
) -> Result<Value, DiError> {
    let ProofValue::Base(base) = parse_proof_value(proof_value_of(proof)?)? else {
        return Err(bad("\"proof.proofValue\" must be a base proof"));
    };
    let hmac_label = |c14n: &str| {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&base.hmac_key).expect("any key length");
        mac.update(c14n.as_bytes());
        multibase(&mac.finalize().into_bytes())
    };
    let disclosure = disclose(
        processor,
        document,
        &base.mandatory_pointers,
        selective,
        |issued| {
            issued
                .iter()
                .map(|(input, c14n)| (input.clone(), hmac_label(c14n)))
                .collect()
        },
    )?;
    // The signatures are those of the non-mandatory statements in order; keep the selected.
    let (mandatory, chosen) = (
        &disclosure.mandatory().matching,
        &disclosure.selective().matching,
    );
    let mut index = 0;
    let mut signatures = Vec::new();
    for signature in &base.signatures {
        while mandatory.contains_key(&index) {
            index += 1;
        }
        if chosen.contains_key(&index) {
            signatures.push(signature.to_vec());
        }
        index += 1;
    }
    let label_map = disclosure
        .verifier_labels
        .iter()
        .map(|(c14n, label)| {
            let number = c14n.strip_prefix("c14n").and_then(|n| n.parse().ok());
            let hmac = label
                .strip_prefix('u')
                .and_then(|l| URL_SAFE_NO_PAD.decode(l).ok());
            number
                .zip(hmac)
                .ok_or_else(|| DiError::Mismatch(format!("unexpected label {c14n} → {label}")))
        })
        .collect::<Result<_, _>>()?;
    let derived = DerivedProof {
        base_signature: base.base_signature,
        public_key: base.public_key,
        signatures,
        label_map,
        mandatory_indexes: disclosure.mandatory_indexes.clone(),
    };
    Ok(attach_proof(disclosure.revealed, proof, derived.encode()))
}

/// New labels by canonical label, as a proof's label map gives them: each input label gets the
/// label of the canonical label it was issued.
pub(crate) fn by_canonical(
    issued: &[(String, String)],
    labels: &BTreeMap<String, String>,
) -> Labels {
    issued
        .iter()
        .filter_map(|(input, c14n)| labels.get(c14n).map(|l| (input.clone(), l.clone())))
        .collect()
}

impl BaseProof {
    /// The `proofValue` text, written as the suite's encoder writes it.
    pub fn encode(&self) -> String {
        let mut out = BASE_TAG.to_vec();
        head(&mut out, 4, 5);
        bytes(&mut out, &self.base_signature);
        bytes(&mut out, &self.public_key);
        bytes(&mut out, &self.hmac_key);
        head(&mut out, 4, self.signatures.len() as u64);
        for s in &self.signatures {
            bytes(&mut out, s);
        }
        head(&mut out, 4, self.mandatory_pointers.len() as u64);
        for p in &self.mandatory_pointers {
            text(&mut out, p);
        }
        multibase(&out)
    }
}

/// The one-time key a base proof signs its statements with, drawn by `ring`, which signs P-256
/// several times faster than `p256`'s portable arithmetic (a credential has a signature per
/// statement).
struct OneTimeKey {
    pair: ring::signature::EcdsaKeyPair,
    rng: ring::rand::SystemRandom,
}

impl OneTimeKey {
    fn new() -> Result<OneTimeKey, DiError> {
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
        let failed = |_| DiError::Key("the system could not draw a P-256 key".into());
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(failed)?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|_| DiError::Key("the system's P-256 key could not be read back".into()))?;
        Ok(OneTimeKey { pair, rng })
    }

    fn sign(&self, data: &[u8]) -> Result<[u8; 64], DiError> {
        let signature = self
            .pair
            .sign(&self.rng, data)
            .map_err(|_| DiError::Key("a statement could not be signed".into()))?;
        signature
            .as_ref()
            .try_into()
            .map_err(|_| DiError::Key("a P-256 signature is 64 bytes".into()))
    }

    /// The public key, compressed as multikeys hold it.
    fn compressed(&self) -> Result<[u8; 33], DiError> {
        use ring::signature::KeyPair;
        let key = VerifyingKey::from_sec1_bytes(self.pair.public_key().as_ref())
            .map_err(|_| DiError::Key("the one-time key is not a P-256 point".into()))?;
        key.to_encoded_point(true)
            .as_bytes()
            .try_into()
            .map_err(|_| DiError::Key("a compressed P-256 point is 33 bytes".into()))
    }
}

fn sign_bytes(key: &SigningKey, data: &[u8]) -> [u8; 64] {
    let signature: Signature = key.sign(data);
    signature.to_bytes().into()
}

/// The value of a base proof over `document` (without a proof) for the proof options `proof`
/// (without a value): each non-mandatory statement signed with a one-time key, the mandatory
/// ones and the options covered by the issuer's signature over that key.
pub fn sign(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
    issuer_key: &SigningKey,
    mandatory_pointers: &[String],
) -> Result<String, DiError> {
    let hmac_key: [u8; 32] = rand::random();
    let hmac_label = |c14n: &str| {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&hmac_key).expect("any key length");
        mac.update(c14n.as_bytes());
        multibase(&mac.finalize().into_bytes())
    };
    let (mandatory_hash, non_mandatory) =
        mandatory_split(processor, document, mandatory_pointers, |issued| {
            issued
                .iter()
                .map(|(input, c14n)| (input.clone(), hmac_label(c14n)))
                .collect()
        })?;
    let proof_hash = proof_hash(processor, document, proof)?;
    let one_time = OneTimeKey::new()?;
    let signatures = non_mandatory
        .iter()
        .map(|nq| one_time.sign(nq.as_bytes()))
        .collect::<Result<_, _>>()?;
    let mut public_key = [0u8; 35];
    public_key[..2].copy_from_slice(&P256_MULTIKEY);
    public_key[2..].copy_from_slice(&one_time.compressed()?);
    let signed = [&proof_hash[..], &public_key, &mandatory_hash].concat();
    Ok(BaseProof {
        base_signature: sign_bytes(issuer_key, &signed),
        public_key,
        hmac_key,
        signatures,
        mandatory_pointers: mandatory_pointers.to_vec(),
    }
    .encode())
}

/// The `proofValue` text of a proof.
pub fn proof_value_of(proof: &Map<String, Value>) -> Result<&str, DiError> {
    proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("\"proofValue\" must be a string"))
}

/// A CBOR array of strings: mandatory pointers.
pub(crate) fn pointer_list(value: Cbor) -> Result<Vec<String>, DiError> {
    array(value, "mandatoryPointers")?
        .into_iter()
        .map(|p| match p {
            Cbor::Text(t) => Ok(t),
            _ => Err(bad("\"mandatoryPointers\" must be an array of strings")),
        })
        .collect()
}

/// A CBOR array of integers: statement indexes.
pub(crate) fn int_list(value: Cbor, name: &str) -> Result<Vec<i64>, DiError> {
    array(value, name)?
        .into_iter()
        .map(|i| int(i, name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_values_read_back_as_written() {
        let base = BaseProof {
            base_signature: [1; 64],
            public_key: [2; 35],
            hmac_key: [3; 32],
            signatures: vec![[4; 64]; 3],
            mandatory_pointers: vec!["/issuer".into(), "/validFrom".into()],
        };
        assert_eq!(
            parse_proof_value(&base.encode()).unwrap(),
            ProofValue::Base(base)
        );
        let derived = DerivedProof {
            base_signature: [1; 64],
            public_key: [2; 35],
            signatures: vec![vec![5; 64]],
            label_map: [(0, vec![6; 32]), (300, vec![7; 32])].into(),
            mandatory_indexes: vec![0, 2, 70_000],
        };
        assert_eq!(
            parse_proof_value(&derived.encode()).unwrap(),
            ProofValue::Derived(derived)
        );
    }

    #[test]
    fn signatures_with_either_s_verify_as_in_webcrypto() {
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let checker = P256Checker::new(key.verifying_key());
        let data = b"_:c14n0 <https://example.com/p> \"v\" .\n";
        let signature: Signature = key.sign(data);
        let (r, s) = signature.split_scalars();
        let flipped = Signature::from_scalars(r, -*s).unwrap();
        for signature in [signature, flipped] {
            assert!(checker.verifies(data, &signature.to_bytes()));
        }
        assert!(!checker.verifies(b"other", &signature.to_bytes()));
        assert!(!checker.verifies(data, &[0u8; 64]));
        assert!(!checker.verifies(data, &signature.to_bytes()[..63]));
    }
}
