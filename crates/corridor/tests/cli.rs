//! The command line as a user meets it: verdicts and exit codes, bad input, and wraps that
//! fail without leaving anything half-written.

mod common;

use std::path::Path;

use common::reference::{self, Integrity};
use common::*;
use serde_json::{Value, json};

fn run(args: &[&str], paths: &[&Path]) -> (i32, String, String) {
    let out = corridor().args(args).args(paths).output().unwrap();
    let code = out.status.code().expect("exited, not killed by a signal");
    (
        code,
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn reports(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn integrity(report: &Value) -> &str {
    report["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "OpenAttestationHash")
        .unwrap()["status"]
        .as_str()
        .unwrap()
}

#[test]
fn verify_json_agrees_with_the_reference_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<_> = reference::all().collect();
    let files: Vec<_> = cases.iter().map(|c| c.write_in(tmp.path())).collect();
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (code, stdout, _) = run(&["verify", "--offline", "--json"], &paths);
    assert_eq!(code, 1, "some documents are not valid");
    let reports = reports(&stdout);
    assert_eq!(reports.len(), cases.len());
    assert!(reports.len() >= 50, "{} documents checked", reports.len());
    for ((case, file), report) in cases.iter().zip(&files).zip(&reports) {
        let name = &case.name;
        assert_eq!(report["file"], json!(file.display().to_string()));
        let got = integrity(report);
        assert!(
            case.integrity.admits(got),
            "{name}: {got}, reference {:?}",
            case.integrity
        );
        assert_eq!(
            report["valid"],
            json!(matches!(case.integrity, Integrity::Valid(_))),
            "{name}"
        );
        for f in report["fragments"].as_array().unwrap() {
            if f["status"] != "VALID" {
                assert!(
                    f["reason"]["message"]
                        .as_str()
                        .is_some_and(|m| !m.is_empty()),
                    "{name}: {f}"
                );
                assert!(f["reason"]["codeString"].is_string() && f["reason"]["code"].is_u64());
            }
        }
    }
}

#[test]
fn exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let valid = reference::document("valid/single-0.json").write_in(tmp.path());
    let tampered = reference::document("tampered/value-changed.json").write_in(tmp.path());
    assert_eq!(run(&["verify", "--offline"], &[&valid]).0, 0);
    assert_eq!(run(&["verify", "--offline"], &[&valid, &tampered]).0, 1);
    assert_eq!(
        run(&["verify", "--offline"], &[]).0,
        2,
        "no input is a usage error"
    );
    assert_eq!(run(&["verify", "--bogus"], &[&valid]).0, 2);
    let (code, _, stderr) = run(&["wrap"], &[&valid]);
    assert_eq!(code, 2, "wrap needs a destination: {stderr}");
    // A keccak path forced for measurement that does not exist: said at once, nothing done.
    let out = corridor()
        .env("CORRIDOR_KECCAK_LANES", "avx9")
        .args(["verify", "--offline"])
        .arg(&valid)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("CORRIDOR_KECCAK_LANES") && stderr.contains("scalar or avx2"),
        "{stderr}"
    );
}

/// The README's convention, command by command: 0 done, 1 a definite no, 2 usage or setup,
/// 3 the outside world not asked; with --json, the error is JSON on standard output.
#[test]
fn every_command_keeps_the_exit_code_convention() {
    let work = Workdir::new();
    let code = |args: &[&str]| {
        let out = work.run(args);
        (
            out.status.code().expect("exited"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let hash = "ab".repeat(32);
    // Usage and setup: a key variable not set, a token id that is none, no registry.
    let (c, _, e) = code(&[
        "sign",
        "--private-key-env",
        "NOT_SET",
        "--out",
        "x.jsonl",
        "x.json",
    ]);
    assert_eq!(c, 2, "{e}");
    let (c, _, e) = code(&["title", "status", "0xzz"]);
    assert_eq!(c, 2, "{e}");
    let (c, out, e) = code(&["title", "status", "42", "--json"]);
    assert_eq!(c, 2, "{e}");
    let error: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("JSON: {out}"));
    assert_eq!(error["error"]["code"], "usage");
    assert_eq!(error["error"]["exit"], 2);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no title registry"),
        "{error}"
    );
    // A definite no: never issued, in the embedded store; hashes with or without 0x.
    let (c, out, e) = code(&["status", &hash]);
    assert_eq!(
        (c, out.trim_end().ends_with("not issued in this ledger")),
        (1, true),
        "{out}{e}"
    );
    let (c, out, _) = code(&["status", &format!("0x{hash}")]);
    assert_eq!(
        (c, out.contains(&format!("hash         {hash}"))),
        (1, true),
        "{out}"
    );
    // The outside world: a chain that does not answer.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let (c, _, e) = code(&[
        "status",
        &hash,
        "--document-store",
        "0x0000000000000000000000000000000000000001",
        "--rpc-url",
        &closed,
        "--network-chain-id",
        "1337",
        "--rpc-timeout",
        "1",
    ]);
    assert_eq!(c, 3, "{e}");
    assert!(e.contains("connection refused"), "the cause is kept: {e}");
}

