//! Reading a wrapped document from its bytes in one pass: the data's leaf texts are written as
//! the parser meets them and hashed side by side, without building the data as a tree. Only
//! the few top-level fields that the schema and the checks read are kept as values.
//!
//! Where one pass cannot be exact — a key repeated in an object (JavaScript keeps the last), a
//! top-level empty key (its children's paths can repeat), data that is not an object, or
//! anything else unusual — the document is read again through [`serde_json::Value`] and
//! [`WrappedDocument::from_value`], which handles every case. Both give the same result.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use corridor_keccak::HashStream;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::digest::IndexText;
use crate::document::{DataRead, Head, Undigested, WrappedDocument, digest_together};
use crate::salt::{Unsalted, unsalt_str};
use crate::{FormatError, Hash32, MERKLE_PROOF_TYPE, UnknownTypeTag, js};

/// The top-level fields of the data kept as values: those the schema and the status and
/// identity checks look at.
pub(crate) const HEAD_KEYS: [&str; 7] = [
    "issuers",
    "$template",
    "id",
    "documentUrl",
    "recipient",
    "network",
    "attachments",
];

/// Why bytes could not be read as a wrapped document.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not JSON, cut short, or nested more than 128 levels deep.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// JSON, but not a wrapped v2 document.
    #[error(transparent)]
    Format(#[from] FormatError),
}

/// Reads a wrapped document from the bytes of its file.
///
/// ```
/// let doc = corridor_format::wrap_documents(&[serde_json::json!({"issuers": [{"name": "A",
///     "certificateStore": "0x0000000000000000000000000000000000000001"}]})], &mut rand::rng()).unwrap();
/// let bytes = serde_json::to_vec(&doc[0]).unwrap();
/// let read = corridor_format::read_wrapped(&bytes).unwrap();
/// assert_eq!(read.check_integrity().unwrap(), corridor_format::Integrity::Intact);
/// ```
pub fn read_wrapped(bytes: &[u8]) -> Result<WrappedDocument, ReadError> {
    read_wrapped_with(bytes, &mut HeadMemo::default())
}

/// Remembers the issuer fields of the last document read, checked against the schema, so that
/// the documents of a batch, which share them (only their salts differ), are checked once.
#[derive(Default)]
pub struct HeadMemo {
    last: Option<(Vec<u8>, Arc<Head>)>,
}

impl HeadMemo {
    /// The checked fields whose unsalted JSON text is `plain`.
    fn get(&mut self, plain: &[u8]) -> Option<Arc<Head>> {
        if let Some((text, head)) = &self.last
            && text.as_slice() == plain
        {
            return Some(head.clone());
        }
        let fields: Map<String, Value> = serde_json::from_slice(plain).ok()?;
        let head = Arc::new(Head::checked(fields));
        self.last = Some((plain.to_vec(), head.clone()));
        Some(head)
    }
}

/// [`read_wrapped`], with a memo of issuer fields kept from one document to the next.
pub fn read_wrapped_with(bytes: &[u8], memo: &mut HeadMemo) -> Result<WrappedDocument, ReadError> {
    read_undigested(bytes, memo).map(Undigested::digested)
}

/// [`read_wrapped_with`] for many documents at once: the same results, faster, as their
/// digests are hashed side by side.
///
/// ```
/// let raws = vec![serde_json::json!({"issuers": [{"name": "A",
///     "certificateStore": "0x0000000000000000000000000000000000000001"}]}); 5];
/// let docs = corridor_format::wrap_documents(&raws, &mut rand::rng()).unwrap();
/// let texts: Vec<Vec<u8>> = docs.iter().map(|d| serde_json::to_vec(d).unwrap()).collect();
/// let texts: Vec<&[u8]> = texts.iter().map(Vec::as_slice).collect();
/// let mut memo = corridor_format::HeadMemo::default();
/// for read in corridor_format::read_wrapped_many(&texts, &mut memo) {
///     assert_eq!(read.unwrap().check_integrity().unwrap(), corridor_format::Integrity::Intact);
/// }
/// ```
pub fn read_wrapped_many(
    texts: &[&[u8]],
    memo: &mut HeadMemo,
) -> Vec<Result<WrappedDocument, ReadError>> {
    let read = texts
        .iter()
        .map(|bytes| read_undigested(bytes, memo))
        .collect();
    digest_together(read)
}

