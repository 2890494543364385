//! Two real nodes, each its own `corridor serve` process and store: a leader that issues and
//! revokes, and a follower that follows its status feed over a link this test controls — a
//! fault link (`corridor-link`: 35 ms ± 10 ms each way, a bandwidth limit, stalls and cuts)
//! behind a proxy that can alter the pages in one way each — and answers verification of the
//! leader's documents from its replica. What must hold at every point: a revocation is seen within a
//! stated time while the link is up; past the staleness bound an answer is an ERROR saying
//! since when, never valid and never revoked on old data; after a cut the follower catches
//! up with nothing lost; every altered feed is refused by name, the last good state kept.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Served, Workdir};
use corridor_feed::{FeedEntry, Page};
use serde_json::{Value, json};

const DOMAIN: &str = "issuer.corridor.test";
/// What the leader's documents name as its URL: on its domain, and never reached by the
/// follower, which answers for it from the replica.
const PUBLIC_URL: &str = "https://sg.issuer.corridor.test";
/// A peer's feed no one answers at.
const UNREACHED: &str = "http://unreached.corridor.test:9/api/feed";
/// The follower's staleness bound, short for the test.
const BOUND: Duration = Duration::from_secs(3);
/// How soon a revocation must be seen at the follower over a healthy link.
const SEEN_WITHIN: Duration = Duration::from_secs(5);
/// The link when healthy: Singapore to Chongqing, about.
const SLOW: corridor_link::Conditions = corridor_link::Conditions {
    latency: Duration::from_millis(35),
    jitter: Duration::from_millis(10),
    bytes_per_second: Some(1_000_000),
    state: corridor_link::State::Up,
};

/// What the proxy does to a page of the leader's feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alter {
    Nothing,
    /// The first entry's subject changed, its hash not.
    Forge,
    /// The first entry sent again after the last.
    Replay,
    /// The last entry left out, the page still saying nothing follows.
    Truncate,
    /// The first entry replaced by another, whole and linked to what came before.
    Fork,
    /// The head's time changed after it was signed.
    Resign,
}

/// A one-request-a-connection HTTP proxy to `upstream`, altering pages as it is set to.
struct Proxy {
    base: String,
    alter: Arc<Mutex<Alter>>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let alter = Arc::new(Mutex::new(Alter::Nothing));
        let shared = alter.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (upstream, alter) = (upstream.clone(), *shared.lock().unwrap());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut request = String::new();
                    reader.read_line(&mut request).unwrap_or(0);
                    let mut header = String::new();
                    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                        header.clear();
                    }
                    let path = request.split(' ').nth(1).unwrap_or("/").to_string();
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let Ok(mut answer) = agent.get(format!("{upstream}{path}")).call() else {
                        return; // the link cut: this connection closes unanswered
                    };
                    let status = answer.status().as_u16();
                    let Ok(text) = answer.body_mut().read_to_string() else {
                        return;
                    };
                    let body = match serde_json::from_str(&text) {
                        Ok(page) if status == 200 => altered(alter, page).to_string(),
                        _ => text,
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        Proxy { base, alter }
    }

    fn set(&self, alter: Alter) {
        *self.alter.lock().unwrap() = alter;
    }
}

/// `page` as the proxy passes it on.
fn altered(alter: Alter, page: Value) -> Value {
    let Ok(mut page) = Page::from_json(&page) else {
        return page;
    };
    let other = corridor_format::keccak256(b"what the leader never wrote");
    match alter {
        Alter::Nothing => {}
        _ if page.entries.is_empty() => {}
        Alter::Forge => page.entries[0].public.subject = other,
        Alter::Replay => page.entries.push(page.entries[0].clone()),
        Alter::Truncate => {
            page.entries.pop();
        }
        Alter::Fork => {
            let first = &page.entries[0];
            let mut public = first.public.clone();
            public.subject = other;
            page.entries[0] =
                FeedEntry::next(Some((first.seq - 1, first.prev)), public, String::new());
        }
        Alter::Resign => page.head.head.signed_at += 1,
    }
    page.to_json()
}

/// The two nodes, the link between them, and what the leader issued.
struct Nodes {
    _dns: common::dns::DnsServer,
    _runtime: tokio::runtime::Runtime,
    link: corridor_link::Link,
    leader_work: Workdir,
    leader: Served,
    token: String,
    _follower_work: Workdir,
    follower: Served,
    proxy: Proxy,
}

