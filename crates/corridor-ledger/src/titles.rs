//! The embedded title registry: Token Registry v5's rules (`corridor_title::apply`) over
//! SQLite, in the same file as the document store.
//!
//! An action is accepted only as a [`SignedAction`] whose signature is its actor's and whose
//! nonce is the actor's next, so nothing is accepted twice and no one acts for another. Each
//! accepted action is one immediate transaction that also appends the signed action to the
//! audit log; the log is the registry's history, and [`Store::audit`] replays it through the
//! rules to prove the titles equal to it.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, U256, keccak256};
use corridor_db::{OptionalExtension, Transaction, params};
use corridor_format::Hash32;
use corridor_title::{
    Action, Custody, HistoryEntry, Receipt, RegistryError, RegistryVersion, Roles, SignedAction,
    SigningDomain, Title, TitleRegistry, apply,
};
use k256::ecdsa::SigningKey;

use crate::Store;
use crate::deployments::current_deployment;
use crate::store::{StoreError, append_audit, now_ms};

/// The chain id under which `corridor serve` answers for the embedded registries, as the
/// network `corridor` ("COR" in ASCII). Documents name it, and DNS-TXT records give it as
/// `netId`, as they would a chain's.
pub const EMBEDDED_CHAIN_ID: u64 = 0x434f52;

/// The name of the registry a key administers unless it names another: what
/// `corridor title registry create` makes by default, and what the server mints the titles of
/// the bills of lading it issues in, created on first use.
pub const DEFAULT_REGISTRY_NAME: &str = "Corridor title registry";

/// Who the embedded registry reports as the owner of a live title's token, where a chain would
/// name the title's escrow contract: an address derived from the registry and the token.
pub fn escrow_address(registry: Address, token: U256) -> Address {
    let mut seed = registry.to_vec();
    seed.extend_from_slice(&token.to_be_bytes::<32>());
    Address::from_slice(&keccak256(seed)[12..])
}

/// The address of the registry `admin` creates as `name`, made in `domain`: from the store's
/// salt too, so that no two deployments have a registry at the same address (registries
/// made before stores had a salt keep the address they were made with).
fn registry_address(domain: &SigningDomain, admin: Address, name: &str) -> Address {
    let mut seed = b"corridor title registry".to_vec();
    if let SigningDomain::Deployment(deployment) = domain {
        seed.extend_from_slice(deployment.salt.as_slice());
    }
    seed.extend_from_slice(admin.as_slice());
    seed.extend_from_slice(name.as_bytes());
    Address::from_slice(&keccak256(seed)[12..])
}

/// A title registry in the embedded store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryInfo {
    /// Its address: derived from the store's salt, its admin and name, and named by its
    /// documents.
    pub address: Address,
    pub name: String,
    /// Who holds every role on it.
    pub admin: Address,
    /// When it was created, in milliseconds since the Unix epoch.
    pub at: i64,
}

impl RegistryInfo {
    /// The roles on it: every one held by its admin.
    pub fn roles(&self) -> Roles {
        Roles::of_deployer(self.admin)
    }
}

/// An audit log entry of the title registry, as [`Store::audit`] reads it.
pub(crate) struct TitleEntry {
    pub seq: i64,
    pub at: i64,
    pub registry: String,
    /// `registry` (a creation) or `title` (an accepted action).
    pub action: String,
    pub subject: [u8; 32],
    pub detail: Vec<u8>,
}

impl Store {
    /// The address of `admin`'s registry `name` in this store: the one it has, or the one
    /// [`Store::create_registry`] would give it.
    pub fn registry_address(&self, admin: Address, name: &str) -> Result<Address, StoreError> {
        Ok(match self.registry_named(admin, name)? {
            Some(registry) => registry.address,
            None => registry_address(&SigningDomain::Deployment(self.deployment()?), admin, name),
        })
    }

