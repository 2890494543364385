//! Encrypted documents kept for sharing: only the envelope (cipher text, IV, tag) is stored,
//! under a random id; the key never reaches the store. Each share is kept for the API token
//! that made it, within that token's quota, until it expires; making, deleting and expiring a
//! share are entries of the audit log, which names the share and its size, never its content.

use std::time::Duration;

use corridor_db::{Connection, OptionalExtension, Transaction, params};
use corridor_format::Hash32;
use corridor_share::Envelope;

use crate::Store;
use crate::store::{StoreError, add_column, append_audit, now_ms};

/// How long a share kept before shares expired lives: from when it was made.
const LIFETIME_BEFORE_EXPIRY: Duration = Duration::from_secs(30 * 24 * 3600);

/// Adds what a store of layout version 2 lacks: the owner, size and expiry of its shares.
/// Shares kept before them have no owner (no token may delete them; the operator may) and
/// expire [`LIFETIME_BEFORE_EXPIRY`] after they were made.
pub(crate) fn migrate(conn: &Connection) -> corridor_db::Result<()> {
    add_column(conn, "shares", "owner", "TEXT")?;
    if add_column(conn, "shares", "bytes", "INTEGER NOT NULL DEFAULT 0")? {
        conn.execute(
            "UPDATE shares SET bytes = length(cipher_text) + length(iv) + length(tag) + length(kind)",
            [],
        )?;
    }
    if add_column(conn, "shares", "expires", "INTEGER NOT NULL DEFAULT 0")? {
        conn.execute(
            "UPDATE shares SET expires = created + ?1",
            [LIFETIME_BEFORE_EXPIRY.as_millis() as i64],
        )?;
    }
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS shares_by_owner ON shares (owner);
         CREATE INDEX IF NOT EXISTS shares_by_expiry ON shares (expires);",
    )
}

/// The bounds a new share must keep within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareLimits {
    /// The most live shares one token may keep.
    pub per_token: u64,
    /// The most bytes of live shares one token may keep.
    pub bytes_per_token: u64,
    /// The room, in bytes, the store keeps for everything but shares (revocations above all):
    /// a share that would leave less is refused.
    pub reserve: u64,
}

/// A share just kept: its id and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// 32 hex digits, unguessable.
    pub id: String,
    /// Milliseconds since the Unix epoch.
    pub expires: i64,
}

/// What the store knows of a share, its content aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareInfo {
    pub id: String,
    /// The name of the API token that made it; none for a share made before owners existed.
    pub owner: Option<String>,
    /// The envelope's size.
    pub bytes: u64,
    /// Milliseconds since the Unix epoch.
    pub created: i64,
    pub expires: i64,
}

/// Who deletes a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleter<'a> {
    /// The API token of this name, which may delete only the shares it made.
    Token(&'a str),
    /// The store's operator, on the command line: any share.
    Operator,
}

/// A new share's id: 16 random bytes, as 32 hex digits.
pub fn new_share_id(rng: &mut impl rand::Rng) -> String {
    let mut id = [0u8; 16];
    rng.fill(&mut id);
    const_hex::encode(id)
}

impl Store {
    /// Keeps `envelope` for the token `owner` for `lifetime`, and returns its new id, unless
    /// the token's quota or the room kept for revocations would not allow it. Shares expired
    /// by now are deleted first, in the same transaction.
    pub fn put_share(
        &mut self,
        envelope: &Envelope,
        owner: &str,
        lifetime: Duration,
        limits: &ShareLimits,
        rng: &mut impl rand::Rng,
    ) -> Result<Kept, StoreError> {
        self.put_share_as(&new_share_id(rng), envelope, owner, lifetime, limits)
    }

