//! `OpenAttestationHash`: is the document untampered?

use corridor_format::Integrity;

use crate::{Check, Fragment, FragmentType, Status, Subject};

/// Recomputes the target hash from the data and walks the merkle proof to the root, as the
/// reference's `verifySignature` does.
pub struct HashCheck;

/// The fragment's name.
pub const NAME: &str = "OpenAttestationHash";
const TAMPERED: (u32, &str) = (0, "DOCUMENT_TAMPERED");
const UNEXPECTED: (u32, &str) = (1, "UNEXPECTED_ERROR");

impl Check for HashCheck {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, subject: &Subject) -> Fragment {
        let kind = FragmentType::Integrity;
        if let Some(v3) = &subject.v3 {
            return integrity_fragment(crate::memo::with_nodes(|memo| {
                v3.check_integrity_with(memo)
            }));
        }
        let doc = match &subject.wrapped {
            Ok(doc) => doc,
            Err(e) => {
                return Fragment::with_reason(
                    NAME,
                    kind,
                    Status::Error,
                    UNEXPECTED,
                    format!("not an OpenAttestation v2 wrapped document: {e}"),
                );
            }
        };
        integrity_fragment(crate::memo::with_nodes(|memo| {
            doc.check_integrity_with(memo)
        }))
    }
}

/// The fragment for a recomputation's outcome (an error: the reference's `verifySignature`
/// throws on the document).
fn integrity_fragment(outcome: Result<Integrity, corridor_format::FormatError>) -> Fragment {
    let kind = FragmentType::Integrity;
    match outcome {
        Ok(Integrity::Intact) => Fragment::valid(NAME, kind),
        Ok(Integrity::Tampered(t)) => Fragment::with_reason(
            NAME,
            kind,
            Status::Invalid,
            TAMPERED,
            format!("Document has been tampered with: {t}"),
        ),
        Err(e) => Fragment::with_reason(
            NAME,
            kind,
            Status::Error,
            UNEXPECTED,
            format!("the data cannot be hashed: {e}"),
        ),
    }
}
