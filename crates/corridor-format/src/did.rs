//! DID signatures of OpenAttestation v2 documents (`OpenAttestationSignature2018`): the
//! `proof` entries, and recovery of the address that signed a merkle root (EIP-191).

use alloy_primitives::{Address, B256, Signature, U256};
use serde_json::Value;

use crate::FormatError;
use crate::js::kind_of;

/// The `type` of a DID signature entry.
pub const DID_SIGNATURE_TYPE: &str = "OpenAttestationSignature2018";

/// One entry of a document's top-level `proof` array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DidProof {
    /// `created`, as written.
    pub created: String,
    /// `verificationMethod`: the DID URL of the key, as `did:ethr:0x…#controller`.
    pub verification_method: String,
    /// `signature`: 0x-prefixed hex of the 65-byte signature.
    pub signature: String,
}

/// Reads the `proof` array with the shape the reference requires of a signed document: each
/// entry has `type` `OpenAttestationSignature2018`, `proofPurpose` `assertionMethod`, and
/// `created`, `verificationMethod` and `signature` as strings.
pub fn parse_did_proofs(value: &Value) -> Result<Vec<DidProof>, FormatError> {
    let Value::Array(items) = value else {
        return Err(shape(
            "proof",
            format!("must be an array, found {}", kind_of(value)),
        ));
    };
    if items.is_empty() {
        return Err(shape("proof", "is empty".into()));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |key: &str| -> Result<String, FormatError> {
                match item.get(key) {
                    Some(Value::String(s)) => Ok(s.clone()),
                    Some(other) => Err(shape(
                        &format!("proof[{i}].{key}"),
                        format!("must be a string, found {}", kind_of(other)),
                    )),
                    None => Err(shape(&format!("proof[{i}].{key}"), "is missing".into())),
                }
            };
            let literal = |key: &str, want: &str| -> Result<(), FormatError> {
                let got = field(key)?;
                if got == want {
                    Ok(())
                } else {
                    Err(shape(
                        &format!("proof[{i}].{key}"),
                        format!("must be {want:?}, found {got:?}"),
                    ))
                }
            };
            if !item.is_object() {
                return Err(shape(
                    &format!("proof[{i}]"),
                    format!("must be an object, found {}", kind_of(item)),
                ));
            }
            literal("type", DID_SIGNATURE_TYPE)?;
            literal("proofPurpose", "assertionMethod")?;
            Ok(DidProof {
                created: field("created")?,
                verification_method: field("verificationMethod")?,
                signature: field("signature")?,
            })
        })
        .collect()
}

fn shape(field: &str, problem: String) -> FormatError {
    FormatError::Shape {
        field: field.to_string(),
        problem,
    }
}

/// Why a signature could not be checked at all (as opposed to checked and found wrong).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The merkle root is not even-length hex, so there is no message to check against.
    #[error("the merkle root {0:?} is not hex bytes")]
    MerkleRoot(String),
    /// The signature is not 0x-prefixed hex of 64 or 65 bytes.
    #[error("the signature is not 0x-prefixed hex of 64 or 65 bytes")]
    Encoding,
    /// The last byte is not a recovery id (0, 1, 27 or more).
    #[error("the signature's recovery byte {0} is invalid")]
    RecoveryByte(u8),
    /// No public key can be recovered from it.
    #[error("no public key can be recovered from the signature")]
    Unrecoverable,
}

/// Recovers the address that signed the merkle root, as ethers' `verifyMessage` does for the
/// bytes of `0x<merkleRoot>`: the EIP-191 personal-message hash of those bytes.
///
/// ```
/// use corridor_format::did::recover_signer;
/// let root = "3bd4fd5a7bd3e0b4c4ab5f0ad2c17e78ab0c1fc5a1e5b0b9a3c2b57d0c8e1f35";
/// assert!(recover_signer(root, "0x1234").is_err());
/// ```
pub fn recover_signer(merkle_root: &str, signature: &str) -> Result<Address, SignatureError> {
    let message = decode_hex(merkle_root)
        .ok_or_else(|| SignatureError::MerkleRoot(merkle_root.chars().take(80).collect()))?;
    let bytes = signature
        .strip_prefix("0x")
        .and_then(decode_hex)
        .ok_or(SignatureError::Encoding)?;
    let sig = match bytes.len() {
        65 => {
            let v = bytes[64];
            // ethers: 0 and 1 are 27 and 28; from 27 on, the parity of v decides.
            let odd_y = match v {
                0 | 1 => v == 1,
                27.. => v % 2 == 0,
                _ => return Err(SignatureError::RecoveryByte(v)),
            };
            Signature::new(
                U256::from_be_slice(&bytes[..32]),
                U256::from_be_slice(&bytes[32..64]),
                odd_y,
            )
        }
        64 => Signature::from_erc2098(&bytes),
        _ => return Err(SignatureError::Encoding),
    };
    recover_address(&alloy_primitives::eip191_hash_message(&message), &sig)
        .ok_or(SignatureError::Unrecoverable)
}

