//! Issuer identity through DNS: a real DNS server on a loopback port (hickory's, in this
//! process) serves the TXT records; `corridor verify` asks it as a nameserver and through
//! DNS over HTTPS, and tt-verify asks it too (its DNS pointed at the same server, see
//! `compat/oracle.mjs`). Both must give the same identity fragments.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use common::dns::DnsServer;
use common::{TEST_ADDRESS as ADDRESS, Workdir, oracle_with, read_lines, write_lines};
use serde_json::{Value, json};

const OTHER: &str = "0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1";
const REGISTRY: &str = "0x142Ca30e3b78A840a82192529cA047ED759a6F7e";
const DNS_TXT: &str = "OpenAttestationDnsTxtIdentityProof";
const DNS_DID: &str = "OpenAttestationDnsDidIdentityProof";

/// The records served, by name. `big.corridor.test` has too many to answer over UDP, so its
/// answer comes over TCP.
fn records() -> Vec<(&'static str, String)> {
    let filler = (0..10).map(|i| {
        (
            "big.corridor.test",
            format!("filler-{i}-{}", "x".repeat(200)),
        )
    });
    let mut records: Vec<(&'static str, String)> = filler.collect();
    records.push((
        "big.corridor.test",
        format!("openatts a=dns-did; p=did:ethr:{ADDRESS}#controller; v=1.0;"),
    ));
    records.extend([
        (
            "issuer.corridor.test",
            format!("openatts a=dns-did; p=did:ethr:{ADDRESS}#controller; v=1.0;"),
        ),
        ("issuer.corridor.test", "v=spf1 -all".to_string()),
        (
            "other.corridor.test",
            format!("openatts a=dns-did; p=did:ethr:{OTHER}#controller; v=1.0;"),
        ),
        (
            "carrier.corridor.test",
            format!(
                "openatts net=ethereum netId=1 addr={}",
                REGISTRY.to_lowercase()
            ),
        ),
        (
            "wrongnet.corridor.test",
            format!("openatts net=ethereum netId=5 addr={REGISTRY}"),
        ),
        // a matching record, and one whose key breaks dnsprove's reading of them all
        (
            "broken.corridor.test",
            format!("openatts net=ethereum netId=1 addr={REGISTRY}"),
        ),
        (
            "broken.corridor.test",
            "openatts net=ethereum constructor=x".to_string(),
        ),
    ]);
    records
}

struct Setup {
    work: Workdir,
}

common::derefs_to_workdir!(Setup);

impl Setup {
    /// Wrapped (and, when `sign`, signed) documents, one for each issuer block (or array of
    /// them).
    fn documents(&self, issuers: &[Value], sign: bool) -> Vec<Value> {
        let raws: Vec<Value> = issuers
            .iter()
            .enumerate()
            .map(|(i, issuer)| {
                let issuers = if issuer.is_array() {
                    issuer.clone()
                } else {
                    json!([issuer])
                };
                json!({"issuers": issuers, "blNumber": format!("BL-{i}")})
            })
            .collect();
        write_lines(&self.path("raw.jsonl"), &raws);
        self.ok(&[
            "wrap",
            "--individual",
            "--out",
            "wrapped.jsonl",
            "raw.jsonl",
        ]);
        if !sign {
            return read_lines(&self.path("wrapped.jsonl"));
        }
        self.ok(&[
            "sign",
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--out",
            "signed.jsonl",
            "wrapped.jsonl",
        ]);
        read_lines(&self.path("signed.jsonl"))
    }

    /// Corridor's report for each document, asking each of `dns` in turn: `{file, valid,
    /// fragments}`.
    fn verify(&self, docs: &[Value], dns: &[&str], timeout: &str) -> Vec<Value> {
        write_lines(&self.path("to-verify.jsonl"), docs);
        let mut args = vec!["verify", "--json", "--timeout", timeout];
        for resolver in dns {
            args.extend(["--dns", resolver]);
        }
        args.push("to-verify.jsonl");
        let out = self.run(&args);
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn did_issuer(location: &str, key_address: &str) -> Value {
    let did = format!("did:ethr:{ADDRESS}");
    json!({"id": did, "name": "Lion City Shipping", "revocation": {"type": "NONE"},
           "identityProof": {"type": "DNS-DID", "location": location,
                             "key": format!("did:ethr:{key_address}#controller")}})
}

fn txt_issuer(location: &str) -> Value {
    json!({"name": "Lion City Shipping", "tokenRegistry": REGISTRY,
           "identityProof": {"type": "DNS-TXT", "location": location}})
}

/// The fragment `name` of a report (Corridor's or the oracle's).
fn fragment<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()
}

/// How many times each name was asked, by path and name (`/resolve carrier.corridor.test`).
type Asked = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>;

/// The times `name` was asked at `path`.
fn times(asked: &Asked, path: &str, name: &str) -> usize {
    let asked = asked.lock().unwrap();
    asked.get(&format!("{path} {name}")).copied().unwrap_or(0)
}

/// A DNS-over-HTTPS server on a loopback port answering from `records`, by path:
/// `/resolve` in the JSON form, `/dns-query` in RFC 8484's DNS messages, `/failing/resolve`
/// and `/failing/dns-query` a server failure in each, and `/busy/...` an HTTP 503. Its base
/// URL, `http://127.0.0.1:PORT`.
fn doh_server(records: Vec<(&'static str, String)>) -> (String, Asked) {
    use base64::Engine as _;
    use hickory_proto::op::{Message, MessageType, ResponseCode};
    use hickory_proto::rr::rdata::TXT;
    use hickory_proto::rr::{RData, Record};

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let asked = Asked::default();
    let counter = asked.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap_or(0);
            // the rest of the request: headers up to the empty line
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let target = request_line.split(' ').nth(1).unwrap_or("");
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let param = |key: &str| {
                query
                    .split('&')
                    .find_map(|p| p.strip_prefix(&format!("{key}=")))
                    .unwrap_or("")
                    .to_string()
            };
            let message = (path.ends_with("/dns-query")).then(|| {
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(param("dns"))
                    .unwrap();
                Message::from_vec(&bytes).unwrap()
            });
            let name = match &message {
                Some(m) => m.queries()[0]
                    .name()
                    .to_ascii()
                    .trim_end_matches('.')
                    .to_string(),
                None => param("name"),
            };
            *counter
                .lock()
                .unwrap()
                .entry(format!("{path} {}", name.to_lowercase()))
                .or_default() += 1;
            let failing = path.starts_with("/failing/");
            let found: Vec<&String> = records
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, text)| text)
                .collect();
            let (kind, body) = match message {
                _ if path.starts_with("/busy/") => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    continue;
                }
                Some(question) => {
                    let mut answer = Message::new();
                    answer
                        .set_id(question.id())
                        .set_message_type(MessageType::Response)
                        .add_queries(question.queries().to_vec());
                    let code = match (failing, found.is_empty()) {
                        (true, _) => ResponseCode::ServFail,
                        (false, true) => ResponseCode::NXDomain,
                        (false, false) => ResponseCode::NoError,
                    };
                    answer.set_response_code(code);
                    if !failing {
                        let owner = question.queries()[0].name().clone();
                        for text in &found {
                            let txt = RData::TXT(TXT::new(vec![text.to_string()]));
                            answer.add_answer(Record::from_rdata(owner.clone(), 60, txt));
                        }
                    }
                    ("application/dns-message", answer.to_vec().unwrap())
                }
                None => {
                    let answers: Vec<Value> = found
                        .iter()
                        .map(|text| json!({"name": name, "type": 16, "TTL": 60, "data": format!("\"{text}\"")}))
                        .collect();
                    let status = match (failing, answers.is_empty()) {
                        (true, _) => 2,
                        (false, true) => 3,
                        (false, false) => 0,
                    };
                    let body = json!({"Status": status, "AD": false, "Answer": answers});
                    ("application/dns-json", body.to_string().into_bytes())
                }
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    (format!("http://{address}"), asked)
}

#[test]
fn dns_identity_matches_tt_verify() {
    let served = records();
    let table: Vec<(&str, &str)> = served.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let server = DnsServer::start("corridor.test", &table);
    let nameserver = server.address.to_string();
    let setup = Setup {
        work: Workdir::new(),
    };

    // (document issuer, identity fragment, expected status, expected code)
    let signed = setup.documents(
        &[
            did_issuer("issuer.corridor.test", ADDRESS),
            did_issuer("other.corridor.test", ADDRESS),
            did_issuer("missing.corridor.test", ADDRESS),
            did_issuer("ISSUER.corridor.test", &ADDRESS.to_lowercase()),
            did_issuer("big.corridor.test", ADDRESS),
        ],
        true,
    );
    let wrapped = setup.documents(
        &[
            txt_issuer("carrier.corridor.test"),
            txt_issuer("wrongnet.corridor.test"),
            txt_issuer("https://carrier.corridor.test"),
            txt_issuer("missing.corridor.test"),
            json!([
                txt_issuer("carrier.corridor.test"),
                txt_issuer("wrongnet.corridor.test")
            ]),
            json!([
                txt_issuer("carrier.corridor.test"),
                did_issuer("issuer.corridor.test", ADDRESS)
            ]),
            txt_issuer("broken.corridor.test"),
        ],
        false,
    );
    // (identity fragment, expected status, expected code); each fragment equals tt-verify's,
    // `data` included, but for the record that breaks dnsprove: there both are an ERROR with the
    // same code, and Corridor's message says what tt-verify's TypeError does not.
    let expected = [
        (DNS_DID, "VALID", None),
        (DNS_DID, "INVALID", Some(6)),
        (DNS_DID, "INVALID", Some(6)),
        (DNS_DID, "VALID", None),
        (DNS_DID, "VALID", None),
        (DNS_TXT, "VALID", None),
        (DNS_TXT, "INVALID", Some(4)),
        (DNS_TXT, "VALID", None),
        (DNS_TXT, "INVALID", Some(4)),
        (DNS_TXT, "INVALID", Some(4)),
        (DNS_TXT, "INVALID", Some(3)),
        (DNS_TXT, "ERROR", Some(0)),
    ];
    let broken = expected.len() - 1;
    let docs: Vec<Value> = signed.into_iter().chain(wrapped).collect();
    let theirs = oracle_with("tt-verify", &docs, &[("ORACLE_DNS", &nameserver)]);
    let (doh, asked) = doh_server(served.clone());
    let json_form = format!("{doh}/resolve");
    let message_form = format!("{doh}/dns-query");
    for dns in [&nameserver, &json_form, &message_form] {
        let ours = setup.verify(&docs, &[dns], "5");
        for (i, (name, status, code)) in expected.iter().enumerate() {
            let mine = fragment(&ours[i], name);
            let reference = fragment(&theirs[i], name);
            if i == broken {
                assert_eq!(mine["reason"]["code"], reference["reason"]["code"]);
                assert_eq!(mine["status"], reference["status"], "document {i}");
                let message = mine["reason"]["message"].as_str().unwrap();
                assert!(message.contains("constructor"), "{message}");
            } else {
                assert_eq!(mine, reference, "document {i}, DNS at {dns}");
            }
            // what was found, issuer by issuer, whenever there is a verdict
            let verdict = matches!(*status, "VALID" | "INVALID");
            assert_eq!(mine["data"].is_array(), verdict, "document {i}: {mine}");
            assert_eq!(
                ours[i]["valid"], theirs[i]["valid"],
                "document {i}: the verdict"
            );
            assert_eq!(mine["status"], *status, "document {i}: {mine}");
            if let Some(code) = code {
                assert_eq!(mine["reason"]["code"], *code, "document {i}: {mine}");
            }
        }
        let vouched = fragment(&ours[5], DNS_TXT);
        assert_eq!(
            vouched["data"],
            json!([{"status": "VALID", "location": "carrier.corridor.test", "value": REGISTRY}])
        );
    }

    // each name was asked once in the run, however many documents name it
    for path in ["/resolve", "/dns-query"] {
        assert_eq!(times(&asked, path, "carrier.corridor.test"), 1);
        assert_eq!(times(&asked, path, "issuer.corridor.test"), 1);
    }
    assert!(asked.lock().unwrap().values().all(|n| *n == 1), "{asked:?}");

    // a nameserver that does not answer: an error on both sides, not a verdict
    let silent = {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let address = socket.local_addr().unwrap().to_string();
        std::mem::forget(socket); // bound and never read: questions go unanswered
        address
    };
    let ours = setup.verify(&docs, &[&silent], "1");
    let theirs = oracle_with("tt-verify", &docs, &[("ORACLE_DNS", &silent)]);
    for (i, (name, _, _)) in expected.iter().enumerate() {
        let mine = fragment(&ours[i], name);
        let reference = fragment(&theirs[i], name);
        assert_eq!(mine["status"], "ERROR", "document {i}: {mine}");
        for field in ["name", "type", "status"] {
            assert_eq!(mine[field], reference[field], "document {i}");
        }
        for field in ["code", "codeString"] {
            assert_eq!(
                mine["reason"][field], reference["reason"][field],
                "document {i}"
            );
        }
        // tt-verify's message, and the cause it loses: who was asked, and what went wrong.
        let message = mine["reason"]["message"].as_str().unwrap();
        assert_eq!(reference["reason"]["message"], "Unable to query DNS");
        assert!(
            message.starts_with("Unable to query DNS (")
                && message.contains(&format!("at nameserver {silent}"))
                && message.contains("timed out after 1 s"),
            "document {i}: {message}"
        );
    }
    // Nothing was found at fault in the signed ones, but nothing could be asked: the outside
    // world's exit code. With the two of several token issuers, at fault whatever DNS says: 1.
    let exit_code = |docs: &[Value]| {
        write_lines(&setup.path("cut-off.jsonl"), docs);
        let out = setup.run(&[
            "verify",
            "--timeout",
            "1",
            "--dns",
            &silent,
            "cut-off.jsonl",
        ]);
        out.status.code()
    };
    assert_eq!(exit_code(&docs[..5]), Some(3));
    assert_eq!(exit_code(&docs), Some(1));
}

/// `corridor verify`'s text view of `docs`, with `extra` arguments.
fn text_view(setup: &Setup, docs: &[Value], dns: &str, extra: &[&str]) -> String {
    write_lines(&setup.path("to-read.jsonl"), docs);
    let mut args = vec!["verify", "--timeout", "5", "--dns", dns];
    args.extend(extra);
    args.push("to-read.jsonl");
    let out = setup.run(&args);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_text_view_names_who_vouched_and_every_check_that_did_not_pass() {
    let served = records();
    let table: Vec<(&str, &str)> = served.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let server = DnsServer::start("corridor.test", &table);
    let dns = server.address.to_string();
    let setup = Setup {
        work: Workdir::new(),
    };
    let store_issuer = |location: &str| {
        json!({"name": "Lion City Shipping", "documentStore": REGISTRY,
               "identityProof": {"type": "DNS-TXT", "location": location}})
    };

    // The domain that vouched for a valid document's issuer.
    let signed = setup.documents(&[did_issuer("issuer.corridor.test", ADDRESS)], true);
    let text = text_view(&setup, &signed, &dns, &[]);
    assert_eq!(
        text,
        "valid    to-read.jsonl:1: issued by issuer.corridor.test\n"
    );

    let docs = setup.documents(
        &[
            store_issuer("wrongnet.corridor.test"),
            store_issuer("missing.corridor.test"),
        ],
        false,
    );
    // Without a chain: the store's status needs it, and the records' other chain is named
    // beside tt-verify's message.
    let text = text_view(&setup, &docs[..1], &dns, &[]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0]
            .starts_with("SKIPPED  to-read.jsonl:1: OpenAttestationEthereumDocumentStoreStatus: ")
            && lines[0].contains("needs its chain (give --network or --rpc-url)"),
        "{text}"
    );
    assert!(!text.contains("tokenRegistry"), "{text}");
    assert_eq!(
        lines[1],
        format!(
            "INVALID  to-read.jsonl:1: OpenAttestationDnsTxtIdentityProof: Matching DNS record not \
             found for {REGISTRY} (the records at wrongnet.corridor.test name it on chain 5, and \
             this run asked about chain 1: give --chain-id or --network)"
        )
    );
    // Asking about chain 5, the record vouches.
    let text = text_view(&setup, &docs[..1], &dns, &["--chain-id", "5"]);
    assert!(
        !text.contains("OpenAttestationDnsTxtIdentityProof"),
        "{text}"
    );

    // The node down and no record: both are said.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let chain = [
        "--network",
        "local",
        "--rpc-url",
        &closed,
        "--rpc-timeout",
        "2",
    ];
    let text = text_view(&setup, &docs[1..], &dns, &chain);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0]
            .starts_with("ERROR    to-read.jsonl:1: OpenAttestationEthereumDocumentStoreStatus: "),
        "{text}"
    );
    assert_eq!(
        lines[1],
        format!(
            "INVALID  to-read.jsonl:1: OpenAttestationDnsTxtIdentityProof: Matching DNS record not \
             found for {REGISTRY}"
        )
    );
}

