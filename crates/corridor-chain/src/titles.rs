//! Titles on a token registry contract: each action is a transaction to the registry or the
//! title's escrow, refused with the contract's error before anything is sent; a title is read
//! from its escrow's getters, and its history from the escrow's events.

use std::collections::BTreeMap;

use alloy::consensus::{Transaction, TxEnvelope, TxLegacy};
use alloy::eips::eip2718::Decodable2718;
use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::rpc::types::{BlockNumberOrTag, Log, TransactionReceipt, TransactionRequest};
use alloy::sol_types::{SolCall, SolEvent};
use corridor_title::{
    Action, BURN_ADDRESS, Custody, HistoryEntry, ROLES, Receipt, RegistryError, Roles, Title,
    TitleError, TitleRegistry,
};
use k256::ecdsa::SigningKey;

use crate::contracts::{
    TitleEscrow as Escrow, TitleEscrowFactory, TokenRegistry as Registry, title_error,
};
use crate::{CallOutcome, Chain, ChainError, wallet};

/// A token registry contract on a chain, as a [`TitleRegistry`].
pub struct EvmTitles<'c> {
    chain: &'c Chain,
    registry: Address,
    factory: Address,
    /// The block the registry was deployed in: its escrows' events start there.
    genesis: u64,
}

impl<'c> EvmTitles<'c> {
    /// The token registry at `registry`, checked to answer as one.
    pub fn open(chain: &'c Chain, registry: Address) -> Result<EvmTitles<'c>, ChainError> {
        let not_registry = |why: String| {
            ChainError::Invalid(format!(
                "{registry} on {} is not a TradeTrust token registry: {why}",
                chain.target()
            ))
        };
        if chain.code_at(registry)?.is_empty() {
            return Err(not_registry("there is no contract at the address".into()));
        }
        let answers = chain.call_many(&[
            (
                registry,
                Registry::titleEscrowFactoryCall {}.abi_encode().into(),
            ),
            (registry, Registry::genesisCall {}.abi_encode().into()),
        ])?;
        let (CallOutcome::Returned(factory), CallOutcome::Returned(genesis)) =
            (&answers[0], &answers[1])
        else {
            return Err(not_registry(
                "it does not name a title escrow factory".into(),
            ));
        };
        let factory = Registry::titleEscrowFactoryCall::abi_decode_returns(factory)
            .map_err(|e| not_registry(e.to_string()))?;
        let genesis = Registry::genesisCall::abi_decode_returns(genesis)
            .map_err(|e| not_registry(e.to_string()))?;
        Ok(EvmTitles {
            chain,
            registry,
            factory,
            genesis: genesis.saturating_to(),
        })
    }

    /// The address of `token`'s title escrow, whether it exists yet or not.
    pub fn escrow(&self, token: U256) -> Result<Address, ChainError> {
        let call = TitleEscrowFactory::getEscrowAddressCall {
            tokenRegistry: self.registry,
            tokenId: token,
        };
        match self.chain.call(self.factory, call.abi_encode().into())? {
            CallOutcome::Returned(data) => {
                TitleEscrowFactory::getEscrowAddressCall::abi_decode_returns(&data)
                    .map_err(|e| self.unreadable("the title escrow factory", e))
            }
            CallOutcome::Reverted(_) => Err(ChainError::Invalid(format!(
                "the title escrow factory {} refused to name an escrow",
                self.factory
            ))),
        }
    }

    fn unreadable(&self, what: &str, error: impl std::fmt::Display) -> ChainError {
        ChainError::Invalid(format!(
            "{what} on {} answered unreadably: {error}",
            self.chain.target()
        ))
    }

    /// Sends `data` to `to` as `key`'s transaction; a revert is the rule it broke.
    fn transact(
        &self,
        key: &SigningKey,
        token: U256,
        action: &Action,
        (to, data): (Address, Vec<u8>),
    ) -> Result<Receipt, RegistryError> {
        let (wallet, from) = wallet(key);
        let what = format!("{} of token {token}", action.name());
        let receipt = self
            .chain
            .send(&wallet, from, TxKind::Call(to), data.into(), &what)
            .map_err(|e| self.refusal(e, token, Some(action)))?;
        Ok(Receipt {
            reference: receipt.transaction_hash.to_string(),
        })
    }

    /// A failed transaction (or its estimate) as the registry's answer: a revert is the rule
    /// it broke; any other failure (a node down, a revert with a reason) is said as it is.
    fn refusal(&self, error: ChainError, token: U256, action: Option<&Action>) -> RegistryError {
        match error {
            ChainError::Reverted { ref data, .. } if let Some(rule) = title_error(data) => {
                RegistryError::Refused(rule)
            }
            // Burning a token never minted makes the registry call an escrow that does not
            // exist, which reverts without data: the same refusal as restoring one.
            ChainError::Reverted { ref data, .. }
                if data.is_empty()
                    && matches!(action, Some(Action::AcceptReturn))
                    && matches!(self.title(token), Ok(None)) =>
            {
                RegistryError::Refused(TitleError::InvalidTokenId)
            }
            error => backend(error),
        }
    }

    /// Where `action` on `token` is sent, and its calldata: the registry for minting and for
    /// answering a surrender, the title's escrow for everything else.
    fn call_for(
        &self,
        token: U256,
        action: &Action,
        remark: &[u8],
    ) -> Result<(Address, Vec<u8>), RegistryError> {
        let remark = Bytes::copy_from_slice(remark);
        let registry_call = match action {
            Action::Mint {
                beneficiary,
                holder,
            } => Some(
                Registry::mintCall {
                    beneficiary: *beneficiary,
                    holder: *holder,
                    tokenId: token,
                    remark: remark.clone(),
                }
                .abi_encode(),
            ),
            Action::AcceptReturn => Some(
                Registry::burnCall {
                    tokenId: token,
                    remark: remark.clone(),
                }
                .abi_encode(),
            ),
            Action::RejectReturn => Some(
                Registry::restoreCall {
                    tokenId: token,
                    remark: remark.clone(),
                }
                .abi_encode(),
            ),
            _ => None,
        };
        if let Some(data) = registry_call {
            return Ok((self.registry, data));
        }
        let escrow = self.live_escrow(token)?;
        let data = match action {
            Action::Nominate { nominee } => Escrow::nominateCall {
                nominee: *nominee,
                remark,
            }
            .abi_encode(),
            Action::TransferBeneficiary { nominee } => Escrow::transferBeneficiaryCall {
                nominee: *nominee,
                remark,
            }
            .abi_encode(),
            Action::TransferHolder { holder } => Escrow::transferHolderCall {
                newHolder: *holder,
                remark,
            }
            .abi_encode(),
            Action::TransferOwners { nominee, holder } => Escrow::transferOwnersCall {
                nominee: *nominee,
                newHolder: *holder,
                remark,
            }
            .abi_encode(),
            Action::RejectTransferBeneficiary => {
                Escrow::rejectTransferBeneficiaryCall { remark }.abi_encode()
            }
            Action::RejectTransferHolder => {
                Escrow::rejectTransferHolderCall { remark }.abi_encode()
            }
            Action::RejectTransferOwners => {
                Escrow::rejectTransferOwnersCall { remark }.abi_encode()
            }
            Action::ReturnToIssuer => Escrow::returnToIssuerCall { remark }.abi_encode(),
            Action::Mint { .. } | Action::AcceptReturn | Action::RejectReturn => {
                unreachable!("sent to the registry above")
            }
        };
        Ok((escrow, data))
    }

    /// `token`'s title escrow, which must exist: a call to an escrow that does not would
    /// "succeed" as a plain transfer.
    fn live_escrow(&self, token: U256) -> Result<Address, RegistryError> {
        let escrow = self.escrow(token).map_err(backend)?;
        if self.chain.code_at(escrow).map_err(backend)?.is_empty() {
            return Err(RegistryError::Refused(TitleError::InvalidTokenId));
        }
        Ok(escrow)
    }

    /// The roles `party` holds on the registry, as its access control answers.
    pub fn roles_of(&self, party: Address) -> Result<Roles, ChainError> {
        let calls = ROLES.map(|role| {
            let call = Registry::hasRoleCall {
                role: role.id(),
                account: party,
            };
            (self.registry, call.abi_encode().into())
        });
        let answers = self.chain.call_many(&calls)?;
        let mut held = Vec::new();
        for (role, answer) in ROLES.into_iter().zip(answers) {
            let CallOutcome::Returned(data) = answer else {
                return Err(ChainError::Invalid(format!(
                    "the token registry {} refused to say who holds {}",
                    self.registry,
                    role.name()
                )));
            };
            if Registry::hasRoleCall::abi_decode_returns(&data)
                .map_err(|e| self.unreadable("the token registry", e))?
            {
                held.push((role, party));
            }
        }
        Ok(Roles::granted(held))
    }

    /// The unsigned transaction by which `from` would take `action` on `token`, for the party
    /// to sign where its key is; refused here, as [`TitleRegistry::act`] would refuse it,
    /// when the contract would refuse it.
    pub fn prepare(
        &self,
        from: Address,
        token: U256,
        action: &Action,
        remark: &[u8],
    ) -> Result<TxLegacy, RegistryError> {
        let (to, data) = self.call_for(token, action, remark)?;
        let what = format!("{} of token {token}", action.name());
        self.chain
            .prepare(from, TxKind::Call(to), data.into(), &what)
            .map_err(|e| self.refusal(e, token, Some(action)))
    }

    /// Sends `raw`, a transaction on `token` signed by its party elsewhere (as
    /// [`EvmTitles::prepare`] made it, or any call of this chain to the registry or the
    /// title's escrow), and waits until it is confirmed. One the contract would refuse is
    /// refused before it is sent.
    pub fn submit(&self, token: U256, raw: &[u8]) -> Result<Receipt, SubmitError> {
        let not_for_title = |why: String| SubmitError::NotForTitle(why);
        let envelope = TxEnvelope::decode_2718(&mut &raw[..])
            .map_err(|e| not_for_title(format!("not a signed transaction: {e}")))?;
        let chain_id = self.chain.target().chain_id;
        if envelope.chain_id() != Some(chain_id) {
            return Err(not_for_title(format!(
                "the transaction is signed for chain {}, not {} (chain id {chain_id})",
                envelope
                    .chain_id()
                    .map_or_else(|| "none".to_string(), |id| id.to_string()),
                self.chain.target()
            )));
        }
        let from = envelope
            .signature()
            .recover_address_from_prehash(&envelope.signature_hash())
            .map_err(|e| not_for_title(format!("its signature does not recover: {e}")))?;
        let to = envelope.to();
        if to != Some(self.registry) && to != Some(self.live_escrow(token)?) {
            return Err(not_for_title(format!(
                "the transaction is not a call to the registry {} or the escrow of token {token}",
                self.registry
            )));
        }
        let what = format!("a transaction on token {token}");
        let mut tx = TransactionRequest::default()
            .from(from)
            .input(envelope.input().clone().into())
            .value(envelope.value())
            .with_chain_id(chain_id);
        tx.to = envelope.kind().into();
        self.chain
            .estimate_gas(&tx, &what)
            .and_then(|_| {
                self.chain
                    .send_signed(Bytes::copy_from_slice(raw), *envelope.tx_hash(), &what)
            })
            .map(|receipt| Receipt {
                reference: receipt.transaction_hash.to_string(),
            })
            .map_err(|e| SubmitError::Registry(self.refusal(e, token, None)))
    }
}

/// Why a transaction signed elsewhere was not sent, or not confirmed.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// It is not a signed transaction of this chain on the title.
    #[error("{0}")]
    NotForTitle(String),
    /// The registry refused it, or the chain could not be asked.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

fn backend(error: ChainError) -> RegistryError {
    RegistryError::Backend(Box::new(error))
}

impl TitleRegistry for EvmTitles<'_> {
    fn describe(&self) -> String {
        format!(
            "token registry {} on {}",
            self.registry,
            self.chain.target()
        )
    }

