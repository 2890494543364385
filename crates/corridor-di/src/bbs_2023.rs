//! The `bbs-2023` cryptosuite as TrustVC runs it (`@digitalbazaar/bbs-2023-cryptosuite` 2 on
//! `@digitalbazaar/bbs-signatures` 3): one BBS signature (BLS12-381, SHA-256 ciphersuite) over
//! the non-mandatory statements, its header the hashes of the proof options and the mandatory
//! statements; blank nodes named `b0`, `b1`… by the order of their HMAC labels, so that a
//! derived credential does not reveal the HMAC. A derived proof is a zero-knowledge proof of
//! that signature disclosing only the chosen statements.
//!
//! BBS is `corridor-bbs`'s (on `blst`), which follows the same draft as the reference: its
//! signatures are byte for byte the reference's, and proofs verify both ways (proofs are
//! randomized).

use std::collections::BTreeMap;

use ciborium::Value as Cbor;
use corridor_bbs::SecretKey;
use corridor_jsonld::Processor;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::DiError;
use crate::cbor::{
    bad, bytes, bytes_of, decode_array, fixed, head, int, integer, multibase, multibase_bytes,
    text, untag,
};
use crate::ecdsa_sd::{by_canonical, int_list, pointer_list, proof_value_of};
use crate::group::{
    Labels, attach_proof, canonical_document, disclose, mandatory_split, proof_hash,
    split_mandatory,
};

const BASE_TAG: [u8; 3] = [0xd9, 0x5d, 0x02];
const DERIVED_TAG: [u8; 3] = [0xd9, 0x5d, 0x03];
/// The multikey header of a BLS12-381 G2 public key.
const BLS12381_G2_MULTIKEY: [u8; 2] = [0xeb, 0x01];

/// A base proof's value.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseProof {
    pub signature: [u8; 80],
    /// What the signature's header holds: the proof options' hash, then the mandatory
    /// statements'.
    pub header: [u8; 64],
    /// The issuer's public key (a G2 point).
    pub public_key: [u8; 96],
    pub hmac_key: [u8; 32],
    pub mandatory_pointers: Vec<String>,
}

/// A derived proof's value.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedProof {
    pub proof: Vec<u8>,
    /// Canonical label number (`c14nN`) → the shuffled label number (`bM`) it was signed under.
    pub label_map: BTreeMap<u64, u64>,
    pub mandatory_indexes: Vec<i64>,
    /// Which of the signed (non-mandatory) statements are disclosed, by index.
    pub selective_indexes: Vec<i64>,
    pub presentation_header: Vec<u8>,
}

/// A proof value of this suite: base or derived.
#[derive(Debug, Clone, PartialEq)]
pub enum ProofValue {
    Base(BaseProof),
    Derived(DerivedProof),
}

/// Reads a `proofValue` (`u` + base64url of a tagged CBOR array).
pub fn parse_proof_value(text: &str) -> Result<ProofValue, DiError> {
    let bytes = multibase_bytes(text)?;
    let (tag, payload) = bytes.split_at(bytes.len().min(3));
    let items = decode_array(payload)?;
    match tag {
        t if t == BASE_TAG => {
            let [signature, header, public_key, hmac_key, pointers] = items
                .try_into()
                .map_err(|_| bad("a base proof has five parts"))?;
            Ok(ProofValue::Base(BaseProof {
                signature: fixed(signature, "bbsSignature")?,
                header: fixed(header, "bbsHeader")?,
                public_key: fixed(public_key, "publicKey")?,
                hmac_key: fixed(hmac_key, "hmacKey")?,
                mandatory_pointers: pointer_list(pointers)?,
            }))
        }
        t if t == DERIVED_TAG => {
            let [proof, label_map, mandatory, selective, presentation_header] = items
                .try_into()
                .map_err(|_| bad("a derived proof has five parts"))?;
            let Cbor::Map(label_map) = untag(label_map) else {
                return Err(bad("\"labelMap\" must be a map"));
            };
            Ok(ProofValue::Derived(DerivedProof {
                proof: bytes_of(proof, "bbsProof")?,
                label_map: label_map
                    .into_iter()
                    .map(|(k, v)| Ok((int(k, "labelMap")?, int(v, "labelMap")?)))
                    .collect::<Result<_, DiError>>()?,
                mandatory_indexes: int_list(mandatory, "mandatoryIndexes")?,
                selective_indexes: int_list(selective, "selectiveIndexes")?,
                presentation_header: bytes_of(presentation_header, "presentationHeader")?,
            }))
        }
        _ => Err(bad("not a bbs-2023 base or derived proof")),
    }
}

