//! `corridor serve` and its files as an outsider and other local users meet them: each test is
//! one of issue 15's reproductions, automated.

mod common;

// Files: what other local users can read of Corridor's own.
mod files {
    use std::os::unix::fs::PermissionsExt;

    /// The store and the home folder are readable by their owner only, whatever the umask (they
    /// hold signed title actions, token names, revocation notes and share envelopes); a store
    /// made before, readable by others, is tightened when opened.
    #[test]
    fn the_home_folder_and_the_store_are_private_whatever_the_umask() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let corridor = super::common::corridor();
        let bin = corridor.get_program().to_str().unwrap().to_string();
        let run = |args: &str| {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("umask 000; exec {bin} {args}"))
                .env("CORRIDOR_HOME", &home)
                .env("CORRIDOR_KEY_PASSWORD", "a password")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        run("token new ci");
        run("key new ops");
        assert_eq!(mode(&home), 0o700, "the home folder");
        assert_eq!(mode(&home.join("keys")), 0o700, "the keys' folder");
        for file in ["store.sqlite", "store.sqlite-wal", "store.sqlite-shm"] {
            let path = home.join(file);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{file}");
            }
        }
        assert_eq!(mode(&home.join("store.sqlite")), 0o600);

        std::fs::set_permissions(
            home.join("store.sqlite"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        run("token list");
        assert_eq!(
            mode(&home.join("store.sqlite")),
            0o600,
            "tightened when opened"
        );
    }
}

// Answers: every error is the documented JSON, bodies that are not JSON are refused, the token
// scheme is matched as HTTP matches it, the headers that keep a browser from misreading an
// answer, and no answer repeating the request's path.
mod answers {
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
            ("DELETE", "/api/shares/00", "GET"),
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
        let token = work.ok(&["token", "new", "ci"]).trim().to_string();
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
}

// Work bounded per request: obfuscation's leaves, and /rpc's batches, bodies and time.
mod limits {
    use super::common::{self, Served, Workdir};
    use corridor_format::{FieldPath, obfuscate_document, wrap_documents};
    use serde_json::{Map, Value, json};

