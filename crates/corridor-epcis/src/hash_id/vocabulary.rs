//! What the pre-hash string needs from the EPCIS 2.0 JSON-LD context: the order of the
//! standard's fields, and the CBV and GS1 vocabulary IRIs an event's values expand to.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::event::Prefixes;

/// A field of the standard order, with the order of its own children.
pub(crate) struct Field {
    pub name: &'static str,
    pub children: Option<&'static [Field]>,
}

const fn leaf(name: &'static str) -> Field {
    Field {
        name,
        children: None,
    }
}

const fn parent(name: &'static str, children: &'static [Field]) -> Field {
    Field {
        name,
        children: Some(children),
    }
}

const EPC: &[Field] = &[leaf("epc")];
const QUANTITY: &[Field] = &[parent(
    "quantityElement",
    &[leaf("epcClass"), leaf("quantity"), leaf("uom")],
)];
/// A source, destination or business transaction is a pair the order names nothing of: it is
/// written with the fields outside the order.
const PAIR: &[Field] = &[];
const SENSOR_METADATA: &[Field] = &[
    leaf("time"),
    leaf("startTime"),
    leaf("endTime"),
    leaf("deviceID"),
    leaf("deviceMetadata"),
    leaf("rawData"),
    leaf("dataProcessingMethod"),
    leaf("bizRules"),
];
const SENSOR_REPORT: &[Field] = &[
    leaf("type"),
    leaf("exception"),
    leaf("deviceID"),
    leaf("deviceMetadata"),
    leaf("rawData"),
    leaf("dataProcessingMethod"),
    leaf("time"),
    leaf("microorganism"),
    leaf("chemicalSubstance"),
    leaf("value"),
    leaf("component"),
    leaf("stringValue"),
    leaf("booleanValue"),
    leaf("hexBinaryValue"),
    leaf("uriValue"),
    leaf("minValue"),
    leaf("maxValue"),
    leaf("meanValue"),
    leaf("sDev"),
    leaf("percRank"),
    leaf("percValue"),
    leaf("uom"),
    leaf("coordinateReferenceSystem"),
];

/// The order of the pre-hash string (CBV 2.0 section 8.9, as the reference writes it).
pub(crate) const ORDER: [Field; 23] = [
    leaf("eventTime"),
    leaf("eventTimeZoneOffset"),
    leaf("certificationInfo"),
    leaf("parentID"),
    parent("epcList", EPC),
    parent("inputEPCList", EPC),
    parent("childEPCs", EPC),
    parent("quantityList", QUANTITY),
    parent("childQuantityList", QUANTITY),
    parent("inputQuantityList", QUANTITY),
    parent("outputEPCList", EPC),
    parent("outputQuantityList", QUANTITY),
    leaf("action"),
    leaf("transformationID"),
    leaf("bizStep"),
    leaf("disposition"),
    parent("persistentDisposition", &[leaf("set"), leaf("unset")]),
    parent("readPoint", &[leaf("id")]),
    parent("bizLocation", &[leaf("id")]),
    parent("bizTransactionList", PAIR),
    parent("sourceList", PAIR),
    parent("destinationList", PAIR),
    parent(
        "sensorElementList",
        &[parent(
            "sensorElement",
            &[
                parent("sensorMetadata", SENSOR_METADATA),
                parent("sensorReport", SENSOR_REPORT),
            ],
        )],
    ),
];

/// The URL of GS1's EPCIS 2.0 JSON-LD context, which events name in their `@context`.
pub const EPCIS_CONTEXT_URL: &str =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// GS1's EPCIS 2.0 JSON-LD context, as published at [`EPCIS_CONTEXT_URL`]: the copy the
/// JSON-LD processor bundles, which events' credentials are signed over.
fn epcis_context() -> &'static str {
    corridor_jsonld::BUNDLED
        .iter()
        .find(|(url, _)| *url == EPCIS_CONTEXT_URL)
        .map(|(_, text)| *text)
        .expect("the JSON-LD processor bundles GS1's EPCIS context")
}

/// The vocabularies the context gives `@vocab`-typed fields: each field's words and the IRIs
/// they expand to.
struct Vocabularies {
    prefixes: HashMap<String, String>,
    by_field: HashMap<&'static str, HashMap<String, String>>,
}

static VOCABULARIES: LazyLock<Vocabularies> = LazyLock::new(|| {
    let context: Value =
        serde_json::from_str(epcis_context()).expect("the bundled EPCIS context is JSON");
    let top = &context["@context"];
    let prefixes: HashMap<String, String> = top
        .as_object()
        .expect("an object")
        .iter()
        .filter_map(|(term, iri)| {
            iri.as_str()
                .filter(|iri| iri.ends_with('/') || iri.ends_with(':'))
                .map(|iri| (term.clone(), iri.to_owned()))
        })
        .collect();
    let words = |terms: &Value| -> HashMap<String, String> {
        terms
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(word, iri)| iri.as_str().map(|iri| (word.clone(), iri.to_owned())))
            .collect()
    };
    let sensor = &top["sensorElementList"]["@context"]["sensorReport"]["@context"];
    let by_field = HashMap::from([
        ("bizStep", words(&top["bizStep"]["@context"])),
        ("disposition", words(&top["disposition"]["@context"])),
        (
            "persistentDisposition",
            words(&top["persistentDisposition"]["@context"][0]),
        ),
        (
            "sourceList",
            words(&top["sourceList"]["@context"]["type"]["@context"]),
        ),
        (
            "destinationList",
            words(&top["destinationList"]["@context"]["type"]["@context"]),
        ),
        (
            "bizTransactionList",
            words(&top["bizTransactionList"]["@context"]["type"]["@context"]),
        ),
        (
            "errorDeclaration",
            words(&top["errorDeclaration"]["@context"]["reason"]["@context"]),
        ),
        ("sensorReport.type", words(&sensor["type"]["@context"])),
        (
            "sensorReport.exception",
            words(&sensor["exception"]["@context"]),
        ),
        (
            "sensorReport.component",
            words(&sensor["component"]["@context"]),
        ),
    ]);
    Vocabularies { prefixes, by_field }
});

