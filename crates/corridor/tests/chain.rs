//! The chain backend against a real local chain (ganache) and TradeTrust's real document store
//! contract, deployed by Corridor from the npm package's compiled code: documents Corridor
//! issues and revokes there get tt-verify's verdicts, asked over the same chain.

mod common;

use std::net::TcpListener;

use common::chain::{Ganache, OWNER_ADDRESS, OWNER_KEY, STRANGER_KEY};
use common::dns::DnsServer;
use common::{Workdir, oracle_with, read_lines, write_lines};
use serde_json::{Value, json};

const STORE_STATUS: &str = "OpenAttestationEthereumDocumentStoreStatus";
const LOCATION: &str = "carrier.corridor.test";

struct Setup {
    work: Workdir,
    chain: Ganache,
    store: String,
}

common::derefs_to_workdir!(Setup);

impl Setup {
    /// A chain, and a document store deployed on it by Corridor with the owner's key.
    fn new() -> Setup {
        let chain = Ganache::start();
        let work = Workdir::new();
        let artifact = common::repo().join(
            "compat/node_modules/@tradetrust-tt/document-store/dist/contracts/factories/DocumentStore__factory.js",
        );
        let out = work
            .command(&[
                "chain",
                "deploy",
                "document-store",
                "--name",
                "Carrier",
                "--private-key-env",
                "OWNER_KEY",
            ])
            .args(["--network", "local", "--rpc-url", &chain.url])
            .arg("--artifact")
            .arg(&artifact)
            .env("OWNER_KEY", OWNER_KEY)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "deploy: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let store = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert!(store.starts_with("0x") && store.len() == 42, "{store}");
        Setup { work, chain, store }
    }

    /// `corridor ARGS --ledger evm` on this chain and store, with `key` as the signer if any.
    fn evm(&self, args: &[&str], key: Option<&str>) -> std::process::Output {
        let mut command = self.command(args);
        command
            .args(["--ledger", "evm", "--document-store", &self.store])
            .args(["--network", "local", "--rpc-url", &self.chain.url]);
        if let Some(key) = key {
            command
                .args(["--private-key-env", "CHAIN_KEY"])
                .env("CHAIN_KEY", key);
        }
        command.output().unwrap()
    }

    /// Wraps `count` bills of lading naming the store into one batch; returns the file.
    fn wrap(&self, name: &str, count: usize) -> String {
        let raws: Vec<Value> = (0..count)
            .map(|i| {
                json!({"issuers": [{"name": "Carrier", "documentStore": self.store,
                                    "identityProof": {"type": "DNS-TXT", "location": LOCATION}}],
                       "blNumber": format!("{name}-{i}")})
            })
            .collect();
        let raw = format!("{name}-raw.jsonl");
        let wrapped = format!("{name}-wrapped.jsonl");
        write_lines(&self.path(&raw), &raws);
        self.ok(&["wrap", "--out", &wrapped, &raw]);
        wrapped
    }

    /// tt-verify's verdicts on the same chain, with the DNS-TXT record naming the store.
    fn reference(&self, docs: &[Value], dns: &DnsServer) -> Vec<Value> {
        oracle_with(
            "tt-verify",
            docs,
            &[
                ("ORACLE_RPC", &self.chain.url),
                ("ORACLE_DNS", &dns.address.to_string()),
            ],
        )
    }
}

