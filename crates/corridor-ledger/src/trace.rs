//! Traceability records: EPCIS events as recorded, each with the credential its recorder
//! signed, issued in batches like any document; and the chain's reference data (parties,
//! products, certificates) provenance is checked against. Every change is one transaction with
//! its audit entries; the audit replays them and compares them with the tables.

use std::collections::{BTreeMap, HashMap, HashSet};

use corridor_db::{Dialect, OptionalExtension, Transaction, params};
use corridor_format::{Hash32, SaltSeed, keccak256};
use sha2::{Digest, Sha256};

use crate::store::{
    Batch, Store, StoreError, append_audit, check_issuer, hash32, issue_batch, now_ms,
};

/// One event to record: its hash ID, its time, its text, and the parts of the credential its
/// recorder signed over it, with the digest of the row they make, which the audit log keeps
/// (made with the event, so that recorders make it on their own threads).
///
/// A credential is kept as parts, from which it is made again when asked for: the seed of
/// its salts and its target hash, while what the batch's credentials share is kept once
/// ([`BatchFrame`]) and its merkle path follows from the batch's target hashes. Its text
/// would hold the event again, salted, and the batch's signature: five times the bytes of
/// the event, which SQLite writes twice (to its write-ahead log, then to the file), and which
/// took a third of a recording's time. Rows are digested with SHA-256, which processors run
/// in hardware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    id: String,
    time: i64,
    event: String,
    seed: SaltSeed,
    target: Hash32,
    row: Hash32,
    recalls: Vec<String>,
}

impl TraceEvent {
    /// The event `id` (its CBV 2.0 hash ID) at `time` (its eventTime, in milliseconds since
    /// 1970), as recorded (`event`, JSON), whose credential's data was salted from `seed` and
    /// digests to `target`.
    pub fn new(id: String, time: i64, event: String, seed: SaltSeed, target: Hash32) -> TraceEvent {
        let row = parts_row(&id, time, &event, &seed.0, &target.0);
        TraceEvent {
            id,
            time,
            event,
            seed,
            target,
            row,
            recalls: Vec::new(),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The event, as one that recalls `objects` (their identifiers): each is published in
    /// the node's feed when it is recorded.
    pub fn recalling(self, objects: Vec<String>) -> TraceEvent {
        TraceEvent {
            recalls: objects,
            ..self
        }
    }
}

/// One event to record with its credential signed alone and kept whole (a W3C verifiable
/// credential, whose selective disclosure proof signs each of its statements): its hash ID,
/// its time, its text and its credential's text, with the digest of the row they make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedEvent {
    id: String,
    time: i64,
    event: String,
    credential: String,
    /// The SHA-256 of the credential's text, by which it is found.
    digest: Hash32,
    row: Hash32,
    recalls: Vec<String>,
}

impl SignedEvent {
    /// The event `id` at `time` (milliseconds since 1970), as recorded (`event`, JSON), and
    /// the credential its recorder signed over it (`credential`, JSON).
    pub fn new(id: String, time: i64, event: String, credential: String) -> SignedEvent {
        let row = text_row(RowDigest::Sha256, &id, time, &event, &credential);
        let digest = Hash32(Sha256::digest(credential.as_bytes()).into());
        SignedEvent {
            id,
            time,
            event,
            credential,
            digest,
            row,
            recalls: Vec::new(),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The event, as one that recalls `objects` (their identifiers): each is published in
    /// the node's feed when it is recorded.
    pub fn recalling(self, objects: Vec<String>) -> SignedEvent {
        SignedEvent {
            recalls: objects,
            ..self
        }
    }
}

/// What every credential of a batch shares: its issuer (an OpenAttestation v2 issuer, JSON)
/// and its proof (the signature of the batch's merkle root, JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFrame {
    pub issuer: String,
    pub proof: String,
}

impl BatchFrame {
    fn digest(&self) -> Hash32 {
        RowDigest::Sha256.of(&[self.issuer.as_bytes(), self.proof.as_bytes()])
    }
}

/// A recorded event's credential, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredCredential {
    /// Recorded before credentials were kept as parts (store layout 7): its text, as signed.
    Whole(String),
    /// The parts it is made again from, with its batch's target hashes
    /// ([`Store::batch_documents`]).
    Parts {
        frame: BatchFrame,
        seed: SaltSeed,
        target: Hash32,
    },
}

/// One recorded event: its text, its credential, the name of the key that signed it and the
/// merkle root of its batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub event: String,
    pub credential: StoredCredential,
    pub issuer: String,
    pub root: Hash32,
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
    sqlite: &'t dyn Fn(corridor_db::Error) -> StoreError,
    written: u64,
}

