//! A company profile: what a company record says of the company, without the bookkeeping
//! (`id`, `jurisdiction`, `updated_at`), its fields in one order whatever order the record
//! gave them in, so that the credentials issued over it and the records of what was disclosed
//! list them alike.

use serde_json::{Map, Value};

/// A record's fields that are bookkeeping, not part of the profile.
pub const BOOKKEEPING: [&str; 3] = ["id", "jurisdiction", "updated_at"];

/// The profile's fields, in their order: the company's identity, its registration, its
/// people, its figures, and where it all came from.
pub const FIELD_ORDER: [&str; 17] = [
    "identifiers",
    "name",
    "former_names",
    "legal_form",
    "home_company",
    "registered_address",
    "status",
    "incorporation_date",
    "industry",
    "capital",
    "registration_authority",
    "registered_capital",
    "legal_representative",
    "officers",
    "shareholders",
    "financials",
    "source",
];

/// The profile of a company `record`: its fields but the bookkeeping, those of
/// [`FIELD_ORDER`] in that order and any others after them, as the record has them.
///
/// ```
/// use serde_json::json;
/// let record = json!({"id": "SG-1", "officers": [], "name": {"legal": "A Pte. Ltd."}, "jurisdiction": "SG"});
/// let profile = corridor_company::profile_of(&record);
/// assert_eq!(profile, json!({"name": {"legal": "A Pte. Ltd."}, "officers": []}));
/// assert_eq!(profile.as_object().unwrap().keys().next().unwrap(), "name");
/// ```
pub fn profile_of(record: &Value) -> Value {
    let Some(fields) = record.as_object() else {
        return Value::Object(Map::new());
    };
    let mut profile = Map::with_capacity(fields.len());
    for name in FIELD_ORDER {
        if let Some(value) = fields.get(name) {
            profile.insert(name.to_owned(), value.clone());
        }
    }
    for (name, value) in fields {
        if !BOOKKEEPING.contains(&name.as_str()) && !profile.contains_key(name) {
            profile.insert(name.clone(), value.clone());
        }
    }
    Value::Object(profile)
}
