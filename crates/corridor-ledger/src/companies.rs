//! Company profiles kept for look-up, for the change feed partners mirror, and for issuing
//! and disclosing: one row a company (found by its id), its keys (identifiers, name keys) in
//! a table of their own, and a change number that grows with every change, which the feed
//! pages by.
//!
//! A company is one company by its primary identifier (UEN, unified social credit code): an
//! import that brings a record of a company already kept replaces it only if it is as of the
//! same day or later, and a record whose identifier another id holds is refused. Every change is one
//! `company` audit entry: the SHA-256 of the row as kept, under the company's id.
//!
//! Each company's profile credential, as its provider signed it, is kept beside it with the
//! change of the profile it was issued over (a newer profile needs a new credential), under a
//! `company-credential` audit entry: the SHA-256 of the credential, under the company's id.

use std::collections::BTreeMap;

use corridor_db::{Connection, Dialect, OptionalExtension, Transaction, params};
use corridor_format::Hash32;
use sha2::{Digest, Sha256};

use crate::Store;
use crate::store::{StoreError, append_audit};

/// A company as it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyRow {
    pub id: String,
    /// `SG`, `CN-CQ`, …
    pub jurisdiction: String,
    /// Its profile, as JSON text.
    pub profile: String,
    /// The day its source vouches for it as of (`YYYY-MM-DD`).
    pub as_of: String,
    /// When it last changed at its source.
    pub updated_at: String,
    /// What it is found by: `(kind, key)`, such as `("uen", "201912345K")` or
    /// `("name", "moumoutechnology")`. The first `uen` or `uscc` is its primary identifier.
    pub keys: Vec<(String, String)>,
}

impl CompanyRow {
    fn primary(&self) -> Option<&str> {
        self.keys
            .iter()
            .find(|(kind, _)| kind == "uen" || kind == "uscc")
            .map(|(_, key)| key.as_str())
    }

    /// What the audit entry of this row records: SHA-256 over its fields, each
    /// length-prefixed.
    fn digest(&self) -> Hash32 {
        let mut hasher = Sha256::new();
        for part in [
            &self.id,
            &self.jurisdiction,
            &self.profile,
            &self.as_of,
            &self.updated_at,
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        Hash32(hasher.finalize().into())
    }
}

/// A company kept, with the change that last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCompany {
    pub row: CompanyRow,
    pub change: i64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyImport {
    /// Companies not kept before.
    pub added: u64,
    /// Companies kept before, replaced by a record as of a later day.
    pub updated: u64,
    /// Records the same as what was kept.
    pub unchanged: u64,
    /// Records of companies kept (or imported) as of a later day: not taken.
    pub older: u64,
}

/// Why a company import was refused whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompanyConflict {
    #[error("{id}: its identifier {identifier} is held by company {holder}")]
    IdentifierHeld {
        id: String,
        identifier: String,
        holder: String,
    },
    #[error("{id}: the record has no UEN or unified social credit code")]
    NoPrimaryIdentifier { id: String },
}

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS companies (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, jurisdiction TEXT NOT NULL,
    profile TEXT NOT NULL, as_of TEXT NOT NULL, updated_at TEXT NOT NULL,
    change INTEGER NOT NULL, primary_id TEXT NOT NULL UNIQUE);
