//! keccak256 of many short inputs at once.
//!
//! OpenAttestation's work is hashing many short, independent inputs: a document's leaves, the
//! documents' digests, the merkle nodes of a level. One Keccak-f\[1600\] permutation is a
//! chain of dependent steps that a processor cannot run faster by itself, but four
//! independent ones fit side by side in AVX2's 256-bit registers, each in its own 64-bit lane.
//! [`keccak256_many`] hashes its inputs that way where the processor has AVX2, and one at a
//! time (alloy's keccak256, the assembly of `keccak-asm`) where it has not.
//!
//! Written here rather than taken from a crate: RustCrypto's `keccak` has multi-lane
//! permutations only on nightly Rust (`core::simd`), and the crates that do it on stable are
//! young single-author projects; the permutation is short and is checked against alloy's
//! keccak256 on every length a document's inputs take, and fuzzed.
//!
//! ```
//! use corridor_keccak::keccak256_many;
//! let inputs: Vec<&[u8]> = vec![b"", b"abc", &[7; 300]];
//! let mut out = vec![[0u8; 32]; inputs.len()];
//! keccak256_many(&inputs, &mut out);
//! for (input, hash) in inputs.iter().zip(&out) {
//!     assert_eq!(alloy_primitives::keccak256(input).0, *hash);
//! }
//! ```

#[cfg(target_arch = "x86_64")]
mod avx2;

use std::sync::OnceLock;

/// The bytes keccak256 absorbs per permutation (1600 bits less twice the 256-bit capacity).
const RATE: usize = 136;

/// How the permutations run: one state at a time, or four side by side in AVX2 registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lanes {
    Scalar,
    Avx2,
}

impl Lanes {
    /// Every path, narrowest first.
    pub const ALL: [Lanes; 2] = [Lanes::Scalar, Lanes::Avx2];

    /// The path's name, as `CORRIDOR_KECCAK_LANES` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Lanes::Scalar => "scalar",
            Lanes::Avx2 => "avx2",
        }
    }

    /// How many inputs one permutation call hashes.
    pub fn width(self) -> usize {
        match self {
            Lanes::Scalar => 1,
            Lanes::Avx2 => 4,
        }
    }

    /// Whether this processor can run the path.
    pub fn available(self) -> bool {
        match self {
            Lanes::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Lanes::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            Lanes::Avx2 => false,
        }
    }

    /// The path named `name` (`scalar`, `avx2`), if this processor has it.
    pub fn named(name: &str) -> Result<Lanes, String> {
        let lanes = Lanes::ALL
            .into_iter()
            .find(|l| l.name() == name)
            .ok_or_else(|| format!("{name:?} is no keccak path; say scalar or avx2"))?;
        if lanes.available() {
            Ok(lanes)
        } else {
            Err(format!("this processor cannot run the {name} keccak path"))
        }
    }

    /// The path [`keccak256_many`] takes: the one `CORRIDOR_KECCAK_LANES` names (for
    /// measuring one path against another), else the widest this processor has.
    ///
    /// # Panics
    ///
    /// When `CORRIDOR_KECCAK_LANES` names no path, or one this processor cannot run: a
    /// measurement of the wrong path is worse than none.
    pub fn chosen() -> Lanes {
        static CHOSEN: OnceLock<Lanes> = OnceLock::new();
        *CHOSEN.get_or_init(|| match std::env::var("CORRIDOR_KECCAK_LANES") {
            Ok(name) => {
                Lanes::named(&name).unwrap_or_else(|e| panic!("CORRIDOR_KECCAK_LANES: {e}"))
            }
            Err(_) => Lanes::ALL
                .into_iter()
                .rev()
                .find(|l| l.available())
                .unwrap_or(Lanes::Scalar),
        })
    }
}

/// The keccak256 of each of `inputs`, in order, into `out`, by [`Lanes::chosen`].
///
/// # Panics
///
/// When `out` is not as long as `inputs`.
pub fn keccak256_many(inputs: &[&[u8]], out: &mut [[u8; 32]]) {
    keccak256_many_with(Lanes::chosen(), inputs, out);
}

