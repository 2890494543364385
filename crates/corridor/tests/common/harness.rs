//! Reference harness scripts kept running for the test process (`node compat/SCRIPT serve`):
//! TrustVC takes seconds to load, which each command would otherwise pay again. A script
//! answers one request at a time, so each request takes an idle process or starts another;
//! they end when the test process does, which closes their standard input.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, PoisonError};

use serde_json::{Map, Value, json};

/// The scripts that answer requests (`serve`).
pub const SERVING: &[&str] = &["oracle-w3c.mjs"];

/// A script's reply to a request: its answers, or why it failed.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Reply {
    Answered { answers: Vec<Value> },
    Failed { error: String },
}

/// A script's process, idle between requests.
struct Server {
    script: String,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Where its standard error goes, read when it fails.
    stderr: tempfile::NamedTempFile,
}

static IDLE: Mutex<Vec<Server>> = Mutex::new(Vec::new());

impl Server {
    fn start(compat: &Path, script: &str) -> Server {
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new("node")
            .arg(compat.join(script))
            .arg("serve")
            .current_dir(compat)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("{script} serve cannot start: {e}"));
        Server {
            script: script.to_owned(),
            stdin: child.stdin.take().unwrap(),
            stdout: BufReader::new(child.stdout.take().unwrap()),
            child,
            stderr,
        }
    }

    /// Its reply to `request`; `Err` (with what it wrote to standard error) if it died.
    fn ask(&mut self, request: &Value) -> Result<Reply, String> {
        let mut line = request.to_string();
        line.push('\n');
        let mut reply = String::new();
        let answered = self.stdin.write_all(line.as_bytes()).is_ok()
            && self.stdin.flush().is_ok()
            && self.stdout.read_line(&mut reply).is_ok_and(|n| n > 0);
        if !answered {
            let _ = self.child.wait();
            let said = std::fs::read_to_string(self.stderr.path()).unwrap_or_default();
            return Err(format!("it ended without an answer: {said}"));
        }
        serde_json::from_str(&reply)
            .map_err(|e| format!("its answer is not a reply ({e}): {reply}"))
    }
}

/// `script`'s answers to `args` with `env` and `input`, from a running process of it. Fails the
/// test if the script fails.
pub fn ask(
    compat: &Path,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
    input: String,
) -> Vec<Value> {
    let idle = {
        let mut idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner);
        let found = idle.iter().position(|s| s.script == script);
        found.map(|i| idle.swap_remove(i))
    };
    let mut server = idle.unwrap_or_else(|| Server::start(compat, script));
    let env: Map<String, Value> = env
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value)))
        .collect();
    let reply = server.ask(&json!({"args": args, "env": env, "input": input}));
    // A process that answered, even with a failure, can take the next request.
    if reply.is_ok() {
        IDLE.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(server);
    }
    match reply {
        Ok(Reply::Answered { answers }) => answers,
        Ok(Reply::Failed { error }) => panic!("{script} {args:?} failed: {error}"),
        Err(why) => panic!("{script} {args:?} failed: {why}"),
    }
}
