//! The record of what crossed: every disclosure of a company profile (and every refusal) is
//! in the hash-chained audit log.
//!
//! A record is a JSON object. Three of its fields say to whom and on what basis, and differ
//! from one disclosure to the next: `partner`, `company` and `basis`. The rest is what was
//! judged (the credential, the policy, the outcome, the fields disclosed and withheld, the
//! people, the copy's digest), and is the same every time one credential is disclosed under
//! one policy with a basis of the same standing: its *shape*. A shape is one
//! `disclosure-shape` entry the first time it is recorded; each disclosure is then one small
//! `disclosure` entry naming its shape by SHA-256. The log stays the whole record (a shape's
//! entry is chained like any other), and a partner mirroring a million profiles adds a million
//! small entries, not a million copies of the same lists.
//!
//! A shape has at least `policy` (an object with its `id`), `outcome`, and `people` (objects
//! with the `type` and `number` of a person's identity document). Tables index the entries by
//! partner, company, policy and time, and the shapes by the people something about whom
//! left; the audit replays the log and finds them equal.

use std::collections::{BTreeMap, BTreeSet};

use corridor_db::{OptionalExtension, Transaction, params};
use corridor_format::Hash32;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::Store;
use crate::store::{StoreError, append_audit};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS disclosures (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, partner TEXT NOT NULL,
    company TEXT NOT NULL, policy TEXT NOT NULL, outcome TEXT NOT NULL, shape BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS disclosures_by_partner ON disclosures (partner, seq);
CREATE INDEX IF NOT EXISTS disclosures_by_at ON disclosures (at);
CREATE TABLE IF NOT EXISTS disclosure_shapes (
    hash BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS disclosure_people (
    number TEXT NOT NULL, kind TEXT NOT NULL, shape BLOB NOT NULL,
    PRIMARY KEY (number, kind, shape)) WITHOUT ROWID;
";

/// The fields of a record that are the disclosure's own; the rest is its shape.
const OWN: [&str; 3] = ["partner", "company", "basis"];

/// What was judged in a disclosure, ready to record: its text, its SHA-256, and what is
/// indexed of it. Made once, it may be recorded for any number of disclosures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    text: String,
    hash: Hash32,
    policy: String,
    outcome: String,
    people: BTreeSet<(String, String)>,
}

impl Shape {
    /// About how many bytes it holds: what a cache of shapes counts.
    pub fn size(&self) -> usize {
        let people: usize = self.people.iter().map(|(a, b)| a.len() + b.len()).sum();
        self.text.len() + self.policy.len() + self.outcome.len() + people + 32
    }

    /// The shape of `record` (a whole record, or only its shape's fields).
    pub fn of(record: &Value) -> Result<Shape, StoreError> {
        let fields: Map<String, Value> = record
            .as_object()
            .ok_or_else(|| StoreError::Disclosure("a disclosure record is a JSON object".into()))?
            .iter()
            .filter(|(k, _)| !OWN.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let text = Value::Object(fields).to_string();
        Shape::read(text).map_err(StoreError::Disclosure)
    }

    fn read(text: String) -> Result<Shape, String> {
        let shape: Value =
            serde_json::from_str(&text).map_err(|_| "a disclosure's shape is not JSON")?;
        let mut people = BTreeSet::new();
        for person in shape
            .get("people")
            .and_then(Value::as_array)
            .ok_or("the disclosure record has no people")?
        {
            people.insert((
                text_of(person.get("number"), "person's number")?,
                text_of(person.get("type"), "person's document type")?,
            ));
        }
        Ok(Shape {
            hash: sha256(text.as_bytes()),
            policy: text_of(shape.get("policy").and_then(|p| p.get("id")), "policy id")?,
            outcome: text_of(shape.get("outcome"), "outcome")?,
            people,
            text,
        })
    }
}

fn text_of(value: Option<&Value>, name: &str) -> Result<String, String> {
    value
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("the disclosure record has no {name}"))
}

fn sha256(bytes: &[u8]) -> Hash32 {
    Hash32(Sha256::digest(bytes).into())
}

/// One disclosure to record: its shape, and to whom, of which company, on what basis (a JSON
/// value: `{"kind", "reference"}` or null).
#[derive(Debug, Clone, Copy)]
pub struct Disclosed<'a> {
    pub shape: &'a Shape,
    pub partner: &'a str,
    pub company: &'a str,
    pub basis: &'a Value,
}

/// A disclosure as the log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct DisclosureEntry {
    /// Its audit entry's number.
    pub seq: i64,
    /// When (milliseconds since 1970).
    pub at: i64,
    /// The whole record: its own fields and its shape's.
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

