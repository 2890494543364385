//! Replicas of the peers a node follows (`corridor serve --follow`): each peer's feed as
//! followed, entry for entry, and what a verifier asks of it — the roots it issued, what it
//! revoked, its status lists as it signed them, its title registries and each title's state
//! (the title actions replayed under the registry's rules) — with how fresh that is.
//!
//! A page is checked (`corridor_feed::check_page`) against the replica's last entry in the
//! transaction that applies it, so two followers of one store cannot interleave; a refused
//! page changes nothing but the fault it is refused for. Applying entries appends a `follow`
//! audit entry (which stays home: the feed does not show it); the freshness of a peer reached
//! with nothing new is kept without one.

use alloy_primitives::{Address, U256};
use corridor_db::{OptionalExtension, Transaction, params};
use corridor_feed::{FeedEntry, FeedFault, Kind, Node, Page, check_page};
use corridor_format::Hash32;
use corridor_title::{RegistryVersion, Roles, SignedAction, SigningDomain, Title, apply};

use crate::deployments::Deployments;
use crate::store::{Store, StoreError, append_audit, hash32};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS peers (
    url TEXT PRIMARY KEY, did TEXT, domain TEXT, node_url TEXT,
    seq INTEGER NOT NULL DEFAULT 0, hash BLOB NOT NULL,
    signed_at INTEGER, reached_at INTEGER, fault TEXT, fault_at INTEGER);
