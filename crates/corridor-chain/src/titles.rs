//! Titles on a token registry contract, v4 or v5 as its interfaces say: each action is a
//! transaction to the registry or the title's escrow, refused with the contract's error before
//! anything is sent; a title is read from its escrow's getters, and its history from the
//! escrow's events.

use std::collections::BTreeMap;

use alloy::consensus::{Transaction, TxEnvelope, TxLegacy};
use alloy::eips::eip2718::Decodable2718;
use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::rpc::types::{BlockNumberOrTag, Log, TransactionReceipt, TransactionRequest};
use alloy::sol_types::{SolCall, SolEvent};
use corridor_title::{
    Action, BURN_ADDRESS, Custody, HistoryEntry, ROLES, Receipt, RegistryError, RegistryVersion,
    Roles, Title, TitleError, TitleRegistry,
};
use k256::ecdsa::SigningKey;

use crate::contracts::{
    Erc165, TitleEscrow as Escrow, TitleEscrowFactory, TitleEscrowV4 as EscrowV4,
    TokenRegistry as Registry, TokenRegistryV4 as RegistryV4, escrow_address_call, title_error,
};
use crate::{CallOutcome, Chain, ChainError, wallet};

/// A token registry contract on a chain, as a [`TitleRegistry`].
pub struct EvmTitles<'c> {
    chain: &'c Chain,
    registry: Address,
    factory: Address,
    /// The block the registry was deployed in: its escrows' events start there.
    genesis: u64,
    version: RegistryVersion,
}

