//! The EVM networks TradeTrust issues on, by the names its tools use, and how a command picks
//! one: by name, or by its own RPC endpoints and chain id.

use std::fmt;

/// A network TradeTrust supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    /// The name TradeTrust's tools use (`mainnet`, `sepolia`, `matic`, `amoy`, …).
    pub name: &'static str,
    /// Other names it is known by.
    pub aliases: &'static [&'static str],
    pub chain_id: u64,
    /// Public endpoints needing no API key, tried in order. Busy sites should give their own
    /// with `--rpc-url` or `CORRIDOR_RPC_<NAME>`.
    pub endpoints: &'static [&'static str],
}

/// Every named network. Chain ids as TradeTrust's `CHAIN_ID` table has them.
pub const NETWORKS: &[Network] = &[
    Network {
        name: "mainnet",
        aliases: &["homestead", "ethereum"],
        chain_id: 1,
        endpoints: &[
            "https://ethereum-rpc.publicnode.com",
            "https://eth.llamarpc.com",
        ],
    },
    Network {
        name: "sepolia",
        aliases: &[],
        chain_id: 11_155_111,
        endpoints: &[
            "https://ethereum-sepolia-rpc.publicnode.com",
            "https://rpc.sepolia.org",
        ],
    },
    Network {
        name: "matic",
        aliases: &["polygon"],
        chain_id: 137,
        endpoints: &[
            "https://polygon-rpc.com",
            "https://polygon-bor-rpc.publicnode.com",
        ],
    },
    Network {
        name: "amoy",
        aliases: &["polygon-amoy"],
        chain_id: 80_002,
        endpoints: &[
            "https://rpc-amoy.polygon.technology",
            "https://polygon-amoy-bor-rpc.publicnode.com",
        ],
    },
    Network {
        name: "xdc",
        aliases: &[],
        chain_id: 50,
        endpoints: &["https://rpc.xinfin.network", "https://erpc.xinfin.network"],
    },
    Network {
        name: "xdcapothem",
        aliases: &["apothem"],
        chain_id: 51,
        endpoints: &[
            "https://rpc.apothem.network",
            "https://erpc.apothem.network",
        ],
    },
    Network {
        name: "stability",
        aliases: &[],
        chain_id: 101_010,
        endpoints: &["https://gtn.stabilityprotocol.com"],
    },
    Network {
        name: "stabilitytestnet",
        aliases: &["stability-testnet"],
        chain_id: 20_180_427,
        endpoints: &["https://free.testnet.stabilityprotocol.com"],
    },
    Network {
        name: "astron",
        aliases: &[],
        chain_id: 1338,
        endpoints: &["https://astronlayer2.bitfactory.cn/query/"],
    },
    Network {
        name: "astrontestnet",
        aliases: &["astron-testnet"],
        chain_id: 21_002,
        endpoints: &["https://dev-astronlayer2.bitfactory.cn/query/"],
    },
    Network {
        name: "local",
        aliases: &["ganache", "localhost"],
        chain_id: 1337,
        endpoints: &["http://127.0.0.1:8545"],
    },
    // Not a chain: the embedded title registries, as `corridor serve` answers for them.
    Network {
        name: "corridor",
        aliases: &["embedded"],
        chain_id: corridor_ledger::EMBEDDED_CHAIN_ID,
        endpoints: &["http://127.0.0.1:8080/rpc"],
    },
];

impl Network {
    /// The network called `name` (or one of its aliases), ignoring case.
    ///
    /// ```
    /// let polygon = corridor_chain::Network::by_name("Polygon").unwrap();
    /// assert_eq!((polygon.name, polygon.chain_id), ("matic", 137));
    /// assert!(corridor_chain::Network::by_name("nowhere").is_none());
    /// ```
    pub fn by_name(name: &str) -> Option<&'static Network> {
        NETWORKS.iter().find(|n| {
            n.name.eq_ignore_ascii_case(name)
                || n.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
    }

    /// The network with chain id `id`, if it is a named one.
    pub fn by_chain_id(id: u64) -> Option<&'static Network> {
        NETWORKS.iter().find(|n| n.chain_id == id)
    }

    /// The names, for messages.
    pub fn names() -> String {
        NETWORKS
            .iter()
            .map(|n| n.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where to talk to: the chain id every endpoint must report, and the endpoints, tried in
/// order on failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The network's name, or `chain <id>` for one given by endpoint.
    pub label: String,
    pub chain_id: u64,
    pub endpoints: Vec<String>,
}

impl Target {
    /// A named network, with `endpoints` in place of its defaults when any are given.
    pub fn named(network: &Network, endpoints: Vec<String>) -> Target {
        let endpoints = if endpoints.is_empty() {
            network.endpoints.iter().map(|e| e.to_string()).collect()
        } else {
            endpoints
        };
        Target {
            label: network.name.to_string(),
            chain_id: network.chain_id,
            endpoints,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} (chain id {})", self.label, self.chain_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_chain_ids_are_unique() {
        for (i, a) in NETWORKS.iter().enumerate() {
            for b in &NETWORKS[i + 1..] {
                assert_ne!(a.chain_id, b.chain_id);
                assert_ne!(a.name, b.name);
                assert!(!b.aliases.contains(&a.name) && !a.aliases.contains(&b.name));
            }
            assert_eq!(Network::by_chain_id(a.chain_id), Some(a));
            assert!(!a.endpoints.is_empty());
        }
    }

    #[test]
    fn own_endpoints_replace_the_defaults() {
        let local = Network::by_name("local").unwrap();
        let target = Target::named(local, vec!["http://10.0.0.1:8545".into()]);
        assert_eq!(target.endpoints, ["http://10.0.0.1:8545"]);
        assert_eq!(
            Target::named(local, vec![]).endpoints,
            ["http://127.0.0.1:8545"]
        );
        assert_eq!(target.to_string(), "local (chain id 1337)");
    }
}
