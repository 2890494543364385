//! The embedded document store: one SQLite file recording, for several named issuers, which
//! merkle roots they issued (and which documents each covers) and which hashes they revoked —
//! what a TradeTrust document store contract records, without a chain.
//!
//! Every change is one transaction, so a batch is issued whole or not at all even if the
//! process dies midway; and every change appends to a hash-chained audit log in the same
//! transaction, so [`Store::audit`] can prove the log untouched and the records equal to it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use corridor_db::{Connection, Dialect, OptionalExtension, Transaction, params};
use corridor_format::{Hash32, RevocationReason, keccak256};

pub use crate::location::{LocationError, StoreLocation};

use crate::titles::TitleEntry;
use crate::{shares, tokens};

/// The layout of the file; a file of another version is refused, never guessed at.
const SCHEMA_VERSION: i64 = 14;

/// Indexes of older layouts: each took a page written at random for every disclosure
/// recorded (by company, by shape, every audit entry by subject), which bounded how many
/// look-ups a server could answer; the reports they served read the record in order instead.
const RETIRED_INDEXES: &str = "
DROP INDEX IF EXISTS audit_by_subject;
DROP INDEX IF EXISTS disclosures_by_company;
DROP INDEX IF EXISTS disclosures_by_shape;
";

/// How much of the store's file a reader maps (SQLite's `mmap_size`): 256 MiB.
const READER_MAP_BYTES: i64 = 256 << 20;

/// The page cache a bulk write (recording a million events, importing a million companies)
/// uses, in KiB (SQLite's negative `cache_size`): 512 MiB, taken only as the write fills it.
/// A million rows' indexes fit: a page evicted mid-transaction is written to the WAL, and
/// reading it back means searching a WAL that grows with the write (a 64 MiB cache made a
/// million events 25% slower).
const BULK_CACHE_KIB: i64 = -524_288;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS issued (
    issuer TEXT NOT NULL, root BLOB NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (issuer, root));
CREATE TABLE IF NOT EXISTS documents (
    issuer TEXT NOT NULL, target BLOB NOT NULL, root BLOB NOT NULL,
    PRIMARY KEY (issuer, target));
CREATE INDEX IF NOT EXISTS documents_by_root ON documents (issuer, root);
CREATE TABLE IF NOT EXISTS revoked (
    issuer TEXT NOT NULL, hash BLOB NOT NULL, at INTEGER NOT NULL,
    reason INTEGER NOT NULL, note TEXT NOT NULL,
    PRIMARY KEY (issuer, hash));
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, issuer TEXT NOT NULL, action TEXT NOT NULL,
    subject BLOB NOT NULL, detail BLOB NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL);
-- Only title actions are looked up by subject; an index of every entry's would take a page
-- written at random for each disclosure recorded.
CREATE INDEX IF NOT EXISTS audit_titles ON audit (issuer, subject, seq) WHERE action = 'title';
CREATE TABLE IF NOT EXISTS registries (
    address BLOB PRIMARY KEY, name TEXT NOT NULL, admin BLOB NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS titles (
    registry BLOB NOT NULL, token BLOB NOT NULL,
    beneficiary BLOB NOT NULL, holder BLOB NOT NULL,
    prev_beneficiary BLOB NOT NULL, prev_holder BLOB NOT NULL, nominee BLOB NOT NULL,
    active INTEGER NOT NULL, custody TEXT NOT NULL, remark BLOB NOT NULL,
    PRIMARY KEY (registry, token));
CREATE TABLE IF NOT EXISTS shares (
    id TEXT PRIMARY KEY, cipher_text TEXT NOT NULL, iv TEXT NOT NULL, tag TEXT NOT NULL,
    kind TEXT NOT NULL, created INTEGER NOT NULL,
    owner TEXT, bytes INTEGER NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS api_tokens (
    name TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE, created INTEGER NOT NULL, revoked INTEGER,
    scopes TEXT NOT NULL, revoke_issuers TEXT);
CREATE TABLE IF NOT EXISTS deployments (since INTEGER PRIMARY KEY, salt BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS status_lists (
    url TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, key TEXT NOT NULL, purpose TEXT NOT NULL,
    bits BLOB NOT NULL, next INTEGER NOT NULL, version INTEGER NOT NULL, signed TEXT NOT NULL,
    at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS trace_batches (
    batch INTEGER PRIMARY KEY, issuer TEXT NOT NULL, root BLOB NOT NULL,
    issuer_block TEXT, proof TEXT, at INTEGER, UNIQUE (issuer, root));
CREATE TABLE IF NOT EXISTS trace_events (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time INTEGER NOT NULL,
    batch INTEGER NOT NULL, event TEXT NOT NULL, seed BLOB, target BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS trace_events_by_batch ON trace_events (batch);
CREATE TABLE IF NOT EXISTS trace_credentials (seq INTEGER PRIMARY KEY, credential TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS capture_jobs (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, token TEXT NOT NULL, created INTEGER NOT NULL,
    finished INTEGER, rollback INTEGER NOT NULL, success INTEGER NOT NULL, report TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trace_reference (
    kind TEXT PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (
    registry BLOB NOT NULL, account BLOB NOT NULL, next INTEGER NOT NULL,
    PRIMARY KEY (registry, account));
";

/// How to name a failure of the store at `place`.
fn db_error(place: &StoreLocation) -> impl Fn(corridor_db::Error) -> StoreError + Copy + '_ {
    move |error| StoreError::Db {
        at: place.clone(),
        error,
    }
}

/// Makes the store's file readable by its owner only, whatever the umask: it holds signed
/// title actions, token names, revocation notes and share envelopes. SQLite gives the files
/// it adds beside it (`-wal`, `-shm`) the same permissions; those already there are tightened
/// with it.
fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            match std::fs::metadata(&file) {
                Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store could not be opened, read or written.
    #[error("{at}: {error}")]
    Db {
        at: StoreLocation,
        // Not the error's source: its message is this one's, and a chain of both would
        // say it twice.
        error: corridor_db::Error,
    },
    /// The store's file or folder could not be made or checked.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A page of a followed peer's feed held a change the rules refuse; nothing of the page
    /// was kept.
    #[error("{0}")]
    PeerRefused(corridor_feed::FeedFault),
    /// The file is a store of a layout this version does not know.
    #[error(
        "{at}: a store of layout version {found}, this Corridor reads version {SCHEMA_VERSION}"
    )]
    Version { at: StoreLocation, found: i64 },
    /// The root was issued by this issuer before; a batch is issued once.
    #[error("{issuer} issued merkle root {root} already, at {}", show_time(*at))]
    AlreadyIssued {
        issuer: String,
        root: Hash32,
        at: i64,
    },
    /// The hash was revoked by this issuer before.
    #[error("{issuer} revoked {hash} already, at {}", show_time(*at))]
    AlreadyRevoked {
        issuer: String,
        hash: Hash32,
        at: i64,
    },
    /// No issuer by that name has issued anything in this store.
    #[error("no issuer named {0:?} has issued anything in this store")]
    UnknownIssuer(String),
    /// A W3C status list cannot be made or changed as asked.
    #[error("the status list {url} {problem}")]
    StatusList {
        url: String,
        problem: String,
        fault: StatusListFault,
    },
    /// An issuer's name is empty or too long.
    #[error("{0:?} is not an issuer name: use 1 to 128 characters")]
    BadIssuer(String),
    /// A title registry of that admin and name exists already.
    #[error("a title registry named {name:?} of this admin exists already, at {address}")]
    RegistryExists {
        address: alloy_primitives::Address,
        name: String,
    },
    /// No title registry has that address in this store.
    #[error("no title registry {0} in this store")]
    UnknownRegistry(alloy_primitives::Address),
    /// An API token's name is empty or too long.
    #[error("{0:?} is not a token name: use 1 to 64 characters")]
    BadTokenName(String),
    /// An API token of that name exists already.
    #[error("an API token named {0:?} exists already")]
    TokenExists(String),
    /// No live API token has that name.
    #[error("no live API token named {0:?}")]
    UnknownToken(String),
    /// An API token was asked for with no scope: it could do nothing.
    #[error("API token {0:?} needs at least one scope (issue, revoke, share, titles)")]
    NoScopes(String),
    /// A hash the issuer never issued in this store: no batch root, no document.
    #[error("{issuer} issued no batch or document {hash} in this store")]
    NotIssued { issuer: String, hash: Hash32 },
    /// No live share has that id.
    #[error("no document is shared under that id")]
    UnknownShare,
    /// The share was made with another API token, which alone may delete it.
    #[error("that share was made with another API token")]
    NotShareOwner,
    /// A new share would take a token over its quota.
    #[error(
        "API token {owner:?} keeps {count} shares of {bytes} bytes; a token may keep at most {max_count} shares and {max_bytes} bytes"
    )]
    ShareQuota {
        owner: String,
        count: u64,
        bytes: u64,
        max_count: u64,
        max_bytes: u64,
    },
    /// A new share would leave less room than is kept for revocations.
    #[error(
        "the store keeps its last {reserve} bytes of room for revocations; {room} are left, too few for a share of {bytes} bytes"
    )]
    ReserveReached { reserve: u64, room: u64, bytes: u64 },
    /// A record cannot be read as what it should be: the file was edited outside Corridor.
    #[error("the store is damaged: {0}")]
    Corrupt(String),
    /// Traceability events cannot be recorded as asked.
    #[error("{0}")]
    Trace(String),
    /// A batch whose documents are not all distinct, or that has none.
    #[error("batch {root}: {problem}")]
    BadBatch { root: Hash32, problem: String },
    /// Company records that cannot be kept as they are; nothing of them was.
    #[error(transparent)]
    Company(#[from] crate::companies::CompanyConflict),
    /// A disclosure record that lacks a part the log indexes.
    #[error("{0}")]
    Disclosure(String),
}

impl StoreError {
    /// Whether the store was busy: another connection (another process: a long `corridor
    /// issue`, a backup) held the write lock for longer than the busy timeout. Nothing was
    /// changed, and the same change may succeed a moment later.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Db { error: source, .. }
            if source.code() == Some(corridor_db::ErrorCode::Busy))
    }

    /// Whether a write failed because the store is full: its disk, or its size limit
    /// ([`Store::limit_size`]).
    pub fn is_full(&self) -> bool {
        matches!(self, StoreError::Db { error: source, .. }
            if source.code() == Some(corridor_db::ErrorCode::Full))
    }
}