impl EventWriter<'_> {
    /// Which of `ids` are recorded already (before this run, or by it).
    pub fn recorded(&self, ids: &[&str]) -> Result<HashSet<String>, StoreError> {
        recorded_among(self.tx, ids).map_err(self.sqlite)
    }

    /// Records `batch` as issued, and `events`, whose credentials are its documents and share
    /// `frame`.
    pub fn batch(
        &mut self,
        batch: &Batch,
        frame: &BatchFrame,
        events: &[TraceEvent],
    ) -> Result<(), StoreError> {
        issue_batch(self.tx, self.at, self.issuer, batch, self.sqlite)?;
        let number: i64 = self
            .tx
            .prepare_cached("INSERT INTO trace_batches (issuer, root, issuer_block, proof, at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING batch")
            .and_then(|mut insert| {
                insert.query_row(params![self.issuer, batch.root.as_bytes(), frame.issuer, frame.proof, self.at], |r| r.get(0))
            })
            .map_err(self.sqlite)?;
        for event in events {
            self.insert_event(
                number,
                &event.id,
                event.time,
                &event.event,
                Some(&event.seed.0),
                &event.target,
            )?;
        }
        append_audit(
            self.tx,
            self.at,
            self.issuer,
            ROWS_PARTS,
            &batch.root,
            &events_digest(events.iter().map(|e| e.row).chain([frame.digest()])),
        )
        .map_err(self.sqlite)?;
        for event in events {
            self.announce_recalls(&event.id, event.time, &event.recalls)?;
        }
        self.written += events.len() as u64;
        Ok(())
    }

    /// Records `events`, each with its credential signed alone, as one batch of the
    /// recording: not issued in the document store, named by the SHA-256 of its credentials'
    /// digests.
    pub fn signed(&mut self, events: &[SignedEvent]) -> Result<(), StoreError> {
        let mut names = Sha256::new();
        for event in events {
            names.update(event.digest.0);
        }
        let name = Hash32(names.finalize().into());
        let number: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO trace_batches (issuer, root, at) VALUES (?1, ?2, ?3) RETURNING batch",
            )
            .and_then(|mut insert| {
                insert.query_row(params![self.issuer, name.as_bytes(), self.at], |r| r.get(0))
            })
            .map_err(self.sqlite)?;
        let mut keep = self
            .tx
            .prepare_cached("INSERT INTO trace_credentials (seq, credential) VALUES (?1, ?2)")
            .map_err(self.sqlite)?;
        for event in events {
            let seq = self.insert_event(
                number,
                &event.id,
                event.time,
                &event.event,
                None,
                &event.digest,
            )?;
            keep.execute(params![seq, event.credential])
                .map_err(self.sqlite)?;
        }
        append_audit(
            self.tx,
            self.at,
            self.issuer,
            ROWS_SHA256,
            &name,
            &events_digest(events.iter().map(|e| e.row)),
        )
        .map_err(self.sqlite)?;
        for event in events {
            self.announce_recalls(&event.id, event.time, &event.recalls)?;
        }
        self.written += events.len() as u64;
        Ok(())
    }

    /// Logs a `recall` entry for each object the event `id` at `time` recalls, after its
    /// batch's entry: the feed publishes it, the hash of the object's identifier and when,
    /// for the nodes that follow this one to check their own products against.
    fn announce_recalls(&self, id: &str, time: i64, objects: &[String]) -> Result<(), StoreError> {
        for object in objects {
            append_audit(
                self.tx,
                self.at,
                self.issuer,
                RECALL,
                &corridor_feed::recall_subject(object),
                &corridor_feed::recall_state(time, id),
            )
            .map_err(self.sqlite)?;
        }
        Ok(())
    }

    /// Hands out the next `count` indexes of the store's status list at `url`, in the
    /// recording's transaction: the first. A recording that fails hands out none.
    pub fn allocate_status_indexes(&mut self, url: &str, count: u64) -> Result<u64, StoreError> {
        crate::status_lists::allocate_in(self.tx, self.at, url, count).map_err(self.sqlite)?
    }

    /// Inserts an event of the batch numbered `batch`: its place in the order recorded.
    fn insert_event(
        &self,
        batch: i64,
        id: &str,
        time: i64,
        event: &str,
        seed: Option<&[u8; 32]>,
        target: &Hash32,
    ) -> Result<i64, StoreError> {
        let inserted = self
            .tx
            .prepare_cached("INSERT INTO trace_events (id, time, batch, event, seed, target) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING seq")
            .and_then(|mut insert| {
                insert.query_row(params![id, time, batch, event, seed, target.as_bytes()], |r| r.get(0))
            });
        match inserted {
            // The id is unique: an event recorded before is refused by the insert itself.
            Err(e) if e.code() == Some(corridor_db::ErrorCode::Constraint) => {
                Err(StoreError::Trace(format!("event {id} is recorded already")))
            }
            other => other.map_err(self.sqlite),
        }
    }
}

/// The verification method of a credential's first proof (an OpenAttestation credential's
/// proofs are a list, a W3C credential's proof one object), or of a batch's proof.
fn verification_method(json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    [
        "/proof/0/verificationMethod",
        "/proof/verificationMethod",
        "/verificationMethod",
    ]
    .iter()
    .find_map(|path| value.pointer(path)?.as_str().map(str::to_owned))
}

/// The audit action of an object recalled by a recorded event.
pub(crate) const RECALL: &str = "recall";

/// The audit action of a batch of events whose credentials are kept as text and whose rows
/// are digested with Keccak-256, as recordings made before 2026-11-27 did.
const ROWS_KECCAK: &str = "trace";
/// The audit action of a batch of events whose credentials are kept as text and whose rows
/// are digested with SHA-256, as recordings made on 2026-11-27 did.
const ROWS_SHA256: &str = "trace-sha256";
/// The audit action of a batch of events whose credentials are kept as parts: its rows and
/// its frame are digested with SHA-256.
const ROWS_PARTS: &str = "trace-parts";

/// How a batch's events are kept, as its audit entry's action says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    /// Credentials as text, rows digested with this.
    Text(RowDigest),
    Parts,
}

impl Kept {
    fn of_action(action: &str) -> Option<Kept> {
        match action {
            ROWS_KECCAK => Some(Kept::Text(RowDigest::Keccak)),
            ROWS_SHA256 => Some(Kept::Text(RowDigest::Sha256)),
            ROWS_PARTS => Some(Kept::Parts),
            _ => None,
        }
    }
}

/// How a row is digested for its batch's audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowDigest {
    Keccak,
    Sha256,
}

impl RowDigest {
    /// The digest of a row's parts: each one's length and bytes, in order.
    fn of(self, parts: &[&[u8]]) -> Hash32 {
        let mut bytes = Vec::with_capacity(parts.iter().map(|p| p.len() + 8).sum());
        for part in parts {
            bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
            bytes.extend_from_slice(part);
        }
        match self {
            RowDigest::Keccak => keccak256(&bytes),
            RowDigest::Sha256 => Hash32(Sha256::digest(&bytes).into()),
        }
    }
}

/// The digest of an event row whose credential is kept as parts.
fn parts_row(id: &str, time: i64, event: &str, seed: &[u8], target: &[u8]) -> Hash32 {
    RowDigest::Sha256.of(&[
        id.as_bytes(),
        &time.to_be_bytes(),
        event.as_bytes(),
        seed,
        target,
    ])
}

