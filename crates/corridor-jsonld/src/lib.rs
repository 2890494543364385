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
mod context;
mod error;
mod expand;
mod iri;
mod processor;
mod to_rdf;

use corridor_rdfc::Quad;
use serde_json::Value;

pub use bundled::BUNDLED;
pub use error::{ErrorKind, JsonLdError};
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