CREATE TABLE IF NOT EXISTS peer_feed (
    peer TEXT NOT NULL, seq INTEGER NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL,
    audit_seq INTEGER NOT NULL, audit_hash BLOB NOT NULL, at INTEGER NOT NULL,
    kind TEXT NOT NULL, issuer TEXT NOT NULL, subject BLOB NOT NULL, state BLOB NOT NULL,
    published TEXT NOT NULL, PRIMARY KEY (peer, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS peer_issued (
    peer TEXT NOT NULL, issuer TEXT NOT NULL, root BLOB NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (peer, root, issuer)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS peer_revoked (
    peer TEXT NOT NULL, issuer TEXT NOT NULL, hash BLOB NOT NULL, at INTEGER NOT NULL,
    reason INTEGER NOT NULL, PRIMARY KEY (peer, hash, issuer)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS peer_lists (
    list TEXT PRIMARY KEY, peer TEXT NOT NULL, signed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS peer_registries (
    peer TEXT NOT NULL, address BLOB NOT NULL, admin BLOB NOT NULL, name TEXT NOT NULL,
    at INTEGER NOT NULL, PRIMARY KEY (peer, address)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS peer_registries_by_address ON peer_registries (address);
CREATE TABLE IF NOT EXISTS peer_titles (
    peer TEXT NOT NULL, registry BLOB NOT NULL, token BLOB NOT NULL, title TEXT NOT NULL,
    PRIMARY KEY (peer, registry, token)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS peer_recalls (
    subject BLOB NOT NULL, peer TEXT NOT NULL, issuer TEXT NOT NULL, state BLOB NOT NULL,
    PRIMARY KEY (subject, peer, issuer, state)) WITHOUT ROWID;
";

/// What a node knows of a peer it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerState {
    /// The feed's URL, as followed.
    pub url: String,
    /// Who the peer is, once a page of its feed was accepted.
    pub node: Option<Node>,
    /// The last entry applied (number 0 and a zero hash before the first).
    pub seq: i64,
    pub hash: Hash32,
    /// When the peer signed the last head accepted (milliseconds since 1970): how fresh the
    /// replica is, by the peer's own word.
    pub signed_at: Option<i64>,
    /// When a page was last accepted, by this node's clock.
    pub reached_at: Option<i64>,
    /// Why the last try failed or was refused, and when, if nothing was accepted since.
    pub fault: Option<(String, i64)>,
}

/// What applying a page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The entries applied.
    pub entries: usize,
    /// The last entry applied, now.
    pub seq: i64,
}

/// A revocation a peer published: when, and its reason's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerRevocation {
    pub at: i64,
    pub reason: i64,
}

/// A recall a followed peer published: of the object whose identifier hashes to `subject`
/// ([`corridor_feed::recall_subject`]), by its `issuer`, at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRecall {
    /// The feed URL of the peer.
    pub peer: String,
    pub issuer: String,
    pub subject: Hash32,
    /// When the recall happened (its event's time, milliseconds since 1970).
    pub at: i64,
}

impl Store {
    /// Applies `page` of the feed followed at `url`, from `node` (whose DNS the caller
    /// checked vouches for its key), at `now`: checked against the replica's last entry and
    /// node first. A refused page is recorded as the peer's fault, and changes nothing else.
    pub fn apply_peer_page(
        &mut self,
        url: &str,
        node: &Node,
        page: &Page,
        now: i64,
    ) -> Result<Result<Applied, FeedFault>, StoreError> {
        let applied = self.transact(|tx, at| {
            let state = read_peer(tx, url)?;
            let followed = state
                .as_ref()
                .map_or((0, Hash32([0; 32])), |s| (s.seq, s.hash));
            let last = (followed.0 > 0).then_some(followed);
            if let Some(known) = state.as_ref().and_then(|s| s.node.as_ref())
                && known != node
            {
                return Ok(Ok(Err(FeedFault::BadSignature {
                    why: format!("the feed is now {node}, not {known} as followed"),
                })));
            }
            let head = &page.head.head;
            if head.seq < followed.0 {
                return Ok(Ok(Err(FeedFault::RolledBack {
                    head: head.seq,
                    followed: followed.0,
                })));
            }
            // Saying more follows while giving nothing would keep the replica waiting, as
            // if cut short.
            if page.more && page.entries.is_empty() && head.seq > followed.0 {
                return Ok(Ok(Err(FeedFault::Truncated {
                    missing: followed.0 + 1,
                    seq: head.seq,
                })));
            }
            if let Err(fault) = check_page(node, last, page) {
                return Ok(Ok(Err(fault)));
            }
            let mut end = followed;
            let deployments = Deployments::of_peer(head);
            for entry in &page.entries {
                let derived = match without_nul(entry) {
                    Ok(()) => {
                        insert_entry(tx, url, entry)?;
                        derive(tx, url, node, &deployments, entry)?
                    }
                    Err(why) => Err(why),
                };
                if let Err(why) = derived {
                    // Nothing of the page is kept: the transaction is not committed.
                    return Ok(Err(StoreError::PeerRefused(FeedFault::Refused {
                        seq: entry.seq,
                        why,
                    })));
                }
                end = (entry.seq, entry.hash);
            }
            // Fresher only once the replica reaches the head the page was signed with: a page
            // that stops short (more to come, or entries withheld) says nothing of what is
            // missing. A head signed "later" than now is taken as signed now.
            let (before_signed, before_reached) = state
                .as_ref()
                .map_or((None, None), |s| (s.signed_at, s.reached_at));
            let (signed_at, reached_at) = if end.0 == head.seq {
                let signed = head.signed_at.min(now);
                (
                    Some(before_signed.map_or(signed, |s| s.max(signed))),
                    Some(now),
                )
            } else {
                (before_signed, before_reached)
            };
            tx.execute(
                "INSERT INTO peers (url, did, domain, node_url, seq, hash, signed_at, reached_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (url) DO UPDATE SET did = ?2, domain = ?3, node_url = ?4, seq = ?5,
                     hash = ?6, signed_at = ?7, reached_at = ?8, fault = NULL, fault_at = NULL",
                params![
                    url,
                    node.did,
                    node.domain,
                    node.url,
                    end.0,
                    end.1.as_bytes(),
                    signed_at,
                    reached_at
                ],
            )?;
            if !page.entries.is_empty() {
                let detail = [
                    followed.0.to_be_bytes().as_slice(),
                    &end.0.to_be_bytes(),
                    end.1.as_bytes(),
                ]
                .concat();
                append_audit(
                    tx,
                    at,
                    &node.did,
                    "follow",
                    &corridor_format::keccak256(url.as_bytes()),
                    &detail,
                )?;
            }
            Ok(Ok(Ok(Applied {
                entries: page.entries.len(),
                seq: end.0,
            })))
        });
        let applied = match applied {
            Err(StoreError::PeerRefused(fault)) => Err(fault),
            other => other?,
        };
        if let Err(fault) = &applied {
            self.peer_failed(url, &fault.to_string(), now)?;
        }
        Ok(applied)
    }

    /// Records that the peer followed at `url` could not be reached, or was refused, at
    /// `now`, saying why; what was followed stays as it was.
    pub fn peer_failed(&mut self, url: &str, why: &str, now: i64) -> Result<(), StoreError> {
        let why: String = why.chars().take(1000).collect();
        self.transact(|tx, _| {
            tx.execute(
                "INSERT INTO peers (url, hash, fault, fault_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (url) DO UPDATE SET fault = ?3, fault_at = ?4",
                params![url, [0u8; 32], why, now],
            )?;
            Ok(Ok(()))
        })
    }

    /// What this node knows of the peer followed at `url`, if it ever tried it.
    pub fn peer(&self, url: &str) -> Result<Option<PeerState>, StoreError> {
        read_peer(&self.conn, url).map_err(|e| self.sqlite(e))
    }

    /// Every peer tried, by URL.
    pub fn peers(&self) -> Result<Vec<PeerState>, StoreError> {
        let urls: Vec<String> = self
            .conn
            .prepare("SELECT url FROM peers ORDER BY url")
            .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.sqlite(e))?;
        urls.iter()
            .filter_map(|url| self.peer(url).transpose())
            .collect()
    }

    /// Up to `limit` entries of the peer's feed as followed, after entry `after`, in order.
    pub fn peer_feed_since(
        &self,
        url: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.conn
            .prepare_cached(
                "SELECT seq, prev, hash, audit_seq, audit_hash, at, kind, issuer, subject, state,
                        published
                 FROM peer_feed WHERE peer = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )
            .and_then(|mut q| {
                q.query_map(params![url, after, limit], crate::feed::entry_row)?
                    .collect()
            })
            .map_err(|e| self.sqlite(e))
    }

    /// The first of `hashes` the peer followed at `url` revoked (as `issuer`, if given).
    pub fn peer_revoked(
        &self,
        url: &str,
        issuer: Option<&str>,
        hashes: &[Hash32],
    ) -> Result<Option<PeerRevocation>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT at, reason FROM peer_revoked
                 WHERE peer = ?1 AND hash = ?2 AND (CAST(?3 AS TEXT) IS NULL OR issuer = ?3)
                 ORDER BY at LIMIT 1",
            )
            .map_err(|e| self.sqlite(e))?;
        for hash in hashes {
            let found = q
                .query_row(params![url, hash.as_bytes(), issuer], |r| {
                    Ok(PeerRevocation {
                        at: r.get(0)?,
                        reason: r.get(1)?,
                    })
                })
                .optional()
                .map_err(|e| self.sqlite(e))?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// The recalls of the peers followed of any of `subjects`, the earliest of each first.
    pub fn peer_recalls(&self, subjects: &[Hash32]) -> Result<Vec<PeerRecall>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached("SELECT peer, issuer, state FROM peer_recalls WHERE subject = ?1")
            .map_err(|e| self.sqlite(e))?;
        let mut recalls = Vec::new();
        for subject in subjects {
            let found = q
                .query_map([subject.as_bytes()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get::<_, Vec<u8>>(2)?))
                })
                .and_then(|rows| rows.collect::<corridor_db::Result<Vec<_>>>())
                .map_err(|e| self.sqlite(e))?;
            for (peer, issuer, state) in found {
                if let Some(at) = corridor_feed::recall_time(&state) {
                    recalls.push(PeerRecall {
                        peer,
                        issuer,
                        subject: *subject,
                        at,
                    });
                }
            }
        }
        recalls.sort_by_key(|r| (r.subject, r.at));
        Ok(recalls)
    }

    /// Whether the peer followed at `url` issued `root` (as `issuer`, if given).
    pub fn peer_issued(
        &self,
        url: &str,
        issuer: Option<&str>,
        root: &Hash32,
    ) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM peer_issued WHERE peer = ?1 AND root = ?2
                 AND (CAST(?3 AS TEXT) IS NULL OR issuer = ?3) LIMIT 1",
            )
            .and_then(|mut q| q.exists(params![url, root.as_bytes(), issuer]))
            .map_err(|e| self.sqlite(e))
    }

    /// The followed peers (their feed URLs) whose feeds made a title registry at `address`:
    /// one, for an answer; several, for none (a peer cannot take another's address).
    pub fn peer_registry(&self, address: Address) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT peer FROM peer_registries WHERE address = ?1 ORDER BY peer")
            .and_then(|mut q| q.query_map([address.as_slice()], |r| r.get(0))?.collect())
            .map_err(|e| self.sqlite(e))
    }

    /// A title on the registry the peer followed at `peer` made, as its feed left it.
    pub fn peer_title(
        &self,
        peer: &str,
        registry: Address,
        token: U256,
    ) -> Result<Option<Title>, StoreError> {
        let text: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT title FROM peer_titles WHERE peer = ?1 AND registry = ?2 AND token = ?3",
            )
            .and_then(|mut q| {
                q.query_row(
                    params![
                        peer,
                        registry.as_slice(),
                        token.to_be_bytes::<32>().as_slice()
                    ],
                    |r| r.get(0),
                )
                .optional()
            })
            .map_err(|e| self.sqlite(e))?;
        text.map(|text| {
            serde_json::from_str(&text).map_err(|e| {
                self.sqlite(corridor_db::Error::FromSqlConversionFailure(
                    0,
                    corridor_db::Type::Text,
                    Box::new(e),
                ))
            })
        })
        .transpose()
    }

    /// The status list at `list` a followed peer publishes: the peer's feed URL and the
    /// list's credential as the peer last signed it.
    pub fn peer_status_list(&self, list: &str) -> Result<Option<(String, String)>, StoreError> {
        self.conn
            .prepare_cached("SELECT peer, signed FROM peer_lists WHERE list = ?1")
            .and_then(|mut q| {
                q.query_row([list], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.sqlite(e))
    }
}

/// The replicas as the audit log says they are: for each peer's feed URL (by its hash), the
/// last entry applied.
#[derive(Default)]
pub(crate) struct ReplicaReplay {
    followed: std::collections::HashMap<Hash32, (i64, Hash32)>,
}

impl ReplicaReplay {
    /// Takes a `follow` entry: the entry followed before, and the last applied (its hash).
    pub(crate) fn entry(&mut self, peer: &Hash32, detail: &[u8]) -> Result<(), String> {
        let read = || -> Option<(i64, i64, Hash32)> {
            let before = i64::from_be_bytes(detail.get(..8)?.try_into().ok()?);
            let end = i64::from_be_bytes(detail.get(8..16)?.try_into().ok()?);
            Some((before, end, hash32(detail.get(16..)?)?))
        };
        let (before, end, hash) = read().ok_or("its detail is not what a follow entry holds")?;
        let known = self.followed.get(peer).map_or(0, |(seq, _)| *seq);
        if before != known || end <= before {
            return Err(format!(
                "it follows a peer from entry {before} to {end}, where the log had it at {known}"
            ));
        }
        self.followed.insert(*peer, (end, hash));
        Ok(())
    }

    /// How the replicas differ from what the log says, if they do: each peer's feed as
    /// followed must be whole, linked, and end where the log says.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let peers = store.peers()?;
        for peer in &peers {
            let said = self
                .followed
                .get(&corridor_format::keccak256(peer.url.as_bytes()))
                .copied()
                .unwrap_or((0, Hash32([0; 32])));
            if (peer.seq, peer.hash) != said {
                return Ok(Some(format!(
                    "the replica of {} is at entry {}, and the audit log says {}",
                    peer.url, peer.seq, said.0
                )));
            }
            let mut last = None;
            for entry in store.peer_feed_since(&peer.url, 0, usize::MAX)? {
                if let Err(fault) = corridor_feed::check_next(last, &entry) {
                    return Ok(Some(format!("the replica of {}: {fault}", peer.url)));
                }
                last = Some((entry.seq, entry.hash));
            }
            if last.unwrap_or((0, Hash32([0; 32]))) != said {
                return Ok(Some(format!(
                    "the replica of {} does not end at entry {}",
                    peer.url, said.0
                )));
            }
        }
        let kept = peers.len();
        if self.followed.len() > kept {
            return Ok(Some(format!(
                "the audit log follows {} peers, and the store keeps {kept}",
                self.followed.len()
            )));
        }
        Ok(None)
    }
}

