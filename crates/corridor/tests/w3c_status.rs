//! W3C status lists Corridor keeps (issue 16): made and signed with `corridor status-list new`,
//! their entries handed out by `corridor sign --status-list`, revoked, suspended and resumed,
//! each change signed again, published by `corridor serve` — and verified by TrustVC and by
//! Corridor alike: revoked as revoked, suspended as suspended, resumed as valid; a list that
//! answers garbage, is forged, or whose server is down is an ERROR, never "revoked".

mod common;

use common::w3c::{
    KEY_PASSWORD as PASSWORD, bill_of_lading, corridor_verdicts, disagreements, unlocked_ok as ok,
    world_folder,
};
use common::{Served, Workdir, compat_script_split};
use serde_json::{Value, json};

const HOST: &str = "lists.corridor.test";
fn url(path: &str) -> String {
    format!("https://{HOST}{path}")
}

/// A world of the DID document and the lists as `corridor status-list show --signed` gives them,
/// with `replace` (URL → text) answering instead.
fn world_of(
    work: &Workdir,
    did_document: &Value,
    lists: &[String],
    replace: &[(&str, &str)],
) -> std::path::PathBuf {
    let mut files = vec![(url("/.well-known/did.json"), did_document.to_string())];
    for list in lists {
        let text = replace.iter().find(|(u, _)| *u == list).map_or_else(
            || ok(work, &["status-list", "show", list, "--signed"]),
            |(_, t)| t.to_string(),
        );
        files.push((list.clone(), text));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(u, t)| (u.as_str(), t.as_str()))
        .collect();
    world_folder(
        &work.path(&format!("world-{}", replace.len())),
        &files,
        true,
    )
}

