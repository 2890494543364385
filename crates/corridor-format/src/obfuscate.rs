//! Obfuscation: fields removed from a wrapped document, their leaf hashes kept in
//! `privacy.obfuscatedData`, so that the target hash — and so the signature — still holds.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

/// Maps and sets of the leaves and keys one obfuscation names: fast hashing, randomly seeded
/// so that a document cannot choose keys that collide.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

use crate::digest::leaf_hashes_under;
use crate::{FormatError, Hash32, WrappedDocument};

/// A path to a field of a document's data, written as the reference accepts it:
/// `shipper.address`, `issuers[0].name`, `items.1`, `a["odd key"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(Vec<String>);

impl FieldPath {
    /// The path's parts: object keys, or array indexes written as decimals.
    pub fn parts(&self) -> &[String] {
        &self.0
    }

    /// The path as flattening writes it: parts joined with `.`, except that a part after an
    /// empty path so far is not preceded by one (JavaScript's `prev ? prev + "." + key : key`).
    pub fn flattened(&self) -> String {
        self.0.iter().fold(String::new(), |mut path, part| {
            crate::digest::enter(&mut path, part);
            path
        })
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, part) in self.0.iter().enumerate() {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) && i > 0 {
                write!(f, "[{part}]")?;
            } else if i > 0 {
                write!(f, ".{part}")?;
            } else {
                f.write_str(part)?;
            }
        }
        Ok(())
    }
}

/// Why a field path could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field path {path:?}: {problem}")]
pub struct FieldPathError {
    /// The path as given.
    pub path: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl FromStr for FieldPath {
    type Err = FieldPathError;

    /// Reads a path as lodash's `toPath` does: `.` between keys, `[0]` or `["any key"]` for
    /// one part, `\` escaping the next character inside quotes. Only a quoted part may be empty.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |problem| FieldPathError {
            path: s.to_string(),
            problem,
        };
        // Each part, and whether it was quoted (the only way to name an empty key).
        let mut parts: Vec<(String, bool)> = Vec::new();
        let mut chars = s.chars().peekable();
        let mut current = String::new();
        // Whether the last part was closed by `]` (so `.` or `[` must follow).
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '.' => {
                    if !closed {
                        parts.push((std::mem::take(&mut current), false));
                    }
                    closed = false;
                }
                '[' => {
                    if !(closed || parts.is_empty() && current.is_empty()) {
                        parts.push((std::mem::take(&mut current), false));
                    }
                    let quote = chars.next_if(|q| *q == '"' || *q == '\'');
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            None => return Err(err("has an unclosed '['")),
                            Some(q) if Some(q) == quote && chars.peek() == Some(&']') => {
                                chars.next();
                                break;
                            }
                            Some(']') if quote.is_none() => break,
                            Some('\\') if quote.is_some() => inner.extend(chars.next()),
                            Some(ch) => inner.push(ch),
                        }
                    }
                    parts.push((inner, quote.is_some()));
                    closed = true;
                }
                _ if closed => return Err(err("needs '.' or '[' after ']'")),
                _ => current.push(c),
            }
        }
        if !closed {
            parts.push((current, false));
        }
        if parts.iter().any(|(p, quoted)| p.is_empty() && !quoted) {
            return Err(err("has an empty part"));
        }
        Ok(FieldPath(parts.into_iter().map(|(p, _)| p).collect()))
    }
}

/// Index of `part` in an array, if it is one as JavaScript reads property names: canonical
/// decimal, no sign, no leading zero.
fn array_index(part: &str) -> Option<usize> {
    let canonical =
        part == "0" || (!part.starts_with('0') && part.bytes().all(|b| b.is_ascii_digit()));
    canonical.then(|| part.parse().ok()).flatten()
}

fn get<'a>(data: &'a Value, parts: &[String]) -> Option<&'a Value> {
    parts.iter().try_fold(data, |v, part| match v {
        Value::Object(m) => m.get(part),
        Value::Array(a) => a.get(array_index(part)?),
        _ => None,
    })
}

fn get_mut<'a>(data: &'a mut Value, parts: &[String]) -> Option<&'a mut Value> {
    parts.iter().try_fold(data, |v, part| match v {
        Value::Object(m) => m.get_mut(part),
        Value::Array(a) => a.get_mut(array_index(part)?),
        _ => None,
    })
}

