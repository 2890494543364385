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

mod capture_jobs;
mod companies;
mod deployments;
mod disclosures;
mod feed;
mod location;
mod policies;
mod replica;
mod shares;
mod status_lists;
mod store;
#[cfg(test)]
mod testing;
mod titles;
mod tokens;
mod trace;

pub use capture_jobs::CaptureJob;
pub use companies::{
    CompanyConflict, CompanyCredential, CompanyImport, CompanyRow, CompanyWriter, CredentialWriter,
    StoredCompany,
};
pub use corridor_format::RevocationReason;
pub use disclosures::{Disclosed, DisclosureEntry, DisclosureQuery, Shape};
pub use policies::{PolicyKept, StoredPolicy};
pub use replica::{Applied, PeerRecall, PeerRevocation, PeerState};
pub use shares::{Deleter, Kept, ShareInfo, ShareLimits, new_share_id};
pub use status_lists::{StatusListRecord, StatusPurpose, url_path};
pub use store::{
    Audit, Batch, HashStatus, LocationError, Revocation, StatusListFault, Store, StoreError,
    StoreLocation, StoreReader, show_time,
};
pub use titles::{
    DEFAULT_REGISTRY_NAME, EMBEDDED_CHAIN_ID, EmbeddedTitles, RegistryInfo, escrow_address,
};
pub use tokens::{Issuers, LiveToken, Scope, Scopes, TokenInfo, TraceParty, token_digest};
pub use trace::{
    BatchFrame, EventWriter, RecordedEvent, ReferenceKind, SignedEvent, StoredCredential,
    StoredEvent, TraceEvent,
};

use corridor_format::Hash32;

/// A record of issuance and revocation.
///
/// Asked to record what it holds already — by the same issuer — a ledger leaves it as it is
/// and says so in [`Recorded::before`] rather than refusing the rest: on a chain, where a run
/// of several transactions can be cut short, running the command again finishes the job.
pub trait Ledger {
    /// Where the records are kept, for messages: a file, or a contract on a network.
    fn describe(&self) -> String;

    /// Whether a revocation's reason and note are kept (a document store contract keeps
    /// neither).
    fn keeps_reasons(&self) -> bool;

    /// Records `batches` as issued by `issuer`, but for the roots it has issued already: all
    /// of them, or, on any refusal or failure, as many as the backend can promise (the
    /// embedded store: none; a chain: those whose transactions were mined, which the error
    /// names).
    fn issue(&mut self, issuer: &str, batches: &[Batch]) -> Result<Recorded, LedgerError>;

    /// Revokes `hashes` (documents' target hashes, nodes of their merkle trees, or roots),
    /// but for those `issuer` has revoked already; all or as many as for [`Ledger::issue`].
    fn revoke(
        &mut self,
        issuer: &str,
        hashes: &[Hash32],
        reason: RevocationReason,
        note: &str,
    ) -> Result<Recorded, LedgerError>;

    /// What is recorded of `hash`, per issuer.
    fn status(&self, hash: &Hash32) -> Result<Vec<HashStatus>, LedgerError>;
}

/// What a ledger did with the hashes it was asked to record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Recorded by this call.
    pub now: Vec<Hash32>,
    /// Found recorded already by the same issuer, and left as they were.
    pub before: Vec<Hash32>,
}

/// Hashes each with whether it was recorded before, kept in order.
impl FromIterator<(Hash32, bool)> for Recorded {
    fn from_iter<I: IntoIterator<Item = (Hash32, bool)>>(hashes: I) -> Recorded {
        let mut recorded = Recorded::default();
        for (hash, before) in hashes {
            if before {
                recorded.before.push(hash);
            } else {
                recorded.now.push(hash);
            }
        }
        recorded
    }
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
        self.location().to_string()
    }

    fn keeps_reasons(&self) -> bool {
        true
    }

    fn issue(&mut self, issuer: &str, batches: &[Batch]) -> Result<Recorded, LedgerError> {
        let roots: Vec<Hash32> = batches.iter().map(|b| b.root).collect();
        let issued = self.issued_roots(issuer, &roots)?;
        let recorded: Recorded = roots.iter().map(|r| (*r, issued.contains(r))).collect();
        let new: Vec<Batch> = batches
            .iter()
            .filter(|b| !issued.contains(&b.root))
            .cloned()
            .collect();
        if !new.is_empty() {
            Store::issue(self, issuer, &new)?;
        }
        Ok(recorded)
    }

    fn revoke(
        &mut self,
        issuer: &str,
        hashes: &[Hash32],
        reason: RevocationReason,
        note: &str,
    ) -> Result<Recorded, LedgerError> {
        let recorded = hashes
            .iter()
            .map(|hash| Ok((*hash, self.first_revoked(Some(issuer), &[*hash])?.is_some())))
            .collect::<Result<Recorded, LedgerError>>()?;
        if !recorded.now.is_empty() {
            Store::revoke(self, issuer, &recorded.now, reason, note)?;
        }
        Ok(recorded)
    }

    fn status(&self, hash: &Hash32) -> Result<Vec<HashStatus>, LedgerError> {
        Ok(Store::status(self, hash)?)
    }
}
