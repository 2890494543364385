//! Traceability records: EPCIS events as recorded, each with the credential its recorder
//! signed, issued in batches like any document; and the chain's reference data (parties,
//! products, certificates) provenance is checked against. Every change is one transaction with
//! its audit entries; the audit replays them and compares them with the tables.

use std::collections::{BTreeMap, HashMap, HashSet};

use corridor_format::{Hash32, keccak256};
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use crate::store::{Batch, Store, StoreError, append_audit, check_issuer, issue_batch, now_ms};

/// One event to record: its hash ID, its time, its text and its signed credential, with the
/// digest of the row they make, which the audit log keeps (made with the event, so that
/// recorders make it on their own threads).
///
/// Rows are digested with SHA-256, which processors run in hardware: a row holds its event
/// twice (as recorded, and salted in its credential), and Keccak over it took a tenth of a
/// recording's time. Batches recorded before keep their Keccak digests, under the audit
/// action [`ROWS_KECCAK`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    id: String,
    time: i64,
    event: String,
    credential: String,
    row: Hash32,
}

impl TraceEvent {
    /// The event `id` (its CBV 2.0 hash ID) at `time` (its eventTime, in milliseconds since
    /// 1970), as recorded (`event`, JSON), with the `credential` its recorder signed over it.
    pub fn new(id: String, time: i64, event: String, credential: String) -> TraceEvent {
        let row = RowDigest::Sha256.of(&id, time, &event, &credential);
        TraceEvent {
            id,
            time,
            event,
            credential,
            row,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// An event as the store holds it: its place in the record, its ID, its text, and when it
/// was recorded (milliseconds since 1970).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    pub seq: i64,
    pub id: String,
    pub event: String,
    pub recorded: i64,
    /// The DID whose key signed its credential.
    pub signer: Option<String>,
}

/// The page cache a recording uses, in KiB (SQLite's negative `cache_size`): 512 MiB, taken
/// only as a recording fills it. A million events' ID and document indexes fit: a page
/// evicted mid-transaction is written to the WAL, and reading it back means searching a WAL
/// that grows with the recording (a 64 MiB cache made a million events 25% slower).
const RECORDING_CACHE_KIB: i64 = -524_288;

/// The kinds of reference data a chain has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    Parties,
    Products,
    Certificates,
    /// Documents events link to (certificates, bills of lading), kept whole to be verified.
    Documents,
}

impl ReferenceKind {
    pub const ALL: [ReferenceKind; 4] = [
        ReferenceKind::Parties,
        ReferenceKind::Products,
        ReferenceKind::Certificates,
        ReferenceKind::Documents,
    ];

    /// Its name: the key its file holds its list under.
    pub fn name(self) -> &'static str {
        match self {
            ReferenceKind::Parties => "parties",
            ReferenceKind::Products => "products",
            ReferenceKind::Certificates => "certificates",
            ReferenceKind::Documents => "documents",
        }
    }

    fn named(name: &str) -> Option<ReferenceKind> {
        ReferenceKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// Writes the batches of one recording, in its transaction.
pub struct EventWriter<'t> {
    tx: &'t Transaction<'t>,
    at: i64,
    issuer: &'t str,
    sqlite: &'t dyn Fn(rusqlite::Error) -> StoreError,
    written: u64,
}

impl EventWriter<'_> {
    /// Which of `ids` are recorded already (before this run, or by it).
    pub fn recorded(&self, ids: &[&str]) -> Result<HashSet<String>, StoreError> {
        let mut query = self
            .tx
            .prepare_cached("SELECT 1 FROM trace_events WHERE id = ?1")
            .map_err(self.sqlite)?;
        let mut found = HashSet::new();
        for id in ids {
            if query.exists([id]).map_err(self.sqlite)? {
                found.insert((*id).to_owned());
            }
        }
        Ok(found)
    }

    /// Records `batch` as issued, and `events`, whose credentials are its documents.
    pub fn batch(&mut self, batch: &Batch, events: &[TraceEvent]) -> Result<(), StoreError> {
        self.write(batch, events, RowDigest::Sha256, |event| event.row)
    }