fn read_peer(conn: &corridor_db::Connection, url: &str) -> corridor_db::Result<Option<PeerState>> {
    conn.prepare_cached(
        "SELECT did, domain, node_url, seq, hash, signed_at, reached_at, fault, fault_at
         FROM peers WHERE url = ?1",
    )?
    .query_row([url], |r| {
        let node = match (r.get(0)?, r.get(1)?, r.get(2)?) {
            (Some(did), Some(domain), Some(url)) => Some(Node { did, domain, url }),
            _ => None,
        };
        let hash: Vec<u8> = r.get(4)?;
        let fault = match (r.get(7)?, r.get(8)?) {
            (Some(why), Some(at)) => Some((why, at)),
            _ => None,
        };
        Ok(PeerState {
            url: url.to_string(),
            node,
            seq: r.get(3)?,
            hash: hash32(&hash).unwrap_or(Hash32([0; 32])),
            signed_at: r.get(5)?,
            reached_at: r.get(6)?,
            fault,
        })
    })
    .optional()
}

/// Refuses an entry whose text holds a NUL character: no store of its own could have written
/// it (PostgreSQL cannot keep one), so it is not a change the rules allow.
fn without_nul(entry: &FeedEntry) -> Result<(), String> {
    for (field, text) in [
        ("issuer's name", &entry.public.issuer),
        ("published text", &entry.published),
    ] {
        if text.contains('\0') {
            return Err(format!("its {field} holds a NUL character"));
        }
    }
    Ok(())
}

