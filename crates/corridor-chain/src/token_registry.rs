//! TradeTrust's token registry (v5, or v4): a `TradeTrustToken` whose tokens are documents'
//! merkle roots, each held in a title escrow its `TitleEscrowFactory` creates.

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, Bytes, U256};
use alloy::sol_types::SolValue;
use corridor_title::RegistryVersion;

use crate::contracts::{TradeTrustTokenConstructor, escrow_address_call};
use crate::{CallOutcome, Chain, ChainError};

/// A token registry and the factory of its title escrows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRegistry {
    pub address: Address,
    pub escrow_factory: Address,
}

/// The title escrow factory a new registry gets.
pub enum EscrowFactory {
    /// One already on the chain, shared with other registries.
    Existing(Address),
    /// A new one, deployed from this compiled code.
    Deploy(Bytes),
}

impl TokenRegistry {
    /// Deploys a registry of `version` from `token_code`, named `name` (`symbol`), owned by
    /// `from`, with `escrow_factory`, which must be of the same version.
    pub fn deploy(
        chain: &Chain,
        wallet: &EthereumWallet,
        from: Address,
        (version, token_code): (RegistryVersion, &Bytes),
        escrow_factory: EscrowFactory,
        name: &str,
        symbol: &str,
    ) -> Result<TokenRegistry, ChainError> {
        let escrow_factory = match escrow_factory {
            EscrowFactory::Existing(address) => {
                if chain.code_at(address)?.is_empty() {
                    return Err(ChainError::Invalid(format!(
                        "the title escrow factory {address} on {} is not a contract",
                        chain.target()
                    )));
                }
                // A factory of the other version has not the lookup this version's registry
                // makes at every mint: every mint would fail.
                let lookup = escrow_address_call(version, Address::ZERO, U256::ZERO);
                if let CallOutcome::Reverted(_) = chain.call(address, lookup.into())? {
                    return Err(ChainError::Invalid(format!(
                        "{address} on {} is not a title escrow factory of Token Registry {}",
                        chain.target(),
                        version.name()
                    )));
                }
                address
            }
            EscrowFactory::Deploy(code) => chain.deploy(
                wallet,
                from,
                &code,
                &[],
                "deploying the title escrow factory",
            )?,
        };
        let arguments: TradeTrustTokenConstructor =
            (name.to_string(), symbol.to_string(), escrow_factory);
        let address = chain.deploy(
            wallet,
            from,
            token_code,
            &arguments.abi_encode_params(),
            "deploying the token registry",
        )?;
        Ok(TokenRegistry {
            address,
            escrow_factory,
        })
    }
}
