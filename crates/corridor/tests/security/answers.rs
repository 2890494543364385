//! Answers: every error is the documented JSON, bodies that are not JSON are refused, the token
//! scheme is matched as HTTP matches it, the headers that keep a browser from misreading an
//! answer, and no answer repeating the request's path.

use super::common::{self, Workdir};
use serde_json::{Value, json};

/// An answer: its status, headers and body.
struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// `corridor serve --offline` over a fresh store, with the OpenAPI document it serves.
struct Server {
    served: common::Served,
    openapi: Value,
}

impl Server {
    fn start(work: &Workdir) -> Server {
        let served = common::Served::start(work, &["--offline"]);
        let mut server = Server {
            served,
            openapi: Value::Null,
        };
        let answer = server.send("GET", "/openapi.json", &[], None);
        server.openapi = serde_json::from_str(&answer.body).unwrap();
        server
    }

    /// Sends `method path` with `headers`, and `body` if any, as given: nothing added.
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Answer {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.served.base));
        let request = headers.iter().fold(request, |request, (name, value)| {
            request.header(*name, *value)
        });
        let agent: ureq::Agent = ureq::config::Config::builder()
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            .build()
            .into();
        let mut response = match body {
            Some(body) => agent.run(request.body(body.to_vec()).unwrap()),
            None => agent.run(request.body(()).unwrap()),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.body_mut().read_to_string().unwrap(),
        }
    }

    /// The error `answer` is, checked against the document's `Error` schema: its code and
    /// message.
    fn error(&self, what: &str, answer: &Answer) -> (String, String) {
        assert_eq!(
            answer.header("content-type"),
            Some("application/json"),
            "{what}: {}",
            answer.body
        );
        let error: Value = serde_json::from_str(&answer.body)
            .unwrap_or_else(|_| panic!("{what}: not JSON: {:?}", answer.body));
        let schema = json!({
            "$ref": "#/components/schemas/Error",
            "components": self.openapi["components"],
        });
        let validator = jsonschema::validator_for(&schema).unwrap();
        assert!(validator.is_valid(&error), "{what}: {error}");
        let field = |name: &str| error["error"][name].as_str().unwrap().to_string();
        (field("code"), field("message"))
    }
}

#[test]
fn a_wrong_method_is_a_json_405_that_lists_the_methods_allowed() {
    let work = Workdir::new();
    let server = Server::start(&work);
    for (method, path, allowed) in [
        ("GET", "/api/verify", "POST"),
        ("PUT", "/api/shares/00", "DELETE"),
        ("PUT", "/api/examples", "GET"),
        ("POST", "/ocsp/0x00", "GET"),
        ("GET", "/rpc", "POST"),
    ] {
        let what = format!("{method} {path}");
        let answer = server.send(method, path, &[], None);
        assert_eq!(answer.status, 405, "{what}");
        let (code, _) = server.error(&what, &answer);
        assert_eq!(code, "method_not_allowed", "{what}");
        assert!(
            answer.header("allow").unwrap().contains(allowed),
            "{what}: {:?}",
            answer.headers
        );
    }
}

#[test]
fn an_unknown_asset_is_a_json_404() {
    let work = Workdir::new();
    let server = Server::start(&work);
    let answer = server.send("GET", "/assets/nothing.js", &[], None);
    assert_eq!(answer.status, 404);
    assert_eq!(server.error("an unknown asset", &answer).0, "not_found");
}

#[test]
fn a_body_not_sent_as_json_is_refused_with_415_saying_so() {
    let work = Workdir::new();
    let server = Server::start(&work);
    let examples = server.send("GET", "/api/examples", &[], None);
    let examples: Value = serde_json::from_str(&examples.body).unwrap();
    let body = serde_json::to_vec(&examples["examples"][0]["document"]).unwrap();
    let rpc = br#"{"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}"#;
    for path in ["/api/verify", "/api/wrap", "/rpc"] {
        let body: &[u8] = if path == "/rpc" { rpc } else { &body };
        for content_type in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonx"),
            None,
        ] {
            let what = format!("{path} as {content_type:?}");
            let headers: Vec<(&str, &str)> = content_type
                .map(|t| ("Content-Type", t))
                .into_iter()
                .collect();
            let answer = server.send("POST", path, &headers, Some(body));
            assert_eq!(answer.status, 415, "{what}: {}", answer.body);
            let (code, message) = server.error(&what, &answer);
            assert_eq!(code, "unsupported_media_type", "{what}");
            assert!(message.contains("application/json"), "{what}: {message}");
        }
    }
    for content_type in [
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/ld+json",
    ] {
        let headers = [("Content-Type", content_type)];
        let answer = server.send("POST", "/api/verify", &headers, Some(&body));
        assert_eq!(answer.status, 200, "{content_type}: {}", answer.body);
        let verdict: Value = serde_json::from_str(&answer.body).unwrap();
        assert!(verdict["valid"].is_boolean(), "{content_type}: {verdict}");
        assert!(
            verdict["fragments"]
                .as_array()
                .is_some_and(|f| !f.is_empty())
        );
    }
    let answer = server.send(
        "POST",
        "/rpc",
        &[("Content-Type", "application/json")],
        Some(rpc),
    );
    let chain_id: Value = serde_json::from_str(&answer.body).unwrap();
    assert!(chain_id["result"].is_string(), "{chain_id}");
}