impl<'c> EvmTitles<'c> {
    /// The token registry at `registry`, checked to answer as one; its version is the one
    /// whose minting interface it declares (ERC-165), as TrustVC tells them apart.
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
        // A registry's minting interface is its one function, so its id is that selector.
        let supports = |selector: [u8; 4]| {
            let call = Erc165::supportsInterfaceCall {
                interfaceId: selector.into(),
            };
            (registry, call.abi_encode().into())
        };
        let answers = chain.call_many(&[
            (
                registry,
                Registry::titleEscrowFactoryCall {}.abi_encode().into(),
            ),
            (registry, Registry::genesisCall {}.abi_encode().into()),
            supports(Registry::mintCall::SELECTOR),
            supports(RegistryV4::mintCall::SELECTOR),
        ])?;
        let says_yes = |answer: &CallOutcome| {
            matches!(answer, CallOutcome::Returned(data)
                if Erc165::supportsInterfaceCall::abi_decode_returns(data) == Ok(true))
        };
        let version = if says_yes(&answers[2]) {
            RegistryVersion::V5
        } else if says_yes(&answers[3]) {
            RegistryVersion::V4
        } else {
            return Err(not_registry(
                "it declares the minting interface of neither Token Registry v4 nor v5".into(),
            ));
        };
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
            version,
        })
    }

    /// The address of `token`'s title escrow, whether it exists yet or not.
    pub fn escrow(&self, token: U256) -> Result<Address, ChainError> {
        let call = escrow_address_call(self.version, self.registry, token);
        match self.chain.call(self.factory, call.into())? {
            // Both versions answer one address.
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
        let data = match self.version {
            RegistryVersion::V5 => Some(v5_calldata(token, action, remark)),
            RegistryVersion::V4 if remark.is_empty() => v4_calldata(token, action),
            RegistryVersion::V4 => None,
        }
        .ok_or(RegistryError::Refused(TitleError::NotInVersion4))?;
        let to = match action {
            Action::Mint { .. } | Action::AcceptReturn | Action::RejectReturn => self.registry,
            _ => self.live_escrow(token)?,
        };
        Ok((to, data))
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

/// `action` on `token` as a v5 registry or escrow takes it.
fn v5_calldata(token: U256, action: &Action, remark: &[u8]) -> Vec<u8> {
    let remark = Bytes::copy_from_slice(remark);
    match action {
        Action::Mint {
            beneficiary,
            holder,
        } => Registry::mintCall {
            beneficiary: *beneficiary,
            holder: *holder,
            tokenId: token,
            remark,
        }
        .abi_encode(),
        Action::AcceptReturn => Registry::burnCall {
            tokenId: token,
            remark,
        }
        .abi_encode(),
        Action::RejectReturn => Registry::restoreCall {
            tokenId: token,
            remark,
        }
        .abi_encode(),
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
        Action::RejectTransferHolder => Escrow::rejectTransferHolderCall { remark }.abi_encode(),
        Action::RejectTransferOwners => Escrow::rejectTransferOwnersCall { remark }.abi_encode(),
        Action::ReturnToIssuer => Escrow::returnToIssuerCall { remark }.abi_encode(),
    }
}

/// `action` on `token` as a v4 registry or escrow takes it; `None` for the rejections, which
/// v4 does not have.
fn v4_calldata(token: U256, action: &Action) -> Option<Vec<u8>> {
    Some(match action {
        Action::Mint {
            beneficiary,
            holder,
        } => RegistryV4::mintCall {
            beneficiary: *beneficiary,
            holder: *holder,
            tokenId: token,
        }
        .abi_encode(),
        Action::AcceptReturn => RegistryV4::burnCall { tokenId: token }.abi_encode(),
        Action::RejectReturn => RegistryV4::restoreCall { tokenId: token }.abi_encode(),
        Action::Nominate { nominee } => EscrowV4::nominateCall { nominee: *nominee }.abi_encode(),
        Action::TransferBeneficiary { nominee } => {
            EscrowV4::transferBeneficiaryCall { nominee: *nominee }.abi_encode()
        }
        Action::TransferHolder { holder } => {
            EscrowV4::transferHolderCall { newHolder: *holder }.abi_encode()
        }
        Action::TransferOwners { nominee, holder } => EscrowV4::transferOwnersCall {
            nominee: *nominee,
            newHolder: *holder,
        }
        .abi_encode(),
        Action::ReturnToIssuer => EscrowV4::surrenderCall {}.abi_encode(),
        Action::RejectTransferBeneficiary
        | Action::RejectTransferHolder
        | Action::RejectTransferOwners => return None,
    })
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
            "token registry {} ({}) on {}",
            self.registry,
            self.version.name(),
            self.chain.target()
        )
    }

    /// As the registry's interfaces said when it was opened.
    fn version(&self) -> RegistryVersion {
        self.version
    }

    fn title(&self, token: U256) -> Result<Option<Title>, RegistryError> {
        let escrow = self.escrow(token).map_err(backend)?;
        // v4's escrow has the first four; the previous parties and the remark are v5's.
        let mut getters = vec![
            Escrow::beneficiaryCall {}.abi_encode(),
            Escrow::holderCall {}.abi_encode(),
            Escrow::nomineeCall {}.abi_encode(),
            Escrow::activeCall {}.abi_encode(),
        ];
        if self.version == RegistryVersion::V5 {
            getters.extend([
                Escrow::prevBeneficiaryCall {}.abi_encode(),
                Escrow::prevHolderCall {}.abi_encode(),
                Escrow::remarkCall {}.abi_encode(),
            ]);
        }
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
        let (prev_beneficiary, prev_holder, remark) = match self.version {
            RegistryVersion::V5 => (
                address(5)?,
                address(6)?,
                Escrow::remarkCall::abi_decode_returns(&returned(7)?)
                    .map_err(|e| backend(self.unreadable("a title escrow", e)))?,
            ),
            RegistryVersion::V4 => (Address::ZERO, Address::ZERO, Bytes::new()),
        };
        Ok(Some(Title {
            beneficiary: address(1)?,
            holder: address(2)?,
            prev_beneficiary,
            prev_holder,
            nominee: address(3)?,
            active: Escrow::activeCall::abi_decode_returns(&returned(4)?)
                .map_err(|e| backend(self.unreadable("a title escrow", e)))?,
            custody,
            remark,
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
            let events: Vec<(EscrowEvent, Bytes)> = logs
                .iter()
                .filter_map(|log| escrow_event(self.version, log))
                .collect();
            let Some((action, remark)) = classify(&events, &mut parties) else {
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

/// What an escrow's event says happened, in either version's words.
enum EscrowEvent {
    /// The token came into the escrow: minted, or restored after a surrender.
    Received {
        minting: bool,
        beneficiary: Address,
        holder: Address,
    },
    Nomination(Address),
    BeneficiaryTransfer(Address),
    HolderTransfer(Address),
    /// The title went back to the registry (v5 `ReturnToIssuer`, v4 `Surrender`).
    Returned,
    Shred,
    Rejected(Action),
}

/// `log` as an escrow event of `version`, and its remark (none in v4); `None` for any other log.
fn escrow_event(version: RegistryVersion, log: &Log) -> Option<(EscrowEvent, Bytes)> {
    let data = &log.inner;
    Some(match version {
        RegistryVersion::V5 => {
            if let Ok(e) = Escrow::TokenReceived::decode_log(data) {
                let received = EscrowEvent::Received {
                    minting: e.isMinting,
                    beneficiary: e.beneficiary,
                    holder: e.holder,
                };
                (received, e.remark.clone())
            } else if let Ok(e) = Escrow::Nomination::decode_log(data) {
                (EscrowEvent::Nomination(e.nominee), e.remark.clone())
            } else if let Ok(e) = Escrow::BeneficiaryTransfer::decode_log(data) {
                (
                    EscrowEvent::BeneficiaryTransfer(e.toBeneficiary),
                    e.remark.clone(),
                )
            } else if let Ok(e) = Escrow::HolderTransfer::decode_log(data) {
                (EscrowEvent::HolderTransfer(e.toHolder), e.remark.clone())
            } else if let Ok(e) = Escrow::ReturnToIssuer::decode_log(data) {
                (EscrowEvent::Returned, e.remark.clone())
            } else if let Ok(e) = Escrow::Shred::decode_log(data) {
                (EscrowEvent::Shred, e.remark.clone())
            } else if let Ok(e) = Escrow::RejectTransferOwners::decode_log(data) {
                let rejected = EscrowEvent::Rejected(Action::RejectTransferOwners);
                (rejected, e.remark.clone())
            } else if let Ok(e) = Escrow::RejectTransferBeneficiary::decode_log(data) {
                let rejected = EscrowEvent::Rejected(Action::RejectTransferBeneficiary);
                (rejected, e.remark.clone())
            } else if let Ok(e) = Escrow::RejectTransferHolder::decode_log(data) {
                let rejected = EscrowEvent::Rejected(Action::RejectTransferHolder);
                (rejected, e.remark.clone())
            } else {
                return None;
            }
        }
        RegistryVersion::V4 => {
            let event = if let Ok(e) = EscrowV4::TokenReceived::decode_log(data) {
                EscrowEvent::Received {
                    minting: e.isMinting,
                    beneficiary: e.beneficiary,
                    holder: e.holder,
                }
            } else if let Ok(e) = EscrowV4::Nomination::decode_log(data) {
                EscrowEvent::Nomination(e.nominee)
            } else if let Ok(e) = EscrowV4::BeneficiaryTransfer::decode_log(data) {
                EscrowEvent::BeneficiaryTransfer(e.toBeneficiary)
            } else if let Ok(e) = EscrowV4::HolderTransfer::decode_log(data) {
                EscrowEvent::HolderTransfer(e.toHolder)
            } else if EscrowV4::Surrender::decode_log(data).is_ok() {
                EscrowEvent::Returned
            } else if EscrowV4::Shred::decode_log(data).is_ok() {
                EscrowEvent::Shred
            } else {
                return None;
            };
            (event, Bytes::new())
        }
    })
}

/// The action a transaction's escrow events record, and its remark; `parties` (beneficiary,
/// holder, nominee) is brought up to date with the events.
fn classify(
    events: &[(EscrowEvent, Bytes)],
    parties: &mut (Address, Address, Address),
) -> Option<(Action, Bytes)> {
    let mut action = None;
    let mut remark = Bytes::new();
    let (mut beneficiary_to, mut holder_to, mut nominee_to) = (None, None, None);
    for (event, said) in events {
        match event {
            EscrowEvent::Received {
                minting,
                beneficiary,
                holder,
            } => {
                action = Some(if *minting {
                    Action::Mint {
                        beneficiary: *beneficiary,
                        holder: *holder,
                    }
                } else {
                    Action::RejectReturn
                });
                remark = said.clone();
            }
            EscrowEvent::Nomination(nominee) => {
                nominee_to = Some(*nominee);
                if action.is_none() && beneficiary_to.is_none() {
                    remark = said.clone();
                }
            }
            EscrowEvent::BeneficiaryTransfer(to) => {
                beneficiary_to = Some(*to);
                remark = said.clone();
            }
            EscrowEvent::HolderTransfer(to) => {
                holder_to = Some(*to);
                if beneficiary_to.is_none() {
                    remark = said.clone();
                }
            }
            EscrowEvent::Returned => {
                action = Some(Action::ReturnToIssuer);
                remark = said.clone();
            }
            EscrowEvent::Shred => {
                action = Some(Action::AcceptReturn);
                remark = said.clone();
            }
            EscrowEvent::Rejected(rejection) => {
                action = Some(rejection.clone());
                remark = said.clone();
            }
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