/// The store opened for reading only ([`Store::open_reader`]): it derefs to the read methods.
pub struct StoreReader(Store);

impl std::ops::Deref for StoreReader {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.0
    }
}

/// How long a reader waits on the rare lock a reader can meet (a checkpoint resetting the log).
const READER_BUSY_WAIT: Duration = Duration::from_secs(1);

/// A batch to issue: its merkle root and the target hashes of its documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub root: Hash32,
    pub documents: Vec<Hash32>,
}

/// What the store knows of one hash, for one issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashStatus {
    pub issuer: String,
    /// When the batch holding it (as its root or as a document) was issued, and its root.
    pub issued: Option<(Hash32, i64)>,
    /// Its revocation, if it was revoked.
    pub revoked: Option<Revocation>,
}

/// A revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub issuer: String,
    pub hash: Hash32,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub reason: RevocationReason,
    /// The issuer's words, if any.
    pub note: String,
}

/// The outcome of [`Store::audit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audit {
    /// Every entry chains to the one before, and replaying them gives exactly the records.
    Intact { entries: u64 },
    /// The first entry that is not what was written, and how it differs.
    Altered { seq: i64, problem: String },
    /// The log is whole but a record disagrees with it: edited outside Corridor.
    RecordsDiffer { problem: String },
}

/// Whose fault a refused status list change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusListFault {
    /// What was asked cannot be: a bad URL or size, an entry never handed out, a revocation
    /// undone.
    Invalid,
    /// No such list.
    Missing,
    /// It cannot be done as the store stands: the URL is taken, the list is full, or it
    /// changed meanwhile.
    Conflict,
}

/// The embedded document store.
///
/// ```
/// use corridor_ledger::{Batch, RevocationReason, Store};
/// let dir = tempfile::tempdir().unwrap();
/// let mut store = Store::open(&dir.path().join("store.sqlite")).unwrap();
/// let doc = corridor_format::keccak256(b"a document");
/// store.issue("carrier", &[Batch { root: doc, documents: vec![doc] }]).unwrap();
/// assert!(store.first_revoked(None, &[doc]).unwrap().is_none());
/// store.revoke("carrier", &[doc], RevocationReason::Superseded, "sent in error").unwrap();
/// assert_eq!(store.first_revoked(None, &[doc]).unwrap().unwrap().note, "sent in error");
/// assert!(matches!(store.audit().unwrap(), corridor_ledger::Audit::Intact { entries: 2 }));
/// ```
pub struct Store {
    pub(crate) conn: Connection,
    location: StoreLocation,
    /// The most bytes the file may grow to, if limited ([`Store::limit_size`]).
    size_limit: Option<u64>,
}

impl Store {
    /// Opens the store at `location` — a SQLite file (created, with its folder, on first
    /// use) or a PostgreSQL database (its tables made on first use).
    pub fn open(location: impl Into<StoreLocation>) -> Result<Store, StoreError> {
        match location.into() {
            StoreLocation::File(path) => Store::open_file(&path),
            StoreLocation::Postgres(url) => Store::connect(&url),
        }
    }

