//! The CBV 2.0 event hash ID (section 8.9): `ni:///sha-256;<hex>?ver=CBV2.0` over a pre-hash
//! string of the event's fields in a fixed order.
//!
//! The standard leaves much to its reference implementation, GS1's epcis-event-hash-generator
//! (1.9.3), and event IDs in circulation are the ones it computes; so the pre-hash string is
//! made as it makes it, quirks included:
//! - a bare string value anywhere in the event that ends exactly one CBV or GS1 vocabulary IRI
//!   the event expands to (after `-` or `/`) is replaced by that IRI (`commissioning` by
//!   `https://ref.gs1.org/cbv/BizStep-commissioning`);
//! - extension names are written `{namespace}local` with the namespace the `@context`
//!   declares; values with a declared prefix are expanded;
//! - the fields of the standard order come first, each group sorted; then everything else
//!   (ILMD, source, destination and business transaction lists, extensions) sorted as text,
//!   except that a source or destination keeps its type before its value;
//! - times are written in UTC to the millisecond, numbers as Python writes them, and
//!   identifiers in the reference normaliser's Digital Link.

mod normalise;
mod vocabulary;

pub use vocabulary::EPCIS_CONTEXT_URL;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::event::Prefixes;

/// Why an event has no hash ID: the reference computes none for it either.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashIdError {
    #[error("an event is a JSON object")]
    NotAnObject,
    #[error("{0}: a source, destination or business transaction needs its type and its value")]
    Pair(String),
    #[error(
        "a value is infinite or a time rounds past its second; the reference computes no event ID for it"
    )]
    Unwritable,
}

/// The event hash ID of `event`, as `ni:///sha-256;<hex>?ver=CBV2.0`. `context` is the
/// `@context` of the document the event came in (the event's own is added to it).
///
/// ```
/// use corridor_epcis::event_hash_id;
/// let event: serde_json::Value = serde_json::from_str(r#"{
///   "type": "ObjectEvent", "eventTime": "2019-10-21T11:00:30.000+01:00", "eventTimeZoneOffset": "+01:00",
///   "epcList": ["urn:epc:id:sgtin:4012345.011111.9876"], "action": "OBSERVE", "bizStep": "shipping"
/// }"#).unwrap();
/// let context = serde_json::json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]);
/// let id = event_hash_id(&event, Some(&context)).unwrap();
/// assert!(id.starts_with("ni:///sha-256;") && id.ends_with("?ver=CBV2.0"));
/// ```
pub fn event_hash_id(event: &Value, context: Option<&Value>) -> Result<String, HashIdError> {
    let text = prehash(event, context)?;
    let digest = Sha256::digest(text.as_bytes());
    Ok(format!(
        "ni:///sha-256;{}?ver=CBV2.0",
        const_hex::encode(digest)
    ))
}

/// The pre-hash string the event hash ID is the SHA-256 of.
pub fn prehash(event: &Value, context: Option<&Value>) -> Result<String, HashIdError> {
    let Value::Object(event) = event else {
        return Err(HashIdError::NotAnObject);
    };
    let mut event = event.clone();
    let own = event.remove("@context");
    let mut contexts = Vec::new();
    for context in [context, own.as_ref()].into_iter().flatten() {
        match context {
            Value::Array(items) => contexts.extend(items.iter().cloned()),
            other => contexts.push(other.clone()),
        }
    }
    let namespaces = Prefixes::default().with(Some(&Value::Array(contexts)));
    let mut event = Value::Object(event);
    vocabulary::replace_bare_words(&mut event, &namespaces);
    let tree = structure(Node::from_json(&event, &namespaces))?;
    let mut children = tree.children;
    let ordered = ordered(&mut children, &vocabulary::ORDER)?;
    children.retain(|child| {
        !["recordTime", "eventID", "type", "errorDeclaration"].contains(&child.name.as_str())
    });
    let rest = generic(&children)?;
    Ok(format!("eventType={}{ordered}{rest}", tree.name))
}

/// The marker name of a source, destination or business transaction: its type and value kept
/// together as a pair.
const PAIR: &str = "\u{0}pair";

