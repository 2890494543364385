//! The HTTP API against the real server (`corridor serve` on a loopback port): every route,
//! its answers and its error paths, each answer checked against the OpenAPI document the
//! server itself serves at `/openapi.json`.

mod common;

use alloy_primitives::{Address, Bytes, U256};
use common::Workdir;
use corridor_title::{Action, SignedAction};
use k256::ecdsa::SigningKey;
use serde_json::{Value, json};

/// The largest body the test server accepts.
const MAX_BODY: usize = 256 * 1024;

/// `corridor serve` over the workdir's store, with the OpenAPI document it serves.
struct Server {
    served: common::Served,
    openapi: Value,
}

impl Server {
    fn start(work: &Workdir) -> Server {
        Server::start_with(work, &["--offline", "--max-body", &MAX_BODY.to_string()])
    }

    fn start_with(work: &Workdir, args: &[&str]) -> Server {
        let mut server = Server {
            served: common::Served::start(work, args),
            openapi: Value::Null,
        };
        let (status, openapi) = server.send("GET", "/openapi.json", None, None);
        assert_eq!(status, 200);
        assert_eq!(openapi["openapi"], "3.1.0");
        server.openapi = openapi;
        server
    }

    /// Sends a request; the status and the JSON answer.
    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let answer = common::http::call(&self.served.base, method, path, body.as_deref(), token);
        (answer.status, answer.json)
    }

    /// POSTs `body` to a documented route without path parameters, checked as [`Server::call`]
    /// checks.
    fn post(&self, route: &str, body: Option<Value>, token: Option<&str>) -> (u16, Value) {
        self.call("POST", route, route, body, token)
    }

    /// Sends a request to a documented route and checks the answer against the document:
    /// the status is one it lists for the route, and the body matches its schema.
    fn call(
        &self,
        method: &str,
        route: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        self.call_raw(
            method,
            route,
            path,
            body.map(|b| serde_json::to_vec(&b).unwrap()),
            token,
        )
    }

    fn call_raw(
        &self,
        method: &str,
        route: &str,
        path: &str,
        body: Option<Vec<u8>>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let (status, answer) = self.send(method, path, body, token);
        let operation = &self.openapi["paths"][route][method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {route} is not in the OpenAPI document"
        );
        let mut response = &operation["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {path} answered {status}, which the document does not list: {answer}"
        );
        if let Some(reference) = response["$ref"].as_str() {
            response = self
                .openapi
                .pointer(reference.trim_start_matches('#'))
                .unwrap();
        }
        let schema = json!({
            "allOf": [response["content"]["application/json"]["schema"]],
            "components": self.openapi["components"],
        });
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&answer)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} ({status}) does not match the document: {errors:?}\n{answer}"
        );
        (status, answer)
    }
}

/// A document the reference made (see `common::reference`).
fn reference_document(name: &str) -> Value {
    common::reference::document(name).value()
}

/// A raw bill of lading whose issuer signs with the test key's DID.
fn raw(fields: Value) -> Value {
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let mut raw = json!({"issuers": [{"id": did, "name": "Carrier", "revocation": {"type": "NONE"},
                                      "identityProof": {"type": "DID", "key": format!("{did}#controller")}}]});
    raw.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    raw
}

fn error_code(answer: &Value) -> &str {
    answer["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
}

#[test]
fn every_documented_route_is_served() {
    let work = Workdir::new();
    let server = Server::start(&work);
    let registry = format!("{:#x}", Address::repeat_byte(1));
    let token = "0x".to_string() + &"ab".repeat(32);
    for (route, operations) in server.openapi["paths"].as_object().unwrap() {
        let path = route
            .replace("{registry}", &registry)
            .replace("{token}", &token)
            .replace("{id}", &"0".repeat(32))
            .replace("{value}", "ObjectEvent");
        for method in operations
            .as_object()
            .unwrap()
            .keys()
            .filter(|m| *m != "parameters")
        {
            let body = (method == "post").then(|| b"{}".to_vec());
            let (_, answer) = server.send(&method.to_uppercase(), &path, body, None);
            let message = answer["error"]["message"].as_str().unwrap_or_default();
            assert!(
                !message.starts_with("no such route"),
                "{method} {route} is documented but not served"
            );
        }
    }
    let (status, answer) = server.send("GET", "/api/nothing-here", None, None);
    assert_eq!((status, error_code(&answer)), (404, "not_found"));
}

#[test]
fn the_examples_are_documents_and_one_is_tampered() {
    let work = Workdir::new();
    let server = Server::start(&work);
    let (status, answer) = server.call("GET", "/api/examples", "/api/examples", None, None);
    assert_eq!(status, 200, "{answer}");
    let examples = answer["examples"].as_array().unwrap();
    let names: Vec<&str> = examples
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "bill-of-lading",
            "certificate-of-origin",
            "invoice",
            "carrier-bill-of-lading",
            "warehouse-receipt",
            "promissory-note",
            "bill-of-lading-altered"
        ]
    );
    let documents: Vec<Value> = examples.iter().map(|e| e["document"].clone()).collect();
    // The reference's verdict on each: intact, but for the one altered.
    let intact: Vec<bool> = common::oracle("verify", &documents)
        .iter()
        .map(|a| a["valid"] == true)
        .collect();
    assert_eq!(intact, [true, true, true, true, true, true, false]);
}

#[test]
fn verify_answers_with_the_fragments_and_refuses_what_is_not_a_document() {
    let work = Workdir::new();
    let server = Server::start(&work);
    let route = "/api/verify";
    let valid = reference_document("valid/single-0.json");
    let (status, verdict) = server.call("POST", route, route, Some(valid.clone()), None);
    assert_eq!(
        (status, &verdict["valid"]),
        (200, &json!(true)),
        "{verdict}"
    );
    assert_eq!(verdict["fragments"][0]["name"], "OpenAttestationHash");
    assert_eq!(verdict["fragments"][0]["status"], "VALID");

    // Tampered: answered, loudly not valid.
    let mut tampered = valid.clone();
    let data = tampered["data"].as_object_mut().unwrap();
    let key = data
        .keys()
        .find(|k| data[k.as_str()].is_string())
        .unwrap()
        .clone();
    data.insert(
        key,
        json!("5d4c1a0e-4d9a-4a38-9a6f-6c8c2c0f9e1a:string:changed"),
    );
    let (status, verdict) = server.call("POST", route, route, Some(tampered.clone()), None);
    assert_eq!((status, &verdict["valid"]), (200, &json!(false)));
    assert_eq!(verdict["fragments"][0]["status"], "INVALID");

    // Many at once, in order; one that is not a document gets an error of its own.
    let (status, verdicts) = server.call(
        "POST",
        route,
        route,
        Some(json!([valid, tampered, {"not": "a document"}])),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        (&verdicts[0]["valid"], &verdicts[1]["valid"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(error_code(&verdicts[2]), "not_a_document");

    let (status, answer) =
        server.call_raw("POST", route, route, Some(b"{\"data\": ".to_vec()), None);
    assert_eq!((status, error_code(&answer)), (400, "malformed_json"));
    for not_a_document in [
        json!({"not": "a document"}),
        json!(5),
        json!("text"),
        reference_document("malformed/no-signature.json"),
    ] {
        let (status, answer) =
            server.call("POST", route, route, Some(not_a_document.clone()), None);
        assert_eq!(
            (status, error_code(&answer)),
            (422, "not_a_document"),
            "{not_a_document}"
        );
    }
    let oversized = format!("{{\"padding\": \"{}\"}}", "x".repeat(MAX_BODY));
    let (status, answer) =
        server.call_raw("POST", route, route, Some(oversized.into_bytes()), None);
    assert_eq!((status, error_code(&answer)), (413, "payload_too_large"));
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(Value::Array(vec![json!({}); 1001])),
        None,
    );
    assert_eq!((status, error_code(&answer)), (413, "too_many_documents"));
}

#[test]
fn wrap_and_obfuscate_give_documents_that_verify() {
    let work = Workdir::new();
    let server = Server::start(&work);
    let raws = json!({"documents": [
        raw(json!({"shipper": {"name": "Acme", "address": "1 Quay"}})),
        raw(json!({"blNumber": "BL-2"})),
    ]});
    let (status, wrapped) = server.call("POST", "/api/wrap", "/api/wrap", Some(raws), None);
    assert_eq!(status, 200, "{wrapped}");
    let documents = wrapped["documents"].as_array().unwrap();
    assert_eq!(
        documents[1]["signature"]["merkleRoot"],
        wrapped["merkleRoot"]
    );
    let (_, verdicts) = server.call(
        "POST",
        "/api/verify",
        "/api/verify",
        Some(json!(documents)),
        None,
    );
    assert!(
        verdicts
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["valid"] == true),
        "{verdicts}"
    );

    let route = "/api/obfuscate";
    let request = json!({"document": documents[0], "fields": ["shipper.address"]});
    let (status, hidden) = server.call("POST", route, route, Some(request), None);
    assert_eq!(status, 200, "{hidden}");
    assert!(
        hidden["document"]["data"]["shipper"]
            .get("address")
            .is_none()
    );
    let (_, verdict) = server.call(
        "POST",
        "/api/verify",
        "/api/verify",
        Some(hidden["document"].clone()),
        None,
    );
    assert_eq!(verdict["valid"], true);

    let (status, answer) = server.call(
        "POST",
        "/api/wrap",
        "/api/wrap",
        Some(json!({"docs": []})),
        None,
    );
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
    let dotted = json!({"documents": [raw(json!({"a.b": 1}))]});
    let (status, answer) = server.call("POST", "/api/wrap", "/api/wrap", Some(dotted), None);
    assert_eq!((status, error_code(&answer)), (422, "invalid_document"));
    let mut tampered = documents[0].clone();
    tampered["signature"]["targetHash"] = json!("00".repeat(32));
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(json!({"document": tampered, "fields": ["shipper"]})),
        None,
    );
    assert_eq!((status, error_code(&answer)), (422, "tampered"));
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(json!({"document": documents[0], "fields": ["a..b"]})),
        None,
    );
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(json!({"document": {"x": 1}, "fields": []})),
        None,
    );
    assert_eq!((status, error_code(&answer)), (422, "not_a_document"));
}

