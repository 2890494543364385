//! API tokens for `corridor serve`'s writes: made here, shown once, kept only as their
//! SHA-256, so the store never holds a token that could be read back and used. Each token
//! carries the scopes it may write in, and, for revocation, the issuers it may act for.

use std::collections::BTreeSet;

use corridor_db::{OptionalExtension, params};
use corridor_gs1::Gln;
use sha2::{Digest, Sha256};

use crate::Store;
use crate::store::{StoreError, add_column, now_ms};

/// A kind of write an API token may be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// `POST /api/issue`: sign and record documents with the server's key.
    Issue,
    /// `POST /api/revoke`, for the issuers the token names.
    Revoke,
    /// `POST` and `DELETE /api/shares`: keep and delete encrypted documents.
    Share,
    /// Title actions and chain title transactions.
    Titles,
    /// EPCIS 2.0 capture and query (`/capture`, `/events`), for the party the token names.
    Trace,
    /// Company profiles (`/api/companies`), disclosed under the policies the token names: a
    /// partner's look-ups and the change feed it mirrors.
    Companies,
}

impl Scope {
    /// Every scope, in the order they are written.
    pub const ALL: [Scope; 6] = [
        Scope::Issue,
        Scope::Revoke,
        Scope::Share,
        Scope::Titles,
        Scope::Trace,
        Scope::Companies,
    ];

    /// The scope's name, as `corridor token new --scope` takes it and errors say it.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Issue => "issue",
            Scope::Revoke => "revoke",
            Scope::Share => "share",
            Scope::Titles => "titles",
            Scope::Trace => "trace",
            Scope::Companies => "companies",
        }
    }

    /// The scope named `name`, if one is.
    pub fn from_name(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The issuers a token with the revoke scope may revoke for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issuers {
    /// Every issuer of the store: what a token made without `--issuer` gets.
    Any,
    /// These only (never empty).
    Named(BTreeSet<String>),
}

impl Issuers {
    /// Whether `issuer` is one of them.
    pub fn include(&self, issuer: &str) -> bool {
        match self {
            Issuers::Any => true,
            Issuers::Named(names) => names.contains(issuer),
        }
    }
}

/// Whose traceability events a token with the trace scope captures and queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceParty {
    /// Any party's: the repository's operator (what a token made without `--party` gets).
    Any,
    /// One party's (its party GLN): it captures events that party recorded, and queries those
    /// and its partners' events about the same things.
    Party(Gln),
}

/// What a token may write: its scopes, revocation carrying the issuers it is for, so that a
/// token cannot hold one without the other.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes {
    pub issue: bool,
    /// The issuers it may revoke for, if it may revoke.
    pub revoke: Option<Issuers>,
    pub share: bool,
    pub titles: bool,
    /// The party it captures and queries events for, if it may.
    pub trace: Option<TraceParty>,
    /// The disclosure policies (by id, never none) it receives company profiles under, if
    /// it may ask for them.
    pub companies: Option<BTreeSet<String>>,
}

impl Scopes {
    /// Every scope of layout version 2, revoking for any issuer: what tokens made before
    /// scopes existed keep, so that upgrading Corridor does not break what uses them.
    pub fn all() -> Scopes {
        Scopes {
            issue: true,
            revoke: Some(Issuers::Any),
            share: true,
            titles: true,
            trace: None,
            companies: None,
        }
    }

    /// Whether `scope` is among them.
    pub fn allow(&self, scope: Scope) -> bool {
        match scope {
            Scope::Issue => self.issue,
            Scope::Revoke => self.revoke.is_some(),
            Scope::Share => self.share,
            Scope::Titles => self.titles,
            Scope::Trace => self.trace.is_some(),
            Scope::Companies => self.companies.is_some(),
        }
    }

    /// Whether revoking for `issuer` is among them.
    pub fn allow_revoking_for(&self, issuer: &str) -> bool {
        self.revoke.as_ref().is_some_and(|i| i.include(issuer))
    }

