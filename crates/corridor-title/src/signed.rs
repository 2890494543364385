//! Actions on the embedded registry, signed by the acting party as EIP-712 typed data — what a
//! chain gets from a signed transaction. The message names the registry, the title, the
//! action, the acting party and a nonce, and its domain the deployment (a chain id and the
//! store's own random salt), so a signature authorises exactly one action, once, by that
//! party, in one registry of one deployment: never in a copy made for staging, or another
//! operator's store with a registry at the same address.

use alloy_primitives::{Address, B256, Bytes, Signature, U256};
use alloy_sol_types::{Eip712Domain, SolStruct, eip712_domain, sol};
use k256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};

use crate::Action;

sol! {
    /// The typed message a party signs to act on a title of an embedded registry.
    struct TitleAction {
        uint256 tokenId;
        string action;
        address beneficiary;
        address holder;
        bytes remark;
        address actor;
        uint256 nonce;
    }
}

/// The deployment an embedded registry belongs to: one store, told apart from every other by
/// a random salt it was given when made. Its actions are signed for it alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Deployment {
    /// The chain id the deployment answers as (`corridor_ledger::EMBEDDED_CHAIN_ID`), which
    /// keeps its signatures apart from any chain's.
    pub chain_id: u64,
    /// The store's salt.
    pub salt: B256,
}

/// The EIP-712 domain an action was signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningDomain {
    /// A deployment's, as every action is signed now.
    Deployment(Deployment),
    /// The domain of the registry's address alone (version 1): actions a store accepted
    /// before it had a salt, which its audit log still holds and must still check. Nothing
    /// is signed in it any more.
    RegistryOnly,
}

impl SigningDomain {
    /// The EIP-712 domain of `registry` in this domain: what a wallet's `signTypedData` is
    /// given, and what the portal hashes.
    pub fn eip712(&self, registry: Address) -> Eip712Domain {
        match self {
            SigningDomain::Deployment(deployment) => eip712_domain! {
                name: DOMAIN_NAME,
                version: "2",
                chain_id: deployment.chain_id,
                verifying_contract: registry,
                salt: deployment.salt,
            },
            SigningDomain::RegistryOnly => eip712_domain! {
                name: DOMAIN_NAME,
                version: "1",
                verifying_contract: registry,
            },
        }
    }
}

const DOMAIN_NAME: &str = "Corridor title registry";

/// An action on a title, signed by the party that acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedAction {
    pub registry: Address,
    pub token: U256,
    #[serde(flatten)]
    pub action: Action,
    pub remark: Bytes,
    pub actor: Address,
    /// The actor's count of actions accepted by this registry before this one.
    pub nonce: u64,
    pub signature: Signature,
}

/// Why a signed action is not the actor's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature is not a valid secp256k1 signature")]
    Malformed,
    #[error("the action says it is {claimed}'s, but {signer} signed it")]
    WrongSigner { claimed: Address, signer: Address },
}

impl SignedAction {
    /// `key`'s signature of `action` with `remark` on title `token` of `registry` in
    /// `deployment`, as its `nonce`-th action there.
    ///
    /// ```
    /// use alloy_primitives::{Address, B256, U256};
    /// use corridor_title::{Action, Deployment, SignedAction, SigningDomain};
    /// let key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    /// let here = Deployment { chain_id: 0x434f52, salt: B256::repeat_byte(5) };
    /// let to = Address::repeat_byte(9);
    /// let signed = SignedAction::sign(&key, &here, Address::repeat_byte(1), U256::from(42),
    ///     Action::TransferHolder { holder: to }, b"to the bank".into(), 0);
    /// assert!(signed.check(&SigningDomain::Deployment(here)).is_ok());
    /// let elsewhere = Deployment { salt: B256::repeat_byte(6), ..here };
    /// assert!(signed.check(&SigningDomain::Deployment(elsewhere)).is_err());
    /// ```
    pub fn sign(
        key: &SigningKey,
        deployment: &Deployment,
        registry: Address,
        token: U256,
        action: Action,
        remark: Bytes,
        nonce: u64,
    ) -> SignedAction {
        let actor = Address::from_private_key(key);
        let mut signed = SignedAction {
            registry,
            token,
            action,
            remark,
            actor,
            nonce,
            signature: Signature::new(U256::ZERO, U256::ZERO, false),
        };
        let domain = SigningDomain::Deployment(*deployment);
        let (signature, recovery) = key
            .sign_prehash_recoverable(signed.signing_hash(&domain).as_slice())
            .expect("a 32-byte prehash is always signable");
        signed.signature = (signature, recovery).into();
        signed
    }

