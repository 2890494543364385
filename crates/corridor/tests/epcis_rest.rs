//! EPCIS 2.0's REST binding as a client of an EPCIS repository uses it, against the real
//! server: capture jobs, single-event capture, queries with the standard's parameters and
//! paging, and every way of getting it wrong (no token, a token without the scope, a party's
//! token capturing another's events, a document that fails GS1's schema, unknown parameters,
//! a page token of another query).

mod common;

use std::collections::BTreeSet;

use corridor_epcis::{Epc, Event, Prefixes};
use corridor_tracegen::{Chain, generate};
use serde_json::{Value, json};

/// An answer: status, headers that matter here, body as JSON (or null).
struct Reply {
    status: u16,
    content_type: String,
    location: Option<String>,
    link: Option<String>,
    capture_limit: Option<String>,
    json: Value,
}

fn ask(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> Reply {
    ask_with(base, method, path, token, body, &[])
}

fn ask_with(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
    headers: &[(&str, &str)],
) -> Reply {
    let agent: ureq::Agent = ureq::config::Config::builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"));
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = match body {
        Some((kind, bytes)) => agent.run(request.header("Content-Type", kind).body(bytes).unwrap()),
        None => agent.run(request.body(()).unwrap()),
    }
    .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (content_type, location, link, capture_limit) = (
        header("content-type").unwrap_or_default(),
        header("location"),
        header("link"),
        header("gs1-epcis-capture-limit"),
    );
    assert_eq!(
        response
            .headers()
            .get("gs1-epcis-version")
            .map(|v| v.to_str().unwrap()),
        Some("2.0.0"),
        "{method} {path}"
    );
    let text = response.body_mut().read_to_string().unwrap();
    Reply {
        status: response.status().as_u16(),
        content_type,
        location,
        link,
        capture_limit,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

fn json_body(value: &Value) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/json", serde_json::to_vec(value).unwrap()))
}

/// The refusal is the EPCIS exception `exception`, as an RFC 7807 problem, saying `says`.
fn refused(reply: &Reply, status: u16, exception: &str, says: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(
        reply.json["type"],
        format!("epcisException:{exception}"),
        "{}",
        reply.json
    );
    assert_eq!(reply.json["status"], status);
    let detail = reply.json["detail"].as_str().unwrap();
    assert!(detail.contains(says), "{detail:?} does not say {says:?}");
}

fn document(events: &[Value]) -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                     {"corridor": "https://ns.corridor.example/trace/"}],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    })
}

fn read(event: &Value) -> Event {
    Event::read(event, &Prefixes::default()).unwrap()
}

/// An event's ID: the one it carries, else its hash ID, which capture gives it.
fn id_of(event: &Value) -> String {
    match event["eventID"].as_str() {
        Some(id) => id.to_owned(),
        None => corridor_epcis::event_hash_id(event, None).unwrap(),
    }
}

fn recorder(event: &Value) -> String {
    Epc::read(event["corridor:recordedBy"].as_str().unwrap())
        .unwrap()
        .gln()
        .unwrap()
        .to_string()
}

/// Every page of `path`, following `Link: rel="next"`: the eventIDs, and how many pages.
fn all_pages(base: &str, path: &str, token: &str) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut next = Some(path.to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let reply = ask(base, "GET", &path, Some(token), None);
        assert_eq!(reply.status, 200, "{path}: {}", reply.json);
        assert_eq!(reply.json["type"], "EPCISQueryDocument");
        let results = &reply.json["epcisBody"]["queryResults"];
        assert_eq!(results["queryName"], "SimpleEventQuery");
        for event in results["resultsBody"]["eventList"].as_array().unwrap() {
            assert!(event["recordTime"].is_string());
            ids.push(event["eventID"].as_str().unwrap().to_owned());
        }
        pages += 1;
        next = reply.link.map(|link| {
            let url = link
                .strip_prefix('<')
                .unwrap()
                .split_once(">; rel=\"next\"")
                .unwrap()
                .0;
            url.to_owned()
        });
    }
    (ids, pages)
}

