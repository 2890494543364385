//! A company profile as a W3C VC 2.0 credential, and back.
//!
//! The profile is the subject's `profile`, field for field, so that a field of the profile is
//! one JSON pointer into the credential and a selectively disclosed copy can reveal any set of
//! them. Its terms are defined by a context carried inside the credential: `profile` has a
//! property-scoped context that maps every name under it to Corridor's company vocabulary
//! (`@vocab`), overriding the VC 2.0 context's own meaning of the names they share (`name`,
//! `description`, `sub`, …). A verifier needs nothing fetched to expand it, and a profile may
//! have fields no vocabulary lists.
//!
//! The names that hold lists are declared sets in that context. The suites find the
//! statements a pointer selects in the credential as JSON-LD compacts it, and compaction
//! writes a list of one as its one element, where `/officers/0` would then select nothing.
//! The lists of the corpus's profiles are always declared, others when a profile has them: a
//! disclosed copy carries the context whole, and it should not tell which fields the profile
//! had. `id` and `type` keep the VC 2.0 meaning (`@id`, `@type`) under `profile`: the suites
//! carry each node's blank node identifier along a pointer as its `id`.
//!
//! Two names cannot stay as they are. Selective disclosure (`selectJsonLd` of the Data
//! Integrity suites) copies an object's `id` and `type` along every pointer that passes
//! through it, so an officer's `id` (their identity document) would leave with their name,
//! and an identifier's `type` with its value. In the credential every name that is `id` or
//! `type` followed by underscores gets one more underscore (`id` → `id_`, `id_` → `id__`):
//! a one-to-one renaming that [`profile_of_credential`] undoes.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

/// The vocabulary the profile's names are terms of.
pub const VOCABULARY: &str = "https://ns.corridor.example/company#";

/// The credential's type beside `VerifiableCredential`.
pub const CREDENTIAL_TYPE: &str = "CompanyProfileCredential";

/// The subject's type.
pub const SUBJECT_TYPE: &str = "CompanyProfile";

/// What a profile credential's proof always discloses besides TrustVC's own (`/issuer`,
/// `/validFrom`): its status entry, so that a partner can always tell whether it was withdrawn.
pub const MANDATORY: [&str; 1] = ["/credentialStatus"];

/// The names of lists every profile context declares.
const LISTS: [&str; 4] = ["financials", "former_names", "officers", "shareholders"];

/// The terms the VC 2.0 context defines (but `id` and `type`), which the profile's context
/// gives Corridor's meaning.
static VC_TERMS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let v2 = corridor_jsonld::BUNDLED
        .iter()
        .find(|(url, _)| *url == "https://www.w3.org/ns/credentials/v2")
        .and_then(|(_, text)| serde_json::from_str::<Value>(text).ok());
    let terms = v2.as_ref().and_then(|v2| v2.get("@context")?.as_object());
    terms
        .into_iter()
        .flatten()
        .map(|(term, _)| term)
        .filter(|term| !term.starts_with('@') && *term != "id" && *term != "type")
        .cloned()
        .collect()
});

/// The W3C VC 2.0 context, and the inline context of the terms of `subject` (a profile with
/// its names as the credential writes them): every name in Corridor's vocabulary, and those
/// that hold lists sets.
fn contexts(subject: &Value) -> Value {
    let mut lists: BTreeSet<&str> = LISTS.into_iter().collect();
    lists_in(subject, &mut lists);
    let mut terms = Map::new();
    terms.insert("@vocab".into(), Value::from(VOCABULARY));
    for term in VC_TERMS.iter() {
        terms.insert(term.clone(), json!({"@id": format!("{VOCABULARY}{term}")}));
    }
    for name in lists {
        terms.insert(
            name.to_owned(),
            json!({"@id": format!("{VOCABULARY}{name}"), "@container": "@set"}),
        );
    }
    json!([
        "https://www.w3.org/ns/credentials/v2",
        {
            CREDENTIAL_TYPE: format!("{VOCABULARY}{CREDENTIAL_TYPE}"),
            SUBJECT_TYPE: format!("{VOCABULARY}{SUBJECT_TYPE}"),
            "profile": {
                "@id": format!("{VOCABULARY}profile"),
                "@context": terms
            }
        }
    ])
}