    fn title(&self, token: U256) -> Result<Option<Title>, RegistryError> {
        let escrow = self.escrow(token).map_err(backend)?;
        let getters: [Vec<u8>; 7] = [
            Escrow::beneficiaryCall {}.abi_encode(),
            Escrow::holderCall {}.abi_encode(),
            Escrow::prevBeneficiaryCall {}.abi_encode(),
            Escrow::prevHolderCall {}.abi_encode(),
            Escrow::nomineeCall {}.abi_encode(),
            Escrow::activeCall {}.abi_encode(),
            Escrow::remarkCall {}.abi_encode(),
        ];
        let mut calls = vec![(
            self.registry,
            Registry::ownerOfCall { tokenId: token }.abi_encode().into(),
        )];
        calls.extend(getters.into_iter().map(|data| (escrow, data.into())));
        let answers = self.chain.call_many(&calls).map_err(backend)?;
        let owner = match &answers[0] {
            // The registry refuses to name the owner of a token it never minted.
            CallOutcome::Reverted(_) => return Ok(None),
            CallOutcome::Returned(data) => Registry::ownerOfCall::abi_decode_returns(data)
                .map_err(|e| backend(self.unreadable("the token registry", e)))?,
        };
        let returned = |i: usize| match &answers[i] {
            CallOutcome::Returned(data) => Ok(data.clone()),
            CallOutcome::Reverted(_) => Err(backend(ChainError::Invalid(format!(
                "the title escrow {escrow} of token {token} refused to be read"
            )))),
        };
        let address = |i: usize| -> Result<Address, RegistryError> {
            Escrow::beneficiaryCall::abi_decode_returns(&returned(i)?)
                .map_err(|e| backend(self.unreadable("a title escrow", e)))
        };
        let custody = if owner == escrow {
            Custody::Escrow
        } else if owner == self.registry {
            Custody::Surrendered
        } else if owner == BURN_ADDRESS {
            Custody::Burnt
        } else {
            return Err(backend(ChainError::Invalid(format!(
                "token {token} of {} is owned by {owner}, neither its escrow nor the registry",
                self.registry
            ))));
        };
        Ok(Some(Title {
            beneficiary: address(1)?,
            holder: address(2)?,
            prev_beneficiary: address(3)?,
            prev_holder: address(4)?,
            nominee: address(5)?,
            active: Escrow::activeCall::abi_decode_returns(&returned(6)?)
                .map_err(|e| backend(self.unreadable("a title escrow", e)))?,
            custody,
            remark: Escrow::remarkCall::abi_decode_returns(&returned(7)?)
                .map_err(|e| backend(self.unreadable("a title escrow", e)))?,
        }))
    }

