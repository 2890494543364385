//! The title benchmark's worker, run by `scripts/bench-titles` against the ganache it starts:
//! a full voyage (mint to the shipper, endorse and pass to the bank, then to the consignee,
//! surrender, accept) of N titles on each backend, and the history of one title after 100
//! transfers. Prints one line per measurement.
//!
//!   bench_titles <rpc-url> <titles> <compat/node_modules>

use std::time::{Duration, Instant};

use alloy_primitives::{Address, U256};
use corridor_chain::{
    Chain, ChainOptions, EscrowFactory, EvmTitles, Network, Target, TokenRegistry,
};
use corridor_ledger::{EmbeddedTitles, Store};
use corridor_title::{Action, TitleRegistry};
use k256::ecdsa::SigningKey;

/// Ganache's deterministic accounts 0 to 3 (`--wallet.deterministic`): development keys.
const KEYS: [&str; 4] = [
    "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d",
    "6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1",
    "6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c",
    "646f1ce2fdad0e6deeeb5c7e8e5543bdde65e86029e2fd9fc169899c440a7913",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, rpc, titles, packages] = args.as_slice() else {
        panic!("usage: bench_titles <rpc-url> <titles> <node_modules>");
    };
    let titles: u64 = titles.parse().expect("a number of titles");
    let keys: Vec<SigningKey> = KEYS
        .iter()
        .map(|k| SigningKey::from_slice(&const_hex::decode(k).unwrap()).unwrap())
        .collect();

    let local = Network::by_name("local").unwrap();
    let chain = Chain::new(
        Target::named(local, vec![rpc.clone()]),
        ChainOptions::default(),
    )
    .unwrap();
    let (wallet, admin) = corridor_chain::wallet(&keys[0]);
    let code = |packaged| {
        let path = corridor_chain::find_artifact(std::path::Path::new(packages), packaged)
            .expect("the token registry package is installed (scripts/setup-oracle)");
        corridor_chain::read_bytecode(&path).unwrap()
    };
    let registry = TokenRegistry::deploy(
        &chain,
        &wallet,
        admin,
        (
            corridor_title::RegistryVersion::V5,
            &code(&corridor_chain::TRADE_TRUST_TOKEN),
        ),
        EscrowFactory::Deploy(code(&corridor_chain::TITLE_ESCROW_FACTORY)),
        "Bench",
        "BNC",
    )
    .unwrap()
    .address;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("store.sqlite")).unwrap();
    let embedded = store.create_registry(admin, "Bench").unwrap().address;

    let mut evm = EvmTitles::open(&chain, registry).unwrap();
    let mut sqlite = EmbeddedTitles::open(&mut store, embedded).unwrap();
    let backends: [(&str, &mut dyn TitleRegistry); 2] =
        [("embedded", &mut sqlite), ("evm (ganache)", &mut evm)];
    for (name, backend) in backends {
        let started = Instant::now();
        for n in 0..titles {
            voyage(backend, &keys, U256::from(n + 1));
        }
        let took = started.elapsed();
        println!(
            "voyage of {titles} titles ({} actions), {name}: {:.2} s, {:.0} actions/s",
            titles * 5,
            took.as_secs_f64(),
            (titles * 5) as f64 / took.as_secs_f64()
        );
        let token = U256::from(u64::MAX);
        let transfers = 100;
        let parties = [&keys[1], &keys[2]];
        let [a, b] = parties.map(Address::from_private_key);
        act(
            backend,
            &keys[0],
            token,
            Action::Mint {
                beneficiary: a,
                holder: a,
            },
        );
        for i in 0..transfers {
            let (from, to) = if i % 2 == 0 {
                (parties[0], b)
            } else {
                (parties[1], a)
            };
            act(backend, from, token, Action::TransferHolder { holder: to });
        }
        let mut times: Vec<Duration> = (0..11)
            .map(|_| {
                let started = Instant::now();
                let history = backend.history(token).unwrap();
                assert_eq!(history.len(), transfers + 1);
                started.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "history of a title with {transfers} transfers, {name}: {:.1} ms (median of 11)",
            times[5].as_secs_f64() * 1000.0
        );
    }
}

fn act(backend: &mut dyn TitleRegistry, key: &SigningKey, token: U256, action: Action) {
    if let Err(e) = backend.act(key, token, &action, b"") {
        panic!("{} {action:?} on {token}: {e}", backend.describe());
    }
}

/// Mint to the shipper; the shipper endorses and passes to the bank; the bank to the
/// consignee; the consignee surrenders; the registry accepts.
fn voyage(backend: &mut dyn TitleRegistry, keys: &[SigningKey], token: U256) {
    let [shipper, bank, consignee] = [&keys[1], &keys[2], &keys[3]].map(Address::from_private_key);
    act(
        backend,
        &keys[0],
        token,
        Action::Mint {
            beneficiary: shipper,
            holder: shipper,
        },
    );
    act(
        backend,
        &keys[1],
        token,
        Action::TransferOwners {
            nominee: bank,
            holder: bank,
        },
    );
    act(
        backend,
        &keys[2],
        token,
        Action::TransferOwners {
            nominee: consignee,
            holder: consignee,
        },
    );
    act(backend, &keys[3], token, Action::ReturnToIssuer);
    act(backend, &keys[0], token, Action::AcceptReturn);
}
