//! TradeTrust's document store contract: deployed from the compiled code the
//! `@tradetrust-tt/document-store` package ships, driven and asked through [`Chain`].

use std::path::{Path, PathBuf};

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, Bytes, TxKind};
use alloy::sol_types::{SolCall, SolValue};
use corridor_format::Hash32;

use crate::contracts::{DocumentStore as Abi, DocumentStoreConstructor, explain_revert};
use crate::{CallOutcome, Chain, ChainError};

/// Where the package keeps the document store's compiled code, below `node_modules`.
const PACKAGED_ARTIFACT: &str =
    "@tradetrust-tt/document-store/dist/contracts/factories/DocumentStore__factory.js";

/// Roots issued or revoked per transaction: well inside any network's block gas limit.
const PER_TRANSACTION: usize = 100;

/// The document store package's compiled code, looked for in `node_modules` (and
/// `compat/node_modules`, the test harness's) in `dir` and each folder above it.
pub fn find_artifact(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find_map(|d| {
        [d.join("node_modules"), d.join("compat/node_modules")]
            .into_iter()
            .map(|m| m.join(PACKAGED_ARTIFACT))
            .find(|p| p.is_file())
    })
}

/// The deployable code in a compiled artifact: a Hardhat or Truffle JSON artifact
/// (`bytecode`), or a TypeChain factory as the npm packages ship it (`_bytecode = "0x…"`).
pub fn read_bytecode(path: &Path) -> Result<Bytes, ChainError> {
    let bad = |problem: &str| ChainError::Invalid(format!("{}: {problem}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(&format!("cannot read it: {e}")))?;
    let hex = if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
        let code = &json["bytecode"];
        code.as_str()
            .or_else(|| code["object"].as_str())
            .map(str::to_string)
            .ok_or_else(|| bad("a JSON artifact without \"bytecode\""))?
    } else {
        // The assignment `_bytecode = "0x…"`, not the uses of the name before it.
        let value = text
            .match_indices("_bytecode")
            .find_map(|(at, name)| {
                let rest = text[at + name.len()..].trim_start().strip_prefix('=')?;
                let rest = rest.trim_start().strip_prefix('"')?;
                Some(&rest[..rest.find('"')?])
            })
            .ok_or_else(|| bad("neither a JSON artifact nor a factory with _bytecode = \"0x…\""))?;
        value.to_string()
    };
    let code: Bytes = hex
        .parse()
        .map_err(|_| bad("the bytecode is not hexadecimal"))?;
    if code.is_empty() {
        return Err(bad(
            "the bytecode is empty (an interface or abstract contract?)",
        ));
    }
    Ok(code)
}

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
        let mut code = bytecode.to_vec();
        code.extend(arguments.abi_encode_params());
        let receipt = chain.send(
            wallet,
            from,
            TxKind::Create,
            code.into(),
            "deploying the document store",
        )?;
        let address = receipt.contract_address.ok_or_else(|| {
            ChainError::Invalid(format!(
                "transaction {} deployed no contract",
                receipt.transaction_hash
            ))
        })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytecode_is_read_from_json_artifacts_and_factories() {
        let dir = std::env::temp_dir().join(format!("corridor-artifact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let json = dir.join("a.json");
        std::fs::write(&json, r#"{"abi": [], "bytecode": "0x6080"}"#).unwrap();
        assert_eq!(read_bytecode(&json).unwrap().to_vec(), [0x60, 0x80]);
        let js = dir.join("f.js");
        let factory = "super(_abi, _bytecode, signer);\nconst _bytecode = \"0x60806040\";\n";
        std::fs::write(&js, factory).unwrap();
        assert_eq!(read_bytecode(&js).unwrap().len(), 4);
        let empty = dir.join("e.json");
        std::fs::write(&empty, r#"{"bytecode": "0x"}"#).unwrap();
        assert!(
            read_bytecode(&empty)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let other = dir.join("o.txt");
        std::fs::write(&other, "hello").unwrap();
        let e = read_bytecode(&other).unwrap_err().to_string();
        assert!(e.contains("o.txt") && e.contains("neither"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