#[test]
fn writes_need_a_live_token() {
    let work = Workdir::new();
    // Something issued, to revoke: a batch signed and recorded by the test key's issuer.
    common::write_lines(&work.path("raw.jsonl"), &[raw(json!({"blNumber": "BL-1"}))]);
    let root = work
        .ok(&["wrap", "--out", "wrapped.jsonl", "raw.jsonl"])
        .trim()
        .to_string();
    work.ok(&[
        "issue",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--issuer",
        "carrier",
        "--out",
        "issued.jsonl",
        "wrapped.jsonl",
    ]);
    let token = work
        .ok(&["token", "new", "ci", "--scope", "revoke"])
        .trim()
        .to_string();
    let revoked_token = work
        .ok(&["token", "new", "old", "--scope", "revoke"])
        .trim()
        .to_string();
    work.ok(&["token", "revoke", "old"]);
    let server = Server::start(&work);
    let route = "/api/revoke";
    let request = json!({"hash": root, "reason": "superseded", "note": "reissued"});

    let (status, answer) = server.call("POST", route, route, Some(request.clone()), None);
    assert_eq!((status, error_code(&answer)), (401, "unauthorized"));
    for wrong in [
        "corridor_0000",
        "not even the shape",
        revoked_token.as_str(),
    ] {
        let (status, answer) =
            server.call("POST", route, route, Some(request.clone()), Some(wrong));
        assert_eq!((status, error_code(&answer)), (403, "forbidden"), "{wrong}");
    }
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(json!({"hash": "12"})),
        Some(&token),
    );
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(json!({"hash": root, "issuer": "nobody"})),
        Some(&token),
    );
    assert_eq!(
        (status, error_code(&answer)),
        (404, "not_found"),
        "{answer}"
    );
    let (status, answer) = server.call("POST", route, route, Some(request.clone()), Some(&token));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["issuer"], "carrier");
    let (status, answer) = server.call("POST", route, route, Some(request), Some(&token));
    assert_eq!((status, error_code(&answer)), (409, "conflict"));
    // The responder now says so.
    let (_, ocsp) = server.send("GET", &format!("/ocsp/0x{root}"), None, None);
    assert_eq!(
        (&ocsp["revoked"], &ocsp["reasonCode"]),
        (&json!(true), &json!(4))
    );
    // The token is nowhere in the store's files.
    for file in std::fs::read_dir(work.path("home")).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    }
}

fn key(byte: u8) -> SigningKey {
    SigningKey::from_slice(&[byte; 32]).unwrap()
}

#[test]
fn titles_are_read_openly_and_changed_by_signed_actions_with_a_token() {
    let work = Workdir::new();
    let admin = key(1);
    let admin_hex = const_hex::encode(admin.to_bytes());
    let registry: Address = common::create_registry(&work, &admin_hex).parse().unwrap();
    let api_token = work
        .ok(&["token", "new", "ci", "--scope", "titles"])
        .trim()
        .to_string();
    let server = Server::start(&work);
    let token = U256::from(77);
    let token_hex = format!("{token:#066x}");
    let title_route = "/api/titles/{registry}/{token}";
    let title_path = format!("/api/titles/{registry:#x}/{token_hex}");
    let (status, answer) = server.call("GET", title_route, &title_path, None, None);
    assert_eq!((status, error_code(&answer)), (404, "not_found"));

    let route = "/api/titles/actions";
    let shipper = key(2);
    let bank = Address::from_private_key(&key(3));
    let here = common::deployment(&work);
    let signed = |k: &SigningKey, action: Action, nonce: u64| {
        serde_json::to_value(SignedAction::sign(
            k,
            &here,
            registry,
            token,
            action,
            Bytes::from_static(b"remark"),
            nonce,
        ))
        .unwrap()
    };
    let s = Address::from_private_key(&shipper);
    let mint = signed(
        &admin,
        Action::Mint {
            beneficiary: s,
            holder: s,
        },
        0,
    );
    let (status, answer) = server.call("POST", route, route, Some(mint.clone()), None);
    assert_eq!((status, error_code(&answer)), (401, "unauthorized"));
    let (status, answer) = server.call("POST", route, route, Some(mint.clone()), Some(&api_token));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["title"]["holder"], s.to_checksum(None), "EIP-55");
    let (status, answer) = server.call("POST", route, route, Some(mint), Some(&api_token));
    assert_eq!((status, error_code(&answer)), (409, "invalid_nonce"));
    // The bank acting as holder: the rules refuse, by the contract's name.
    let by_bank = signed(&key(3), Action::TransferHolder { holder: bank }, 0);
    let (status, answer) = server.call("POST", route, route, Some(by_bank), Some(&api_token));
    assert_eq!((status, error_code(&answer)), (409, "CallerNotHolder"));
    // The shipper's action with the bank's signature.
    let mut forged = signed(&key(3), Action::TransferHolder { holder: bank }, 0);
    forged["actor"] = json!(format!("{s:#x}"));
    let (status, answer) = server.call("POST", route, route, Some(forged), Some(&api_token));
    assert_eq!((status, error_code(&answer)), (403, "invalid_signature"));
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(json!({"action": "fly"})),
        Some(&api_token),
    );
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
    let elsewhere = serde_json::to_value(SignedAction::sign(
        &shipper,
        &here,
        Address::repeat_byte(9),
        token,
        Action::ReturnToIssuer,
        Bytes::new(),
        0,
    ))
    .unwrap();
    let (status, answer) = server.call("POST", route, route, Some(elsewhere), Some(&api_token));
    assert_eq!((status, error_code(&answer)), (404, "not_found"));
    let transfer = signed(&shipper, Action::TransferHolder { holder: bank }, 0);
    let (status, answer) = server.call("POST", route, route, Some(transfer), Some(&api_token));
    assert_eq!(status, 200, "{answer}");

    let (status, answer) = server.call("GET", title_route, &title_path, None, None);
    assert_eq!(status, 200);
    assert_eq!(answer["title"]["holder"], bank.to_checksum(None));
    assert!(answer.get("party").is_none());
    // Asked by a party: what it may do now, and the nonce its next action carries.
    let as_party = |party: Address| {
        let (status, answer) = server.call(
            "GET",
            title_route,
            &format!("{title_path}?party={party:#x}"),
            None,
            None,
        );
        assert_eq!(status, 200, "{answer}");
        answer["party"].clone()
    };
    // Just made holder, the bank may pass the document on or refuse it.
    assert_eq!(
        as_party(bank)["open"],
        json!(["transfer-holder", "reject-holder"])
    );
    assert_eq!(as_party(bank)["nonce"], 0);
    assert_eq!(as_party(s)["open"], json!(["nominate"]));
    assert_eq!(as_party(s)["nonce"], 1);
    let (status, answer) = server.call(
        "GET",
        title_route,
        &format!("{title_path}?party=nobody"),
        None,
        None,
    );
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
    let history_route = "/api/titles/{registry}/{token}/history";
    let (status, answer) = server.call(
        "GET",
        history_route,
        &format!("{title_path}/history"),
        None,
        None,
    );
    assert_eq!(status, 200);
    let actions: Vec<&str> = answer["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["mint", "transfer-holder"]);
    // A token id as a decimal number or short hex names the same title.
    for short in ["77", "0x4d", "0x4D"] {
        let (status, answer) = server.call(
            "GET",
            title_route,
            &format!("/api/titles/{registry:#x}/{short}"),
            None,
            None,
        );
        assert_eq!(status, 200, "{short}: {answer}");
        assert_eq!(answer["token"], token_hex, "{short}");
    }
    let (status, answer) = server.call(
        "GET",
        title_route,
        &format!("/api/titles/{registry:#x}/0x4g"),
        None,
        None,
    );
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
    let (status, answer) = server.call(
        "GET",
        history_route,
        &format!("/api/titles/0x{}/{token_hex}/history", "09".repeat(20)),
        None,
        None,
    );
    assert_eq!((status, error_code(&answer)), (404, "not_found"));
}

/// The address of a hex private key.
fn address_of(hex: &str) -> Address {
    Address::from_private_key(&SigningKey::from_slice(&const_hex::decode(hex).unwrap()).unwrap())
}

