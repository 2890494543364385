//! Keys and DID signing through the command line, against ethers and the reference:
//! keystores each side opens, signatures each side recovers, and no secret anywhere it should
//! not be.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{TEST_KEY as PRIVATE_KEY, Workdir, oracle, read_lines, write_lines};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

/// A folder with Corridor's home in it and a password file.
struct Setup {
    work: Workdir,
}

common::derefs_to_workdir!(Setup);

impl Setup {
    fn new() -> Setup {
        let work = Workdir::new();
        std::fs::write(work.path("password"), format!("{PASSWORD}\n")).unwrap();
        Setup { work }
    }

    fn address_of(&self, name: &str) -> String {
        let shown = self.ok(&["key", "show", name]);
        field(&shown, "address")
    }

    fn keystore(&self, name: &str) -> String {
        std::fs::read_to_string(self.path("home/keys").join(format!("{name}.json"))).unwrap()
    }
}

/// The value of a `name   value` line of `corridor key show`.
fn field(shown: &str, name: &str) -> String {
    shown
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {name} in {shown}"))
}

/// Raw documents whose issuer is the DID of `address`.
fn did_documents(address: &str, count: usize) -> Vec<Value> {
    let did = format!("did:ethr:{address}");
    (0..count)
        .map(|i| {
            json!({
                "issuers": [{"id": did, "name": format!("Issuer {i}"), "revocation": {"type": "NONE"},
                             "identityProof": {"type": "DID", "key": format!("{did}#controller")}}],
                "blNumber": format!("BL-{i}"), "weight": i as f64 * 1.5, "hazardous": i % 2 == 0,
            })
        })
        .collect()
}

