//! The portal in a real browser: `corridor serve` on a loopback port, driven in Debian's
//! headless Chromium by `compat/portal.mjs` (playwright-core, pinned). Chromium is installed
//! by `scripts/setup-browser`, which `scripts/test` runs; without it these tests fail.

mod common;

use common::dns::DnsServer;
use common::{Served, Workdir};
use serde_json::{Value, json};

/// What a person sees on the portal after `command` (see compat/portal.mjs) with `args`.
fn seen(server: &Served, command: &str, args: &[&str]) -> Value {
    seen_with(server, command, args, &[])
}

fn seen_with(server: &Served, command: &str, args: &[&str], env: &[(&str, &str)]) -> Value {
    let out = std::process::Command::new("node")
        .arg(common::repo().join("compat/portal.mjs"))
        .arg(command)
        .arg(&server.base)
        .args(args)
        .env("CORRIDOR_BROWSER", shared_browser())
        .envs(env.iter().copied())
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser did not run (scripts/setup-browser installs Chromium): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["failures"], json!([]), "the page failed: {seen}");
    seen
}

/// The address of one headless Chromium that all of this binary's tests use, each command in
/// a context of its own: launching one for each was most of the tests' processor time. It stops
/// when this process ends, which closes its standard input.
fn shared_browser() -> &'static str {
    // The child and its output are kept, never read again: closing the output could fail
    // the server's next write.
    type Shared = (std::process::Child, std::process::ChildStdout, String);
    static BROWSER: std::sync::OnceLock<Shared> = std::sync::OnceLock::new();
    &BROWSER
        .get_or_init(|| {
            use std::io::BufRead;
            let mut child = std::process::Command::new("node")
                .arg(common::repo().join("compat/portal.mjs"))
                .arg("serve-browser")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("node runs");
            let mut address = String::new();
            let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped"));
            stdout
                .read_line(&mut address)
                .expect("the browser's address");
            assert!(
                address.starts_with("ws://"),
                "the browser did not start (scripts/setup-browser installs Chromium): {address:?}"
            );
            (child, stdout.into_inner(), address.trim().to_owned())
        })
        .2
}

/// A loopback port free now, for a server that must know its own address before it starts.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every value the page shows of a document is the value its data holds, as the issuer wrote
/// it (yes and no for the template's booleans); and every field of the data is shown.
fn assert_shows_exactly(seen: &Value, document: &Value) {
    let data = corridor_format::unsalt_data(&document["data"]).unwrap();
    let rows = seen["document"].as_array().unwrap();
    assert!(!rows.is_empty(), "{seen}");
    let mut shown = std::collections::BTreeSet::new();
    for row in rows {
        let path = row[0].as_str().unwrap();
        let value = data
            .pointer(&format!("/{}", path.replace('.', "/")))
            .unwrap_or_else(|| panic!("{path} is not in the data"));
        let templated = row[2].as_bool().unwrap();
        let expected = match value {
            Value::Bool(true) if templated => "Yes".to_string(),
            Value::Bool(false) if templated => "No".to_string(),
            Value::Null if templated => "—".to_string(),
            Value::String(s) => s.clone(),
            Value::Number(n) => javascript_number(n.as_f64().unwrap()),
            other => other.to_string(),
        };
        assert_eq!(row[1].as_str().unwrap(), expected, "{path}");
        shown.insert(path.to_string());
    }
    let mut leaves = Vec::new();
    collect_leaves(&data, "", &mut leaves);
    for path in leaves {
        if path.starts_with("issuers.") || path.starts_with("$template.") {
            continue;
        }
        assert!(shown.contains(&path), "{path} is not shown: {seen}");
    }
}

/// A number as JavaScript writes it (ECMAScript's Number::toString): the shortest digits that
/// read back to it, in fixed notation from 1e-6 to below 1e21 (`120`, `-0.000001`,
/// `123456789012345680000`), in exponent notation beyond (`1e-7`, `1e+21`).
fn javascript_number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    // Rust's shortest round-trip digits, as `d.ddde±x`.
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap();
    let digits = mantissa.replace('.', "");
    let k = digits.len() as i32;
    // Where the decimal point falls among the digits.
    let n = exponent.parse::<i32>().unwrap() + 1;
    let magnitude = if k <= n && n <= 21 {
        digits + &"0".repeat((n - k) as usize)
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat(-n as usize))
    } else {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let sign = if n > 0 { "+" } else { "-" };
        format!("{first}{point}{rest}e{sign}{}", (n - 1).abs())
    };
    if x < 0.0 {
        format!("-{magnitude}")
    } else {
        magnitude
    }
}

fn collect_leaves(value: &Value, path: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| collect_leaves(v, &join(k), out)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| collect_leaves(v, &join(&i.to_string()), out)),
        _ => out.push(path.to_string()),
    }
}

/// A document the reference made (see `common::reference`), written in `work`.
fn reference_document(work: &Workdir, name: &str) -> std::path::PathBuf {
    common::reference::document(name).write_in(work.dir.path())
}

#[test]
fn a_valid_document_is_shown_valid_with_its_contents() {
    let work = Workdir::new();
    let server = Served::start(&work, &["--offline"]);
    let file = reference_document(&work, "signed/signed-0.json");
    let seen = seen(&server, "verify-file", &[file.to_str().unwrap()]);
    // Offline, the issuer's DNS is not asked: nothing failed, and the page says what was not checked.
    assert_eq!(
        seen["verdict"],
        "No problem found, but not everything could be checked here."
    );
    assert_eq!(seen["checks"][2]["status"], "SKIPPED");
    let checks = seen["checks"].as_array().unwrap();
    assert_eq!(checks[0]["status"], "VALID");
    assert!(checks[0]["text"].as_str().unwrap().contains("Untampered"));
    // Signed by its issuer's key: issued.
    assert_eq!(checks[1]["status"], "VALID", "{seen}");
    // Its fields, unsalted, as the issuer wrote them: every one of them.
    let document: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert_shows_exactly(&seen, &document);
}

#[test]
fn a_tampered_document_is_shown_as_such_and_its_contents_are_not() {
    let work = Workdir::new();
    let server = Served::start(&work, &["--offline"]);
    let tampered = reference_document(&work, "tampered/value-changed.json");
    let seen = seen(&server, "verify-paste", &[tampered.to_str().unwrap()]);
    assert_eq!(seen["verdict"], "This document is NOT valid.");
    assert_eq!(seen["checks"][0]["status"], "INVALID");
    assert!(
        seen["untrusted"]
            .as_str()
            .unwrap()
            .contains("cannot be trusted")
    );
    assert_eq!(seen["document"], json!([]));
    // Something that is not a document at all is said to be so.
    let not_json = work.path("note.txt");
    std::fs::write(&not_json, "hello").unwrap();
    let seen = self::seen(&server, "verify-file", &[not_json.to_str().unwrap()]);
    assert!(
        seen["error"].as_str().unwrap().contains("not a document"),
        "{seen}"
    );
}

/// The green of a valid document's banner, as the browser computes it.
const VALID_GREEN: &str = "rgb(23, 102, 58)";

/// A bill of lading signed with the test key's DID, whose identity is the DNS-DID record at
/// `domain` and which no responder revokes: written to `name` in the workdir.
fn signed_document(work: &Workdir, name: &str, domain: &str) -> std::path::PathBuf {
    let claims = json!({"blNumber": format!("BL-{name}"), "vessel": "MV Portal"});
    signed_document_drawn_by(work, name, domain, "https://corridor.test", claims)
}

/// As [`signed_document`], with these `claims`, naming the renderer at `renderer`.
fn signed_document_drawn_by(
    work: &Workdir,
    name: &str,
    domain: &str,
    renderer: &str,
    claims: Value,
) -> std::path::PathBuf {
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let mut raw = json!({
        "issuers": [{"id": did, "name": "Lion City Shipping", "revocation": {"type": "NONE"},
            "identityProof": {"type": "DNS-DID", "location": domain, "key": format!("{did}#controller")}}],
        "$template": {"name": "BILL_OF_LADING", "type": "EMBEDDED_RENDERER", "url": renderer},
    });
    raw.as_object_mut()
        .unwrap()
        .extend(claims.as_object().unwrap().clone());
    let dir = work.path(&format!("{name}-raw"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), raw.to_string()).unwrap();
    let wrapped = format!("{name}-wrapped");
    let signed = format!("{name}-signed");
    work.ok(&["wrap", "--out-dir", &wrapped, dir.to_str().unwrap()]);
    let key = ["--private-key-env", "TEST_PRIVATE_KEY"];
    work.ok(&[
        &["sign", "--out-dir", &signed][..],
        &key,
        &[wrapped.as_str()],
    ]
    .concat());
    work.path(&signed).join(name)
}

#[test]
fn a_file_holding_a_list_verifies_each_of_its_documents_and_says_what_is_not_one() {
    let work = Workdir::new();
    let server = Served::start(&work, &["--offline"]);
    let signed: Value = serde_json::from_slice(
        &std::fs::read(signed_document(
            &work,
            "listed.json",
            "issuer.corridor.test",
        ))
        .unwrap(),
    )
    .unwrap();
    let mut tampered = signed.clone();
    let vessel = tampered["data"]["vessel"].as_str().unwrap().to_string();
    let (salt, _) = vessel.rsplit_once(':').unwrap();
    tampered["data"]["vessel"] = json!(format!("{salt}:MV Changed"));
    let list = work.path("list.json");
    let items = json!([signed, tampered, 42, {"blNumber": "raw, never wrapped"}]);
    std::fs::write(&list, items.to_string()).unwrap();
    let seen = seen(&server, "verify-file", &[list.to_str().unwrap()]);
    let many = seen["many"].as_str().unwrap();
    assert!(
        many.starts_with("list.json holds a list of 4 documents"),
        "{seen}"
    );
    let results = seen["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{seen}");
    // Each document under its place in the list, checked and shown as on its own.
    assert_eq!(results[0]["place"], "Document 1 of 4");
    assert_eq!(results[0]["checks"][0]["status"], "VALID", "{seen}");
    assert_shows_exactly(&results[0], &signed);
    assert_eq!(results[1]["verdict"], "This document is NOT valid.");
    assert_eq!(results[1]["document"], json!([]));
    // What is not a wrapped document is said to be so, not tampered.
    for (i, result) in results.iter().enumerate().skip(2) {
        assert_eq!(result["place"], format!("Item {} of 4", i + 1));
        assert!(
            result["itemError"]
                .as_str()
                .unwrap()
                .contains("not a wrapped document"),
            "{result}"
        );
        assert_eq!(result["checks"], json!([]));
    }
    // A JSON object that is not a wrapped document: named, and said to be no document.
    let raw = work.path("raw.json");
    std::fs::write(&raw, json!({"blNumber": "BL-RAW"}).to_string()).unwrap();
    let seen = self::seen(&server, "verify-file", &[raw.to_str().unwrap()]);
    let error = seen["error"].as_str().unwrap();
    assert!(
        error.starts_with("raw.json: not a wrapped document"),
        "{seen}"
    );
    assert!(!error.to_lowercase().contains("tamper"), "{seen}");
    assert_eq!(seen["results"], json!([]));
    // An empty list, and JSON that is no object at all.
    for (name, text, says) in [
        ("empty.json", "[]", "empty.json holds an empty list"),
        ("number.json", "42", "number.json is not a document"),
    ] {
        let file = work.path(name);
        std::fs::write(&file, text).unwrap();
        let seen = self::seen(&server, "verify-file", &[file.to_str().unwrap()]);
        assert!(seen["error"].as_str().unwrap().starts_with(says), "{seen}");
    }
}

