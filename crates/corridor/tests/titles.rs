//! Transferable records on both backends: Token Registry v5's real contracts on a local ganache,
//! and the embedded registry. Generated sequences of legal and illegal actions by every kind of
//! party run on both; after every step the outcome and the title must be the same. Token
//! Registry v4's contracts run the same way against v4's rules; TrustVC's endorsement chain of
//! every title on the chain must tell the same story as Corridor's history.
//!
//! `CORRIDOR_TITLE_SEQUENCES=<n>` sets how many v5 sequences run (default 200, and half as
//! many for v4; the coverage checks need at least 100 of a version, so 200 for v4's).

mod common;

use alloy_primitives::{Address, U256};
use common::chain::{
    Ganache, OWNER_ADDRESS, OWNER_KEY, PARTY_KEYS, STRANGER_KEY, deploy_registry,
    deploy_registry_version, on_chain, title_cli,
};
use corridor_chain::{
    Chain, ChainOptions, EscrowFactory, EvmTitles, Network, Target, TokenRegistry,
};
use corridor_ledger::{EmbeddedTitles, Store};
use corridor_title::{
    Action, HistoryEntry, Receipt, RegistryError, RegistryVersion, Roles, Title, TitleRegistry,
};
use k256::ecdsa::SigningKey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn key(hex: &str) -> SigningKey {
    SigningKey::from_slice(&const_hex::decode(hex).unwrap()).unwrap()
}

/// The registry's admin and four parties, on a fresh chain and, for v5, a fresh embedded store.
struct Backends {
    ganache: Ganache,
    _work: common::Workdir,
    chain: Chain,
    registry: Address,
    version: RegistryVersion,
    /// The v5 registry of the embedded store; none for v4, which is checked against its rules.
    embedded: Option<(Store, Address)>,
    admin: SigningKey,
    parties: Vec<SigningKey>,
}

impl Backends {
    fn start(version: RegistryVersion) -> Backends {
        let ganache = Ganache::start();
        let local = Network::by_name("local").unwrap();
        let chain = Chain::new(
            Target::named(local, vec![ganache.url.clone()]),
            ChainOptions::default(),
        )
        .unwrap();
        let admin = key(OWNER_KEY);
        let (wallet, from) = corridor_chain::wallet(&admin);
        let packages = common::repo().join("compat/node_modules");
        let code = |packaged| {
            corridor_chain::read_bytecode(
                &corridor_chain::find_artifact(&packages, packaged).unwrap(),
            )
            .unwrap()
        };
        let (token, factory) = corridor_chain::token_registry_contracts(version);
        let registry = TokenRegistry::deploy(
            &chain,
            &wallet,
            from,
            (version, &code(&token)),
            EscrowFactory::Deploy(code(&factory)),
            "Differential eBLs",
            "DIF",
        )
        .unwrap()
        .address;
        // The store the tests run on: SQLite, or PostgreSQL in scripts/test's second pass.
        let work = common::Workdir::new();
        let embedded = (version == RegistryVersion::V5).then(|| {
            let mut store = Store::open(work.store_location()).unwrap();
            let registry = store.create_registry(from, "Differential eBLs").unwrap();
            (store, registry.address)
        });
        Backends {
            ganache,
            _work: work,
            chain,
            registry,
            version,
            embedded,
            admin,
            parties: PARTY_KEYS.iter().map(|k| key(k)).collect(),
        }
    }

    /// The admin and the parties, the admin first.
    fn people(&self) -> Vec<SigningKey> {
        std::iter::once(&self.admin)
            .chain(&self.parties)
            .cloned()
            .collect()
    }

    /// Both registries, opened once for every step that follows (opening one on the chain
    /// asks it four questions).
    fn open(&mut self) -> Registries<'_> {
        let evm = EvmTitles::open(&self.chain, self.registry).unwrap();
        assert_eq!(evm.version(), self.version, "the registry's interfaces");
        let expected: Box<dyn TitleRegistry> = match &mut self.embedded {
            Some((store, registry)) => Box::new(EmbeddedTitles::open(store, *registry).unwrap()),
            None => Box::new(RulesTitles {
                version: self.version,
                roles: Roles::of_deployer(Address::from_private_key(&self.admin)),
                titles: Default::default(),
            }),
        };
        Registries { evm, expected }
    }
}

/// The registry on the chain and what it must agree with: the embedded one (v5), or the rules.
struct Registries<'a> {
    evm: EvmTitles<'a>,
    expected: Box<dyn TitleRegistry + 'a>,
}

impl Registries<'_> {
    /// Runs `act` on both backends.
    fn both<T>(&mut self, mut act: impl FnMut(&mut dyn TitleRegistry) -> T) -> (T, T) {
        (act(&mut self.evm), act(self.expected.as_mut()))
    }
}

/// The rules of a registry version (`corridor_title::apply`) over titles in memory: what a
/// registry of that version must do, for the versions the embedded store does not keep.
struct RulesTitles {
    version: RegistryVersion,
    roles: Roles,
    titles: std::collections::HashMap<U256, (Title, Vec<HistoryEntry>)>,
}

impl TitleRegistry for RulesTitles {
    fn describe(&self) -> String {
        format!("Token Registry {} rules", self.version.name())
    }