#[test]
fn the_bearer_scheme_is_matched_in_any_case() {
    let work = Workdir::new();
    let token = work
        .ok(&["token", "new", "ci", "--scope", "share"])
        .trim()
        .to_string();
    let server = Server::start(&work);
    let key = corridor_share::Key::generate(&mut rand::rng());
    let envelope = corridor_share::encrypt("{}", &key, &mut rand::rng());
    let body = serde_json::to_vec(&envelope).unwrap();
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let authorization = format!("{scheme} {token}");
        let headers = [
            ("Content-Type", "application/json"),
            ("Authorization", authorization.as_str()),
        ];
        let answer = server.send("POST", "/api/shares", &headers, Some(&body));
        assert_eq!(answer.status, 200, "{scheme}: {}", answer.body);
        let id: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(id["id"].as_str().unwrap().len(), 32, "{scheme}");
    }
    let wrong = format!("Basic {token}");
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", wrong.as_str()),
    ];
    let answer = server.send("POST", "/api/shares", &headers, Some(&body));
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(server.error("another scheme", &answer).0, "forbidden");
}

#[test]
fn every_answer_says_nosniff_and_api_answers_allow_nothing_to_run() {
    let work = Workdir::new();
    let server = Server::start(&work);
    let json: &[(&str, &str)] = &[("Content-Type", "application/json")];
    let none: &[(&str, &str)] = &[];
    let ocsp = format!("/ocsp/0x{}", "ab".repeat(32));
    let rpc = br#"{"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}"#;
    let answers = [
        ("GET", "/api/examples", none, None),
        ("GET", "/openapi.json", none, None),
        ("GET", ocsp.as_str(), none, None),
        ("POST", "/rpc", json, Some(&rpc[..])),
        ("POST", "/api/verify", json, Some(b"{".as_slice())),
        ("POST", "/api/verify", none, Some(b"{}".as_slice())),
        ("GET", "/api/nothing-here", none, None),
        ("DELETE", "/api/verify", none, None),
        ("GET", "/assets/nothing.js", none, None),
        ("GET", "/healthz", none, None),
    ];
    for (method, path, headers, body) in answers {
        let what = format!("{method} {path}");
        let answer = server.send(method, path, headers, body);
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(
            answer.header("content-security-policy"),
            Some("default-src 'none'"),
            "{what}"
        );
    }
    for path in ["/", "/titles", "/assets/app.js"] {
        let answer = server.send("GET", path, &[], None);
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    // A page keeps its own policy, which lets it load its scripts.
    let page = server.send("GET", "/issue", &[], None);
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.starts_with("default-src 'self'"), "{policy}");
}

#[test]
fn errors_do_not_repeat_the_path_asked_for() {
    let work = Workdir::new();
    let server = Server::start(&work);
    let marker = "%3Cscript%3Emarker";
    let address = format!("0x{}", "01".repeat(20));
    for path in [
        format!("/api/{marker}"),
        format!("/{marker}"),
        format!("/assets/{marker}"),
        format!("/ocsp/{marker}"),
        format!("/ocsp/issuer/{marker}"),
        format!("/api/shares/{marker}"),
        format!("/api/titles/{marker}/1"),
        format!("/api/titles/{address}/{marker}"),
        format!("/api/titles/{marker}/1/history"),
        format!("/api/titles/{address}/1?party={marker}"),
        // Percent-encoding that is not UTF-8 once decoded.
        "/ocsp/%FF%FEmarker".to_string(),
        "/api/shares/%FFmarker".to_string(),
        "/assets/%FFmarker".to_string(),
        "/api/titles/1/1?party=%FFmarker".to_string(),
    ] {
        let answer = server.send("GET", &path, &[], None);
        assert!(
            (400..500).contains(&answer.status),
            "{path}: {}",
            answer.status
        );
        let (_, message) = server.error(&path, &answer);
        assert!(!message.contains("marker"), "{path}: {message}");
    }
}
