//! Documents events link to — a certificate an event cites in `certificationInfo`, a bill of
//! lading it names in `bizTransactionList` — kept whole so that provenance verifies them as any
//! document is verified. Verifying is the caller's (it reaches the network); this reads the
//! kept documents, names each by the URIs events use for it, and keeps what verifying said.

use std::collections::HashMap;

use serde_json::Value;

/// A linked document as verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// `Err` with what failed when it does not verify (tampered, revoked, a signature or an
    /// identity that does not hold).
    pub verified: Result<(), String>,
    /// When it stops being valid (a W3C credential's `validUntil`), in milliseconds since 1970.
    pub valid_until: Option<i64>,
}

/// The URIs events may link to `document` by: a W3C credential's `id`; an OpenAttestation
/// document's target hash as `urn:oa:<hex>`.
///
/// ```
/// let oa = serde_json::json!({"version": "https://schema.openattestation.com/2.0/schema.json",
///     "data": {}, "signature": {"targetHash": "AB01"}});
/// assert_eq!(corridor_trace::link_keys(&oa), ["urn:oa:ab01"]);
/// let vc = serde_json::json!({"@context": [], "id": "urn:uuid:1b3f", "type": ["VerifiableCredential"]});
/// assert_eq!(corridor_trace::link_keys(&vc), ["urn:uuid:1b3f"]);
/// ```
pub fn link_keys(document: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(hash) = document
        .pointer("/signature/targetHash")
        .and_then(Value::as_str)
    {
        let hex = hash.trim_start_matches("0x").to_ascii_lowercase();
        keys.push(format!("urn:oa:{hex}"));
    }
    if document.get("@context").is_some()
        && let Some(id) = document.get("id").and_then(Value::as_str)
    {
        keys.push(id.to_owned());
    }
    keys
}

/// The documents kept (the `{"documents": [...]}` reference body), each verified by `verify`
/// (`Err` with what failed), by every URI events may link to it by.
pub fn linked_documents(
    body: &str,
    verify: impl Fn(&Value) -> Result<(), String>,
) -> HashMap<String, Linked> {
    let documents: Vec<Value> = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("documents").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    let mut linked = HashMap::new();
    for document in &documents {
        let keys = link_keys(document);
        if keys.is_empty() {
            continue;
        }
        let found = Linked {
            verified: verify(document),
            valid_until: document
                .get("validUntil")
                .or_else(|| document.get("expirationDate"))
                .and_then(Value::as_str)
                .and_then(corridor_js::parse_date),
        };
        for key in keys {
            linked.insert(key, found.clone());
        }
    }
    linked
}