/// Whether the values of `field` are IRIs, where a compact IRI expands.
fn is_iri_field(field: &str) -> bool {
    matches!(
        field,
        "epcList"
            | "childEPCs"
            | "inputEPCList"
            | "outputEPCList"
            | "parentID"
            | "epcClass"
            | "id"
            | "certificationInfo"
            | "transformationID"
            | "source"
            | "destination"
            | "bizTransaction"
            | "deviceID"
            | "deviceMetadata"
            | "rawData"
            | "dataProcessingMethod"
            | "bizRules"
            | "coordinateReferenceSystem"
            | "microorganism"
            | "chemicalSubstance"
            | "uriValue"
            | "eventID"
            | "correctiveEventIDs"
    )
}

const VOCABULARY_IRIS: [&str; 2] = ["https://ref.gs1.org/cbv", "https://gs1.org/voc"];

fn is_vocabulary_iri(text: &str) -> bool {
    VOCABULARY_IRIS.iter().any(|v| text.starts_with(v))
}

impl Vocabularies {
    /// The vocabulary IRI `value` is or expands to with a declared prefix, if it is one.
    fn compact(&self, value: &str, prefixes: &Prefixes) -> Option<String> {
        let (prefix, local) = value.split_once(':')?;
        if local.starts_with("//") {
            return is_vocabulary_iri(value).then(|| value.to_owned());
        }
        let namespace = self
            .prefixes
            .get(prefix)
            .map(String::as_str)
            .or_else(|| prefixes.namespace(prefix))?;
        // Made only if it is one: most are not.
        let is_vocabulary = VOCABULARY_IRIS
            .iter()
            .any(|v| match v.strip_prefix(namespace) {
                Some(rest) => local.starts_with(rest),
                None => namespace.starts_with(v),
            });
        is_vocabulary.then(|| format!("{namespace}{local}"))
    }

    fn vocab(&self, field: &str, value: &str, prefixes: &Prefixes) -> Option<String> {
        match self.by_field.get(field).and_then(|words| words.get(value)) {
            Some(term) => self.compact(term, prefixes),
            None => self.compact(value, prefixes),
        }
    }
}

/// The CBV and GS1 vocabulary IRIs `value` (the event, or a part under `field`) expands to.
fn expanded(value: &Value, field: &str, within: &str, prefixes: &Prefixes, out: &mut Vec<String>) {
    let vocabularies = &*VOCABULARIES;
    match value {
        Value::String(text) => {
            if is_vocabulary_iri(text) {
                out.push(text.clone());
            }
            let vocabulary = match (within, field) {
                ("", "bizStep" | "disposition") => Some(field.to_owned()),
                ("persistentDisposition", "set" | "unset") => Some(within.to_owned()),
                ("sourceList" | "destinationList" | "bizTransactionList", "type") => {
                    Some(within.to_owned())
                }
                ("errorDeclaration", "reason") => Some(within.to_owned()),
                ("sensorReport", "type" | "exception" | "component") => {
                    Some(format!("sensorReport.{field}"))
                }
                _ => None,
            };
            if let Some(vocabulary) = vocabulary {
                out.extend(vocabularies.vocab(&vocabulary, text, prefixes));
            } else if is_iri_field(field) {
                out.extend(vocabularies.compact(text, prefixes));
            }
        }
        Value::Array(items) => {
            for item in items {
                expanded(item, field, within, prefixes, out);
            }
        }
        Value::Object(object) => {
            let within = if field.is_empty() { "" } else { field };
            for (key, item) in object {
                expanded(item, key, within, prefixes, out);
            }
        }
        _ => {}
    }
}

/// The CBV and GS1 vocabulary IRIs the fields of `event` (its `@context` aside) expand to:
/// the words [`bare_word`] may stand for.
pub(crate) fn vocabulary_iris(event: &Map<String, Value>, prefixes: &Prefixes) -> Vec<String> {
    let mut iris = Vec::new();
    for (key, item) in event {
        if key != "@context" {
            expanded(item, key, "", prefixes, &mut iris);
        }
    }
    iris.sort();
    iris.dedup();
    iris
}

/// The reference's replacement of bare words: a string value ending exactly one of `iris`
/// (after `-` or `/`) is that IRI.
pub(crate) fn bare_word<'a>(text: &'a str, iris: &'a [String]) -> &'a str {
    let mut matches = iris.iter().filter(|iri| {
        iri.strip_suffix(text)
            .is_some_and(|head| head.ends_with('-') || head.ends_with('/'))
    });
    match (matches.next(), matches.next()) {
        (Some(only), None) => only,
        _ => text,
    }
}
