//! Stores for tests on both backends: each test of the store's behaviour runs on a SQLite file
//! and on a real PostgreSQL server ([`on_both_backends!`]).

use corridor_db::{Connection, Params};

use crate::{Store, StoreLocation, StoreReader};

/// Where a test keeps its store: a file in a folder of its own, or a new database on the test
/// process's PostgreSQL server.
pub(crate) struct TestPlace {
    pub(crate) location: StoreLocation,
    _dir: tempfile::TempDir,
}

impl TestPlace {
    pub(crate) fn sqlite() -> TestPlace {
        let dir = tempfile::tempdir().unwrap();
        TestPlace {
            location: StoreLocation::File(dir.path().join("store.sqlite")),
            _dir: dir,
        }
    }

    pub(crate) fn postgres() -> TestPlace {
        TestPlace {
            location: StoreLocation::Postgres(corridor_db::test_server::fresh_database()),
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Another place on the same backend: for a second store beside the first.
    pub(crate) fn another(&self) -> TestPlace {
        if self.is_postgres() {
            TestPlace::postgres()
        } else {
            TestPlace::sqlite()
        }
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.location, StoreLocation::Postgres(_))
    }

    pub(crate) fn open(&self) -> Store {
        Store::open(&self.location).unwrap()
    }

    pub(crate) fn reader(&self) -> StoreReader {
        Store::open_reader(&self.location).unwrap()
    }

    /// A connection of its own to the store, as another process (or someone editing the
    /// store outside Corridor) has.
    pub(crate) fn connect(&self) -> Connection {
        match &self.location {
            StoreLocation::File(path) => Connection::open_sqlite(path).unwrap(),
            StoreLocation::Postgres(url) => Connection::connect_postgres(url).unwrap(),
        }
    }

    /// Runs `sql` on the store behind Corridor's back.
    pub(crate) fn edit(&self, sql: &str) {
        self.connect()
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Runs `sql` with `params` on the store behind Corridor's back: for values SQL text
    /// cannot give both backends alike (bytes).
    pub(crate) fn edit_with<P: Params>(&self, sql: &str, params: P) {
        self.connect()
            .execute(sql, params)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Runs each named test, a function taking a [`TestPlace`], on both backends: as the tests
/// `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(crate::testing::TestPlace::sqlite())
            }

            #[test]
            fn postgres() {
                super::$name(crate::testing::TestPlace::postgres())
            }
        }
    )*};
}

pub(crate) use on_both_backends;
