//! The chain's options, shared by the commands that reach one: which network and endpoints,
//! which ledger, which document store.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use corridor_chain::{Chain, ChainOptions, DocumentStore, EvmLedger, Network, Target};
use corridor_format::did::DidSigner;

/// The heading the chain's options are listed under in `--help`.
const CHAIN: &str = "On a chain";

/// Which network, and how to reach it.
#[derive(clap::Args, Debug, Clone)]
pub struct NetworkArgs {
    /// The network, by the name TradeTrust uses: mainnet, sepolia, matic, amoy, xdc,
    /// xdcapothem, stability, stabilitytestnet, astron, astrontestnet, or local (a node on
    /// 127.0.0.1:8545, chain id 1337). Default: the environment variable CORRIDOR_NETWORK.
    /// Its default endpoints can be replaced with --rpc-url or the environment variable
    /// CORRIDOR_RPC_<NAME> (comma-separated URLs).
    #[arg(long, value_name = "NAME", help_heading = CHAIN)]
    pub network: Option<String>,
    /// A JSON-RPC endpoint; repeat for several, tried in order when one fails. Without
    /// --network, give --network-chain-id too.
    #[arg(long = "rpc-url", value_name = "URL", help_heading = CHAIN)]
    pub rpc_urls: Vec<String>,
    /// The region this runs in: sg (Singapore) or cn (mainland China). A network's endpoints
    /// are then read from CORRIDOR_RPC_<NAME>_<REGION> (say, CORRIDOR_RPC_MAINNET_CN) before
    /// CORRIDOR_RPC_<NAME>, and verification asks the region's DNS-over-HTTPS resolvers
    /// unless --dns is given.
    #[arg(long, value_name = "sg|cn", env = "CORRIDOR_REGION")]
    pub region: Option<corridor_net::Region>,
    /// The chain id the endpoints must serve, for a network given only by --rpc-url.
    #[arg(long, value_name = "ID", help_heading = CHAIN)]
    pub network_chain_id: Option<u64>,
    /// Blocks a transaction must be buried under before it counts. Default: 1 (mined).
    #[arg(long, value_name = "N", help_heading = CHAIN)]
    pub confirmations: Option<u64>,
    /// Seconds one JSON-RPC request may take before it is retried or sent elsewhere.
    /// Default: 20.
    #[arg(long, value_name = "SECONDS", help_heading = CHAIN)]
    pub rpc_timeout: Option<u64>,
}

impl NetworkArgs {
    /// The network and its endpoints, as named.
    pub fn target(&self) -> Result<Target> {
        let from_env = std::env::var("CORRIDOR_NETWORK")
            .ok()
            .filter(|n| !n.is_empty() && self.rpc_urls.is_empty());
        match (
            self.network.as_ref().or(from_env.as_ref()),
            self.network_chain_id,
        ) {
            (Some(name), chain_id) => {
                let network = Network::by_name(name).with_context(|| {
                    format!("{name:?} is not a network Corridor knows; use one of {}, or --rpc-url with --network-chain-id", Network::names())
                })?;
                if let Some(id) = chain_id.filter(|id| *id != network.chain_id) {
                    bail!(
                        "{} has chain id {}, not {id}",
                        network.name,
                        network.chain_id
                    );
                }
                let endpoints = if self.rpc_urls.is_empty() {
                    self.endpoints_from_env(network)
                } else {
                    self.rpc_urls.clone()
                };
                Ok(Target::named(network, endpoints))
            }
            (None, Some(chain_id)) if !self.rpc_urls.is_empty() => Ok(Target {
                label: Network::by_chain_id(chain_id)
                    .map_or_else(|| format!("chain {chain_id}"), |n| n.name.to_string()),
                chain_id,
                endpoints: self.rpc_urls.clone(),
            }),
            (None, _) => bail!(
                "say which network: --network NAME (one of {}), or --rpc-url URL with --network-chain-id ID",
                Network::names()
            ),
        }
    }

    /// The endpoints the environment gives `network`: the region's own variable first, then
    /// the network's; none when neither is set.
    fn endpoints_from_env(&self, network: &Network) -> Vec<String> {
        let name = format!("CORRIDOR_RPC_{}", network.name.to_ascii_uppercase());
        let regional = self
            .region
            .map(|region| format!("{name}_{}", region.name().to_ascii_uppercase()));
        regional
            .into_iter()
            .chain([name])
            .filter_map(|var| std::env::var(var).ok())
            .map(|list| {
                list.split(',')
                    .map(|u| u.trim().to_string())
                    .filter(|u| !u.is_empty())
                    .collect::<Vec<_>>()
            })
            .find(|endpoints| !endpoints.is_empty())
            .unwrap_or_default()
    }