impl Nodes {
    fn start() -> Nodes {
        let dns = vouching_dns();
        let dns_address = dns.address.to_string();
        let leader_work = Workdir::new();
        let token = leader_work
            .ok(&[
                "token", "new", "ci", "--scope", "issue", "--scope", "revoke",
            ])
            .trim()
            .to_string();
        let leader = start_leader(&leader_work, &dns_address);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let link = runtime
            .block_on(corridor_link::Link::start(
                "127.0.0.1:0",
                leader.address().parse().unwrap(),
            ))
            .unwrap();
        link.set(SLOW);
        let proxy = Proxy::start(format!("http://{}", link.address()));
        let follower_work = Workdir::new();
        let feed = format!("{}/api/feed", proxy.base);
        let bound = format!("{}s", BOUND.as_secs());
        let follower = Served::start(
            &follower_work,
            &[
                "--dns",
                &dns_address,
                "--follow",
                &feed,
                // A peer never reached: nothing answers in its stead.
                "--follow",
                UNREACHED,
                "--follow-every",
                "100ms",
                "--max-staleness",
                &bound,
            ],
        );
        Nodes {
            _dns: dns,
            _runtime: runtime,
            link,
            leader_work,
            leader,
            token,
            _follower_work: follower_work,
            follower,
            proxy,
        }
    }

    /// Issues a document at the leader: the document and its merkle root.
    fn issue(&self, number: &str) -> (Value, String) {
        let request = json!({"documents": [{"blNumber": number}]});
        let (status, issued) =
            self.leader
                .call("POST", "/api/issue", Some(&request), Some(&self.token));
        assert_eq!(status, 200, "{issued}");
        let root = issued["merkleRoot"].as_str().unwrap().to_string();
        (issued["documents"][0].clone(), root)
    }

    fn revoke(&self, root: &str) {
        let request = json!({"hash": root, "reason": "superseded"});
        let (status, answer) =
            self.leader
                .call("POST", "/api/revoke", Some(&request), Some(&self.token));
        assert_eq!(status, 200, "{answer}");
    }

    /// The follower's verdict on `document`.
    fn verify(&self, document: &Value) -> Verdict {
        let (status, report) = self
            .follower
            .call("POST", "/api/verify", Some(document), None);
        assert_eq!(status, 200, "{report}");
        Verdict(report)
    }

    /// What the follower says of the leader.
    fn peer(&self) -> Value {
        let (status, peers) = self.follower.call("GET", "/api/peers", None, None);
        assert_eq!(status, 200, "{peers}");
        assert_eq!(peers["maxStalenessSeconds"], BOUND.as_secs());
        peers["peers"][0].clone()
    }

    /// The leader's head: its last entry and hash.
    fn leader_head(&self) -> (i64, String) {
        let (status, page) = self.leader.call("GET", "/api/feed?limit=1", None, None);
        assert_eq!(status, 200, "{page}");
        (
            page["head"]["seq"].as_i64().unwrap(),
            page["head"]["hash"].as_str().unwrap().to_string(),
        )
    }