#[test]
fn chain_titles_are_read_as_the_cli_reads_them_and_moved_by_transactions_their_party_signs() {
    use common::chain::{Ganache, OWNER_KEY, PARTY_KEYS, deploy_registry, on_chain, title_cli};

    let ganache = Ganache::start();
    let work = Workdir::new();
    let registry = deploy_registry(&work, &ganache);
    let on = on_chain(&registry, &ganache);
    let (shipper, bank) = (PARTY_KEYS[0], PARTY_KEYS[1]);
    let (s, b) = (address_of(shipper), address_of(bank));
    let token = format!("0x{}", "c1".repeat(32));
    let cli = |args: &[&str], key: Option<&str>| {
        let (code, answer) = title_cli(&work, &on, args, key);
        assert_eq!(code, 0, "title {args:?}: {answer}");
        answer
    };
    cli(
        &[
            "mint",
            &token,
            "--beneficiary",
            &s.to_string(),
            "--holder",
            &s.to_string(),
            "--remark",
            "shipped on board",
        ],
        Some(OWNER_KEY),
    );
    let api_token = work
        .ok(&["token", "new", "ci", "--scope", "titles"])
        .trim()
        .to_string();
    let server = Server::start_with(&work, &["--network", "local", "--rpc-url", &ganache.url]);
    let title_route = "/api/titles/{registry}/{token}";
    let history_route = "/api/titles/{registry}/{token}/history";
    let title_path = format!("/api/titles/{registry}/{token}");
    let read = |party: Address| {
        let path = format!("{title_path}?party={party}");
        let (status, answer) = server.call("GET", title_route, &path, None, None);
        assert_eq!(status, 200, "{answer}");
        answer
    };
    let history = || {
        let path = format!("{title_path}/history");
        let (status, answer) = server.call("GET", history_route, &path, None, None);
        assert_eq!(status, 200, "{answer}");
        answer
    };

    // Read: what the command line says, and where the title lives.
    let answer = read(s);
    assert_eq!(
        answer["ledger"],
        json!({"kind": "chain", "network": "local", "chainId": 1337, "registryVersion": "v5"})
    );
    assert_eq!(answer["title"], cli(&["status", &token], None)["title"]);
    let open = answer["party"]["open"].as_array().unwrap();
    assert!(open.contains(&json!("transfer-holder")), "{answer}");
    assert_eq!(read(b)["party"]["open"], json!([]));
    let before = history();
    assert_eq!(before["ledger"]["kind"], "chain");
    assert_eq!(
        before["history"],
        cli(&["history", &token], None)["history"]
    );
    assert_eq!(before["history"][0]["action"], "mint");

    let prepare_route = "/api/titles/transactions/prepare";
    let send_route = "/api/titles/transactions";
    let prepare = |party: Address, action: Value| {
        let mut body = json!({"registry": registry, "token": token, "party": party,
                              "remark": "to the bank"});
        body.as_object_mut()
            .unwrap()
            .extend(action.as_object().unwrap().clone());
        server.call("POST", prepare_route, prepare_route, Some(body), None)
    };
    let sign = |tx: &Value, key: &str| {
        let signed = common::oracle(
            "sign-transaction",
            &[json!({"transaction": tx, "privateKey": format!("0x{key}")})],
        );
        signed[0]["raw"].as_str().unwrap().to_string()
    };
    let send = |raw: &str, api_token: Option<&str>| {
        let body = json!({"registry": registry, "token": token, "transaction": raw});
        server.call("POST", send_route, send_route, Some(body), api_token)
    };
    let to_bank = json!({"action": "transfer-holder", "holder": b});

    // A stranger's action is refused when it is prepared, with the rules' error.
    let (status, refused) = prepare(b, json!({"action": "endorse", "nominee": b}));
    assert_eq!(
        (status, error_code(&refused)),
        (409, "CallerNotHolder"),
        "{refused}"
    );

    // The holder's is prepared, signed where the key is (ethers), and sent.
    let (status, tx) = prepare(s, to_bank.clone());
    assert_eq!(status, 200, "{tx}");
    assert_eq!(
        (tx["from"].as_str(), tx["chainId"].as_u64()),
        (Some(&*s.to_string()), Some(1337))
    );
    let raw = sign(&tx, shipper);
    // Signed by someone else, the same transaction is refused before it is sent.
    let (status, answer) = send(&sign(&tx, bank), Some(&api_token));
    assert_eq!(
        (status, error_code(&answer)),
        (409, "CallerNotHolder"),
        "{answer}"
    );
    assert_eq!(history()["history"], before["history"]);
    // Signed for another chain, or a call to neither the registry nor the escrow: not sent.
    let mut elsewhere = tx.clone();
    elsewhere["chainId"] = json!(1);
    let (status, answer) = send(&sign(&elsewhere, shipper), Some(&api_token));
    assert_eq!((status, error_code(&answer)), (400, "invalid"), "{answer}");
    let mut astray = tx.clone();
    astray["to"] = json!(b);
    let (status, answer) = send(&sign(&astray, shipper), Some(&api_token));
    assert_eq!((status, error_code(&answer)), (400, "invalid"), "{answer}");
    // Sending is a write: it needs an API token.
    let (status, _) = send(&raw, None);
    assert_eq!(status, 401);

    let (status, sent) = send(&raw, Some(&api_token));
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["title"]["holder"], b.to_checksum(None));
    let status = cli(&["status", &token], None);
    assert_eq!(status["title"], sent["title"]);
    let after = cli(&["history", &token], None)["history"].clone();
    let last = after.as_array().unwrap().last().unwrap();
    assert_eq!(
        (&last["action"], &last["reference"], &last["remark"]),
        (
            &json!("transfer-holder"),
            &sent["reference"],
            &json!("to the bank")
        )
    );
    assert_eq!(history()["history"], after);
    let open = read(b)["party"]["open"].clone();
    assert!(
        open.as_array().unwrap().contains(&json!("transfer-holder")),
        "{open}"
    );
}

#[test]
fn v4_chain_titles_are_moved_by_transactions_prepared_without_a_remark() {
    use common::chain::{
        Ganache, OWNER_KEY, PARTY_KEYS, deploy_registry_version, on_chain, title_cli,
    };

    let ganache = Ganache::start();
    let work = Workdir::new();
    let registry = deploy_registry_version(&work, &ganache, "v4");
    let on = on_chain(&registry, &ganache);
    let (shipper, bank) = (PARTY_KEYS[0], PARTY_KEYS[1]);
    let (s, b) = (address_of(shipper), address_of(bank));
    let token = format!("0x{}", "c4".repeat(32));
    let (code, minted) = title_cli(
        &work,
        &on,
        &[
            "mint",
            &token,
            "--beneficiary",
            &s.to_string(),
            "--holder",
            &s.to_string(),
        ],
        Some(OWNER_KEY),
    );
    assert_eq!(code, 0, "{minted}");
    let api_token = work
        .ok(&["token", "new", "ci", "--scope", "titles"])
        .trim()
        .to_string();
    let server = Server::start_with(&work, &["--network", "local", "--rpc-url", &ganache.url]);
    let title_path = format!("/api/titles/{registry}/{token}?party={s}");
    let (status, answer) = server.call(
        "GET",
        "/api/titles/{registry}/{token}",
        &title_path,
        None,
        None,
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ledger"]["registryVersion"], "v4", "{answer}");

    let prepare_route = "/api/titles/transactions/prepare";
    let prepare = |remark: &str| {
        let body = json!({"registry": registry, "token": token, "party": s, "remark": remark,
                          "action": "transfer-holder", "holder": b});
        server.call("POST", prepare_route, prepare_route, Some(body), None)
    };
    let (status, refused) = prepare("to the bank");
    assert_eq!(
        (status, error_code(&refused)),
        (409, "NotInVersion4"),
        "{refused}"
    );
    let (status, tx) = prepare("");
    assert_eq!(status, 200, "{tx}");
    let signed = common::oracle(
        "sign-transaction",
        &[json!({"transaction": tx, "privateKey": format!("0x{shipper}")})],
    );
    let send_route = "/api/titles/transactions";
    let body = json!({"registry": registry, "token": token, "transaction": signed[0]["raw"]});
    let (status, sent) = server.call("POST", send_route, send_route, Some(body), Some(&api_token));
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["title"]["holder"], b.to_checksum(None));
    // The bank may pass it on; on v5 it could also refuse it back to the shipper, not on v4.
    let bank_path = format!("/api/titles/{registry}/{token}?party={b}");
    let (_, answer) = server.call(
        "GET",
        "/api/titles/{registry}/{token}",
        &bank_path,
        None,
        None,
    );
    assert_eq!(
        answer["party"]["open"],
        json!(["transfer-holder"]),
        "{answer}"
    );
    let (_, history) = title_cli(&work, &on, &["history", &token], None);
    let actions: Vec<&str> = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["mint", "transfer-holder"]);
}