    /// POSTs `body` to the server; the status and the JSON answer.
    fn post(served: &Served, path: &str, body: &[u8]) -> (u16, Value) {
        let agent: ureq::Agent = ureq::config::Config::builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .post(&format!("{}{path}", served.base))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        let answer = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path} answered {status} with no JSON ({e}): {text:?}"));
        (status, answer)
    }

    // ---- Work bounded per request: obfuscation (item 6) and /rpc (item 7) ----

    /// A wrapped document whose data holds `leaves` keys `k0`, `k1`, … under `f`, and `g.h.i`.
    fn document_with_leaves(leaves: usize) -> Value {
        let f: Map<String, Value> = (0..leaves).map(|i| (format!("k{i}"), json!(i))).collect();
        let raw = json!({
            "issuers": [{"name": "Carrier", "certificateStore": "0x0000000000000000000000000000000000000001"}],
            "f": f,
            "g": {"h": {"i": "hidden with h"}, "j": "kept"},
        });
        wrap_documents(&[raw], &mut rand::rng()).unwrap().remove(0)
    }

    #[test]
    fn obfuscate_refuses_more_leaves_than_it_takes_in_one_request() {
        let work = Workdir::new();
        let served = Served::start(&work, &["--offline"]);
        let (status, answer) = post(
            &served,
            "/api/obfuscate",
            &serde_json::to_vec(
                &json!({"document": document_with_leaves(20_001), "fields": ["g.h"]}),
            )
            .unwrap(),
        );
        assert_eq!(status, 413, "{}", answer["error"]);
        assert_eq!(
            answer["error"]["code"], "too_many_leaves",
            "{}",
            answer["error"]
        );
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("at most 20000"),
            "{}",
            answer["error"]
        );

        let fields = vec!["g.h"; 20_001];
        let (status, answer) = post(
            &served,
            "/api/obfuscate",
            &serde_json::to_vec(&json!({"document": document_with_leaves(3), "fields": fields}))
                .unwrap(),
        );
        assert_eq!(status, 413, "{}", answer["error"]);
        assert_eq!(
            answer["error"]["code"], "too_many_leaves",
            "{}",
            answer["error"]
        );
    }

    #[test]
    fn obfuscating_many_fields_agrees_byte_for_byte_with_the_reference() {
        let document = document_with_leaves(5_000);
        // Many fields, out of order; and a field named before the object it empties, which the
        // reference hides with that object.
        let mut fields: Vec<String> = (0..4_999).rev().map(|i| format!("f.k{i}")).collect();
        fields.extend(["g.h.i".into(), "g.h".into()]);
        let reference = common::oracle(
            "obfuscate",
            &[json!({"document": document, "fields": fields})],
        )
        .remove(0);

        let mut ours = document;
        let paths: Vec<FieldPath> = fields.iter().map(|f| f.parse().unwrap()).collect();
        obfuscate_document(&mut ours, &paths).unwrap();
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&reference).unwrap()
        );
    }

    /// Sends a JSON-RPC body to `/rpc`: the status and the JSON answer.
    fn rpc(served: &Served, body: &Value) -> (u16, Value) {
        post(served, "/rpc", &serde_json::to_vec(body).unwrap())
    }

    #[test]
    fn rpc_refuses_a_batch_longer_than_its_limit() {
        let work = Workdir::new();
        let served = Served::start(&work, &["--offline"]);
        let batch = |n: u64| -> Value {
            (0..n)
                .map(|id| json!({"jsonrpc": "2.0", "id": id, "method": "eth_blockNumber"}))
                .collect()
        };
        let (status, answer) = rpc(&served, &batch(100));
        assert_eq!(status, 200);
        assert_eq!(answer.as_array().map(Vec::len), Some(100), "{answer}");

        let (status, answer) = rpc(&served, &batch(101));
        assert_eq!(status, 200);
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("at most 100"),
            "{answer}"
        );
    }

    #[test]
    fn rpc_refuses_a_body_larger_than_its_limit() {
        let work = Workdir::new();
        let served = Served::start(&work, &["--offline"]);
        // Within the server's body limit, beyond /rpc's.
        let padding = "x".repeat(70 * 1024);
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": [padding]});
        let (status, answer) = rpc(&served, &body);
        assert_eq!(status, 413, "{answer}");
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
    }

    #[test]
    fn rpc_answers_within_the_request_timeout_while_a_write_waits_on_the_store() {
        let work = Workdir::new();
        let token = work.ok(&["token", "new", "ci"]).trim().to_string();
        let served = Served::start(&work, &["--offline", "--request-timeout", "1"]);

        // Another process writes to the store (a long `corridor issue`, a backup): the server's
        // next write waits for it, as long as SQLite lets it.
        let holder = rusqlite::Connection::open(work.path("home/store.sqlite")).unwrap();
        holder
            .execute_batch("BEGIN IMMEDIATE; DELETE FROM shares;")
            .unwrap();
        let share = {
            let base = served.base.clone();
            std::thread::spawn(move || {
                ureq::post(&format!("{base}/api/shares"))
                    .config()
                    .http_status_as_error(false)
                    .build()
                    .header("Authorization", &format!("Bearer {token}"))
                    .send_json(
                        json!({"type": "OPEN-ATTESTATION-TYPE-1", "cipherText": "AAAA",
                                      "iv": "AAAAAAAAAAAAAAAA", "tag": "AAAAAAAAAAAAAAAAAAAAAA=="}),
                    )
                    .map(|r| r.status().as_u16())
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(500));

        let started = std::time::Instant::now();
        let (status, answer) = rpc(&served, &json!({"id": 2, "method": "eth_blockNumber"}));
        let took = started.elapsed();
        holder.execute_batch("ROLLBACK").unwrap();
        assert!(
            took < std::time::Duration::from_secs(4),
            "/rpc answered after {took:?}, past the 1 s request timeout"
        );
        match status {
            200 => assert!(answer.get("result").is_some(), "{answer}"),
            _ => {
                assert_eq!(status, 503, "{answer}");
                let message = answer["error"]["message"].as_str().unwrap();
                assert!(
                    message.contains("took longer than the server allows"),
                    "{answer}"
                );
            }
        }
        assert_eq!(share.join().unwrap().unwrap(), 503, "the write timed out");
    }
}

// Time bounded per request: a body sent slowly, or not at all.
mod time {
    use super::common::{Served, Workdir};
    use std::io::{Read, Write};

    /// A client that sends a head promising a body, then a little of it, then nothing: the
    /// request timeout covers the body too, and the answer is the timeout's JSON error.
    #[test]
    fn a_body_trickled_or_never_finished_is_cut_off_at_the_request_timeout() {
        let work = Workdir::new();
        let served = Served::start(&work, &["--offline", "--request-timeout", "1"]);
        let address = served.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let started = std::time::Instant::now();
        write!(
            stream,
            "POST /api/verify HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"a\": "
        )
        .unwrap();
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer);
        let waited = started.elapsed();
        let answer = String::from_utf8_lossy(&answer);
        assert!(read.is_ok(), "the connection was held past 10 s: {read:?}");
        assert!(
            answer.starts_with("HTTP/1.1 503") && answer.contains(r#""code":"timeout""#),
            "{answer}"
        );
        assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");
    }
}