/// The names under `value` that hold a list somewhere.
fn lists_in<'v>(value: &'v Value, out: &mut BTreeSet<&'v str>) {
    match value {
        Value::Object(fields) => {
            for (name, child) in fields {
                if child.is_array() {
                    out.insert(name);
                }
                lists_in(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| lists_in(item, out)),
        _ => {}
    }
}

/// What in `profile` no credential can carry so that any field of it can be disclosed alone,
/// each with the path of its field: a name a policy could not name (see
/// [`is_field_name`](crate::policy::is_field_name)); a list in a list, or null in one, which
/// JSON-LD flattens or drops; a value twice in one list, which it keeps once. Each would
/// shift the places of the list's other elements.
pub fn problems(profile: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    problems_under(profile, &mut Vec::new(), &mut found);
    found
}

/// A step of a field's path: a name, or a place in a list.
enum Step<'v> {
    Name(&'v str),
    Place(usize),
}

/// The path `steps` write (`officers[0].person`), made only for a problem found.
fn path_of(steps: &[Step]) -> String {
    let mut path = String::new();
    for step in steps {
        match step {
            Step::Name(name) if path.is_empty() => path.push_str(name),
            Step::Name(name) => {
                path.push('.');
                path.push_str(name);
            }
            Step::Place(i) => path.push_str(&format!("[{i}]")),
        }
    }
    path
}

fn problems_under<'v>(
    value: &'v Value,
    steps: &mut Vec<Step<'v>>,
    found: &mut Vec<(String, String)>,
) {
    match value {
        Value::Object(fields) => {
            for (name, child) in fields {
                steps.push(Step::Name(name));
                if !crate::policy::is_field_name(name) {
                    found.push((
                        path_of(steps),
                        "a field's name is letters, digits, `_` and `-`".into(),
                    ));
                }
                problems_under(child, steps, found);
                steps.pop();
            }
        }
        Value::Array(items) => {
            // Each value's first place: a long list is checked in one pass.
            let mut seen: HashMap<Literal, usize> = HashMap::new();
            for (i, item) in items.iter().enumerate() {
                steps.push(Step::Place(i));
                match item {
                    Value::Array(_) => found.push((path_of(steps), "a list inside a list".into())),
                    Value::Null => found.push((path_of(steps), "null inside a list".into())),
                    Value::Object(_) => problems_under(item, steps, found),
                    Value::Bool(b) => repeated(&mut seen, Literal::Bool(*b), i, steps, found),
                    Value::String(text) => {
                        repeated(&mut seen, Literal::Text(text), i, steps, found)
                    }
                    Value::Number(n) => {
                        // 1 and 1.0 are one RDF literal; 0.0 and -0.0 one number.
                        let n = n.as_f64().unwrap_or(f64::NAN) + 0.0;
                        repeated(&mut seen, Literal::Number(n.to_bits()), i, steps, found)
                    }
                }
                steps.pop();
            }
        }
        _ => {}
    }
}

/// A value of a list as JSON-LD tells them apart.
#[derive(PartialEq, Eq, Hash)]
enum Literal<'v> {
    Bool(bool),
    Text(&'v str),
    Number(u64),
}

/// Notes `literal` at place `i` of the list `steps` ends in, or the problem of its repeating
/// an earlier one.
fn repeated<'v>(
    seen: &mut HashMap<Literal<'v>, usize>,
    literal: Literal<'v>,
    i: usize,
    steps: &[Step],
    found: &mut Vec<(String, String)>,
) {
    if let Some(earlier) = seen.get(&literal) {
        let list = path_of(&steps[..steps.len() - 1]);
        found.push((path_of(steps), format!("repeats {list}[{earlier}]")));
    } else {
        seen.insert(literal, i);
    }
}

/// The credential (without its proof) `issuer` (a DID) makes of `profile`, valid from
/// `valid_from` (an XML Schema date-time), withdrawn by the status entry `status`. Fields that
/// are null are left out, as JSON-LD leaves them out of what is signed. A profile with
/// [`problems`] makes a credential that cannot be signed, or not disclosed field by field.
///
/// ```
/// use serde_json::json;
/// let profile = json!({"officers": [{"person": {"id": {"type": "SG-NRIC", "number": "S1234567D"}}}]});
/// let credential = corridor_company::credential::profile_credential(
///     &profile, "did:web:sg.example", "2026-11-28T00:00:00Z", json!({"id": "https://sg.example/status/1#0"}));
/// assert_eq!(credential["credentialSubject"]["profile"]["officers"][0]["person"]["id_"]["type_"], "SG-NRIC");
/// assert_eq!(corridor_company::credential::profile_of_credential(&credential).unwrap(), profile);
/// ```
pub fn profile_credential(profile: &Value, issuer: &str, valid_from: &str, status: Value) -> Value {
    let subject = renamed(profile, escaped);
    json!({
        "@context": contexts(&subject),
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialStatus": status,
        "credentialSubject": {
            "type": SUBJECT_TYPE,
            "profile": subject,
        }
    })
}

/// The profile a profile credential (or a selectively disclosed copy of one) carries, with its
/// names as the profile has them: empty in a copy that discloses none of it. `None` when it is
/// not a profile credential.
pub fn profile_of_credential(credential: &Value) -> Option<Value> {
    let types = credential.get("type")?.as_array()?;
    if !types.iter().any(|t| t == CREDENTIAL_TYPE) {
        return None;
    }
    match credential.get("credentialSubject")?.get("profile") {
        None => Some(Value::Object(Map::new())),
        Some(profile) => profile.is_object().then(|| renamed(profile, unescaped)),
    }
}

