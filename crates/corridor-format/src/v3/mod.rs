//! OpenAttestation v3 documents: W3C Verifiable Credentials 1.1 whose proof is an
//! `OpenAttestationMerkleProofSignature2018`, bit-compatible with the reference's v3 functions
//! (`@tradetrust-tt/tradetrust` 6.10: `__unsafe__use__it__at__your__own__risks__wrapDocuments`,
//! `obfuscateDocument`, `signDocument`, `verifySignature`).
//!
//! Where v2 salts each value in place, v3 leaves the credential readable and keeps one salt per
//! leaf in `proof.salts`; a leaf's hash is keccak256 of `{"<path>":"<salt>:<value>"}`, and the
//! target hash is keccak256 of the sorted leaf hashes (with any obfuscated ones) as a JSON list.
//! Batches, merkle proofs and DID signatures are v2's.
//!
//! ```
//! use corridor_format::v3;
//! let raw = serde_json::json!({
//!     "@context": ["https://www.w3.org/2018/credentials/v1"],
//!     "type": ["VerifiableCredential", "OpenAttestationCredential"],
//!     "issuanceDate": "2026-01-01T00:00:00Z",
//!     "issuer": {"id": "https://example.com", "name": "Chamber"},
//!     "credentialSubject": {"lot": "L1"},
//!     "openAttestationMetadata": {
//!         "proof": {"type": "OpenAttestationProofMethod", "method": "DOCUMENT_STORE",
//!                   "value": "0x0000000000000000000000000000000000000001"},
//!         "identityProof": {"type": "DNS-TXT", "identifier": "example.com"}
//!     }
//! });
//! let wrapped = v3::wrap_credentials(&[raw], &mut rand::rng()).unwrap();
//! let read = v3::WrappedCredential::from_value(wrapped[0].clone()).unwrap();
//! assert_eq!(read.check_integrity().unwrap(), corridor_format::Integrity::Intact);
//! ```

mod credential;
mod digest;
mod path;
mod salts;
mod schema;

pub use credential::{
    KeySignature, SaltedCredential, WrappedCredential, obfuscate_credential, salt_credential,
    sign_credential, wrap_credentials, write_proof,
};
pub use digest::digest_credential;
pub use salts::{Salt, decode_salts, encode_salts};
pub use schema::validate_credential;

/// The `version` every wrapped v3 document carries.
pub const SCHEMA_V3: &str = "https://schema.openattestation.com/3.0/schema.json";

/// The context every v3 credential names first.
pub const VC_V1_CONTEXT: &str = "https://www.w3.org/2018/credentials/v1";

/// OpenAttestation's v3 context, which wrapping adds when it is missing.
pub const OA_V3_CONTEXT: &str =
    "https://schemata.openattestation.com/com/openattestation/1.0/OpenAttestation.v3.json";

/// Whether a document says it is OpenAttestation v3 (its `version`), before it is read as one.
pub fn says_v3(document: &serde_json::Value) -> bool {
    document.get("version").and_then(serde_json::Value::as_str) == Some(SCHEMA_V3)
}

/// The `proof.type` of a wrapped v3 document.
pub const PROOF_TYPE: &str = "OpenAttestationMerkleProofSignature2018";
