//! The status feed's table: every audit entry a verifier needs has its feed entry, appended
//! by `append_audit` in the same transaction (what enters, and the chain, are
//! `corridor_feed`'s), with the status list's credential as signed after a change to a list.
//! The audit check replays the log's feed and compares it with the table.

use corridor_db::{Connection, OptionalExtension, params};
use corridor_feed::{FeedEntry, Kind, Public};
use corridor_format::Hash32;

use crate::store::{Store, StoreError};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS feed (
    seq INTEGER PRIMARY KEY, prev BLOB NOT NULL, hash BLOB NOT NULL,
    audit_seq INTEGER NOT NULL, audit_hash BLOB NOT NULL, at INTEGER NOT NULL,
    kind TEXT NOT NULL, issuer TEXT NOT NULL, subject BLOB NOT NULL, state BLOB NOT NULL,
    published TEXT NOT NULL);
";

/// Layout 13 put what is published in the feed, and in its entries' hashes: a feed kept
/// before is dropped, to be made again from the log.
pub(crate) fn migrate(conn: &Connection) -> corridor_db::Result<()> {
    let kept: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'feed'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if kept.is_some_and(|sql| !sql.contains("published")) {
        conn.execute_batch("DROP TABLE feed")?;
    }
    Ok(())
}

/// What an audit entry is, as the feed reads it.
pub(crate) struct AuditEntry<'a> {
    pub seq: i64,
    pub hash: &'a Hash32,
    pub at: i64,
    pub issuer: &'a str,
    pub action: &'a str,
    pub subject: &'a Hash32,
    pub detail: &'a [u8],
}

impl AuditEntry<'_> {
    /// Its public part, when the feed shows it.
    fn public(&self) -> Option<Public> {
        let kind = Kind::of_action(self.action)?;
        Some(Public {
            audit_seq: self.seq,
            audit_hash: *self.hash,
            at: self.at,
            kind,
            issuer: self.issuer.to_string(),
            subject: *self.subject,
            state: kind.public_state(self.detail),
        })
    }
}

/// Appends `entry`'s feed entry, if the feed shows it.
pub(crate) fn append(conn: &Connection, entry: &AuditEntry) -> corridor_db::Result<()> {
    let Some(public) = entry.public() else {
        return Ok(());
    };
    let published = published(conn, &public)?;
    let next = FeedEntry::next(last(conn)?, public, published);
    conn.prepare_cached(
        "INSERT INTO feed (seq, prev, hash, audit_seq, audit_hash, at, kind, issuer, subject, state, published)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        next.seq,
        next.prev.as_bytes(),
        next.hash.as_bytes(),
        next.public.audit_seq,
        next.public.audit_hash.as_bytes(),
        next.public.at,
        next.public.kind.name(),
        next.public.issuer,
        next.public.subject.as_bytes(),
        next.public.state,
        next.published,
    ])?;
    Ok(())
}

/// What the node publishes as of `public`: the list's credential as now signed, after a
/// list is made, set or cleared (its URL is the state's text before a zero byte). Entries
/// made again from the log of an older layout each get the credential as last signed.
fn published(conn: &Connection, public: &Public) -> corridor_db::Result<String> {
    if !matches!(
        public.kind,
        Kind::StatusList | Kind::StatusSet | Kind::StatusClear
    ) {
        return Ok(String::new());
    }
    let url = crate::status_lists::detail_url(&public.state);
    let signed: Option<String> = conn
        .prepare_cached("SELECT signed FROM status_lists WHERE url = ?1")?
        .query_row([url.as_ref()], |r| r.get(0))
        .optional()?;
    Ok(signed.unwrap_or_default())
}