impl DerivedProof {
    /// The `proofValue` text (`u` + base64url of the tagged CBOR), written as the suite's
    /// encoder (cborg) writes it: shortest lengths, map keys in order.
    pub fn encode(&self) -> String {
        let mut out = DERIVED_TAG.to_vec();
        head(&mut out, 4, 5);
        bytes(&mut out, &self.proof);
        head(&mut out, 5, self.label_map.len() as u64);
        for (k, v) in &self.label_map {
            head(&mut out, 0, *k);
            head(&mut out, 0, *v);
        }
        for indexes in [&self.mandatory_indexes, &self.selective_indexes] {
            head(&mut out, 4, indexes.len() as u64);
            for &i in indexes {
                integer(&mut out, i);
            }
        }
        bytes(&mut out, &self.presentation_header);
        multibase(&out)
    }
}

/// The issuer's key from a BLS12-381 G2 Multikey `publicKeyMultibase` (`z` + base58btc).
pub fn bls12381_multikey(multibase: &str) -> Result<[u8; 96], DiError> {
    let encoded = multibase.strip_prefix('z').ok_or_else(|| {
        DiError::Key("publicKeyMultibase must be base58btc (start with z)".into())
    })?;
    let decoded = bs58::decode(encoded)
        .into_vec()
        .map_err(|e| DiError::Key(format!("publicKeyMultibase is not base58btc: {e}")))?;
    decoded
        .strip_prefix(&BLS12381_G2_MULTIKEY)
        .and_then(|key| key.try_into().ok())
        .ok_or_else(|| DiError::Key("not a BLS12-381 G2 multikey".into()))
}

/// Verifies a derived proof on `document` (without its `proof`) with the issuer's public key:
/// `Ok(false)` when the BBS proof does not verify.
pub fn verify_derived(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
    issuer_key: &[u8; 96],
) -> Result<bool, DiError> {
    let proof_hash = proof_hash(processor, document, proof);
    let ProofValue::Derived(derived) = parse_proof_value(proof_value_of(proof)?)? else {
        return Err(bad("\"proof.proofValue\" must be a derived proof"));
    };
    let labels: BTreeMap<String, String> = derived
        .label_map
        .iter()
        .map(|(k, v)| (format!("c14n{k}"), format!("b{v}")))
        .collect();
    let nquads = canonical_document(processor, document, |issued| by_canonical(issued, &labels))?;
    let (mandatory_hash, disclosed) = split_mandatory(&nquads, &derived.mandatory_indexes);
    let proof_hash = proof_hash?;
    if disclosed.len() != derived.selective_indexes.len() {
        return Err(DiError::Mismatch(format!(
            "Number of disclosed messages ({}) does not equal number of \"selectiveIndexes\" ({}).",
            disclosed.len(),
            derived.selective_indexes.len()
        )));
    }
    // Messages by index, a later one at the same index replacing an earlier, then in index
    // order: what the reference's sparse array gives.
    let mut by_index = BTreeMap::new();
    for (&index, message) in derived.selective_indexes.iter().zip(&disclosed) {
        let index = usize::try_from(index).map_err(|_| bad("a negative selective index"))?;
        by_index.insert(index, message.as_bytes().to_vec());
    }
    let indexes: Vec<usize> = by_index.keys().copied().collect();
    let messages: Vec<&[u8]> = by_index.values().map(Vec::as_slice).collect();
    let header = [&proof_hash[..], &mandatory_hash[..]].concat();
    Ok(corridor_bbs::proof_verify(
        issuer_key,
        &derived.proof,
        &header,
        &derived.presentation_header,
        &messages,
        &indexes,
    ))
}

