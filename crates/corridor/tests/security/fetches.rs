//! Fetches made for others: a document posted to `/api/verify` names the revocation responder
//! the server asks, so it must not be able to point the server inside its own network (items
//! 1 and 2 of issue 15), nor make one request ask the outside world without end.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::common::dns::DnsServer;
use super::common::{Served, TEST_ADDRESS, Workdir, read_lines, write_lines};
use serde_json::{Value, json};

const DID_SIGNED: &str = "OpenAttestationDidSignedDocumentStatus";
const DNS_DID: &str = "OpenAttestationDnsDidIdentityProof";

/// An HTTP server on a loopback port counting the connections it accepts; each request is
/// answered, then the connection closed.
struct Listener {
    /// `http://127.0.0.1:<port>`.
    base: String,
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Listener {
    /// Answers each request with `answer(path)`: the whole HTTP response.
    fn start(answer: impl Fn(&str) -> String + Send + 'static) -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counted.fetch_add(1, Ordering::SeqCst);
                // A client that never sends a line (a TLS handshake) is let go.
                let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap_or(0);
                let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let _ = stream.write_all(answer(&path).as_bytes());
            }
        });
        Listener {
            base: format!("http://127.0.0.1:{port}"),
            port,
            connections,
        }
    }

    /// A revocation responder for which nothing is revoked.
    fn not_revoked() -> Listener {
        Listener::start(|path| {
            let hash = path.rsplit('/').next().unwrap_or("");
            let body = json!({"documentHash": hash, "revoked": false}).to_string();
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        })
    }

    /// A server that redirects every request to `to` followed by the request's path.
    fn redirecting(to: String) -> Listener {
        Listener::start(move |path| {
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {to}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        })
    }

    /// The connections accepted so far, after a moment for any on their way.
    fn connections(&self) -> usize {
        std::thread::sleep(Duration::from_millis(200));
        self.connections.load(Ordering::SeqCst)
    }

    /// `HOST:PORT`, for --allow-fetch.
    fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// The zone whose names vouch for the test key's DID, as DNS-DID identity.
const ZONE: &str = "corridor.test";

/// A nameserver where each of `names` vouches for the test key's DID.
fn vouching_nameserver(names: &[String]) -> DnsServer {
    let record = format!("openatts a=dns-did; p=did:ethr:{TEST_ADDRESS}#controller; v=1.0;");
    let records: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), &*record)).collect();
    DnsServer::start(ZONE, &records)
}

/// Documents wrapped as one batch and signed by the test key's DID, one for each
/// (responder, DNS-DID location) pair: the issuer's revocation asks that responder.
fn signed_documents(work: &Workdir, issuers: &[(String, String)]) -> Vec<Value> {
    let did = format!("did:ethr:{TEST_ADDRESS}");
    let raws: Vec<Value> = issuers
        .iter()
        .enumerate()
        .map(|(i, (responder, location))| {
            json!({"issuers": [{"id": did, "name": "Lion City Shipping",
                                "revocation": {"type": "OCSP_RESPONDER", "location": responder},
                                "identityProof": {"type": "DNS-DID", "location": location,
                                                  "key": format!("{did}#controller")}}],
                   "blNumber": format!("BL-{i}")})
        })
        .collect();
    write_lines(&work.path("raw.jsonl"), &raws);
    work.ok(&["wrap", "--out", "wrapped.jsonl", "raw.jsonl"]);
    work.ok(&[
        "sign",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--out",
        "signed.jsonl",
        "wrapped.jsonl",
    ]);
    read_lines(&work.path("signed.jsonl"))
}

/// POSTs the documents to `/api/verify`: the status and each document's verdict.
fn verify(served: &Served, documents: &[Value]) -> (u16, Vec<Value>) {
    let answer = served.send("POST", "/api/verify", None, Some(&Value::from(documents)));
    match answer.json {
        Value::Array(verdicts) => (answer.status, verdicts),
        other => (answer.status, vec![other]),
    }
}

fn fragment<'a>(verdict: &'a Value, name: &str) -> &'a Value {
    verdict["fragments"]
        .as_array()
        .unwrap_or_else(|| panic!("no fragments in {verdict}"))
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {verdict}"))
}

fn message(fragment: &Value) -> &str {
    fragment["reason"]["message"].as_str().unwrap_or("")
}

/// A document whose revocation was refused by the policy: not checked, saying so, and not
/// valid.
fn assert_refused(verdict: &Value, because: &str) {
    let did_signed = fragment(verdict, DID_SIGNED);
    assert_eq!(did_signed["status"], "SKIPPED", "{did_signed}");
    let message = message(did_signed);
    assert!(message.contains("refused by policy"), "{message}");
    assert!(message.contains(because), "{message}");
    assert_eq!(verdict["valid"], false, "{verdict}");
}

