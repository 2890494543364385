//! Where a store is kept.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a store is kept: a SQLite file (the default), or a PostgreSQL database that several
/// servers share.
///
/// ```
/// use corridor_ledger::StoreLocation;
/// let shared = StoreLocation::parse("postgres://corridor:secret@db.internal/corridor");
/// assert_eq!(shared.to_string(), "postgres://corridor:***@db.internal/corridor");
/// assert_eq!(StoreLocation::parse("store.sqlite").file(), Some(std::path::Path::new("store.sqlite")));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file.
    File(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl StoreLocation {
    /// A `postgres://` or `postgresql://` URL names a PostgreSQL database; anything else is
    /// a file's path.
    pub fn parse(text: &str) -> StoreLocation {
        if Self::is_postgres_url(text) {
            StoreLocation::Postgres(text.to_owned())
        } else {
            StoreLocation::File(PathBuf::from(text))
        }
    }

    fn is_postgres_url(text: &str) -> bool {
        ["postgres://", "postgresql://"].iter().any(|scheme| {
            text.get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        })
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
            assert_eq!(StoreLocation::parse(url).to_string(), shown);
        }
        assert_eq!(
            StoreLocation::parse("postgres.sqlite"),
            StoreLocation::File("postgres.sqlite".into())
        );
    }
}