    /// The scopes held, in order.
    pub fn held(&self) -> Vec<Scope> {
        Scope::ALL.into_iter().filter(|s| self.allow(*s)).collect()
    }

    /// The scopes as kept in the store: their names, space-separated.
    fn names(&self) -> String {
        let names: Vec<&str> = self.held().into_iter().map(Scope::name).collect();
        names.join(" ")
    }

    /// The revoking issuers as kept in the store: NULL for any, else a JSON array.
    fn issuers_column(&self) -> Option<String> {
        match &self.revoke {
            Some(Issuers::Named(names)) => {
                Some(serde_json::to_string(names).expect("names serialize"))
            }
            _ => None,
        }
    }

    /// The trace party as kept in the store: NULL for any, else its 13 digits.
    fn trace_party_column(&self) -> Option<String> {
        match self.trace {
            Some(TraceParty::Party(gln)) => Some(gln.to_string()),
            _ => None,
        }
    }

    /// The disclosure policies as kept in the store: NULL for none, else a JSON array.
    fn policies_column(&self) -> Option<String> {
        self.companies
            .as_ref()
            .map(|ids| serde_json::to_string(ids).expect("ids serialize"))
    }

    /// The scopes kept as `names` with `issuers`, `trace_party` and `policies`; `None` if the
    /// columns are not what Corridor writes.
    fn from_columns(
        names: &str,
        issuers: Option<&str>,
        trace_party: Option<&str>,
        policies: Option<&str>,
    ) -> Option<Scopes> {
        let mut scopes = Scopes::default();
        for name in names.split_whitespace() {
            match Scope::from_name(name)? {
                Scope::Issue => scopes.issue = true,
                Scope::Revoke => {
                    scopes.revoke = Some(match issuers {
                        None => Issuers::Any,
                        Some(list) => Issuers::Named(
                            serde_json::from_str::<BTreeSet<String>>(list)
                                .ok()
                                .filter(|n| !n.is_empty())?,
                        ),
                    })
                }
                Scope::Share => scopes.share = true,
                Scope::Titles => scopes.titles = true,
                Scope::Trace => {
                    scopes.trace = Some(match trace_party {
                        None => TraceParty::Any,
                        Some(gln) => TraceParty::Party(gln.parse().ok()?),
                    })
                }
                Scope::Companies => {
                    scopes.companies = Some(
                        serde_json::from_str::<BTreeSet<String>>(policies?)
                            .ok()
                            .filter(|ids| !ids.is_empty())?,
                    )
                }
            }
        }
        Some(scopes)
    }
}

/// What the store knows of a token: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    pub scopes: Scopes,
    /// Milliseconds since the Unix epoch.
    pub created: i64,
    pub revoked: Option<i64>,
}

/// A live token, as a request made with it is allowed: its name and scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveToken {
    pub name: String,
    pub scopes: Scopes,
}

