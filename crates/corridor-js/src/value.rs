//! How JavaScript sees a JSON value: whether it is truthy, what kind it is, and the order it
//! enumerates an object's keys in.

use serde_json::{Map, Value};

/// Whether JavaScript takes `v` as true (`if (v)`).
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => {
            let x = crate::number_value(n);
            x != 0.0 && !x.is_nan()
        }
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// A short name for a JSON value's kind, for errors: "a string", "an object"…
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether JavaScript treats `key` as an array index, which it enumerates before other keys:
/// a canonical decimal below 2^32 - 1.
pub fn is_array_index(key: &str) -> bool {
    let b = key.as_bytes();
    !b.is_empty()
        && b.iter().all(u8::is_ascii_digit)
        && (b.len() == 1 || b[0] != b'0')
        && key.parse::<u64>().is_ok_and(|n| n < u32::MAX as u64)
}

/// An object's entries in the order JavaScript enumerates them (`for…in`, `Object.keys`):
/// array-index keys first, in numeric order, then the others as written.
pub fn enumeration_order(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by_key(|(k, _)| {
        if is_array_index(k) {
            (0, k.parse::<u32>().unwrap_or_default())
        } else {
            (1, 0)
        }
    });
    entries
}

/// The text JavaScript's `String(v)` gives a JSON value: numbers as JavaScript writes them,
/// arrays joined with `,` (a `null` inside written as nothing), objects `[object Object]`.
///
/// ```
/// use corridor_js::to_js_string;
/// let v = serde_json::json!([1, [2, null], {}, 1e21]);
/// assert_eq!(to_js_string(&v), "1,2,,[object Object],1e+21");
/// assert_eq!(to_js_string(&serde_json::Value::Null), "null");
/// ```
pub fn to_js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Null => String::new(),
                other => to_js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
        Value::Number(n) => {
            let mut out = Vec::new();
            crate::write_number(&mut out, crate::number_value(n));
            String::from_utf8(out).unwrap_or_default()
        }
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
    }
}
