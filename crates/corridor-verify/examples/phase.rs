use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&[u8]> = text.lines().map(str::as_bytes).take(2000).collect();
    let n = lines.len() as u32;
    let time = |label: &str, f: &dyn Fn(&[u8])| {
        let t = Instant::now();
        for _ in 0..3 {
            for l in &lines {
                f(l)
            }
        }
        println!("{label}: {:?}", t.elapsed() / (3 * n));
    };
    time("ignored any", &|l| {
        let _: serde::de::IgnoredAny = serde_json::from_slice(l).unwrap();
    });
    time("value", &|l| {
        let _: serde_json::Value = serde_json::from_slice(l).unwrap();
    });
    time("read_wrapped", &|l| {
        corridor_format::read_wrapped(l).unwrap();
    });
    time("read+digest", &|l| {
        corridor_format::read_wrapped(l).unwrap().digest().unwrap();
    });
    time("read+integrity", &|l| {
        corridor_format::read_wrapped(l)
            .unwrap()
            .check_integrity()
            .unwrap();
    });
    time("read+schema", &|l| {
        corridor_format::read_wrapped(l)
            .unwrap()
            .check_schema()
            .unwrap();
    });
    time("subject", &|l| {
        corridor_verify::Subject::parse(l).unwrap();
    });
    let v = corridor_verify::Verifier::default();
    time("verify_bytes", &|l| {
        v.verify_bytes(l);
    });
}