    /// A client for the network when one is named (verification can do without).
    pub fn connect_if_named(&self) -> Result<Option<Chain>> {
        if !self.is_named() {
            return Ok(None);
        }
        self.connect().map(Some)
    }

    /// Whether a network is named, by flag or environment.
    pub fn is_named(&self) -> bool {
        self.network.is_some()
            || !self.rpc_urls.is_empty()
            || std::env::var_os("CORRIDOR_NETWORK").is_some_and(|n| !n.is_empty())
    }

    /// A client for the network, which shows the progress of the transactions it sends.
    pub fn connect(&self) -> Result<Chain> {
        let mut chain = Chain::new(self.target()?, self.options())?;
        chain.watch(crate::progress::transactions());
        Ok(chain)
    }

    /// How the network is reached, as the flags say.
    pub fn options(&self) -> ChainOptions {
        let defaults = ChainOptions::default();
        ChainOptions {
            timeout: self
                .rpc_timeout
                .map_or(defaults.timeout, |s| Duration::from_secs(s.max(1))),
            confirmations: self.confirmations.unwrap_or(1).max(1),
            ..defaults
        }
    }

    /// The options given on the command line, by their flags.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("--network", self.network.is_some()),
            ("--rpc-url", !self.rpc_urls.is_empty()),
            ("--network-chain-id", self.network_chain_id.is_some()),
            ("--confirmations", self.confirmations.is_some()),
            ("--rpc-timeout", self.rpc_timeout.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, given)| given.then_some(flag))
        .collect()
    }
}

/// The ledger `--ledger` names, or, when it is not given, the one the other options imply:
/// a chain's options mean the chain. Chain options with `--ledger embedded` are refused
/// rather than ignored.
pub fn ledger_kind(named: Option<LedgerKind>, chain_options: &[&str]) -> Result<LedgerKind> {
    match (named, chain_options) {
        (Some(LedgerKind::Embedded), [_, ..]) => bail!(
            "{} name a chain, but --ledger embedded records in the store: drop them, or use --ledger evm",
            chain_options.join(", ")
        ),
        (Some(kind), _) => Ok(kind),
        (None, []) => Ok(LedgerKind::Embedded),
        (None, [_, ..]) => Ok(LedgerKind::Evm),
    }
}

/// Where issuance and revocation are recorded.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LedgerKind {
    /// The embedded store: a SQLite file on this machine (--store).
    #[default]
    #[value(alias = "sqlite")]
    Embedded,
    /// TradeTrust's contracts on an EVM network (--network): the document store, or the token
    /// registry for titles.
    Evm,
}

/// `--ledger` and what the chain backend needs.
#[derive(clap::Args, Debug, Clone)]
pub struct LedgerArgs {
    /// Where issuance and revocation are recorded: embedded (the SQLite store) or evm (a
    /// TradeTrust document store contract; see --document-store and --network). Default:
    /// evm when a chain option is given, else embedded.
    #[arg(long, value_enum)]
    pub ledger: Option<LedgerKind>,
    /// The document store contract's address, on a chain (documents issued on it must name
    /// it as their issuers' documentStore).
    #[arg(long, value_name = "0xADDRESS", help_heading = CHAIN)]
    pub document_store: Option<alloy_primitives::Address>,
    #[command(flatten)]
    pub network: NetworkArgs,
}

impl LedgerArgs {
    /// The ledger named or implied (see [`ledger_kind`]).
    pub fn kind(&self) -> Result<LedgerKind> {
        let mut given = self.network.given();
        if self.document_store.is_some() {
            given.insert(0, "--document-store");
        }
        ledger_kind(self.ledger, &given)
    }

    /// The document store on its network, driven by `signer` (none: reading only).
    pub fn evm(&self, signer: Option<&DidSigner>) -> Result<EvmLedger> {
        let store = DocumentStore {
            address: self.document_store()?,
        };
        let chain = self.network.connect()?;
        store
            .check(&chain)
            .with_context(|| format!("--document-store {}", store.address))?;
        Ok(EvmLedger {
            chain,
            store,
            signer: signer.map(|s| corridor_chain::wallet(s.signing_key())),
        })
    }

    /// The document store named by --document-store, required on a chain.
    pub fn document_store(&self) -> Result<alloy_primitives::Address> {
        self.document_store
            .context("on a chain, give the document store contract with --document-store 0xADDRESS")
    }
}