    /// `admin`'s registry `name`, if it has one.
    fn registry_named(
        &self,
        admin: Address,
        name: &str,
    ) -> Result<Option<RegistryInfo>, StoreError> {
        self.conn
            .query_row(
                "SELECT address, name, admin, at FROM registries WHERE admin = ?1 AND name = ?2",
                params![admin.as_slice(), name],
                registry_row,
            )
            .optional()
            .map_err(|e| self.sqlite(e))
    }

    /// Creates the registry `name`, administered by `admin`.
    pub fn create_registry(
        &mut self,
        admin: Address,
        name: &str,
    ) -> Result<RegistryInfo, StoreError> {
        if name.is_empty() || name.len() > 128 {
            return Err(StoreError::BadIssuer(name.into()));
        }
        if let Some(existing) = self.registry_named(admin, name)? {
            return Err(StoreError::RegistryExists {
                address: existing.address,
                name: name.into(),
            });
        }
        let address = registry_address(&SigningDomain::Deployment(self.deployment()?), admin, name);
        let at = now_ms();
        self.write(|tx, db| {
            let inserted = tx
                .execute(
                    "INSERT INTO registries (address, name, admin, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    params![address.as_slice(), name, admin.as_slice(), at],
                )
                .map_err(db)?;
            if inserted == 0 {
                return Err(StoreError::RegistryExists {
                    address,
                    name: name.into(),
                });
            }
            let mut detail = admin.to_vec();
            detail.extend_from_slice(name.as_bytes());
            append_audit(tx, at, &key_of(address), "registry", &padded(address), &detail)
                .map_err(db)
        })?;
        Ok(RegistryInfo {
            address,
            name: name.into(),
            admin,
            at,
        })
    }

    /// The registries in this store.
    pub fn registries(&self) -> Result<Vec<RegistryInfo>, StoreError> {
        self.conn
            .prepare("SELECT address, name, admin, at FROM registries ORDER BY at")
            .and_then(|mut q| q.query_map([], registry_row)?.collect())
            .map_err(|e| self.sqlite(e))
    }

    /// The registry at `address`.
    pub fn registry(&self, address: Address) -> Result<RegistryInfo, StoreError> {
        self.conn
            .query_row(
                "SELECT address, name, admin, at FROM registries WHERE address = ?1",
                [address.as_slice()],
                registry_row,
            )
            .optional()
            .map_err(|e| self.sqlite(e))?
            .ok_or(StoreError::UnknownRegistry(address))
    }

    /// The title of `token` in `registry`, or `None` if it was never minted.
    pub fn title(&self, registry: Address, token: U256) -> Result<Option<Title>, StoreError> {
        read_title(&self.conn, registry, token).map_err(|e| self.sqlite(e))
    }

    /// The nonce `account`'s next action on `registry` must carry.
    pub fn next_nonce(&self, registry: Address, account: Address) -> Result<u64, StoreError> {
        read_nonce(&self.conn, registry, account).map_err(|e| self.sqlite(e))
    }

    /// Applies a signed action: checked (signature, nonce, rules) and recorded in one
    /// transaction that waits for any other writer, so concurrent actions are applied one
    /// after the other, each to the state the one before left. Returns its log entry number.
    pub fn submit(&mut self, signed: &SignedAction) -> Result<i64, RegistryError> {
        Ok(self.submit_all(std::slice::from_ref(signed))?[0])
    }

    /// Applies signed actions in order, all or none: one transaction, as [`Store::submit`]
    /// does for one (the titles of a batch of documents are minted together, or not at all).
    /// Returns their log entry numbers.
    pub fn submit_all(&mut self, actions: &[SignedAction]) -> Result<Vec<i64>, RegistryError> {
        let mut roles = BTreeMap::new();
        for signed in actions {
            if let std::collections::btree_map::Entry::Vacant(entry) = roles.entry(signed.registry)
            {
                entry.insert(self.registry(signed.registry).map_err(boxed)?.roles());
            }
        }
        self.write(|tx, db| {
            let sqlite = |source| boxed(db(source));
            // The deployment read in the transaction: a fork by another process counts at once.
            let domain = SigningDomain::Deployment(current_deployment(tx).map_err(sqlite)?);
            for signed in actions {
                signed.check(&domain)?;
            }
            let mut seqs = Vec::with_capacity(actions.len());
            for signed in actions {
                seqs.push(apply_signed(tx, &roles[&signed.registry], signed, &sqlite)?);
            }
            Ok(seqs)
        })
    }