#[test]
fn an_unchecked_result_never_looks_like_an_approval() {
    let work = Workdir::new();
    let document = signed_document(&work, "unchecked.json", "issuer.corridor.test");
    let file = document.to_str().unwrap();
    // Offline: intact and signed, but neither identity nor revocation asked.
    let offline = Served::start(&work, &["--offline"]);
    let seen = seen(&offline, "verify-file", &[file]);
    assert_eq!(seen["checks"][0]["status"], "VALID", "{seen}");
    assert_eq!(seen["checks"][2]["status"], "SKIPPED", "{seen}");
    assert_eq!(seen["look"], "unconfirmed", "{seen}");
    assert_ne!(seen["colour"], VALID_GREEN, "{seen}");
    let claim = &seen["issuedBy"];
    assert_eq!(claim["look"], "unconfirmed", "{seen}");
    assert_eq!(
        claim["text"],
        "?Says it is issued by Lion City Shipping: not confirmed"
    );
    assert!(!seen["document"].as_array().unwrap().is_empty());
    // Online, with a nameserver that does not answer: the identity check is an error, said
    // as one, and the issuer is still only a claim.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let nameserver = silent.local_addr().unwrap().to_string();
    let online = Served::start(&work, &["--dns", &nameserver, "--timeout", "1"]);
    let seen = self::seen(&online, "verify-file", &[file]);
    assert_eq!(seen["checks"][2]["status"], "ERROR", "{seen}");
    assert_eq!(
        seen["verdict"],
        "Not confirmed: some checks could not be done."
    );
    assert_eq!(seen["look"], "unconfirmed", "{seen}");
    assert_ne!(seen["colour"], VALID_GREEN, "{seen}");
    assert_eq!(seen["issuedBy"]["look"], "unconfirmed", "{seen}");
    assert_ne!(seen["issuedBy"]["colour"], VALID_GREEN, "{seen}");
}

/// An OpenAttestation v3 bill of lading of these subject `claims`, naming the renderer at
/// `renderer`, made and signed as [`signed_document`].
fn signed_v3_document_drawn_by(
    work: &Workdir,
    name: &str,
    domain: &str,
    renderer: &str,
    claims: Value,
) -> std::path::PathBuf {
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let raw = json!({
        "@context": ["https://www.w3.org/2018/credentials/v1", {"@vocab": "https://corridor.test/vocab#"}],
        "type": ["VerifiableCredential", "OpenAttestationCredential"],
        "issuanceDate": "2026-11-29T10:00:00Z",
        "issuer": {"id": "https://corridor.test", "type": "OpenAttestationIssuer", "name": "Lion City Shipping"},
        "credentialSubject": claims,
        "openAttestationMetadata": {
            "template": {"name": "BILL_OF_LADING", "type": "EMBEDDED_RENDERER", "url": renderer},
            "proof": {"type": "OpenAttestationProofMethod", "method": "DID", "value": did,
                      "revocation": {"type": "NONE"}},
            "identityProof": {"type": "DNS-DID", "identifier": domain}
        }
    });
    std::fs::write(work.path(&format!("{name}-raw.json")), raw.to_string()).unwrap();
    let wrapped = format!("{name}-wrapped.jsonl");
    work.ok(&[
        "wrap",
        "--oa-version",
        "3",
        "--out",
        &wrapped,
        &format!("{name}-raw.json"),
    ]);
    let signed = format!("{name}-signed.jsonl");
    work.ok(&[
        "sign",
        "--out",
        &signed,
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        &wrapped,
    ]);
    let document = std::fs::read_to_string(work.path(&signed)).unwrap();
    let path = work.path(name);
    std::fs::write(&path, document.trim()).unwrap();
    path
}

#[test]
fn an_openattestation_v3_document_is_verified_and_shown_as_a_v2_one_is() {
    let work = Workdir::new();
    let document = signed_v3_document_drawn_by(
        &work,
        "v3.json",
        "issuer.corridor.test",
        "https://corridor.test",
        json!({"blNumber": "BL-v3.json", "vessel": "MV Portal"}),
    );
    let dns = vouching_dns();
    let server = Served::start(&work, &["--dns", &dns.address.to_string()]);
    let seen = seen(&server, "verify-file", &[document.to_str().unwrap()]);
    assert_valid(&seen);
    assert_eq!(
        seen["issuedBy"]["text"], "Issued by Lion City Shipping, confirmed by issuer.corridor.test",
        "{seen}"
    );
    // The credential's subject, laid out by the template its metadata names.
    let rows = seen["document"].as_array().unwrap();
    for (path, value) in [("blNumber", "BL-v3.json"), ("vessel", "MV Portal")] {
        assert!(
            rows.iter().any(|row| row[0] == path && row[1] == value),
            "{path} is not shown as {value}: {seen}"
        );
    }
}

/// An issuer's decentralized renderer, served by `compat/renderer.mjs` on a port of its own
/// (another origin than the portal's): one made with TradeTrust's components at `/`, one made
/// on penpal 4 as renderers were before them at `/legacy/`. Stopped when dropped.
struct Renderer {
    child: std::process::Child,
    origin: String,
}