/// A disclosure entry's own fields as the log writes them.
fn own_detail(disclosed: &Disclosed) -> String {
    serde_json::json!({
        "partner": disclosed.partner,
        "company": disclosed.company,
        "basis": disclosed.basis,
        "shape": const_hex::encode(disclosed.shape.hash.as_bytes()),
    })
    .to_string()
}

impl Store {
    /// Records a disclosure (or a refusal) given as one whole record: its audit entries, and
    /// its index. The disclosure entry's number.
    pub fn record_disclosure(&mut self, record: &Value) -> Result<i64, StoreError> {
        let shape = Shape::of(record)?;
        let own = |name: &str| record.get(name).and_then(Value::as_str).unwrap_or_default();
        let disclosed = Disclosed {
            shape: &shape,
            partner: own("partner"),
            company: own("company"),
            basis: record.get("basis").unwrap_or(&Value::Null),
        };
        if disclosed.partner.is_empty() || disclosed.company.is_empty() {
            return Err(StoreError::Disclosure(
                "the disclosure record has no partner or no company".into(),
            ));
        }
        let mut seqs = self.record_disclosures(&[disclosed])?;
        Ok(seqs.pop().unwrap_or_default())
    }

    /// Records several disclosures in one transaction (a page of the change feed, or the
    /// requests a server gathered): all, or none. Their entries' numbers.
    pub fn record_disclosures(&mut self, all: &[Disclosed]) -> Result<Vec<i64>, StoreError> {
        self.change_with("company", |tx, at, sqlite| {
            all.iter()
                .map(|disclosed| record_in(tx, at, sqlite, disclosed))
                .collect()
        })
    }

    /// The disclosures `query` asks for, in the order they were made, each record whole.
    pub fn disclosures(&self, query: &DisclosureQuery) -> Result<Vec<DisclosureEntry>, StoreError> {
        let mut conditions = Vec::new();
        let mut args: Vec<&dyn corridor_db::ToSql> = Vec::new();
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
                "d.shape IN (SELECT shape FROM disclosure_people WHERE number = ?{}",
                args.len()
            );
            if let Some(kind) = kind {
                args.push(kind);
                about.push_str(&format!(" AND kind = ?{}", args.len()));
            }
            about.push(')');
            conditions.push(about);
        }
        let mut sql = "SELECT d.seq, d.at, a.detail, sa.detail FROM disclosures d
             JOIN audit a ON a.seq = d.seq
             JOIN disclosure_shapes s ON s.hash = d.shape
             JOIN audit sa ON sa.seq = s.seq"
            .to_owned();
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(" ORDER BY d.seq");
        let sqlite = |e| self.sqlite(e);
        let mut statement = self.conn.prepare(&sql).map_err(sqlite)?;
        let rows: Vec<(i64, i64, Vec<u8>, Vec<u8>)> = statement
            .query_map(args.as_slice(), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(sqlite)?
            .collect::<Result<_, _>>()
            .map_err(sqlite)?;
        rows.into_iter()
            .map(|(seq, at, own, shape)| {
                let unreadable = |what: &str| {
                    StoreError::Disclosure(format!("audit entry {seq}: its {what} is not JSON"))
                };
                let Value::Object(own) =
                    serde_json::from_slice(&own).map_err(|_| unreadable("record"))?
                else {
                    return Err(unreadable("record"));
                };
                let Value::Object(shape) =
                    serde_json::from_slice(&shape).map_err(|_| unreadable("shape"))?
                else {
                    return Err(unreadable("shape"));
                };
                let mut record: Map<String, Value> = own
                    .into_iter()
                    .filter(|(k, _)| OWN.contains(&k.as_str()))
                    .collect();
                record.extend(shape);
                Ok(DisclosureEntry {
                    seq,
                    at,
                    record: Value::Object(record),
                })
            })
            .collect()
    }
}

/// Records one disclosure in `tx`: its shape's entry the first time, its own entry, and their
/// index. The disclosure entry's number.
fn record_in(
    tx: &Transaction,
    at: i64,
    sqlite: &dyn Fn(corridor_db::Error) -> StoreError,
    disclosed: &Disclosed,
) -> Result<i64, StoreError> {
    let shape = disclosed.shape;
    let hash = shape.hash.as_bytes().as_slice();
    let known: Option<i64> = tx
        .prepare_cached("SELECT seq FROM disclosure_shapes WHERE hash = ?1")
        .and_then(|mut q| q.query_row([hash], |r| r.get(0)).optional())
        .map_err(sqlite)?;
    if known.is_none() {
        let seq = append_audit(
            tx,
            at,
            "company",
            "disclosure-shape",
            &shape.hash,
            shape.text.as_bytes(),
        )
        .map_err(sqlite)?;
        tx.prepare_cached("INSERT INTO disclosure_shapes (hash, seq) VALUES (?1, ?2)")
            .and_then(|mut q| q.execute(params![hash, seq]))
            .map_err(sqlite)?;
        let mut person = tx
            .prepare_cached(
                "INSERT INTO disclosure_people (number, kind, shape) VALUES (?1, ?2, ?3)",
            )
            .map_err(sqlite)?;
        for (number, kind) in &shape.people {
            person
                .execute(params![number, kind, hash])
                .map_err(sqlite)?;
        }
    }
    let detail = own_detail(disclosed);
    let seq = append_audit(
        tx,
        at,
        "company",
        "disclosure",
        &sha256(detail.as_bytes()),
        detail.as_bytes(),
    )
    .map_err(sqlite)?;
    tx.prepare_cached(
        "INSERT INTO disclosures (seq, at, partner, company, policy, outcome, shape)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut q| {
        q.execute(params![
            seq,
            at,
            disclosed.partner,
            disclosed.company,
            shape.policy,
            shape.outcome,
            hash
        ])
    })
    .map_err(sqlite)?;
    Ok(seq)
}

