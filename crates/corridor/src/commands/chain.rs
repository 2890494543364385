//! `corridor chain`: deploying TradeTrust's contracts, and the networks known by name.

use std::path::PathBuf;

use anyhow::{Context, Result};
use corridor_chain::{DocumentStore, EscrowFactory};
use corridor_format::did::DidSigner;
use corridor_title::RegistryVersion;

use crate::chain::NetworkArgs;
use crate::exit::Exit;
use crate::home::Home;
use crate::secrets;

#[derive(clap::Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
pub enum ChainAction {
    /// Deploy a contract, owned by the key's account, and print its address.
    Deploy {
        #[command(subcommand)]
        contract: DeployContract,
    },
    /// List the networks known by name, with their chain ids and default endpoints.
    Networks,
}

#[derive(clap::Subcommand)]
pub enum DeployContract {
    /// TradeTrust's document store (`@tradetrust-tt/document-store`): issue and revoke
    /// merkle roots on it with `corridor issue --ledger evm`, and name it as the documents'
    /// `issuers[].documentStore`.
    DocumentStore {
        /// The store's name, kept in the contract.
        #[arg(long, value_name = "TEXT", default_value = "Corridor document store")]
        name: String,
        /// The compiled contract: a Hardhat JSON artifact or the package's TypeChain factory.
        /// Default: found in node_modules (or compat/node_modules) here or in a folder above.
        #[arg(long, value_name = "FILE")]
        artifact: Option<PathBuf>,
        #[command(flatten)]
        signer: secrets::SignerArgs,
        #[command(flatten)]
        network: NetworkArgs,
    },
    /// TradeTrust's token registry (`@tradetrust-tt/token-registry` v5, or v4 with
    /// --registry-version v4, `TradeTrustToken`) and, unless --escrow-factory names one, the
    /// `TitleEscrowFactory` of its title escrows. Name the registry as the documents'
    /// `issuers[].tokenRegistry`: each document's merkle root is then a token, a transferable
    /// title.
    TokenRegistry {
        /// The registry's name, kept in the contract.
        #[arg(long, value_name = "TEXT", default_value = "Corridor token registry")]
        name: String,
        /// The registry's symbol.
        #[arg(long, value_name = "TEXT", default_value = "CTR")]
        symbol: String,
        /// Which generation of the contracts: v5, or v4 as registries deployed before v5 are
        /// (no remarks, no rejections).
        #[arg(long, value_name = "v4|v5", default_value = "v5", value_parser = registry_version)]
        registry_version: RegistryVersion,
        /// An existing title escrow factory of the same version to use instead of deploying one.
        #[arg(long, value_name = "0xADDRESS")]
        escrow_factory: Option<alloy_primitives::Address>,
        /// The registry's compiled contract (Hardhat JSON artifact). Default: found in
        /// node_modules (or compat/node_modules) here or in a folder above.
        #[arg(long, value_name = "FILE")]
        artifact: Option<PathBuf>,
        /// The title escrow factory's compiled contract; default as for --artifact.
        #[arg(long, value_name = "FILE", conflicts_with = "escrow_factory")]
        escrow_factory_artifact: Option<PathBuf>,
        #[command(flatten)]
        signer: secrets::SignerArgs,
        #[command(flatten)]
        network: NetworkArgs,
    },
}

