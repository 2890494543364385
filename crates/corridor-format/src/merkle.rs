//! Merkle batches: the tree over a batch's sorted target hashes, proofs, and their check.

use std::collections::HashMap;

use corridor_keccak::HashStream;

use crate::hash::sorted_pair;
use crate::{Hash32, combine_sorted, keccak256};

/// The merkle tree of a batch, built as the reference builds it: leaves sorted, adjacent pairs
/// joined with [`combine_sorted`], an odd last node carried up unchanged.
///
/// Unlike the reference, which searches the leaves linearly for every proof, finding a leaf is
/// a binary search, so proofs for a whole batch cost O(n log n).
///
/// ```
/// use corridor_format::{MerkleTree, keccak256};
/// let leaves: Vec<_> = (0u8..5).map(|i| keccak256([i])).collect();
/// let tree = MerkleTree::new(leaves.clone()).unwrap();
/// for leaf in &leaves {
///     let proof = tree.proof_of(leaf).unwrap();
///     assert_eq!(corridor_format::merkle::root_from_proof(leaf, &proof), tree.root());
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MerkleTree {
    /// `layers[0]` holds the sorted leaves, the last layer the root.
    layers: Vec<Vec<Hash32>>,
    root: Hash32,
}

impl MerkleTree {
    /// Builds the tree; `None` for an empty batch, which has no root.
    pub fn new(leaves: Vec<Hash32>) -> Option<Self> {
        let mut leaves = leaves;
        leaves.sort_unstable();
        let mut layers = vec![leaves];
        while let Some(below) = layers.last().filter(|l| l.len() > 1) {
            // A layer's pairs are hashed side by side.
            let mut parents = HashStream::default();
            for pair in below.chunks_exact(2) {
                parents.push(&sorted_pair(&pair[0], &pair[1]));
            }
            let mut next = parents.finish();
            // An odd last node is carried up unchanged.
            next.extend(below.chunks_exact(2).remainder());
            layers.push(next);
        }
        let root = *layers.last()?.first()?;
        Some(MerkleTree { layers, root })
    }

    /// The root: the only node of the top layer (the leaf itself for a batch of one).
    pub fn root(&self) -> Hash32 {
        self.root
    }

    /// The proof of `leaf`: its siblings from the bottom up, or `None` if it is not a leaf.
    /// Where a hash occurs twice, the first occurrence's proof serves both, as in the reference.
    pub fn proof_of(&self, leaf: &Hash32) -> Option<Vec<Hash32>> {
        let leaves = &self.layers[0];
        let index = leaves.partition_point(|h| h < leaf);
        (leaves.get(index) == Some(leaf)).then(|| self.proof_at(index))
    }

    fn proof_at(&self, mut index: usize) -> Vec<Hash32> {
        let mut proof = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let sibling = index ^ 1;
            if let Some(h) = layer.get(sibling) {
                proof.push(*h);
            }
            index /= 2;
        }
        proof
    }
}

/// Walks `proof` up from `leaf` and returns the root it arrives at.
pub fn root_from_proof(leaf: &Hash32, proof: &[Hash32]) -> Hash32 {
    proof
        .iter()
        .fold(*leaf, |acc, sibling| combine_sorted(&acc, sibling))
}

/// Parent nodes already computed, so that the documents of one batch, whose proofs share
/// the upper part of the tree, hash each shared node once instead of once per document.
///
/// A batch of n documents has n - 1 parents in all, where walking every proof separately
/// hashes about n log2 n. The memo keeps the nodes nearest the root (those shared by the
/// most documents) and is emptied when full, so its memory stays bounded whatever it is fed.
/// Its answers are exactly [`combine_sorted`]'s: it only saves the work.
///
/// ```
/// use corridor_format::{MerkleTree, keccak256, merkle::{NodeMemo, root_from_proof}};
/// let leaves: Vec<_> = (0u32..100).map(|i| keccak256(i.to_be_bytes())).collect();
/// let tree = MerkleTree::new(leaves.clone()).unwrap();
/// let mut memo = NodeMemo::default();
/// for leaf in &leaves {
///     let proof = tree.proof_of(leaf).unwrap();
///     assert_eq!(memo.root(leaf, &proof), root_from_proof(leaf, &proof));
/// }
/// ```
#[derive(Default)]
pub struct NodeMemo {
    parents: HashMap<[u8; 64], Hash32, foldhash::fast::RandomState>,
}

impl NodeMemo {
    /// Nodes this many levels below the root or nearer are kept: at most 2^17 - 2 of them per
    /// batch. Lower nodes, in batches over 65,536, are shared by few documents and hashed
    /// directly.
    const LEVELS_KEPT: usize = 16;
    /// Entries kept before the memo is emptied (at most about 13 MB).
    const CAPACITY: usize = 1 << 17;