    /// Every accepted action on `token` in `registry`, oldest first, from the audit log.
    pub fn title_history(
        &self,
        registry: Address,
        token: U256,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let sqlite = |e| self.sqlite(e);
        let entries: Vec<(i64, i64, Vec<u8>)> = self
            .conn
            .prepare(
                "SELECT seq, at, detail FROM audit
                 WHERE issuer = ?1 AND subject = ?2 AND action = 'title' ORDER BY seq",
            )
            .and_then(|mut q| {
                q.query_map(
                    params![key_of(registry), token.to_be_bytes::<32>().as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?
                .collect()
            })
            .map_err(sqlite)?;
        let roles = self.registry(registry)?.roles();
        let mut title = None;
        let mut history = Vec::with_capacity(entries.len());
        for (seq, at, detail) in entries {
            let signed: SignedAction = serde_json::from_slice(&detail)
                .map_err(|e| StoreError::Corrupt(format!("log entry {seq}: {e}")))?;
            let next = apply(
                RegistryVersion::V5,
                &roles,
                title.as_ref(),
                signed.actor,
                &signed.action,
                &signed.remark,
            )
            .map_err(|e| StoreError::Corrupt(format!("log entry {seq} breaks the rules: {e}")))?;
            history.push(HistoryEntry {
                action: signed.action,
                actor: signed.actor,
                beneficiary: next.beneficiary,
                holder: next.holder,
                nominee: next.nominee,
                remark: signed.remark,
                at: (at / 1000) as u64,
                reference: format!("log #{seq}"),
            });
            title = Some(next);
        }
        Ok(history)
    }

    /// Replays the title registry's log entries through the rules and compares the result
    /// with the registries, titles and nonces recorded.
    pub(crate) fn titles_differ(
        &self,
        entries: &[TitleEntry],
    ) -> Result<Option<String>, StoreError> {
        let deployments = self.deployments()?;
        let mut registries: BTreeMap<Address, RegistryInfo> = BTreeMap::new();
        let mut titles: BTreeMap<(Address, U256), Title> = BTreeMap::new();
        let mut nonces: BTreeMap<(Address, Address), u64> = BTreeMap::new();
        for entry in entries {
            let problem = |what: String| Ok(Some(format!("log entry {}: {what}", entry.seq)));
            if entry.action == "registry" {
                if entry.detail.len() < 20 {
                    return problem("a registry without an admin".into());
                }
                let admin = Address::from_slice(&entry.detail[..20]);
                let name = String::from_utf8_lossy(&entry.detail[20..]).into_owned();
                let address = registry_address(&deployments.domain_at(entry.seq), admin, &name);
                if padded(address).0 != entry.subject || key_of(address) != entry.registry {
                    return problem("the registry's address is not its admin's and name's".into());
                }
                registries.insert(
                    address,
                    RegistryInfo {
                        address,
                        name,
                        admin,
                        at: entry.at,
                    },
                );
                continue;
            }
            let Ok(signed) = serde_json::from_slice::<SignedAction>(&entry.detail) else {
                return problem("not a signed title action".into());
            };
            if signed.check(&deployments.domain_at(entry.seq)).is_err()
                || key_of(signed.registry) != entry.registry
            {
                return problem("the action is not signed by its actor".into());
            }
            let Some(registry) = registries.get(&signed.registry) else {
                return problem("an action on a registry not created before it".into());
            };
            let nonce = nonces.entry((signed.registry, signed.actor)).or_default();
            if signed.nonce != *nonce {
                return problem("the action's nonce is out of order".into());
            }
            *nonce += 1;
            let key = (signed.registry, signed.token);
            match apply(
                RegistryVersion::V5,
                &registry.roles(),
                titles.get(&key),
                signed.actor,
                &signed.action,
                &signed.remark,
            ) {
                Ok(title) => titles.insert(key, title),
                Err(e) => return problem(format!("the rules refuse the action: {e}")),
            };
        }
        let recorded: BTreeMap<Address, RegistryInfo> = self
            .registries()?
            .into_iter()
            .map(|r| (r.address, r))
            .collect();
        if recorded != registries {
            return Ok(Some(
                "the title registries are not those the log records".into(),
            ));
        }
        let sqlite = |e| self.sqlite(e);
        let recorded_titles: Vec<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare("SELECT registry, token FROM titles")
            .and_then(|mut q| q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(sqlite)?;
        if recorded_titles.len() != titles.len() {
            return Ok(Some("the titles are not those the log records".into()));
        }
        for ((registry, token), title) in &titles {
            if self.title(*registry, *token)?.as_ref() != Some(title) {
                return Ok(Some(format!(
                    "title {token} of registry {registry} is not what the log records"
                )));
            }
        }
        let recorded_nonces: Vec<(Vec<u8>, Vec<u8>, i64)> = self
            .conn
            .prepare("SELECT registry, account, next FROM nonces")
            .and_then(|mut q| {
                q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(sqlite)?;
        let recorded_nonces: BTreeMap<(Address, Address), u64> = recorded_nonces
            .into_iter()
            .filter(|(r, a, _)| r.len() == 20 && a.len() == 20)
            .map(|(r, a, n)| ((Address::from_slice(&r), Address::from_slice(&a)), n as u64))
            .collect();
        if recorded_nonces != nonces {
            return Ok(Some(
                "the action counters are not those the log records".into(),
            ));
        }
        Ok(None)
    }
}

/// The embedded registry at one address, as a [`TitleRegistry`]: each action is signed with
/// the acting party's key and submitted.
pub struct EmbeddedTitles<'s> {
    store: &'s mut Store,
    registry: Address,
}

impl<'s> EmbeddedTitles<'s> {
    /// The registry at `registry` in `store`.
    pub fn open(store: &'s mut Store, registry: Address) -> Result<EmbeddedTitles<'s>, StoreError> {
        store.registry(registry)?;
        Ok(EmbeddedTitles { store, registry })
    }
}

impl TitleRegistry for EmbeddedTitles<'_> {
    fn describe(&self) -> String {
        format!(
            "title registry {} in {}",
            self.registry,
            self.store.location()
        )
    }

    /// The embedded registry keeps v5's rules.
    fn version(&self) -> RegistryVersion {
        RegistryVersion::V5
    }

    fn title(&self, token: U256) -> Result<Option<Title>, RegistryError> {
        self.store.title(self.registry, token).map_err(boxed)
    }

    fn act(
        &mut self,
        key: &SigningKey,
        token: U256,
        action: &Action,
        remark: &[u8],
    ) -> Result<Receipt, RegistryError> {
        let actor = Address::from_private_key(key);
        let nonce = self.store.next_nonce(self.registry, actor).map_err(boxed)?;
        let deployment = self.store.deployment().map_err(boxed)?;
        let signed = SignedAction::sign(
            key,
            &deployment,
            self.registry,
            token,
            action.clone(),
            Bytes::copy_from_slice(remark),
            nonce,
        );
        let seq = self.store.submit(&signed)?;
        Ok(Receipt {
            reference: format!("log #{seq}"),
        })
    }

    fn history(&self, token: U256) -> Result<Vec<HistoryEntry>, RegistryError> {
        self.store
            .title_history(self.registry, token)
            .map_err(boxed)
    }
}

fn boxed(error: StoreError) -> RegistryError {
    RegistryError::Backend(Box::new(error))
}

impl From<StoreError> for RegistryError {
    fn from(error: StoreError) -> RegistryError {
        boxed(error)
    }
}

/// One signed action checked against the titles and nonces `tx` sees, applied, and appended
/// to the audit log: its entry number.
fn apply_signed(
    tx: &Transaction,
    roles: &Roles,
    signed: &SignedAction,
    sqlite: &impl Fn(corridor_db::Error) -> RegistryError,
) -> Result<i64, RegistryError> {
    let expected = read_nonce(tx, signed.registry, signed.actor).map_err(sqlite)?;
    if signed.nonce != expected {
        return Err(RegistryError::Nonce {
            actor: signed.actor,
            given: signed.nonce,
            expected,
        });
    }
    let before = read_title(tx, signed.registry, signed.token).map_err(sqlite)?;
    let after = apply(
        RegistryVersion::V5,
        roles,
        before.as_ref(),
        signed.actor,
        &signed.action,
        &signed.remark,
    )?;
    write_title(tx, signed.registry, signed.token, &after).map_err(sqlite)?;
    tx.execute(
        "INSERT INTO nonces (registry, account, next) VALUES (?1, ?2, ?3) ON CONFLICT (registry, account) DO UPDATE SET next = excluded.next",
        params![
            signed.registry.as_slice(),
            signed.actor.as_slice(),
            expected as i64 + 1
        ],
    )
    .map_err(sqlite)?;
    let detail = serde_json::to_vec(signed).expect("a signed action serializes");
    let subject = Hash32(signed.token.to_be_bytes());
    append_audit(
        tx,
        now_ms(),
        &key_of(signed.registry),
        "title",
        &subject,
        &detail,
    )
    .map_err(sqlite)
}

/// How a registry is named in the audit log's issuer column.
fn key_of(registry: Address) -> String {
    format!("{registry:#x}")
}

/// An address as a 32-byte audit subject.
fn padded(address: Address) -> Hash32 {
    let mut bytes = [0u8; 32];
    bytes[12..].copy_from_slice(address.as_slice());
    Hash32(bytes)
}

fn registry_row(r: &corridor_db::Row) -> corridor_db::Result<RegistryInfo> {
    Ok(RegistryInfo {
        address: address_at(r, 0)?,
        name: r.get(1)?,
        admin: address_at(r, 2)?,
        at: r.get(3)?,
    })
}

/// Column `i` of a row, which must hold a 20-byte address; anything else is a damaged store.
fn address_at(r: &corridor_db::Row, i: usize) -> corridor_db::Result<Address> {
    let bytes: Vec<u8> = r.get(i)?;
    Address::try_from(bytes.as_slice()).map_err(|e| {
        corridor_db::Error::FromSqlConversionFailure(i, corridor_db::Type::Blob, Box::new(e))
    })
}

fn read_nonce(
    conn: &corridor_db::Connection,
    registry: Address,
    account: Address,
) -> corridor_db::Result<u64> {
    let next: Option<i64> = conn
        .query_row(
            "SELECT next FROM nonces WHERE registry = ?1 AND account = ?2",
            [registry.as_slice(), account.as_slice()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(next.unwrap_or(0) as u64)
}

fn read_title(
    conn: &corridor_db::Connection,
    registry: Address,
    token: U256,
) -> corridor_db::Result<Option<Title>> {
    conn.query_row(
        "SELECT beneficiary, holder, prev_beneficiary, prev_holder, nominee, active, custody, remark
         FROM titles WHERE registry = ?1 AND token = ?2",
        params![registry.as_slice(), token.to_be_bytes::<32>().as_slice()],
        |r| {
            let address = |i| address_at(r, i);
            let custody: String = r.get(6)?;
            Ok(Title {
                beneficiary: address(0)?,
                holder: address(1)?,
                prev_beneficiary: address(2)?,
                prev_holder: address(3)?,
                nominee: address(4)?,
                active: r.get(5)?,
                custody: match custody.as_str() {
                    "escrow" => Custody::Escrow,
                    "surrendered" => Custody::Surrendered,
                    "burnt" => Custody::Burnt,
                    other => {
                        return Err(corridor_db::Error::FromSqlConversionFailure(
                            6,
                            corridor_db::Type::Text,
                            format!("{other:?} is not a custody").into(),
                        ));
                    }
                },
                remark: Bytes::from(r.get::<_, Vec<u8>>(7)?),
            })
        },
    )
    .optional()
}

fn write_title(
    tx: &Transaction,
    registry: Address,
    token: U256,
    title: &Title,
) -> corridor_db::Result<()> {
    let custody = match title.custody {
        Custody::Escrow => "escrow",
        Custody::Surrendered => "surrendered",
        Custody::Burnt => "burnt",
    };
    tx.execute(
        "INSERT INTO titles
         (registry, token, beneficiary, holder, prev_beneficiary, prev_holder, nominee, active, custody, remark)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (registry, token) DO UPDATE SET beneficiary = excluded.beneficiary, holder = excluded.holder, prev_beneficiary = excluded.prev_beneficiary, prev_holder = excluded.prev_holder, nominee = excluded.nominee, active = excluded.active, custody = excluded.custody, remark = excluded.remark",
        params![
            registry.as_slice(),
            token.to_be_bytes::<32>().as_slice(),
            title.beneficiary.as_slice(),
            title.holder.as_slice(),
            title.prev_beneficiary.as_slice(),
            title.prev_holder.as_slice(),
            title.nominee.as_slice(),
            title.active,
            custody,
            title.remark.as_ref(),
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Audit;
    use crate::testing::{TestPlace, on_both_backends};
    use corridor_title::TitleError;

    on_both_backends!(
        a_signed_action_is_accepted_once_and_only_from_its_actor,
        actions_submitted_together_are_recorded_all_or_none,
        the_audit_replays_titles_and_finds_edits,
        concurrent_writers_apply_one_after_the_other,
    );

    fn key(byte: u8) -> SigningKey {
        SigningKey::from_slice(&[byte; 32]).unwrap()
    }

    fn setup(place: &TestPlace) -> (Store, Address) {
        let mut store = place.open();
        let admin = Address::from_private_key(&key(1));
        let registry = store
            .create_registry(admin, "Carrier eBLs")
            .unwrap()
            .address;
        (store, registry)
    }

    fn a_signed_action_is_accepted_once_and_only_from_its_actor(place: TestPlace) {
        let (mut store, registry) = setup(&place);
        let here = store.deployment().unwrap();
        let shipper = Address::from_private_key(&key(2));
        let token = U256::from(7);
        let mint = SignedAction::sign(
            &key(1),
            &here,
            registry,
            token,
            Action::Mint {
                beneficiary: shipper,
                holder: shipper,
            },
            Bytes::new(),
            0,
        );
        store.submit(&mint).unwrap();
        assert!(matches!(
            store.submit(&mint),
            Err(RegistryError::Nonce {
                given: 0,
                expected: 1,
                ..
            })
        ));
        // The shipper's action, with the stranger's signature on it.
        let mut forged = SignedAction::sign(
            &key(3),
            &here,
            registry,
            token,
            Action::ReturnToIssuer,
            Bytes::new(),
            0,
        );
        forged.actor = shipper;
        assert!(matches!(
            store.submit(&forged),
            Err(RegistryError::Signature(_))
        ));
        // The stranger acting as itself is refused by the rules.
        let stranger = SignedAction::sign(
            &key(3),
            &here,
            registry,
            token,
            Action::ReturnToIssuer,
            Bytes::new(),
            0,
        );
        assert!(matches!(
            store.submit(&stranger),
            Err(RegistryError::Refused(TitleError::CallerNotBeneficiary))
        ));
        assert_eq!(
            store
                .next_nonce(registry, Address::from_private_key(&key(3)))
                .unwrap(),
            0,
            "a refusal uses no nonce"
        );
        assert_eq!(
            store.title(registry, token).unwrap().unwrap().holder,
            shipper
        );
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 2 });
    }

    fn actions_submitted_together_are_recorded_all_or_none(place: TestPlace) {
        let (mut store, registry) = setup(&place);
        let here = store.deployment().unwrap();
        let shipper = Address::from_private_key(&key(2));
        let mint = |token: u64, nonce| {
            SignedAction::sign(
                &key(1),
                &here,
                registry,
                U256::from(token),
                Action::Mint {
                    beneficiary: shipper,
                    holder: shipper,
                },
                Bytes::new(),
                nonce,
            )
        };
        // The third mints a token the first already minted: nothing of the three stays.
        let refused = store.submit_all(&[mint(1, 0), mint(2, 1), mint(1, 2)]);
        assert!(
            matches!(refused, Err(RegistryError::Refused(_))),
            "{refused:?}"
        );
        assert_eq!(store.title(registry, U256::from(1)).unwrap(), None);
        assert_eq!(store.title(registry, U256::from(2)).unwrap(), None);
        assert_eq!(
            store
                .next_nonce(registry, Address::from_private_key(&key(1)))
                .unwrap(),
            0
        );
        // Each with its own nonce, in order: all recorded, each its own log entry.
        let seqs = store.submit_all(&[mint(1, 0), mint(2, 1)]).unwrap();
        assert_eq!(seqs.len(), 2);
        assert!(seqs[0] < seqs[1]);
        assert_eq!(
            store
                .title(registry, U256::from(2))
                .unwrap()
                .unwrap()
                .holder,
            shipper
        );
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 3 });
    }

    fn the_audit_replays_titles_and_finds_edits(place: TestPlace) {
        let (mut store, registry) = setup(&place);
        let shipper = Address::from_private_key(&key(2));
        let bank = Address::from_private_key(&key(3));
        let mut titles = EmbeddedTitles::open(&mut store, registry).unwrap();
        let token = U256::from(1);
        titles
            .act(
                &key(1),
                token,
                &Action::Mint {
                    beneficiary: shipper,
                    holder: shipper,
                },
                b"issued",
            )
            .unwrap();
        titles
            .act(
                &key(2),
                token,
                &Action::TransferHolder { holder: bank },
                b"to the bank",
            )
            .unwrap();
        let history = titles.history(token).unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(
            (history[1].actor, history[1].holder, &history[1].remark[..]),
            (shipper, bank, &b"to the bank"[..])
        );
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 3 });
        store
            .conn
            .execute("UPDATE titles SET holder = ?1", [shipper.as_slice()])
            .unwrap();
        assert!(
            matches!(store.audit().unwrap(), Audit::RecordsDiffer { problem } if problem.contains("title 1"))
        );
    }

    fn concurrent_writers_apply_one_after_the_other(place: TestPlace) {
        let (mut store, registry) = setup(&place);
        let shipper = Address::from_private_key(&key(2));
        let token = U256::from(9);
        EmbeddedTitles::open(&mut store, registry)
            .unwrap()
            .act(
                &key(1),
                token,
                &Action::Mint {
                    beneficiary: shipper,
                    holder: shipper,
                },
                b"",
            )
            .unwrap();
        // Two connections each pass the title to a different party, racing.
        let outcomes: Vec<bool> = [3u8, 4]
            .map(|to| {
                let location = place.location.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&location).unwrap();
                    let here = store.deployment().unwrap();
                    let signed = SignedAction::sign(
                        &key(2),
                        &here,
                        registry,
                        token,
                        Action::TransferHolder {
                            holder: Address::from_private_key(&key(to)),
                        },
                        Bytes::new(),
                        0,
                    );
                    store.submit(&signed).is_ok()
                })
            })
            .map(|t| t.join().unwrap())
            .to_vec();
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 3 });
    }
}