fn fragment<'a>(verdict: &'a Value, name: &str) -> &'a Value {
    verdict["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {verdict}"))
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn documents_issued_and_revoked_on_chain_by_corridor_get_tt_verify_verdicts() {
    let setup = Setup::new();
    let record = format!("openatts net=ethereum netId=1337 addr={}", setup.store);
    let dns = DnsServer::start("corridor.test", &[(LOCATION, &record)]);

    let wrapped = setup.wrap("issued", 5);
    let out = setup.evm(
        &["issue", "--out", "issued.jsonl", &wrapped],
        Some(OWNER_KEY),
    );
    assert!(out.status.success(), "issue: {}", stderr(&out));
    let docs = read_lines(&setup.path("issued.jsonl"));
    assert_eq!(
        docs,
        read_lines(&setup.path(&wrapped)),
        "issued on a store, documents stay as they are"
    );
    for verdict in setup.reference(&docs, &dns) {
        assert_eq!(verdict["valid"], true, "{verdict}");
        assert_eq!(fragment(&verdict, STORE_STATUS)["status"], "VALID");
    }
    let one = setup.path("one.json");
    std::fs::write(&one, serde_json::to_vec(&docs[0]).unwrap()).unwrap();
    let one = one.to_str().unwrap();
    let status = setup.evm(&["status", one], None);
    let said = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.status.success() && said.contains("issued, not revoked"),
        "{said}"
    );

    // Issued again: every root is found issued, nothing is sent, and the run says so.
    let again = setup.evm(
        &["issue", "--out", "again.jsonl", &wrapped],
        Some(OWNER_KEY),
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("1 issued already by") && !stderr(&again).contains("sent "),
        "{}",
        stderr(&again)
    );
    assert_eq!(read_lines(&setup.path("again.jsonl")), docs);

    // Another account may not issue on the owner's store: the role is named.
    let other = setup.wrap("other", 2);
    let refused = setup.evm(
        &["issue", "--out", "refused.jsonl", &other],
        Some(STRANGER_KEY),
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("ISSUER_ROLE"),
        "{}",
        stderr(&refused)
    );
    assert!(!setup.path("refused.jsonl").exists());

    // Never issued: not issued on both sides.
    let never = read_lines(&setup.path(&other));
    for verdict in setup.reference(&never, &dns) {
        assert_eq!(verdict["valid"], false);
        let fragment = fragment(&verdict, STORE_STATUS);
        assert_eq!(fragment["status"], "INVALID");
        assert_eq!(fragment["reason"]["codeString"], "DOCUMENT_NOT_ISSUED");
    }
    std::fs::write(
        setup.path("never.json"),
        serde_json::to_vec(&never[0]).unwrap(),
    )
    .unwrap();
    let status = setup.evm(&["status", "never.json"], None);
    assert!(!status.status.success());
    assert!(String::from_utf8_lossy(&status.stdout).contains("not issued"));

    // Revoking one document's target hash revokes that document only.
    let revoke = setup.evm(&["revoke", one], Some(OWNER_KEY));
    assert!(revoke.status.success(), "revoke: {}", stderr(&revoke));
    let verdicts = setup.reference(&docs, &dns);
    for (i, verdict) in verdicts.iter().enumerate() {
        let fragment = fragment(verdict, STORE_STATUS);
        if i == 0 {
            assert_eq!(verdict["valid"], false);
            assert_eq!(
                fragment["reason"]["codeString"], "DOCUMENT_REVOKED",
                "{verdict}"
            );
        } else {
            assert_eq!(verdict["valid"], true, "{verdict}");
        }
    }
    let status = setup.evm(&["status", one], None);
    assert!(!status.status.success());
    assert!(String::from_utf8_lossy(&status.stdout).contains("REVOKED"));
    let twice = setup.evm(&["revoke", one], Some(OWNER_KEY));
    assert!(twice.status.success(), "{}", stderr(&twice));
    assert!(
        stderr(&twice).contains("revoked already") && !stderr(&twice).contains("sent "),
        "{}",
        stderr(&twice)
    );
}

