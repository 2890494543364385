//! The token registry's status, which needs a chain that this version does not ask for it: the
//! check says whether it applies to the document and, if so, that it was not run.

use serde_json::Value;

use crate::{Check, Fragment, FragmentType, Status, Subject};

/// A check that needs the network, reported as `SKIPPED` with the reason.
pub struct OfflineCheck {
    name: &'static str,
    kind: FragmentType,
    skipped_code: u32,
    /// Whether an issuer calls for this check.
    applies: fn(&Value) -> bool,
    /// tt-verify only runs it on DID-signed documents.
    signed_only: bool,
    /// The reason when it does not apply: tt-verify's words.
    not_applicable: &'static str,
    /// The reason when it applies but was not run.
    not_run: &'static str,
}

fn has(issuer: &Value, key: &str) -> bool {
    issuer.get(key).is_some()
}

/// tt-verify's token registry check, not run.
pub fn token_registry_check() -> OfflineCheck {
    OfflineCheck {
        name: "OpenAttestationEthereumTokenRegistryStatus",
        kind: FragmentType::Status,
        skipped_code: 4,
        applies: |i| has(i, "tokenRegistry"),
        signed_only: false,
        not_applicable: "Document issuers doesn't have \"tokenRegistry\" property or TOKEN_REGISTRY method",
        not_run: "not checked: the token registry's status needs a connection to its chain, which this version of Corridor does not make",
    }
}

impl Check for OfflineCheck {
    fn name(&self) -> &'static str {
        self.name
    }

    fn check(&self, subject: &Subject) -> Fragment {
        let signed = subject
            .wrapped
            .as_ref()
            .is_ok_and(|w| w.did_proof.is_some());
        let applies = (signed || !self.signed_only)
            && subject
                .issuers()
                .is_some_and(|issuers| issuers.iter().any(self.applies));
        let message = if applies {
            self.not_run
        } else {
            self.not_applicable
        };
        Fragment::with_reason(
            self.name,
            self.kind,
            Status::Skipped,
            (self.skipped_code, "SKIPPED"),
            message,
        )
    }
}
