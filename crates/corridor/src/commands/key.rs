//! `corridor key`: issuer keys — Ethereum keys and W3C issuers' Multikeys — kept as encrypted
//! keystore v3 files.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use corridor_di::Cryptosuite;
use corridor_keys::KeyKind;

use crate::exit::Exit;
use crate::home::Home;
use crate::secrets;

#[derive(clap::Subcommand)]
pub enum KeyAction {
    /// Make a new random key and keep it encrypted under a password.
    New {
        /// The key's name (letters, digits, '-', '_', '.').
        name: String,
        /// What the key is for: `ethereum` (secp256k1: OpenAttestation DID signatures,
        /// transactions, title actions), or a W3C issuer's Multikey — `p256` for ecdsa-sd-2023
        /// credentials (TrustVC's default), `bls12-381` for bbs-2023.
        #[arg(long = "type", value_enum, default_value = "ethereum")]
        kind: KeyType,
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
    /// Show a key's address and DID, or a Multikey's suite and public key (no password
    /// needed).
    Show {
        /// The key's name.
        name: String,
    },
    /// List the keys.
    List,
}

/// The kinds of key `corridor key new` makes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum KeyType {
    Ethereum,
    P256,
    #[value(name = "bls12-381")]
    Bls12381,
}

pub fn run(home: &Home, action: &KeyAction) -> Result<Exit> {
    let keyring = home.keyring()?;
    let mut stdout = std::io::stdout().lock();
    let mut show = |info: &corridor_keys::KeyInfo| -> Result<()> {
        writeln!(stdout, "name     {}", info.name)?;
        match &info.kind {
            KeyKind::Ethereum(address) => {
                writeln!(stdout, "address  {}", address.to_checksum(None))?;
                writeln!(stdout, "did      did:ethr:{}", address.to_checksum(None))?;
            }
            KeyKind::Multikey {
                suite,
                public_key_multibase,
            } => {
                writeln!(stdout, "type     Multikey for {}", suite.name())?;
                writeln!(stdout, "public   {public_key_multibase}")?;
            }
        }
        writeln!(stdout, "file     {}", info.path.display())?;
        Ok(())
    };
    match action {
        KeyAction::New {
            name,
            kind,
            password,
        } => {
            let password = password.read(true)?;
            let mut rng = rand::rng();
            let info = match kind {
                KeyType::Ethereum => keyring.generate(name, password.as_bytes(), &mut rng)?,
                KeyType::P256 => keyring.generate_multikey(
                    name,
                    Cryptosuite::EcdsaSd2023,
                    password.as_bytes(),
                    &mut rng,
                )?,
                KeyType::Bls12381 => keyring.generate_multikey(
                    name,
                    Cryptosuite::Bbs2023,
                    password.as_bytes(),
                    &mut rng,
                )?,
            };
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
                match &info.kind {
                    KeyKind::Ethereum(address) => writeln!(
                        stdout,
                        "{:<24} {}  did:ethr:{}",
                        info.name,
                        address.to_checksum(None),
                        address.to_checksum(None)
                    )?,
                    KeyKind::Multikey {
                        suite,
                        public_key_multibase,
                    } => writeln!(
                        stdout,
                        "{:<24} {}  {public_key_multibase}",
                        info.name,
                        suite.name()
                    )?,
                }
            }
        }
    }
    Ok(Exit::Success)
}
