//! GS1 identifiers as supply chains write them: GTIN, GLN and SSCC keys with their check
//! digits, GS1 Digital Link URIs and EPC pure identity URNs, read into one [`Identifier`] and
//! written back as either. Every string that is not one is refused with the reason: which
//! check digit, which application identifier, which field.
//!
//! ```
//! use corridor_gs1::Identifier;
//! let pallet = Identifier::parse("urn:epc:id:sscc:691612888.30013424").unwrap();
//! assert_eq!(pallet.digital_link(), "https://id.gs1.org/00/369161288800134240");
//! let wrong = Identifier::parse("https://id.gs1.org/00/369161288800134244").unwrap_err();
//! assert_eq!(wrong.to_string(), "the SSCC (AI 00): check digit 4 is wrong: the digits before it make it 0");
//! ```

mod digital_link;
mod epc;
mod identifier;
mod keys;
mod text;

pub use identifier::{CANONICAL_DOMAIN, IdError, Identifier};
pub use keys::{Gln, Gtin, KeyError, Sscc, check_digit};
pub use text::{Text, TextError};
