//! One connection type over the store's two backends: an embedded SQLite file (the default,
//! nothing to install) or a PostgreSQL server that several `corridor serve` processes share.
//!
//! The store's SQL is written once, in the dialect both accept (`ON CONFLICT … DO …` rather
//! than `INSERT OR …`, `RETURNING` rather than the last row id); on PostgreSQL this crate turns
//! placeholders (`?1`) into `$1`, a schema's SQLite column types into PostgreSQL's
//! ([`Connection::create_schema`]), and meets PostgreSQL's strict parameter types with the
//! value given. Values cross as SQLite's storage classes ([`ValueRef`]).
//!
//! A write transaction ([`TransactionBehavior::Immediate`]) is one writer at a time on both:
//! SQLite's write lock, and on PostgreSQL a transaction-scoped advisory lock, so that the
//! read-then-write changes of the store see every change committed before them, whichever
//! process made it.
//!
//! ```
//! use corridor_db::{Connection, params};
//! let conn = Connection::open_sqlite_in_memory().unwrap();
//! conn.create_schema("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, key BLOB)").unwrap();
//! let id: i64 = conn
//!     .query_row("INSERT INTO t (name, key) VALUES (?1, ?2) RETURNING id", params!["a", [7u8; 2]], |r| r.get(0))
//!     .unwrap();
//! let key: Vec<u8> = conn.query_row("SELECT key FROM t WHERE id = ?1", [id], |r| r.get(0)).unwrap();
//! assert_eq!(key, vec![7, 7]);
//! ```

mod pg;
#[cfg(feature = "test-server")]
pub mod test_server;
mod value;

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

pub use value::{FromSql, FromSqlError, ToSql, Type, ValueRef};

/// The key of the advisory lock a PostgreSQL write transaction takes: one writer at a time,
/// as on SQLite.
const WRITER_LOCK: i64 = 0x636f_7272_6964_6f72; // "corridor"

/// Why a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused or failed.
    #[error(transparent)]
    Sqlite(rusqlite::Error),
    /// PostgreSQL refused or failed, or could not be reached.
    #[error("{}", postgres_message(.0))]
    Postgres(postgres::Error),
    /// A query for one row found none.
    #[error("no row")]
    QueryReturnedNoRows,
    /// A column's value is not of the kind asked for.
    #[error("column {0} holds {1}, not what was asked for")]
    InvalidColumnType(usize, Type),
    /// A column's value could not be read as the type asked for.
    #[error("column {0} holds {1} that cannot be read as asked: {2}")]
    FromSqlConversionFailure(usize, Type, Box<dyn std::error::Error + Send + Sync>),
    /// A parameter could not be bound.
    #[error("a parameter cannot be bound: {0}")]
    ToSqlConversionFailure(Box<dyn std::error::Error + Send + Sync>),
    /// The statement has fewer columns than asked for.
    #[error("no column {0}")]
    InvalidColumnIndex(usize),
    /// The connection to PostgreSQL cannot be set up as its URL asks (a root certificate
    /// file that cannot be read).
    #[error("PostgreSQL: {0}")]
    Config(String),
    /// The connection to PostgreSQL is gone (closed as it was dropped).
    #[error("PostgreSQL: the connection is gone")]
    Gone,
    /// A transaction was rolled back where it was to be committed: a statement in it had
    /// failed, which ends a PostgreSQL transaction.
    #[error("PostgreSQL: the transaction was rolled back, as a statement in it failed")]
    RolledBack,
}

/// PostgreSQL's own message (its text and detail) rather than the client's "db error", or
/// the client's with what caused it ("error connecting to server: No such file or directory").
fn postgres_message(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return match db.detail() {
            Some(detail) => format!("PostgreSQL: {}: {detail}", db.message()),
            None => format!("PostgreSQL: {}", db.message()),
        };
    }
    let mut message = format!("PostgreSQL: {error}");
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        message.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    message
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Error {
        match error {
            rusqlite::Error::QueryReturnedNoRows => Error::QueryReturnedNoRows,
            error => Error::Sqlite(error),
        }
    }
}

