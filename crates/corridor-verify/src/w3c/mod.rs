//! W3C Verifiable Credentials (data model 1.1 and 2.0) verified as TrustVC 2.11's
//! `verifyDocument` verifies them: seven fragments, in its order, with its names, statuses,
//! codes and — where its message is a sentence rather than a JavaScript crash — its messages.
//!
//! The outside world (issuers' DID documents, status lists, contexts Corridor does not bundle,
//! the chains of transferable records) is reached only through the verifier's providers, each
//! question asked once per run. Where TrustVC would call a credential invalid because a
//! question got no answer, Corridor says it could not be checked (`ERROR` or `SKIPPED`), as
//! for OpenAttestation documents.

mod credential;
mod did_web;
mod identity;
mod integrity;
mod loader;
mod signing;
mod status;
mod status_list;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use corridor_di::Cryptosuite;
use corridor_jsonld::{BundledContexts, Processor};
use serde_json::Value;

pub use credential::{Mode, check_credential, is_of_type};
pub use did_web::{did_document, did_of, did_web_url};
pub use loader::Fetched;
pub use signing::{
    Prepared, data_integrity_date, prepare_for_signing, sign_credential, status_list_entry,
    token_id_of,
};
pub use status::StatusEntryResult;
pub use status_list::{StatusList, list_to_sign_again, status_entries};

use crate::Verdict;
use crate::fragments::chain_answers::ChainAnswers;
use integrity::Failure;
use loader::{Loader, LoaderContexts};

/// The VC 1.1 context: the first of a 1.1 credential's contexts.
pub const VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The VC 2.0 context.
pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The status type of a transferable record (an electronic bill of lading's title).
pub const TRANSFERABLE_RECORDS: &str = "TransferableRecords";

/// The names of the fragments, in TrustVC's order.
pub const FRAGMENT_NAMES: [&str; 7] = [
    integrity::LEGACY,
    integrity::ECDSA,
    integrity::BBS,
    status::LIST_STATUS,
    status::TRANSFERABLE,
    status::EMPTY_STATUS,
    identity::NAME,
];

type FragmentOut = Result<(), Failure>;

/// The W3C checks of one run: what they fetched and verified is kept for the run.
pub(crate) struct W3cVerifier {
    loader: Arc<Loader>,
    processor: Processor,
    chain: Arc<ChainAnswers>,
    /// Each status list credential's verification, by URL.
    lists: Mutex<HashMap<String, FragmentOut>>,
    /// The clock, in milliseconds since the epoch; `None` for the system's.
    now: Option<i64>,
}

impl W3cVerifier {
    pub(crate) fn new(
        http: Option<Arc<dyn crate::providers::HttpGet>>,
        chain: Arc<ChainAnswers>,
        now: Option<i64>,
    ) -> W3cVerifier {
        let loader = Arc::new(Loader::new(http));
        W3cVerifier {
            processor: Processor::new((BundledContexts, LoaderContexts(loader.clone()))),
            loader,
            chain,
            lists: Mutex::default(),
            now,
        }
    }

    pub(crate) fn set_now(&mut self, now_ms: i64) {
        self.now = Some(now_ms);
    }

    pub(crate) fn now(&self) -> i64 {
        self.now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        })
    }

    /// The seven fragments of a credential (any JSON value but `null`).
    pub(crate) fn verify(&self, doc: &Value) -> Verdict {
        // Three status checks apply only to what TrustVC takes for a signed credential.
        let signed = is_signed_document(doc, self.now());
        Verdict {
            fragments: vec![
                integrity::legacy(self, doc),
                integrity::data_integrity(self, doc, Cryptosuite::EcdsaSd2023),
                integrity::data_integrity(self, doc, Cryptosuite::Bbs2023),
                status::status_list(self, doc, signed),
                status::transferable(self, doc, signed),
                status::empty(doc, signed),
                identity::issuer_identity(self, doc),
            ],
        }
    }
}

/// TrustVC's `isSignedDocument`: a credential that meets its requirements and has a proof.
fn is_signed_document(doc: &Value, now: i64) -> bool {
    check_credential(doc, now, Mode::Verify).is_ok()
}

/// Whether a JSON document is a W3C credential rather than an OpenAttestation document: an
/// object with an `@context`.
pub fn is_credential(doc: &Value) -> bool {
    doc.get("@context").is_some()
}
