//! Encrypted documents kept for sharing: only the envelope (cipher text, IV, tag) is stored,
//! under a random id; the key never reaches the store.

use corridor_share::Envelope;
use rusqlite::{OptionalExtension, params};

use crate::Store;
use crate::store::{StoreError, now_ms};

impl Store {
    /// Keeps `envelope` and returns its new id (32 hex digits, unguessable).
    pub fn put_share(
        &mut self,
        envelope: &Envelope,
        rng: &mut impl rand::Rng,
    ) -> Result<String, StoreError> {
        let mut id = [0u8; 16];
        rng.fill(&mut id);
        let id = const_hex::encode(id);
        self.conn
            .execute(
                "INSERT INTO shares (id, cipher_text, iv, tag, kind, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, envelope.cipher_text, envelope.iv, envelope.tag, envelope.kind, now_ms()],
            )
            .map_err(|e| self.sqlite(e))?;
        Ok(id)
    }

    /// The envelope kept as `id`, if any.
    pub fn share(&self, id: &str) -> Result<Option<Envelope>, StoreError> {
        self.conn
            .query_row(
                "SELECT cipher_text, iv, tag, kind FROM shares WHERE id = ?1",
                [id],
                |r| {
                    Ok(Envelope {
                        cipher_text: r.get(0)?,
                        iv: r.get(1)?,
                        tag: r.get(2)?,
                        kind: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_is_kept_under_an_unguessable_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let key = corridor_share::Key::generate(&mut rand::rng());
        let envelope = corridor_share::encrypt("a document", &key, &mut rand::rng());
        let id = store.put_share(&envelope, &mut rand::rng()).unwrap();
        assert_eq!(id.len(), 32);
        assert_eq!(store.share(&id).unwrap(), Some(envelope));
        assert_eq!(store.share("0000").unwrap(), None);
    }
}
