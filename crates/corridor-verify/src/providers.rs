//! The outside world, as the checks see it: traits that the network crate implements with real
//! clients, and that tests point at real local servers.

use std::sync::Arc;

/// An HTTP answer: its status and body, whatever they are (the check judges them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why a request got no answer at all (refused, timed out, not a URL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// Makes GET requests: how revocation responders are reached.
pub trait HttpGet: Send + Sync {
    /// GETs `url`. Any answer, of any status, is `Ok`.
    fn get(&self, url: &str) -> Result<HttpResponse, FetchError>;
}

/// Why a DNS question got no answer (as opposed to an answer with no records).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LookupError(pub String);

/// Looks up TXT records: how issuers' DNS identity is read.
pub trait TxtResolver: Send + Sync {
    /// The TXT records of `name`, each its strings joined; empty when the name has none or
    /// does not exist.
    fn txt(&self, name: &str) -> Result<Vec<String>, LookupError>;
}

/// What the checks may reach. A missing provider makes the checks that need it report
/// `SKIPPED`, saying so.
#[derive(Clone)]
pub struct Providers {
    /// For `OCSP_RESPONDER` revocation.
    pub http: Option<Arc<dyn HttpGet>>,
    /// For DNS-TXT and DNS-DID identity.
    pub dns: Option<Arc<dyn TxtResolver>>,
    /// The chain DNS-TXT records must name (`netId`): tt-verify takes its provider's, by
    /// default Ethereum mainnet, 1.
    pub chain_id: u64,
}

impl Providers {
    /// Nothing outside: every network check is skipped.
    pub fn offline() -> Providers {
        Providers {
            http: None,
            dns: None,
            chain_id: 1,
        }
    }
}