fn insert_entry(tx: &Transaction, peer: &str, entry: &FeedEntry) -> corridor_db::Result<()> {
    let public = &entry.public;
    tx.prepare_cached(
        "INSERT INTO peer_feed (peer, seq, prev, hash, audit_seq, audit_hash, at, kind, issuer,
                                subject, state, published)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        peer,
        entry.seq,
        entry.prev.as_bytes(),
        entry.hash.as_bytes(),
        public.audit_seq,
        public.audit_hash.as_bytes(),
        public.at,
        public.kind.name(),
        public.issuer,
        public.subject.as_bytes(),
        public.state,
        entry.published,
    ])?;
    Ok(())
}

/// What `entry` changes of what a verifier asks of the peer, or why the rules refuse it. A
/// status list published at a URL not on the node's domain is kept in the feed but not
/// published in the peer's stead: the domain vouches only for its own names.
fn derive(
    tx: &Transaction,
    peer: &str,
    node: &Node,
    deployments: &Deployments,
    entry: &FeedEntry,
) -> corridor_db::Result<Result<(), String>> {
    let public = &entry.public;
    match public.kind {
        Kind::Issue => {
            tx.prepare_cached(
                "INSERT INTO peer_issued (peer, issuer, root, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )?
            .execute(params![peer, public.issuer, public.subject.as_bytes(), public.at])?;
        }
        Kind::Revoke => {
            let reason = <[u8; 8]>::try_from(public.state.as_slice()).map_or(0, i64::from_be_bytes);
            tx.prepare_cached(
                "INSERT INTO peer_revoked (peer, issuer, hash, at, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                peer,
                public.issuer,
                public.subject.as_bytes(),
                public.at,
                reason
            ])?;
        }
        Kind::StatusList | Kind::StatusSet | Kind::StatusClear if !entry.published.is_empty() => {
            let list = crate::status_lists::detail_url(&public.state);
            if node.vouches_for(&list) {
                tx.prepare_cached(
                    "INSERT INTO peer_lists (list, peer, signed) VALUES (?1, ?2, ?3)
                     ON CONFLICT (list) DO UPDATE SET peer = ?2, signed = ?3",
                )?
                .execute(params![list.as_ref(), peer, entry.published])?;
            }
        }
        Kind::Registry => {
            let (Some(admin), Some(name)) = (public.state.get(..20), public.state.get(20..)) else {
                return Ok(Err("a registry without an admin".into()));
            };
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO peer_registries (address, peer, admin, name, at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    &public.subject.as_bytes()[12..],
                    peer,
                    admin,
                    String::from_utf8_lossy(name),
                    public.at
                ])?;
            if inserted == 0 {
                return Ok(Err("a registry made twice".into()));
            }
        }
        Kind::Title => {
            let domain = deployments.domain_at(public.audit_seq);
            return title_action(tx, peer, &domain, &public.state);
        }
        Kind::Recall => {
            if corridor_feed::recall_time(&public.state).is_none() {
                return Ok(Err("a recall without its time and event".into()));
            }
            tx.prepare_cached(
                "INSERT INTO peer_recalls (subject, peer, issuer, state) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                public.subject.as_bytes(),
                peer,
                public.issuer,
                public.state
            ])?;
        }
        _ => {}
    }
    Ok(Ok(()))
}