fn encoded(text: &str) -> String {
    let pair = serde_urlencoded::to_string([("", text)]).unwrap();
    pair[1..].to_owned()
}

struct Repository {
    work: common::Workdir,
    server: common::Served,
    chain: Chain,
    operator: String,
}

impl Repository {
    fn start() -> Repository {
        Repository::start_with(|_, _| Vec::new())
    }

    /// A repository whose server is given more arguments, made with its workdir and chain.
    fn start_with(more: impl FnOnce(&common::Workdir, &Chain) -> Vec<String>) -> Repository {
        let work = common::Workdir::new();
        let chain = generate(&mut common::rng(8_080), 3, 6);
        let reference = work.path("reference.json");
        std::fs::write(&reference, chain.reference.to_string()).unwrap();
        work.ok(&["trace", "reference", "import", reference.to_str().unwrap()]);
        let operator = work
            .ok(&["token", "new", "ops", "--scope", "trace"])
            .trim()
            .to_owned();
        let more = more(&work, &chain);
        let args: Vec<&str> = [
            "--offline",
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            "trace.corridor.test",
        ]
        .into_iter()
        .chain(more.iter().map(String::as_str))
        .collect();
        let server = common::Served::start(&work, &args);
        Repository {
            work,
            server,
            chain,
            operator,
        }
    }

    fn base(&self) -> &str {
        &self.server.base
    }

    /// `events` captured with `token` as one document: the finished capture job.
    fn capture(&self, token: &str, events: &[Value]) -> Value {
        let base = self.base();
        let job = ask(
            base,
            "POST",
            "/capture",
            Some(token),
            json_body(&document(events)),
        );
        ask(base, "GET", &job.location.unwrap(), Some(token), None).json
    }

    /// The party that recorded the chain's first event (a farm), and a trace token for it.
    fn farm(&self) -> (String, String) {
        let farm = recorder(&self.chain.events[0]);
        let token = self.party_token("farm", &farm);
        (farm, token)
    }

    fn party_token(&self, name: &str, party: &str) -> String {
        self.work
            .ok(&["token", "new", name, "--scope", "trace", "--party", party])
            .trim()
            .to_owned()
    }
}

