//! Transferable records — electronic bills of lading — as TradeTrust's Token Registry v5
//! (and, for registries deployed before it, v4) defines them: a registry mints one token per document into a title escrow that records who
//! owns the goods (the beneficiary) and who holds the document (the holder); title passes by
//! nomination and endorsement, and ends by surrender to the registry.
//!
//! [`apply`] is those rules as a pure function; the embedded registry runs on it, and the EVM
//! backend's contracts are checked against it. [`SignedAction`] is what a party signs to act on
//! the embedded registry.
//!
//! Architecture invariant: no I/O, no clock. A backend reads a [`Title`], asks [`apply`], and
//! records the result (or, on a chain, sends the transaction whose outcome the contracts
//! decide by the same rules).

pub mod json;
mod registry;
mod rules;
mod signed;

pub use alloy_primitives::{Address, B256, Bytes, U256};
pub use registry::{HistoryEntry, Receipt, RegistryError, TitleRegistry};
pub use rules::{
    Action, BURN_ADDRESS, Custody, REMARK_LIMIT, ROLES, RegistryVersion, Role, Roles, Title,
    TitleError, apply, open_actions,
};
pub use signed::{Deployment, SignatureError, SignedAction, SigningDomain};

/// Reads a token id as people and other tools write one: `0x` and up to 64 hex digits, 64 hex
/// digits alone (a document's merkle root, as OpenAttestation writes it), or a decimal
/// number (as block explorers show it). 64 digits are hex even when all are decimal digits.
///
/// ```
/// use corridor_title::{U256, parse_token_id};
/// assert_eq!(parse_token_id("0x1f"), Some(U256::from(31)));
/// assert_eq!(parse_token_id("31"), Some(U256::from(31)));
/// assert_eq!(parse_token_id(&"0".repeat(63).chars().chain(['1']).collect::<String>()), Some(U256::from(1)));
/// assert_eq!(parse_token_id("0x"), None);
/// assert_eq!(parse_token_id("1f"), None);
/// ```
pub fn parse_token_id(text: &str) -> Option<U256> {
    let hex_digits =
        |s: &str| (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return hex_digits(hex)
            .then(|| U256::from_str_radix(hex, 16).ok())
            .flatten();
    }
    if text.len() == 64 && hex_digits(text) {
        return U256::from_str_radix(text, 16).ok();
    }
    let decimal = !text.is_empty() && text.len() <= 78 && text.bytes().all(|b| b.is_ascii_digit());
    decimal
        .then(|| U256::from_str_radix(text, 10).ok())
        .flatten()
}