/// A token's row: name, created, revoked, scopes, the issuers it revokes for, its trace party,
/// its disclosure policies.
type TokenRow = (
    String,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The prefix of every token, so that one found in a log or a paste is recognisable.
const PREFIX: &str = "corridor_";

/// Adds what a store of layout version 2 lacks: the scopes of its tokens. Tokens made before
/// scopes existed keep every scope (see [`Scopes::all`]).
pub(crate) fn migrate(conn: &corridor_db::Connection) -> corridor_db::Result<()> {
    add_column(
        conn,
        "api_tokens",
        "scopes",
        "TEXT NOT NULL DEFAULT 'issue revoke share titles'",
    )?;
    add_column(conn, "api_tokens", "revoke_issuers", "TEXT")?;
    // Layout version 6: the party a trace token is for.
    add_column(conn, "api_tokens", "trace_party", "TEXT")?;
    // Layout version 10: the disclosure policies a companies token receives profiles under.
    add_column(conn, "api_tokens", "company_policies", "TEXT")?;
    Ok(())
}

impl Store {
    /// Makes a token named `name` that may write in `scopes` and returns it; only its hash
    /// is kept.
    pub fn new_api_token(
        &mut self,
        name: &str,
        scopes: &Scopes,
        rng: &mut impl rand::Rng,
    ) -> Result<String, StoreError> {
        if name.is_empty() || name.len() > 64 {
            return Err(StoreError::BadTokenName(name.into()));
        }
        if scopes.held().is_empty() {
            return Err(StoreError::NoScopes(name.into()));
        }
        let mut secret = [0u8; 32];
        rng.fill(&mut secret);
        let token = format!("{PREFIX}{}", const_hex::encode(secret));
        let inserted = self
            .conn
            .execute(
                "INSERT INTO api_tokens (name, hash, created, scopes, revoke_issuers, trace_party,
                 company_policies) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                params![
                    name,
                    token_digest(&token).as_slice(),
                    now_ms(),
                    scopes.names(),
                    scopes.issuers_column(),
                    scopes.trace_party_column(),
                    scopes.policies_column()
                ],
            )
            .map_err(|e| self.sqlite(e))?;
        if inserted == 0 {
            return Err(StoreError::TokenExists(name.into()));
        }
        Ok(token)
    }

    /// Revokes the token named `name`; it stops working at once.
    pub fn revoke_api_token(&mut self, name: &str) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE api_tokens SET revoked = ?2 WHERE name = ?1 AND revoked IS NULL",
                params![name, now_ms()],
            )
            .map_err(|e| self.sqlite(e))?;
        if changed == 0 {
            return Err(StoreError::UnknownToken(name.into()));
        }
        Ok(())
    }

    /// The tokens, by name.
    pub fn api_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let rows: Vec<TokenRow> = self
            .conn
            .prepare(
                "SELECT name, created, revoked, scopes, revoke_issuers, trace_party, company_policies
                 FROM api_tokens ORDER BY name",
            )
            .and_then(|mut q| {
                q.query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.sqlite(e))?;
        rows.into_iter()
            .map(
                |(name, created, revoked, scopes, issuers, party, policies)| {
                    Ok(TokenInfo {
                        scopes: read_scopes(&name, &scopes, [issuers, party, policies])?,
                        name,
                        created,
                        revoked,
                    })
                },
            )
            .collect()
    }

    /// The live token `token` is, if any.
    pub fn api_token(&self, token: &str) -> Result<Option<LiveToken>, StoreError> {
        if !token.starts_with(PREFIX) {
            return Ok(None);
        }
        type Row = (String, String, [Option<String>; 3]);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT name, scopes, revoke_issuers, trace_party, company_policies FROM api_tokens
                 WHERE hash = ?1 AND revoked IS NULL",
                [token_digest(token).as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?])),
            )
            .optional()
            .map_err(|e| self.sqlite(e))?;
        row.map(|(name, scopes, columns)| {
            Ok(LiveToken {
                scopes: read_scopes(&name, &scopes, columns)?,
                name,
            })
        })
        .transpose()
    }
}

/// The scopes of the token `name` as its row keeps them: the names, then the columns of the
/// revoking issuers, the trace party and the disclosure policies.
fn read_scopes(
    name: &str,
    scopes: &str,
    [issuers, party, policies]: [Option<String>; 3],
) -> Result<Scopes, StoreError> {
    Scopes::from_columns(
        scopes,
        issuers.as_deref(),
        party.as_deref(),
        policies.as_deref(),
    )
    .ok_or_else(|| StoreError::Corrupt(format!("the scopes of API token {name:?} cannot be read")))
}

