//! GS1 EPCIS 2.0 events as supply chains capture them in the JSON-LD binding, read into types
//! for traceability: what each event names (compared by what a GS1 identifier names, in
//! whichever form it was written), when, where, by whom, with its sensor readings and the
//! certificates it cites.

mod cbv;
mod event;
mod hash_id;
mod schema;

pub use cbv::{Vocabulary, gs1_term};
pub use event::{
    Action, Epc, Event, EventError, EventType, Party, Prefixes, Quantity, RECORDED_BY,
    SensorReport, name_recorder,
};
pub use hash_id::{EPCIS_CONTEXT_URL, HashIdError, event_hash_id, prehash};
pub use schema::{Invalid, validate};