/// The pointer into a profile credential of the field at `pointer` in the profile
/// (`/officers/0/person/id/number` → `/credentialSubject/profile/officers/0/person/id_/number`).
pub fn credential_pointer(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + 32);
    out.push_str("/credentialSubject/profile");
    for segment in pointer.split('/').skip(1) {
        out.push('/');
        // An array index is digits, never a renamed name; `~` and `/` are in neither.
        out.push_str(&escaped(segment));
    }
    out
}

/// Whether `name` is one the credential renames: `id` or `type`, then any underscores.
fn renames(name: &str) -> bool {
    matches!(name.trim_end_matches('_'), "id" | "type")
}

fn escaped(name: &str) -> Cow<'_, str> {
    if renames(name) {
        format!("{name}_").into()
    } else {
        name.into()
    }
}

fn unescaped(name: &str) -> Cow<'_, str> {
    match name.strip_suffix('_') {
        Some(shorter) if renames(name) => shorter.into(),
        _ => name.into(),
    }
}

/// `value` with every object's names passed through `rename`, and its null fields left out.
fn renamed(value: &Value, rename: fn(&str) -> Cow<'_, str>) -> Value {
    match value {
        Value::Object(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (name, child) in fields.iter().filter(|(_, v)| !v.is_null()) {
                out.insert(rename(name).into_owned(), renamed(child, rename));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| renamed(v, rename)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renaming_is_one_to_one() {
        let profile = json!({
            "id": 1, "id_": 2, "id__": 3, "type": {"type_": "x"}, "identity": 4, "kind_": 5,
            "list": [{"id": {"type": "SG-NRIC"}}]
        });
        let credential =
            profile_credential(&profile, "did:web:a", "2026-01-01T00:00:00Z", json!({}));
        let subject = &credential["credentialSubject"]["profile"];
        assert_eq!(subject["id_"], 1);
        assert_eq!(subject["id__"], 2);
        assert_eq!(subject["id___"], 3);
        assert_eq!(subject["type_"]["type__"], "x");
        assert_eq!(subject["identity"], 4);
        assert_eq!(subject["kind_"], 5);
        assert!(subject.get("id").is_none());
        assert_eq!(profile_of_credential(&credential), Some(profile));
    }

    #[test]
    fn what_a_credential_cannot_carry_is_named() {
        let profile = json!({
            "ok": [1, 2, {"a": 1}, {"a": 1}],
            "a b": 1,
            "list": [[1], null, "x", "x", 3, 3.0],
            "nested": {"": 2}
        });
        assert_eq!(
            problems(&profile),
            [
                (
                    "a b".to_owned(),
                    "a field's name is letters, digits, `_` and `-`".to_owned()
                ),
                ("list[0]".into(), "a list inside a list".into()),
                ("list[1]".into(), "null inside a list".into()),
                ("list[3]".into(), "repeats list[2]".into()),
                ("list[5]".into(), "repeats list[4]".into()),
                (
                    "nested.".into(),
                    "a field's name is letters, digits, `_` and `-`".into()
                ),
            ]
        );
        assert!(problems(&json!({"name": {"legal": "A"}, "officers": []})).is_empty());
    }

    #[test]
    fn a_long_list_is_checked_in_one_pass() {
        // A record of a megabyte may hold a list of 200,000 numbers: one pass, not n².
        let mut long: Vec<Value> = (0..200_000).map(Value::from).collect();
        long.push(json!(7.0));
        let found = problems(&json!({"list": long}));
        assert_eq!(
            found,
            [("list[200000]".to_owned(), "repeats list[7]".to_owned())]
        );
    }

    #[test]
    fn the_context_does_not_tell_which_fields_a_profile_has() {
        let context = |profile: Value| {
            profile_credential(&profile, "did:web:a", "2026-01-01T00:00:00Z", json!({}))["@context"]
                .clone()
        };
        let bare = context(json!({"name": {"legal": "A"}}));
        let full = context(json!({
            "name": {"legal": "A"}, "former_names": ["B"], "legal_representative": {"person": {}},
            "officers": [{"role": "director"}], "financials": [], "description": "x"
        }));
        assert_eq!(bare, full);
        // A list the corpus does not have is declared when a profile has one.
        let other = context(json!({"licences": ["L-1"]}));
        assert_ne!(bare, other);
        assert_eq!(
            other[1]["profile"]["@context"]["licences"]["@container"],
            "@set"
        );
        assert_eq!(
            bare[1]["profile"]["@context"]["name"]["@id"],
            format!("{VOCABULARY}name")
        );
    }

    #[test]
    fn pointers_follow_the_renaming() {
        assert_eq!(
            credential_pointer("/officers/10/person/id/type"),
            "/credentialSubject/profile/officers/10/person/id_/type_"
        );
        assert_eq!(
            credential_pointer("/a~1b"),
            "/credentialSubject/profile/a~1b"
        );
    }

    #[test]
    fn only_profile_credentials_have_a_profile() {
        assert_eq!(
            profile_of_credential(
                &json!({"type": ["VerifiableCredential"], "credentialSubject": {"profile": {}}})
            ),
            None
        );
    }
}
