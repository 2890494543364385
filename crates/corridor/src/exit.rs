//! How a run ends, for a script: one exit-code convention across every command (the README's
//! "Exit codes"), and errors told apart by what went wrong rather than where.

use std::process::ExitCode;

use corridor_chain::ChainError;
use corridor_ledger::{LedgerError, StoreError};
use corridor_title::RegistryError;

/// A run's outcome, as its exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done; everything asked about is valid.
    Success,
    /// 1: a definite negative answer: invalid, revoked, not issued, refused by the rules or
    /// by a contract.
    Negative,
    /// 2: the command could not be run as given: a bad argument or input file, a missing key
    /// or variable, no registry.
    Usage,
    /// 3: the outside world could not be asked: a node, a nameserver, a responder.
    Unreachable,
}

impl Exit {
    /// The exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Negative => 1,
            Exit::Usage => 2,
            Exit::Unreachable => 3,
        }
    }

    /// The name a `--json` error carries as its `code`.
    pub fn name(self) -> &'static str {
        match self {
            Exit::Success => "success",
            Exit::Negative => "refused",
            Exit::Usage => "usage",
            Exit::Unreachable => "unreachable",
        }
    }

    /// What kind of failure `error` is: the first error in its chain that says so, else a
    /// usage or setup error.
    pub fn of(error: &anyhow::Error) -> Exit {
        error
            .chain()
            .find_map(|e| {
                if e.is::<Refused>() {
                    Some(Exit::Negative)
                } else if let Some(e) = e.downcast_ref::<ChainError>() {
                    Some(of_chain(e))
                } else if let Some(e) = e.downcast_ref::<LedgerError>() {
                    Some(match e {
                        LedgerError::Store(e) => of_store(e),
                        LedgerError::Backend(e) => of_backend(e.as_ref()),
                    })
                } else if let Some(e) = e.downcast_ref::<StoreError>() {
                    Some(of_store(e))
                } else if let Some(e) = e.downcast_ref::<RegistryError>() {
                    Some(match e {
                        RegistryError::Backend(e) => of_backend(e.as_ref()),
                        _ => Exit::Negative,
                    })
                } else if e.is::<corridor_verify::providers::LookupError>() {
                    Some(Exit::Unreachable)
                } else {
                    None
                }
            })
            .unwrap_or(Exit::Usage)
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// A definite refusal by the command itself: an input that does not verify, a reason the
/// ledger cannot keep. Exit 1.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn of_chain(e: &ChainError) -> Exit {
    match e {
        ChainError::Unreachable { .. } | ChainError::Unconfirmed { .. } => Exit::Unreachable,
        ChainError::Reverted { .. } | ChainError::Failed { .. } => Exit::Negative,
        ChainError::WrongChain { .. } | ChainError::Invalid(_) => Exit::Usage,
    }
}

fn of_store(e: &StoreError) -> Exit {
    match e {
        StoreError::AlreadyIssued { .. } | StoreError::AlreadyRevoked { .. } => Exit::Negative,
        _ => Exit::Usage,
    }
}

fn of_backend(e: &(dyn std::error::Error + Send + Sync + 'static)) -> Exit {
    match e.downcast_ref::<ChainError>() {
        Some(e) => of_chain(e),
        None => match e.downcast_ref::<StoreError>() {
            Some(e) => of_store(e),
            None => Exit::Usage,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn errors_are_told_apart_through_context_and_boxes() {
        let down = ChainError::Unreachable {
            target: "local".into(),
            detail: "connection refused".into(),
        };
        let boxed = LedgerError::Backend(Box::new(down.clone()));
        let with_context = Err::<(), _>(boxed).context("issuing").unwrap_err();
        assert_eq!(Exit::of(&with_context), Exit::Unreachable);

        let refused = RegistryError::Backend(Box::new(ChainError::Reverted {
            what: "mint".into(),
            reason: "nope".into(),
            data: Default::default(),
        }));
        assert_eq!(Exit::of(&anyhow::Error::new(refused)), Exit::Negative);
        assert_eq!(
            Exit::of(&anyhow::Error::new(Refused("tampered".into())).context("a.json")),
            Exit::Negative
        );
        assert_eq!(Exit::of(&anyhow::anyhow!("no such file")), Exit::Usage);
        assert_eq!(
            Exit::of(&anyhow::Error::new(ChainError::Invalid("bad".into()))),
            Exit::Usage
        );
    }
}
