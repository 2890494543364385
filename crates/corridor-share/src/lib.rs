//! Documents encrypted for sharing, as `@govtechsg/oa-encryption` 1.3 encrypts them
//! (`OPEN-ATTESTATION-TYPE-1`), so that TradeTrust opens what Corridor shares and Corridor
//! opens what TradeTrust shares: AES-256-GCM with a 96-bit IV and a 128-bit tag, over the
//! document text's UTF-8 bytes encoded as base64 (the package's own quirk: it encrypts the
//! base64, not the bytes). The cipher text, IV and tag travel as base64; the key as 64 hex
//! digits, apart from them — in a share link, only in the fragment, which browsers never send.
//!
//! Architecture invariant: no I/O. Randomness comes in as an `Rng`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The envelope type this crate reads and writes.
pub const TYPE_1: &str = "OPEN-ATTESTATION-TYPE-1";

/// A document encrypted: what is stored and sent. The key is not part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub cipher_text: String,
    pub iv: String,
    pub tag: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// A 256-bit key, wiped when dropped.
pub struct Key(Zeroizing<[u8; 32]>);

/// Why an envelope could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("expecting an envelope of type {TYPE_1}, found {0:?}")]
    UnknownType(String),
    #[error("the {0} is not valid base64 of the right length")]
    Encoding(&'static str),
    #[error("the key is not 64 hex digits")]
    BadKey,
    #[error("the key does not open this envelope, or the envelope was altered")]
    Refused,
    #[error("the opened document is not UTF-8 text")]
    NotText,
}

impl Key {
    /// A new random key.
    pub fn generate(rng: &mut impl rand::Rng) -> Key {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill(&mut bytes[..]);
        Key(bytes)
    }

    /// The key written as 64 hex digits, as oa-encryption writes it.
    pub fn from_hex(hex: &str) -> Result<Key, ShareError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        const_hex::decode_to_slice(hex.trim(), &mut bytes[..]).map_err(|_| ShareError::BadKey)?;
        Ok(Key(bytes))
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&(*self.0).into())
    }

    /// The key as 64 hex digits: a secret, to be put only where it is meant to go.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(const_hex::encode(&self.0[..]))
    }
}

/// Encrypts `document` (its text) with `key`.
///
/// ```
/// let key = corridor_share::Key::generate(&mut rand::rng());
/// let envelope = corridor_share::encrypt("{\"data\": 1}", &key, &mut rand::rng());
/// assert_eq!(corridor_share::decrypt(&envelope, &key).unwrap(), "{\"data\": 1}");
/// ```
pub fn encrypt(document: &str, key: &Key, rng: &mut impl rand::Rng) -> Envelope {
    let mut iv = [0u8; 12];
    rng.fill(&mut iv);
    let plain = Zeroizing::new(BASE64.encode(document.as_bytes()));
    let cipher = key.cipher();
    let mut sealed = cipher
        .encrypt(
            &Nonce::from(iv),
            Payload {
                msg: plain.as_bytes(),
                aad: &[],
            },
        )
        .expect("AES-GCM encrypts any length this crate is given");
    let tag = sealed.split_off(sealed.len() - 16);
    Envelope {
        cipher_text: BASE64.encode(&sealed),
        iv: BASE64.encode(iv),
        tag: BASE64.encode(&tag),
        kind: TYPE_1.to_string(),
    }
}

impl Envelope {
    /// Checks the envelope's shape — its type, and its parts' encodings and lengths — without
    /// the key: what a server that keeps envelopes can know.
    pub fn check(&self) -> Result<(), ShareError> {
        self.parts().map(|_| ())
    }

    /// Its size: the bytes of its fields, as a server keeps them.
    pub fn size(&self) -> usize {
        self.cipher_text.len() + self.iv.len() + self.tag.len() + self.kind.len()
    }

    /// The IV, and the cipher text with the tag after it, as AES-GCM takes them.
    fn parts(&self) -> Result<([u8; 12], Vec<u8>), ShareError> {
        if self.kind != TYPE_1 {
            return Err(ShareError::UnknownType(self.kind.clone()));
        }
        let iv: [u8; 12] = BASE64
            .decode(&self.iv)
            .ok()
            .and_then(|iv| iv.try_into().ok())
            .ok_or(ShareError::Encoding("iv"))?;
        let tag = BASE64
            .decode(&self.tag)
            .ok()
            .filter(|t| t.len() == 16)
            .ok_or(ShareError::Encoding("tag"))?;
        let mut sealed = BASE64
            .decode(&self.cipher_text)
            .map_err(|_| ShareError::Encoding("cipher text"))?;
        sealed.extend_from_slice(&tag);
        Ok((iv, sealed))
    }
}

/// Opens `envelope` with `key`: the document's text.
pub fn decrypt(envelope: &Envelope, key: &Key) -> Result<String, ShareError> {
    let (iv, sealed) = envelope.parts()?;
    let cipher = key.cipher();
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                &Nonce::from(iv),
                Payload {
                    msg: &sealed,
                    aad: &[],
                },
            )
            .map_err(|_| ShareError::Refused)?,
    );
    let bytes = BASE64.decode(&plain[..]).map_err(|_| ShareError::NotText)?;
    String::from_utf8(bytes).map_err(|_| ShareError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cipher_covers_the_documents_base64() {
        // Both ways with @govtechsg/oa-encryption itself: crates/corridor/tests/share.rs.
        let key = Key::from_hex("8ea1b3a01cd0e8ed2aa6e5a1b4f0e4ee7b9a1d1f0c1b0e1f2a3b4c5d6e7f8091")
            .unwrap();
        let mine = encrypt("{\"hello\":\"world\"}", &key, &mut rand::rng());
        assert_eq!(decrypt(&mine, &key).unwrap(), "{\"hello\":\"world\"}");
        // The plain text under the cipher is the base64 of the document, as the package does.
        assert_eq!(
            BASE64.decode(&mine.cipher_text).unwrap().len(),
            BASE64.encode("{\"hello\":\"world\"}").len()
        );
    }

    #[test]
    fn a_wrong_key_an_altered_envelope_and_another_type_are_refused() {
        let key = Key::generate(&mut rand::rng());
        let envelope = encrypt("a document", &key, &mut rand::rng());
        assert_eq!(
            decrypt(&envelope, &Key::generate(&mut rand::rng())),
            Err(ShareError::Refused)
        );
        let mut altered = envelope.clone();
        altered.tag = BASE64.encode([0u8; 16]);
        assert_eq!(decrypt(&altered, &key), Err(ShareError::Refused));
        let mut other = envelope.clone();
        other.kind = "OPEN-ATTESTATION-TYPE-2".into();
        assert!(matches!(
            decrypt(&other, &key),
            Err(ShareError::UnknownType(_))
        ));
        let mut short = envelope;
        short.iv = BASE64.encode([0u8; 8]);
        assert_eq!(decrypt(&short, &key), Err(ShareError::Encoding("iv")));
        assert!(Key::from_hex("12").is_err());
        let json = serde_json::to_value(encrypt("x", &key, &mut rand::rng())).unwrap();
        assert_eq!(json["type"], TYPE_1);
        assert!(json.get("cipherText").is_some() && json.get("key").is_none());
    }
}