impl From<postgres::Error> for Error {
    fn from(error: postgres::Error) -> Error {
        Error::Postgres(error)
    }
}

/// What kind of failure an [`Error`] is, where callers act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Another writer held the lock past the time allowed; nothing changed, and the same
    /// change may succeed a moment later.
    Busy,
    /// The disk or the size limit is reached.
    Full,
    /// A constraint (a unique key, a check) refused the change.
    Constraint,
}

impl Error {
    /// The kind of failure, when it is one of those callers act on.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Sqlite(error) => match error.sqlite_error_code()? {
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                    Some(ErrorCode::Busy)
                }
                rusqlite::ErrorCode::DiskFull => Some(ErrorCode::Full),
                rusqlite::ErrorCode::ConstraintViolation => Some(ErrorCode::Constraint),
                _ => None,
            },
            Error::Postgres(error) => {
                let code = error.code()?.code();
                match code {
                    // lock_not_available, serialization_failure, deadlock_detected
                    "55P03" | "40001" | "40P01" => Some(ErrorCode::Busy),
                    // disk_full, out_of_memory, insufficient_resources
                    "53100" | "53200" | "53000" => Some(ErrorCode::Full),
                    _ if code.starts_with("23") => Some(ErrorCode::Constraint),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which backend a connection speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionBehavior {
    /// Reads first, a write lock only when it writes (SQLite), or none (PostgreSQL).
    Deferred,
    /// The write lock first, waiting for the writer before it.
    Immediate,
}

/// A connection to either backend.
pub struct Connection {
    backend: Backend,
}

enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<pg::Session>>),
}

/// The parameters of a statement.
pub trait Params {
    /// Calls `with` on the parameters in order.
    fn with<R>(&self, with: impl FnOnce(&[&dyn ToSql]) -> R) -> R;
}

/// No parameters: `[]`.
impl Params for [&dyn ToSql; 0] {
    fn with<R>(&self, with: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        with(&[])
    }
}

/// Parameters of one type: `[a, b]`. (Not for every length at once: `[]` would not know
/// its type.)
macro_rules! same_type_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn with<R>(&self, with: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
                with(&self.each_ref().map(|p| p as &dyn ToSql))
            }
        }
    )*};
}

same_type_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

impl Params for &[&dyn ToSql] {
    fn with<R>(&self, with: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        with(self)
    }
}

impl<const N: usize> Params for &[&dyn ToSql; N] {
    fn with<R>(&self, with: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        with(&self[..])
    }
}

impl Params for Vec<&dyn ToSql> {
    fn with<R>(&self, with: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        with(self)
    }
}

/// Parameters of different types: `params![name, 3, bytes]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[&dyn $crate::ToSql] };
    ($($param:expr),+ $(,)?) => { &[$(&$param as &dyn $crate::ToSql),+] as &[&dyn $crate::ToSql] };
}

/// SQLite's view of a parameter.
struct SqliteParam<'a>(&'a dyn ToSql);

impl rusqlite::ToSql for SqliteParam<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ValueRef as V;
        let value = self
            .0
            .to_sql()
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(rusqlite::types::ToSqlOutput::Borrowed(match value {
            ValueRef::Null => V::Null,
            ValueRef::Integer(n) => V::Integer(n),
            ValueRef::Real(x) => V::Real(x),
            ValueRef::Text(text) => V::Text(text.as_bytes()),
            ValueRef::Blob(bytes) => V::Blob(bytes),
        }))
    }
}

