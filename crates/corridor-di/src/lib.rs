//! W3C Data Integrity selective disclosure as TrustVC signs and verifies it: the primitives
//! its suites share (JSON pointers, skolemization, canonicalize-and-group with relabelled blank
//! nodes) and the `ecdsa-sd-2023` cryptosuite.
//!
//! What is signed is text: canonical N-Quads whose blank node labels were replaced, selected
//! by pointers on the compacted credential. Each step reproduces the reference's text exactly
//! (`@digitalbazaar/di-sd-primitives` 3.3 and `ecdsa-sd-2023-cryptosuite` 3.4), its quirks
//! included; a comment names each one. Pure: no I/O.

mod cbor;
pub mod ecdsa_sd;
mod error;
mod group;
pub mod pointer;

pub use error::DiError;

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
