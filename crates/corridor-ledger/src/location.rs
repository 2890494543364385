//! Where a store is kept.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a store is kept: a SQLite file (the default), or a PostgreSQL database that several
/// servers share.
///
/// ```
/// use corridor_ledger::StoreLocation;
/// let shared = StoreLocation::parse("postgres://corridor:secret@db.internal/corridor").unwrap();
/// assert_eq!(shared.to_string(), "postgres://corridor:***@db.internal/corridor");
/// let file = StoreLocation::parse("store.sqlite").unwrap();
/// assert_eq!(file.file(), Some(std::path::Path::new("store.sqlite")));
/// assert!(StoreLocation::parse("mysql://db/corridor").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file.
    File(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

/// Why a store's location was refused. The given text is not repeated: it may hold a
/// password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    /// A URL whose scheme is not PostgreSQL's.
    #[error(
        "a store is a file's path or a postgres:// URL, not a {0}:// URL (write ./{0}:… for a file of that name)"
    )]
    Scheme(String),
    /// A libpq `key=value` connection string.
    #[error(
        "a store is a file's path or a postgres:// URL, not a key=value connection string: write postgres://USER:PASSWORD@HOST:PORT/DATABASE"
    )]
    KeywordString,
    /// Nothing at all.
    #[error("a store is a file's path or a postgres:// URL, not empty text")]
    Empty,
}

impl StoreLocation {
    /// A `postgres://` or `postgresql://` URL names a PostgreSQL database, and other text a
    /// file's path. Text that looks meant for a database but is not such a URL (another
    /// scheme, or libpq's `host=… dbname=…` form) is refused, rather than made into a SQLite
    /// file of that name.
    pub fn parse(text: &str) -> Result<StoreLocation, LocationError> {
        if text.is_empty() {
            return Err(LocationError::Empty);
        }
        if let Some((scheme, _)) = text.split_once("://") {
            let is_scheme = !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            if is_scheme {
                return if ["postgres", "postgresql"]
                    .iter()
                    .any(|known| scheme.eq_ignore_ascii_case(known))
                {
                    Ok(StoreLocation::Postgres(text.to_owned()))
                } else {
                    Err(LocationError::Scheme(scheme.to_owned()))
                };
            }
        }
        if is_keyword_string(text) {
            return Err(LocationError::KeywordString);
        }
        Ok(StoreLocation::File(PathBuf::from(text)))
    }

    /// The file, for a SQLite store.
    pub fn file(&self) -> Option<&Path> {
        match self {
            StoreLocation::File(path) => Some(path),
            StoreLocation::Postgres(_) => None,
        }
    }
}

/// The path, or the URL without its password: a location is shown in messages and logs.
impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::File(path) => write!(f, "{}", path.display()),
            StoreLocation::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// `url` with the password of its user part, and any `password=` parameter, as `***`.
fn without_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    // The user part ends at the first `@`, as the client reads it: a password may hold `/`
    // or `?` unencoded.
    let (user, rest) = match rest.split_once('@') {
        Some((user, rest)) => match user.split_once(':') {
            Some((name, _)) => (format!("{name}:***@"), rest),
            None => (format!("{user}@"), rest),
        },
        None => (String::new(), rest),
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(authority_end);
    let authority = format!("{user}{host}");
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Whether `text` reads as libpq's `keyword=value …` form: it starts with one of libpq's
/// connection keywords and `=`, spaces allowed around them.
fn is_keyword_string(text: &str) -> bool {
    const KEYWORDS: [&str; 10] = [
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "sslmode",
        "service",
        "connect_timeout",
        "application_name",
    ];
    text.split_once('=').is_some_and(|(key, _)| {
        KEYWORDS
            .iter()
            .any(|known| key.trim().eq_ignore_ascii_case(known))
    })
}

impl From<&Path> for StoreLocation {
    fn from(path: &Path) -> StoreLocation {
        StoreLocation::File(path.to_path_buf())
    }
}

impl From<&PathBuf> for StoreLocation {
    fn from(path: &PathBuf) -> StoreLocation {
        StoreLocation::File(path.clone())
    }
}

impl From<PathBuf> for StoreLocation {
    fn from(path: PathBuf) -> StoreLocation {
        StoreLocation::File(path)
    }
}

impl From<&StoreLocation> for StoreLocation {
    fn from(location: &StoreLocation) -> StoreLocation {
        location.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        for (url, shown) in [
            (
                "postgres://u:p%40ss@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            (
                "postgresql://u@h/db?sslmode=disable&password=x",
                "postgresql://u@h/db?sslmode=disable&password=***",
            ),
            ("postgres:///db?host=/tmp/s", "postgres:///db?host=/tmp/s"),
            ("POSTGRES://a:b@c", "POSTGRES://a:***@c"),
            ("postgres://u:ab/c?d@h/db", "postgres://u:***@h/db"),
        ] {
            assert_eq!(StoreLocation::parse(url).unwrap().to_string(), shown);
        }
    }

    #[test]
    fn text_meant_for_a_database_is_not_made_a_file() {
        for (text, file) in [
            ("postgres.sqlite", "postgres.sqlite"),
            ("./mysql://x", "./mysql://x"),
            ("data/host=1.sqlite", "data/host=1.sqlite"),
            ("hosts.sqlite", "hosts.sqlite"),
        ] {
            assert_eq!(
                StoreLocation::parse(text),
                Ok(StoreLocation::File(file.into()))
            );
        }
        assert_eq!(
            StoreLocation::parse("postgress://u:secret@h/db"),
            Err(LocationError::Scheme("postgress".into()))
        );
        assert_eq!(
            StoreLocation::parse("host=db user=corridor password=secret dbname=corridor"),
            Err(LocationError::KeywordString)
        );
        assert_eq!(
            StoreLocation::parse(" dbname = corridor"),
            Err(LocationError::KeywordString)
        );
        assert_eq!(StoreLocation::parse(""), Err(LocationError::Empty));
        for refused in ["postgress://u:secret@h/db", "host=h password=secret"] {
            let said = StoreLocation::parse(refused).unwrap_err().to_string();
            assert!(!said.contains("secret"), "{said}");
        }
    }
}
