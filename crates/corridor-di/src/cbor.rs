//! The CBOR of proof values: read with `ciborium`, written as the suites' encoder (cborg)
//! writes it — shortest lengths, map keys in ascending order — so that a derived proof is
//! byte for byte the reference's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value as Cbor;

use crate::DiError;

pub(crate) fn bad(why: impl Into<String>) -> DiError {
    DiError::ProofValue(why.into())
}

/// A `proofValue`'s bytes: `u` + base64url.
pub(crate) fn multibase_bytes(text: &str) -> Result<Vec<u8>, DiError> {
    let encoded = text
        .strip_prefix('u')
        .ok_or_else(|| bad("only base64url multibase encoding is supported"))?;
    URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|e| bad(format!("not base64url: {e}")))
}

/// `u` + base64url of `bytes`.
pub(crate) fn multibase(bytes: &[u8]) -> String {
    format!("u{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub(crate) fn decode_array(payload: &[u8]) -> Result<Vec<Cbor>, DiError> {
    let mut reader = payload;
    let value: Cbor =
        ciborium::de::from_reader(&mut reader).map_err(|e| bad(format!("not CBOR: {e}")))?;
    if !reader.is_empty() {
        return Err(bad("bytes after the CBOR value"));
    }
    match value {
        Cbor::Array(items) => Ok(items),
        _ => Err(bad("the CBOR value must be an array")),
    }
}

/// Tag 64 (a typed byte array) read as its bytes, as the suite's decoder reads it.
pub(crate) fn untag(value: Cbor) -> Cbor {
    match value {
        Cbor::Tag(64, inner) => *inner,
        other => other,
    }
}

pub(crate) fn bytes_of(value: Cbor, name: &str) -> Result<Vec<u8>, DiError> {
    match untag(value) {
        Cbor::Bytes(b) => Ok(b),
        _ => Err(bad(format!("\"{name}\" must hold byte strings"))),
    }
}

pub(crate) fn fixed<const N: usize>(value: Cbor, name: &str) -> Result<[u8; N], DiError> {
    bytes_of(value, name)?
        .try_into()
        .map_err(|_| bad(format!("\"{name}\" must be {N} bytes")))
}

pub(crate) fn array(value: Cbor, name: &str) -> Result<Vec<Cbor>, DiError> {
    match untag(value) {
        Cbor::Array(items) => Ok(items),
        _ => Err(bad(format!("\"{name}\" must be an array"))),
    }
}

/// An integer that fits `T`.
pub(crate) fn int<T: TryFrom<i128>>(value: Cbor, name: &str) -> Result<T, DiError> {
    match untag(value) {
        Cbor::Integer(i) => {
            T::try_from(i128::from(i)).map_err(|_| bad(format!("\"{name}\" is out of range")))
        }
        _ => Err(bad(format!("\"{name}\" must hold integers"))),
    }
}

/// Writes a CBOR head: major type and argument, shortest form.
pub(crate) fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend(n.to_be_bytes());
        }
    }
}

pub(crate) fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    head(out, 2, b.len() as u64);
    out.extend_from_slice(b);
}

/// Writes an integer, negative ones as major type 1.
pub(crate) fn integer(out: &mut Vec<u8>, i: i64) {
    if i >= 0 {
        head(out, 0, i as u64);
    } else {
        head(out, 1, (-1 - i) as u64);
    }
}

/// Writes a text string.
pub(crate) fn text(out: &mut Vec<u8>, s: &str) {
    head(out, 3, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}
