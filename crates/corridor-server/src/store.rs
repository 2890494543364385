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
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use corridor_ledger::{Store, StoreError, StoreLocation, StoreReader};

/// How long a change waits for another process's write before it is refused as busy.
const WRITER_BUSY_WAIT: Duration = Duration::from_secs(1);

/// The most reader connections open at once: beyond, a read waits for one to be free. Each is
/// kept open between reads (a new PostgreSQL connection is a new server process, and the
/// server takes a hundred for all its clients by default).
const MOST_READERS: usize = 32;

/// How long a read waits for a free reader before it opens one past the bound, and closes it
/// after: a read made while holding another is never kept waiting for good.
const READER_WAIT: Duration = Duration::from_secs(5);

/// The reader connections: those free, and how many are open, free or in use.
struct Readers {
    idle: Vec<StoreReader>,
    open: usize,
}

/// The writer and the readers of one store.
pub(crate) struct StoreConnections {
    location: StoreLocation,
    writer: Mutex<Store>,
    readers: Mutex<Readers>,
    /// Told when a reader is given back.
    reader_free: Condvar,
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
            readers: Mutex::new(Readers {
                idle: vec![reader],
                open: 1,
            }),
            reader_free: Condvar::new(),
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

    /// Runs `read` on a reader connection: a free one, a new one while fewer than
    /// [`MOST_READERS`] are open, else the next one given back. Blocks: call it off the async
    /// threads.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let free = {
            let mut readers = self.readers();
            let deadline = Instant::now() + READER_WAIT;
            loop {
                if let Some(reader) = readers.idle.pop() {
                    break Some(reader);
                }
                let now = Instant::now();
                if readers.open < MOST_READERS || now >= deadline {
                    readers.open += 1;
                    break None;
                }
                readers = self
                    .reader_free
                    .wait_timeout(readers, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        };
        let reader = match free {
            Some(reader) => reader,
            None => match Store::open_reader(&self.location) {
                Ok(reader) => reader,
                Err(e) => {
                    self.give_back(None);
                    return Err(e);
                }
            },
        };
        let answer = read(&reader);
        self.give_back(Some(reader));
        answer
    }

    /// Gives a reader back after a read: kept for the next, unless the database closed it or
    /// it was opened past the bound; `None` for one that could not be opened.
    fn give_back(&self, reader: Option<StoreReader>) {
        let mut readers = self.readers();
        let closing = match reader {
            Some(reader) if !reader.is_closed() && readers.open <= MOST_READERS => {
                readers.idle.push(reader);
                None
            }
            other => {
                readers.open -= 1;
                other
            }
        };
        drop(readers);
        self.reader_free.notify_one();
        // Closed after the lock is let go: closing tells the database, which takes a moment.
        drop(closing);
    }

    fn readers(&self) -> std::sync::MutexGuard<'_, Readers> {
        self.readers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_beyond_the_readers_bound_wait_for_one_instead_of_opening_more() {
        let dir = tempfile::tempdir().unwrap();
        let store = StoreConnections::open(&dir.path().join("store.sqlite").into()).unwrap();
        let most_open = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for _ in 0..3 * MOST_READERS {
                scope.spawn(|| {
                    store
                        .read(|reader| {
                            let open = store.readers().open as u64;
                            most_open.fetch_max(open, Ordering::Relaxed);
                            std::thread::sleep(Duration::from_millis(30));
                            reader.audit_length()
                        })
                        .unwrap();
                });
            }
        });
        let most_open = most_open.into_inner();
        assert!(
            most_open > 1 && most_open <= MOST_READERS as u64,
            "{most_open} readers open at once"
        );
        let readers = store.readers();
        assert_eq!(readers.open, readers.idle.len());
    }
}
