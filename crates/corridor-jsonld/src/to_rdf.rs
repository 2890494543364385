//! Expanded JSON-LD to RDF, as jsonld.js 9 converts it in safe mode with `rdfDirection:
//! 'i18n-datatype'` (its `nodeMap.js` and `toRdf.js`): the node map first, blank nodes
//! labelled `b0`, `b1`… in the order it meets them, then each graph's statements.
//!
//! Numbers are written as JavaScript writes them, since the signed N-Quads hold that text:
//! a number is a double when `String(n)` has a `.` or it is at least 1e21, written
//! `toExponential(15)` without trailing zeros (`1.5E0`); otherwise an integer, `toFixed(0)`
//! (so `1e-7` is the integer `0`).

use std::collections::{BTreeMap, HashMap};

use corridor_js::{js_order, parse_float, to_exponential, to_fixed0};
use corridor_rdfc::{GraphName, Literal, Quad, Subject, Term};
use serde_json::{Map, Value};

use crate::JsonLdError;
use crate::expand::{is_list, is_node, is_value};
use crate::iri::{is_absolute, is_keyword};

const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDF_JSON: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";
const RDF_LANGSTRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";

/// Blank node labels issued in order, `_:b0` first.
#[derive(Default)]
struct Issuer {
    issued: HashMap<String, String>,
    count: usize,
}

impl Issuer {
    fn id(&mut self, old: Option<&str>) -> String {
        if let Some(old) = old
            && let Some(id) = self.issued.get(old)
        {
            return id.clone();
        }
        let id = format!("_:b{}", self.count);
        self.count += 1;
        if let Some(old) = old {
            self.issued.insert(old.to_owned(), id.clone());
        }
        id
    }
}

/// Nodes by graph name, then by identifier; properties in a node as objects.
type Graphs = BTreeMap<String, BTreeMap<String, Map<String, Value>>>;

/// The statements of an expanded document, in the order jsonld.js makes them.
pub(crate) fn to_rdf(expanded: &[Value]) -> Result<Vec<Quad>, JsonLdError> {
    let mut issuer = Issuer::default();
    let mut graphs = Graphs::new();
    graphs.insert("@default".to_owned(), BTreeMap::new());
    let mut input = Value::Array(expanded.to_vec());
    NodeMap {
        graphs: &mut graphs,
        issuer: &mut issuer,
    }
    .add(&mut input, "@default", None, None)?;
    let mut quads = Vec::new();
    for (name, nodes) in sorted(&graphs) {
        let graph = if name == "@default" {
            GraphName::Default
        } else if !is_absolute(name) {
            return Err(JsonLdError::unsafe_event(
                "relative graph reference",
                format!("the graph \"{name}\" is not an absolute IRI"),
            ));
        } else if let Some(label) = name.strip_prefix("_:") {
            GraphName::Blank(label.to_owned())
        } else {
            GraphName::Iri(name.clone())
        };
        graph_to_rdf(&mut quads, nodes, &graph, &mut issuer)?;
    }
    Ok(quads)
}

/// A map's entries in JavaScript's sorted key order.
fn sorted<V>(map: &BTreeMap<String, V>) -> Vec<(&String, &V)> {
    let mut entries: Vec<(&String, &V)> = map.iter().collect();
    entries.sort_by(|a, b| js_order(a.0, b.0));
    entries
}

