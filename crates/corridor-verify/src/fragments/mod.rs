//! The checks, one module each.

pub mod did_signed;
pub mod document_store;
pub mod hash;
pub mod identity;
pub mod offline;