#[test]
fn outside_questions_end_before_the_request_timeout_and_the_verdict_says_so() {
    // A nameserver that never answers: the issuer's DNS-TXT identity would wait for it.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let work = Workdir::new();
    let dns = silent.local_addr().unwrap().to_string();
    let server = Server::start_with(
        &work,
        &["--request-timeout", "2", "--timeout", "20", "--dns", &dns],
    );
    let document = json!({"documents": [{"issuers": [{"name": "Carrier", "documentStore": format!("{:#x}", Address::repeat_byte(7)),
        "identityProof": {"type": "DNS-TXT", "location": "slow.corridor.test"}}]}]});
    let (_, wrapped) = server.call("POST", "/api/wrap", "/api/wrap", Some(document), None);
    let started = std::time::Instant::now();
    let (status, verdict) = server.call(
        "POST",
        "/api/verify",
        "/api/verify",
        Some(wrapped["documents"][0].clone()),
        None,
    );
    let took = started.elapsed();
    // Answered within the request's time, not the nameserver's 20 s: the verdict, with the
    // identity that could not be asked in time an error, never valid.
    assert_eq!(status, 200, "{verdict}");
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    assert_eq!(verdict["valid"], false);
    let identity = verdict["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "OpenAttestationDnsTxtIdentityProof")
        .unwrap();
    assert_eq!(identity["status"], "ERROR", "{identity}");
    assert!(
        identity["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{identity}"
    );
}

#[test]
fn a_connection_that_never_finishes_a_request_head_is_closed_after_the_request_timeout() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let work = Workdir::new();
    let server = Server::start_with(&work, &["--offline", "--request-timeout", "1"]);
    let silent = std::net::TcpStream::connect(server.served.address()).unwrap();
    let mut partial = std::net::TcpStream::connect(server.served.address()).unwrap();
    partial
        .write_all(b"POST /api/verify HTTP/1.1\r\nHost: corridor\r\n")
        .unwrap();
    let started = Instant::now();
    for (name, mut stream) in [("silent", silent), ("partial", partial)] {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .unwrap_or_else(|e| panic!("the {name} connection is still open: {e}"));
        assert!(
            !String::from_utf8_lossy(&answer).contains(" 200 "),
            "{name}: {}",
            String::from_utf8_lossy(&answer)
        );
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
    // The server itself carries on.
    let (status, _) = server.send("GET", "/openapi.json", None, None);
    assert_eq!(status, 200);
}

#[test]
fn sigterm_stops_the_server_with_a_kept_alive_connection_open() {
    use std::io::{Read, Write};
    // Online, so that the server holds a DNS client (with a runtime of its own) to the end.
    let nameserver = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let work = Workdir::new();
    let server = Server::start_with(
        &work,
        &["--dns", &nameserver.local_addr().unwrap().to_string()],
    );
    let mut kept = std::net::TcpStream::connect(server.served.address()).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: corridor\r\n\r\n")
        .unwrap();
    let mut answer = [0u8; 256];
    let read = kept.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nok"), "{answer}");
    // The connection stays open for the next request; stopping must not wait for it.
    let status = server.served.terminate(std::time::Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    let mut rest = Vec::new();
    assert_eq!(kept.read_to_end(&mut rest).unwrap(), 0);
}

#[test]
fn encrypted_documents_are_kept_and_handed_back_without_their_key() {
    let work = Workdir::new();
    let api_token = work
        .ok(&["token", "new", "ci", "--scope", "share"])
        .trim()
        .to_string();
    let server = Server::start(&work);
    let key = corridor_share::Key::generate(&mut rand::rng());
    let document = reference_document("valid/single-0.json").to_string();
    let envelope =
        serde_json::to_value(corridor_share::encrypt(&document, &key, &mut rand::rng())).unwrap();
    let route = "/api/shares";
    let (status, answer) = server.call("POST", route, route, Some(envelope.clone()), None);
    assert_eq!((status, error_code(&answer)), (401, "unauthorized"));
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(envelope.clone()),
        Some(&api_token),
    );
    assert_eq!(status, 200, "{answer}");
    let id = answer["id"].as_str().unwrap();
    let (status, kept) = server.call(
        "GET",
        "/api/shares/{id}",
        &format!("/api/shares/{id}"),
        None,
        None,
    );
    assert_eq!(status, 200);
    let mut kept = kept;
    let expires = kept.as_object_mut().unwrap().remove("expires");
    assert_eq!(expires.as_ref(), Some(&answer["expires"]), "{kept}");
    assert_eq!(kept, envelope);
    let kept: corridor_share::Envelope = serde_json::from_value(kept).unwrap();
    assert_eq!(corridor_share::decrypt(&kept, &key).unwrap(), document);

    let mut other = envelope.clone();
    other["type"] = json!("OPEN-ATTESTATION-TYPE-2");
    let (status, answer) = server.call("POST", route, route, Some(other), Some(&api_token));
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(json!({"cipherText": "x"})),
        Some(&api_token),
    );
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
    let (status, answer) = server.call(
        "GET",
        "/api/shares/{id}",
        &format!("/api/shares/{}", "0".repeat(32)),
        None,
        None,
    );
    assert_eq!((status, error_code(&answer)), (404, "not_found"));
    let (status, answer) = server.call("GET", "/api/shares/{id}", "/api/shares/nope", None, None);
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
}

#[test]
fn documents_issued_through_the_api_are_signed_recorded_and_valid() {
    let work = Workdir::new();
    let api_token = work
        .ok(&[
            "token", "new", "ci", "--scope", "issue", "--scope", "revoke",
        ])
        .trim()
        .to_string();
    let route = "/api/issue";
    // The server names its own issuer in what it signs: the documents name none.
    let request = json!({"documents": [{"blNumber": "BL-1"}, {"blNumber": "BL-2"}]});
    // A server without an issuer key does not issue.
    {
        let server = Server::start(&work);
        let (status, answer) = server.call(
            "POST",
            route,
            route,
            Some(request.clone()),
            Some(&api_token),
        );
        assert_eq!((status, error_code(&answer)), (501, "no_issuer"));
        let (status, answer) = server.call("GET", "/api/issuer", "/api/issuer", None, None);
        assert_eq!((status, error_code(&answer)), (501, "no_issuer"));
    }
    // Verified online: the issuer's domain vouches for the key, and the server's own
    // responder answers for what it issued.
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let record = format!("openatts a=dns-did; p={did}#controller; v=1.0;");
    let dns = common::dns::DnsServer::start("corridor.test", &[("issuer.corridor.test", &record)]);
    let server = Server::start_with(
        &work,
        &[
            "--dns",
            &dns.address.to_string(),
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            "issuer.corridor.test",
            "--issuer-name",
            "Lion City Shipping",
        ],
    );
    let (status, answer) = server.call("POST", route, route, Some(request.clone()), None);
    assert_eq!((status, error_code(&answer)), (401, "unauthorized"));
    // Who it signs as, and the issuer block it puts in what it signs.
    let (status, issuer) = server.call("GET", "/api/issuer", "/api/issuer", None, None);
    assert_eq!(status, 200, "{issuer}");
    assert_eq!(
        (&issuer["name"], &issuer["did"], &issuer["domain"]),
        (&json!(did), &json!(did), &json!("issuer.corridor.test"))
    );
    assert_eq!(issuer["verificationMethod"], format!("{did}#controller"));
    let block = json!({"id": did, "name": "Lion City Shipping",
        "revocation": {"type": "OCSP_RESPONDER", "location": format!("{}/ocsp/{did}", server.served.base)},
        "identityProof": {"type": "DNS-DID", "location": "issuer.corridor.test", "key": format!("{did}#controller")}});
    assert_eq!(issuer["documentIssuer"], block);
    let (status, issued) = server.call("POST", route, route, Some(request), Some(&api_token));
    assert_eq!(status, 200, "{issued}");
    let documents = issued["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 2);
    for document in documents {
        let data = corridor_format::unsalt_data(&document["data"]).unwrap();
        assert_eq!(data["issuers"], json!([block]));
    }
    // Signed by the key's DID, vouched for by the domain, not revoked at the server's own
    // responder: valid, every check made.
    let statuses = |verdicts: &Value| -> Vec<(bool, Vec<String>)> {
        verdicts
            .as_array()
            .unwrap()
            .iter()
            .map(|verdict| {
                let valid = verdict["valid"].as_bool().unwrap();
                let statuses = verdict["fragments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["status"] != "SKIPPED")
                    .map(|f| {
                        format!(
                            "{} {}",
                            f["name"].as_str().unwrap(),
                            f["status"].as_str().unwrap()
                        )
                    })
                    .collect();
                (valid, statuses)
            })
            .collect()
    };
    let verify = || {
        let (status, verdicts) = server.call(
            "POST",
            "/api/verify",
            "/api/verify",
            Some(json!(documents)),
            None,
        );
        assert_eq!(status, 200, "{verdicts}");
        verdicts
    };
    let valid = (
        true,
        vec![
            "OpenAttestationHash VALID".to_string(),
            "OpenAttestationDidSignedDocumentStatus VALID".to_string(),
            "OpenAttestationDnsDidIdentityProof VALID".to_string(),
        ],
    );
    assert_eq!(statuses(&verify()), [valid.clone(), valid], "{}", verify());
    // The reference agrees that each is intact.
    for answer in common::oracle("verify", documents) {
        assert_eq!(answer["valid"], true, "{answer}");
    }
    // Recorded as issued under the key's issuer: revocable by its root.
    let root = issued["merkleRoot"].as_str().unwrap();
    let (status, revoked) = server.call(
        "POST",
        "/api/revoke",
        "/api/revoke",
        Some(json!({"hash": root})),
        Some(&api_token),
    );
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(
        revoked["issuer"],
        format!("did:ethr:{}", common::TEST_ADDRESS)
    );
    // The operator's revocation reaches what it issued: its responder says so.
    let revoked = (
        false,
        vec![
            "OpenAttestationHash VALID".to_string(),
            "OpenAttestationDidSignedDocumentStatus INVALID".to_string(),
            "OpenAttestationDnsDidIdentityProof VALID".to_string(),
        ],
    );
    assert_eq!(statuses(&verify()), [revoked.clone(), revoked]);
    let (status, answer) = server.call(
        "POST",
        route,
        route,
        Some(json!({"documents": []})),
        Some(&api_token),
    );
    assert_eq!((status, error_code(&answer)), (400, "invalid"));
}

#[test]
fn bills_of_lading_issued_with_a_title_are_transferable_records_minted_to_their_first_owner() {
    let work = Workdir::new();
    let api_token = work
        .ok(&["token", "new", "ci", "--scope", "issue"])
        .trim()
        .to_string();
    let location = "carrier.corridor.test";
    let server = Server::start_with(
        &work,
        &[
            "--offline",
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            location,
            "--issuer-name",
            "Lion City Shipping",
        ],
    );
    let route = "/api/issue";
    let issue = |body: Value| server.call("POST", route, route, Some(body), Some(&api_token));
    // The issuer's default registry, offered before it exists.
    let (_, issuer) = server.call("GET", "/api/issuer", "/api/issuer", None, None);
    let issuer_address: Address = issuer["address"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        issuer_address,
        common::TEST_ADDRESS.parse::<Address>().unwrap()
    );
    let registry = issuer["titleRegistries"][0]["address"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        issuer["titleRegistries"][0]["name"],
        corridor_ledger::DEFAULT_REGISTRY_NAME
    );
    assert_eq!(
        issuer["titleRegistries"][0]["documentIssuer"],
        json!({"name": "Lion City Shipping", "tokenRegistry": registry,
               "identityProof": {"type": "DNS-TXT", "location": location}})
    );
    // The server names the registry and the domain in each: the documents name no issuer,
    // or exactly the one it would.
    let bill = |number: &str| json!({"blNumber": number});
    let naming = |number: &str, registry: &str| {
        json!({"issuers": [{"name": "Lion City Shipping", "tokenRegistry": registry,
                            "identityProof": {"type": "DNS-TXT", "location": location}}],
               "blNumber": number})
    };
    let shipper = Address::from_private_key(&key(2));
    let bank = Address::from_private_key(&key(3));
    // A document that names another registry would be a title no verifier finds.
    let other = format!("{:#x}", Address::repeat_byte(9));
    let (status, answer) = issue(
        json!({"documents": [naming("BL-1", &registry), naming("BL-2", &other)],
                                        "title": {"beneficiary": shipper}}),
    );
    assert_eq!((status, error_code(&answer)), (422, "not_our_issuer"));
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("document 2:"),
        "{answer}"
    );
    // Options it does not know are refused, not ignored.
    let (status, answer) = issue(json!({"documents": [bill("BL-1")],
                                        "title": {"beneficiary": shipper, "owner": bank}}));
    assert_eq!((status, error_code(&answer)), (400, "invalid"), "{answer}");
    // Issued: each document its own title, minted to the owner and holder named.
    let (status, issued) = issue(
        json!({"documents": [naming("BL-1", &registry), bill("BL-2")],
                                        "title": {"beneficiary": shipper, "holder": bank}}),
    );
    assert_eq!(status, 200, "{issued}");
    let documents = issued["documents"].as_array().unwrap();
    let titles = issued["titles"].as_array().unwrap();
    assert_eq!((documents.len(), titles.len()), (2, 2));
    for (document, title) in documents.iter().zip(titles) {
        // Not signed: its title is its record.
        assert!(document.get("proof").is_none(), "{document}");
        let root = document["signature"]["merkleRoot"].as_str().unwrap();
        assert_eq!(title["token"], format!("0x{root}"));
        let path = format!("/api/titles/{registry}/0x{root}");
        let (status, now) = server.call("GET", "/api/titles/{registry}/{token}", &path, None, None);
        assert_eq!(status, 200, "{now}");
        let owner: Address = now["title"]["beneficiary"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let holder: Address = now["title"]["holder"].as_str().unwrap().parse().unwrap();
        assert_eq!((owner, holder), (shipper, bank));
        let (_, history) = server.call(
            "GET",
            "/api/titles/{registry}/{token}/history",
            &format!("{path}/history"),
            None,
            None,
        );
        let actor: Address = history["history"][0]["actor"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            (&history["history"][0]["action"], actor),
            (&json!("mint"), issuer_address)
        );
    }
    // A verifier reaches the title through the server's registry endpoint and the issuer's
    // identity through the domain's DNS-TXT record naming the registry.
    let record = format!(
        "openatts net=ethereum netId={} addr={registry}",
        corridor_ledger::EMBEDDED_CHAIN_ID
    );
    let dns = common::dns::DnsServer::start("corridor.test", &[(location, &record)]);
    common::write_lines(&work.path("bls.jsonl"), documents);
    let rpc = format!("{}/rpc", server.served.base);
    let verified = work
        .command(&[
            "verify",
            "--json",
            "--network",
            "corridor",
            "--rpc-url",
            &rpc,
        ])
        .args(["--dns", &dns.address.to_string(), "bls.jsonl"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{out}");
    for line in out.lines() {
        let verdict: Value = serde_json::from_str(line).unwrap();
        let status = |name: &str| {
            verdict["fragments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == name)
                .map(|f| f["status"].clone())
        };
        assert_eq!(
            status("OpenAttestationEthereumTokenRegistryStatus"),
            Some(json!("VALID"))
        );
        assert_eq!(
            status("OpenAttestationDnsTxtIdentityProof"),
            Some(json!("VALID"))
        );
    }
    // A registry the issuer key does not administer: refused by the rules, nothing minted.
    let stranger = common::create_registry(&work, &const_hex::encode(key(4).to_bytes()));
    let audit_before = work.ok(&["store", "audit"]);
    let (status, answer) = issue(json!({"documents": [bill("BL-3"), bill("BL-4")],
                                        "title": {"beneficiary": shipper, "registry": stranger}}));
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("MINTER_ROLE"),
        "{answer}"
    );
    assert_eq!(work.ok(&["store", "audit"]), audit_before);
    // One not in this store at all.
    let (status, answer) = issue(json!({"documents": [bill("BL-5")],
                                        "title": {"beneficiary": shipper, "registry": other}}));
    assert_eq!(
        (status, error_code(&answer)),
        (404, "not_found"),
        "{answer}"
    );
}

#[test]
fn identity_fragments_name_the_domain_that_vouched() {
    let registry = "0x142Ca30e3b78A840a82192529cA047ED759a6F7e";
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let records = [
        (
            "issuer.corridor.test",
            format!("openatts a=dns-did; p={did}#controller; v=1.0;"),
        ),
        (
            "carrier.corridor.test",
            format!("openatts net=ethereum netId=1 addr={registry}"),
        ),
    ];
    let table: Vec<(&str, &str)> = records.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let dns = common::dns::DnsServer::start("corridor.test", &table);
    let work = Workdir::new();
    let txt_issuer = |location: &str| {
        json!({"name": "Carrier", "tokenRegistry": registry,
               "identityProof": {"type": "DNS-TXT", "location": location}})
    };
    let raws = [
        // DNS-DID, signed below
        json!({"issuers": [{"id": did, "name": "Lion City Shipping", "revocation": {"type": "NONE"},
                            "identityProof": {"type": "DNS-DID", "location": "issuer.corridor.test",
                                              "key": format!("{did}#controller")}}]}),
        // DNS-TXT: vouched for; not; and beside an issuer of another identity type
        json!({"issuers": [txt_issuer("carrier.corridor.test")]}),
        json!({"issuers": [txt_issuer("missing.corridor.test")]}),
        json!({"issuers": [txt_issuer("carrier.corridor.test"),
                           {"name": "Other", "identityProof": {"type": "DNS-DID", "location": "x",
                                                              "key": format!("{did}#controller")}}]}),
    ];
    common::write_lines(&work.path("raw.jsonl"), &raws);
    work.ok(&[
        "wrap",
        "--individual",
        "--out",
        "wrapped.jsonl",
        "raw.jsonl",
    ]);
    let mut documents = common::read_lines(&work.path("wrapped.jsonl"));
    common::write_lines(&work.path("first.jsonl"), &documents[..1]);
    work.ok(&[
        "sign",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--out",
        "signed.jsonl",
        "first.jsonl",
    ]);
    documents[0] = common::read_lines(&work.path("signed.jsonl")).remove(0);

    let server = Server::start_with(&work, &["--dns", &dns.address.to_string()]);
    let (status, verdicts) = server.call(
        "POST",
        "/api/verify",
        "/api/verify",
        Some(json!(documents)),
        None,
    );
    assert_eq!(status, 200, "{verdicts}");
    let identity = |i: usize, name: &str| {
        let fragments = verdicts[i]["fragments"].as_array().unwrap();
        fragments
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    let did_fragment = identity(0, "OpenAttestationDnsDidIdentityProof");
    assert_eq!(
        did_fragment["data"],
        json!([{"location": "issuer.corridor.test", "key": format!("{did}#controller"), "status": "VALID"}])
    );
    let txt = "OpenAttestationDnsTxtIdentityProof";
    assert_eq!(
        identity(1, txt)["data"],
        json!([{"status": "VALID", "location": "carrier.corridor.test", "value": registry}])
    );
    let not_found = &identity(2, txt)["data"][0];
    assert_eq!(
        (&not_found["status"], &not_found["reason"]["codeString"]),
        (&json!("INVALID"), &json!("MATCHING_RECORD_NOT_FOUND"))
    );
    let mixed = identity(3, txt);
    assert_eq!(mixed["data"][0]["status"], "VALID", "{mixed}");
    assert_eq!(mixed["data"][1]["reason"]["codeString"], "INVALID_ISSUERS");
    assert!(mixed["data"][1].get("location").is_none(), "{mixed}");
}

const W3C_HOST: &str = "issuer.corridor.test";
const W3C_LIST: &str = "https://issuer.corridor.test/status/1";

/// `corridor` run with the W3C tests' keystore password: its standard output.
fn w3c_ok(work: &Workdir, args: &[&str]) -> String {
    common::w3c::unlocked_ok(work, args)
}

/// Credentials issued through `POST /api/issue` by a server holding a W3C key: made the
/// server's DID's, each with an entry of its status list (or, for a transferable record, its
/// title minted), signed with bbs-2023; TrustVC and Corridor verify them alike, before and
/// after `corridor revoke`. What the server may not issue is refused, and says why.
#[test]
fn credentials_issued_through_the_api_verify_in_trustvc_and_corridor_alike() {
    use common::chain::OWNER_ADDRESS;
    let work = Workdir::new();
    w3c_ok(&work, &["key", "new", "lists", "--type", "p256"]);
    w3c_ok(&work, &["key", "new", "carrier", "--type", "bls12-381"]);
    let did = format!("did:web:{W3C_HOST}");
    let document = w3c_ok(
        &work,
        &[
            "did", "document", &did, "--key", "lists", "--key", "carrier",
        ],
    );
    std::fs::write(work.path("did.json"), &document).unwrap();
    common::w3c::new_revocation_list(&work, W3C_LIST, "carrier", &format!("{did}#keys-2"));
    std::fs::write(work.path("password"), common::w3c::KEY_PASSWORD).unwrap();
    let token = work
        .ok(&[
            "token",
            "new",
            "carrier-api",
            "--scope",
            "issue",
            "--scope",
            "revoke",
        ])
        .trim()
        .to_owned();
    let method = format!("{did}#keys-2");
    let w3c_args = [
        "--w3c-key",
        "carrier",
        "--w3c-method",
        &method,
        "--w3c-status-list",
        W3C_LIST,
        "--password-file",
        "password",
        "--did-document",
        "did.json",
    ];
    let oa_args = [
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--issuer-domain",
        "issuer.corridor.test",
    ];
    let server = Server::start_with(&work, &[&w3c_args[..], &oa_args].concat());
    let (status, issuer) = server.call("GET", "/api/issuer", "/api/issuer", None, None);
    assert_eq!(status, 200, "{issuer}");
    assert_eq!(
        issuer["w3c"],
        json!({"did": did, "verificationMethod": method, "cryptosuite": "bbs-2023",
               "statusList": W3C_LIST, "statusPurpose": "revocation"})
    );
    // The server hosts its issuer's DID document.
    let (_, hosted) = server.send("GET", "/.well-known/did.json", None, None);
    assert_eq!(hosted["id"], did);

    // Two bills of lading: one naming no issuer, one naming the server's DID.
    let mut rng = common::rng(31);
    let mut unnamed = common::w3c::bill_of_lading(&mut rng, &did);
    unnamed.as_object_mut().unwrap().remove("issuer");
    let named = common::w3c::bill_of_lading(&mut rng, &did);
    let body = json!({"format": "w3c", "documents": [unnamed, named], "link": true});
    let (status, answer) = server.post("/api/issue", Some(body.clone()), Some(&token));
    assert_eq!(status, 200, "{answer}");
    let issued = answer["documents"].as_array().unwrap();
    assert_eq!(issued.len(), 2);
    let mut files = Vec::new();
    for (i, credential) in issued.iter().enumerate() {
        assert_eq!(credential["issuer"], did);
        assert_eq!(credential["proof"]["cryptosuite"], "bbs-2023");
        assert_eq!(credential["proof"]["verificationMethod"], method);
        assert_eq!(
            credential["credentialStatus"]["statusListIndex"],
            i.to_string()
        );
        let file = work.path(&format!("issued-{i}.json"));
        std::fs::write(&file, credential.to_string()).unwrap();
        files.push(file);
    }
    let paths: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    let world_of = |name: &str| {
        let list = w3c_ok(&work, &["status-list", "show", W3C_LIST, "--signed"]);
        common::w3c::world_folder(
            &work.path(name),
            &[
                (
                    &format!("https://{W3C_HOST}/.well-known/did.json"),
                    &document,
                ),
                (W3C_LIST, &list),
            ],
            true,
        )
    };
    let both_verdicts = |world: &std::path::Path| {
        let theirs = common::compat_script_split(
            "oracle-w3c.mjs",
            &["verify", world.to_str().unwrap()],
            &[],
            &paths,
        );
        let ours = common::w3c::corridor_verdicts(&work, world, &paths);
        for (i, (theirs, ours)) in theirs.iter().zip(&ours).enumerate() {
            let found = common::w3c::disagreements(&format!("issued {i}"), theirs, ours);
            assert!(found.is_empty(), "{}", found.join("\n"));
        }
        ours.iter().map(|v| v["valid"].clone()).collect::<Vec<_>>()
    };
    assert_eq!(both_verdicts(&world_of("world-issued")), [true, true]);
    // Each carries a link to its copy, which opens as TradeTrust's website opens a QR code's.
    let opened = |link: &str| {
        assert!(
            link.starts_with(&format!("{}/?q=", server.served.base)),
            "{link}"
        );
        let opened =
            common::compat_script("oracle-actions.mjs", &["open", link], &[], String::new());
        serde_json::from_str::<Value>(opened[0]["text"].as_str().unwrap()).unwrap()
    };
    for credential in issued {
        let link = credential["qrCode"]["uri"].as_str().unwrap();
        assert_eq!(&opened(link), credential);
    }
    // So does an OpenAttestation document, in links.self.href.
    let raw = json!({"$template": {"name": "INVOICE", "type": "EMBEDDED_RENDERER",
        "url": "https://generic-templates.tradetrust.io"}, "invoiceNo": "INV-LINKED"});
    let (status, answer) = server.post(
        "/api/issue",
        Some(json!({"documents": [raw], "link": true})),
        Some(&token),
    );
    assert_eq!(status, 200, "{answer}");
    let document = &answer["documents"][0];
    let data = corridor_format::unsalt_data(&document["data"]).unwrap();
    assert_eq!(
        &opened(data["links"]["self"]["href"].as_str().unwrap()),
        document
    );
    // Revoked through the API: its entry set, the list signed again by the server's key and
    // published as it is now.
    let revoking = json!({"credential": issued[1]});
    let (status, answer) = server.post("/api/revoke", Some(revoking.clone()), Some(&token));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"revoked": [{"statusListCredential": W3C_LIST, "statusListIndex": "1"}], "issuer": did})
    );
    let (_, published) = server.send("GET", "/status/1", None, None);
    assert_eq!(published["proof"]["verificationMethod"], method);
    // Once is enough: again is a conflict, and the list is not signed again.
    let (status, answer) = server.post("/api/revoke", Some(revoking.clone()), Some(&token));
    assert_eq!((status, error_code(&answer)), (409, "conflict"), "{answer}");
    let (_, again) = server.send("GET", "/status/1", None, None);
    assert_eq!(again, published);
    // What names another issuer is not the server's to revoke.
    let mut not_ours = issued[0].clone();
    not_ours["issuer"] = json!("did:web:other.corridor.test");
    let (status, answer) = server.post(
        "/api/revoke",
        Some(json!({"credential": not_ours})),
        Some(&token),
    );
    assert_eq!(
        (status, error_code(&answer)),
        (422, "not_revocable"),
        "{answer}"
    );
    // Refused: a credential with no entry on the server's list, and a token that may not revoke.
    let mut elsewhere = issued[0].clone();
    elsewhere["credentialStatus"]["statusListCredential"] = json!("https://other.example/status/1");
    let (status, answer) = server.post(
        "/api/revoke",
        Some(json!({"credential": elsewhere})),
        Some(&token),
    );
    assert_eq!(
        (status, error_code(&answer)),
        (422, "not_revocable"),
        "{answer}"
    );
    let issue_only = work
        .ok(&["token", "new", "issue-only", "--scope", "issue"])
        .trim()
        .to_owned();
    let (status, _) = server.post("/api/revoke", Some(revoking), Some(&issue_only));
    assert_eq!(status, 403);
    assert_eq!(both_verdicts(&world_of("world-revoked")), [true, false]);

    // A transferable record: its title minted to the first owner in the server's registry,
    // which the server's /rpc answers for.
    let record = common::w3c::bill_of_lading(&mut rng, &did);
    let body =
        json!({"format": "w3c", "documents": [record], "title": {"beneficiary": OWNER_ADDRESS}});
    let (status, answer) = server.post("/api/issue", Some(body.clone()), Some(&token));
    assert_eq!(status, 200, "{answer}");
    let credential = &answer["documents"][0];
    let token_id = credential["credentialStatus"]["tokenId"].as_str().unwrap();
    assert_eq!(answer["titles"][0]["token"], format!("0x{token_id}"));
    assert_eq!(
        answer["titles"][0]["holder"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        OWNER_ADDRESS.to_lowercase()
    );
    let record = work.path("record.json");
    std::fs::write(&record, credential.to_string()).unwrap();
    let record = record.to_str().unwrap();
    let world = world_of("world-record");
    let rpc = format!("{}/rpc", server.served.base);
    let theirs = common::compat_script(
        "oracle-w3c.mjs",
        &["verify", world.to_str().unwrap(), record],
        &[("ORACLE_RPC_URL", rpc.as_str())],
        String::new(),
    );
    let out = work.run(&[
        "verify",
        "--json",
        "--world",
        world.to_str().unwrap(),
        "--network",
        "corridor",
        "--rpc-url",
        &rpc,
        record,
    ]);
    let ours: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = common::w3c::disagreements("record", &theirs[0], &ours);
    assert!(found.is_empty(), "{}", found.join("\n"));
    assert_eq!(ours["valid"], true, "{ours}");

    // Refused, and why: another issuer, a status of its own, a term no context defines, a
    // format the server does not know; nothing without a token.
    let mut theirs = common::w3c::bill_of_lading(&mut rng, "did:web:other.corridor.test");
    let mut with_status = common::w3c::bill_of_lading(&mut rng, &did);
    with_status["credentialStatus"] = json!({"type": "BitstringStatusListEntry"});
    let mut undefined = common::w3c::bill_of_lading(&mut rng, &did);
    undefined["credentialSubject"]["notATerm"] = json!("x");
    // A name of the caller's choosing beside the DID, and a list credential that would let
    // whoever serves the list rewrite every status.
    let mut named = common::w3c::bill_of_lading(&mut rng, &did);
    named["issuer"] = json!({"id": did, "name": "Any Government"});
    let mut list = common::w3c::bill_of_lading(&mut rng, &did);
    list["type"] = json!(["VerifiableCredential", "BitstringStatusListCredential"]);
    for (credential, code, says) in [
        (&mut theirs, 422, "did:web:other.corridor.test"),
        (&mut with_status, 422, "credentialStatus"),
        (&mut undefined, 422, "notATerm"),
        (&mut named, 422, "just that DID"),
        (&mut list, 422, "status list credential"),
    ] {
        let body = json!({"format": "w3c", "documents": [credential]});
        let (status, answer) = server.post("/api/issue", Some(body.clone()), Some(&token));
        assert_eq!(status, code, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("credential 1: "), "{message}");
        assert!(message.contains(says), "{message}");
    }
    let body = json!({"format": "vc", "documents": [theirs]});
    let (status, answer) = server.post("/api/issue", Some(body.clone()), Some(&token));
    assert_eq!((status, &answer["error"]["code"]), (400, &json!("invalid")));
    let (status, _) = server.post("/api/issue", Some(body.clone()), None);
    assert_eq!(status, 401);
    // Nothing refused took an entry of the list: the next is the third.
    let shown = w3c_ok(&work, &["status-list", "show", W3C_LIST]);
    assert!(shown.contains("(2 handed out)"), "{shown}");

    // A W3C issuer whose list the store does not hold is not started.
    let run = work
        .command(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--w3c-key",
            "carrier",
            "--w3c-method",
            &method,
            "--w3c-status-list",
            "https://issuer.corridor.test/status/none",
            "--password-file",
            "password",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(
        said.contains("--w3c-status-list https://issuer.corridor.test/status/none: no such list"),
        "{said}"
    );

    // A server without a W3C key says how to give it one.
    let plain = Server::start_with(&work, &oa_args);
    let body = json!({"format": "w3c", "documents": [common::w3c::bill_of_lading(&mut rng, &did)]});
    let (status, answer) = plain.post("/api/issue", Some(body.clone()), Some(&token));
    assert_eq!(status, 501, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--w3c-key"),
        "{answer}"
    );
}

/// A partner's token: `corridor token new NAME --scope companies --policy …`.
fn partner_token(work: &Workdir, name: &str, policies: &[&str]) -> String {
    let mut args = vec!["token", "new", name, "--scope", "companies"];
    for policy in policies {
        args.extend(["--policy", policy]);
    }
    work.ok(&args).trim().to_string()
}

#[test]
fn company_routes_disclose_to_partners_under_their_policies_and_refuse_the_rest() {
    use common::company::{SG_HOST, issue, provider};
    let work = Workdir::new();
    let records = common::company::imported(&work, 3, 9);
    provider(&work, "provider", "p256", SG_HOST);
    issue(&work, "provider", SG_HOST, &[]);
    common::company::keep_policies(&work);
    let cq_credit = partner_token(&work, "cq-credit", &["test-sg-cn"]);
    let sg_kyc = partner_token(&work, "sg-kyc", &["test-cn-sg"]);
    let both = partner_token(&work, "both", &["test-sg-cn", "test-cn-sg"]);
    let issuing = work
        .ok(&["token", "new", "issuing", "--scope", "issue"])
        .trim()
        .to_string();
    // A policy not kept cannot be given to a token.
    let out = work.run(&[
        "token",
        "new",
        "x",
        "--scope",
        "companies",
        "--policy",
        "nowhere",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let server = Server::start(&work);
    let sg = &records[0];
    let (sg_id, uen) = (
        sg["id"].as_str().unwrap(),
        sg["identifiers"]["uen"].as_str().unwrap(),
    );
    let cq_id = records[1]["id"].as_str().unwrap();
    let get = |path: &str, token: Option<&str>| {
        let route = if path.starts_with("/api/companies/changes") {
            "/api/companies/changes"
        } else if path.starts_with("/api/companies/") {
            "/api/companies/{id}"
        } else {
            "/api/companies"
        };
        server.call("GET", route, path, None, token)
    };

    // Who may ask, and under what.
    let path = format!("/api/companies?uen={uen}&basis=consent:C-1");
    assert_eq!(get(&path, None).0, 401);
    let (status, answer) = get(&path, Some(&issuing));
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("missing_scope"))
    );
    let (status, answer) = get(&format!("{path}&policy=test-cn-sg"), Some(&cq_credit));
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("policy_not_allowed"))
    );
    let (status, answer) = get(&path, Some(&both));
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("policy_required"))
    );
    let (status, answer) = get(
        &format!("/api/companies?uen={uen}&basis=consent"),
        Some(&cq_credit),
    );
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("invalid_basis"))
    );
    let (status, _) = get(
        &format!("/api/companies?uen={uen}&q={uen}"),
        Some(&cq_credit),
    );
    assert_eq!(status, 400);

    // Found by identifier, by id, by name without its legal form: disclosed under the policy.
    let (status, answer) = get(&path, Some(&cq_credit));
    assert_eq!(status, 200, "{answer}");
    let result = &answer["results"][0];
    assert_eq!(
        (result["company"].as_str(), result["outcome"].as_str()),
        (Some(sg_id), Some("disclosed"))
    );
    assert_eq!(answer["policy"], "test-sg-cn");
    let copy = result["credential"].to_string();
    for officer in sg["officers"].as_array().unwrap() {
        assert!(!copy.contains(officer["person"]["id"]["number"].as_str().unwrap()));
    }
    assert_eq!(result["withhold"]["officers[0].person.id.number"], "never");
    let legal = sg["name"]["legal"].as_str().unwrap();
    let bare = legal.trim_end_matches(" Pte. Ltd.").to_uppercase();
    let (status, answer) = get(
        &format!(
            "/api/companies?name={}&policy=test-sg-cn",
            bare.replace(' ', "%20")
        ),
        Some(&both),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["company"] == sg_id)
    );
    assert_eq!(
        get(&format!("/api/companies?q={sg_id}"), Some(&cq_credit)).0,
        200
    );
    // Unknown, or not covered by the policy: not found.
    assert_eq!(
        get("/api/companies?q=no-such-company", Some(&cq_credit)).0,
        404
    );
    assert_eq!(
        get(&format!("/api/companies?q={cq_id}"), Some(&cq_credit)).0,
        404
    );
    assert_eq!(
        get(&format!("/api/companies/{cq_id}"), Some(&cq_credit)).0,
        404
    );

    // One company; a policy that cannot be met refuses with its reason, and records it.
    let (status, answer) = get(&format!("/api/companies/{cq_id}"), Some(&sg_kyc));
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (403, Some("refused")),
        "{answer}"
    );
    assert_eq!(answer["refusal_reason"], "basis-missing");
    assert!(answer["credential"].is_null());
    let (status, answer) = get(
        &format!("/api/companies/{cq_id}?basis=separate-consent:SC-1"),
        Some(&sg_kyc),
    );
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (200, Some("disclosed")),
        "{answer}"
    );
    let (status, answer) = get(&format!("/api/companies?q={cq_id}"), Some(&sg_kyc));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["results"][0]["outcome"], "refused");
    assert_eq!(answer["results"][0]["refusal_reason"], "basis-missing");

    // The change feed, page by page: every Singapore company once, in the order issued.
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let (status, page) = get(
            &format!("/api/companies/changes?after={after}&limit=2&basis=consent:C-1"),
            Some(&cq_credit),
        );
        assert_eq!(status, 200, "{page}");
        for change in page["changes"].as_array().unwrap() {
            assert!(change["seq"].as_i64().unwrap() > after);
            assert_eq!(change["outcome"], "disclosed");
            seen.push(change["company"].as_str().unwrap().to_owned());
        }
        assert!(page["next"].as_i64().unwrap() >= after);
        after = page["next"].as_i64().unwrap();
        if !page["more"].as_bool().unwrap() {
            break;
        }
    }
    let singapore: Vec<String> = records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .filter(|id| id.starts_with("SG-"))
        .collect();
    assert_eq!(seen, singapore);
    let (status, page) = get(
        &format!("/api/companies/changes?after={after}"),
        Some(&cq_credit),
    );
    assert_eq!(
        (status, page["changes"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    for bad in ["limit=0", "limit=101", "after=-1", "after=x"] {
        assert_eq!(
            get(&format!("/api/companies/changes?{bad}"), Some(&cq_credit)).0,
            400,
            "{bad}"
        );
    }
    let (status, answer) = get("/api/companies/changes", Some(&sg_kyc));
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("refused"))
    );

    // Every answer that disclosed or refused one company is in the record of what crossed.
    let report = work.ok(&["audit", "disclosures", "--json", "--partner", "cq-credit"]);
    assert_eq!(report.lines().count(), 2 + singapore.len());
    let report = work.ok(&["audit", "disclosures", "--json", "--partner", "sg-kyc"]);
    assert_eq!(report.lines().count(), 3);
    assert!(work.ok(&["store", "audit"]).contains("intact"));

    // The server keeps what it read of tokens and companies, and sees another process change
    // them: a token revoked, a company issued again.
    assert_eq!(get(&path, Some(&cq_credit)).0, 200);
    let before = get(&path, Some(&both)).1["results"][0]["credential"]["id"].clone();
    work.ok(&["token", "revoke", "cq-credit"]);
    let (status, answer) = get(&path, Some(&cq_credit));
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let mut changed = sg.clone();
    changed["name"]["english"] = json!("Renamed After Import Pte. Ltd.");
    let file = work.path("changed.jsonl");
    std::fs::write(&file, format!("{changed}\n")).unwrap();
    common::company::import_file(&work, &file);
    issue(&work, "provider", SG_HOST, &[]);
    let (status, answer) = get(
        "/api/companies?name=renamed%20after%20import&basis=consent:C-1&policy=test-sg-cn",
        Some(&both),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["results"][0]["company"], sg_id);
    assert_ne!(answer["results"][0]["credential"]["id"], before);
}

