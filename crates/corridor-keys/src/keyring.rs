//! A folder of named keys, one keystore v3 file each (`<name>.json`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use alloy_primitives::Address;
use corridor_di::{Cryptosuite, IssuerSigningKey};
use corridor_format::did::DidSigner;
use k256::ecdsa::SigningKey;
use rand::Rng;

use crate::keystore::{self, KeystoreError};

/// Why a key could not be made, listed or unlocked. Messages name the key and its file, never
/// the password or the key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The name cannot be a key's name.
    #[error(
        "{0:?} is not a key name: use 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'"
    )]
    BadName(String),
    /// No key by that name.
    #[error("no key named {name:?} in {}", dir.display())]
    NotFound { name: String, dir: PathBuf },
    /// A key by that name exists already; it is never overwritten.
    #[error("a key named {name:?} exists already: {}", path.display())]
    Exists { name: String, path: PathBuf },
    /// The keystore file could not be read or opened.
    #[error("{}: {source}", path.display())]
    Keystore {
        path: PathBuf,
        source: KeystoreError,
    },
    /// A raw private key given for import is not one.
    #[error("the private key given is not 32 bytes of hex (64 hex digits, 0x optional)")]
    BadPrivateKey,
    /// Reading or writing the folder failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What can be told of a key without its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Its name in the keyring.
    pub name: String,
    /// What kind of key, and its public part.
    pub kind: KeyKind,
    /// Its keystore file.
    pub path: PathBuf,
}

/// The kinds of key a keyring keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// A secp256k1 key: OpenAttestation DID signatures, transactions, title actions.
    Ethereum(Address),
    /// A W3C issuer's Multikey: P-256 for ecdsa-sd-2023, BLS12-381 for bbs-2023.
    Multikey {
        suite: Cryptosuite,
        public_key_multibase: String,
    },
}

impl KeyInfo {
    /// Its Ethereum address, for an Ethereum key.
    pub fn address(&self) -> Option<Address> {
        match &self.kind {
            KeyKind::Ethereum(address) => Some(*address),
            KeyKind::Multikey { .. } => None,
        }
    }

    /// `did:ethr:0x…`, checksummed, for an Ethereum key.
    pub fn did(&self) -> Option<String> {
        self.address()
            .map(|a| format!("did:ethr:{}", a.to_checksum(None)))
    }
}

/// A folder of keystore files. Nothing is read or created until a method needs it.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let keyring = corridor_keys::Keyring::new(dir.path().join("keys"));
/// let made = keyring.generate("carrier", b"pw", &mut rand::rng()).unwrap();
/// assert_eq!(keyring.list().unwrap(), vec![made.clone()]);
/// let signer = keyring.unlock("carrier", b"pw").unwrap();
/// assert_eq!(Some(signer.address()), made.address());
/// ```
#[derive(Debug, Clone)]
pub struct Keyring {
    dir: PathBuf,
}