    /// Checks that the actor signed this action in `domain`.
    pub fn check(&self, domain: &SigningDomain) -> Result<(), SignatureError> {
        let signer = self
            .signature
            .recover_address_from_prehash(&self.signing_hash(domain))
            .map_err(|_| SignatureError::Malformed)?;
        if signer == self.actor {
            Ok(())
        } else {
            Err(SignatureError::WrongSigner {
                claimed: self.actor,
                signer,
            })
        }
    }

    /// The EIP-712 hash the actor signs in `domain`.
    pub fn signing_hash(&self, domain: &SigningDomain) -> B256 {
        let (beneficiary, holder) = match self.action {
            Action::Mint {
                beneficiary,
                holder,
            }
            | Action::TransferOwners {
                nominee: beneficiary,
                holder,
            } => (beneficiary, holder),
            Action::Nominate { nominee } | Action::TransferBeneficiary { nominee } => {
                (nominee, Address::ZERO)
            }
            Action::TransferHolder { holder } => (Address::ZERO, holder),
            _ => (Address::ZERO, Address::ZERO),
        };
        let message = TitleAction {
            tokenId: self.token,
            action: self.action.name().to_string(),
            beneficiary,
            holder,
            remark: self.remark.clone(),
            actor: self.actor,
            nonce: U256::from(self.nonce),
        };
        message.eip712_signing_hash(&domain.eip712(self.registry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SigningKey {
        SigningKey::from_slice(&[byte; 32]).unwrap()
    }

    const HERE: Deployment = Deployment {
        chain_id: 0x434f52,
        salt: B256::repeat_byte(5),
    };

    fn here() -> SigningDomain {
        SigningDomain::Deployment(HERE)
    }

    fn signed() -> SignedAction {
        SignedAction::sign(
            &key(7),
            &HERE,
            Address::repeat_byte(1),
            U256::from(42),
            Action::Nominate {
                nominee: Address::repeat_byte(3),
            },
            Bytes::from_static(b"remark"),
            4,
        )
    }

    #[test]
    fn a_signature_covers_every_field() {
        let good = signed();
        assert_eq!(good.check(&here()), Ok(()));
        let changes: [fn(&mut SignedAction); 6] = [
            |s| s.registry = Address::repeat_byte(2),
            |s| s.token = U256::from(43),
            |s| {
                s.action = Action::TransferBeneficiary {
                    nominee: Address::repeat_byte(3),
                }
            },
            |s| s.remark = Bytes::from_static(b"remark!"),
            |s| s.nonce = 5,
            |s| {
                s.action = Action::Nominate {
                    nominee: Address::repeat_byte(4),
                }
            },
        ];
        for change in changes {
            let mut altered = good.clone();
            change(&mut altered);
            assert!(
                matches!(
                    altered.check(&here()),
                    Err(SignatureError::WrongSigner { .. })
                ),
                "{altered:?}"
            );
        }
    }

    #[test]
    fn acting_for_another_is_refused() {
        let mut forged = signed();
        forged.actor = Address::from_private_key(&key(8));
        // The claimed actor is part of what was signed: the recovered signer is nobody.
        assert!(matches!(
            forged.check(&here()),
            Err(SignatureError::WrongSigner { claimed, .. }) if claimed == forged.actor
        ));
    }

    #[test]
    fn a_signature_holds_in_its_own_deployment_only() {
        let good = signed();
        let elsewhere = [
            SigningDomain::Deployment(Deployment {
                salt: B256::repeat_byte(6),
                ..HERE
            }),
            SigningDomain::Deployment(Deployment {
                chain_id: 1,
                ..HERE
            }),
            SigningDomain::RegistryOnly,
        ];
        for domain in elsewhere {
            assert!(
                matches!(good.check(&domain), Err(SignatureError::WrongSigner { .. })),
                "{domain:?}"
            );
        }
    }
}
