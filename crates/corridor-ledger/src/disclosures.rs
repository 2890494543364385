//! The record of what crossed: every disclosure of a company profile (and every refusal) is
//! one `disclosure` entry of the hash-chained audit log, whose detail is the whole record as
//! JSON. Two tables index the entries, by partner, company, policy and time, and by the
//! people something about whom left; the audit replays the log and finds them equal.
//!
//! A record is a JSON object with at least `partner`, `company`, `policy` (an object with
//! its `id`), `outcome`, and `people` (objects with the `type` and `number` of a person's
//! identity document); whatever else it says (the fields disclosed and withheld, the basis,
//! the credential) is kept as it is.
//!
//! The disclosure policies a node applies for its partners are kept too, each by its id, in
//! its latest version, under `policy` audit entries (the SHA-256 of its text under its id): a
//! newer version replaces an older one, and the same version may not change.

use std::collections::BTreeSet;

use corridor_format::Hash32;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Store;
use crate::store::{StoreError, append_audit};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS disclosures (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, partner TEXT NOT NULL,
    company TEXT NOT NULL, policy TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS disclosures_by_partner ON disclosures (partner, seq);
CREATE INDEX IF NOT EXISTS disclosures_by_company ON disclosures (company, seq);
CREATE INDEX IF NOT EXISTS disclosures_by_at ON disclosures (at);
CREATE TABLE IF NOT EXISTS disclosure_policies (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, text TEXT NOT NULL, added_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS disclosure_people (
    number TEXT NOT NULL, kind TEXT NOT NULL, disclosure INTEGER NOT NULL,
    PRIMARY KEY (number, kind, disclosure)) WITHOUT ROWID;
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
    /// A newer version replaced this one.
    Replaced {
        version: i64,
    },
    /// The same text was kept already.
    Unchanged,
}

/// A disclosure as the log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct DisclosureEntry {
    /// Its audit entry's number.
    pub seq: i64,
    /// When (milliseconds since 1970).
    pub at: i64,
    /// The record.
    pub record: Value,
}

/// Which disclosures to list: those that match every condition given.
#[derive(Debug, Clone, Default)]
pub struct DisclosureQuery {
    pub partner: Option<String>,
    pub company: Option<String>,
    /// From this time on (milliseconds since 1970).
    pub since: Option<i64>,
    /// Before this time.
    pub until: Option<i64>,
    /// Those that disclosed something about the person with this identity document number
    /// (and of this type, if given).
    pub person: Option<(Option<String>, String)>,
}

/// The indexed parts of a record: partner, company, policy, outcome and people.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Indexed {
    partner: String,
    company: String,
    policy: String,
    outcome: String,
    people: BTreeSet<(String, String)>,
}

impl Indexed {
    fn of(record: &Value) -> Result<Indexed, String> {
        let text = |value: Option<&Value>, name: &str| {
            value
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("the disclosure record has no {name}"))
        };
        let mut people = BTreeSet::new();
        for person in record
            .get("people")
            .and_then(Value::as_array)
            .ok_or("the disclosure record has no people")?
        {
            people.insert((
                text(person.get("number"), "person's number")?,
                text(person.get("type"), "person's document type")?,
            ));
        }
        Ok(Indexed {
            partner: text(record.get("partner"), "partner")?,
            company: text(record.get("company"), "company")?,
            policy: text(record.get("policy").and_then(|p| p.get("id")), "policy id")?,
            outcome: text(record.get("outcome"), "outcome")?,
            people,
        })
    }
}

impl Store {
    /// Keeps the policy `id` of `version` with its `text`: added, or replacing an older
    /// version. An older version than the one kept, or the same version with another text, is
    /// refused.
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
                "INSERT OR REPLACE INTO disclosure_policies (id, version, text, added_at) VALUES (?1, ?2, ?3, ?4)",
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
        args: &[&dyn rusqlite::ToSql],
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

    /// Records a disclosure (or a refusal): its audit entry, and its index. The entry's
    /// number.
    pub fn record_disclosure(&mut self, record: &Value) -> Result<i64, StoreError> {
        let mut seqs = self.record_disclosures(std::slice::from_ref(record))?;
        Ok(seqs.pop().unwrap_or_default())
    }

    /// Records several disclosures in one transaction (a page of the change feed): all, or
    /// none. Their entries' numbers.
    pub fn record_disclosures(&mut self, records: &[Value]) -> Result<Vec<i64>, StoreError> {
        let indexed: Vec<(Indexed, String)> = records
            .iter()
            .map(|record| Ok((Indexed::of(record)?, record.to_string())))
            .collect::<Result<_, String>>()
            .map_err(StoreError::Disclosure)?;
        self.change_with("company", |tx, at, sqlite| {
            indexed
                .iter()
                .map(|(indexed, detail)| record_in(tx, at, sqlite, indexed, detail))
                .collect()
        })
    }

