//! Shared by the integration tests: a generator of awkward raw documents, and the helpers that
//! run the `corridor` binary and the reference oracle.

#![allow(dead_code)] // each test binary uses its own part of this module

pub mod chain;
pub mod company;
pub mod dns;
pub mod epcis;
mod harness;
pub mod http;
pub mod https;
pub mod reference;
pub mod trace;
pub mod w3c;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

/// A well-known development key (it protects nothing) and its address.
pub const TEST_KEY: &str = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
pub const TEST_ADDRESS: &str = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";

/// A scratch folder to run `corridor` in: Corridor's home is `home/` inside it, the test key is
/// in `TEST_PRIVATE_KEY`, and no keystore password comes from the environment.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    /// The store every command is given, if not the home folder's SQLite file: a PostgreSQL
    /// database.
    pub store: Option<String>,
}

impl Workdir {
    /// A workdir whose store is the home folder's SQLite file, or, when the tests run with
    /// `CORRIDOR_TEST_STORE=postgres` (as `scripts/test` runs the store's tests a second
    /// time), a new PostgreSQL database.
    pub fn new() -> Workdir {
        match std::env::var("CORRIDOR_TEST_STORE").as_deref() {
            Ok("postgres") => Workdir::on_postgres(),
            Ok("sqlite") | Err(_) => Workdir::on_sqlite(),
            Ok(other) => panic!("CORRIDOR_TEST_STORE={other}: sqlite or postgres"),
        }
    }