    fn version(&self) -> RegistryVersion {
        self.version
    }

    fn title(&self, token: U256) -> Result<Option<Title>, RegistryError> {
        Ok(self.titles.get(&token).map(|(title, _)| title.clone()))
    }

    fn act(
        &mut self,
        key: &SigningKey,
        token: U256,
        action: &Action,
        remark: &[u8],
    ) -> Result<Receipt, RegistryError> {
        let actor = Address::from_private_key(key);
        let before = self.titles.get(&token).map(|(title, _)| title);
        let after =
            corridor_title::apply(self.version, &self.roles, before, actor, action, remark)?;
        let entry = HistoryEntry {
            action: action.clone(),
            actor,
            beneficiary: after.beneficiary,
            holder: after.holder,
            nominee: after.nominee,
            remark: after.remark.clone(),
            at: 0,
            reference: String::new(),
        };
        let (title, history) = self
            .titles
            .entry(token)
            .or_insert_with(|| (after.clone(), Vec::new()));
        *title = after;
        history.push(entry);
        Ok(Receipt {
            reference: history.len().to_string(),
        })
    }

    fn history(&self, token: U256) -> Result<Vec<HistoryEntry>, RegistryError> {
        Ok(self
            .titles
            .get(&token)
            .map(|(_, history)| history.clone())
            .unwrap_or_default())
    }
}

/// An outcome as compared: accepted, or the error's contract name. A backend failure fails
/// the test.
fn outcome(result: Result<corridor_title::Receipt, RegistryError>) -> Result<(), &'static str> {
    match result {
        Ok(_) => Ok(()),
        Err(RegistryError::Refused(error)) => Err(error.name()),
        Err(other) => panic!("a backend failed: {other}"),
    }
}

/// A history as compared: everything but the time and the reference.
fn comparable(
    history: Vec<HistoryEntry>,
) -> Vec<(Action, Address, Address, Address, Address, Vec<u8>)> {
    history
        .into_iter()
        .map(|e| {
            (
                e.action,
                e.actor,
                e.beneficiary,
                e.holder,
                e.nominee,
                e.remark.to_vec(),
            )
        })
        .collect()
}

/// A random action by a random party: mostly by the party the rules expect, so sequences get
/// somewhere, and often by someone else or with arguments the rules refuse.
fn random_step(
    rng: &mut impl Rng,
    version: RegistryVersion,
    keys: &[SigningKey],
    title: Option<&Title>,
) -> (usize, Action, Vec<u8>) {
    let v4 = version == RegistryVersion::V4;
    let people: Vec<Address> = keys.iter().map(Address::from_private_key).collect();
    let someone = |rng: &mut dyn rand::RngCore| -> Address {
        if rng.random_ratio(1, 20) {
            Address::ZERO
        } else {
            people[rng.random_range(0..people.len())]
        }
    };
    // Often one party takes both roles, as a shipper does at first.
    let pair = |rng: &mut dyn rand::RngCore| -> (Address, Address) {
        let first = someone(rng);
        (
            first,
            if rng.random_bool(0.5) {
                first
            } else {
                someone(rng)
            },
        )
    };
    let action = match title {
        // A surrendered title waits for the registry: mostly its answer comes next.
        Some(t) if t.custody == corridor_title::Custody::Surrendered && rng.random_bool(0.5) => {
            if rng.random_bool(0.6) {
                Action::AcceptReturn
            } else {
                Action::RejectReturn
            }
        }
        None if rng.random_ratio(9, 10) => {
            let (beneficiary, holder) = pair(rng);
            Action::Mint {
                beneficiary,
                holder,
            }
        }
        // v4 has no rejections: seldom asked for, to see them refused.
        _ => match rng.random_range(0..12) {
            7..=9 if v4 && rng.random_ratio(4, 5) => Action::TransferHolder {
                holder: someone(rng),
            },
            0 => {
                let (beneficiary, holder) = pair(rng);
                Action::Mint {
                    beneficiary,
                    holder,
                }
            }
            1 | 2 => Action::Nominate {
                nominee: someone(rng),
            },
            3 => Action::TransferBeneficiary {
                nominee: match title {
                    Some(t) if rng.random_bool(0.5) => t.nominee,
                    _ => someone(rng),
                },
            },
            4 | 5 => Action::TransferHolder {
                holder: someone(rng),
            },
            6 => {
                let (nominee, holder) = pair(rng);
                Action::TransferOwners { nominee, holder }
            }
            7 => Action::RejectTransferBeneficiary,
            8 => Action::RejectTransferHolder,
            9 => Action::RejectTransferOwners,
            10 => Action::ReturnToIssuer,
            _ => {
                if rng.random_bool(0.5) {
                    Action::AcceptReturn
                } else {
                    Action::RejectReturn
                }
            }
        },
    };
    let expected = match (&action, title) {
        (Action::Mint { .. } | Action::AcceptReturn | Action::RejectReturn, _) | (_, None) => {
            people[0]
        }
        (Action::Nominate { .. } | Action::RejectTransferBeneficiary, Some(t)) => t.beneficiary,
        (_, Some(t)) => t.holder,
    };
    let actor = if rng.random_ratio(4, 5) {
        people.iter().position(|p| *p == expected).unwrap_or(0)
    } else {
        rng.random_range(0..people.len())
    };
    let remark = match rng.random_range(0..20) {
        // v4 takes no remark: seldom given one, to see it refused.
        _ if v4 && rng.random_ratio(19, 20) => Vec::new(),
        0 => vec![b'r'; corridor_title::REMARK_LIMIT + 1],
        1 => vec![b'r'; corridor_title::REMARK_LIMIT],
        2..8 => format!("step {}", rng.random::<u16>()).into_bytes(),
        _ => Vec::new(),
    };
    (actor, action, remark)
}

