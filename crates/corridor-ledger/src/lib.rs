//! Where issuance and revocation are recorded, behind one trait, [`Ledger`]: the embedded
//! document store, a SQLite file (the default, nothing to install), and, in `corridor-chain`,
//! TradeTrust's document store contract on an EVM network. Commands issue, revoke and ask
//! through the trait and do not care which backend answers.
//!
//! The same file holds the embedded title registry ([`EmbeddedTitles`]), the SQLite backend
//! of `corridor_title::TitleRegistry`.
//!
//! Architecture invariant: every change to the embedded store is one transaction that also
//! appends to its hash-chained audit log; a change is recorded whole, with its audit entry, or
//! not at all.

mod shares;
mod store;
mod titles;
mod tokens;

pub use corridor_format::RevocationReason;
pub use store::{Audit, Batch, HashStatus, Revocation, Store, StoreError, show_time};
pub use titles::{
    DEFAULT_REGISTRY_NAME, EMBEDDED_CHAIN_ID, EmbeddedTitles, RegistryInfo, escrow_address,
};
pub use tokens::TokenInfo;

use corridor_format::Hash32;

/// A record of issuance and revocation.
pub trait Ledger {
    /// Where the records are kept, for messages: a file, or a contract on a network.
    fn describe(&self) -> String;

    /// Records `batches` as issued by `issuer`: all of them, or, on any refusal or failure,
    /// as many as the backend can promise (the embedded store: none; a chain: those whose
    /// transactions were mined, which the error names).
    fn issue(&mut self, issuer: &str, batches: &[Batch]) -> Result<(), LedgerError>;

    /// Revokes `hash`: a document's target hash, a node of its merkle tree, or a root.
    fn revoke(
        &mut self,
        issuer: &str,
        hash: Hash32,
        reason: RevocationReason,
        note: &str,
    ) -> Result<(), LedgerError>;

    /// What is recorded of `hash`, per issuer.
    fn status(&self, hash: &Hash32) -> Result<Vec<HashStatus>, LedgerError>;
}

/// Why a ledger could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The embedded store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another backend refused or failed; its error says where and why.
    #[error(transparent)]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

impl Ledger for Store {
    fn describe(&self) -> String {
        self.path().display().to_string()
    }

    fn issue(&mut self, issuer: &str, batches: &[Batch]) -> Result<(), LedgerError> {
        Ok(Store::issue(self, issuer, batches)?)
    }

    fn revoke(
        &mut self,
        issuer: &str,
        hash: Hash32,
        reason: RevocationReason,
        note: &str,
    ) -> Result<(), LedgerError> {
        Ok(Store::revoke(self, issuer, hash, reason, note)?)
    }

    fn status(&self, hash: &Hash32) -> Result<Vec<HashStatus>, LedgerError> {
        Ok(Store::status(self, hash)?)
    }
}
