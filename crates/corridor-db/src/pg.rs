//! PostgreSQL's side: the store's SQL turned into its dialect, and values met at its types.

use std::borrow::Cow;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::path::{Path, PathBuf};

use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::Error;
use crate::value::ValueRef;

/// How many prepared statements a session keeps; past it the oldest half are let go. The
/// store's statements are a few hundred texts at most, but one made by `format!` could
/// otherwise grow the map without end.
const STATEMENTS_KEPT: usize = 512;

/// A connection to the server, with the statements it has prepared.
pub(crate) struct Session {
    /// Taken only when the session is dropped.
    client: Option<postgres::Client>,
    statements: HashMap<String, (u64, postgres::Statement)>,
    used: u64,
    /// Whether a statement failed since the transaction began: PostgreSQL then ends it, and
    /// answers its `COMMIT` by rolling back, without an error.
    failed: bool,
}

/// Runs `work`, which blocks on the `postgres` client's own runtime, where tokio allows it:
/// on a thread driving a multi-threaded runtime's tasks, as a blocking section; on one driving
/// a current-thread runtime (where that is refused), on a thread of its own; elsewhere (the
/// command line, the server's blocking threads) as it is.
fn outside_async<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Err(_) => work(),
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        Ok(_) => std::thread::scope(|scope| match scope.spawn(work).join() {
            Ok(done) => done,
            Err(panic) => std::panic::resume_unwind(panic),
        }),
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Closing tells the server, which blocks as every call does.
        if let Some(client) = self.client.take() {
            outside_async(move || drop(client));
        }
    }
}

/// How long a connection may take to reach the server when its URL does not say
/// (`connect_timeout`): libpq would wait as long as the system does, minutes for a host that
/// drops the packets, while a server's writer waits for it.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The client's settings for `url`, and the root certificate file it names: the URL's own,
/// with [`CONNECT_TIMEOUT`] unless it gives one.
fn config(url: &str) -> Result<(postgres::Config, Option<PathBuf>), Error> {
    let (url, root_cert) = without_root_cert(url);
    let mut config: postgres::Config = url.parse()?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok((config, root_cert))
}

/// `url` without its `sslrootcert=FILE` parameter (libpq's, which the `postgres` client does
/// not take), and that file.
fn without_root_cert(url: &str) -> (String, Option<PathBuf>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut root_cert = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.split_once('=') {
            Some(("sslrootcert", file)) => {
                let file = percent_encoding::percent_decode_str(file).decode_utf8_lossy();
                root_cert = Some(PathBuf::from(file.as_ref()));
                false
            }
            _ => true,
        })
        .collect();
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root_cert)
}