/// Reads a document as far as its digest.
fn read_undigested(bytes: &[u8], memo: &mut HeadMemo) -> Result<Undigested, ReadError> {
    // Checking the UTF-8 of the whole text at once is faster than string by string; text that
    // is not UTF-8 goes to the exact path, which says where.
    let one_pass = std::str::from_utf8(bytes).ok().and_then(|text| {
        let mut de = serde_json::Deserializer::from_str(text);
        let parts = RootSeed.deserialize(&mut de).ok()?;
        de.end().ok()?;
        parts.into_document(memo)
    });
    match one_pass {
        Some(document) => Ok(document),
        None => {
            let value: Value = serde_json::from_slice(bytes)?;
            Ok(WrappedDocument::undigested(value)?)
        }
    }
}

/// The parts of a document the one-pass reader collects.
#[derive(Default)]
struct RootParts<'de> {
    data: Option<DataParts>,
    signature: Option<SignatureRead<'de>>,
    privacy: Option<PrivacyRead<'de>>,
    did_proof: Option<Value>,
}

/// `signature` as a wrapped document has it; any other shape is left to the exact path, which
/// names what is wrong.
#[derive(serde::Deserialize)]
struct SignatureRead<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(rename = "targetHash", borrow)]
    target_hash: Cow<'a, str>,
    #[serde(rename = "merkleRoot", borrow)]
    merkle_root: Cow<'a, str>,
    #[serde(borrow)]
    proof: Vec<Cow<'a, str>>,
}

/// `privacy`: an object whose `obfuscatedData`, if there, is a list of strings.
#[derive(serde::Deserialize)]
struct PrivacyRead<'a> {
    #[serde(rename = "obfuscatedData", borrow, default)]
    obfuscated_data: Vec<Cow<'a, str>>,
}

impl RootParts<'_> {
    /// The document, or `None` where the exact path must say what is wrong.
    fn into_document(self, memo: &mut HeadMemo) -> Option<Undigested> {
        let signature = self.signature?;
        if signature.kind != MERKLE_PROOF_TYPE {
            return None;
        }
        let owned = |list: Vec<Cow<str>>| list.into_iter().map(Cow::into_owned).collect();
        let data = self.data?;
        let head = match data.unknown_tag {
            Some(e) => Err(e.into()),
            None => Ok(memo.get(&data.plain)?),
        };
        Some(Undigested {
            data: DataRead {
                leaves: Ok(data.leaves),
                head,
            },
            target_hash: signature.target_hash.into_owned(),
            proof: owned(signature.proof),
            merkle_root: signature.merkle_root.into_owned(),
            obfuscated: self
                .privacy
                .map(|p| owned(p.obfuscated_data))
                .unwrap_or_default(),
            did_proof: self.did_proof,
        })
    }
}

/// Any error makes the caller fall back to the exact path; the text is never shown.
fn fallback<E: de::Error>() -> E {
    E::custom("read again through serde_json::Value")
}

/// Keys seen in one object, to notice a repeated one.
#[derive(Default)]
struct KeySet<'de> {
    few: Vec<Cow<'de, str>>,
    many: Option<HashSet<Cow<'de, str>, foldhash::fast::RandomState>>,
}

impl<'de> KeySet<'de> {
    /// Adds `key`; false if it was already there.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(key);
        }
        if self.few.contains(&key) {
            return false;
        }
        self.few.push(key);
        if self.few.len() > 8 {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }
}

/// An object key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

struct RootSeed;

impl<'de> DeserializeSeed<'de> for RootSeed {
    type Value = RootParts<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RootParts<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed {
    type Value = RootParts<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a wrapped document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RootParts<'de>, A::Error> {
        let mut parts = RootParts::default();
        let mut keys = KeySet::default();
        while let Some(Key(key)) = map.next_key()? {
            if !keys.insert(key.clone()) {
                return Err(fallback());
            }
            match &*key {
                "data" => parts.data = Some(map.next_value_seed(DataSeed)?),
                "signature" => parts.signature = Some(map.next_value()?),
                "privacy" => parts.privacy = Some(map.next_value()?),
                "proof" => parts.did_proof = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parts)
    }
}

/// The running state of hashing leaves: the current path and the leaves' texts.
struct Hasher {
    /// The current flattened path, already escaped as `JSON.stringify` writes it (escaping
    /// works character by character, so the escaped path is the escaped parts joined).
    path: Vec<u8>,
    /// The leaves' texts, hashed side by side.
    leaves: HashStream<Hash32>,
    /// The issuer fields unsalted, as JSON text, written as they are met.
    plain: Vec<u8>,
    /// The first salted value kept for the head whose type tag is unknown.
    unknown_tag: Option<UnknownTypeTag>,
}

impl Hasher {
    /// Writes the leaf `{"<path>":<value>}`, to be hashed with the others.
    fn leaf(&mut self, write_value: impl FnOnce(&mut Vec<u8>)) {
        let path = &self.path;
        self.leaves.push_with(|buf| {
            buf.extend_from_slice(b"{\"");
            buf.extend_from_slice(path);
            buf.extend_from_slice(b"\":");
            write_value(buf);
            buf.push(b'}');
        });
    }

