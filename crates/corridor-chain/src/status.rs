//! The chain as the verification pipeline asks it: [`ContractReader`] over a [`Chain`], each
//! run's questions sent as JSON-RPC batches and each answer decoded from the contracts' ABIs.

use alloy::primitives::{Address, B256, Bytes, FixedBytes, U256};
use alloy::sol_types::{SolCall, SolValue};
use corridor_verify::providers::{
    ChainUnavailable, ContractAnswer, ContractQuery, ContractReader, ProofOf,
};

use crate::contracts::{
    BATCHABLE_INTERFACE, DocumentStore, DocumentStoreBatchable, Erc165, TokenRegistry,
    explain_revert,
};
use crate::{CallOutcome, Chain};

/// Document store and token registry status, read from one network.
pub struct ChainContracts {
    pub chain: Chain,
}

/// What kind of answer a question expects.
enum Expect {
    Bool,
    /// A boolean where any failure means "no" (tt-verify's `supportsInterface` probe).
    BoolOrNo,
    Address,
}

fn word(hash: &corridor_format::Hash32) -> B256 {
    B256::from(hash.0)
}

fn proof_call(p: &ProofOf) -> (B256, B256, Vec<B256>) {
    (
        word(&p.root),
        word(&p.target),
        p.proof.iter().map(word).collect(),
    )
}

/// The call that answers `query`: its contract, calldata, and the answer's kind.
fn call_for(query: &ContractQuery) -> (Address, Bytes, Expect) {
    match query {
        ContractQuery::IsBatchable(store) => (
            *store,
            Erc165::supportsInterfaceCall {
                interfaceId: FixedBytes(BATCHABLE_INTERFACE),
            }
            .abi_encode()
            .into(),
            Expect::BoolOrNo,
        ),
        ContractQuery::IsIssued(store, hash) => (
            *store,
            DocumentStore::isIssuedCall {
                document: word(hash),
            }
            .abi_encode()
            .into(),
            Expect::Bool,
        ),
        ContractQuery::IsRevoked(store, hash) => (
            *store,
            DocumentStore::isRevokedCall {
                document: word(hash),
            }
            .abi_encode()
            .into(),
            Expect::Bool,
        ),
        ContractQuery::IsIssuedWithProof(store, p) => {
            let (root, document, proof) = proof_call(p);
            let call = DocumentStoreBatchable::isIssuedCall {
                documentRoot: root,
                document,
                proof,
            };
            (*store, call.abi_encode().into(), Expect::Bool)
        }
        ContractQuery::IsRevokedWithProof(store, p) => {
            let (root, document, proof) = proof_call(p);
            let call = DocumentStoreBatchable::isRevokedCall {
                documentRoot: root,
                document,
                proof,
            };
            (*store, call.abi_encode().into(), Expect::Bool)
        }
        ContractQuery::OwnerOf(registry, token) => (
            *registry,
            TokenRegistry::ownerOfCall {
                tokenId: U256::from_be_bytes(token.0),
            }
            .abi_encode()
            .into(),
            Expect::Address,
        ),
    }
}

/// The answer in `outcome` to a question expecting `expect`.
fn answer(outcome: &CallOutcome, expect: &Expect) -> ContractAnswer {
    match (outcome, expect) {
        (CallOutcome::Returned(data), Expect::BoolOrNo) => {
            ContractAnswer::Bool(bool::abi_decode(data).unwrap_or(false))
        }
        (CallOutcome::Reverted(_), Expect::BoolOrNo) => ContractAnswer::Bool(false),
        // No code at the address: the call "returns" nothing.
        (CallOutcome::Returned(data), _) if data.is_empty() => ContractAnswer::NoContract,
        (CallOutcome::Reverted(data), _) if data.is_empty() => ContractAnswer::NoContract,
        (CallOutcome::Reverted(data), _) => ContractAnswer::Refused(explain_revert(data)),
        (CallOutcome::Returned(data), Expect::Bool) => match bool::abi_decode(data) {
            Ok(b) => ContractAnswer::Bool(b),
            Err(_) => ContractAnswer::Unreadable(format!(
                "answered 0x{} where a boolean was expected",
                const_hex::encode(data)
            )),
        },
        (CallOutcome::Returned(data), Expect::Address) => match Address::abi_decode(data) {
            Ok(a) => ContractAnswer::Address(a),
            Err(_) => ContractAnswer::Unreadable(format!(
                "answered 0x{} where an address was expected",
                const_hex::encode(data)
            )),
        },
    }
}

impl ContractReader for ChainContracts {
    fn ask(&self, queries: &[ContractQuery]) -> Result<Vec<ContractAnswer>, ChainUnavailable> {
        let calls: Vec<(Address, Bytes, Expect)> = queries.iter().map(call_for).collect();
        let requests: Vec<(Address, Bytes)> = calls
            .iter()
            .map(|(to, data, _)| (*to, data.clone()))
            .collect();
        let outcomes = self
            .chain
            .call_many(&requests)
            .map_err(|e| ChainUnavailable(e.to_string()))?;
        Ok(outcomes
            .iter()
            .zip(&calls)
            .map(|(o, (_, _, expect))| answer(o, expect))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::{Revert, SolError};

    #[test]
    fn answers_are_told_apart() {
        let yes = Bytes::from(true.abi_encode());
        assert_eq!(
            answer(&CallOutcome::Returned(yes.clone()), &Expect::Bool),
            ContractAnswer::Bool(true)
        );
        assert_eq!(
            answer(&CallOutcome::Returned(Bytes::new()), &Expect::Bool),
            ContractAnswer::NoContract
        );
        assert_eq!(
            answer(&CallOutcome::Reverted(Bytes::new()), &Expect::Address),
            ContractAnswer::NoContract
        );
        assert_eq!(
            answer(&CallOutcome::Reverted(Bytes::new()), &Expect::BoolOrNo),
            ContractAnswer::Bool(false)
        );
        let refusal = Bytes::from(Revert::from("ERC721: invalid token ID").abi_encode());
        assert_eq!(
            answer(&CallOutcome::Reverted(refusal), &Expect::Address),
            ContractAnswer::Refused("ERC721: invalid token ID".into())
        );
        assert!(matches!(
            answer(
                &CallOutcome::Returned(Bytes::from(vec![1, 2])),
                &Expect::Bool
            ),
            ContractAnswer::Unreadable(_)
        ));
    }
}
