//! Time bounded per request: a body sent slowly, or not at all.

use super::common::{Served, Workdir};
use std::io::{Read, Write};

/// A client that sends a head promising a body, then a little of it, then nothing: the
/// request timeout covers the body too, and the answer is the timeout's JSON error.
#[test]
fn a_body_trickled_or_never_finished_is_cut_off_at_the_request_timeout() {
    let work = Workdir::new();
    let served = Served::start(&work, &["--offline", "--request-timeout", "1"]);
    let address = served.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let started = std::time::Instant::now();
    write!(
        stream,
        "POST /api/verify HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"a\": "
    )
    .unwrap();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    let waited = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    assert!(read.is_ok(), "the connection was held past 10 s: {read:?}");
    assert!(
        answer.starts_with("HTTP/1.1 503") && answer.contains(r#""code":"timeout""#),
        "{answer}"
    );
    assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");
}
