//! The target hash of a document: its data flattened to leaves, each leaf hashed, the hashes
//! sorted together with those of obfuscated fields, and the sorted list hashed once more.

use serde_json::Value;

use crate::{FormatError, Hash32, js, keccak256};

/// Calls `leaf` with the flattened path (`a.0.b`) and value of every leaf of `data`, as the
/// reference's `flatten` (flatley) enumerates them: array indexes are path parts, and empty
/// arrays and objects are leaves.
///
/// A key containing `.` is refused, as the reference refuses it, naming the key and where.
pub fn for_each_leaf(
    data: &Value,
    mut leaf: impl FnMut(&str, &Value) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let mut path = String::with_capacity(128);
    match data {
        Value::Object(_) | Value::Array(_) => walk(data, &mut path, &mut leaf),
        other => Err(FormatError::Shape {
            field: "data".into(),
            problem: format!("must be an object, found {}", kind_of(other)),
        }),
    }
}

/// Like [`for_each_leaf`] for a value found at `prefix`: a non-empty container is walked with
/// its leaves' paths under `prefix`, anything else is one leaf at `prefix`.
pub(crate) fn for_each_leaf_under(
    prefix: &str,
    value: &Value,
    leaf: &mut impl FnMut(&str, &Value) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let is_container = matches!(value, Value::Object(m) if !m.is_empty()) || matches!(value, Value::Array(a) if !a.is_empty());
    if is_container { walk(value, &mut prefix.to_string(), leaf) } else { leaf(prefix, value) }
}

fn walk(
    container: &Value,
    path: &mut String,
    leaf: &mut impl FnMut(&str, &Value) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let mut visit = |key: &str, value: &Value, path: &mut String| {
        if key.contains('.') {
            return Err(FormatError::DottedKey { parent: display_path(path), key: key.to_string() });
        }
        let start = path.len();
        if start > 0 {
            path.push('.');
        }
        path.push_str(key);
        let result = match value {
            Value::Object(m) if !m.is_empty() => walk(value, path, leaf),
            Value::Array(a) if !a.is_empty() => walk(value, path, leaf),
            // The reference collects leaves into a plain object: at the top level a key named
            // `__proto__` sets that object's prototype instead, so such a leaf is never hashed.
            _ if start == 0 && key == "__proto__" => Ok(()),
            _ => leaf(path, value),
        };
        path.truncate(start);
        result
    };
    match container {
        Value::Object(map) => map.iter().try_for_each(|(k, v)| visit(k, v, path)),
        Value::Array(items) => {
            let mut index = itoa_buf();
            items.iter().enumerate().try_for_each(|(i, v)| visit(index.format(i), v, path))
        }
        _ => Ok(()),
    }
}

/// A small integer formatter, so that array indexes do not allocate.
fn itoa_buf() -> IndexText {
    IndexText([0; 20])
}

struct IndexText([u8; 20]);

impl IndexText {
    fn format(&mut self, mut i: usize) -> &str {
        let mut pos = self.0.len();
        loop {
            pos -= 1;
            self.0[pos] = b'0' + (i % 10) as u8;
            i /= 10;
            if i == 0 {
                break;
            }
        }
        std::str::from_utf8(&self.0[pos..]).unwrap_or("0")
    }
}