    /// The disclosures `query` asks for, in the order they were made.
    pub fn disclosures(&self, query: &DisclosureQuery) -> Result<Vec<DisclosureEntry>, StoreError> {
        let mut conditions = Vec::new();
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::new();
        if let Some(partner) = &query.partner {
            args.push(partner);
            conditions.push(format!("d.partner = ?{}", args.len()));
        }
        if let Some(company) = &query.company {
            args.push(company);
            conditions.push(format!("d.company = ?{}", args.len()));
        }
        if let Some(since) = &query.since {
            args.push(since);
            conditions.push(format!("d.at >= ?{}", args.len()));
        }
        if let Some(until) = &query.until {
            args.push(until);
            conditions.push(format!("d.at < ?{}", args.len()));
        }
        if let Some((kind, number)) = &query.person {
            args.push(number);
            let mut about = format!(
                "d.seq IN (SELECT disclosure FROM disclosure_people WHERE number = ?{}",
                args.len()
            );
            if let Some(kind) = kind {
                args.push(kind);
                about.push_str(&format!(" AND kind = ?{}", args.len()));
            }
            about.push(')');
            conditions.push(about);
        }
        let mut sql =
            "SELECT d.seq, d.at, a.detail FROM disclosures d JOIN audit a ON a.seq = d.seq"
                .to_owned();
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(" ORDER BY d.seq");
        let sqlite = |e| self.sqlite(e);
        let mut statement = self.conn.prepare(&sql).map_err(sqlite)?;
        let rows: Vec<(i64, i64, Vec<u8>)> = statement
            .query_map(args.as_slice(), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(sqlite)?
            .collect::<Result<_, _>>()
            .map_err(sqlite)?;
        rows.into_iter()
            .map(|(seq, at, detail)| {
                let record = serde_json::from_slice(&detail).map_err(|e| {
                    StoreError::Disclosure(format!(
                        "audit entry {seq} is not a disclosure record: {e}"
                    ))
                })?;
                Ok(DisclosureEntry { seq, at, record })
            })
            .collect()
    }
}

/// Records one disclosure in `tx`: its audit entry and its index. The entry's number.
fn record_in(
    tx: &rusqlite::Transaction,
    at: i64,
    sqlite: &dyn Fn(rusqlite::Error) -> StoreError,
    indexed: &Indexed,
    detail: &str,
) -> Result<i64, StoreError> {
    let subject = sha256(detail.as_bytes());
    let seq = append_audit(tx, at, "company", "disclosure", &subject, detail.as_bytes())
        .map_err(sqlite)?;
    tx.prepare_cached(
        "INSERT INTO disclosures (seq, at, partner, company, policy, outcome)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut q| {
        q.execute(params![
            seq,
            at,
            indexed.partner,
            indexed.company,
            indexed.policy,
            indexed.outcome
        ])
    })
    .map_err(sqlite)?;
    let mut person = tx
        .prepare_cached(
            "INSERT INTO disclosure_people (number, kind, disclosure) VALUES (?1, ?2, ?3)",
        )
        .map_err(sqlite)?;
    for (number, kind) in &indexed.people {
        person.execute(params![number, kind, seq]).map_err(sqlite)?;
    }
    Ok(seq)
}

fn sha256(bytes: &[u8]) -> Hash32 {
    Hash32(Sha256::digest(bytes).into())
}

/// The audit log's disclosures, replayed: each entry's number, time and indexed parts; and
/// each policy's digest as last recorded.
#[derive(Default)]
pub(crate) struct DisclosureReplay {
    entries: Vec<(i64, i64, Indexed)>,
    policies: std::collections::BTreeMap<String, Vec<u8>>,
}

impl DisclosureReplay {
    pub(crate) fn policy(&mut self, subject: &[u8], detail: &[u8]) -> Result<(), String> {
        let id = String::from_utf8(detail.to_vec())
            .map_err(|_| "its policy id is not text".to_owned())?;
        self.policies.insert(id, subject.to_vec());
        Ok(())
    }

    pub(crate) fn entry(&mut self, seq: i64, at: i64, detail: &[u8]) -> Result<(), String> {
        let record: Value = serde_json::from_slice(detail)
            .map_err(|_| "its disclosure record is not JSON".to_owned())?;
        self.entries.push((seq, at, Indexed::of(&record)?));
        Ok(())
    }

