//! The revocation responder (`corridor serve`) on a loopback port, and `corridor verify`
//! asking it, against tt-verify asking the same responder about the same documents.
//!
//! tt-verify would resolve the issuers' did:ethr DIDs over a chain; the oracle gives it the DID
//! document of a DID never changed on chain instead (see `compat/oracle.mjs`), so that
//! tt-verify still checks each signature with its own recovery.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::dns::DnsServer;
use common::{TEST_ADDRESS as ADDRESS, Workdir, oracle_with, read_lines, write_lines};
use serde_json::{Value, json};

const DID_SIGNED: &str = "OpenAttestationDidSignedDocumentStatus";

/// The issuers' DNS-DID identity lives here.
const LOCATION: &str = "issuer.corridor.test";

struct Setup {
    work: Workdir,
    /// The nameserver serving the issuer's DNS-DID record.
    dns: String,
}

common::derefs_to_workdir!(Setup);

impl Setup {
    fn new() -> Setup {
        let record = format!("openatts a=dns-did; p=did:ethr:{ADDRESS}#controller; v=1.0;");
        let server = DnsServer::start("corridor.test", &[(LOCATION, &record)]);
        Setup {
            work: Workdir::new(),
            dns: server.address.to_string(),
        }
    }

    /// tt-verify's `{valid, fragments}` for each document, asking the same nameserver.
    fn reference(&self, docs: &[Value]) -> Vec<Value> {
        oracle_with("tt-verify", docs, &[("ORACLE_DNS", &self.dns)])
    }

    /// Wraps raw documents whose issuer's responder is `location` into one batch, and issues
    /// (or only signs) them; returns the documents.
    fn make(&self, name: &str, location: &str, count: usize, issue: bool) -> Vec<Value> {
        let did = format!("did:ethr:{ADDRESS}");
        let raws: Vec<Value> = (0..count)
            .map(|i| {
                json!({"issuers": [{"id": did, "name": "Lion City Shipping",
                                    "revocation": {"type": "OCSP_RESPONDER", "location": location},
                                    "identityProof": {"type": "DNS-DID", "location": LOCATION,
                                                      "key": format!("{did}#controller")}}],
                       "blNumber": format!("{name}-{i}")})
            })
            .collect();
        let raw = format!("{name}-raw.jsonl");
        let wrapped = format!("{name}-wrapped.jsonl");
        let out = format!("{name}.jsonl");
        write_lines(&self.path(&raw), &raws);
        self.ok(&["wrap", "--out", &wrapped, &raw]);
        let verb = if issue { "issue" } else { "sign" };
        let mut args = vec![
            verb,
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--out",
            &out,
            &wrapped,
        ];
        if issue {
            args.extend(["--issuer", "lion-city"]);
        }
        self.ok(&args);
        read_lines(&self.path(&out))
    }