/// Replays a title action on the peer's registry under its rules, once its actor's signature
/// holds in `domain` (the peer's deployment when it was made): a node cannot move a title
/// its holders did not sign for.
fn title_action(
    tx: &Transaction,
    peer: &str,
    domain: &SigningDomain,
    state: &[u8],
) -> corridor_db::Result<Result<(), String>> {
    let Ok(signed) = serde_json::from_slice::<SignedAction>(state) else {
        return Ok(Err("not a signed title action".into()));
    };
    if let Err(e) = signed.check(domain) {
        return Ok(Err(format!("a title action its actor did not sign: {e}")));
    }
    let admin: Option<Vec<u8>> = tx
        .prepare_cached("SELECT admin FROM peer_registries WHERE address = ?1 AND peer = ?2")?
        .query_row(params![signed.registry.as_slice(), peer], |r| r.get(0))
        .optional()?;
    let Some(admin) = admin.filter(|a| a.len() == 20) else {
        return Ok(Err(format!(
            "an action on {}, which the feed never made",
            signed.registry
        )));
    };
    let token = signed.token.to_be_bytes::<32>();
    let before: Option<String> = tx
        .prepare_cached(
            "SELECT title FROM peer_titles WHERE peer = ?1 AND registry = ?2 AND token = ?3",
        )?
        .query_row(
            params![peer, signed.registry.as_slice(), token.as_slice()],
            |r| r.get(0),
        )
        .optional()?;
    let before: Option<Title> = before.and_then(|text| serde_json::from_str(&text).ok());
    let roles = Roles::of_deployer(Address::from_slice(&admin));
    let after = match apply(
        RegistryVersion::V5,
        &roles,
        before.as_ref(),
        signed.actor,
        &signed.action,
        &signed.remark,
    ) {
        Ok(after) => after,
        Err(e) => return Ok(Err(format!("the title's rules refuse it: {e}"))),
    };
    let text = serde_json::to_string(&after).unwrap_or_default();
    tx.prepare_cached(
        "INSERT INTO peer_titles (peer, registry, token, title)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (peer, registry, token) DO UPDATE SET title = excluded.title",
    )?
    .execute(params![
        peer,
        signed.registry.as_slice(),
        token.as_slice(),
        text
    ])?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestPlace, on_both_backends};
    use crate::{Batch, RevocationReason, StatusPurpose};
    use corridor_feed::Head;
    use corridor_format::did::DidSigner;
    use corridor_format::keccak256;

    on_both_backends!(
        a_follower_applies_its_peers_feed_and_answers_what_it_issued_revoked_and_publishes,
        a_registry_two_feeds_claim_is_kept_for_each_and_refuses_neither,
        a_page_altered_in_each_way_is_refused_by_name_and_changes_nothing,
        a_title_action_is_replayed_only_when_its_actor_signed_it_for_the_peer,
    );

    const FEED: &str = "https://sg.lion-city.test/api/feed";

    fn signer(seed: u8) -> DidSigner {
        DidSigner::new(k256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
    }

    fn node(key: &DidSigner) -> Node {
        Node {
            did: key.did(),
            domain: "lion-city.test".into(),
            url: "https://sg.lion-city.test".into(),
        }
    }

    /// A page of the leader's feed after `after`, signed by `key` at `signed_at`.
    fn page(leader: &Store, after: i64, key: &DidSigner, signed_at: i64) -> Page {
        let (seq, hash) = leader.feed_last().unwrap().unwrap_or((0, Hash32([0; 32])));
        let head = Head {
            node: node(key),
            seq,
            hash,
            signed_at,
            deployments: leader.deployed().unwrap(),
        };
        Page {
            head: head.sign(key),
            entries: leader.feed_since(after, 100).unwrap(),
            more: false,
        }
    }

    /// `page` with an entry for `public` after its head, the head signed again by `key` to
    /// end there: whole and signed, whatever the entry says (as a node's own feed would be).
    fn extended(mut page: Page, public: corridor_feed::Public, key: &DidSigner) -> Page {
        let head = &page.head.head;
        let entry = FeedEntry::next(Some((head.seq, head.hash)), public, String::new());
        page.head = Head {
            seq: entry.seq,
            hash: entry.hash,
            ..page.head.head.clone()
        }
        .sign(key);
        page.entries.push(entry);
        page
    }

    fn batch(name: &str) -> Batch {
        Batch {
            root: keccak256(name.as_bytes()),
            documents: vec![keccak256(format!("{name}/0").as_bytes())],
        }
    }

    fn a_follower_applies_its_peers_feed_and_answers_what_it_issued_revoked_and_publishes(
        place: TestPlace,
    ) {
        let key = signer(7);
        let sg = place.another();
        let mut leader = sg.open();
        let mut follower = place.open();
        leader
            .issue("lion-city", &[batch("one"), batch("two")])
            .unwrap();
        let own = "https://status.lion-city.test/1";
        let foreign = "https://status.elsewhere.test/2";
        for url in [own, foreign] {
            leader
                .create_status_list(url, "lion-city", StatusPurpose::Revocation, 64, "{\"v\":0}")
                .unwrap();
        }
        assert_eq!(follower.peer(FEED).unwrap(), None);

        let first = page(&leader, 0, &key, 1_000);
        let applied = follower
            .apply_peer_page(FEED, &node(&key), &first, 1_010)
            .unwrap();
        assert_eq!(applied, Ok(Applied { entries: 4, seq: 4 }));
        let state = follower.peer(FEED).unwrap().unwrap();
        assert_eq!(
            (state.seq, state.signed_at, state.reached_at, state.fault),
            (4, Some(1_000), Some(1_010), None)
        );
        assert_eq!(state.node, Some(node(&key)));
        assert!(
            follower
                .peer_issued(FEED, Some("lion-city"), &batch("one").root)
                .unwrap()
        );
        assert!(
            !follower
                .peer_issued(FEED, Some("other"), &batch("one").root)
                .unwrap()
        );
        assert_eq!(
            follower
                .peer_revoked(FEED, None, &[batch("one").root])
                .unwrap(),
            None
        );
        // Its own domain's list is published in its stead; another domain's is not.
        assert_eq!(
            follower.peer_status_list(own).unwrap(),
            Some((FEED.to_string(), "{\"v\":0}".to_string()))
        );
        assert_eq!(follower.peer_status_list(foreign).unwrap(), None);

        // The leader revokes and sets a bit; the follower goes on from where it was.
        let doc = batch("two").documents[0];
        leader
            .revoke_issued(
                "lion-city",
                &[doc],
                RevocationReason::from_code(4).unwrap(),
                "ref 1",
            )
            .unwrap();
        leader.allocate_status_indexes(own, 1).unwrap();
        leader
            .change_status(own, 0, &[0], true, "{\"v\":1}")
            .unwrap();
        let second = page(&leader, 4, &key, 2_000);
        assert_eq!(
            follower
                .apply_peer_page(FEED, &node(&key), &second, 2_010)
                .unwrap(),
            Ok(Applied { entries: 3, seq: 7 })
        );
        let revoked = follower.peer_revoked(FEED, Some("lion-city"), &[batch("one").root, doc]);
        assert_eq!(revoked.unwrap().map(|r| r.reason), Some(4));
        assert_eq!(
            follower.peer_status_list(own).unwrap().unwrap().1,
            "{\"v\":1}"
        );
        assert_eq!(
            follower.peer_feed_since(FEED, 0, 100).unwrap(),
            leader.feed_since(0, 100).unwrap()
        );
        // A head signed "later" than the follower's clock counts as signed now.
        let ahead = page(&leader, 7, &key, i64::MAX);
        assert!(
            follower
                .apply_peer_page(FEED, &node(&key), &ahead, 2_020)
                .unwrap()
                .is_ok()
        );
        assert_eq!(follower.peer(FEED).unwrap().unwrap().signed_at, Some(2_020));
        // Reached again with nothing new: fresher, nothing else.
        let again = page(&leader, 7, &key, 3_000);
        assert_eq!(
            follower
                .apply_peer_page(FEED, &node(&key), &again, 3_010)
                .unwrap(),
            Ok(Applied { entries: 0, seq: 7 })
        );
        assert_eq!(follower.peer(FEED).unwrap().unwrap().signed_at, Some(3_000));
        // An older head replayed at the end says nothing newer.
        let replayed = page(&leader, 7, &key, 2_500);
        assert!(
            follower
                .apply_peer_page(FEED, &node(&key), &replayed, 3_020)
                .unwrap()
                .is_ok()
        );
        assert_eq!(follower.peer(FEED).unwrap().unwrap().signed_at, Some(3_000));
        // A recall recorded by the leader: the follower knows it by the hash of what it
        // recalls, and nothing else of its event.
        let lot = "urn:epc:class:lgtin:4012345.012345.LOT1";
        let recall = crate::TraceEvent::new(
            "ni:///sha-256;recall?ver=CBV2.0".into(),
            1_500,
            r#"{"disposition":"recalled"}"#.into(),
            corridor_format::SaltSeed([1; 32]),
            keccak256(b"recall's credential"),
        )
        .recalling(vec![lot.into()]);
        leader
            .record_events::<StoreError>("lion-city", |w| {
                let batch = Batch {
                    root: keccak256(b"recall's credential"),
                    documents: vec![keccak256(b"recall's credential")],
                };
                let frame = crate::BatchFrame {
                    issuer: "{}".into(),
                    proof: "{}".into(),
                };
                w.batch(&batch, &frame, std::slice::from_ref(&recall))
            })
            .unwrap();
        let recalled = page(&leader, 7, &key, 3_100);
        assert!(
            follower
                .apply_peer_page(FEED, &node(&key), &recalled, 3_110)
                .unwrap()
                .is_ok()
        );
        let subject = corridor_feed::recall_subject(lot);
        assert_eq!(
            follower
                .peer_recalls(&[keccak256(b"another lot"), subject])
                .unwrap(),
            [crate::PeerRecall {
                peer: FEED.into(),
                issuer: "lion-city".into(),
                subject,
                at: 1_500,
            }]
        );
        assert_eq!(follower.peer(FEED).unwrap().unwrap().seq, 9);
        assert!(matches!(
            follower.audit().unwrap(),
            crate::Audit::Intact { .. }
        ));
        // A replica edited outside Corridor is named by the audit.
        drop(follower);
        place.edit_with(
            "UPDATE peer_feed SET state = ?1 WHERE seq = 2",
            corridor_db::params![[0u8]],
        );
        assert_eq!(
            place.open().audit().unwrap(),
            crate::Audit::RecordsDiffer {
                problem: format!(
                    "the replica of {FEED}: forged: entry 2's content does not match its hash"
                )
            }
        );
    }

    fn a_registry_two_feeds_claim_is_kept_for_each_and_refuses_neither(place: TestPlace) {
        let key = signer(7);
        let sg = place.another();
        let mut leader = sg.open();
        let address = leader
            .create_registry(Address::repeat_byte(7), "eBLs")
            .unwrap()
            .address;
        let mut follower = place.open();
        let other = "https://mirror.lion-city.test/api/feed";
        for feed in [FEED, other] {
            let applied = follower
                .apply_peer_page(feed, &node(&key), &page(&leader, 0, &key, 1_000), 1_000)
                .unwrap();
            assert_eq!(applied, Ok(Applied { entries: 1, seq: 1 }), "{feed}");
        }
        let mut claims = follower.peer_registry(address).unwrap();
        claims.sort();
        assert_eq!(claims, [other, FEED]);
        assert!(follower.peer_registry(Address::ZERO).unwrap().is_empty());
    }

    /// A node that publishes a title action its actor did not sign (a compromised node, or
    /// one replaying a signature made for another deployment) has it refused: a follower
    /// checks each action's signature in the deployment its head names for it.
    fn a_title_action_is_replayed_only_when_its_actor_signed_it_for_the_peer(place: TestPlace) {
        use corridor_title::{Action, Deployment};
        let key = signer(7);
        let sg = place.another();
        let mut leader = sg.open();
        let admin = k256::ecdsa::SigningKey::from_slice(&[21; 32]).unwrap();
        let holder = k256::ecdsa::SigningKey::from_slice(&[22; 32]).unwrap();
        let holder_address = Address::from_private_key(&holder);
        let registry = leader
            .create_registry(Address::from_private_key(&admin), "eBLs")
            .unwrap()
            .address;
        let token = U256::from(42);
        let deployment = leader.deployment().unwrap();
        let mint = SignedAction::sign(
            &admin,
            &deployment,
            registry,
            token,
            Action::Mint {
                beneficiary: holder_address,
                holder: holder_address,
            },
            Default::default(),
            0,
        );
        leader.submit(&mint).unwrap();
        let mut follower = place.open();
        let whole = page(&leader, 0, &key, 1_000);
        assert!(
            follower
                .apply_peer_page(FEED, &node(&key), &whole, 1_000)
                .unwrap()
                .is_ok()
        );
        assert_eq!(
            follower
                .peer_title(FEED, registry, token)
                .unwrap()
                .map(|t| t.holder),
            Some(holder_address)
        );

        // The node appends a transfer: claimed as the holder's, signed by another key; then
        // the holder's own, but signed for another deployment.
        let thief = Address::repeat_byte(0x66);
        let transfer = |key: &k256::ecdsa::SigningKey, deployment: &Deployment| {
            let mut signed = SignedAction::sign(
                key,
                deployment,
                registry,
                token,
                Action::TransferHolder { holder: thief },
                Default::default(),
                0,
            );
            signed.actor = holder_address;
            signed
        };
        let staging = Deployment {
            salt: alloy_primitives::B256::repeat_byte(9),
            ..deployment
        };
        for forged in [transfer(&admin, &deployment), transfer(&holder, &staging)] {
            let last = whole.entries.last().unwrap().public.clone();
            let action = corridor_feed::Public {
                audit_seq: last.audit_seq + 1,
                kind: Kind::Title,
                state: serde_json::to_vec(&forged).unwrap(),
                ..last
            };
            let followed = Page {
                entries: Vec::new(),
                ..whole.clone()
            };
            let bad = extended(followed, action, &key);
            let fault = follower
                .apply_peer_page(FEED, &node(&key), &bad, 2_000)
                .unwrap()
                .unwrap_err()
                .to_string();
            assert!(
                fault.starts_with(&format!(
                    "refused: entry {} is not a change the rules allow: a title action its actor did not sign: the action says it is {holder_address}'s",
                    bad.head.head.seq
                )),
                "{fault}"
            );
            assert_eq!(
                follower
                    .peer_title(FEED, registry, token)
                    .unwrap()
                    .map(|t| t.holder),
                Some(holder_address)
            );
        }
    }

    fn a_page_altered_in_each_way_is_refused_by_name_and_changes_nothing(place: TestPlace) {
        let key = signer(7);
        let sg = place.another();
        let mut leader = sg.open();
        for name in ["one", "two", "three", "four"] {
            leader.issue("lion-city", &[batch(name)]).unwrap();
        }
        let mut follower = place.open();
        let mut first = page(&leader, 0, &key, 1_000);
        first.entries.truncate(2);
        first.more = true;
        // Saying more follows, and giving nothing: refused, as cut short.
        let mut nothing = first.clone();
        nothing.entries.clear();
        let refused = follower
            .apply_peer_page(FEED, &node(&key), &nothing, 900)
            .unwrap();
        assert_eq!(refused, Err(FeedFault::Truncated { missing: 1, seq: 4 }));
        assert!(
            follower
                .apply_peer_page(FEED, &node(&key), &first, 1_000)
                .unwrap()
                .is_ok()
        );

        let whole = page(&leader, 2, &key, 2_000);
        let forged = {
            let mut p = whole.clone();
            p.entries[0].public.subject = keccak256(b"never issued");
            p
        };
        let reordered = {
            let mut p = whole.clone();
            p.entries.insert(0, first.entries[1].clone());
            p
        };
        let truncated = {
            let mut p = whole.clone();
            p.entries.remove(0);
            p
        };
        let forked = {
            let mut p = whole.clone();
            let mut other = p.entries[0].public.clone();
            other.subject = keccak256(b"another history");
            p.entries[0] =
                FeedEntry::next(Some((2, keccak256(b"elsewhere"))), other, String::new());
            p
        };
        let stranger = {
            let mut p = page(&leader, 2, &signer(8), 2_000);
            p.head.head.node = node(&key);
            p
        };
        let behind = {
            let mut p = page(&leader, 2, &key, 2_000);
            p.head = Head {
                seq: 1,
                hash: first.entries[0].hash,
                ..p.head.head
            }
            .sign(&key);
            p.entries.clear();
            p
        };
        let cases = [
            (forged, "forged: entry 3"),
            (reordered, "reordered: entry 2 came after entry 2"),
            (truncated, "truncated: entry 3 is missing"),
            (forked, "forked: entry 3"),
            (stranger, "bad signature"),
            (
                behind,
                "truncated at its end: the head is entry 1, before entry 2",
            ),
        ];
        for (bad, name) in cases {
            let refused = follower
                .apply_peer_page(FEED, &node(&key), &bad, 5_000)
                .unwrap();
            let fault = refused.unwrap_err().to_string();
            assert!(fault.starts_with(name), "{fault}");
            let state = follower.peer(FEED).unwrap().unwrap();
            // Two entries of four followed: not fresh at all yet.
            assert_eq!((state.seq, state.signed_at), (2, None), "{name}");
            assert_eq!(state.fault, Some((fault, 5_000)));
            assert!(
                !follower
                    .peer_issued(FEED, None, &batch("three").root)
                    .unwrap()
            );
        }
        // Another key for the same feed is refused, even signed well.
        let other = signer(9);
        let refused = follower
            .apply_peer_page(FEED, &node(&other), &page(&leader, 2, &other, 2_000), 5_000)
            .unwrap();
        assert!(matches!(refused, Err(FeedFault::BadSignature { .. })));
        // A page whole and signed that holds a change the rules refuse: nothing of it kept.
        let last = whole.entries.last().unwrap().public.clone();
        let action = corridor_feed::Public {
            kind: Kind::Title,
            state: br#"{"not": "a signed action"}"#.to_vec(),
            ..last.clone()
        };
        let refused = extended(whole.clone(), action, &key);
        let fault = follower
            .apply_peer_page(FEED, &node(&key), &refused, 5_500)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            fault.to_string(),
            "refused: entry 5 is not a change the rules allow: not a signed title action"
        );
        assert_eq!(follower.peer(FEED).unwrap().unwrap().seq, 2);
        // So is one whose text holds a NUL character, which no store keeps, on either backend.
        let revoked_by = corridor_feed::Public {
            issuer: "lion\0city".into(),
            ..last
        };
        let with_nul = extended(whole.clone(), revoked_by, &key);
        let fault = follower
            .apply_peer_page(FEED, &node(&key), &with_nul, 5_600)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            fault.to_string(),
            "refused: entry 5 is not a change the rules allow: its issuer's name holds a NUL character"
        );
        assert_eq!(follower.peer(FEED).unwrap().unwrap().seq, 2);
        assert!(
            !follower
                .peer_issued(FEED, None, &batch("three").root)
                .unwrap()
        );
        // The whole page then goes in, and the fault is cleared.
        assert_eq!(
            follower
                .apply_peer_page(FEED, &node(&key), &whole, 6_000)
                .unwrap(),
            Ok(Applied { entries: 2, seq: 4 })
        );
        let state = follower.peer(FEED).unwrap().unwrap();
        assert_eq!((state.fault, state.reached_at), (None, Some(6_000)));
        assert!(
            follower
                .peer_issued(FEED, None, &batch("four").root)
                .unwrap()
        );
    }
}