CREATE INDEX IF NOT EXISTS companies_by_change ON companies (change);
CREATE TABLE IF NOT EXISTS company_keys (
    kind TEXT NOT NULL, key TEXT NOT NULL, company INTEGER NOT NULL,
    PRIMARY KEY (kind, key, company)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS company_keys_by_company ON company_keys (company);
CREATE TABLE IF NOT EXISTS company_credentials (
    company TEXT PRIMARY KEY, change INTEGER NOT NULL, credential TEXT NOT NULL,
    issued_at INTEGER NOT NULL, seq INTEGER NOT NULL UNIQUE);
";

/// The generation of what a partner's look-up reads (companies, their credentials, tokens,
/// policies), counted up by every change to them, whoever makes it (this server, a command
/// line in another process, another server on the same PostgreSQL database): a server keeps
/// what it read for as long as the count stands, while its own records of disclosures, which
/// change none of it, go on.
const LOOK_UP_GENERATION: &str = "
CREATE TABLE IF NOT EXISTS generations (of TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO generations (of, n) VALUES ('look-ups', 0) ON CONFLICT DO NOTHING;
";

/// The tables whose changes count up the look-ups' generation.
const LOOKED_UP: [&str; 4] = [
    "companies",
    "company_credentials",
    "api_tokens",
    "disclosure_policies",
];

/// Makes the look-ups' generation and the triggers that count it, in the store's dialect.
pub(crate) fn count_look_up_generations(conn: &Connection) -> corridor_db::Result<()> {
    conn.create_schema(LOOK_UP_GENERATION)?;
    let mut triggers = String::new();
    match conn.dialect() {
        Dialect::Sqlite => {
            for table in LOOKED_UP {
                for event in ["insert", "update", "delete"] {
                    triggers.push_str(&format!(
                        "CREATE TRIGGER IF NOT EXISTS look_ups_after_{event}_{table} AFTER {event} ON {table}
                         BEGIN UPDATE generations SET n = n + 1 WHERE of = 'look-ups'; END;\n"
                    ));
                }
            }
        }
        Dialect::Postgres => {
            triggers.push_str(
                "CREATE OR REPLACE FUNCTION look_ups_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN UPDATE generations SET n = n + 1 WHERE of = 'look-ups'; RETURN NULL; END $$;\n",
            );
            for table in LOOKED_UP {
                triggers.push_str(&format!(
                    "CREATE OR REPLACE TRIGGER look_ups_after_{table}
                     AFTER INSERT OR UPDATE OR DELETE ON {table}
                     FOR EACH STATEMENT EXECUTE FUNCTION look_ups_changed();\n"
                ));
            }
        }
    }
    conn.execute_batch(&triggers)
}

/// A company's profile credential as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyCredential {
    /// Its place in the order credentials were kept: the cursor of the feed partners mirror.
    pub seq: i64,
    /// The change of the profile it was issued over.
    pub change: i64,
    /// The credential, signed, as JSON text.
    pub credential: String,
    /// When it was kept (milliseconds since 1970).
    pub issued_at: i64,
}

/// Keeps the credentials of one issuing run, inside its transaction.
pub struct CredentialWriter<'t> {
    tx: &'t Transaction<'t>,
    at: i64,
    sqlite: &'t dyn Fn(corridor_db::Error) -> StoreError,
}

impl CredentialWriter<'_> {
    /// Hands out the next `count` entries of the store's status list at `url`: the first.
    pub fn allocate_status_indexes(&mut self, url: &str, count: u64) -> Result<u64, StoreError> {
        crate::status_lists::allocate_in(self.tx, self.at, url, count).map_err(self.sqlite)?
    }

    /// As [`Store::companies_to_issue`], seeing what this run kept: what it issued for is no
    /// longer due.
    pub fn companies_to_issue(
        &self,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<StoredCompany>, StoreError> {
        companies_where(self.tx, self.sqlite, TO_ISSUE, &[&cursor], limit)
    }

    /// Keeps `credential` as company `company`'s, issued over its profile of change `change`,
    /// in place of the one before.
    pub fn put(&mut self, company: &str, change: i64, credential: &str) -> Result<(), StoreError> {
        let sqlite = self.sqlite;
        self.tx
            .prepare_cached(
                "INSERT INTO company_credentials (company, change, credential, issued_at, seq)
                 VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(seq), 0) + 1 FROM company_credentials)) ON CONFLICT (company) DO UPDATE SET change = excluded.change, credential = excluded.credential, issued_at = excluded.issued_at, seq = excluded.seq",
            )
            .and_then(|mut q| q.execute(params![company, change, credential, self.at]))
            .map_err(sqlite)?;
        append_audit(
            self.tx,
            self.at,
            "company",
            "company-credential",
            &sha256(credential.as_bytes()),
            company.as_bytes(),
        )
        .map_err(sqlite)?;
        Ok(())
    }
}

