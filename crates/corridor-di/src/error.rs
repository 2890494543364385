//! What goes wrong deriving or verifying a selectively disclosed proof.

use corridor_jsonld::JsonLdError;
use corridor_rdfc::CanonicalizeError;

/// Why a proof could not be derived or checked. A proof that is well formed but whose
/// signatures do not verify is not an error: verification answers `false`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DiError {
    /// The credential or the proof is not JSON-LD safe mode accepts.
    #[error("{0}")]
    JsonLd(#[from] JsonLdError),
    /// The credential's blank nodes are too alike to canonicalize.
    #[error("{0}")]
    Canonicalize(#[from] CanonicalizeError),
    /// A JSON pointer does not select anything, or cannot be followed.
    #[error("{0}")]
    Pointer(String),
    /// The proof value cannot be read; the message names the part that is wrong.
    #[error("The proof does not include a valid \"proofValue\" property: {0}")]
    ProofValue(String),
    /// The key is not one this suite verifies with.
    #[error("{0}")]
    Key(String),
    /// A base proof's signature is not valid: a derivation cannot be made from it.
    #[error("Invalid signature. ({0})")]
    InvalidSignature(String),
    /// What the proof covers does not fit the credential (signature and statement counts).
    #[error("{0}")]
    Mismatch(String),
}
