//! The status feed a node publishes so that nodes in another region can answer for its
//! documents: for each audit entry a verifier needs — a batch issued (its merkle root), a
//! document or batch revoked, a title registry made and every title action, a status list made,
//! handed out or changed, a product recalled — its public part, hash-chained in an order of its
//! own. Hashes and states only: a revocation's note, company profiles, disclosures, shares and
//! traceability events never enter it (a recall enters as the hash of what it recalls), and
//! nor does how many of them there are.
//!
//! Each feed entry names its audit entry (number and hash), so that the node's own audit
//! check ties the feed to the log; a follower, which cannot see the log, checks the feed's
//! own chain ([`check_next`]).
//!
//! Pure: no I/O. The store appends entries ([`FeedEntry::next`]) in the transaction that
//! writes their audit entries.

mod head;
mod wire;

pub use head::{Deployed, Head, Node, SignedHead};
pub use wire::{LONGEST_PUBLISHED, MOST_PER_PAGE, Page};

use corridor_format::{Hash32, keccak256};

/// An audit action whose entry enters the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A batch issued: the subject is its merkle root, the state the digest of its documents.
    Issue,
    /// A document or batch revoked: the subject is its hash, the state the reason's code
    /// (8 bytes, big-endian); the note stays home.
    Revoke,
    /// A title registry made: the subject its address, the state its admin and name.
    Registry,
    /// A title action: the subject the token, the state the signed action.
    Title,
    /// A status list made, entries handed out, bits set or cleared: the subject the list's
    /// URL's hash, the state the URL and what changed.
    StatusList,
    StatusAllocate,
    StatusSet,
    StatusClear,
    /// A lot, item or unit recalled by a recorded traceability event: the subject the hash
    /// of its identifier ([`recall_subject`]), the state when the recall happened (8 bytes,
    /// big-endian milliseconds since 1970) and the Keccak-256 of the event's ID.
    Recall,
}

/// The subject of a recall's entry: the Keccak-256 of the recalled object's identifier (its
/// EPC URI, as `urn:epc:class:lgtin:…` for a lot), which a follower checking its own
/// products' provenance hashes likewise.
///
/// ```
/// use corridor_feed::recall_subject;
/// assert_eq!(
///     recall_subject("urn:epc:class:lgtin:4012345.012345.LOT1"),
///     corridor_format::keccak256(b"urn:epc:class:lgtin:4012345.012345.LOT1")
/// );
/// ```
pub fn recall_subject(identifier: &str) -> Hash32 {
    keccak256(identifier.as_bytes())
}

/// The state of a recall's entry: when it happened, and the Keccak-256 of its event's ID.
pub fn recall_state(time: i64, event_id: &str) -> Vec<u8> {
    [
        time.to_be_bytes().as_slice(),
        keccak256(event_id.as_bytes()).as_bytes(),
    ]
    .concat()
}

/// When a recall happened, from its entry's state; `None` for a state that is not a recall's.
pub fn recall_time(state: &[u8]) -> Option<i64> {
    if state.len() != 40 {
        return None;
    }
    Some(i64::from_be_bytes(state[..8].try_into().ok()?))
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 9] = [
        Kind::Issue,
        Kind::Revoke,
        Kind::Registry,
        Kind::Title,
        Kind::StatusList,
        Kind::StatusAllocate,
        Kind::StatusSet,
        Kind::StatusClear,
        Kind::Recall,
    ];

    /// The audit action's name, which the feed uses too.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Issue => "issue",
            Kind::Revoke => "revoke",
            Kind::Registry => "registry",
            Kind::Title => "title",
            Kind::StatusList => "status-list",
            Kind::StatusAllocate => "status-allocate",
            Kind::StatusSet => "status-set",
            Kind::StatusClear => "status-clear",
            Kind::Recall => "recall",
        }
    }

    /// The kind of the audit action `name`; `None` for an action that stays home.
    pub fn of_action(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// What of an audit entry's `detail` the feed shows: all of it, but a revocation's note
    /// (what follows its reason's 8 bytes).
    pub fn public_state(self, detail: &[u8]) -> Vec<u8> {
        match self {
            Kind::Revoke => detail[..detail.len().min(8)].to_vec(),
            _ => detail.to_vec(),
        }
    }
}