fn display_path(flat: &str) -> String {
    if flat.is_empty() { "data".into() } else { format!("data.{flat}") }
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The hash of one flattened leaf: keccak256 of `{"<path>":<value>}` as `JSON.stringify`
/// writes it. `buf` is scratch space, reused across calls.
pub fn leaf_hash(path: &str, value: &Value, buf: &mut Vec<u8>) -> Hash32 {
    buf.clear();
    buf.push(b'{');
    js::write_string(buf, path);
    buf.push(b':');
    js::write_value(buf, value);
    buf.push(b'}');
    keccak256(&buf[..])
}

/// The hashes of every leaf of `data`, in flattening order.
pub fn leaf_hashes(data: &Value) -> Result<Vec<Hash32>, FormatError> {
    let mut buf = Vec::with_capacity(256);
    let mut out = Vec::new();
    for_each_leaf(data, |path, value| {
        out.push(leaf_hash(path, value, &mut buf));
        Ok(())
    })?;
    Ok(out)
}

/// The target hash of a document with `data` and the hashes in `privacy.obfuscatedData`.
///
/// The obfuscated hashes are taken as the texts the document holds: the reference sorts and
/// hashes them as strings, so a hash written in upper case or with stray text gives another
/// digest, as it does there.
///
/// ```
/// use serde_json::json;
/// let data = json!({"a": "uuid-less values hash too"});
/// let d = corridor_format::digest(&data, &[]).unwrap();
/// assert_eq!(d, corridor_format::digest(&data, &[]).unwrap());
/// ```
pub fn digest(data: &Value, obfuscated: &[&str]) -> Result<Hash32, FormatError> {
    let mut hashes = leaf_hashes(data)?;
    let mut out = Vec::with_capacity(2 + 67 * (hashes.len() + obfuscated.len()));
    if obfuscated.iter().all(|h| is_lower_hex64(h)) {
        // All entries are lower-case hex of equal length: sorting the bytes sorts the texts.
        hashes.extend(obfuscated.iter().filter_map(|h| h.parse::<Hash32>().ok()));
        hashes.sort_unstable();
        out.push(b'[');
        for (i, h) in hashes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            h.write_hex(&mut out);
            out.push(b'"');
        }
        out.push(b']');
    } else {
        let mut texts: Vec<String> = hashes.iter().map(Hash32::to_hex).collect();
        texts.extend(obfuscated.iter().map(|s| s.to_string()));
        // JavaScript compares strings by UTF-16 code units.
        texts.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
        out.push(b'[');
        for (i, t) in texts.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            js::write_string(&mut out, t);
        }
        out.push(b']');
    }
    Ok(keccak256(&out))
}

fn is_lower_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(data: &Value) -> Vec<String> {
        let mut out = Vec::new();
        for_each_leaf(data, |p, v| {
            out.push(format!("{p}={v}"));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn flattens_like_flatley() {
        let data = json!({"a": {"b": ["x", {"c": 1}, [], {}]}, "d": {}, "e": null});
        assert_eq!(
            paths(&data),
            ["a.b.0=\"x\"", "a.b.1.c=1", "a.b.2=[]", "a.b.3={}", "d={}", "e=null"]
        );
    }

    #[test]
    fn dotted_keys_are_refused_with_their_place() {
        let err = for_each_leaf(&json!({"a": [{"b.c": 1}]}), |_, _| Ok(())).unwrap_err();
        assert_eq!(err.to_string(), "data.a.0: key \"b.c\" contains '.', which OpenAttestation cannot hash");
    }

    #[test]
    fn top_level_proto_leaf_is_not_hashed() {
        let with = json!({"a": "x", "__proto__": "y"});
        let without = json!({"a": "x"});
        assert_eq!(digest(&with, &[]).unwrap(), digest(&without, &[]).unwrap());
        let nested = json!({"a": {"__proto__": "y"}});
        assert_eq!(paths(&nested), ["a.__proto__=\"y\""]);
    }

    #[test]
    fn leaf_text_is_json_stringify() {
        let mut buf = Vec::new();
        leaf_hash("a.0", &json!("q\"é"), &mut buf);
        assert_eq!(String::from_utf8(buf).unwrap(), "{\"a.0\":\"q\\\"é\"}");
    }

    #[test]
    fn obfuscated_hashes_merge_into_the_digest() {
        let full = json!({"a": "1", "b": "2"});
        let b_hash = leaf_hash("b", &json!("2"), &mut Vec::new()).to_hex();
        assert_eq!(digest(&full, &[]).unwrap(), digest(&json!({"a": "1"}), &[&b_hash]).unwrap());
        let upper = b_hash.to_uppercase();
        assert_ne!(digest(&full, &[]).unwrap(), digest(&json!({"a": "1"}), &[&upper]).unwrap());
    }
}