/// Hides `fields` of a wrapped document: their leaf hashes are appended to
/// `privacy.obfuscatedData` and the fields are removed from `data`. The document still
/// verifies, and can be obfuscated again.
///
/// Refused, with the document unchanged: a field that is not there; an array element (the
/// reference leaves a hole that later reads as `null` and breaks the hash); a removal that
/// leaves an object empty (an empty object is itself a leaf, so the hash would change); and
/// a removal the schema forbids (such as `issuers` or an issuer's `name`): the hash would still
/// hold, but TradeTrust would no longer take the file for an OpenAttestation document.
pub fn obfuscate_document(document: &mut Value, fields: &[FieldPath]) -> Result<(), FormatError> {
    let refuse = |field: &FieldPath, problem: String| FormatError::Obfuscation {
        field: field.to_string(),
        problem,
    };
    let data = document.get("data").ok_or_else(|| FormatError::Shape {
        field: "data".into(),
        problem: "is missing".into(),
    })?;

    let before = WrappedDocument::from_value(document.clone())?;
    // Each hidden leaf once, in the order first met; the set keeps that linear.
    let mut hashes: Vec<Hash32> = Vec::new();
    let mut seen: HashSet<Hash32> = HashSet::default();
    for field in fields {
        let value = get(data, field.parts())
            .ok_or_else(|| refuse(field, "is not in the document's data".into()))?;
        if let Some(Value::Array(_)) = parent_of(data, field) {
            return Err(refuse(
                field,
                "is an array element; hide fields inside it, or the whole array".into(),
            ));
        }
        for h in leaf_hashes_under(&field.flattened(), value)? {
            if seen.insert(h) {
                hashes.push(h);
            }
        }
    }

    let mut changed = document.clone();
    if let Some(data) = changed.get_mut("data") {
        remove_fields(data, fields).map_err(|(field, parent)| {
            refuse(
                field,
                format!("would leave {parent} empty, which changes the hash; hide {parent} itself"),
            )
        })?;
    }
    let list = changed
        .as_object_mut()
        .map(|root| {
            root.entry("privacy")
                .or_insert_with(|| Value::Object(Map::new()))
        })
        .and_then(Value::as_object_mut)
        .map(|privacy| {
            privacy
                .entry("obfuscatedData")
                .or_insert_with(|| Value::Array(Vec::new()))
        })
        .and_then(Value::as_array_mut)
        .ok_or_else(|| FormatError::Shape {
            field: "privacy.obfuscatedData".into(),
            problem: "must be an array inside the privacy object".into(),
        })?;
    list.extend(hashes.iter().map(|h| Value::String(h.to_hex())));

    // What the rules above cannot see (paths that repeat under an empty key, a schema the
    // removal breaks) is refused on the finished document, named after the first field.
    let refuse_all = |problem: String| FormatError::Obfuscation {
        field: fields.first().map(ToString::to_string).unwrap_or_default(),
        problem,
    };
    let wrapped = WrappedDocument::from_value(changed.clone())?;
    if before.digest()? != wrapped.digest()? {
        return Err(refuse_all("would change the document's hash".into()));
    }
    wrapped.check_schema().map_err(|e| {
        refuse_all(format!(
            "would leave a document the schema refuses, which TradeTrust would no longer recognise: {e}"
        ))
    })?;
    *document = changed;
    Ok(())
}

/// Removes `fields` from `data`, as the reference unsets them one after another, but each
/// object is rewritten once (removing keys one at a time from an ordered map is quadratic).
/// A field whose parent is already gone is nothing to remove. Refused: a removal that leaves
/// an object inside the data empty, named by the last field taken from it and that object.
fn remove_fields<'f>(
    data: &mut Value,
    fields: &'f [FieldPath],
) -> Result<(), (&'f FieldPath, FieldPath)> {
    // For each parent: the keys to remove from it, and the index of the last field naming one.
    let mut removals: HashMap<&[String], (HashSet<&str>, usize)> = HashMap::default();
    for (i, field) in fields.iter().enumerate() {
        if let Some((key, parent)) = field.0.split_last() {
            let (keys, last) = removals.entry(parent).or_default();
            keys.insert(key);
            *last = i;
        }
    }
    for (parent, (keys, _)) in &removals {
        if let Some(Value::Object(object)) = get_mut(data, parent) {
            object.retain(|key, _| !keys.contains(key.as_str()));
        }
    }
    // Checked once all removals are made: an object emptied, then removed itself, is fine.
    removals
        .iter()
        .filter(|(parent, _)| !parent.is_empty())
        .filter(|(parent, _)| matches!(get(data, parent), Some(Value::Object(o)) if o.is_empty()))
        .min_by_key(|(_, (_, last))| *last)
        .map_or(Ok(()), |(parent, (_, last))| {
            Err((&fields[*last], FieldPath(parent.to_vec())))
        })
}

