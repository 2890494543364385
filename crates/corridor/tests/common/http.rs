//! HTTP for the tests: one request to a server, its status, `Retry-After`, JSON and time.

use serde_json::Value;
use std::time::{Duration, Instant};

/// An answer: its status, its `Retry-After`, its JSON, and how long it took.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub json: Value,
    pub took: Duration,
}

/// POSTs `body` as JSON to `path` on the server at `base`.
pub fn post(base: &str, path: &str, body: &[u8]) -> Answer {
    call(base, "POST", path, Some(body), None)
}

/// Asks `method path` of the server at `base`, with `body` as JSON and `token` as a bearer
/// token if given. Fails the test if the answer is not JSON.
pub fn call(
    base: &str,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    token: Option<&str>,
) -> Answer {
    let agent: ureq::Agent = ureq::config::Config::builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{base}{path}");
    let request = ureq::http::Request::builder().method(method).uri(&url);
    let request = match token {
        Some(token) => request.header("Authorization", format!("Bearer {token}")),
        None => request,
    };
    let started = Instant::now();
    let mut response = match body {
        Some(body) => agent.run(
            request
                .header("Content-Type", "application/json")
                .body(body.to_vec())
                .unwrap(),
        ),
        None => agent.run(request.body(()).unwrap()),
    }
    .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let text = response
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_string()
        .unwrap();
    let took = started.elapsed();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{path} answered {status} with no JSON ({e}): {text:.200}"));
    Answer {
        status,
        retry_after,
        json,
        took,
    }
}

/// Serves each `(path, JSON text)` to GET requests on a loopback port, 404 for any other path,
/// until the test ends: a web host keeping documents. Its base URL (`http://127.0.0.1:PORT`).
pub fn serve_json(files: Vec<(String, String)>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut head).is_err() {
                continue;
            }
            // The rest of the head read, so that closing does not reset the connection.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = head.split_whitespace().nth(1).unwrap_or_default();
            let (status, body) = match files.iter().find(|(p, _)| p == path) {
                Some((_, body)) => ("200 OK", body.as_str()),
                None => ("404 Not Found", "{}"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}
