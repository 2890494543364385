//! The document under verification, read once and shared by every check.

use corridor_format::{FormatError, WrappedDocument, read_wrapped_with};
use serde_json::Value;

/// What the checks look at: the document read as a wrapped v2 document, or why it is not one.
#[derive(Debug)]
pub struct Subject {
    /// The document, or why it could not be read as a wrapped v2 document.
    pub wrapped: Result<WrappedDocument, FormatError>,
    /// Whether the data passes the (loose) schema: the reference's status and identity
    /// checks only look at documents that do.
    schema_ok: bool,
}

/// Why bytes could not be read as JSON at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Nothing but white space.
    #[error("the file is empty")]
    Empty,
    /// Not JSON, cut short, or nested deeper than the parser allows.
    #[error("not valid JSON: {0}")]
    Json(String),
}

impl Subject {
    /// Parses `bytes` as a JSON document. Nesting deeper than 128 levels is refused by the
    /// parser (an error, never a stack overflow).
    pub fn parse(bytes: &[u8]) -> Result<Subject, ReadError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ReadError::Empty);
        }
        let read = crate::memo::with_heads(|memo| read_wrapped_with(bytes, memo));
        match read {
            Ok(wrapped) => Ok(Subject::from_wrapped(Ok(wrapped))),
            Err(corridor_format::ReadError::Format(e)) => Ok(Subject::from_wrapped(Err(e))),
            Err(corridor_format::ReadError::Json(e)) => {
                Err(ReadError::Json(describe_json_error(&e)))
            }
        }
    }

    /// Reads an already parsed document.
    pub fn from_value(value: Value) -> Subject {
        Subject::from_wrapped(WrappedDocument::from_value(value))
    }

    fn from_wrapped(wrapped: Result<WrappedDocument, FormatError>) -> Subject {
        let schema_ok = wrapped.as_ref().is_ok_and(|w| w.check_schema().is_ok());
        Subject { wrapped, schema_ok }
    }

    /// A subject that is not a document at all, for the checks to skip.
    pub(crate) fn unreadable(problem: FormatError) -> Subject {
        Subject {
            wrapped: Err(problem),
            schema_ok: false,
        }
    }

    /// The unsalted `issuers`, when the data passes the (loose) schema.
    pub fn issuers(&self) -> Option<&[Value]> {
        if !self.schema_ok {
            return None;
        }
        match self.wrapped.as_ref().ok()?.head()?.get("issuers")? {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
}

fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "the text ends before the JSON does (truncated?)".to_string(),
        _ if e.to_string().starts_with("recursion limit exceeded") => {
            "nested more than 128 levels deep".to_string()
        }
        _ => e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_string(),
    };
    format!("{what} at line {}, column {}", e.line(), e.column())
}