/// A disclosure's row in the index: number, time, partner, company, policy, outcome, shape.
type Row = (i64, i64, String, String, String, String, Vec<u8>);

/// The audit log's disclosures, replayed: the shapes recorded (by hash: their entry and
/// people), and each disclosure's row of the index.
#[derive(Default)]
pub(crate) struct DisclosureReplay {
    shapes: BTreeMap<Vec<u8>, (i64, Shape)>,
    rows: Vec<Row>,
}

impl DisclosureReplay {
    pub(crate) fn shape(&mut self, seq: i64, detail: &[u8]) -> Result<(), String> {
        let text = String::from_utf8(detail.to_vec())
            .map_err(|_| "its disclosure shape is not text".to_owned())?;
        let shape = Shape::read(text)?;
        let hash = shape.hash.as_bytes().to_vec();
        if self.shapes.insert(hash, (seq, shape)).is_some() {
            return Err("it records a disclosure shape recorded before".into());
        }
        Ok(())
    }

    pub(crate) fn entry(&mut self, seq: i64, at: i64, detail: &[u8]) -> Result<(), String> {
        let own: Value = serde_json::from_slice(detail)
            .map_err(|_| "its disclosure record is not JSON".to_owned())?;
        let hash = own
            .get("shape")
            .and_then(Value::as_str)
            .and_then(|h| const_hex::decode(h).ok())
            .ok_or("its disclosure record names no shape")?;
        let Some((_, shape)) = self.shapes.get(&hash) else {
            return Err("its disclosure names a shape no earlier entry records".into());
        };
        self.rows.push((
            seq,
            at,
            text_of(own.get("partner"), "partner")?,
            text_of(own.get("company"), "company")?,
            shape.policy.clone(),
            shape.outcome.clone(),
            hash,
        ));
        Ok(())
    }

