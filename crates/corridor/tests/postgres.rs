//! Several `corridor serve` processes sharing one PostgreSQL database, as behind a load
//! balancer, against a real PostgreSQL server the test starts: title actions sent to all of
//! them at once still obey the rules, each applied once and never two that conflict.

mod common;

use std::collections::HashMap;

use alloy_primitives::{Address, Bytes, U256};
use common::{Served, Workdir};
use corridor_title::{Action, SignedAction};
use k256::ecdsa::SigningKey;
use serde_json::Value;

const SERVERS: usize = 3;
const ROUNDS: usize = 12;

fn key(byte: u8) -> SigningKey {
    SigningKey::from_slice(&[byte; 32]).unwrap()
}

fn error_code(answer: &Value) -> &str {
    answer["error"]["code"].as_str().unwrap_or("")
}

#[test]
fn servers_sharing_a_database_apply_each_title_action_once_and_never_two_that_conflict() {
    let work = Workdir::on_postgres();
    let admin = key(1);
    let registry: Address = common::create_registry(&work, &const_hex::encode(admin.to_bytes()))
        .parse()
        .unwrap();
    let api_token = work
        .ok(&["token", "new", "ci", "--scope", "titles"])
        .trim()
        .to_string();
    let servers: Vec<Served> = (0..SERVERS)
        .map(|_| Served::start(&work, &["--offline"]))
        .collect();
    let here = common::deployment(&work);
    let token = U256::from(2026);
    let sign = |k: &SigningKey, action: Action, nonce: u64| {
        serde_json::to_vec(&SignedAction::sign(
            k,
            &here,
            registry,
            token,
            action,
            Bytes::new(),
            nonce,
        ))
        .unwrap()
    };
    let route = "/api/titles/actions";
    let parties: Vec<SigningKey> = (10..18).map(key).collect();
    let address = |k: &SigningKey| Address::from_private_key(k);
    let first = &parties[0];
    let minted = common::http::call(
        &servers[0].base,
        "POST",
        route,
        Some(&sign(
            &admin,
            Action::Mint {
                beneficiary: address(first),
                holder: address(first),
            },
            0,
        )),
        Some(&api_token),
    );
    assert_eq!(minted.status, 200, "{}", minted.json);

    let mut holder = 0usize;
    let mut nonces: HashMap<usize, u64> = HashMap::new();
    for round in 0..ROUNDS {
        let nonce = *nonces.get(&holder).unwrap_or(&0);
        // The holder signs a transfer to each other party with the same nonce (each
        // conflicts with every other), one of them twice, and one more with the nonce after
        // (valid only if it came first, which its nonce forbids, or if the holder were
        // still the holder after a transfer, which the rules forbid).
        let mut actions: Vec<(usize, Vec<u8>)> = (0..parties.len())
            .filter(|&p| p != holder)
            .map(|to| {
                let action = Action::TransferHolder {
                    holder: address(&parties[to]),
                };
                (to, sign(&parties[holder], action, nonce))
            })
            .collect();
        actions.push(actions[0].clone());
        let after = (holder + 1) % parties.len();
        actions.push((
            after,
            sign(
                &parties[holder],
                Action::TransferHolder {
                    holder: address(&parties[after]),
                },
                nonce + 1,
            ),
        ));
        let answers: Vec<(usize, common::Answer)> = std::thread::scope(|scope| {
            let sending: Vec<_> = actions
                .iter()
                .enumerate()
                .map(|(i, (to, body))| {
                    let base = &servers[(i + round) % SERVERS].base;
                    let token = &api_token;
                    scope.spawn(move || {
                        (
                            *to,
                            common::http::call(base, "POST", route, Some(body), Some(token)),
                        )
                    })
                })
                .collect();
            sending.into_iter().map(|s| s.join().unwrap()).collect()
        });
        let applied: Vec<usize> = answers
            .iter()
            .filter(|(_, a)| a.status == 200)
            .map(|(to, _)| *to)
            .collect();
        assert_eq!(
            applied.len(),
            1,
            "round {round}: exactly one action applies: {applied:?}"
        );
        for (_, answer) in answers.iter().filter(|(_, a)| a.status != 200) {
            assert_eq!(answer.status, 409, "round {round}: {}", answer.json);
            assert!(
                ["invalid_nonce", "CallerNotHolder"].contains(&error_code(&answer.json)),
                "round {round}: {}",
                answer.json
            );
        }
        let winner = applied[0];
        let (_, answer) = answers.iter().find(|(_, a)| a.status == 200).unwrap();
        assert_eq!(
            answer.json["title"]["holder"],
            address(&parties[winner]).to_checksum(None)
        );
        nonces.insert(holder, nonce + 1);
        holder = winner;
    }

    // Every server now reads the same title, with one transfer per round in its history.
    let title_path = format!("/api/titles/{registry:#x}/{token:#066x}");
    for server in &servers {
        let title = common::http::call(&server.base, "GET", &title_path, None, None);
        assert_eq!(title.status, 200, "{}", title.json);
        assert_eq!(
            title.json["title"]["holder"],
            address(&parties[holder]).to_checksum(None)
        );
        let history = common::http::call(
            &server.base,
            "GET",
            &format!("{title_path}/history"),
            None,
            None,
        );
        assert_eq!(history.status, 200, "{}", history.json);
        let entries = history.json["history"].as_array().expect("a history");
        assert_eq!(
            entries.len(),
            1 + ROUNDS,
            "the mint and one transfer per round"
        );
    }
    // And the log of the shared store replays to exactly its records.
    let audit = work.ok(&["store", "audit"]);
    assert!(audit.contains("intact"), "{audit}");
    assert!(
        audit.contains(&format!("{} audit entries", 2 + ROUNDS)),
        "{audit}"
    );
}

