//! keccak256 of many inputs at once: every path this processor has gives alloy's single-stream
//! hashes, for any number of inputs of any lengths, in any order.
#![no_main]

use corridor_keccak::{Lanes, keccak256_many_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte of each input is its length (up to 255, so up to two blocks), then its
    // bytes; a length past the end takes what is left.
    let mut inputs: Vec<&[u8]> = Vec::new();
    let mut rest = data;
    while let Some((&length, tail)) = rest.split_first() {
        let (input, after) = tail.split_at(usize::from(length).min(tail.len()));
        inputs.push(input);
        rest = after;
    }
    let expected: Vec<[u8; 32]> = inputs
        .iter()
        .map(|input| alloy_primitives::keccak256(input).0)
        .collect();
    for lanes in Lanes::ALL.into_iter().filter(|l| l.available()) {
        let mut out = vec![[0u8; 32]; inputs.len()];
        keccak256_many_with(lanes, &inputs, &mut out);
        assert_eq!(out, expected, "{lanes:?}");
    }
});
