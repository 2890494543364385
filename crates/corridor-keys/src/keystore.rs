//! Ethereum keystore v3 files (the Web3 Secret Storage format that geth, ethers and MetaMask
//! read and write): a private key encrypted with AES-128-CTR under a key derived from a
//! password by scrypt (or, when reading, PBKDF2), with a keccak256 MAC that tells a wrong
//! password from a damaged file.

use aes::cipher::{KeyIvInit, StreamCipher};
use alloy_primitives::Address;
use k256::ecdsa::SigningKey;
use rand::Rng;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use corridor_di::{Cryptosuite, IssuerSigningKey};
use corridor_format::keccak256;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// scrypt cost as ethers writes keystores: N = 2^17, r = 8, p = 1 (128 MiB, a fraction of a
/// second on a server).
const SCRYPT_LOG_N: u8 = 17;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;

/// The most memory scrypt may take when reading a keystore (N·r·128 bytes): geth's "standard"
/// 2^18 with r = 8. A file asking for more is refused rather than allowed to exhaust memory.
const MAX_SCRYPT_MEMORY: u64 = 256 << 20;
/// The most PBKDF2 rounds accepted when reading.
const MAX_PBKDF2_ROUNDS: u32 = 10_000_000;

/// Why a keystore could not be made or opened. No variant carries the password or the key.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The MAC does not match: the password is wrong (or the ciphertext was changed).
    #[error("wrong password (the keystore's MAC does not match)")]
    WrongPassword,
    /// Not a keystore, or a field missing or of the wrong form.
    #[error("not a valid keystore v3 file: {0}")]
    Malformed(String),
    /// A keystore this implementation does not read (another version, cipher or KDF).
    #[error("unsupported keystore: {0}")]
    Unsupported(String),
    /// KDF parameters costlier than any real keystore uses.
    #[error("the keystore's key derivation asks for too much ({0}); refused")]
    TooCostly(String),
    /// The decrypted bytes are not a secp256k1 private key, or belong to another address.
    #[error("the keystore does not hold a valid key: {0}")]
    InvalidKey(String),
}

/// The JSON of a keystore v3 file.
#[derive(Serialize, Deserialize)]
struct KeystoreFile {
    /// Lower-case hex without `0x`, as geth writes it. Optional when reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    /// Corridor's: the file holds a W3C issuer's Multikey secret, not an Ethereum key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    multikey: Option<MultikeyEntry>,
    #[serde(alias = "Crypto")]
    crypto: CryptoSection,
    id: String,
    version: u32,
}

/// What a Multikey keystore says of its key without the password.
#[derive(Serialize, Deserialize)]
struct MultikeyEntry {
    /// The cryptosuite the key signs with: `ecdsa-sd-2023` (P-256) or `bbs-2023` (BLS12-381).
    cryptosuite: String,
    #[serde(rename = "publicKeyMultibase")]
    public_key_multibase: String,
}

#[derive(Serialize, Deserialize)]
struct CryptoSection {
    cipher: String,
    cipherparams: CipherParams,
    ciphertext: String,
    kdf: String,
    kdfparams: serde_json::Value,
    mac: String,
}

#[derive(Serialize, Deserialize)]
struct CipherParams {
    iv: String,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    dklen: u32,
    n: u64,
    p: u32,
    r: u32,
    salt: String,
}

#[derive(Deserialize)]
struct Pbkdf2Params {
    c: u32,
    dklen: u32,
    prf: String,
    salt: String,
}

/// Encrypts `key` under `password` as a keystore v3 JSON text (scrypt, AES-128-CTR).
///
/// ```
/// let key = k256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
/// let json = corridor_keys::keystore::encrypt(&key, b"correct horse", &mut rand::rng());
/// let back = corridor_keys::keystore::decrypt(&json, b"correct horse").unwrap();
/// assert_eq!(back.to_bytes(), key.to_bytes());
/// assert!(corridor_keys::keystore::decrypt(&json, b"wrong").is_err());
/// ```
pub fn encrypt(key: &SigningKey, password: &[u8], rng: &mut impl Rng) -> String {
    let address = Some(const_hex::encode(Address::from_private_key(key)));
    seal(&key.to_bytes(), address, None, password, rng)
}

