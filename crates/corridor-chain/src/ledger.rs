//! The document store contract as a [`Ledger`]: what `corridor issue`, `revoke` and `status`
//! do with `--ledger evm`.

use alloy::network::EthereumWallet;
use alloy::primitives::Address;
use corridor_format::Hash32;
use corridor_ledger::{
    Batch, HashStatus, Ledger, LedgerError, Recorded, Revocation, RevocationReason,
};

use crate::{Chain, ChainError, DocumentStore};

/// A document store on a network, and the key that issues and revokes on it (none: read only).
pub struct EvmLedger {
    pub chain: Chain,
    pub store: DocumentStore,
    pub signer: Option<(EthereumWallet, Address)>,
}

impl EvmLedger {
    fn signer(&self, doing: &str) -> Result<&(EthereumWallet, Address), LedgerError> {
        self.signer.as_ref().ok_or_else(|| {
            backend(ChainError::Invalid(format!(
                "{doing} on a chain needs a key (--key or --private-key-file)"
            )))
        })
    }
}

impl EvmLedger {
    /// `hashes` split by what the store records of them, asked in one round.
    fn split(
        &self,
        hashes: &[Hash32],
        done: impl Fn(&crate::StoreRecord) -> bool,
    ) -> Result<Recorded, LedgerError> {
        let records = self.store.records(&self.chain, hashes).map_err(backend)?;
        Ok(hashes
            .iter()
            .copied()
            .zip(records.iter().map(done))
            .collect())
    }
}

fn backend(e: ChainError) -> LedgerError {
    LedgerError::Backend(Box::new(e))
}

impl Ledger for EvmLedger {
    fn describe(&self) -> String {
        format!(
            "document store {} on {}",
            self.store.address,
            self.chain.target()
        )
    }

    /// A document store keeps the hashes only.
    fn keeps_reasons(&self) -> bool {
        false
    }

    /// Issues each batch's merkle root that is not issued on the store yet: the contract
    /// records roots, not documents, and the contract's address is the issuer. Every root is
    /// asked about, in one round, before anything is sent.
    fn issue(&mut self, _issuer: &str, batches: &[Batch]) -> Result<Recorded, LedgerError> {
        let (wallet, from) = self.signer("issuing")?;
        let roots: Vec<Hash32> = batches.iter().map(|b| b.root).collect();
        let recorded = self.split(&roots, |record| record.issued)?;
        self.store
            .issue(&self.chain, wallet, *from, &recorded.now)
            .map_err(backend)?;
        Ok(recorded)
    }

    /// Revokes each of `hashes` not revoked on the store yet. The contract keeps neither a
    /// reason nor a note: the command refuses them before it gets here.
    fn revoke(
        &mut self,
        _issuer: &str,
        hashes: &[Hash32],
        _reason: RevocationReason,
        _note: &str,
    ) -> Result<Recorded, LedgerError> {
        let (wallet, from) = self.signer("revoking")?;
        let recorded = self.split(hashes, |record| record.revoked)?;
        self.store
            .revoke(&self.chain, wallet, *from, &recorded.now)
            .map_err(backend)?;
        Ok(recorded)
    }

    fn status(&self, hash: &Hash32) -> Result<Vec<HashStatus>, LedgerError> {
        let record = self.store.records(&self.chain, &[*hash]).map_err(backend)?[0];
        if !record.issued && !record.revoked {
            return Ok(Vec::new());
        }
        let issuer = self.store.address.to_string();
        let time_of = |block: u64| -> Result<i64, LedgerError> {
            let seconds = self.chain.block_timestamp(block).map_err(backend)?;
            Ok(i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX))
        };
        let (issued_block, revoked_block) =
            self.store.blocks(&self.chain, hash).map_err(backend)?;
        let issued = match issued_block.filter(|_| record.issued) {
            Some(block) => Some((*hash, time_of(block)?)),
            None => None,
        };
        let revoked = match revoked_block.filter(|_| record.revoked) {
            Some(block) => Some(Revocation {
                issuer: issuer.clone(),
                hash: *hash,
                at: time_of(block)?,
                reason: RevocationReason::Unspecified,
                note: String::new(),
            }),
            None => None,
        };
        Ok(vec![HashStatus {
            issuer,
            issued,
            revoked,
        }])
    }
}