#[test]
fn a_client_captures_and_queries_as_against_any_epcis_repository() {
    let repo = Repository::start();
    let base = repo.base();
    let events = &repo.chain.events;

    // Without a token, with one that is not live, or without the trace scope: refused.
    refused(
        &ask(base, "GET", "/events", None, None),
        401,
        "SecurityException",
        "API token",
    );
    refused(
        &ask(base, "GET", "/events", Some("corridor_00"), None),
        403,
        "SecurityException",
        "not a live one",
    );
    let sharer = repo
        .work
        .ok(&["token", "new", "sharer", "--scope", "share"])
        .trim()
        .to_owned();
    refused(
        &ask(
            base,
            "POST",
            "/capture",
            Some(&sharer),
            json_body(&document(events)),
        ),
        403,
        "SecurityException",
        "lacks the scope \"trace\"",
    );

    // The capture interface says its limits.
    let options = ask(base, "OPTIONS", "/capture", None, None);
    assert_eq!(
        (options.status, options.capture_limit.as_deref()),
        (204, Some("10000"))
    );

    // A document capture is a job: 202 and where to watch it.
    let captured = ask(
        base,
        "POST",
        "/capture",
        Some(&repo.operator),
        json_body(&document(events)),
    );
    assert_eq!(captured.status, 202, "{}", captured.json);
    let job_path = captured.location.unwrap();
    assert!(job_path.starts_with("/capture/"));
    let job = ask(base, "GET", &job_path, Some(&repo.operator), None);
    assert_eq!(job.status, 200);
    assert_eq!(
        job.json["captureID"],
        job_path.strip_prefix("/capture/").unwrap()
    );
    assert_eq!(
        (
            &job.json["running"],
            &job.json["success"],
            &job.json["captureErrorBehaviour"]
        ),
        (&json!(false), &json!(true), &json!("rollback"))
    );
    assert_eq!(job.json["captured"], events.len());
    assert_eq!(job.json["errors"], json!([]));
    // Capturing the same again changes nothing.
    let again = ask(
        base,
        "POST",
        "/capture",
        Some(&repo.operator),
        json_body(&document(events)),
    );
    let again = ask(
        base,
        "GET",
        &again.location.unwrap(),
        Some(&repo.operator),
        None,
    );
    assert_eq!(
        (&again.json["captured"], &again.json["alreadyRecorded"]),
        (&json!(0), &json!(events.len()))
    );

    // Every event comes back, page by page, each once.
    let (ids, pages) = all_pages(base, "/events?perPage=25", &repo.operator);
    let expected: BTreeSet<String> = events.iter().map(id_of).collect();
    assert_eq!(ids.len(), expected.len(), "no event twice");
    assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(pages, expected.len().div_ceil(25));

    // A standard query: shipping events, newest first, in pages of 7.
    let shipping: Vec<&Value> = events
        .iter()
        .filter(|e| read(e).biz_step.as_deref() == Some("shipping"))
        .collect();
    assert!(shipping.len() > 7);
    let (ids, _) = all_pages(
        base,
        "/events?EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping&orderBy=eventTime&perPage=7",
        &repo.operator,
    );
    let mut newest_first: Vec<(i64, String)> =
        shipping.iter().map(|e| (read(e).time, id_of(e))).collect();
    newest_first.sort();
    newest_first.reverse();
    assert_eq!(
        ids,
        newest_first
            .into_iter()
            .map(|(_, id)| id)
            .collect::<Vec<_>>()
    );

    // One item's events, named in either form; a time window; an event type's resource.
    let item = Epc::read(
        events
            .iter()
            .find(|e| e["bizStep"] == "retail_selling")
            .unwrap()["epcList"][0]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let naming: BTreeSet<String> = events
        .iter()
        .filter(|e| {
            let event = read(e);
            event.epcs.contains(&item) || event.children.contains(&item)
        })
        .map(id_of)
        .collect();
    let (ids, _) = all_pages(
        base,
        &format!("/events?MATCH_epc={}", encoded(&item.to_string())),
        &repo.operator,
    );
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), naming);
    let times: Vec<i64> = events.iter().map(|e| read(e).time).collect();
    let (from, to) = (times[times.len() / 4], times[times.len() / 2]);
    let window = |ms: i64| corridor_js::to_iso_string(ms);
    let (ids, _) = all_pages(
        base,
        &format!(
            "/events?GE_eventTime={}&LT_eventTime={}",
            encoded(&window(from)),
            encoded(&window(to))
        ),
        &repo.operator,
    );
    assert_eq!(
        ids.len(),
        times.iter().filter(|t| (from..to).contains(t)).count()
    );
    let (ids, _) = all_pages(
        base,
        "/eventTypes/AggregationEvent/events?perPage=10",
        &repo.operator,
    );
    assert_eq!(
        ids.len(),
        events
            .iter()
            .filter(|e| e["type"] == "AggregationEvent")
            .count()
    );
    assert!(!ids.is_empty());

    // One event by its ID; one that is not there.
    let first = id_of(&events[0]);
    let one = ask(
        base,
        "GET",
        &format!("/events/{}", encoded(&first)),
        Some(&repo.operator),
        None,
    );
    assert_eq!(one.status, 200);
    assert_eq!(
        one.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"],
        json!(first)
    );
    // Asked as a query, an event that is not there is an empty answer, not an error.
    let none = ask(
        base,
        "GET",
        "/events?EQ_eventID=ni%3A%2F%2F%2Fsha-256%3B00",
        Some(&repo.operator),
        None,
    );
    assert_eq!(none.status, 200);
    assert_eq!(
        none.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"],
        json!([])
    );
    refused(
        &ask(
            base,
            "GET",
            "/events/ni%3A%2F%2F%2Fsha-256%3B00",
            Some(&repo.operator),
            None,
        ),
        404,
        "NoSuchResourceException",
        "no such event",
    );

    // Parameters it cannot answer, named; a page token of another query; a bad one.
    refused(
        &ask(
            base,
            "GET",
            "/events?EQ_colour=red",
            Some(&repo.operator),
            None,
        ),
        400,
        "QueryParameterException",
        "EQ_colour",
    );
    refused(
        &ask(
            base,
            "GET",
            "/events?GE_eventTime=yesterday",
            Some(&repo.operator),
            None,
        ),
        400,
        "QueryParameterException",
        "not a date-time",
    );
    refused(
        &ask(
            base,
            "GET",
            "/events?eventType=ObjectEvent&eventType=AggregationEvent",
            Some(&repo.operator),
            None,
        ),
        400,
        "QueryParameterException",
        "more than once",
    );
    let paged = ask(base, "GET", "/events?perPage=3", Some(&repo.operator), None);
    let next = paged.link.unwrap();
    let token = next
        .split("nextPageToken=")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    refused(
        &ask(
            base,
            "GET",
            &format!("/events?EQ_bizStep=shipping&nextPageToken={token}"),
            Some(&repo.operator),
            None,
        ),
        400,
        "QueryParameterException",
        "another query",
    );
    refused(
        &ask(
            base,
            "GET",
            "/events?nextPageToken=zz",
            Some(&repo.operator),
            None,
        ),
        400,
        "QueryParameterException",
        "nextPageToken",
    );
    refused(
        &ask(base, "GET", "/events?perPage=0", Some(&repo.operator), None),
        400,
        "QueryParameterException",
        "perPage",
    );
    refused(
        &ask(
            base,
            "GET",
            "/events?maxEventCount=2",
            Some(&repo.operator),
            None,
        ),
        413,
        "QueryTooLargeException",
        "maxEventCount",
    );

    // The jobs are listed, and a job of another token is not shown to a party's.
    let (status, jobs) = (
        ask(base, "GET", "/capture", Some(&repo.operator), None).status,
        ask(base, "GET", "/capture", Some(&repo.operator), None).json,
    );
    assert_eq!((status, jobs.as_array().unwrap().len()), (200, 2));
    let (_, farm_token) = repo.farm();
    refused(
        &ask(base, "GET", &job_path, Some(&farm_token), None),
        404,
        "NoSuchResourceException",
        "no such capture job",
    );
    assert_eq!(
        ask(base, "GET", "/capture", Some(&farm_token), None).json,
        json!([])
    );
}

