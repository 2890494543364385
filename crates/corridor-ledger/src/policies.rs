//! The disclosure policies a node applies for its partners, each kept by its id in its latest
//! version, under `policy` audit entries (the SHA-256 of its text under its id): a later
//! version replaces an earlier one, and a version kept may not change.

use std::collections::BTreeMap;

use corridor_db::{OptionalExtension, params};
use corridor_format::Hash32;
use sha2::{Digest, Sha256};

use crate::Store;
use crate::store::{StoreError, append_audit};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS disclosure_policies (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, text TEXT NOT NULL, added_at INTEGER NOT NULL);
";

/// A disclosure policy as kept: its text is the policy file's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    pub id: String,
    pub version: i64,
    pub text: String,
    /// When it was kept (milliseconds since 1970).
    pub added_at: i64,
}

/// What keeping a policy did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKept {
    Added,
    /// A later version replaced this one.
    Replaced {
        version: i64,
    },
    /// The same text was kept already.
    Unchanged,
}

fn sha256(bytes: &[u8]) -> Hash32 {
    Hash32(Sha256::digest(bytes).into())
}

impl Store {
    /// Keeps the policy `id` of `version` with its `text`: added, or replacing an earlier
    /// version. An earlier version than the one kept, or the same version with another text,
    /// is refused.
    pub fn keep_policy(
        &mut self,
        id: &str,
        version: i64,
        text: &str,
    ) -> Result<PolicyKept, StoreError> {
        self.change_with("company", |tx, at, sqlite| {
            let kept: Option<(i64, String)> = tx
                .query_row(
                    "SELECT version, text FROM disclosure_policies WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(sqlite)?;
            let outcome = match kept {
                Some((v, t)) if v == version && t == text => return Ok(PolicyKept::Unchanged),
                Some((v, _)) if v >= version => {
                    return Err(StoreError::Disclosure(format!(
                        "policy {id}: version {v} is kept; give a later version than {version} to change it"
                    )));
                }
                Some((v, _)) => PolicyKept::Replaced { version: v },
                None => PolicyKept::Added,
            };
            tx.execute(
                "INSERT INTO disclosure_policies (id, version, text, added_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, text = excluded.text, added_at = excluded.added_at",
                params![id, version, text, at],
            )
            .map_err(sqlite)?;
            append_audit(tx, at, "company", "policy", &sha256(text.as_bytes()), id.as_bytes())
                .map_err(sqlite)?;
            Ok(outcome)
        })
    }

    /// The policy kept under `id`, if one is.
    pub fn policy(&self, id: &str) -> Result<Option<StoredPolicy>, StoreError> {
        Ok(self.policies_where("WHERE id = ?1", &[&id])?.pop())
    }

    /// Every policy kept, by id.
    pub fn policies(&self) -> Result<Vec<StoredPolicy>, StoreError> {
        self.policies_where("", &[])
    }

    fn policies_where(
        &self,
        condition: &str,
        args: &[&dyn corridor_db::ToSql],
    ) -> Result<Vec<StoredPolicy>, StoreError> {
        let sqlite = |e| self.sqlite(e);
        self.conn
            .prepare_cached(&format!(
                "SELECT id, version, text, added_at FROM disclosure_policies {condition} ORDER BY id"
            ))
            .and_then(|mut q| {
                q.query_map(args, |r| {
                    Ok(StoredPolicy {
                        id: r.get(0)?,
                        version: r.get(1)?,
                        text: r.get(2)?,
                        added_at: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(sqlite)
    }
}

/// The audit log's policies, replayed: each one's digest as last recorded.
#[derive(Default)]
pub(crate) struct PolicyReplay {
    latest: BTreeMap<String, Vec<u8>>,
}

impl PolicyReplay {
    pub(crate) fn entry(&mut self, subject: &[u8], detail: &[u8]) -> Result<(), String> {
        let id = String::from_utf8(detail.to_vec())
            .map_err(|_| "its policy id is not text".to_owned())?;
        self.latest.insert(id, subject.to_vec());
        Ok(())
    }

    /// Whether the policies kept are other than those the log records.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let policies = store.policies()?;
        for policy in &policies {
            if self.latest.get(&policy.id).map(Vec::as_slice)
                != Some(sha256(policy.text.as_bytes()).as_bytes().as_slice())
            {
                return Ok(Some(format!(
                    "policy {} is not what the log last records of it",
                    policy.id
                )));
            }
        }
        if policies.len() != self.latest.len() {
            return Ok(Some(format!(
                "the log records {} policies, the store keeps {}",
                self.latest.len(),
                policies.len()
            )));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Audit;
    use crate::testing::{TestPlace, on_both_backends};

    on_both_backends!(policies_are_kept_by_version_and_audited);

    fn policies_are_kept_by_version_and_audited(place: TestPlace) {
        let mut store = place.open();
        assert_eq!(store.keep_policy("p", 1, "a").unwrap(), PolicyKept::Added);
        assert_eq!(
            store.keep_policy("p", 1, "a").unwrap(),
            PolicyKept::Unchanged
        );
        assert!(matches!(
            store.keep_policy("p", 1, "b"),
            Err(StoreError::Disclosure(_))
        ));
        assert_eq!(
            store.keep_policy("p", 2, "b").unwrap(),
            PolicyKept::Replaced { version: 1 }
        );
        assert!(matches!(
            store.keep_policy("p", 1, "c"),
            Err(StoreError::Disclosure(_))
        ));
        assert_eq!(store.policy("p").unwrap().unwrap().text, "b");
        assert_eq!(store.policies().unwrap().len(), 1);
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 2 });
        store
            .conn
            .execute("UPDATE disclosure_policies SET text = 'c'", [])
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::RecordsDiffer { problem } if problem.contains("policy p")
        ));
    }
}
