//! Provenance over GS1 EPCIS events, by the rules of Corridor's traceability corpus
//! (version 1): what a target is inside and was made from, walked back to its origins; every
//! break on the way (a hop no shipment links, an event its recorder may not record, a reading
//! outside the product's range, a certificate that does not hold, a recall upstream); and a
//! recall traced forward to the stock to pull. Pure: events and reference data in, answers out.

mod checkout;
mod linked;
mod provenance;
mod query;
mod recall;
mod registry;

pub use checkout::{Check, Decision, Reason};
pub use linked::{Linked, link_keys, linked_documents};
pub use provenance::{Break, Origin, Provenance, TargetType, Trace, Verdict, urn};
pub use query::{EventQuery, OrderBy, QueryParameterError};
pub use recall::{Affected, Forward, RecallTrace, StockToPull};
pub use registry::{
    Certificate, Location, Party, Product, Registry, RegistryError, TemperatureRange,
};
