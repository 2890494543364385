//! W3C status lists an issuer keeps in the store: each list's bits, the next index to hand out,
//! and its list credential as last signed, which `corridor serve` publishes at the path of the
//! list's URL. Every change is one transaction with its audit entry; the audit replays the
//! entries into bits and compares them with the table.

use corridor_db::{OptionalExtension, Transaction, params};

use crate::store::{StatusListFault, Store, StoreError, append_audit};
use corridor_format::{Hash32, keccak256};

/// A list's purpose: what a set bit means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPurpose {
    /// Revoked for good: a bit once set is never cleared.
    Revocation,
    /// Suspended until resumed.
    Suspension,
}

impl StatusPurpose {
    /// The word status entries and list credentials use.
    pub fn name(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }

    /// The purpose a word names.
    pub fn named(word: &str) -> Option<StatusPurpose> {
        match word {
            "revocation" => Some(StatusPurpose::Revocation),
            "suspension" => Some(StatusPurpose::Suspension),
            _ => None,
        }
    }
}

/// A status list as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListRecord {
    /// Where its list credential is published (its `id`).
    pub url: String,
    /// The name of the key that signs it.
    pub key: String,
    pub purpose: StatusPurpose,
    /// The bits, entry `i` being bit `0x80 >> (i % 8)` of byte `i / 8`.
    pub bits: Vec<u8>,
    /// The next index issuing hands out.
    pub next: u64,
    /// How many times it changed: a change made on an older reading is refused.
    pub version: i64,
    /// The list credential as last signed, published as it is.
    pub signed: String,
}

impl StatusListRecord {
    /// How many entries it has.
    pub fn len(&self) -> u64 {
        self.bits.len() as u64 * 8
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// Whether entry `index` is set.
    pub fn is_set(&self, index: u64) -> bool {
        bit(&self.bits, index)
    }

    /// The bits once `indexes` are set (`on`) or cleared: what the list credential is signed
    /// over before [`Store::change_status`] keeps them. Refused for an entry never handed out,
    /// and for clearing a revocation, which is for good.
    pub fn changed(&self, indexes: &[u64], on: bool) -> Result<Vec<u8>, StoreError> {
        if !on && self.purpose == StatusPurpose::Revocation {
            return Err(StoreError::StatusList {
                url: self.url.clone(),
                problem: "is a revocation list: a revocation is for good (suspend with a suspension list to be able to resume)".into(),
                fault: StatusListFault::Invalid,
            });
        }
        if let Some(past) = indexes.iter().find(|&&i| i >= self.next) {
            return Err(StoreError::StatusList {
                url: self.url.clone(),
                problem: format!(
                    "entry {past} was never handed out (the next is {})",
                    self.next
                ),
                fault: StatusListFault::Invalid,
            });
        }
        let mut bits = self.bits.clone();
        apply(&mut bits, indexes, on);
        Ok(bits)
    }
}

fn bit(bits: &[u8], index: u64) -> bool {
    usize::try_from(index / 8)
        .ok()
        .and_then(|i| bits.get(i))
        .is_some_and(|b| b & (0x80 >> (index % 8)) != 0)
}

/// The audit subject of a list: its URL's hash.
fn subject(url: &str) -> Hash32 {
    keccak256(url.as_bytes())
}

/// An audit entry's detail: the URL, a zero byte, then what happened.
fn detail(url: &str, rest: &[u8]) -> Vec<u8> {
    [url.as_bytes(), &[0], rest].concat()
}

/// The list's URL an audit entry's detail (or the feed's state, which is all of it) names.
pub(crate) fn detail_url(detail: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(detail.split(|b| *b == 0).next().unwrap_or_default())
}

/// The path part of an http(s) URL, where the server publishes the list.
pub fn url_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let start = rest.find('/')?;
    let path = &rest[start..];
    Some(path.split(['?', '#']).next().unwrap_or(path))
}