impl Renderer {
    fn start() -> Renderer {
        use std::io::BufRead;
        let mut child = std::process::Command::new("node")
            .arg(common::repo().join("compat/renderer.mjs"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("node runs");
        let mut origin = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut origin)
            .unwrap();
        assert!(
            origin.starts_with("http://127.0.0.1:"),
            "the renderer did not start (scripts/setup-oracle installs it): {origin:?}"
        );
        Renderer {
            child,
            origin: origin.trim().to_owned(),
        }
    }
}

impl Drop for Renderer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the test renderer shows of `claims`: each leaf's path and its text as JavaScript's
/// `String()` writes it.
fn drawn(claims: &Value) -> std::collections::BTreeSet<(String, String)> {
    let mut paths = Vec::new();
    collect_leaves(claims, "", &mut paths);
    paths
        .into_iter()
        .map(|path| {
            let text = match claims
                .pointer(&format!("/{}", path.replace('.', "/")))
                .unwrap()
            {
                Value::String(s) => s.clone(),
                Value::Number(n) => javascript_number(n.as_f64().unwrap()),
                other => other.to_string(),
            };
            (path, text)
        })
        .collect()
}

/// What the frame showed: its values as `(path, text)`.
fn framed(rows: &Value) -> std::collections::BTreeSet<(String, String)> {
    rows.as_array()
        .unwrap_or_else(|| panic!("no values framed: {rows}"))
        .iter()
        .map(|row| {
            (
                row[0].as_str().unwrap().into(),
                row[1].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// What a person sees of `file` drawn by its renderer, having clicked the frame's button that
/// hides `field` and downloaded the copy made to `out` (see `rendered` in compat/portal.mjs).
fn rendered_hiding(
    server: &Served,
    file: &std::path::Path,
    field: &str,
    out: &std::path::Path,
) -> Value {
    seen(
        server,
        "rendered",
        &[file.to_str().unwrap(), field, out.to_str().unwrap()],
    )
}

/// The page's content security policy, framing `frames`.
fn page_policy(frames: &str) -> String {
    format!(
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; frame-src {frames}"
    )
}

/// A DNS server vouching for the test key's DID at `issuer.corridor.test`.
fn vouching_dns() -> DnsServer {
    let did = format!("did:ethr:{}", common::TEST_ADDRESS);
    let record = corridor_format::dns_records::dns_did_record(&format!("{did}#controller"));
    DnsServer::start("corridor.test", &[("issuer.corridor.test", &record)])
}

/// A server whose DNS vouches for the test key (see [`vouching_dns`], kept while it is) and
/// which allows `renderer`, waiting for it as long as a loaded machine may need to load it.
fn served_with_renderer(work: &Workdir, renderer: &Renderer) -> (Served, DnsServer) {
    let dns = vouching_dns();
    let server = Served::start(
        work,
        &[
            "--dns",
            &dns.address.to_string(),
            "--allow-renderer",
            &renderer.origin,
            "--renderer-wait",
            RENDERER_WAIT,
        ],
    );
    (server, dns)
}

/// How long the tests' portals wait for a renderer: its components' bundle is 8 MB of script,
/// which a browser on a busy machine may take more than TradeTrust's 5 s to run.
const RENDERER_WAIT: &str = "60s";

/// Every check of a verification passed, and the banner is green.
fn assert_valid(seen: &Value) {
    let statuses: Vec<&Value> = seen["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["status"])
        .collect();
    assert_eq!(statuses, [&json!("VALID"); 3], "{seen}");
    assert_eq!(seen["colour"], VALID_GREEN, "{seen}");
}

/// The templates the test renderer offers, the first chosen.
fn offered_templates() -> Value {
    json!([
        ["values", "The document", "true"],
        ["packing", "Packing list", "false"]
    ])
}

#[test]
fn an_issuers_renderer_draws_the_document_in_a_sandboxed_frame_in_tradetrusts_protocol() {
    let work = Workdir::new();
    let renderer = Renderer::start();
    let claims = json!({
        "blNumber": "BL-drawn", "vessel": "MV Portal",
        "shipper": {"name": "Tropical Fruits Export Pte Ltd", "address": {"country": "SG"}},
        "packages": [{"description": "Frozen durian", "count": 120, "weightKg": 2400.5}],
        "negotiable": true, "remarks": null,
    });
    let document = signed_document_drawn_by(
        &work,
        "drawn.json",
        "issuer.corridor.test",
        &format!("{}/", renderer.origin),
        claims.clone(),
    );
    let (server, _dns) = served_with_renderer(&work, &renderer);
    let hidden = work.path("hidden.tt");
    let seen = rendered_hiding(&server, &document, "shipper.name", &hidden);
    // Verified as ever, and the page may frame the renderer's origin and no other.
    assert_valid(&seen);
    assert_eq!(seen["csp"], page_policy(&renderer.origin));
    assert_eq!(seen["state"], "shown", "{seen}");
    assert_eq!(seen["frames"], 1);
    assert_eq!(
        seen["sandbox"],
        "allow-scripts allow-same-origin allow-modals allow-popups"
    );
    // RENDER_DOCUMENT sent the data as its issuer wrote it: the frame shows each value of it.
    assert_eq!(framed(&seen["framed"]), drawn(&claims), "{seen}");
    // UPDATE_TEMPLATES made the tabs; SELECT_TEMPLATE chose the second; UPDATE_HEIGHT sized
    // the frame to what it holds; PRINT reached the renderer.
    assert_eq!(seen["templates"], offered_templates());
    assert_eq!(
        seen["second"],
        json!({"heading": "Packing list", "values": [
            "packages.0.description", "packages.0.count", "packages.0.weightKg"]})
    );
    assert_eq!(seen["height"]["frame"], seen["height"]["content"], "{seen}");
    assert_eq!(seen["printed"], 1);
    // OBFUSCATE: a copy without the field, verified anew, drawn without it, and downloaded.
    let copy_seen = &seen["hidden"];
    assert!(
        copy_seen["copy"]
            .as_str()
            .unwrap()
            .contains("without shipper.name"),
        "{seen}"
    );
    assert_valid(copy_seen);
    let mut without = claims.clone();
    without["shipper"].as_object_mut().unwrap().remove("name");
    assert_eq!(framed(&copy_seen["framed"]), drawn(&without), "{seen}");
    let original: Value = serde_json::from_slice(&std::fs::read(&document).unwrap()).unwrap();
    let copy: Value = serde_json::from_slice(&std::fs::read(&hidden).unwrap()).unwrap();
    assert_eq!(copy["signature"], original["signature"]);
    assert!(copy["data"]["shipper"].get("name").is_none(), "{copy}");
    assert_eq!(
        copy["privacy"]["obfuscatedData"].as_array().unwrap().len(),
        1
    );
    work.ok(&["verify", "--offline", hidden.to_str().unwrap()]);
    // On a phone, the frame fits the page.
    let phone = seen_with(
        &server,
        "rendered",
        &[document.to_str().unwrap()],
        &[("VIEWPORT", "390x844")],
    );
    assert_eq!(phone["state"], "shown", "{phone}");
    assert_eq!(phone["layout"]["rendered"], json!([]), "{phone}");
}

#[test]
fn openattestation_v3_documents_are_drawn_by_renderers_old_and_new() {
    let work = Workdir::new();
    let renderer = Renderer::start();
    let (server, _dns) = served_with_renderer(&work, &renderer);
    let claims = json!({
        "blNumber": "BL-v3-drawn", "vessel": "MV Legacy",
        "packages": [{"description": "Cut orchids", "count": 30}],
    });
    // A renderer on penpal 4 is called by its own methods: renderDocument, selectTemplateTab
    // (the template's place), print.
    let legacy = signed_v3_document_drawn_by(
        &work,
        "legacy.json",
        "issuer.corridor.test",
        &format!("{}/legacy/", renderer.origin),
        claims.clone(),
    );
    let seen = self::seen(&server, "rendered", &[legacy.to_str().unwrap()]);
    assert_valid(&seen);
    assert_eq!(seen["state"], "shown", "{seen}");
    assert_eq!(framed(&seen["framed"]), drawn(&claims), "{seen}");
    assert_eq!(seen["templates"], offered_templates());
    assert_eq!(
        seen["second"],
        json!({"heading": "Packing list", "values": ["packages.0.description", "packages.0.count"]})
    );
    assert_eq!(seen["printed"], 1);
    // One made with TradeTrust's components hides a field of the subject.
    let modern = signed_v3_document_drawn_by(
        &work,
        "modern.json",
        "issuer.corridor.test",
        &format!("{}/", renderer.origin),
        claims.clone(),
    );
    let hidden = work.path("v3-hidden.json");
    let seen = rendered_hiding(&server, &modern, "credentialSubject.vessel", &hidden);
    assert_eq!(framed(&seen["framed"]), drawn(&claims), "{seen}");
    let copy_seen = &seen["hidden"];
    assert_valid(copy_seen);
    let mut without = claims.clone();
    without.as_object_mut().unwrap().remove("vessel");
    assert_eq!(framed(&copy_seen["framed"]), drawn(&without), "{seen}");
    let copy: Value = serde_json::from_slice(&std::fs::read(&hidden).unwrap()).unwrap();
    assert!(copy["credentialSubject"].get("vessel").is_none(), "{copy}");
    work.ok(&["verify", "--offline", hidden.to_str().unwrap()]);
}

#[test]
fn a_w3c_credential_is_drawn_by_the_renderer_its_render_method_names() {
    let work = Workdir::new();
    let renderer = Renderer::start();
    let (world, signed, _) = w3c_bill_of_lading_drawn_by(&work, &format!("{}/", renderer.origin));
    let server = Served::start(
        &work,
        &[
            "--world",
            world.to_str().unwrap(),
            "--allow-renderer",
            &renderer.origin,
            "--renderer-wait",
            RENDERER_WAIT,
        ],
    );
    let hidden = work.path("w3c-hidden.json");
    let seen = rendered_hiding(&server, &signed, "credentialSubject.vessel", &hidden);
    assert_valid(&seen);
    assert_eq!(seen["state"], "shown", "{seen}");
    // The credential is sent whole: the renderer shows its subject's every claim.
    let credential: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    assert_eq!(
        framed(&seen["framed"]),
        drawn(&credential["credentialSubject"]),
        "{seen}"
    );
    assert_eq!(seen["templates"], offered_templates());
    assert_eq!(seen["printed"], 1);
    // A signed credential hides nothing: the page says why, and makes no copy.
    assert!(
        seen["said"]
            .as_str()
            .unwrap()
            .starts_with("credentialSubject.vessel cannot be hidden: "),
        "{seen}"
    );
    assert_eq!(seen["hidden"], Value::Null);
    assert!(!hidden.exists());
}

#[test]
fn a_renderer_not_allowed_or_not_answering_leaves_the_document_to_the_built_in_template() {
    let work = Workdir::new();
    let renderer = Renderer::start();
    let claims = json!({"blNumber": "BL-fallback", "vessel": "MV Built In"});
    let named = signed_document_drawn_by(
        &work,
        "named.json",
        "issuer.corridor.test",
        &format!("{}/", renderer.origin),
        claims.clone(),
    );
    let read = |path: &std::path::Path| -> Value {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };
    // A deployment that allows no renderer frames nothing, and says whose it did not load.
    let closed = Served::start(&work, &["--offline"]);
    let seen = self::seen(&closed, "rendered", &[named.to_str().unwrap()]);
    assert_eq!(seen["csp"], page_policy("'none'"));
    assert_eq!(seen["state"], "not-allowed", "{seen}");
    assert_eq!(seen["frames"], 0);
    let note = seen["note"].as_str().unwrap();
    assert!(
        note.contains(&renderer.origin) && note.contains("does not load"),
        "{note}"
    );
    assert_shows_exactly(&json!({"document": seen["builtIn"]}), &read(&named));
    // Nor one it allows another renderer than the one the document names.
    let silent = format!("http://127.0.0.1:{}", free_port());
    let other = Served::start(
        &work,
        &[
            "--offline",
            "--allow-renderer",
            &silent,
            "--renderer-wait",
            "2s",
        ],
    );
    let seen = self::seen(&other, "rendered", &[named.to_str().unwrap()]);
    assert_eq!(seen["state"], "not-allowed", "{seen}");
    assert_eq!(seen["frames"], 0);
    // A renderer that does not answer leaves the document to the built-in template, saying so.
    let unanswered = signed_document_drawn_by(
        &work,
        "unanswered.json",
        "issuer.corridor.test",
        &format!("{silent}/"),
        claims,
    );
    let seen = self::seen(&other, "rendered", &[unanswered.to_str().unwrap()]);
    assert_eq!(seen["csp"], page_policy(&silent));
    assert_eq!(seen["state"], "fallback", "{seen}");
    assert_eq!(seen["frames"], 0);
    assert!(
        seen["note"]
            .as_str()
            .unwrap()
            .contains("did not answer within 2 s"),
        "{seen}"
    );
    assert_shows_exactly(&json!({"document": seen["builtIn"]}), &read(&unanswered));
    // The server frames no page of its own origin, and takes only origins.
    let port = free_port();
    let own = work
        .command(&[
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--allow-renderer",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(own.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&own.stderr).contains("this server's own origin"));
    let page = work
        .command(&["serve", "--allow-renderer", "https://renderer.example/page"])
        .output()
        .unwrap();
    assert_eq!(page.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&page.stderr).contains("is not an origin"));
}

#[test]
fn the_domain_whose_dns_vouched_for_the_issuer_is_named() {
    let work = Workdir::new();
    let document = signed_document(&work, "vouched.json", "issuer.corridor.test");
    let dns = vouching_dns();
    let server = Served::start(&work, &["--dns", &dns.address.to_string()]);
    let seen = seen(&server, "verify-file", &[document.to_str().unwrap()]);
    // Named from what the identity check found (tt-verify's `data`), not from the document's
    // own claim.
    assert_eq!(seen["checks"][2]["status"], "VALID", "{seen}");
    assert_eq!(
        seen["checks"][2]["text"],
        "✓Issued by issuer.corridor.test: confirmed by that domain's DNS.",
        "{seen}"
    );
    assert_eq!(
        seen["issuedBy"],
        json!({"text": "Issued by Lion City Shipping, confirmed by issuer.corridor.test",
               "look": "confirmed", "colour": VALID_GREEN}),
        "{seen}"
    );
}

#[test]
fn the_examples_are_ready_to_verify_and_laid_out_by_their_templates() {
    let work = Workdir::new();
    let server = Served::start(&work, &["--offline"]);
    let seen = seen(&server, "verify-example", &["bill-of-lading"]);
    assert_eq!(seen["checks"][0]["status"], "VALID", "{seen}");
    assert_eq!(seen["heading"], "Bill of lading LCS-SGSIN-2026-000417");
    let rows = seen["document"].as_array().unwrap();
    let shown = |path: &str| rows.iter().find(|r| r[0] == path).map(|r| r[1].clone());
    // Laid out by the template: parties, ports and the packages' table, booleans in words.
    assert_eq!(shown("portOfLoading"), Some(json!("SGSIN")));
    assert_eq!(shown("packages.1.weightKg"), Some(json!("180.25")));
    assert_eq!(shown("negotiable"), Some(json!("Yes")));
    // Every field has its place in the template but the chain it names, shown apart.
    let assert_templated_but_the_chain = |seen: &Value| {
        let others: Vec<&Value> = seen["document"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r[2] == false)
            .map(|r| &r[0])
            .collect();
        assert_eq!(
            others,
            [&json!("network.chain"), &json!("network.chainId")],
            "{seen}"
        );
    };
    assert_templated_but_the_chain(&seen);
    // Every kind of TradeTrust's gallery has its template, in the reference's field names.
    for (example, heading) in [
        (
            "carrier-bill-of-lading",
            "Carrier bill of lading LCS-SGSIN-2026-000512",
        ),
        ("warehouse-receipt", "Warehouse receipt JCS-WR-2026-1187"),
        ("promissory-note", "Promissory note CFI-PN-2026-0042"),
    ] {
        let seen = self::seen(&server, "verify-example", &[example]);
        assert_eq!(seen["heading"], heading, "{seen}");
        assert_templated_but_the_chain(&seen);
    }
    let seen = self::seen(&server, "verify-example", &["bill-of-lading-altered"]);
    assert_eq!(seen["verdict"], "This document is NOT valid.");
    assert_eq!(seen["document"], json!([]));
}

#[test]
fn a_bill_of_lading_issued_through_the_form_is_a_title_held_by_its_first_owner() {
    let work = Workdir::new();
    let api_token = work
        .ok(&["token", "new", "portal", "--scope", "issue"])
        .trim()
        .to_string();
    let issuer: alloy_primitives::Address = common::TEST_ADDRESS.parse().unwrap();
    // The registry the server will make for its key, in this store.
    let registry = corridor_ledger::Store::open(work.store_location())
        .unwrap()
        .registry_address(issuer, corridor_ledger::DEFAULT_REGISTRY_NAME)
        .unwrap();
    let record = corridor_format::dns_records::dns_txt_record(
        corridor_ledger::EMBEDDED_CHAIN_ID,
        &format!("{registry:#x}"),
    );
    let dns = DnsServer::start("corridor.test", &[("issuer.corridor.test", &record)]);
    let dns_address = dns.address.to_string();
    // Online: the issuer's DNS (the test's nameserver) and the title registry this very server
    // answers for, at an address it must know before it starts.
    let port = free_port();
    let rpc = format!("http://127.0.0.1:{port}/rpc");
    let world = [
        "--dns",
        &dns_address,
        "--network",
        "corridor",
        "--rpc-url",
        &rpc,
    ];
    let key = [
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--issuer-domain",
        "issuer.corridor.test",
        "--issuer-name",
        "Lion City Shipping",
    ];
    let server = Served::start_at(
        &work,
        &format!("127.0.0.1:{port}"),
        &[&world[..], &key].concat(),
    );
    let out = work.path("downloaded.tt");
    let shipper = "0xffcf8fdee72ac11b5c542428b35eef5769c409f0";
    let forwarder = "0x22d491bde2303f2f43325b2108d26f1eaba1e32b";
    let seen = seen(
        &server,
        "issue",
        &[&api_token, out.to_str().unwrap(), shipper, forwarder],
    );
    // Checked as typed: a port that is not a UN/LOCODE, and no issuing until it is one.
    assert_eq!(
        seen["typedProblem"],
        "a UN/LOCODE: country and place, as SGSIN"
    );
    assert_eq!(seen["blockedWhileWrong"], true);
    assert_eq!(
        seen["issuerShown"],
        json!({"name": "Lion City Shipping", "domain": "issuer.corridor.test"})
    );
    assert!(
        seen["issuerState"]
            .as_str()
            .unwrap()
            .contains(&format!("did:ethr:{}", common::TEST_ADDRESS)),
        "{seen}"
    );
    assert!(
        seen["preview"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r[0] == "packages.1.count" && r[1] == "30")
    );
    // Issued once: nothing left to issue twice.
    assert_eq!(
        seen["locked"],
        json!({"button": true, "form": true}),
        "{seen}"
    );
    assert_eq!(seen["dnsRecord"], record);
    assert_eq!(seen["file"], "BL-PORTAL-1.tt");
    // The issued document, verified in the portal: every check passes, its title included.
    assert_eq!(seen["verdict"], "This document is valid.", "{seen}");
    let statuses: Vec<&Value> = seen["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["status"])
        .collect();
    assert_eq!(statuses, [&json!("VALID"); 3]);
    assert_eq!(
        (&seen["look"], &seen["colour"]),
        (&json!("valid"), &json!(VALID_GREEN))
    );
    assert_eq!(seen["issuedBy"]["look"], "confirmed", "{seen}");
    // Its title, from the link the issue page gave: held as the form said.
    assert_eq!(
        seen["title"],
        json!({"owner": shipper, "holder": forwarder, "timeline": ["mint"]}),
        "{seen}"
    );
    // The file downloaded holds what was typed, typed as the form says, and names the
    // registry and the domain as a transferable record does.
    let document: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let data = corridor_format::unsalt_data(&document["data"]).unwrap();
    assert_eq!(data["blNumber"], "BL-PORTAL-1");
    assert_eq!(data["negotiable"], true);
    assert_eq!(data["packages"][0]["count"].as_f64(), Some(120.0));
    assert_eq!(data["packages"][1]["weightKg"], 180.25);
    assert_eq!(
        data["issuers"][0],
        json!({"name": "Lion City Shipping", "tokenRegistry": format!("{registry:#x}"),
               "identityProof": {"type": "DNS-TXT", "location": "issuer.corridor.test"}})
    );
    assert_eq!(data["$template"]["name"], "BILL_OF_LADING");
    assert!(document.get("proof").is_none());
    assert_shows_exactly(&seen, &document);
    // And the command line agrees, asking the same DNS and registry.
    let verified = work
        .command(&[&["verify", out.to_str().unwrap()][..], &world].concat())
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    // Without a live token, nothing is issued.
    let seen = self::seen(
        &server,
        "issue",
        &["not-a-token", out.to_str().unwrap(), shipper, shipper],
    );
    assert!(
        seen["issueError"]
            .as_str()
            .unwrap()
            .starts_with("Not issued"),
        "{seen}"
    );
}

#[test]
fn a_shared_document_opens_from_its_link_and_the_key_never_reaches_the_server() {
    let work = Workdir::new();
    let api_token = work
        .ok(&["token", "new", "portal", "--scope", "share"])
        .trim()
        .to_string();
    let server = Served::start(&work, &["--offline"]);
    let file = reference_document(&work, "signed/signed-0.json");
    let seen = seen(&server, "share", &[&api_token, file.to_str().unwrap()]);
    assert_eq!(seen["qr"], true, "{seen}");
    // A TradeTrust action link on the portal's own address, the key in its anchor.
    let link = seen["link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/?q=", server.base)), "{link}");
    let action = |link: &str| -> (Value, String) {
        let (query, anchor) = link.split_once("?q=").unwrap().1.split_once('#').unwrap();
        let decode =
            |text: &str| -> Value { serde_json::from_str(&percent_decoded(text)).unwrap() };
        let key = decode(anchor)["key"].as_str().unwrap().to_string();
        (decode(query), key)
    };
    let (shared, key) = action(link);
    assert_eq!(key.len(), 64);
    let key = key.as_str();
    // Opened from the link: decrypted in the page, verified and shown.
    assert_eq!(seen["checks"][0]["status"], "VALID", "{seen}");
    let document: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_shows_exactly(&seen, &document);
    let requests = seen["requests"].as_array().unwrap();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| !r.as_str().unwrap().contains(key)),
        "{requests:?}"
    );
    // What the server keeps opens with the key by oa-encryption, the reference.
    let uri = shared["payload"]["uri"].as_str().unwrap();
    assert!(
        uri.starts_with(&format!("{}/api/shares/", server.base)),
        "{shared}"
    );
    let mut envelope = get_json(uri);
    envelope["key"] = json!(key);
    let opened = common::oracle("decrypt", &[envelope]);
    let opened: Value = serde_json::from_str(opened[0]["document"].as_str().unwrap()).unwrap();
    assert_eq!(opened, document);
    // Without a live token, nothing is shared.
    let seen = self::seen(&server, "share", &["nope", file.to_str().unwrap()]);
    assert!(
        seen["shareError"].as_str().unwrap().contains("token"),
        "{seen}"
    );
}

/// `text` with its %XX escapes decoded, as decodeURIComponent reads it.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A TradeTrust action link made by the reference's helper (see compat/oracle-actions.mjs).
fn reference_action_link(action: &Value, anchor: Option<&Value>) -> String {
    let action = action.to_string();
    let anchor = anchor.map(Value::to_string);
    let mut args = vec!["encode", action.as_str()];
    args.extend(anchor.as_deref());
    let link = common::compat_script("oracle-actions.mjs", &args, &[], String::new());
    link[0].as_str().unwrap().to_string()
}

#[test]
fn tradetrust_action_links_open_in_the_portal_and_its_shares_open_as_tradetrust_opens_them() {
    let work = Workdir::new();
    let api_token = work
        .ok(&["token", "new", "portal", "--scope", "share"])
        .trim()
        .to_string();
    let file = signed_document(&work, "linked.json", "issuer.corridor.test");
    let text = std::fs::read_to_string(&file).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    // Kept elsewhere as TradeTrust keeps documents: plain, or encrypted by oa-encryption and
    // put under `document`.
    let mut envelope = common::oracle("encrypt", &[json!({ "document": text })]).remove(0);
    let key = envelope.as_object_mut().unwrap().remove("key").unwrap();
    let storage = common::http::serve_json(vec![
        ("/plain".into(), text.clone()),
        (
            "/sealed".into(),
            json!({ "document": envelope }).to_string(),
        ),
    ]);
    let dns = vouching_dns();
    let server = Served::start(
        &work,
        &[
            "--dns",
            &dns.address.to_string(),
            "--allow-fetch",
            storage.strip_prefix("http://").unwrap(),
        ],
    );
    let action = |path: &str, key: Option<&Value>| {
        let mut payload = json!({"uri": format!("{storage}{path}"), "permittedActions": ["VIEW"],
            "redirect": "https://tradetrust.io", "chainId": 1});
        if let Some(key) = key {
            payload["key"] = key.clone();
        }
        json!({"type": "DOCUMENT", "payload": payload})
    };
    let anchored = reference_action_link(&action("/sealed", None), Some(&json!({ "key": key })));
    let links = [
        reference_action_link(&action("/plain", None), None),
        anchored.clone(),
        reference_action_link(&action("/sealed", Some(&key)), None),
    ];
    for link in &links {
        assert!(
            link.starts_with("https://actions.tradetrust.io?q="),
            "{link}"
        );
        // On the portal's address, where TradeTrust's router sends it on to.
        let (_, query) = link.split_once('?').unwrap();
        let seen = self::seen(&server, "open", &[&format!("/?{query}")]);
        assert_valid(&seen);
        assert_shows_exactly(&seen, &document);
    }
    // Pasted as a phone's camera reads it from the QR code, on a phone.
    let pasted = work.path("link.txt");
    std::fs::write(&pasted, &anchored).unwrap();
    let seen = seen_with(
        &server,
        "verify-paste",
        &[pasted.to_str().unwrap()],
        &[("VIEWPORT", "390x844")],
    );
    assert_valid(&seen);
    assert_shows_exactly(&seen, &document);
    // Another key does not open it, and nothing is shown.
    let wrong = reference_action_link(
        &action("/sealed", None),
        Some(&json!({ "key": "0".repeat(64) })),
    );
    let (_, query) = wrong.split_once('?').unwrap();
    let seen = self::seen(&server, "open", &[&format!("/?{query}")]);
    assert!(
        seen["error"].as_str().unwrap().contains("does not fit"),
        "{seen}"
    );
    assert_eq!(seen["document"], json!([]));
    // Corridor's share opens as TradeTrust's website opens an action link: through its
    // router (which forwards only to TradeTrust's hosts) to its website, the document fetched
    // from this server and decrypted.
    let seen = self::seen(&server, "share", &[&api_token, file.to_str().unwrap()]);
    assert_valid(&seen);
    let tradetrust = seen["tradetrust"].as_str().unwrap();
    assert!(
        tradetrust.starts_with("https://actions.tradetrust.io?q="),
        "{seen}"
    );
    let opened = common::compat_script(
        "oracle-actions.mjs",
        &["open", tradetrust],
        &[],
        String::new(),
    );
    assert_eq!(opened[0]["document"], document);
    assert_eq!(
        opened[0]["action"]["payload"]["redirect"],
        "https://tradetrust.io/"
    );
    assert_eq!(opened[0]["action"]["payload"]["chainId"], "1");
    assert!(
        opened[0]["action"]["payload"].get("key").is_none(),
        "the key is only in the anchor"
    );
    // Its page's link is the same document on the portal's address, leading here.
    let portal_link = seen["link"].as_str().unwrap();
    let (query, _) = portal_link
        .split_once("?q=")
        .unwrap()
        .1
        .split_once('#')
        .unwrap();
    let portal_action: Value = serde_json::from_str(&percent_decoded(query)).unwrap();
    assert_eq!(
        portal_action["payload"]["uri"],
        opened[0]["action"]["payload"]["uri"]
    );
    assert_eq!(
        portal_action["payload"]["redirect"],
        format!("{}/", server.base)
    );
    // Any page may fetch a share, as TradeTrust's website does.
    let uri = opened[0]["action"]["payload"]["uri"].as_str().unwrap();
    let response = ureq::get(uri).call().unwrap();
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "*"
    );
}

#[test]
fn a_document_shared_by_oa_encryption_opens_in_the_portal() {
    let work = Workdir::new();
    let api_token = work
        .ok(&["token", "new", "portal", "--scope", "share"])
        .trim()
        .to_string();
    let server = Served::start(&work, &["--offline"]);
    let file = reference_document(&work, "signed/signed-1.json");
    let text = std::fs::read_to_string(&file).unwrap();
    // Encrypted by the reference, kept by the server, its key only in the link.
    let mut envelope = common::oracle("encrypt", &[json!({ "document": text })]).remove(0);
    let key = envelope.as_object_mut().unwrap().remove("key").unwrap();
    let mut response = ureq::post(format!("{}/api/shares", server.base))
        .header("authorization", format!("Bearer {api_token}"))
        .send_json(&envelope)
        .unwrap();
    let id: Value = serde_json::from_reader(response.body_mut().as_reader()).unwrap();
    let link = format!(
        "/s/{}#{}",
        id["id"].as_str().unwrap(),
        key.as_str().unwrap()
    );
    let seen = seen(&server, "open", &[&link]);
    assert_eq!(seen["checks"][0]["status"], "VALID", "{seen}");
    assert_shows_exactly(&seen, &serde_json::from_str(&text).unwrap());
    // A link whose key was cut short says so, and shows nothing.
    let cut = &link[..link.len() - 2];
    let seen = self::seen(&server, "open", &[cut]);
    assert!(
        seen["error"].as_str().unwrap().contains("incomplete"),
        "{seen}"
    );
    assert_eq!(seen["document"], json!([]));
    // Another key of the right length does not open it.
    let wrong = format!("{}{}", &link[..link.len() - 64], "0".repeat(64));
    let seen = self::seen(&server, "open", &[&wrong]);
    assert!(
        seen["error"].as_str().unwrap().contains("key does not fit"),
        "{seen}"
    );
}

#[test]
fn a_title_shows_its_history_and_its_holder_acts_in_the_page() {
    let work = Workdir::new();
    let api_token = work
        .ok(&["token", "new", "portal", "--scope", "titles"])
        .trim()
        .to_string();
    let admin = "0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d";
    let shipper_key = "0x6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1";
    let shipper = "0xffcf8fdee72ac11b5c542428b35eef5769c409f0";
    let bank = "0x22d491bde2303f2f43325b2108d26f1eaba1e32b";
    let admin_env = [("ADMIN_KEY", admin)];
    let registry = common::create_registry(&work, admin).to_lowercase();
    let token = format!("0x{}", "ab".repeat(32));
    work.ok_with(
        &[
            "title",
            "mint",
            &token,
            "--registry",
            &registry,
            "--private-key-env",
            "ADMIN_KEY",
            "--beneficiary",
            shipper,
            "--holder",
            shipper,
            "--remark",
            "loaded at Singapore",
        ],
        &admin_env,
    );
    let server = Served::start(&work, &["--offline"]);
    let seen = seen_with(
        &server,
        "title",
        &[
            &registry,
            &token,
            "SHIPPER_KEY",
            &api_token,
            "transfer-holder",
            bank,
        ],
        &[("SHIPPER_KEY", shipper_key)],
    );
    let before = &seen["before"];
    assert_eq!(
        (&before["owner"], &before["holder"]),
        (&json!(shipper), &json!(shipper)),
        "{seen}"
    );
    assert_eq!(before["timeline"], json!(["mint"]));
    assert_eq!(before["state"], "live");
    // Owner and holder both: the rules open these to the shipper.
    assert_eq!(
        seen["open"],
        json!([
            "nominate",
            "endorse",
            "transfer-owners",
            "transfer-holder",
            "surrender"
        ])
    );
    assert!(
        seen["result"].as_str().unwrap().starts_with("Done"),
        "{seen}"
    );
    let after = &seen["after"];
    assert_eq!(
        (&after["owner"], &after["holder"]),
        (&json!(shipper), &json!(bank))
    );
    assert_eq!(after["timeline"], json!(["mint", "transfer-holder"]));
    assert_eq!(seen["keyLeftInPage"], false);
    // The store agrees, and recorded the remark the page sent.
    let history = work.ok(&[
        "title",
        "history",
        &token,
        "--registry",
        &registry,
        "--json",
    ]);
    assert!(
        history.contains(r#""remark":"through the portal""#),
        "{history}"
    );
    // The shipper is no longer the holder: passing it on again is refused by the rules.
    let seen = seen_with(
        &server,
        "title",
        &[
            &registry,
            &token,
            "SHIPPER_KEY",
            &api_token,
            "nominate",
            bank,
        ],
        &[("SHIPPER_KEY", shipper_key)],
    );
    assert_eq!(seen["open"], json!(["nominate"]), "{seen}");
    assert!(
        seen["result"].as_str().unwrap().starts_with("Done"),
        "{seen}"
    );
}

#[test]
fn a_chain_title_is_shown_and_its_holder_passes_it_on_chain_from_the_page_on_a_phone() {
    a_chain_title_is_passed_on_from_the_page("v5", "390x844");
}

#[test]
fn a_v4_chain_title_is_passed_on_from_the_page_without_a_remark() {
    a_chain_title_is_passed_on_from_the_page("v4", "1280x900");
}

/// A title on a Token Registry `version` registry on ganache, shown by the portal at
/// `viewport`, and passed on by its holder from the page.
fn a_chain_title_is_passed_on_from_the_page(version: &str, viewport: &str) {
    use common::chain::{
        Ganache, OWNER_KEY, PARTY_KEYS, deploy_registry_version, on_chain, title_cli,
    };

    let ganache = Ganache::start();
    let work = Workdir::new();
    let registry = deploy_registry_version(&work, &ganache, version).to_lowercase();
    let on = on_chain(&registry, &ganache);
    let shipper = "0xffcf8fdee72ac11b5c542428b35eef5769c409f0";
    let bank = "0x22d491bde2303f2f43325b2108d26f1eaba1e32b";
    let token = format!("0x{}", "cd".repeat(32));
    let (code, minted) = title_cli(
        &work,
        &on,
        &[
            "mint",
            &token,
            "--beneficiary",
            shipper,
            "--holder",
            shipper,
        ],
        Some(OWNER_KEY),
    );
    assert_eq!(code, 0, "{minted}");
    let api_token = work
        .ok(&["token", "new", "portal", "--scope", "titles"])
        .trim()
        .to_string();
    let server = Served::start(&work, &["--network", "local", "--rpc-url", &ganache.url]);
    let shipper_key = format!("0x{}", PARTY_KEYS[0]);
    let seen = seen_with(
        &server,
        "title",
        &[
            &registry,
            &token,
            "SHIPPER_KEY",
            &api_token,
            "transfer-holder",
            bank,
        ],
        &[("SHIPPER_KEY", &shipper_key), ("VIEWPORT", viewport)],
    );
    let before = &seen["before"];
    assert_eq!(
        (&before["owner"], &before["holder"], &before["timeline"]),
        (&json!(shipper), &json!(shipper), &json!(["mint"])),
        "{seen}"
    );
    assert_eq!(
        before["ledger"],
        format!("on the chain local (chain id 1337), Token Registry {version}")
    );
    let open = seen["open"].as_array().unwrap();
    assert!(open.contains(&json!("transfer-holder")), "{seen}");
    // v4 keeps no remarks: the page asks for none.
    let v4 = version == "v4";
    assert_eq!(seen["remarkOffered"], !v4, "{seen}");
    assert!(
        seen["result"].as_str().unwrap().starts_with("Done"),
        "{seen}"
    );
    let after = &seen["after"];
    assert_eq!(
        (&after["owner"], &after["holder"], &after["timeline"]),
        (
            &json!(shipper),
            &json!(bank),
            &json!(["mint", "transfer-holder"])
        ),
        "{seen}"
    );
    assert_eq!(seen["keyLeftInPage"], false);
    for (state, sticking_out) in seen["layout"].as_object().unwrap() {
        assert_eq!(sticking_out, &json!([]), "{viewport}, {state}: {seen}");
    }
    // The chain agrees, with the remark the page sent (none to v4).
    let (_, status) = title_cli(&work, &on, &["status", &token], None);
    assert_eq!(
        status["title"]["holder"]
            .as_str()
            .map(str::to_lowercase)
            .as_deref(),
        Some(bank)
    );
    let (_, history) = title_cli(&work, &on, &["history", &token], None);
    let last = history["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let remark = if v4 { "" } else { "through the portal" };
    assert_eq!(
        (&last["action"], &last["remark"]),
        (&json!("transfer-holder"), &json!(remark))
    );
}

#[test]
fn every_page_fits_a_phone_and_a_desktop() {
    let work = Workdir::new();
    let api_token = work
        .ok(&[
            "token", "new", "portal", "--scope", "issue", "--scope", "share", "--scope", "titles",
        ])
        .trim()
        .to_string();
    // A document with what widens pages: long field names, a DID, hashes, a long table.
    let hash = "ab".repeat(32);
    let raw = json!({
        "issuers": [{"id": format!("did:ethr:{}", common::TEST_ADDRESS), "name": "Lion City Shipping",
            "revocation": {"type": "NONE"}, "identityProof": {"type": "DNS-DID", "location": "issuer.corridor.test",
            "key": format!("did:ethr:{}#controller", common::TEST_ADDRESS)}}],
        "$template": {"name": "CERTIFICATE_OF_ORIGIN", "type": "EMBEDDED_RENDERER", "url": "https://corridor.test"},
        "certificateNo": format!("CO-{hash}"), "issuedOn": "2026-11-23",
        "exporter": {"name": "Tropical Fruits Export Pte Ltd", "country": "SG"},
        "consigneeReferenceForCustomsClearanceAtTheDestinationPort": {"originalDocumentHashBeforeReissue": hash},
        "goods": [{"hsCode": "0810.60", "description": "Frozen durian in twenty kilogram cartons", "origin": "MY",
                   "quantity": 2400.5, "unit": "kilogram"}],
    });
    let dir = work.path("wide-raw");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("wide.json"), raw.to_string()).unwrap();
    work.ok(&["wrap", "--out-dir", "wide", dir.to_str().unwrap()]);
    let wide = work.path("wide").join("wide.json");
    let server = Served::start(
        &work,
        &[
            "--offline",
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            "issuer.corridor.test",
        ],
    );
    let shipper_key = "0x6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1";
    let shipper = "0xffcf8fdee72ac11b5c542428b35eef5769c409f0";
    let bank = "0x22d491bde2303f2f43325b2108d26f1eaba1e32b";
    for viewport in ["390x844", "1280x900"] {
        let env = [("VIEWPORT", viewport), ("SHIPPER_KEY", shipper_key)];
        let out = work.path(&format!("issued-{viewport}.tt"));
        let issued = seen_with(
            &server,
            "issue",
            &[&api_token, out.to_str().unwrap(), shipper, shipper],
            &env,
        );
        let document: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let token = format!(
            "0x{}",
            document["signature"]["merkleRoot"].as_str().unwrap()
        );
        let registry = document["data"]["issuers"][0]["tokenRegistry"]
            .as_str()
            .unwrap();
        let registry = registry.rsplit_once(':').unwrap().1.to_string();
        let pages = [
            seen_with(&server, "verify-file", &[wide.to_str().unwrap()], &env),
            issued,
            seen_with(
                &server,
                "title",
                &[
                    &registry,
                    &token,
                    "SHIPPER_KEY",
                    &api_token,
                    "transfer-holder",
                    bank,
                ],
                &env,
            ),
            seen_with(
                &server,
                "share",
                &[&api_token, wide.to_str().unwrap()],
                &env,
            ),
        ];
        let mut states = 0;
        for seen in &pages {
            for (state, sticking_out) in seen["layout"].as_object().unwrap() {
                assert_eq!(sticking_out, &json!([]), "{viewport}, {state}: {seen}");
                states += 1;
            }
        }
        // Verify with a result, the issue form and its result, a title loaded and acted on,
        // share and the shared link opened: every state was looked at.
        assert_eq!(states, 9, "{viewport}");
    }
}

/// A GET answered with JSON.
fn get_json(url: &str) -> Value {
    let mut response = ureq::get(url).call().unwrap();
    serde_json::from_reader(response.body_mut().as_reader()).unwrap()
}

/// A W3C bill of lading Corridor signs (with the renderMethod TrustVC writes) for an issuer
/// whose DID document a world folder serves, and a copy disclosing only its number: the world
/// folder and the two files.
fn w3c_bill_of_lading(
    work: &Workdir,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    w3c_bill_of_lading_drawn_by(work, "https://generic-templates.tradetrust.io")
}

/// As [`w3c_bill_of_lading`], its renderMethod naming the renderer at `renderer`.
fn w3c_bill_of_lading_drawn_by(
    work: &Workdir,
    renderer: &str,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let run = |args: &[&str]| common::w3c::unlocked_ok(work, args);
    run(&["key", "new", "carrier", "--type", "p256"]);
    let did = "did:web:carrier.corridor.test";
    let document = run(&["did", "document", did, "--key", "carrier"]);
    let world = common::w3c::world_folder(
        &work.path("world"),
        &[(
            "https://carrier.corridor.test/.well-known/did.json",
            &document,
        )],
        true,
    );
    let mut bol = common::w3c::bill_of_lading(&mut common::rng(5), did);
    bol["@context"].as_array_mut().unwrap().push(json!(
        "https://trustvc.io/context/render-method-context-v2.json"
    ));
    bol["credentialSubject"]["vessel"] = json!("MV Corridor Star");
    bol["renderMethod"] = json!([{
        "id": renderer,
        "type": "EMBEDDED_RENDERER",
        "templateName": "BILL_OF_LADING",
    }]);
    std::fs::write(work.path("bol.json"), bol.to_string()).unwrap();
    run(&[
        "sign",
        "--suite",
        "ecdsa-sd-2023",
        "--key",
        "carrier",
        "--verification-method",
        &format!("{did}#keys-1"),
        "--out-dir",
        "signed",
        "bol.json",
    ]);
    let signed = work.path("signed/bol.json");
    let derived = work.path("derived.json");
    run(&[
        "derive",
        signed.to_str().unwrap(),
        "--reveal",
        "/credentialSubject/blNumber",
        "--out",
        derived.to_str().unwrap(),
    ]);
    (world, signed, derived)
}

#[test]
fn a_w3c_bill_of_lading_and_a_copy_disclosing_part_of_it_are_shown_as_verified() {
    let work = Workdir::new();
    let (world, signed, derived) = w3c_bill_of_lading(&work);
    let server = Served::start(&work, &["--world", world.to_str().unwrap()]);
    let credential: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    let number = credential["credentialSubject"]["blNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    for viewport in ["1280x900", "390x844"] {
        let env = [("VIEWPORT", viewport)];
        let whole = seen_with(&server, "verify-file", &[signed.to_str().unwrap()], &env);
        assert_eq!(whole["verdict"], "This document is valid.", "{whole}");
        assert_eq!(whole["look"], "valid");
        for check in whole["checks"].as_array().unwrap() {
            assert_eq!(check["status"], "VALID", "{whole}");
        }
        assert!(
            whole["checks"][2]["text"]
                .as_str()
                .unwrap()
                .contains("did:web:carrier.corridor.test")
        );
        assert_eq!(whole["issuedBy"]["look"], "confirmed", "{whole}");
        assert_eq!(whole["derived"], Value::Null);
        // Laid out by the template its renderMethod names; every claim shown.
        assert_eq!(
            whole["heading"],
            format!("Bill of lading {number}"),
            "{whole}"
        );
        let rows = whole["document"].as_array().unwrap();
        assert!(
            rows.contains(&json!(["vessel", "MV Corridor Star", true])),
            "{whole}"
        );
        let claims = credential["credentialSubject"].as_object().unwrap();
        for (claim, value) in claims.iter().filter(|(k, v)| *k != "type" && !v.is_array()) {
            assert!(
                rows.iter().any(|r| r[0] == **claim),
                "{claim} = {value} not shown: {whole}"
            );
        }

        let copy = seen_with(&server, "verify-file", &[derived.to_str().unwrap()], &env);
        assert_eq!(copy["verdict"], "This document is valid.", "{copy}");
        assert!(
            copy["derived"]
                .as_str()
                .unwrap()
                .contains("selectively disclosed"),
            "{copy}"
        );
        let shown: Vec<&str> = copy["document"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[0].as_str().unwrap())
            .collect();
        assert_eq!(shown, ["blNumber"], "only what it discloses: {copy}");
        // The fields of its template it does not show are named.
        let withheld = copy["withheld"].as_str().unwrap();
        for field in ["Vessel", "Port of loading", "Shipper: name", "Packages"] {
            assert!(withheld.contains(field), "{field}: {copy}");
        }
        assert!(!withheld.contains("B/L number"), "{copy}");
        for seen in [&whole, &copy] {
            for (state, sticking_out) in seen["layout"].as_object().unwrap() {
                assert_eq!(sticking_out, &json!([]), "{viewport}, {state}: {seen}");
            }
        }
    }
    // Offline, with nothing to resolve its issuer's DID: not checked, said in amber, never
    // as broken, and its contents not shown.
    let offline = Served::start(&work, &["--offline"]);
    let unchecked = seen(&offline, "verify-file", &[signed.to_str().unwrap()]);
    assert_eq!(unchecked["look"], "unconfirmed", "{unchecked}");
    assert_eq!(unchecked["checks"][0]["status"], "SKIPPED", "{unchecked}");
    assert!(
        unchecked["checks"][0]["text"]
            .as_str()
            .unwrap()
            .contains("not checked here"),
        "{unchecked}"
    );
    assert!(
        unchecked["untrusted"]
            .as_str()
            .unwrap()
            .contains("could not be checked here"),
        "{unchecked}"
    );
    assert_eq!(unchecked["document"], json!([]));

    // A changed claim: not valid, and its contents not shown.
    let mut changed = credential.clone();
    changed["credentialSubject"]["blNumber"] = json!("BL-FORGED");
    let file = work.path("changed.json");
    std::fs::write(&file, changed.to_string()).unwrap();
    let seen = seen(&server, "verify-file", &[file.to_str().unwrap()]);
    assert_eq!(seen["verdict"], "This document is NOT valid.", "{seen}");
    assert_eq!(seen["look"], "invalid");
    assert!(
        seen["untrusted"].as_str().unwrap().contains("not shown"),
        "{seen}"
    );
    assert_eq!(seen["document"], json!([]));
}

/// The three kinds of document issued as W3C credentials through the form, at both sizes: an
/// invoice (its amounts worked out as typed), a certificate of origin (its goods' HS codes
/// nested as TrustVC's vocabulary has them) and a bill of lading (its title minted). Each is
/// signed by the server's did:web key, verified on the spot, and verified by TrustVC from the
/// file downloaded.
#[test]
fn w3c_credentials_issued_through_the_form_verify_in_the_portal_and_in_trustvc() {
    use common::w3c::{unlocked_ok as ok, world_folder};
    let work = Workdir::new();
    let did = "did:web:carrier.corridor.test";
    let method = format!("{did}#keys-1");
    let list = "https://carrier.corridor.test/status/1";
    ok(&work, &["key", "new", "carrier", "--type", "p256"]);
    let document = ok(&work, &["did", "document", did, "--key", "carrier"]);
    common::w3c::new_revocation_list(&work, list, "carrier", &method);
    let world = world_folder(
        &work.path("world"),
        &[
            (
                "https://carrier.corridor.test/.well-known/did.json",
                &document,
            ),
            (list, &ok(&work, &["status-list", "show", list, "--signed"])),
        ],
        true,
    );
    std::fs::write(work.path("password"), common::w3c::KEY_PASSWORD).unwrap();
    let token = work
        .ok(&["token", "new", "portal", "--scope", "issue"])
        .trim()
        .to_string();
    // The server verifies titles on its own registry, at an address it must know first.
    let port = free_port();
    let rpc = format!("http://127.0.0.1:{port}/rpc");
    let world_arg = world.to_str().unwrap();
    let server = Served::start_at(
        &work,
        &format!("127.0.0.1:{port}"),
        &[
            "--world",
            world_arg,
            "--network",
            "corridor",
            "--rpc-url",
            &rpc,
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            "issuer.corridor.test",
            "--w3c-key",
            "carrier",
            "--w3c-method",
            &method,
            "--w3c-status-list",
            list,
            "--password-file",
            "password",
        ],
    );
    let owner = "0xffcf8fdee72ac11b5c542428b35eef5769c409f0";
    let mut issued_files = Vec::new();
    for viewport in ["1280x900", "390x844"] {
        let env = [("VIEWPORT", viewport)];
        let n = issued_files.len();
        let mut forms = vec![
            json!({"template": "INVOICE", "add": ["billableItems"], "fields": [
                ["invoiceId", format!("INV-W3C-{n}")], ["date", "2026-11-27"], ["billFromName", "Chongqing Hengtai Agri-Export Co., Ltd."],
                ["billToCompanyName", "Kallang Gourmet Distribution Pte. Ltd."], ["tax", "9"],
                ["billableItems.0.billableItemsDescription", "Pu'er tea, compressed cakes (普洱茶饼)"],
                ["billableItems.0.billableItemsQuantity", "3"], ["billableItems.0.billableItemsUnitPrice", "12.5"],
                ["billableItems.1.billableItemsDescription", "Dried chillies"],
                ["billableItems.1.billableItemsQuantity", "2"], ["billableItems.1.billableItemsUnitPrice", "0.1"]]}),
            json!({"template": "CERTIFICATE_OF_ORIGIN", "fields": [
                ["cooId", format!("CO-W3C-{n}")], ["issueDateTime", "2026-11-20"],
                ["exporterName", "Chongqing Hengtai Agri-Export Co., Ltd."], ["exporterCountryCode", "CN"],
                ["importerName", "Kallang Gourmet Distribution Pte. Ltd."], ["importerCountryCode", "SG"],
                ["includedConsignmentItems.0.tradeLineItems.0.harmonisedTariffclassCode", "0902.30"],
                ["includedConsignmentItems.0.includedConsignmentItemsInformation", "Pu'er tea"],
                ["includedConsignmentItems.0.tradeLineItems.0.originCountryCode", "CN"]]}),
            json!({"template": "BILL_OF_LADING", "owner": owner, "fields": [
                ["blNumber", format!("BL-W3C-{n}")], ["vessel", "MV Lion City Spirit"],
                ["portOfLoading", "Chongqing Guoyuan Port, CN"], ["portOfDischarge", "Pasir Panjang, SG"],
                ["shipperName", "Yubei Precision Motors Co."], ["consigneeName", "Merlion Fresh Foods Pte. Ltd."],
                ["packages.0.packagesDescription", "Motorcycle engines"], ["packages.0.packagesWeight", "6400 KGS"]]}),
        ];
        // The other transferable kinds of TradeTrust's gallery, in TrustVC's vocabulary for each.
        if viewport == "390x844" {
            forms.extend([
                json!({"template": "BILL_OF_LADING_CARRIER", "owner": owner, "fields": [
                    ["blNumber", format!("CBL-W3C-{n}")], ["scac", "LCSL"], ["vessel", "MV Lion City Spirit"],
                    ["portOfLoading", "Shanghai"], ["portOfDischarge", "Singapore"],
                    ["shipperName", "Yubei Precision Motors Co."], ["consigneeName", "Merlion Motor Trading Pte. Ltd."],
                    ["packages.0.packagesDescription", "Motorcycle engines"], ["packages.0.packagesWeight", "12800 KGS"]]}),
                json!({"template": "WAREHOUSE_RECEIPT", "owner": owner, "fields": [
                    ["warehouseReceipt", format!("WR-W3C-{n}")], ["issuanceDate", "2026-11-25"],
                    ["commodity", "Frozen durian"], ["order", "Tropical Fruits Export Pte. Ltd."],
                    ["goods.0.brand", "Musang King, cartons"], ["goods.0.netWeight", "2.4"]]}),
                json!({"template": "PROMISSORY_NOTE", "owner": owner, "link": true, "fields": [
                    ["pNoteId", format!("PN-W3C-{n}")], ["commitmentDate", "2026-11-26"],
                    ["drawerCompanyName", "Chongqing Fresh Imports Co."], ["draweeCompanyName", "Tropical Fruits Export Pte. Ltd."],
                    ["dueDate", "2027-02-24"], ["currency", "USD"], ["amount", "10680"]]}),
            ]);
        }
        for form in forms {
            let kind = form["template"].as_str().unwrap();
            let number = form["fields"][0][1].as_str().unwrap();
            let form_file = work.path(&format!("{number}.form.json"));
            std::fs::write(&form_file, form.to_string()).unwrap();
            let out = work.path(&format!("{number}.json"));
            let seen = seen_with(
                &server,
                "issue-w3c",
                &[&token, form_file.to_str().unwrap(), out.to_str().unwrap()],
                &env,
            );
            let at = |what: &str| format!("{viewport}, {kind}: {what}: {seen}");
            assert!(
                seen["issuerState"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("ecdsa-sd-2023 key ({method})")),
                "{}",
                at("who signs")
            );
            let heading = seen["issued"].as_str().unwrap_or_default();
            assert!(
                heading.ends_with(&format!(" {number}.")),
                "{}",
                at("issued")
            );
            assert_eq!(seen["file"], format!("{number}.json"), "{}", at("file"));
            assert_eq!(
                seen["didLocation"],
                "https://carrier.corridor.test/.well-known/did.json"
            );
            assert_eq!(seen["locked"], true, "{}", at("locked"));
            // Verified on the spot: every check passes, the issuer's DID confirmed.
            assert_eq!(
                seen["verdict"],
                "This document is valid.",
                "{}",
                at("verdict")
            );
            assert_eq!(seen["look"], "valid");
            for check in seen["checks"].as_array().unwrap() {
                assert_eq!(check["status"], "VALID", "{}", at("checks"));
            }
            assert_eq!(seen["issuedBy"]["look"], "confirmed", "{}", at("issuer"));
            assert!(
                seen["heading"].as_str().unwrap().ends_with(number),
                "{}",
                at("heading")
            );
            for (state, sticking_out) in seen["layout"].as_object().unwrap() {
                assert_eq!(sticking_out, &json!([]), "{}", at(state));
            }
            let credential: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
            assert_eq!(credential["issuer"], did);
            assert_eq!(credential["proof"]["cryptosuite"], "ecdsa-sd-2023");
            let rows = seen["document"].as_array().unwrap();
            match kind {
                "INVOICE" => {
                    let subject = &credential["credentialSubject"];
                    assert_eq!(subject["type"], json!(["Invoice"]));
                    assert_eq!(subject["billableItems"][0]["billableItemsAmount"], 37.5);
                    assert_eq!(subject["billableItems"][1]["billableItemsAmount"], 0.2);
                    assert_eq!(
                        (
                            &subject["subtotal"],
                            &subject["taxTotal"],
                            &subject["total"]
                        ),
                        (&json!(37.7), &json!(3.39), &json!(41.09)),
                        "{}",
                        at("amounts")
                    );
                    assert!(
                        rows.contains(&json!(["total", "41.09", true])),
                        "{}",
                        at("rows")
                    );
                    assert!(
                        seen["status"]
                            .as_str()
                            .unwrap()
                            .contains(&format!("of the revocation list {list}")),
                        "{}",
                        at("status")
                    );
                }
                "CERTIFICATE_OF_ORIGIN" => {
                    let item = &credential["credentialSubject"]["includedConsignmentItems"][0];
                    assert_eq!(
                        item["tradeLineItems"][0]["harmonisedTariffclassCode"],
                        "0902.30"
                    );
                    assert!(
                        rows.contains(&json!([
                            "includedConsignmentItems.0.tradeLineItems.0.harmonisedTariffclassCode",
                            "0902.30",
                            true
                        ])),
                        "{}",
                        at("rows")
                    );
                }
                _ => {
                    assert_eq!(
                        credential["credentialStatus"]["type"],
                        "TransferableRecords"
                    );
                    assert!(
                        seen["title"].as_str().unwrap().contains(owner),
                        "{}",
                        at("title")
                    );
                    let (kind_type, row) = match kind {
                        "BILL_OF_LADING" => (
                            "BillOfLading",
                            json!(["vessel", "MV Lion City Spirit", true]),
                        ),
                        "BILL_OF_LADING_CARRIER" => {
                            ("BillOfLadingCarrier", json!(["scac", "LCSL", true]))
                        }
                        "WAREHOUSE_RECEIPT" => (
                            "WarehouseReceipt",
                            json!(["goods.0.brand", "Musang King, cartons", true]),
                        ),
                        _ => {
                            // Issued with a link to itself, on the portal's address.
                            let link = credential["qrCode"]["uri"].as_str().unwrap_or_default();
                            assert!(
                                link.starts_with(&format!("{}/?q=", server.base)),
                                "{}",
                                at("link")
                            );
                            ("PromissoryNote", json!(["amount", "10680", true]))
                        }
                    };
                    assert_eq!(
                        credential["credentialSubject"]["type"],
                        json!([kind_type]),
                        "{}",
                        at("type")
                    );
                    assert!(rows.contains(&row), "{}", at("rows"));
                }
            }
            issued_files.push(out);
        }
    }
    // TrustVC verifies each file as downloaded, the titles through the server's registry.
    let paths: Vec<&str> = issued_files.iter().map(|f| f.to_str().unwrap()).collect();
    let theirs = common::compat_script(
        "oracle-w3c.mjs",
        &[&["verify", world_arg], &paths[..]].concat(),
        &[("ORACLE_RPC_URL", rpc.as_str())],
        String::new(),
    );
    for (path, verdict) in paths.iter().zip(&theirs) {
        assert_eq!(verdict["verdict"], "VALID", "{path}: {verdict}");
    }
}

/// The page a product's QR code opens, on a phone and on a desk: a good item says it is fine
/// to buy in green, a recalled one says not to and why in red, an unknown code says so in
/// neither colour; each fits the screen and loads nothing but itself.
#[test]
fn the_shopper_page_says_fine_to_buy_or_exactly_why_not_on_a_phone() {
    let mut rng = common::rng(31);
    let chain = corridor_tracegen::generate(&mut rng, 6, 20);
    let work = Workdir::new();
    common::trace::record(&work, &chain);
    let server = Served::start(&work, &["--offline"]);
    let unsold = |lot: &str| -> String {
        let item = common::trace::unsold_item(&chain, lot);
        item.strip_prefix("https://id.gs1.org").unwrap().to_owned()
    };
    let good = unsold("/10/L000X");
    let recalled = unsold("/10/L005X");
    let unknown = format!("/01/{}/21/NEVER", corridor_tracegen::key("0695123400009"));
    for viewport in ["390x844", "1280x900"] {
        let env = [("VIEWPORT", viewport)];
        let seen = seen_with(&server, "shopper", &[&good], &env);
        assert_eq!(seen["status"], 200);
        assert_eq!(seen["verdict"]["class"], "verdict sell", "{seen}");
        assert!(
            seen["verdict"]["text"]
                .as_str()
                .unwrap()
                .starts_with("Fine to buy"),
            "{seen}"
        );
        assert_eq!(seen["verdict"]["colour"], "rgb(223, 243, 228)");
        assert!(seen["journey"].as_u64().unwrap() >= 8, "{seen}");
        assert!(seen["bytes"].as_u64().unwrap() < 16_000, "{seen}");
        assert_eq!(seen["layout"]["shown"], json!([]), "{viewport}: {seen}");

        let seen = seen_with(&server, "shopper", &[&recalled], &env);
        assert_eq!(seen["verdict"]["class"], "verdict stop", "{seen}");
        assert_eq!(seen["reasons"], json!(["recalled"]));
        assert!(
            seen["verdict"]["text"]
                .as_str()
                .unwrap()
                .contains("was recalled"),
            "{seen}"
        );
        assert_eq!(seen["verdict"]["colour"], "rgb(253, 226, 225)");
        assert_eq!(seen["layout"]["shown"], json!([]), "{viewport}: {seen}");

        let seen = seen_with(&server, "shopper", &[&unknown], &env);
        assert_eq!(seen["verdict"]["class"], "verdict unknown", "{seen}");
        assert!(
            seen["verdict"]["text"]
                .as_str()
                .unwrap()
                .starts_with("Not known"),
            "{seen}"
        );
        assert_ne!(seen["verdict"]["colour"], "rgb(223, 243, 228)");
        assert_eq!(seen["layout"]["shown"], json!([]), "{viewport}: {seen}");
    }
}

#[test]
fn the_trace_page_checks_a_code_shows_a_lots_chain_and_records_an_event_on_a_phone() {
    let mut rng = common::rng(57);
    let chain = corridor_tracegen::generate(&mut rng, 6, 12);
    let work = Workdir::new();
    common::trace::record(&work, &chain);
    let operator = work
        .ok(&["token", "new", "ops", "--scope", "trace"])
        .trim()
        .to_owned();
    let server = Served::start(
        &work,
        &[
            "--offline",
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            "trace.corridor.test",
        ],
    );
    let good = common::trace::unsold_item(&chain, "/10/L000X");
    let recalled = common::trace::unsold_item(&chain, "/10/L005X");
    let unknown = format!(
        "urn:epc:id:sgtin:0695123.400000.NEVER{}",
        corridor_tracegen::key("0")
    );
    let lot = chain.lot_of[&good].clone();
    let items_of_lot = chain
        .lot_of
        .iter()
        .filter(|(object, of)| **of == lot && object.contains("/21/"))
        .count();
    for viewport in ["390x844", "1280x900"] {
        let env = [("VIEWPORT", viewport)];
        // A good item: green, and its shopper page linked.
        let seen = seen_with(&server, "trace-check", &[&good], &env);
        assert_eq!(seen["verdict"]["class"], "verdict sell", "{seen}");
        assert_eq!(seen["verdict"]["colour"], "rgb(23, 102, 58)");
        assert_eq!(
            seen["page"].as_str(),
            good.strip_prefix("https://id.gs1.org")
        );
        // Headless Chromium on Linux has no barcode detector: typing is the way.
        assert_eq!(seen["scanShown"], false);
        assert_eq!(seen["layout"]["checked"], json!([]), "{viewport}: {seen}");
        // A recalled one: red, saying why.
        let seen = seen_with(&server, "trace-check", &[&recalled], &env);
        assert_eq!(seen["verdict"]["class"], "verdict stop", "{seen}");
        // (Once the form below has recorded an event no party vouches for on it, that too.)
        assert_eq!(seen["reasons"][0], "recalled", "{seen}");
        assert_eq!(seen["verdict"]["colour"], "rgb(179, 38, 30)");
        // An unknown code: amber, never the green of a confirmed answer.
        let seen = seen_with(&server, "trace-check", &[&unknown], &env);
        assert_eq!(seen["verdict"]["class"], "verdict unknown", "{seen}");
        assert!(
            seen["verdict"]["text"]
                .as_str()
                .unwrap()
                .starts_with("Not known"),
            "{seen}"
        );
        assert_eq!(seen["verdict"]["colour"], "rgb(255, 243, 220)");
        assert_eq!(seen["layout"]["checked"], json!([]), "{viewport}: {seen}");

        // The lot's chain: clean, its farm's origin, and every item made from it.
        let seen = seen_with(&server, "trace-graph", &[&lot], &env);
        assert!(
            seen["verdict"].as_str().unwrap().starts_with("Clean"),
            "{seen}"
        );
        assert_eq!(seen["origins"].as_array().unwrap().len(), 1, "{seen}");
        assert!(
            seen["items"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{items_of_lot} item(s)")),
            "{seen}"
        );
        assert!(!seen["units"].as_array().unwrap().is_empty(), "{seen}");
        assert_eq!(seen["layout"]["graph"], json!([]), "{viewport}: {seen}");

        // An event recorded through the form is signed, kept and found by a query (on the
        // recalled item: an event no party vouches for would break a good one's chain).
        let seen = seen_with(
            &server,
            "trace-record",
            &[&operator, &recalled, "inspecting"],
            &env,
        );
        let id = seen["recorded"]
            .as_str()
            .unwrap_or_else(|| panic!("{seen}"));
        assert!(id.starts_with("ni:///sha-256;"), "{seen}");
        assert_eq!(
            seen["layout"]["record form"],
            json!([]),
            "{viewport}: {seen}"
        );
        let (status, found) = server.call(
            "GET",
            &format!(
                "/events?{}",
                serde_urlencoded::to_string([("EQ_eventID", id), ("EQ_bizStep", "inspecting")])
                    .unwrap()
            ),
            None,
            Some(&operator),
        );
        assert_eq!(status, 200);
        let event = &found["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0];
        assert_eq!(
            event["sensorElementList"][0]["sensorReport"][0]["value"],
            4.5
        );
    }
}

#[test]
fn a_partner_looks_a_company_up_and_sees_its_checked_profile_and_what_was_withheld() {
    use common::company::{SG_HOST, issue, provider, world};
    let work = Workdir::new();
    let records = common::company::imported(&work, 11, 4);
    let document = provider(&work, "provider", "p256", SG_HOST);
    issue(&work, "provider", SG_HOST, &[]);
    common::company::keep_policies(&work);
    let token = |name: &str, policy: &str| {
        work.ok(&[
            "token",
            "new",
            name,
            "--scope",
            "companies",
            "--policy",
            policy,
        ])
        .trim()
        .to_string()
    };
    let (cq_credit, sg_kyc) = (
        token("cq-credit", "test-sg-cn"),
        token("sg-kyc", "test-cn-sg"),
    );
    let world = world(&work, &[(SG_HOST, &document)], "world");
    let server = Served::start(&work, &["--world", world.to_str().unwrap()]);
    let singapore = &records[0];
    let uen = singapore["identifiers"]["uen"].as_str().unwrap();
    let legal = singapore["name"]["legal"].as_str().unwrap();
    let numbers: Vec<&str> = singapore["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["person"]["id"]["number"].as_str().unwrap())
        .collect();
    let chongqing = records[1]["id"].as_str().unwrap();
    for viewport in ["390x844", "1280x900"] {
        let env = [("VIEWPORT", viewport)];
        // A Singapore company under a consent: its copy checked, green, its profile laid out,
        // identity numbers nowhere, what was withheld said with the reasons.
        let seen = seen_with(
            &server,
            "companies",
            &[&cq_credit, uen, "consent:C-2026-0042"],
            &env,
        );
        assert_eq!(
            seen["layout"]["companies form"],
            json!([]),
            "{viewport}: {seen}"
        );
        assert_eq!(
            seen["layout"]["companies found"],
            json!([]),
            "{viewport}: {seen}"
        );
        let company = &seen["companies"][0];
        assert_eq!(company["company"], singapore["id"], "{seen}");
        assert_eq!(company["look"], "valid", "{seen}");
        assert_eq!(company["colour"], "rgb(23, 102, 58)");
        assert_eq!(
            company["checks"],
            json!(["VALID", "VALID", "VALID"]),
            "{seen}"
        );
        assert!(
            company["heading"].as_str().unwrap().contains(legal),
            "{seen}"
        );
        let shown: Vec<(&str, &str)> = company["document"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row[0].as_str().unwrap(), row[1].as_str().unwrap()))
            .collect();
        assert!(shown.contains(&("profile.name.legal", legal)), "{seen}");
        assert!(shown.contains(&("profile.identifiers.uen", uen)), "{seen}");
        for number in &numbers {
            assert!(
                shown.iter().all(|(_, v)| !v.contains(number)),
                "{number} shown: {seen}"
            );
        }
        assert!(
            company["withheld"]
                .as_str()
                .unwrap()
                .contains("under the policy test-sg-cn"),
            "{seen}"
        );
        assert!(
            company["reasons"]
                .as_array()
                .unwrap()
                .contains(&json!("never")),
            "{seen}"
        );

        // A Chongqing company under a policy that needs a basis not given: refused, in the
        // amber of a note, never green.
        let seen = seen_with(&server, "companies", &[&sg_kyc, chongqing], &env);
        let company = &seen["companies"][0];
        assert!(
            company["refusal"]
                .as_str()
                .unwrap()
                .contains("Refused under the policy test-cn-sg"),
            "{seen}"
        );
        assert_eq!(company["refusalColour"], "rgb(255, 243, 220)");
        assert!(company["verdict"].is_null(), "{seen}");
        assert_eq!(
            seen["layout"]["companies found"],
            json!([]),
            "{viewport}: {seen}"
        );

        // No token: said, and nothing shown.
        let seen = seen_with(&server, "companies", &["", uen], &env);
        assert!(
            seen["error"].as_str().unwrap().contains("API token"),
            "{seen}"
        );
        assert_eq!(seen["companies"], json!([]));
    }
    // A node that cannot check the copy (offline, no world): amber, never the green of a
    // confirmed one.
    let offline = Served::start(&work, &["--offline"]);
    let seen = seen(&offline, "companies", &[&cq_credit, uen, "consent:C-1"]);
    let company = &seen["companies"][0];
    assert_ne!(company["look"], "valid", "{seen}");
    assert_ne!(company["colour"], "rgb(23, 102, 58)", "{seen}");
}