fn graph_to_rdf(
    quads: &mut Vec<Quad>,
    nodes: &BTreeMap<String, Map<String, Value>>,
    graph: &GraphName,
    issuer: &mut Issuer,
) -> Result<(), JsonLdError> {
    for (id, node) in sorted(nodes) {
        let mut properties: Vec<&String> = node.keys().collect();
        properties.sort_by(|a, b| js_order(a, b));
        for property in properties {
            let predicate = if property == "@type" {
                RDF_TYPE
            } else if is_keyword(property) {
                continue;
            } else {
                property.as_str()
            };
            for item in node[property].as_array().into_iter().flatten() {
                if !is_absolute(id) {
                    return Err(JsonLdError::unsafe_event(
                        "relative subject reference",
                        format!("the subject \"{id}\" is not an absolute IRI"),
                    ));
                }
                if !is_absolute(predicate) {
                    return Err(JsonLdError::unsafe_event(
                        "relative predicate reference",
                        format!("the predicate \"{predicate}\" is not an absolute IRI"),
                    ));
                }
                if predicate.starts_with("_:") {
                    return Err(JsonLdError::unsafe_event(
                        "blank node predicate",
                        format!("the predicate \"{predicate}\" is a blank node"),
                    ));
                }
                let object = object_to_rdf(item, issuer, quads, graph)?;
                quads.push(Quad {
                    subject: subject_term(id),
                    predicate: predicate.to_owned(),
                    object,
                    graph: graph.clone(),
                });
            }
        }
    }
    Ok(())
}

fn subject_term(id: &str) -> Subject {
    match id.strip_prefix("_:") {
        Some(label) => Subject::Blank(label.to_owned()),
        None => Subject::Iri(id.to_owned()),
    }
}

fn node_term(id: &str) -> Result<Term, JsonLdError> {
    match id.strip_prefix("_:") {
        Some(label) => Ok(Term::Blank(label.to_owned())),
        None if is_absolute(id) => Ok(Term::Iri(id.to_owned())),
        None => Err(JsonLdError::unsafe_event(
            "relative object reference",
            format!("the object \"{id}\" is not an absolute IRI"),
        )),
    }
}

fn object_to_rdf(
    item: &Value,
    issuer: &mut Issuer,
    quads: &mut Vec<Quad>,
    graph: &GraphName,
) -> Result<Term, JsonLdError> {
    if is_value(item) {
        return Ok(Term::Literal(literal(item)?));
    }
    if let Some(list) = item.get("@list").and_then(Value::as_array) {
        return list_to_rdf(list, issuer, quads, graph);
    }
    let id = match item {
        Value::Object(o) => o.get("@id").and_then(Value::as_str).unwrap_or_default(),
        Value::String(s) => s,
        _ => "",
    };
    node_term(id)
}

fn list_to_rdf(
    list: &[Value],
    issuer: &mut Issuer,
    quads: &mut Vec<Quad>,
    graph: &GraphName,
) -> Result<Term, JsonLdError> {
    let Some((last, items)) = list.split_last() else {
        return Ok(Term::Iri(RDF_NIL.to_owned()));
    };
    let head = issuer.id(None)[2..].to_owned();
    let mut subject = head.clone();
    let statement = |subject: &str, predicate: &str, object: Term, quads: &mut Vec<Quad>| {
        quads.push(Quad {
            subject: Subject::Blank(subject.to_owned()),
            predicate: predicate.to_owned(),
            object,
            graph: graph.clone(),
        });
    };
    for item in items {
        let object = object_to_rdf(item, issuer, quads, graph)?;
        let next = issuer.id(None)[2..].to_owned();
        statement(&subject, RDF_FIRST, object, quads);
        statement(&subject, RDF_REST, Term::Blank(next.clone()), quads);
        subject = next;
    }
    let object = object_to_rdf(last, issuer, quads, graph)?;
    statement(&subject, RDF_FIRST, object, quads);
    statement(&subject, RDF_REST, Term::Iri(RDF_NIL.to_owned()), quads);
    Ok(Term::Blank(head))
}

