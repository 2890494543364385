//! Transferable records — electronic bills of lading — as TradeTrust's Token Registry v5
//! defines them: a registry mints one token per document into a title escrow that records who
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

mod registry;
mod rules;
mod signed;

pub use alloy_primitives::{Address, Bytes, U256};
pub use registry::{HistoryEntry, Receipt, RegistryError, TitleRegistry};
pub use rules::{
    Action, BURN_ADDRESS, Custody, REMARK_LIMIT, Role, Roles, Title, TitleError, apply,
    open_actions,
};
pub use signed::{SignatureError, SignedAction};
