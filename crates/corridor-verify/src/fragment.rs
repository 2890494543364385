//! Verification fragments: one check's verdict, shaped as `@tradetrust-tt/tt-verify` shapes it.

use std::borrow::Cow;

use serde::Serialize;

/// A fragment's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// The check passed.
    Valid,
    /// The check ran and the document failed it.
    Invalid,
    /// The check could not be run to a verdict (malformed input, an unreachable service).
    Error,
    /// The check does not apply to this document, or was not run.
    Skipped,
}

/// Which of the three questions a fragment answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FragmentType {
    /// Untampered?
    #[serde(rename = "DOCUMENT_INTEGRITY")]
    Integrity,
    /// Issued and not revoked?
    #[serde(rename = "DOCUMENT_STATUS")]
    Status,
    /// Issued by whom?
    #[serde(rename = "ISSUER_IDENTITY")]
    Identity,
}

/// Why a fragment is not valid: tt-verify's numeric code, its name, and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The code, as tt-verify numbers it for this fragment.
    pub code: u32,
    /// The code's name, as `DOCUMENT_TAMPERED`.
    #[serde(rename = "codeString")]
    pub code_string: &'static str,
    /// What happened, for a person.
    pub message: Cow<'static, str>,
}

/// One check's verdict on one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fragment {
    /// The check, named as tt-verify names it (`OpenAttestationHash`, …).
    pub name: &'static str,
    /// The question it answers.
    #[serde(rename = "type")]
    pub kind: FragmentType,
    /// The verdict.
    pub status: Status,
    /// Why, when the verdict is not `VALID`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

impl Fragment {
    /// A valid fragment.
    pub fn valid(name: &'static str, kind: FragmentType) -> Self {
        Fragment {
            name,
            kind,
            status: Status::Valid,
            reason: None,
        }
    }

    /// A fragment with a status other than valid and its reason.
    pub fn with_reason(
        name: &'static str,
        kind: FragmentType,
        status: Status,
        (code, code_string): (u32, &'static str),
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Fragment {
            name,
            kind,
            status,
            reason: Some(Reason {
                code,
                code_string,
                message: message.into(),
            }),
        }
    }
}

/// The fragments of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Every check's fragment, in tt-verify's order.
    pub fragments: Vec<Fragment>,
}

impl Verdict {
    /// The verdict as tt-verify's `isValid` decides it: for each of integrity, status and
    /// identity, at least one fragment is valid and every one is valid or skipped. A document
    /// whose issuer's identity or status nothing could confirm is not valid.
    pub fn is_valid(&self) -> bool {
        self.is_valid_for(&[
            FragmentType::Status,
            FragmentType::Integrity,
            FragmentType::Identity,
        ])
    }

    /// tt-verify's `isValid` over the given kinds of fragment only.
    pub fn is_valid_for(&self, kinds: &[FragmentType]) -> bool {
        kinds.iter().all(|kind| {
            let mut of_kind = self.fragments.iter().filter(|f| f.kind == *kind);
            of_kind.clone().any(|f| f.status == Status::Valid)
                && of_kind.all(|f| matches!(f.status, Status::Valid | Status::Skipped))
        })
    }

    /// What can be decided without the network: the document is intact, and no check that
    /// could run found a fault (a bad signature, a malformed issuer). Status and identity that
    /// need the network are left undecided.
    pub fn is_valid_offline(&self) -> bool {
        self.is_valid_for(&[FragmentType::Integrity])
            && self
                .fragments
                .iter()
                .all(|f| matches!(f.status, Status::Valid | Status::Skipped))
    }

    /// The fragment named `name`, if it was produced.
    pub fn fragment(&self, name: &str) -> Option<&Fragment> {
        self.fragments.iter().find(|f| f.name == name)
    }
}