    /// Records a batch, its audit entry digesting each row as `digest` does (`row` gives the
    /// digest of an event's row).
    fn write(
        &mut self,
        batch: &Batch,
        events: &[TraceEvent],
        digest: RowDigest,
        row: impl Fn(&TraceEvent) -> Hash32,
    ) -> Result<(), StoreError> {
        issue_batch(self.tx, self.at, self.issuer, batch, self.sqlite)?;
        let mut insert = self
            .tx
            .prepare_cached("INSERT INTO trace_events (id, time, issuer, root, event, credential) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .map_err(self.sqlite)?;
        for event in events {
            // The id is unique: an event recorded before is refused by the insert itself.
            let inserted = insert.execute(params![
                event.id,
                event.time,
                self.issuer,
                batch.root.as_bytes(),
                event.event,
                event.credential
            ]);
            match inserted {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    return Err(StoreError::Trace(format!(
                        "event {} is recorded already",
                        event.id
                    )));
                }
                other => other.map_err(self.sqlite)?,
            };
        }
        append_audit(
            self.tx,
            self.at,
            self.issuer,
            digest.action(),
            &batch.root,
            &events_digest(events.iter().map(row)),
        )
        .map_err(self.sqlite)?;
        self.written += events.len() as u64;
        Ok(())
    }
}

/// The audit action of a batch of events whose rows are digested with Keccak-256, as
/// recordings made before 2026-11-27 did.
const ROWS_KECCAK: &str = "trace";
/// The audit action of a batch of events whose rows are digested with SHA-256.
const ROWS_SHA256: &str = "trace-sha256";

/// How a batch's event rows are digested for its audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowDigest {
    Keccak,
    Sha256,
}

impl RowDigest {
    fn of_action(action: &str) -> Option<RowDigest> {
        match action {
            ROWS_KECCAK => Some(RowDigest::Keccak),
            ROWS_SHA256 => Some(RowDigest::Sha256),
            _ => None,
        }
    }

    fn action(self) -> &'static str {
        match self {
            RowDigest::Keccak => ROWS_KECCAK,
            RowDigest::Sha256 => ROWS_SHA256,
        }
    }

    /// The digest of one row: each part's length and bytes, in order.
    fn of(self, id: &str, time: i64, event: &str, credential: &str) -> Hash32 {
        let mut bytes = Vec::with_capacity(id.len() + event.len() + credential.len() + 40);
        for part in [
            id.as_bytes(),
            &time.to_be_bytes(),
            event.as_bytes(),
            credential.as_bytes(),
        ] {
            bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
            bytes.extend_from_slice(part);
        }
        match self {
            RowDigest::Keccak => keccak256(&bytes),
            RowDigest::Sha256 => Hash32(Sha256::digest(&bytes).into()),
        }
    }
}

/// The digest of a batch's event rows that its audit entry carries.
fn events_digest(rows: impl Iterator<Item = Hash32>) -> Vec<u8> {
    let mut rows: Vec<Hash32> = rows.collect();
    rows.sort_unstable();
    let bytes: Vec<u8> = rows.iter().flat_map(|h| h.0).collect();
    keccak256(&bytes).0.to_vec()
}

impl Store {
    /// Records events for `issuer` (the name of the key that signed their credentials): what
    /// `fill` writes, batch by batch, in one transaction, committed only if it succeeds. How
    /// many events were written.
    pub fn record_events<E: From<StoreError>>(
        &mut self,
        issuer: &str,
        fill: impl FnOnce(&mut EventWriter) -> Result<(), E>,
    ) -> Result<u64, E> {
        check_issuer(issuer)?;
        let path = self.path().to_path_buf();
        let sqlite = move |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        // A recording looks up and inserts thousands of IDs in the events' unique index: a
        // page cache that holds it saves reading its pages again and again.
        let cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .map_err(&sqlite)?;
        self.conn
            .pragma_update(None, "cache_size", RECORDING_CACHE_KIB)
            .map_err(&sqlite)?;
        let recorded = self.record_in_transaction(issuer, &sqlite, fill);
        self.conn
            .pragma_update(None, "cache_size", cache)
            .map_err(&sqlite)?;
        recorded
    }

