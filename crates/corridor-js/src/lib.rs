//! The JavaScript behaviours that Corridor's reference implementations (OpenAttestation's
//! `@tradetrust-tt/tradetrust`, TrustVC and the JSON-LD and RDF libraries under it) build the
//! text they hash and sign from, reproduced exactly.
//!
//! The references hash the text these produce, so "close" is not enough: one character of
//! difference is a different hash. Pure: no I/O.

mod buffer;
mod date;
mod number_methods;
mod number_text;
mod order;
mod value;

pub use buffer::buffer_from_base64;
pub use date::{civil_from_days, days_from_civil, parse_date, to_iso_string};
pub use number_methods::{parse_float, parse_int, to_exponential, to_fixed0};
pub use number_text::*;
pub use order::{js_order, js_sort};
pub use value::{enumeration_order, is_array_index, kind_of, to_js_string, truthy};
