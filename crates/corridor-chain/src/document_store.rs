//! TradeTrust's document store contract: deployed from the compiled code the
//! `@tradetrust-tt/document-store` package ships, driven and asked through [`Chain`].

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, Bytes, TxKind};
use alloy::sol_types::{SolCall, SolValue};
use corridor_format::Hash32;

use crate::contracts::{DocumentStore as Abi, DocumentStoreConstructor, explain_revert};
use crate::{CallOutcome, Chain, ChainError};

/// Roots issued or revoked per transaction: well inside any network's block gas limit.
const PER_TRANSACTION: usize = 100;

/// A document store at an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentStore {
    pub address: Address,
}

/// What a document store records of a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreRecord {
    pub issued: bool,
    pub revoked: bool,
}

impl DocumentStore {
    /// Deploys a document store named `name`, owned (and so issuable and revocable) by `from`.
    pub fn deploy(
        chain: &Chain,
        wallet: &EthereumWallet,
        from: Address,
        bytecode: &Bytes,
        name: &str,
    ) -> Result<DocumentStore, ChainError> {
        let arguments: DocumentStoreConstructor = (name.to_string(), from);
        let address = chain.deploy(
            wallet,
            from,
            bytecode,
            &arguments.abi_encode_params(),
            "deploying the document store",
        )?;
        Ok(DocumentStore { address })
    }

    /// Checks that a contract is at the address and answers as a document store.
    pub fn check(&self, chain: &Chain) -> Result<String, ChainError> {
        if chain.code_at(self.address)?.is_empty() {
            return Err(ChainError::Invalid(format!(
                "{} on {} is not a contract",
                self.address,
                chain.target()
            )));
        }
        match chain.call(self.address, Abi::nameCall {}.abi_encode().into())? {
            CallOutcome::Returned(data) => Abi::nameCall::abi_decode_returns(&data).map_err(|_| {
                ChainError::Invalid(format!(
                    "{} does not answer as a document store",
                    self.address
                ))
            }),
            CallOutcome::Reverted(data) => Err(ChainError::Invalid(format!(
                "{} does not answer as a document store: {}",
                self.address,
                explain_revert(&data)
            ))),
        }
    }

    /// Issues `roots`, a hundred to a transaction. On failure, the error says how many were
    /// issued before it.
    pub fn issue(
        &self,
        chain: &Chain,
        wallet: &EthereumWallet,
        from: Address,
        roots: &[Hash32],
    ) -> Result<(), ChainError> {
        self.each_transaction(chain, wallet, from, roots, "issuing", |chunk| match chunk {
            [one] => Abi::issueCall {
                document: one.0.into(),
            }
            .abi_encode(),
            many => Abi::bulkIssueCall {
                documents: many.iter().map(|h| h.0.into()).collect(),
            }
            .abi_encode(),
        })
    }

    /// Revokes `hashes` (target hashes, nodes or roots).
    pub fn revoke(
        &self,
        chain: &Chain,
        wallet: &EthereumWallet,
        from: Address,
        hashes: &[Hash32],
    ) -> Result<(), ChainError> {
        self.each_transaction(
            chain,
            wallet,
            from,
            hashes,
            "revoking",
            |chunk| match chunk {
                [one] => Abi::revokeCall {
                    document: one.0.into(),
                }
                .abi_encode(),
                many => Abi::bulkRevokeCall {
                    documents: many.iter().map(|h| h.0.into()).collect(),
                }
                .abi_encode(),
            },
        )
    }

    fn each_transaction(
        &self,
        chain: &Chain,
        wallet: &EthereumWallet,
        from: Address,
        hashes: &[Hash32],
        doing: &str,
        encode: impl Fn(&[Hash32]) -> Vec<u8>,
    ) -> Result<(), ChainError> {
        for (i, chunk) in hashes.chunks(PER_TRANSACTION).enumerate() {
            let done = i * PER_TRANSACTION;
            let what = match chunk {
                [one] => format!("{doing} {one} on {}", self.address),
                many => format!(
                    "{doing} {} hashes on {} (after {done} of {})",
                    many.len(),
                    self.address,
                    hashes.len()
                ),
            };
            chain.send(
                wallet,
                from,
                TxKind::Call(self.address),
                encode(chunk).into(),
                &what,
            )?;
        }
        Ok(())
    }

    /// What the store records of each of `hashes`, asked in batches.
    pub fn records(
        &self,
        chain: &Chain,
        hashes: &[Hash32],
    ) -> Result<Vec<StoreRecord>, ChainError> {
        let mut calls = Vec::with_capacity(hashes.len() * 2);
        for hash in hashes {
            let document = hash.0.into();
            calls.push((
                self.address,
                Abi::isIssuedCall { document }.abi_encode().into(),
            ));
            calls.push((
                self.address,
                Abi::isRevokedCall { document }.abi_encode().into(),
            ));
        }
        let outcomes = chain.call_many(&calls)?;
        let flag = |outcome: &CallOutcome, asked: &str| -> Result<bool, ChainError> {
            match outcome {
                CallOutcome::Returned(data) => bool::abi_decode(data).map_err(|_| {
                    ChainError::Invalid(format!(
                        "{} answered {asked} with something other than a boolean: is it a document store?",
                        self.address
                    ))
                }),
                CallOutcome::Reverted(data) => Err(ChainError::Invalid(format!(
                    "{} refused {asked}: {}",
                    self.address,
                    explain_revert(data)
                ))),
            }
        };
        outcomes
            .chunks(2)
            .map(|pair| {
                Ok(StoreRecord {
                    issued: flag(&pair[0], "isIssued")?,
                    revoked: flag(&pair[1], "isRevoked")?,
                })
            })
            .collect()
    }
}

impl DocumentStore {
    /// The blocks in which `hash` was issued and revoked, where it was.
    pub fn blocks(
        &self,
        chain: &Chain,
        hash: &Hash32,
    ) -> Result<(Option<u64>, Option<u64>), ChainError> {
        let document = hash.0.into();
        let outcomes = chain.call_many(&[
            (
                self.address,
                Abi::getIssuedBlockCall { document }.abi_encode().into(),
            ),
            (
                self.address,
                Abi::documentRevokedCall { document }.abi_encode().into(),
            ),
        ])?;
        // getIssuedBlock refuses a hash that was not issued; documentRevoked answers 0.
        let block = |outcome: &CallOutcome| match outcome {
            CallOutcome::Returned(data) => alloy::primitives::U256::abi_decode(data)
                .ok()
                .filter(|b| !b.is_zero())
                .map(|b| b.saturating_to::<u64>()),
            CallOutcome::Reverted(_) => None,
        };
        Ok((block(&outcomes[0]), block(&outcomes[1])))
    }
}