impl Keyring {
    /// The keyring in `dir` (created on the first key).
    pub fn new(dir: impl Into<PathBuf>) -> Keyring {
        Keyring { dir: dir.into() }
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes a new random key named `name`, encrypted with `password`.
    pub fn generate(
        &self,
        name: &str,
        password: &[u8],
        rng: &mut impl Rng,
    ) -> Result<KeyInfo, KeyError> {
        let key = loop {
            // Of 2^256 byte strings, only 0 and those >= the group order are not keys.
            if let Ok(key) = SigningKey::from_slice(&rng.random::<[u8; 32]>()) {
                break key;
            }
        };
        self.store(name, &key, password, rng)
    }

    /// Keeps a raw private key (64 hex digits, `0x` optional) under `name`.
    pub fn import(
        &self,
        name: &str,
        private_key_hex: &str,
        password: &[u8],
        rng: &mut impl Rng,
    ) -> Result<KeyInfo, KeyError> {
        self.store(name, &key_from_hex(private_key_hex)?, password, rng)
    }

    /// Makes a new random W3C issuer key for `suite`, named `name`, encrypted with `password`.
    pub fn generate_multikey(
        &self,
        name: &str,
        suite: Cryptosuite,
        password: &[u8],
        rng: &mut impl Rng,
    ) -> Result<KeyInfo, KeyError> {
        let key = IssuerSigningKey::generate(suite, rng);
        let path = self.write(name, &keystore::encrypt_multikey(&key, password, rng))?;
        Ok(KeyInfo {
            name: name.to_string(),
            kind: KeyKind::Multikey {
                suite,
                public_key_multibase: key.public_key_multibase(),
            },
            path,
        })
    }

    /// Decrypts the W3C issuer key named `name` with `password`.
    pub fn unlock_multikey(
        &self,
        name: &str,
        password: &[u8],
    ) -> Result<IssuerSigningKey, KeyError> {
        let path = self.path_of(name)?;
        let json = self.read(name, &path)?;
        keystore::decrypt_multikey(&json, password)
            .map_err(|source| KeyError::Keystore { path, source })
    }

    /// Every key, by name.
    pub fn list(&self) -> Result<Vec<KeyInfo>, KeyError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&self.dir, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| io(&self.dir, e))?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"));
            if let Some(name) = name.filter(|n| valid_name(n)) {
                names.push(name.to_string());
            }
        }
        names.sort();
        names.iter().map(|n| self.info(n)).collect()
    }

    /// The key named `name`, without unlocking it.
    pub fn info(&self, name: &str) -> Result<KeyInfo, KeyError> {
        let path = self.path_of(name)?;
        let json = self.read(name, &path)?;
        let stated = keystore::stated_multikey(&json).and_then(|multikey| match multikey {
            Some((suite, public_key_multibase)) => Ok(Some(KeyKind::Multikey {
                suite,
                public_key_multibase,
            })),
            None => keystore::stated_address(&json).map(|a| a.map(KeyKind::Ethereum)),
        });
        let kind = match stated {
            Ok(Some(kind)) => kind,
            Ok(None) => {
                return Err(KeyError::Keystore {
                    path,
                    source: KeystoreError::Malformed(
                        "it does not state its address; unlock it to learn it".into(),
                    ),
                });
            }
            Err(source) => return Err(KeyError::Keystore { path, source }),
        };
        Ok(KeyInfo {
            name: name.to_string(),
            kind,
            path,
        })
    }

    /// Decrypts the key named `name` with `password`.
    pub fn unlock(&self, name: &str, password: &[u8]) -> Result<DidSigner, KeyError> {
        let path = self.path_of(name)?;
        let json = self.read(name, &path)?;
        keystore::decrypt(&json, password)
            .map(DidSigner::new)
            .map_err(|source| KeyError::Keystore { path, source })
    }

    fn store(
        &self,
        name: &str,
        key: &SigningKey,
        password: &[u8],
        rng: &mut impl Rng,
    ) -> Result<KeyInfo, KeyError> {
        let path = self.write(name, &keystore::encrypt(key, password, rng))?;
        Ok(KeyInfo {
            name: name.to_string(),
            kind: KeyKind::Ethereum(Address::from_private_key(key)),
            path,
        })
    }

    /// Writes a new key file named `name`; never replaces one.
    fn write(&self, name: &str, json: &str) -> Result<PathBuf, KeyError> {
        let path = self.path_of(name)?;
        if !self.dir.exists() {
            fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, e))?;
            // Other local users need not even see the keys' names.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))
                    .map_err(|e| io(&self.dir, e))?;
            }
        }
        // Written beside, readable by the owner only, then linked into place: a key file is
        // whole or absent, and an existing one is never replaced.
        let mut builder = tempfile::Builder::new();
        builder.prefix(".new-key-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o600));
        }
        let mut temp = builder
            .tempfile_in(&self.dir)
            .map_err(|e| io(&self.dir, e))?;
        temp.write_all(json.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| io(temp.path(), e))?;
        temp.persist_noclobber(&path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                KeyError::Exists {
                    name: name.to_string(),
                    path: path.clone(),
                }
            } else {
                io(&path, e.error)
            }
        })?;
        Ok(path)
    }

    fn path_of(&self, name: &str) -> Result<PathBuf, KeyError> {
        if !valid_name(name) {
            return Err(KeyError::BadName(name.to_string()));
        }
        Ok(self.dir.join(format!("{name}.json")))
    }

    fn read(&self, name: &str, path: &Path) -> Result<String, KeyError> {
        fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                KeyError::NotFound {
                    name: name.to_string(),
                    dir: self.dir.clone(),
                }
            } else {
                io(path, e)
            }
        })
    }
}