    fn record_in_transaction<E: From<StoreError>>(
        &mut self,
        issuer: &str,
        sqlite: &dyn Fn(rusqlite::Error) -> StoreError,
        fill: impl FnOnce(&mut EventWriter) -> Result<(), E>,
    ) -> Result<u64, E> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        let mut writer = EventWriter {
            tx: &tx,
            at: now_ms(),
            issuer,
            sqlite,
            written: 0,
        };
        fill(&mut writer)?;
        let written = writer.written;
        tx.commit().map_err(sqlite)?;
        Ok(written)
    }

    /// Which of `ids` are recorded already.
    pub fn recorded_events(&self, ids: &[&str]) -> Result<HashSet<String>, StoreError> {
        let mut query = self
            .conn
            .prepare_cached("SELECT 1 FROM trace_events WHERE id = ?1")
            .map_err(|e| self.sqlite(e))?;
        let mut found = HashSet::new();
        for id in ids {
            if query.exists([id]).map_err(|e| self.sqlite(e))? {
                found.insert((*id).to_owned());
            }
        }
        Ok(found)
    }

    /// Where the traceability records stand: the last event's place in the order recorded (0
    /// for none), and when each kind of reference data was last kept. A reader that saw the
    /// same knows nothing changed.
    pub fn trace_generation(&self) -> Result<(i64, Vec<i64>), StoreError> {
        let last: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM trace_events", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sqlite(e))?;
        let mut kept = Vec::with_capacity(ReferenceKind::ALL.len() + 1);
        for kind in ReferenceKind::ALL {
            let at: Option<i64> = self
                .conn
                .query_row(
                    "SELECT at FROM trace_reference WHERE kind = ?1",
                    [kind.name()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.sqlite(e))?;
            kept.push(at.unwrap_or(0));
        }
        // Revocations change what the events vouch for.
        let revoked: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(rowid), 0) FROM revoked", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sqlite(e))?;
        kept.push(revoked);
        Ok((last, kept))
    }

    /// The recorded events whose credential is revoked — its own target hash, or its batch's
    /// root — by eventID, with the revocation's note.
    pub fn revoked_events(&self) -> Result<HashMap<String, String>, StoreError> {
        let mut query = self
            .conn
            .prepare(
                "SELECT e.id, r.note FROM revoked r
                   JOIN trace_events e ON e.issuer = r.issuer AND e.root = r.hash
                 UNION ALL
                 SELECT e.id, r.note FROM revoked r
                   JOIN documents d ON d.issuer = r.issuer AND d.target = r.hash
                   JOIN trace_events e ON e.issuer = d.issuer AND e.root = d.root
                   WHERE json_extract(e.credential, '$.signature.targetHash') = lower(hex(r.hash))",
            )
            .map_err(|e| self.sqlite(e))?;
        query
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sqlite(e))
    }

    /// The events recorded after place `seq` in the order recorded.
    pub fn events_after(&self, seq: i64) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut events = Vec::new();
        self.each_recorded_event(seq, |event| {
            events.push(event);
            Ok::<_, StoreError>(())
        })?;
        Ok(events)
    }

    /// Calls `each` with every event recorded after place `seq`, in the order recorded,
    /// without holding them all.
    pub fn each_recorded_event<E: From<StoreError>>(
        &self,
        seq: i64,
        mut each: impl FnMut(RecordedEvent) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut query = self
            .conn
            .prepare(
                "SELECT e.seq, e.id, e.event, i.at,
                        CASE WHEN json_valid(e.credential)
                             THEN json_extract(e.credential, '$.proof[0].verificationMethod') END
                 FROM trace_events e
                 JOIN issued i ON i.issuer = e.issuer AND i.root = e.root
                 WHERE e.seq > ?1 ORDER BY e.seq",
            )
            .map_err(|e| self.sqlite(e))?;
        let mut rows = query.query([seq]).map_err(|e| self.sqlite(e))?;
        while let Some(row) = rows.next().map_err(|e| self.sqlite(e))? {
            let read = |r: &rusqlite::Row| -> rusqlite::Result<RecordedEvent> {
                let method: Option<String> = r.get(4)?;
                Ok(RecordedEvent {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    event: r.get(2)?,
                    recorded: r.get(3)?,
                    signer: method.map(|m| m.split('#').next().unwrap_or(&m).to_owned()),
                })
            };
            each(read(row).map_err(|e| self.sqlite(e))?)?;
        }
        Ok(())
    }

    /// One recorded event: its text, its credential, the key's name that signed it and the
    /// merkle root of its batch.
    pub fn event(&self, id: &str) -> Result<Option<(String, String, String, Hash32)>, StoreError> {
        self.conn
            .query_row(
                "SELECT event, credential, issuer, root FROM trace_events WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Vec<u8>>(3)?)),
            )
            .optional()
            .map_err(|e| self.sqlite(e))
            .map(|found| {
                found.map(|(event, credential, issuer, root)| {
                    (
                        event,
                        credential,
                        issuer,
                        Hash32(<[u8; 32]>::try_from(root.as_slice()).unwrap_or_default()),
                    )
                })
            })
    }

    /// Keeps `body` (the JSON file of that kind) as the chain's reference data of `kind`,
    /// replacing what was there.
    pub fn set_reference(&mut self, kind: ReferenceKind, body: &str) -> Result<(), StoreError> {
        self.change("trace", |tx, at, sqlite| {
            tx.execute(
                "INSERT OR REPLACE INTO trace_reference (kind, body, at) VALUES (?1, ?2, ?3)",
                params![kind.name(), body, at],
            )
            .map_err(sqlite)?;
            append_audit(
                tx,
                at,
                "trace",
                "trace-reference",
                &keccak256(body.as_bytes()),
                kind.name().as_bytes(),
            )
            .map_err(sqlite)?;
            Ok(())
        })
    }

    /// The chain's reference data of `kind`, if any was kept.
    pub fn reference(&self, kind: ReferenceKind) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT body FROM trace_reference WHERE kind = ?1",
                [kind.name()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }
}