// ---- Item 1: server-side request forgery ----

/// Responders on the server's own loopback, however a document names them — an address, a
/// name resolving to one, an IPv4-mapped form, plain http — are refused before any
/// connection: the responder there never sees one, and each verdict says the policy refused
/// it while the rest of the document is checked as usual.
#[test]
fn a_responder_on_loopback_named_by_a_posted_document_is_never_contacted() {
    let work = Workdir::new();
    let responder = Listener::not_revoked();
    let port = responder.port;
    let responders = [
        (format!("http://127.0.0.1:{port}/ocsp"), "plain http"),
        (
            format!("https://127.0.0.1:{port}/ocsp"),
            "is a loopback address",
        ),
        (
            format!("https://localhost:{port}/ocsp"),
            "localhost resolves to a loopback address",
        ),
        (
            format!("https://[::ffff:127.0.0.1]:{port}/ocsp"),
            "is a loopback address",
        ),
        (
            format!("https://[::1]:{port}/ocsp"),
            "is a loopback address",
        ),
    ];
    let verdicts = verify_naming(&work, &responders);
    assert_eq!(responder.connections(), 0);
    assert_all_refused(&verdicts, &responders);
    for verdict in &verdicts {
        assert_eq!(fragment(verdict, DNS_DID)["status"], "VALID", "{verdict}");
    }
}

