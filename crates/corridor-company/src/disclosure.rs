//! A disclosure: a profile credential judged under a policy and passed on as a selectively
//! disclosed copy that reveals exactly the fields the policy lets leave. The copy carries the
//! issuer's own proof, derived, never a new signature: the partner verifies the issuer.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::credential::{credential_pointer, profile_of_credential};
use crate::policy::{Basis, Classification, Policy, within};

/// Why a credential could not be disclosed (a refusal under the policy is not one of these:
/// it is a [`Disclosure`] whose classification says so).
#[derive(Debug, thiserror::Error)]
pub enum DiscloseError {
    #[error("not a company profile credential (its type has no CompanyProfileCredential)")]
    NotAProfile,
    #[error("cannot derive the disclosed copy: {0}")]
    Derive(#[from] corridor_di::DiError),
}

/// A person a profile names (an officer, a shareholder, a legal representative), known by
/// the identity document its `person` carries, and what of theirs a disclosure let leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDisclosed {
    /// The document's type (`SG-NRIC`, `CN-RIC`, `PASSPORT`, …), empty when not given.
    pub kind: String,
    pub number: String,
    /// Where they appear: the element holding their `person` (`officers[1]`,
    /// `legal_representative`).
    pub element: String,
    /// The disclosed fields under `element`, in the profile's order.
    pub disclosed: Vec<String>,
}

/// One disclosure of one profile under one policy.
#[derive(Debug, Clone)]
pub struct Disclosure {
    pub classification: Classification,
    /// The selectively disclosed copy; `None` when the policy refused.
    pub credential: Option<Value>,
    /// The people something about whom leaves, each appearance once.
    pub people: Vec<PersonDisclosed>,
}

impl Disclosure {
    /// `disclosed` or `refused`.
    pub fn outcome(&self) -> &'static str {
        if self.classification.refused.is_some() {
            "refused"
        } else {
            "disclosed"
        }
    }

    /// What was judged, for the record of what crossed: from which credential (its `id`),
    /// under which policy, the outcome, what left and what stayed, the SHA-256 of the copy
    /// that left, and the people something about whom left (by their identity document: the
    /// record is the node's own, and a data-subject report finds them by it). The same for
    /// every disclosure of one credential under one policy with a basis of the same standing.
    pub fn shape(&self, credential_id: Option<&str>, policy: &Policy) -> Value {
        let mut fields = self.judged();
        let sha256 = self.credential.as_ref().map(|copy| {
            let digest = Sha256::digest(copy.to_string().as_bytes());
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        });
        let people: Vec<Value> = self
            .people
            .iter()
            .map(|p| json!({"type": p.kind, "number": p.number, "element": p.element, "disclosed": p.disclosed}))
            .collect();
        fields.insert("credential".into(), json!(credential_id));
        fields.insert("copy_sha256".into(), json!(sha256));
        fields.insert(
            "policy".into(),
            json!({"id": policy.id, "version": policy.version, "purpose": policy.purpose,
                   "law": policy.law, "from": policy.from.name(), "to": policy.to.name()}),
        );
        fields.insert("people".into(), Value::Array(people));
        Value::Object(fields)
    }

    /// The whole record of this disclosure: to whom (`partner`), of which company, on what
    /// basis, and its [`shape`](Disclosure::shape).
    pub fn record(
        &self,
        partner: &str,
        company: &str,
        credential_id: Option<&str>,
        policy: &Policy,
        basis: Option<&Basis>,
    ) -> Value {
        let mut record = Map::new();
        record.insert("partner".into(), Value::from(partner));
        record.insert("company".into(), Value::from(company));
        record.insert(
            "basis".into(),
            json!(basis.map(|b| json!({"kind": b.kind, "reference": b.reference}))),
        );
        if let Value::Object(shape) = self.shape(credential_id, policy) {
            record.extend(shape);
        }
        Value::Object(record)
    }

    /// What the disclosure says, in the shape of the corpus's expected disclosures:
    /// `{"outcome", "refusal_reason", "disclose": [paths], "withhold": {path: reason},
    /// "credential"}`.
    pub fn to_json(&self) -> Value {
        let mut fields = self.judged();
        fields.insert("credential".into(), json!(self.credential));
        Value::Object(fields)
    }

    /// The outcome and what was judged: `outcome`, `refusal_reason`, `disclose`, `withhold`.
    fn judged(&self) -> Map<String, Value> {
        let c = &self.classification;
        let withhold: Map<String, Value> = c
            .withhold
            .iter()
            .map(|(path, why)| (path.clone(), Value::from(why.name())))
            .collect();
        let mut fields = Map::new();
        fields.insert("outcome".into(), Value::from(self.outcome()));
        fields.insert("refusal_reason".into(), json!(c.refused.map(|r| r.name())));
        fields.insert("disclose".into(), json!(c.disclose));
        fields.insert("withhold".into(), Value::Object(withhold));
        fields
    }
}

