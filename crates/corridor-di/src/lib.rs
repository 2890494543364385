//! W3C Data Integrity selective disclosure as TrustVC signs and verifies it: the primitives
//! its suites share (JSON pointers, skolemization, canonicalize-and-group with relabelled blank
//! nodes) and the `ecdsa-sd-2023` and `bbs-2023` cryptosuites; and, verify only, the 2020 BBS+
//! suite of TradeTrust's published credentials (`BbsBlsSignature2020`).
//!
//! What is signed is text: canonical N-Quads whose blank node labels were replaced, selected
//! by pointers on the compacted credential. Each step reproduces the reference's text exactly
//! (`@digitalbazaar/di-sd-primitives` 3.3 and `ecdsa-sd-2023-cryptosuite` 3.4), its quirks
//! included; a comment names each one. Pure: no I/O.

pub mod bbs_2020;
pub mod bbs_2023;
mod cbor;
pub mod ecdsa_sd;
mod error;
mod group;
pub mod pointer;

pub use error::DiError;

use corridor_jsonld::Processor;
use serde_json::{Map, Value};

/// The selective disclosure cryptosuites, by the name a proof's `cryptosuite` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cryptosuite {
    EcdsaSd2023,
    Bbs2023,
}

impl Cryptosuite {
    /// The suite a proof names, if it is one of these.
    pub fn named(name: &str) -> Option<Cryptosuite> {
        match name {
            "ecdsa-sd-2023" => Some(Cryptosuite::EcdsaSd2023),
            "bbs-2023" => Some(Cryptosuite::Bbs2023),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Cryptosuite::EcdsaSd2023 => "ecdsa-sd-2023",
            Cryptosuite::Bbs2023 => "bbs-2023",
        }
    }
}

/// An issuer's public key, as a DID document's Multikey gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum IssuerKey {
    P256(ecdsa_sd::VerifyingKey),
    Bls12381G2([u8; 96]),
}

impl IssuerKey {
    /// The key a `publicKeyMultibase` holds, by its multikey header.
    pub fn from_multibase(multibase: &str) -> Result<IssuerKey, DiError> {
        ecdsa_sd::p256_multikey(multibase)
            .map(IssuerKey::P256)
            .or_else(|_| bbs_2023::bls12381_multikey(multibase).map(IssuerKey::Bls12381G2))
            .map_err(|_| DiError::Key("neither a P-256 nor a BLS12-381 G2 multikey".into()))
    }
}

/// An issuer's key pair for signing, of either suite.
#[derive(Clone)]
pub enum IssuerSigningKey {
    P256(ecdsa_sd::SigningKey),
    Bls12381(bbs_2023::KeyPair),
}

impl std::fmt::Debug for IssuerSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.write_str(match self {
            IssuerSigningKey::P256(_) => "IssuerSigningKey::P256(…)",
            IssuerSigningKey::Bls12381(_) => "IssuerSigningKey::Bls12381(…)",
        })
    }
}

/// The multikey header of a P-256 secret key.
const P256_SECRET_MULTIKEY: [u8; 2] = [0x86, 0x26];
/// The multikey header of a BLS12-381 secret key.
const BLS12381_SECRET_MULTIKEY: [u8; 2] = [0x8a, 0x26];

impl IssuerSigningKey {
    /// The pair a Multikey's `secretKeyMultibase` and `publicKeyMultibase` hold.
    pub fn from_multibase(secret: &str, public: &str) -> Result<IssuerSigningKey, DiError> {
        let bad = || DiError::Key("secretKeyMultibase is not a P-256 or BLS12-381 multikey".into());
        let bytes = secret
            .strip_prefix('z')
            .and_then(|s| bs58::decode(s).into_vec().ok())
            .ok_or_else(bad)?;
        if let Some(scalar) = bytes.strip_prefix(&P256_SECRET_MULTIKEY) {
            let key = ecdsa_sd::SigningKey::from_slice(scalar).map_err(|_| bad())?;
            if IssuerKey::from_multibase(public)? != IssuerKey::P256(*key.verifying_key()) {
                return Err(DiError::Key(
                    "the public key is not the secret key's".into(),
                ));
            }
            return Ok(IssuerSigningKey::P256(key));
        }
        let scalar: &[u8; 32] = bytes
            .strip_prefix(&BLS12381_SECRET_MULTIKEY)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(bad)?;
        let public = bbs_2023::bls12381_multikey(public)?;
        Ok(IssuerSigningKey::Bls12381(bbs_2023::KeyPair::from_bytes(
            scalar, &public,
        )?))
    }

