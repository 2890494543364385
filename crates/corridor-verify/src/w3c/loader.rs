//! TrustVC's document loader: what a W3C credential's checks fetch — DID documents, status
//! list credentials, contexts it does not bundle — each asked once per run, and what came of
//! it kept, failures included.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use corridor_jsonld::ContextSource;
use serde_json::Value;

use crate::providers::{FetchError, HttpGet};

/// What fetching a URL came to.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// An answer that is JSON, whatever its status (TrustVC reads the body of a 404 too).
    Json { status: u16, body: Arc<Value> },
    /// An answer that is not JSON: JavaScript's `JSON.parse` message for it, as TrustVC words
    /// it (`Unexpected token 'N', "Not Found" is not valid JSON`), and the status.
    NotJson { status: u16, why: String },
    /// The host does not exist.
    NoSuchHost(String),
    /// Asked, and no answer came: says nothing of the document.
    Unreachable(String),
    /// Not asked: no network was given, or the run's rules kept the question back.
    NotAsked(String),
}

/// The run's fetches, through its HTTP provider.
pub struct Loader {
    http: Option<Arc<dyn HttpGet>>,
    fetched: Mutex<HashMap<String, Fetched>>,
}

impl Loader {
    pub fn new(http: Option<Arc<dyn HttpGet>>) -> Loader {
        Loader {
            http,
            fetched: Mutex::default(),
        }
    }

    /// `url`'s answer, asked once per run.
    pub fn fetch(&self, url: &str) -> Fetched {
        if let Some(known) = self.lock().get(url) {
            return known.clone();
        }
        let fetched = match &self.http {
            None => Fetched::NotAsked(
                "no network was given (give --world DIR, or leave out --offline)".into(),
            ),
            Some(http) => match http.get(url) {
                Ok(answer) => match serde_json::from_slice(&answer.body) {
                    Ok(body) => Fetched::Json {
                        status: answer.status,
                        body: Arc::new(body),
                    },
                    Err(_) => Fetched::NotJson {
                        status: answer.status,
                        why: json_parse_message(&answer.body),
                    },
                },
                Err(FetchError::NoSuchHost(why)) => Fetched::NoSuchHost(why),
                Err(FetchError::Failed(why)) => Fetched::Unreachable(why),
                Err(FetchError::NotAsked(why)) => Fetched::NotAsked(why.to_string()),
            },
        };
        self.lock().insert(url.to_owned(), fetched.clone());
        fetched
    }

    /// What fetching `url` came to, if it was fetched this run.
    pub fn fetched(&self, url: &str) -> Option<Fetched> {
        self.lock().get(url).cloned()
    }

    /// The DID document of a `did:web` DID URL, as `web-did-resolver` gives it: `Ok(None)`
    /// when there is none (not did:web, no such host, an error status, not JSON); the
    /// document even when its `id` is another DID (the resolver reports that, and TrustVC
    /// uses the document all the same). `Err` when the question could not be answered.
    pub fn did_document(&self, did_url: &str) -> Result<Option<Arc<Value>>, Cut> {
        let Some(url) = super::did_web_url(did_url) else {
            return Ok(None);
        };
        match self.fetch(&url) {
            Fetched::Json { status, body } if status < 400 => Ok(Some(body)),
            Fetched::Json { .. } | Fetched::NotJson { .. } | Fetched::NoSuchHost(_) => Ok(None),
            Fetched::Unreachable(why) => Err(Cut::Unreachable(format!("{url}: {why}"))),
            Fetched::NotAsked(why) => Err(Cut::NotAsked(format!("{url}: {why}"))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Fetched>> {
        self.fetched.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Why a check could not come to a verdict: what it needed could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cut {
    Unreachable(String),
    NotAsked(String),
}

/// Contexts Corridor does not bundle, through the run's loader.
pub struct LoaderContexts(pub Arc<Loader>);

impl ContextSource for LoaderContexts {
    fn context(&self, url: &str) -> Result<Value, String> {
        match self.0.fetch(url) {
            Fetched::Json { body, .. } => Ok((*body).clone()),
            Fetched::NotJson { why, .. } => Err(format!("{url} did not answer JSON: {why}")),
            Fetched::NoSuchHost(why) | Fetched::Unreachable(why) | Fetched::NotAsked(why) => {
                Err(format!("{url} could not be fetched: {why}"))
            }
        }
    }
}

/// What V8's `JSON.parse` says of text that is not JSON, as TrustVC's messages show it: the
/// unexpected character where parsing stopped (serde_json stops where V8 does for the texts
/// a server answers instead of JSON: a page, a word), with the text around it — all of it when
/// shorter than 21 characters, else 10 characters either side, elided with `...`.
fn json_parse_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let error = match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        Ok(_) => return "Unexpected non-whitespace character after JSON".into(),
        Err(e) => e,
    };
    if error.classify() == serde_json::error::Category::Eof {
        return "Unexpected end of JSON input".into();
    }
    let chars: Vec<char> = text.chars().collect();
    // serde_json counts lines and columns (1-based) in characters of the line.
    let line_start: usize = text
        .split('\n')
        .take(error.line().saturating_sub(1))
        .map(|l| l.chars().count() + 1)
        .sum();
    let at = (line_start + error.column().saturating_sub(1)).min(chars.len().saturating_sub(1));
    let token = chars.get(at).copied().unwrap_or(' ');
    let slice = |a: usize, b: usize| chars[a..b.min(chars.len())].iter().collect::<String>();
    let shown = if chars.len() < 21 {
        format!("\"{text}\"")
    } else if at < 10 {
        format!("\"{}\"...", slice(0, at + 10))
    } else if at + 10 >= chars.len() {
        format!("...\"{}\"", slice(at - 10, chars.len()))
    } else {
        format!("...\"{}\"...", slice(at - 10, at + 10))
    };
    format!("Unexpected token '{token}', {shown} is not valid JSON")
}

#[cfg(test)]
mod tests {
    /// What Node 20 says (`JSON.parse(text)`), for the texts servers answer.
    #[test]
    fn not_json_is_worded_as_v8_words_it() {
        for (text, v8) in [
            (
                "Not Found",
                r#"Unexpected token 'N', "Not Found" is not valid JSON"#,
            ),
            (
                "this is not JSON",
                r#"Unexpected token 'h', "this is not JSON" is not valid JSON"#,
            ),
            (
                "this is not valid JSON at all, sorry",
                r#"Unexpected token 'h', "this is not"... is not valid JSON"#,
            ),
            ("", "Unexpected end of JSON input"),
            ("{\"a\": ", "Unexpected end of JSON input"),
            (
                "<html><body>Internal Server Error</body></html>",
                r#"Unexpected token '<', "<html><bod"... is not valid JSON"#,
            ),
        ] {
            assert_eq!(super::json_parse_message(text.as_bytes()), v8, "{text:?}");
        }
    }
}