/// The feed's last entry, by number and hash.
fn last(conn: &Connection) -> corridor_db::Result<Option<(i64, Hash32)>> {
    conn.prepare_cached("SELECT seq, hash FROM feed ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, hash_column(r, 1)?)))
        .optional()
}

/// Gives the feed the entries of the audit log written before it was kept (a store of an
/// older layout), or since its last: in the transaction that migrates the store.
pub(crate) fn catch_up(conn: &Connection) -> corridor_db::Result<()> {
    let kinds = Kind::ALL
        .iter()
        .map(|kind| format!("'{}'", kind.name()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = conn.prepare(&format!(
        "SELECT seq, hash, at, issuer, action, subject, detail FROM audit
         WHERE seq > (SELECT COALESCE(MAX(audit_seq), 0) FROM feed) AND action IN ({kinds})
         ORDER BY seq"
    ))?;
    let mut rows = q.query([])?;
    while let Some(row) = rows.next()? {
        let (hash, subject) = (hash_column(&row, 1)?, hash_column(&row, 5)?);
        let (issuer, action): (String, String) = (row.get(3)?, row.get(4)?);
        let detail: Vec<u8> = row.get(6)?;
        append(
            conn,
            &AuditEntry {
                seq: row.get(0)?,
                hash: &hash,
                at: row.get(2)?,
                issuer: &issuer,
                action: &action,
                subject: &subject,
                detail: &detail,
            },
        )?;
    }
    Ok(())
}

/// A 32-byte column.
fn hash_column(row: &corridor_db::Row, column: usize) -> corridor_db::Result<Hash32> {
    let bytes: Vec<u8> = row.get(column)?;
    crate::store::hash32(&bytes).ok_or_else(|| {
        corridor_db::Error::FromSqlConversionFailure(
            column,
            corridor_db::Type::Blob,
            "not a 32-byte hash".into(),
        )
    })
}

/// The feed as the audit log says it is: each entry's number and the hash of its public
/// part, in order (what is published the log does not say; the entries' hashes and links
/// hold it to the chain).
#[derive(Default)]
pub(crate) struct FeedReplay {
    expected: Vec<(i64, Hash32)>,
}

impl FeedReplay {
    /// Takes the next audit entry.
    pub(crate) fn entry(&mut self, entry: &AuditEntry) {
        if let Some(public) = entry.public() {
            let seq = self.expected.len() as i64 + 1;
            self.expected.push((seq, public.hash()));
        }
    }

    /// How the feed's table differs from what the log says, if it does.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let mut at = 0;
        let mut problem = None;
        let mut prev = Hash32([0; 32]);
        store.feed_each(|entry| {
            let expected = self.expected.get(at);
            at += 1;
            let linked = std::mem::replace(&mut prev, entry.hash) == entry.prev;
            problem = if !entry.is_whole() {
                Some(format!("feed entry {} does not match its hash", entry.seq))
            } else if !linked || expected != Some(&(entry.seq, entry.public.hash())) {
                Some(format!(
                    "feed entry {} is not the audit log's (audit entry {})",
                    entry.seq, entry.public.audit_seq
                ))
            } else {
                None
            };
            problem.is_none()
        })?;
        if problem.is_none() && at != self.expected.len() {
            problem = Some(format!(
                "the feed has {at} entries, and the audit log {}",
                self.expected.len()
            ));
        }
        Ok(problem)
    }
}

impl Store {
    /// Up to `limit` entries of the status feed after entry `after` (0 for the first), in
    /// order.
    pub fn feed_since(&self, after: i64, limit: usize) -> Result<Vec<FeedEntry>, StoreError> {
        let mut entries = Vec::new();
        self.feed_rows(after, limit, |entry| {
            entries.push(entry);
            true
        })?;
        Ok(entries)
    }

    /// The status feed's last entry, by number and hash; `None` while it is empty.
    pub fn feed_last(&self) -> Result<Option<(i64, Hash32)>, StoreError> {
        last(&self.conn).map_err(|e| self.sqlite(e))
    }

    /// Gives each entry of the feed to `each`, in order, while it says go on.
    fn feed_each(&self, each: impl FnMut(FeedEntry) -> bool) -> Result<(), StoreError> {
        self.feed_rows(0, usize::MAX, each)
    }

    fn feed_rows(
        &self,
        after: i64,
        limit: usize,
        mut each: impl FnMut(FeedEntry) -> bool,
    ) -> Result<(), StoreError> {
        let sqlite = |e| self.sqlite(e);
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT seq, prev, hash, audit_seq, audit_hash, at, kind, issuer, subject, state,
                        published
                 FROM feed WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(sqlite)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = q.query(params![after, limit]).map_err(sqlite)?;
        while let Some(row) = rows.next().map_err(sqlite)? {
            if !each(entry_row(&row).map_err(sqlite)?) {
                break;
            }
        }
        Ok(())
    }
}

/// An entry as the feed's tables keep it: seq, prev, hash, audit_seq, audit_hash, at, kind,
/// issuer, subject, state, published.
pub(crate) fn entry_row(row: &corridor_db::Row) -> corridor_db::Result<FeedEntry> {
    let kind: String = row.get(6)?;
    let kind = Kind::of_action(&kind).ok_or_else(|| {
        corridor_db::Error::FromSqlConversionFailure(
            6,
            corridor_db::Type::Text,
            format!("{kind:?} is not a kind of feed entry").into(),
        )
    })?;
    Ok(FeedEntry {
        seq: row.get(0)?,
        prev: hash_column(row, 1)?,
        hash: hash_column(row, 2)?,
        public: Public {
            audit_seq: row.get(3)?,
            audit_hash: hash_column(row, 4)?,
            at: row.get(5)?,
            kind,
            issuer: row.get(7)?,
            subject: hash_column(row, 8)?,
            state: row.get(9)?,
        },
        published: row.get(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestPlace, on_both_backends};
    use crate::{Audit, Batch, RevocationReason, StatusPurpose};
    use corridor_db::{ToSql, params};
    use corridor_feed::{FeedFault, check_next};
    use corridor_format::keccak256;
    use rusqlite::Connection;

    fn batch(name: &str) -> Batch {
        Batch {
            root: keccak256(name.as_bytes()),
            documents: (0..3)
                .map(|i| keccak256(format!("{name}/{i}").as_bytes()))
                .collect(),
        }
    }

    on_both_backends!(
        the_feed_holds_what_verifiers_need_chained_and_nothing_private,
        a_feed_edited_outside_corridor_is_named_by_the_audit,
    );

    /// The list's credential as signed when made, and after its change.
    const SIGNED: [&str; 2] = [r#"{"signed":"made"}"#, r#"{"signed":"set"}"#];

    /// A store with an entry of every kind the feed shows, and some it does not.
    fn store(place: &TestPlace) -> Store {
        let mut store = place.open();
        store
            .issue("lion-city", &[batch("one"), batch("two")])
            .unwrap();
        let disclosure = serde_json::json!({
            "partner": "cq-credit", "company": "201912345K",
            "basis": {"kind": "consent", "reference": "C-1"},
            "policy": {"id": "sg-cn-credit-check", "version": 1},
            "outcome": "disclosed", "disclose": ["name.legal"],
            "people": [{"type": "nric", "number": "S1234567D"}],
        });
        store.record_disclosure(&disclosure).unwrap();
        store
            .revoke_issued(
                "lion-city",
                &[batch("one").documents[1]],
                RevocationReason::from_code(4).unwrap(),
                "asked by Mr Tan, ref 8812",
            )
            .unwrap();
        store
            .create_registry(alloy_primitives::Address::repeat_byte(7), "eBLs")
            .unwrap();
        let url = "https://lion-city.test/status/1";
        store
            .create_status_list(url, "lion-city", StatusPurpose::Revocation, 64, SIGNED[0])
            .unwrap();
        store.allocate_status_indexes(url, 2).unwrap();
        store.change_status(url, 0, &[1], true, SIGNED[1]).unwrap();
        store
    }

    fn the_feed_holds_what_verifiers_need_chained_and_nothing_private(place: TestPlace) {
        let store = store(&place);
        let entries = store.feed_since(0, 100).unwrap();
        let kinds: Vec<Kind> = entries.iter().map(|e| e.public.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Issue,
                Kind::Issue,
                Kind::Revoke,
                Kind::Registry,
                Kind::StatusList,
                Kind::StatusAllocate,
                Kind::StatusSet
            ]
        );
        let mut last = None;
        for entry in &entries {
            assert_eq!(check_next(last, entry), Ok(()));
            last = Some((entry.seq, entry.hash));
        }
        assert_eq!(store.feed_last().unwrap(), last);
        // What is published: each list's credential as signed after the change, but for
        // handing out entries, which changes no bit.
        let published: Vec<&str> = entries.iter().map(|e| e.published.as_str()).collect();
        assert_eq!(published, ["", "", "", "", SIGNED[0], "", SIGNED[1]]);
        // The revocation's reason crosses, its note does not; no disclosure at all.
        let revoked = &entries[2];
        assert_eq!(revoked.public.state, 4i64.to_be_bytes());
        assert_eq!(revoked.public.subject, batch("one").documents[1]);
        for entry in &entries {
            let text = String::from_utf8_lossy(&entry.public.state);
            assert!(
                !text.contains("Tan") && !text.contains("S1234567D"),
                "{text}"
            );
        }
        // Each names its audit entry: the disclosure's entries are skipped, not renumbered.
        let audit_seqs: Vec<i64> = entries.iter().map(|e| e.public.audit_seq).collect();
        assert_eq!(audit_seqs[..3], [1, 2, 5]);
        // Paged.
        assert_eq!(store.feed_since(2, 3).unwrap(), entries[2..5]);
        assert_eq!(store.feed_since(7, 3).unwrap(), []);
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 9 });
    }

    fn a_feed_edited_outside_corridor_is_named_by_the_audit(place: TestPlace) {
        let edits: [(&str, &[&dyn ToSql], &str); 3] = [
            (
                "UPDATE feed SET state = ?1 WHERE seq = 3",
                params![[0u8]],
                "feed entry 3 does not match its hash",
            ),
            (
                "DELETE FROM feed WHERE seq = 7",
                params![],
                "the feed has 6 entries, and the audit log 7",
            ),
            (
                "DELETE FROM feed WHERE seq = 2",
                params![],
                "feed entry 3 is not the audit log's (audit entry 5)",
            ),
        ];
        for (edit, values, problem) in edits {
            let fresh = place.another();
            drop(store(&fresh));
            fresh.edit_with(edit, values);
            let store = fresh.open();
            assert_eq!(
                store.audit().unwrap(),
                Audit::RecordsDiffer {
                    problem: problem.into()
                },
                "{edit}"
            );
        }
        // An entry made up whole, in the feed's own chain: not the log's.
        let store = store(&place);
        let mut entries = store.feed_since(0, 100).unwrap();
        drop(store);
        let mut forged = entries[2].public.clone();
        forged.subject = keccak256(b"never revoked");
        let replaced = FeedEntry::next(
            Some((entries[1].seq, entries[1].hash)),
            forged,
            String::new(),
        );
        place.edit_with(
            "UPDATE feed SET subject = ?1, hash = ?2 WHERE seq = 3",
            params![replaced.public.subject.as_bytes(), replaced.hash.as_bytes()],
        );
        entries[2] = replaced;
        assert!(matches!(
            check_next(Some((3, entries[2].hash)), &entries[3]),
            Err(FeedFault::Forked { seq: 4 })
        ));
        let store = place.open();
        assert_eq!(
            store.audit().unwrap(),
            Audit::RecordsDiffer {
                problem: "feed entry 3 is not the audit log's (audit entry 5)".into()
            }
        );
    }

    #[test]
    fn a_store_of_the_layout_before_gets_the_feed_of_its_log() {
        let place = TestPlace::sqlite();
        let store = store(&place);
        let before = store.feed_since(0, 100).unwrap();
        drop(store);
        let path = place.location.file().unwrap().to_path_buf();
        Connection::open(&path)
            .unwrap()
            .execute_batch("DROP TABLE feed; UPDATE meta SET value = 11 WHERE key = 'version';")
            .unwrap();
        // Made again from the log: each list's entries publish its credential as last signed.
        let publics =
            |entries: &[FeedEntry]| entries.iter().map(|e| e.public.clone()).collect::<Vec<_>>();
        let published = |entries: &[FeedEntry]| {
            entries
                .iter()
                .map(|e| e.published.clone())
                .collect::<Vec<_>>()
        };
        let store = Store::open(&path).unwrap();
        let again = store.feed_since(0, 100).unwrap();
        assert_eq!(publics(&again), publics(&before));
        assert_eq!(
            published(&again),
            ["", "", "", "", SIGNED[1], "", SIGNED[1]]
        );
        // So is a feed of layout 12, which published nothing.
        drop(store);
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "ALTER TABLE feed DROP COLUMN published; UPDATE meta SET value = 12 WHERE key = 'version';",
            )
            .unwrap();
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.feed_since(0, 100).unwrap(), again);
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 9 });
        // and goes on from there
        store.issue("lion-city", &[batch("three")]).unwrap();
        let after = store.feed_since(7, 10).unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(
            check_next(
                store
                    .feed_since(6, 1)
                    .unwrap()
                    .last()
                    .map(|e| (e.seq, e.hash)),
                &after[0]
            ),
            Ok(())
        );
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 10 });
    }
}
