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
