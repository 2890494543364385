//! The document under verification, read once and shared by every check.

use corridor_format::v3::WrappedCredential;
use corridor_format::{FormatError, WrappedDocument, read_wrapped_many, read_wrapped_with};
use serde_json::Value;

/// What the checks look at: the document read as a wrapped v2 document, or why it is not one;
/// a wrapped OpenAttestation v3 document; or a W3C credential.
#[derive(Debug)]
pub struct Subject {
    /// The document, or why it could not be read as a wrapped v2 document.
    pub wrapped: Result<WrappedDocument, FormatError>,
    /// The document when it is a wrapped OpenAttestation v3 document, which the
    /// OpenAttestation checks verify (as TrustVC hands such a credential to tt-verify's).
    pub v3: Option<WrappedCredential>,
    /// The document when it is a W3C credential (a JSON object with an `@context`), which
    /// TrustVC's checks verify instead of OpenAttestation's.
    pub credential: Option<Value>,
    /// Whether the data passes the (loose) schema: the reference's status and identity
    /// checks only look at documents that do.
    schema_ok: bool,
}

/// What a document's text is taken for before it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Nothing but white space.
    Empty,
    /// A credential: it names its contexts, which an OpenAttestation v2 document does not.
    Credential,
    /// Anything else is read as a wrapped v2 document.
    Wrapped,
}

impl Text {
    /// Parses a text of this kind, `wrapped` giving it read as a wrapped document.
    fn parse(
        self,
        bytes: &[u8],
        wrapped: impl FnOnce() -> Result<WrappedDocument, corridor_format::ReadError>,
    ) -> Result<Subject, ReadError> {
        match self {
            Text::Empty => Err(ReadError::Empty),
            Text::Credential => {
                let value: Value = serde_json::from_slice(bytes)
                    .map_err(|e| ReadError::Json(describe_json_error(&e)))?;
                Ok(Subject::from_value(value))
            }
            Text::Wrapped => Subject::from_read(wrapped()),
        }
    }

    fn of(bytes: &[u8]) -> Text {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            Text::Empty
        } else if memchr::memmem::find(bytes, b"\"@context\"").is_some() {
            Text::Credential
        } else {
            Text::Wrapped
        }
    }
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
        Text::of(bytes).parse(bytes, || {
            crate::memo::with_heads(|memo| read_wrapped_with(bytes, memo))
        })
    }

    /// [`Subject::parse`] for many documents at once: the same results, faster, as the
    /// OpenAttestation v2 documents among them are read together and their digests hashed
    /// side by side.
    pub fn parse_many(texts: &[&[u8]]) -> Vec<Result<Subject, ReadError>> {
        let kinds: Vec<Text> = texts.iter().map(|bytes| Text::of(bytes)).collect();
        // One read for each text, of nothing where the text is not a wrapped document (its
        // read is not used), so that the reads pair with the texts one to one.
        let wrapped: Vec<&[u8]> = texts
            .iter()
            .zip(&kinds)
            .map(|(bytes, kind)| {
                if *kind == Text::Wrapped {
                    bytes
                } else {
                    &[][..]
                }
            })
            .collect();
        let read = crate::memo::with_heads(|memo| read_wrapped_many(&wrapped, memo));
        texts
            .iter()
            .zip(kinds)
            .zip(read)
            .map(|((bytes, kind), read)| kind.parse(bytes, || read))
            .collect()
    }

    fn from_read(
        read: Result<WrappedDocument, corridor_format::ReadError>,
    ) -> Result<Subject, ReadError> {
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
        if crate::w3c::is_credential(&value) {
            if !corridor_format::v3::says_v3(&value) {
                return Subject::credential(value);
            }
            return match WrappedCredential::read(value) {
                Ok(v3) => Subject {
                    wrapped: Err(FormatError::Shape {
                        field: "document".into(),
                        problem: "an OpenAttestation v3 document, not a v2 one".into(),
                    }),
                    v3: Some(v3),
                    credential: None,
                    schema_ok: true,
                },
                Err(refused) => Subject::credential(refused.1),
            };
        }
        Subject::from_wrapped(WrappedDocument::from_value(value))
    }

    /// A document read as a W3C credential whatever it holds (TrustVC's W3C checks take any
    /// JSON value but `null`).
    pub fn credential(value: Value) -> Subject {
        Subject {
            wrapped: Err(FormatError::Shape {
                field: "document".into(),
                problem: "a W3C credential, not an OpenAttestation document".into(),
            }),
            v3: None,
            credential: Some(value),
            schema_ok: false,
        }
    }

    fn from_wrapped(wrapped: Result<WrappedDocument, FormatError>) -> Subject {
        let schema_ok = wrapped.as_ref().is_ok_and(|w| w.check_schema().is_ok());
        Subject {
            wrapped,
            v3: None,
            credential: None,
            schema_ok,
        }
    }

    /// A subject that is not a document at all, for the checks to skip.
    pub(crate) fn unreadable(problem: FormatError) -> Subject {
        Subject {
            wrapped: Err(problem),
            v3: None,
            credential: None,
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

/// Where an OpenAttestation document sits in its batch, whichever version: its target hash,
/// merkle proof and merkle root, as written.
#[derive(Debug, Clone, Copy)]
pub struct BatchPlace<'a> {
    pub target_hash: &'a str,
    pub proof: &'a [String],
    pub merkle_root: &'a str,
}

impl Subject {
    /// The document's place in its batch, when it is a wrapped OpenAttestation document.
    pub fn batch_place(&self) -> Option<BatchPlace<'_>> {
        if let Some(v3) = &self.v3 {
            return Some(BatchPlace {
                target_hash: &v3.target_hash,
                proof: &v3.proofs,
                merkle_root: &v3.merkle_root,
            });
        }
        let doc = self.wrapped.as_ref().ok()?;
        Some(BatchPlace {
            target_hash: &doc.target_hash,
            proof: &doc.proof,
            merkle_root: &doc.merkle_root,
        })
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
