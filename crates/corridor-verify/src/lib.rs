//! Verification of OpenAttestation v2 documents as a pipeline of checks, each producing one
//! fragment shaped and named as `@tradetrust-tt/tt-verify` does.
//!
//! Architecture invariant: verification never fails. Whatever the input — not JSON, cut short,
//! nested 100,000 deep, tampered — [`Verifier::verify_bytes`] returns a [`Verdict`] whose
//! fragments say what is wrong.

mod fragment;
pub mod fragments;
mod memo;
pub mod providers;
mod subject;
pub mod w3c;

pub use fragment::{
    DnsDidIssuer, DnsTxtFound, DnsTxtIdentifier, DnsTxtIssuer, Fragment, FragmentData,
    FragmentType, Reason, Status, Verdict,
};
pub use providers::Providers;
pub use subject::{ReadError, Subject};

use std::sync::Arc;

use fragments::chain_answers::ChainAnswers;
use fragments::document_store::DocumentStoreCheck;
use fragments::identity::{DnsDidCheck, DnsTxtCheck};
use fragments::token_registry::TokenRegistryCheck;
use fragments::{did_signed::DidSignedCheck, hash::HashCheck};

/// One check of the pipeline.
pub trait Check: Send + Sync {
    /// The fragment name it produces.
    fn name(&self) -> &'static str;
    /// Runs the check. Never panics on any input; problems become the fragment's reason.
    fn check(&self, subject: &Subject) -> Fragment;
    /// Asks, at once, what checking `subjects` will need from outside (one round of batched
    /// requests instead of one per document). Checks that ask nothing need not.
    fn prefetch(&self, _subjects: &[&Subject]) {}
}

/// The pipeline: every check, in tt-verify's order, and TrustVC's checks for W3C credentials.
pub struct Verifier {
    checks: Vec<Box<dyn Check>>,
    w3c: w3c::W3cVerifier,
}

/// Offline: the checks that need the network report `SKIPPED`.
impl Default for Verifier {
    fn default() -> Self {
        Verifier::new(Providers::offline())
    }
}

impl Verifier {
    /// The pipeline, reaching the outside world through `providers`.
    pub fn new(providers: Providers) -> Self {
        let chain = Arc::new(ChainAnswers::new(providers.contracts));
        Verifier {
            w3c: w3c::W3cVerifier::new(providers.http.clone(), chain.clone(), None),
            checks: vec![
                Box::new(HashCheck),
                Box::new(TokenRegistryCheck {
                    chain: chain.clone(),
                }),
                Box::new(DocumentStoreCheck {
                    chain: chain.clone(),
                }),
                Box::new(DidSignedCheck {
                    http: providers.http,
                }),
                Box::new(DnsTxtCheck {
                    dns: providers.dns.clone(),
                    chain_id: providers.chain_id,
                }),
                Box::new(DnsDidCheck { dns: providers.dns }),
            ],
        }
    }

    /// The same pipeline with its clock stopped at `now_ms` (milliseconds since the epoch):
    /// what a W3C credential's `validFrom` is compared with.
    pub fn at(mut self, now_ms: i64) -> Self {
        self.w3c.set_now(now_ms);
        self
    }

    /// Verifies a document given as the bytes of its file.
    ///
    /// ```
    /// let verdict = corridor_verify::Verifier::default().verify_bytes(b"{\"not\": \"a document\"");
    /// assert!(!verdict.is_valid());
    /// assert_eq!(verdict.fragments[0].name, "OpenAttestationHash");
    /// ```
    pub fn verify_bytes(&self, bytes: &[u8]) -> Verdict {
        match Subject::parse(bytes) {
            Ok(subject) => self.verify(&subject),
            Err(e) => self.unreadable(&e.to_string()),
        }
    }

    /// Asks, at once, what verifying `subjects` will need from outside; [`Verifier::verify`]
    /// then finds it answered. Verifying without it asks document by document.
    pub fn prefetch(&self, subjects: &[&Subject]) {
        for check in &self.checks {
            check.prefetch(subjects);
        }
    }

    /// Verifies a document already read.
    pub fn verify(&self, subject: &Subject) -> Verdict {
        match &subject.credential {
            // TrustVC's verifyDocument throws on `null`.
            Some(serde_json::Value::Null) => {
                return self.unreadable("the document is JSON null, not a credential");
            }
            Some(credential) => return self.w3c.verify(credential),
            None => {}
        }
        Verdict {
            fragments: self.checks.iter().map(|c| c.check(subject)).collect(),
        }
    }

    /// The verdict on something that is not a document at all: integrity in error with `why`,
    /// every other check skipped.
    pub fn unreadable(&self, why: &str) -> Verdict {
        let integrity = Fragment::with_reason(
            fragments::hash::NAME,
            FragmentType::Integrity,
            Status::Error,
            (1, "UNEXPECTED_ERROR"),
            why.to_string(),
        );
        let problem = corridor_format::FormatError::Shape {
            field: "document".into(),
            problem: why.into(),
        };
        let unreadable = Subject::unreadable(problem);
        let rest = self.checks.iter().skip(1).map(|c| c.check(&unreadable));
        Verdict {
            fragments: std::iter::once(integrity).chain(rest).collect(),
        }
    }
}
