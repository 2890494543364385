//! Where Corridor keeps its own files: the issuer keys and the embedded store.

use std::path::PathBuf;

use anyhow::{Context, Result};
use corridor_ledger::StoreLocation;

/// `--home` and `--store`, given to every command.
#[derive(clap::Args)]
pub struct Home {
    /// Corridor's own folder: keys in DIR/keys, the store in DIR/store.sqlite. Default:
    /// $XDG_DATA_HOME/corridor, else ~/.local/share/corridor.
    #[arg(
        long = "home",
        global = true,
        env = "CORRIDOR_HOME",
        value_name = "DIR"
    )]
    dir: Option<PathBuf>,
    /// The store: a SQLite file (created on first use), or a PostgreSQL database that
    /// several servers share (PostgreSQL 14 or later), as
    /// postgres://USER:PASSWORD@HOST/DATABASE (its tables made on first use; over TCP with TLS when the server offers it, or always with
    /// ?sslmode=require, its certificate checked against the Mozilla roots or
    /// &sslrootcert=FILE). Default: DIR/store.sqlite in the home folder.
    // Its value may hold the database's password: help does not show it.
    #[arg(
        long,
        global = true,
        env = "CORRIDOR_STORE",
        hide_env_values = true,
        value_name = "FILE|URL"
    )]
    store: Option<String>,
}

impl Home {
    /// The home folder, created on first use readable by its owner only, whatever the umask:
    /// it holds the keys and the store.
    fn dir(&self) -> Result<PathBuf> {
        let dir = match &self.dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("XDG_DATA_HOME")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
                .context("no home folder: give --home or set CORRIDOR_HOME")?
                .join("corridor"),
        };
        if !dir.exists() {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create the home folder", dir.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                    .with_context(|| format!("{}: cannot make it private", dir.display()))?;
            }
        }
        Ok(dir)
    }

    /// Where the store is.
    pub fn store_location(&self) -> Result<StoreLocation> {
        Ok(match &self.store {
            Some(given) => StoreLocation::parse(given).context("--store")?,
            None => StoreLocation::File(self.dir()?.join("store.sqlite")),
        })
    }

    /// The store, opened (created on first use).
    pub fn store(&self) -> Result<corridor_ledger::Store> {
        Ok(corridor_ledger::Store::open(self.store_location()?)?)
    }

    /// The folder of named issuer keys.
    pub fn keyring(&self) -> Result<corridor_keys::Keyring> {
        Ok(corridor_keys::Keyring::new(self.dir()?.join("keys")))
    }
}
