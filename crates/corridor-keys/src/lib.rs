//! Issuer keys: secp256k1 keys (Ethereum addresses, `did:ethr` DIDs) kept encrypted as
//! standard Ethereum keystore v3 files, in a folder of named keys.
//!
//! Architecture invariant: a private key leaves this crate only inside a
//! [`corridor_format::did::DidSigner`], which signs but never shows it; no error, `Debug`
//! output or file other than the keystore ever holds the key or the password. This crate
//! reads and writes its folder and nothing else: asking for a password is the caller's job.

mod keyring;
pub mod keystore;

pub use keyring::{KeyError, KeyInfo, Keyring, signer_from_hex};