    /// As [`Store::put_share`], under an `id` chosen before (a link a document carries names
    /// it): 32 hex digits, from [`new_share_id`].
    pub fn put_share_as(
        &mut self,
        id: &str,
        envelope: &Envelope,
        owner: &str,
        lifetime: Duration,
        limits: &ShareLimits,
    ) -> Result<Kept, StoreError> {
        let bytes = envelope.size() as u64;
        let room = self.room()?;
        if room < limits.reserve.saturating_add(bytes) {
            return Err(StoreError::ReserveReached {
                reserve: limits.reserve,
                room,
                bytes,
            });
        }
        let id = id.to_string();
        let lifetime = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
        self.transact(|tx, at| {
            expire(tx, at)?;
            let (count, kept): (u64, u64) = tx.query_row(
                "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM shares WHERE owner = ?1",
                [owner],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if count >= limits.per_token || kept.saturating_add(bytes) > limits.bytes_per_token {
                return Ok(Err(StoreError::ShareQuota {
                    owner: owner.into(),
                    count,
                    bytes: kept,
                    max_count: limits.per_token,
                    max_bytes: limits.bytes_per_token,
                }));
            }
            let expires = at.saturating_add(lifetime);
            tx.execute(
                "INSERT INTO shares (id, cipher_text, iv, tag, kind, created, owner, bytes, expires)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    id,
                    envelope.cipher_text,
                    envelope.iv,
                    envelope.tag,
                    envelope.kind,
                    at,
                    owner,
                    bytes,
                    expires
                ],
            )?;
            let mut detail = bytes.to_be_bytes().to_vec();
            detail.extend_from_slice(&expires.to_be_bytes());
            append_audit(tx, at, owner, "share", &subject(&id), &detail)?;
            Ok(Ok(Kept { id, expires }))
        })
    }

