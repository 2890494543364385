//! A folder standing in for the network: `DIR/index.json` maps each URL to a file in the
//! folder (`{"files": {"https://…": "path/in/dir.json"}}`), as TrustVC's fixture worlds are laid
//! out. A border post without a connection, or a test, hands a verifier what the network would
//! have answered: DID documents, status lists, contexts.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use std::sync::Arc;

use corridor_verify::providers::{FetchError, HttpGet, HttpResponse, NotAsked};

/// The largest file a world answers with.
const MAX_FILE: u64 = 16 << 20;

/// Why a world folder cannot be used, or one of its files not read.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a world index: {why}")]
    Index { path: PathBuf, why: String },
    #[error("{path}: larger than {MAX_FILE} bytes")]
    TooLarge { path: PathBuf },
}

/// The URLs a world folder answers, each with its file.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("index.json"), r#"{"files": {"https://a.example/x": "x.json"}}"#).unwrap();
/// std::fs::write(dir.path().join("x.json"), "{}").unwrap();
/// let world = corridor_net::World::open(dir.path()).unwrap();
/// assert_eq!(world.get("https://a.example/x").unwrap().unwrap(), b"{}");
/// assert!(world.get("https://a.example/y").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct World {
    dir: PathBuf,
    files: HashMap<String, PathBuf>,
    unknown_hosts: UnknownHosts,
}

/// Which hosts a world says do not exist (its index's `unknownHosts`).
#[derive(Debug, Clone)]
enum UnknownHosts {
    /// None: a host it does not list is the network's to answer.
    None,
    /// These hosts (a list).
    Listed(Vec<String>),
    /// Every host it does not list: the world is the whole network (any other value, as the
    /// shared fixtures' sentence saying so).
    AllUnlisted,
}

impl World {
    /// Reads `dir/index.json`. Each file must lie inside `dir` (no absolute paths, no `..`).
    pub fn open(dir: &Path) -> Result<World, WorldError> {
        let index_path = dir.join("index.json");
        let bad = |why: String| WorldError::Index {
            path: index_path.clone(),
            why,
        };
        let text = read_bounded(&index_path)?;
        let index: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| bad(format!("not JSON ({e})")))?;
        let files = index
            .get("files")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| bad("it has no \"files\" object mapping URLs to files".into()))?;
        let mut answers = HashMap::with_capacity(files.len());
        for (url, file) in files {
            let file = file
                .as_str()
                .ok_or_else(|| bad(format!("the file for {url} is not a string")))?;
            let relative = Path::new(file);
            if !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
            {
                return Err(bad(format!(
                    "the file for {url}, {file:?}, is not inside the folder"
                )));
            }
            answers.insert(url.clone(), relative.to_path_buf());
        }
        let unknown_hosts = match index.get("unknownHosts") {
            None | Some(serde_json::Value::Null) => UnknownHosts::None,
            Some(serde_json::Value::Array(hosts)) => UnknownHosts::Listed(
                hosts
                    .iter()
                    .filter_map(|h| h.as_str().map(str::to_ascii_lowercase))
                    .collect(),
            ),
            Some(_) => UnknownHosts::AllUnlisted,
        };
        Ok(World {
            dir: dir.to_path_buf(),
            files: answers,
            unknown_hosts,
        })
    }

    /// The bytes the world answers `url` with; `None` when it does not list it.
    pub fn get(&self, url: &str) -> Option<Result<Vec<u8>, WorldError>> {
        let file = self.files.get(url)?;
        Some(read_bounded(&self.dir.join(file)))
    }

    /// Whether the world lists any URL on `host`: a URL it lacks there is then "Not Found",
    /// as the world's server would answer.
    pub fn serves_host(&self, host: &str) -> bool {
        self.files
            .keys()
            .any(|url| url_host(url).is_some_and(|h| h.eq_ignore_ascii_case(host)))
    }
}

impl World {
    /// What the world answers for `url`: its file; "404 Not Found" for a URL it lacks on a
    /// host it serves, as the world's server would answer; no such host for a host it says
    /// does not exist; `None` when it leaves the question to the network.
    pub fn answer(&self, url: &str) -> Option<Result<HttpResponse, FetchError>> {
        if let Some(answer) = World::get(self, url) {
            return Some(
                answer
                    .map(|body| HttpResponse { status: 200, body })
                    .map_err(|e| FetchError::Failed(e.to_string())),
            );
        }
        let host = url_host(url)?;
        if self.serves_host(host) {
            return Some(Ok(HttpResponse {
                status: 404,
                body: b"Not Found".to_vec(),
            }));
        }
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        let unknown = match &self.unknown_hosts {
            UnknownHosts::None => false,
            UnknownHosts::Listed(hosts) => hosts.iter().any(|h| h.eq_ignore_ascii_case(name)),
            UnknownHosts::AllUnlisted => true,
        };
        unknown.then(|| {
            Err(FetchError::NoSuchHost(format!(
                "{url}: no such host (the world folder {} says so)",
                self.dir.display()
            )))
        })
    }
}