/// The traceability entries of the audit log, replayed.
#[derive(Default)]
pub(crate) struct TraceReplay {
    /// Per issuer and batch root, how its event rows are digested and the digest of them.
    batches: BTreeMap<(String, Vec<u8>), (RowDigest, Vec<u8>)>,
    /// Per kind, the hash of the reference data last kept.
    reference: BTreeMap<String, Vec<u8>>,
}

impl TraceReplay {
    pub(crate) fn entry(
        &mut self,
        issuer: &str,
        action: &str,
        subject: &[u8],
        detail: &[u8],
    ) -> Result<(), String> {
        match RowDigest::of_action(action) {
            Some(digest) => {
                if self
                    .batches
                    .insert(
                        (issuer.to_owned(), subject.to_vec()),
                        (digest, detail.to_vec()),
                    )
                    .is_some()
                {
                    return Err("it records a batch of events recorded before".into());
                }
            }
            None => {
                let kind = std::str::from_utf8(detail)
                    .ok()
                    .and_then(ReferenceKind::named)
                    .ok_or("it names no kind of reference data")?;
                self.reference
                    .insert(kind.name().to_owned(), subject.to_vec());
            }
        }
        Ok(())
    }

    /// What differs between the tables and the log, if anything.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let sqlite = |e| store.sqlite(e);
        let mut rows: BTreeMap<(String, Vec<u8>), Vec<Hash32>> = BTreeMap::new();
        let mut query = store
            .conn
            .prepare("SELECT id, time, issuer, root, event, credential FROM trace_events")
            .map_err(sqlite)?;
        let mut found = query.query([]).map_err(sqlite)?;
        while let Some(row) = found.next().map_err(sqlite)? {
            let id: String = row.get(0).map_err(sqlite)?;
            let time: i64 = row.get(1).map_err(sqlite)?;
            let event: String = row.get(4).map_err(sqlite)?;
            let credential: String = row.get(5).map_err(sqlite)?;
            let key = (
                row.get::<_, String>(2).map_err(sqlite)?,
                row.get::<_, Vec<u8>>(3).map_err(sqlite)?,
            );
            let Some((digest, _)) = self.batches.get(&key) else {
                return Ok(Some(
                    "the recorded events are not those the log records".into(),
                ));
            };
            let row = digest.of(&id, time, &event, &credential);
            rows.entry(key).or_default().push(row);
        }
        if rows.len() != self.batches.len() {
            return Ok(Some(
                "the recorded events are not those the log records".into(),
            ));
        }
        for (key, hashes) in rows {
            if self.batches.get(&key).map(|(_, rows)| rows.as_slice())
                != Some(events_digest(hashes.into_iter()).as_slice())
            {
                return Ok(Some(format!(
                    "the events of batch {} are not those the log records",
                    Hash32(<[u8; 32]>::try_from(key.1.as_slice()).unwrap_or_default())
                )));
            }
        }
        for kind in ReferenceKind::ALL {
            let kept = store
                .reference(kind)?
                .map(|body| keccak256(body.as_bytes()).0.to_vec());
            if kept.as_ref() != self.reference.get(kind.name()) {
                return Ok(Some(format!(
                    "the {} reference data is not what the log records",
                    kind.name()
                )));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Audit;

    fn event(n: u8) -> TraceEvent {
        TraceEvent::new(
            format!("ni:///sha-256;{n:064x}?ver=CBV2.0"),
            i64::from(n) * 1000,
            format!("{{\"n\":{n}}}"),
            format!("{{\"credential\":{n}}}"),
        )
    }

    fn batch(root: u8, events: &[TraceEvent]) -> Batch {
        Batch {
            root: Hash32([root; 32]),
            documents: events
                .iter()
                .map(|e| keccak256(e.credential.as_bytes()))
                .collect(),
        }
    }

    #[test]
    fn events_are_recorded_whole_and_the_audit_vouches_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let mut store = Store::open(&path).unwrap();
        let first = [event(1), event(2)];
        let written = store
            .record_events::<StoreError>("farm", |w| {
                w.batch(&batch(1, &first), &first)?;
                w.batch(&batch(2, &[event(3)]), &[event(3)])
            })
            .unwrap();
        assert_eq!(written, 3);
        store
            .set_reference(ReferenceKind::Parties, r#"{"parties":[]}"#)
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::Intact { entries: 5 }
        ));

        // A batch that repeats an event leaves nothing of the run behind.
        let again = [event(4), event(1)];
        let refused =
            store.record_events::<StoreError>("farm", |w| w.batch(&batch(3, &again), &again));
        assert!(matches!(refused, Err(StoreError::Trace(_))), "{refused:?}");
        assert!(store.recorded_events(&[&event(4).id]).unwrap().is_empty());
        assert_eq!(
            store
                .recorded_events(&[&event(1).id, &event(3).id])
                .unwrap()
                .len(),
            2
        );

        assert_eq!(store.events_after(0).unwrap().len(), 3);
        assert_eq!(
            store.reference(ReferenceKind::Parties).unwrap().as_deref(),
            Some(r#"{"parties":[]}"#)
        );

        // An event edited outside Corridor, or reference data, is named by the audit.
        let edit = |sql: &str| {
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute(sql, [])
                .unwrap()
        };
        edit(r#"UPDATE trace_events SET event = '{"n":9}' WHERE time = 2000"#);
        assert!(matches!(
            Store::open(&path).unwrap().audit().unwrap(),
            Audit::RecordsDiffer { .. }
        ));
        edit(r#"UPDATE trace_events SET event = '{"n":2}' WHERE time = 2000"#);
        assert!(matches!(
            Store::open(&path).unwrap().audit().unwrap(),
            Audit::Intact { .. }
        ));
        edit(r#"UPDATE trace_reference SET body = '{"parties":[{}]}'"#);
        assert!(matches!(
            Store::open(&path).unwrap().audit().unwrap(),
            Audit::RecordsDiffer { .. }
        ));
    }

    #[test]
    fn batches_recorded_with_keccak_row_digests_still_audit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let mut store = Store::open(&path).unwrap();
        let keccak = |e: &TraceEvent| RowDigest::Keccak.of(&e.id, e.time, &e.event, &e.credential);
        assert_ne!(keccak(&event(1)), event(1).row);
        let old = [event(1), event(2)];
        let new = [event(3)];
        store
            .record_events::<StoreError>("farm", |w| {
                w.write(&batch(1, &old), &old, RowDigest::Keccak, keccak)?;
                w.batch(&batch(2, &new), &new)
            })
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::Intact { entries: 4 }
        ));
        let audited = |sql: &str| {
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute(sql, [])
                .unwrap();
            Store::open(&path).unwrap().audit().unwrap()
        };
        // Either digest finds an edit of its batch.
        for time in [1000, 3000] {
            let edited = audited(&format!(
                r#"UPDATE trace_events SET event = '{{"n":9}}' WHERE time = {time}"#
            ));
            assert!(matches!(edited, Audit::RecordsDiffer { .. }), "{edited:?}");
            let n = time / 1000;
            audited(&format!(
                r#"UPDATE trace_events SET event = '{{"n":{n}}}' WHERE time = {time}"#
            ));
        }
        assert!(matches!(
            Store::open(&path).unwrap().audit().unwrap(),
            Audit::Intact { .. }
        ));
    }
}