/// TLS for connections over TCP, as the URL's `sslmode` asks (`prefer` unless given:
/// TLS when the server offers it; `require`: never without): the server's certificate is
/// checked against the Mozilla roots, or, given `sslrootcert`, that file's certificates.
fn tls(root_cert: Option<&Path>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, Error> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let problem = |why: String| Error::Config(why);
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(file) => {
            let certificates = CertificateDer::pem_file_iter(file)
                .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
                .map_err(|e| problem(format!("sslrootcert {}: {e}", file.display())))?;
            if certificates.is_empty() {
                return Err(problem(format!(
                    "sslrootcert {}: no certificate in it",
                    file.display()
                )));
            }
            for certificate in certificates {
                roots
                    .add(certificate)
                    .map_err(|e| problem(format!("sslrootcert {}: {e}", file.display())))?;
            }
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| problem(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl Session {
    pub(crate) fn connect(url: &str) -> Result<Session, Error> {
        let (config, root_cert) = config(url)?;
        let tls = tls(root_cert.as_deref())?;
        let client = outside_async(|| config.connect(tls))?;
        Ok(Session {
            client: Some(client),
            statements: HashMap::new(),
            used: 0,
            failed: false,
        })
    }

    /// Runs `work` with the client.
    fn run<T: Send>(
        &mut self,
        work: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error> + Send,
    ) -> Result<T, Error> {
        let client = self.client.as_mut().ok_or(Error::Gone)?;
        let done = outside_async(move || work(client));
        self.failed |= done.is_err();
        Ok(done?)
    }

    /// Runs statements without parameters.
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), Error> {
        self.run(|client| client.batch_execute(sql))
    }

    /// Begins a transaction, at read committed whatever the server's default, so that a
    /// writer holding `writer_lock` (an advisory lock every writer of the database takes
    /// first, one writer at a time) sees what the writer before it committed.
    pub(crate) fn begin(&mut self, writer_lock: Option<i64>) -> Result<(), Error> {
        self.failed = false;
        let begun = self.run(|client| {
            client.batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED")?;
            let Some(lock) = writer_lock else {
                return Ok(());
            };
            let locked = client.execute("SELECT pg_advisory_xact_lock($1)", &[&lock]);
            if locked.is_err() {
                let _ = client.batch_execute("ROLLBACK");
            }
            locked.map(drop)
        });
        self.failed = false;
        begun
    }

    /// Commits the transaction, or, if a statement in it failed, rolls it back and says so.
    pub(crate) fn commit(&mut self) -> Result<(), Error> {
        if self.failed {
            self.batch("ROLLBACK")?;
            return Err(Error::RolledBack);
        }
        self.batch("COMMIT")
    }

    /// Whether the server closed the connection.
    pub(crate) fn is_closed(&self) -> bool {
        self.client.as_ref().is_none_or(|client| client.is_closed())
    }

    /// Runs `statement`; the number of rows it changed.
    pub(crate) fn execute(
        &mut self,
        statement: &postgres::Statement,
        params: &[ValueRef<'_>],
    ) -> Result<u64, Error> {
        let params: Vec<Param<'_>> = params.iter().map(|v| Param(*v)).collect();
        self.run(|client| client.execute(statement, &refs(&params)))
    }

    /// Runs `statement`; its rows.
    pub(crate) fn query(
        &mut self,
        statement: &postgres::Statement,
        params: &[ValueRef<'_>],
    ) -> Result<Vec<postgres::Row>, Error> {
        let params: Vec<Param<'_>> = params.iter().map(|v| Param(*v)).collect();
        self.run(|client| client.query(statement, &refs(&params)))
    }

    /// The statement for `sql` (in the shared dialect), prepared once per session.
    pub(crate) fn statement(&mut self, sql: &str) -> Result<postgres::Statement, Error> {
        self.used += 1;
        if let Some((used, statement)) = self.statements.get_mut(sql) {
            *used = self.used;
            return Ok(statement.clone());
        }
        let text = placeholders(sql);
        let statement = self.run(|client| client.prepare(&text))?;
        if self.statements.len() >= STATEMENTS_KEPT {
            let mut ages: Vec<u64> = self.statements.values().map(|(used, _)| *used).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            self.statements.retain(|_, (used, _)| *used > cut);
        }
        self.statements
            .insert(sql.to_owned(), (self.used, statement.clone()));
        Ok(statement)
    }
}

/// The parts of SQL text: what is copied as it is (strings, quoted names, comments) and the
/// rest, where words and placeholders are.
fn scan(sql: &str, mut code: impl FnMut(&str, &mut String), out: &mut String) {
    let bytes = sql.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let quoted_end = match bytes[i] {
            q @ (b'\'' | b'"') => Some(
                bytes[i + 1..]
                    .iter()
                    .position(|&b| b == q)
                    .map_or(bytes.len(), |p| i + 2 + p),
            ),
            b'-' if bytes.get(i + 1) == Some(&b'-') => Some(
                bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| i + p),
            ),
            _ => None,
        };
        if let Some(end) = quoted_end {
            code(&sql[start..i], out);
            out.push_str(&sql[i..end]);
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    code(&sql[start..], out);
}

/// `?NNN` and `?` as PostgreSQL's `$NNN`, numbering bare ones in order as SQLite does.
pub(crate) fn placeholders(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut next = 0u32;
    let mut out = String::with_capacity(sql.len() + 8);
    scan(
        sql,
        |code, out| {
            let mut rest = code;
            while let Some(at) = rest.find('?') {
                out.push_str(&rest[..at]);
                let digits = rest[at + 1..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len() - at - 1);
                out.push('$');
                if digits == 0 {
                    next += 1;
                    out.push_str(&next.to_string());
                } else {
                    let number = &rest[at + 1..at + 1 + digits];
                    next = number.parse().unwrap_or(next);
                    out.push_str(number);
                }
                rest = &rest[at + 1 + digits..];
            }
            out.push_str(rest);
        },
        &mut out,
    );
    Cow::Owned(out)
}

/// A schema in the shared dialect as PostgreSQL's: `BLOB` is `BYTEA`, an `INTEGER` is a
/// `BIGINT` (SQLite's integers are 64-bit), an `INTEGER PRIMARY KEY` numbers new rows as
/// SQLite's does, and `WITHOUT ROWID` (SQLite's table layout) has no counterpart.
pub(crate) fn schema(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    scan(
        sql,
        |code, out| {
            let mut words = Words::new(code);
            while let Some((gap, word)) = words.next() {
                out.push_str(gap);
                let upper = word.to_ascii_uppercase();
                match upper.as_str() {
                    "BLOB" => out.push_str("BYTEA"),
                    "INTEGER" if words.followed_by(&["PRIMARY", "KEY"]) => {
                        out.push_str("BIGINT GENERATED BY DEFAULT AS IDENTITY")
                    }
                    "INTEGER" => out.push_str("BIGINT"),
                    "WITHOUT" if words.followed_by(&["ROWID"]) => {
                        words.skip(1);
                    }
                    _ => out.push_str(word),
                }
            }
            out.push_str(words.rest());
        },
        &mut out,
    );
    out
}

/// The words of SQL code, each with the text before it.
struct Words<'a> {
    code: &'a str,
    at: usize,
}

impl<'a> Words<'a> {
    fn new(code: &'a str) -> Words<'a> {
        Words { code, at: 0 }
    }

    fn is_word(c: char) -> bool {
        c.is_ascii_alphanumeric() || c == '_'
    }

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let rest = &self.code[self.at..];
        let start = rest.find(Self::is_word)?;
        let len = rest[start..]
            .find(|c| !Self::is_word(c))
            .unwrap_or(rest.len() - start);
        self.at += start + len;
        Some((&rest[..start], &rest[start..start + len]))
    }

    /// Whether the next words are `expected`, case aside.
    fn followed_by(&self, expected: &[&str]) -> bool {
        let mut ahead = Words {
            code: self.code,
            at: self.at,
        };
        expected.iter().all(|want| {
            ahead
                .next()
                .is_some_and(|(_, word)| word.eq_ignore_ascii_case(want))
        })
    }

    fn skip(&mut self, words: usize) {
        for _ in 0..words {
            self.next();
        }
    }

    fn rest(&self) -> &'a str {
        &self.code[self.at..]
    }
}

fn refs<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// A parameter as PostgreSQL's type for it asks: SQLite stores what it is given, PostgreSQL
/// wants each parameter as the type it inferred.
#[derive(Debug)]
pub(crate) struct Param<'a>(pub(crate) ValueRef<'a>);

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, BoxError> {
        let mismatch = || -> BoxError {
            format!(
                "a {} value cannot be a PostgreSQL {ty} parameter",
                self.0.kind()
            )
            .into()
        };
        match self.0 {
            ValueRef::Null => return Ok(IsNull::Yes),
            ValueRef::Integer(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out)?,
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out)?,
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out)?,
                Type::BOOL => (n != 0).to_sql(ty, out)?,
                Type::FLOAT8 => (n as f64).to_sql(ty, out)?,
                _ => return Err(mismatch()),
            },
            ValueRef::Real(x) => match *ty {
                Type::FLOAT8 => x.to_sql(ty, out)?,
                _ => return Err(mismatch()),
            },
            // PostgreSQL's own refusal ("invalid byte sequence") would not say which value.
            ValueRef::Text(text) if text.contains('\0') => {
                return Err(
                    "text holding a NUL character (U+0000) cannot be kept on PostgreSQL".into(),
                );
            }
            ValueRef::Text(text) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    text.to_sql(&Type::TEXT, out)?
                }
                Type::JSON | Type::JSONB => {
                    if *ty == Type::JSONB {
                        out.extend_from_slice(&[1]);
                    }
                    out.extend_from_slice(text.as_bytes());
                    IsNull::No
                }
                _ => return Err(mismatch()),
            },
            ValueRef::Blob(bytes) => match *ty {
                Type::BYTEA => bytes.to_sql(ty, out)?,
                _ => return Err(mismatch()),
            },
        };
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column's value in SQLite's classes: booleans and every integer width as integers,
/// `NUMERIC` (what `SUM` of integers gives) as an integer when it is whole.
pub(crate) struct Column<'a>(pub(crate) ValueRef<'a>);

