//! Untrusted JSON-LD on the bundled contexts: expansion, compaction and RDF never panic, overflow
//! or hang, and what they give agrees with itself.
//!
//! Expansion is idempotent except where jsonld.js is not (each case below checked against it,
//! on the generated documents of `tests/jsonld` and on what this target found): an `@reverse`
//! term whose value is empty leaves an empty `@reverse` map that expanding again drops (and a
//! node left with nothing is then refused as an empty object); an IRI kept relative in an
//! `@id` or a type map's `@type`, which safe mode only refuses when making RDF, is refused by
//! the second expansion; so is the `null` type that a type map's key looking like a keyword
//! (`"@nowe"`) expands to, and the document's RDF is refused too (jsonld.js fails on it). So
//! the second expansion is the first without empty `@reverse` maps, or one of those refusals,
//! and from there on expanding changes nothing.
//!
//! A document and its expansion make the same statements: the same canonical N-Quads (the
//! blank node labels RDF conversion gives can differ, in jsonld.js as here).
#![no_main]

use std::sync::LazyLock;

use corridor_jsonld::{BundledContexts, JsonLdError, Processor};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// One processor for every input, as a verifier keeps one: its caches are part of what is tested.
static PROCESSOR: LazyLock<Processor> = LazyLock::new(|| Processor::new(BundledContexts));

fuzz_target!(|bytes: &[u8]| {
    let Ok(document) = serde_json::from_slice::<Value>(bytes) else {
        return;
    };
    let processor = &*PROCESSOR;
    if let Some(context) = document.get("@context") {
        let _ = processor.compact(&document, context);
    }
    let statements = processor.to_rdf(&document);
    let Ok(expanded) = processor.expand(&document) else {
        assert!(
            statements.is_err(),
            "RDF made from a document that does not expand"
        );
        return;
    };
    let first = Value::Array(expanded);
    match processor.expand(&first) {
        Ok(second) => {
            let second = Value::Array(second);
            assert_eq!(second, without_empty_reverse(&first), "expanding again");
            let third = processor
                .expand(&second)
                .expect("an expansion expanded again expands");
            assert_eq!(Value::Array(third), second, "expanding a third time");
        }
        Err(e) => expected_second_refusal(&e, &first, statements.as_ref().err()),
    }
    let again = processor.to_rdf(&first);
    match (statements, again) {
        (Ok(ours), Ok(again)) => {
            if let (Ok(a), Ok(b)) = (
                corridor_rdfc::canonicalize(&ours),
                corridor_rdfc::canonicalize(&again),
            ) {
                assert_eq!(a.document(), b.document(), "the expansion's statements");
            }
        }
        (Ok(_), Err(e)) => assert!(
            e.code() == "empty object" && any_member(&first, &is_empty_reverse),
            "the expansion refused: {e}"
        ),
        (Err(e), Ok(_)) => panic!("the document refused ({e}) but its expansion accepted"),
        (Err(_), Err(_)) => {}
    }
});

/// What expanding an expansion may refuse, and why (see the top of the file).
fn expected_second_refusal(e: &JsonLdError, first: &Value, rdf: Option<&JsonLdError>) {
    match e.code() {
        "empty object" => assert!(any_member(first, &is_empty_reverse), "{e}"),
        "invalid type value" => assert!(rdf.is_some() && any_member(first, &is_null_type), "{e}"),
        // The document's RDF is refused too, for that IRI or for something met before it.
        "relative @id reference" | "relative @type reference" => assert!(rdf.is_some(), "{e}"),
        _ => panic!("expanding the expansion refused: {e}"),
    }
}

fn is_empty_reverse(key: &str, value: &Value) -> bool {
    key == "@reverse" && value.as_object().is_some_and(|m| m.is_empty())
}

fn is_null_type(key: &str, value: &Value) -> bool {
    key == "@type"
        && value
            .as_array()
            .is_some_and(|types| types.contains(&Value::Null))
}

/// Whether `found` holds for some member of some object within `value`.
fn any_member(value: &Value, found: &impl Fn(&str, &Value) -> bool) -> bool {
    match value {
        Value::Object(o) => o.iter().any(|(k, v)| found(k, v) || any_member(v, found)),
        Value::Array(items) => items.iter().any(|v| any_member(v, found)),
        _ => false,
    }
}

fn without_empty_reverse(value: &Value) -> Value {
    match value {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, v)| !is_empty_reverse(k, v))
                .map(|(k, v)| (k.clone(), without_empty_reverse(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_empty_reverse).collect()),
        other => other.clone(),
    }
}