/// Addresses elsewhere inside — the cloud's metadata service, a private network — and plain
/// http to a public-looking name are refused too, at once: nothing is connected to or waited
/// on.
#[test]
fn metadata_private_addresses_and_plain_http_are_refused_without_trying() {
    let work = Workdir::new();
    let responders = [
        (
            "https://169.254.169.254/latest/meta-data".into(),
            "is a link-local address",
        ),
        ("https://[fd00::1]/ocsp".into(), "is a unique-local address"),
        (
            "https://10.0.0.1/ocsp".into(),
            "is a private (RFC 1918) address",
        ),
        (
            "https://100.64.0.1/ocsp".into(),
            "is a shared (carrier-grade NAT) address",
        ),
        // Refused before the name is even looked up.
        ("http://responder.example.com/ocsp".into(), "plain http"),
    ];
    let started = std::time::Instant::now();
    let verdicts = verify_naming(&work, &responders);
    assert_all_refused(&verdicts, &responders);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// Verifies, on a server allowing no host, documents naming each of `responders`: their
/// verdicts.
fn verify_naming(work: &Workdir, responders: &[(String, &str)]) -> Vec<Value> {
    let location = format!("issuer.{ZONE}");
    let nameserver = vouching_nameserver(std::slice::from_ref(&location));
    let issuers: Vec<(String, String)> = responders
        .iter()
        .map(|(url, _)| (url.clone(), location.clone()))
        .collect();
    let documents = signed_documents(work, &issuers);
    let served = Served::start(work, &["--dns", &nameserver.address.to_string()]);
    let (status, verdicts) = verify(&served, &documents);
    assert_eq!(status, 200, "{verdicts:?}");
    verdicts
}

/// Each verdict says the policy refused its responder, with the words given for it.
fn assert_all_refused(verdicts: &[Value], responders: &[(String, &str)]) {
    assert_eq!(verdicts.len(), responders.len());
    for (verdict, (url, because)) in verdicts.iter().zip(responders) {
        assert_refused(verdict, because);
        assert!(message(fragment(verdict, DID_SIGNED)).contains(url.as_str()));
    }
}

/// An allowed host written wrongly stops the server from starting, saying what is wrong.
#[test]
fn an_allowed_host_written_wrongly_is_a_usage_error() {
    let work = Workdir::new();
    for (written, problem) in [
        ("::1", "write an IPv6 address in brackets"),
        ("responder.internal:0", "is not a port"),
        ("https://responder.internal", "expected HOST or HOST:PORT"),
    ] {
        let out = work.run(&["serve", "--listen", "127.0.0.1:0", "--allow-fetch", written]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{written}: {stderr}");
        assert!(
            stderr.contains("--allow-fetch") && stderr.contains(problem),
            "{stderr}"
        );
    }
}

/// The operator allows the responder's host and port: it is asked, over plain http, and the
/// document is valid; another port of the same host stays refused.
#[test]
fn a_responder_on_a_host_the_operator_allowed_is_asked_and_answers() {
    let work = Workdir::new();
    let responder = Listener::not_revoked();
    let other = Listener::not_revoked();
    let location = format!("issuer.{ZONE}");
    let nameserver = vouching_nameserver(std::slice::from_ref(&location));
    let documents = signed_documents(
        &work,
        &[
            (format!("{}/ocsp", responder.base), location.clone()),
            (format!("{}/ocsp", other.base), location.clone()),
        ],
    );
    let served = Served::start(
        &work,
        &[
            "--dns",
            &nameserver.address.to_string(),
            "--allow-fetch",
            &responder.host_port(),
        ],
    );
    let (status, verdicts) = verify(&served, &documents);
    assert_eq!(status, 200);
    assert_eq!(
        fragment(&verdicts[0], DID_SIGNED)["status"],
        "VALID",
        "{}",
        verdicts[0]
    );
    assert_eq!(verdicts[0]["valid"], true, "{}", verdicts[0]);
    assert!(responder.connections() > 0);
    assert_refused(&verdicts[1], "plain http");
    assert_eq!(other.connections(), 0);
}

/// An allowed responder redirects elsewhere: each hop is checked as the first was, so a
/// redirect to an address inside, or to plain http on a host not allowed, is refused and its
/// target never contacted.
#[test]
fn a_redirect_from_an_allowed_host_to_a_forbidden_address_is_refused() {
    let work = Workdir::new();
    let target = Listener::not_revoked();
    let to_http = Listener::redirecting(target.base.clone());
    let to_loopback = Listener::redirecting(format!("https://localhost:{}", target.port));
    let location = format!("issuer.{ZONE}");
    let nameserver = vouching_nameserver(std::slice::from_ref(&location));
    let documents = signed_documents(
        &work,
        &[
            (format!("{}/ocsp", to_http.base), location.clone()),
            (format!("{}/ocsp", to_loopback.base), location.clone()),
        ],
    );
    let served = Served::start(
        &work,
        &[
            "--dns",
            &nameserver.address.to_string(),
            "--allow-fetch",
            &to_http.host_port(),
            "--allow-fetch",
            &to_loopback.host_port(),
        ],
    );
    let (_, verdicts) = verify(&served, &documents);
    assert_refused(&verdicts[0], "plain http");
    assert_refused(&verdicts[1], "localhost resolves to a loopback address");
    assert!(to_http.connections() > 0 && to_loopback.connections() > 0);
    assert_eq!(target.connections(), 0);
}

/// DNS over HTTPS is fetched the same way: an endpoint on loopback the operator did not allow
/// is never contacted, and the identity check says it was refused; allowed, it answers.
#[test]
fn a_dns_over_https_endpoint_inside_is_used_only_when_allowed() {
    let work = Workdir::new();
    let record = format!("openatts a=dns-did; p=did:ethr:{TEST_ADDRESS}#controller; v=1.0;");
    let doh = Listener::start(move |_| {
        let body = json!({"Status": 0, "Answer": [{"type": 16, "data": record}]}).to_string();
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/dns-json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    });
    let documents = signed_documents(
        &work,
        &[(
            "https://responder.corridor.test/ocsp".into(),
            format!("issuer.{ZONE}"),
        )],
    );
    let endpoint = format!("{}/resolve", doh.base);
    let identity = |args: &[&str]| {
        let served = Served::start(&work, &[&["--dns", &endpoint][..], args].concat());
        let (_, verdicts) = verify(&served, &documents);
        fragment(&verdicts[0], DNS_DID).clone()
    };
    let refused = identity(&[]);
    assert_eq!(refused["status"], "SKIPPED", "{refused}");
    assert!(message(&refused).contains("refused by policy"), "{refused}");
    assert_eq!(doh.connections(), 0);

    let answered = identity(&["--allow-fetch", &doh.host_port()]);
    assert_eq!(answered["status"], "VALID", "{answered}");
    assert_eq!(doh.connections(), 1);
}

/// A responder that redirects to itself without end is followed a bounded number of times,
/// then reported as not answering.
#[test]
fn redirects_are_followed_a_bounded_number_of_times() {
    let work = Workdir::new();
    let looping = Listener::start(|path| {
        format!(
            "HTTP/1.1 302 Found\r\nLocation: {path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    });
    let location = format!("issuer.{ZONE}");
    let nameserver = vouching_nameserver(std::slice::from_ref(&location));
    let documents = signed_documents(&work, &[(format!("{}/ocsp", looping.base), location)]);
    let served = Served::start(
        &work,
        &[
            "--dns",
            &nameserver.address.to_string(),
            "--allow-fetch",
            &looping.host_port(),
        ],
    );
    let (_, verdicts) = verify(&served, &documents);
    let did_signed = fragment(&verdicts[0], DID_SIGNED);
    assert_eq!(did_signed["status"], "ERROR", "{did_signed}");
    assert!(message(did_signed).contains("redirect"), "{did_signed}");
    // The first request and five redirects.
    assert_eq!(looping.connections(), 6);
}

// ---- Item 2: a per-request budget of outside questions ----

/// A batch naming many responders and many domains: at most --fetch-budget distinct
/// questions (fetches counted at the responder, names whose identity was answered) are asked;
/// every check whose question came after is SKIPPED, saying the budget was spent, and its
/// document is not valid.
#[test]
fn a_batch_naming_many_responders_and_domains_asks_no_more_than_the_budget() {
    const BUDGET: usize = 12;
    let work = Workdir::new();
    let responder = Listener::not_revoked();
    let issuers: Vec<(String, String)> = (0..8)
        .map(|i| {
            (
                format!("{}/ocsp/{i}", responder.base),
                format!("issuer-{i}.{ZONE}"),
            )
        })
        .collect();
    let names: Vec<String> = issuers.iter().map(|(_, name)| name.clone()).collect();
    let nameserver = vouching_nameserver(&names);
    let documents = signed_documents(&work, &issuers);
    let served = Served::start(
        &work,
        &[
            "--dns",
            &nameserver.address.to_string(),
            "--allow-fetch",
            &responder.host_port(),
            "--fetch-budget",
            &BUDGET.to_string(),
        ],
    );
    let (status, verdicts) = verify(&served, &documents);
    assert_eq!(status, 200);
    let spent = format!("budget of {BUDGET} outside questions was spent");
    let mut names_asked = 0;
    let mut skipped = 0;
    for verdict in &verdicts {
        let mut over_budget = false;
        for name in [DID_SIGNED, DNS_DID] {
            let f = fragment(verdict, name);
            if f["status"] == "SKIPPED" {
                assert!(message(f).contains(&spent), "{f}");
                over_budget = true;
                skipped += 1;
            } else {
                assert_eq!(f["status"], "VALID", "{f}");
                names_asked += usize::from(name == DNS_DID);
            }
        }
        assert_eq!(verdict["valid"], !over_budget, "{verdict}");
    }
    // Each document needs 5 questions (its 4 hashes, target to root, and its name): 40 in
    // all, of which exactly the budget's were asked.
    assert_eq!(responder.connections() + names_asked, BUDGET);
    assert!(skipped > 0);
    assert!(verdicts.iter().any(|v| v["valid"] == true));
}

/// What a normal batch needs fits the default budget: a hundred documents of one issuer,
/// wrapped together, ask 199 hashes of the responder and one name, and are all valid.
#[test]
fn a_batch_of_a_hundred_documents_of_one_issuer_fits_the_default_budget() {
    let work = Workdir::new();
    let responder = Listener::not_revoked();
    let location = format!("issuer.{ZONE}");
    let nameserver = vouching_nameserver(std::slice::from_ref(&location));
    let issuers = vec![(format!("{}/ocsp", responder.base), location); 100];
    let documents = signed_documents(&work, &issuers);
    let served = Served::start(
        &work,
        &[
            "--dns",
            &nameserver.address.to_string(),
            "--allow-fetch",
            &responder.host_port(),
        ],
    );
    let (status, verdicts) = verify(&served, &documents);
    assert_eq!(status, 200);
    for verdict in &verdicts {
        assert_eq!(verdict["valid"], true, "{verdict}");
    }
    // Each of the tree's 199 nodes asked once, shared by the documents above it.
    assert_eq!(responder.connections(), 199);
}

/// Once a request's time is up, its remaining questions are not asked: a responder that
/// answers slowly is not kept busy by a request that was already answered.
#[test]
fn a_request_asks_nothing_more_once_its_time_is_up() {
    let work = Workdir::new();
    let slow = Listener::start(|path| {
        std::thread::sleep(Duration::from_millis(2500));
        let hash = path.rsplit('/').next().unwrap_or("");
        let body = json!({"documentHash": hash, "revoked": false}).to_string();
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    });
    let location = format!("issuer.{ZONE}");
    let nameserver = vouching_nameserver(std::slice::from_ref(&location));
    let issuers = vec![(format!("{}/ocsp", slow.base), location); 4];
    let documents = signed_documents(&work, &issuers);
    let served = Served::start(
        &work,
        &[
            "--dns",
            &nameserver.address.to_string(),
            "--allow-fetch",
            &slow.host_port(),
            "--request-timeout",
            "2",
            "--timeout",
            "5",
        ],
    );
    let started = std::time::Instant::now();
    let (status, verdicts) = verify(&served, &documents);
    // Answered within the request's time, each document's revocation not checked in time.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(status, 200, "{verdicts:?}");
    for verdict in &verdicts {
        assert_eq!(verdict["valid"], false, "{verdict}");
    }
    // Without the bound, the 7 hashes of the batch would be asked one after another.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(slow.connections(), 1);
}