#[test]
fn a_chain_issue_cut_short_is_finished_by_running_it_again() {
    let setup = Setup::new();
    // 150 batches of one: two transactions, of 100 roots and of 50.
    let raws: Vec<Value> = (0..150)
        .map(|i| {
            json!({"issuers": [{"name": "Carrier", "documentStore": setup.store,
                                "identityProof": {"type": "DNS-TXT", "location": LOCATION}}],
                   "blNumber": format!("CUT-{i}")})
        })
        .collect();
    write_lines(&setup.path("cut-raw.jsonl"), &raws);
    let roots: Vec<String> = setup
        .ok(&[
            "wrap",
            "--individual",
            "--out",
            "cut.jsonl",
            "cut-raw.jsonl",
        ])
        .lines()
        .map(|r| format!("0x{r}"))
        .collect();
    assert_eq!(roots.len(), 150);
    // A root of the second transaction issued by other means (the package's own bindings):
    // before, the first transaction was mined and the second refused, and no re-run could
    // get past the first.
    let mut sorted = roots.clone();
    sorted.sort();
    let taken = sorted[120].clone();
    reference_tooling(
        &setup,
        "chain-issue",
        json!({"store": setup.store, "roots": [&taken[2..]]}),
    );

    let out = setup.evm(
        &["issue", "--out", "issued.jsonl", "cut.jsonl"],
        Some(OWNER_KEY),
    );
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("1 issued already by") && said.contains(&taken[2..]),
        "the root issued before is named: {said}"
    );
    assert_eq!(said.matches("sent issuing").count(), 2, "{said}");
    assert_eq!(said.matches("confirmed 0x").count(), 2, "{said}");
    assert!(said.contains("149 root(s) recorded now"), "{said}");
    assert_eq!(read_lines(&setup.path("issued.jsonl")).len(), 150);

    // Every root is issued: a hash each, with and without 0x.
    for root in [&roots[0], &roots[149][2..].to_string(), &taken] {
        let status = setup.evm(&["status", root], None);
        assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
    }

    // Revoking several at once, one of them revoked already: the rest are revoked.
    let revoke = setup.evm(&["revoke", &roots[0]], Some(OWNER_KEY));
    assert!(revoke.status.success(), "{}", stderr(&revoke));
    let several = setup.evm(
        &["revoke", &roots[0], &roots[1], &roots[2][2..]],
        Some(OWNER_KEY),
    );
    let said = stderr(&several);
    assert!(several.status.success(), "{said}");
    assert!(
        said.contains("1 revoked already") && said.contains(&roots[0][2..]),
        "{said}"
    );
    assert_eq!(
        said.matches("sent revoking").count(),
        1,
        "one transaction: {said}"
    );
    for root in &roots[..3] {
        let status = setup.evm(&["status", root], None);
        assert_eq!(
            status.status.code(),
            Some(1),
            "revoked: {}",
            stderr(&status)
        );
        assert!(String::from_utf8_lossy(&status.stdout).contains("REVOKED"));
    }
}

#[test]
fn chain_options_are_never_ignored() {
    let setup = Setup::new();
    let wrapped = setup.wrap("implied", 2);
    let chain = ["--network", "local", "--rpc-url", &setup.chain.url];
    let key = [("CHAIN_KEY", OWNER_KEY)];
    let run = |args: &[&str]| {
        setup
            .command(args)
            .args(["--private-key-env", "CHAIN_KEY"])
            .envs(key)
            .output()
            .unwrap()
    };
    // A document store and a network without --ledger: the chain is meant, and used.
    let mut args = vec![
        "issue",
        "--out",
        "implied.jsonl",
        "--document-store",
        &setup.store,
    ];
    args.extend(chain);
    args.push(&wrapped);
    let implied = run(&args);
    assert!(implied.status.success(), "{}", stderr(&implied));
    assert!(
        stderr(&implied).contains("sent issuing"),
        "{}",
        stderr(&implied)
    );
    assert!(stderr(&implied).contains(&format!("document store {}", setup.store)));
    assert!(
        !stderr(&implied).contains("did:ethr"),
        "no DID on a chain: {}",
        stderr(&implied)
    );
    assert!(
        !setup.path("store.sqlite").exists(),
        "nothing in the embedded store"
    );

    // A network but no document store: refused, saying what to add.
    let mut args = vec!["issue", "--out", "x.jsonl"];
    args.extend(chain);
    args.push(&wrapped);
    let missing = run(&args);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("--document-store 0xADDRESS"),
        "{}",
        stderr(&missing)
    );

    // Chain options with --ledger embedded: refused, not ignored.
    let embedded = run(&[
        "issue",
        "--ledger",
        "embedded",
        "--out",
        "x.jsonl",
        "--rpc-url",
        &setup.chain.url,
        &wrapped,
    ]);
    assert_eq!(embedded.status.code(), Some(2));
    assert!(
        stderr(&embedded).contains("--rpc-url name a chain"),
        "{}",
        stderr(&embedded)
    );
    assert!(!setup.path("x.jsonl").exists());

    // What a document store cannot keep is refused before anything is sent.
    let issuer = setup.evm(
        &["issue", "--issuer", "carrier", "--out", "x.jsonl", &wrapped],
        Some(OWNER_KEY),
    );
    assert_eq!(issuer.status.code(), Some(2));
    assert!(
        stderr(&issuer).contains("drop --issuer"),
        "{}",
        stderr(&issuer)
    );
    let hash = "ab".repeat(32);
    let reason = setup.evm(
        &["revoke", &hash, "--reason", "superseded"],
        Some(OWNER_KEY),
    );
    assert_eq!(reason.status.code(), Some(2));
    assert!(
        stderr(&reason).contains("drop --reason"),
        "{}",
        stderr(&reason)
    );
    let status = setup.evm(&["status", &hash], None);
    assert_eq!(
        status.status.code(),
        Some(1),
        "not issued: {}",
        stderr(&status)
    );

    // Status with chain options and no --ledger asks the chain.
    let mut args = vec!["status", &hash, "--document-store", &setup.store];
    args.extend(chain);
    let asked = setup.command(&args).output().unwrap();
    assert_eq!(asked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&asked.stdout).contains("not issued"));
}

