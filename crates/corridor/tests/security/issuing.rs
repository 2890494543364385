//! What a token holder can issue (item 8): only documents that name the server's own issuer
//! block — its DID and key, its own revocation responder, the domain it was started with —
//! so that nothing it signs escapes the operator's revocation.

use super::common::{Served, Workdir};
use serde_json::{Value, json};

const DOMAIN: &str = "issuer.corridor.test";

fn served(work: &Workdir) -> Served {
    Served::start(
        work,
        &[
            "--offline",
            "--private-key-env",
            "TEST_PRIVATE_KEY",
            "--issuer-domain",
            DOMAIN,
        ],
    )
}

/// A token holder sends documents whose issuer block is theirs: no revocation, a responder
/// of their own, another domain vouching, another DID. Each is refused, naming the document,
/// and nothing is signed or recorded.
#[test]
fn a_token_holder_cannot_choose_the_issuer_block_the_server_signs() {
    let work = Workdir::new();
    let token = work
        .ok(&["token", "new", "ci", "--scope", "issue"])
        .trim()
        .to_string();
    let served = served(&work);
    let (_, issuer) = served.call("GET", "/api/issuer", None, None);
    let ours = issuer["documentIssuer"].clone();
    assert_eq!(
        ours["revocation"]["location"],
        format!("{}/ocsp/{}", served.base, issuer["name"].as_str().unwrap())
    );
    let theirs = |change: fn(&mut Value)| {
        let mut block = ours.clone();
        change(&mut block);
        json!({"issuers": [block], "blNumber": "BL-1"})
    };
    let attempts = [
        theirs(|b| b["revocation"] = json!({"type": "NONE"})),
        theirs(|b| b["revocation"]["location"] = json!("https://attacker.example/ocsp")),
        theirs(|b| b["identityProof"]["location"] = json!("attacker.example")),
        theirs(|b| b["id"] = json!("did:ethr:0x0000000000000000000000000000000000000001")),
        json!({"issuers": [ours.clone(), ours.clone()], "blNumber": "BL-1"}),
    ];
    let audit_before = work.ok(&["store", "audit"]);
    for attempt in attempts {
        let body = json!({"documents": [{"blNumber": "BL-0"}, attempt]});
        let (status, answer) = served.call("POST", "/api/issue", Some(&body), Some(&token));
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["error"]["code"], "not_our_issuer", "{answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("document 2:"),
            "{answer}"
        );
    }
    assert_eq!(work.ok(&["store", "audit"]), audit_before);
    // Naming exactly the server's block, or none, is issuing as the server.
    let body = json!({"documents": [{"blNumber": "BL-0"}, {"issuers": [ours.clone()], "blNumber": "BL-1"}]});
    let (status, answer) = served.call("POST", "/api/issue", Some(&body), Some(&token));
    assert_eq!(status, 200, "{answer}");
    for document in answer["documents"].as_array().unwrap() {
        let data = corridor_format::unsalt_data(&document["data"]).unwrap();
        assert_eq!(data["issuers"], json!([ours]));
    }
}

/// The server cannot be started to issue without saying which domain vouches for it, nor
/// from a wildcard address without the URL it is reached at (its responder's).
#[test]
fn issuing_needs_the_domain_and_a_reachable_responder() {
    let work = Workdir::new();
    let key = ["--offline", "--private-key-env", "TEST_PRIVATE_KEY"];
    let out = work.run(&[&["serve", "--listen", "127.0.0.1:0"][..], &key].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--issuer-domain"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = work.run(
        &[
            &["serve", "--listen", "0.0.0.0:0", "--issuer-domain", DOMAIN][..],
            &key,
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--public-url"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = work.run(
        &[
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--issuer-domain",
                "localhost",
            ][..],
            &key,
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("\"localhost\" is not a domain name"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
