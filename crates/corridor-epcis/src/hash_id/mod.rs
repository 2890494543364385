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
    // The document's context, then the event's own: read in that order, as one list.
    let namespaces = Prefixes::default()
        .with(context)
        .with(event.get("@context"));
    let words = Words {
        namespaces: &namespaces,
        iris: &vocabulary::vocabulary_iris(event, &namespaces),
    };
    let tree = structure(Node::from_object(event, &words, true))?;
    let mut children = tree.children;
    let mut text = format!("eventType={}", tree.name);
    ordered(&mut children, &vocabulary::ORDER, &mut text)?;
    children.retain(|child| {
        !["recordTime", "eventID", "type", "errorDeclaration"].contains(&child.name.as_str())
    });
    generic(&children, &mut text)?;
    Ok(text)
}

/// The marker name of a source, destination or business transaction: its type and value kept
/// together as a pair.
const PAIR: &str = "\u{0}pair";

/// How the event's words are written: prefixes expanded, bare vocabulary words made the IRIs
/// the event expands to.
struct Words<'a> {
    namespaces: &'a Prefixes,
    iris: &'a [String],
}

impl Words<'_> {
    fn value(&self, text: &str) -> String {
        self.namespaces
            .expand_value(vocabulary::bare_word(text, self.iris))
    }
}

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

    fn from_json(value: &Value, words: &Words) -> Node {
        match value {
            Value::Array(items) => {
                let mut children: Vec<Node> = items
                    .iter()
                    .map(|item| Node::from_json(item, words))
                    .collect();
                children.sort();
                Node {
                    name: String::new(),
                    text: String::new(),
                    children,
                }
            }
            Value::Object(object) => Node::from_object(object, words, false),
            Value::String(text) => Node::leaf(words.value(text)),
            Value::Number(number) => Node::leaf(python_number(number)),
            Value::Bool(true) => Node::leaf("True".into()),
            Value::Bool(false) => Node::leaf("False".into()),
            Value::Null => Node::leaf("None".into()),
        }
    }

    /// The node of `object`; of the event itself (`event`), whose `@context` is not a field.
    fn from_object(object: &Map<String, Value>, words: &Words, event: bool) -> Node {
        let text_of = |value: Option<&Value>| match value {
            Some(value) => Node::from_json(value, words).text,
            None => String::new(),
        };
        let mut node = Node {
            name: object
                .get("type")
                .map(|t| match t {
                    Value::String(name) => vocabulary::bare_word(name, words.iris).to_owned(),
                    other => text_of(Some(other)),
                })
                .unwrap_or_default(),
            text: text_of(object.get("#text")),
            children: Vec::new(),
        };
        for (key, value) in object {
            if ["#text", "rdfs:comment", "comment"].contains(&key.as_str())
                || (event && key == "@context")
            {
                continue;
            }
            let child = Node::from_json(value, words);
            let key = words.namespaces.expand_key(key);
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

/// Writes to `out` the fields `order` names, in its order, each group of the same name
/// sorted; consumed from `children` as the reference consumes them (an element stays while it
/// has children left).
fn ordered(
    children: &mut Vec<Node>,
    order: &[vocabulary::Field],
    out: &mut String,
) -> Result<(), HashIdError> {
    let extensions = gather_extensions(children);
    for field in order {
        let mut values = Vec::new();
        let mut index = 0;
        while index < children.len() {
            if children[index].name != field.name {
                index += 1;
                continue;
            }
            let child = &mut children[index];
            let mut text = String::new();
            element(child, field.children, &mut text)?;
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
    generic(&extensions, out)
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

/// Writes one element of the ordered part to `out`: its name, `=` and its value, then its
/// ordered children; nothing if it has neither a value nor children to write.
fn element(
    child: &mut Node,
    order: Option<&[vocabulary::Field]>,
    out: &mut String,
) -> Result<(), HashIdError> {
    let value = strip(&child.text);
    let written = if value.is_empty() {
        Ok(String::new())
    } else {
        let lower = child.name.to_lowercase();
        if lower.contains("time") && !lower.contains("offset") {
            normalise::time(value)
        } else {
            normalise::value(value)
        }
    };
    let start = out.len();
    out.push_str(&child.name);
    // The value's error is the children's if they have one, as the reference meets them.
    let value_at = out.len();
    if let Ok(written) = &written
        && !written.is_empty()
    {
        out.push('=');
        out.push_str(written);
    }
    let children_at = out.len();
    if let Some(order) = order {
        ordered(&mut child.children, order, out)?;
    }
    written.map_err(|()| HashIdError::Unwritable)?;
    if children_at == value_at && out.len() == children_at {
        out.truncate(start);
    }
    Ok(())
}

/// Writes to `out` everything outside the standard order, sorted unless a source,
/// destination or business transaction must keep its place.
fn generic(children: &[Node], out: &mut String) -> Result<(), HashIdError> {
    let mut values = Vec::with_capacity(children.len());
    for child in children {
        let mut text = String::new();
        if child.name == PAIR {
            generic(&child.children, &mut text)?;
            values.push(text);
            continue;
        }
        text.push_str(&child.name);
        let value = strip(&child.text);
        if !value.is_empty() {
            text.push('=');
            text.push_str(&normalise::value(value).map_err(|()| HashIdError::Unwritable)?);
        }
        generic(&child.children, &mut text)?;
        values.push(text);
    }
    let keeps_place = children
        .iter()
        .any(|child| ["bizTransaction", "source", "destination"].contains(&child.name.as_str()));
    if children.len() > 1 && !keeps_place {
        values.sort();
    }
    out.extend(values);
    Ok(())
}
