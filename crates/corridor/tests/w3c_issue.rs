//! Issuing W3C credentials with Corridor (issue 16): Multikeys of both curves in the encrypted
//! keystore, the did:web document that lists them, status list credentials and credentials
//! signed by `corridor sign --suite` — which TrustVC verifies and derives from, with the
//! verdicts Corridor gives too; and what cannot be signed refused, nothing written.

mod common;

use common::w3c::{
    KEY_PASSWORD as PASSWORD, bill_of_lading, corridor_verdicts, disagreements,
    unlocked as corridor, unlocked_ok as ok, world_folder,
};
use common::{Workdir, compat_script_split};
use corridor_verify::w3c::StatusList;
use rand::Rng;
use serde_json::{Value, json};

const HOST: &str = "issuer.corridor.test";
const LIST: &str = "https://issuer.corridor.test/status/1";
/// A world folder serving `files` (URL → JSON), the whole network as far as it is concerned.
fn write_world(work: &Workdir, files: &[(&str, &Value)]) -> std::path::PathBuf {
    let texts: Vec<(&str, String)> = files.iter().map(|(u, v)| (*u, v.to_string())).collect();
    let texts: Vec<(&str, &str)> = texts.iter().map(|(u, t)| (*u, t.as_str())).collect();
    world_folder(&work.path("world"), &texts, true)
}