/// [`keccak256_many`] by the path `lanes`, which must be [`Lanes::available`].
///
/// # Panics
///
/// When `out` is not as long as `inputs`, or the processor cannot run `lanes`.
pub fn keccak256_many_with(lanes: Lanes, inputs: &[&[u8]], out: &mut [[u8; 32]]) {
    assert_eq!(inputs.len(), out.len(), "one output per input");
    match lanes {
        Lanes::Scalar => scalar(inputs, out),
        Lanes::Avx2 => {
            assert!(lanes.available(), "this processor has no AVX2");
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the processor has AVX2, checked above.
            unsafe {
                avx2::keccak256_many(inputs, out)
            }
        }
    }
}

/// keccak256 of inputs written one after another, hashed side by side a batch at a time: the
/// way to hash a document's leaf texts, or a batch's digests, as they are written. An input is
/// kept only until the inputs waiting fill [`HashStream::BATCH_BYTES`], so memory stays
/// bounded however many there are.
///
/// ```
/// use corridor_keccak::HashStream;
/// let mut stream = HashStream::default();
/// stream.push(b"abc");
/// stream.push_with(|buf| buf.extend_from_slice(b"{\"a\":1}"));
/// let hashes: Vec<[u8; 32]> = stream.finish();
/// assert_eq!(hashes[1], alloy_primitives::keccak256(b"{\"a\":1}").0);
/// ```
#[derive(Debug, Clone)]
pub struct HashStream<H> {
    /// The bytes of the inputs waiting, one after another, and where each ends.
    bytes: Vec<u8>,
    ends: Vec<usize>,
    hashes: Vec<H>,
}

impl<H> Default for HashStream<H> {
    fn default() -> Self {
        HashStream {
            bytes: Vec::new(),
            ends: Vec::new(),
            hashes: Vec::new(),
        }
    }
}

impl<H: From<[u8; 32]>> HashStream<H> {
    /// The bytes of waiting inputs at which they are hashed: enough for hundreds of leaves,
    /// little enough to stay in cache.
    pub const BATCH_BYTES: usize = 64 << 10;

    /// Appends an input.
    pub fn push(&mut self, input: &[u8]) {
        self.push_with(|buf| buf.extend_from_slice(input));
    }

    /// Appends the input `write` appends to the buffer it is given (which holds the inputs
    /// before it: `write` must only append).
    pub fn push_with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.bytes);
        self.ends.push(self.bytes.len());
        if self.bytes.len() >= Self::BATCH_BYTES {
            self.hash_waiting();
        }
    }

    /// How many inputs there are, hashed or waiting.
    pub fn len(&self) -> usize {
        self.hashes.len() + self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keccak256 of every input, in order.
    pub fn finish(mut self) -> Vec<H> {
        self.hash_waiting();
        self.hashes
    }

    /// Hashes the waiting inputs together, by [`keccak256_many`], and forgets them.
    fn hash_waiting(&mut self) {
        let mut start = 0;
        let inputs: Vec<&[u8]> = self
            .ends
            .iter()
            .map(|&end| {
                let input = &self.bytes[start..end];
                start = end;
                input
            })
            .collect();
        let mut hashes = vec![[0; 32]; inputs.len()];
        keccak256_many(&inputs, &mut hashes);
        self.hashes.extend(hashes.into_iter().map(H::from));
        self.bytes.clear();
        self.ends.clear();
    }
}

fn scalar(inputs: &[&[u8]], out: &mut [[u8; 32]]) {
    for (input, hash) in inputs.iter().zip(out) {
        *hash = alloy_primitives::keccak256(input).0;
    }
}

/// How many permutations keccak256 runs on `len` bytes: every full block, and the padded last.
fn blocks(len: usize) -> usize {
    len / RATE + 1
}