impl Store {
    /// Keeps a new status list of `entries` entries (a multiple of 8), all clear, with its
    /// first signed list credential. `key` names the issuer's key that signs it.
    pub fn create_status_list(
        &mut self,
        url: &str,
        key: &str,
        purpose: StatusPurpose,
        entries: u64,
        signed: &str,
    ) -> Result<(), StoreError> {
        let path = url_path(url).ok_or_else(|| StoreError::StatusList {
            url: url.into(),
            problem: "is not an http(s) URL with a path".into(),
            fault: StatusListFault::Invalid,
        })?;
        if entries == 0 || entries % 8 != 0 {
            return Err(StoreError::StatusList {
                url: url.into(),
                problem: format!("{entries} entries: give a positive multiple of 8"),
                fault: StatusListFault::Invalid,
            });
        }
        let bits = vec![0u8; (entries / 8) as usize];
        self.transact(|tx, at| {
            let taken: Option<String> = tx
                .query_row(
                    "SELECT url FROM status_lists WHERE url = ?1 OR path = ?2",
                    params![url, path],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(taken) = taken {
                return Ok(Err(StoreError::StatusList {
                    url: url.into(),
                    problem: format!("the store has a list at that URL or path already ({taken})"),
                    fault: StatusListFault::Conflict,
                }));
            }
            tx.execute(
                "INSERT INTO status_lists (url, path, key, purpose, bits, next, version, signed, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6, ?7)",
                params![url, path, key, purpose.name(), bits, signed, at],
            )?;
            let rest = [purpose.name().as_bytes(), &[0], &entries.to_be_bytes()].concat();
            append_audit(
                tx,
                at,
                key,
                "status-list",
                &subject(url),
                &detail(url, &rest),
            )?;
            Ok(Ok(()))
        })
    }

    /// The list at `url`.
    pub fn status_list(&self, url: &str) -> Result<Option<StatusListRecord>, StoreError> {
        self.read_list("url", url)
    }

    /// The list published at `path` (its URL's path).
    pub fn status_list_at(&self, path: &str) -> Result<Option<StatusListRecord>, StoreError> {
        self.read_list("path", path)
    }

    /// Every list, by URL.
    pub fn status_lists(&self) -> Result<Vec<StatusListRecord>, StoreError> {
        let urls: Vec<String> = self
            .conn
            .prepare("SELECT url FROM status_lists ORDER BY url")
            .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.sqlite(e))?;
        urls.iter()
            .filter_map(|u| self.status_list(u).transpose())
            .collect()
    }

