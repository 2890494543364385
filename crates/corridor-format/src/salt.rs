//! Salting: every leaf of the data becomes `<uuid v4>:<type>:<value>`, and back.

use std::borrow::Cow;

use rand::Rng;
use serde_json::{Map, Value};

use corridor_keccak::HashStream;

use crate::digest::{IndexText, enter, write_leaf_text};
use crate::{FormatError, Hash32, js};

/// Length of `<uuid>:`, where the typed value of a salted string starts.
const SALT_PREFIX_LEN: usize = 37;

/// Writes `data` salted, as compact JSON, into `out`, and returns the hash of every leaf.
///
/// Every primitive becomes `"<fresh uuid v4>:<type>:<value>"`, as the reference's `saltData`
/// writes it (`"ee7f3323-1634-4dea-8c12-f0bb83aff874:number:5"`); empty arrays and objects stay
/// as they are. Each leaf's text is written as the leaf is, and hashed side by side with the
/// others, so the salted data never exists as a tree. A key containing `.` is refused.
///
/// The hashes are in writing order, one per leaf: where flattened paths repeat (under a
/// top-level empty key) the caller must digest the written text instead.
pub(crate) fn write_salted(
    data: &Value,
    rng: &mut impl Rng,
    out: &mut Vec<u8>,
) -> Result<Vec<Hash32>, FormatError> {
    let mut salter = Salter {
        rng,
        path: String::with_capacity(128),
        salted: Vec::with_capacity(128),
        escaped: Vec::with_capacity(128),
        leaves: HashStream::default(),
    };
    salter.value(data, out)?;
    Ok(salter.leaves.finish())
}

struct Salter<'r, R> {
    rng: &'r mut R,
    path: String,
    salted: Vec<u8>,
    escaped: Vec<u8>,
    /// The leaves' texts, hashed side by side.
    leaves: HashStream<Hash32>,
}

impl<R: Rng> Salter<'_, R> {
    fn value(&mut self, value: &Value, out: &mut Vec<u8>) -> Result<(), FormatError> {
        match value {
            Value::Object(map) if !map.is_empty() => {
                out.push(b'{');
                for (i, (key, child)) in map.iter().enumerate() {
                    if key.contains('.') {
                        let parent = if self.path.is_empty() {
                            "data".into()
                        } else {
                            format!("data.{}", self.path)
                        };
                        return Err(FormatError::DottedKey {
                            parent,
                            key: key.clone(),
                        });
                    }
                    if i > 0 {
                        out.push(b',');
                    }
                    js::write_string(out, key);
                    out.push(b':');
                    let start = self.enter(key);
                    self.value(child, out)?;
                    self.path.truncate(start);
                }
                out.push(b'}');
            }
            Value::Array(items) if !items.is_empty() => {
                let mut digits = IndexText::default();
                out.push(b'[');
                for (i, child) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    let start = enter(&mut self.path, digits.format(i));
                    self.value(child, out)?;
                    self.path.truncate(start);
                }
                out.push(b']');
            }
            leaf => {
                self.escaped.clear();
                match leaf {
                    Value::Array(_) => self.escaped.extend_from_slice(b"[]"),
                    Value::Object(_) => self.escaped.extend_from_slice(b"{}"),
                    primitive => {
                        self.salted.clear();
                        write_salt(&mut self.salted, self.rng);
                        write_typed(&mut self.salted, primitive);
                        // Built from a UUID, an ASCII tag and text that was valid UTF-8.
                        js::write_string(
                            &mut self.escaped,
                            std::str::from_utf8(&self.salted).unwrap_or_default(),
                        );
                    }
                }
                out.extend_from_slice(&self.escaped);
                let (path, escaped) = (&self.path, &self.escaped);
                self.leaves.push_with(|buf| {
                    write_leaf_text(path, buf, |buf| buf.extend_from_slice(escaped))
                });
            }
        }
        Ok(())
    }

    fn enter(&mut self, key: &str) -> usize {
        enter(&mut self.path, key)
    }
}

