//! What each verifying thread remembers from one document to the next. The documents of a
//! batch, verified one after another, share their issuer fields and the upper part of their
//! merkle tree; remembering them saves work and never changes an answer.

use std::cell::RefCell;

use corridor_format::HeadMemo;
use corridor_format::merkle::NodeMemo;

thread_local! {
    static HEADS: RefCell<HeadMemo> = RefCell::default();
    static NODES: RefCell<NodeMemo> = RefCell::default();
}

/// Runs `f` with this thread's memo of issuer fields.
pub(crate) fn with_heads<R>(f: impl FnOnce(&mut HeadMemo) -> R) -> R {
    HEADS.with(|memo| f(&mut memo.borrow_mut()))
}

/// Runs `f` with this thread's memo of merkle nodes.
pub(crate) fn with_nodes<R>(f: impl FnOnce(&mut NodeMemo) -> R) -> R {
    NODES.with(|memo| f(&mut memo.borrow_mut()))
}