    /// A new random key pair for `suite`.
    pub fn generate(suite: Cryptosuite, rng: &mut impl rand::Rng) -> IssuerSigningKey {
        loop {
            // Of 2^256 byte strings, only zero and those past the group's order are not keys.
            let mut secret = zeroize::Zeroizing::new([0u8; 32]);
            rng.fill_bytes(secret.as_mut());
            if let Ok(key) = IssuerSigningKey::from_secret(suite, &secret) {
                return key;
            }
        }
    }

    /// The pair for `suite` whose secret key is these 32 bytes (big-endian, as a keystore
    /// keeps them).
    pub fn from_secret(suite: Cryptosuite, secret: &[u8; 32]) -> Result<IssuerSigningKey, DiError> {
        match suite {
            Cryptosuite::EcdsaSd2023 => ecdsa_sd::SigningKey::from_slice(secret)
                .map(IssuerSigningKey::P256)
                .map_err(|_| DiError::Key("not a P-256 secret key".into())),
            Cryptosuite::Bbs2023 => {
                bbs_2023::KeyPair::from_secret(secret).map(IssuerSigningKey::Bls12381)
            }
        }
    }

    /// The secret key's 32 bytes, to keep in a keystore; wiped when dropped.
    pub fn secret_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(match self {
            IssuerSigningKey::P256(key) => key.to_bytes().into(),
            IssuerSigningKey::Bls12381(pair) => pair.secret_bytes(),
        })
    }

    /// The public key as a Multikey's `publicKeyMultibase`, as the issuer's DID document lists it.
    ///
    /// ```
    /// use corridor_di::{Cryptosuite, IssuerKey, IssuerSigningKey};
    /// let key = IssuerSigningKey::generate(Cryptosuite::Bbs2023, &mut rand::rng());
    /// let public = key.public_key_multibase();
    /// assert!(matches!(IssuerKey::from_multibase(&public), Ok(IssuerKey::Bls12381G2(_))));
    /// let again = IssuerSigningKey::from_secret(Cryptosuite::Bbs2023, &key.secret_bytes()).unwrap();
    /// assert_eq!(again.public_key_multibase(), public);
    /// ```
    pub fn public_key_multibase(&self) -> String {
        match self {
            IssuerSigningKey::P256(key) => ecdsa_sd::p256_multibase(key.verifying_key()),
            IssuerSigningKey::Bls12381(pair) => bbs_2023::bls12381_multibase(&pair.public_key()),
        }
    }

    /// The suite this key signs with.
    pub fn suite(&self) -> Cryptosuite {
        match self {
            IssuerSigningKey::P256(_) => Cryptosuite::EcdsaSd2023,
            IssuerSigningKey::Bls12381(_) => Cryptosuite::Bbs2023,
        }
    }
}

/// Signs `document` (a credential without a proof) with a base proof of the key's suite for
/// `verification_method`, made at `created` (a W3C date; bbs-2023 proofs leave it out), with
/// `mandatory_pointers` always disclosed: the signed credential.
pub fn sign(
    processor: &Processor,
    document: &Value,
    key: &IssuerSigningKey,
    verification_method: &str,
    created: &str,
    mandatory_pointers: &[String],
) -> Result<Value, DiError> {
    let suite = key.suite();
    let mut proof = Map::new();
    proof.insert("type".to_owned(), Value::from("DataIntegrityProof"));
    if suite == Cryptosuite::EcdsaSd2023 {
        proof.insert("created".to_owned(), Value::from(created));
    }
    proof.insert(
        "verificationMethod".to_owned(),
        Value::from(verification_method),
    );
    proof.insert("cryptosuite".to_owned(), Value::from(suite.name()));
    proof.insert("proofPurpose".to_owned(), Value::from("assertionMethod"));
    let value = match key {
        IssuerSigningKey::P256(key) => {
            ecdsa_sd::sign(processor, document, &proof, key, mandatory_pointers)?
        }
        IssuerSigningKey::Bls12381(pair) => {
            bbs_2023::sign(processor, document, &proof, pair, mandatory_pointers)?
        }
    };
    proof.insert("proofValue".to_owned(), Value::String(value));
    let mut signed = document.clone();
    signed
        .as_object_mut()
        .ok_or_else(|| DiError::Mismatch("a credential is a JSON object".into()))?
        .insert("proof".to_owned(), Value::Object(proof));
    Ok(signed)
}