/// The audit entry an entry of the feed stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Public {
    /// The audit entry's number and hash.
    pub audit_seq: i64,
    pub audit_hash: Hash32,
    /// When it was written (milliseconds since 1970).
    pub at: i64,
    pub kind: Kind,
    /// The issuer (or registry) the audit entry is under.
    pub issuer: String,
    pub subject: Hash32,
    /// What of its detail the feed shows ([`Kind::public_state`]).
    pub state: Vec<u8>,
}

impl Public {
    /// keccak256 over every field, each variable one length-prefixed, so that no two
    /// different public parts write the same bytes: what the node's audit check compares
    /// with its log, which says nothing of what is published.
    pub fn hash(&self) -> Hash32 {
        let mut bytes = Vec::with_capacity(128 + self.issuer.len() + self.state.len());
        bytes.extend_from_slice(&self.audit_seq.to_be_bytes());
        bytes.extend_from_slice(self.audit_hash.as_bytes());
        bytes.extend_from_slice(&self.at.to_be_bytes());
        for part in [
            self.kind.name().as_bytes(),
            self.issuer.as_bytes(),
            self.subject.as_bytes(),
            &self.state,
        ] {
            length_prefixed(&mut bytes, part);
        }
        keccak256(&bytes)
    }
}

fn length_prefixed(bytes: &mut Vec<u8>, part: &[u8]) {
    bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
    bytes.extend_from_slice(part);
}

/// An entry of the feed: its place in the feed's chain, the audit entry it stands for, and
/// what the node publishes as of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// 1, 2, 3, … in the order written.
    pub seq: i64,
    /// The hash of the entry before (zeros for the first).
    pub prev: Hash32,
    pub hash: Hash32,
    pub public: Public,
    /// What the node publishes as of this entry, for a follower to publish in its stead:
    /// a status list's credential as signed after the change (made, set, cleared); empty
    /// for the rest.
    pub published: String,
}

impl FeedEntry {
    /// The entry that follows `last` (or starts the feed) and stands for `public`.
    ///
    /// ```
    /// use corridor_feed::{FeedEntry, Kind, Public, check_next};
    /// use corridor_format::Hash32;
    /// let issued = Public {
    ///     audit_seq: 7,
    ///     audit_hash: Hash32([1; 32]),
    ///     at: 1_700_000_000_000,
    ///     kind: Kind::Issue,
    ///     issuer: "lion-city".into(),
    ///     subject: Hash32([2; 32]),
    ///     state: vec![3; 32],
    /// };
    /// let first = FeedEntry::next(None, issued, String::new());
    /// assert_eq!((first.seq, first.prev), (1, Hash32([0; 32])));
    /// assert_eq!(check_next(None, &first), Ok(()));
    /// ```
    pub fn next(last: Option<(i64, Hash32)>, public: Public, published: String) -> FeedEntry {
        let (seq, prev) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, Hash32([0; 32])),
        };
        let hash = entry_hash(seq, &prev, &public, &published);
        FeedEntry {
            seq,
            prev,
            hash,
            public,
            published,
        }
    }

    /// Whether the entry's hash is that of its content and link.
    pub fn is_whole(&self) -> bool {
        entry_hash(self.seq, &self.prev, &self.public, &self.published) == self.hash
    }
}

/// keccak256 over the link, the public part's hash and what is published.
fn entry_hash(seq: i64, prev: &Hash32, public: &Public, published: &str) -> Hash32 {
    let mut bytes = Vec::with_capacity(80 + published.len());
    bytes.extend_from_slice(prev.as_bytes());
    bytes.extend_from_slice(&seq.to_be_bytes());
    bytes.extend_from_slice(public.hash().as_bytes());
    length_prefixed(&mut bytes, published.as_bytes());
    keccak256(&bytes)
}