#[test]
fn a_party_captures_only_what_it_recorded_and_sees_its_own_and_its_partners_events() {
    let repo = Repository::start();
    let base = repo.base();
    let events = &repo.chain.events;
    let (farm, farm_token) = repo.farm();
    let (own, others): (Vec<Value>, Vec<Value>) =
        events.iter().cloned().partition(|e| recorder(e) == farm);
    assert!(!own.is_empty() && !others.is_empty());

    // Another party's event in the document: all or nothing by default…
    let mixed = [own.clone(), vec![others[0].clone()]].concat();
    let job = ask(
        base,
        "POST",
        "/capture",
        Some(&farm_token),
        json_body(&document(&mixed)),
    );
    assert_eq!(job.status, 202);
    let job = ask(base, "GET", &job.location.unwrap(), Some(&farm_token), None).json;
    assert_eq!(
        (&job["success"], &job["captured"]),
        (&json!(false), &json!(0))
    );
    let error = job["errors"][0]["detail"].as_str().unwrap();
    assert!(
        error.contains(&format!("event {}", own.len() + 1))
            && error.contains("a party signs only what it observed"),
        "{error}"
    );
    assert_eq!(
        job["errors"][0]["type"],
        "epcisException:ValidationException"
    );
    // …or the rest kept, when the client says to proceed.
    let job = ask_with(
        base,
        "POST",
        "/capture",
        Some(&farm_token),
        json_body(&document(&mixed)),
        &[("GS1-Capture-Error-Behaviour", "proceed")],
    );
    let job = ask(base, "GET", &job.location.unwrap(), Some(&farm_token), None).json;
    assert_eq!(
        (
            &job["success"],
            &job["captured"],
            &job["refused"],
            &job["captureErrorBehaviour"]
        ),
        (
            &json!(false),
            &json!(own.len()),
            &json!(1),
            &json!("proceed")
        )
    );
    refused(
        &ask_with(
            base,
            "POST",
            "/capture",
            Some(&farm_token),
            json_body(&document(&own)),
            &[("GS1-Capture-Error-Behaviour", "sometimes")],
        ),
        400,
        "ValidationException",
        "rollback or proceed",
    );

    // One event on its own: 201 and its URL; an event naming no recorder is given the party.
    let mut unnamed = own[0].clone();
    let fields = unnamed.as_object_mut().unwrap();
    fields.remove("corridor:recordedBy");
    fields.remove("eventID");
    fields.insert("eventTime".into(), json!("2031-01-01T00:00:00Z"));
    let created = ask(
        base,
        "POST",
        "/events",
        Some(&farm_token),
        json_body(&unnamed),
    );
    assert_eq!(created.status, 201, "{}", created.json);
    let location = created.location.unwrap();
    let fetched = ask(base, "GET", &location, Some(&farm_token), None);
    let stored = &fetched.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0];
    assert_eq!(
        stored["corridor:recordedBy"],
        format!("https://id.gs1.org/417/{farm}")
    );
    let single = stored["eventID"].as_str().unwrap().to_owned();
    let mut again = stored.clone();
    again.as_object_mut().unwrap().remove("recordTime");
    refused(
        &ask(
            base,
            "POST",
            "/events",
            Some(&farm_token),
            json_body(&again),
        ),
        409,
        "ResourceAlreadyExistsException",
        "recorded already",
    );
    refused(
        &ask(
            base,
            "POST",
            "/events",
            Some(&farm_token),
            json_body(&document(&own)),
        ),
        400,
        "ValidationException",
        "takes one event",
    );

    // The operator captures the rest; the farm then sees its events and its partners' events
    // about the same lots and items, and nothing else.
    let job = ask(
        base,
        "POST",
        "/capture",
        Some(&repo.operator),
        json_body(&document(events)),
    );
    assert_eq!(job.status, 202);
    let (seen, _) = all_pages(base, "/events?perPage=200", &farm_token);
    let farm_objects: BTreeSet<Epc> = own
        .iter()
        .flat_map(|e| read(e).objects().cloned().collect::<Vec<_>>())
        .collect();
    let expected: BTreeSet<String> = events
        .iter()
        .filter(|e| recorder(e) == farm || read(e).objects().any(|o| farm_objects.contains(o)))
        .map(id_of)
        .chain([single])
        .collect();
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(
        seen.len() < events.len(),
        "a party does not see every event"
    );
}