/// What a run of sequences saw.
#[derive(Default)]
struct Tally {
    accepted: usize,
    refusals: std::collections::BTreeMap<&'static str, usize>,
}

/// Runs `sequences` generated sequences on fresh backends of `version`, comparing after every
/// step, and at the end every title's history with TrustVC's endorsement chain.
fn run_sequences(version: RegistryVersion, seed: u64, sequences: usize) -> Tally {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut backends = Backends::start(version);
    let people = backends.people();
    let rpc = backends.ganache.url.clone();
    let registry = backends.registry;
    let mut registries = backends.open();
    let mut tally = Tally::default();
    let mut histories = Vec::new();
    for sequence in 0..sequences {
        let token = U256::from(rng.random::<u128>());
        let steps = rng.random_range(4..=10);
        for step in 0..steps {
            let before = registries.both(|r| r.title(token).unwrap());
            assert_eq!(
                before.0, before.1,
                "seed {seed}, sequence {sequence}, before step {step}"
            );
            let (actor, action, remark) =
                random_step(&mut rng, version, &people, before.0.as_ref());
            let key = &people[actor];
            let (evm, embedded) = registries.both(|r| outcome(r.act(key, token, &action, &remark)));
            assert_eq!(
                evm,
                embedded,
                "seed {seed}, sequence {sequence}, step {step}: party {actor} {action:?} (remark {} bytes) on {:?}",
                remark.len(),
                before.0
            );
            match evm {
                Ok(()) => tally.accepted += 1,
                Err(name) => *tally.refusals.entry(name).or_default() += 1,
            }
        }
        let after = registries.both(|r| r.title(token).unwrap());
        assert_eq!(
            after.0, after.1,
            "seed {seed}, sequence {sequence}, at the end"
        );
        let (evm, expected) = registries.both(|r| r.history(token).unwrap());
        assert_eq!(
            comparable(evm.clone()),
            comparable(expected),
            "seed {seed}, sequence {sequence}: histories"
        );
        if !evm.is_empty() {
            histories.push((token, evm));
        }
    }
    endorsement_chains_agree(version, &rpc, registry, &histories);
    tally
}

/// TrustVC's endorsement chain of each title (`fetchEndorsementChain`, as TradeTrust's website
/// shows it) against Corridor's history of it on the chain: the same transactions, each the
/// same kind of step leaving the same beneficiary and holder. (TrustVC leaves nominations out.)
fn endorsement_chains_agree(
    version: RegistryVersion,
    rpc: &str,
    registry: Address,
    histories: &[(U256, Vec<HistoryEntry>)],
) {
    let v4 = version == RegistryVersion::V4;
    let requests: Vec<String> = histories
        .iter()
        .map(|(token, _)| {
            serde_json::json!({"rpc": rpc, "registry": registry, "tokenId": format!("{token:#x}")})
                .to_string()
                + "\n"
        })
        .collect();
    let theirs = common::compat_script(
        "oracle-titles.mjs",
        &["endorsement-chain"],
        &[],
        requests.concat(),
    );
    assert_eq!(theirs.len(), histories.len());
    for ((token, ours), theirs) in histories.iter().zip(&theirs) {
        let kind = |action: &Action| -> Option<&str> {
            Some(match action {
                Action::Mint { .. } => "INITIAL",
                Action::Nominate { .. } => return None,
                Action::TransferBeneficiary { .. } => "TRANSFER_BENEFICIARY",
                Action::TransferHolder { .. } => "TRANSFER_HOLDER",
                Action::TransferOwners { .. } => "TRANSFER_OWNERS",
                Action::RejectTransferBeneficiary => "REJECT_TRANSFER_BENEFICIARY",
                Action::RejectTransferHolder => "REJECT_TRANSFER_HOLDER",
                Action::RejectTransferOwners => "REJECT_TRANSFER_OWNERS",
                Action::ReturnToIssuer if v4 => "SURRENDERED",
                Action::ReturnToIssuer => "RETURNED_TO_ISSUER",
                Action::AcceptReturn if v4 => "SURRENDER_ACCEPTED",
                Action::AcceptReturn => "RETURN_TO_ISSUER_ACCEPTED",
                Action::RejectReturn if v4 => "SURRENDER_REJECTED",
                Action::RejectReturn => "RETURN_TO_ISSUER_REJECTED",
            })
        };
        let ours: Vec<(String, String, String, String)> = ours
            .iter()
            .filter_map(|e| {
                Some((
                    e.reference.to_lowercase(),
                    kind(&e.action)?.to_string(),
                    e.beneficiary.to_string().to_lowercase(),
                    e.holder.to_string().to_lowercase(),
                ))
            })
            .collect();
        let chain = theirs["chain"]
            .as_array()
            .unwrap_or_else(|| panic!("token {token:#x}: TrustVC answered {theirs}"));
        let theirs: Vec<(String, String, String, String)> = chain
            .iter()
            .map(|e| {
                let text = |key: &str| e[key].as_str().unwrap_or_default().to_lowercase();
                (
                    text("transactionHash"),
                    e["type"].as_str().unwrap_or_default().to_string(),
                    text("owner"),
                    text("holder"),
                )
            })
            .collect();
        // TrustVC fills the parties a step's own events do not name (the owner of a holder
        // transfer, both of a surrender) from the steps before it, passing over rejections
        // (its getEndorsementChain carries parties only from transfers): after a rejection,
        // the party it changed is stale in TrustVC until a step names it again, and is not
        // compared meanwhile. Everything TrustVC reads from a step's own events is.
        let (mut ours, mut theirs) = (ours, theirs);
        let (mut owner_stale, mut holder_stale) = (false, false);
        for (ours, theirs) in ours.iter_mut().zip(theirs.iter_mut()) {
            let kind = ours.1.as_str();
            let both =
                kind == "INITIAL" || kind.ends_with("_OWNERS") || kind.ends_with("_ACCEPTED");
            let names_owner = both || kind.ends_with("_BENEFICIARY");
            let names_holder = both || kind.ends_with("_HOLDER");
            owner_stale &= !names_owner;
            holder_stale &= !names_holder;
            if owner_stale {
                ours.2.clear();
                theirs.2.clear();
            }
            if holder_stale {
                ours.3.clear();
                theirs.3.clear();
            }
            if kind.starts_with("REJECT_") {
                owner_stale |= names_owner;
                holder_stale |= names_holder;
            }
        }
        assert_eq!(
            ours, theirs,
            "{version:?} token {token:#x}: Corridor's history, then TrustVC's"
        );
    }
}