fn write_salt(buf: &mut Vec<u8>, rng: &mut impl Rng) {
    // Bytes straight from the generator, so that a seeded one gives the same salts whatever
    // `rand` makes of arrays.
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    buf.extend_from_slice(uuid.hyphenated().encode_lower(&mut text).as_bytes());
    buf.push(b':');
}

/// Appends `<type>:<value>` as the reference's `primitiveToTypedString` writes it.
fn write_typed(buf: &mut Vec<u8>, value: &Value) {
    match value {
        Value::String(s) => {
            buf.extend_from_slice(b"string:");
            buf.extend_from_slice(s.as_bytes());
        }
        Value::Number(n) => {
            buf.extend_from_slice(b"number:");
            js::write_number(buf, js::number_value(n));
        }
        Value::Bool(b) => buf.extend_from_slice(if *b {
            b"boolean:true"
        } else {
            b"boolean:false"
        }),
        Value::Null => buf.extend_from_slice(b"null:null"),
        Value::Array(_) | Value::Object(_) => unreachable!("containers are recursed into"),
    }
}

/// A leaf of salted data read back as the value it stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Unsalted<'a> {
    /// `string:` — with the reference's quirk that trailing white space is trimmed away.
    String(Cow<'a, str>),
    /// `number:`, as JavaScript's `Number()` reads the text.
    Number(f64),
    /// `boolean:`; anything but `true` reads as false.
    Bool(bool),
    /// `null:`.
    Null,
    /// `undefined:`: the field counts as absent.
    Undefined,
}

/// A salted string whose type tag the reference does not know; it refuses such documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown type tag in salted value {0:?}")]
pub struct UnknownTypeTag(pub String);

/// Reads one salted string as the reference's `unsalt` does. A string that does not start
/// with a UUID v4 is returned as it is.
pub fn unsalt_str(s: &str) -> Result<Unsalted<'_>, UnknownTypeTag> {
    if !starts_with_uuid_v4(s) {
        return Ok(Unsalted::String(Cow::Borrowed(s)));
    }
    let typed = js::trim(&s[SALT_PREFIX_LEN.min(s.len())..]);
    let (tag, value) = typed.split_once(':').unwrap_or((typed, ""));
    Ok(match tag {
        "string" => Unsalted::String(Cow::Borrowed(value)),
        "number" => Unsalted::Number(js::parse_number(value)),
        "boolean" => Unsalted::Bool(value == "true"),
        "null" => Unsalted::Null,
        "undefined" => Unsalted::Undefined,
        _ => return Err(UnknownTypeTag(s.chars().take(120).collect())),
    })
}

/// Whether the text before the first `:` is a UUID v4 (either case), as `validator`'s
/// `isUUID(x, 4)` decides.
fn starts_with_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    // The text before the first `:` is 36 bytes long: 36 bytes, then the end or a `:` (the
    // 36 are checked below to hold no `:`).
    let Some(uuid) = b.get(..36) else {
        return false;
    };
    if b.get(36).is_some_and(|&c| c != b':') {
        return false;
    }
    // Every byte is looked at and the results folded together, without a branch per byte.
    let mut ok = uuid[14] == b'4' && matches!(uuid[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B');
    for (i, &c) in uuid.iter().enumerate() {
        ok &= if matches!(i, 8 | 13 | 18 | 23) {
            c == b'-'
        } else {
            c.is_ascii_hexdigit()
        };
    }
    ok
}

/// The unsalted data, as the reference's `getData` returns it. Fields whose type is
/// `undefined` are left out, as `JSON.stringify` leaves them out (in arrays they become null).
pub fn unsalt_data(data: &Value) -> Result<Value, UnknownTypeTag> {
    Ok(unsalt_value(data)?.unwrap_or(Value::Null))
}

/// One value unsalted; `None` for `undefined`.
pub(crate) fn unsalt_value(data: &Value) -> Result<Option<Value>, UnknownTypeTag> {
    Ok(Some(match data {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(unsalt_data)
                .collect::<Result<_, UnknownTypeTag>>()?,
        ),
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                if let Some(plain) = unsalt_value(v)? {
                    out.insert(k.clone(), plain);
                }
            }
            Value::Object(out)
        }
        Value::String(s) => return unsalt_leaf(s),
        other => other.clone(),
    }))
}