/// A credential split into the document and its one proof.
fn split(credential: &Value) -> Result<(Value, Map<String, Value>, Cryptosuite), DiError> {
    let mut document = credential.clone();
    let proof = document
        .as_object_mut()
        .and_then(|o| o.remove("proof"))
        .ok_or_else(|| DiError::Mismatch("the credential has no proof".into()))?;
    let Value::Object(proof) = proof else {
        return Err(DiError::Mismatch("the proof is not an object".into()));
    };
    let suite = proof
        .get("cryptosuite")
        .and_then(Value::as_str)
        .and_then(Cryptosuite::named)
        .ok_or_else(|| {
            DiError::Mismatch(
                "the proof's cryptosuite is neither ecdsa-sd-2023 nor bbs-2023".into(),
            )
        })?;
    Ok((document, proof, suite))
}

/// Whether a base proof: TrustVC verifies those by deriving first.
fn is_base(suite: Cryptosuite, proof: &Map<String, Value>) -> Result<bool, DiError> {
    let value = ecdsa_sd::proof_value_of(proof)?;
    Ok(match suite {
        Cryptosuite::EcdsaSd2023 => matches!(
            ecdsa_sd::parse_proof_value(value)?,
            ecdsa_sd::ProofValue::Base(_)
        ),
        Cryptosuite::Bbs2023 => matches!(
            bbs_2023::parse_proof_value(value)?,
            bbs_2023::ProofValue::Base(_)
        ),
    })
}

/// Derives from a credential with a base proof one disclosing what `selective` selects (and
/// the mandatory statements).
pub fn derive(
    processor: &Processor,
    credential: &Value,
    selective: &[String],
) -> Result<Value, DiError> {
    let (document, proof, suite) = split(credential)?;
    if !is_base(suite, &proof)? {
        return Err(DiError::Mismatch(format!(
            "{} derived credentials cannot be further derived: derive from the credential the issuer signed",
            suite.name()
        )));
    }
    match suite {
        Cryptosuite::EcdsaSd2023 => ecdsa_sd::derive(processor, &document, &proof, selective),
        Cryptosuite::Bbs2023 => bbs_2023::derive(processor, &document, &proof, selective),
    }
}

/// Checks a credential's selective disclosure proof as TrustVC does: a derived proof as it
/// is, a base proof by deriving it with nothing chosen ([`disclosed_pointers`]) and checking
/// that. `Ok(false)` when a signature does not verify.
pub fn verify(processor: &Processor, credential: &Value, key: &IssuerKey) -> Result<bool, DiError> {
    let (document, proof, suite) = split(credential)?;
    if is_base(suite, &proof)? {
        let derived = derive(processor, credential, &disclosed_pointers(&[]))?;
        return verify(processor, &derived, key);
    }
    match (suite, key) {
        (Cryptosuite::EcdsaSd2023, IssuerKey::P256(key)) => {
            ecdsa_sd::verify_derived(processor, &document, &proof, key)
        }
        (Cryptosuite::Bbs2023, IssuerKey::Bls12381G2(key)) => {
            bbs_2023::verify_derived(processor, &document, &proof, key)
        }
        (suite, _) => Err(DiError::Key(format!(
            "the issuer's key is not one {} verifies with",
            suite.name()
        ))),
    }
}

/// The pointers TrustVC discloses for the pointers a holder chose: those, plus
/// `/credentialSubject` when none of them starts with it.
///
/// TrustVC means to skip that addition when a base proof's mandatory pointers already reach
/// into `/credentialSubject`, but its reading of them always fails (2.11 imports its CBOR
/// decoder in a way that leaves `decode` undefined, and treats the error as "no mandatory
/// pointers"), so the addition depends on the chosen pointers alone. Verifying a base proof,
/// TrustVC derives with no pointers chosen, so it checks the mandatory statements and the
/// whole subject.
///
/// ```
/// use corridor_di::disclosed_pointers;
/// assert_eq!(disclosed_pointers(&[]), ["/credentialSubject"]);
/// assert_eq!(disclosed_pointers(&["/credentialSubject/blNumber".into()]), ["/credentialSubject/blNumber"]);
/// ```
pub fn disclosed_pointers(chosen: &[String]) -> Vec<String> {
    let mut pointers = chosen.to_vec();
    if !pointers.iter().any(|p| p.starts_with("/credentialSubject")) {
        pointers.push("/credentialSubject".to_owned());
    }
    pointers
}