fn sqlite_params<'a>(params: &'a [&'a dyn ToSql]) -> Vec<SqliteParam<'a>> {
    params.iter().map(|p| SqliteParam(*p)).collect()
}

fn postgres_params<'a>(params: &'a [&'a dyn ToSql]) -> Result<Vec<ValueRef<'a>>> {
    params.iter().map(|p| p.to_sql()).collect()
}

impl Connection {
    /// Opens (or creates) the SQLite file at `path`, to read and write.
    pub fn open_sqlite(path: &Path) -> Result<Connection> {
        Ok(Connection::sqlite(rusqlite::Connection::open(path)?))
    }

    /// Opens the SQLite file at `path`, which must exist, to read only.
    pub fn open_sqlite_read_only(path: &Path) -> Result<Connection> {
        use rusqlite::OpenFlags;
        Ok(Connection::sqlite(rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?))
    }

    /// A SQLite database in memory, gone when the connection closes.
    pub fn open_sqlite_in_memory() -> Result<Connection> {
        Ok(Connection::sqlite(rusqlite::Connection::open_in_memory()?))
    }

    fn sqlite(conn: rusqlite::Connection) -> Connection {
        Connection {
            backend: Backend::Sqlite(conn),
        }
    }

    /// Connects to the PostgreSQL server `url` names (`postgres://user:password@host/db`,
    /// with libpq's parameters: `host=/socket/folder`, `sslmode=disable|prefer|require`,
    /// `sslrootcert=FILE`). Over TCP, TLS is used when the server offers it (`prefer`, the
    /// default) or always (`require`), its certificate checked against the Mozilla roots or
    /// the `sslrootcert` file's.
    pub fn connect_postgres(url: &str) -> Result<Connection> {
        Ok(Connection {
            backend: Backend::Postgres(Box::new(RefCell::new(pg::Session::connect(url)?))),
        })
    }

    /// The backend.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Whether the connection is gone for good (a PostgreSQL server that closed it or went
    /// away); a SQLite file's connection never is.
    pub fn is_closed(&self) -> bool {
        match &self.backend {
            Backend::Sqlite(_) => false,
            Backend::Postgres(session) => session.borrow().is_closed(),
        }
    }

    /// The SQLite connection, for what only SQLite has (its pragmas); `None` on PostgreSQL.
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(conn) => Some(conn),
            Backend::Postgres(_) => None,
        }
    }

    /// How long a write waits for the writer before it, before failing as
    /// [`ErrorCode::Busy`].
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(conn.busy_timeout(wait)?),
            Backend::Postgres(session) => session
                .borrow_mut()
                .batch(&format!("SET lock_timeout = {}", wait.as_millis().max(1))),
        }
    }

    /// Runs statements without parameters, as they are.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Backend::Postgres(session) => session.borrow_mut().batch(sql),
        }
    }

    /// Runs a schema written in SQLite's types (`INTEGER`, `BLOB`, `WITHOUT ROWID`), as
    /// PostgreSQL's types on PostgreSQL.
    pub fn create_schema(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Backend::Postgres(session) => session.borrow_mut().batch(&pg::schema(sql)),
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare(sql)?.execute(params)
    }

    /// Runs a query for one row and reads it with `read`; [`Error::QueryReturnedNoRows`] if
    /// there is none.
    pub fn query_row<T, P: Params, F: FnOnce(&Row<'_>) -> Result<T>>(
        &self,
        sql: &str,
        params: P,
        read: F,
    ) -> Result<T> {
        self.prepare(sql)?.query_row(params, read)
    }

    /// Prepares a statement, once per connection for the same text.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(Statement(StatementInner::Sqlite(
                SqliteStatement::Cached(conn.prepare_cached(sql)?),
            ))),
            Backend::Postgres(session) => Ok(Statement(StatementInner::Postgres {
                statement: session.borrow_mut().statement(sql)?,
                session,
            })),
        }
    }

    /// Prepares a statement made for one use: on SQLite, not kept among the few cached ones
    /// (a statement made by `format!` would push out those used often); PostgreSQL's
    /// session keeps more, and prepares each text once.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(Statement(StatementInner::Sqlite(SqliteStatement::Once(
                conn.prepare(sql)?,
            )))),
            Backend::Postgres(_) => self.prepare_cached(sql),
        }
    }

    /// Begins a transaction, deferred.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.transaction_with_behavior(TransactionBehavior::Deferred)
    }

    /// Begins a transaction; it rolls back when dropped uncommitted.
    pub fn transaction_with_behavior(
        &mut self,
        behavior: TransactionBehavior,
    ) -> Result<Transaction<'_>> {
        match (&self.backend, behavior) {
            (Backend::Sqlite(conn), TransactionBehavior::Deferred) => {
                conn.execute_batch("BEGIN DEFERRED")?
            }
            (Backend::Sqlite(conn), TransactionBehavior::Immediate) => {
                conn.execute_batch("BEGIN IMMEDIATE")?
            }
            (Backend::Postgres(session), TransactionBehavior::Deferred) => {
                session.borrow_mut().begin(None)?
            }
            (Backend::Postgres(session), TransactionBehavior::Immediate) => {
                session.borrow_mut().begin(Some(WRITER_LOCK))?
            }
        }
        Ok(Transaction {
            conn: self,
            open: true,
        })
    }
}