/// One salted string as the value it stands for; `None` for `undefined`, which the reference
/// drops from objects (and writes as `null` in arrays).
pub(crate) fn unsalt_leaf(s: &str) -> Result<Option<Value>, UnknownTypeTag> {
    Ok(Some(match unsalt_str(s)? {
        Unsalted::String(s) => Value::String(s.into_owned()),
        Unsalted::Number(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        Unsalted::Bool(b) => Value::Bool(b),
        Unsalted::Null => Value::Null,
        Unsalted::Undefined => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn salt_data(data: &Value) -> Value {
        let mut out = Vec::new();
        write_salted(data, &mut rand::rng(), &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn leaves_are_hashed_as_written() {
        let data = json!({"a": {"b": ["x", 1, [], {}]}, "": "empty key"});
        let mut out = Vec::new();
        let mut leaves = write_salted(&data, &mut rand::rng(), &mut out).unwrap();
        let mut expected = crate::leaf_hashes(&serde_json::from_slice(&out).unwrap()).unwrap();
        leaves.sort();
        expected.sort();
        assert_eq!(leaves, expected);
        let err =
            write_salted(&json!({"a": [{"b.c": 1}]}), &mut rand::rng(), &mut out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data.a.0: key \"b.c\" contains '.', which OpenAttestation cannot hash"
        );
    }

    #[test]
    fn salts_every_primitive_and_keeps_empty_containers() {
        let data = json!({"s": "a:b\n", "n": 1e21, "t": true, "z": null, "e": [], "o": {}, "l": [0.1, -0.0]});
        let salted = salt_data(&data);
        let tail = |v: &Value| v.as_str().unwrap()[SALT_PREFIX_LEN..].to_string();
        assert_eq!(tail(&salted["s"]), "string:a:b\n");
        assert_eq!(tail(&salted["n"]), "number:1e+21");
        assert_eq!(tail(&salted["t"]), "boolean:true");
        assert_eq!(tail(&salted["z"]), "null:null");
        assert_eq!(tail(&salted["l"][0]), "number:0.1");
        assert_eq!(tail(&salted["l"][1]), "number:0");
        assert_eq!(salted["e"], json!([]));
        assert_eq!(salted["o"], json!({}));
        assert!(starts_with_uuid_v4(salted["s"].as_str().unwrap()));
        assert_ne!(
            salted["s"].as_str().unwrap()[..36],
            salted["n"].as_str().unwrap()[..36]
        );
    }

    #[test]
    fn unsalt_round_trips() {
        let data =
            json!({"s": "x:y", "n": 42.5, "t": false, "z": null, "a": [{"b": "c"}], "e": {}});
        let salted = salt_data(&data);
        assert_eq!(unsalt_data(&salted).unwrap(), data);
    }

    #[test]
    fn unsalt_quirks_of_the_reference() {
        let u = "ee7f3323-1634-4dea-8c12-f0bb83aff874";
        assert_eq!(
            unsalt_str(&format!("{u}:string: a \n")).unwrap(),
            Unsalted::String(" a".into())
        );
        assert_eq!(
            unsalt_str("not salted").unwrap(),
            Unsalted::String("not salted".into())
        );
        assert_eq!(
            unsalt_str(&format!("{u}:boolean:TRUE")).unwrap(),
            Unsalted::Bool(false)
        );
        assert!(unsalt_str(&format!("{u}:date:2020")).is_err());
        // version nibble 1 is not a v4 UUID: the text is kept as it is
        let v1 = "ee7f3323-1634-1dea-8c12-f0bb83aff874:number:5";
        assert_eq!(unsalt_str(v1).unwrap(), Unsalted::String(v1.into()));
    }
}