    /// Appends `key` as flatley joins it (no `.` after an empty path); returns the length to
    /// truncate back to.
    #[expect(
        clippy::ptr_arg,
        reason = "a borrowed key is one the file wrote without escapes"
    )]
    fn enter(&mut self, key: &Cow<str>) -> usize {
        let start = self.path.len();
        if start > 0 {
            self.path.push(b'.');
        }
        match key {
            // Borrowed from the file, so written there without escapes: see `visit_borrowed_str`.
            Cow::Borrowed(raw) => self.path.extend_from_slice(raw.as_bytes()),
            Cow::Owned(text) => js::write_escaped(&mut self.path, text),
        }
        start
    }

    /// Writes a salted string of the head unsalted; false for `undefined` (nothing written)
    /// and for an unknown type tag, which is remembered.
    fn unsalt(&mut self, salted: &str) -> bool {
        let plain = &mut self.plain;
        match unsalt_str(salted) {
            Ok(Unsalted::String(text)) => js::write_string(plain, &text),
            // As `serde_json::Number::from_f64`: a number that is not finite is null.
            Ok(Unsalted::Number(x)) => write_json(plain, &x),
            Ok(Unsalted::Bool(b)) => write_json(plain, &b),
            Ok(Unsalted::Null) => plain.extend_from_slice(b"null"),
            Ok(Unsalted::Undefined) => return false,
            Err(e) => {
                self.unknown_tag.get_or_insert(e);
                return false;
            }
        }
        true
    }

    /// Writes `"key":` into the plain text, after a comma unless it is the object's first
    /// member; returns where to cut back to if the value turns out `undefined`.
    fn plain_member(&mut self, key: &str, first: bool) -> usize {
        let mark = self.plain.len();
        if !first {
            self.plain.push(b',');
        }
        js::write_string(&mut self.plain, key);
        self.plain.push(b':');
        mark
    }
}

/// Appends `value` as serde_json writes it (it writes no invalid JSON for these values).
fn write_json(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    let _ = serde_json::to_writer(out, value);
}

/// What one pass collects of the data.
struct DataParts {
    leaves: Vec<Hash32>,
    plain: Vec<u8>,
    unknown_tag: Option<UnknownTypeTag>,
}

struct DataSeed;

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = DataParts;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<DataParts, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DataSeed {
    type Value = DataParts;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DataParts, A::Error> {
        let mut hasher = Hasher {
            path: Vec::with_capacity(128),
            leaves: HashStream::default(),
            plain: Vec::with_capacity(512),
            unknown_tag: None,
        };
        hasher.plain.push(b'{');
        let mut kept_any = false;
        let mut keys = KeySet::default();
        while let Some(Key(key)) = map.next_key()? {
            // An empty top-level key makes paths repeat, and `__proto__` is a reference quirk:
            // both are left to the exact path, as are keys the reference refuses.
            if key.is_empty()
                || key == "__proto__"
                || key.contains('.')
                || !keys.insert(key.clone())
            {
                return Err(fallback());
            }
            let keep = HEAD_KEYS.contains(&&*key);
            let mark = keep.then(|| hasher.plain_member(&key, !kept_any));
            let start = hasher.enter(&key);
            let defined = map.next_value_seed(LeafSeed {
                hasher: &mut hasher,
                keep,
            })?;
            hasher.path.truncate(start);
            if let Some(mark) = mark {
                if defined {
                    kept_any = true;
                } else {
                    hasher.plain.truncate(mark);
                }
            }
        }
        hasher.plain.push(b'}');
        Ok(DataParts {
            leaves: hasher.leaves.finish(),
            plain: hasher.plain,
            unknown_tag: hasher.unknown_tag,
        })
    }
}

/// Hashes every leaf of one value at the hasher's current path. With `keep`, also writes the
/// value unsalted into the hasher's plain text, and returns false if it is `undefined` (and so
/// left out); without, writes nothing.
struct LeafSeed<'h> {
    hasher: &'h mut Hasher,
    keep: bool,
}