    /// Whether the index of disclosures, shapes or people is other than the log's.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let sqlite = |e| store.sqlite(e);
        let rows: Vec<Row> = store
            .conn
            .prepare("SELECT seq, at, partner, company, policy, outcome, shape FROM disclosures ORDER BY seq")
            .and_then(|mut q| {
                q.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
                })?
                .collect()
            })
            .map_err(sqlite)?;
        for (logged, kept) in self.rows.iter().zip(&rows) {
            if logged != kept {
                return Ok(Some(format!(
                    "disclosure {} is not indexed as the log records it",
                    logged.0.min(kept.0)
                )));
            }
        }
        if self.rows.len() != rows.len() {
            return Ok(Some(format!(
                "the log records {} disclosures, the index holds {}",
                self.rows.len(),
                rows.len()
            )));
        }
        let shapes: BTreeMap<Vec<u8>, i64> = store
            .conn
            .prepare("SELECT hash, seq FROM disclosure_shapes")
            .and_then(|mut q| q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(sqlite)?;
        let logged: BTreeMap<Vec<u8>, i64> = self
            .shapes
            .iter()
            .map(|(hash, (seq, _))| (hash.clone(), *seq))
            .collect();
        if shapes != logged {
            return Ok(Some(
                "the disclosure shapes are not indexed as the log records them".into(),
            ));
        }
        let people: BTreeSet<(String, String, Vec<u8>)> = store
            .conn
            .prepare("SELECT number, kind, shape FROM disclosure_people")
            .and_then(|mut q| {
                q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(sqlite)?;
        let logged: BTreeSet<(String, String, Vec<u8>)> = self
            .shapes
            .iter()
            .flat_map(|(hash, (_, shape))| {
                shape
                    .people
                    .iter()
                    .map(|(number, kind)| (number.clone(), kind.clone(), hash.clone()))
            })
            .collect();
        if people != logged {
            return Ok(Some(
                "the people disclosures were about are not indexed as the log records them".into(),
            ));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Audit;
    use crate::testing::{TestPlace, on_both_backends};
    use serde_json::json;

    on_both_backends!(
        disclosures_are_found_by_partner_company_time_and_person,
        what_a_look_up_reads_has_a_generation_that_records_of_disclosures_leave_alone,
        a_record_without_its_parts_is_refused_and_an_altered_index_is_named,
    );

    fn record(partner: &str, company: &str, people: &[(&str, &str)]) -> Value {
        json!({
            "partner": partner,
            "company": company,
            "basis": {"kind": "consent", "reference": format!("C-{partner}")},
            "policy": {"id": "sg-cn-credit-check", "version": 1},
            "outcome": "disclosed",
            "disclose": ["name.legal"],
            "people": people.iter().map(|(t, n)| json!({"type": t, "number": n})).collect::<Vec<_>>(),
        })
    }

    fn disclosures_are_found_by_partner_company_time_and_person(place: TestPlace) {
        let mut store = place.open();
        let first = store
            .record_disclosure(&record("cq-credit", "SG-1", &[("SG-NRIC", "S1234567D")]))
            .unwrap();
        store
            .record_disclosure(&record("cq-credit", "SG-2", &[("CN-RIC", "S1234567D")]))
            .unwrap();
        // The same shape again, for another partner: one more small entry.
        store
            .record_disclosure(&record("other", "SG-1", &[("SG-NRIC", "S1234567D")]))
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
        let partner = |p: &str| DisclosureQuery {
            partner: Some(p.into()),
            ..Default::default()
        };
        assert_eq!(seqs(partner("cq-credit")).len(), 2);
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
        assert_eq!(seqs(person(None)).len(), 3);
        assert_eq!(seqs(person(Some("SG-NRIC"))).len(), 2);
        // Each record comes back whole, as it was given.
        let entry = &store.disclosures(&partner("other")).unwrap()[0];
        let mut given = record("other", "SG-1", &[("SG-NRIC", "S1234567D")]);
        let mut got = entry.record.clone();
        given.as_object_mut().unwrap().sort_keys();
        got.as_object_mut().unwrap().sort_keys();
        assert_eq!(got, given);
        assert!(
            seqs(DisclosureQuery {
                since: Some(entry.at + 3_600_000),
                ..Default::default()
            })
            .is_empty()
        );
        // Two shapes and three disclosures.
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 5 });
    }

    fn what_a_look_up_reads_has_a_generation_that_records_of_disclosures_leave_alone(
        place: TestPlace,
    ) {
        let mut store = place.open();
        let mut generation = store.look_up_generation().unwrap();
        let mut moved = |store: &Store| {
            let now = store.look_up_generation().unwrap();
            let moved = now != generation;
            generation = now;
            moved
        };
        store.record_disclosure(&record("p", "SG-1", &[])).unwrap();
        assert!(
            !moved(&store),
            "a disclosure changes nothing a look-up reads"
        );
        let scopes = crate::Scopes {
            companies: Some(["sg-cn".to_owned()].into()),
            ..Default::default()
        };
        store
            .new_api_token("partner", &scopes, &mut rand::rng())
            .unwrap();
        assert!(moved(&store), "a new token");
        store.revoke_api_token("partner").unwrap();
        assert!(moved(&store), "a revoked token");
        store.keep_policy("sg-cn", 1, "id = \"sg-cn\"").unwrap();
        assert!(moved(&store), "a policy kept");
        store
            .issue_company_credentials(|writer| writer.put("SG-1", 0, "{}"))
            .unwrap();
        assert!(moved(&store), "a credential kept");
        // Edited by hand, too.
        store
            .conn
            .execute("DELETE FROM company_credentials", [])
            .unwrap();
        assert!(moved(&store), "a credential deleted");
        store.record_disclosure(&record("p", "SG-2", &[])).unwrap();
        assert!(!moved(&store));
    }

    fn a_record_without_its_parts_is_refused_and_an_altered_index_is_named(place: TestPlace) {
        let mut store = place.open();
        assert!(matches!(
            store.record_disclosure(&json!({"partner": "p"})),
            Err(StoreError::Disclosure(_))
        ));
        let seq = store
            .record_disclosure(&record("cq-credit", "SG-1", &[("SG-NRIC", "S1234567D")]))
            .unwrap();
        store
            .conn
            .execute(
                "UPDATE disclosures SET partner = 'someone' WHERE seq = ?1",
                [seq],
            )
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::RecordsDiffer { problem } if problem.contains(&format!("disclosure {seq}"))
        ));
        store
            .conn
            .execute(
                "UPDATE disclosures SET partner = 'cq-credit' WHERE seq = ?1",
                [seq],
            )
            .unwrap();
        store
            .conn
            .execute("DELETE FROM disclosure_people", [])
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::RecordsDiffer { problem } if problem.contains("people")
        ));
    }
}
