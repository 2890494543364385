//! The record of what crossed: every disclosure of a company profile (and every refusal) is
//! one `disclosure` entry of the hash-chained audit log, whose detail is the whole record as
//! JSON. Two tables index the entries, by partner, company, policy and time, and by the
//! people something about whom left; the audit replays the log and finds them equal.
//!
//! A record is a JSON object with at least `partner`, `company`, `policy` (an object with
//! its `id`), `outcome`, and `people` (objects with the `type` and `number` of a person's
//! identity document); whatever else it says (the fields disclosed and withheld, the basis,
//! the credential) is kept as it is.

use std::collections::BTreeSet;

use corridor_format::Hash32;
use rusqlite::params;
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
CREATE TABLE IF NOT EXISTS disclosure_people (
    number TEXT NOT NULL, kind TEXT NOT NULL, disclosure INTEGER NOT NULL,
    PRIMARY KEY (number, kind, disclosure)) WITHOUT ROWID;
";

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
    /// Records a disclosure (or a refusal): its audit entry, and its index. The entry's
    /// number.
    pub fn record_disclosure(&mut self, record: &Value) -> Result<i64, StoreError> {
        let indexed = Indexed::of(record).map_err(StoreError::Disclosure)?;
        let detail = record.to_string();
        let subject = Hash32(Sha256::digest(detail.as_bytes()).into());
        self.change_with("company", |tx, at, sqlite| {
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

/// The audit log's disclosures, replayed: each entry's number, time and indexed parts.
#[derive(Default)]
pub(crate) struct DisclosureReplay {
    entries: Vec<(i64, i64, Indexed)>,
}

impl DisclosureReplay {
    pub(crate) fn entry(&mut self, seq: i64, at: i64, detail: &[u8]) -> Result<(), String> {
        let record: Value = serde_json::from_slice(detail)
            .map_err(|_| "its disclosure record is not JSON".to_owned())?;
        self.entries.push((seq, at, Indexed::of(&record)?));
        Ok(())
    }

    /// Whether the index of disclosures is other than the log's.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let sqlite = |e| store.sqlite(e);
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