    fn open_file(path: &Path) -> Result<Store, StoreError> {
        let place = StoreLocation::File(path.to_path_buf());
        let db = db_error(&place);
        let io = |at: &Path, source: std::io::Error| StoreError::Io {
            path: at.to_path_buf(),
            error: source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        owner_only(path).map_err(|e| io(path, e))?;
        let mut conn = Connection::open_sqlite(path).map_err(db)?;
        let sqlite = |source: rusqlite::Error| db(source.into());
        if let Some(file) = conn.as_sqlite() {
            // WAL lets the responder read while an issue writes; FULL sync makes a committed
            // batch survive a crash.
            file.busy_timeout(Duration::from_secs(10)).map_err(sqlite)?;
            // Two processes may open a new store at once (a server and a command): the
            // schema, its version and the deployment salt are made by one of them, whole, and
            // read by the other. Turning a new file to WAL can find it busy without waiting
            // (SQLite will not wait where waiting could deadlock), so that step is tried again
            // for a while.
            let started = std::time::Instant::now();
            loop {
                match file.pragma_update(None, "journal_mode", "WAL") {
                    Err(e)
                        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                            && started.elapsed() < Duration::from_secs(10) =>
                    {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    done => break done.map_err(sqlite)?,
                }
            }
            file.pragma_update(None, "synchronous", "FULL")
                .map_err(sqlite)?;
        }
        Store::make_current(&mut conn, &place)?;
        Ok(Store {
            conn,
            location: place,
            size_limit: None,
        })
    }

    /// Connects to the PostgreSQL database `url` names, making its tables on first use.
    /// Several processes (servers behind one load balancer, commands) may share it: each
    /// change is one transaction, one writer at a time.
    fn connect(url: &str) -> Result<Store, StoreError> {
        let place = StoreLocation::Postgres(url.to_owned());
        let mut conn = Connection::connect_postgres(url).map_err(db_error(&place))?;
        conn.set_busy_timeout(Duration::from_secs(10))
            .map_err(db_error(&place))?;
        Store::make_current(&mut conn, &place)?;
        Ok(Store {
            conn,
            location: place,
            size_limit: None,
        })
    }

    /// Makes or migrates the schema unless the store has this version's already, as one
    /// writer: a store of this version is whole already, and opening it (as each reader
    /// connection of the server does) takes no write lock.
    fn make_current(conn: &mut Connection, place: &StoreLocation) -> Result<(), StoreError> {
        if Store::is_current(conn) {
            return Ok(());
        }
        let db = db_error(place);
        let tx = conn
            .transaction_with_behavior(corridor_db::TransactionBehavior::Immediate)
            .map_err(db)?;
        Store::prepare(&tx, place)?;
        tx.commit().map_err(db)
    }

    /// Whether the store `conn` opened has this version's schema and its deployment salt.
    fn is_current(conn: &Connection) -> bool {
        // On PostgreSQL a failed statement would end the transaction it is in: the table is
        // looked for first.
        if conn.dialect() == Dialect::Postgres
            && !conn
                .query_row("SELECT to_regclass('meta') IS NOT NULL", [], |r| r.get(0))
                .unwrap_or(false)
        {
            return false;
        }
        let version: Option<i64> = conn
            .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
                r.get(0)
            })
            .ok();
        version == Some(SCHEMA_VERSION)
            && conn
                .query_row("SELECT COUNT(*) FROM deployments", [], |r| {
                    r.get::<_, i64>(0)
                })
                .is_ok_and(|n| n > 0)
    }