/// Block `index` of `input` as keccak256 absorbs it: its bytes, padded (`0x01 … 0x80`) if it
/// is the last.
fn block(input: &[u8], index: usize) -> [u8; RATE] {
    let mut block = [0u8; RATE];
    let start = index * RATE;
    let bytes = &input[start.min(input.len())..input.len().min(start + RATE)];
    block[..bytes.len()].copy_from_slice(bytes);
    if index + 1 == blocks(input.len()) {
        block[bytes.len()] ^= 0x01;
        block[RATE - 1] ^= 0x80;
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    /// Inputs of every length from 0 to 300, mixed with random lengths, so that groups of
    /// four hold equal and unequal block counts.
    fn inputs(rng: &mut StdRng) -> Vec<Vec<u8>> {
        let mut lengths: Vec<usize> = (0..=300).collect();
        lengths.extend((0..300).map(|_| rng.random_range(0..=300)));
        lengths.extend([135, 136, 137, 271, 272, 273]);
        lengths
            .into_iter()
            .map(|n| (0..n).map(|_| rng.random()).collect())
            .collect()
    }

    #[test]
    fn every_path_gives_the_single_stream_hashes() {
        let mut rng = StdRng::seed_from_u64(0x4b45_4343_414b);
        let inputs = inputs(&mut rng);
        let expected: Vec<[u8; 32]> = inputs
            .iter()
            .map(|i| alloy_primitives::keccak256(i).0)
            .collect();
        // A processor these tests run on has each path (AVX2: every x86-64 machine of ours).
        for lanes in Lanes::ALL {
            assert!(
                lanes.available() || cfg!(not(target_arch = "x86_64")),
                "{lanes:?}"
            );
            if !lanes.available() {
                continue;
            }
            // Every count, so that the last group of four is partial in every way.
            for count in [0, 1, 2, 3, 4, 5, 7, 8, inputs.len()] {
                let slices: Vec<&[u8]> = inputs[..count].iter().map(Vec::as_slice).collect();
                let mut out = vec![[0u8; 32]; count];
                keccak256_many_with(lanes, &slices, &mut out);
                assert_eq!(out, expected[..count], "{lanes:?}, {count} inputs");
            }
            // In an order that puts long and short inputs in one group.
            let mut order: Vec<usize> = (0..inputs.len()).collect();
            order.reverse();
            order.rotate_left(3);
            let slices: Vec<&[u8]> = order.iter().map(|&i| inputs[i].as_slice()).collect();
            let mut out = vec![[0u8; 32]; slices.len()];
            keccak256_many_with(lanes, &slices, &mut out);
            for (k, &i) in order.iter().enumerate() {
                assert_eq!(
                    out[k],
                    expected[i],
                    "{lanes:?}, input of {} bytes",
                    inputs[i].len()
                );
            }
        }
    }

    #[test]
    fn a_stream_hashes_each_input_alone_in_batches() {
        let mut rng = StdRng::seed_from_u64(7);
        let all = inputs(&mut rng);
        // Enough inputs that the stream hashes several batches before the last.
        let many: Vec<&Vec<u8>> = all.iter().cycle().take(2000).collect();
        let mut stream = HashStream::default();
        for input in &many {
            stream.push(input);
        }
        assert_eq!(stream.len(), many.len());
        assert!(stream.bytes.len() < HashStream::<[u8; 32]>::BATCH_BYTES);
        let hashes: Vec<[u8; 32]> = stream.finish();
        assert_eq!(hashes.len(), many.len());
        for (input, hash) in many.iter().zip(&hashes) {
            assert_eq!(*hash, alloy_primitives::keccak256(input).0);
        }
        assert!(HashStream::<[u8; 32]>::default().is_empty());
    }

    #[test]
    fn paths_are_named_and_refused_when_unknown() {
        assert_eq!(Lanes::named("scalar"), Ok(Lanes::Scalar));
        assert!(
            Lanes::named("avx1024")
                .unwrap_err()
                .contains("scalar or avx2")
        );
        assert!(Lanes::chosen().available());
    }

    #[test]
    fn the_last_block_is_padded() {
        assert_eq!(blocks(0), 1);
        assert_eq!(blocks(135), 1);
        assert_eq!(blocks(136), 2);
        let b = block(&[9; 135], 0);
        assert_eq!(b[134..], [9, 0x81]);
        let b = block(&[9; 136], 1);
        assert_eq!((b[0], b[RATE - 1]), (0x01, 0x80));
    }
}