/// What the store keeps of a token: its SHA-256, by which a server may also key what it
/// read of the token without holding the token itself.
pub fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestPlace, on_both_backends};

    on_both_backends!(
        a_token_works_until_revoked_and_is_kept_only_as_its_hash,
        scopes_and_revoking_issuers_are_kept_as_given,
    );

    fn sharing() -> Scopes {
        Scopes {
            share: true,
            ..Scopes::default()
        }
    }

    fn a_token_works_until_revoked_and_is_kept_only_as_its_hash(place: TestPlace) {
        let mut store = place.open();
        let token = store
            .new_api_token("ci", &sharing(), &mut rand::rng())
            .unwrap();
        assert_eq!(
            store.api_token(&token).unwrap(),
            Some(LiveToken {
                name: "ci".into(),
                scopes: sharing()
            })
        );
        assert!(store.api_token(&format!("{token}0")).unwrap().is_none());
        assert!(matches!(
            store.new_api_token("ci", &sharing(), &mut rand::rng()),
            Err(StoreError::TokenExists(_))
        ));
        // The bytes of the file are SQLite's alone to read.
        if let Some(path) = place.location.file() {
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            let file = std::fs::read(path).unwrap();
            let wal = std::fs::read(wal).unwrap_or_default();
            for bytes in [file, wal] {
                assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
            }
        }
        store.revoke_api_token("ci").unwrap();
        assert!(store.api_token(&token).unwrap().is_none());
        assert!(matches!(
            store.revoke_api_token("ci"),
            Err(StoreError::UnknownToken(_))
        ));
        assert!(store.api_tokens().unwrap()[0].revoked.is_some());
    }

    fn scopes_and_revoking_issuers_are_kept_as_given(place: TestPlace) {
        let mut store = place.open();
        let carrier_only = Scopes {
            issue: true,
            revoke: Some(Issuers::Named(["carrier".to_string()].into())),
            ..Scopes::default()
        };
        let any = Scopes {
            revoke: Some(Issuers::Any),
            titles: true,
            ..Scopes::default()
        };
        let packer = Scopes {
            trace: Some(TraceParty::Party("6918790000008".parse().unwrap())),
            ..Scopes::default()
        };
        let operator = Scopes {
            trace: Some(TraceParty::Any),
            ..Scopes::default()
        };
        for (name, scopes) in [("packer", &packer), ("operator", &operator)] {
            let token = store.new_api_token(name, scopes, &mut rand::rng()).unwrap();
            let live = store.api_token(&token).unwrap().unwrap().scopes;
            assert_eq!(&live, scopes);
            assert!(live.allow(Scope::Trace) && !live.allow(Scope::Issue));
        }
        let a = store
            .new_api_token("a", &carrier_only, &mut rand::rng())
            .unwrap();
        let b = store.new_api_token("b", &any, &mut rand::rng()).unwrap();
        let a = store.api_token(&a).unwrap().unwrap().scopes;
        assert_eq!(a, carrier_only);
        assert!(a.allow(Scope::Issue) && !a.allow(Scope::Share) && !a.allow(Scope::Titles));
        assert!(a.allow_revoking_for("carrier") && !a.allow_revoking_for("other"));
        let b = store.api_token(&b).unwrap().unwrap().scopes;
        assert!(b.allow_revoking_for("other") && !b.allow(Scope::Issue));
        assert!(matches!(
            store.new_api_token("none", &Scopes::default(), &mut rand::rng()),
            Err(StoreError::NoScopes(_))
        ));
        let listed: Vec<Scopes> = store
            .api_tokens()
            .unwrap()
            .into_iter()
            .map(|t| t.scopes)
            .collect();
        assert_eq!(listed, [carrier_only, any, operator, packer]);
    }

    #[test]
    fn a_token_made_before_scopes_keeps_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        drop(Store::open(&path).unwrap());
        // What layout version 2 kept: a token with no scopes.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE api_tokens;
             CREATE TABLE api_tokens (name TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE,
                                      created INTEGER NOT NULL, revoked INTEGER);
             UPDATE meta SET value = 2 WHERE key = 'version';",
        )
        .unwrap();
        let token = format!("{PREFIX}{}", "ab".repeat(32));
        conn.execute(
            "INSERT INTO api_tokens (name, hash, created) VALUES ('old', ?1, 0)",
            [token_digest(&token).as_slice()],
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.api_token(&token).unwrap().unwrap().scopes,
            Scopes::all()
        );
    }
}
