//! JSON pointers as the selective disclosure suites read them (di-sd-primitives'
//! `parsePointer` and `selectJsonLd`), which is not RFC 6901:
//! - a segment without `~` that JavaScript's `parseInt` reads as a number *is* that number
//!   (`/2nd` is index 2, `/007` is key `"7"` of an object);
//! - a pointer that is empty or does not start with `/` selects the whole document;
//! - an array's `length` and a string's characters can be pointed at.
//!
//! A selection keeps, on the way to each selected value, every object's `id` (unless it is a
//! blank node) and `type`, so the selected statements stay attached to their subjects.

use serde_json::Value;

use crate::DiError;

/// One step of a pointer.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// A segment `parseInt` reads as a number: an array index, or an object key as
    /// JavaScript writes that number.
    Number(f64),
    /// Any other segment, `~0` and `~1` unescaped.
    Key(String),
}

impl Segment {
    /// The object key this segment stands for.
    fn key(&self) -> String {
        match self {
            Segment::Number(n) => {
                let mut out = Vec::new();
                corridor_js::write_number(&mut out, *n);
                String::from_utf8(out).expect("ASCII")
            }
            Segment::Key(k) => k.clone(),
        }
    }

    /// The array index this segment stands for, if it is one.
    fn index(&self, len: usize) -> Option<usize> {
        match self {
            Segment::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < len as f64 => {
                Some(*n as usize)
            }
            _ => None,
        }
    }
}

/// The segments of `pointer`.
///
/// ```
/// use corridor_di::pointer::{parse_pointer, Segment};
/// assert_eq!(
///     parse_pointer("/credentialSubject/2nd/a~1b").unwrap(),
///     [Segment::Key("credentialSubject".into()), Segment::Number(2.0), Segment::Key("a/b".into())]
/// );
/// assert!(parse_pointer("issuer").unwrap().is_empty());
/// ```
pub fn parse_pointer(pointer: &str) -> Result<Vec<Segment>, DiError> {
    pointer
        .split('/')
        .skip(1)
        .map(|segment| {
            if !segment.contains('~') {
                let n = corridor_js::parse_int(segment, Some(10));
                return Ok(if n.is_nan() {
                    Segment::Key(segment.to_owned())
                } else {
                    Segment::Number(n)
                });
            }
            let mut out = String::new();
            let mut chars = segment.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    out.push(c);
                    continue;
                }
                match chars.clone().next() {
                    Some('0') => out.push('~'),
                    Some('1') => out.push('/'),
                    // JavaScript's pattern only matches `~0` and `~1`; any other `~` stays.
                    _ => {
                        out.push('~');
                        continue;
                    }
                }
                chars.next();
            }
            Ok(Segment::Key(out))
        })
        .collect()
}

/// What indexing a value with a segment gives in JavaScript, for the values JSON has.
fn step(value: &Value, segment: &Segment, pointer: &str) -> Result<Option<Value>, DiError> {
    Ok(match value {
        Value::Object(map) => map.get(&segment.key()).cloned(),
        Value::Array(items) => match segment {
            Segment::Key(k) if k == "length" => Some(Value::from(items.len())),
            _ => segment.index(items.len()).map(|i| items[i].clone()),
        },
        Value::String(s) => match segment {
            Segment::Key(k) if k == "length" => Some(Value::from(s.encode_utf16().count())),
            _ => {
                let units: Vec<u16> = s.encode_utf16().collect();
                segment
                    .index(units.len())
                    .map(|i| Value::String(String::from_utf16_lossy(&units[i..=i])))
            }
        },
        Value::Null => {
            return Err(DiError::Pointer(format!(
                "JSON pointer \"{pointer}\" passes through null."
            )));
        }
        Value::Bool(_) | Value::Number(_) => None,
    })
}

/// An object's members in order (a new key goes last, a replaced one keeps its place).
#[derive(Debug, Clone, Default)]
struct Fields(Vec<(String, Node)>);

impl Fields {
    fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn insert(&mut self, key: String, node: Node) {
        match self.get_mut(&key) {
            Some(existing) => *existing = node,
            None => self.0.push((key, node)),
        }
    }
}

/// A selection being built: objects and arrays made along the pointers, values copied whole.
#[derive(Debug, Clone)]
enum Node {
    Copy(Value),
    Object(Fields),
    /// Indices not (yet) selected are holes, removed at the end.
    Array(Vec<Option<Node>>),
}

impl Node {
    fn into_value(self) -> Value {
        match self {
            Node::Copy(v) => v,
            Node::Object(fields) => Value::Object(
                fields
                    .0
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect(),
            ),
            Node::Array(items) => {
                Value::Array(items.into_iter().flatten().map(Node::into_value).collect())
            }
        }
    }

    /// A copied object or array opened up so that parts of it can be replaced.
    fn open(&mut self) {
        if let Node::Copy(v) = self {
            match v.take() {
                Value::Object(map) => {
                    *self = Node::Object(Fields(
                        map.into_iter().map(|(k, v)| (k, Node::Copy(v))).collect(),
                    ))
                }
                Value::Array(items) => {
                    *self = Node::Array(items.into_iter().map(|v| Some(Node::Copy(v))).collect())
                }
                other => *v = other,
            }
        }
    }

    fn child(&mut self, segment: &Segment) -> Option<&mut Node> {
        self.open();
        match self {
            Node::Object(map) => map.get_mut(&segment.key()),
            Node::Array(items) => {
                let len = items.len();
                segment.index(len).and_then(|i| items[i].as_mut())
            }
            Node::Copy(_) => None,
        }
    }

