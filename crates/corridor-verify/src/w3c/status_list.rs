//! Bitstring Status Lists as TrustVC writes and reads them: the list gzipped and written in
//! base64url without padding and without the multibase `u` the specification asks for; bit
//! `i` is the bit `0x80 >> (i % 8)` of byte `i / 8`.

use std::io::Read;

use base64::Engine;
use serde_json::Value;

/// The largest list read: 16 MiB of bits (134 million entries), far beyond any list in use,
/// so that a small gzip bomb cannot fill memory.
const MAX_LIST_BYTES: u64 = 16 << 20;

/// A decoded status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: Vec<u8>,
}

impl StatusList {
    /// Reads an `encodedList`. `Err` says why it cannot be read.
    ///
    /// ```
    /// use corridor_verify::w3c::StatusList;
    /// let list = StatusList::encode(&[0x80, 0x01]);
    /// let read = StatusList::decode(&list).unwrap();
    /// assert_eq!(read.len(), 16);
    /// assert_eq!((read.get(0), read.get(1), read.get(15)), (Some(true), Some(false), Some(true)));
    /// assert_eq!(read.get(16), None);
    /// ```
    pub fn decode(encoded: &str) -> Result<StatusList, String> {
        let gzipped = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded.trim_end_matches('='))
            .map_err(|e| format!("not base64url ({e})"))?;
        let mut bits = Vec::new();
        flate2::read::GzDecoder::new(&gzipped[..])
            .take(MAX_LIST_BYTES + 1)
            .read_to_end(&mut bits)
            .map_err(|e| format!("not gzip ({e})"))?;
        if bits.len() as u64 > MAX_LIST_BYTES {
            return Err(format!("longer than {MAX_LIST_BYTES} bytes"));
        }
        Ok(StatusList { bits })
    }

    /// Writes `bits` as an `encodedList`.
    pub fn encode(bits: &[u8]) -> String {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bits).expect("writing to memory");
        let gzipped = gz.finish().expect("writing to memory");
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(gzipped)
    }

    /// How many entries the list has.
    pub fn len(&self) -> u64 {
        self.bits.len() as u64 * 8
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// Entry `index`: set or not; `None` past the end.
    pub fn get(&self, index: u64) -> Option<bool> {
        let byte = self.bits.get(usize::try_from(index / 8).ok()?)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }
}

/// A list credential as last signed (`signed`), made ready to be signed again over `bits`: its
/// proof taken off and its `encodedList` written anew; with the verification method its proof
/// named, which signs it again. `Err` says what the kept credential lacks.
///
/// ```
/// use corridor_verify::w3c::{StatusList, list_to_sign_again};
/// let signed = serde_json::json!({
///     "credentialSubject": {"encodedList": StatusList::encode(&[0])},
///     "proof": {"verificationMethod": "did:web:x.example#keys-1"},
/// });
/// let (unsigned, method) = list_to_sign_again(&signed, &[0x80]).unwrap();
/// assert_eq!(method, "did:web:x.example#keys-1");
/// assert!(unsigned.get("proof").is_none());
/// let list = StatusList::decode(unsigned["credentialSubject"]["encodedList"].as_str().unwrap());
/// assert_eq!(list.unwrap().get(0), Some(true));
/// ```
pub fn list_to_sign_again(signed: &Value, bits: &[u8]) -> Result<(Value, String), String> {
    let mut credential = signed.clone();
    let method = credential["proof"]["verificationMethod"]
        .as_str()
        .ok_or("the list credential kept has no proof.verificationMethod")?
        .to_owned();
    let Some(subject) = credential
        .get_mut("credentialSubject")
        .and_then(Value::as_object_mut)
    else {
        return Err("the list credential kept has no credentialSubject".into());
    };
    subject.insert(
        "encodedList".into(),
        Value::String(StatusList::encode(bits)),
    );
    if let Some(object) = credential.as_object_mut() {
        object.remove("proof");
    }
    Ok((credential, method))
}

/// A credential's entries on status lists of `purpose` (`revocation` or `suspension`): each
/// list's URL and the entry's index (written as text, as TrustVC writes it, or as a number).
///
/// ```
/// let credential = serde_json::json!({"credentialStatus": [
///     {"statusPurpose": "revocation", "statusListIndex": "7", "statusListCredential": "https://x.example/1"},
///     {"statusPurpose": "suspension", "statusListIndex": 3, "statusListCredential": "https://x.example/2"},
/// ]});
/// assert_eq!(corridor_verify::w3c::status_entries(&credential, "revocation"), [("https://x.example/1".to_owned(), 7)]);
/// assert_eq!(corridor_verify::w3c::status_entries(&credential, "suspension"), [("https://x.example/2".to_owned(), 3)]);
/// ```
pub fn status_entries(credential: &Value, purpose: &str) -> Vec<(String, u64)> {
    let entries: Vec<&Value> = match credential.get("credentialStatus") {
        Some(Value::Array(entries)) => entries.iter().collect(),
        Some(entry) => vec![entry],
        None => Vec::new(),
    };
    entries
        .into_iter()
        .filter(|e| e["statusPurpose"] == purpose)
        .filter_map(|e| {
            let url = e["statusListCredential"].as_str()?;
            let index = match &e["statusListIndex"] {
                Value::String(text) => text.parse().ok()?,
                number => number.as_u64()?,
            };
            Some((url.to_owned(), index))
        })
        .collect()
}
