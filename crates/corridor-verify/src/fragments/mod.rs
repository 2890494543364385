//! The checks, one module each.

pub mod chain_answers;
pub mod did_signed;
pub mod document_store;
pub mod hash;
pub mod identity;
pub mod token_registry;
