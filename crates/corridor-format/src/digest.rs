//! The target hash of a document: its data flattened to leaves, each leaf hashed, the hashes
//! sorted together with those of obfuscated fields, and the sorted list hashed once more.

use serde_json::Value;

use corridor_keccak::HashStream;

use crate::{FormatError, Hash32, js, keccak256};

/// Calls `leaf` with the flattened path (`a.0.b`) and value of every leaf of `data`, in the
/// order the reference's `flatten` (flatley) enumerates them: array indexes are path parts,
/// empty arrays and objects are leaves, and an object's keys come in JavaScript's property
/// order (integer-like keys first, ascending; then the rest as written).
///
/// A key containing `.` is refused, as the reference refuses it, naming the key and where.
///
/// Paths are not always unique: JavaScript joins a child to an empty parent path without a
/// `.`, so under a top-level key `""` a child `a` has the path `a`, like a top-level `a`. The
/// reference keeps the last leaf of such a path; [`leaf_hashes`] does the same.
pub fn for_each_leaf(
    data: &Value,
    mut leaf: impl FnMut(&str, &Value) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let mut path = String::with_capacity(128);
    match data {
        Value::Object(_) | Value::Array(_) => walk(data, &mut path, &mut leaf),
        other => Err(FormatError::Shape {
            field: "data".into(),
            problem: format!("must be an object, found {}", js::kind_of(other)),
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
    if is_nonempty_container(value) {
        walk(value, &mut prefix.to_string(), leaf)
    } else {
        leaf(prefix, value)
    }
}

fn is_nonempty_container(v: &Value) -> bool {
    matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
}

/// Whether two leaves under `prefix` can share a path: only when a container sits at the
/// empty path, that is a non-empty container under the key `""` with nothing before it.
pub(crate) fn paths_may_collide(prefix: &str, value: &Value) -> bool {
    prefix.is_empty() && value.get("").is_some_and(is_nonempty_container)
}

fn walk(
    container: &Value,
    path: &mut String,
    leaf: &mut impl FnMut(&str, &Value) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let mut visit = |key: &str, value: &Value, path: &mut String| {
        if key.contains('.') {
            return Err(FormatError::DottedKey {
                parent: display_path(path),
                key: key.to_string(),
            });
        }
        let start = enter(path, key);
        let result = if is_nonempty_container(value) {
            walk(value, path, leaf)
        } else if start == 0 && key == "__proto__" {
            // The reference collects leaves into a plain object, where the path `__proto__`
            // sets the object's prototype instead: such a leaf is never hashed.
            Ok(())
        } else {
            leaf(path, value)
        };
        path.truncate(start);
        result
    };
    match container {
        Value::Object(map) if map.keys().any(|k| js::is_array_index(k)) => {
            let mut indexed: Vec<(u64, &String, &Value)> = map
                .iter()
                .filter(|(k, _)| js::is_array_index(k))
                .map(|(k, v)| (k.parse().unwrap_or(0), k, v))
                .collect();
            indexed.sort_unstable_by_key(|(n, _, _)| *n);
            for (_, k, v) in indexed {
                visit(k, v, path)?;
            }
            map.iter()
                .filter(|(k, _)| !js::is_array_index(k))
                .try_for_each(|(k, v)| visit(k, v, path))
        }
        Value::Object(map) => map.iter().try_for_each(|(k, v)| visit(k, v, path)),
        Value::Array(items) => {
            let mut digits = IndexText::default();
            items
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| visit(digits.format(i), v, path))
        }
        _ => Ok(()),
    }
}

/// Appends `key` to a flattened path as flatley joins it — `prev ? prev + "." + key : key`, so
/// no `.` after an empty path — and returns the length to truncate back to.
pub(crate) fn enter(path: &mut String, key: &str) -> usize {
    let start = path.len();
    if start > 0 {
        path.push('.');
    }
    path.push_str(key);
    start
}

/// A small integer formatter, so that array indexes do not allocate.
#[derive(Default)]
pub(crate) struct IndexText([u8; 20]);

impl IndexText {
    /// `i` in decimal.
    pub(crate) fn format(&mut self, mut i: usize) -> &str {
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
    if flat.is_empty() {
        "data".into()
    } else {
        format!("data.{flat}")
    }
}

/// The hash of one flattened leaf: keccak256 of `{"<path>":<value>}` as `JSON.stringify`
/// writes it. `buf` is scratch space, reused across calls.
pub fn leaf_hash(path: &str, value: &Value, buf: &mut Vec<u8>) -> Hash32 {
    buf.clear();
    write_leaf_text(path, buf, |buf| js::write_value(buf, value));
    keccak256(&buf[..])
}

/// Appends `{"<path>":<value>}` to `buf`, the value's JSON text written by `write_value`: the
/// text a leaf's hash is taken of.
pub(crate) fn write_leaf_text(
    path: &str,
    buf: &mut Vec<u8>,
    write_value: impl FnOnce(&mut Vec<u8>),
) {
    buf.push(b'{');
    js::write_string(buf, path);
    buf.push(b':');
    write_value(buf);
    buf.push(b'}');
}

/// The hashes of every distinct leaf path of `data`: where paths repeat, the last leaf in
/// flattening order wins, as in the reference.
pub fn leaf_hashes(data: &Value) -> Result<Vec<Hash32>, FormatError> {
    leaf_hashes_under("", data)
}

pub(crate) fn leaf_hashes_under(prefix: &str, value: &Value) -> Result<Vec<Hash32>, FormatError> {
    if paths_may_collide(prefix, value) {
        let mut buf = Vec::with_capacity(256);
        let mut last: std::collections::HashMap<String, Hash32> = std::collections::HashMap::new();
        for_each_leaf_under(prefix, value, &mut |path, v| {
            last.insert(path.to_string(), leaf_hash(path, v, &mut buf));
            Ok(())
        })?;
        return Ok(last.into_values().collect());
    }
    let mut leaves = HashStream::default();
    for_each_leaf_under(prefix, value, &mut |path, v| {
        leaves.push_with(|buf| write_leaf_text(path, buf, |buf| js::write_value(buf, v)));
        Ok(())
    })?;
    Ok(leaves.finish())
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
    if !matches!(data, Value::Object(_) | Value::Array(_)) {
        return Err(FormatError::Shape {
            field: "data".into(),
            problem: format!("must be an object, found {}", js::kind_of(data)),
        });
    }
    Ok(digest_leaves(&leaf_hashes(data)?, obfuscated))
}

/// The digest of a document from its leaf hashes and the obfuscated hashes as written.
pub(crate) fn digest_leaves(leaves: &[Hash32], obfuscated: &[impl AsRef<str>]) -> Hash32 {
    let mut text = Vec::new();
    write_digest_text(leaves, obfuscated, &mut text);
    keccak256(&text)
}

/// Appends the text a document's digest is the hash of: its leaf hashes and the obfuscated
/// hashes as written, sorted as JavaScript sorts their texts, as a JSON array.
pub(crate) fn write_digest_text(
    leaves: &[Hash32],
    obfuscated: &[impl AsRef<str>],
    out: &mut Vec<u8>,
) {
    out.reserve(2 + 67 * (leaves.len() + obfuscated.len()));
    if obfuscated.iter().all(|h| is_lower_hex64(h.as_ref())) {
        // All entries are lower-case hex of equal length: sorting the bytes sorts the texts.
        let mut hashes = leaves.to_vec();
        hashes.extend(
            obfuscated
                .iter()
                .filter_map(|h| h.as_ref().parse::<Hash32>().ok()),
        );
        Hash32::sort(&mut hashes);
        out.push(b'[');
        for (i, h) in hashes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            h.write_hex(out);
            out.push(b'"');
        }
        out.push(b']');
    } else {
        let mut texts: Vec<String> = leaves.iter().map(Hash32::to_hex).collect();
        texts.extend(obfuscated.iter().map(|s| s.as_ref().to_string()));
        // JavaScript compares strings by UTF-16 code units.
        texts.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
        out.push(b'[');
        for (i, t) in texts.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            js::write_string(out, t);
        }
        out.push(b']');
    }
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
            [
                "a.b.0=\"x\"",
                "a.b.1.c=1",
                "a.b.2=[]",
                "a.b.3={}",
                "d={}",
                "e=null"
            ]
        );
    }

    #[test]
    fn dotted_keys_are_refused_with_their_place() {
        let err = for_each_leaf(&json!({"a": [{"b.c": 1}]}), |_, _| Ok(())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data.a.0: key \"b.c\" contains '.', which OpenAttestation cannot hash"
        );
    }

    #[test]
    fn keys_come_in_javascript_order() {
        let data = json!({"b": 1, "10": 2, "a": 3, "2": 4, "01": 5});
        assert_eq!(paths(&data), ["2=4", "10=2", "b=1", "a=3", "01=5"]);
    }

    #[test]
    fn repeated_paths_keep_the_last_leaf() {
        // Under the top-level key "", children's paths carry no prefix: "" -> "a" is path "a".
        let data = json!({"a": "first", "": {"a": "second"}});
        assert_eq!(paths(&data), ["a=\"first\"", "a=\"second\""]);
        let only_second = json!({"a": "second"});
        assert_eq!(
            digest(&data, &[]).unwrap(),
            digest(&only_second, &[]).unwrap()
        );
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
        assert_eq!(
            digest(&full, &[]).unwrap(),
            digest(&json!({"a": "1"}), &[&b_hash]).unwrap()
        );
        let upper = b_hash.to_uppercase();
        assert_ne!(
            digest(&full, &[]).unwrap(),
            digest(&json!({"a": "1"}), &[&upper]).unwrap()
        );
    }
}
