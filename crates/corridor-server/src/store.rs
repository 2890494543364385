//! The store as the server reaches it: every change through one writer connection behind a
//! lock; every read on a reader connection of its own, which in WAL mode never waits behind a
//! write, this server's or another process's (a long `corridor issue`, a backup). The
//! revocation responder, `/rpc`, token checks, title and share reads go on answering while a
//! write is held.
//!
//! A change that meets another process's write waits a moment (the busy timeout) and is then
//! refused as busy, which the API answers 503 with `Retry-After`, never a 500.
//!
//! On PostgreSQL the same holds across servers: several servers behind one load balancer
//! share the database, one writer at a time among them all. A connection the database closed
//! (it restarted) is opened again at the next change or read.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use corridor_ledger::{Store, StoreError, StoreLocation, StoreReader};

/// How long a change waits for another process's write before it is refused as busy.
const WRITER_BUSY_WAIT: Duration = Duration::from_secs(1);

/// The most reader connections kept open between reads; more are opened under load and
/// closed after.
const IDLE_READERS: usize = 8;

/// The writer and the readers of one store.
pub(crate) struct StoreConnections {
    location: StoreLocation,
    writer: Mutex<Store>,
    idle_readers: Mutex<Vec<StoreReader>>,
    /// How many changes this server has made: what it wrote itself, it need not look at the
    /// files to know of.
    changes: AtomicU64,
    /// Woken after each change this server makes: for answers that wait for one (the feed's
    /// long poll).
    written: tokio::sync::Notify,
}

impl StoreConnections {
    /// Opens the store at `location` (created if missing) for the server.
    pub(crate) fn open(location: &StoreLocation) -> Result<StoreConnections, StoreError> {
        let writer = Self::writer(location)?;
        let reader = Store::open_reader(location)?;
        Ok(StoreConnections {
            location: location.clone(),
            writer: Mutex::new(writer),
            idle_readers: Mutex::new(vec![reader]),
            changes: AtomicU64::new(0),
            written: tokio::sync::Notify::new(),
        })
    }

    fn writer(location: &StoreLocation) -> Result<Store, StoreError> {
        let writer = Store::open(location)?;
        writer.set_busy_timeout(WRITER_BUSY_WAIT)?;
        Ok(writer)
    }

    /// Where the store is.
    pub(crate) fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// Runs `change` on the writer, once the writers before it are done. Blocks: call it off
    /// the async threads.
    pub(crate) fn write<T>(&self, change: impl FnOnce(&mut Store) -> T) -> T {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let changed = change(&mut writer);
        // The change failed on a connection the database closed; the next one gets a new
        // connection (or, while the database is away, fails as this one did).
        if writer.is_closed() {
            match Self::writer(&self.location) {
                Ok(reopened) => *writer = reopened,
                Err(e) => {
                    tracing::warn!(store = %self.location, "the store cannot be reached: {e}")
                }
            }
        }
        self.changes.fetch_add(1, Ordering::Release);
        self.written.notify_waiters();
        changed
    }

    /// Completes after this server's next change (another process's it does not see).
    pub(crate) fn written(&self) -> tokio::sync::futures::Notified<'_> {
        self.written.notified()
    }

    /// How many changes this server has made to the store (counted after each).
    pub(crate) fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// Runs `read` on a reader connection: an idle one, or a new one if all are in use.
    /// Blocks: call it off the async threads.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self.idle().pop();
        let reader = match idle {
            Some(reader) => reader,
            None => Store::open_reader(&self.location)?,
        };
        let answer = read(&reader);
        let mut idle = self.idle();
        if idle.len() < IDLE_READERS && !reader.is_closed() {
            idle.push(reader);
        }
        answer
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<StoreReader>> {
        self.idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