/// Encrypts a W3C issuer's Multikey secret with `password`: a keystore v3 file whose
/// `multikey` member says, without the password, which suite it signs with and its public key.
pub fn encrypt_multikey(key: &IssuerSigningKey, password: &[u8], rng: &mut impl Rng) -> String {
    let multikey = MultikeyEntry {
        cryptosuite: key.suite().name().to_owned(),
        public_key_multibase: key.public_key_multibase(),
    };
    seal(
        key.secret_bytes().as_ref(),
        None,
        Some(multikey),
        password,
        rng,
    )
}

fn seal(
    secret: &[u8],
    address: Option<String>,
    multikey: Option<MultikeyEntry>,
    password: &[u8],
    rng: &mut impl Rng,
) -> String {
    let salt: [u8; 32] = rng.random();
    let iv: [u8; 16] = rng.random();
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32)
        .expect("the built-in scrypt parameters are valid");
    let mut derived = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, &salt, &params, derived.as_mut())
        .expect("a 32-byte output is valid for scrypt");
    let mut ciphertext = secret.to_vec();
    Aes128Ctr::new(derived[..16].into(), (&iv).into()).apply_keystream(&mut ciphertext);
    let file = KeystoreFile {
        address,
        multikey,
        crypto: CryptoSection {
            cipher: "aes-128-ctr".into(),
            cipherparams: CipherParams {
                iv: const_hex::encode(iv),
            },
            ciphertext: const_hex::encode(&ciphertext),
            kdf: "scrypt".into(),
            kdfparams: serde_json::to_value(ScryptParams {
                dklen: 32,
                n: 1 << SCRYPT_LOG_N,
                p: SCRYPT_P,
                r: SCRYPT_R,
                salt: const_hex::encode(salt),
            })
            .expect("the parameters serialise"),
            mac: const_hex::encode(mac(&derived, &ciphertext)),
        },
        id: uuid::Builder::from_random_bytes(rng.random())
            .into_uuid()
            .to_string(),
        version: 3,
    };
    serde_json::to_string_pretty(&file).expect("a keystore serialises")
}

/// The address a keystore says it holds, read without the password; `None` if it does not
/// say.
pub fn stated_address(json: &str) -> Result<Option<Address>, KeystoreError> {
    let file: KeystoreFile = parse(json)?;
    file.address.as_deref().map(parse_address).transpose()
}

/// The suite and public key a Multikey keystore states (no password needed); `None` for an
/// Ethereum key's.
pub fn stated_multikey(json: &str) -> Result<Option<(Cryptosuite, String)>, KeystoreError> {
    let file: KeystoreFile = parse(json)?;
    file.multikey
        .map(|m| Ok((suite_of(&m)?, m.public_key_multibase)))
        .transpose()
}

fn suite_of(entry: &MultikeyEntry) -> Result<Cryptosuite, KeystoreError> {
    Cryptosuite::named(&entry.cryptosuite).ok_or_else(|| {
        KeystoreError::Unsupported(format!("multikey cryptosuite {:?}", entry.cryptosuite))
    })
}

/// Decrypts a keystore v3 JSON text with `password`: an Ethereum (secp256k1) key.
pub fn decrypt(json: &str, password: &[u8]) -> Result<SigningKey, KeystoreError> {
    let (file, secret) = open(json, password)?;
    if let Some(multikey) = &file.multikey {
        return Err(KeystoreError::InvalidKey(format!(
            "it holds a {} Multikey for W3C credentials, not an Ethereum key",
            multikey.cryptosuite
        )));
    }
    let key = SigningKey::from_slice(&secret)
        .map_err(|_| KeystoreError::InvalidKey("not a secp256k1 private key".into()))?;
    if let Some(stated) = file.address.as_deref().map(parse_address).transpose()? {
        let actual = Address::from_private_key(&key);
        if stated != actual {
            return Err(KeystoreError::InvalidKey(format!(
                "it says address {stated} but the key is {actual}"
            )));
        }
    }
    Ok(key)
}

