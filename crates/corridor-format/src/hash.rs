//! The 32-byte hashes OpenAttestation is made of, and keccak256.

use std::fmt;
use std::str::FromStr;

/// A keccak256 digest: a target hash, a merkle root or a proof element.
///
/// OpenAttestation writes these as 64 lowercase hex digits without `0x`; that is what
/// [`Display`](fmt::Display) produces and what [`FromStr`] expects (either case is read).
///
/// ```
/// use corridor_format::Hash32;
/// let h: Hash32 = "7ad5eee7d4f56a0a7b69b8ff851a68c8eabdf0503f5576dda94781334e39634a".parse().unwrap();
/// assert_eq!(h.to_string().len(), 64);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Hash32(pub [u8; 32]);

/// Ordered as the bytes are (as Node's `Buffer.compare`), compared as two big-endian integers
/// rather than byte by byte: sorting a batch and joining merkle pairs compare a lot.
impl Ord for Hash32 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.halves().cmp(&other.halves())
    }
}

impl PartialOrd for Hash32 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash32 {
    fn halves(&self) -> (u128, u128) {
        let (hi, lo) = self.0.split_at(16);
        let half = |b: &[u8]| u128::from_be_bytes(b.try_into().unwrap_or_default());
        (half(hi), half(lo))
    }

    /// Sorts hashes in byte order, faster than `sort_unstable`: most pairs of hashes differ in
    /// their first 16 bytes, so a first pass compares only those, and only a run that shares
    /// them is compared in full.
    pub fn sort(hashes: &mut [Hash32]) {
        let high = |h: &Hash32| h.halves().0;
        hashes.sort_unstable_by_key(high);
        if hashes.windows(2).any(|w| high(&w[0]) == high(&w[1])) {
            hashes.sort_unstable();
        }
    }

    /// The bytes of the hash.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Writes the 64 lowercase hex digits into `out`.
    pub fn write_hex(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(const_hex::Buffer::<32>::new().format(&self.0).as_bytes());
    }

    /// The hash as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        const_hex::encode(self.0)
    }

    /// Whether `text` is exactly this hash's 64 lowercase hex digits.
    pub fn is_written_as(&self, text: &str) -> bool {
        const_hex::Buffer::<32>::new().format(&self.0) == text
    }

    /// Reads a hash as people and other tools write it: 64 hex digits in either case, with or
    /// without `0x` (ethers and block explorers write it; OpenAttestation does not).
    ///
    /// ```
    /// use corridor_format::Hash32;
    /// let bare = "7ad5eee7d4f56a0a7b69b8ff851a68c8eabdf0503f5576dda94781334e39634a";
    /// assert_eq!(Hash32::from_any_hex(&format!("0x{bare}")), bare.parse().ok());
    /// assert!(Hash32::from_any_hex("0x12").is_none());
    /// ```
    pub fn from_any_hex(text: &str) -> Option<Hash32> {
        let hex = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text);
        hex.parse().ok()
    }

    /// Reads a hex string as Node's `Buffer.from(text, "hex")` does — pairs of hex digits up to
    /// the first pair that is not one — and accepts it only if that gives exactly 32 bytes.
    ///
    /// This is how the reference reads proof elements and merkle roots, so a verifier must
    /// accept what it accepts (upper case, trailing non-hex text) and nothing else.
    pub fn from_node_hex(text: &str) -> Option<Hash32> {
        let bytes = text.as_bytes();
        let hash = const_hex::decode_to_array(bytes.get(..64)?).ok()?;
        // Node stops at the first pair that is not hex; one more pair is a 33rd byte.
        let longer = bytes
            .get(64..66)
            .is_some_and(|pair| pair.iter().all(u8::is_ascii_hexdigit));
        (!longer).then_some(Hash32(hash))
    }
}

/// Why a text is not a [`Hash32`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected 64 hex digits, got {0:?}")]
pub struct ParseHashError(pub String);

impl FromStr for Hash32 {
    type Err = ParseHashError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // `const_hex` would also take a `0x` prefix, which OpenAttestation never writes.
        if s.len() != 64 {
            return Err(ParseHashError(s.chars().take(80).collect()));
        }
        const_hex::decode_to_array(s)
            .map(Hash32)
            .map_err(|_| ParseHashError(s.to_string()))
    }
}

