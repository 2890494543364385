//! Issuer keys: secp256k1 keys (Ethereum addresses, `did:ethr` DIDs) and W3C issuers' Multikey
//! pairs (P-256 for ecdsa-sd-2023, BLS12-381 for bbs-2023) kept encrypted as keystore v3 files,
//! in a folder of named keys.
//!
//! Architecture invariant: a private key leaves this crate only inside a
//! [`corridor_format::did::DidSigner`] or a [`corridor_di::IssuerSigningKey`], which sign but
//! never show it; no error, `Debug`
//! output or file other than the keystore ever holds the key or the password. This crate
//! reads and writes its folder and nothing else: asking for a password is the caller's job.

mod keyring;
pub mod keystore;

pub use keyring::{KeyError, KeyInfo, KeyKind, Keyring, signer_from_hex};
