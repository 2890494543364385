//! `corridor key`: issuer keys, kept as encrypted Ethereum keystore v3 files.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use crate::exit::Exit;
use crate::home::Home;
use crate::secrets;

#[derive(clap::Subcommand)]
pub enum KeyAction {
    /// Make a new random key and keep it encrypted under a password.
    New {
        /// The key's name (letters, digits, '-', '_', '.').
        name: String,
        #[command(flatten)]
        password: secrets::PasswordArgs,
    },
    /// Keep an existing private key (64 hex digits, 0x optional), encrypted under a password.
    ///
    /// The key is read from --private-key-file or --private-key-env, or else asked for on the
    /// terminal (hidden) or read from standard input. It is never given as an argument, so it
    /// cannot show in the process list or the shell's history.
    Import {
        /// The key's name (letters, digits, '-', '_', '.').
        name: String,
        /// Read the private key from the first line of this file.
        #[arg(long, value_name = "FILE")]
        private_key_file: Option<PathBuf>,
        /// Read the private key from this environment variable.
        #[arg(long, value_name = "VAR", conflicts_with = "private_key_file")]
        private_key_env: Option<String>,
        #[command(flatten)]
        password: secrets::PasswordArgs,
    },
    /// Show a key's address and DID (no password needed).
    Show {
        /// The key's name.
        name: String,
    },
    /// List the keys.
    List,
}

pub fn run(home: &Home, action: &KeyAction) -> Result<Exit> {
    let keyring = home.keyring()?;
    let mut stdout = std::io::stdout().lock();
    let mut show = |info: &corridor_keys::KeyInfo| -> Result<()> {
        writeln!(stdout, "name     {}", info.name)?;
        writeln!(stdout, "address  {}", info.address.to_checksum(None))?;
        writeln!(stdout, "did      {}", info.did())?;
        writeln!(stdout, "file     {}", info.path.display())?;
        Ok(())
    };
    match action {
        KeyAction::New { name, password } => {
            let info = keyring.generate(name, password.read(true)?.as_bytes(), &mut rand::rng())?;
            show(&info)?;
        }
        KeyAction::Import {
            name,
            private_key_file,
            private_key_env,
            password,
        } => {
            let hex =
                secrets::private_key(private_key_env.as_deref(), private_key_file.as_deref())?;
            let info = keyring.import(
                name,
                &hex,
                password.read(true)?.as_bytes(),
                &mut rand::rng(),
            )?;
            show(&info)?;
        }
        KeyAction::Show { name } => show(&keyring.info(name)?)?,
        KeyAction::List => {
            let keys = keyring.list()?;
            if keys.is_empty() {
                eprintln!(
                    "no keys in {} (make one with `corridor key new NAME`)",
                    keyring.dir().display()
                );
            }
            for info in keys {
                writeln!(
                    stdout,
                    "{:<24} {}  {}",
                    info.name,
                    info.address.to_checksum(None),
                    info.did()
                )?;
            }
        }
    }
    Ok(Exit::Success)
}
