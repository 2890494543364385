//! Actions on the embedded registry, signed by the acting party as EIP-712 typed data — what a
//! chain gets from a signed transaction. The message names the registry, the title, the
//! action, the acting party and a nonce, so a signature authorises exactly one action, once,
//! by that party.

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
    /// `key`'s signature of `action` with `remark` on title `token` of `registry`, as its
    /// `nonce`-th action there.
    ///
    /// ```
    /// use alloy_primitives::{Address, U256};
    /// use corridor_title::{Action, SignedAction};
    /// let key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    /// let to = Address::repeat_byte(9);
    /// let signed = SignedAction::sign(&key, Address::repeat_byte(1), U256::from(42),
    ///     Action::TransferHolder { holder: to }, b"to the bank".into(), 0);
    /// assert!(signed.check().is_ok());
    /// ```
    pub fn sign(
        key: &SigningKey,
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
        let (signature, recovery) = key
            .sign_prehash_recoverable(signed.signing_hash().as_slice())
            .expect("a 32-byte prehash is always signable");
        signed.signature = (signature, recovery).into();
        signed
    }

    /// Checks that the actor signed this action.
    pub fn check(&self) -> Result<(), SignatureError> {
        let signer = self
            .signature
            .recover_address_from_prehash(&self.signing_hash())
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

    /// The EIP-712 hash the actor signs.
    pub fn signing_hash(&self) -> B256 {
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
        message.eip712_signing_hash(&domain(self.registry))
    }
}

/// The signing domain of the embedded registry at `registry`.
fn domain(registry: Address) -> Eip712Domain {
    eip712_domain! {
        name: "Corridor title registry",
        version: "1",
        verifying_contract: registry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SigningKey {
        SigningKey::from_slice(&[byte; 32]).unwrap()
    }

    fn signed() -> SignedAction {
        SignedAction::sign(
            &key(7),
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
        assert_eq!(good.check(), Ok(()));
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
                matches!(altered.check(), Err(SignatureError::WrongSigner { .. })),
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
            forged.check(),
            Err(SignatureError::WrongSigner { claimed, .. }) if claimed == forged.actor
        ));
    }
}