fn parent_of<'a>(data: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    let (_, parent) = path.0.split_last()?;
    get(data, parent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Integrity, wrap_documents};
    use serde_json::json;

    fn path(s: &str) -> FieldPath {
        s.parse().unwrap()
    }

    #[test]
    fn paths_as_lodash_reads_them() {
        assert_eq!(path("issuers[0].name").parts(), ["issuers", "0", "name"]);
        assert_eq!(path("a[\"x.y\"].b").parts(), ["a", "x.y", "b"]);
        assert_eq!(path("货物").parts(), ["货物"]);
        assert_eq!(path("a.1.b").to_string(), "a[1].b");
        assert_eq!(path("[\"\"].a[\"\"].b").flattened(), "a..b");
        assert_eq!(path("a[\"\"]").parts(), ["a", ""]);
        assert_eq!(path("[\"q\\\"\\\\\"]").parts(), ["q\"\\"]);
        assert!("a..b".parse::<FieldPath>().is_err());
        assert!("a[0".parse::<FieldPath>().is_err());
    }

    fn doc() -> Value {
        let raw = json!({"issuers": [{"name": "A", "certificateStore": "0x0000000000000000000000000000000000000001"}],
                         "shipper": {"name": "S", "address": {"street": "1 Quay", "zip": 5}}, "items": ["a", "b"]});
        wrap_documents(&[raw.clone(), raw], &mut rand::rng())
            .unwrap()
            .remove(0)
    }

    fn intact(d: &Value) -> bool {
        WrappedDocument::from_value(d.clone())
            .unwrap()
            .check_integrity()
            .unwrap()
            == Integrity::Intact
    }

    #[test]
    fn obfuscated_documents_still_verify() {
        let mut d = doc();
        obfuscate_document(
            &mut d,
            &[path("shipper.address"), path("shipper.address.zip")],
        )
        .unwrap();
        assert!(d["data"]["shipper"].get("address").is_none());
        assert_eq!(
            d["privacy"]["obfuscatedData"].as_array().unwrap().len(),
            2,
            "street and zip, once each"
        );
        assert!(intact(&d));
        obfuscate_document(&mut d, &[path("items")]).unwrap();
        assert!(intact(&d));
    }

    #[test]
    fn a_field_hidden_with_the_object_it_empties_hides_that_object() {
        let mut d = doc();
        let fields = [
            "shipper.address.street",
            "shipper.address.zip",
            "shipper.address",
        ];
        obfuscate_document(&mut d, &fields.map(path)).unwrap();
        assert!(d["data"]["shipper"].get("address").is_none());
        assert_eq!(d["privacy"]["obfuscatedData"].as_array().unwrap().len(), 2);
        assert!(intact(&d));
    }

    #[test]
    fn refusals_leave_the_document_unchanged() {
        let original = doc();
        for (field, message) in [
            ("shipper.phone", "is not in the document's data"),
            ("items[1]", "is an array element"),
            ("issuers", "schema refuses"),
            ("issuers[0].name", "data.issuers[0].name is required"),
        ] {
            let mut d = original.clone();
            let err = obfuscate_document(&mut d, &[path(field)]).unwrap_err();
            assert!(err.to_string().contains(message), "{field}: {err}");
            assert_eq!(d, original);
        }
        let mut d = original.clone();
        obfuscate_document(&mut d, &[path("shipper.address.street")]).unwrap();
        let err = obfuscate_document(&mut d, &[path("shipper.address.zip")]).unwrap_err();
        assert!(
            err.to_string()
                .contains("would leave shipper.address empty"),
            "{err}"
        );
    }
}

/// Why [`hide_fields`] left a document as it was.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HideError {
    /// It is not a wrapped document (v2 or v3).
    #[error("{0}")]
    NotADocument(FormatError),
    /// It does not verify: hiding fields would hide that.
    #[error("the document does not verify ({0}); refusing to obfuscate it")]
    Tampered(crate::Tampering),
    /// A field cannot be hidden without breaking the document.
    #[error("{0}")]
    Refused(FormatError),
}

/// Hides `fields` of a wrapped OpenAttestation document, v2 or v3 (its `version` says which),
/// once its integrity is checked: [`obfuscate_document`] or [`crate::v3::obfuscate_credential`].
/// On any error the document is unchanged.
pub fn hide_fields(document: &mut Value, fields: &[FieldPath]) -> Result<(), HideError> {
    let v3 = crate::v3::says_v3(document);
    let integrity = if v3 {
        crate::v3::WrappedCredential::from_value(document.clone()).and_then(|w| w.check_integrity())
    } else {
        crate::WrappedDocument::from_value(document.clone()).and_then(|w| w.check_integrity())
    };
    match integrity.map_err(HideError::NotADocument)? {
        crate::Integrity::Intact => {}
        crate::Integrity::Tampered(t) => return Err(HideError::Tampered(t)),
    }
    let hidden = if v3 {
        crate::v3::obfuscate_credential(document, fields)
    } else {
        obfuscate_document(document, fields)
    };
    hidden.map_err(HideError::Refused)
}
