//! A v3 document's salts: one per leaf, kept apart from the data in `proof.salts` as base64 of
//! their JSON (`[{"value", "path"}]`), as the reference's `encodeSalt` and `decodeSalt` write
//! and read them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use serde_json::Value;

use crate::FormatError;
use crate::js::kind_of;

/// The length of a salt's text: 32 bytes of entropy written as hex.
const SALT_LENGTH: usize = 64;

/// One leaf's salt: the leaf's path and the text hashed in front of its value.
#[derive(Clone, PartialEq, Eq)]
pub struct Salt {
    /// The leaf's path, as `credentialSubject.class[0].type`.
    pub path: String,
    /// 64 characters: the hex of 32 random bytes when a wrap made it.
    pub value: String,
}

impl std::fmt::Debug for Salt {
    // A salt keeps an obfuscated field from being guessed: its value is not for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Salt({:?}, ..)", self.path)
    }
}

impl Salt {
    /// A fresh salt for the leaf at `path`: 32 bytes from `rng`, as hex.
    pub fn fresh(path: String, rng: &mut impl Rng) -> Salt {
        let bytes: [u8; 32] = rng.random();
        Salt {
            path,
            value: const_hex::encode(bytes),
        }
    }
}

/// `proof.salts` for `salts`: base64 (with padding) of their JSON, each `{"value", "path"}`.
pub fn encode_salts(salts: &[Salt]) -> String {
    let mut json = Vec::with_capacity(salts.len() * 110);
    json.push(b'[');
    for (i, salt) in salts.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        json.extend_from_slice(b"{\"value\":");
        crate::js::write_string(&mut json, &salt.value);
        json.extend_from_slice(b",\"path\":");
        crate::js::write_string(&mut json, &salt.path);
        json.push(b'}');
    }
    json.push(b']');
    STANDARD.encode(json)
}

/// Reads `proof.salts` as the reference's `decodeSalt` does: js-base64's lenient decoding
/// (either alphabet, anything else skipped), the bytes as UTF-8 (a bad sequence becomes
/// U+FFFD), then JSON that must be an array of salts of 64 characters each.
///
/// A salt whose path or value is not a string is refused, where JavaScript would go on with
/// whatever it is: no wrap writes one.
pub fn decode_salts(text: &str) -> Result<Vec<Salt>, FormatError> {
    let bad = |problem: String| FormatError::Shape {
        field: "proof.salts".into(),
        problem,
    };
    // What a wrap writes is plain base64; anything else is read as js-base64 reads it.
    let bytes = match STANDARD.decode(text) {
        Ok(bytes) => bytes,
        Err(_) => forgiving_base64(text).ok_or_else(|| bad("is not base64".into()))?,
    };
    let json = String::from_utf8_lossy(&bytes);
    // A wrap's salts, read straight into their type; anything else through a value, to say
    // which salt is wrong.
    if let Ok(salts) = serde_json::from_str::<Vec<PlainSalt>>(&json) {
        if salts
            .iter()
            .all(|s| s.value.encode_utf16().count() == SALT_LENGTH)
        {
            return Ok(salts
                .into_iter()
                .map(|s| Salt {
                    path: s.path,
                    value: s.value,
                })
                .collect());
        }
    }
    let value: Value =
        serde_json::from_str(&json).map_err(|e| bad(format!("does not hold JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(bad(format!(
            "must hold an array, found {}",
            kind_of(&value)
        )));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = |problem: String| FormatError::Shape {
                field: format!("proof.salts[{i}]"),
                problem,
            };
            let Value::Object(mut salt) = item else {
                return Err(at(format!("must be an object, found {}", kind_of(&item))));
            };
            let text = |salt: &mut serde_json::Map<String, Value>, key: &str| match salt
                .shift_remove(key)
            {
                Some(Value::String(s)) => Ok(s),
                other => Err(at(format!(
                    ".{key} must be a string, found {}",
                    other.as_ref().map_or("nothing", kind_of)
                ))),
            };
            let value = text(&mut salt, "value")?;
            if value.encode_utf16().count() != SALT_LENGTH {
                return Err(at("Salt must be 32 bytes".into()));
            }
            Ok(Salt {
                path: text(&mut salt, "path")?,
                value,
            })
        })
        .collect()
}

/// A salt as JSON holds it.
#[derive(serde::Deserialize)]
struct PlainSalt {
    value: String,
    path: String,
}

/// js-base64's `decode` on Node: `-` and `_` read as `+` and `/`, every character outside the
/// alphabet dropped (`=` too), then `atob`, which refuses a length of 4n + 1 and ignores the
/// bits that make no whole byte.
fn forgiving_base64(text: &str) -> Option<Vec<u8>> {
    let mut sextets = Vec::with_capacity(text.len());
    for byte in text.bytes() {
        sextets.push(match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => continue,
        });
    }
    if sextets.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    let (mut bits, mut held) = (0u32, 0u32);
    for sextet in sextets {
        bits = (bits << 6) | u32::from(sextet);
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_round_trip() {
        let salts = vec![
            Salt {
                path: "credentialSubject.name".into(),
                value: "a".repeat(64),
            },
            Salt {
                path: "émoji 🚢".into(),
                value: "b".repeat(64),
            },
        ];
        let text = encode_salts(&salts);
        assert_eq!(decode_salts(&text).unwrap(), salts);
        // js-base64 takes the URL alphabet and stray characters too.
        let url_safe = text.replace('+', "-").replace('/', "_");
        assert_eq!(decode_salts(&format!(" {url_safe}\n")).unwrap(), salts);
    }

    #[test]
    fn bad_salts_are_named() {
        let encode = |json: &str| STANDARD.encode(json);
        let short = encode(r#"[{"value":"ab","path":"a"}]"#);
        assert!(
            decode_salts(&short)
                .unwrap_err()
                .to_string()
                .contains("32 bytes")
        );
        assert!(
            decode_salts(&encode("{}"))
                .unwrap_err()
                .to_string()
                .contains("array")
        );
        assert!(decode_salts("A").is_err());
        assert!(decode_salts(&encode("not json")).is_err());
    }
}
