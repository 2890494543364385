//! A real HTTPS server on a loopback port, with a certificate for `localhost` from a test
//! certificate authority of its own: what a did:web issuer on a private network looks like.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

pub struct HttpsServer {
    pub port: u16,
    /// The authority that signed the server's certificate, as PEM.
    pub ca_pem: String,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl HttpsServer {
    /// Starts answering GETs: a path put with [`HttpsServer::put`] gets its bytes, any other
    /// 404. It runs until the test process ends.
    pub fn start() -> HttpsServer {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Corridor test authority");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let authority = rcgen::Issuer::new(ca_params, ca_key);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&key, &authority)
            .unwrap();
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let served = Arc::clone(&files);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (config, files) = (Arc::clone(&config), Arc::clone(&served));
                std::thread::spawn(move || {
                    let connection = rustls::ServerConnection::new(config).unwrap();
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    let mut reader = BufReader::new(&mut tls);
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).is_err() {
                        return; // a client that did not trust the certificate
                    }
                    let mut header = String::new();
                    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                        header.clear();
                    }
                    let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
                    let body = files.lock().unwrap().get(&path).cloned();
                    let (status, body) = match body {
                        Some(body) => ("200 OK", body),
                        None => ("404 Not Found", b"Not Found".to_vec()),
                    };
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = tls.write_all(head.as_bytes());
                    let _ = tls.write_all(&body);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        HttpsServer {
            port,
            ca_pem: ca_cert.pem(),
            files,
        }
    }

    /// Serves `body` at `path`.
    pub fn put(&self, path: &str, body: &[u8]) {
        self.files
            .lock()
            .unwrap()
            .insert(path.to_owned(), body.to_vec());
    }
}
