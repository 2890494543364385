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

/// What the checks may reach. A missing provider makes the checks that need it report
/// `SKIPPED`, saying so.
#[derive(Clone, Default)]
pub struct Providers {
    /// For `OCSP_RESPONDER` revocation.
    pub http: Option<Arc<dyn HttpGet>>,
}

impl Providers {
    /// Nothing outside: every network check is skipped.
    pub fn offline() -> Providers {
        Providers::default()
    }
}