#[test]
fn credentials_corridor_issues_verify_in_trustvc_and_in_corridor_alike() {
    let work = Workdir::new();
    ok(&work, &["key", "new", "carrier-p256", "--type", "p256"]);
    ok(&work, &["key", "new", "carrier-bls", "--type", "bls12-381"]);
    let shown = ok(&work, &["key", "show", "carrier-bls"]);
    assert!(shown.contains("Multikey for bbs-2023"), "{shown}");
    let did = format!("did:web:{HOST}");
    let document: Value = serde_json::from_str(&ok(
        &work,
        &[
            "did",
            "document",
            &did,
            "--key",
            "carrier-p256",
            "--key",
            "carrier-bls",
        ],
    ))
    .unwrap();
    assert_eq!(
        document["assertionMethod"],
        json!([format!("{did}#keys-1"), format!("{did}#keys-2")])
    );

    // A status list of Corridor's own, with bits 2 and 6 set, signed by Corridor.
    let mut bits = vec![0u8; 16384];
    bits[0] = 0b0010_0010;
    let list = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v2"],
        "id": LIST,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": format!("{LIST}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": StatusList::encode(&bits),
        },
    });
    std::fs::write(work.path("list.json"), list.to_string()).unwrap();
    let signed_list = ok(
        &work,
        &[
            "sign",
            "--suite",
            "ecdsa-sd-2023",
            "--key",
            "carrier-p256",
            "--verification-method",
            &format!("{did}#keys-1"),
            "--out",
            "-",
            "list.json",
        ],
    );
    let signed_list: Value = serde_json::from_str(&signed_list).unwrap();
    assert_eq!(
        signed_list["id"], LIST,
        "a status list credential keeps its id"
    );
    let world = write_world(
        &work,
        &[
            (&format!("https://{HOST}/.well-known/did.json"), &document),
            (LIST, &signed_list),
        ],
    );

    // Bills of lading of random shape, with no status, a status entry, or a transferable
    // record's, for each suite.
    let mut rng = common::rng(16_001);
    let mut expected_revoked = 0;
    let mut files = Vec::new();
    for (suite, key, fragment, count) in [
        ("ecdsa-sd-2023", "carrier-p256", "keys-1", 24),
        ("bbs-2023", "carrier-bls", "keys-2", 8),
    ] {
        let mut lines = String::new();
        for _ in 0..count {
            let mut credential = bill_of_lading(&mut rng, &did);
            match rng.random_range(0..3) {
                0 => {}
                1 => {
                    let index = rng.random_range(0..8u32);
                    expected_revoked += usize::from(index == 2 || index == 6);
                    credential["credentialStatus"] = json!({
                        "id": format!("{LIST}#{index}"), "type": "BitstringStatusListEntry",
                        "statusPurpose": "revocation", "statusListIndex": index.to_string(),
                        "statusListCredential": LIST,
                    });
                }
                _ => {
                    credential["@context"].as_array_mut().unwrap().push(json!(
                        "https://trustvc.io/context/transferable-records-context.json"
                    ));
                    credential["credentialStatus"] = json!({
                        "type": "TransferableRecords",
                        "tokenNetwork": {"chain": "MATIC", "chainId": 80002},
                        "tokenRegistry": "0x71d28767662cb233f887abe2ca6f8bd7e1e9d1eb",
                    });
                }
            }
            lines.push_str(&format!("{credential}\n"));
        }
        let input = work.path(&format!("{suite}.jsonl"));
        std::fs::write(&input, lines).unwrap();
        let out = work.path(&format!("signed-{suite}"));
        ok(
            &work,
            &[
                "sign",
                "--suite",
                suite,
                "--key",
                key,
                "--verification-method",
                &format!("{did}#{fragment}"),
                "--mandatory",
                "/credentialSubject/blNumber",
                "--out-dir",
                out.to_str().unwrap(),
                input.to_str().unwrap(),
            ],
        );
        for entry in std::fs::read_dir(&out).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    assert_eq!(files.len(), 32);
    for file in &files {
        let signed: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        assert!(
            signed["id"].as_str().unwrap().starts_with("urn:uuid:"),
            "{signed}"
        );
        if signed["credentialStatus"]["type"] == "TransferableRecords" {
            use k256::sha2::Digest;
            let token = k256::sha2::Sha256::digest(signed["id"].as_str().unwrap().as_bytes());
            assert_eq!(
                signed["credentialStatus"]["tokenId"],
                const_hex::encode(token)
            );
        }
    }

    // TrustVC derives from each what a holder would pass on.
    let world_arg = world.to_str().unwrap();
    let requests: Vec<String> = files
        .iter()
        .map(|f| {
            let credential: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
            let pointers = if rng.random_bool(0.5) {
                vec!["/credentialSubject/vessel"]
            } else {
                vec![]
            };
            let pointers: Vec<&str> = pointers
                .into_iter()
                .filter(|p| credential.pointer(p).is_some())
                .collect();
            format!(
                "{}\n",
                json!({"credential": credential, "pointers": pointers})
            )
        })
        .collect();
    let derived = compat_script_split("oracle-w3c.mjs", &["derive", world_arg], &requests, &[]);
    for (i, d) in derived.iter().enumerate() {
        assert!(
            d.get("error").is_none(),
            "TrustVC could not derive from Corridor's {}: {d}",
            files[i].display()
        );
        let path = work.path(&format!("derived-{i}.json"));
        std::fs::write(&path, d.to_string()).unwrap();
        files.push(path);
    }

    let paths: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let theirs = compat_script_split("oracle-w3c.mjs", &["verify", world_arg], &[], &paths);
    let ours = corridor_verdicts(&work, &world, &paths);
    let mut found = Vec::new();
    let (mut valid, mut revoked) = (0, 0);
    for ((path, their), our) in paths.iter().zip(&theirs).zip(&ours) {
        found.extend(disagreements(path, their, our));
        let integrity = their["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["type"] == "DOCUMENT_INTEGRITY")
            .any(|f| f["status"] == "VALID");
        assert!(integrity, "TrustVC on Corridor's {path}: {their}");
        valid += usize::from(their["verdict"] == "VALID");
        revoked += usize::from(
            their["fragments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["reason"]["codeString"] == "REVOKED"),
        );
    }
    assert!(
        found.is_empty(),
        "{} disagreements:\n{}",
        found.len(),
        found.join("\n")
    );
    assert!(valid >= 16, "only {valid} valid");
    // Each revoked credential, base and derived (when its status was disclosed).
    assert!(
        revoked >= expected_revoked,
        "{revoked} revoked, {expected_revoked} expected at least"
    );
    assert!(expected_revoked > 0);
}

#[test]
fn what_cannot_be_signed_is_refused_and_nothing_is_written() {
    let work = Workdir::new();
    ok(&work, &["key", "new", "p", "--type", "p256"]);
    ok(&work, &["key", "new", "eth"]);
    let did = format!("did:web:{HOST}");
    let mut credential = bill_of_lading(&mut common::rng(3), &did);
    std::fs::write(work.path("good.json"), credential.to_string()).unwrap();
    credential["id"] = json!("urn:uuid:0192");
    std::fs::write(work.path("with-id.json"), credential.to_string()).unwrap();
    let mut other = bill_of_lading(&mut common::rng(4), "did:web:someone-else.example");
    other["validFrom"] = json!("2025-03-10T01:00:00Z");
    std::fs::write(work.path("other-issuer.json"), other.to_string()).unwrap();
    std::fs::write(work.path("not-json.json"), "{").unwrap();
    let method = format!("{did}#keys-1");
    let out = work.path("out");
    // How Corridor was asked is wrong: exit 2; a credential is: exit 1.
    let cases: [(&[&str], &str, i32); 6] = [
        (
            &[
                "--suite",
                "bbs-2023",
                "--key",
                "p",
                "--verification-method",
                &method,
                "good.json",
            ],
            "the key p signs ecdsa-sd-2023, not bbs-2023",
            2,
        ),
        (
            &[
                "--suite",
                "ecdsa-sd-2023",
                "--key",
                "eth",
                "--verification-method",
                &method,
                "good.json",
            ],
            "not a Multikey",
            2,
        ),
        (
            &[
                "--suite",
                "ecdsa-sd-2023",
                "--key",
                "p",
                "--verification-method",
                "did:key:z6Mk#1",
                "good.json",
            ],
            "give a did:web DID",
            2,
        ),
        (
            &[
                "--suite",
                "ecdsa-sd-2023",
                "--key",
                "p",
                "--verification-method",
                &method,
                "good.json",
                "with-id.json",
            ],
            "with-id.json: \"id\" is a defined field",
            1,
        ),
        (
            &[
                "--suite",
                "ecdsa-sd-2023",
                "--key",
                "p",
                "--verification-method",
                &method,
                "good.json",
                "other-issuer.json",
            ],
            "other-issuer.json: its issuer is \"did:web:someone-else.example\"",
            1,
        ),
        (
            &[
                "--suite",
                "ecdsa-sd-2023",
                "--key",
                "p",
                "--verification-method",
                &method,
                "good.json",
                "not-json.json",
            ],
            "not-json.json: not valid JSON",
            1,
        ),
    ];
    for (args, said, code) in cases {
        let mut all = vec!["sign", "--out-dir", out.to_str().unwrap()];
        all.extend(args);
        let run = corridor(&work, &all);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{args:?}: {stderr}");
        assert!(!stderr.contains(PASSWORD));
        let written = std::fs::read_dir(&out).map_or(0, |d| {
            d.filter(|e| {
                !e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count()
        });
        assert_eq!(written, 0, "{args:?} wrote something");
    }
    // A DID document lists Multikeys only, of a did:web DID.
    let run = corridor(&work, &["did", "document", &did, "--key", "eth"]);
    assert_eq!(run.status.code(), Some(2));
    let run = corridor(&work, &["did", "document", "did:key:z6Mk", "--key", "p"]);
    assert!(String::from_utf8_lossy(&run.stderr).contains("is not a did:web DID"));
    // The OpenAttestation side keeps its Ethereum keys: a Multikey cannot sign there.
    let run = corridor(
        &work,
        &[
            "init",
            "--key",
            "p",
            "--domain",
            "example.com",
            "--name",
            "x",
            "--responder",
            "https://example.com",
        ],
    );
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("Multikey"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn corridor_serve_hosts_did_documents_where_their_dids_resolve() {
    let work = Workdir::new();
    ok(&work, &["key", "new", "k", "--type", "p256"]);
    let mut served_paths = Vec::new();
    for (did, path) in [
        ("did:web:issuer.corridor.test", "/.well-known/did.json"),
        (
            "did:web:issuer.corridor.test:carriers:7",
            "/carriers/7/did.json",
        ),
    ] {
        let file = work.path(&format!("did-{}.json", served_paths.len()));
        ok(
            &work,
            &[
                "did",
                "document",
                did,
                "--key",
                "k",
                "--out",
                file.to_str().unwrap(),
            ],
        );
        served_paths.push((file, path, did));
    }
    let mut args = Vec::new();
    for (file, _, _) in &served_paths {
        args.extend(["--did-document", file.to_str().unwrap()]);
    }
    let served = common::Served::start(&work, &args);
    for (file, path, did) in &served_paths {
        let answer = served.send("GET", path, None, None);
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.json["id"], *did);
        let written: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        assert_eq!(answer.json, written, "{path}");
    }
    // A file whose id is not a did:web DID is refused at start.
    std::fs::write(work.path("bad.json"), r#"{"id": "did:key:z6Mk"}"#).unwrap();
    let run = corridor(&work, &["serve", "--did-document", "bad.json"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is not a did:web DID"));
}

/// Where a test's titles are kept: the registry, how `corridor title` reaches it, and how
/// verifiers do (a network name and a JSON-RPC URL).
struct Ledger {
    registry: String,
    on: Vec<String>,
    network: &'static str,
    chain_id: u64,
    rpc: String,
}

#[test]
fn a_transferable_record_is_a_title_minted_with_corridor_title_and_verified_on_its_chain() {
    use common::chain::{Ganache, deploy_registry, on_chain};
    let ganache = Ganache::start();
    let work = Workdir::new();
    let registry = deploy_registry(&work, &ganache);
    let ledger = Ledger {
        on: on_chain(&registry, &ganache),
        registry,
        network: "local",
        chain_id: 1337,
        rpc: ganache.url.clone(),
    };
    transferable_record_minted_and_verified(&work, &ledger);
}

/// The same on the embedded registry, verified through `corridor serve`'s `/rpc`, by TrustVC
/// too.
#[test]
fn a_transferable_record_on_the_embedded_registry_verifies_through_serve() {
    let work = Workdir::new();
    let registry = common::create_registry(&work, common::chain::OWNER_KEY);
    let server = common::Served::start(&work, &[]);
    let ledger = Ledger {
        registry,
        on: vec!["--ledger".into(), "sqlite".into()],
        network: "corridor",
        chain_id: corridor_ledger::EMBEDDED_CHAIN_ID,
        rpc: format!("{}/rpc", server.base),
    };
    transferable_record_minted_and_verified(&work, &ledger);
}

/// An electronic bill of lading Corridor signs with a `TransferableRecords` status on
/// `ledger`: not minted (INVALID to TrustVC and Corridor alike), minted with `corridor title
/// mint CREDENTIAL.json` (VALID to both), and a forged tokenId refused.
fn transferable_record_minted_and_verified(work: &Workdir, ledger: &Ledger) {
    use common::chain::{OWNER_ADDRESS, OWNER_KEY, title_cli};
    let registry = &ledger.registry;
    ok(work, &["key", "new", "carrier", "--type", "p256"]);
    let did = format!("did:web:{HOST}");
    let document: Value =
        serde_json::from_str(&ok(work, &["did", "document", &did, "--key", "carrier"])).unwrap();
    let world = write_world(
        work,
        &[(&format!("https://{HOST}/.well-known/did.json"), &document)],
    );
    let mut bol = bill_of_lading(&mut common::rng(9), &did);
    bol["@context"].as_array_mut().unwrap().push(json!(
        "https://trustvc.io/context/transferable-records-context.json"
    ));
    bol["credentialStatus"] = json!({
        "type": "TransferableRecords",
        "tokenNetwork": {"chain": "LOCAL", "chainId": ledger.chain_id},
        "tokenRegistry": registry,
    });
    std::fs::write(work.path("ebl.json"), bol.to_string()).unwrap();
    ok(
        work,
        &[
            "sign",
            "--suite",
            "ecdsa-sd-2023",
            "--key",
            "carrier",
            "--verification-method",
            &format!("{did}#keys-1"),
            "--mandatory",
            "/credentialStatus",
            "--out-dir",
            "signed",
            "ebl.json",
        ],
    );
    let signed = work.path("signed/ebl.json");
    let signed_arg = signed.to_str().unwrap();
    let verdicts = || {
        let env = [("ORACLE_RPC_URL", ledger.rpc.as_str())];
        let theirs = common::compat_script(
            "oracle-w3c.mjs",
            &["verify", world.to_str().unwrap(), signed_arg],
            &env,
            String::new(),
        );
        let mut args = vec!["verify", "--json", "--world", world.to_str().unwrap()];
        args.extend([
            "--network",
            ledger.network,
            "--rpc-url",
            &ledger.rpc,
            signed_arg,
        ]);
        let out = work.run(&args);
        let ours: Value = serde_json::from_slice(&out.stdout).unwrap();
        (theirs[0].clone(), ours)
    };
    let transferable = |v: &Value| {
        v["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "TransferableRecords")
            .unwrap()
            .clone()
    };

    // Not minted yet: both say so, with the same code.
    let (theirs, ours) = verdicts();
    let found = disagreements("not minted", &theirs, &ours);
    assert!(found.is_empty(), "{}", found.join("\n"));
    assert_eq!(transferable(&ours)["status"], "INVALID", "{ours}");

    // Minted with the credential as the title: its tokenId, on the registry it names.
    let (code, answer) = title_cli(
        work,
        &ledger.on,
        &[
            "mint",
            signed_arg,
            "--beneficiary",
            OWNER_ADDRESS,
            "--holder",
            OWNER_ADDRESS,
        ],
        Some(OWNER_KEY),
    );
    assert_eq!(code, 0, "{answer}");
    let token = format!("0x{}", bol_token(&signed));
    let (code, status) = title_cli(work, &ledger.on, &["status", &token], None);
    assert_eq!(
        (code, status["minted"].clone()),
        (0, json!(true)),
        "{status}"
    );
    let (theirs, ours) = verdicts();
    let found = disagreements("minted", &theirs, &ours);
    assert!(found.is_empty(), "{}", found.join("\n"));
    assert_eq!(theirs["verdict"], "VALID", "{theirs}");
    assert_eq!(ours["valid"], true, "{ours}");

    // A credential whose tokenId is not its id's hash is not taken for a title.
    let mut forged: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    forged["credentialStatus"]["tokenId"] = json!("00".repeat(32));
    std::fs::write(work.path("forged.json"), forged.to_string()).unwrap();
    let mut args = vec!["title", "status", "forged.json"];
    args.extend(ledger.on.iter().map(String::as_str));
    let run = work.run(&args);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("is not the SHA-256 of the credential's id")
    );
}

/// A bill of lading of random shape (from `seed`) signed with ecdsa-sd-2023 by the key `k`
/// as `did#keys-1`, in `signed.json`.
fn signed_bill_of_lading(work: &Workdir, did: &str, seed: u64) {
    let credential = bill_of_lading(&mut common::rng(seed), did);
    std::fs::write(work.path("bol.json"), credential.to_string()).unwrap();
    ok(
        work,
        &[
            "sign",
            "--suite",
            "ecdsa-sd-2023",
            "--key",
            "k",
            "--verification-method",
            &format!("{did}#keys-1"),
            "--out",
            "signed.json",
            "bol.json",
        ],
    );
}

/// A signed credential's tokenId.
fn bol_token(path: &std::path::Path) -> String {
    let signed: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    signed["credentialStatus"]["tokenId"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_bad_did_document_gives_the_error_that_names_what_is_wrong() {
    let work = Workdir::new();
    ok(&work, &["key", "new", "k", "--type", "p256"]);
    let did = format!("did:web:{HOST}");
    let good: Value =
        serde_json::from_str(&ok(&work, &["did", "document", &did, "--key", "k"])).unwrap();
    signed_bill_of_lading(&work, &did, 12);
    let other_key = {
        ok(&work, &["key", "new", "other", "--type", "p256"]);
        let other: Value =
            serde_json::from_str(&ok(&work, &["did", "document", &did, "--key", "other"])).unwrap();
        other["verificationMethod"][0]["publicKeyMultibase"].clone()
    };
    let bls_key = {
        ok(&work, &["key", "new", "bls", "--type", "bls12-381"]);
        let bls: Value =
            serde_json::from_str(&ok(&work, &["did", "document", &did, "--key", "bls"])).unwrap();
        bls["verificationMethod"][0]["publicKeyMultibase"].clone()
    };
    let with = |change: &dyn Fn(&mut Value)| {
        let mut document = good.clone();
        change(&mut document);
        document.to_string()
    };
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "no key",
            with(&|d| d["verificationMethod"] = json!([])),
            "INVALID",
            "could not be found",
        ),
        (
            "another key",
            with(&|d| d["verificationMethod"][0]["publicKeyMultibase"] = other_key.clone()),
            "INVALID",
            "Invalid signature",
        ),
        (
            "a BLS key",
            with(&|d| d["verificationMethod"][0]["publicKeyMultibase"] = bls_key.clone()),
            "INVALID",
            "Unsupported public multikey header",
        ),
        (
            "not a multibase key",
            with(&|d| d["verificationMethod"][0]["publicKeyMultibase"] = json!("not-a-key")),
            "INVALID",
            "Unsupported public multikey header",
        ),
        (
            "not a Multikey",
            with(&|d| d["verificationMethod"][0]["type"] = json!("JsonWebKey2020")),
            "INVALID",
            "not a Multikey",
        ),
        (
            "not under assertionMethod",
            with(&|d| d["assertionMethod"] = json!([])),
            "INVALID",
            "not authorized by controller for proof purpose \"assertionMethod\"",
        ),
        (
            "no controller",
            with(&|d| {
                d["verificationMethod"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("controller");
            }),
            "INVALID",
            "names no controller",
        ),
        (
            "not JSON",
            "<html>Moved</html>".into(),
            "INVALID",
            "could not be resolved",
        ),
    ];
    for (what, document, status, says) in cases {
        let world = world_folder(
            &work.path(&format!("world-{}", what.replace(' ', "-"))),
            &[(&format!("https://{HOST}/.well-known/did.json"), &document)],
            true,
        );
        let verdict = &corridor_verdicts(&work, &world, &["signed.json"])[0];
        let integrity = verdict["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "EcdsaW3CSignatureIntegrity")
            .unwrap();
        assert_eq!(integrity["status"], status, "{what}: {verdict}");
        let message = integrity["reason"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{what}: {message}");
        assert_eq!(verdict["valid"], false, "{what}");
    }
}

/// did:web over a real HTTPS server (loopback, a certificate from a private authority): the
/// issuer's document is fetched where its DID says, and the credential verifies when the
/// authority is trusted with --tls-ca; without it the server is not trusted and nothing is
/// claimed valid; a document that stops listing the key is named.
#[test]
fn did_web_resolves_over_https_from_a_real_server() {
    let work = Workdir::new();
    let server = common::https::HttpsServer::start();
    ok(&work, &["key", "new", "k", "--type", "p256"]);
    let did = format!("did:web:localhost%3A{}", server.port);
    let document = ok(&work, &["did", "document", &did, "--key", "k"]);
    server.put("/.well-known/did.json", document.as_bytes());
    std::fs::write(work.path("ca.pem"), &server.ca_pem).unwrap();
    signed_bill_of_lading(&work, &did, 443);
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "--json"];
        args.extend(extra);
        args.push("signed.json");
        let out = corridor(&work, &args);
        let line: Value =
            serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap_or_default())
                .unwrap_or(Value::Null);
        (
            out.status.code(),
            line,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let fragment = |verdict: &Value, name: &str| {
        verdict["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap()
    };

    let (code, verdict, stderr) = verify(&["--tls-ca", "ca.pem"]);
    assert_eq!(code, Some(0), "{verdict} {stderr}");
    assert_eq!(verdict["valid"], true);
    assert_eq!(
        fragment(&verdict, "EcdsaW3CSignatureIntegrity")["status"],
        "VALID"
    );
    assert_eq!(fragment(&verdict, "W3CIssuerIdentity")["status"], "VALID");

    // The Mozilla roots do not know a private authority: not valid, and never "valid".
    let (code, verdict, stderr) = verify(&[]);
    assert_ne!(code, Some(0), "{verdict} {stderr}");
    assert_eq!(verdict["valid"], false, "{verdict}");
    let integrity = fragment(&verdict, "EcdsaW3CSignatureIntegrity");
    assert_ne!(integrity["status"], "VALID", "{integrity}");

    // The document no longer lists the key for assertions: named as TrustVC names it.
    let mut moved: Value = serde_json::from_str(&document).unwrap();
    moved["assertionMethod"] = json!([]);
    server.put("/.well-known/did.json", moved.to_string().as_bytes());
    let (code, verdict, _) = verify(&["--tls-ca", "ca.pem"]);
    assert_eq!(code, Some(1), "{verdict}");
    let integrity = fragment(&verdict, "EcdsaW3CSignatureIntegrity");
    assert_eq!(integrity["status"], "INVALID");
    assert!(
        integrity["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("not authorized by controller for proof purpose \"assertionMethod\""),
        "{integrity}"
    );

    // A file that holds no certificate is refused, named.
    std::fs::write(work.path("not.pem"), "no certificate here").unwrap();
    let (code, answer, _) = verify(&["--tls-ca", "not.pem"]);
    assert_eq!(code, Some(2), "{answer}");
    assert_eq!(
        answer["error"]["message"], "--tls-ca not.pem: no certificate in it",
        "{answer}"
    );
}