impl fmt::Display for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash32({self})")
    }
}

impl serde::Serialize for Hash32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl From<[u8; 32]> for Hash32 {
    fn from(bytes: [u8; 32]) -> Hash32 {
        Hash32(bytes)
    }
}

/// keccak256 of `data`.
pub fn keccak256(data: impl AsRef<[u8]>) -> Hash32 {
    Hash32(alloy_primitives::keccak256(data).0)
}

/// keccak256 of the two hashes concatenated in ascending order: how OpenAttestation joins
/// two nodes of a merkle tree.
pub fn combine_sorted(a: &Hash32, b: &Hash32) -> Hash32 {
    keccak256(sorted_pair(a, b))
}

/// The two hashes concatenated in ascending order: what [`combine_sorted`] hashes.
pub(crate) fn sorted_pair(a: &Hash32, b: &Hash32) -> [u8; 64] {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut pair = [0u8; 64];
    pair[..32].copy_from_slice(&lo.0);
    pair[32..].copy_from_slice(&hi.0);
    pair
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_lowercase() {
        let text = "7AD5eee7d4f56a0a7b69b8ff851a68c8eabdf0503f5576dda94781334e39634a";
        let h: Hash32 = text.parse().unwrap();
        assert_eq!(h.to_string(), text.to_lowercase());
        assert!("7ad5".parse::<Hash32>().is_err());
        assert!(format!("{}zz", &text[2..]).parse::<Hash32>().is_err());
        assert!(format!("0x{}", &text[2..]).parse::<Hash32>().is_err());
        assert!(h.is_written_as(&text.to_lowercase()));
        assert!(!h.is_written_as(text));
    }

    #[test]
    fn node_hex_stops_at_first_bad_pair() {
        let text = "7ad5eee7d4f56a0a7b69b8ff851a68c8eabdf0503f5576dda94781334e39634a";
        let h = Hash32::from_node_hex(text).unwrap();
        assert_eq!(Hash32::from_node_hex(&format!("{text}zz")), Some(h));
        assert_eq!(
            Hash32::from_node_hex(&format!("{text}00")),
            None,
            "33 bytes"
        );
        assert_eq!(Hash32::from_node_hex(&text[..62]), None, "31 bytes");
        assert_eq!(Hash32::from_node_hex(&format!("0x{text}")), None);
        assert_eq!(
            Hash32::from_node_hex(&format!("{text}0")),
            Some(h),
            "a lone digit"
        );
        assert_eq!(Hash32::from_node_hex(&format!("{text}0z")), Some(h));
        assert_eq!(Hash32::from_node_hex(&text.to_uppercase()), Some(h));
    }

    #[test]
    fn ordered_as_bytes() {
        let mut hashes: Vec<Hash32> = (0u8..=255).map(|i| keccak256([i])).collect();
        let mut as_bytes = hashes.clone();
        hashes.sort();
        as_bytes.sort_by_key(|a| a.0);
        assert_eq!(hashes, as_bytes);
        // equal first halves are ordered by the second
        let mut shared: Vec<Hash32> = as_bytes
            .iter()
            .rev()
            .map(|h| {
                let mut b = h.0;
                b[..16].fill(7);
                Hash32(b)
            })
            .collect();
        shared.extend(as_bytes.iter().rev());
        let mut expected = shared.clone();
        expected.sort_by_key(|a| a.0);
        Hash32::sort(&mut shared);
        assert_eq!(shared, expected);
        let mut low = [0u8; 32];
        low[31] = 1;
        let mut high = [0u8; 32];
        high[15] = 1;
        assert!(Hash32(low) < Hash32(high));
    }

    #[test]
    fn keccak_of_empty_input() {
        assert_eq!(
            keccak256([]).to_string(),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
    }

    #[test]
    fn combine_is_order_free() {
        let a = keccak256(b"a");
        let b = keccak256(b"b");
        assert_eq!(combine_sorted(&a, &b), combine_sorted(&b, &a));
        assert_ne!(combine_sorted(&a, &b), combine_sorted(&a, &a));
    }
}