/// The reference's tree of an event: a name, a text and children.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn leaf(text: String) -> Node {
        Node {
            name: String::new(),
            text,
            children: Vec::new(),
        }
    }

    fn from_json(value: &Value, namespaces: &Prefixes) -> Node {
        match value {
            Value::Array(items) => {
                let mut children: Vec<Node> = items
                    .iter()
                    .map(|item| Node::from_json(item, namespaces))
                    .collect();
                children.sort();
                Node {
                    name: String::new(),
                    text: String::new(),
                    children,
                }
            }
            Value::Object(object) => Node::from_object(object, namespaces),
            Value::String(text) => Node::leaf(namespaces.expand_value(text)),
            Value::Number(number) => Node::leaf(python_number(number)),
            Value::Bool(true) => Node::leaf("True".into()),
            Value::Bool(false) => Node::leaf("False".into()),
            Value::Null => Node::leaf("None".into()),
        }
    }

    fn from_object(object: &Map<String, Value>, namespaces: &Prefixes) -> Node {
        let text_of = |value: Option<&Value>| match value {
            Some(value) => Node::from_json(value, namespaces).text,
            None => String::new(),
        };
        let mut node = Node {
            name: object
                .get("type")
                .map(|t| match t {
                    Value::String(name) => name.clone(),
                    other => text_of(Some(other)),
                })
                .unwrap_or_default(),
            text: text_of(object.get("#text")),
            children: Vec::new(),
        };
        for (key, value) in object {
            if ["#text", "rdfs:comment", "comment"].contains(&key.as_str()) {
                continue;
            }
            let child = Node::from_json(value, namespaces);
            let key = namespaces.expand_key(key);
            if value.is_array() {
                node.children
                    .extend(child.children.into_iter().map(|item| Node {
                        name: key.clone(),
                        ..item
                    }));
            } else {
                node.children.push(Node { name: key, ..child });
            }
        }
        if !["bizTransaction", "source", "destination"]
            .iter()
            .any(|k| object.contains_key(*k))
        {
            node.children.sort();
        }
        node
    }
}

/// A JSON number as Python's `str` writes what `json.loads` makes of it.
fn python_number(number: &serde_json::Number) -> String {
    if number.is_i64() || number.is_u64() {
        return number.to_string();
    }
    let float = number.as_f64().unwrap_or(f64::NAN);
    normalise::python_repr(float)
}