/// A transaction: it derefs to its connection, and rolls back unless committed.
pub struct Transaction<'c> {
    conn: &'c mut Connection,
    open: bool,
}

impl Transaction<'_> {
    /// Commits it; on PostgreSQL, a transaction in which a statement failed is rolled back
    /// instead, with [`Error::RolledBack`].
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        match &self.conn.backend {
            Backend::Sqlite(conn) => Ok(conn.execute_batch("COMMIT")?),
            Backend::Postgres(session) => session.borrow_mut().commit(),
        }
    }

    /// Rolls it back.
    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.conn.execute_batch("ROLLBACK")
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // A rollback that fails leaves nothing to undo: the connection ended the
            // transaction itself (it failed, or the server is gone).
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// A prepared statement.
pub struct Statement<'c>(StatementInner<'c>);

enum StatementInner<'c> {
    Sqlite(SqliteStatement<'c>),
    Postgres {
        session: &'c RefCell<pg::Session>,
        statement: postgres::Statement,
    },
}

/// A SQLite statement, cached or made for one use.
enum SqliteStatement<'c> {
    Cached(rusqlite::CachedStatement<'c>),
    Once(rusqlite::Statement<'c>),
}

impl<'c> std::ops::DerefMut for SqliteStatement<'c> {
    fn deref_mut(&mut self) -> &mut rusqlite::Statement<'c> {
        match self {
            SqliteStatement::Cached(s) => s,
            SqliteStatement::Once(s) => s,
        }
    }
}

impl<'c> std::ops::Deref for SqliteStatement<'c> {
    type Target = rusqlite::Statement<'c>;

    fn deref(&self) -> &rusqlite::Statement<'c> {
        match self {
            SqliteStatement::Cached(s) => s,
            SqliteStatement::Once(s) => s,
        }
    }
}

impl Statement<'_> {
    /// Runs it; the number of rows it changed.
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        params.with(|params| match &mut self.0 {
            StatementInner::Sqlite(statement) => {
                Ok(statement.execute(rusqlite::params_from_iter(sqlite_params(params)))?)
            }
            StatementInner::Postgres { session, statement } => {
                let values = postgres_params(params)?;
                let changed = session.borrow_mut().execute(statement, &values)?;
                Ok(changed as usize)
            }
        })
    }

    /// Runs it and reads the first row with `read`; [`Error::QueryReturnedNoRows`] if none.
    pub fn query_row<T, P: Params, F: FnOnce(&Row<'_>) -> Result<T>>(
        &mut self,
        params: P,
        read: F,
    ) -> Result<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(row) => read(&row),
            None => Err(Error::QueryReturnedNoRows),
        }
    }

    /// Whether it gives a row.
    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        Ok(self.query(params)?.next()?.is_some())
    }

    /// Runs it; its rows, each read with `read`.
    pub fn query_map<T, P: Params, F: FnMut(&Row<'_>) -> Result<T>>(
        &mut self,
        params: P,
        read: F,
    ) -> Result<MappedRows<'_, F>> {
        Ok(MappedRows {
            rows: self.query(params)?,
            read,
        })
    }

    /// Runs it; its rows. On PostgreSQL they are all fetched before the first is read, so the
    /// connection is free for other statements while they are.
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        params.with(|params| match &mut self.0 {
            StatementInner::Sqlite(statement) => Ok(Rows(RowsInner::Sqlite(
                statement.query(rusqlite::params_from_iter(sqlite_params(params)))?,
            ))),
            StatementInner::Postgres { session, statement } => {
                let values = postgres_params(params)?;
                let rows = session.borrow_mut().query(statement, &values)?;
                Ok(Rows(RowsInner::Postgres {
                    rows: rows.into_iter(),
                    current: None,
                }))
            }
        })
    }
}

