//! Work bounded per request: a timed-out request's work stops, heavy requests are admitted a
//! fixed number at a time, and wrapping is bounded in leaves and in the answer's size.

use super::common::http::{Answer, post};
use super::common::{Served, Workdir};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A verify request that keeps a worker busy for several seconds: a thousand wrapped
/// documents of a few hundred leaves each (every leaf hashed, every document checked).
fn heavy_verify_body() -> Vec<u8> {
    let data: serde_json::Map<String, Value> = (0..300)
        .map(|i| (format!("field{i}"), json!(format!("value number {i}"))))
        .collect();
    let raw = json!({
        "issuers": [{"name": "Carrier", "certificateStore": "0x0000000000000000000000000000000000000001"}],
        "lines": data,
    });
    let wrapped = corridor_format::wrap_documents(&[raw], &mut rand::rng())
        .unwrap()
        .remove(0);
    serde_json::to_vec(&vec![wrapped; 1000]).unwrap()
}

/// The CPU time the process `pid` has used so far (user and system), from `/proc`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command's name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}

/// Two requests that each need seconds of work, with a one-second timeout: each is answered
/// with the timeout's 503 at the timeout, and the work they started stops with them — the
/// server's CPU time stops growing soon after.
#[test]
fn a_timed_out_request_stops_its_work() {
    let work = Workdir::new();
    let served = Served::start(
        &work,
        &["--offline", "--max-body", "64M", "--request-timeout", "1"],
    );
    let body = heavy_verify_body();
    let answers: Vec<Answer> = std::thread::scope(|scope| {
        let requests: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| post(&served.base, "/api/verify", &body)))
            .collect();
        requests.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for answer in &answers {
        assert_eq!(answer.status, 503, "{}", answer.json["error"]);
        assert_eq!(answer.json["error"]["code"], "timeout");
        assert!(
            answer.took < Duration::from_millis(2500),
            "{:?}",
            answer.took
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_time(served.pid());
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu_time(served.pid()) - before;
    assert!(
        spent < Duration::from_millis(300),
        "the server spent {spent:?} of CPU in the 2 s after both requests timed out"
    );
}

/// With one worker and one place in the queue, two heavy requests fill the server: a third
/// heavy request (of any heavy route) is turned away at once with 503 `busy` and
/// `Retry-After`, while the routes that are not heavy go on answering.
#[test]
fn a_saturated_server_says_busy_at_once() {
    let work = Workdir::new();
    let served = Served::start(
        &work,
        &[
            "--offline",
            "--max-body",
            "64M",
            "--request-timeout",
            "20",
            "--workers",
            "1",
            "--queue",
            "1",
        ],
    );
    let body = std::sync::Arc::new(heavy_verify_body());
    let heavy: Vec<_> = (0..2)
        .map(|_| {
            let (base, body) = (served.base.clone(), body.clone());
            // Cut off when the server is stopped below: what they answer is not the point.
            std::thread::spawn(move || {
                ureq::post(&format!("{base}/api/verify"))
                    .header("Content-Type", "application/json")
                    .send(&body[..])
                    .ok();
            })
        })
        .collect();
    // A heavy request takes its place with its head, before its body is read: half a second
    // lets both in, well before the first ends (a fast run finished one within 1.5 s, and a
    // probe then found a place free).
    std::thread::sleep(Duration::from_millis(500));
    // Small bodies: the refusal comes before a body is read, and a client still sending a
    // large one would meet a closed connection instead of reading it.
    let small_wrap = serde_json::to_vec(&json!({"documents": [{"a": 1}]})).unwrap();
    for (path, request) in [("/api/wrap", &small_wrap[..]), ("/api/verify", b"[]")] {
        let answer = post(&served.base, path, request);
        assert_eq!(answer.status, 503, "{path}: {}", answer.json["error"]);
        assert_eq!(answer.json["error"]["code"], "busy", "{path}");
        assert_eq!(answer.retry_after.as_deref(), Some("1"), "{path}");
        assert!(
            answer.took < Duration::from_millis(500),
            "{path}: {:?}",
            answer.took
        );
    }
    let started = Instant::now();
    let health = ureq::get(&format!("{}/healthz", served.base))
        .call()
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(started.elapsed() < Duration::from_millis(500));
    drop(served);
    for request in heavy {
        request.join().unwrap();
    }
}

/// A body of many tiny leaves grows about two hundred times when wrapped: wrapping takes at
/// most as many leaves in all as obfuscation does, refused at once beyond.
#[test]
fn wrap_refuses_more_leaves_than_it_takes_in_one_request() {
    let work = Workdir::new();
    let served = Served::start(&work, &["--offline"]);
    let issuers =
        json!([{"name": "C", "certificateStore": "0x0000000000000000000000000000000000000001"}]);
    let leaves = vec![0; 10_000];
    let body = serde_json::to_vec(&json!({"documents": [
        {"issuers": issuers, "a": leaves},
        {"issuers": issuers, "b": leaves},
    ]}))
    .unwrap();
    let answer = post(&served.base, "/api/wrap", &body);
    assert_eq!(answer.status, 413, "{}", answer.json["error"]);
    assert_eq!(answer.json["error"]["code"], "too_many_leaves");
    assert!(
        answer.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("20004 leaves in the documents; at most 20000"),
        "{}",
        answer.json
    );
    assert!(answer.took < Duration::from_secs(1), "{:?}", answer.took);
}

/// A body well under the body limit whose wrapped answer would be many times it (a thousand
/// tiny documents, each given its proof) is refused, not answered; one whose answer fits is.
#[test]
fn a_wrapped_answer_is_bounded_by_a_multiple_of_the_body_limit() {
    let work = Workdir::new();
    let served = Served::start(&work, &["--offline", "--max-body", "128K"]);
    let documents: Vec<Value> = (0..1000)
        .map(|i| json!({"issuers": [{"name": "C", "certificateStore": "0x0000000000000000000000000000000000000001"}], "n": i}))
        .collect();
    let body = serde_json::to_vec(&json!({"documents": documents})).unwrap();
    assert!(body.len() < 128 * 1024, "{} bytes", body.len());
    let answer = post(&served.base, "/api/wrap", &body);
    assert_eq!(answer.status, 413, "{}", answer.json["error"]);
    assert_eq!(answer.json["error"]["code"], "answer_too_large");
    assert!(
        answer.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 524288 bytes"),
        "{}",
        answer.json
    );

    let fits = serde_json::to_vec(&json!({"documents": documents[..10]})).unwrap();
    let answer = post(&served.base, "/api/wrap", &fits);
    assert_eq!(answer.status, 200, "{}", answer.json["error"]);
    assert_eq!(answer.json["documents"].as_array().unwrap().len(), 10);
}