fn verdicts(setup: &Setup, file: &str) -> Vec<Value> {
    let out = setup.run(&["verify", "--offline", "--json", file]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn did_status(verdict: &Value) -> &Value {
    let fragments = verdict["fragments"].as_array().unwrap();
    let fragment = fragments
        .iter()
        .find(|f| f["name"] == "OpenAttestationDidSignedDocumentStatus")
        .unwrap();
    &fragment["status"]
}

#[test]
fn keystores_open_on_both_sides() {
    let setup = Setup::new();
    setup.ok(&[
        "key",
        "import",
        "imported",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--password-file",
        "password",
    ]);
    setup.ok(&["key", "new", "fresh", "--password-file", "password"]);
    let imported = setup.address_of("imported");
    assert_eq!(imported, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");

    // ethers opens Corridor's keystores, and finds the addresses Corridor shows
    let requests: Vec<Value> = ["imported", "fresh"]
        .iter()
        .map(|n| json!({"keystore": setup.keystore(n), "password": PASSWORD}))
        .collect();
    let opened = oracle("keystore-open", &requests);
    assert_eq!(opened[0]["address"], json!(imported));
    assert_eq!(opened[1]["address"], json!(setup.address_of("fresh")));
    let wrong = oracle(
        "keystore-open",
        &[json!({"keystore": setup.keystore("fresh"), "password": "nope"})],
    );
    assert!(wrong[0]["error"].is_string());

    // Corridor opens ethers' keystore, and signs with it
    let made = oracle(
        "keystore-make",
        &[json!({"privateKey": format!("0x{PRIVATE_KEY}"), "password": PASSWORD})],
    );
    std::fs::write(
        setup.path("home/keys/from-ethers.json"),
        made[0].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(setup.address_of("from-ethers"), imported);
    let listed = setup.ok(&["key", "list"]);
    assert_eq!(listed.lines().count(), 3, "{listed}");

    write_lines(&setup.path("raw.jsonl"), &did_documents(&imported, 3));
    setup.ok(&["wrap", "--out", "wrapped.jsonl", "raw.jsonl"]);
    setup.ok(&[
        "sign",
        "--key",
        "from-ethers",
        "--password-file",
        "password",
        "--out",
        "signed.jsonl",
        "wrapped.jsonl",
    ]);
    for verdict in verdicts(&setup, "signed.jsonl") {
        assert_eq!(did_status(&verdict), "VALID", "{verdict}");
        assert_eq!(verdict["valid"], true);
    }
}

#[test]
fn signatures_match_the_reference() {
    let setup = Setup::new();
    setup.ok(&[
        "key",
        "import",
        "ops",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--password-file",
        "password",
    ]);
    let address = setup.address_of("ops");

    // two batches of several documents, and one of a single document
    let raws = did_documents(&address, 7);
    write_lines(&setup.path("a.jsonl"), &raws[..4]);
    write_lines(&setup.path("b.jsonl"), &raws[4..6]);
    write_lines(&setup.path("c.jsonl"), &raws[6..]);
    let mut wrapped = Vec::new();
    for batch in ["a", "b", "c"] {
        let out = format!("{batch}-wrapped.jsonl");
        setup.ok(&["wrap", "--out", &out, &format!("{batch}.jsonl")]);
        wrapped.extend(read_lines(&setup.path(&out)));
    }
    write_lines(&setup.path("wrapped.jsonl"), &wrapped);
    let roots = setup.ok(&[
        "sign",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--out",
        "signed.jsonl",
        "wrapped.jsonl",
    ]);
    assert_eq!(roots.lines().count(), 3, "one signature per merkle root");
    let ours = read_lines(&setup.path("signed.jsonl"));

    // the reference recovers the same signer from Corridor's signatures
    for signers in oracle("signer", &ours) {
        assert_eq!(signers, json!([address]));
    }
    // the reference signs the same documents with the same key: the same entry, byte for
    // byte, but for the time of signing; and Corridor accepts what the reference signed
    let requests: Vec<Value> = wrapped
        .iter()
        .map(|d| json!({"document": d, "privateKey": format!("0x{PRIVATE_KEY}")}))
        .collect();
    let theirs = oracle("sign", &requests);
    for (mine, reference) in ours.iter().zip(&theirs) {
        let mut a = mine["proof"][0].clone();
        let mut b = reference["proof"][0].clone();
        assert!(a["created"].as_str().unwrap().ends_with('Z'));
        a["created"] = Value::Null;
        b["created"] = Value::Null;
        assert_eq!(a, b);
        assert_eq!(
            mine.as_object().unwrap().keys().collect::<Vec<_>>(),
            reference.as_object().unwrap().keys().collect::<Vec<_>>()
        );
    }
    write_lines(&setup.path("theirs.jsonl"), &theirs);
    for verdict in verdicts(&setup, "theirs.jsonl") {
        assert_eq!(did_status(&verdict), "VALID", "{verdict}");
    }

    // signing again appends a second entry, as the reference does
    setup.ok(&[
        "sign",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--out",
        "twice.jsonl",
        "signed.jsonl",
    ]);
    let twice = read_lines(&setup.path("twice.jsonl"));
    assert_eq!(twice[0]["proof"].as_array().unwrap().len(), 2);
    assert_eq!(oracle("signer", &twice)[0], json!([address, address]));
}

/// Every file under `dir` but the keystores.
fn files_outside_keystores(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_outside_keystores(&path, out);
        } else if path.parent().and_then(|p| p.file_name()) != Some("keys".as_ref()) {
            out.push(path);
        }
    }
}

#[test]
fn failures_are_clear_and_secrets_stay_secret() {
    let setup = Setup::new();
    let mut said = String::new();
    let mut record = |out: &Output| {
        said.push_str(&String::from_utf8_lossy(&out.stdout));
        said.push_str(&String::from_utf8_lossy(&out.stderr));
    };

    let out = setup.run(&[
        "key",
        "import",
        "ops",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--password-file",
        "password",
    ]);
    assert!(out.status.success());
    record(&out);
    let address = setup.address_of("ops");
    write_lines(&setup.path("raw.jsonl"), &did_documents(&address, 2));
    record(&setup.run(&["wrap", "--out", "wrapped.jsonl", "raw.jsonl"]));

    // a wrong password: a clear error naming the key file, and nothing written
    std::fs::write(setup.path("wrong"), "not the password\n").unwrap();
    let out = setup.run(&[
        "sign",
        "--key",
        "ops",
        "--password-file",
        "wrong",
        "--out",
        "signed.jsonl",
        "wrapped.jsonl",
    ]);
    record(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a wrong password is a setup error"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("wrong password"), "{stderr}");
    assert!(stderr.contains("ops.json"), "{stderr}");
    assert!(!setup.path("signed.jsonl").exists());

    // no password anywhere, and no terminal to ask on
    let out = setup.run(&["key", "new", "other"]);
    record(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no keystore password"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // a key that is not one is refused without being echoed
    std::fs::write(setup.path("bad-key"), "0x1234zz\n").unwrap();
    let out = setup.run(&[
        "key",
        "import",
        "bad",
        "--private-key-file",
        "bad-key",
        "--password-file",
        "password",
    ]);
    record(&out);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not 32 bytes of hex") && !stderr.contains("1234zz"),
        "{stderr}"
    );

    // an existing key is never replaced
    let out = setup.run(&["key", "new", "ops", "--password-file", "password"]);
    record(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(setup.address_of("ops"), address);

    // a tampered document is not signed
    let mut docs = read_lines(&setup.path("wrapped.jsonl"));
    docs[1]["data"]["blNumber"] = json!("changed");
    write_lines(&setup.path("tampered.jsonl"), &docs);
    let out = setup.run(&[
        "sign",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--out",
        "signed.jsonl",
        "tampered.jsonl",
    ]);
    record(&out);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tampered.jsonl:2") && stderr.contains("refusing to sign"),
        "{stderr}"
    );
    assert!(!setup.path("signed.jsonl").exists());

    // signing for real, and the secrets are still nowhere but in the keystore
    let out = setup.run(&[
        "sign",
        "--key",
        "ops",
        "--password-file",
        "password",
        "--out-dir",
        "signed",
        "wrapped.jsonl",
    ]);
    record(&out);
    assert!(out.status.success());
    assert_eq!(std::fs::read_dir(setup.path("signed")).unwrap().count(), 2);
    assert!(!said.contains(PRIVATE_KEY) && !said.contains(PASSWORD));
    let mut files = Vec::new();
    files_outside_keystores(setup.dir.path(), &mut files);
    for file in files
        .iter()
        .filter(|f| f.file_name() != Some("password".as_ref()))
    {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).to_lowercase();
        assert!(
            !text.contains(PRIVATE_KEY) && !text.contains(&PASSWORD.to_lowercase()),
            "{} holds a secret",
            file.display()
        );
    }
    let keystore = setup.keystore("ops").to_lowercase();
    assert!(!keystore.contains(PRIVATE_KEY) && !keystore.contains(&PASSWORD.to_lowercase()));
}

#[test]
fn init_prepares_an_issuer_and_says_what_to_publish() {
    let setup = Setup::new();
    let args = [
        "init",
        "--domain",
        "issuer.example.com",
        "--responder",
        "https://issuer.example.com/",
        "--password-file",
        "password",
    ];
    let said = setup.ok(&args);
    let address = setup.address_of("issuer");
    let did_url = format!("did:ethr:{address}#controller");
    let record = said
        .lines()
        .find(|l| l.trim_start().starts_with("openatts"))
        .unwrap_or_else(|| panic!("no record in {said}"));
    let parsed = corridor_format::dns_records::parse_dns_did(record.trim()).unwrap();
    assert_eq!(parsed.public_key, did_url);
    let issuer: Value = said
        .lines()
        .find_map(|l| serde_json::from_str(l.trim()).ok())
        .unwrap_or_else(|| panic!("no issuer block in {said}"));
    assert_eq!(issuer["identityProof"]["key"], json!(did_url));
    assert_eq!(issuer["identityProof"]["type"], "DNS-DID");
    assert_eq!(
        issuer["revocation"],
        json!({"type": "OCSP_RESPONDER", "location": "https://issuer.example.com/ocsp/issuer"})
    );
    // The store is made, wherever it is kept (an empty file or database has no audit log).
    let audited: corridor_db::Result<i64> =
        setup
            .connect_store()
            .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0));
    assert!(audited.is_ok(), "no store made: {audited:?}");
    // a second run keeps the key
    setup.ok(&args);
    assert_eq!(setup.address_of("issuer"), address);
}