/// A store's URL may carry its database password: it is shown without it, in errors and in
/// the server's log, and never written anywhere.
#[test]
fn a_store_url_is_never_shown_with_its_password() {
    let work = Workdir::on_sqlite();
    let nowhere = format!(
        "postgresql://corridor:hunter2-secret@localhost/none?host={}",
        work.path("no-server").display()
    );
    let out = work.run(&["--store", &nowhere, "store", "audit"]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("postgresql://corridor:***@localhost/none"),
        "{said}"
    );
    assert!(said.contains("No such file"), "the reason: {said}");
    assert!(!said.contains("hunter2"), "{said}");
    // A password holding `/` (as base64 ones do) is hidden whole; help never shows the
    // variable's value.
    let slashed = nowhere.replace("hunter2-secret", "hunter2/secret?x");
    let out = work.run(&["--store", &slashed, "store", "audit"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("hunter2"), "{said}");
    // Text meant for a database but not a postgres:// URL is refused, not made a SQLite
    // file of that name, and its password is not repeated either.
    for meant in [
        "postgress://corridor:hunter2-secret@db/corridor",
        "host=db user=corridor password=hunter2-secret dbname=corridor",
    ] {
        let out = work.run(&["--store", meant, "store", "audit"]);
        assert_eq!(out.status.code(), Some(2));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("not a"), "{said}");
        assert!(!said.contains("hunter2"), "{said}");
    }
    assert_eq!(
        std::fs::read_dir(work.path("home")).map_or(0, |files| files.count()),
        0,
        "nothing made in the home folder"
    );
    let help = work
        .command(&["serve", "--help"])
        .env("CORRIDOR_STORE", &nowhere)
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(!String::from_utf8_lossy(&help.stdout).contains("hunter2"));

    // The test server lets its user in without a password: one given is not checked, and
    // must still not be shown.
    let database = corridor_db::test_server::fresh_database();
    let with_password = database.replacen("postgres@", "postgres:hunter2-secret@", 1);
    let mut server = work
        .command(&[
            "--store",
            &with_password,
            "serve",
            "--offline",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert!(line.starts_with("listening on "), "{line}");
    // The log's first lines, up to the one naming the store (written just after).
    let mut log = String::new();
    let mut stderr = std::io::BufReader::new(server.stderr.take().unwrap());
    while !log.contains("store=") {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() == 0 {
            break;
        }
        log.push_str(&line);
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(
        log.contains("store=postgresql://postgres:***@localhost:"),
        "{log}"
    );
    assert!(!log.contains("hunter2"), "{log}");
    for file in std::fs::read_dir(work.path("home")).into_iter().flatten() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(7).any(|w| w == b"hunter2"));
    }
}