#[test]
fn the_status_feed_is_served_with_its_head_signed_and_paged_to_the_end() {
    use corridor_feed::{FeedFault, Kind, Node, Page, check_page};
    let work = Workdir::new();
    {
        let server = Server::start(&work);
        let (status, answer) = server.call("GET", "/api/feed", "/api/feed", None, None);
        assert_eq!((status, error_code(&answer)), (501, "no_issuer"));
        // A node that follows no peer says so.
        let (status, answer) = server.call("GET", "/api/peers", "/api/peers", None, None);
        assert_eq!(
            (status, answer),
            (200, json!({"maxStalenessSeconds": null, "peers": []}))
        );
    }
    let api_token = work
        .ok(&[
            "token", "new", "ci", "--scope", "issue", "--scope", "revoke",
        ])
        .trim()
        .to_string();
    let server = Server::start_with(
        &work,
        &[
            "--offline",
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            "issuer.corridor.test",
        ],
    );
    let node = Node {
        did: format!("did:ethr:{}", common::TEST_ADDRESS),
        domain: "issuer.corridor.test".into(),
        url: server.served.base.clone(),
    };
    let fetch = |after: i64, limit: usize| -> Page {
        let path = format!("/api/feed?after={after}&limit={limit}");
        let (status, answer) = server.call("GET", "/api/feed", &path, None, None);
        assert_eq!(status, 200, "{answer}");
        Page::from_json(&answer).unwrap()
    };
    // Empty: a signed head at 0.
    let empty = fetch(0, 10);
    assert_eq!(
        (empty.head.head.seq, empty.entries.len(), empty.more),
        (0, 0, false)
    );
    assert_eq!(check_page(&node, None, &empty), Ok(()));

    let mut roots = Vec::new();
    for n in 0..3 {
        let request = json!({"documents": [{"blNumber": format!("BL-{n}")}]});
        let (status, issued) = server.post("/api/issue", Some(request), Some(&api_token));
        assert_eq!(status, 200, "{issued}");
        roots.push(issued["merkleRoot"].as_str().unwrap().to_string());
    }
    let request = json!({"hash": roots[1], "reason": "superseded", "note": "asked by Mr Tan"});
    let (status, revoked) = server.post("/api/revoke", Some(request), Some(&api_token));
    assert_eq!(status, 200, "{revoked}");

    // Followed two at a time, each page checked against its signed head, to the end.
    let mut followed = Vec::new();
    let mut last = None;
    loop {
        let page = fetch(last.map_or(0, |(seq, _)| seq), 2);
        assert_eq!(check_page(&node, last, &page), Ok(()), "after {last:?}");
        followed.extend(page.entries.iter().cloned());
        last = followed.last().map(|e| (e.seq, e.hash));
        if !page.more {
            break;
        }
    }
    let kinds: Vec<Kind> = followed.iter().map(|e| e.public.kind).collect();
    assert_eq!(kinds, [Kind::Issue, Kind::Issue, Kind::Issue, Kind::Revoke]);
    let subjects: Vec<String> = followed.iter().map(|e| e.public.subject.to_hex()).collect();
    assert_eq!(subjects, [&*roots[0], &roots[1], &roots[2], &roots[1]]);
    // The reason crosses, the note does not.
    let raw = common::http::call(&server.served.base, "GET", "/api/feed", None, None).json;
    assert!(!raw.to_string().contains(&hex_of("Mr Tan")), "{raw}");
    assert_eq!(followed[3].public.state, 4i64.to_be_bytes());

    // A page another node signed, or cut short, is refused by name.
    let mut page = fetch(0, 10);
    page.entries.pop();
    assert_eq!(
        check_page(&node, None, &page),
        Err(FeedFault::Truncated { missing: 4, seq: 4 })
    );
    let stranger = Node {
        did: "did:ethr:0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1".into(),
        ..node.clone()
    };
    assert!(matches!(
        check_page(&stranger, None, &fetch(0, 10)),
        Err(FeedFault::BadSignature { .. })
    ));
    // A long poll waits for the next entry and answers as soon as it is written.
    let head = fetch(0, 10).head.head.seq;
    std::thread::scope(|scope| {
        let waiting = scope.spawn(|| {
            let started = std::time::Instant::now();
            let path = format!("/api/feed?after={head}&wait=10");
            let (status, answer) = server.call("GET", "/api/feed", &path, None, None);
            assert_eq!(status, 200, "{answer}");
            (Page::from_json(&answer).unwrap(), started.elapsed())
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        let request = json!({"documents": [{"blNumber": "BL-waited-for"}]});
        let (status, issued) = server.post("/api/issue", Some(request), Some(&api_token));
        assert_eq!(status, 200, "{issued}");
        let (page, took) = waiting.join().unwrap();
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].seq, head + 1);
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    });
    // Nothing written: it answers when its time is up, with no entries.
    let path = format!("/api/feed?after={}&wait=0.3", head + 1);
    let (status, answer) = server.call("GET", "/api/feed", &path, None, None);
    assert_eq!(status, 200);
    assert_eq!(Page::from_json(&answer).unwrap().entries.len(), 0);
    // Bad cursors, limits and waits.
    for path in [
        "/api/feed?wait=31",
        "/api/feed?wait=-1",
        "/api/feed?after=-1",
        "/api/feed?limit=0",
        "/api/feed?limit=10001",
        "/api/feed?after=x",
        "/api/feed?since=3",
    ] {
        let (status, answer) = server.call("GET", "/api/feed", path, None, None);
        assert_eq!(
            (status, error_code(&answer)),
            (400, "invalid"),
            "{path}: {answer}"
        );
    }
}