/// `--timeout` bounds a whole lookup at a nameserver that never answers: its retries and
/// the move to TCP included (before, about three times the timeout went by).
#[test]
fn a_silent_nameserver_costs_the_timeout_and_no_more() {
    let work = Workdir::new();
    let raw = json!({"issuers": [{"name": "Carrier", "documentStore": "0x0c9d5E6C766030cc6f0f49951D275Ad0701F81EC",
                                  "identityProof": {"type": "DNS-TXT", "location": "silent.corridor.test"}}]});
    write_lines(&work.path("raw.jsonl"), &[raw]);
    work.ok(&["wrap", "--out", "wrapped.jsonl", "raw.jsonl"]);
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let nameserver = silent.local_addr().unwrap().to_string();
    let started = std::time::Instant::now();
    let out = work.run(&[
        "verify",
        "--json",
        "--dns",
        &nameserver,
        "--timeout",
        "2",
        "wrapped.jsonl",
    ]);
    let waited = started.elapsed();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let identity = report["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "OpenAttestationDnsTxtIdentityProof")
        .unwrap();
    assert_eq!(identity["status"], "ERROR", "{report}");
    assert!(
        waited < std::time::Duration::from_millis(3500),
        "a 2 s timeout took {waited:?}"
    );
}

#[test]
fn chain_options_are_listed_apart_in_help() {
    let out = corridor()
        .args(["title", "endorse", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let (general, chain) = help.split_once("On a chain:").expect("a chain heading");
    for flag in [
        "--network <",
        "--rpc-url <",
        "--confirmations <",
        "--rpc-timeout <",
    ] {
        assert!(
            chain.contains(flag) && !general.contains(flag),
            "{flag}: {help}"
        );
    }
    for flag in ["--to <", "--remark <", "--key <", "--json\n"] {
        assert!(
            general.contains(flag) && !chain.contains(flag),
            "{flag}: {help}"
        );
    }
}

#[test]
fn malformed_files_get_an_error_naming_file_and_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let deep = tmp.path().join("deep.json");
    std::fs::write(&deep, "[".repeat(100_000) + &"]".repeat(100_000)).unwrap();
    let huge = tmp.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let huge_lines = tmp.path().join("huge.jsonl");
    std::fs::File::create(&huge_lines)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let missing = tmp.path().join("missing.json");

    let mut files: Vec<_> = reference::all()
        .filter(|c| c.integrity == Integrity::Malformed)
        .map(|c| c.write_in(tmp.path()))
        .collect();
    assert!(!files.is_empty());
    files.extend([deep.clone(), huge.clone(), huge_lines.clone()]);
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (code, stdout, _) = run(&["verify", "--offline", "--json"], &paths);
    assert_eq!(code, 1);
    let reports = reports(&stdout);
    assert_eq!(reports.len(), files.len());
    for (file, report) in files.iter().zip(&reports) {
        assert!(
            report["file"]
                .as_str()
                .unwrap()
                .starts_with(&file.display().to_string())
        );
        assert_eq!(report["valid"], json!(false));
        let status = integrity(report);
        assert!(
            status == "ERROR" || status == "INVALID",
            "{}: {status}",
            file.display()
        );
    }
    let message = |i: usize| {
        reports[i]["fragments"][0]["reason"]["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let n = files.len();
    assert!(
        message(n - 3).contains("nested more than 128 levels"),
        "{}",
        message(n - 3)
    );
    assert!(
        message(n - 2).contains("more than the 67108864"),
        "{}",
        message(n - 2)
    );
    assert!(
        message(n - 1).contains("longer than the 67108864"),
        "{}",
        message(n - 1)
    );

    let (code, stdout, _) = run(&["verify", "--offline"], &[&missing]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("missing.json") && stdout.contains("cannot open"),
        "{stdout}"
    );
}

fn raw(name: &str) -> Value {
    json!({"issuers": [{"name": name, "documentStore": "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca",
                        "identityProof": {"type": "DNS-TXT", "location": "example.com"}}],
           "shipper": {"name": "S", "address": {"city": "Singapore"}}, "weights": [1.5, 1e21]})
}

#[test]
fn wrap_then_verify_obfuscate_and_read_back() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    for i in 0..5 {
        std::fs::write(
            inputs.join(format!("doc-{i}.json")),
            raw(&format!("Issuer {i}")).to_string(),
        )
        .unwrap();
    }
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = run(&["wrap", "--out-dir"], &[&out, &inputs]);
    assert_eq!(code, 0, "{stderr}");
    let root = stdout.trim();
    assert_eq!(root.len(), 64);
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names.len(),
        5,
        "one file per document and nothing else: {names:?}"
    );
    let doc: Value =
        serde_json::from_slice(&std::fs::read(out.join("doc-3.json")).unwrap()).unwrap();
    assert_eq!(doc["signature"]["merkleRoot"], json!(root));
    // Five leaves: four have three siblings on the way up, the odd one out only one.
    let proof_lengths: usize = names
        .iter()
        .map(|n| {
            let d: Value = serde_json::from_slice(&std::fs::read(out.join(n)).unwrap()).unwrap();
            d["signature"]["proof"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(proof_lengths, 3 + 3 + 3 + 3 + 1);
    assert_eq!(run(&["verify", "--offline"], &[&out]).0, 0);

    let hidden = tmp.path().join("hidden.json");
    let (code, _, stderr) = run(
        &["obfuscate", "--field", "shipper.address", "--out"],
        &[&hidden, &out.join("doc-3.json")],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(run(&["verify", "--offline"], &[&hidden]).0, 0);
    let (_, data, _) = run(&["data"], &[&hidden]);
    let mut expected = raw("Issuer 3");
    expected["shipper"]
        .as_object_mut()
        .unwrap()
        .remove("address");
    assert_eq!(serde_json::from_str::<Value>(&data).unwrap(), expected);

    let (code, _, stderr) = run(&["obfuscate", "--field", "shipper.phone"], &[&hidden]);
    assert_eq!(code, 2, "a field that is not there is a bad argument");
    assert!(
        stderr.contains("hidden.json") && stderr.contains("shipper.phone"),
        "{stderr}"
    );
}

#[test]
fn individual_batches_are_their_own_roots() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("raw.jsonl");
    write_lines(&input, &[raw("A"), raw("B"), raw("C")]);
    let out = tmp.path().join("wrapped.jsonl");
    let (code, stdout, _) = run(&["wrap", "--individual", "--out"], &[&out, &input]);
    assert_eq!(code, 0);
    let docs = read_lines(&out);
    assert_eq!(stdout.lines().count(), 3);
    for (doc, root) in docs.iter().zip(stdout.lines()) {
        assert_eq!(
            doc["signature"]["merkleRoot"],
            doc["signature"]["targetHash"]
        );
        assert_eq!(doc["signature"]["merkleRoot"], json!(root));
        assert_eq!(doc["signature"]["proof"], json!([]));
    }
}

#[test]
fn a_failed_wrap_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("raw.jsonl");
    let mut bad = raw("B");
    bad["issuers"][0]["documentStore"] = json!("0x12");
    write_lines(&input, &[raw("A"), raw("A2"), bad]);

    let out_file = tmp.path().join("wrapped.jsonl");
    std::fs::write(&out_file, "precious").unwrap();
    let (code, _, stderr) = run(&["wrap", "--out"], &[&out_file, &input]);
    assert_eq!(code, 2, "an input that is not a document is a usage error");
    assert!(
        stderr.contains("raw.jsonl:3") && stderr.contains("data.issuers[0].documentStore"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap(),
        "precious",
        "the old output is untouched"
    );

    let out_dir = tmp.path().join("out");
    let (code, _, _) = run(&["wrap", "--out-dir"], &[&out_dir, &input]);
    assert_eq!(code, 2);
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        0,
        "no file, no temporary left"
    );
    let leftovers = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".corridor")
        })
        .count();
    assert_eq!(leftovers, 0);

    let dotted = tmp.path().join("dotted.json");
    let mut doc = raw("D");
    doc["a.b"] = json!(1);
    std::fs::write(&dotted, doc.to_string()).unwrap();
    let (code, _, stderr) = run(&["wrap", "--out"], &[&out_file, &dotted]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("dotted.json") && stderr.contains("\"a.b\""),
        "{stderr}"
    );

    let twin_dir = tmp.path().join("twin");
    std::fs::create_dir(&twin_dir).unwrap();
    std::fs::write(twin_dir.join("raw.json"), raw("T").to_string()).unwrap();
    std::fs::write(tmp.path().join("raw.json"), raw("T").to_string()).unwrap();
    let (code, _, stderr) = run(
        &["wrap", "--out-dir"],
        &[
            &out_dir,
            &tmp.path().join("raw.json"),
            &twin_dir.join("raw.json"),
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("also becomes raw.json"), "{stderr}");
}
