//! TradeTrust's contracts on EVM networks: networks by name ([`Network`]), a JSON-RPC client
//! that checks chain ids, retries and fails over across endpoints ([`Chain`]), the document
//! store ([`DocumentStore`]) and the token registry (v4 and v5), with reverts decoded from the contracts'
//! errors.
//!
//! Architecture invariant: a node that fails, times out or rate-limits is an error that says
//! the chain could not be asked — never an answer such as "not issued" or "revoked". Only a
//! contract's own return value or revert is an answer.

mod artifacts;
mod client;
pub mod contracts;
mod document_store;
mod ledger;
mod network;
mod status;
mod titles;
mod token_registry;

pub use artifacts::{
    DOCUMENT_STORE, Packaged, TITLE_ESCROW_FACTORY, TITLE_ESCROW_FACTORY_V4, TRADE_TRUST_TOKEN,
    TRADE_TRUST_TOKEN_V4, find_artifact, read_bytecode, token_registry_contracts,
};
pub use client::{CallOutcome, Chain, ChainError, ChainOptions, TxEvent, TxWatcher};
pub use document_store::{DocumentStore, StoreRecord};
pub use ledger::EvmLedger;
pub use network::{NETWORKS, Network, Target};
pub use status::ChainContracts;
pub use titles::{EvmTitles, SubmitError};
pub use token_registry::{EscrowFactory, TokenRegistry};

/// The wallet that signs transactions with `key`, and its address.
pub fn wallet(
    key: &k256::ecdsa::SigningKey,
) -> (alloy::network::EthereumWallet, alloy::primitives::Address) {
    let signer = alloy::signers::local::PrivateKeySigner::from_signing_key(key.clone());
    let address = signer.address();
    (signer.into(), address)
}