#[test]
fn a_party_whose_key_the_repository_holds_signs_what_its_token_captures() {
    let farm_key = "5151000000000000000000000000000000000000000000000000000000000001";
    let farm_did = corridor_format::did::DidSigner::new(
        k256::ecdsa::SigningKey::from_slice(&const_hex::decode(farm_key).unwrap()).unwrap(),
    )
    .did();
    let repo = Repository::start_with(|work, chain| {
        std::fs::write(work.path("password"), "farm keystore password\n").unwrap();
        let password = work.path("password").to_str().unwrap().to_owned();
        work.ok_with(
            &[
                "key",
                "import",
                "farm-key",
                "--private-key-env",
                "FARM_KEY",
                "--password-file",
                &password,
            ],
            &[("FARM_KEY", farm_key)],
        );
        let farm = recorder(&chain.events[0]);
        vec![
            "--party-key".into(),
            format!("{farm}=farm-key@farm.corridor.test"),
            "--password-file".into(),
            password,
        ]
    });
    let (farm, farm_token) = repo.farm();
    let (own, others): (Vec<Value>, Vec<Value>) = repo
        .chain
        .events
        .iter()
        .cloned()
        .partition(|e| recorder(e) == farm);
    let signed_by = |event: &Value| -> Value {
        let credential = repo
            .work
            .ok(&["trace", "show", &id_of(event), "--credential"]);
        serde_json::from_str(&credential).unwrap()
    };
    // The farm's token: the farm's own key signs, its domain vouches for it.
    let job = repo.capture(&farm_token, &own);
    assert_eq!(job["success"], true, "{job}");
    let credential = signed_by(&own[0]);
    assert_eq!(
        credential["proof"][0]["verificationMethod"],
        format!("{farm_did}#controller")
    );
    let issuer = corridor_format::unsalt_data(&credential["data"]).unwrap()["issuers"][0].clone();
    assert_eq!(issuer["identityProof"]["location"], "farm.corridor.test");
    assert_eq!(issuer["id"], farm_did);
    // The operator's token: the repository's key, for any party's events.
    let job = repo.capture(&repo.operator, &others[..1]);
    assert_eq!(job["success"], true, "{job}");
    assert_eq!(
        signed_by(&others[0])["proof"][0]["verificationMethod"],
        format!("did:ethr:{}#controller", common::TEST_ADDRESS)
    );
    assert!(repo.work.ok(&["store", "audit"]).contains("intact"));
}

