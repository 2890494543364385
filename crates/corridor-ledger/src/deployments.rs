//! The store as a deployment: a random salt it is given when made, which the EIP-712 domain
//! of every title action it accepts carries, so that an action signed for one store is never
//! accepted by another (staging, another operator's, a copy). A copy made to run beside its
//! original is forked: given a salt of its own from its next audit log entry on.

use alloy_primitives::B256;
use corridor_db::{Connection, params};
use corridor_title::{Deployment, SigningDomain};

use crate::store::StoreError;
use crate::{EMBEDDED_CHAIN_ID, Store};

/// A store's deployments, oldest first, each with the first audit log entry made in it.
pub(crate) struct Deployments(Vec<(i64, Deployment)>);

impl Deployments {
    /// A peer's deployments, as its feed's head names them.
    pub(crate) fn of_peer(head: &corridor_feed::Head) -> Deployments {
        Deployments(
            head.deployments
                .iter()
                .map(|d| {
                    (
                        d.since,
                        Deployment {
                            chain_id: d.chain_id,
                            salt: B256::from(d.salt.0),
                        },
                    )
                })
                .collect(),
        )
    }

    /// The domain the audit log entry `seq` was made in: entries older than the first
    /// deployment were signed before stores had one.
    pub(crate) fn domain_at(&self, seq: i64) -> SigningDomain {
        self.0
            .iter()
            .rev()
            .find(|(since, _)| *since <= seq)
            .map_or(SigningDomain::RegistryOnly, |(_, deployment)| {
                SigningDomain::Deployment(*deployment)
            })
    }
}

/// Gives a store its first deployment on first open. Everything its audit log holds by then
/// was made before stores had one (layout versions 1 and 2): a new store's deployment starts
/// at its first entry. One statement, so two processes opening a new store at once agree on
/// one salt; and only when there is none, so opening a store never waits for its writer.
pub(crate) fn first_deployment(conn: &Connection) -> corridor_db::Result<()> {
    let has_one: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM deployments)", [], |r| {
        r.get(0)
    })?;
    if has_one {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO deployments (since, salt)
         SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit), ?1
         WHERE NOT EXISTS (SELECT 1 FROM deployments)",
        [rand::random::<[u8; 32]>().as_slice()],
    )?;
    Ok(())
}

/// The deployment `conn`'s store is now: read when used, not kept, so a fork by another
/// process is seen by the next action.
pub(crate) fn current_deployment(conn: &Connection) -> corridor_db::Result<Deployment> {
    conn.query_row(
        "SELECT since, salt FROM deployments ORDER BY since DESC LIMIT 1",
        [],
        deployment_row,
    )
    .map(|(_, deployment)| deployment)
}

fn deployment_row(r: &corridor_db::Row) -> corridor_db::Result<(i64, Deployment)> {
    let salt: Vec<u8> = r.get(1)?;
    let salt = B256::try_from(salt.as_slice()).map_err(|e| {
        corridor_db::Error::FromSqlConversionFailure(1, corridor_db::Type::Blob, Box::new(e))
    })?;
    Ok((
        r.get(0)?,
        Deployment {
            chain_id: EMBEDDED_CHAIN_ID,
            salt,
        },
    ))
}

impl Store {
    /// The deployment this store is: what title actions on its registries are signed for
    /// (their EIP-712 domain's chain id and salt).
    pub fn deployment(&self) -> Result<Deployment, StoreError> {
        current_deployment(&self.conn).map_err(|e| self.sqlite(e))
    }

    /// Makes this store a deployment of its own, with a new salt, from its next audit log
    /// entry on: for a copy (staging made from production, a backup restored beside the
    /// original), so that actions signed for one are not accepted by the other. Actions
    /// accepted before keep being checked as they were signed. Returns the new deployment.
    pub fn fork_deployment(&mut self) -> Result<Deployment, StoreError> {
        let salt: [u8; 32] = rand::random();
        // As a writer: an entry another server appended meanwhile was checked under the old
        // salt, so the new one must start after it.
        self.write(|tx, db| {
            // A second fork with nothing logged between replaces the first's salt.
            tx.execute(
                "INSERT INTO deployments (since, salt)
                 SELECT COALESCE(MAX(seq), 0) + 1, ?1 FROM audit WHERE true
                 ON CONFLICT (since) DO UPDATE SET salt = excluded.salt",
                params![salt.as_slice()],
            )
            .and_then(|_| current_deployment(tx))
            .map_err(db)
        })
    }

    /// Every deployment this store has been, oldest first, as its feed's head names them for
    /// followers to check title actions by.
    pub fn deployed(&self) -> Result<Vec<corridor_feed::Deployed>, StoreError> {
        Ok(self
            .deployments()?
            .0
            .into_iter()
            .map(|(since, d)| corridor_feed::Deployed {
                since,
                chain_id: d.chain_id,
                salt: corridor_format::Hash32(d.salt.0),
            })
            .collect())
    }