/// Why a follower refuses what a peer sent as its feed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedFault {
    /// An entry's content is not what its hash says: altered, or made up.
    #[error("forged: entry {seq}'s content does not match its hash")]
    Forged { seq: i64 },
    /// An entry comes out of its order: numbered before the one it follows.
    #[error("reordered: entry {seq} came after entry {after}")]
    Reordered { seq: i64, after: i64 },
    /// Entries are missing: a number skipped.
    #[error("truncated: entry {missing} is missing (entry {seq} came next)")]
    Truncated { missing: i64, seq: i64 },
    /// The peer's history differs from the one followed so far: an entry does not link to
    /// the entry known at its place.
    #[error("forked: entry {seq} does not link to entry {} as it was followed", seq - 1)]
    Forked { seq: i64 },
    /// An entry, whole and in its place, is a change the rules refuse: a title action on a
    /// registry the feed never made, or one the title's rules do not allow.
    #[error("refused: entry {seq} is not a change the rules allow: {why}")]
    Refused { seq: i64, why: String },
    /// The peer's head is behind what was followed of it: its feed lost its end, or an old
    /// head is replayed.
    #[error(
        "truncated at its end: the head is entry {head}, before entry {followed} already followed"
    )]
    RolledBack { head: i64, followed: i64 },
    /// The head is not signed by the key of the node it names, or names another node than
    /// the one followed.
    #[error("bad signature: {why}")]
    BadSignature { why: String },
}

/// Checks a page of `node`'s feed that follows `last` (the last entry followed; `None` before
/// the first): its head signed by the node, each entry as [`check_next`] asks, nothing past
/// the head (unsigned), and, where the page reaches the head, the head's hash; a page that
/// says nothing follows must reach it.
pub fn check_page(node: &Node, last: Option<(i64, Hash32)>, page: &Page) -> Result<(), FeedFault> {
    let head = &page.head.head;
    if head.node != *node {
        return Err(FeedFault::BadSignature {
            why: format!(
                "the head names {}, not the node followed, {}",
                head.node, node
            ),
        });
    }
    if !page.head.is_signed_by_its_node() {
        return Err(FeedFault::BadSignature {
            why: format!("the head is not signed by the key of {}", node.did),
        });
    }
    let mut at = last;
    for entry in &page.entries {
        check_next(at, entry)?;
        if entry.seq > head.seq {
            return Err(FeedFault::Forged { seq: entry.seq });
        }
        at = Some((entry.seq, entry.hash));
    }
    let (reached, hash) = at.unwrap_or((0, Hash32([0; 32])));
    if reached == head.seq && hash != head.hash {
        return Err(FeedFault::Forked { seq: head.seq });
    }
    if reached < head.seq && !page.more {
        return Err(FeedFault::Truncated {
            missing: reached + 1,
            seq: head.seq,
        });
    }
    Ok(())
}