/// Derives from a base proof a credential disclosing the mandatory statements and those the
/// `selective` pointers select, with a fresh zero-knowledge proof and an empty presentation
/// header.
pub fn derive(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
    selective: &[String],
) -> Result<Value, DiError> {
    let ProofValue::Base(base) = parse_proof_value(proof_value_of(proof)?)? else {
        return Err(bad("\"proof.proofValue\" must be a base proof"));
    };
    let disclosure = disclose(
        processor,
        document,
        &base.mandatory_pointers,
        selective,
        |issued| shuffled_labels(&base.hmac_key, issued),
    )?;
    let mandatory = &disclosure.mandatory().matching;
    let chosen = &disclosure.selective().matching;
    let mut messages = Vec::new();
    let mut selective_indexes = Vec::new();
    for (absolute, nq) in disclosure.grouped.nquads.iter().enumerate() {
        if mandatory.contains_key(&absolute) {
            continue;
        }
        if chosen.contains_key(&absolute) {
            selective_indexes.push(messages.len() as i64);
        }
        messages.push(nq.as_bytes());
    }
    let disclosed: Vec<usize> = selective_indexes.iter().map(|&i| i as usize).collect();
    let presentation_header = Vec::new();
    // A base proof whose key or signature is broken cannot be derived from: its signature
    // does not verify, which is what checking it must say.
    let bbs_proof = corridor_bbs::proof_gen(
        &base.public_key,
        &base.signature,
        &base.header,
        &presentation_header,
        &messages,
        &disclosed,
    )
    .map_err(|e| DiError::InvalidSignature(format!("the BBS proof could not be made: {e}")))?;
    let label_map = disclosure
        .verifier_labels
        .iter()
        .map(|(c14n, label)| {
            let number = c14n.strip_prefix("c14n").and_then(|n| n.parse().ok());
            let shuffled = label.strip_prefix('b').and_then(|n| n.parse().ok());
            number
                .zip(shuffled)
                .ok_or_else(|| DiError::Mismatch(format!("unexpected label {c14n} → {label}")))
        })
        .collect::<Result<_, _>>()?;
    let derived = DerivedProof {
        proof: bbs_proof,
        label_map,
        mandatory_indexes: disclosure.mandatory_indexes.clone(),
        selective_indexes,
        presentation_header,
    };
    Ok(attach_proof(disclosure.revealed, proof, derived.encode()))
}

impl BaseProof {
    /// The `proofValue` text, written as the suite's encoder writes it.
    pub fn encode(&self) -> String {
        let mut out = BASE_TAG.to_vec();
        head(&mut out, 4, 5);
        bytes(&mut out, &self.signature);
        bytes(&mut out, &self.header);
        bytes(&mut out, &self.public_key);
        bytes(&mut out, &self.hmac_key);
        head(&mut out, 4, self.mandatory_pointers.len() as u64);
        for p in &self.mandatory_pointers {
            text(&mut out, p);
        }
        multibase(&out)
    }
}

/// An issuer's BBS key pair: the secret scalar and the public G2 point.
#[derive(Clone)]
pub struct KeyPair {
    secret: SecretKey,
    public: [u8; 96],
}

impl KeyPair {
    /// The pair from the secret key's 32 bytes (as a Multikey `secretKeyMultibase` holds them
    /// after its header) and the public key's 96.
    pub fn from_bytes(secret: &[u8; 32], public: &[u8; 96]) -> Result<KeyPair, DiError> {
        let secret = SecretKey::from_bytes(secret)
            .map_err(|_| DiError::Key("not a BLS12-381 secret key".into()))?;
        let derived = secret.public_key();
        if derived != *public {
            return Err(DiError::Key(
                "the public key is not the secret key's".into(),
            ));
        }
        Ok(KeyPair {
            secret,
            public: *public,
        })
    }
}