    /// A workdir whose store is the home folder's SQLite file, whatever the tests run on:
    /// for tests of the file itself.
    pub fn on_sqlite() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().unwrap(),
            store: None,
        }
    }

    /// A workdir whose commands keep their store in a new database on the test process's
    /// PostgreSQL server (started on first use).
    pub fn on_postgres() -> Workdir {
        Workdir {
            store: Some(corridor_db::test_server::fresh_database()),
            ..Workdir::on_sqlite()
        }
    }

    /// A connection of its own to the store, as another process (or someone editing the
    /// store outside Corridor) has.
    pub fn connect_store(&self) -> corridor_db::Connection {
        match self.store_location() {
            corridor_ledger::StoreLocation::File(path) => {
                corridor_db::Connection::open_sqlite(&path).unwrap()
            }
            corridor_ledger::StoreLocation::Postgres(url) => {
                corridor_db::Connection::connect_postgres(&url).unwrap()
            }
        }
    }

    /// Where its commands keep their store.
    pub fn store_location(&self) -> corridor_ledger::StoreLocation {
        match &self.store {
            Some(url) => corridor_ledger::StoreLocation::parse(url).unwrap(),
            None => self.path("home").join("store.sqlite").into(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = corridor();
        command
            .args(args)
            .env("CORRIDOR_HOME", self.path("home"))
            .env_remove("CORRIDOR_KEY_PASSWORD")
            .env_remove("CORRIDOR_STORE")
            .env("TEST_PRIVATE_KEY", format!("0x{TEST_KEY}"))
            .current_dir(self.dir.path());
        if let Some(store) = &self.store {
            command.env("CORRIDOR_STORE", store);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().unwrap()
    }

    /// Runs `corridor` and returns its standard output; fails the test if it fails.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(args, &[])
    }

    /// As `ok`, with more environment (a key in a variable, say).
    pub fn ok_with(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self
            .command(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "corridor {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// `corridor title registry create` in `work`'s store, administered by the key `admin` (hex):
/// the registry's address, as printed.
pub fn create_registry(work: &Workdir, admin: &str) -> String {
    let args = [
        "title",
        "registry",
        "create",
        "--private-key-env",
        "ADMIN_KEY",
    ];
    work.ok_with(&args, &[("ADMIN_KEY", admin)])
        .trim()
        .to_string()
}

/// The deployment the workdir's store is, which title actions on its registries are signed
/// for (what `GET /api/titles/…` names as the ledger's signing domain).
pub fn deployment(work: &Workdir) -> corridor_title::Deployment {
    corridor_ledger::Store::open(work.store_location())
        .unwrap()
        .deployment()
        .unwrap()
}

/// `corridor serve` on a free loopback port, in a workdir, stopped when dropped.
pub struct Served {
    child: std::process::Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Served {
    /// Starts `corridor serve` with `args` on a free port and waits for the address it prints.
    pub fn start(work: &Workdir, args: &[&str]) -> Served {
        Served::start_at(work, "127.0.0.1:0", args)
    }

    /// As [`Served::start`], listening on `listen` (for a server that must know its own
    /// address before it starts, such as one asking its own registry endpoint).
    pub fn start_at(work: &Workdir, listen: &str, args: &[&str]) -> Served {
        use std::io::BufRead;
        let mut child = work
            .command(&["serve", "--listen", listen])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("corridor serve said {line:?}"));
        Served {
            base: base.to_string(),
            child,
        }
    }
}

impl Served {
    /// Sends `method path` with a JSON `body` and, if given, an API `token`: the status and
    /// the JSON answer (which every answer of the API is).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let answer = self.send(method, path, token, body);
        (answer.status, answer.json)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The `host:port` it listens on.
    pub fn address(&self) -> &str {
        self.base.strip_prefix("http://").unwrap()
    }

    /// Sends SIGTERM and waits (at most `patience`) for the server to stop: how it exited.
    pub fn terminate(mut self, patience: std::time::Duration) -> std::process::ExitStatus {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: signals our own child, which has not been waited for, so the pid is its.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < patience,
                "corridor serve still running {patience:?} after SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

pub use http::Answer;

impl Served {
    /// Sends `method path`, with `body` as JSON and `token` as its API token if given; fails
    /// the test if the answer is not JSON.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let body = body.map(|b| serde_json::to_vec(b).unwrap());
        http::call(&self.base, method, path, body.as_deref(), token)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Lets a test's `Setup`, a struct holding its `Workdir` in `work`, be used as that `Workdir`.
#[allow(unused_macros)] // as dead_code above: not every test binary has a Setup
macro_rules! derefs_to_workdir {
    ($setup:ident) => {
        impl std::ops::Deref for $setup {
            type Target = $crate::common::Workdir;
            fn deref(&self) -> &Self::Target {
                &self.work
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use derefs_to_workdir;

/// A seeded generator, so that a failure can be reproduced.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Text that exercises escaping and encoding: quotes, backslashes, control characters,
/// colons (the salt separator), trailing spaces, non-ASCII and astral-plane characters.
pub fn awkward_string(rng: &mut impl Rng) -> String {
    const POOLS: [&[char]; 6] = [
        &['a', 'Z', '0', ' ', '-', '_', '/', '#'],
        &['"', '\\', ':', '\'', '{', '}', '[', ']', ','],
        &[
            '\u{0}', '\u{1}', '\u{8}', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{1f}', '\u{7f}',
        ],
        &[
            'é', 'ß', '中', '货', '\u{2028}', '\u{2029}', '\u{feff}', '\u{a0}', '\u{ffff}',
        ],
        &['😀', '𝄞', '\u{20000}', '\u{1f600}', '\u{10ffff}'],
        &['.', '$', '%', '&', '<', '>', '~', '`'],
    ];
    let len = match rng.random_range(0..20) {
        0 => 0,
        1 => rng.random_range(1000..6000),
        _ => rng.random_range(1..24),
    };
    (0..len)
        .map(|_| {
            let pool = POOLS[rng.random_range(0..POOLS.len())];
            pool[rng.random_range(0..pool.len())]
        })
        .collect()
}

/// Numbers across every magnitude JavaScript writes differently: integers, -0, 1e21, 1e-7,
/// subnormals, the largest double, and integers past 2^53 that JSON.parse rounds.
pub fn awkward_number(rng: &mut impl Rng) -> Value {
    match rng.random_range(0..10) {
        0 => json!(rng.random_range(-1000i64..1000)),
        1 => json!(rng.random::<u64>()),
        2 => json!(-(rng.random::<u32>() as i64) * 1_000_000_007),
        3 => json!(
            [
                0.0,
                -0.0,
                1e21,
                1e-7,
                1e-6,
                5e-324,
                1.7976931348623157e308,
                1e20,
                0.1,
                123e-20
            ][rng.random_range(0..10)]
        ),
        _ => {
            let mantissa: f64 = rng.random_range(-10.0..10.0);
            let exponent = rng.random_range(-320..300);
            let x = mantissa * 10f64.powi(exponent);
            if x.is_finite() {
                json!(x)
            } else {
                json!(mantissa)
            }
        }
    }
}

/// An object key: never containing `.` (OpenAttestation refuses it) nor `__proto__`.
pub fn awkward_key(rng: &mut impl Rng) -> String {
    match rng.random_range(0..8) {
        0 => rng.random_range(0..40).to_string(),
        1 => "".to_string(),
        _ => awkward_string(rng)
            .replace('.', "·")
            .chars()
            .take(30)
            .collect(),
    }
}

/// Any JSON value, nested up to about five levels below `depth`: awkward strings, numbers and
/// keys, booleans, nulls, empty and nested objects and arrays.
pub fn awkward_value(rng: &mut impl Rng, depth: u32) -> Value {
    let choice = if depth >= 5 {
        rng.random_range(0..6)
    } else {
        rng.random_range(0..10)
    };
    match choice {
        0 | 1 => Value::String(awkward_string(rng)),
        2 => awkward_number(rng),
        3 => json!(rng.random::<bool>()),
        4 => Value::Null,
        5 => [json!([]), json!({}), json!([[]]), json!({"e": {}})][rng.random_range(0..4)].clone(),
        6 | 7 => {
            let mut map = Map::new();
            for _ in 0..rng.random_range(1..5) {
                map.insert(awkward_key(rng), awkward_value(rng, depth + 1));
            }
            Value::Object(map)
        }
        _ => Value::Array(
            (0..rng.random_range(1..5))
                .map(|_| awkward_value(rng, depth + 1))
                .collect(),
        ),
    }
}

/// A raw document the schema accepts, with random awkward fields beside its issuer.
pub fn awkward_document(rng: &mut impl Rng) -> Value {
    let address = || "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca";
    let issuer = match rng.random_range(0..4) {
        0 => {
            json!({"name": awkward_string(rng), "documentStore": address(), "identityProof": {"type": "DNS-TXT", "location": "example.com"}})
        }
        1 => {
            json!({"name": awkward_string(rng), "tokenRegistry": address(), "identityProof": {"type": "DNS-TXT", "location": "example.com"}})
        }
        2 => json!({"name": awkward_string(rng), "certificateStore": address()}),
        _ => {
            json!({"id": "did:ethr:0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1", "name": awkward_string(rng),
                    "revocation": {"type": "NONE"},
                    "identityProof": {"type": "DNS-DID", "key": "did:ethr:0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1#controller", "location": "example.com"}})
        }
    };
    let mut map = Map::new();
    map.insert("issuers".into(), json!([issuer]));
    for _ in 0..rng.random_range(1..8) {
        let key = awkward_key(rng);
        if key != "issuers" {
            map.insert(key, awkward_value(rng, 0));
        }
    }
    Value::Object(map)
}

/// Paths (as `FieldPath` text) of fields that can be hidden without emptying an object or
/// touching what the schema needs: object members whose object keeps another member.
pub fn hideable_fields(data: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &str, top: bool, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    if top && (k == "issuers" || k == "$template") {
                        continue;
                    }
                    // lodash's quoting: only the backslash and the quote are escaped.
                    let quoted = format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\""));
                    let p = if path.is_empty() {
                        format!("[{quoted}]")
                    } else {
                        format!("{path}[{quoted}]")
                    };
                    if m.len() > 1 || top {
                        out.push(p.clone());
                    }
                    walk(child, &p, false, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}[{i}]"), false, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(data, "", true, &mut out);
    out
}

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `corridor` binary under test.
pub fn corridor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
}

/// Writes values as JSON Lines.
pub fn write_lines(path: &Path, values: &[Value]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for v in values {
        serde_json::to_writer(&mut out, v).unwrap();
        out.write_all(b"\n").unwrap();
    }
}

/// Reads JSON Lines.
pub fn read_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs the reference oracle (`compat/oracle.mjs`) with `command` over `input` as JSON Lines.
///
/// The oracle is installed by `scripts/setup-oracle` (part of `scripts/test`); without it this
/// fails — a compatibility test never passes by not running.
pub fn oracle(command: &str, input: &[Value]) -> Vec<Value> {
    oracle_with(command, input, &[])
}

/// [`oracle`] with environment variables for it (`ORACLE_DNS`: the nameserver tt-verify asks).
pub fn oracle_with(command: &str, input: &[Value], env: &[(&str, &str)]) -> Vec<Value> {
    let text: String = input
        .iter()
        .map(|v| serde_json::to_string(v).unwrap() + "\n")
        .collect();
    compat_script("oracle.mjs", &[command], env, text)
}

/// [`compat_script`] for work that splits: `input`'s lines, or the `files` appended to `args`,
/// dealt out in turn among as many processes as the machine has cores (so that slow items
/// lying together are shared too); one answer per item, in input order. (TrustVC's BBS takes
/// seconds per credential.)
pub fn compat_script_split(
    script: &str,
    args: &[&str],
    lines: &[String],
    files: &[&str],
) -> Vec<Value> {
    let items = lines.len().max(files.len());
    let parts = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, items.max(1));
    let answers: Vec<Vec<Value>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..parts)
            .map(|part| {
                let input: String = lines
                    .iter()
                    .skip(part)
                    .step_by(parts)
                    .map(String::as_str)
                    .collect();
                let mut all_args = args.to_vec();
                all_args.extend(files.iter().skip(part).step_by(parts));
                scope.spawn(move || compat_script(script, &all_args, &[], input))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut dealt: Vec<std::vec::IntoIter<Value>> =
        answers.into_iter().map(Vec::into_iter).collect();
    let in_order: Vec<Value> = (0..items).map_while(|i| dealt[i % parts].next()).collect();
    assert_eq!(
        in_order.len(),
        items,
        "{script} {args:?}: one answer per item"
    );
    assert!(
        dealt.iter_mut().all(|rest| rest.next().is_none()),
        "{script} {args:?}: one answer per item"
    );
    in_order
}

/// Runs `script` of the pinned reference harness (`compat/`) with `args`, `env` and `input` on
/// its standard input (or asks a running process of it, for the scripts that serve): the JSON
/// lines it prints. Fails the test if it fails, or if the harness
/// is not installed — a compatibility test never passes by not running.
pub fn compat_script(
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
    input: String,
) -> Vec<Value> {
    let compat = repo().join("compat");
    assert!(
        compat
            .join("node_modules/@tradetrust-tt/tradetrust")
            .is_dir()
            && compat.join("node_modules/@trustvc/trustvc").is_dir(),
        "the reference oracle is not installed in {}: run scripts/setup-oracle (scripts/test does)",
        compat.display()
    );
    if harness::SERVING.contains(&script) {
        return harness::ask(&compat, script, args, env, input);
    }
    let mut command = Command::new("node");
    command
        .arg(compat.join(script))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(&compat);
    piped(command, input, &format!("{script} {args:?}"))
}

/// Runs `command` with `input` on its standard input: the JSON lines it prints. Fails the test
/// if it fails.
pub fn piped(mut command: Command, input: String, what: &str) -> Vec<Value> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what} cannot start: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
