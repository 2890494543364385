//! A folder standing in for the network: `DIR/index.json` maps each URL to a file in the
//! folder (`{"files": {"https://…": "path/in/dir.json"}}`), as TrustVC's fixture worlds are laid
//! out. A border post without a connection, or a test, hands a verifier what the network would
//! have answered: DID documents, status lists, contexts.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use corridor_verify::providers::{FetchError, HttpGet, HttpResponse};

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
        Ok(World {
            dir: dir.to_path_buf(),
            files: answers,
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

/// The world answering for the network's HTTP: what it lists, it answers; a URL it lacks on a
/// host it serves is "404 Not Found", as the world's server would answer; any other host does
/// not exist.
impl HttpGet for World {
    fn get(&self, url: &str) -> Result<HttpResponse, FetchError> {
        if let Some(answer) = World::get(self, url) {
            let body = answer.map_err(|e| FetchError::Failed(e.to_string()))?;
            return Ok(HttpResponse { status: 200, body });
        }
        if url_host(url).is_some_and(|host| self.serves_host(host)) {
            return Ok(HttpResponse {
                status: 404,
                body: b"Not Found".to_vec(),
            });
        }
        Err(FetchError::NoSuchHost(format!(
            "{url}: no such host in the world folder {}",
            self.dir.display()
        )))
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
