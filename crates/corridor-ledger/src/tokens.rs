//! API tokens for `corridor serve`'s writes: made here, shown once, kept only as their
//! SHA-256, so the store never holds a token that could be read back and used.

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::Store;
use crate::store::{StoreError, now_ms};

/// What the store knows of a token: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created: i64,
    pub revoked: Option<i64>,
}

/// The prefix of every token, so that one found in a log or a paste is recognisable.
const PREFIX: &str = "corridor_";

impl Store {
    /// Makes a token named `name` and returns it; only its hash is kept.
    pub fn new_api_token(
        &mut self,
        name: &str,
        rng: &mut impl rand::Rng,
    ) -> Result<String, StoreError> {
        if name.is_empty() || name.len() > 64 {
            return Err(StoreError::BadTokenName(name.into()));
        }
        let mut secret = [0u8; 32];
        rng.fill(&mut secret);
        let token = format!("{PREFIX}{}", const_hex::encode(secret));
        let inserted = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO api_tokens (name, hash, created) VALUES (?1, ?2, ?3)",
                params![name, digest(&token).as_slice(), now_ms()],
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
        self.conn
            .prepare("SELECT name, created, revoked FROM api_tokens ORDER BY name")
            .and_then(|mut q| {
                q.query_map([], |r| {
                    Ok(TokenInfo {
                        name: r.get(0)?,
                        created: r.get(1)?,
                        revoked: r.get(2)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.sqlite(e))
    }

    /// The name of the live token `token` is, if any.
    pub fn api_token_name(&self, token: &str) -> Result<Option<String>, StoreError> {
        if !token.starts_with(PREFIX) {
            return Ok(None);
        }
        self.conn
            .query_row(
                "SELECT name FROM api_tokens WHERE hash = ?1 AND revoked IS NULL",
                [digest(token).as_slice()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_until_revoked_and_is_kept_only_as_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let mut store = Store::open(&path).unwrap();
        let token = store.new_api_token("ci", &mut rand::rng()).unwrap();
        assert_eq!(store.api_token_name(&token).unwrap().as_deref(), Some("ci"));
        assert!(
            store
                .api_token_name(&format!("{token}0"))
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            store.new_api_token("ci", &mut rand::rng()),
            Err(StoreError::TokenExists(_))
        ));
        let file = std::fs::read(&path).unwrap();
        let wal = std::fs::read(dir.path().join("s.sqlite-wal")).unwrap_or_default();
        for bytes in [file, wal] {
            assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
        }
        store.revoke_api_token("ci").unwrap();
        assert!(store.api_token_name(&token).unwrap().is_none());
        assert!(matches!(
            store.revoke_api_token("ci"),
            Err(StoreError::UnknownToken(_))
        ));
        assert!(store.api_tokens().unwrap()[0].revoked.is_some());
    }
}
