//! JSON-LD 1.1 as jsonld.js 9 processes it in safe mode, which is how TrustVC's W3C
//! credentials are signed: the contexts TrustVC bundles built in, expansion, and the RDF
//! statements that are canonicalized and signed.
//!
//! Safe mode refuses what plain JSON-LD would silently drop or leave relative: a property or
//! type no context defines, a relative IRI, an invalid language tag, a value or object that
//! would vanish. A credential is signed over its RDF statements, so anything dropped would be
//! a field the signature does not cover; the error names it instead.
//!
//! Written for this rather than taken from the `json-ld` crate, whose 0.21 refuses every
//! TrustVC 2.0 credential (it compares a protected term's two definitions with where they came
//! from), has no safe mode, keeps language tags' case and numbers' lexical form where jsonld.js
//! lowercases them and writes them as JavaScript numbers, and would add a hundred crates.
//!
//! ```
//! use corridor_jsonld::{BundledContexts, Processor};
//! use serde_json::json;
//!
//! let processor = Processor::new(BundledContexts);
//! let credential = json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "type": ["VerifiableCredential"],
//!     "issuer": "did:web:example.com",
//!     "credentialSubject": {"id": "urn:uuid:1"}
//! });
//! let nquads = processor.to_nquads(&credential).unwrap();
//! assert!(nquads.contains("<https://www.w3.org/2018/credentials#issuer> <did:web:example.com>"));
//! ```

mod bundled;
mod compact;
mod context;
mod error;
mod expand;
mod iri;
mod openattestation;
mod processor;
mod to_rdf;

use std::collections::HashSet;

use corridor_rdfc::Quad;
use serde_json::{Map, Value};

pub use bundled::BUNDLED;
pub use error::{ErrorKind, JsonLdError};
pub use openattestation::WithOpenAttestation;
pub use processor::{BundledContexts, ContextSource, Processor};

impl Processor {
    /// The document expanded: jsonld.js's `expand(document, {safe: true})`.
    pub fn expand(&self, document: &Value) -> Result<Vec<Value>, JsonLdError> {
        let expansion = expand::Expansion {
            processor: self,
            base: Some(""),
            depth: 0,
        };
        let active = self.initial_context();
        let expanded = expansion.expand(&active, None, document, false, false, None)?;
        Ok(match expanded {
            Some(Value::Object(mut only_graph))
                if only_graph.len() == 1 && only_graph.contains_key("@graph") =>
            {
                expand::as_array(only_graph.remove("@graph").expect("present"))
            }
            Some(Value::Array(items)) => items,
            Some(one) => vec![one],
            None => Vec::new(),
        })
    }

    /// The document's RDF statements: jsonld.js's `toRDF(document, {safe: true, rdfDirection:
    /// 'i18n-datatype'})`, in the order it makes them.
    pub fn to_rdf(&self, document: &Value) -> Result<Vec<Quad>, JsonLdError> {
        to_rdf::to_rdf(&self.expand(document)?)
    }

    /// The document compacted with `context`: jsonld.js's `compact(document, context, {safe:
    /// true})`, the context given written back at its top as it was given.
    ///
    /// ```
    /// use corridor_jsonld::{BundledContexts, Processor};
    /// use serde_json::json;
    ///
    /// let processor = Processor::new(BundledContexts);
    /// let context = json!(["https://www.w3.org/ns/credentials/v2"]);
    /// let credential = json!({
    ///     "@context": context,
    ///     "type": ["VerifiableCredential"],
    ///     "issuer": "did:web:example.com",
    ///     "credentialSubject": [{"id": "urn:uuid:1", "name": "Ada"}]
    /// });
    /// let compacted = processor.compact(&credential, &context).unwrap();
    /// // Arrays of one come out as their one value, the context included.
    /// assert_eq!(compacted["@context"], json!("https://www.w3.org/ns/credentials/v2"));
    /// assert_eq!(compacted["credentialSubject"], json!({"id": "urn:uuid:1", "name": "Ada"}));
    /// assert_eq!(compacted["type"], json!("VerifiableCredential"));
    /// ```
    pub fn compact(&self, document: &Value, context: &Value) -> Result<Value, JsonLdError> {
        let context = match context {
            Value::Object(o) if o.contains_key("@context") => &o["@context"],
            other => other,
        };
        if context.is_null() {
            return Err(JsonLdError::syntax(
                "invalid local context",
                "the compaction context must not be null",
            ));
        }
        let expanded = Value::Array(self.expand(document)?);
        let wrapped = Value::Object(Map::from_iter([("@context".to_owned(), context.clone())]));
        let active = self.process_context(
            &self.initial_context(),
            &wrapped,
            Some(""),
            true,
            false,
            &mut HashSet::new(),
        )?;
        let compaction = compact::Compaction {
            processor: self,
            base: Some(""),
            depth: 0,
        };
        let compacted = match compaction.compact(&active, None, &expanded)? {
            Value::Array(mut items) if items.len() == 1 => items.pop().expect("one"),
            Value::Array(items) if items.is_empty() => Value::Object(Map::new()),
            other => other,
        };
        // The context written back: empty objects left out, one context not in an array.
        let mut contexts: Vec<Value> = match context {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        contexts.retain(|c| !c.as_object().is_some_and(Map::is_empty));
        let written = match contexts.len() {
            0 => None,
            1 => contexts.pop(),
            _ => Some(Value::Array(contexts)),
        };
        Ok(match (compacted, written) {
            (Value::Array(graph), written) => {
                let alias = compact::compact_iri(&active, Some("@graph"), None, true, false, None)?
                    .unwrap_or_else(|| "@graph".to_owned());
                let mut out = Map::new();
                if let Some(written) = written {
                    out.insert("@context".to_owned(), written);
                }
                out.insert(alias, Value::Array(graph));
                Value::Object(out)
            }
            (Value::Object(node), Some(written)) => {
                let mut out = Map::from_iter([("@context".to_owned(), written)]);
                out.extend(node);
                Value::Object(out)
            }
            (other, _) => other,
        })
    }

    /// The statements of an already expanded document.
    pub fn expanded_to_rdf(&self, expanded: &[Value]) -> Result<Vec<Quad>, JsonLdError> {
        to_rdf::to_rdf(expanded)
    }

    /// The document's statements as N-Quads, sorted as rdf-canonize writes them (not
    /// canonicalized: blank nodes keep the labels RDF conversion gave them).
    pub fn to_nquads(&self, document: &Value) -> Result<String, JsonLdError> {
        let mut lines: Vec<String> = self.to_rdf(document)?.iter().map(Quad::to_nquad).collect();
        corridor_js::js_sort(&mut lines);
        Ok(lines.concat())
    }
}
