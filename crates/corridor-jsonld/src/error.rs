//! What goes wrong while processing JSON-LD, named as jsonld.js names it.

use std::fmt;

/// A JSON-LD processing error: the JSON-LD error code (or, for a safe mode refusal, the code of
/// the event jsonld.js refuses), and what it is about.
///
/// ```
/// use corridor_jsonld::{Processor, BundledContexts};
/// use serde_json::json;
///
/// let processor = Processor::new(BundledContexts);
/// let undefined = json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2"],
///     "type": ["VerifiableCredential"],
///     "colour": "blue"
/// });
/// let error = processor.expand(&undefined).unwrap_err();
/// assert_eq!(error.code(), "invalid property");
/// assert!(error.to_string().contains("\"colour\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonLdError {
    kind: ErrorKind,
    code: &'static str,
    detail: String,
}

/// Which family an error is of; the same split as jsonld.js's error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The document or a context breaks the JSON-LD grammar (`jsonld.SyntaxError`).
    Syntax,
    /// Safe mode refused what jsonld.js would otherwise drop or keep relative
    /// (`jsonld.ValidationError`): an undefined term, a relative IRI, an invalid language tag…
    Unsafe,
    /// A context could not be had: not bundled, not in the world, not fetched, or not a
    /// context (`jsonld.InvalidUrl`, `jsonld.ContextUrlError`).
    Context,
    /// The input is beyond what Corridor processes: too deep, too many contexts.
    Limit,
}

impl JsonLdError {
    pub(crate) fn syntax(code: &'static str, detail: impl Into<String>) -> JsonLdError {
        JsonLdError {
            kind: ErrorKind::Syntax,
            code,
            detail: detail.into(),
        }
    }

    pub(crate) fn unsafe_event(code: &'static str, detail: impl Into<String>) -> JsonLdError {
        JsonLdError {
            kind: ErrorKind::Unsafe,
            code,
            detail: detail.into(),
        }
    }

    pub(crate) fn context(code: &'static str, detail: impl Into<String>) -> JsonLdError {
        JsonLdError {
            kind: ErrorKind::Context,
            code,
            detail: detail.into(),
        }
    }

    pub(crate) fn limit(detail: impl Into<String>) -> JsonLdError {
        JsonLdError {
            kind: ErrorKind::Limit,
            code: "limit exceeded",
            detail: detail.into(),
        }
    }

    /// The JSON-LD error code (`invalid IRI mapping`, `protected term redefinition`…), or for
    /// a safe mode refusal the event's code (`invalid property`, `relative @id reference`…).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The family the error is of.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for JsonLdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Unsafe => write!(f, "safe mode refuses it ({}): {}", self.code, self.detail),
            ErrorKind::Limit => write!(f, "{}", self.detail),
            _ => write!(f, "{}: {}", self.code, self.detail),
        }
    }
}

impl std::error::Error for JsonLdError {}