    fn act(
        &mut self,
        key: &SigningKey,
        token: U256,
        action: &Action,
        remark: &[u8],
    ) -> Result<Receipt, RegistryError> {
        let call = self.call_for(token, action, remark)?;
        self.transact(key, token, action, call)
    }

    fn history(&self, token: U256) -> Result<Vec<HistoryEntry>, RegistryError> {
        let escrow = self.escrow(token).map_err(backend)?;
        let logs = self.chain.logs(escrow, self.genesis).map_err(backend)?;
        let mut by_transaction: BTreeMap<(u64, u64), (B256, Vec<Log>)> = BTreeMap::new();
        for log in logs {
            let (Some(block), Some(index), Some(hash)) = (
                log.block_number,
                log.transaction_index,
                log.transaction_hash,
            ) else {
                continue; // pending
            };
            by_transaction
                .entry((block, index))
                .or_insert_with(|| (hash, Vec::new()))
                .1
                .push(log);
        }
        let hashes: Vec<(B256,)> = by_transaction.values().map(|(hash, _)| (*hash,)).collect();
        let receipts: Vec<Option<TransactionReceipt>> = self
            .chain
            .request_many("eth_getTransactionReceipt", &hashes)
            .map_err(backend)?;
        let mut blocks: Vec<u64> = by_transaction.keys().map(|(block, _)| *block).collect();
        blocks.dedup();
        let numbered: Vec<(BlockNumberOrTag, bool)> = blocks
            .iter()
            .map(|n| (BlockNumberOrTag::Number(*n), false))
            .collect();
        let headers: Vec<Option<alloy::rpc::types::Block>> = self
            .chain
            .request_many("eth_getBlockByNumber", &numbered)
            .map_err(backend)?;
        let times: BTreeMap<u64, u64> = blocks
            .iter()
            .zip(headers)
            .filter_map(|(n, block)| Some((*n, block?.header.timestamp)))
            .collect();

        let mut parties = (Address::ZERO, Address::ZERO, Address::ZERO);
        let mut history = Vec::with_capacity(by_transaction.len());
        for (((block, _), (hash, logs)), receipt) in by_transaction.into_iter().zip(receipts) {
            let actor = receipt.map(|r| r.from).ok_or_else(|| {
                backend(ChainError::Invalid(format!(
                    "transaction {hash} has no receipt"
                )))
            })?;
            let Some((action, remark)) = classify(&logs, &mut parties) else {
                continue;
            };
            history.push(HistoryEntry {
                action,
                actor,
                beneficiary: parties.0,
                holder: parties.1,
                nominee: parties.2,
                remark,
                at: times.get(&block).copied().unwrap_or_default(),
                reference: hash.to_string(),
            });
        }
        Ok(history)
    }
}

