//! Passwords and private keys from where the user keeps them: a file, an environment
//! variable, or a hidden prompt on the terminal. They are held in memory that is wiped when
//! dropped, and never printed.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use corridor_format::did::DidSigner;
use zeroize::Zeroizing;

/// The environment variable read for the keystore password when nothing else is named.
pub const PASSWORD_ENV: &str = "CORRIDOR_KEY_PASSWORD";

/// Where the keystore password comes from (never the password itself).
#[derive(clap::Args, Debug, Clone)]
pub struct PasswordArgs {
    /// Read the keystore password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Read the keystore password from this environment variable. Without either option,
    /// CORRIDOR_KEY_PASSWORD is read if set; otherwise the password is asked for on the
    /// terminal.
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    password_env: Option<String>,
    /// The password asked for on the terminal, so that a command unlocking two keys (`serve
    /// --key … --w3c-key …`) asks once.
    #[arg(skip)]
    asked: Asked,
}

/// A password asked for once, kept for the command's run; never printed.
#[derive(Clone, Default)]
struct Asked(std::sync::OnceLock<Zeroizing<String>>);

impl std::fmt::Debug for Asked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Asked(…)")
    }
}

impl PasswordArgs {
    /// The password; on a terminal, asked for (twice when `confirm`, for a new keystore), and
    /// only once a run.
    pub fn read(&self, confirm: bool) -> Result<Zeroizing<String>> {
        if let Some(path) = &self.password_file {
            return first_line_of(path);
        }
        if let Some(var) = &self.password_env {
            return from_env(var)?
                .with_context(|| format!("the environment variable {var} is not set"));
        }
        if let Some(password) = from_env(PASSWORD_ENV)? {
            return Ok(password);
        }
        if let Some(asked) = self.asked.0.get() {
            return Ok(asked.clone());
        }
        if !std::io::stdin().is_terminal() {
            bail!(
                "no keystore password: give --password-file or --password-env, set {PASSWORD_ENV}, or run in a terminal"
            );
        }
        let password = Zeroizing::new(
            rpassword::prompt_password("Keystore password: ")
                .context("cannot read the password")?,
        );
        if confirm {
            let again = Zeroizing::new(
                rpassword::prompt_password("Again, to confirm: ")
                    .context("cannot read the password")?,
            );
            if again != password {
                bail!("the two passwords differ");
            }
        }
        if password.is_empty() {
            bail!("the keystore password is empty");
        }
        let _ = self.asked.0.set(password.clone());
        Ok(password)
    }
}

/// Which key signs: a named keystore, or (for CI) a raw key from an environment variable.
#[derive(clap::Args, Debug)]
#[group(multiple = false, id = "signer")]
pub struct SignerArgs {
    /// The key to sign with (see `corridor key list`).
    #[arg(long, value_name = "NAME", group = "signer")]
    pub key: Option<String>,
    /// Sign with a raw private key (64 hex digits) read from this environment variable
    /// instead of a keystore, for CI. It is never printed.
    #[arg(long, value_name = "VAR", group = "signer")]
    pub private_key_env: Option<String>,
    #[command(flatten)]
    pub password: PasswordArgs,
}

impl SignerArgs {
    /// Unlocks the key.
    pub fn signer(&self, keyring: &corridor_keys::Keyring) -> Result<DidSigner> {
        match (&self.key, &self.private_key_env) {
            (Some(name), _) => Ok(keyring.unlock(name, self.password.read(false)?.as_bytes())?),
            (None, Some(var)) => {
                let hex = private_key(Some(var), None)?;
                corridor_keys::signer_from_hex(&hex)
                    .with_context(|| format!("the environment variable {var}"))
            }
            (None, None) => bail!("give --key or --private-key-env"),
        }
    }

    /// The name the signer issues under: the key's name, or its DID for a raw key.
    pub fn issuer_name(&self, signer: &DidSigner) -> String {
        self.key.clone().unwrap_or_else(|| signer.did())
    }

    /// Whether a key was named at all.
    pub fn is_given(&self) -> bool {
        self.key.is_some() || self.private_key_env.is_some()
    }
}

/// A raw private key for import: from `env` or `file` if given; otherwise asked for, hidden,
/// on a terminal, or read as one line of standard input.
pub fn private_key(env: Option<&str>, file: Option<&Path>) -> Result<Zeroizing<String>> {
    if let Some(path) = file {
        return first_line_of(path);
    }
    if let Some(var) = env {
        return from_env(var)?
            .with_context(|| format!("the environment variable {var} is not set"));
    }
    if std::io::stdin().is_terminal() {
        return Ok(Zeroizing::new(
            rpassword::prompt_password("Private key (hex): ")
                .context("cannot read the private key")?,
        ));
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the private key from standard input")?;
    Ok(Zeroizing::new(line.trim().to_string()))
}

fn from_env(var: &str) -> Result<Option<Zeroizing<String>>> {
    match std::env::var(var) {
        Ok(value) => Ok(Some(Zeroizing::new(value))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("the environment variable {var} is not UTF-8")
        }
    }
}

fn first_line_of(path: &Path) -> Result<Zeroizing<String>> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?,
    );
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        bail!("{}: the first line is empty", path.display());
    }
    Ok(Zeroizing::new(line.to_string()))
}
