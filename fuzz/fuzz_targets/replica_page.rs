//! Whole, well-signed pages of a peer's feed whose entries carry untrusted states (kind,
//! issuer, subject, state and what is published all from the input), applied to a replica.
//! Applying never panics; a page is applied whole or refused with nothing of it kept (the
//! replica's last entry moves to the page's end, or stays); and the replica's audit holds.
#![no_main]

use std::sync::{Mutex, OnceLock};

use corridor_feed::{FeedEntry, Head, Kind, Node, Page, Public};
use corridor_format::Hash32;
use corridor_format::did::DidSigner;
use corridor_ledger::{Audit, Store};
use libfuzzer_sys::fuzz_target;

const FEED: &str = "https://sg.lion-city.test/api/feed";

struct Follower {
    _dir: tempfile::TempDir,
    store: Store,
    key: DidSigner,
    runs: u64,
}

fn follower() -> &'static Mutex<Follower> {
    static FOLLOWER: OnceLock<Mutex<Follower>> = OnceLock::new();
    FOLLOWER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("cq.sqlite")).unwrap();
        let key = DidSigner::new(k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap());
        Mutex::new(Follower {
            _dir: dir,
            store,
            key,
            runs: 0,
        })
    })
}

/// Takes `n` bytes off the front of `data` (fewer at its end).
fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (head, rest) = data.split_at(n.min(data.len()));
    *data = rest;
    head
}

fuzz_target!(|data: &[u8]| {
    let mut data = data;
    let mut follower = follower().lock().unwrap();
    let node = Node {
        did: follower.key.did(),
        domain: "lion-city.test".into(),
        url: "https://sg.lion-city.test".into(),
    };
    let before = follower.store.peer(FEED).unwrap();
    let mut last = before.as_ref().map(|p| (p.seq, p.hash)).filter(|(seq, _)| *seq > 0);
    let mut entries = Vec::new();
    while data.len() >= 4 && entries.len() < 16 {
        let header = take(&mut data, 4);
        let kind = Kind::ALL[usize::from(header[0]) % Kind::ALL.len()];
        let state = take(&mut data, usize::from(header[1])).to_vec();
        let mut subject = [0u8; 32];
        let given = take(&mut data, usize::from(header[2] % 33));
        subject[..given.len()].copy_from_slice(given);
        let published = String::from_utf8_lossy(take(&mut data, usize::from(header[3] % 64)));
        let public = Public {
            audit_seq: i64::from(header[0]),
            audit_hash: Hash32([header[1]; 32]),
            at: i64::from_be_bytes([header[2]; 8]),
            kind,
            issuer: format!("issuer-{}", header[3] % 3),
            subject: Hash32(subject),
            state,
        };
        let entry = FeedEntry::next(last, public, published.into_owned());
        last = Some((entry.seq, entry.hash));
        entries.push(entry);
    }
    let (seq, hash) = last.unwrap_or((0, Hash32([0; 32])));
    let page = Page {
        head: Head {
            node: node.clone(),
            seq,
            hash,
            signed_at: 1_764_300_000_000,
            deployments: vec![corridor_feed::Deployed {
                since: 1,
                chain_id: 1,
                salt: Hash32([5; 32]),
            }],
        }
        .sign(&follower.key),
        entries,
        more: false,
    };
    let applied = follower
        .store
        .apply_peer_page(FEED, &node, &page, 1_764_300_000_000)
        .unwrap();
    let after = follower.store.peer(FEED).unwrap().map_or(0, |p| p.seq);
    let was = before.map_or(0, |p| p.seq);
    match applied {
        Ok(_) => assert_eq!(after, seq),
        Err(_) => assert_eq!(after, was),
    }
    // The audit replays the whole log: now and then, as the replica grows.
    follower.runs += 1;
    if follower.runs % 256 == 0 {
        assert!(matches!(follower.store.audit().unwrap(), Audit::Intact { .. }));
    }
});