    /// Makes or migrates the schema of the store at `at`, in the transaction `conn` holds. A
    /// PostgreSQL store is made at this version: no layout older than it was ever kept there.
    fn prepare(conn: &Connection, place: &StoreLocation) -> Result<(), StoreError> {
        let db = db_error(place);
        let sqlite = conn.dialect() == Dialect::Sqlite;
        let events_as_text = if sqlite {
            crate::trace::set_aside_text_events(conn).map_err(db)?
        } else {
            false
        };
        let made = if sqlite {
            conn.execute_batch(RETIRED_INDEXES)
        } else {
            Ok(())
        };
        made.and_then(|()| conn.create_schema(SCHEMA))
            .and_then(|()| conn.create_schema(crate::companies::SCHEMA))
            .and_then(|()| conn.create_schema(crate::disclosures::SCHEMA))
            .and_then(|()| conn.create_schema(crate::policies::SCHEMA))
            .and_then(|()| crate::companies::count_look_up_generations(conn))
            .map_err(db)?;
        let feed_kept = if sqlite {
            crate::feed::migrate(conn)
        } else {
            Ok(())
        };
        feed_kept
            .and_then(|()| conn.create_schema(crate::feed::SCHEMA))
            .and_then(|()| conn.create_schema(crate::replica::SCHEMA))
            .and_then(|()| crate::feed::catch_up(conn))
            .and_then(|()| crate::trace::migrate_text_events(conn, events_as_text))
            .and_then(|()| crate::trace::time_batches(conn))
            .and_then(|()| tokens::migrate(conn))
            .and_then(|()| shares::migrate(conn))
            .map_err(db)?;
        let version: Option<i64> = conn
            .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('version', ?1)",
                    [SCHEMA_VERSION],
                )
                .map_err(db)?;
            }
            Some(SCHEMA_VERSION) => {}
            // Version 2 added the title registry's tables, which the schema just created;
            // version 3 the scopes of tokens, the owners and lifetimes of shares (which the
            // migrations just added) and the store's deployment salt (made below); version 4
            // the W3C status lists, whose table the schema just created (a version 3 Corridor
            // would not know their audit entries, so the version says so); version 5 the
            // traceability events and reference data, likewise; version 6 the capture jobs and
            // the trace scope of tokens (with the party each is for); version 7 keeps events'
            // credentials as parts (those recorded before stay whole, migrated above); version
            // 8 keeps when each batch of events was recorded, as batches of W3C credentials
            // are not issued in the document store (the times of those before, filled above);
            // version 9 keeps company profiles, whose tables the schema just created; version
            // 10 their credentials and the record of disclosures, likewise; version 11 keeps
            // the generation of what a partner's look-up reads (its table and triggers just
            // made) and retires the indexes written at random for each disclosure (dropped
            // above); version 12 keeps the status feed other nodes follow, given the entries
            // of the log written before (above); version 13 puts the status lists' signed
            // credentials in it, made again from the log (above), and keeps the replicas
            // of the peers a node follows; version 14 logs recalls (which a version 13
            // Corridor would not know) and keeps the recalls of the peers followed. A
            // PostgreSQL store was first made at version 13.
            Some(found) if found < SCHEMA_VERSION && (sqlite || found >= 13) => {
                conn.execute(
                    "UPDATE meta SET value = ?1 WHERE key = 'version'",
                    [SCHEMA_VERSION],
                )
                .map_err(db)?;
            }
            Some(found) => {
                return Err(StoreError::Version {
                    at: place.clone(),
                    found,
                });
            }
        }
        crate::deployments::first_deployment(conn).map_err(db)
    }

    /// Opens the store at `location`, which must exist, for reading only, on a connection of
    /// its own. A reader never waits for a writer, this process's or another's: it reads the
    /// last commit before the write began (SQLite's WAL; PostgreSQL's snapshots). A
    /// [`StoreReader`] offers only the read methods (those taking `&Store`), so it cannot be
    /// asked to write.
    pub fn open_reader(location: impl Into<StoreLocation>) -> Result<StoreReader, StoreError> {
        let place = location.into();
        let db = db_error(&place);
        let conn = match &place {
            StoreLocation::File(path) => {
                let conn = Connection::open_sqlite_read_only(path).map_err(db)?;
                if let Some(file) = conn.as_sqlite() {
                    let sqlite = |source: rusqlite::Error| db(source.into());
                    // A reader waits only while a checkpoint resets the log, a moment.
                    file.busy_timeout(READER_BUSY_WAIT).map_err(sqlite)?;
                    // Pages read through a map of the file: a reader's own page cache is
                    // dropped at every commit (and a busy server commits many times a
                    // second), and reading each page back through the file costs a copy and
                    // a system call.
                    file.pragma_update(None, "mmap_size", READER_MAP_BYTES)
                        .map_err(sqlite)?;
                }
                conn
            }
            StoreLocation::Postgres(url) => {
                let conn = Connection::connect_postgres(url).map_err(db)?;
                conn.execute_batch("SET default_transaction_read_only = on")
                    .map_err(db)?;
                conn
            }
        };
        Ok(StoreReader(Store {
            conn,
            location: place,
            size_limit: None,
        }))
    }

    /// How long a change waits for another process's write to end before it fails as busy
    /// ([`StoreError::is_busy`]); ten seconds unless set. A server sets it short and answers
    /// "busy, retry" rather than hold its request.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<(), StoreError> {
        self.conn.set_busy_timeout(wait).map_err(|e| self.sqlite(e))
    }

    /// Lets the file grow to `bytes` at most (rounded up to whole pages; never below what it
    /// holds already): a write that would need more fails as one on a full disk does
    /// ([`StoreError::is_full`]). For this connection, while it is open. A PostgreSQL store
    /// is bounded by its server's disk and quotas, which are the server's to set: there
    /// this does nothing.
    pub fn limit_size(&mut self, bytes: u64) -> Result<(), StoreError> {
        let Some(file) = self.conn.as_sqlite() else {
            return Ok(());
        };
        let page = self.page_size()?;
        let pages = bytes.div_ceil(page).max(1);
        let set: u64 = file
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sqlite(e.into()))?;
        self.size_limit = Some(set * page);
        Ok(())
    }

    /// The room left for writes, in bytes: the least of what the size limit leaves and the
    /// free space of the disk the file is on. Unbounded on PostgreSQL, whose disk is the
    /// database server's.
    pub fn room(&self) -> Result<u64, StoreError> {
        let (Some(file), StoreLocation::File(path)) = (self.conn.as_sqlite(), &self.location)
        else {
            return Ok(u64::MAX);
        };
        let page = self.page_size()?;
        let pragma = |name: &str| -> Result<u64, StoreError> {
            file.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .map_err(|e| self.sqlite(e.into()))
        };
        let used = pragma("page_count")?.saturating_sub(pragma("freelist_count")?) * page;
        let disk = free_space(path).map_err(|source| StoreError::Io {
            path: path.clone(),
            error: source,
        })?;
        Ok(match self.size_limit {
            Some(limit) => disk.min(limit.saturating_sub(used)),
            None => disk,
        })
    }

    fn page_size(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(|e| self.sqlite(e))
    }

    /// Whether the store's connection is gone for good (its PostgreSQL server closed it):
    /// it must be opened again.
    pub fn is_closed(&self) -> bool {
        self.conn.is_closed()
    }

    /// Where the store is kept.
    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// Issues batches for `issuer`, all in one transaction: every batch is recorded, or, on
    /// any refusal or failure, none.
    pub fn issue(&mut self, issuer: &str, batches: &[Batch]) -> Result<(), StoreError> {
        self.change(issuer, |tx, at, sqlite| {
            for batch in batches {
                issue_batch(tx, at, issuer, batch, sqlite)?;
            }
            Ok(())
        })
    }

    /// Runs one change for `issuer` as a transaction, committed only if `apply` succeeds;
    /// `apply` gets the transaction, the time of the change, and how to name a SQLite error.
    pub(crate) fn change(
        &mut self,
        issuer: &str,
        apply: impl FnOnce(
            &Transaction,
            i64,
            &dyn Fn(corridor_db::Error) -> StoreError,
        ) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.change_with(issuer, apply)
    }

    /// Runs `work` with the page cache a bulk write uses ([`BULK_CACHE_KIB`]), then with the
    /// cache as it was.
    pub(crate) fn with_bulk_cache<T, E: From<StoreError>>(
        &mut self,
        work: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        // PostgreSQL's cache is its server's.
        let Some(file) = self.conn.as_sqlite() else {
            return work(self);
        };
        let cache: i64 = file
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .map_err(|e| self.sqlite(e.into()))?;
        file.pragma_update(None, "cache_size", BULK_CACHE_KIB)
            .map_err(|e| self.sqlite(e.into()))?;
        let done = work(self);
        if let Some(file) = self.conn.as_sqlite() {
            file.pragma_update(None, "cache_size", cache)
                .map_err(|e| self.sqlite(e.into()))?;
        }
        done
    }

    /// As [`Store::change`], for an `apply` that gives a value, or fails with an error of
    /// its own (which rolls the change back as a store error does).
    pub(crate) fn change_with<T, E: From<StoreError>>(
        &mut self,
        issuer: &str,
        apply: impl FnOnce(&Transaction, i64, &dyn Fn(corridor_db::Error) -> StoreError) -> Result<T, E>,
    ) -> Result<T, E> {
        check_issuer(issuer)?;
        self.write(|tx, db| apply(tx, now_ms(), db))
    }

    /// Runs `apply` as the store's one writer, in a transaction committed only if it
    /// succeeds; `apply` gets the transaction and how to name a database error. The write
    /// lock is taken first (SQLite's `BEGIN IMMEDIATE`, the writers' advisory lock on
    /// PostgreSQL), waiting as long as the store waits for another process's write to end:
    /// a transaction that read first could not wait to write, and on PostgreSQL would not
    /// see a write made meanwhile.
    pub(crate) fn write<T, E: From<StoreError>>(
        &mut self,
        apply: impl FnOnce(&Transaction, &dyn Fn(corridor_db::Error) -> StoreError) -> Result<T, E>,
    ) -> Result<T, E> {
        let db = db_error(&self.location);
        let tx = self
            .conn
            .transaction_with_behavior(corridor_db::TransactionBehavior::Immediate)
            .map_err(db)?;
        let value = apply(&tx, &db)?;
        tx.commit().map_err(db)?;
        Ok(value)
    }

    /// How many entries the audit log holds: every change the store ever recorded. Entries are
    /// numbered from 1 without gaps, so this is the last one's number, read from the key's
    /// index: as cheap on a long log as on a short one.
    pub fn audit_length(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM audit", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| self.sqlite(e))
    }

    /// Which of `roots` `issuer` has issued.
    pub fn issued_roots(
        &self,
        issuer: &str,
        roots: &[Hash32],
    ) -> Result<std::collections::HashSet<Hash32>, StoreError> {
        let mut query = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM issued WHERE issuer = ?1 AND root = ?2)")
            .map_err(|e| self.sqlite(e))?;
        let mut issued = std::collections::HashSet::new();
        for root in roots {
            let found: bool = query
                .query_row(params![issuer, root.as_bytes()], |r| r.get(0))
                .map_err(|e| self.sqlite(e))?;
            if found {
                issued.insert(*root);
            }
        }
        Ok(issued)
    }

    /// The issuers that have issued something, by name.
    pub fn issuers(&self) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare("SELECT DISTINCT issuer FROM issued ORDER BY issuer")
            .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.sqlite(e))
    }

    /// Revokes `hashes` (documents' target hashes, nodes of merkle trees, or roots) for
    /// `issuer`, in one transaction: all of them, or, if any was revoked already, none.
    pub fn revoke(
        &mut self,
        issuer: &str,
        hashes: &[Hash32],
        reason: RevocationReason,
        note: &str,
    ) -> Result<(), StoreError> {
        self.revoke_as(issuer, hashes, reason, note, Revocable::AnyHash)
    }

    /// As [`Store::revoke`], for hashes `issuer` issued in this store only — batch roots and
    /// documents' target hashes — so that a revocation cannot name (and log) a made-up hash.
    /// A node between a root and its documents cannot be told from one without its proof, so
    /// it is refused here.
    pub fn revoke_issued(
        &mut self,
        issuer: &str,
        hashes: &[Hash32],
        reason: RevocationReason,
        note: &str,
    ) -> Result<(), StoreError> {
        self.revoke_as(issuer, hashes, reason, note, Revocable::Issued)
    }

    /// Revokes `hashes` for `issuer` in one transaction, refused whole unless each is one
    /// `revocable` allows.
    fn revoke_as(
        &mut self,
        issuer: &str,
        hashes: &[Hash32],
        reason: RevocationReason,
        note: &str,
        revocable: Revocable,
    ) -> Result<(), StoreError> {
        self.change(issuer, |tx, at, sqlite| {
            record_revocations(tx, at, sqlite, issuer, hashes, reason, note, revocable)
        })
    }

    /// The first of `hashes` that was revoked — by `issuer`, or by any issuer when `None` —
    /// if one was.
    pub fn first_revoked(
        &self,
        issuer: Option<&str>,
        hashes: &[Hash32],
    ) -> Result<Option<Revocation>, StoreError> {
        let mut query = self
            .conn
            .prepare_cached(
                "SELECT issuer, at, reason, note FROM revoked
                 WHERE hash = ?1 AND (CAST(?2 AS TEXT) IS NULL OR issuer = ?2) ORDER BY at LIMIT 1",
            )
            .map_err(|e| self.sqlite(e))?;
        for hash in hashes {
            let found = query
                .query_row(params![hash.as_bytes(), issuer], |r| {
                    revocation_row(*hash, r)
                })
                .optional()
                .map_err(|e| self.sqlite(e))?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// What every issuer recorded about `hash`: issued as a root or a document, revoked.
    pub fn status(&self, hash: &Hash32) -> Result<Vec<HashStatus>, StoreError> {
        let sqlite = |e| self.sqlite(e);
        let mut statuses: Vec<HashStatus> = Vec::new();
        let issued_rows = {
            let mut q = self
                .conn
                .prepare(
                    "SELECT i.issuer, i.root, i.at FROM issued i WHERE i.root = ?1
                     UNION ALL
                     SELECT d.issuer, d.root, i.at FROM documents d
                       JOIN issued i ON i.issuer = d.issuer AND i.root = d.root
                       WHERE d.target = ?1",
                )
                .map_err(sqlite)?;
            q.query_map([hash.as_bytes()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sqlite)?
        };
        for (issuer, root, at) in issued_rows {
            status_of(&mut statuses, issuer).issued = Some((hash_from(&root), at));
        }
        let revoked_rows = {
            let mut q = self
                .conn
                .prepare("SELECT issuer, at, reason, note FROM revoked WHERE hash = ?1")
                .map_err(sqlite)?;
            q.query_map([hash.as_bytes()], |r| revocation_row(*hash, r))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(sqlite)?
        };
        for revocation in revoked_rows {
            let issuer = revocation.issuer.clone();
            status_of(&mut statuses, issuer).revoked = Some(revocation);
        }
        Ok(statuses)
    }

    /// Checks the audit log: each entry's hash, its link to the one before, and that replaying
    /// the log gives exactly the issued, documents and revoked records.
    pub fn audit(&self) -> Result<Audit, StoreError> {
        let sqlite = |e| self.sqlite(e);
        let mut q = self
            .conn
            .prepare("SELECT seq, at, issuer, action, subject, detail, prev, hash FROM audit ORDER BY seq")
            .map_err(sqlite)?;
        let mut rows = q.query([]).map_err(sqlite)?;
        let mut prev = [0u8; 32];
        let mut expected_seq = 1i64;
        let mut issued: Vec<(String, Vec<u8>, i64, Vec<u8>)> = Vec::new();
        let mut revoked: Vec<(String, Vec<u8>, i64, Vec<u8>)> = Vec::new();
        let mut titles: Vec<TitleEntry> = Vec::new();
        let mut lists = crate::status_lists::ListReplay::default();
        let mut trace = crate::trace::TraceReplay::default();
        let mut companies = crate::companies::CompanyReplay::default();
        let mut disclosures = crate::disclosures::DisclosureReplay::default();
        let mut policies = crate::policies::PolicyReplay::default();
        let mut feed = crate::feed::FeedReplay::default();
        let mut replicas = crate::replica::ReplicaReplay::default();
        while let Some(row) = rows.next().map_err(sqlite)? {
            let seq: i64 = row.get(0).map_err(sqlite)?;
            let at: i64 = row.get(1).map_err(sqlite)?;
            let issuer: String = row.get(2).map_err(sqlite)?;
            let action: String = row.get(3).map_err(sqlite)?;
            let subject: Vec<u8> = row.get(4).map_err(sqlite)?;
            let detail: Vec<u8> = row.get(5).map_err(sqlite)?;
            let stored_prev: Vec<u8> = row.get(6).map_err(sqlite)?;
            let stored_hash: Vec<u8> = row.get(7).map_err(sqlite)?;
            let altered = |problem: &str| Audit::Altered {
                seq,
                problem: problem.into(),
            };
            if seq != expected_seq {
                return Ok(Audit::Altered {
                    seq: expected_seq,
                    problem: format!("entry {expected_seq} is missing (the next is {seq})"),
                });
            }
            if stored_prev != prev {
                return Ok(altered("it does not link to the entry before"));
            }
            let Ok(subject32) = <[u8; 32]>::try_from(subject.as_slice()) else {
                return Ok(altered("its subject is not a 32-byte hash"));
            };
            let hash = entry_hash(
                &prev,
                seq,
                at,
                &issuer,
                &action,
                &Hash32(subject32),
                &detail,
            );
            if stored_hash != hash.as_bytes() {
                return Ok(altered("its content does not match its hash"));
            }
            feed.entry(&crate::feed::AuditEntry {
                seq,
                hash: &hash,
                at,
                issuer: &issuer,
                action: &action,
                subject: &Hash32(subject32),
                detail: &detail,
            });
            match action.as_str() {
                "issue" => issued.push((issuer, subject, at, detail)),
                "revoke" => revoked.push((issuer, subject, at, detail)),
                // Shares come and go; their entries say so and are not replayed.
                "share" | "share-deleted" | "share-expired" => {}
                "status-list" | "status-allocate" | "status-set" | "status-clear" => {
                    if let Err(why) = lists.entry(&action, &detail) {
                        return Ok(altered(&why));
                    }
                }
                "trace" | "trace-sha256" | "trace-parts" | "trace-reference" => {
                    if let Err(why) = trace.entry(&issuer, &action, &subject, &detail) {
                        return Ok(altered(&why));
                    }
                }
                crate::trace::RECALL => {
                    if let Err(why) = trace.recall(&issuer, &detail) {
                        return Ok(altered(&why));
                    }
                }
                "company" | "company-credential" => {
                    if let Err(why) = companies.entry(&action, &subject, &detail) {
                        return Ok(altered(&why));
                    }
                }
                "disclosure-shape" => {
                    if let Err(why) = disclosures.shape(seq, &detail) {
                        return Ok(altered(&why));
                    }
                }
                "disclosure" => {
                    if let Err(why) = disclosures.entry(seq, at, &detail) {
                        return Ok(altered(&why));
                    }
                }
                "policy" => {
                    if let Err(why) = policies.entry(&subject, &detail) {
                        return Ok(altered(&why));
                    }
                }
                "follow" => {
                    if let Err(why) = replicas.entry(&Hash32(subject32), &detail) {
                        return Ok(altered(&why));
                    }
                }
                "registry" | "title" => titles.push(TitleEntry {
                    seq,
                    at,
                    registry: issuer,
                    action,
                    subject: subject32,
                    detail,
                }),
                other => return Ok(altered(&format!("unknown action {other:?}"))),
            }
            prev = hash.0;
            expected_seq += 1;
        }
        drop(rows);
        drop(q);
        if let Some(problem) = self.records_differ(issued, revoked)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        if let Some(problem) = self.titles_differ(&titles)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        if let Some(problem) = lists.differs(self)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        if let Some(problem) = trace.differs(self)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        if let Some(problem) = companies.differs(self)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        if let Some(problem) = disclosures.differs(self)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        if let Some(problem) = policies.differs(self)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        if let Some(problem) = feed.differs(self)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        if let Some(problem) = replicas.differs(self)? {
            return Ok(Audit::RecordsDiffer { problem });
        }
        Ok(Audit::Intact {
            entries: (expected_seq - 1) as u64,
        })
    }

    /// Compares the records with what the log says they are.
    fn records_differ(
        &self,
        mut issued: Vec<(String, Vec<u8>, i64, Vec<u8>)>,
        mut revoked: Vec<(String, Vec<u8>, i64, Vec<u8>)>,
    ) -> Result<Option<String>, StoreError> {
        let sqlite = |e| self.sqlite(e);
        let mut actual_issued: Vec<(String, Vec<u8>, i64)> = self
            .conn
            .prepare("SELECT issuer, root, at FROM issued")
            .and_then(|mut q| {
                q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(sqlite)?;
        let mut documents: Vec<(String, Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare("SELECT issuer, root, target FROM documents")
            .and_then(|mut q| {
                q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(sqlite)?;
        // A reason code no revocation can have makes a detail no log entry has.
        let mut actual_revoked: Vec<(String, Vec<u8>, i64, Vec<u8>)> = self
            .conn
            .prepare("SELECT issuer, hash, at, reason, note FROM revoked")
            .and_then(|mut q| {
                q.query_map([], |r| {
                    let code = r.get::<_, i64>(3).ok();
                    let note = r.get::<_, String>(4).ok();
                    let detail = match (code.and_then(RevocationReason::from_code), note) {
                        (Some(reason), Some(note)) => revocation_detail(reason, &note),
                        _ => Vec::new(),
                    };
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, detail))
                })?
                .collect()
            })
            .map_err(sqlite)?;

        actual_issued.sort();
        issued.sort();
        let logged: Vec<(String, Vec<u8>, i64)> = issued
            .iter()
            .map(|(i, r, at, _)| (i.clone(), r.clone(), *at))
            .collect();
        if logged != actual_issued {
            return Ok(Some(
                "the issued roots are not those the log records".into(),
            ));
        }
        documents.sort();
        for (issuer, root, _, digest) in &issued {
            let targets: Vec<Hash32> = documents
                .iter()
                .filter(|(i, r, _)| i == issuer && r == root)
                .map(|(_, _, t)| hash_from(t))
                .collect();
            if documents_digest(&targets).as_slice() != digest.as_slice() {
                return Ok(Some(format!(
                    "the documents of root {} are not those the log records",
                    hash_from(root)
                )));
            }
        }
        if documents
            .iter()
            .any(|(i, r, _)| !issued.iter().any(|(li, lr, _, _)| li == i && lr == r))
        {
            return Ok(Some("a document belongs to no root the log records".into()));
        }
        actual_revoked.sort();
        revoked.sort();
        if revoked != actual_revoked {
            return Ok(Some("the revocations are not those the log records".into()));
        }
        Ok(None)
    }

    pub(crate) fn sqlite(&self, source: corridor_db::Error) -> StoreError {
        StoreError::Db {
            at: self.location.clone(),
            error: source,
        }
    }
}

/// A revocation's audit detail: its reason code, then its note.
fn revocation_detail(reason: RevocationReason, note: &str) -> Vec<u8> {
    let mut detail = reason.code().to_be_bytes().to_vec();
    detail.extend_from_slice(note.as_bytes());
    detail
}

/// Reads a revocation row `(issuer, at, reason, note)` of `hash`.
fn revocation_row(hash: Hash32, r: &corridor_db::Row) -> corridor_db::Result<Revocation> {
    let code: i64 = r.get(2)?;
    Ok(Revocation {
        issuer: r.get(0)?,
        hash,
        at: r.get(1)?,
        reason: RevocationReason::from_code(code).unwrap_or_default(),
        note: r.get(3)?,
    })
}

/// The issuer's entry in `statuses`, added if missing.
fn status_of(statuses: &mut Vec<HashStatus>, issuer: String) -> &mut HashStatus {
    let i = match statuses.iter().position(|s| s.issuer == issuer) {
        Some(i) => i,
        None => {
            statuses.push(HashStatus {
                issuer,
                issued: None,
                revoked: None,
            });
            statuses.len() - 1
        }
    };
    &mut statuses[i]
}

/// Which hashes a revocation may name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Revocable {
    /// Any: documents, roots and the nodes between, as the command line revokes them.
    AnyHash,
    /// Only roots and documents the issuer issued in this store.
    Issued,
}

/// Records the revocation of `hashes` by `issuer` in `tx`, each with its audit entry; refused
/// whole for an issuer that issued nothing, a hash revoked already, or one `revocable` does
/// not allow.
#[allow(clippy::too_many_arguments)] // a transaction's context and a revocation's fields
fn record_revocations(
    tx: &Transaction,
    at: i64,
    sqlite: &dyn Fn(corridor_db::Error) -> StoreError,
    issuer: &str,
    hashes: &[Hash32],
    reason: RevocationReason,
    note: &str,
    revocable: Revocable,
) -> Result<(), StoreError> {
    let known: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM issued WHERE issuer = ?1)",
            [issuer],
            |r| r.get(0),
        )
        .map_err(sqlite)?;
    if !known {
        return Err(StoreError::UnknownIssuer(issuer.into()));
    }
    for hash in hashes {
        if revocable == Revocable::Issued && !issued_by(tx, issuer, hash).map_err(sqlite)? {
            return Err(StoreError::NotIssued {
                issuer: issuer.into(),
                hash: *hash,
            });
        }
        let before: Option<i64> = tx
            .query_row(
                "SELECT at FROM revoked WHERE issuer = ?1 AND hash = ?2",
                params![issuer, hash.as_bytes()],
                |r| r.get(0),
            )
            .optional()
            .map_err(sqlite)?;
        if let Some(at) = before {
            return Err(StoreError::AlreadyRevoked {
                issuer: issuer.into(),
                hash: *hash,
                at,
            });
        }
        tx.execute(
            "INSERT INTO revoked (issuer, hash, at, reason, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![issuer, hash.as_bytes(), at, reason.code(), note],
        )
        .map_err(sqlite)?;
        append_audit(
            tx,
            at,
            issuer,
            "revoke",
            hash,
            &revocation_detail(reason, note),
        )
        .map_err(sqlite)?;
    }
    Ok(())
}

/// Whether `issuer` issued `hash` in this store, as a batch's root or a document.
fn issued_by(tx: &Transaction, issuer: &str, hash: &Hash32) -> corridor_db::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM issued WHERE issuer = ?1 AND root = ?2)
             OR EXISTS (SELECT 1 FROM documents WHERE issuer = ?1 AND target = ?2)",
        params![issuer, hash.as_bytes()],
        |r| r.get(0),
    )
}