    /// Corridor's report for each document, verified online: `{file, valid, fragments}`.
    fn verify(&self, docs: &[Value]) -> Vec<Value> {
        write_lines(&self.path("to-verify.jsonl"), docs);
        let out = self
            .command(&[
                "verify",
                "--json",
                "--timeout",
                "5",
                "--dns",
                &self.dns,
                "to-verify.jsonl",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// A server on a loopback port that answers every request with `body`.
fn answering(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{address}")
}

fn fragment<'a>(fragments: &'a [Value], name: &str) -> &'a Value {
    fragments
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {fragments:?}"))
}

#[test]
fn revocation_answers_match_tt_verify() {
    let setup = Setup::new();
    let responder = common::Served::start(&setup, &[]);
    let location = format!("{}/ocsp/lion-city", responder.base);
    let a = setup.make("a", &location, 5, true);
    let b = setup.make("b", &location, 3, true);
    let all: Vec<Value> = a.iter().chain(&b).cloned().collect();

    let check = |expect_revoked: &dyn Fn(usize) -> Option<u32>| {
        let ours = setup.verify(&all);
        let theirs = setup.reference(&all);
        assert_eq!(ours.len(), all.len());
        for (i, (mine, reference)) in ours.iter().zip(&theirs).enumerate() {
            // every fragment the same: name, type, status, and reason (code and message)
            assert_eq!(mine["fragments"], reference["fragments"], "document {i}");
            assert_eq!(
                mine["valid"], reference["valid"],
                "document {i}: the verdict"
            );
            let did_signed = fragment(mine["fragments"].as_array().unwrap(), DID_SIGNED);
            // issued by the domain it claims, and so valid unless revoked
            assert_eq!(mine["valid"], expect_revoked(i).is_none(), "document {i}");
            match expect_revoked(i) {
                None => assert_eq!(did_signed["status"], "VALID", "document {i}"),
                Some(code) => {
                    assert_eq!(did_signed["status"], "INVALID", "document {i}");
                    assert_eq!(did_signed["reason"]["code"], code, "document {i}");
                    assert!(
                        did_signed["reason"]["message"]
                            .as_str()
                            .unwrap()
                            .ends_with(&format!(
                                "has been revoked under OCSP Responder: {location}"
                            )),
                        "{did_signed}"
                    );
                }
            }
        }
    };
    check(&|_| None);

    // one document of a, by its target hash; all of b, by its root
    let a0 = a[0]["signature"]["targetHash"]
        .as_str()
        .unwrap()
        .to_string();
    let b_root = b[0]["signature"]["merkleRoot"]
        .as_str()
        .unwrap()
        .to_string();
    setup.ok(&["revoke", &a0, "--reason", "key-compromise"]);
    setup.ok(&["revoke", &b_root, "--reason", "superseded"]);
    // and, in a, the node above the last document: it and its sibling go
    let last = &a[4]["signature"];
    let node = corridor_format::combine_sorted(
        &last["targetHash"].as_str().unwrap().parse().unwrap(),
        &last["proof"][0].as_str().unwrap().parse().unwrap(),
    );
    setup.ok(&["revoke", &node.to_hex(), "--reason", "suspended"]);
    let under_node: Vec<bool> = a
        .iter()
        .map(|d| {
            let s = &d["signature"];
            let proof: Vec<corridor_format::Hash32> = s["proof"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().parse().unwrap())
                .collect();
            corridor_format::merkle::path_from_proof(
                &s["targetHash"].as_str().unwrap().parse().unwrap(),
                &proof,
            )
            .contains(&node)
        })
        .collect();
    check(&|i| match i {
        0 => Some(1),
        i if i < 5 && under_node[i] => Some(1001),
        i if i >= 5 => Some(4),
        _ => None,
    });
}

#[test]
fn a_responder_down_or_wrong_is_an_error_on_both_sides() {
    let setup = Setup::new();
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let cases = [
        (
            "down",
            format!("{closed}/ocsp"),
            11,
            "OCSP_RESPONSE_INVALID",
        ),
        (
            "garbage",
            answering("this is not JSON"),
            1,
            "UNEXPECTED_ERROR",
        ),
        (
            "shape",
            answering("{\"status\": \"good\"}"),
            11,
            "OCSP_RESPONSE_INVALID",
        ),
        (
            "code",
            answering("{\"revoked\": true, \"documentHash\": \"0x00\", \"reasonCode\": 7}"),
            11,
            "OCSP_RESPONSE_INVALID",
        ),
    ];
    for (name, location, code, code_string) in cases {
        let docs = setup.make(name, &location, 2, false);
        let ours = setup.verify(&docs);
        let theirs = setup.reference(&docs);
        for (mine, reference) in ours.iter().zip(&theirs) {
            assert_eq!(mine["valid"], reference["valid"], "{name}: the verdict");
            let mine = fragment(mine["fragments"].as_array().unwrap(), DID_SIGNED);
            let reference = fragment(reference["fragments"].as_array().unwrap(), DID_SIGNED);
            for side in [mine, reference] {
                assert_eq!(side["status"], "ERROR", "{name}: {side}");
                assert_eq!(side["reason"]["code"], code, "{name}: {side}");
                assert_eq!(side["reason"]["codeString"], code_string, "{name}: {side}");
            }
            if code == 11 {
                let prefix = "Invalid or unexpected response from OCSP Responder";
                assert!(
                    mine["reason"]["message"]
                        .as_str()
                        .unwrap()
                        .starts_with(prefix)
                );
                assert!(
                    reference["reason"]["message"]
                        .as_str()
                        .unwrap()
                        .starts_with(prefix)
                );
            }
        }
    }
    // offline, the same documents' revocation is reported unchecked, not guessed
    write_lines(
        &setup.path("offline.jsonl"),
        &setup.make("offline", &closed, 1, false),
    );
    let out = setup.ok(&["verify", "--offline", "--json", "offline.jsonl"]);
    let report: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let did_signed = fragment(report["fragments"].as_array().unwrap(), DID_SIGNED);
    assert_eq!(did_signed["status"], "SKIPPED");
    assert!(
        did_signed["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("offline")
    );
}