pub fn run(home: &Home, action: &ChainAction) -> Result<Exit> {
    match action {
        ChainAction::Networks => {
            print_networks();
            Ok(Exit::Success)
        }
        ChainAction::Deploy {
            contract:
                DeployContract::DocumentStore {
                    name,
                    artifact,
                    signer,
                    network,
                },
        } => {
            let signer = signer.signer(&home.keyring()?)?;
            let address = deploy_document_store(network, &signer, name, artifact.clone())?;
            println!("{address}");
            eprintln!(
                "deployed document store {name:?} at {address}, owned by {}",
                signer.address()
            );
            Ok(Exit::Success)
        }
        ChainAction::Deploy {
            contract:
                DeployContract::TokenRegistry {
                    name,
                    symbol,
                    registry_version,
                    escrow_factory,
                    artifact,
                    escrow_factory_artifact,
                    signer,
                    network,
                },
        } => {
            let signer = signer.signer(&home.keyring()?)?;
            let registry = deploy_token_registry(
                network,
                &signer,
                (name, symbol),
                *registry_version,
                *escrow_factory,
                (artifact.clone(), escrow_factory_artifact.clone()),
            )?;
            println!("{}", registry.address);
            eprintln!(
                "deployed token registry {name:?} ({symbol}, {}) at {}, with title escrow factory {}, owned by {}",
                registry_version.name(),
                registry.address,
                registry.escrow_factory,
                signer.address()
            );
            Ok(Exit::Success)
        }
    }
}

/// The compiled code of `packaged`: from `given`, or found in `node_modules` here or above.
fn bytecode(
    packaged: &corridor_chain::Packaged,
    given: Option<PathBuf>,
) -> Result<alloy_primitives::Bytes> {
    let artifact = match given {
        Some(path) => path,
        None => {
            let here = std::env::current_dir().context("cannot read the current folder")?;
            corridor_chain::find_artifact(&here, packaged).with_context(|| {
                format!(
                    "cannot find {}'s compiled code ({}) in node_modules here or above; install it (npm install {}) or give its artifact",
                    packaged.contract, packaged.path, packaged.package
                )
            })?
        }
    };
    Ok(corridor_chain::read_bytecode(&artifact)?)
}

/// `corridor chain deploy document-store`: deploys the package's compiled document store,
/// owned by the key, and returns its address.
fn deploy_document_store(
    network: &NetworkArgs,
    signer: &DidSigner,
    name: &str,
    artifact: Option<PathBuf>,
) -> Result<alloy_primitives::Address> {
    let code = bytecode(&corridor_chain::DOCUMENT_STORE, artifact)?;
    let chain = network.connect()?;
    let (wallet, from) = corridor_chain::wallet(signer.signing_key());
    Ok(DocumentStore::deploy(&chain, &wallet, from, &code, name)?.address)
}

/// `corridor chain deploy token-registry`: deploys the package's token registry, owned by the
/// key, with an existing title escrow factory or a new one.
fn deploy_token_registry(
    network: &NetworkArgs,
    signer: &DidSigner,
    (name, symbol): (&str, &str),
    version: RegistryVersion,
    escrow_factory: Option<alloy_primitives::Address>,
    (artifact, factory_artifact): (Option<PathBuf>, Option<PathBuf>),
) -> Result<corridor_chain::TokenRegistry> {
    let (token, factory) = corridor_chain::token_registry_contracts(version);
    let token_code = bytecode(&token, artifact)?;
    let factory = match escrow_factory {
        Some(address) => EscrowFactory::Existing(address),
        None => EscrowFactory::Deploy(bytecode(&factory, factory_artifact)?),
    };
    let chain = network.connect()?;
    let (wallet, from) = corridor_chain::wallet(signer.signing_key());
    Ok(corridor_chain::TokenRegistry::deploy(
        &chain,
        &wallet,
        from,
        (version, &token_code),
        factory,
        name,
        symbol,
    )?)
}

/// `v4` or `v5` (a bare `4`, `5` too).
fn registry_version(text: &str) -> Result<RegistryVersion, String> {
    match text.trim_start_matches(['v', 'V']) {
        "4" => Ok(RegistryVersion::V4),
        "5" => Ok(RegistryVersion::V5),
        _ => Err(format!(
            "{text:?} is no Token Registry version; say v4 or v5"
        )),
    }
}

/// The named networks, one a line.
fn print_networks() {
    for n in corridor_chain::NETWORKS {
        let aliases = if n.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also {})", n.aliases.join(", "))
        };
        println!(
            "{:<17} chain id {:<9} {}{aliases}",
            n.name,
            n.chain_id,
            n.endpoints.join(" ")
        );
    }
}