/// Checks that `entry` is whole and comes right after `last` (the last entry followed, by
/// number and hash; `None` before the first): what a follower asks of each entry before it
/// applies it.
///
/// ```
/// use corridor_feed::{FeedEntry, FeedFault, Kind, Public, check_next};
/// use corridor_format::Hash32;
/// let public = |n: u8| Public {
///     audit_seq: i64::from(n),
///     audit_hash: Hash32([n; 32]),
///     at: 0,
///     kind: Kind::Revoke,
///     issuer: "lion-city".into(),
///     subject: Hash32([n; 32]),
///     state: 1i64.to_be_bytes().to_vec(),
/// };
/// let first = FeedEntry::next(None, public(1), String::new());
/// let mut second = FeedEntry::next(Some((first.seq, first.hash)), public(2), String::new());
/// assert_eq!(check_next(Some((1, first.hash)), &second), Ok(()));
/// second.public.subject = Hash32([9; 32]);
/// assert_eq!(check_next(Some((1, first.hash)), &second), Err(FeedFault::Forged { seq: 2 }));
/// ```
pub fn check_next(last: Option<(i64, Hash32)>, entry: &FeedEntry) -> Result<(), FeedFault> {
    let (last_seq, last_hash) = last.unwrap_or((0, Hash32([0; 32])));
    if entry.seq <= last_seq {
        return Err(FeedFault::Reordered {
            seq: entry.seq,
            after: last_seq,
        });
    }
    if entry.seq > last_seq + 1 {
        return Err(FeedFault::Truncated {
            missing: last_seq + 1,
            seq: entry.seq,
        });
    }
    if !entry.is_whole() {
        return Err(FeedFault::Forged { seq: entry.seq });
    }
    if entry.prev != last_hash {
        return Err(FeedFault::Forked { seq: entry.seq });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn public(n: u8, kind: Kind) -> Public {
        Public {
            audit_seq: i64::from(n) * 3,
            audit_hash: Hash32([n; 32]),
            at: 1_700_000_000_000 + i64::from(n),
            kind,
            issuer: format!("issuer-{n}"),
            subject: Hash32([n.wrapping_mul(7); 32]),
            state: vec![n; usize::from(n)],
        }
    }

    /// A feed of `n` entries, of every kind in turn.
    fn feed(n: u8) -> Vec<FeedEntry> {
        let mut entries: Vec<FeedEntry> = Vec::new();
        for i in 1..=n {
            let last = entries.last().map(|e| (e.seq, e.hash));
            let kind = Kind::ALL[usize::from(i) % Kind::ALL.len()];
            let published = if kind == Kind::StatusSet {
                format!("{{\"list\":{i}}}")
            } else {
                String::new()
            };
            entries.push(FeedEntry::next(last, public(i, kind), published));
        }
        entries
    }

    /// Follows `entries` from the start: the first fault, if any.
    fn follow(entries: &[FeedEntry]) -> Result<(), FeedFault> {
        let mut last = None;
        for entry in entries {
            check_next(last, entry)?;
            last = Some((entry.seq, entry.hash));
        }
        Ok(())
    }

    #[test]
    fn a_whole_feed_is_followed_and_every_alteration_is_named() {
        let entries = feed(12);
        assert_eq!(follow(&entries), Ok(()));

        // Every field of every entry, changed: forged (or, for the link, forked).
        for i in 0..entries.len() {
            let seq = entries[i].seq;
            let changes: [fn(&mut FeedEntry); 9] = [
                |e| e.public.audit_seq += 1,
                |e| e.public.audit_hash.0[0] ^= 1,
                |e| e.public.at += 1,
                |e| {
                    e.public.kind = if e.public.kind == Kind::Title {
                        Kind::Issue
                    } else {
                        Kind::Title
                    }
                },
                |e| e.public.issuer.push('x'),
                |e| e.public.subject.0[31] ^= 1,
                |e| e.public.state.push(0),
                |e| e.published.push(' '),
                |e| e.hash.0[5] ^= 1,
            ];
            for change in changes {
                let mut altered = entries.clone();
                change(&mut altered[i]);
                assert_eq!(follow(&altered), Err(FeedFault::Forged { seq }));
            }
        }

        // Two entries swapped.
        let mut swapped = entries.clone();
        swapped.swap(4, 5);
        assert_eq!(
            follow(&swapped),
            Err(FeedFault::Truncated { missing: 5, seq: 6 })
        );
        let mut back = entries.clone();
        back.insert(6, entries[2].clone());
        assert_eq!(
            follow(&back),
            Err(FeedFault::Reordered { seq: 3, after: 6 })
        );

        // One missing in the middle.
        let mut gap = entries.clone();
        gap.remove(7);
        assert_eq!(
            follow(&gap),
            Err(FeedFault::Truncated { missing: 8, seq: 9 })
        );

        // Another history from entry 6 on, whole in itself: a fork.
        let mut other = entries[..5].to_vec();
        for i in 6..=8 {
            let last = other.last().map(|e| (e.seq, e.hash));
            other.push(FeedEntry::next(
                last,
                public(i + 100, Kind::Revoke),
                String::new(),
            ));
        }
        assert_eq!(follow(&other), Ok(()));
        let followed = (entries[6].seq, entries[6].hash);
        assert_eq!(
            check_next(Some(followed), &other[7]),
            Err(FeedFault::Forked { seq: 8 })
        );
    }

    fn signer(seed: u8) -> corridor_format::did::DidSigner {
        corridor_format::did::DidSigner::new(
            k256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap(),
        )
    }

    /// A page of all of `entries`, its head signed by `key` for `node`.
    fn page(entries: &[FeedEntry], node: &Node, key: &corridor_format::did::DidSigner) -> Page {
        let last = entries.last().unwrap();
        let head = Head {
            node: node.clone(),
            seq: last.seq,
            hash: last.hash,
            signed_at: 1_764_300_000_000,
            deployments: vec![Deployed {
                since: 1,
                chain_id: 7,
                salt: Hash32([3; 32]),
            }],
        };
        Page {
            head: head.sign(key),
            entries: entries.to_vec(),
            more: false,
        }
    }

    #[test]
    fn a_page_is_checked_against_its_signed_head_and_read_back_from_json() {
        let key = signer(7);
        let node = Node {
            did: key.did(),
            domain: "lion-city.test".into(),
            url: "https://corridor.lion-city.test".into(),
        };
        let entries = feed(9);
        let whole = page(&entries, &node, &key);
        assert_eq!(check_page(&node, None, &whole), Ok(()));
        let json = whole.to_json();
        assert_eq!(Page::from_json(&json), Ok(whole.clone()));
        // In two pages: the first says more follow.
        let mut first = whole.clone();
        first.entries.truncate(4);
        first.more = true;
        assert_eq!(check_page(&node, None, &first), Ok(()));
        let mut second = whole.clone();
        second.entries.drain(..4);
        let after_first = Some((entries[3].seq, entries[3].hash));
        assert_eq!(check_page(&node, after_first, &second), Ok(()));

        // Signed by another key, or naming another node: refused.
        let mut forged_head = page(&entries, &node, &signer(8));
        assert!(matches!(
            check_page(&node, None, &forged_head),
            Err(FeedFault::BadSignature { .. })
        ));
        forged_head = page(
            &entries,
            &Node {
                did: signer(8).did(),
                ..node.clone()
            },
            &signer(8),
        );
        assert!(matches!(
            check_page(&node, None, &forged_head),
            Err(FeedFault::BadSignature { .. })
        ));
        let mut moved = whole.clone();
        moved.head.head.signed_at += 1;
        assert!(matches!(
            check_page(&node, None, &moved),
            Err(FeedFault::BadSignature { .. })
        ));
        // Cut short while saying nothing follows.
        let mut cut = whole.clone();
        cut.entries.truncate(6);
        assert_eq!(
            check_page(&node, None, &cut),
            Err(FeedFault::Truncated { missing: 7, seq: 9 })
        );
        // An entry past the head, whole and linked but signed by no head.
        let mut past = whole.clone();
        past.head = page(&entries[..8], &node, &key).head;
        assert_eq!(
            check_page(&node, None, &past),
            Err(FeedFault::Forged { seq: 9 })
        );
        // Another history, the head still the old one's.
        let mut other = whole.clone();
        let last = other.entries.pop().unwrap();
        let mut public = last.public.clone();
        public.subject = Hash32([0xee; 32]);
        other.entries.push(FeedEntry::next(
            Some((entries[7].seq, entries[7].hash)),
            public,
            last.published.clone(),
        ));
        assert_eq!(
            check_page(&node, None, &other),
            Err(FeedFault::Forked { seq: 9 })
        );

        // What a peer sends that is not a page is named by its field.
        let mut bad = json.clone();
        bad["entries"][3]["subject"] = json!("0x12");
        assert_eq!(
            Page::from_json(&bad),
            Err("entries[3].subject must be 0x and 64 hex digits".into())
        );
        bad = json.clone();
        bad["entries"][0]["kind"] = json!("disclosure");
        assert!(
            Page::from_json(&bad)
                .unwrap_err()
                .contains("\"disclosure\" is not a kind")
        );
        bad = json.clone();
        bad["head"]["seq"] = json!(-1);
        assert_eq!(
            Page::from_json(&bad),
            Err("head.seq must be a whole number, 0 or more".into())
        );
        bad = json.clone();
        bad["entries"] = json!(vec![json!({}); MOST_PER_PAGE + 1]);
        assert!(
            Page::from_json(&bad)
                .unwrap_err()
                .contains("more than the 10000")
        );
    }

    #[test]
    fn only_what_verifiers_need_enters_and_a_revocation_keeps_its_note() {
        for kind in Kind::ALL {
            assert_eq!(Kind::of_action(kind.name()), Some(kind));
        }
        for private in [
            "company",
            "disclosure",
            "share",
            "trace",
            "policy",
            "company-credential",
        ] {
            assert_eq!(Kind::of_action(private), None, "{private}");
        }
        let mut detail = 4i64.to_be_bytes().to_vec();
        detail.extend_from_slice(b"customer asked, ref 8812");
        assert_eq!(Kind::Revoke.public_state(&detail), 4i64.to_be_bytes());
        assert_eq!(Kind::Revoke.public_state(b"short"), b"short");
        assert_eq!(Kind::Title.public_state(b"{}"), b"{}");
    }
}