    fn set(&mut self, segment: &Segment, node: Node, pointer: &str) -> Result<(), DiError> {
        self.open();
        match self {
            Node::Object(map) => {
                map.insert(segment.key(), node);
            }
            Node::Array(items) => {
                // A key that is not an index sets a property JSON does not keep.
                if let Segment::Number(n) = segment
                    && n.fract() == 0.0
                    && *n >= 0.0
                    && *n < 4_294_967_295.0
                {
                    let i = *n as usize;
                    if items.len() <= i {
                        items.resize(i + 1, None);
                    }
                    items[i] = Some(node);
                }
            }
            Node::Copy(_) => return Err(cannot_hold(pointer)),
        }
        Ok(())
    }
}

/// The `id` (unless a blank node) and `type` of `source`, which a selection keeps.
fn start_selection(source: &Value, pointer: &str) -> Result<Fields, DiError> {
    if source.is_null() {
        return Err(DiError::Pointer(format!(
            "JSON pointer \"{pointer}\" selects null, which has no id to keep."
        )));
    }
    let mut selection = Fields::default();
    if let Some(id) = source.get("id").filter(|id| corridor_js::truthy(id)) {
        let Value::String(id) = id else {
            return Err(DiError::Pointer(format!(
                "JSON pointer \"{pointer}\" passes an object whose id is not a string."
            )));
        };
        if !id.starts_with("_:") {
            selection.insert("id".to_owned(), Node::Copy(Value::String(id.clone())));
        }
    }
    if let Some(t) = source.get("type").filter(|t| corridor_js::truthy(t)) {
        selection.insert("type".to_owned(), Node::Copy(t.clone()));
    }
    Ok(selection)
}

/// The parts of `document` the pointers select, with its `@context`: di-sd-primitives'
/// `selectJsonLd`. `None` when there are no pointers.
pub fn select(document: &Value, pointers: &[String]) -> Result<Option<Value>, DiError> {
    if pointers.is_empty() {
        return Ok(None);
    }
    let mut root = Fields::default();
    if let Some(context) = document.get("@context") {
        root.insert("@context".to_owned(), Node::Copy(context.clone()));
    }
    root.0.extend(start_selection(document, "")?.0);
    let mut root = Node::Object(root);
    for pointer in pointers {
        let segments = parse_pointer(pointer)?;
        if segments.is_empty() {
            return Ok(Some(document.clone()));
        }
        select_path(document, &segments, &mut root, pointer)?;
    }
    Ok(Some(root.into_value()))
}

fn select_path(
    value: &Value,
    segments: &[Segment],
    selected: &mut Node,
    pointer: &str,
) -> Result<(), DiError> {
    let segment = &segments[0];
    let Some(child) = step(value, segment, pointer)? else {
        return Err(DiError::Pointer(format!(
            "JSON pointer \"{pointer}\" does not match document."
        )));
    };
    if selected.child(segment).is_none() {
        let node = match &child {
            Value::Array(_) => Node::Array(Vec::new()),
            other => Node::Object(start_selection(other, pointer)?),
        };
        selected.set(segment, node, pointer)?;
    }
    if segments.len() > 1 {
        let next = selected
            .child(segment)
            .ok_or_else(|| cannot_hold(pointer))?;
        return select_path(&child, &segments[1..], next, pointer);
    }
    let node = match &child {
        Value::Object(map) => {
            let mut merged = match selected.child(segment) {
                Some(Node::Object(existing)) => existing.clone(),
                _ => Fields::default(),
            };
            for (k, v) in map {
                merged.insert(k.clone(), Node::Copy(v.clone()));
            }
            Node::Object(merged)
        }
        other => Node::Copy(other.clone()),
    };
    selected.set(segment, node, pointer)
}

fn cannot_hold(pointer: &str) -> DiError {
    DiError::Pointer(format!(
        "JSON pointer \"{pointer}\" selects inside a value that cannot hold it."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn selections_keep_ids_and_types_on_the_way() {
        let doc = json!({
            "@context": ["c"],
            "id": "urn:x",
            "type": ["VerifiableCredential"],
            "issuer": "did:web:a",
            "credentialSubject": {"id": "_:b0", "type": "Bill", "a": 1, "b": {"c": 2, "d": 3}},
            "list": [{"x": 1}, {"x": 2}, {"x": 3}]
        });
        let selected = select(
            &doc,
            &pointers(&["/credentialSubject/b/c", "/list/2/x", "/issuer"]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            selected,
            json!({
                "@context": ["c"], "id": "urn:x", "type": ["VerifiableCredential"],
                "credentialSubject": {"type": "Bill", "b": {"c": 2}},
                "list": [{"x": 3}],
                "issuer": "did:web:a"
            })
        );
    }

    #[test]
    fn numbers_are_read_as_parse_int_reads_them() {
        let doc = json!({"a": ["x", "y", "z"], "7": "seven", "issuer": "did"});
        assert_eq!(
            select(&doc, &pointers(&["/a/2nd"])).unwrap().unwrap()["a"],
            json!(["z"])
        );
        assert_eq!(
            select(&doc, &pointers(&["/007"])).unwrap().unwrap()["7"],
            json!("seven")
        );
        assert_eq!(
            select(&doc, &pointers(&["/a/length"])).unwrap().unwrap()["a"],
            json!([])
        );
        assert_eq!(select(&doc, &pointers(&[""])).unwrap().unwrap(), doc);
        let err = select(&doc, &pointers(&["/b"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "JSON pointer \"/b\" does not match document."
        );
    }
}