/// A world folder answering first, and the network (when there is one) what it leaves open.
pub struct WorldFirst {
    pub world: World,
    /// `None` offline: what the world leaves open is not asked.
    pub network: Option<Arc<dyn HttpGet>>,
}

impl HttpGet for WorldFirst {
    fn get(&self, url: &str) -> Result<HttpResponse, FetchError> {
        if let Some(answer) = self.world.answer(url) {
            return answer;
        }
        match &self.network {
            Some(network) => network.get(url),
            None => Err(FetchError::NotAsked(NotAsked::Refused(format!(
                "{url} is not in the world folder {}, and the network is not asked (--offline)",
                self.world.dir.display()
            )))),
        }
    }
}

/// The host (with port) of an `http(s)://` URL.
fn url_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    rest.split(['/', '?', '#']).next()
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, WorldError> {
    use std::io::Read;
    let read = |e| WorldError::Read {
        path: path.to_path_buf(),
        source: e,
    };
    let file = std::fs::File::open(path).map_err(read)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(read)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(WorldError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(index: &str) -> Result<World, WorldError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.json"), index).unwrap();
        let world = World::open(dir.path());
        drop(dir);
        world
    }

    #[test]
    fn an_index_is_checked_before_use() {
        let err = world("[]").unwrap_err().to_string();
        assert!(
            err.contains("index.json: not a world index: it has no \"files\""),
            "{err}"
        );
        let err = world(r#"{"files": {"https://a/x": "../secret"}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not inside the folder"), "{err}");
        let err = world(r#"{"files": {"https://a/x": "/etc/passwd"}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not inside the folder"), "{err}");
        assert!(
            world(r#"{"files": {"https://a.example:8443/x": "x.json"}}"#)
                .unwrap()
                .serves_host("a.example:8443")
        );
    }
}

#[cfg(test)]
mod answers {
    use super::*;
    use crate::{FetchPolicy, HttpClient, QuestionBudget};

    /// A local HTTP server answering every request with `body`, and how many it had.
    fn server(body: &'static str) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let served = count.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (format!("http://{address}"), count)
    }

    fn world(index: serde_json::Value) -> (tempfile::TempDir, World) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.json"), index.to_string()).unwrap();
        std::fs::write(dir.path().join("a.json"), "{\"from\": \"the world\"}").unwrap();
        let world = World::open(dir.path()).unwrap();
        (dir, world)
    }

    #[test]
    fn the_world_answers_first_and_the_network_what_it_leaves_open() {
        let (origin, asked) = server("{\"from\": \"the network\"}");
        // The world serves another port of the same machine; its host is `127.0.0.2`.
        let (_dir, listed) = world(serde_json::json!({
            "files": {"http://127.0.0.2/a": "a.json"},
            "unknownHosts": ["gone.example"],
        }));
        let client = HttpClient::new(std::time::Duration::from_secs(5), &FetchPolicy::Anywhere)
            .for_run(QuestionBudget::unlimited());
        let online = WorldFirst {
            world: listed.clone(),
            network: Some(Arc::new(client)),
        };
        let body = |r: Result<HttpResponse, FetchError>| {
            let r = r.unwrap();
            (r.status, String::from_utf8(r.body).unwrap())
        };
        assert_eq!(
            body(online.get("http://127.0.0.2/a")),
            (200, "{\"from\": \"the world\"}".into())
        );
        assert_eq!(
            body(online.get("http://127.0.0.2/b")),
            (404, "Not Found".into())
        );
        assert!(matches!(
            online.get("https://gone.example/x"),
            Err(FetchError::NoSuchHost(_))
        ));
        assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 0);
        assert_eq!(
            body(online.get(&format!("{origin}/c"))),
            (200, "{\"from\": \"the network\"}".into())
        );
        assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);

        let offline = WorldFirst {
            world: listed,
            network: None,
        };
        assert!(matches!(
            offline.get(&format!("{origin}/c")),
            Err(FetchError::NotAsked(NotAsked::Refused(_)))
        ));
        assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn a_world_that_is_the_whole_network_knows_no_other_host() {
        let (_dir, whole) = world(serde_json::json!({
            "files": {"http://127.0.0.2/a": "a.json"},
            "unknownHosts": "any host not listed here fails as an unknown DNS name",
        }));
        assert!(matches!(
            whole.answer("https://elsewhere.example/x"),
            Some(Err(FetchError::NoSuchHost(_)))
        ));
        let (_dir, partial) = world(serde_json::json!({"files": {"http://127.0.0.2/a": "a.json"}}));
        assert!(partial.answer("https://elsewhere.example/x").is_none());
    }
}
