//! Company data across the border between Singapore and China.
//!
//! [`identifier`] checks the identifiers a company profile carries and those of the people
//! named in it: Singapore's UEN and NRIC/FIN, China's unified social credit code and resident
//! identity number, and the LEI. Each check gives the first rule an input breaks, in a fixed
//! order, so that two implementations of the same rules name the same reason.
//!
//! [`policy`] reads disclosure policies (which fields may cross, which only under a recorded
//! legal basis, which never, how people are minimised) and judges every field of a profile
//! under one.
//!
//! [`credential`] makes a profile a W3C VC 2.0 credential, and [`disclosure`] passes one on
//! under a policy as a selectively disclosed copy of the issuer's own.

pub mod credential;
pub mod disclosure;
pub mod identifier;
pub mod names;
pub mod policy;
pub mod profile;
pub mod record;

pub use disclosure::{DiscloseError, Disclosure, PersonDisclosed, disclose};
pub use identifier::{Date, IdKind, Problem, Reason, check, guess_kind, normalise};
pub use names::name_key;
pub use policy::{Basis, Classification, Policy, PolicyError, Withheld, classify};
pub use profile::profile_of;
pub use record::{Company, FieldProblem, read_company};
