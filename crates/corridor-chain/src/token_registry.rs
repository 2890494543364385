//! TradeTrust's token registry (v5): a `TradeTrustToken` whose tokens are documents' merkle
//! roots, each held in a title escrow its `TitleEscrowFactory` creates.

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, Bytes};
use alloy::sol_types::SolValue;

use crate::contracts::TradeTrustTokenConstructor;
use crate::{Chain, ChainError};

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
    /// Deploys a registry named `name` (`symbol`), owned by `from`, with `escrow_factory`.
    pub fn deploy(
        chain: &Chain,
        wallet: &EthereumWallet,
        from: Address,
        token_code: &Bytes,
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
