//! The store through the command line: issue, status, revoke, audit, and a batch issue killed
//! midway; on the SQLite file, or on PostgreSQL (`CORRIDOR_TEST_STORE=postgres`).

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{TEST_ADDRESS as ADDRESS, Workdir, read_lines, write_lines};
use serde_json::{Value, json};

struct Setup {
    work: Workdir,
}

common::derefs_to_workdir!(Setup);

impl Setup {
    fn new() -> Setup {
        Setup {
            work: Workdir::new(),
        }
    }

    /// Rows of `table` in the store.
    fn count(&self, table: &str) -> i64 {
        self.connect_store()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }
}

fn raw_documents(count: usize) -> Vec<Value> {
    let did = format!("did:ethr:{ADDRESS}");
    (0..count)
        .map(|i| {
            json!({"issuers": [{"id": did, "name": "Lion City Shipping", "revocation": {"type": "NONE"},
                                "identityProof": {"type": "DID", "key": format!("{did}#controller")}}],
                   "blNumber": format!("LCS-{i:08}")})
        })
        .collect()
}

fn issue_args<'a>(out: &'a str, input: &'a str) -> Vec<&'a str> {
    vec![
        "issue",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--issuer",
        "lion-city",
        "--out",
        out,
        input,
    ]
}

#[test]
fn issue_status_revoke_and_audit() {
    let setup = Setup::new();
    write_lines(&setup.path("raw.jsonl"), &raw_documents(4));
    setup.ok(&["wrap", "--out-dir", "wrapped", "raw.jsonl"]);
    let roots = setup.ok(&[
        "issue",
        "--private-key-env",
        "TEST_PRIVATE_KEY",
        "--issuer",
        "lion-city",
        "--out-dir",
        "issued",
        "wrapped",
    ]);
    let root = roots.trim().to_string();
    assert_eq!(root.len(), 64);
    assert_eq!(setup.count("issued"), 1);
    assert_eq!(setup.count("documents"), 4);

    // the signed documents verify, and their status is issued
    assert!(
        setup
            .run(&["verify", "--offline", "issued"])
            .status
            .success()
    );
    let status = setup.ok(&["status", "issued/raw-1.json"]);
    assert!(status.contains("issued by lion-city"), "{status}");
    assert!(status.ends_with("issued, not revoked\n"), "{status}");

    // issuing the same batch again records nothing new, and says so
    let audited = setup.count("audit");
    let out = setup.run(&issue_args("again.jsonl", "wrapped"));
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(&format!(
            "1 issued already by lion-city, left as they are: {root}"
        )),
        "{said}"
    );
    assert!(said.contains("0 root(s) recorded now"), "{said}");
    assert_eq!((setup.count("issued"), setup.count("audit")), (1, audited));

    // revoking the node above document 1 revokes the two documents under it, not the others
    let path_of = |file: &str| {
        let doc: Value = serde_json::from_slice(&std::fs::read(setup.path(file)).unwrap()).unwrap();
        let hash = |v: &Value| corridor_format::Hash32::from_node_hex(v.as_str().unwrap()).unwrap();
        let proof: Vec<_> = doc["signature"]["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(hash)
            .collect();
        corridor_format::merkle::path_from_proof(&hash(&doc["signature"]["targetHash"]), &proof)
    };
    let node = path_of("issued/raw-1.json")[1];
    setup.ok(&[
        "revoke",
        &node.to_hex(),
        "--reason",
        "cessation-of-operation",
        "--note",
        "lost at sea",
    ]);
    let mut revoked_count = 0;
    for file in ["raw-1", "raw-2", "raw-3", "raw-4"] {
        let file = format!("issued/{file}.json");
        let revoked = path_of(&file).contains(&node);
        revoked_count += usize::from(revoked);
        let out = setup.run(&["status", &file]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.success(), !revoked, "{file}: {text}");
        assert_eq!(
            text.contains("REVOKED by lion-city"),
            revoked,
            "{file}: {text}"
        );
        if revoked {
            assert!(
                text.contains("(CESSATION_OF_OPERATION): lost at sea"),
                "{text}"
            );
        }
    }
    assert_eq!(revoked_count, 2);
    // revoking it again (0x or not) changes nothing and says so; several hashes at once are
    // revoked together, those revoked already left as they are
    let out = setup.run(&["revoke", &format!("0x{}", node.to_hex())]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(&format!(
            "1 revoked already by lion-city, left as they are: {node}"
        )),
        "{said}"
    );
    let audit = setup.ok(&["store", "audit"]);
    assert!(
        audit.contains("intact, 2 audit entries"),
        "nothing recorded: {audit}"
    );
    let leaf = path_of("issued/raw-4.json")[0];
    let out = setup.run(&["revoke", &node.to_hex(), &leaf.to_hex()]);
    assert_eq!(out.status.code(), Some(0));
    let out = setup.run(&["status", "issued/raw-4.json"]);
    assert_eq!(out.status.code(), Some(1), "revoked is a definite no");
    let audit = setup.ok(&["store", "audit"]);
    assert!(audit.contains("intact, 3 audit entries"), "{audit}");
    // Issuance and revocations all cross to followers: the feed's head is shown.
    let head: Vec<u8> = setup
        .connect_store()
        .query_row("SELECT hash FROM feed WHERE seq = 3", [], |r| r.get(0))
        .unwrap();
    assert!(
        audit.contains(&format!(
            "records match them; status feed: 3 entries, head 0x{}",
            const_hex::encode(&head)
        )),
        "{audit}"
    );

    // the audit log: intact, then an edited row is found and named
    setup
        .connect_store()
        .execute("UPDATE audit SET detail = ?1 WHERE seq = 2", [b"found"])
        .unwrap();
    let out = setup.run(&["store", "audit"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ALTERED: audit entry 2"), "{text}");
}

/// Size of the store's write-ahead log, where an open transaction's pages go.
fn wal_size(store: &Path) -> u64 {
    let mut wal = store.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

/// How to tell that another process's write transaction has begun writing.
enum Writing {
    /// The SQLite file's write-ahead log grew past its size before.
    Sqlite {
        file: std::path::PathBuf,
        baseline: u64,
    },
    /// A PostgreSQL session holds the writers' lock and has inserted rows.
    Postgres(corridor_db::Connection),
}

impl Writing {
    fn watch(work: &Workdir) -> Writing {
        match work.store_location() {
            corridor_ledger::StoreLocation::File(file) => {
                // empty the log, so that its growth shows the transaction writing
                rusqlite::Connection::open(&file)
                    .unwrap()
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .unwrap();
                let baseline = wal_size(&file);
                Writing::Sqlite { file, baseline }
            }
            corridor_ledger::StoreLocation::Postgres(_) => Writing::Postgres(work.connect_store()),
        }
    }

    fn begun(&self) -> bool {
        match self {
            Writing::Sqlite { file, baseline } => wal_size(file) > *baseline,
            Writing::Postgres(conn) => conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                                    WHERE l.locktype = 'advisory' AND l.granted
                                      AND a.pid <> pg_backend_pid()
                                      AND now() - a.xact_start > interval '50 milliseconds')",
                    [],
                    |r| r.get(0),
                )
                .unwrap(),
        }
    }
}

#[test]
fn a_batch_issue_killed_midway_records_all_or_nothing() {
    let setup = Setup::new();
    const N: i64 = 8_000;
    write_lines(&setup.path("raw.jsonl"), &raw_documents(N as usize));
    // one batch per document: the issue records 8,000 batches in one transaction
    setup.ok(&[
        "wrap",
        "--individual",
        "--out",
        "wrapped.jsonl",
        "raw.jsonl",
    ]);
    // a small first issue creates the store, so that its log starts small
    write_lines(
        &setup.path("first.jsonl"),
        &read_lines(&setup.path("wrapped.jsonl"))[..1],
    );
    setup.ok(&issue_args("first-issued.jsonl", "first.jsonl"));
    write_lines(
        &setup.path("rest.jsonl"),
        &read_lines(&setup.path("wrapped.jsonl"))[1..],
    );
    let mut killed_inside = 0;
    for attempt in 0..5 {
        let writing = Writing::watch(&setup);
        let mut child = setup
            .command(&issue_args("issued.jsonl", "rest.jsonl"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // kill it once its transaction has started writing pages
        let start = Instant::now();
        let exited = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if writing.begun() || start.elapsed() > Duration::from_secs(120) {
                child.kill().unwrap();
                child.wait().unwrap();
                break None;
            }
            std::thread::sleep(Duration::from_micros(500));
        };
        let issued = setup.count("issued");
        let documents = setup.count("documents");
        let audit = setup.count("audit");
        assert!(
            (issued, documents, audit) == (1, 1, 1) || (issued, documents, audit) == (N, N, N),
            "attempt {attempt}: {issued} roots, {documents} documents, {audit} audit entries"
        );
        let audit_report = setup.ok(&["store", "audit"]);
        assert!(audit_report.contains("intact"), "{audit_report}");
        match exited {
            Some(status) => {
                panic!("attempt {attempt}: the issue ended ({status}) before it could be killed")
            }
            None if issued == 1 => {
                killed_inside += 1;
                assert!(!setup.path("issued.jsonl").exists());
            }
            None => {}
        }
        if issued == N {
            break;
        }
    }
    assert!(killed_inside > 0, "no kill landed inside the transaction");
    // after a kill, the issue runs again whole
    if setup.count("issued") == 1 {
        setup.ok(&issue_args("issued.jsonl", "rest.jsonl"));
    }
    assert_eq!(setup.count("issued"), N);
    assert_eq!(read_lines(&setup.path("issued.jsonl")).len() as i64, N - 1);
}