/// The digest of an event row whose credential is kept as text.
fn text_row(digest: RowDigest, id: &str, time: i64, event: &str, credential: &str) -> Hash32 {
    digest.of(&[
        id.as_bytes(),
        &time.to_be_bytes(),
        event.as_bytes(),
        credential.as_bytes(),
    ])
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
        // A recording looks up and inserts thousands of IDs in the events' unique index: a
        // page cache that holds it saves reading its pages again and again.
        self.with_bulk_cache(|store| {
            store.write(|tx, db| {
                let mut writer = EventWriter {
                    tx,
                    at: now_ms(),
                    issuer,
                    sqlite: db,
                    written: 0,
                };
                fill(&mut writer)?;
                Ok(writer.written)
            })
        })
    }

    /// Which of `ids` are recorded already.
    pub fn recorded_events(&self, ids: &[&str]) -> Result<HashSet<String>, StoreError> {
        recorded_among(&self.conn, ids).map_err(|e| self.sqlite(e))
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
        // Revocations change what the events vouch for, and so do the status lists' entries.
        // Revocations are only ever added: SQLite's last row number counts them without a
        // scan; PostgreSQL's rows have none, and are counted.
        let revoked: i64 = self
            .conn
            .query_row(
                match self.conn.dialect() {
                    Dialect::Sqlite => "SELECT COALESCE(MAX(rowid), 0) FROM revoked",
                    Dialect::Postgres => "SELECT COUNT(*) FROM revoked",
                },
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sqlite(e))?;
        kept.push(revoked);
        let listed: i64 = self
            .conn
            .query_row(
                "SELECT COALESCE(SUM(version), 0) FROM status_lists",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sqlite(e))?;
        kept.push(listed);
        Ok((last, kept))
    }

    /// The recorded events whose credential is revoked — its own target hash, or its batch's
    /// root — or whose W3C credential's entry is set on one of the store's status lists, by
    /// eventID, with the revocation's note.
    pub fn revoked_events(&self) -> Result<HashMap<String, String>, StoreError> {
        let mut revoked = self.revoked_oa_events()?;
        revoked.extend(self.events_set_on_status_lists()?);
        Ok(revoked)
    }

    /// The events whose W3C credential has an entry set on one of the store's status lists,
    /// with what it says ("revoked" or "suspended", and where).
    fn events_set_on_status_lists(&self) -> Result<HashMap<String, String>, StoreError> {
        let mut query = self
            .conn
            .prepare(match self.conn.dialect() {
                Dialect::Sqlite => {
                    "SELECT e.id, json_extract(c.credential, '$.credentialStatus')
                     FROM trace_credentials c JOIN trace_events e ON e.seq = c.seq
                     WHERE json_valid(c.credential)
                       AND json_type(c.credential, '$.credentialStatus') IS NOT NULL"
                }
                // Credentials kept on PostgreSQL were all written as JSON by this version.
                // One that escapes a NUL character is read whole, and its status found here:
                // PostgreSQL's JSON functions refuse it, and would fail every read with it.
                Dialect::Postgres => {
                    "SELECT e.id, CASE WHEN strpos(c.credential, '\\u0000') > 0
                                       THEN c.credential
                                       ELSE (c.credential::jsonb -> 'credentialStatus')::text END,
                            strpos(c.credential, '\\u0000') > 0
                     FROM trace_credentials c JOIN trace_events e ON e.seq = c.seq
                     WHERE CASE WHEN strpos(c.credential, '\\u0000') > 0 THEN true
                                ELSE (c.credential::jsonb -> 'credentialStatus') IS NOT NULL END"
                }
            })
            .map_err(|e| self.sqlite(e))?;
        let may_be_whole = self.conn.dialect() == Dialect::Postgres;
        let entries: Vec<(String, String, bool)> = query
            .query_map([], |r| {
                let whole = may_be_whole && r.get(2)?;
                Ok((r.get(0)?, r.get(1)?, whole))
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sqlite(e))?;
        let mut lists = HashMap::new();
        let mut set = HashMap::new();
        for (id, status, whole) in entries {
            let status: serde_json::Value = serde_json::from_str(&status).unwrap_or_default();
            let status = match status {
                serde_json::Value::Object(mut credential) if whole => {
                    credential.remove("credentialStatus").unwrap_or_default()
                }
                status => status,
            };
            let entries = match status {
                serde_json::Value::Array(entries) => entries,
                entry => vec![entry],
            };
            for entry in entries {
                let Some((url, index)) = status_entry(&entry) else {
                    continue;
                };
                if !lists.contains_key(url) {
                    lists.insert(url.to_owned(), self.status_list(url)?);
                }
                // An index past the list's end is simply not set.
                if let Some(list) = &lists[url]
                    && list.is_set(index)
                {
                    let done = match list.purpose {
                        crate::StatusPurpose::Revocation => "revoked",
                        crate::StatusPurpose::Suspension => "suspended",
                    };
                    set.insert(
                        id.clone(),
                        format!("{done} on status list {url} (entry {index})"),
                    );
                }
            }
        }
        Ok(set)
    }

    /// The recorded events whose OpenAttestation credential is revoked in the document store.
    fn revoked_oa_events(&self) -> Result<HashMap<String, String>, StoreError> {
        let mut query = self
            .conn
            .prepare(
                "SELECT e.id, r.note FROM revoked r
                   JOIN trace_batches b ON b.issuer = r.issuer AND b.root = r.hash
                   JOIN trace_events e ON e.batch = b.batch
                 UNION ALL
                 SELECT e.id, r.note FROM revoked r
                   JOIN documents d ON d.issuer = r.issuer AND d.target = r.hash
                   JOIN trace_batches b ON b.issuer = d.issuer AND b.root = d.root
                   JOIN trace_events e ON e.batch = b.batch AND e.target = r.hash",
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
            .prepare(match self.conn.dialect() {
                Dialect::Sqlite => {
                    "SELECT e.seq, e.id, e.event, COALESCE(b.at, 0),
                            CASE WHEN c.credential IS NULL
                                 THEN CASE WHEN json_valid(b.proof)
                                           THEN json_extract(b.proof, '$.verificationMethod') END
                                 WHEN json_valid(c.credential)
                                 -- An OpenAttestation credential's proofs are a list, a W3C
                                 -- credential's proof one object.
                                 THEN COALESCE(json_extract(c.credential, '$.proof[0].verificationMethod'),
                                               json_extract(c.credential, '$.proof.verificationMethod')) END
                     FROM trace_events e
                     JOIN trace_batches b ON b.batch = e.batch
                     LEFT JOIN trace_credentials c ON c.seq = e.seq
                     WHERE e.seq > ?1 ORDER BY e.seq"
                }
                // A credential or proof that escapes a NUL character is read whole, and its
                // method found here: PostgreSQL's JSON functions refuse it, and would fail
                // every read with it.
                Dialect::Postgres => {
                    "SELECT e.seq, e.id, e.event, COALESCE(b.at, 0),
                            CASE WHEN strpos(COALESCE(c.credential, b.proof), '\\u0000') > 0 THEN NULL
                                 WHEN c.credential IS NULL
                                 THEN b.proof::jsonb ->> 'verificationMethod'
                                 ELSE COALESCE(c.credential::jsonb #>> '{proof,0,verificationMethod}',
                                               c.credential::jsonb #>> '{proof,verificationMethod}') END,
                            CASE WHEN strpos(COALESCE(c.credential, b.proof), '\\u0000') > 0
                                 THEN COALESCE(c.credential, b.proof) END
                     FROM trace_events e
                     JOIN trace_batches b ON b.batch = e.batch
                     LEFT JOIN trace_credentials c ON c.seq = e.seq
                     WHERE e.seq > ?1 ORDER BY e.seq"
                }
            })
            .map_err(|e| self.sqlite(e))?;
        let may_be_whole = self.conn.dialect() == Dialect::Postgres;
        let mut rows = query.query([seq]).map_err(|e| self.sqlite(e))?;
        while let Some(row) = rows.next().map_err(|e| self.sqlite(e))? {
            let read = |r: &corridor_db::Row| -> corridor_db::Result<RecordedEvent> {
                let mut method: Option<String> = r.get(4)?;
                if may_be_whole && let Some(whole) = r.get::<_, Option<String>>(5)? {
                    method = verification_method(&whole);
                }
                Ok(RecordedEvent {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    event: r.get(2)?,
                    recorded: r.get(3)?,
                    signer: method.map(|m| m.split('#').next().unwrap_or(&m).to_owned()),
                })
            };
            each(read(&row).map_err(|e| self.sqlite(e))?)?;
        }
        Ok(())
    }

    /// The documents (target hashes) of the batch `issuer` issued under `root`.
    pub fn batch_documents(&self, issuer: &str, root: &Hash32) -> Result<Vec<Hash32>, StoreError> {
        let mut query = self
            .conn
            .prepare_cached("SELECT target FROM documents WHERE issuer = ?1 AND root = ?2")
            .map_err(|e| self.sqlite(e))?;
        let targets = query
            .query_map(params![issuer, root.as_bytes()], |r| r.get::<_, Vec<u8>>(0))
            .and_then(|rows| rows.collect::<corridor_db::Result<Vec<_>>>())
            .map_err(|e| self.sqlite(e))?;
        Ok(targets.iter().filter_map(|t| hash32(t)).collect())
    }

    /// One recorded event, by its eventID.
    pub fn event(&self, id: &str) -> Result<Option<StoredEvent>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT e.event, b.issuer, b.root, c.credential, b.issuer_block, b.proof,
                        e.seed, e.target
                 FROM trace_events e
                 JOIN trace_batches b ON b.batch = e.batch
                 LEFT JOIN trace_credentials c ON c.seq = e.seq
                 WHERE e.id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        (
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, Option<String>>(5)?,
                            r.get::<_, Option<Vec<u8>>>(6)?,
                            r.get::<_, Vec<u8>>(7)?,
                        ),
                    ))
                },
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        let Some((event, issuer, root, whole, parts)) = row else {
            return Ok(None);
        };
        let broken = || {
            StoreError::Trace(format!(
                "the store holds event {id}'s credential incomplete: `corridor store audit` says what was changed"
            ))
        };
        let credential = match (whole, parts) {
            (Some(text), _) => StoredCredential::Whole(text),
            (None, (Some(issuer), Some(proof), Some(seed), target)) => StoredCredential::Parts {
                frame: BatchFrame { issuer, proof },
                seed: SaltSeed(seed.try_into().map_err(|_| broken())?),
                target: hash32(&target).ok_or_else(broken)?,
            },
            _ => return Err(broken()),
        };
        Ok(Some(StoredEvent {
            event,
            credential,
            issuer,
            root: hash32(&root).ok_or_else(broken)?,
        }))
    }

    /// Keeps `body` (the JSON file of that kind) as the chain's reference data of `kind`,
    /// replacing what was there.
    pub fn set_reference(&mut self, kind: ReferenceKind, body: &str) -> Result<(), StoreError> {
        self.change("trace", |tx, at, sqlite| {
            tx.execute(
                "INSERT INTO trace_reference (kind, body, at) VALUES (?1, ?2, ?3) ON CONFLICT (kind) DO UPDATE SET body = excluded.body, at = excluded.at",
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

/// Which of `ids` the events recorded in `conn` have.
fn recorded_among(
    conn: &corridor_db::Connection,
    ids: &[&str],
) -> corridor_db::Result<HashSet<String>> {
    let mut query = conn.prepare_cached("SELECT 1 FROM trace_events WHERE id = ?1")?;
    let mut found = HashSet::new();
    for id in ids {
        if query.exists([id])? {
            found.insert((*id).to_owned());
        }
    }
    Ok(found)
}

/// The list and index of a W3C status entry (`statusListIndex` is a string by the standard;
/// a number is read too).
fn status_entry(entry: &serde_json::Value) -> Option<(&str, u64)> {
    let url = entry.get("statusListCredential")?.as_str()?;
    let index = match entry.get("statusListIndex")? {
        serde_json::Value::String(text) => text.parse().ok()?,
        number => number.as_u64()?,
    };
    Some((url, index))
}

/// Moves the events of a store of layout 5 or 6 (their credentials as text) aside, before
/// the schema makes the tables of this layout; whether there were any such.
pub(crate) fn set_aside_text_events(conn: &corridor_db::Connection) -> corridor_db::Result<bool> {
    let as_text = conn
        .prepare("SELECT 1 FROM pragma_table_info('trace_events') WHERE name = 'credential'")?
        .exists([])?;
    if as_text {
        conn.execute_batch(
            "DROP INDEX IF EXISTS trace_events_by_root;
             ALTER TABLE trace_events RENAME TO trace_events_as_text;",
        )?;
    }
    Ok(as_text)
}

/// Gives the batches of a store before layout 8 the time they were recorded: when their
/// merkle root was issued.
pub(crate) fn time_batches(conn: &corridor_db::Connection) -> corridor_db::Result<()> {
    crate::store::add_column(conn, "trace_batches", "at", "INTEGER")?;
    conn.execute_batch(
        "UPDATE trace_batches SET at = (SELECT i.at FROM issued i
                                         WHERE i.issuer = trace_batches.issuer
                                           AND i.root = trace_batches.root)
         WHERE at IS NULL",
    )
}

/// Moves the events set aside into this layout's tables: their batches, and their
/// credentials kept whole, as their audit entries digest them.
pub(crate) fn migrate_text_events(
    conn: &corridor_db::Connection,
    set_aside: bool,
) -> corridor_db::Result<()> {
    if !set_aside {
        return Ok(());
    }
    conn.execute_batch(
        "INSERT INTO trace_batches (issuer, root)
           SELECT issuer, root FROM trace_events_as_text GROUP BY issuer, root ORDER BY MIN(seq);
         INSERT INTO trace_events (seq, id, time, batch, event, target)
           SELECT e.seq, e.id, e.time, b.batch, e.event,
                  COALESCE(unhex(CASE WHEN json_valid(e.credential)
                                      THEN json_extract(e.credential, '$.signature.targetHash')
                                 END), x'')
           FROM trace_events_as_text e
           JOIN trace_batches b ON b.issuer = e.issuer AND b.root = e.root;
         INSERT INTO trace_credentials (seq, credential)
           SELECT seq, credential FROM trace_events_as_text;
         DROP TABLE trace_events_as_text;",
    )
}

/// The traceability entries of the audit log, replayed.
#[derive(Default)]
pub(crate) struct TraceReplay {
    /// Per issuer and batch root, how its events are kept and the digest of them.
    batches: BTreeMap<(String, Vec<u8>), (Kept, Vec<u8>)>,
    /// Per kind, the hash of the reference data last kept.
    reference: BTreeMap<String, Vec<u8>>,
    /// The recalls announced, by issuer and state (when, and the hash of the event's ID):
    /// each must be an event recorded.
    recalls: HashSet<(String, Vec<u8>)>,
}

impl TraceReplay {
    pub(crate) fn entry(
        &mut self,
        issuer: &str,
        action: &str,
        subject: &[u8],
        detail: &[u8],
    ) -> Result<(), String> {
        match Kept::of_action(action) {
            Some(kept) => {
                if self
                    .batches
                    .insert(
                        (issuer.to_owned(), subject.to_vec()),
                        (kept, detail.to_vec()),
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

    /// A recall's entry: it must name an event recorded by `issuer`.
    pub(crate) fn recall(&mut self, issuer: &str, detail: &[u8]) -> Result<(), String> {
        if corridor_feed::recall_time(detail).is_none() {
            return Err("it is not a recall's entry".into());
        }
        self.recalls.insert((issuer.to_owned(), detail.to_vec()));
        Ok(())
    }

    /// What differs between the tables and the log, if anything.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let sqlite = |e| store.sqlite(e);
        let mut unmatched_recalls = self.recalls.clone();
        let mut rows: BTreeMap<(String, Vec<u8>), Vec<Hash32>> = BTreeMap::new();
        let mut query = store
            .conn
            .prepare(
                "SELECT e.id, e.time, b.issuer, b.root, e.event, c.credential,
                        e.seed, e.target, b.issuer_block, b.proof
                 FROM trace_events e
                 LEFT JOIN trace_batches b ON b.batch = e.batch
                 LEFT JOIN trace_credentials c ON c.seq = e.seq",
            )
            .map_err(sqlite)?;
        let mut found = query.query([]).map_err(sqlite)?;
        let not_logged = || Some("the recorded events are not those the log records".to_owned());
        while let Some(row) = found.next().map_err(sqlite)? {
            let text = |i| row.get::<_, Option<String>>(i).map_err(sqlite);
            let bytes = |i| row.get::<_, Option<Vec<u8>>>(i).map_err(sqlite);
            let id: String = row.get(0).map_err(sqlite)?;
            let time: i64 = row.get(1).map_err(sqlite)?;
            let (Some(issuer), Some(root)) = (text(2)?, bytes(3)?) else {
                return Ok(Some(format!("event {id} is recorded in no batch")));
            };
            let event: String = row.get(4).map_err(sqlite)?;
            if !unmatched_recalls.is_empty() {
                unmatched_recalls.remove(&(issuer.clone(), corridor_feed::recall_state(time, &id)));
            }
            let key = (issuer, root);
            let Some((kept, _)) = self.batches.get(&key) else {
                return Ok(not_logged());
            };
            let digested = rows.entry(key).or_default();
            let parts = (bytes(6)?, bytes(7)?, text(8)?, text(9)?);
            let row = match (kept, text(5)?, parts) {
                (Kept::Text(digest), Some(credential), _) => {
                    text_row(*digest, &id, time, &event, &credential)
                }
                (Kept::Parts, None, (Some(seed), Some(target), Some(issuer), Some(proof))) => {
                    if digested.is_empty() {
                        digested.push(BatchFrame { issuer, proof }.digest());
                    }
                    parts_row(&id, time, &event, &seed, &target)
                }
                _ => {
                    return Ok(Some(format!(
                        "event {id}'s credential is not kept as its batch's log entry says"
                    )));
                }
            };
            digested.push(row);
        }
        if rows.len() != self.batches.len() {
            return Ok(not_logged());
        }
        if !unmatched_recalls.is_empty() {
            return Ok(Some(
                "a recall the log announces names no event recorded".into(),
            ));
        }
        for (key, hashes) in rows {
            if self.batches.get(&key).map(|(_, rows)| rows.as_slice())
                != Some(events_digest(hashes.into_iter()).as_slice())
            {
                return Ok(Some(format!(
                    "the events of batch {} are not those the log records",
                    hash32(&key.1).unwrap_or_default()
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
    use crate::testing::{TestPlace, on_both_backends};
    use corridor_db::{Connection, ToSql};

    on_both_backends!(
        events_are_recorded_whole_and_the_audit_vouches_for_them,
        w3c_credentials_are_kept_whole_audited_and_read_from_their_status_list,
        a_recall_is_logged_and_published_as_the_hash_of_what_it_recalls,
    );

    fn event(n: u8) -> TraceEvent {
        TraceEvent::new(
            format!("ni:///sha-256;{n:064x}?ver=CBV2.0"),
            i64::from(n) * 1000,
            format!("{{\"n\":{n}}}"),
            SaltSeed([n; 32]),
            Hash32([n; 32]),
        )
    }

    fn batch(root: u8, events: &[TraceEvent]) -> Batch {
        Batch {
            // Apart from the events' target hashes.
            root: Hash32([root + 100; 32]),
            documents: events.iter().map(|e| e.target).collect(),
        }
    }

    fn frame() -> BatchFrame {
        BatchFrame {
            issuer: r#"{"name":"Farm"}"#.into(),
            proof: r#"{"verificationMethod":"did:ethr:0x01#controller"}"#.into(),
        }
    }

    fn edited(path: &std::path::Path, sql: &str) -> Audit {
        rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        Store::open(path).unwrap().audit().unwrap()
    }

    /// The parameters of an edit.
    type Values<'a> = &'a [&'a dyn ToSql];

    /// The audit after `sql`, with `values`, is run on the store behind Corridor's back.
    fn audit_after(place: &TestPlace, sql: &str, values: Values) -> Audit {
        place.edit_with(sql, values);
        place.open().audit().unwrap()
    }

    fn a_recall_is_logged_and_published_as_the_hash_of_what_it_recalls(place: TestPlace) {
        const LOT: &str = "urn:epc:class:lgtin:4012345.012345.LOT1";
        const ITEM: &str = "urn:epc:id:sgtin:4012345.012345.7";
        let mut store = place.open();
        let events = [event(1), event(2).recalling(vec![LOT.into()])];
        let list = "https://farm.example/status/1";
        store
            .create_status_list(list, "k", crate::StatusPurpose::Revocation, 16, "{}")
            .unwrap();
        store
            .record_events::<StoreError>("farm", |w| {
                w.batch(&batch(1, &events), &frame(), &events)?;
                w.allocate_status_indexes(list, 1)?;
                w.signed(&[signed_event(3, list).recalling(vec![ITEM.into(), LOT.into()])])
            })
            .unwrap();
        let recalls: Vec<_> = store
            .feed_since(0, 100)
            .unwrap()
            .into_iter()
            .filter(|e| e.public.kind == corridor_feed::Kind::Recall)
            .collect();
        let published: Vec<(Hash32, Vec<u8>, &str)> = recalls
            .iter()
            .map(|e| {
                (
                    e.public.subject,
                    e.public.state.clone(),
                    e.public.issuer.as_str(),
                )
            })
            .collect();
        let third = format!("ni:///sha-256;{:064x}?ver=CBV2.0", 3);
        assert_eq!(
            published,
            [
                (
                    corridor_feed::recall_subject(LOT),
                    corridor_feed::recall_state(2000, &event(2).id),
                    "farm"
                ),
                (
                    corridor_feed::recall_subject(ITEM),
                    corridor_feed::recall_state(3000, &third),
                    "farm"
                ),
                (
                    corridor_feed::recall_subject(LOT),
                    corridor_feed::recall_state(3000, &third),
                    "farm"
                ),
            ]
        );
        // Nothing of the event crosses: neither what it recalls nor its text.
        for entry in &recalls {
            let state = String::from_utf8_lossy(&entry.public.state);
            assert!(
                !state.contains("LOT1") && !state.contains("\"n\""),
                "{state}"
            );
            assert!(entry.published.is_empty());
        }
        assert!(matches!(store.audit().unwrap(), Audit::Intact { .. }));

        // A recall whose event is no longer the one recorded is named by the audit.
        drop(store);
        let audit = audit_after(
            &place,
            "UPDATE trace_events SET time = time + 1 WHERE id = ?1",
            params![event(2).id],
        );
        assert_eq!(
            audit,
            Audit::RecordsDiffer {
                problem: "a recall the log announces names no event recorded".into()
            }
        );
    }

    fn events_are_recorded_whole_and_the_audit_vouches_for_them(place: TestPlace) {
        let mut store = place.open();
        let first = [event(1), event(2)];
        let written = store
            .record_events::<StoreError>("farm", |w| {
                w.batch(&batch(1, &first), &frame(), &first)?;
                w.batch(&batch(2, &[event(3)]), &frame(), &[event(3)])
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
        let refused = store
            .record_events::<StoreError>("farm", |w| w.batch(&batch(3, &again), &frame(), &again));
        assert!(matches!(refused, Err(StoreError::Trace(_))), "{refused:?}");
        assert!(store.recorded_events(&[&event(4).id]).unwrap().is_empty());
        assert_eq!(
            store
                .recorded_events(&[&event(1).id, &event(3).id])
                .unwrap()
                .len(),
            2
        );

        let recorded = store.events_after(0).unwrap();
        assert_eq!(recorded.len(), 3);
        assert_eq!(recorded[0].signer.as_deref(), Some("did:ethr:0x01"));
        assert_eq!(
            store.event(&event(2).id).unwrap(),
            Some(StoredEvent {
                event: event(2).event,
                credential: StoredCredential::Parts {
                    frame: frame(),
                    seed: SaltSeed([2; 32]),
                    target: Hash32([2; 32]),
                },
                issuer: "farm".into(),
                root: Hash32([101; 32]),
            })
        );
        assert_eq!(store.event("ni:///nothing").unwrap(), None);
        assert_eq!(
            store.reference(ReferenceKind::Parties).unwrap().as_deref(),
            Some(r#"{"parties":[]}"#)
        );

        // Revoking an event's credential, or its batch, revokes the event.
        store
            .revoke(
                "farm",
                &[Hash32([2; 32])],
                crate::RevocationReason::Unspecified,
                "spoilt",
            )
            .unwrap();
        let revoked = store.revoked_events().unwrap();
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[&event(2).id], "spoilt");
        store
            .revoke(
                "farm",
                &[Hash32([101; 32])],
                crate::RevocationReason::Unspecified,
                "batch",
            )
            .unwrap();
        let revoked = store.revoked_events().unwrap();
        assert_eq!(revoked.len(), 2);
        assert!(revoked.contains_key(&event(1).id));

        // Any part of an event, its batch's frame or the reference data, changed outside
        // Corridor, is named by the audit.
        let edits: [(&str, Values, &str, Values); 6] = [
            (
                r#"UPDATE trace_events SET event = '{"n":9}' WHERE time = 2000"#,
                params![],
                r#"UPDATE trace_events SET event = '{"n":2}' WHERE time = 2000"#,
                params![],
            ),
            (
                "UPDATE trace_events SET seed = ?1 WHERE time = 2000",
                params![[0u8; 32]],
                "UPDATE trace_events SET seed = ?1 WHERE time = 2000",
                params![[2u8; 32]],
            ),
            (
                "UPDATE trace_events SET target = ?1 WHERE time = 3000",
                params![[0u8]],
                "UPDATE trace_events SET target = ?1 WHERE time = 3000",
                params![[3u8; 32]],
            ),
            (
                r#"UPDATE trace_batches SET proof = '{"verificationMethod":"did:ethr:0x02#controller"}'"#,
                params![],
                r#"UPDATE trace_batches SET proof = '{"verificationMethod":"did:ethr:0x01#controller"}'"#,
                params![],
            ),
            (
                r#"INSERT INTO trace_credentials (seq, credential) VALUES (1, '{"forged":true}')"#,
                params![],
                "DELETE FROM trace_credentials",
                params![],
            ),
            (
                "UPDATE trace_events SET batch = 99 WHERE time = 3000",
                params![],
                "UPDATE trace_events SET batch = 2 WHERE time = 3000",
                params![],
            ),
        ];
        for (change, change_values, undo, undo_values) in edits {
            let audit = audit_after(&place, change, change_values);
            assert!(
                matches!(audit, Audit::RecordsDiffer { .. }),
                "{change}: {audit:?}"
            );
            let audit = audit_after(&place, undo, undo_values);
            assert!(matches!(audit, Audit::Intact { .. }), "{undo}: {audit:?}");
        }
        let audit = audit_after(
            &place,
            r#"UPDATE trace_reference SET body = '{"parties":[{}]}'"#,
            params![],
        );
        assert!(matches!(audit, Audit::RecordsDiffer { .. }), "{audit:?}");
    }

    /// A store of layout 6, whose events' credentials are text, digested with Keccak or
    /// SHA-256.
    fn store_with_text_events(path: &std::path::Path) -> Vec<(String, String)> {
        drop(Store::open(path).unwrap());
        let mut conn = Connection::open_sqlite(path).unwrap();
        conn.execute_batch(
            "DROP TABLE trace_events; DROP TABLE trace_batches; DROP TABLE trace_credentials;
             CREATE TABLE trace_events (
                 seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time INTEGER NOT NULL,
                 issuer TEXT NOT NULL, root BLOB NOT NULL, event TEXT NOT NULL,
                 credential TEXT NOT NULL);
             CREATE INDEX trace_events_by_root ON trace_events (issuer, root);
             UPDATE meta SET value = 6 WHERE key = 'version';",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        let sqlite = |source| StoreError::Db {
            at: path.into(),
            error: source,
        };
        let mut texts = Vec::new();
        for (n, digest, action) in [
            (1u8, RowDigest::Keccak, ROWS_KECCAK),
            (2, RowDigest::Sha256, ROWS_SHA256),
        ] {
            let root = Hash32([n; 32]);
            let target = Hash32([n + 10; 32]);
            issue_batch(
                &tx,
                1,
                "farm",
                &Batch {
                    root,
                    documents: vec![target],
                },
                &sqlite,
            )
            .unwrap();
            let id = format!("ni:///sha-256;{n:064x}?ver=CBV2.0");
            let event = format!("{{\"n\":{n}}}");
            let credential = format!(
                r#"{{"data":{{}},"signature":{{"targetHash":"{target}"}},"proof":[{{"verificationMethod":"did:ethr:0x0{n}#controller"}}]}}"#
            );
            tx.execute(
                "INSERT INTO trace_events (id, time, issuer, root, event, credential) VALUES (?1, ?2, 'farm', ?3, ?4, ?5)",
                params![id, i64::from(n), root.as_bytes(), event, credential],
            )
            .unwrap();
            let row = text_row(digest, &id, i64::from(n), &event, &credential);
            append_audit(
                &tx,
                1,
                "farm",
                action,
                &root,
                &events_digest([row].into_iter()),
            )
            .unwrap();
            texts.push((id, credential));
        }
        tx.commit().unwrap();
        texts
    }

    #[test]
    fn events_recorded_as_text_move_to_this_layout_whole_and_still_audit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let texts = store_with_text_events(&path);
        let mut store = Store::open(&path).unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::Intact { entries: 4 }
        ));
        for (id, credential) in &texts {
            let kept = store.event(id).unwrap().unwrap();
            assert_eq!(kept.credential, StoredCredential::Whole(credential.clone()));
        }
        let signers: Vec<_> = store
            .events_after(0)
            .unwrap()
            .into_iter()
            .map(|e| e.signer)
            .collect();
        assert_eq!(
            signers,
            [Some("did:ethr:0x01".into()), Some("did:ethr:0x02".into())]
        );
        store
            .revoke(
                "farm",
                &[Hash32([12; 32])],
                crate::RevocationReason::Unspecified,
                "spoilt",
            )
            .unwrap();
        assert_eq!(store.revoked_events().unwrap()[&texts[1].0], "spoilt");
        // A batch of either digest finds an edit of its own.
        drop(store);
        for time in [1, 2] {
            let audit = edited(
                &path,
                &format!(
                    "UPDATE trace_credentials SET credential = credential || ' ' WHERE seq = {time}"
                ),
            );
            assert!(matches!(audit, Audit::RecordsDiffer { .. }), "{audit:?}");
            let audit = edited(
                &path,
                &format!(
                    "UPDATE trace_credentials SET credential = rtrim(credential) WHERE seq = {time}"
                ),
            );
            assert!(matches!(audit, Audit::Intact { .. }), "{audit:?}");
        }
        // New batches are kept as parts beside them.
        let mut store = Store::open(&path).unwrap();
        store
            .record_events::<StoreError>("farm", |w| {
                w.batch(&batch(3, &[event(3)]), &frame(), &[event(3)])
            })
            .unwrap();
        assert!(matches!(store.audit().unwrap(), Audit::Intact { .. }));
    }

    /// A W3C credential over event `n`, with entry `n - 1` of the list at `list`.
    fn signed_event(n: u8, list: &str) -> SignedEvent {
        SignedEvent::new(
            format!("ni:///sha-256;{n:064x}?ver=CBV2.0"),
            i64::from(n) * 1000,
            format!("{{\"n\":{n}}}"),
            serde_json::json!({
                "credentialStatus": {"type": "BitstringStatusListEntry",
                                     "statusListCredential": list, "statusListIndex": (n - 1).to_string()},
                "proof": {"verificationMethod": "did:web:farm.example#keys-1"}
            })
            .to_string(),
        )
    }

    fn w3c_credentials_are_kept_whole_audited_and_read_from_their_status_list(place: TestPlace) {
        let mut store = place.open();
        let list = "https://farm.example/status/1";
        store
            .create_status_list(list, "k", crate::StatusPurpose::Revocation, 16, "{}")
            .unwrap();
        let events = [signed_event(1, list), signed_event(2, list)];
        store
            .record_events::<StoreError>("farm", |w| {
                assert_eq!(w.allocate_status_indexes(list, 2)?, 0);
                w.signed(&events)
            })
            .unwrap();
        // A recording that fails hands out no index.
        store
            .record_events::<StoreError>("farm", |w| {
                w.allocate_status_indexes(list, 5)?;
                w.signed(&[signed_event(1, list)])
            })
            .unwrap_err();
        assert_eq!(store.status_list(list).unwrap().unwrap().next, 2);

        let kept = store.event(events[0].id()).unwrap().unwrap();
        assert_eq!(
            kept.credential,
            StoredCredential::Whole(events[0].credential.clone())
        );
        let recorded = store.events_after(0).unwrap();
        assert_eq!(recorded.len(), 2);
        assert!(recorded.iter().all(|e| e.recorded > 0));
        assert!(
            recorded
                .iter()
                .all(|e| e.signer.as_deref() == Some("did:web:farm.example"))
        );
        assert!(matches!(store.audit().unwrap(), Audit::Intact { .. }));

        // Setting entry 1 withdraws the second event, and the generation says it changed.
        let before = store.trace_generation().unwrap();
        assert!(store.revoked_events().unwrap().is_empty());
        store.change_status(list, 0, &[1], true, "{}").unwrap();
        assert_ne!(store.trace_generation().unwrap(), before);
        let revoked = store.revoked_events().unwrap();
        assert_eq!(revoked.len(), 1);
        assert_eq!(
            revoked[events[1].id()],
            format!("revoked on status list {list} (entry 1)")
        );

        // A credential whose text escapes a NUL character is kept and read like any other:
        // on PostgreSQL too, where `jsonb` would refuse it and fail every read with it.
        let odd = SignedEvent::new(
            format!("ni:///sha-256;{:064x}?ver=CBV2.0", 3),
            3000,
            r#"{"n":3}"#.into(),
            serde_json::json!({
                "note": "a\u{0}b",
                "credentialStatus": {"type": "BitstringStatusListEntry",
                                     "statusListCredential": list, "statusListIndex": "2"},
                "proof": {"verificationMethod": "did:web:farm.example#keys-\u{0}"}
            })
            .to_string(),
        );
        assert!(odd.credential.contains("\\u0000"));
        store
            .record_events::<StoreError>("farm", |w| {
                w.allocate_status_indexes(list, 1)?;
                w.signed(std::slice::from_ref(&odd))
            })
            .unwrap();
        let version = store.status_list(list).unwrap().unwrap().version;
        store
            .change_status(list, version, &[2], true, "{}")
            .unwrap();
        let recorded = store.events_after(0).unwrap();
        assert_eq!(recorded.len(), 3);
        assert_eq!(recorded[2].signer.as_deref(), Some("did:web:farm.example"));
        assert_eq!(store.revoked_events().unwrap().len(), 2);

        // An edited credential is named by the audit.
        drop(store);
        let audit = audit_after(
            &place,
            "UPDATE trace_credentials SET credential = replace(credential, 'keys-1', 'keys-2')",
            params![],
        );
        assert!(matches!(audit, Audit::RecordsDiffer { .. }), "{audit:?}");
    }

    #[test]
    fn a_store_of_layout_7_learns_when_its_batches_were_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let mut store = Store::open(&path).unwrap();
        store
            .record_events::<StoreError>("farm", |w| {
                w.batch(&batch(1, &[event(1)]), &frame(), &[event(1)])
            })
            .unwrap();
        let recorded = store.events_after(0).unwrap()[0].recorded;
        drop(store);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "ALTER TABLE trace_batches DROP COLUMN at;
                 UPDATE meta SET value = 7 WHERE key = 'version';",
            )
            .unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.events_after(0).unwrap()[0].recorded, recorded);
        assert!(matches!(store.audit().unwrap(), Audit::Intact { .. }));
    }
}
