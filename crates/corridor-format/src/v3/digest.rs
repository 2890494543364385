//! A v3 document's target hash: the reference's `digestCredential`.

use corridor_keccak::HashStream;
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
    let mut leaves = HashStream::default();
    for salt in salts {
        if let Some(found) = get(document, &salt.path)
            && truthy(&found)
        {
            leaves.push_with(|buf| write_leaf(&salt.path, &salt.value, &found, buf));
        }
    }
    digest_of(leaves.finish(), obfuscated)
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
    let mut hashes = HashStream::default();
    for ((path, value), salt) in leaves.iter().zip(salts) {
        if js::truthy(value) {
            hashes.push_with(|buf| write_leaf(path, &salt.value, &Found::Value(value), buf));
        }
    }
    digest_of(hashes.finish(), &[])
}

/// The hash hidden in place of a field: the leaf hash the digest would have taken from it,
/// whatever its value (the reference hides `false` and `0` as well, as `"<salt>:false"`).
pub(crate) fn hidden_leaf_hash(salt: &Salt, value: &Value) -> Hash32 {
    let mut text = Vec::with_capacity(256);
    write_leaf(&salt.path, &salt.value, &Found::Value(value), &mut text);
    keccak256(&text)
}

/// Whether JavaScript takes what `get` found as true.
fn truthy(found: &Found<'_>) -> bool {
    match found {
        Found::Value(v) => js::truthy(v),
        Found::Number(n) => *n != 0,
        Found::Text(t) => !t.is_empty(),
    }
}

/// Appends `{"<path>":"<salt>:<value>"}` as `JSON.stringify` writes it, the value as
/// JavaScript's template string writes it: the text a leaf's hash is taken of.
fn write_leaf(path: &str, salt: &str, found: &Found<'_>, buf: &mut Vec<u8>) {
    buf.push(b'{');
    js::write_string(buf, path);
    buf.extend_from_slice(b":\"");
    js::write_escaped(buf, salt);
    buf.push(b':');
    match found {
        Found::Value(Value::String(s)) => js::write_escaped(buf, s),
        // Number text and `true`/`false` need no escaping.
        Found::Value(Value::Number(n)) => js::write_number(buf, js::number_value(n)),
        Found::Value(Value::Bool(b)) => buf.extend_from_slice(if *b { b"true" } else { b"false" }),
        Found::Value(other) => js::write_escaped(buf, &js::to_js_string(other)),
        Found::Number(n) => buf.extend_from_slice(n.to_string().as_bytes()),
        Found::Text(t) => js::write_escaped(buf, t),
    }
    buf.extend_from_slice(b"\"}");
}

/// keccak256 of the leaf hashes (as lowercase hex) and the `obfuscated` ones (as written),
/// sorted as JavaScript sorts strings, written as a JSON array.
fn digest_of(hashes: Vec<Hash32>, obfuscated: &[String]) -> Hash32 {
    let mut texts: Vec<[u8; 64]> = hashes
        .iter()
        .map(|h| {
            let mut hex = [0u8; 64];
            // 32 bytes always fit 64 digits.
            const_hex::encode_to_slice(h.as_bytes(), &mut hex).expect("64 digits");
            hex
        })
        .collect();
    texts.sort_unstable();
    let mut written: Vec<&str> = texts
        .iter()
        .map(|t| std::str::from_utf8(t).expect("hex digits"))
        .collect();
    if !obfuscated.is_empty() {
        written.extend(obfuscated.iter().map(String::as_str));
        written.sort_unstable_by(|a, b| js::js_order(a, b));
    }
    let mut text = Vec::with_capacity(written.len() * 67 + 2);
    text.push(b'[');
    for (i, hash) in written.iter().enumerate() {
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