#[test]
fn resolvers_are_asked_in_turn_until_one_answers() {
    let served = records();
    let (doh, asked) = doh_server(served);
    let at = |path: &str| format!("{doh}{path}");
    let setup = Setup {
        work: Workdir::new(),
    };
    let mut docs = setup.documents(&[did_issuer("issuer.corridor.test", ADDRESS)], true);
    docs.extend(setup.documents(
        &[
            txt_issuer("carrier.corridor.test"),
            txt_issuer("missing.corridor.test"),
        ],
        false,
    ));
    let identity = |report: &Value| {
        report["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["type"] == "ISSUER_IDENTITY" && f["status"] != "SKIPPED")
            .cloned()
            .unwrap()
    };
    let statuses = |reports: &[Value]| -> Vec<Value> {
        reports
            .iter()
            .map(|r| identity(r)["status"].clone())
            .collect()
    };
    let alone = setup.verify(&docs, &[&at("/dns-query")], "5");
    assert_eq!(statuses(&alone), ["VALID", "VALID", "INVALID"]);

    // The first cannot answer (503) or says it failed (SERVFAIL): the next one's answers,
    // fragment for fragment, and each name asked there once.
    for first in ["/busy/resolve", "/failing/resolve", "/failing/dns-query"] {
        let before = times(&asked, "/dns-query", "carrier.corridor.test");
        let ours = setup.verify(&docs, &[&at(first), &at("/dns-query")], "5");
        for (i, (mine, reference)) in ours.iter().zip(&alone).enumerate() {
            assert_eq!(identity(mine), identity(reference), "{first}, document {i}");
        }
        assert_eq!(
            times(&asked, "/dns-query", "carrier.corridor.test"),
            before + 1
        );
        assert!(
            times(&asked, first, "carrier.corridor.test") <= 1,
            "{first}"
        );
    }

    // Every one failed: read as the reference reads a server failure, no records; the same
    // verdicts as one failing resolver gives.
    let failing = setup.verify(
        &docs,
        &[&at("/failing/resolve"), &at("/failing/dns-query")],
        "5",
    );
    let one_failing = setup.verify(&docs, &[&at("/failing/resolve")], "5");
    assert_eq!(statuses(&failing), ["INVALID", "INVALID", "INVALID"]);
    for (mine, reference) in failing.iter().zip(&one_failing) {
        assert_eq!(identity(mine), identity(reference));
    }

    // None reached: an error naming each resolver and what went wrong there.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/resolve", listener.local_addr().unwrap())
    };
    let cut = setup.verify(&docs, &[&closed, &at("/busy/dns-query")], "2");
    for report in &cut {
        let fragment = identity(report);
        assert_eq!(fragment["status"], "ERROR", "{fragment}");
        let message = fragment["reason"]["message"].as_str().unwrap();
        assert!(
            message.contains(&closed)
                && message.contains("/busy/dns-query failed: http status: 503"),
            "{message}"
        );
    }
}

