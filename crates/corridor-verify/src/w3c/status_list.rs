//! Bitstring Status Lists as TrustVC writes and reads them: the list gzipped and written in
//! base64url without padding and without the multibase `u` the specification asks for; bit
//! `i` is the bit `0x80 >> (i % 8)` of byte `i / 8`.

use std::io::Read;

use base64::Engine;

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