/// The action a transaction's escrow events record, and its remark; `parties` (beneficiary,
/// holder, nominee) is brought up to date with the events.
fn classify(logs: &[Log], parties: &mut (Address, Address, Address)) -> Option<(Action, Bytes)> {
    let mut action = None;
    let mut remark = Bytes::new();
    let (mut beneficiary_to, mut holder_to, mut nominee_to) = (None, None, None);
    for log in logs {
        let data = &log.inner;
        if let Ok(e) = Escrow::TokenReceived::decode_log(data) {
            action = Some(if e.isMinting {
                Action::Mint {
                    beneficiary: e.beneficiary,
                    holder: e.holder,
                }
            } else {
                Action::RejectReturn
            });
            remark = e.remark.clone();
        } else if let Ok(e) = Escrow::Nomination::decode_log(data) {
            nominee_to = Some(e.nominee);
            if action.is_none() && beneficiary_to.is_none() {
                remark = e.remark.clone();
            }
        } else if let Ok(e) = Escrow::BeneficiaryTransfer::decode_log(data) {
            beneficiary_to = Some(e.toBeneficiary);
            remark = e.remark.clone();
        } else if let Ok(e) = Escrow::HolderTransfer::decode_log(data) {
            holder_to = Some(e.toHolder);
            if beneficiary_to.is_none() {
                remark = e.remark.clone();
            }
        } else if let Ok(e) = Escrow::ReturnToIssuer::decode_log(data) {
            action = Some(Action::ReturnToIssuer);
            remark = e.remark.clone();
        } else if let Ok(e) = Escrow::Shred::decode_log(data) {
            action = Some(Action::AcceptReturn);
            remark = e.remark.clone();
        } else if let Ok(e) = Escrow::RejectTransferOwners::decode_log(data) {
            action = Some(Action::RejectTransferOwners);
            remark = e.remark.clone();
        } else if let Ok(e) = Escrow::RejectTransferBeneficiary::decode_log(data) {
            action = Some(Action::RejectTransferBeneficiary);
            remark = e.remark.clone();
        } else if let Ok(e) = Escrow::RejectTransferHolder::decode_log(data) {
            action = Some(Action::RejectTransferHolder);
            remark = e.remark.clone();
        }
    }
    if let Some(to) = beneficiary_to {
        parties.0 = to;
    }
    if let Some(to) = holder_to {
        parties.1 = to;
    }
    if let Some(to) = nominee_to {
        parties.2 = to;
    }
    let action = action.or(match (beneficiary_to, holder_to, nominee_to) {
        (Some(nominee), Some(holder), _) => Some(Action::TransferOwners { nominee, holder }),
        (Some(nominee), None, _) => Some(Action::TransferBeneficiary { nominee }),
        (None, Some(holder), _) => Some(Action::TransferHolder { holder }),
        (None, None, Some(nominee)) => Some(Action::Nominate { nominee }),
        (None, None, None) => None,
    })?;
    Some((action, remark))
}