/// The address whose key made `signature` over `prehash`: public-key recovery (SEC 1, 4.1.6)
/// as Ethereum's `ecrecover` and ethers do it — `Q = r⁻¹(sR − zG)`, one linear combination.
/// The `ecdsa` crate's recovery, which alloy calls, verifies the recovered key afterwards,
/// a second linear combination that cannot fail for a key recovered this way; verification
/// spends most of its time here, so this does the one that matters. A high `s` recovers as
/// given, as ethers recovers it.
fn recover_address(prehash: &B256, signature: &Signature) -> Option<Address> {
    use k256::elliptic_curve::PrimeField;
    use k256::elliptic_curve::group::Group;
    use k256::elliptic_curve::ops::{Invert, LinearCombination, Reduce};
    use k256::elliptic_curve::point::DecompressPoint;
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    use k256::{AffinePoint, ProjectivePoint, Scalar};

    let scalar = |value: U256| -> Option<Scalar> {
        let scalar = Option::<Scalar>::from(Scalar::from_repr(value.to_be_bytes::<32>().into()))?;
        (!bool::from(scalar.is_zero())).then_some(scalar)
    };
    let r = scalar(signature.r())?;
    let s = scalar(signature.s())?;
    let r_point = Option::<AffinePoint>::from(AffinePoint::decompress(
        &r.to_repr(),
        u8::from(signature.v()).into(),
    ))?;
    let z = <Scalar as Reduce<k256::U256>>::reduce_bytes(&prehash.0.into());
    // The signature is public: no need for constant time.
    let r_inverse = Option::<Scalar>::from(r.invert_vartime())?;
    let key = ProjectivePoint::lincomb(
        &ProjectivePoint::GENERATOR,
        &-(r_inverse * z),
        &ProjectivePoint::from(r_point),
        &(r_inverse * s),
    );
    if bool::from(key.is_identity()) {
        return None;
    }
    let point = key.to_affine().to_encoded_point(false);
    Some(Address::from_raw_public_key(&point.as_bytes()[1..]))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

/// The address a `did:ethr` DID names: `did:ethr:0x…` or `did:ethr:<network>:0x…`.
/// A DID of another method, or whose identifier is a public key, gives `None`.
///
/// ```
/// use corridor_format::did::ethr_address;
/// let a = ethr_address("did:ethr:0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1").unwrap();
/// assert_eq!(a, ethr_address("did:ethr:sepolia:0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1").unwrap());
/// ```
pub fn ethr_address(did: &str) -> Option<Address> {
    let rest = did.strip_prefix("did:ethr:")?;
    let id = rest.rsplit(':').next()?;
    let hex = id.strip_prefix("0x")?;
    (hex.len() == 40)
        .then(|| decode_hex(hex))
        .flatten()
        .map(|b| Address::from_slice(&b))
}

/// The EIP-191 hash a DID signature signs, for the bytes of `0x<merkleRoot>`.
pub fn signed_message_hash(merkle_root: &crate::Hash32) -> B256 {
    alloy_primitives::eip191_hash_message(merkle_root.as_bytes())
}

/// A key that signs documents as its `did:ethr` DID, as the reference's `signDocument` does
/// with a wallet.
///
/// ```
/// use corridor_format::did::{DidSigner, recover_signer};
/// let key = k256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
/// let signer = DidSigner::new(key);
/// let root: corridor_format::Hash32 = "3bd4fd5a7bd3e0b4c4ab5f0ad2c17e78ab0c1fc5a1e5b0b9a3c2b57d0c8e1f35".parse().unwrap();
/// let signature = signer.sign_merkle_root(&root);
/// assert_eq!(recover_signer(&root.to_hex(), &signature).unwrap(), signer.address());
/// ```
pub struct DidSigner {
    key: k256::ecdsa::SigningKey,
    address: Address,
}

/// Never shows the key.
impl std::fmt::Debug for DidSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DidSigner({})", self.did())
    }
}

impl DidSigner {
    /// The signer for a secp256k1 key.
    pub fn new(key: k256::ecdsa::SigningKey) -> DidSigner {
        let address = Address::from_private_key(&key);
        DidSigner { key, address }
    }

    /// The secp256k1 key, for signing transactions with the same key on a chain.
    pub fn signing_key(&self) -> &k256::ecdsa::SigningKey {
        &self.key
    }

    /// The key's Ethereum address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// `did:ethr:0x…` with the address checksummed, as ethers writes it.
    pub fn did(&self) -> String {
        format!("did:ethr:{}", self.address.to_checksum(None))
    }

    /// The DID URL of the key: `did:ethr:0x…#controller`.
    pub fn verification_method(&self) -> String {
        format!("{}#controller", self.did())
    }