#[test]
fn revoked_suspended_and_resumed_entries_read_as_trustvc_reads_them() {
    let work = Workdir::new();
    ok(&work, &["key", "new", "p", "--type", "p256"]);
    ok(&work, &["key", "new", "b", "--type", "bls12-381"]);
    let did = format!("did:web:{HOST}");
    let document: Value = serde_json::from_str(&ok(
        &work,
        &["did", "document", &did, "--key", "p", "--key", "b"],
    ))
    .unwrap();
    let (p, b) = (format!("{did}#keys-1"), format!("{did}#keys-2"));
    let revocation = url("/status/revocation");
    let suspension = url("/status/suspension");
    ok(
        &work,
        &[
            "status-list",
            "new",
            &revocation,
            "--purpose",
            "revocation",
            "--key",
            "p",
            "--verification-method",
            &p,
        ],
    );
    ok(
        &work,
        &[
            "status-list",
            "new",
            &suspension,
            "--purpose",
            "suspension",
            "--entries",
            "1024",
            "--key",
            "b",
            "--verification-method",
            &b,
        ],
    );

    // Six bills of lading on each list, signed by either suite.
    let mut rng = common::rng(77);
    let mut lines = String::new();
    for _ in 0..6 {
        lines.push_str(&format!("{}\n", bill_of_lading(&mut rng, &did)));
    }
    std::fs::write(work.path("bols.jsonl"), lines).unwrap();
    for (list, suite, key, method) in [
        (&revocation, "ecdsa-sd-2023", "p", &p),
        (&suspension, "bbs-2023", "b", &b),
    ] {
        let out = work.path(&format!("signed-{suite}"));
        // Issuing is signing with a status entry, which `corridor issue` requires.
        ok(
            &work,
            &[
                if suite == "ecdsa-sd-2023" {
                    "issue"
                } else {
                    "sign"
                },
                "--suite",
                suite,
                "--key",
                key,
                "--verification-method",
                method,
                "--status-list",
                list,
                "--out-dir",
                out.to_str().unwrap(),
                "bols.jsonl",
            ],
        );
    }
    let shown = ok(&work, &["status-list", "show", &revocation]);
    assert!(shown.contains("(6 handed out)"), "{shown}");
    // One by its list and index, one by the credential (its fifth line: index 4).
    ok(&work, &["status-list", "revoke", &revocation, "1"]);
    let fifth = work.path("signed-ecdsa-sd-2023/bols-5.json");
    ok(&work, &["revoke", fifth.to_str().unwrap()]);
    // Without a list, issuing is refused (signing is what that is); a credential on no
    // revocation list cannot be revoked here.
    let run = work
        .command(&[
            "issue",
            "--suite",
            "ecdsa-sd-2023",
            "--key",
            "p",
            "--verification-method",
            &p,
            "--out",
            "x.jsonl",
            "bols.jsonl",
        ])
        .env("CORRIDOR_KEY_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--status-list URL"));
    assert!(!work.path("x.jsonl").exists());
    let suspended_only = work.path("signed-bbs-2023/bols-1.json");
    let run = work
        .command(&["revoke", suspended_only.to_str().unwrap()])
        .env("CORRIDOR_KEY_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no entry on a revocation status list"),
        "{stderr}"
    );
    ok(
        &work,
        &["status-list", "suspend", &suspension, "0", "2", "5"],
    );
    ok(&work, &["status-list", "resume", &suspension, "2"]);
    // A revocation is for good; suspending needs a suspension list.
    for refused in [
        vec!["status-list", "resume", revocation.as_str(), "1"],
        vec!["status-list", "suspend", revocation.as_str(), "1"],
        vec!["status-list", "revoke", revocation.as_str(), "6"],
    ] {
        let run = work
            .command(&refused)
            .env("CORRIDOR_KEY_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert!(!run.status.success(), "{refused:?}");
    }

    let lists = vec![revocation.clone(), suspension.clone()];
    let world = world_of(&work, &document, &lists, &[]);
    let world_arg = world.to_str().unwrap();
    let mut paths = Vec::new();
    for suite in ["ecdsa-sd-2023", "bbs-2023"] {
        for n in 1..=6 {
            paths.push(work.path(&format!("signed-{suite}/bols-{n}.json")));
        }
    }
    let paths: Vec<&str> = paths.iter().map(|p| p.to_str().unwrap()).collect();
    let theirs = compat_script_split("oracle-w3c.mjs", &["verify", world_arg], &[], &paths);
    let ours = corridor_verdicts(&work, &world, &paths);
    let mut found = Vec::new();
    let mut codes = Vec::new();
    for ((path, their), our) in paths.iter().zip(&theirs).zip(&ours) {
        found.extend(disagreements(path, their, our));
        let status = our["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "W3CCredentialStatus")
            .unwrap();
        codes.push(status["reason"]["code"].as_u64().unwrap_or(0));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    // Entries 1 and 4 revoked; 0 and 5 suspended, 2 resumed.
    assert_eq!(codes, [0, 11, 0, 0, 11, 0, 12, 0, 0, 0, 0, 12], "{ours:?}");

    // The lists as published by `corridor serve` are those shown.
    let served = Served::start(&work, &[]);
    for list in &lists {
        let path = list.strip_prefix(&url("")).unwrap();
        let answer = served.send("GET", path, None, None);
        assert_eq!(answer.status, 200, "{path}");
        let shown: Value =
            serde_json::from_str(&ok(&work, &["status-list", "show", list, "--signed"])).unwrap();
        assert_eq!(answer.json, shown, "{list}");
    }
    assert_eq!(served.send("GET", "/status/none", None, None).status, 404);

    // A list that answers garbage, or a forged one (its bits changed after signing): ERROR
    // in both; a list whose server does not answer: ERROR in Corridor, which could not ask.
    let mut forged: Value = serde_json::from_str(&ok(
        &work,
        &["status-list", "show", &revocation, "--signed"],
    ))
    .unwrap();
    forged["credentialSubject"]["encodedList"] =
        json!(corridor_verify::w3c::StatusList::encode(&[0u8; 16384]));
    let forged = forged.to_string();
    for (replace, what) in [("this is not JSON", "garbage"), (forged.as_str(), "forged")] {
        let world = world_of(&work, &document, &lists, &[(revocation.as_str(), replace)]);
        let revoked = [paths[1]];
        let theirs = compat_script_split(
            "oracle-w3c.mjs",
            &["verify", world.to_str().unwrap()],
            &[],
            &revoked,
        );
        let ours = corridor_verdicts(&work, &world, &revoked);
        let found = disagreements(what, &theirs[0], &ours[0]);
        assert!(found.is_empty(), "{}", found.join("\n"));
        let status = |v: &Value| {
            v["fragments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == "W3CCredentialStatus")
                .unwrap()["status"]
                .clone()
        };
        assert_eq!(status(&ours[0]), "ERROR", "{what}: {}", ours[0]);
    }

    // A list whose server does not answer: Corridor could not ask, so it says so (ERROR, exit 3).
    let mut credential = bill_of_lading(&mut rng, &did);
    credential["credentialStatus"] = json!({
        "id": "http://127.0.0.1:9/status/1#0", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "0",
        "statusListCredential": "http://127.0.0.1:9/status/1",
    });
    std::fs::write(work.path("down.json"), credential.to_string()).unwrap();
    ok(
        &work,
        &[
            "sign",
            "--suite",
            "ecdsa-sd-2023",
            "--key",
            "p",
            "--verification-method",
            &p,
            "--out-dir",
            "down",
            "down.json",
        ],
    );
    let partial = world_folder(
        &work.path("partial-world"),
        &[(&url("/.well-known/did.json"), &document.to_string())],
        false,
    );
    let run = work.run(&[
        "verify",
        "--json",
        "--world",
        partial.to_str().unwrap(),
        "down/down.json",
    ]);
    let verdict: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(run.status.code(), Some(3), "{verdict}");
    let status = verdict["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "W3CCredentialStatus")
        .unwrap();
    assert_eq!(status["status"], "ERROR", "{verdict}");
    assert!(
        status["reason"]["message"]
            .as_str()
            .unwrap()
            .contains("could not be fetched"),
        "{status}"
    );
}
