//! What a title registry backend offers — the embedded registry and a token registry contract
//! alike — and what a title's history records.

use alloy_primitives::{Address, Bytes, U256};
use k256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};

use crate::{Action, RegistryVersion, SignatureError, Title, TitleError};

/// A registry of titles, on a chain or embedded.
pub trait TitleRegistry {
    /// Where the registry is, for messages: a contract on a network, or a file.
    fn describe(&self) -> String;

    /// Whose rules its titles follow.
    fn version(&self) -> RegistryVersion;

    /// The title of `token`, or `None` if it was never minted.
    fn title(&self, token: U256) -> Result<Option<Title>, RegistryError>;

    /// `key`'s holder does `action` with `remark` on `token`. Accepted whole, or refused (or
    /// failed) with nothing changed.
    fn act(
        &mut self,
        key: &SigningKey,
        token: U256,
        action: &Action,
        remark: &[u8],
    ) -> Result<Receipt, RegistryError>;

    /// Every accepted action on `token`, oldest first.
    fn history(&self, token: U256) -> Result<Vec<HistoryEntry>, RegistryError>;
}

/// Where an accepted action is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The transaction's hash on a chain; the log entry's number in the embedded registry.
    pub reference: String,
}

/// One accepted action in a title's history, with the parties after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub action: Action,
    /// Who acted.
    #[serde(with = "crate::json::checksummed")]
    pub actor: Address,
    #[serde(with = "crate::json::checksummed")]
    pub beneficiary: Address,
    #[serde(with = "crate::json::checksummed")]
    pub holder: Address,
    #[serde(with = "crate::json::checksummed")]
    pub nominee: Address,
    #[serde(with = "crate::json::remark")]
    pub remark: Bytes,
    /// When, in seconds since the Unix epoch.
    pub at: u64,
    /// The transaction's hash on a chain; the log entry's number in the embedded registry.
    pub reference: String,
}

/// Why an action was not done, or a registry not read.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The rules refuse the action.
    #[error("{0}")]
    Refused(#[from] TitleError),
    /// A signed action that is not its actor's.
    #[error("{0}")]
    Signature(#[from] SignatureError),
    /// A signed action whose nonce was used already, or skips ahead.
    #[error(
        "{actor}'s action number {given} is not the next one ({expected}): replayed or out of order"
    )]
    Nonce {
        actor: Address,
        given: u64,
        expected: u64,
    },
    /// The backend failed (a node, a file); its error says where and why.
    #[error(transparent)]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}
