//! Where issuance and revocation are recorded. Today: the embedded document store, a SQLite
//! file (the default ledger, nothing to install). The EVM backend, speaking to TradeTrust's
//! document store contract, joins it behind a common trait.
//!
//! Architecture invariant: every change to a store is one transaction that also appends to
//! its hash-chained audit log; a change is recorded whole, with its audit entry, or not at all.

mod store;

pub use corridor_format::RevocationReason;
pub use store::{Audit, Batch, HashStatus, Revocation, Store, StoreError, show_time};
