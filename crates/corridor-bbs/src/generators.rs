//! The ciphersuite's fixed points: `P1`, and the message generators `Q1, H1, H2…`, each
//! hashed to the curve from the one before's seed. They are the same for every key and every
//! signature, so the longest run asked for is kept (up to a bound) and shared.

use std::sync::{LazyLock, RwLock};

use crate::API_ID;
use crate::curve::{G1, expand_message_xmd};

/// `P1`, compressed: the ciphersuite's base point.
const P1: [u8; 48] = [
    0xa8, 0xce, 0x25, 0x61, 0x02, 0x84, 0x08, 0x21, 0xa3, 0xe9, 0x4e, 0xa9, 0x02, 0x5e, 0x46, 0x62,
    0xb2, 0x05, 0x76, 0x2f, 0x97, 0x76, 0xb3, 0xa7, 0x66, 0xc8, 0x72, 0xb9, 0x48, 0xf1, 0xfd, 0x22,
    0x5e, 0x7c, 0x59, 0x69, 0x85, 0x88, 0xe7, 0x0d, 0x11, 0x40, 0x6d, 0x16, 0x1b, 0x4e, 0x28, 0xc9,
];

static P1_POINT: LazyLock<G1> = LazyLock::new(|| G1::decompress(&P1).expect("P1 is a point of G1"));

pub fn p1() -> G1 {
    *P1_POINT
}

/// The most generators kept; a longer run (which only an unusually large credential asks
/// for) is computed past them each time.
const KEPT: usize = 4096;

struct Run {
    /// The seed the next generator is made from.
    seed: [u8; 48],
    points: Vec<G1>,
}

impl Run {
    fn new() -> Run {
        Run {
            seed: expand_message_xmd::<48>(
                &[API_ID, b"MESSAGE_GENERATOR_SEED"].concat(),
                &seed_dst(),
            ),
            points: Vec::new(),
        }
    }

    fn extend_to(&mut self, count: usize) {
        let (seed_dst, generator_dst) = (seed_dst(), [API_ID, b"SIG_GENERATOR_DST_"].concat());
        while self.points.len() < count {
            let i = self.points.len() as u64 + 1;
            let input = [&self.seed[..], &i.to_be_bytes()].concat();
            self.seed = expand_message_xmd::<48>(&input, &seed_dst);
            self.points.push(G1::hash(&self.seed, &generator_dst));
        }
    }
}

fn seed_dst() -> Vec<u8> {
    [API_ID, b"SIG_GENERATOR_SEED_"].concat()
}

static KEPT_RUN: LazyLock<RwLock<Run>> = LazyLock::new(|| RwLock::new(Run::new()));

/// The first `count` generators: `Q1`, then `H1…H(count-1)`.
pub fn generators(count: usize) -> Vec<G1> {
    {
        let kept = KEPT_RUN.read().unwrap_or_else(|e| e.into_inner());
        if kept.points.len() >= count {
            return kept.points[..count].to_vec();
        }
    }
    let mut kept = KEPT_RUN.write().unwrap_or_else(|e| e.into_inner());
    kept.extend_to(count.min(KEPT));
    if count <= KEPT {
        return kept.points[..count].to_vec();
    }
    let mut longer = Run {
        seed: kept.seed,
        points: kept.points.clone(),
    };
    drop(kept);
    longer.extend_to(count);
    longer.points
}