impl KeyPair {
    /// The pair of a secret key given as its 32 bytes.
    pub fn from_secret(secret: &[u8; 32]) -> Result<KeyPair, DiError> {
        let key = SecretKey::from_bytes(secret)
            .map_err(|_| DiError::Key("not a BLS12-381 secret key".into()))?;
        KeyPair::from_bytes(secret, &key.public_key())
    }

    /// The public key's 96 bytes.
    pub fn public_key(&self) -> [u8; 96] {
        self.public
    }

    /// The secret key's 32 bytes (big-endian), to keep in a keystore.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }
}

/// A BLS12-381 G2 public key as a Multikey's `publicKeyMultibase`.
pub fn bls12381_multibase(public: &[u8; 96]) -> String {
    let bytes = [&BLS12381_G2_MULTIKEY[..], public].concat();
    format!("z{}", bs58::encode(bytes).into_string())
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("KeyPair")
            .field("public", &"…")
            .finish_non_exhaustive()
    }
}

/// The value of a base proof over `document` (without a proof) for the proof options `proof`
/// (without a value, and without `created`, which this suite leaves out): one BBS signature
/// over the non-mandatory statements, its header the options' and mandatory statements' hashes.
pub fn sign(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
    issuer: &KeyPair,
    mandatory_pointers: &[String],
) -> Result<String, DiError> {
    let hmac_key: [u8; 32] = rand::random();
    let (mandatory_hash, non_mandatory) =
        mandatory_split(processor, document, mandatory_pointers, |issued| {
            shuffled_labels(&hmac_key, issued)
        })?;
    let proof_hash = proof_hash(processor, document, proof)?;
    let mut header = [0u8; 64];
    header[..32].copy_from_slice(&proof_hash);
    header[32..].copy_from_slice(&mandatory_hash);
    let messages: Vec<&[u8]> = non_mandatory.iter().map(|nq| nq.as_bytes()).collect();
    let signature = corridor_bbs::sign(&issuer.secret, &header, &messages)
        .map_err(|e| DiError::Key(format!("the BBS signature could not be made: {e}")))?;
    Ok(BaseProof {
        signature,
        header,
        public_key: issuer.public,
        hmac_key,
        mandatory_pointers: mandatory_pointers.to_vec(),
    }
    .encode())
}

/// bbs-2023's blank node labels: each canonical label's HMAC, then the label `bN` where N is
/// that HMAC's place among all of them, sorted as JavaScript sorts.
fn shuffled_labels(hmac_key: &[u8; 32], issued: &[(String, String)]) -> Labels {
    let hmac_of = |c14n: &str| {
        let mut mac = <Hmac<Sha256>>::new_from_slice(hmac_key).expect("any key length");
        mac.update(c14n.as_bytes());
        multibase(&mac.finalize().into_bytes())
    };
    let hmacs: Vec<(String, String)> = issued
        .iter()
        .map(|(input, c14n)| (input.clone(), hmac_of(c14n)))
        .collect();
    let mut sorted: Vec<String> = hmacs.iter().map(|(_, h)| h.clone()).collect();
    corridor_js::js_sort(&mut sorted);
    hmacs
        .into_iter()
        .map(|(input, hmac)| {
            let place = sorted
                .iter()
                .position(|h| *h == hmac)
                .expect("sorted from these");
            (input, format!("b{place}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_values_read_back_as_written() {
        let base = BaseProof {
            signature: [1; 80],
            header: [2; 64],
            public_key: [3; 96],
            hmac_key: [4; 32],
            mandatory_pointers: vec!["/issuer".into()],
        };
        assert_eq!(
            parse_proof_value(&base.encode()).unwrap(),
            ProofValue::Base(base)
        );
        let derived = DerivedProof {
            proof: vec![5; 300],
            label_map: [(0, 2), (1, 0), (2, 1)].into(),
            mandatory_indexes: vec![0, 1],
            selective_indexes: vec![3, 4, 25],
            presentation_header: Vec::new(),
        };
        assert_eq!(
            parse_proof_value(&derived.encode()).unwrap(),
            ProofValue::Derived(derived)
        );
    }
}