/// `text`'s bytes as hex, as the feed would write them.
fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_document_an_action_link_names_is_fetched_within_the_verifiers_rules() {
    let work = Workdir::new();
    let storage = common::http::serve_json(vec![
        (
            "/document".into(),
            json!({"document": {"type": "OPEN-ATTESTATION-TYPE-1"}}).to_string(),
        ),
        ("/text".into(), "not json".into()),
    ]);
    let host = storage.strip_prefix("http://").unwrap();
    let server = Server::start_with(&work, &["--allow-fetch", host]);
    let fetch = |uri: Value| server.post("/api/documents/fetch", Some(json!({ "uri": uri })), None);
    // As its host answered, an encrypted one still encrypted.
    let (status, answer) = fetch(json!(format!("{storage}/document")));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"document": {"document": {"type": "OPEN-ATTESTATION-TYPE-1"}}})
    );
    for (uri, status, code) in [
        (json!(format!("{storage}/missing")), 502, "fetch_failed"),
        (json!(format!("{storage}/text")), 502, "not_json"),
        // A host no rule allows, inside a network: never asked.
        (json!("http://10.0.0.1/document"), 502, "fetch_failed"),
        (json!("file:///etc/passwd"), 400, "invalid"),
        (json!(7), 400, "invalid"),
    ] {
        let (got, answer) = fetch(uri.clone());
        assert_eq!(
            (got, answer["error"]["code"].as_str().unwrap()),
            (status, code),
            "{uri}: {answer}"
        );
    }
    // An offline server fetches nothing.
    let offline = Server::start(&work);
    let (status, answer) = offline.post(
        "/api/documents/fetch",
        Some(json!({"uri": format!("{storage}/document")})),
        None,
    );
    assert_eq!(
        (status, answer["error"]["code"].as_str().unwrap()),
        (502, "offline")
    );
}
