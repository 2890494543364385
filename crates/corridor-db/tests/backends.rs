//! The same statements give the same results on SQLite and on a real PostgreSQL server.

use corridor_db::{Connection, Dialect, ErrorCode, OptionalExtension, TransactionBehavior, params};
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, key BLOB, n INTEGER NOT NULL,
    flag INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS pairs (a TEXT NOT NULL, b BLOB NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
";

fn both(test: impl Fn(&mut Connection)) {
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = Connection::open_sqlite(&dir.path().join("t.sqlite")).unwrap();
    assert_eq!(sqlite.dialect(), Dialect::Sqlite);
    test(&mut sqlite);
    let url = corridor_db::test_server::fresh_database();
    let mut postgres = Connection::connect_postgres(&url).unwrap();
    assert_eq!(postgres.dialect(), Dialect::Postgres);
    test(&mut postgres);
}

#[test]
fn values_cross_both_ways_alike() {
    both(|conn| {
        conn.create_schema(SCHEMA).unwrap();
        let mut seqs = Vec::new();
        for (name, key, n) in [("a", Some(vec![1u8, 2]), -5i64), ("b", None, i64::MAX)] {
            let seq: i64 = conn
                .query_row(
                    "INSERT INTO items (name, key, n) VALUES (?1, ?2, ?3) RETURNING seq",
                    params![name, key, n],
                    |r| r.get(0),
                )
                .unwrap();
            seqs.push(seq);
        }
        assert_eq!(
            seqs,
            [1, 2],
            "rows are numbered from 1, as SQLite numbers them"
        );
        type Item = (i64, String, Option<Vec<u8>>, i64, bool);
        let rows: Vec<Item> = conn
            .prepare("SELECT seq, name, key, n, flag FROM items ORDER BY seq")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (1, "a".into(), Some(vec![1, 2]), -5, false),
                (2, "b".into(), None, i64::MAX, false)
            ]
        );
        // Booleans, counts and sums read as integers on both.
        let (exists, count, sum): (bool, i64, i64) = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM items WHERE name = ?1), COUNT(*), SUM(seq) FROM items",
                ["a"],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((exists, count, sum), (true, 2, 3));
        // Bare placeholders count in order; a string holding one is left alone.
        let name: String = conn
            .query_row(
                "SELECT name FROM items WHERE n = ? AND name <> '?' AND seq = ?",
                params![-5, 1],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(name, "a");
        let none: Option<String> = conn
            .query_row("SELECT name FROM items WHERE seq = ?1", [99], |r| r.get(0))
            .optional()
            .unwrap();
        assert_eq!(none, None);
        // A column read as the wrong kind is an error, not a guess.
        let wrong = conn.query_row("SELECT name FROM items WHERE seq = 1", [], |r| {
            r.get::<_, i64>(0)
        });
        assert!(wrong.is_err());
    });
}

#[test]
fn conflicts_are_met_alike() {
    both(|conn| {
        conn.create_schema(SCHEMA).unwrap();
        let insert = "INSERT INTO pairs (a, b) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
        assert_eq!(conn.execute(insert, params!["x", [1u8]]).unwrap(), 1);
        assert_eq!(conn.execute(insert, params!["x", [1u8]]).unwrap(), 0);
        conn.execute("INSERT INTO items (name, n) VALUES ('k', 1)", [])
            .unwrap();
        conn.execute(
            "INSERT INTO items (name, n) VALUES ('k', 2) ON CONFLICT (name) DO UPDATE SET n = excluded.n",
            [],
        )
        .unwrap();
        let n: i64 = conn
            .query_row("SELECT n FROM items WHERE name = 'k'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        let refused = conn
            .execute("INSERT INTO items (name, n) VALUES ('k', 3)", [])
            .unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Constraint), "{refused}");
    });
}

#[test]
fn a_dropped_transaction_changes_nothing() {
    both(|conn| {
        conn.create_schema(SCHEMA).unwrap();
        {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .unwrap();
            tx.execute("INSERT INTO items (name, n) VALUES ('gone', 1)", [])
                .unwrap();
        }
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO items (name, n) VALUES ('kept', 1)", [])
            .unwrap();
        tx.commit().unwrap();
        let names: Vec<String> = conn
            .prepare("SELECT name FROM items")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(names, ["kept"]);
    });
}

/// A statement that fails inside a transaction leaves SQLite's transaction as it was, and
/// ends PostgreSQL's, which then answers `COMMIT` by rolling back: the commit must say so,
/// never that what was written before the failure was kept.
#[test]
fn a_commit_after_a_failed_statement_says_whether_anything_was_kept() {
    both(|conn| {
        conn.create_schema(SCHEMA).unwrap();
        let on_postgres = conn.dialect() == Dialect::Postgres;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("INSERT INTO items (name, n) VALUES ('first', 1)", [])
            .unwrap();
        let refused = tx
            .execute("INSERT INTO items (name, n) VALUES ('first', 2)", [])
            .unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Constraint));
        let committed = tx.commit();
        let kept: i64 = conn
            .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
            .unwrap();
        if on_postgres {
            let error = committed.unwrap_err();
            assert!(matches!(error, corridor_db::Error::RolledBack), "{error}");
            assert_eq!(kept, 0);
        } else {
            committed.unwrap();
            assert_eq!(kept, 1);
        }
        // The next transaction starts clean.
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO items (name, n) VALUES ('second', 1)", [])
            .unwrap();
        tx.commit().unwrap();
    });
}