fn sha256(bytes: &[u8]) -> Hash32 {
    Hash32(Sha256::digest(bytes).into())
}

/// Writes the companies of one import, inside its transaction.
pub struct CompanyWriter<'t> {
    tx: &'t Transaction<'t>,
    at: i64,
    change: i64,
    report: CompanyImport,
    sqlite: &'t dyn Fn(corridor_db::Error) -> StoreError,
}

impl CompanyWriter<'_> {
    /// Keeps `row`: a new company added; a kept one replaced if `row` is as of the same day
    /// or later (and differs), else left as it is. A record whose primary identifier another
    /// company holds is refused, which refuses the import.
    pub fn put(&mut self, row: &CompanyRow) -> Result<(), StoreError> {
        let sqlite = self.sqlite;
        let Some(primary) = row.primary() else {
            return Err(CompanyConflict::NoPrimaryIdentifier { id: row.id.clone() }.into());
        };
        let holder: Option<String> = self
            .tx
            .prepare_cached("SELECT id FROM companies WHERE primary_id = ?1")
            .and_then(|mut q| q.query_row([primary], |r| r.get(0)).optional())
            .map_err(sqlite)?;
        if let Some(holder) = holder.filter(|h| *h != row.id) {
            return Err(CompanyConflict::IdentifierHeld {
                id: row.id.clone(),
                identifier: primary.to_owned(),
                holder,
            }
            .into());
        }
        let kept: Option<(i64, String, String)> = self
            .tx
            .prepare_cached("SELECT seq, as_of, profile FROM companies WHERE id = ?1")
            .and_then(|mut q| {
                q.query_row([&row.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(sqlite)?;
        let seq = match kept {
            Some((_, as_of, _)) if as_of > row.as_of => {
                self.report.older += 1;
                return Ok(());
            }
            Some((_, as_of, profile)) if as_of == row.as_of && profile == row.profile => {
                self.report.unchanged += 1;
                return Ok(());
            }
            Some((seq, _, _)) => {
                self.report.updated += 1;
                Some(seq)
            }
            None => {
                self.report.added += 1;
                None
            }
        };
        self.change += 1;
        write_company(self.tx, seq, row, self.change).map_err(sqlite)?;
        append_audit(
            self.tx,
            self.at,
            "company",
            "company",
            &row.digest(),
            row.id.as_bytes(),
        )
        .map_err(sqlite)?;
        Ok(())
    }
}

impl Store {
    /// Runs `feed` with a writer of companies, in one transaction: what it puts is kept if
    /// it returns `Ok`, and nothing of it if it returns an error (its own, or the writer's).
    pub fn import_companies<T, E: From<StoreError>>(
        &mut self,
        feed: impl FnOnce(&mut CompanyWriter<'_>) -> Result<T, E>,
    ) -> Result<(T, CompanyImport), E> {
        // An import looks up and inserts each company's identifiers and name keys: a page
        // cache that holds their indexes saves reading them again and again.
        self.with_bulk_cache(|store| store.import_in_transaction(feed))
    }

    fn import_in_transaction<T, E: From<StoreError>>(
        &mut self,
        feed: impl FnOnce(&mut CompanyWriter<'_>) -> Result<T, E>,
    ) -> Result<(T, CompanyImport), E> {
        self.change_with("company", |tx, at, sqlite| {
            let change: i64 = tx
                .query_row("SELECT COALESCE(MAX(change), 0) FROM companies", [], |r| {
                    r.get(0)
                })
                .map_err(sqlite)?;
            let mut writer = CompanyWriter {
                tx,
                at,
                change,
                report: CompanyImport::default(),
                sqlite,
            };
            let fed = feed(&mut writer)?;
            Ok((fed, writer.report))
        })
    }

    /// Runs `issue` with a writer of profile credentials, in one transaction: what it keeps is
    /// kept if it returns `Ok`, and nothing of it (nor the status entries it took) otherwise.
    pub fn issue_company_credentials<T, E: From<StoreError>>(
        &mut self,
        issue: impl FnOnce(&mut CredentialWriter<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.change_with("company", |tx, at, sqlite| {
            issue(&mut CredentialWriter { tx, at, sqlite })
        })
    }

    /// Company `id`'s profile credential, if one is kept.
    pub fn company_credential(&self, id: &str) -> Result<Option<CompanyCredential>, StoreError> {
        Ok(self
            .credentials_where("company = ?1", &[&id], 1)?
            .pop()
            .map(|(_, _, credential)| credential))
    }

    /// The profile credentials kept after `cursor` (a credential's `seq`), in the order they
    /// were kept, `limit` at most: each with its company's id and jurisdiction. What a partner
    /// mirroring this store pulls; the last one's `seq` is its next cursor.
    pub fn company_credentials_since(
        &self,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<(String, String, CompanyCredential)>, StoreError> {
        self.credentials_where("k.seq > ?1", &[&cursor], limit)
    }

    fn credentials_where(
        &self,
        condition: &str,
        args: &[&dyn corridor_db::ToSql],
        limit: usize,
    ) -> Result<Vec<(String, String, CompanyCredential)>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.conn
            .prepare_cached(&format!(
                "SELECT k.company, c.jurisdiction, k.seq, k.change, k.credential, k.issued_at
                 FROM company_credentials k JOIN companies c ON c.id = k.company
                 WHERE {condition} ORDER BY k.seq LIMIT {limit}"
            ))
            .and_then(|mut q| {
                q.query_map(args, |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        CompanyCredential {
                            seq: r.get(2)?,
                            change: r.get(3)?,
                            credential: r.get(4)?,
                            issued_at: r.get(5)?,
                        },
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.sqlite(e))
    }

    /// The companies whose profile has no credential, or a newer one than its credential's,
    /// changed after change `cursor`, oldest change first, `limit` at most.
    pub fn companies_to_issue(
        &self,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<StoredCompany>, StoreError> {
        self.companies_where(TO_ISSUE, &[&cursor], limit)
    }

    /// The company kept under `id`, if one is.
    pub fn company(&self, id: &str) -> Result<Option<StoredCompany>, StoreError> {
        let mut found = self.companies_where("c.id = ?1", &[&id], 1)?;
        Ok(found.pop())
    }

    /// The companies a look-up finds: the one kept under `id`, else those holding the
    /// identifier `identifier` (a UEN, credit code or LEI, as normalised), else those whose
    /// name has the key `name_key`.
    pub fn find_companies(
        &self,
        id: &str,
        identifier: &str,
        name_key: &str,
    ) -> Result<Vec<StoredCompany>, StoreError> {
        let mut found = Vec::new();
        for (id, _) in self.find_company_ids(id, identifier, name_key)? {
            found.extend(self.company(&id)?);
        }
        Ok(found)
    }

    /// As [`Store::find_companies`], only each company's id and jurisdiction: what a server
    /// needs to look up before it answers from what it prepared.
    pub fn find_company_ids(
        &self,
        id: &str,
        identifier: &str,
        name_key: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let sqlite = |e| self.sqlite(e);
        let mut by_id = self
            .conn
            .prepare_cached("SELECT id, jurisdiction FROM companies WHERE id = ?1")
            .map_err(sqlite)?;
        let found: Vec<(String, String)> = by_id
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(sqlite)?;
        if !found.is_empty() {
            return Ok(found);
        }
        let mut by_key = self
            .conn
            .prepare_cached(
                "SELECT c.id, c.jurisdiction FROM companies c WHERE c.seq IN
                 (SELECT company FROM company_keys WHERE kind = ?1 AND key = ?2) ORDER BY c.change",
            )
            .map_err(sqlite)?;
        for (kind, key) in [
            ("uen", identifier),
            ("uscc", identifier),
            ("lei", identifier),
            ("name", name_key),
        ] {
            let found: Vec<(String, String)> = by_key
                .query_map([kind, key], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(Iterator::collect)
                .map_err(sqlite)?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }

    /// The place in the order kept of company `id`'s profile credential, if one is kept.
    pub fn company_credential_seq(&self, id: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .prepare_cached("SELECT seq FROM company_credentials WHERE company = ?1")
            .and_then(|mut q| q.query_row([id], |r| r.get(0)).optional())
            .map_err(|e| self.sqlite(e))
    }

    /// The generation of what a partner's look-up reads: it changes whenever a company, a
    /// profile credential, an API token or a disclosure policy does, and only then.
    pub fn look_up_generation(&self) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached("SELECT n FROM generations WHERE of = 'look-ups'")
            .and_then(|mut q| q.query_row([], |r| r.get(0)))
            .map_err(|e| self.sqlite(e))
    }

    /// The companies found by `key` of `kind` (`uen`, `uscc`, `lei`, `name`), by id.
    pub fn companies_by_key(
        &self,
        kind: &str,
        key: &str,
    ) -> Result<Vec<StoredCompany>, StoreError> {
        self.companies_where(
            "c.seq IN (SELECT company FROM company_keys WHERE kind = ?1 AND key = ?2)",
            &[&kind, &key],
            usize::MAX,
        )
    }

    /// The companies changed after change `cursor`, oldest change first, `limit` at most:
    /// what a partner mirroring this store asks for, with the last one's change as its next
    /// cursor.
    pub fn companies_changed_since(
        &self,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<StoredCompany>, StoreError> {
        self.companies_where("c.change > ?1", &[&cursor], limit)
    }

    fn companies_where(
        &self,
        condition: &str,
        args: &[&dyn corridor_db::ToSql],
        limit: usize,
    ) -> Result<Vec<StoredCompany>, StoreError> {
        companies_where(&self.conn, &|e| self.sqlite(e), condition, args, limit)
    }

    /// How many companies [`Store::companies_to_issue`] would give in all.
    pub fn count_companies_to_issue(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT COUNT(*) FROM companies c WHERE {TO_ISSUE}"),
                [0],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.sqlite(e))
    }
}

/// The companies whose credential is missing or older than their profile, changed after the
/// change `?1`.
const TO_ISSUE: &str = "c.change > ?1 AND NOT EXISTS (SELECT 1 FROM company_credentials k
    WHERE k.company = c.id AND k.change >= c.change)";

/// The companies kept that meet `condition` (on `companies c`), by change, `limit` at most.
fn companies_where(
    conn: &corridor_db::Connection,
    sqlite: &dyn Fn(corridor_db::Error) -> StoreError,
    condition: &str,
    args: &[&dyn corridor_db::ToSql],
    limit: usize,
) -> Result<Vec<StoredCompany>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut query = conn
        .prepare_cached(&format!(
            "SELECT c.seq, c.id, c.jurisdiction, c.profile, c.as_of, c.updated_at, c.change
                 FROM companies c WHERE {condition} ORDER BY c.change LIMIT {limit}"
        ))
        .map_err(sqlite)?;
    let rows: Vec<(i64, StoredCompany)> = query
        .query_map(args, |r| {
            Ok((
                r.get(0)?,
                StoredCompany {
                    row: CompanyRow {
                        id: r.get(1)?,
                        jurisdiction: r.get(2)?,
                        profile: r.get(3)?,
                        as_of: r.get(4)?,
                        updated_at: r.get(5)?,
                        keys: Vec::new(),
                    },
                    change: r.get(6)?,
                },
            ))
        })
        .map_err(sqlite)?
        .collect::<Result<_, _>>()
        .map_err(sqlite)?;
    let mut keys = conn
        .prepare_cached("SELECT kind, key FROM company_keys WHERE company = ?1")
        .map_err(sqlite)?;
    rows.into_iter()
        .map(|(seq, mut company)| {
            company.row.keys = keys
                .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(sqlite)?
                .collect::<Result<_, _>>()
                .map_err(sqlite)?;
            Ok(company)
        })
        .collect()
}

/// Writes `row` as change `change`: over the row `seq` when the company was kept before.
fn write_company(
    tx: &Transaction,
    seq: Option<i64>,
    row: &CompanyRow,
    change: i64,
) -> corridor_db::Result<()> {
    let primary = row.primary().unwrap_or_default();
    let seq = match seq {
        Some(seq) => {
            tx.prepare_cached(
                "UPDATE companies SET jurisdiction = ?2, profile = ?3, as_of = ?4, updated_at = ?5,
                 change = ?6, primary_id = ?7 WHERE seq = ?1",
            )?
            .execute(params![
                seq,
                row.jurisdiction,
                row.profile,
                row.as_of,
                row.updated_at,
                change,
                primary
            ])?;
            tx.prepare_cached("DELETE FROM company_keys WHERE company = ?1")?
                .execute([seq])?;
            seq
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO companies (id, jurisdiction, profile, as_of, updated_at, change, primary_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING seq",
            )?
            .query_row(params![row.id, row.jurisdiction, row.profile, row.as_of, row.updated_at, change, primary], |r| r.get(0))?
        }
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO company_keys (kind, key, company) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    for (kind, key) in &row.keys {
        insert.execute(params![kind, key, seq])?;
    }
    Ok(())
}

/// The audit log's companies, replayed: each company's digest as last recorded, and its
/// credential's.
#[derive(Default)]
pub(crate) struct CompanyReplay {
    latest: BTreeMap<String, Vec<u8>>,
    credentials: BTreeMap<String, Vec<u8>>,
}

impl CompanyReplay {
    pub(crate) fn entry(
        &mut self,
        action: &str,
        subject: &[u8],
        detail: &[u8],
    ) -> Result<(), String> {
        let id = String::from_utf8(detail.to_vec())
            .map_err(|_| "its company id is not text".to_owned())?;
        let latest = if action == "company-credential" {
            &mut self.credentials
        } else {
            &mut self.latest
        };
        latest.insert(id, subject.to_vec());
        Ok(())
    }

    /// Whether the companies kept are other than those the log records.
    pub(crate) fn differs(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let sqlite = |e| store.sqlite(e);
        let mut query = store
            .conn
            .prepare("SELECT id, jurisdiction, profile, as_of, updated_at FROM companies")
            .map_err(sqlite)?;
        let mut rows = query.query([]).map_err(sqlite)?;
        let mut seen = 0usize;
        while let Some(r) = rows.next().map_err(sqlite)? {
            let row = CompanyRow {
                id: r.get(0).map_err(sqlite)?,
                jurisdiction: r.get(1).map_err(sqlite)?,
                profile: r.get(2).map_err(sqlite)?,
                as_of: r.get(3).map_err(sqlite)?,
                updated_at: r.get(4).map_err(sqlite)?,
                keys: Vec::new(),
            };
            seen += 1;
            match self.latest.get(&row.id) {
                Some(digest) if digest.as_slice() == row.digest().as_bytes() => {}
                Some(_) => {
                    return Ok(Some(format!(
                        "company {} is not what the log last records of it",
                        row.id
                    )));
                }
                None => return Ok(Some(format!("company {} is in no log entry", row.id))),
            }
        }
        if seen != self.latest.len() {
            return Ok(Some(format!(
                "the log records {} companies, the store keeps {seen}",
                self.latest.len()
            )));
        }
        self.credentials_differ(store)
    }

    fn credentials_differ(&self, store: &Store) -> Result<Option<String>, StoreError> {
        let sqlite = |e| store.sqlite(e);
        let mut query = store
            .conn
            .prepare("SELECT company, credential FROM company_credentials")
            .map_err(sqlite)?;
        let kept: Vec<(String, String)> = query
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sqlite)?
            .collect::<Result<_, _>>()
            .map_err(sqlite)?;
        for (company, credential) in &kept {
            match self.credentials.get(company) {
                Some(digest) if digest.as_slice() == sha256(credential.as_bytes()).as_bytes() => {}
                Some(_) => {
                    return Ok(Some(format!(
                        "the profile credential of company {company} is not what the log last records of it"
                    )));
                }
                None => {
                    return Ok(Some(format!(
                        "the profile credential of company {company} is in no log entry"
                    )));
                }
            }
        }
        if kept.len() != self.credentials.len() {
            return Ok(Some(format!(
                "the log records {} profile credentials, the store keeps {}",
                self.credentials.len(),
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
    use crate::testing::{TestPlace, on_both_backends};

    on_both_backends!(
        an_import_that_fails_keeps_nothing,
        an_import_keeps_the_latest_record_of_each_company_and_audits_it,
        an_identifier_held_by_another_company_refuses_the_whole_import,
        credentials_are_kept_per_profile_and_a_newer_profile_needs_another,
        an_edited_profile_is_named_by_the_audit,
    );

    fn row(id: &str, uen: &str, as_of: &str, name: &str) -> CompanyRow {
        CompanyRow {
            id: id.into(),
            jurisdiction: "SG".into(),
            profile: format!(r#"{{"name":{{"legal":"{name}"}}}}"#),
            as_of: as_of.into(),
            updated_at: as_of.into(),
            keys: vec![
                ("uen".into(), uen.into()),
                ("name".into(), name.to_lowercase()),
            ],
        }
    }

    fn import(store: &mut Store, rows: &[CompanyRow]) -> Result<CompanyImport, StoreError> {
        store
            .import_companies(|writer| rows.iter().try_for_each(|row| writer.put(row)))
            .map(|((), report)| report)
    }

    fn an_import_that_fails_keeps_nothing(place: TestPlace) {
        let mut store = place.open();
        let failed: Result<((), CompanyImport), StoreError> = store.import_companies(|writer| {
            writer.put(&row("SG-1", "53312345K", "2026-10-31", "Alpha"))?;
            Err(StoreError::Trace("the feed failed".into()))
        });
        assert!(failed.is_err());
        assert!(store.company("SG-1").unwrap().is_none());
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 0 });
    }

    fn an_import_keeps_the_latest_record_of_each_company_and_audits_it(place: TestPlace) {
        let mut store = place.open();
        let first = import(
            &mut store,
            &[
                row("SG-1", "53312345K", "2026-10-31", "Alpha"),
                row("SG-2", "53312346K", "2026-10-31", "Beta"),
                row("SG-1", "53312345K", "2026-09-30", "Alpha Old"),
            ],
        )
        .unwrap();
        assert_eq!(
            first,
            CompanyImport {
                added: 2,
                older: 1,
                ..Default::default()
            }
        );
        assert!(
            store
                .company("SG-1")
                .unwrap()
                .unwrap()
                .row
                .profile
                .contains("\"Alpha\"")
        );
        let again = import(
            &mut store,
            &[
                row("SG-1", "53312345K", "2026-10-31", "Alpha"),
                row("SG-2", "53312346K", "2026-11-30", "Beta Renamed"),
                row("SG-1", "53312345K", "2026-01-01", "Alpha Older"),
            ],
        )
        .unwrap();
        assert_eq!(
            again,
            CompanyImport {
                updated: 1,
                unchanged: 1,
                older: 1,
                ..Default::default()
            }
        );
        let found = store.companies_by_key("name", "beta renamed").unwrap();
        assert_eq!(found.len(), 1);
        assert!(store.companies_by_key("name", "beta").unwrap().is_empty());
        // The feed: SG-1 then SG-2 (changed again), paged by the change number.
        let changed = store.companies_changed_since(0, 10).unwrap();
        let ids: Vec<&str> = changed.iter().map(|c| c.row.id.as_str()).collect();
        assert_eq!(ids, ["SG-1", "SG-2"]);
        let after = store
            .companies_changed_since(changed[0].change, 10)
            .unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 3 });
    }

    fn an_identifier_held_by_another_company_refuses_the_whole_import(place: TestPlace) {
        let mut store = place.open();
        import(
            &mut store,
            &[row("SG-1", "53312345K", "2026-10-31", "Alpha")],
        )
        .unwrap();
        let refused = import(
            &mut store,
            &[
                row("SG-3", "53312347K", "2026-10-31", "Gamma"),
                row("SG-9", "53312345K", "2026-10-31", "Alpha Again"),
            ],
        );
        assert!(
            matches!(refused, Err(StoreError::Company(CompanyConflict::IdentifierHeld { ref holder, .. })) if holder == "SG-1"),
            "{refused:?}"
        );
        assert!(
            store.company("SG-3").unwrap().is_none(),
            "nothing is half-imported"
        );
    }

    fn credentials_are_kept_per_profile_and_a_newer_profile_needs_another(place: TestPlace) {
        let mut store = place.open();
        import(
            &mut store,
            &[
                row("SG-1", "53312345K", "2026-10-31", "Alpha"),
                row("SG-2", "53312346K", "2026-10-31", "Beta"),
            ],
        )
        .unwrap();
        let to_issue = |store: &Store| -> Vec<String> {
            let found = store.companies_to_issue(0, 10).unwrap();
            found.into_iter().map(|c| c.row.id).collect()
        };
        assert_eq!(to_issue(&store), ["SG-1", "SG-2"]);
        let kept: Result<(), StoreError> = store.issue_company_credentials(|writer| {
            writer.put("SG-1", 1, r#"{"c":"SG-1"}"#)?;
            writer.put("SG-2", 2, r#"{"c":"SG-2"}"#)?;
            Ok(())
        });
        kept.unwrap();
        assert!(to_issue(&store).is_empty());
        let feed = store.company_credentials_since(0, 10).unwrap();
        let order: Vec<(&str, i64)> = feed.iter().map(|(id, _, k)| (id.as_str(), k.seq)).collect();
        assert_eq!(order, [("SG-1", 1), ("SG-2", 2)]);
        assert_eq!(store.company_credentials_since(1, 10).unwrap().len(), 1);
        assert_eq!(
            store
                .company_credential("SG-2")
                .unwrap()
                .unwrap()
                .credential,
            r#"{"c":"SG-2"}"#
        );
        // A newer profile of SG-1: its credential is no longer current.
        import(
            &mut store,
            &[row("SG-1", "53312345K", "2026-11-30", "Alpha Two")],
        )
        .unwrap();
        assert_eq!(to_issue(&store), ["SG-1"]);
        store
            .issue_company_credentials(|writer| writer.put("SG-1", 3, r#"{"c":"SG-1 again"}"#))
            .unwrap();
        // Issued again, it comes after the others in the feed.
        let feed = store.company_credentials_since(1, 10).unwrap();
        let order: Vec<(&str, i64)> = feed.iter().map(|(id, _, k)| (id.as_str(), k.seq)).collect();
        assert_eq!(order, [("SG-2", 2), ("SG-1", 3)]);
        import(
            &mut store,
            &[row("SG-1", "53312345K", "2026-12-31", "Alpha Three")],
        )
        .unwrap();
        // A run that fails keeps none of its credentials.
        let failed: Result<(), StoreError> = store.issue_company_credentials(|writer| {
            writer.put("SG-1", 3, "{}")?;
            Err(StoreError::Trace("signing failed".into()))
        });
        assert!(failed.is_err());
        assert_eq!(to_issue(&store), ["SG-1"]);
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 7 });
        store
            .conn
            .execute(
                "UPDATE company_credentials SET credential = '{}' WHERE company = 'SG-2'",
                [],
            )
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::RecordsDiffer { problem } if problem.contains("credential of company SG-2")
        ));
    }

    fn an_edited_profile_is_named_by_the_audit(place: TestPlace) {
        let mut store = place.open();
        import(
            &mut store,
            &[row("SG-1", "53312345K", "2026-10-31", "Alpha")],
        )
        .unwrap();
        store
            .conn
            .execute("UPDATE companies SET profile = '{}' WHERE id = 'SG-1'", [])
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            Audit::RecordsDiffer { problem } if problem.contains("SG-1")
        ));
    }
}
