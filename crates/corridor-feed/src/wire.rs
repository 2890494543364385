//! A page of the feed as a node serves it (`GET /feed?after=N`) and a follower reads it:
//! JSON, hashes and bytes as `0x` hex. What comes from a peer is untrusted: a page is bounded
//! in entries and sizes, and a field that is not what it must be is named.

use corridor_format::Hash32;
use serde_json::{Value, json};

use crate::{Deployed, FeedEntry, Head, Kind, Node, Public, SignedHead};

/// The most entries one page holds.
pub const MOST_PER_PAGE: usize = 10_000;

/// The longest issuer name, and state, an entry may carry.
const LONGEST_ISSUER: usize = 1024;
const LONGEST_STATE: usize = 64 * 1024;
/// The longest credential an entry may publish: a status list of a million entries,
/// compressed, is a few hundred KiB at worst.
pub const LONGEST_PUBLISHED: usize = 1024 * 1024;

/// A page of a node's feed: entries after a cursor, and the head at the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub head: SignedHead,
    pub entries: Vec<FeedEntry>,
    /// Whether entries follow the last of this page.
    pub more: bool,
}

impl Page {
    /// The page as JSON.
    pub fn to_json(&self) -> Value {
        let head = &self.head.head;
        json!({
            "node": {
                "did": head.node.did,
                "identity": {"type": "DNS-DID", "location": head.node.domain},
                "url": head.node.url,
            },
            "head": {
                "seq": head.seq,
                "hash": hex(head.hash.as_bytes()),
                "signedAt": head.signed_at,
                "deployments": head.deployments.iter().map(|d| json!({
                    "since": d.since,
                    "chainId": d.chain_id,
                    "salt": hex(d.salt.as_bytes()),
                })).collect::<Vec<_>>(),
                "signature": self.head.signature,
            },
            "entries": self.entries.iter().map(entry_json).collect::<Vec<_>>(),
            "more": self.more,
        })
    }

    /// Reads a page as [`Page::to_json`] writes it.
    pub fn from_json(value: &Value) -> Result<Page, String> {
        let node = Node {
            did: text(value, "/node/did", 512)?,
            domain: text(value, "/node/identity/location", 253)?,
            url: text(value, "/node/url", 2048)?,
        };
        if value.pointer("/node/identity/type") != Some(&json!("DNS-DID")) {
            return Err("node.identity.type must be \"DNS-DID\"".into());
        }
        let Some(Value::Array(deployments)) = value.pointer("/head/deployments") else {
            return Err("head.deployments must be an array".into());
        };
        if deployments.len() > MOST_DEPLOYMENTS {
            return Err(format!(
                "head.deployments holds {} deployments, more than the {MOST_DEPLOYMENTS} a head may",
                deployments.len()
            ));
        }
        let deployments = deployments
            .iter()
            .enumerate()
            .map(|(i, d)| read_deployed(d).map_err(|why| format!("head.deployments[{i}].{why}")))
            .collect::<Result<Vec<_>, String>>()?;
        let head = Head {
            node,
            seq: number(value, "/head/seq")?,
            hash: hash(value, "/head/hash")?,
            signed_at: number(value, "/head/signedAt")?,
            deployments,
        };
        let signature = text(value, "/head/signature", 140)?;
        let Some(Value::Array(entries)) = value.get("entries") else {
            return Err("entries must be an array".into());
        };
        if entries.len() > MOST_PER_PAGE {
            return Err(format!(
                "entries holds {} entries, more than the {MOST_PER_PAGE} a page may",
                entries.len()
            ));
        }
        let entries = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| read_entry(entry).map_err(|why| format!("entries[{i}].{why}")))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(more) = value.get("more").and_then(Value::as_bool) else {
            return Err("more must be true or false".into());
        };
        Ok(Page {
            head: SignedHead { head, signature },
            entries,
            more,
        })
    }
}

fn entry_json(entry: &FeedEntry) -> Value {
    let public = &entry.public;
    let mut json = json!({
        "seq": entry.seq,
        "prev": hex(entry.prev.as_bytes()),
        "hash": hex(entry.hash.as_bytes()),
        "auditSeq": public.audit_seq,
        "auditHash": hex(public.audit_hash.as_bytes()),
        "at": public.at,
        "kind": public.kind.name(),
        "issuer": public.issuer,
        "subject": hex(public.subject.as_bytes()),
        "state": hex(&public.state),
    });
    if !entry.published.is_empty() {
        json["published"] = json!(entry.published);
    }
    json
}

/// The most deployments a head may name: a store is forked by hand, rarely.
pub const MOST_DEPLOYMENTS: usize = 1024;

/// One deployment of a head; its error names the field (the caller the deployment).
fn read_deployed(deployed: &Value) -> Result<Deployed, String> {
    let chain_id = number(deployed, "/chainId")?;
    Ok(Deployed {
        since: number(deployed, "/since")?,
        chain_id: u64::try_from(chain_id).map_err(|_| "chainId must not be negative")?,
        salt: hash(deployed, "/salt")?,
    })
}

/// One entry; its error names the field (the caller the entry).
fn read_entry(entry: &Value) -> Result<FeedEntry, String> {
    let kind = text(entry, "/kind", 32)?;
    let kind = Kind::of_action(&kind)
        .ok_or_else(|| format!("kind {kind:?} is not a kind of feed entry"))?;
    let state = text(entry, "/state", 2 + 2 * LONGEST_STATE)?;
    let state = state
        .strip_prefix("0x")
        .and_then(|hex| const_hex::decode(hex).ok())
        .ok_or("state must be 0x and hex digits")?;
    Ok(FeedEntry {
        seq: number(entry, "/seq")?,
        prev: hash(entry, "/prev")?,
        hash: hash(entry, "/hash")?,
        public: Public {
            audit_seq: number(entry, "/auditSeq")?,
            audit_hash: hash(entry, "/auditHash")?,
            at: number(entry, "/at")?,
            kind,
            issuer: text(entry, "/issuer", LONGEST_ISSUER)?,
            subject: hash(entry, "/subject")?,
            state,
        },
        published: match entry.get("published") {
            None => String::new(),
            Some(_) => text(entry, "/published", LONGEST_PUBLISHED)?,
        },
    })
}

fn hex(bytes: &[u8]) -> String {
    const_hex::encode_prefixed(bytes)
}

/// The field at `pointer` (named without its first slash, dotted), a string of at most
/// `longest` bytes.
fn text(value: &Value, pointer: &str, longest: usize) -> Result<String, String> {
    match value.pointer(pointer).and_then(Value::as_str) {
        Some(text) if text.len() <= longest => Ok(text.to_string()),
        Some(_) => Err(format!("{} is longer than {longest} bytes", name(pointer))),
        None => Err(format!("{} must be a string", name(pointer))),
    }
}

fn number(value: &Value, pointer: &str) -> Result<i64, String> {
    value
        .pointer(pointer)
        .and_then(Value::as_i64)
        .filter(|n| *n >= 0)
        .ok_or_else(|| format!("{} must be a whole number, 0 or more", name(pointer)))
}

fn hash(value: &Value, pointer: &str) -> Result<Hash32, String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|text| text.strip_prefix("0x"))
        .and_then(|hex| hex.parse().ok())
        .ok_or_else(|| format!("{} must be 0x and 64 hex digits", name(pointer)))
}

fn name(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}