/// Writers wait for each other on the advisory lock, then must see what the one before
/// committed: a transaction is read committed whatever the database's default.
#[test]
fn postgres_transactions_are_read_committed_whatever_the_default() {
    let url = corridor_db::test_server::fresh_database();
    Connection::connect_postgres(&url)
        .unwrap()
        .execute_batch(
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = serializable', current_database()); END $$",
        )
        .unwrap();
    let mut conn = Connection::connect_postgres(&url).unwrap();
    let isolation = |conn: &Connection| -> String {
        conn.query_row("SHOW transaction_isolation", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(isolation(&conn), "serializable", "the default took");
    for behavior in [
        TransactionBehavior::Deferred,
        TransactionBehavior::Immediate,
    ] {
        let tx = conn.transaction_with_behavior(behavior).unwrap();
        assert_eq!(isolation(&tx), "read committed");
        tx.commit().unwrap();
    }
}

#[test]
fn one_writer_at_a_time_and_the_next_is_told_it_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("t.sqlite");
    let postgres = corridor_db::test_server::fresh_database();
    let open = |postgres_too: bool| -> (Connection, Connection) {
        if postgres_too {
            (
                Connection::connect_postgres(&postgres).unwrap(),
                Connection::connect_postgres(&postgres).unwrap(),
            )
        } else {
            (
                Connection::open_sqlite(&sqlite).unwrap(),
                Connection::open_sqlite(&sqlite).unwrap(),
            )
        }
    };
    for on_postgres in [false, true] {
        let (mut first, mut second) = open(on_postgres);
        first.create_schema(SCHEMA).unwrap();
        second.set_busy_timeout(Duration::from_millis(100)).unwrap();
        let holding = first
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        let waited = std::time::Instant::now();
        let busy = second
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .err()
            .expect("a second writer waits, then is refused");
        assert_eq!(busy.code(), Some(ErrorCode::Busy), "{busy}");
        assert!(waited.elapsed() >= Duration::from_millis(90));
        holding.commit().unwrap();
        second
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap()
            .commit()
            .unwrap();
    }
}

#[test]
fn postgres_errors_say_what_the_server_said() {
    let conn = Connection::connect_postgres(&corridor_db::test_server::fresh_database()).unwrap();
    let error = conn.execute("SELECT * FROM no_such_table", []).unwrap_err();
    assert!(error.to_string().contains("no_such_table"), "{error}");
    // And what it could not take, before sending it.
    let error = conn
        .query_row("SELECT CAST(?1 AS TEXT)", ["a\0b"], |r| {
            r.get::<_, String>(0)
        })
        .unwrap_err();
    assert!(error.to_string().contains("NUL character"), "{error}");
    assert!(!conn.is_closed());
    let unreachable =
        Connection::connect_postgres("postgresql://postgres@localhost/x?host=/nonexistent")
            .err()
            .expect("no server there");
    assert!(
        unreachable.to_string().starts_with("PostgreSQL: "),
        "{unreachable}"
    );
    // And why: no socket in that folder.
    assert_eq!(
        unreachable.to_string().matches("No such file").count(),
        1,
        "{unreachable}"
    );
}

#[test]
fn postgres_serves_threads_that_drive_async_tasks() {
    let url = corridor_db::test_server::fresh_database();
    let current_thread = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let multi_thread = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    for runtime in [current_thread, multi_thread] {
        let url = url.clone();
        let one: i64 = runtime.block_on(async move {
            tokio::spawn(async move {
                // Opened, used and closed on a thread that drives tasks.
                let conn = Connection::connect_postgres(&url).unwrap();
                conn.query_row("SELECT 1", [], |r| r.get(0)).unwrap()
            })
            .await
            .unwrap()
        });
        assert_eq!(one, 1);
    }
}

/// A certificate authority and a server certificate for 127.0.0.1 it signed, as PEM: (the
/// authority's certificate, the server's certificate, the server's key).
fn certificates() -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "Corridor test database authority",
    );
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let authority = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &authority)
        .unwrap();
    (ca.pem(), server.pem(), key.serialize_pem())
}

#[test]
fn postgres_over_tcp_speaks_tls_and_checks_the_servers_certificate() {
    let (ca, cert, key) = certificates();
    let server = corridor_db::test_server::tls_server(&cert, &key);
    let name = server.create_database();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let url = server.tls_url(&name);

    // Trusting the authority that signed the server's certificate: the session is TLS.
    let conn =
        Connection::connect_postgres(&format!("{url}&sslrootcert={}", ca_file.display())).unwrap();
    let ssl: bool = conn
        .query_row(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(ssl, "the connection is encrypted");
    // Over TCP the test server asks for its password: another user of the machine reaching
    // its port is not let in.
    let (user, rest) = url.split_once('@').unwrap();
    let without_password = format!("postgresql://postgres@{rest}");
    assert_ne!(user, "postgresql://postgres");
    let refused = Connection::connect_postgres(&format!(
        "{without_password}&sslrootcert={}",
        ca_file.display()
    ))
    .err()
    .expect("a password is asked");
    assert!(refused.to_string().contains("password"), "{refused}");

    // The Mozilla roots do not vouch for a test authority: refused, not sent in the clear.
    let untrusted = Connection::connect_postgres(&url).err().expect("refused");
    assert!(untrusted.to_string().contains("certificate"), "{untrusted}");
    // Nor does another authority.
    let (other_ca, _, _) = certificates();
    let other_file = dir.path().join("other.pem");
    std::fs::write(&other_file, &other_ca).unwrap();
    let refused =
        Connection::connect_postgres(&format!("{url}&sslrootcert={}", other_file.display()))
            .err()
            .expect("refused");
    assert!(refused.to_string().contains("certificate"), "{refused}");
    // A root certificate file that is not one is named.
    let missing = dir.path().join("missing.pem");
    let unreadable =
        Connection::connect_postgres(&format!("{url}&sslrootcert={}", missing.display()))
            .err()
            .expect("refused");
    assert!(
        unreadable.to_string().contains("missing.pem"),
        "{unreadable}"
    );
}
