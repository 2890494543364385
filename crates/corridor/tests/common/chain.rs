//! A real local chain for the tests: ganache (pinned in `compat/`, installed by
//! `scripts/setup-oracle`) on a free loopback port, with its deterministic accounts; stopped
//! when dropped.

use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Ganache's first two deterministic accounts (`--wallet.deterministic`): development keys
/// that protect nothing.
pub const OWNER_KEY: &str = "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d";
pub const OWNER_ADDRESS: &str = "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1";
pub const STRANGER_KEY: &str = "6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1";

/// Ganache's deterministic accounts 1 to 4 (`--wallet.deterministic`): development keys.
pub const PARTY_KEYS: [&str; 4] = [
    "6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1",
    "6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c",
    "646f1ce2fdad0e6deeeb5c7e8e5543bdde65e86029e2fd9fc169899c440a7913",
    "add53f9a7e588d003326d1cbf9e4a43c061aadd9bc938c843a79e7b4fd2ad743",
];

pub struct Ganache {
    child: Child,
    pub url: String,
}

impl Ganache {
    /// Starts a chain with chain id 1337 (Corridor's `local`); fails the test if it does not
    /// answer within a minute.
    pub fn start() -> Ganache {
        let cli = super::repo().join("compat/node_modules/ganache/dist/node/cli.js");
        assert!(
            cli.is_file(),
            "ganache is not installed in compat/: run scripts/setup-oracle (scripts/test does)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("node")
            .arg(&cli)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--wallet.deterministic",
                "--chain.chainId",
                "1337",
                "--logging.quiet",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start node for ganache");
        let url = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        loop {
            if chain_id(&url).as_deref() == Some("0x539") {
                return Ganache { child, url };
            }
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .ok();
                panic!("ganache exited ({status}): {stderr}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "ganache did not answer on {url}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Ganache {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The chain id an endpoint reports, by a plain HTTP request.
fn chain_id(url: &str) -> Option<String> {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    let addr = url.strip_prefix("http://")?;
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    use std::io::Write;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let json: serde_json::Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1)?).ok()?;
    json["result"].as_str().map(str::to_string)
}

/// Runs `corridor title …` in `work` as the party whose key is `key`, on the backend `on`
/// names; returns its exit code and its JSON answer.
pub fn title_cli(
    work: &super::Workdir,
    on: &[String],
    args: &[&str],
    key: Option<&str>,
) -> (i32, serde_json::Value) {
    let mut command = work.command(&["title"]);
    command.args(args).args(on).arg("--json");
    if let Some(key) = key {
        command
            .args(["--private-key-env", "PARTY_KEY"])
            .env("PARTY_KEY", key);
    }
    let out = command.output().unwrap();
    let answer = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "title {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exited"), answer)
}

/// The arguments that put a title command on `registry`, a token registry on `ganache`.
pub fn on_chain(registry: &str, ganache: &Ganache) -> Vec<String> {
    [
        "--ledger",
        "evm",
        "--registry",
        registry,
        "--network",
        "local",
        "--rpc-url",
        &ganache.url,
    ]
    .map(String::from)
    .to_vec()
}

/// `corridor chain deploy token-registry` on `ganache` with the owner's key: the registry.
pub fn deploy_registry(work: &super::Workdir, ganache: &Ganache) -> String {
    deploy_registry_version(work, ganache, "v5")
}

/// [`deploy_registry`] of Token Registry `version` (`v4`, `v5`).
pub fn deploy_registry_version(work: &super::Workdir, ganache: &Ganache, version: &str) -> String {
    let out = work
        .command(&[
            "chain",
            "deploy",
            "token-registry",
            "--private-key-env",
            "OWNER_KEY",
            "--registry-version",
            version,
        ])
        .args(["--network", "local", "--rpc-url", &ganache.url])
        .env("OWNER_KEY", OWNER_KEY)
        .current_dir(super::repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