    /// Walks `proof` up from `leaf`, as [`root_from_proof`], and returns the root.
    pub fn root(&mut self, leaf: &Hash32, proof: &[Hash32]) -> Hash32 {
        let mut node = *leaf;
        for (level, sibling) in proof.iter().enumerate() {
            node = self.parent(&node, sibling, proof.len() - level);
        }
        node
    }

    /// Every node from `leaf` up to the root, as [`path_from_proof`].
    pub fn path(&mut self, leaf: &Hash32, proof: &[Hash32]) -> Vec<Hash32> {
        let mut path = Vec::with_capacity(proof.len() + 1);
        path.push(*leaf);
        for (level, sibling) in proof.iter().enumerate() {
            let next = self.parent(&path[level], sibling, proof.len() - level);
            path.push(next);
        }
        path
    }

    /// The parent of `a` and `b`, which lies `depth` levels below the root (1: the root).
    fn parent(&mut self, a: &Hash32, b: &Hash32, depth: usize) -> Hash32 {
        if depth > Self::LEVELS_KEPT {
            return combine_sorted(a, b);
        }
        let pair = sorted_pair(a, b);
        if let Some(parent) = self.parents.get(&pair) {
            return *parent;
        }
        if self.parents.len() >= Self::CAPACITY {
            self.parents.clear();
        }
        let parent = keccak256(pair);
        self.parents.insert(pair, parent);
        parent
    }
}

/// Every node from `leaf` up to the root its proof leads to: the leaf, the intermediate
/// nodes, the root. These are the hashes whose revocation revokes the document.
///
/// ```
/// use corridor_format::{keccak256, merkle::{path_from_proof, root_from_proof}};
/// let (leaf, sibling) = (keccak256(b"a"), keccak256(b"b"));
/// let path = path_from_proof(&leaf, &[sibling]);
/// assert_eq!(path, vec![leaf, root_from_proof(&leaf, &[sibling])]);
/// ```
pub fn path_from_proof(leaf: &Hash32, proof: &[Hash32]) -> Vec<Hash32> {
    let mut path = Vec::with_capacity(proof.len() + 1);
    path.push(*leaf);
    for sibling in proof {
        let next = combine_sorted(&path[path.len() - 1], sibling);
        path.push(next);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keccak256;

    #[test]
    fn an_empty_batch_has_no_tree() {
        assert!(MerkleTree::new(Vec::new()).is_none());
    }

    #[test]
    fn single_leaf_is_its_own_root() {
        let leaf = keccak256(b"x");
        let tree = MerkleTree::new(vec![leaf]).unwrap();
        assert_eq!(tree.root(), leaf);
        assert_eq!(tree.proof_of(&leaf), Some(vec![]));
    }

    #[test]
    fn every_proof_reaches_the_root_for_all_small_sizes() {
        for n in 1..70u32 {
            let leaves: Vec<_> = (0..n).map(|i| keccak256(i.to_be_bytes())).collect();
            let tree = MerkleTree::new(leaves.clone()).unwrap();
            for leaf in &leaves {
                let proof = tree.proof_of(leaf).unwrap();
                assert!(proof.len() <= 7);
                assert_eq!(root_from_proof(leaf, &proof), tree.root(), "n={n}");
            }
            assert_eq!(tree.proof_of(&keccak256(b"absent")), None);
        }
    }

    #[test]
    fn the_memo_answers_as_the_plain_walk_even_when_emptied() {
        let leaves: Vec<_> = (0u32..3000).map(|i| keccak256(i.to_be_bytes())).collect();
        let tree = MerkleTree::new(leaves.clone()).unwrap();
        let mut memo = NodeMemo::default();
        for (i, leaf) in leaves.iter().enumerate() {
            let mut proof = tree.proof_of(leaf).unwrap();
            assert_eq!(memo.root(leaf, &proof), tree.root());
            assert_eq!(memo.path(leaf, &proof), path_from_proof(leaf, &proof));
            // A wrong sibling anywhere, including a remembered level, leads elsewhere.
            let level = i % proof.len();
            proof[level] = keccak256(b"forged");
            assert_eq!(memo.root(leaf, &proof), root_from_proof(leaf, &proof));
            assert_ne!(memo.root(leaf, &proof), tree.root());
            // Many roots' worth of pairs: the memo empties itself and stays exact.
            for j in 0..8u32 {
                let other = keccak256((i as u32 * 8 + j).to_le_bytes());
                assert_eq!(memo.root(&other, &proof), root_from_proof(&other, &proof));
            }
        }
        assert!(memo.parents.len() <= NodeMemo::CAPACITY);
    }

    #[test]
    fn three_leaves_carry_the_odd_one_up() {
        let mut l: Vec<_> = (0u8..3).map(|i| keccak256([i])).collect();
        l.sort();
        let tree = MerkleTree::new(l.clone()).unwrap();
        assert_eq!(
            tree.root(),
            combine_sorted(&combine_sorted(&l[0], &l[1]), &l[2])
        );
        assert_eq!(
            tree.proof_of(&l[2]),
            Some(vec![combine_sorted(&l[0], &l[1])])
        );
    }
}