#[test]
fn a_node_that_fails_or_serves_another_chain_is_a_clear_error() {
    let setup = Setup::new();
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let hash = "ab".repeat(32);
    let status = |network: &[&str], store: &str| {
        setup
            .command(&[
                "status",
                &hash,
                "--ledger",
                "evm",
                "--document-store",
                store,
                "--rpc-timeout",
                "2",
            ])
            .args(network)
            .output()
            .unwrap()
    };
    // Down: no answer is taken for "not issued".
    let down = status(&["--network", "local", "--rpc-url", &closed], &setup.store);
    assert_eq!(down.status.code(), Some(3), "the chain could not be asked");
    let said = stderr(&down);
    assert!(
        said.contains("no endpoint answered") && said.contains(&closed),
        "{said}"
    );
    assert!(!String::from_utf8_lossy(&down.stdout).contains("not issued"));
    // The first endpoint down, the second up: it fails over, at once. An endpoint that
    // refuses connections is not retried, and not asked again in the run (before, each of the
    // run's requests paid its retries' pauses, 1.5 s).
    let started = std::time::Instant::now();
    let over = status(
        &[
            "--network",
            "local",
            "--rpc-url",
            &closed,
            "--rpc-url",
            &setup.chain.url,
        ],
        &setup.store,
    );
    let took = started.elapsed();
    assert!(
        String::from_utf8_lossy(&over.stdout).contains("not issued in this ledger"),
        "{}",
        stderr(&over)
    );
    assert!(
        took < std::time::Duration::from_millis(1400),
        "failing over took {took:?}"
    );
    // Another chain than the one named.
    let wrong = status(
        &["--network", "sepolia", "--rpc-url", &setup.chain.url],
        &setup.store,
    );
    assert_eq!(wrong.status.code(), Some(2), "a setup error");
    assert!(
        stderr(&wrong)
            .contains("serves chain id 1337, but sepolia (chain id 11155111) was asked for"),
        "{}",
        stderr(&wrong)
    );
    // An account, not a contract.
    let account = status(
        &["--network", "local", "--rpc-url", &setup.chain.url],
        OWNER_ADDRESS,
    );
    assert!(
        stderr(&account).contains("is not a contract"),
        "{}",
        stderr(&account)
    );
    // Deployed from a folder below the harness, the package's compiled code is found there.
    let found = setup
        .command(&[
            "chain",
            "deploy",
            "document-store",
            "--private-key-env",
            "OWNER_KEY",
        ])
        .args(["--network", "local", "--rpc-url", &setup.chain.url])
        .env("OWNER_KEY", OWNER_KEY)
        .current_dir(common::repo().join("crates"))
        .output()
        .unwrap();
    assert!(found.status.success(), "{}", stderr(&found));
    assert_ne!(String::from_utf8_lossy(&found.stdout).trim(), setup.store);
    // An unknown network, and one given by endpoint without its chain id.
    let unknown = status(&["--network", "atlantis"], &setup.store);
    assert_eq!(unknown.status.code(), Some(2), "a usage error");
    assert!(
        stderr(&unknown).contains("not a network Corridor knows"),
        "{}",
        stderr(&unknown)
    );
    let bare = status(&["--rpc-url", &setup.chain.url], &setup.store);
    assert!(
        stderr(&bare).contains("--network-chain-id"),
        "{}",
        stderr(&bare)
    );
    let by_id = status(
        &["--rpc-url", &setup.chain.url, "--network-chain-id", "1337"],
        &setup.store,
    );
    assert!(
        String::from_utf8_lossy(&by_id.stdout).contains("not issued in this ledger"),
        "{}",
        stderr(&by_id)
    );
}