/// A value object's literal, its lexical form as jsonld.js writes it.
fn literal(item: &Value) -> Result<Literal, JsonLdError> {
    let value = &item["@value"];
    let datatype = item.get("@type").and_then(Value::as_str);
    let plain = |value: String, default: &str| Literal {
        value,
        datatype: datatype.unwrap_or(default).to_owned(),
        language: None,
    };
    if datatype == Some("@json") {
        return Ok(Literal {
            value: json_canonical(value),
            datatype: RDF_JSON.to_owned(),
            language: None,
        });
    }
    let number = value.as_number().map(corridor_js::number_value);
    let is_double = number.is_some_and(|x| x.abs() >= 1e21 || js_string(x).contains('.'));
    match value {
        Value::Bool(b) => return Ok(plain(b.to_string(), XSD_BOOLEAN)),
        _ if is_double || datatype == Some(XSD_DOUBLE) => {
            let x = match (number, value) {
                (Some(x), _) => x,
                (None, Value::String(s)) => parse_float(s),
                _ => f64::NAN,
            };
            return Ok(plain(exponent_form(x), XSD_DOUBLE));
        }
        Value::Number(_) => {
            return Ok(plain(to_fixed0(number.expect("a number")), XSD_INTEGER));
        }
        _ => {}
    }
    let text = value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string());
    if let Some(direction) = item.get("@direction").and_then(Value::as_str) {
        let language = item
            .get("@language")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase();
        return Ok(Literal {
            value: text,
            datatype: format!("https://www.w3.org/ns/i18n#{language}_{direction}"),
            language: None,
        });
    }
    if let Some(language) = item.get("@language").and_then(Value::as_str) {
        return Ok(Literal {
            value: text,
            datatype: datatype.unwrap_or(RDF_LANGSTRING).to_owned(),
            language: Some(language.to_owned()),
        });
    }
    Ok(plain(text, XSD_STRING))
}

/// `String(x)` in JavaScript.
fn js_string(x: f64) -> String {
    let mut out = Vec::new();
    corridor_js::write_number(&mut out, x);
    String::from_utf8(out).expect("ASCII")
}

/// jsonld.js's double form: `toExponential(15)`, trailing zeros of the fraction (and the
/// exponent's `+`) dropped, `E` for `e`: `1.5E0`, `1.0E21`.
fn exponent_form(x: f64) -> String {
    let text = to_exponential(x, 15);
    let Some(e) = text.find('e') else {
        return text;
    };
    // The first digit followed by zeros up to the `e`, as the pattern /(\d)0*e\+?/ finds it.
    let bytes = text.as_bytes();
    let mut start = e;
    while start > 0 && bytes[start - 1] == b'0' {
        start -= 1;
    }
    // The pattern needs a digit before the zeros: a zero run reaching the '.' keeps one zero.
    if start == 0 || !bytes[start - 1].is_ascii_digit() {
        start += 1;
    }
    let exponent = text[e + 1..].strip_prefix('+').unwrap_or(&text[e + 1..]);
    format!("{}E{exponent}", &text[..start])
}

/// The JSON Canonicalization Scheme text of a value, as the `canonicalize` package writes it.
fn json_canonical(value: &Value) -> String {
    fn write(out: &mut Vec<u8>, value: &Value) {
        match value {
            Value::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write(out, item);
                }
                out.push(b']');
            }
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by(|a, b| js_order(a, b));
                out.push(b'{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    corridor_js::write_string(out, key);
                    out.push(b':');
                    write(out, &map[key]);
                }
                out.push(b'}');
            }
            leaf => corridor_js::write_value(out, leaf),
        }
    }
    let mut out = Vec::new();
    write(&mut out, value);
    String::from_utf8(out).expect("JSON text is UTF-8")
}

/// jsonld.js's `createNodeMap`: every node, flattened into its graph by identifier.
struct NodeMap<'a> {
    graphs: &'a mut Graphs,
    issuer: &'a mut Issuer,
}

