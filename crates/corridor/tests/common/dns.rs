//! A real DNS server for the tests: hickory's authoritative server, in this process, on a
//! loopback port (UDP and TCP), serving TXT records of one zone.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::rdata::{SOA, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record};
use hickory_server::ServerFuture;
use hickory_server::authority::{Catalog, ZoneType};
use hickory_server::store::in_memory::InMemoryAuthority;

/// A running DNS server; it stops with the test process.
pub struct DnsServer {
    pub address: SocketAddr,
}

impl DnsServer {
    /// Serves `records` (name, TXT text) for the zone `zone`, e.g. `example.test`.
    pub fn start(zone: &str, records: &[(&str, &str)]) -> DnsServer {
        let origin = Name::from_str(&format!("{zone}.")).unwrap();
        let mut authority = InMemoryAuthority::empty(origin.clone(), ZoneType::Primary, false);
        let soa = SOA::new(
            Name::from_str(&format!("ns.{zone}.")).unwrap(),
            Name::from_str(&format!("admin.{zone}.")).unwrap(),
            1,
            3600,
            600,
            86400,
            60,
        );
        authority.upsert_mut(Record::from_rdata(origin.clone(), 60, RData::SOA(soa)), 1);
        for (name, text) in records {
            let name = Name::from_str(&format!("{name}.")).unwrap();
            let txt = TXT::new(vec![text.to_string()]);
            authority.upsert_mut(Record::from_rdata(name, 60, RData::TXT(txt)), 1);
        }
        let mut catalog = Catalog::new();
        catalog.upsert(LowerName::new(&origin), vec![Arc::new(authority)]);

        let (ready, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                // The same port for UDP and TCP, as resolvers expect; a free UDP port may be
                // taken for TCP by another process, so try again until both are ours.
                let mut attempts = 0;
                let (udp, tcp, port) = loop {
                    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
                    let port = udp.local_addr().unwrap().port();
                    match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                        Ok(tcp) => break (udp, tcp, port),
                        Err(_) if attempts < 50 => attempts += 1,
                        Err(e) => panic!("no port free for both UDP and TCP: {e}"),
                    }
                };
                let mut server = ServerFuture::new(catalog);
                server.register_socket(udp);
                server.register_listener(tcp, Duration::from_secs(5));
                ready
                    .send(SocketAddr::from(([127, 0, 0, 1], port)))
                    .unwrap();
                server.block_until_done().await.ok();
            });
        });
        DnsServer {
            address: address.recv().unwrap(),
        }
    }
}
