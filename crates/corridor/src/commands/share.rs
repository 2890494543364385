//! `corridor share`: documents encrypted for sharing, as TradeTrust does; and the shares
//! `corridor serve` keeps, for its operator.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};

use crate::exit::Exit;
use crate::home::Home;
use crate::input;

#[derive(clap::Subcommand)]
pub enum ShareAction {
    /// Encrypt FILE with a new random key and print oa-encryption's object, {"cipherText",
    /// "iv", "tag", "key", "type"}. Give the key only to whom the document is for.
    Encrypt { file: PathBuf },
    /// Open an encrypted document (oa-encryption's object, or the envelope without its key and
    /// --key-env) and print it.
    Decrypt {
        file: PathBuf,
        /// Read the key (64 hex digits) from this environment variable instead of the file.
        #[arg(long, value_name = "VAR")]
        key_env: Option<String>,
    },
    /// List the shares the server keeps: id, the API token that made it, size, when made and
    /// when it expires. Never their content.
    List,
    /// Delete a share the server keeps, whichever token made it.
    Delete {
        #[arg(value_name = "ID")]
        id: String,
    },
}

pub fn run(home: &Home, action: &ShareAction) -> Result<Exit> {
    let read = |file: &PathBuf| -> Result<String> {
        let bytes = input::read_bounded(file, 64 << 20)?;
        String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8 text", file.display()))
    };
    match action {
        ShareAction::Encrypt { file } => {
            let key = corridor_share::Key::generate(&mut rand::rng());
            let envelope = corridor_share::encrypt(&read(file)?, &key, &mut rand::rng());
            let mut object = serde_json::to_value(&envelope)?;
            object["key"] = serde_json::Value::String(key.to_hex().to_string());
            println!("{object}");
        }
        ShareAction::Decrypt { file, key_env } => {
            let text = read(file)?;
            let object: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{}: not JSON", file.display()))?;
            let envelope: corridor_share::Envelope = serde_json::from_value(object.clone())
                .with_context(|| {
                    format!(
                        "{}: not an encrypted document (cipherText, iv, tag, type)",
                        file.display()
                    )
                })?;
            let hex = match key_env {
                Some(var) => zeroize::Zeroizing::new(
                    std::env::var(var)
                        .with_context(|| format!("the environment variable {var} is not set"))?,
                ),
                None => zeroize::Zeroizing::new(
                    object["key"]
                        .as_str()
                        .with_context(|| {
                            format!("{}: no key in the file; give --key-env", file.display())
                        })?
                        .to_string(),
                ),
            };
            let key = corridor_share::Key::from_hex(&hex)?;
            let document = corridor_share::decrypt(&envelope, &key)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            println!("{document}");
        }
        ShareAction::List => {
            for share in home.store()?.shares()? {
                println!(
                    "{}  {:<24} {:>10} bytes  made {}  expires {}",
                    share.id,
                    share.owner.as_deref().unwrap_or("(before owners)"),
                    share.bytes,
                    corridor_ledger::show_time(share.created),
                    corridor_ledger::show_time(share.expires)
                );
            }
        }
        ShareAction::Delete { id } => {
            home.store()?
                .delete_share(id, corridor_ledger::Deleter::Operator)
                .with_context(|| format!("share {id}"))?;
            eprintln!("share {id} deleted");
        }
    }
    Ok(Exit::Success)
}