impl NodeMap<'_> {
    fn nodes(&mut self, graph: &str) -> &mut BTreeMap<String, Map<String, Value>> {
        self.graphs.entry(graph.to_owned()).or_default()
    }

    fn add(
        &mut self,
        input: &mut Value,
        graph: &str,
        name: Option<String>,
        mut list: Option<&mut Vec<Value>>,
    ) -> Result<(), JsonLdError> {
        if let Value::Array(items) = input {
            for item in items {
                self.add(item, graph, None, list.as_deref_mut())?;
            }
            return Ok(());
        }
        let Value::Object(object) = input else {
            if let Some(list) = list {
                list.push(input.clone());
            }
            return Ok(());
        };
        if object.contains_key("@value") {
            if let Some(Value::String(t)) = object.get("@type")
                && t.starts_with("_:")
            {
                let id = self.issuer.id(Some(t));
                object.insert("@type".to_owned(), Value::String(id));
            }
            if let Some(list) = list {
                list.push(input.clone());
            }
            return Ok(());
        }
        if let Some(list) = list.as_deref_mut()
            && object.contains_key("@list")
        {
            let mut items = Vec::new();
            let mut inner = object["@list"].take();
            self.add(&mut inner, graph, name, Some(&mut items))?;
            list.push(object_of("@list", Value::Array(items)));
            return Ok(());
        }
        if let Some(Value::Array(types)) = object.get("@type") {
            for t in types.iter().filter_map(Value::as_str) {
                if t.starts_with("_:") {
                    self.issuer.id(Some(t));
                }
            }
        }
        let name = match name {
            Some(name) => name,
            None => self.name_of(object),
        };
        if let Some(list) = list {
            list.push(object_of("@id", Value::String(name.clone())));
        }
        self.nodes(graph)
            .entry(name.clone())
            .or_default()
            .insert("@id".to_owned(), Value::String(name.clone()));
        let mut properties: Vec<String> = object.keys().cloned().collect();
        properties.sort_by(|a, b| js_order(a, b));
        for property in properties {
            let mut value = object[&property].take();
            match property.as_str() {
                "@id" => {}
                "@reverse" => {
                    let referenced = object_of("@id", Value::String(name.clone()));
                    let Value::Object(reverse) = &mut value else {
                        continue;
                    };
                    for (reverse_property, items) in reverse.iter_mut() {
                        for item in items.as_array_mut().into_iter().flatten() {
                            let item_name = self.name_of(item.as_object().unwrap_or(&Map::new()));
                            self.add(item, graph, Some(item_name.clone()), None)?;
                            let node = self.nodes(graph).entry(item_name).or_default();
                            add_unique(node, reverse_property, referenced.clone());
                        }
                    }
                }
                "@graph" => {
                    self.nodes(&name);
                    self.add(&mut value, &name, None, None)?;
                }
                "@included" => self.add(&mut value, graph, None, None)?,
                keyword if keyword != "@type" && is_keyword(keyword) => {
                    let node = self.nodes(graph).get_mut(&name).expect("made above");
                    if keyword == "@index"
                        && let Some(existing) = node.get(keyword)
                        && existing != &value
                    {
                        return Err(JsonLdError::syntax(
                            "conflicting indexes",
                            format!("\"{name}\" has two different @index values"),
                        ));
                    }
                    node.insert(property.clone(), value);
                }
                _ => self.add_property(&property, value, graph, &name)?,
            }
        }
        Ok(())
    }

    fn add_property(
        &mut self,
        property: &str,
        value: Value,
        graph: &str,
        name: &str,
    ) -> Result<(), JsonLdError> {
        let property = if property.starts_with("_:") {
            self.issuer.id(Some(property))
        } else {
            property.to_owned()
        };
        let objects = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        if objects.is_empty() {
            let node = self.nodes(graph).get_mut(name).expect("made above");
            node.entry(property)
                .or_insert_with(|| Value::Array(Vec::new()));
            return Ok(());
        }
        for mut object in objects {
            if property == "@type"
                && let Value::String(t) = &object
                && t.starts_with("_:")
            {
                object = Value::String(self.issuer.id(Some(t)));
            }
            let reference = is_node(&object)
                || object
                    .as_object()
                    .is_some_and(|o| o.len() == 1 && o.contains_key("@id"));
            if reference {
                if let Some(id) = object.get("@id")
                    && !corridor_js::truthy(id)
                {
                    continue;
                }
                let id = self.name_of(object.as_object().expect("a node"));
                let node = self.nodes(graph).get_mut(name).expect("made above");
                add_unique(node, &property, object_of("@id", Value::String(id.clone())));
                self.add(&mut object, graph, Some(id), None)?;
            } else if is_value(&object) {
                let node = self.nodes(graph).get_mut(name).expect("made above");
                add_unique(node, &property, object);
            } else if is_list(&object) {
                let mut items = Vec::new();
                let mut inner = object["@list"].take();
                self.add(&mut inner, graph, Some(name.to_owned()), Some(&mut items))?;
                let node = self.nodes(graph).get_mut(name).expect("made above");
                add_unique(node, &property, object_of("@list", Value::Array(items)));
            } else {
                self.add(&mut object, graph, Some(name.to_owned()), None)?;
                let node = self.nodes(graph).get_mut(name).expect("made above");
                add_unique(node, &property, object);
            }
        }
        Ok(())
    }

    /// A node's name: its `@id`, a blank node's label reissued, or a new label.
    fn name_of(&mut self, object: &Map<String, Value>) -> String {
        match object.get("@id") {
            Some(Value::String(id)) if !id.starts_with("_:") => id.clone(),
            Some(Value::String(id)) => self.issuer.id(Some(id)),
            _ => self.issuer.id(None),
        }
    }
}