#[test]
fn a_region_picks_its_endpoints_and_an_unknown_one_is_refused() {
    let setup = Setup {
        work: Workdir::new(),
    };
    write_lines(&setup.path("empty.jsonl"), &[]);
    let out = setup.run(&["verify", "--region", "us", "empty.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(
        error.contains("--region") && error.contains("sg (Singapore) or cn (mainland China)"),
        "{error}"
    );

    // A network's endpoints for the region come before those for every region.
    let closed = || {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let (regional, everywhere) = (closed(), closed());
    let store_issuer = json!({"name": "Lion City Shipping", "documentStore": REGISTRY,
                              "identityProof": {"type": "DNS-TXT", "location": "carrier.corridor.test"}});
    let docs = setup.documents(&[store_issuer], false);
    write_lines(&setup.path("stored.jsonl"), &docs);
    let status_message = |region: Option<&str>| {
        let mut args = vec![
            "verify",
            "--json",
            "--network",
            "local",
            "--rpc-timeout",
            "2",
        ];
        if let Some(region) = region {
            args.extend(["--region", region]);
        }
        args.extend(["--dns", "127.0.0.1:9", "--timeout", "1", "stored.jsonl"]);
        let out = setup
            .command(&args)
            .env("CORRIDOR_RPC_LOCAL_CN", &regional)
            .env("CORRIDOR_RPC_LOCAL", &everywhere)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let status = report["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "OpenAttestationEthereumDocumentStoreStatus")
            .cloned()
            .unwrap();
        assert_eq!(status["status"], "ERROR", "{status}");
        status["reason"]["message"].as_str().unwrap().to_string()
    };
    let in_cn = status_message(Some("cn"));
    assert!(
        in_cn.contains(&regional) && !in_cn.contains(&everywhere),
        "{in_cn}"
    );
    let in_sg = status_message(Some("sg"));
    assert!(
        in_sg.contains(&everywhere) && !in_sg.contains(&regional),
        "{in_sg}"
    );
    let anywhere = status_message(None);
    assert!(anywhere.contains(&everywhere), "{anywhere}");
}