/// Decrypts a Multikey keystore with `password`: a W3C issuer's key pair, checked against the
/// public key the file states.
pub fn decrypt_multikey(json: &str, password: &[u8]) -> Result<IssuerSigningKey, KeystoreError> {
    let (file, secret) = open(json, password)?;
    let Some(multikey) = &file.multikey else {
        return Err(KeystoreError::InvalidKey(
            "it holds an Ethereum key, not a Multikey for W3C credentials".into(),
        ));
    };
    let secret: &[u8; 32] = secret[..]
        .try_into()
        .map_err(|_| KeystoreError::InvalidKey("the secret is not 32 bytes".into()))?;
    let key = IssuerSigningKey::from_secret(suite_of(multikey)?, secret)
        .map_err(|e| KeystoreError::InvalidKey(e.to_string()))?;
    if key.public_key_multibase() != multikey.public_key_multibase {
        return Err(KeystoreError::InvalidKey(
            "the public key it states is not its secret key's".into(),
        ));
    }
    Ok(key)
}

/// The file read and its secret decrypted, its MAC checked.
fn open(json: &str, password: &[u8]) -> Result<(KeystoreFile, Zeroizing<Vec<u8>>), KeystoreError> {
    let file = parse(json)?;
    if file.version != 3 {
        return Err(KeystoreError::Unsupported(format!(
            "version {}",
            file.version
        )));
    }
    let crypto = &file.crypto;
    if crypto.cipher != "aes-128-ctr" {
        return Err(KeystoreError::Unsupported(format!(
            "cipher {:?}",
            crypto.cipher
        )));
    }
    let derived = derive(&crypto.kdf, &crypto.kdfparams, password)?;
    let ciphertext = hex_field("crypto.ciphertext", &crypto.ciphertext)?;
    let claimed_mac = hex_field("crypto.mac", &crypto.mac)?;
    if claimed_mac != mac(&derived, &ciphertext) {
        return Err(KeystoreError::WrongPassword);
    }
    let iv: [u8; 16] = hex_field("crypto.cipherparams.iv", &crypto.cipherparams.iv)?
        .try_into()
        .map_err(|_| KeystoreError::Malformed("crypto.cipherparams.iv is not 16 bytes".into()))?;
    let mut secret = Zeroizing::new(ciphertext);
    Aes128Ctr::new(derived[..16].into(), (&iv).into()).apply_keystream(&mut secret);
    Ok((file, secret))
}

fn parse(json: &str) -> Result<KeystoreFile, KeystoreError> {
    serde_json::from_str(json).map_err(|e| KeystoreError::Malformed(e.to_string()))
}

fn parse_address(text: &str) -> Result<Address, KeystoreError> {
    let hex = text.strip_prefix("0x").unwrap_or(text);
    let bytes: [u8; 20] = const_hex::decode_to_array(hex).map_err(|_| {
        KeystoreError::Malformed(format!("address {text:?} is not 20 bytes of hex"))
    })?;
    Ok(Address::from(bytes))
}

fn hex_field(field: &str, text: &str) -> Result<Vec<u8>, KeystoreError> {
    const_hex::decode(text).map_err(|_| KeystoreError::Malformed(format!("{field} is not hex")))
}

/// keccak256(derived[16..32] ‖ ciphertext), as the format defines the MAC.
fn mac(derived: &[u8; 32], ciphertext: &[u8]) -> [u8; 32] {
    let mut input = Vec::with_capacity(16 + ciphertext.len());
    input.extend_from_slice(&derived[16..]);
    input.extend_from_slice(ciphertext);
    keccak256(&input).0
}

