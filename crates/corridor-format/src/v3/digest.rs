//! A v3 document's target hash: the reference's `digestCredential`.

use serde_json::{Map, Value};

use super::Salt;
use super::path::{Found, get};
use crate::js;
use crate::{Hash32, keccak256};

/// The target hash of `document` (without its proof): for every salt whose path finds a value
/// JavaScript takes as true, keccak256 of `{"<path>":"<salt>:<value>"}`; those hashes and the
/// `obfuscated` ones sorted as text; keccak256 of that list as JSON.
///
/// Quirk kept: a leaf that is `false`, `0`, `""` or `null` is left out, as the reference's
/// `filter(get(document, path))` leaves it out. Such a leaf is still counted among the salts,
/// so removing or adding it shows, but changing it to another of those values does not.
pub fn digest_credential(
    document: &Map<String, Value>,
    salts: &[Salt],
    obfuscated: &[String],
) -> Hash32 {
    let mut hashes: Vec<String> = Vec::with_capacity(salts.len() + obfuscated.len());
    hashes.extend(obfuscated.iter().cloned());
    let mut buf = Vec::with_capacity(256);
    for salt in salts {
        let Some(text) = get(document, &salt.path).and_then(truthy_text) else {
            continue;
        };
        hashes.push(leaf_hash(&salt.path, &salt.value, &text, &mut buf).to_hex());
    }
    digest_of(hashes)
}

/// The same digest for a document being wrapped, whose salts name its own leaves in order:
/// each leaf is hashed as found, without reading its path back, unless an empty key makes
/// two paths alike (then the path is read back, as the reference reads it).
pub(crate) fn digest_leaves(
    document: &Map<String, Value>,
    leaves: &[(String, &Value)],
    salts: &[Salt],
) -> Hash32 {
    if has_empty_key(document) {
        return digest_credential(document, salts, &[]);
    }
    let mut buf = Vec::with_capacity(256);
    let hashes = leaves
        .iter()
        .zip(salts)
        .filter(|((_, value), _)| js::truthy(value))
        .map(|((path, value), salt)| {
            leaf_hash(path, &salt.value, &js::to_js_string(value), &mut buf).to_hex()
        })
        .collect();
    digest_of(hashes)
}

/// The hash hidden in place of a field: the leaf hash the digest would have taken from it,
/// whatever its value (the reference hides `false` and `0` as well, as `"<salt>:false"`).
pub(crate) fn hidden_leaf_hash(salt: &Salt, value: &Value) -> Hash32 {
    leaf_hash(
        &salt.path,
        &salt.value,
        &js::to_js_string(value),
        &mut Vec::new(),
    )
}

fn truthy_text(found: Found<'_>) -> Option<String> {
    match found {
        Found::Value(v) => js::truthy(v).then(|| js::to_js_string(v)),
        Found::Number(0) => None,
        Found::Number(n) => Some(n.to_string()),
        Found::Text(t) => (!t.is_empty()).then_some(t),
    }
}

/// keccak256 of `{"<path>":"<salt>:<text>"}` as `JSON.stringify` writes it.
fn leaf_hash(path: &str, salt: &str, text: &str, buf: &mut Vec<u8>) -> Hash32 {
    buf.clear();
    buf.push(b'{');
    js::write_string(buf, path);
    buf.extend_from_slice(b":\"");
    js::write_escaped(buf, salt);
    buf.push(b':');
    js::write_escaped(buf, text);
    buf.extend_from_slice(b"\"}");
    keccak256(&buf[..])
}

/// keccak256 of the hashes, sorted as JavaScript sorts strings, written as a JSON array.
fn digest_of(mut hashes: Vec<String>) -> Hash32 {
    hashes.sort_unstable_by(|a, b| js::js_order(a, b));
    let mut text = Vec::with_capacity(hashes.len() * 67 + 2);
    text.push(b'[');
    for (i, hash) in hashes.iter().enumerate() {
        if i > 0 {
            text.push(b',');
        }
        js::write_string(&mut text, hash);
    }
    text.push(b']');
    keccak256(&text)
}

fn has_empty_key(map: &Map<String, Value>) -> bool {
    fn any(value: &Value) -> bool {
        match value {
            Value::Object(map) => has_empty_key(map),
            Value::Array(items) => items.iter().any(any),
            _ => false,
        }
    }
    map.iter().any(|(k, v)| k.is_empty() || any(v))
}