    fn read_list(&self, column: &str, value: &str) -> Result<Option<StatusListRecord>, StoreError> {
        self.conn
            .query_row(&select(column), [value], record)
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// Hands out the next `count` indexes of the list at `url`: the first.
    pub fn allocate_status_indexes(&mut self, url: &str, count: u64) -> Result<u64, StoreError> {
        self.transact(|tx, at| allocate_in(tx, at, url, count))
    }

    /// Sets (`on`) or clears the entries `indexes` of the list at `url` and keeps `signed`, its
    /// list credential signed over the new bits. `version` is the version the change was
    /// made on: if the list changed since, nothing is changed. A revocation is never undone.
    pub fn change_status(
        &mut self,
        url: &str,
        version: i64,
        indexes: &[u64],
        on: bool,
        signed: &str,
    ) -> Result<(), StoreError> {
        self.transact(|tx, at| {
            let Some(list) = read_in(tx, url)? else {
                return Ok(Err(no_list(url)));
            };
            if list.version != version {
                return Ok(Err(StoreError::StatusList {
                    url: url.into(),
                    problem: "changed while this change was being signed; run it again".into(),
                    fault: StatusListFault::Conflict,
                }));
            }
            let bits = match list.changed(indexes, on) {
                Ok(bits) => bits,
                Err(refused) => return Ok(Err(refused)),
            };
            tx.execute(
                "UPDATE status_lists SET bits = ?1, version = version + 1, signed = ?2 WHERE url = ?3",
                params![bits, signed, url],
            )?;
            let rest: Vec<u8> = indexes.iter().flat_map(|i| i.to_be_bytes()).collect();
            let action = if on { "status-set" } else { "status-clear" };
            append_audit(tx, at, &list.key, action, &subject(url), &detail(url, &rest))?;
            Ok(Ok(()))
        })
    }
}

fn no_list(url: &str) -> StoreError {
    StoreError::StatusList {
        url: url.into(),
        problem: "is not a status list of this store (make one with `corridor status-list new`)"
            .into(),
        fault: StatusListFault::Missing,
    }
}

fn read_in(tx: &Transaction, url: &str) -> corridor_db::Result<Option<StatusListRecord>> {
    tx.query_row(&select("url"), [url], record).optional()
}

/// The query of a list by `column`.
fn select(column: &str) -> String {
    format!(
        "SELECT url, key, purpose, bits, next, version, signed FROM status_lists WHERE {column} = ?1"
    )
}

/// A row of [`select`].
fn record(r: &corridor_db::Row) -> corridor_db::Result<StatusListRecord> {
    let purpose: String = r.get(2)?;
    Ok(StatusListRecord {
        url: r.get(0)?,
        key: r.get(1)?,
        purpose: StatusPurpose::named(&purpose).unwrap_or(StatusPurpose::Revocation),
        bits: r.get(3)?,
        next: r.get::<_, i64>(4)? as u64,
        version: r.get(5)?,
        signed: r.get(6)?,
    })
}

fn apply(bits: &mut [u8], indexes: &[u64], on: bool) {
    for &i in indexes {
        if let Some(byte) = usize::try_from(i / 8).ok().and_then(|b| bits.get_mut(b)) {
            let mask = 0x80u8 >> (i % 8);
            if on { *byte |= mask } else { *byte &= !mask }
        }
    }
}

/// What the audit log says the lists are: for each URL, its bits and next index.
#[derive(Default)]
pub(crate) struct ListReplay {
    lists: std::collections::BTreeMap<String, (Vec<u8>, u64)>,
}

impl ListReplay {
    /// Replays one entry; `Err` says why it cannot be.
    pub(crate) fn entry(&mut self, action: &str, detail: &[u8]) -> Result<(), String> {
        let split = detail
            .iter()
            .position(|&b| b == 0)
            .ok_or("no URL in a status list entry")?;
        let url =
            String::from_utf8(detail[..split].to_vec()).map_err(|_| "a URL that is not text")?;
        let rest = &detail[split + 1..];
        let number = |bytes: &[u8]| -> Result<u64, String> {
            Ok(u64::from_be_bytes(
                bytes.try_into().map_err(|_| "a malformed number")?,
            ))
        };
        match action {
            "status-list" => {
                let at = rest
                    .iter()
                    .position(|&b| b == 0)
                    .ok_or("a malformed list entry")?;
                let entries = number(&rest[at + 1..])?;
                self.lists.insert(url, (vec![0; (entries / 8) as usize], 0));
            }
            "status-allocate" if rest.len() == 16 => {
                let list = self.lists.get_mut(&url).ok_or("an allocation on no list")?;
                list.1 = number(&rest[..8])? + number(&rest[8..])?;
            }
            "status-set" | "status-clear" if rest.len() % 8 == 0 => {
                let list = self.lists.get_mut(&url).ok_or("a change on no list")?;
                let indexes: Vec<u64> = rest.chunks(8).map(number).collect::<Result<_, _>>()?;
                apply(&mut list.0, &indexes, action == "status-set");
            }
            _ => return Err(format!("a malformed {action} entry")),
        }
        Ok(())
    }