/// The 32-byte key the password derives, by the KDF the file names, within cost bounds.
fn derive(
    kdf: &str,
    params: &serde_json::Value,
    password: &[u8],
) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
    let malformed =
        |e: serde_json::Error| KeystoreError::Malformed(format!("crypto.kdfparams: {e}"));
    let mut derived = Zeroizing::new([0u8; 32]);
    match kdf {
        "scrypt" => {
            let p: ScryptParams = serde_json::from_value(params.clone()).map_err(malformed)?;
            let salt = hex_field("crypto.kdfparams.salt", &p.salt)?;
            if p.dklen != 32 {
                return Err(KeystoreError::Unsupported(format!("dklen {}", p.dklen)));
            }
            if !p.n.is_power_of_two() || p.n < 2 {
                return Err(KeystoreError::Malformed(format!(
                    "scrypt n {} is not a power of two",
                    p.n
                )));
            }
            let memory = p.n.saturating_mul(u64::from(p.r)).saturating_mul(128);
            if memory > MAX_SCRYPT_MEMORY || p.p > 16 {
                return Err(KeystoreError::TooCostly(format!(
                    "scrypt n={} r={} p={}",
                    p.n, p.r, p.p
                )));
            }
            let params =
                scrypt::Params::new(p.n.trailing_zeros() as u8, p.r, p.p, 32).map_err(|_| {
                    KeystoreError::Unsupported(format!(
                        "scrypt n={} r={} p={} (outside RFC 7914's bounds)",
                        p.n, p.r, p.p
                    ))
                })?;
            scrypt::scrypt(password, &salt, &params, derived.as_mut())
                .map_err(|e| KeystoreError::Malformed(format!("scrypt: {e}")))?;
        }
        "pbkdf2" => {
            let p: Pbkdf2Params = serde_json::from_value(params.clone()).map_err(malformed)?;
            let salt = hex_field("crypto.kdfparams.salt", &p.salt)?;
            if p.prf != "hmac-sha256" {
                return Err(KeystoreError::Unsupported(format!("prf {:?}", p.prf)));
            }
            if p.dklen != 32 {
                return Err(KeystoreError::Unsupported(format!("dklen {}", p.dklen)));
            }
            if p.c > MAX_PBKDF2_ROUNDS {
                return Err(KeystoreError::TooCostly(format!("pbkdf2 c={}", p.c)));
            }
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, &salt, p.c, derived.as_mut());
        }
        other => return Err(KeystoreError::Unsupported(format!("kdf {other:?}"))),
    }
    Ok(derived)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PBKDF2 test vector of the Web3 Secret Storage Definition (password "testpassword").
    /// Its scrypt vector (n = 2^18 with r = 1) breaks RFC 7914's bound on n, which the scrypt
    /// crate enforces; scrypt files are checked against ethers in the compatibility tests.
    const KEY: &str = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

    #[test]
    fn reads_the_specification_vector() {
        let pbkdf2 = r#"{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
            "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
            "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
            "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
            "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}"#;
        let key = decrypt(pbkdf2, b"testpassword").unwrap();
        assert_eq!(const_hex::encode(key.to_bytes()), KEY);
        assert!(matches!(
            decrypt(pbkdf2, b"testpassworD"),
            Err(KeystoreError::WrongPassword)
        ));
    }

    #[test]
    fn refuses_what_it_cannot_or_should_not_read() {
        let key = SigningKey::from_slice(&[9u8; 32]).unwrap();
        let json = encrypt(&key, b"pw", &mut rand::rng());
        let mut file: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            stated_address(&json).unwrap(),
            Some(Address::from_private_key(&key))
        );

        let mut costly = file.clone();
        costly["crypto"]["kdfparams"]["n"] = (1u64 << 30).into();
        let err = decrypt(&costly.to_string(), b"pw").unwrap_err();
        assert!(matches!(err, KeystoreError::TooCostly(_)), "{err}");

        let mut other_address = file.clone();
        other_address["address"] = "00".repeat(20).into();
        let err = decrypt(&other_address.to_string(), b"pw").unwrap_err();
        assert!(matches!(err, KeystoreError::InvalidKey(_)), "{err}");

        file["version"] = 1.into();
        let err = decrypt(&file.to_string(), b"pw").unwrap_err();
        assert!(matches!(err, KeystoreError::Unsupported(_)), "{err}");

        let err = decrypt("{\"not\": \"a keystore\"}", b"pw").unwrap_err();
        assert!(matches!(err, KeystoreError::Malformed(_)), "{err}");
    }
}