#[test]
fn generated_sequences_end_the_same_on_the_chain_and_the_embedded_registry() {
    generated_sequences(
        RegistryVersion::V5,
        sequences(),
        &["RemarkLengthExceeded", "TokenNotReturnedToIssuer"],
    );
}

#[test]
fn generated_v4_sequences_end_as_the_v4_rules_say() {
    generated_sequences(
        RegistryVersion::V4,
        sequences() / 2,
        // NotInVersion4 is Corridor's own refusal on both sides (the contracts have no such
        // function): listed to see the generator ask for what v4 lacks, and be refused.
        &["NotInVersion4", "TokenNotSurrendered"],
    );
}

/// How many v5 sequences to run (`CORRIDOR_TITLE_SEQUENCES`, 200 by default).
fn sequences() -> usize {
    std::env::var("CORRIDOR_TITLE_SEQUENCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

/// Runs `sequences` generated sequences of `version`, shared between two chains, and checks
/// that they reached deep into the rules: `refusals` and those of every version among them.
fn generated_sequences(version: RegistryVersion, sequences: usize, refusals: &[&str]) {
    let seed: u64 = std::env::var("CORRIDOR_TITLE_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(rand::random);
    // Ganache runs one transaction at a time: two chains, each with its share, use both cores.
    let workers: Vec<_> = (0..2u64)
        .map(|w| {
            let share = sequences / 2 + (w as usize) * (sequences % 2);
            std::thread::spawn(move || run_sequences(version, seed + w, share))
        })
        .collect();
    let mut total = Tally::default();
    for worker in workers {
        let tally = worker
            .join()
            .expect("a worker failed; its message is above");
        total.accepted += tally.accepted;
        for (name, n) in tally.refusals {
            *total.refusals.entry(name).or_default() += n;
        }
    }
    eprintln!(
        "{version:?}, seed {seed}: {sequences} sequences, {} actions accepted, refusals {:?}",
        total.accepted, total.refusals
    );
    if sequences < 100 {
        return; // too few for the coverage below to be expected
    }
    // The generator must reach deep into the rules, not stop at the first check.
    assert!(
        total.accepted > sequences * 2,
        "{} accepted",
        total.accepted
    );
    // (Rarer refusals, such as DualRoleRejectionRequired, are checked every run by the
    // voyage test and the rules' unit tests; here they appear in most runs, not all.)
    let every_version = [
        "AccessControlUnauthorizedAccount",
        "CallerNotBeneficiary",
        "CallerNotHolder",
        "InvalidNominee",
        "InvalidTransferToZeroAddress",
        "TokenExists",
    ];
    for name in every_version.iter().chain(refusals) {
        assert!(
            total.refusals.contains_key(name),
            "no step was refused with {name}: {:?}",
            total.refusals
        );
    }
}

fn address_of(hex: &str) -> String {
    Address::from_private_key(&key(hex)).to_string()
}

#[test]
fn a_full_voyage_is_the_same_story_on_both_backends() {
    let ganache = Ganache::start();
    let work = common::Workdir::new();
    let evm_registry = deploy_registry(&work, &ganache);
    common::create_registry(&work, OWNER_KEY);

    let [shipper, bank, consignee] = [PARTY_KEYS[0], PARTY_KEYS[1], PARTY_KEYS[2]];
    let token = "0x".to_string() + &"5e".repeat(32);
    let backends: [Vec<String>; 2] = [
        vec!["--ledger".into(), "sqlite".into()],
        [
            "--ledger",
            "evm",
            "--registry",
            &evm_registry,
            "--network",
            "local",
            "--rpc-url",
            &ganache.url,
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut histories = Vec::new();
    for on in &backends {
        let t = token.as_str();
        let step = |args: &[&str], key: &str| title_cli(&work, on, args, Some(key));
        let accepted = |args: &[&str], key: &str| {
            let (code, answer) = step(args, key);
            assert_eq!(code, 0, "{on:?} {args:?}: {answer}");
            answer
        };
        let refused = |args: &[&str], key: &str, error: &str| {
            let (code, answer) = step(args, key);
            assert!(
                code == 1 && answer["error"] == error,
                "{on:?} {args:?}: expected {error} and exit 1, got {code}: {answer}"
            );
        };
        let s = address_of(shipper);
        let b = address_of(bank);
        let c = address_of(consignee);
        accepted(
            &[
                "mint",
                t,
                "--beneficiary",
                &s,
                "--holder",
                &s,
                "--remark",
                "shipped on board",
            ],
            OWNER_KEY,
        );
        refused(&["endorse", t, "--to", &b], bank, "CallerNotHolder");
        accepted(
            &[
                "transfer-owners",
                t,
                "--beneficiary",
                &b,
                "--holder",
                &b,
                "--remark",
                "to the bank",
            ],
            shipper,
        );
        // The bank holds both roles: it cannot refuse only one.
        refused(&["reject-holder", t], bank, "DualRoleRejectionRequired");
        accepted(&["nominate", t, "--to", &c], bank);
        let answer = accepted(
            &[
                "transfer-owners",
                t,
                "--beneficiary",
                &c,
                "--holder",
                &c,
                "--remark",
                "paid",
            ],
            bank,
        );
        assert_eq!(
            answer["title"]["beneficiary"],
            c.as_str(),
            "EIP-55, as the text view"
        );
        accepted(&["surrender", t, "--remark", "delivery"], consignee);
        refused(
            &["transfer-holder", t, "--to", &s],
            consignee,
            "TitleEscrowNotHoldingToken",
        );
        refused(
            &["accept-surrender", t],
            consignee,
            "AccessControlUnauthorizedAccount",
        );
        let answer = accepted(&["accept-surrender", t], OWNER_KEY);
        assert_eq!(answer["title"]["custody"], "burnt");
        refused(&["surrender", t], consignee, "InactiveTitleEscrow");

        let out = work
            .command(&["title", "history", t, "--json"])
            .args(on)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let story: Vec<(String, String, String, String)> = history["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(e["at"].as_u64().unwrap() > 1_700_000_000, "{e}");
                assert!(!e["reference"].as_str().unwrap().is_empty());
                let field = |k: &str| e[k].as_str().unwrap().to_string();
                (
                    field("action"),
                    field("actor"),
                    field("holder"),
                    field("remark"),
                )
            })
            .collect();
        let text = |remark: &str| remark.to_string();
        let [s, b, c, owner] = [&s, &b, &c, &OWNER_ADDRESS.to_string()].map(|a| a.to_string());
        let zero = Address::ZERO.to_string();
        assert_eq!(
            story,
            [
                ("mint", &owner, &s, text("shipped on board")),
                ("transfer-owners", &s, &b, text("to the bank")),
                ("nominate", &b, &b, String::new()),
                ("transfer-owners", &b, &c, text("paid")),
                ("surrender", &c, &c, text("delivery")),
                ("accept-surrender", &owner, &zero, String::new()),
            ]
            .map(|(a, actor, holder, remark)| (
                a.to_string(),
                actor.clone(),
                holder.clone(),
                remark
            ))
            .to_vec(),
            "{on:?}"
        );
        histories.push(story);
    }
    assert_eq!(histories[0], histories[1]);

    // Through an endpoint that refuses logs of more than 2 blocks at a time, as public ones
    // refuse wide ranges, the chain's history is read in ranges it accepts, and is the same.
    let history = |rpc: &str| {
        let out = work
            .command(&["title", "history", &token, "--json"])
            .args([
                "--registry",
                &evm_registry,
                "--network",
                "local",
                "--rpc-url",
                rpc,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let narrow = RpcProxy::start(&ganache.url, 2);
    assert_eq!(history(&narrow.url), history(&ganache.url));
    assert!(
        narrow.count()["refused"].as_u64().unwrap() > 0,
        "the limit was met"
    );
}

/// `compat/rpc-count.mjs` in front of a chain, refusing `eth_getLogs` over more than
/// `max_log_blocks` blocks.
struct RpcProxy {
    url: String,
    child: std::process::Child,
}

impl RpcProxy {
    fn start(target: &str, max_log_blocks: u64) -> RpcProxy {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = std::process::Command::new("node")
            .arg(common::repo().join("compat/rpc-count.mjs"))
            .args([
                port.to_string(),
                target.to_string(),
                max_log_blocks.to_string(),
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("node runs");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        assert!(line.starts_with("listening"), "{line}");
        RpcProxy {
            url: format!("http://127.0.0.1:{port}"),
            child,
        }
    }

    fn count(&self) -> serde_json::Value {
        let body = ureq::get(format!("{}/count", self.url))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        serde_json::from_str(&body).unwrap()
    }
}

impl Drop for RpcProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_processes_racing_on_one_title_leave_one_consistent_result() {
    let work = common::Workdir::new();
    common::create_registry(&work, OWNER_KEY);
    let on = vec!["--ledger".to_string(), "sqlite".to_string()];
    let token = "0x".to_string() + &"77".repeat(32);
    let holder = address_of(PARTY_KEYS[0]);
    let (ok, answer) = title_cli(
        &work,
        &on,
        &[
            "mint",
            &token,
            "--beneficiary",
            &holder,
            "--holder",
            &holder,
        ],
        Some(OWNER_KEY),
    );
    assert_eq!(ok, 0, "{answer}");
    for round in 0..5 {
        // The holder passes the document to two parties at once, from two processes.
        let racers: Vec<_> = [PARTY_KEYS[1], PARTY_KEYS[2]]
            .map(|to| {
                work.command(&[
                    "title",
                    "transfer-holder",
                    &token,
                    "--to",
                    &address_of(to),
                    "--json",
                ])
                .args(["--ledger", "sqlite", "--private-key-env", "PARTY_KEY"])
                .env("PARTY_KEY", PARTY_KEYS[0])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
            })
            .into_iter()
            .collect();
        let outcomes: Vec<(bool, serde_json::Value)> = racers
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().unwrap();
                (
                    out.status.success(),
                    serde_json::from_slice(&out.stdout).unwrap(),
                )
            })
            .collect();
        let winners: Vec<&serde_json::Value> = outcomes
            .iter()
            .filter(|(ok, _)| *ok)
            .map(|(_, a)| a)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {outcomes:?}");
        let loser = &outcomes.iter().find(|(ok, _)| !ok).unwrap().1;
        // The loser saw the winner's result: no longer the holder, or its action number used.
        assert!(
            loser["error"] == "CallerNotHolder" || loser["error"] == "InvalidNonce",
            "round {round}: {loser}"
        );
        let (_, status) = title_cli(&work, &on, &["status", &token], None);
        assert_eq!(status["title"]["holder"], winners[0]["title"]["holder"]);
        // Hand it back for the next round.
        let winner_key = PARTY_KEYS
            .iter()
            .find(|k| address_of(k) == status["title"]["holder"])
            .unwrap();
        let (ok, answer) = title_cli(&work, &on, &["reject-holder", &token], Some(winner_key));
        assert_eq!(ok, 0, "{answer}");
    }
    let audit = work.run(&["store", "audit"]);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
}

/// Where the titles of [`titles_verify_as_tt_verify_sees_them`] live.
struct Backend {
    registry: String,
    /// `--ledger …` and what else `corridor title` needs to reach the registry.
    on: Vec<String>,
    /// `--network NAME`, as verifiers name it.
    network: &'static str,
    chain_id: u64,
}

/// Four bills of lading on `backend`'s registry — live, surrendered, burnt, never minted —
/// verified by Corridor and by tt-verify through the JSON-RPC endpoint `rpc` (started, for
/// the embedded registry, by `serve` once the titles are made).
fn titles_verify_as_tt_verify_sees_them(
    work: &common::Workdir,
    backend: Backend,
    rpc: impl FnOnce() -> (String, Option<common::Served>),
) {
    const LOCATION: &str = "titles.corridor.test";
    let Backend {
        registry,
        on,
        network,
        chain_id,
    } = backend;
    let raws: Vec<serde_json::Value> = ["live", "surrendered", "burnt", "never minted"]
        .iter()
        .map(|name| {
            serde_json::json!({"issuers": [{"name": "Carrier", "tokenRegistry": registry,
                "identityProof": {"type": "DNS-TXT", "location": LOCATION}}], "blNumber": name})
        })
        .collect();
    common::write_lines(&work.path("raw.jsonl"), &raws);
    let roots = work.ok(&["wrap", "--individual", "--out", "bls.jsonl", "raw.jsonl"]);
    let roots: Vec<&str> = roots.lines().collect();
    let holder = address_of(PARTY_KEYS[0]);
    let act = |args: &[&str], key: &str| {
        let (ok, answer) = title_cli(work, &on, args, Some(key));
        assert_eq!(ok, 0, "{args:?}: {answer}");
    };
    for root in &roots[..3] {
        act(
            &["mint", root, "--beneficiary", &holder, "--holder", &holder],
            OWNER_KEY,
        );
    }
    act(&["surrender", roots[1]], PARTY_KEYS[0]);
    act(&["surrender", roots[2]], PARTY_KEYS[0]);
    act(&["accept-surrender", roots[2]], OWNER_KEY);

    let (rpc, _server) = rpc();
    let record = format!("openatts net=ethereum netId={chain_id} addr={registry}");
    let dns = common::dns::DnsServer::start("corridor.test", &[(LOCATION, &record)]);
    let out = work
        .command(&[
            "verify",
            "--json",
            "--network",
            network,
            "--rpc-url",
            &rpc,
            "--dns",
            &dns.address.to_string(),
            "bls.jsonl",
        ])
        .output()
        .unwrap();
    let ours: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let docs = common::read_lines(&work.path("bls.jsonl"));
    let theirs = common::oracle_with(
        "tt-verify",
        &docs,
        &[
            ("ORACLE_RPC", &rpc),
            ("ORACLE_DNS", &dns.address.to_string()),
        ],
    );
    assert_eq!(ours.len(), 4, "{}", String::from_utf8_lossy(&out.stderr));
    for (i, (ours, theirs)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(ours["valid"], theirs["valid"], "document {i}");
        if i < 3 {
            assert_eq!(ours["fragments"], theirs["fragments"], "document {i}");
        }
    }
    let status = |i: usize| {
        ours[i]["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "OpenAttestationEthereumTokenRegistryStatus")
            .unwrap()
            .clone()
    };
    // As on a chain: a token that has an owner (its escrow, the registry, the burn address)
    // is minted; tt-verify does not tell a surrendered or burnt title from a live one.
    for i in 0..3 {
        assert_eq!(status(i)["status"], "VALID", "{}", status(i));
    }
    assert_eq!(ours[0]["valid"], true);
    // Never minted: the registry reverts "owner query for nonexistent token". tt-verify means
    // to report it as not minted, but its ethers v5 provider does not hand the revert to
    // token-registry's ethers v6 contract in a shape it reads (ganache's nor geth's, which
    // `corridor serve` gives): an unexpected error. Corridor reads the revert.
    assert_eq!(status(3)["status"], "INVALID");
    assert_eq!(status(3)["reason"]["codeString"], "DOCUMENT_NOT_MINTED");
    let reference = theirs[3]["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "OpenAttestationEthereumTokenRegistryStatus")
        .unwrap();
    assert_eq!(
        reference["reason"]["codeString"], "UNEXPECTED_ERROR",
        "{reference}"
    );
    // Every other fragment of it is the same.
    let others = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["name"] != "OpenAttestationEthereumTokenRegistryStatus")
            .cloned()
            .collect()
    };
    assert_eq!(others(&ours[3]), others(&theirs[3]));
}

#[test]
fn embedded_titles_verify_through_serve_as_tt_verify_sees_them() {
    let work = common::Workdir::new();
    let registry = common::create_registry(&work, OWNER_KEY);
    let backend = Backend {
        registry,
        on: vec!["--ledger".into(), "sqlite".into()],
        network: "corridor",
        chain_id: corridor_ledger::EMBEDDED_CHAIN_ID,
    };
    titles_verify_as_tt_verify_sees_them(&work, backend, || {
        let server = common::Served::start(&work, &[]);
        (format!("{}/rpc", server.base), Some(server))
    });
}

#[test]
fn chain_titles_verify_as_tt_verify_sees_them() {
    titles_on_a_chain_verify_as_tt_verify_sees_them("v5");
}

#[test]
fn v4_chain_titles_verify_as_tt_verify_sees_them() {
    titles_on_a_chain_verify_as_tt_verify_sees_them("v4");
}

/// [`titles_verify_as_tt_verify_sees_them`] on a Token Registry `version` registry on ganache.
fn titles_on_a_chain_verify_as_tt_verify_sees_them(version: &str) {
    let ganache = Ganache::start();
    let work = common::Workdir::new();
    let registry = deploy_registry_version(&work, &ganache, version);
    let on = on_chain(&registry, &ganache);
    let backend = Backend {
        registry,
        on,
        network: "local",
        chain_id: 1337,
    };
    titles_verify_as_tt_verify_sees_them(&work, backend, || (ganache.url.clone(), None));
}

#[test]
fn a_v4_voyage_on_the_command_line_takes_what_v4_has_and_refuses_the_rest() {
    let ganache = Ganache::start();
    let work = common::Workdir::new();
    let registry = deploy_registry_version(&work, &ganache, "v4");
    let on = on_chain(&registry, &ganache);
    let token = "0x".to_string() + &"4e".repeat(32);
    let t = token.as_str();
    let [shipper, bank, consignee] = [PARTY_KEYS[0], PARTY_KEYS[1], PARTY_KEYS[2]];
    let (s, b, c) = (address_of(shipper), address_of(bank), address_of(consignee));
    let accepted = |args: &[&str], key: &str| {
        let (code, answer) = title_cli(&work, &on, args, Some(key));
        assert_eq!(code, 0, "{args:?}: {answer}");
        answer
    };
    let refused = |args: &[&str], key: &str, error: &str| {
        let (code, answer) = title_cli(&work, &on, args, Some(key));
        assert!(
            code == 1 && answer["error"] == error,
            "{args:?}: expected {error} and exit 1, got {code}: {answer}"
        );
    };
    accepted(&["mint", t, "--beneficiary", &s, "--holder", &s], OWNER_KEY);
    let (code, status) = title_cli(&work, &on, &["status", t], None);
    assert_eq!(code, 0);
    assert_eq!(status["registryVersion"], "v4", "{status}");
    assert_eq!(status["title"]["holder"], s);
    refused(
        &["transfer-holder", t, "--to", &b, "--remark", "on board"],
        shipper,
        "NotInVersion4",
    );
    refused(&["accept-surrender", t], OWNER_KEY, "TokenNotSurrendered");
    accepted(
        &["transfer-owners", t, "--beneficiary", &b, "--holder", &b],
        shipper,
    );
    // v4 keeps no previous parties: there is nothing to reject back to.
    refused(&["reject-owners", t], bank, "NotInVersion4");
    refused(&["reject-holder", t], bank, "NotInVersion4");
    accepted(&["nominate", t, "--to", &c], bank);
    accepted(&["endorse", t, "--to", &c], bank);
    accepted(&["transfer-holder", t, "--to", &c], bank);
    accepted(&["surrender", t], consignee);
    refused(
        &["accept-surrender", t],
        STRANGER_KEY,
        "AccessControlUnauthorizedAccount",
    );
    accepted(&["reject-surrender", t], OWNER_KEY);
    accepted(&["surrender", t], consignee);
    let answer = accepted(&["accept-surrender", t], OWNER_KEY);
    assert_eq!(answer["title"]["custody"], "burnt", "{answer}");

    let (_, history) = title_cli(&work, &on, &["history", t], None);
    let steps: Vec<(&str, &str, &str)> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["beneficiary"].as_str().unwrap(),
                e["holder"].as_str().unwrap(),
            )
        })
        .collect();
    let zero = Address::ZERO.to_string();
    assert_eq!(
        steps,
        [
            ("mint", s.as_str(), s.as_str()),
            ("transfer-owners", &b, &b),
            ("nominate", &b, &b),
            ("endorse", &c, &b),
            ("transfer-holder", &c, &c),
            ("surrender", &c, &c),
            ("reject-surrender", &c, &c),
            ("surrender", &c, &c),
            ("accept-surrender", &zero, &zero),
        ]
    );
}

#[test]
fn v4_and_v5_titles_moved_by_trustvc_read_in_corridor_as_the_rules_say() {
    let ganache = Ganache::start();
    let work = common::Workdir::new();
    let owner = key(OWNER_KEY);
    let [shipper, bank, consignee] = [PARTY_KEYS[0], PARTY_KEYS[1], PARTY_KEYS[2]];
    let (s, b, c) = (
        Address::from_private_key(&key(shipper)),
        Address::from_private_key(&key(bank)),
        Address::from_private_key(&key(consignee)),
    );
    // A whole voyage, with a surrender rejected once, each step by the party it is for.
    let voyage: [(&str, Action); 9] = [
        (
            OWNER_KEY,
            Action::Mint {
                beneficiary: s,
                holder: s,
            },
        ),
        (shipper, Action::Nominate { nominee: b }),
        (shipper, Action::TransferBeneficiary { nominee: b }),
        (shipper, Action::TransferHolder { holder: b }),
        (
            bank,
            Action::TransferOwners {
                nominee: c,
                holder: c,
            },
        ),
        (consignee, Action::ReturnToIssuer),
        (OWNER_KEY, Action::RejectReturn),
        (consignee, Action::ReturnToIssuer),
        (OWNER_KEY, Action::AcceptReturn),
    ];
    for version in [RegistryVersion::V4, RegistryVersion::V5] {
        let registry = deploy_registry_version(&work, &ganache, version.name());
        let token = format!("0x{}", "7c".repeat(32));
        let steps: String = voyage
            .iter()
            .map(|(actor, action)| {
                let mut step = serde_json::to_value(action).unwrap();
                // TrustVC calls a nominee the new beneficiary.
                if let Action::Nominate { nominee }
                | Action::TransferBeneficiary { nominee }
                | Action::TransferOwners { nominee, .. } = action
                {
                    step["beneficiary"] = serde_json::json!(nominee);
                }
                step["rpc"] = serde_json::json!(ganache.url);
                step["privateKey"] = serde_json::json!(format!("0x{actor}"));
                step["registry"] = serde_json::json!(registry);
                step["tokenId"] = serde_json::json!(token);
                step.to_string() + "\n"
            })
            .collect();
        let hashes = common::compat_script("oracle-titles.mjs", &["act"], &[], steps);
        let hashes: Vec<String> = hashes
            .iter()
            .map(|h| {
                h["hash"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{version:?}: TrustVC failed: {h}"))
                    .to_lowercase()
            })
            .collect();

        // What the rules say each step leaves, and what Corridor reads on the chain.
        let roles = Roles::of_deployer(Address::from_private_key(&owner));
        let mut title = None;
        let mut expected = Vec::new();
        for ((actor, action), hash) in voyage.iter().zip(&hashes) {
            let actor = Address::from_private_key(&key(actor));
            let after =
                corridor_title::apply(version, &roles, title.as_ref(), actor, action, b"").unwrap();
            expected.push((
                action.clone(),
                actor,
                after.beneficiary,
                after.holder,
                after.nominee,
                hash.clone(),
            ));
            title = Some(after);
        }
        let chain = Chain::new(
            Target::named(
                Network::by_name("local").unwrap(),
                vec![ganache.url.clone()],
            ),
            ChainOptions::default(),
        )
        .unwrap();
        let evm = EvmTitles::open(&chain, registry.parse().unwrap()).unwrap();
        assert_eq!(evm.version(), version);
        let token = corridor_title::parse_token_id(&token).unwrap();
        assert_eq!(evm.title(token).unwrap(), title, "{version:?}");
        let ours: Vec<_> = evm
            .history(token)
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.action,
                    e.actor,
                    e.beneficiary,
                    e.holder,
                    e.nominee,
                    e.reference.to_lowercase(),
                )
            })
            .collect();
        assert_eq!(ours, expected, "{version:?}");
    }
}