/// Adds `column` to `table` unless it has it already: what migrating a store of an older
/// layout takes. Whether it was added.
pub(crate) fn add_column(
    conn: &Connection,
    table: &str,
    column: &str,
    definition: &str,
) -> corridor_db::Result<bool> {
    let present: bool = conn.query_row(
        match conn.dialect() {
            Dialect::Sqlite => {
                "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)"
            }
            Dialect::Postgres => {
                "SELECT EXISTS (SELECT 1 FROM information_schema.columns
                                WHERE table_schema = current_schema()
                                  AND table_name = ?1 AND column_name = ?2)"
            }
        },
        [table, column],
        |r| r.get(0),
    )?;
    if !present {
        conn.create_schema(&format!(
            "ALTER TABLE {table} ADD COLUMN {column} {definition}"
        ))?;
    }
    Ok(!present)
}

/// The free space, in bytes, of the disk `path` is on, for an unprivileged writer.
#[cfg(unix)]
fn free_space(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let c_path = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a NUL-terminated path and `stat` is a writable statvfs, which the
    // call fills when it returns 0.
    if unsafe { libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it filled `stat`.
    let stat = unsafe { stat.assume_init() };
    #[allow(clippy::unnecessary_cast)] // the fields' types differ between platforms
    Ok(stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// Elsewhere the disk's free space is not asked: the size limit alone bounds the store.
#[cfg(not(unix))]
fn free_space(_path: &Path) -> std::io::Result<u64> {
    Ok(u64::MAX)
}

/// Records one batch as issued by `issuer` in `tx`, with its audit entry.
pub(crate) fn issue_batch(
    tx: &Transaction,
    at: i64,
    issuer: &str,
    batch: &Batch,
    sqlite: &dyn Fn(corridor_db::Error) -> StoreError,
) -> Result<(), StoreError> {
    let mut documents = batch.documents.clone();
    documents.sort_unstable();
    documents.dedup();
    if documents.len() != batch.documents.len() || documents.is_empty() {
        return Err(StoreError::BadBatch {
            root: batch.root,
            problem: "needs at least one document, each once".into(),
        });
    }
    let before: Option<i64> = tx
        .query_row(
            "SELECT at FROM issued WHERE issuer = ?1 AND root = ?2",
            params![issuer, batch.root.as_bytes()],
            |r| r.get(0),
        )
        .optional()
        .map_err(sqlite)?;
    if let Some(at) = before {
        return Err(StoreError::AlreadyIssued {
            issuer: issuer.into(),
            root: batch.root,
            at,
        });
    }
    tx.execute(
        "INSERT INTO issued (issuer, root, at) VALUES (?1, ?2, ?3)",
        params![issuer, batch.root.as_bytes(), at],
    )
    .map_err(sqlite)?;
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO documents (issuer, target, root) VALUES (?1, ?2, ?3) ON CONFLICT (issuer, target) DO UPDATE SET root = excluded.root",
            )
            .map_err(sqlite)?;
        for target in &documents {
            insert
                .execute(params![issuer, target.as_bytes(), batch.root.as_bytes()])
                .map_err(sqlite)?;
        }
    }
    append_audit(
        tx,
        at,
        issuer,
        "issue",
        &batch.root,
        &documents_digest(&documents),
    )
    .map_err(sqlite)?;
    Ok(())
}

pub(crate) fn check_issuer(issuer: &str) -> Result<(), StoreError> {
    if issuer.is_empty() || issuer.len() > 128 {
        return Err(StoreError::BadIssuer(issuer.into()));
    }
    Ok(())
}

pub(crate) fn append_audit(
    tx: &Transaction,
    at: i64,
    issuer: &str,
    action: &str,
    subject: &Hash32,
    detail: &[u8],
) -> corridor_db::Result<i64> {
    // Cached: a bulk write appends an entry a row.
    let (seq, prev): (i64, Vec<u8>) = tx
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, vec![0u8; 32]));
    let prev: [u8; 32] = prev.try_into().unwrap_or([0u8; 32]);
    let seq = seq + 1;
    let hash = entry_hash(&prev, seq, at, issuer, action, subject, detail);
    crate::feed::append(
        tx,
        &crate::feed::AuditEntry {
            seq,
            hash: &hash,
            at,
            issuer,
            action,
            subject,
            detail,
        },
    )?;
    tx.prepare_cached(
        "INSERT INTO audit (seq, at, issuer, action, subject, detail, prev, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        seq,
        at,
        issuer,
        action,
        subject.as_bytes(),
        detail,
        prev.as_slice(),
        hash.as_bytes()
    ])?;
    Ok(seq)
}

