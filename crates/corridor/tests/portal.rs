//! The portal in a real browser: `corridor serve` on a loopback port, driven in Debian's
//! headless Chromium by `compat/portal.mjs` (playwright-core, pinned). Chromium is installed
//! by `scripts/setup-browser`, which `scripts/test` runs; without it these tests fail.

mod common;

use common::{Served, Workdir};
use serde_json::Value;

/// What a person sees on the portal after giving it `file` (`how`: verify-file, verify-paste).
fn seen(server: &Served, how: &str, file: &std::path::Path) -> Value {
    let out = std::process::Command::new("node")
        .arg(common::repo().join("compat/portal.mjs"))
        .args([how, &server.base, file.to_str().unwrap()])
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser did not run (scripts/setup-browser installs Chromium): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        seen["failures"],
        serde_json::json!([]),
        "the page failed: {seen}"
    );
    seen
}

fn fixture(name: &str) -> std::path::PathBuf {
    common::repo().join("../shared/fixtures/oa-v2").join(name)
}

#[test]
fn a_valid_document_is_shown_valid_with_its_contents() {
    let work = Workdir::new();
    let server = Served::start(&work, &["--offline"]);
    let seen = seen(&server, "verify-file", &fixture("signed/signed-0.json"));
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
    // Its fields, unsalted, as the issuer wrote them.
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("signed/signed-0.json")).unwrap()).unwrap();
    let data = corridor_format::unsalt_data(&document["data"]).unwrap();
    let rows = seen["document"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let path = row[0].as_str().unwrap();
        let value = data
            .pointer(&format!("/{}", path.replace('.', "/")))
            .unwrap_or_else(|| panic!("{path} is not in the data"));
        let shown = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(row[1].as_str().unwrap(), shown, "{path}");
    }
}

#[test]
fn a_tampered_document_is_shown_as_such_and_its_contents_are_not() {
    let work = Workdir::new();
    let server = Served::start(&work, &["--offline"]);
    let tampered = std::fs::read_dir(fixture("tampered"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !p.to_string_lossy().contains("version-changed-only"))
        .unwrap();
    let seen = seen(&server, "verify-paste", &tampered);
    assert_eq!(seen["verdict"], "This document is NOT valid.");
    assert_eq!(seen["checks"][0]["status"], "INVALID");
    assert!(
        seen["untrusted"]
            .as_str()
            .unwrap()
            .contains("cannot be trusted")
    );
    assert_eq!(seen["document"], serde_json::json!([]));
    // Something that is not a document at all is said to be so.
    let not_json = work.path("note.txt");
    std::fs::write(&not_json, "hello").unwrap();
    let seen = self::seen(&server, "verify-file", &not_json);
    assert!(
        seen["error"].as_str().unwrap().contains("not a document"),
        "{seen}"
    );
}
