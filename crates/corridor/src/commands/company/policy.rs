//! `corridor company policy`: the disclosure policies `corridor serve` applies for partners,
//! kept in the store by id, each in its latest version.

use std::path::PathBuf;

use anyhow::{Context, Result};
use corridor_ledger::PolicyKept;

use crate::exit::{Exit, Refused};
use crate::home::Home;

#[derive(clap::Subcommand)]
pub enum PolicyAction {
    /// Keep disclosure policies (TOML files, read and checked as `company disclose` reads
    /// them) for `corridor serve`, which discloses to a partner's token only under the
    /// policies it names (`corridor token new --scope companies --policy ID`). A policy kept
    /// is replaced only by a later `version`; the same version may not change.
    Add {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// List the policies kept: id, version, direction, purpose, law.
    List,
    /// Print a kept policy's file.
    Show {
        #[arg(value_name = "ID")]
        id: String,
    },
}

pub fn run(home: &Home, action: &PolicyAction) -> Result<Exit> {
    let mut store = home.store()?;
    match action {
        PolicyAction::Add { files } => {
            // Every file is read and checked before any is kept.
            let mut read = Vec::with_capacity(files.len());
            for file in files {
                let (policy, text) = super::disclose::read_policy(file)?;
                read.push((file, policy, text));
            }
            for (file, policy, text) in read {
                let kept = store
                    .keep_policy(&policy.id, i64::from(policy.version), &text)
                    .with_context(|| format!("{}", file.display()))?;
                let what = match kept {
                    PolicyKept::Added => "kept".to_owned(),
                    PolicyKept::Replaced { version } => {
                        format!("kept, replacing version {version}")
                    }
                    PolicyKept::Unchanged => "already kept".to_owned(),
                };
                eprintln!(
                    "{}: policy {} version {} {what}",
                    file.display(),
                    policy.id,
                    policy.version
                );
            }
        }
        PolicyAction::List => {
            for kept in store.policies()? {
                let line = match corridor_company::Policy::from_toml(&kept.text) {
                    Ok(p) => format!(
                        "{}  version {}  {} → {}  {}  {}",
                        kept.id,
                        kept.version,
                        p.from.name(),
                        p.to.name(),
                        p.purpose,
                        p.law
                    ),
                    Err(e) => format!(
                        "{}  version {}  (cannot be read: {e})",
                        kept.id, kept.version
                    ),
                };
                println!("{line}");
            }
        }
        PolicyAction::Show { id } => {
            let kept = store.policy(id)?.ok_or_else(|| {
                Refused(format!(
                    "no policy {id} is kept (see `corridor company policy list`)"
                ))
            })?;
            print!("{}", kept.text);
        }
    }
    Ok(Exit::Success)
}