/// `corridor verify --json` on `file`, asking the chain at `rpc` and the DNS server `dns`.
fn corridor_verdicts(setup: &Setup, file: &str, rpc: &str, dns: &DnsServer) -> Vec<Value> {
    let out = setup
        .command(&[
            "verify",
            "--json",
            "--network",
            "local",
            "--rpc-url",
            rpc,
            "--rpc-timeout",
            "2",
        ])
        .args(["--dns", &dns.address.to_string(), file])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn corridor_verify_gives_tt_verify_fragments_on_the_chain() {
    let setup = Setup::new();
    let record = format!("openatts net=ethereum netId=1337 addr={}", setup.store);
    let dns = DnsServer::start("corridor.test", &[(LOCATION, &record)]);

    // Issued, one of them then revoked; never issued; and a "store" that is an account.
    let issued = setup.wrap("issued", 6);
    let out = setup.evm(
        &["issue", "--out", "issued.jsonl", &issued],
        Some(OWNER_KEY),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut docs = read_lines(&setup.path("issued.jsonl"));
    let revoked = docs[0]["signature"]["targetHash"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        setup
            .evm(&["revoke", &revoked], Some(OWNER_KEY))
            .status
            .success()
    );
    docs.extend(read_lines(&setup.path(&setup.wrap("never", 2))));
    let account: Vec<Value> = vec![
        json!({"issuers": [{"name": "Nobody", "documentStore": OWNER_ADDRESS,
                                            "identityProof": {"type": "DNS-TXT", "location": LOCATION}}]}),
    ];
    write_lines(&setup.path("account-raw.jsonl"), &account);
    setup.ok(&["wrap", "--out", "account.jsonl", "account-raw.jsonl"]);
    docs.extend(read_lines(&setup.path("account.jsonl")));
    write_lines(&setup.path("all.jsonl"), &docs);

    let ours = corridor_verdicts(&setup, "all.jsonl", &setup.chain.url, &dns);
    let theirs = setup.reference(&docs, &dns);
    assert_eq!(ours.len(), docs.len());
    for (i, (ours, theirs)) in ours.iter().zip(&theirs).enumerate().take(8) {
        assert_eq!(ours["fragments"], theirs["fragments"], "document {i}");
        assert_eq!(ours["valid"], theirs["valid"], "document {i}");
    }
    let codes: Vec<&Value> = theirs
        .iter()
        .map(|v| &fragment(v, STORE_STATUS)["reason"]["codeString"])
        .collect();
    assert_eq!(codes[0], "DOCUMENT_REVOKED");
    assert!(codes[1..6].iter().all(|c| c.is_null()), "{codes:?}");
    assert!(codes[6..8].iter().all(|c| *c == "DOCUMENT_NOT_ISSUED"));
    // An account named as the store: tt-verify says "not issued"; Corridor says the address
    // is wrong, with tt-verify's own code for it.
    assert_eq!(
        fragment(&theirs[8], STORE_STATUS)["reason"]["message"],
        "Contract is not found"
    );
    let account = fragment(&ours[8], STORE_STATUS);
    assert_eq!(
        (&account["status"], &account["reason"]["codeString"]),
        (&json!("ERROR"), &json!("CONTRACT_NOT_FOUND"))
    );
    assert_eq!(ours[8]["valid"], false);

    // An endpoint on another chain than the one named: an error, whatever the documents.
    let out = setup
        .command(&[
            "verify",
            "--json",
            "--network",
            "sepolia",
            "--rpc-url",
            &setup.chain.url,
            "issued.jsonl",
        ])
        .args(["--dns", &dns.address.to_string()])
        .output()
        .unwrap();
    let first = String::from_utf8(out.stdout).unwrap();
    let verdict: Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    let status = fragment(&verdict, STORE_STATUS);
    assert_eq!(status["status"], "ERROR");
    assert!(
        status["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("serves chain id 1337"),
        "{status}"
    );

    // A node that does not answer: an error saying so, never "not issued" or "revoked".
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    for verdict in corridor_verdicts(&setup, "all.jsonl", &closed, &dns) {
        let status = fragment(&verdict, STORE_STATUS);
        assert_eq!(status["status"], "ERROR", "{status}");
        assert!(
            status["reason"]["message"]
                .as_str()
                .unwrap()
                .contains("could not be determined")
        );
        assert_eq!(verdict["valid"], false);
    }
    let down = oracle_with(
        "tt-verify",
        &docs[1..2],
        &[
            ("ORACLE_RPC", &closed),
            ("ORACLE_DNS", &dns.address.to_string()),
        ],
    );
    assert_eq!(fragment(&down[0], STORE_STATUS)["status"], "ERROR");
}

/// The reference's tooling, through the oracle, on this chain with the owner's key.
fn reference_tooling(setup: &Setup, command: &str, mut request: Value) -> Value {
    request["rpc"] = json!(setup.chain.url);
    request["privateKey"] = json!(format!("0x{OWNER_KEY}"));
    oracle_with(command, &[request], &[]).remove(0)
}

/// Wraps `count` documents whose one issuer has `field: address` and a DNS-TXT identity;
/// returns them and their merkle root.
fn wrap_for(
    setup: &Setup,
    name: &str,
    field: &str,
    address: &str,
    count: usize,
) -> (Vec<Value>, String) {
    let raws: Vec<Value> = (0..count)
        .map(|i| {
            json!({"issuers": [{"name": "Carrier", field: address,
                                "identityProof": {"type": "DNS-TXT", "location": LOCATION}}],
                   "blNumber": format!("{name}-{i}")})
        })
        .collect();
    write_lines(&setup.path(&format!("{name}-raw.jsonl")), &raws);
    let root = setup.ok(&[
        "wrap",
        "--out",
        &format!("{name}.jsonl"),
        &format!("{name}-raw.jsonl"),
    ]);
    (
        read_lines(&setup.path(&format!("{name}.jsonl"))),
        root.trim().to_string(),
    )
}

#[test]
fn token_registries_and_the_references_own_store_verify_as_in_tt_verify() {
    let setup = Setup::new();
    let registry = reference_tooling(&setup, "chain-token-registry", json!({}))["address"]
        .as_str()
        .unwrap()
        .to_string();
    let store =
        reference_tooling(&setup, "chain-document-store", json!({"name": "Reference"}))["address"]
            .as_str()
            .unwrap()
            .to_string();
    let records: Vec<String> = [&registry, &store]
        .iter()
        .map(|a| format!("openatts net=ethereum netId=1337 addr={a}"))
        .collect();
    let dns = DnsServer::start(
        "corridor.test",
        &[(LOCATION, &records[0]), (LOCATION, &records[1])],
    );

    let (minted, minted_root) = wrap_for(&setup, "minted", "tokenRegistry", &registry, 3);
    let (unminted, _) = wrap_for(&setup, "unminted", "tokenRegistry", &registry, 2);
    let (nowhere, _) = wrap_for(&setup, "nowhere", "tokenRegistry", OWNER_ADDRESS, 1);
    let (theirs_issued, their_root) = wrap_for(&setup, "theirs", "documentStore", &store, 2);
    reference_tooling(
        &setup,
        "chain-mint",
        json!({"registry": registry, "roots": [minted_root]}),
    );
    reference_tooling(
        &setup,
        "chain-issue",
        json!({"store": store, "roots": [their_root]}),
    );

    let docs: Vec<Value> = [minted, unminted, nowhere, theirs_issued].concat();
    write_lines(&setup.path("all.jsonl"), &docs);
    let ours = corridor_verdicts(&setup, "all.jsonl", &setup.chain.url, &dns);
    let theirs = setup.reference(&docs, &dns);
    const TOKEN_STATUS: &str = "OpenAttestationEthereumTokenRegistryStatus";
    for (i, (ours, theirs)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(
            ours["valid"], theirs["valid"],
            "document {i}: {ours} {theirs}"
        );
        for (a, b) in ours["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .zip(theirs["fragments"].as_array().unwrap())
        {
            if a["name"] != TOKEN_STATUS || b["status"] != "ERROR" {
                assert_eq!(a, b, "document {i}");
            } else if (3..5).contains(&i) {
                // Never minted: ownerOf reverts "ERC721: owner query for nonexistent token",
                // which tt-verify means to report as not minted; its Ethereum library cannot
                // read ganache's revert data, so it reports an unexpected error instead.
                assert_eq!(b["reason"]["code"], 0);
                assert_eq!(a["status"], "INVALID", "document {i}");
                assert_eq!(a["reason"]["codeString"], "DOCUMENT_NOT_MINTED");
                assert_eq!(
                    a["reason"]["message"],
                    "Document has not been issued under token registry"
                );
            } else {
                // No contract at the address: tt-verify's message is its library's error text.
                assert_eq!(
                    (&a["status"], &a["reason"]["code"]),
                    (&b["status"], &b["reason"]["code"]),
                    "document {i}"
                );
            }
        }
    }
    let valid: Vec<bool> = ours.iter().map(|v| v["valid"] == true).collect();
    assert_eq!(valid, [true, true, true, false, false, false, true, true]);
    let nowhere = fragment(&ours[5], TOKEN_STATUS);
    assert_eq!(nowhere["status"], "ERROR");
    assert!(
        nowhere["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("no token registry"),
        "{nowhere}"
    );
}

#[test]
fn a_token_registry_deployed_by_corridor_holds_titles_tt_verify_accepts() {
    let setup = Setup::new();
    // From a folder of the repository, the package's compiled contracts are found.
    let deploy = |extra: &[&str]| {
        setup
            .command(&[
                "chain",
                "deploy",
                "token-registry",
                "--private-key-env",
                "OWNER_KEY",
            ])
            .args(["--network", "local", "--rpc-url", &setup.chain.url])
            .args(extra)
            .env("OWNER_KEY", OWNER_KEY)
            .current_dir(common::repo())
            .output()
            .unwrap()
    };
    let deployed = |extra: &[&str]| {
        let out = deploy(extra);
        assert!(out.status.success(), "{}", stderr(&out));
        (
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            stderr(&out),
        )
    };
    let (registry, said) = deployed(&[]);
    let factory = said
        .split("title escrow factory ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    // A second registry shares the first one's title escrow factory.
    let (second, said) = deployed(&[
        "--escrow-factory",
        &factory,
        "--name",
        "Second",
        "--symbol",
        "SND",
    ]);
    assert_ne!(second, registry);
    assert!(
        said.contains(&format!("title escrow factory {factory}")),
        "{said}"
    );
    let not_a_factory = deploy(&["--escrow-factory", OWNER_ADDRESS]);
    assert!(!not_a_factory.status.success());
    assert!(
        stderr(&not_a_factory).contains("is not a contract"),
        "{}",
        stderr(&not_a_factory)
    );
    // A v4 registry cannot mint through a v5 factory: refused before deploying.
    let other_version = deploy(&["--escrow-factory", &factory, "--registry-version", "v4"]);
    assert!(!other_version.status.success());
    assert!(
        stderr(&other_version).contains("is not a title escrow factory of Token Registry v4"),
        "{}",
        stderr(&other_version)
    );

    let record = format!("openatts net=ethereum netId=1337 addr={registry}");
    let dns = DnsServer::start("corridor.test", &[(LOCATION, &record)]);
    let (docs, root) = wrap_for(&setup, "titles", "tokenRegistry", &registry, 3);
    reference_tooling(
        &setup,
        "chain-mint",
        json!({"registry": registry, "roots": [root]}),
    );
    write_lines(&setup.path("titles-all.jsonl"), &docs);
    let ours = corridor_verdicts(&setup, "titles-all.jsonl", &setup.chain.url, &dns);
    let theirs = setup.reference(&docs, &dns);
    for (ours, theirs) in ours.iter().zip(&theirs) {
        assert_eq!(ours["fragments"], theirs["fragments"]);
        assert_eq!(
            (&ours["valid"], &theirs["valid"]),
            (&json!(true), &json!(true))
        );
    }
}