    /// Every deployment this store has been, for checking its log.
    pub(crate) fn deployments(&self) -> Result<Deployments, StoreError> {
        self.conn
            .prepare("SELECT since, salt FROM deployments ORDER BY since")
            .and_then(|mut q| q.query_map([], deployment_row)?.collect())
            .map(Deployments)
            .map_err(|e| self.sqlite(e))
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, Bytes, U256, address};
    use corridor_title::{Action, RegistryError, SignedAction};
    use k256::ecdsa::SigningKey;

    use super::Deployment;
    use crate::testing::{TestPlace, on_both_backends};
    use crate::{Audit, Store};

    on_both_backends!(every_store_is_a_deployment_of_its_own);

    fn key(byte: u8) -> SigningKey {
        SigningKey::from_slice(&[byte; 32]).unwrap()
    }

    fn pass_to(
        store: &Store,
        deployment: &Deployment,
        registry: Address,
        by: u8,
        to: u8,
    ) -> SignedAction {
        let token = U256::from_be_bytes([0xab; 32]);
        let nonce = store
            .next_nonce(registry, Address::from_private_key(&key(by)))
            .unwrap();
        SignedAction::sign(
            &key(by),
            deployment,
            registry,
            token,
            Action::TransferHolder {
                holder: Address::from_private_key(&key(to)),
            },
            Bytes::new(),
            nonce,
        )
    }

    const LEGACY_REGISTRY: Address = address!("0xBb89c970da75ff3c315883F4f32a2A1ac96aCA9c");

    /// A store made before stores had a salt (testdata/README.md): opened now, it keeps its
    /// registry's address and its log checks (actions signed in the old domain), and takes
    /// new actions signed for its new deployment only.
    #[test]
    fn a_store_made_before_deployments_keeps_its_log_and_signs_anew() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        std::fs::copy(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/testdata/store-layout-2.sqlite"
            ),
            &path,
        )
        .unwrap();
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 3 });
        let admin = Address::from_private_key(&key(0x11));
        assert_eq!(
            store
                .registry_address(admin, crate::DEFAULT_REGISTRY_NAME)
                .unwrap(),
            LEGACY_REGISTRY
        );
        let here = store.deployment().unwrap();
        // The bank passes the title back to the shipper.
        store
            .submit(&pass_to(&store, &here, LEGACY_REGISTRY, 0x33, 0x22))
            .unwrap();
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 4 });
        drop(store);
        // Opened again: the same deployment, and the log still checks.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.deployment().unwrap(), here);
        assert_eq!(store.audit().unwrap(), Audit::Intact { entries: 4 });
    }

    /// Two stores each have their own salt, and a registry of the same admin and name in
    /// each has its own address.
    fn every_store_is_a_deployment_of_its_own(place: TestPlace) {
        let other = place.another();
        let mut a = place.open();
        let mut b = other.open();
        assert_ne!(a.deployment().unwrap(), b.deployment().unwrap());
        let admin = Address::from_private_key(&key(1));
        let in_a = a.create_registry(admin, "eBLs").unwrap().address;
        let in_b = b.create_registry(admin, "eBLs").unwrap().address;
        assert_ne!(in_a, in_b);
        assert!(matches!(
            a.create_registry(admin, "eBLs"),
            Err(crate::StoreError::RegistryExists { address, .. }) if address == in_a
        ));
    }

    /// A copy of a store, forked, refuses the actions signed for the original (and the
    /// original the copy's); what both accepted before the fork still checks in both.
    #[test]
    fn a_forked_copy_refuses_the_originals_actions() {
        let dir = tempfile::tempdir().unwrap();
        let original_path = dir.path().join("production.sqlite");
        let mut original = Store::open(&original_path).unwrap();
        let registry = original
            .create_registry(Address::from_private_key(&key(1)), "eBLs")
            .unwrap()
            .address;
        let token = U256::from_be_bytes([0xab; 32]);
        let shipper = Address::from_private_key(&key(2));
        let production = original.deployment().unwrap();
        let mint = SignedAction::sign(
            &key(1),
            &production,
            registry,
            token,
            Action::Mint {
                beneficiary: shipper,
                holder: shipper,
            },
            Bytes::new(),
            0,
        );
        original.submit(&mint).unwrap();
        drop(original);
        let copy_path = dir.path().join("staging.sqlite");
        std::fs::copy(&original_path, &copy_path).unwrap();
        let mut original = Store::open(&original_path).unwrap();
        let mut copy = Store::open(&copy_path).unwrap();
        assert_eq!(
            copy.deployment().unwrap(),
            production,
            "a copy is the same deployment until forked"
        );
        let staging = copy.fork_deployment().unwrap();
        assert_ne!(staging, production);

        let for_production = pass_to(&original, &production, registry, 2, 3);
        assert!(matches!(
            copy.submit(&for_production),
            Err(RegistryError::Signature(_))
        ));
        original.submit(&for_production).unwrap();
        let for_staging = pass_to(&copy, &staging, registry, 2, 4);
        assert!(matches!(
            original.submit(&for_staging),
            Err(RegistryError::Signature(_))
        ));
        copy.submit(&for_staging).unwrap();
        assert_eq!(original.audit().unwrap(), Audit::Intact { entries: 3 });
        assert_eq!(copy.audit().unwrap(), Audit::Intact { entries: 3 });
    }
}
