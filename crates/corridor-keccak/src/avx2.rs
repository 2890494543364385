//! Four Keccak-f[1600] permutations side by side: lane `l` of register `i` is word `i` of
//! state `l` (XKCP's `KeccakP1600times4`).

use std::arch::x86_64::{
    __m256i, _mm256_andnot_si256, _mm256_set_epi64x, _mm256_set1_epi64x, _mm256_setzero_si256,
    _mm256_slli_epi64, _mm256_srli_epi64, _mm256_storeu_si256, _mm256_xor_si256,
};

use crate::{RATE, block, blocks};

/// The round constants of ι.
const RC: [u64; 24] = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808A,
    0x8000000080008000,
    0x000000000000808B,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008A,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000A,
    0x000000008000808B,
    0x800000000000008B,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800A,
    0x800000008000000A,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
];

/// `v` rotated left by `$left` bits (`$right` = 64 − `$left`; shifts of 64 give 0).
macro_rules! rotate {
    ($v:expr, $left:literal, $right:literal) => {
        _mm256_xor_si256(
            _mm256_slli_epi64::<$left>($v),
            _mm256_srli_epi64::<$right>($v),
        )
    };
}

/// Row `$y` of round's result `$to`: the five words of `$from` that ρ and π bring to it, each
/// with θ's column parity `$d` added and rotated by ρ's offset for it, then χ.
macro_rules! row {
    ($to:ident, $from:ident, $d:ident, $y:literal: $(($word:literal, $left:literal, $right:literal)),*) => {{
        let b = [$(rotate!(_mm256_xor_si256($from[$word], $d[$word % 5]), $left, $right)),*];
        for x in 0..5 {
            let kept = _mm256_andnot_si256(b[(x + 1) % 5], b[(x + 2) % 5]);
            $to[5 * $y + x] = _mm256_xor_si256(b[x], kept);
        }
    }};
}

/// One round of Keccak-f[1600] from the states `$from` into `$to`, with round constant `$rc`.
/// Word x + 5y goes to y + 5((2x + 3y) mod 5) (π); the rows below list where each comes from.
macro_rules! round {
    ($to:ident, $from:ident, $rc:expr) => {{
        let c: [__m256i; 5] = std::array::from_fn(|x| {
            _mm256_xor_si256(
                _mm256_xor_si256($from[x], $from[x + 5]),
                _mm256_xor_si256(_mm256_xor_si256($from[x + 10], $from[x + 15]), $from[x + 20]),
            )
        });
        let d: [__m256i; 5] = std::array::from_fn(|x| {
            _mm256_xor_si256(c[(x + 4) % 5], rotate!(c[(x + 1) % 5], 1, 63))
        });
        row!($to, $from, d, 0: (0, 0, 64), (6, 44, 20), (12, 43, 21), (18, 21, 43), (24, 14, 50));
        row!($to, $from, d, 1: (3, 28, 36), (9, 20, 44), (10, 3, 61), (16, 45, 19), (22, 61, 3));
        row!($to, $from, d, 2: (1, 1, 63), (7, 6, 58), (13, 25, 39), (19, 8, 56), (20, 18, 46));
        row!($to, $from, d, 3: (4, 27, 37), (5, 36, 28), (11, 10, 54), (17, 15, 49), (23, 56, 8));
        row!($to, $from, d, 4: (2, 62, 2), (8, 55, 9), (14, 39, 25), (15, 41, 23), (21, 2, 62));
        $to[0] = _mm256_xor_si256($to[0], _mm256_set1_epi64x($rc as i64));
    }};
}

/// Keccak-f[1600] on four states at once, two rounds a step so that each round reads one
/// array and writes the other.
#[target_feature(enable = "avx2")]
fn permute(a: &mut [__m256i; 25]) {
    let mut e = [_mm256_setzero_si256(); 25];
    for rc in RC.chunks_exact(2) {
        round!(e, a, rc[0]);
        round!(a, e, rc[1]);
    }
}

/// The keccak256 of each of `inputs` into `out`, four at a time.
///
/// The four lanes of a group run as many permutations as its longest input needs, so where
/// inputs of different block counts would share a group, the inputs are grouped by block
/// count instead of in order: a document's leaves are mostly one block, some two.
///
/// # Safety
///
/// The processor must have AVX2.
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn keccak256_many(inputs: &[&[u8]], out: &mut [[u8; 32]]) {
    let even = |group: &[&[u8]]| {
        let first = blocks(group[0].len());
        group.iter().all(|input| blocks(input.len()) == first)
    };
    if inputs.chunks(4).all(even) {
        for (group, hashes) in inputs.chunks(4).zip(out.chunks_mut(4)) {
            hash_group(group, hashes);
        }
        return;
    }
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by_key(|&i| blocks(inputs[i].len()));
    for indexes in order.chunks(4) {
        let mut group: [&[u8]; 4] = [&[]; 4];
        for (slot, &i) in group.iter_mut().zip(indexes) {
            *slot = inputs[i];
        }
        let mut hashes = [[0u8; 32]; 4];
        hash_group(&group[..indexes.len()], &mut hashes[..indexes.len()]);
        for (&i, hash) in indexes.iter().zip(hashes) {
            out[i] = hash;
        }
    }
}

/// The keccak256 of each of up to four inputs, side by side; an input that ends before the
/// others of its group gives its hash after its own last block.
#[target_feature(enable = "avx2")]
fn hash_group(group: &[&[u8]], hashes: &mut [[u8; 32]]) {
    // Blocks per lane; none for the lanes of a group of fewer than four.
    let mut lengths = [0usize; 4];
    for (length, input) in lengths.iter_mut().zip(group) {
        *length = blocks(input.len());
    }
    let longest = lengths.iter().copied().max().unwrap_or(0);
    let mut state = [_mm256_setzero_si256(); 25];
    for index in 0..longest {
        let mut words = [[0u64; RATE / 8]; 4];
        for (lane, input) in group.iter().enumerate() {
            if index < lengths[lane] {
                let block = block(input, index);
                for (word, bytes) in words[lane].iter_mut().zip(block.chunks_exact(8)) {
                    *word = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
                }
            }
        }
        for (i, register) in state.iter_mut().take(RATE / 8).enumerate() {
            let [w0, w1, w2, w3] = words.map(|lane| lane[i] as i64);
            *register = _mm256_xor_si256(*register, _mm256_set_epi64x(w3, w2, w1, w0));
        }
        permute(&mut state);
        if !lengths.contains(&(index + 1)) {
            continue;
        }
        let mut digest = [[0u64; 4]; 4];
        for (i, register) in state.iter().take(4).enumerate() {
            let mut lanes = [0u64; 4];
            // SAFETY: `lanes` is 32 bytes, an unaligned store's size.
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), *register) };
            for (lane, word) in lanes.into_iter().enumerate() {
                digest[lane][i] = word;
            }
        }
        for (lane, hash) in hashes.iter_mut().enumerate() {
            if lengths[lane] == index + 1 {
                for (bytes, word) in hash.chunks_exact_mut(8).zip(digest[lane]) {
                    bytes.copy_from_slice(&word.to_le_bytes());
                }
            }
        }
    }
}
