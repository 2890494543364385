//! The tests' DNS server as a program, for benchmarks: hickory's authoritative server on a
//! loopback port (UDP and TCP), serving TXT records until killed.
//!
//! `cargo run --example dns_server -- ZONE NAME=TEXT...` prints `listening on 127.0.0.1:PORT`.

#[path = "../tests/common/dns.rs"]
mod dns;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(zone) = args.next() else {
        eprintln!("usage: dns_server ZONE NAME=TEXT...");
        std::process::exit(2);
    };
    let records: Vec<(String, String)> = args
        .map(|a| {
            let (name, text) = a.split_once('=').unwrap_or_else(|| {
                eprintln!("{a:?}: give NAME=TEXT");
                std::process::exit(2)
            });
            (name.to_string(), text.to_string())
        })
        .collect();
    let table: Vec<(&str, &str)> = records
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let server = dns::DnsServer::start(&zone, &table);
    println!("listening on {}", server.address);
    loop {
        std::thread::park();
    }
}
