//! OpenAttestation v2 documents (and v3 ones, in [`v3`]), bit-compatible with the reference implementation
//! (`@tradetrust-tt/tradetrust` 6.10): salting, flattening and digests, merkle batches and
//! proofs, obfuscation, the 2.0 schema, and DID signature recovery.
//!
//! Architecture invariant: this crate is pure. It does no I/O, no async and no networking; it
//! takes values and returns values (randomness comes in as an `Rng`). Everything that reads
//! files, resolves names or talks to a chain lives above it.

pub mod did;
mod digest;
pub mod dns_records;
mod document;
mod hash;
use corridor_js as js;
pub mod merkle;
mod obfuscate;
mod read;
mod revocation;
mod salt;
mod schema;
pub mod v3;

pub use digest::{digest, for_each_leaf, leaf_hash, leaf_hashes};
pub use document::{
    Integrity, MERKLE_PROOF_TYPE, MerkleSignature, SCHEMA_V2, SaltBatch, SaltSeed, SaltedDocument,
    Tampering, WrappedDocument, salt_document, salt_document_into, wrap_documents,
    wrapped_document,
};
pub use hash::{Hash32, ParseHashError, combine_sorted, keccak256};
pub use merkle::MerkleTree;
pub use obfuscate::{FieldPath, FieldPathError, HideError, hide_fields, obfuscate_document};
pub use read::{HeadMemo, ReadError, read_wrapped, read_wrapped_many, read_wrapped_with};
pub use revocation::RevocationReason;
pub use salt::{UnknownTypeTag, Unsalted, unsalt_data, unsalt_str};
pub use schema::{SchemaMode, SchemaViolation, validate_data};

/// Why a document could not be made, read or changed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatError {
    /// A key holds a `.`: flattened paths could not be told apart, so the reference refuses it.
    #[error("{parent}: key {key:?} contains '.', which OpenAttestation cannot hash")]
    DottedKey { parent: String, key: String },
    /// A field is missing or of the wrong kind for a wrapped document.
    #[error("{field} {problem}")]
    Shape { field: String, problem: String },
    /// The data breaks the OpenAttestation 2.0 schema.
    #[error("{}", join(.0))]
    Schema(Vec<SchemaViolation>),
    /// A salted value has a type tag the reference does not know.
    #[error(transparent)]
    TypeTag(#[from] UnknownTypeTag),
    /// An OpenAttestation v3 credential breaks the 3.0 schema or the W3C rules wrapping checks.
    #[error("{}", join_credential(.0))]
    Credential(Vec<SchemaViolation>),
    /// A requested obfuscation cannot be done without breaking the document.
    #[error("cannot hide {field}: it {problem}")]
    Obfuscation { field: String, problem: String },
}

fn join(v: &[SchemaViolation]) -> String {
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Violations of a credential's schema, each as `<field> <problem>`.
pub(crate) fn join_credential(v: &[SchemaViolation]) -> String {
    v.iter()
        .map(|e| {
            if e.field.is_empty() {
                format!("the credential {}", e.problem)
            } else {
                format!("{} {}", e.field, e.problem)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