/// 32 bytes as a hash, if they are 32.
pub(crate) fn hash32(bytes: &[u8]) -> Option<Hash32> {
    <[u8; 32]>::try_from(bytes).ok().map(Hash32)
}

/// keccak256 over the previous entry's hash and this entry's fields, each length-prefixed so
/// that no two different entries write the same bytes.
fn entry_hash(
    prev: &[u8; 32],
    seq: i64,
    at: i64,
    issuer: &str,
    action: &str,
    subject: &Hash32,
    detail: &[u8],
) -> Hash32 {
    let mut bytes = Vec::with_capacity(128 + issuer.len() + detail.len());
    bytes.extend_from_slice(prev);
    bytes.extend_from_slice(&seq.to_be_bytes());
    bytes.extend_from_slice(&at.to_be_bytes());
    for part in [
        issuer.as_bytes(),
        action.as_bytes(),
        subject.as_bytes(),
        detail,
    ] {
        bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        bytes.extend_from_slice(part);
    }
    keccak256(&bytes)
}

/// The digest of a batch's documents (their target hashes, sorted) that its audit entry
/// carries.
fn documents_digest(documents: &[Hash32]) -> Vec<u8> {
    let mut sorted = documents.to_vec();
    sorted.sort_unstable();
    let bytes: Vec<u8> = sorted.iter().flat_map(|h| h.0).collect();
    keccak256(&bytes).0.to_vec()
}