    /// Signs a merkle root as ethers' `signMessage` signs its 32 bytes: the EIP-191 hash,
    /// signed deterministically (RFC 6979, low s), written `0x` + r + s + v with v 27 or 28.
    /// The same key and root always give the same text as the reference.
    pub fn sign_merkle_root(&self, merkle_root: &crate::Hash32) -> String {
        let hash = signed_message_hash(merkle_root);
        // Signing a 32-byte prehash with a valid key cannot fail.
        let (signature, recovery) = self
            .key
            .sign_prehash_recoverable(hash.as_slice())
            .expect("a 32-byte prehash is always signable");
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&signature.to_bytes());
        bytes[64] = 27 + recovery.to_byte();
        format!("0x{}", const_hex::encode(bytes))
    }

    /// The `proof` entry the reference's `signDocument` adds for `merkle_root`, in its key
    /// order. `created` is the signing time as an ISO 8601 text (the caller reads the clock).
    pub fn proof_entry(&self, merkle_root: &crate::Hash32, created: &str) -> Value {
        serde_json::json!({
            "type": DID_SIGNATURE_TYPE,
            "created": created,
            "proofPurpose": "assertionMethod",
            "verificationMethod": self.verification_method(),
            "signature": self.sign_merkle_root(merkle_root),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn proofs_need_the_reference_shape() {
        let good = json!([{"type": DID_SIGNATURE_TYPE, "created": "2026", "proofPurpose": "assertionMethod",
                           "verificationMethod": "did:ethr:0x01#controller", "signature": "0x00"}]);
        assert_eq!(parse_did_proofs(&good).unwrap().len(), 1);
        let mut bad = good.clone();
        bad[0]["proofPurpose"] = json!("authentication");
        assert_eq!(
            parse_did_proofs(&bad).unwrap_err().to_string(),
            "proof[0].proofPurpose must be \"assertionMethod\", found \"authentication\""
        );
        assert!(parse_did_proofs(&json!({})).is_err());
        assert!(parse_did_proofs(&json!([])).is_err());
    }

    #[test]
    fn malformed_signatures_are_errors_not_mismatches() {
        let root = "00".repeat(32);
        assert_eq!(recover_signer(&root, "1234"), Err(SignatureError::Encoding));
        assert_eq!(
            recover_signer(&root, &format!("0x{}", "11".repeat(66))),
            Err(SignatureError::Encoding)
        );
        assert_eq!(
            recover_signer(&root, &format!("0x{}05", "11".repeat(64))),
            Err(SignatureError::RecoveryByte(5))
        );
        assert!(matches!(
            recover_signer("abc", "0x"),
            Err(SignatureError::MerkleRoot(_))
        ));
    }

    #[test]
    fn signatures_match_ethers() {
        // ethers v5: new Wallet("0x" + "01".repeat(32)).signMessage(arrayify("0x" + "ab".repeat(32)))
        let key = k256::ecdsa::SigningKey::from_slice(&[1u8; 32]).unwrap();
        let signer = DidSigner::new(key);
        assert_eq!(
            signer.did(),
            "did:ethr:0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1"
        );
        let root: crate::Hash32 = "ab".repeat(32).parse().unwrap();
        let signature = signer.sign_merkle_root(&root);
        assert_eq!(
            signature,
            "0x7a74165fa3417ce8bcbf5e37198bc716d10a62bdff3a362e3ee621894cced81319a4190af9718ede6726a4c7e7dc78749c0b014d99e6e0e8042a0748c575c30e1c"
        );
        assert_eq!(
            recover_signer(&root.to_hex(), &signature),
            Ok(signer.address())
        );
        let entry = signer.proof_entry(&root, "2026-11-23T00:00:00.000Z");
        let proofs = parse_did_proofs(&json!([entry])).unwrap();
        assert_eq!(
            proofs[0].verification_method,
            "did:ethr:0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1#controller"
        );
    }

    #[test]
    fn recovery_agrees_with_alloys_on_every_signature_and_message() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(2018);
        let order = alloy_primitives::uint!(
            0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256
        );
        for _ in 0..300 {
            let key = k256::ecdsa::SigningKey::from_slice(&rng.random::<[u8; 32]>()).unwrap();
            let prehash = B256::from(rng.random::<[u8; 32]>());
            let (signature, recovery) = key.sign_prehash_recoverable(prehash.as_slice()).unwrap();
            let signature: Signature = (signature, recovery).into();
            let expected = signature.recover_address_from_prehash(&prehash).unwrap();
            assert_eq!(expected, Address::from_private_key(&key));
            assert_eq!(recover_address(&prehash, &signature), Some(expected));
            // The same signature with a high s and the other parity: the same signer.
            let high = Signature::new(signature.r(), order - signature.s(), !signature.v());
            assert_eq!(recover_address(&prehash, &high), Some(expected));
            // Another message, or the wrong parity: someone else, as alloy says.
            let flipped = Signature::new(signature.r(), signature.s(), !signature.v());
            assert_eq!(
                recover_address(&prehash, &flipped),
                flipped.recover_address_from_prehash(&prehash).ok()
            );
            assert_ne!(recover_address(&prehash, &flipped), Some(expected));
        }
        // Zero, or at least the group order, is not a scalar of a signature.
        let prehash = B256::repeat_byte(1);
        for (r, s) in [
            (U256::ZERO, U256::from(1)),
            (U256::from(1), U256::ZERO),
            (order, U256::from(1)),
        ] {
            assert_eq!(
                recover_address(&prehash, &Signature::new(r, s, false)),
                None
            );
        }
    }
}