    /// Whether the index of disclosures, or the policies kept, are other than the log's.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let sqlite = |e| store.sqlite(e);
        let policies = store.policies()?;
        for policy in &policies {
            if self.policies.get(&policy.id).map(Vec::as_slice)
                != Some(sha256(policy.text.as_bytes()).as_bytes().as_slice())
            {
                return Ok(Some(format!(
                    "policy {} is not what the log last records of it",
                    policy.id
                )));
            }
        }
        if policies.len() != self.policies.len() {
            return Ok(Some(format!(
                "the log records {} policies, the store keeps {}",
                self.policies.len(),
                policies.len()
            )));
        }
        let mut query = store
            .conn
            .prepare(
                "SELECT seq, at, partner, company, policy, outcome FROM disclosures ORDER BY seq",
            )
            .map_err(sqlite)?;
        let mut kept: Vec<(i64, i64, Indexed)> = query
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    Indexed {
                        partner: r.get(2)?,
                        company: r.get(3)?,
                        policy: r.get(4)?,
                        outcome: r.get(5)?,
                        people: BTreeSet::new(),
                    },
                ))
            })
            .map_err(sqlite)?
            .collect::<Result<_, _>>()
            .map_err(sqlite)?;
        let mut people = store
            .conn
            .prepare("SELECT number, kind FROM disclosure_people WHERE disclosure = ?1")
            .map_err(sqlite)?;
        for (seq, _, indexed) in &mut kept {
            indexed.people = people
                .query_map([*seq], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(sqlite)?
                .collect::<Result<_, _>>()
                .map_err(sqlite)?;
        }
        let orphans: i64 = store
            .conn
            .query_row(
                "SELECT COUNT(*) FROM disclosure_people WHERE disclosure NOT IN (SELECT seq FROM disclosures)",
                [],
                |r| r.get(0),
            )
            .map_err(sqlite)?;
        if orphans > 0 {
            return Ok(Some(format!(
                "{orphans} people are indexed under disclosures the log does not record"
            )));
        }
        for (logged, kept) in self.entries.iter().zip(&kept) {
            if logged != kept {
                return Ok(Some(format!(
                    "disclosure {} is not indexed as the log records it",
                    logged.0.min(kept.0)
                )));
            }
        }
        if self.entries.len() != kept.len() {
            return Ok(Some(format!(
                "the log records {} disclosures, the index holds {}",
                self.entries.len(),
                kept.len()
            )));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Audit;
    use serde_json::json;

    fn record(partner: &str, company: &str, people: &[(&str, &str)]) -> Value {
        json!({
            "partner": partner,
            "company": company,
            "policy": {"id": "sg-cn-credit-check", "version": 1},
            "outcome": "disclosed",
            "disclosed": ["name.legal"],
            "people": people.iter().map(|(t, n)| json!({"type": t, "number": n})).collect::<Vec<_>>(),
        })
    }

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.sqlite")).unwrap();
        (dir, store)
    }

    #[test]
    fn disclosures_are_found_by_partner_company_time_and_person() {
        let (_dir, mut store) = open();
        let first = store
            .record_disclosure(&record("cq-credit", "SG-1", &[("SG-NRIC", "S1234567D")]))
            .unwrap();
        store
            .record_disclosure(&record("cq-credit", "SG-2", &[("CN-RIC", "S1234567D")]))
            .unwrap();
        store
            .record_disclosure(&record("other", "SG-1", &[]))
            .unwrap();
        let seqs = |query: DisclosureQuery| -> Vec<i64> {
            store
                .disclosures(&query)
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect()
        };
        assert_eq!(seqs(DisclosureQuery::default()).len(), 3);
        assert_eq!(
            seqs(DisclosureQuery {
                partner: Some("cq-credit".into()),
                ..Default::default()
            })
            .len(),
            2
        );
        assert_eq!(
            seqs(DisclosureQuery {
                company: Some("SG-1".into()),
                partner: Some("cq-credit".into()),
                ..Default::default()
            }),
            [first]
        );
        let person = |kind: Option<&str>| DisclosureQuery {
            person: Some((kind.map(str::to_owned), "S1234567D".into())),
            ..Default::default()
        };
        assert_eq!(seqs(person(None)).len(), 2);
        assert_eq!(seqs(person(Some("SG-NRIC"))), [first]);
        let entry = &store.disclosures(&person(Some("SG-NRIC"))).unwrap()[0];
        assert_eq!(entry.record["disclosed"], json!(["name.legal"]));
        assert!(
            seqs(DisclosureQuery {
                since: Some(entry.at + 3_600_000),
                ..Default::default()
            })
            .is_empty()
        );
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 3 });
    }

    #[test]
    fn policies_are_kept_by_version_and_audited() {
        let (_dir, mut store) = open();
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

    #[test]
    fn a_record_without_its_parts_is_refused_and_an_altered_index_is_named() {
        let (_dir, mut store) = open();
        assert!(matches!(
            store.record_disclosure(&json!({"partner": "p"})),
            Err(StoreError::Disclosure(_))
        ));
        let seq = store
            .record_disclosure(&record("cq-credit", "SG-1", &[("SG-NRIC", "S1234567D")]))
            .unwrap();
        store
            .conn
            .execute("DELETE FROM disclosure_people WHERE disclosure = ?1", [seq])
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::RecordsDiffer { problem } if problem.contains(&format!("disclosure {seq}"))
        ));
    }
}