fn hash_from(bytes: &[u8]) -> Hash32 {
    Hash32(<[u8; 32]>::try_from(bytes).unwrap_or_default())
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A time of the store (milliseconds since the Unix epoch) in RFC 3339.
pub fn show_time(ms: i64) -> String {
    // RFC 3339 ends with the year 9999: a later time (a peer's word, say) is shown as its end.
    const LAST: i64 = 253_402_300_799_999;
    let time = UNIX_EPOCH + Duration::from_millis(ms.clamp(0, LAST) as u64);
    humantime::format_rfc3339_millis(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestPlace, on_both_backends};
    use rusqlite::Connection;

    on_both_backends!(
        a_new_store_opened_by_many_at_once_is_made_once,
        readers_read_while_another_process_writes_and_a_writer_is_told_busy,
        batches_are_all_or_nothing,
        revocations_are_recorded_once_for_known_issuers,
        revoking_what_was_issued_refuses_made_up_hashes_and_logs_nothing,
        the_audit_names_the_first_altered_entry_and_edited_records,
        another_layout_is_refused,
    );

    fn h(text: &str) -> Hash32 {
        keccak256(text.as_bytes())
    }

    #[test]
    fn any_time_is_shown_even_past_the_year_9999() {
        assert_eq!(show_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(show_time(-5), "1970-01-01T00:00:00.000Z");
        assert_eq!(show_time(i64::MAX), "9999-12-31T23:59:59.999Z");
    }

    fn batch(name: &str, n: usize) -> Batch {
        Batch {
            root: h(name),
            documents: (0..n).map(|i| h(&format!("{name}/{i}"))).collect(),
        }
    }

    fn a_new_store_opened_by_many_at_once_is_made_once(first: TestPlace) {
        let postgres = first.is_postgres();
        let mut next = Some(first);
        for _ in 0..if postgres { 5 } else { 20 } {
            let place = next.take().unwrap_or_else(|| {
                if postgres {
                    TestPlace::postgres()
                } else {
                    TestPlace::sqlite()
                }
            });
            let start = std::sync::Barrier::new(8);
            let salts: Vec<_> = std::thread::scope(|scope| {
                let opening: Vec<_> = (0..8)
                    .map(|_| {
                        scope.spawn(|| {
                            start.wait();
                            place.open().deployment().unwrap()
                        })
                    })
                    .collect();
                opening.into_iter().map(|o| o.join().unwrap()).collect()
            });
            assert!(salts.windows(2).all(|w| w[0] == w[1]), "{salts:?}");
        }
    }

    fn readers_read_while_another_process_writes_and_a_writer_is_told_busy(place: TestPlace) {
        let mut store = place.open();
        store.issue("a", &[batch("one", 1)]).unwrap();
        store.set_busy_timeout(Duration::from_millis(100)).unwrap();
        // Another process's write, begun and held.
        let mut other = place.connect();
        let other = other
            .transaction_with_behavior(corridor_db::TransactionBehavior::Immediate)
            .unwrap();
        other.execute("DELETE FROM revoked", []).unwrap();

        let reader = place.reader();
        let started = std::time::Instant::now();
        assert_eq!(reader.status(&h("one/0")).unwrap().len(), 1);
        assert!(started.elapsed() < Duration::from_millis(100));

        let refused = store
            .revoke("a", &[h("one/0")], RevocationReason::Superseded, "")
            .unwrap_err();
        assert!(refused.is_busy(), "{refused}");
        assert!(!StoreError::UnknownIssuer("x".into()).is_busy());
        other.commit().unwrap();
        store
            .revoke("a", &[h("one/0")], RevocationReason::Superseded, "")
            .unwrap();
        assert!(reader.first_revoked(None, &[h("one/0")]).unwrap().is_some());
    }

    fn batches_are_all_or_nothing(place: TestPlace) {
        let mut store = place.open();
        store.issue("a", &[batch("one", 3)]).unwrap();
        // the second batch repeats the first: neither new batch is recorded
        let err = store
            .issue("a", &[batch("two", 2), batch("one", 3)])
            .unwrap_err();
        assert!(matches!(err, StoreError::AlreadyIssued { .. }), "{err}");
        assert!(store.status(&h("two")).unwrap().is_empty());
        assert!(store.status(&h("two/0")).unwrap().is_empty());
        // another issuer may issue the same root
        store.issue("b", &[batch("one", 3)]).unwrap();
        let statuses = store.status(&h("one/1")).unwrap();
        assert_eq!(statuses.len(), 2);
        assert!(
            statuses
                .iter()
                .all(|s| s.issued.map(|(r, _)| r) == Some(h("one")))
        );
        assert!(matches!(
            store.audit().unwrap(),
            Audit::Intact { entries: 2 }
        ));
    }

    fn revocations_are_recorded_once_for_known_issuers(place: TestPlace) {
        let mut store = place.open();
        assert!(matches!(
            store.revoke("nobody", &[h("x")], RevocationReason::Unspecified, ""),
            Err(StoreError::UnknownIssuer(_))
        ));
        store.issue("a", &[batch("one", 2)]).unwrap();
        store
            .revoke(
                "a",
                &[h("one/1")],
                RevocationReason::KeyCompromise,
                "damaged goods",
            )
            .unwrap();
        assert!(matches!(
            store.revoke("a", &[h("one/1")], RevocationReason::Unspecified, "again"),
            Err(StoreError::AlreadyRevoked { .. })
        ));
        let found = store
            .first_revoked(None, &[h("one/0"), h("one/1")])
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.hash, found.reason, found.note.as_str()),
            (h("one/1"), RevocationReason::KeyCompromise, "damaged goods")
        );
        assert!(
            store
                .first_revoked(Some("a"), &[h("one/0"), h("one")])
                .unwrap()
                .is_none()
        );
        let status = &store.status(&h("one/1")).unwrap()[0];
        assert_eq!(
            status.revoked.as_ref().map(|r| r.note.as_str()),
            Some("damaged goods")
        );
    }

    fn revoking_what_was_issued_refuses_made_up_hashes_and_logs_nothing(place: TestPlace) {
        let mut store = place.open();
        store.issue("a", &[batch("one", 2)]).unwrap();
        let reason = RevocationReason::Unspecified;
        let err = store
            .revoke_issued("a", &[h("one/0"), h("made up")], reason, "")
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::NotIssued { hash, .. } if *hash == h("made up")),
            "{err}"
        );
        assert!(store.first_revoked(None, &[h("one/0")]).unwrap().is_none());
        assert!(matches!(
            store.revoke_issued("b", &[h("one")], reason, ""),
            Err(StoreError::UnknownIssuer(_))
        ));
        store.issue("b", &[batch("two", 1)]).unwrap();
        assert!(matches!(
            store.revoke_issued("b", &[h("one")], reason, ""),
            Err(StoreError::NotIssued { .. })
        ));
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 2 });
        store
            .revoke_issued("a", &[h("one"), h("one/1")], reason, "")
            .unwrap();
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 4 });
    }

    #[test]
    fn a_write_past_the_size_limit_fails_as_on_a_full_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.sqlite")).unwrap();
        store.limit_size(64 * 1024).unwrap();
        assert!(store.room().unwrap() <= 64 * 1024);
        let err = (0..1000)
            .find_map(|i| store.issue("a", &[batch(&format!("b{i}"), 50)]).err())
            .expect("the store fills up");
        assert!(err.is_full(), "{err}");
        assert!(matches!(store.audit().unwrap(), Audit::Intact { .. }));
    }

    fn the_audit_names_the_first_altered_entry_and_edited_records(place: TestPlace) {
        let mut store = place.open();
        for name in ["one", "two", "three"] {
            store.issue("a", &[batch(name, 2)]).unwrap();
        }
        store
            .revoke("a", &[h("two/0")], RevocationReason::Suspended, "why")
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::Intact { entries: 4 }
        ));
        drop(store);

        let edit = |sql: &str| place.edit(sql);
        let audit = || place.open().audit().unwrap();

        // a record edited behind Corridor's back
        edit("UPDATE revoked SET note = 'other'");
        assert!(
            matches!(audit(), Audit::RecordsDiffer { .. }),
            "{:?}",
            audit()
        );
        // (PostgreSQL's column types keep text out of a number.)
        if !place.is_postgres() {
            edit("UPDATE revoked SET note = 'why', reason = 'not a code'");
            assert!(
                matches!(audit(), Audit::RecordsDiffer { .. }),
                "{:?}",
                audit()
            );
        }
        edit("UPDATE revoked SET note = 'why'");
        edit("UPDATE revoked SET reason = 1");
        assert!(
            matches!(audit(), Audit::RecordsDiffer { .. }),
            "{:?}",
            audit()
        );
        edit("UPDATE revoked SET reason = 1001");
        assert!(matches!(audit(), Audit::Intact { .. }), "{:?}", audit());
        edit(
            "DELETE FROM documents WHERE target = (SELECT target FROM documents ORDER BY target LIMIT 1)",
        );
        assert!(
            matches!(audit(), Audit::RecordsDiffer { .. }),
            "{:?}",
            audit()
        );

        // an entry of the log edited: the first altered one is named
        edit("UPDATE audit SET at = at + 1 WHERE seq = 2");
        assert_eq!(
            audit(),
            Audit::Altered {
                seq: 2,
                problem: "its content does not match its hash".into()
            }
        );
        edit("DELETE FROM audit WHERE seq = 2");
        assert!(matches!(audit(), Audit::Altered { seq: 2, .. }));
    }

    fn another_layout_is_refused(place: TestPlace) {
        drop(place.open());
        place.edit("UPDATE meta SET value = 99 WHERE key = 'version'");
        assert!(matches!(
            Store::open(&place.location),
            Err(StoreError::Version { found: 99, .. })
        ));
    }

    #[test]
    fn a_store_of_the_first_layout_gains_the_title_registry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = Store::open(&path).unwrap();
        store.issue("carrier", &[batch("a", 2)]).unwrap();
        drop(store);
        // What version 1 wrote: no title tables, version 1.
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "DROP TABLE registries; DROP TABLE titles; DROP TABLE nonces;
                 UPDATE meta SET value = 1 WHERE key = 'version';",
            )
            .unwrap();
        let mut store = Store::open(&path).unwrap();
        let admin = alloy_primitives::Address::repeat_byte(1);
        store.create_registry(admin, "eBLs").unwrap();
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 2 });
        drop(store);
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }
}
