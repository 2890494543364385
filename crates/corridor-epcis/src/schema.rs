//! Validation against GS1's EPCIS 2.0 JSON schema (the bundled single-file schema GS1
//! publishes at `https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json`), with every refusal
//! naming the event and the field; and, as GS1's epcis2.js checks it, that each extension's
//! prefix is declared in the `@context`.

use std::sync::LazyLock;

use serde_json::{Value, json};

/// GS1's EPCIS 2.0 JSON schema.
const SCHEMA: &str = include_str!("../schema/EPCIS-JSON-Schema.json");

/// The prefixes the EPCIS context declares, which extensions may use without declaring them.
const EPCIS_PREFIXES: [&str; 8] = [
    "epcis", "cbv", "cbvmda", "gs1", "rdfs", "owl", "xsd", "dcterms",
];

static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the bundled schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the bundled schema compiles")
});

/// One way an EPCIS document or event breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The event's place in the document's eventList (0-based), when it is about one.
    pub event: Option<usize>,
    /// The field, as a path within the event (or the document): `quantityList[0].epcClass`.
    pub field: String,
    pub problem: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = if self.field.is_empty() {
            "the event"
        } else {
            &self.field
        };
        write!(f, "{field}: {}", self.problem)
    }
}

/// The most problems reported for one input: the first are what a person fixes first.
const MOST: usize = 20;

/// Checks an EPCISDocument, or one event (which must carry its own `@context`), against the
/// schema. An event's problems have `event: None`; a document's name the event they are in.
///
/// ```
/// use corridor_epcis::validate;
/// let event = serde_json::json!({
///     "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
///     "type": "ObjectEvent", "eventTime": "2025-03-02T14:00:04Z", "eventTimeZoneOffset": "+08:00",
///     "action": "ADD", "epcList": ["urn:epc:id:sgtin:6918790.000001.TGRMXDB2"], "bizStep": "commissioning"
/// });
/// assert!(validate(&event).is_ok());
/// let mut bad = event.clone();
/// bad["action"] = "TAKE".into();
/// let problems = validate(&bad).unwrap_err();
/// assert_eq!(problems[0].field, "action");
/// ```
pub fn validate(value: &Value) -> Result<(), Vec<Invalid>> {
    let is_document = value
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t == "EPCISDocument" || t == "EPCISQueryDocument");
    let (document, single) = if is_document {
        (std::borrow::Cow::Borrowed(value), false)
    } else {
        let Some(event) = value.as_object() else {
            return Err(vec![Invalid {
                event: None,
                field: String::new(),
                problem: "an EPCIS event or document is a JSON object".into(),
            }]);
        };
        let Some(context) = event.get("@context") else {
            return Err(vec![Invalid {
                event: None,
                field: "@context".into(),
                problem: "an event sent on its own carries its @context (the EPCIS 2.0 context, and any extension's)".into(),
            }]);
        };
        let mut event = event.clone();
        event.remove("@context");
        let document = json!({
            "@context": context,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2000-01-01T00:00:00Z",
            "epcisBody": {"eventList": [event]},
        });
        (std::borrow::Cow::Owned(document), true)
    };
    let mut problems: Vec<Invalid> = VALIDATOR
        .iter_errors(&document)
        .take(MOST)
        .map(|error| {
            locate(
                &error.instance_path().to_string(),
                error.to_string(),
                single,
            )
        })
        .collect();
    if problems.is_empty() {
        problems.extend(undeclared_extensions(&document, single));
    }
    // The schema's if/then and anyOf branches report the same field several times.
    problems.dedup();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Names where a problem at `pointer` (in the document) is.
fn locate(pointer: &str, problem: String, single: bool) -> Invalid {
    let mut parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut event = None;
    let in_events = parts.len() >= 3 && parts[0] == "epcisBody" && parts[1] == "eventList";
    if in_events && let Ok(index) = parts[2].parse::<usize>() {
        event = (!single).then_some(index);
        parts.drain(..3);
    }
    let mut field = String::new();
    for part in parts {
        if part.parse::<usize>().is_ok() {
            field.push_str(&format!("[{part}]"));
        } else {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(&part);
        }
    }
    let problem = if problem.chars().count() > 300 {
        format!("{}…", problem.chars().take(300).collect::<String>())
    } else {
        problem
    };
    Invalid {
        event,
        field,
        problem,
    }
}

/// Extensions whose prefix the document's `@context` does not declare.
fn undeclared_extensions(document: &Value, single: bool) -> Vec<Invalid> {
    let mut declared: Vec<&str> = EPCIS_PREFIXES.to_vec();
    let contexts = match &document["@context"] {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for context in contexts {
        if let Value::Object(terms) = context {
            declared.extend(terms.keys().map(String::as_str));
        }
    }
    let events = document["epcisBody"]["eventList"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut problems = Vec::new();
    for (index, event) in events.iter().enumerate() {
        for key in event.as_object().into_iter().flat_map(|e| e.keys()) {
            let Some((prefix, local)) = key.split_once(':') else {
                continue;
            };
            // A full IRI names its extension itself.
            if local.starts_with("//") || prefix == "urn" {
                continue;
            }
            if !declared.contains(&prefix) {
                problems.push(Invalid {
                    event: (!single).then_some(index),
                    field: key.clone(),
                    problem: format!(
                        "the extension's prefix {prefix:?} is not declared in the @context"
                    ),
                });
            }
        }
    }
    problems
}