    /// The envelope kept as `id` and when it expires, unless there is none or it expired.
    pub fn share(&self, id: &str) -> Result<Option<(Envelope, i64)>, StoreError> {
        self.conn
            .query_row(
                "SELECT cipher_text, iv, tag, kind, expires FROM shares WHERE id = ?1 AND expires > ?2",
                params![id, now_ms()],
                |r| {
                    Ok((
                        Envelope {
                            cipher_text: r.get(0)?,
                            iv: r.get(1)?,
                            tag: r.get(2)?,
                            kind: r.get(3)?,
                        },
                        r.get(4)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// The shares kept, expired ones included until they are deleted, by when they expire.
    pub fn shares(&self) -> Result<Vec<ShareInfo>, StoreError> {
        self.conn
            .prepare("SELECT id, owner, bytes, created, expires FROM shares ORDER BY expires, id")
            .and_then(|mut q| {
                q.query_map([], |r| {
                    Ok(ShareInfo {
                        id: r.get(0)?,
                        owner: r.get(1)?,
                        bytes: r.get(2)?,
                        created: r.get(3)?,
                        expires: r.get(4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.sqlite(e))
    }

    /// Deletes the share `id`, if `by` may: the token that made it, or the operator.
    pub fn delete_share(&mut self, id: &str, by: Deleter<'_>) -> Result<(), StoreError> {
        self.transact(|tx, at| {
            let owner: Option<Option<String>> = tx
                .query_row(
                    "SELECT owner FROM shares WHERE id = ?1 AND expires > ?2",
                    params![id, at],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(owner) = owner else {
                return Ok(Err(StoreError::UnknownShare));
            };
            let detail = match by {
                Deleter::Token(name) if owner.as_deref() != Some(name) => {
                    return Ok(Err(StoreError::NotShareOwner));
                }
                Deleter::Token(_) => "by its token",
                Deleter::Operator => "by the operator",
            };
            tx.execute("DELETE FROM shares WHERE id = ?1", [id])?;
            let owner = owner.unwrap_or_default();
            append_audit(
                tx,
                at,
                &owner,
                "share-deleted",
                &subject(id),
                detail.as_bytes(),
            )?;
            Ok(Ok(()))
        })
    }

    /// Deletes the shares expired by now; how many there were. Asks first, so that when none
    /// has expired it does not wait for the write lock.
    pub fn expire_shares(&mut self) -> Result<usize, StoreError> {
        let any: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM shares WHERE expires <= ?1)",
                [now_ms()],
                |r| r.get(0),
            )
            .map_err(|e| self.sqlite(e))?;
        if !any {
            return Ok(0);
        }
        self.transact(|tx, at| expire(tx, at).map(Ok))
    }

    /// Runs `apply` as the store's writer ([`Store::write`]), committed only if it answers
    /// `Ok(Ok(_))`; it gets the time of the change.
    pub(crate) fn transact<T>(
        &mut self,
        apply: impl FnOnce(&Transaction, i64) -> corridor_db::Result<Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        self.write(|tx, db| apply(tx, now_ms()).map_err(db)?)
    }
}

/// Deletes the shares expired by `at`, each with its audit entry; how many there were.
fn expire(tx: &Transaction, at: i64) -> corridor_db::Result<usize> {
    let expired: Vec<(String, Option<String>)> = tx
        .prepare_cached("SELECT id, owner FROM shares WHERE expires <= ?1 ORDER BY expires, id")?
        .query_map([at], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, owner) in &expired {
        tx.execute("DELETE FROM shares WHERE id = ?1", [id])?;
        let owner = owner.as_deref().unwrap_or_default();
        append_audit(tx, at, owner, "share-expired", &subject(id), &[])?;
    }
    Ok(expired.len())
}

/// A share's audit subject: its id's 16 bytes, then zeros.
fn subject(id: &str) -> Hash32 {
    let mut bytes = [0u8; 32];
    // An id the store made is 32 hex digits; any other leaves the subject zeros.
    const_hex::decode_to_slice(id, &mut bytes[..16]).ok();
    Hash32(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Audit;
    use crate::testing::{TestPlace, on_both_backends};

    on_both_backends!(
        an_envelope_is_kept_under_an_unguessable_id_until_it_expires,
        a_token_keeps_shares_within_its_quota_and_deletes_only_its_own,
    );

    const ROOMY: ShareLimits = ShareLimits {
        per_token: 2,
        bytes_per_token: 1 << 20,
        reserve: 0,
    };

    fn envelope(text: &str) -> Envelope {
        let key = corridor_share::Key::generate(&mut rand::rng());
        corridor_share::encrypt(text, &key, &mut rand::rng())
    }

    const DAY: Duration = Duration::from_secs(86400);

    fn an_envelope_is_kept_under_an_unguessable_id_until_it_expires(place: TestPlace) {
        let mut store = place.open();
        let kept = store
            .put_share(&envelope("a document"), "ci", DAY, &ROOMY, &mut rand::rng())
            .unwrap();
        assert_eq!(kept.id.len(), 32);
        let (found, expires) = store.share(&kept.id).unwrap().unwrap();
        assert_eq!(expires, kept.expires);
        assert!(!found.cipher_text.is_empty());
        assert_eq!(store.share("0000").unwrap(), None);

        let brief = store
            .put_share(
                &envelope("brief"),
                "ci",
                Duration::ZERO,
                &ROOMY,
                &mut rand::rng(),
            )
            .unwrap();
        assert_eq!(store.share(&brief.id).unwrap(), None, "expired: not served");
        assert_eq!(store.expire_shares().unwrap(), 1);
        let ids: Vec<String> = store.shares().unwrap().into_iter().map(|s| s.id).collect();
        assert_eq!(ids, [kept.id]);
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 3 });
    }

    fn a_token_keeps_shares_within_its_quota_and_deletes_only_its_own(place: TestPlace) {
        let mut store = place.open();
        let put = |store: &mut Store, owner: &str, limits: &ShareLimits| {
            store.put_share(&envelope("doc"), owner, DAY, limits, &mut rand::rng())
        };
        let first = put(&mut store, "a", &ROOMY).unwrap();
        put(&mut store, "a", &ROOMY).unwrap();
        assert!(matches!(
            put(&mut store, "a", &ROOMY),
            Err(StoreError::ShareQuota { count: 2, .. })
        ));
        put(&mut store, "b", &ROOMY).unwrap();
        let small = ShareLimits {
            bytes_per_token: 10,
            ..ROOMY
        };
        assert!(matches!(
            put(&mut store, "c", &small),
            Err(StoreError::ShareQuota { count: 0, .. })
        ));
        assert!(matches!(
            store.delete_share(&first.id, Deleter::Token("b")),
            Err(StoreError::NotShareOwner)
        ));
        store.delete_share(&first.id, Deleter::Token("a")).unwrap();
        assert!(matches!(
            store.delete_share(&first.id, Deleter::Operator),
            Err(StoreError::UnknownShare)
        ));
        put(&mut store, "a", &ROOMY).unwrap();
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 5 });
    }

    /// SQLite only: the size limit is the file's (PostgreSQL's disk is the server's).
    #[test]
    fn a_share_is_refused_when_it_would_eat_into_the_reserve() {
        let place = TestPlace::sqlite();
        let mut store = place.open();
        store.limit_size(512 * 1024).unwrap();
        let reserve = ShareLimits {
            reserve: 128 * 1024,
            ..ROOMY
        };
        let large = envelope(&"x".repeat(300 * 1024));
        assert!(matches!(
            store.put_share(&large, "a", DAY, &reserve, &mut rand::rng()),
            Err(StoreError::ReserveReached { .. })
        ));
        store
            .put_share(&envelope("small"), "a", DAY, &reserve, &mut rand::rng())
            .unwrap();
    }
}