/// Discloses the profile `credential` (signed with an ecdsa-sd-2023 or bbs-2023 base proof)
/// under `policy`, with the legal basis `basis` recorded for it, if one.
pub fn disclose(
    processor: &corridor_jsonld::Processor,
    credential: &Value,
    policy: &Policy,
    basis: Option<&Basis>,
) -> Result<Disclosure, DiscloseError> {
    let profile = profile_of_credential(credential).ok_or(DiscloseError::NotAProfile)?;
    let classification = crate::policy::classify(&profile, policy, basis);
    if classification.refused.is_some() {
        return Ok(Disclosure {
            classification,
            credential: None,
            people: Vec::new(),
        });
    }
    let pointers: Vec<String> = classification
        .disclose_pointers
        .iter()
        .map(|p| credential_pointer(p))
        .collect();
    let derived = corridor_di::derive(processor, credential, &pointers)?;
    let people = people_disclosed(&profile, &classification);
    Ok(Disclosure {
        classification,
        credential: Some(derived),
        people,
    })
}

/// The people of `profile` something about whom `classification` discloses.
pub fn people_disclosed(profile: &Value, classification: &Classification) -> Vec<PersonDisclosed> {
    let mut people = Vec::new();
    find_people(profile, "", &mut people);
    people
        .into_iter()
        .filter_map(|(kind, number, element)| {
            let disclosed: Vec<String> = classification
                .disclose
                .iter()
                .filter(|path| within(path, &element))
                .cloned()
                .collect();
            (!disclosed.is_empty()).then_some(PersonDisclosed {
                kind,
                number,
                element,
                disclosed,
            })
        })
        .collect()
}

/// Every `person` with an identity document's number under `value` (at `path`): its type, its
/// number, and the path of the element holding it.
fn find_people(value: &Value, path: &str, out: &mut Vec<(String, String, String)>) {
    match value {
        Value::Object(fields) => {
            let id = fields.get("person").and_then(|p| p.get("id"));
            if let Some(number) = id.and_then(|id| id.get("number")).and_then(Value::as_str) {
                let kind = id
                    .and_then(|id| id.get("type"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                out.push((kind.to_owned(), number.to_owned(), path.to_owned()));
            }
            for (key, child) in fields {
                let under = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                find_people(child, &under, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                find_people(child, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_found_where_they_appear_and_counted_only_when_something_leaves() {
        let profile = json!({
            "legal_representative": {"person": {"name": "A", "id": {"type": "CN-RIC", "number": "1"}}},
            "officers": [
                {"role": "director", "person": {"name": "B", "id": {"type": "SG-NRIC", "number": "2"}}},
                {"role": "secretary", "person": {"name": "C", "id": {"number": "3"}}}
            ]
        });
        let classification = Classification {
            refused: None,
            disclose: vec![
                "officers[0].role".into(),
                "officers[0].person.name".into(),
                "officers[10].role".into(),
            ],
            disclose_pointers: Vec::new(),
            withhold: Vec::new(),
        };
        let people = people_disclosed(&profile, &classification);
        assert_eq!(
            people,
            [PersonDisclosed {
                kind: "SG-NRIC".into(),
                number: "2".into(),
                element: "officers[0]".into(),
                disclosed: vec!["officers[0].role".into(), "officers[0].person.name".into()],
            }]
        );
    }
}
