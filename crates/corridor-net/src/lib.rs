//! The real outside world behind the verification crate's provider traits: an HTTP client
//! for revocation responders, and TXT resolvers for issuers' DNS identity.
//!
//! Architecture invariant: every request has a timeout and a bounded answer, and the same
//! question is asked once per run (a batch of documents shares its merkle root and upper
//! nodes, so their revocation answers are shared too). Clients are built once;
//! `with_no_answers` gives the next run the same connections with nothing remembered.

mod dns;

pub use dns::DnsResolver;

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use corridor_verify::providers::{FetchError, HttpGet, HttpResponse};

/// The largest answer read from a responder.
const MAX_BODY: u64 = 1 << 20;

/// Answers kept for the run, each question asked once: a second asker of the same question
/// waits for the first one's answer instead of asking again.
struct RunCache<T> {
    answers: Mutex<HashMap<String, Arc<OnceLock<T>>>>,
}

impl<T: Clone> RunCache<T> {
    fn new() -> Self {
        RunCache {
            answers: Mutex::default(),
        }
    }

    fn get_or_ask(&self, question: String, ask: impl FnOnce() -> T) -> T {
        let cell = self
            .answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(question)
            .or_default()
            .clone();
        cell.get_or_init(ask).clone()
    }
}

/// An HTTP client (rustls for https) whose answers are kept for the run.
pub struct HttpClient {
    agent: ureq::Agent,
    answers: RunCache<Result<HttpResponse, FetchError>>,
}

impl HttpClient {
    /// A client giving up on a request after `timeout`.
    pub fn new(timeout: Duration) -> HttpClient {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("corridor/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        HttpClient {
            agent,
            answers: RunCache::new(),
        }
    }

    /// The same client — settings, and connections kept alive — with no answers kept: for
    /// the next run, or a server's next request. Cheap; building a client is not (its TLS
    /// roots are parsed anew).
    pub fn with_no_answers(&self) -> HttpClient {
        HttpClient {
            agent: self.agent.clone(),
            answers: RunCache::new(),
        }
    }

    fn fetch(&self, url: &str) -> Result<HttpResponse, FetchError> {
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| FetchError(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(|e| FetchError(format!("{url}: {e}")))?;
        if body.len() as u64 > MAX_BODY {
            return Err(FetchError(format!(
                "{url}: the answer is larger than {MAX_BODY} bytes"
            )));
        }
        Ok(HttpResponse { status, body })
    }
}

impl HttpGet for HttpClient {
    fn get(&self, url: &str) -> Result<HttpResponse, FetchError> {
        self.answers.get_or_ask(url.to_string(), || self.fetch(url))
    }
}