/// The reference's correction of the JSON binding to the XML one's structure: a list's
/// elements named as XML names them, child EPCs grouped, source and destination entries made
/// pairs.
fn structure(node: Node) -> Result<Node, HashIdError> {
    let Node {
        name,
        text,
        children,
    } = node;
    let mut kept = Vec::with_capacity(children.len());
    let mut lists: Vec<(String, Vec<Node>)> = Vec::new();
    for child in children {
        if child.name != PAIR && child.name.ends_with("List") {
            let element = Node {
                name: child.name[..child.name.len() - 4].to_owned(),
                ..child.clone()
            };
            match lists.iter_mut().find(|(list, _)| *list == child.name) {
                Some((_, elements)) => elements.push(element),
                None => lists.push((child.name, vec![element])),
            }
        } else {
            kept.push(child);
        }
    }
    for (list, elements) in lists {
        let children =
            if ["sourceList", "destinationList", "bizTransactionList"].contains(&list.as_str()) {
                elements
                    .into_iter()
                    .map(|element| {
                        let mut parts = element.children.into_iter();
                        match (parts.next(), parts.next()) {
                            (Some(a), Some(b)) => Ok(Node {
                                name: PAIR.to_owned(),
                                text: String::new(),
                                children: vec![a, b],
                            }),
                            _ => Err(HashIdError::Pair(list.clone())),
                        }
                    })
                    .collect::<Result<_, _>>()?
            } else {
                elements
            };
        kept.push(Node {
            name: list,
            text: String::new(),
            children,
        });
    }
    let mut child_epcs = Vec::new();
    kept.retain(|child| {
        if child.name == "childEPCs" {
            child_epcs.push(Node {
                name: "epc".into(),
                text: child.text.clone(),
                children: Vec::new(),
            });
            false
        } else {
            true
        }
    });
    if !child_epcs.is_empty() {
        kept.push(Node {
            name: "childEPCs".into(),
            text: String::new(),
            children: child_epcs,
        });
    }
    let children = kept
        .into_iter()
        .map(|child| {
            if ["sourceList", "destinationList", "bizTransactionList"]
                .contains(&child.name.as_str())
            {
                Ok(child)
            } else {
                structure(child)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let name = match name.as_str() {
        "inputEPC" | "outputEPC" => "epc".to_owned(),
        "inputQuantity" | "outputQuantity" | "childQuantity" => "quantityElement".to_owned(),
        "quantity" if !children.is_empty() => "quantityElement".to_owned(),
        _ => name,
    };
    Ok(Node {
        name,
        text,
        children,
    })
}

/// Python's `str.strip()`.
fn strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The fields `order` names, in its order, each group of the same name sorted; consumed from
/// `children` as the reference consumes them (an element stays while it has children left).
fn ordered(children: &mut Vec<Node>, order: &[vocabulary::Field]) -> Result<String, HashIdError> {
    let extensions = gather_extensions(children);
    let mut out = String::new();
    for field in order {
        let mut values = Vec::new();
        let mut index = 0;
        while index < children.len() {
            if children[index].name != field.name {
                index += 1;
                continue;
            }
            let child = &mut children[index];
            let text = element(child, field.children)?;
            if !text.is_empty() {
                values.push(text);
            }
            if child.children.is_empty() {
                children.remove(index);
            } else {
                index += 1;
            }
        }
        values.sort();
        out.extend(values);
    }
    if !extensions.is_empty() {
        out.push_str(&generic(&extensions)?);
    }
    Ok(out)
}

/// Below the event itself, extension elements (`{namespace/}name`) go after the ordered ones.
fn gather_extensions(children: &mut Vec<Node>) -> Vec<Node> {
    if children.len() <= 1
        || children
            .iter()
            .any(|child| child.name.contains("eventTime") || child.name.contains("action"))
    {
        return Vec::new();
    }
    let (extensions, rest): (Vec<Node>, Vec<Node>) = std::mem::take(children)
        .into_iter()
        .partition(|child| child.name.contains('{') && child.name.contains("/}"));
    *children = rest;
    extensions
}

/// One element of the ordered part: its name, `=` and its value, then its ordered children.
fn element(child: &mut Node, order: Option<&[vocabulary::Field]>) -> Result<String, HashIdError> {
    let grandchildren = match order {
        Some(order) => ordered(&mut child.children, order)?,
        None => String::new(),
    };
    let mut text = String::new();
    let value = strip(&child.text);
    if !value.is_empty() {
        let lower = child.name.to_lowercase();
        let written = if lower.contains("time") && !lower.contains("offset") {
            normalise::time(value)
        } else {
            normalise::value(value)
        }
        .map_err(|()| HashIdError::Unwritable)?;
        if !written.is_empty() {
            text = format!("={written}");
        }
    }
    Ok(if text.is_empty() && grandchildren.is_empty() {
        String::new()
    } else {
        format!("{}{text}{grandchildren}", child.name)
    })
}

/// Everything outside the standard order, as text, sorted unless a source, destination or
/// business transaction must keep its place.
fn generic(children: &[Node]) -> Result<String, HashIdError> {
    let mut values = Vec::with_capacity(children.len());
    for child in children {
        if child.name == PAIR {
            values.push(generic(&child.children)?);
            continue;
        }
        let value = strip(&child.text);
        let text = if value.is_empty() {
            String::new()
        } else {
            format!(
                "={}",
                normalise::value(value).map_err(|()| HashIdError::Unwritable)?
            )
        };
        values.push(format!("{}{text}{}", child.name, generic(&child.children)?));
    }
    let keeps_place = children
        .iter()
        .any(|child| ["bizTransaction", "source", "destination"].contains(&child.name.as_str()));
    if children.len() > 1 && !keeps_place {
        values.sort();
    }
    Ok(values.concat())
}