impl<'a> FromSql<'a> for Column<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Column(match *ty {
            Type::BOOL => ValueRef::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => ValueRef::Integer(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => ValueRef::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::OID => ValueRef::Integer(u32::from_sql(ty, raw)?.into()),
            Type::FLOAT4 => ValueRef::Real(f32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => ValueRef::Integer(whole_numeric(raw)?),
            Type::BYTEA => ValueRef::Blob(raw),
            Type::JSONB => ValueRef::Text(std::str::from_utf8(raw.get(1..).unwrap_or(&[]))?),
            _ => ValueRef::Text(<&str>::from_sql(&Type::TEXT, raw)?),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Column(ValueRef::Null))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::BOOL
                | Type::INT2
                | Type::INT4
                | Type::INT8
                | Type::OID
                | Type::FLOAT4
                | Type::FLOAT8
                | Type::NUMERIC
                | Type::BYTEA
                | Type::JSONB
                | Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
                | Type::UNKNOWN
                | Type::JSON
        )
    }
}

/// A whole `NUMERIC` in PostgreSQL's binary form (a count of base-10000 digits, the weight of
/// the first, a sign, a scale, then the digits) as an `i64`.
fn whole_numeric(raw: &[u8]) -> Result<i64, BoxError> {
    let word = |i: usize| -> Result<i16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a NUMERIC value cut short".into())
    };
    let digits = word(0)?;
    let weight = word(1)?;
    let sign = word(2)? as u16;
    let mut value: i64 = 0;
    for place in 0..=i32::from(weight) {
        let digit = if place < i32::from(digits) {
            word(4 + place as usize)?
        } else {
            0
        };
        value = value
            .checked_mul(10_000)
            .and_then(|v| v.checked_add(i64::from(digit)))
            .ok_or("a NUMERIC value past 64 bits")?;
    }
    if i32::from(digits) > i32::from(weight) + 1 {
        return Err("a NUMERIC value that is not whole".into());
    }
    match sign {
        0x0000 => Ok(value),
        0x4000 => Ok(-value),
        _ => Err("a NUMERIC value that is not a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_gives_up_reaching_a_server_unless_told_to_wait_otherwise() {
        let timeout = |url: &str| config(url).unwrap().0.get_connect_timeout().copied();
        assert_eq!(
            timeout("postgres://u@db.internal/corridor"),
            Some(CONNECT_TIMEOUT)
        );
        assert_eq!(
            timeout("postgres://u@db.internal/corridor?connect_timeout=3&sslrootcert=/ca.pem"),
            Some(std::time::Duration::from_secs(3))
        );
        let (_, root) = config("postgres://u@h/db?sslmode=require&sslrootcert=/ca.pem").unwrap();
        assert_eq!(root, Some(PathBuf::from("/ca.pem")));
    }

    #[test]
    fn placeholders_are_numbered_outside_strings() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?' AND d = ?2 -- ?\n AND e = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = $2 -- ?\n AND e = $3"
        );
        assert_eq!(placeholders("VALUES (?, ?, ?10)"), "VALUES ($1, $2, $10)");
        assert_eq!(placeholders("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn schema_types_become_postgres_types() {
        assert_eq!(
            schema(
                "CREATE TABLE t (seq INTEGER PRIMARY KEY, b BLOB NOT NULL, n integer,\n note TEXT DEFAULT 'BLOB') WITHOUT ROWID;"
            ),
            "CREATE TABLE t (seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, b BYTEA NOT NULL, n BIGINT,\n note TEXT DEFAULT 'BLOB') ;"
        );
    }

    #[test]
    fn numerics_read_whole() {
        // 123456789 = 1|2345|6789 in base 10000: three digits, weight 2.
        let raw = [0, 3, 0, 2, 0, 0, 0, 0, 0, 1, 0x09, 0x29, 0x1a, 0x85];
        assert_eq!(whole_numeric(&raw).unwrap(), 123_456_789);
        // 20000 = 2|0000: one digit of weight 1, the zero left out.
        assert_eq!(
            whole_numeric(&[0, 1, 0, 1, 0x40, 0, 0, 0, 0, 2]).unwrap(),
            -20_000
        );
        assert_eq!(whole_numeric(&[0, 0, 0, 0, 0, 0, 0, 0]).unwrap(), 0);
        // 1.5 = 1 . 5000: two digits, weight 0.
        assert!(whole_numeric(&[0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 0x13, 0x88]).is_err());
    }
}