    /// Waits (at most `within`) until the follower says of the leader what `holds` asks.
    fn until(&self, within: Duration, what: &str, holds: impl Fn(&Value) -> bool) -> Duration {
        let started = Instant::now();
        loop {
            let peer = self.peer();
            if holds(&peer) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "{what} not within {within:?}: the follower says {peer:#}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the follower has followed the leader to its head, fresh.
    fn caught_up(&self, within: Duration) {
        let (seq, hash) = self.leader_head();
        self.until(within, &format!("caught up to entry {seq}"), |peer| {
            peer["lastEntry"] == seq && peer["lastHash"] == hash.as_str() && peer["fresh"] == true
        });
    }
}

/// A DNS server whose `DOMAIN` vouches for the test key (DNS-DID), as the leader's does.
fn vouching_dns() -> common::dns::DnsServer {
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let record = format!("openatts a=dns-did; p={did}#controller; v=1.0;");
    common::dns::DnsServer::start("corridor.test", &[(DOMAIN, &record)])
}

/// The leader: `corridor serve` with the issuer key, on `DOMAIN` (whose DNS, at `dns`, vouches
/// for it), its documents naming `PUBLIC_URL`.
fn start_leader(work: &Workdir, dns: &str) -> Served {
    Served::start(
        work,
        &[
            "--dns",
            dns,
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            DOMAIN,
            "--public-url",
            PUBLIC_URL,
        ],
    )
}

/// GETs `path` of the follower as if it were the leader's host (as a verifier whose DNS sends
/// the leader's name to the follower would): the status, the `Age` header, and the body.
fn as_the_leader(follower: &Served, path: &str) -> (u16, Option<String>, Value) {
    as_host(follower, PUBLIC_URL.trim_start_matches("https://"), path)
}

/// GETs `path` of the follower with `host` as the request's `Host`.
fn as_host(follower: &Served, host: &str, path: &str) -> (u16, Option<String>, Value) {
    let mut stream = std::net::TcpStream::connect(follower.address()).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let age = head
        .lines()
        .find_map(|l| l.to_lowercase().strip_prefix("age: ").map(str::to_string));
    (
        status,
        age,
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

/// The path under the leader's URL at which its responder is asked about `document`'s root.
fn responder_path(document: &Value) -> String {
    let data = corridor_format::unsalt_data(&document["data"]).unwrap();
    let location = data["issuers"][0]["revocation"]["location"]
        .as_str()
        .unwrap();
    let root = document["signature"]["merkleRoot"].as_str().unwrap();
    format!("{}/0x{root}", location.strip_prefix(PUBLIC_URL).unwrap())
}

/// A verification report from the follower.
struct Verdict(Value);

impl Verdict {
    /// The DID-signed status fragment: its status and its message.
    fn status(&self) -> (String, String) {
        let fragment = self.0["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "OpenAttestationDidSignedDocumentStatus")
            .unwrap_or_else(|| panic!("no status fragment: {:#}", self.0));
        (
            fragment["status"].as_str().unwrap().to_string(),
            fragment["reason"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    }

    fn valid(&self) -> bool {
        self.0["valid"].as_bool().unwrap()
    }

    /// How fresh the replica that answered was.
    fn freshness(&self) -> &Value {
        &self.0["replicas"][0]
    }
}

#[test]
fn a_follower_answers_for_its_peer_honestly_through_a_cut_and_refuses_every_altered_feed() {
    let nodes = Nodes::start();
    let (a, root_a) = nodes.issue("BL-A");
    let (b, root_b) = nodes.issue("BL-B");
    let (c, root_c) = nodes.issue("BL-C");
    nodes.caught_up(Duration::from_secs(10));

    // Answered from the replica: the leader's URL is never reached from here.
    let verdict = nodes.verify(&a);
    assert!(verdict.valid(), "{:#}", verdict.0);
    assert_eq!(verdict.status().0, "VALID");
    let fresh = verdict.freshness();
    assert_eq!(
        (&fresh["lastEntry"], &fresh["fresh"], &fresh["node"]["url"]),
        (&json!(3), &json!(true), &json!(PUBLIC_URL)),
        "{fresh:#}"
    );
    assert!(fresh["reachedAt"].is_string() && fresh["ageSeconds"].is_number());

    // A verifier sent to the follower for the leader's name gets the leader's responder, with
    // the replica's age; nothing else of the leader's host is answered there.
    let (status, age, answer) = as_the_leader(&nodes.follower, &responder_path(&a));
    assert_eq!(
        (status, &answer["revoked"]),
        (200, &json!(false)),
        "{answer}"
    );
    assert!(age.is_some_and(|age| age.parse::<u64>().is_ok()));
    let (status, _, answer) = as_the_leader(&nodes.follower, "/api/issuer");
    assert_eq!(
        (status, &answer["error"]["code"]),
        (404, &json!("not_found"))
    );
    let (status, _, answer) = as_host(
        &nodes.follower,
        "unreached.corridor.test:9",
        &responder_path(&a),
    );
    assert_eq!(
        (status, &answer["error"]["code"]),
        (503, &json!("stale")),
        "{answer}"
    );

    // The leader answers for its own URL from its store, as its routes would, never asking
    // the network for itself.
    let at_leader = |document: &Value| {
        let (status, report) = nodes
            .leader
            .call("POST", "/api/verify", Some(document), None);
        assert_eq!(status, 200, "{report}");
        Verdict(report)
    };
    assert!(at_leader(&a).valid());

    // A revocation at the leader is seen at the follower within the stated time.
    let revoked_at = Instant::now();
    nodes.revoke(&root_a);
    assert_eq!(at_leader(&a).status().0, "INVALID");
    loop {
        let verdict = nodes.verify(&a);
        if !verdict.valid() {
            assert_eq!(verdict.status().0, "INVALID", "{:#}", verdict.0);
            break;
        }
        assert!(
            revoked_at.elapsed() < SEEN_WITHIN,
            "a revocation not seen at the follower within {SEEN_WITHIN:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // The link cut: answers go on, with their age, until the bound; the leader revokes B
    // meanwhile, which the follower cannot know.
    nodes.link.cut();
    std::thread::sleep(Duration::from_millis(300)); // a poll under way when it was cut ends
    nodes.revoke(&root_b);
    nodes.until(Duration::from_secs(5), "the cut noticed", |peer| {
        peer["fault"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("cannot reach"))
    });
    let verdict = nodes.verify(&b);
    if verdict.freshness()["fresh"] == true {
        assert!(verdict.valid(), "within the bound, the last state known");
    }
    nodes.until(BOUND * 3, "the replica stale", |peer| {
        peer["fresh"] == false
    });
    let (status, _, answer) = as_the_leader(&nodes.follower, &responder_path(&b));
    assert_eq!(
        (status, &answer["error"]["code"]),
        (503, &json!("stale")),
        "{answer}"
    );
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("could not be confirmed since"),
        "{message}"
    );
    for document in [&a, &b, &c] {
        let verdict = nodes.verify(document);
        let (status, message) = verdict.status();
        assert!(!verdict.valid());
        assert_eq!(status, "ERROR", "{:#}", verdict.0);
        assert!(
            message.contains("could not be confirmed since"),
            "{message}"
        );
        assert_eq!(verdict.freshness()["fresh"], false);
    }

    // The link back: the follower catches up from where it stopped, nothing lost.
    nodes.link.restore();
    nodes.proxy.set(Alter::Nothing);
    nodes.caught_up(Duration::from_secs(10));
    assert_eq!(nodes.verify(&b).status().0, "INVALID");
    assert_eq!(nodes.verify(&a).status().0, "INVALID");
    let (status, _, answer) = as_the_leader(&nodes.follower, &responder_path(&b));
    assert_eq!(
        (status, &answer["revoked"]),
        (200, &json!(true)),
        "{answer}"
    );
    assert_eq!(answer["reasonCode"], 4);
    assert_eq!(nodes.verify(&c).status().0, "VALID");

    // The link stalled: a poll under way hangs, nothing is refused, and the replica ages
    // past the bound all the same; once it moves again, the poll completes.
    nodes.link.stall();
    nodes.until(BOUND * 3, "the replica stale while stalled", |peer| {
        peer["fresh"] == false
    });
    let (status, message) = nodes.verify(&c).status();
    assert_eq!(status, "ERROR");
    assert!(
        message.contains("could not be confirmed since"),
        "{message}"
    );
    nodes.link.restore();
    nodes.caught_up(Duration::from_secs(10));
    assert_eq!(nodes.verify(&c).status().0, "VALID");

    // While the link alters what it passes, the leader goes on: C revoked, D issued.
    nodes.link.cut();
    std::thread::sleep(Duration::from_millis(300));
    nodes.revoke(&root_c);
    let (d, _) = nodes.issue("BL-D");
    let kept = nodes.peer()["lastEntry"].clone();
    nodes.proxy.set(Alter::Forge);
    nodes.link.restore();
    for (alter, name) in [
        (Alter::Forge, "forged: entry 6"),
        (Alter::Replay, "reordered: entry 6 came after entry 7"),
        (Alter::Truncate, "truncated: entry 7 is missing"),
        (Alter::Fork, "forked: entry 7"),
        (Alter::Resign, "bad signature"),
    ] {
        nodes.proxy.set(alter);
        nodes.until(Duration::from_secs(10), name, |peer| {
            peer["fault"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(name))
        });
        // Refused: the last good state stays, and nothing of the altered page is believed.
        let peer = nodes.peer();
        assert_eq!(peer["lastEntry"], kept, "{alter:?}: {peer:#}");
        let (status, _) = nodes.verify(&c).status();
        assert_ne!(
            status, "INVALID",
            "{alter:?}: C's revocation was never followed"
        );
    }
    nodes.link.restore();
    nodes.proxy.set(Alter::Nothing);
    nodes.caught_up(Duration::from_secs(10));
    assert_eq!(nodes.verify(&c).status().0, "INVALID");
    assert!(nodes.verify(&d).valid());

    // Title registries: the follower's /rpc answers for the leader's as the leader's does —
    // a live title in its escrow, a surrendered one with the registry, one never minted
    // reverted — until the bound, and then says it cannot confirm.
    let registry = common::create_registry(&nodes.leader_work, common::chain::OWNER_KEY);
    let holder = format!(
        "{:#x}",
        corridor_format::did::DidSigner::new(
            k256::ecdsa::SigningKey::from_slice(
                &const_hex::decode(common::chain::PARTY_KEYS[0]).unwrap()
            )
            .unwrap(),
        )
        .address()
    );
    let tokens: Vec<String> = ["T-1", "T-2", "never minted"]
        .iter()
        .map(|t| format!("0x{}", corridor_format::keccak256(t.as_bytes())))
        .collect();
    let title = |args: &[&str], key: &str| {
        let on = ["--ledger".to_string(), "sqlite".to_string()];
        let (code, answer) = common::chain::title_cli(&nodes.leader_work, &on, args, Some(key));
        assert_eq!(code, 0, "{args:?}: {answer}");
    };
    for token in &tokens[..2] {
        title(
            &["mint", token, "--beneficiary", &holder, "--holder", &holder],
            common::chain::OWNER_KEY,
        );
    }
    title(&["surrender", &tokens[1]], common::chain::PARTY_KEYS[0]);
    nodes.caught_up(Duration::from_secs(10));
    let ask = |node: &Served, method: &str, params: Value| -> Value {
        let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let (status, answer) = node.call("POST", "/rpc", Some(&request), None);
        assert_eq!(status, 200, "{answer}");
        answer
    };
    let questions: Vec<(&str, Value)> =
        std::iter::once(("eth_getCode", json!([registry, "latest"])))
            .chain(tokens.iter().map(|token| {
                let data = format!("0x6352211e{}", token.trim_start_matches("0x"));
                (
                    "eth_call",
                    json!([{"to": registry, "data": data}, "latest"]),
                )
            }))
            .collect();
    let answers: Vec<Value> = questions
        .iter()
        .map(|(method, params)| ask(&nodes.follower, method, params.clone()))
        .collect();
    for ((method, params), answer) in questions.iter().zip(&answers) {
        assert_eq!(
            answer,
            &ask(&nodes.leader, method, params.clone()),
            "{method} {params}"
        );
    }
    let owner = |answer: &Value| answer["result"].as_str().map(|r| r[26..].to_lowercase());
    let escrow = corridor_ledger::escrow_address(
        registry.parse().unwrap(),
        alloy_primitives::U256::from_be_slice(&const_hex::decode(&tokens[0]).unwrap()),
    );
    assert_eq!(answers[0]["result"], "0xfe");
    assert_eq!(owner(&answers[1]), Some(format!("{escrow:x}")));
    assert_eq!(
        owner(&answers[2]),
        Some(registry.trim_start_matches("0x").to_lowercase())
    );
    assert_eq!(answers[3]["error"]["code"], 3);
    nodes.link.cut();
    nodes.until(BOUND * 3, "the replica stale again", |peer| {
        peer["fresh"] == false
    });
    for (method, params) in &questions {
        let answer = ask(&nodes.follower, method, params.clone());
        assert_eq!(answer["error"]["code"], -32000, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("could not be confirmed since"),
            "{message}"
        );
    }
    nodes.link.restore();
    nodes.proxy.set(Alter::Nothing);
    nodes.caught_up(Duration::from_secs(10));

    // The follower's store holds the leader's feed as the leader wrote it, and its own audit
    // holds.
    let (seq, hash) = nodes.leader_head();
    assert_eq!(seq, 11);
    drop(nodes.follower);
    let audit = nodes._follower_work.ok(&["store", "audit"]);
    assert!(audit.contains("intact"), "{audit}");
    let feed = format!("{}/api/feed", nodes.proxy.base);
    assert!(
        audit.contains(&format!("replica of {feed}: 11 entries, last {hash}")),
        "{audit}"
    );
    let audit = nodes.leader_work.ok(&["store", "audit"]);
    assert!(audit.contains("intact"), "{audit}");
}

/// An EPCIS event as `corridor trace record` reads it, in its own context.
fn epcis(event: Value) -> Value {
    let mut event = event;
    event["@context"] = json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]);
    event["eventTimeZoneOffset"] = json!("+08:00");
    event
}

/// A checkout answer's reasons: their codes and words.
type Reasons = Vec<(String, String)>;

/// The follower's checkout answer for `code`: its decision and its reasons.
fn checkout(follower: &Served, code: &str) -> (String, Reasons) {
    let (status, answer) =
        follower.call("GET", &format!("/api/trace/check?link={code}"), None, None);
    assert_eq!(status, 200, "{answer}");
    let reasons = answer["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                r["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (answer["decision"].as_str().unwrap().to_owned(), reasons)
}

/// A lot recalled in one region reaches what was made from it in the other: the leader's
/// recall crosses as the hash of the lot, and the follower's checkout refuses its own product
/// made from the lot, saying who published the recall; with the link gone past the bound, it
/// says whether anything was recalled could not be confirmed, and keeps the recall it knew.
#[test]
fn a_recall_at_the_leader_stops_the_sale_at_the_follower_of_what_was_made_from_it() {
    const LOT: &str = "urn:epc:class:lgtin:4012345.012345.LOT1";
    const MADE: &str = "urn:epc:id:sgtin:6977786.000002.100";
    let dns = vouching_dns();
    let dns_address = dns.address.to_string();
    let leader_work = Workdir::new();
    let leader = start_leader(&leader_work, &dns_address);
    let follower_work = Workdir::new();
    let bound = format!("{}s", BOUND.as_secs());
    let follower = Served::start(
        &follower_work,
        &[
            "--dns",
            &dns_address,
            "--follow",
            &format!("{}/api/feed", leader.base),
            "--follow-every",
            "100ms",
            "--max-staleness",
            &bound,
        ],
    );
    let record = |work: &Workdir, domain: &str, name: &str, event: Value| {
        let file = work.path(name);
        common::write_lines(&file, &[epcis(event)]);
        work.ok_with(
            &[
                "trace",
                "record",
                "--private-key-env",
                "K",
                "--domain",
                domain,
                file.to_str().unwrap(),
            ],
            &[("K", &format!("{:064x}", 0x51ed_0001))],
        );
    };
    // Chongqing makes a product from the Singapore lot.
    record(
        &follower_work,
        "cq.corridor.test",
        "made.jsonl",
        json!({
            "type": "TransformationEvent", "eventTime": "2025-03-04T10:00:00Z",
            "inputQuantityList": [{"epcClass": LOT, "quantity": 5, "uom": "KGM"}],
            "outputEPCList": [MADE],
            "bizStep": "commissioning", "disposition": "active",
            "bizLocation": {"id": "urn:epc:id:sgln:6977786.00001.0"},
        }),
    );
    let recalled = |reasons: &Reasons| {
        reasons
            .iter()
            .filter(|(code, _)| code == "recalled")
            .map(|(_, message)| message.clone())
            .collect::<Vec<_>>()
    };
    let until = |what: &str, holds: &dyn Fn(&Reasons) -> bool| {
        let started = Instant::now();
        loop {
            let (decision, reasons) = checkout(&follower, MADE);
            if holds(&reasons) {
                return (decision, reasons);
            }
            assert!(
                started.elapsed() < SEEN_WITHIN,
                "{what} not within {SEEN_WITHIN:?}: {reasons:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // Followed and fresh, nothing recalled: no recall among the reasons, and nothing
    // unconfirmed.
    let (_, reasons) = until("the leader followed", &|reasons| {
        !reasons.iter().any(|(code, _)| code == "unconfirmed")
    });
    assert_eq!(recalled(&reasons), Vec::<String>::new());

    // Singapore recalls the lot.
    record(
        &leader_work,
        DOMAIN,
        "recall.jsonl",
        json!({
            "type": "ObjectEvent", "eventTime": "2025-03-05T10:00:00Z", "action": "OBSERVE",
            "quantityList": [{"epcClass": LOT, "quantity": 5, "uom": "KGM"}],
            "bizStep": "holding", "disposition": "recalled",
            "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"},
        }),
    );
    let (decision, reasons) = until("the recall", &|reasons| !recalled(reasons).is_empty());
    assert_eq!(decision, "do-not-sell");
    let said = recalled(&reasons);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains("LOT1") && said[0].contains(DOMAIN),
        "{said:?}"
    );
    // What crossed: the lot's hash and when, not the event.
    let (_, page) = leader.call("GET", "/api/feed", None, None);
    let text = page.to_string();
    assert!(
        !text.contains("LOT1") && !text.contains("holding"),
        "{text}"
    );

    // The link gone: past the bound, unconfirmed, the recall still said.
    drop(leader);
    std::thread::sleep(BOUND);
    let (decision, reasons) = until("unconfirmed", &|reasons| {
        reasons.iter().any(|(code, _)| code == "unconfirmed")
    });
    assert_eq!(decision, "do-not-sell");
    assert_eq!(recalled(&reasons), said);
    let unconfirmed = &reasons
        .iter()
        .find(|(code, _)| code == "unconfirmed")
        .unwrap()
        .1;
    assert!(
        unconfirmed.contains("could not be confirmed since"),
        "{unconfirmed}"
    );
}