fn object_of(key: &str, value: Value) -> Value {
    Value::Object(Map::from_iter([(key.to_owned(), value)]))
}

/// jsonld.js's `addValue` without duplicates, as the node map adds.
fn add_unique(node: &mut Map<String, Value>, property: &str, value: Value) {
    let items = node
        .entry(property)
        .or_insert_with(|| Value::Array(Vec::new()));
    if !items.is_array() {
        let single = items.take();
        *items = Value::Array(vec![single]);
    }
    let items = items.as_array_mut().expect("an array");
    if !items.iter().any(|existing| same_value(&value, existing)) {
        items.push(value);
    }
}

/// jsonld.js's `compareValues`: equal primitives, equal value objects (by value, type,
/// language and index, not direction), or nodes with the same `@id`.
fn same_value(a: &Value, b: &Value) -> bool {
    let primitive_equal = |x: Option<&Value>, y: Option<&Value>| match (x, y) {
        (None, None) => true,
        (Some(Value::Number(p)), Some(Value::Number(q))) => {
            corridor_js::number_value(p) == corridor_js::number_value(q)
        }
        (Some(p @ (Value::Null | Value::Bool(_) | Value::String(_))), Some(q)) => p == q,
        _ => false,
    };
    if primitive_equal(Some(a), Some(b)) {
        return true;
    }
    let (Value::Object(x), Value::Object(y)) = (a, b) else {
        return false;
    };
    if x.contains_key("@value") && y.contains_key("@value") {
        return ["@value", "@type", "@language", "@index"]
            .iter()
            .all(|k| primitive_equal(x.get(*k), y.get(*k)));
    }
    match (x.get("@id"), y.get("@id")) {
        (Some(p), Some(q)) => primitive_equal(Some(p), Some(q)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_as_jsonld_js_writes_them() {
        for (x, text) in [
            (1.5, "1.5E0"),
            (1.0, "1.0E0"),
            (1e21, "1.0E21"),
            (0.30000000000000004, "3.0E-1"),
            (123.456, "1.23456E2"),
            (-0.001, "-1.0E-3"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(exponent_form(x), text, "{x}");
        }
    }

    #[test]
    fn json_literals_are_canonical() {
        let v: Value =
            serde_json::from_str(r#"{"b":[1.0,"x"],"a":{"\u00e9":null,"z":true}}"#).unwrap();
        assert_eq!(
            json_canonical(&v),
            r#"{"a":{"z":true,"é":null},"b":[1,"x"]}"#
        );
    }
}