impl LeafSeed<'_> {
    fn child(&mut self) -> LeafSeed<'_> {
        LeafSeed {
            hasher: self.hasher,
            keep: self.keep,
        }
    }

    /// Hashes a primitive leaf that is not salted; keeps it as it is when asked.
    fn primitive(
        self,
        write_value: impl Fn(&mut Vec<u8>),
        plain: impl FnOnce(&mut Vec<u8>),
    ) -> bool {
        self.hasher.leaf(write_value);
        if self.keep {
            plain(&mut self.hasher.plain);
        }
        true
    }

    /// Hashes a string leaf written `text`; keeps it unsalted when asked.
    fn string(self, v: &str, write_value: impl FnOnce(&mut Vec<u8>)) -> bool {
        self.hasher.leaf(write_value);
        !self.keep || self.hasher.unsalt(v)
    }
}

impl<'de> DeserializeSeed<'de> for LeafSeed<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LeafSeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(self.string(v, |buf| js::write_string(buf, v)))
    }
    /// A string the parser could borrow had no escapes in the file. JSON forbids raw control
    /// characters, quotes and backslashes in strings, so its bytes are already exactly what
    /// `JSON.stringify` writes.
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<bool, E> {
        Ok(self.string(v, |buf| {
            buf.push(b'"');
            buf.extend_from_slice(v.as_bytes());
            buf.push(b'"');
        }))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        Ok(self.primitive(|buf| js::write_number(buf, v as f64), |p| write_json(p, &v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        Ok(self.primitive(|buf| js::write_number(buf, v as f64), |p| write_json(p, &v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        Ok(self.primitive(|buf| js::write_number(buf, v), |p| write_json(p, &v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        let text: &[u8] = if v { b"true" } else { b"false" };
        Ok(self.primitive(
            |buf| buf.extend_from_slice(text),
            |p| p.extend_from_slice(text),
        ))
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(self.primitive(
            |buf| buf.extend_from_slice(b"null"),
            |p| p.extend_from_slice(b"null"),
        ))
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<bool, A::Error> {
        let mut keys = KeySet::default();
        let mut empty = true;
        let mut kept_any = false;
        if self.keep {
            self.hasher.plain.push(b'{');
        }
        while let Some(Key(key)) = map.next_key()? {
            empty = false;
            if key.contains('.') || !keys.insert(key.clone()) {
                return Err(fallback());
            }
            let mark = self.keep.then(|| self.hasher.plain_member(&key, !kept_any));
            let start = self.hasher.enter(&key);
            let defined = map.next_value_seed(self.child())?;
            self.hasher.path.truncate(start);
            if let Some(mark) = mark {
                if defined {
                    kept_any = true;
                } else {
                    self.hasher.plain.truncate(mark);
                }
            }
        }
        if empty {
            self.hasher.leaf(|buf| buf.extend_from_slice(b"{}"));
        }
        if self.keep {
            self.hasher.plain.push(b'}');
        }
        Ok(true)
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<bool, A::Error> {
        let mut digits = IndexText::default();
        let mut index = 0usize;
        if self.keep {
            self.hasher.plain.push(b'[');
        }
        loop {
            if self.keep && index > 0 {
                self.hasher.plain.push(b',');
            }
            let start = self.hasher.enter(&Cow::Borrowed(digits.format(index)));
            let value = seq.next_element_seed(self.child())?;
            self.hasher.path.truncate(start);
            match value {
                None => {
                    if self.keep && index > 0 {
                        // the comma written for an element that was not there
                        self.hasher.plain.pop();
                    }
                    break;
                }
                // `undefined` in an array is null, as the reference unsalts it
                Some(false) if self.keep => self.hasher.plain.extend_from_slice(b"null"),
                Some(_) => {}
            }
            index += 1;
        }
        if index == 0 {
            self.hasher.leaf(|buf| buf.extend_from_slice(b"[]"));
        }
        if self.keep {
            self.hasher.plain.push(b']');
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrap_documents;
    use serde_json::json;

    /// Reads `text` both ways and checks that they agree.
    fn both_ways(text: &str) -> Option<(Option<Hash32>, bool)> {
        let value: Value = serde_json::from_str(text).unwrap();
        let read = |d: WrappedDocument| {
            let head = d.head().cloned();
            ((d.digest().ok(), d.check_schema().is_ok()), head)
        };
        let exact = WrappedDocument::from_value(value).ok().map(read);
        let one_pass = read_wrapped(text.as_bytes()).ok().map(read);
        assert_eq!(one_pass, exact, "{text}");
        one_pass.map(|(verdict, _)| verdict)
    }

    #[test]
    fn unusual_shapes_read_the_same_both_ways() {
        let raw = json!({"issuers": [{"name": "A", "certificateStore": "0x0000000000000000000000000000000000000001"}],
                         "a": {"b": "c"}, "list": [1, [], {}]});
        let doc = wrap_documents(&[raw], &mut rand::rng()).unwrap().remove(0);
        let text = doc.to_string();
        let data = doc["data"].to_string();
        let body = &data[1..data.len() - 1];
        let signature = doc["signature"].to_string();
        let cases = [
            text.clone(),
            // a repeated key: the last one counts
            text.replacen("\"data\":{", "\"data\":{\"a\":\"first\",", 1),
            // a top-level empty key whose children share paths with top-level keys
            text.replacen("\"data\":{", "\"data\":{\"\":{\"a\":{\"b\":\"x\"}},", 1),
            format!("{{\"data\":{{{body},\"__proto__\":\"x\"}},\"signature\":{signature}}}"),
            format!("{{\"data\":[1],\"signature\":{signature}}}"),
            format!("{{\"data\":{data},\"signature\":{signature},\"privacy\":null}}"),
            format!(
                "{{\"data\":{data},\"signature\":{signature},\"privacy\":{{\"obfuscatedData\":[\"AB\"]}}}}"
            ),
            format!(
                "{{\"data\":{data},\"signature\":{}}}",
                signature.replacen("{", "{\"proof\":[],", 1)
            ),
            format!(
                "{{\"data\":{data},\"signature\":{}}}",
                signature.replace("SHA3MerkleProof", "Other")
            ),
            format!("{{\"data\":{{\"a\\u0062\":\"\\n\"}},\"signature\":{signature}}}"),
        ];
        for case in &cases {
            both_ways(case);
        }
        // Read together, each document gets what it gets read alone, whatever the others are.
        let hidden = format!(
            "{{\"data\":{data},\"signature\":{signature},\"privacy\":{{\"obfuscatedData\":[\"{}\"]}}}}",
            crate::keccak256(b"hidden")
        );
        let mut texts: Vec<&[u8]> = cases.iter().map(|c| c.as_bytes()).collect();
        texts.push(hidden.as_bytes());
        texts.extend([&b"not json"[..], b"{\"data\":{\"a.b\":1},\"signature\":{}}"]);
        let outcome = |read: Result<WrappedDocument, ReadError>| match read {
            Ok(doc) => Ok((
                doc.digest().map_err(|e| e.to_string()),
                doc.obfuscated().to_vec(),
            )),
            Err(e) => Err(e.to_string()),
        };
        let together = read_wrapped_many(&texts, &mut HeadMemo::default());
        assert_eq!(together.len(), texts.len());
        for (text, read) in texts.iter().zip(together) {
            assert_eq!(
                outcome(read),
                outcome(read_wrapped(text)),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        assert!(both_ways(&text).is_some_and(|(d, schema)| d.is_some() && schema));
        // `undefined` drops a top-level field, as the reference's unsalting does: no schema
        // complaint that `id` is not a string
        let undefined = text.replacen(
            "\"data\":{",
            "\"data\":{\"id\":\"0b0e5d0e-8c8a-4c5b-9d1e-2f3a4b5c6d7e:undefined:\",",
            1,
        );
        assert!(both_ways(&undefined).is_some_and(|(_, schema)| schema));
        // an unknown type tag in a field the schema reads is a schema failure both ways
        let unknown = text.replacen(
            "\"data\":{",
            "\"data\":{\"id\":\"0b0e5d0e-8c8a-4c5b-9d1e-2f3a4b5c6d7e:date:x\",",
            1,
        );
        assert!(both_ways(&unknown).is_some_and(|(_, schema)| !schema));
        // every kind of value in the fields kept, unsalted the same both ways: undefined in an
        // object and in an array, numbers, booleans, null, escapes, empty containers
        let salted = |typed: &str| json!(format!("0b0e5d0e-8c8a-4c5b-9d1e-2f3a4b5c6d7e:{typed}"));
        let mut document = doc.clone();
        document["data"]["attachments"] = json!([
            salted("undefined:"),
            salted("number:1.50"),
            salted("number:x"),
            {},
            [],
            salted("boolean:true"),
            salted("null:"),
            7,
            -2,
            0.5,
            true,
            null,
            salted("string:a\"b\u{e9}\n")
        ]);
        document["data"]["recipient"] =
            json!({"name": salted("undefined:"), "k\"": salted("string:v")});
        both_ways(&document.to_string());
    }
}