/// A signer for a raw private key (64 hex digits, `0x` optional), as CI passes one.
pub fn signer_from_hex(private_key_hex: &str) -> Result<DidSigner, KeyError> {
    key_from_hex(private_key_hex).map(DidSigner::new)
}

fn key_from_hex(private_key_hex: &str) -> Result<SigningKey, KeyError> {
    let text = private_key_hex.trim();
    let hex = text.strip_prefix("0x").unwrap_or(text);
    let bytes = zeroize::Zeroizing::new(
        const_hex::decode_to_array::<_, 32>(hex).map_err(|_| KeyError::BadPrivateKey)?,
    );
    SigningKey::from_slice(bytes.as_ref()).map_err(|_| KeyError::BadPrivateKey)
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn io(path: &Path, source: std::io::Error) -> KeyError {
    KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_named_listed_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Keyring::new(dir.path().join("keys"));
        assert!(keyring.list().unwrap().is_empty());
        let imported = keyring
            .import(
                "ops",
                &format!("0x{}", "01".repeat(32)),
                b"pw",
                &mut rand::rng(),
            )
            .unwrap();
        assert_eq!(
            imported.did().as_deref(),
            Some("did:ethr:0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1")
        );
        let err = keyring
            .import("ops", &"02".repeat(32), b"pw", &mut rand::rng())
            .unwrap_err();
        assert!(matches!(err, KeyError::Exists { .. }), "{err}");
        assert_eq!(keyring.info("ops").unwrap().address(), imported.address());

        for bad in ["", ".hidden", "a/b", "x".repeat(65).as_str()] {
            assert!(matches!(keyring.info(bad), Err(KeyError::BadName(_))));
        }
        assert!(matches!(
            keyring.info("absent"),
            Err(KeyError::NotFound { .. })
        ));
        assert!(matches!(
            keyring.import("short", "abcd", b"pw", &mut rand::rng()),
            Err(KeyError::BadPrivateKey)
        ));
        let wrong = keyring.unlock("ops", b"not it").unwrap_err();
        assert!(wrong.to_string().contains("wrong password"), "{wrong}");
        assert!(wrong.to_string().contains("ops.json"), "{wrong}");
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_for_the_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let keyring = Keyring::new(dir.path());
        let info = keyring.generate("k", b"pw", &mut rand::rng()).unwrap();
        let mode = fs::metadata(&info.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn multikeys_of_both_suites_are_kept_told_and_unlocked() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Keyring::new(dir.path().join("keys"));
        for suite in [Cryptosuite::EcdsaSd2023, Cryptosuite::Bbs2023] {
            let name = suite.name();
            let made = keyring
                .generate_multikey(name, suite, b"pw", &mut rand::rng())
                .unwrap();
            let KeyKind::Multikey {
                suite: told,
                public_key_multibase,
            } = keyring.info(name).unwrap().kind
            else {
                panic!("{name} is not told as a Multikey")
            };
            assert_eq!(
                (told, &public_key_multibase),
                (
                    suite,
                    &match &made.kind {
                        KeyKind::Multikey {
                            public_key_multibase,
                            ..
                        } => public_key_multibase.clone(),
                        KeyKind::Ethereum(_) => unreachable!(),
                    }
                )
            );
            assert_eq!(made.address(), None);
            let key = keyring.unlock_multikey(name, b"pw").unwrap();
            assert_eq!(key.public_key_multibase(), public_key_multibase);
            assert!(matches!(
                keyring.unlock_multikey(name, b"wrong"),
                Err(KeyError::Keystore {
                    source: KeystoreError::WrongPassword,
                    ..
                })
            ));
            // Never the secret, whatever shows the key.
            let shown = format!("{key:?}");
            assert!(
                !shown.contains(&const_hex::encode(key.secret_bytes().as_ref())),
                "{shown}"
            );
            let err = keyring.unlock(name, b"pw").unwrap_err().to_string();
            assert!(err.contains("not an Ethereum key"), "{err}");
        }
        keyring.generate("eth", b"pw", &mut rand::rng()).unwrap();
        let err = keyring
            .unlock_multikey("eth", b"pw")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a Multikey"), "{err}");
        assert_eq!(keyring.list().unwrap().len(), 3);
    }
}