#[test]
fn a_party_with_a_multikey_captures_its_events_as_w3c_credentials_that_verify() {
    let did = "did:web:farm.corridor.test";
    let method = format!("{did}#keys-1");
    let list = "https://farm.corridor.test/status/events";
    let repo = Repository::start_with(|work, chain| {
        std::fs::write(work.path("password"), "farm keystore password\n").unwrap();
        let password = work.path("password").to_str().unwrap().to_owned();
        let with_password = |args: &[&str]| {
            let mut args = args.to_vec();
            args.extend(["--password-file", &password]);
            work.ok(&args);
        };
        with_password(&["key", "new", "farm-w3c", "--type", "p256"]);
        with_password(&[
            "status-list",
            "new",
            list,
            "--purpose",
            "revocation",
            "--entries",
            "64",
            "--key",
            "farm-w3c",
            "--verification-method",
            &method,
        ]);
        let farm = recorder(&chain.events[0]);
        vec![
            "--party-key".into(),
            format!("{farm}=farm-w3c@{method}"),
            "--password-file".into(),
            password,
        ]
    });
    let (farm, farm_token) = repo.farm();
    let own: Vec<Value> = repo
        .chain
        .events
        .iter()
        .filter(|e| recorder(e) == farm)
        .take(3)
        .cloned()
        .collect();
    let job = repo.capture(&farm_token, &own);
    assert_eq!(job["success"], true, "{job}");

    // Each event its own credential, by the farm's did:web key, with an entry of its list.
    let document_text = repo.work.ok(&["did", "document", did, "--key", "farm-w3c"]);
    let list_text = repo.work.ok(&["status-list", "show", list, "--signed"]);
    let world = common::w3c::world_folder(
        &repo.work.path("world"),
        &[
            (
                "https://farm.corridor.test/.well-known/did.json",
                document_text.as_str(),
            ),
            (list, list_text.as_str()),
        ],
        true,
    );
    let mut files = Vec::new();
    for (n, event) in own.iter().enumerate() {
        let text = repo
            .work
            .ok(&["trace", "show", &id_of(event), "--credential"]);
        let credential: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(credential["issuer"], did);
        assert_eq!(credential["proof"]["cryptosuite"], "ecdsa-sd-2023");
        assert_eq!(credential["credentialSubject"]["id"], id_of(event));
        let file = repo.work.path(&format!("event-{n}.json"));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    let indexes: BTreeSet<String> = files
        .iter()
        .map(|f| {
            let credential: Value =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            credential["credentialStatus"]["statusListIndex"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(indexes.len(), own.len(), "one entry each");
    let paths: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    for verdict in common::w3c::corridor_verdicts(&repo.work, &world, &paths) {
        assert_eq!(verdict["valid"], true, "{verdict}");
    }
    assert!(repo.work.ok(&["store", "audit"]).contains("intact"));

    // As another method, the key signs no list: refused before the server starts.
    let out = repo.work.run(&[
        "serve",
        "--offline",
        "--listen",
        "127.0.0.1:0",
        "--party-key",
        &format!("{farm}=farm-w3c@did:web:elsewhere.corridor.test#keys-1"),
        "--password-file",
        repo.work.path("password").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no revocation list"), "{stderr}");
}

#[test]
fn a_party_key_written_wrong_is_refused_before_the_server_starts() {
    let work = common::Workdir::new();
    for (given, says) in [
        ("6918790000008=packer", "PARTY=KEY@DOMAIN"),
        ("12345=packer@packer.example", "not a party GLN"),
        ("6918790000008=@packer.example", "PARTY=KEY@DOMAIN"),
        (
            "6918790000008=@did:web:packer.example#keys-1",
            "PARTY=KEY@DID_URL",
        ),
    ] {
        let out = work.run(&[
            "serve",
            "--offline",
            "--listen",
            "127.0.0.1:0",
            "--party-key",
            given,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{given}: {stderr}");
        assert!(stderr.contains(says), "{given}: {stderr}");
    }
}

#[test]
fn a_capture_that_breaks_the_schema_or_the_limits_is_refused_whole() {
    let repo = Repository::start();
    let base = repo.base();
    let op = Some(repo.operator.as_str());
    let mut broken = repo.chain.events[1].clone();
    broken.as_object_mut().unwrap().remove("eventTime");
    let doc = document(&[repo.chain.events[0].clone(), broken]);
    refused(
        &ask(base, "POST", "/capture", op, json_body(&doc)),
        400,
        "ValidationException",
        "event 2",
    );
    refused(
        &ask(
            base,
            "POST",
            "/capture",
            op,
            Some(("application/json", b"{\"type\":".to_vec())),
        ),
        400,
        "ValidationException",
        "not JSON",
    );
    refused(
        &ask(
            base,
            "POST",
            "/capture",
            op,
            Some(("text/plain", b"{}".to_vec())),
        ),
        415,
        "ValidationException",
        "must be JSON",
    );
    refused(
        &ask(
            base,
            "POST",
            "/capture",
            op,
            json_body(&repo.chain.events[0]),
        ),
        400,
        "ValidationException",
        "POST one event to /events",
    );
    let many = document(&vec![repo.chain.events[0].clone(); 10_001]);
    let reply = ask(base, "POST", "/capture", op, json_body(&many));
    refused(
        &reply,
        413,
        "CaptureLimitExceededException",
        "10000 at most",
    );
    assert_eq!(reply.capture_limit.as_deref(), Some("10000"));
    // Nothing of the refused captures was kept.
    let (ids, _) = all_pages(base, "/events", &repo.operator);
    assert!(ids.is_empty(), "{ids:?}");
}

#[test]
fn gs1s_own_client_captures_and_follows_its_job() {
    let repo = Repository::start();
    let base = repo.base();
    let events = &repo.chain.events;
    let (farm, farm_token) = repo.farm();
    let own: Vec<Value> = events
        .iter()
        .filter(|e| recorder(e) == farm)
        .cloned()
        .collect();
    let other = events.iter().find(|e| recorder(e) != farm).unwrap().clone();
    let asks: Vec<String> = [document(&own), document(&[other])]
        .iter()
        .map(|document| {
            json!({"url": base, "token": farm_token, "document": document}).to_string() + "\n"
        })
        .collect();
    let answers = common::compat_script("oracle-epcis.mjs", &["capture"], &[], asks.concat());
    // epcis2.js (capture(), then CaptureResponse polling /capture/{id}) reads both jobs.
    assert_eq!(answers[0]["status"], 202, "{}", answers[0]);
    assert!(
        answers[0]["location"]
            .as_str()
            .unwrap()
            .starts_with("/capture/")
    );
    assert_eq!(
        answers[0]["job"],
        json!({"running": false, "success": true, "errors": []})
    );
    assert_eq!(answers[1]["job"]["success"], false, "{}", answers[1]);
    let error = answers[1]["job"]["errors"][0]["detail"].as_str().unwrap();
    assert!(
        error.contains("a party signs only what it observed"),
        "{error}"
    );
    let (ids, _) = all_pages(base, "/events?perPage=1000", &farm_token);
    let recorded: BTreeSet<String> = ids.into_iter().collect();
    assert!(own.iter().all(|e| recorded.contains(&id_of(e))));
}