/// The rows of a query.
pub struct Rows<'s>(RowsInner<'s>);

enum RowsInner<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres {
        rows: std::vec::IntoIter<postgres::Row>,
        current: Option<postgres::Row>,
    },
}

impl Rows<'_> {
    /// The next row, if there is one.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.0 {
            RowsInner::Sqlite(rows) => Ok(rows.next()?.map(|row| Row(RowInner::Sqlite(row)))),
            RowsInner::Postgres { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(|row| Row(RowInner::Postgres(row))))
            }
        }
    }
}

/// The rows of a query, each read by a function.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    read: F,
}

impl<T, F: FnMut(&Row<'_>) -> Result<T>> Iterator for MappedRows<'_, F> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(row)) => Some((self.read)(&row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// A row of a query.
pub struct Row<'r>(RowInner<'r>);

enum RowInner<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

/// A column of a row, by its place.
pub trait RowIndex {
    fn index(&self) -> usize;
}

impl RowIndex for usize {
    fn index(&self) -> usize {
        *self
    }
}

impl Row<'_> {
    /// The value of column `index` (from 0) as a `T`.
    pub fn get<I: RowIndex, T: FromSql>(&self, index: I) -> Result<T> {
        let index = index.index();
        let value = self.get_ref(index)?;
        T::from_sql(value).map_err(|e| match e {
            FromSqlError::InvalidType => Error::InvalidColumnType(index, value.kind()),
            FromSqlError::OutOfRange(n) => Error::FromSqlConversionFailure(
                index,
                value.kind(),
                format!("{n} is out of range").into(),
            ),
            FromSqlError::Other(e) => Error::FromSqlConversionFailure(index, value.kind(), e),
        })
    }

    /// The value of column `index`, as it is.
    pub fn get_ref(&self, index: usize) -> Result<ValueRef<'_>> {
        match &self.0 {
            RowInner::Sqlite(row) => {
                use rusqlite::types::ValueRef as V;
                Ok(
                    match row.get_ref(index).map_err(|e| match e {
                        rusqlite::Error::InvalidColumnIndex(i) => Error::InvalidColumnIndex(i),
                        e => Error::Sqlite(e),
                    })? {
                        V::Null => ValueRef::Null,
                        V::Integer(n) => ValueRef::Integer(n),
                        V::Real(x) => ValueRef::Real(x),
                        V::Text(text) => {
                            ValueRef::Text(std::str::from_utf8(text).map_err(|e| {
                                Error::FromSqlConversionFailure(index, Type::Text, Box::new(e))
                            })?)
                        }
                        V::Blob(bytes) => ValueRef::Blob(bytes),
                    },
                )
            }
            RowInner::Postgres(row) => {
                if index >= row.len() {
                    return Err(Error::InvalidColumnIndex(index));
                }
                Ok(row.try_get::<_, pg::Column<'_>>(index)?.0)
            }
        }
    }
}

/// [`Error::QueryReturnedNoRows`] as `None`.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