    /// Why the table differs from the log, if it does.
    pub(crate) fn differs(self, store: &Store) -> Result<Option<String>, StoreError> {
        let actual: std::collections::BTreeMap<String, (Vec<u8>, u64)> = store
            .status_lists()?
            .into_iter()
            .map(|l| (l.url, (l.bits, l.next)))
            .collect();
        Ok((actual != self.lists).then(|| "the status lists are not those the log records".into()))
    }
}

/// Hands out the next `count` indexes of the list at `url` in the transaction `tx`, at `at`:
/// the first.
pub(crate) fn allocate_in(
    tx: &Transaction,
    at: i64,
    url: &str,
    count: u64,
) -> corridor_db::Result<Result<u64, StoreError>> {
    let found: Option<(i64, i64, String)> = tx
        .query_row(
            "SELECT next, length(bits), key FROM status_lists WHERE url = ?1",
            [url],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((next, bytes, key)) = found else {
        return Ok(Err(no_list(url)));
    };
    let (next, entries) = (next as u64, bytes as u64 * 8);
    if next.saturating_add(count) > entries {
        return Ok(Err(StoreError::StatusList {
            url: url.into(),
            problem: format!(
                "is full: {next} of its {entries} entries handed out, {count} more asked for; make another list"
            ),
            fault: StatusListFault::Conflict,
        }));
    }
    tx.execute(
        "UPDATE status_lists SET next = ?1 WHERE url = ?2",
        params![(next + count) as i64, url],
    )?;
    let rest = [next.to_be_bytes(), count.to_be_bytes()].concat();
    append_audit(
        tx,
        at,
        &key,
        "status-allocate",
        &subject(url),
        &detail(url, &rest),
    )?;
    Ok(Ok(next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestPlace, on_both_backends};

    on_both_backends!(lists_hand_out_indexes_set_bits_and_audit);

    fn lists_hand_out_indexes_set_bits_and_audit(place: TestPlace) {
        let mut store = place.open();
        let url = "https://issuer.example/status/1";
        store
            .create_status_list(url, "k", StatusPurpose::Suspension, 16, "{}")
            .unwrap();
        assert!(
            store
                .create_status_list(
                    "https://other.example/status/1",
                    "k",
                    StatusPurpose::Revocation,
                    16,
                    "{}"
                )
                .is_err(),
            "the same path twice"
        );
        assert_eq!(store.allocate_status_indexes(url, 3).unwrap(), 0);
        assert_eq!(store.allocate_status_indexes(url, 2).unwrap(), 3);
        assert!(
            store.allocate_status_indexes(url, 12).is_err(),
            "past the end"
        );
        let list = store.status_list(url).unwrap().unwrap();
        assert_eq!((list.next, list.version, list.len()), (5, 0, 16));
        store
            .change_status(url, 0, &[1, 4], true, "{\"v\":1}")
            .unwrap();
        let fault = |err: StoreError| match err {
            StoreError::StatusList { fault, .. } => fault,
            other => panic!("{other}"),
        };
        let err = store.change_status(url, 0, &[2], true, "{}").unwrap_err();
        assert!(err.to_string().contains("changed while"), "{err}");
        assert_eq!(fault(err), StatusListFault::Conflict);
        let err = store.change_status(url, 1, &[9], true, "{}").unwrap_err();
        assert!(err.to_string().contains("never handed out"), "{err}");
        assert_eq!(fault(err), StatusListFault::Invalid);
        let err = store
            .change_status("https://issuer.example/status/9", 0, &[0], true, "{}")
            .unwrap_err();
        assert_eq!(fault(err), StatusListFault::Missing);
        let err = store.allocate_status_indexes(url, 12).unwrap_err();
        assert_eq!(fault(err), StatusListFault::Conflict);
        store
            .change_status(url, 1, &[1], false, "{\"v\":2}")
            .unwrap();
        let list = store.status_list_at("/status/1").unwrap().unwrap();
        assert_eq!(list.bits, vec![0b0000_1000, 0]);
        assert!(list.is_set(4) && !list.is_set(1));
        assert_eq!(list.signed, "{\"v\":2}");
        assert!(matches!(
            store.audit().unwrap(),
            crate::Audit::Intact { .. }
        ));

        let revocations = "https://issuer.example/status/2";
        store
            .create_status_list(revocations, "k", StatusPurpose::Revocation, 8, "{}")
            .unwrap();
        store.allocate_status_indexes(revocations, 1).unwrap();
        store
            .change_status(revocations, 0, &[0], true, "{}")
            .unwrap();
        let err = store
            .change_status(revocations, 1, &[0], false, "{}")
            .unwrap_err();
        assert!(err.to_string().contains("for good"), "{err}");

        // An edit to the table is found.
        store
            .conn
            .execute(
                "UPDATE status_lists SET bits = ?1 WHERE url = ?2",
                corridor_db::params![[0u8], revocations],
            )
            .unwrap();
        assert!(matches!(
            store.audit().unwrap(),
            crate::Audit::RecordsDiffer { .. }
        ));
    }
}
