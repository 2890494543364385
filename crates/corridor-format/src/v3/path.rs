//! Field paths as OpenAttestation v3 writes and reads them: `traverseAndFlatten` names each
//! leaf (`a.b[0].c`), and lodash's `get` finds a field again from a salt's path.

use serde_json::{Map, Value};

use crate::FormatError;
use crate::js::enumeration_order;

/// Every leaf of `document` (a string, number, boolean or null) with its path, in the order
/// the reference's `traverseAndFlatten` visits them: keys in JavaScript's enumeration order,
/// `.` between keys, `[i]` for array elements. Empty arrays and objects have no leaves.
///
/// Refused, as the reference's `salt` refuses them: a key holding `.`, `[` or `]`, which would
/// make two fields' paths alike.
///
/// Quirk kept: a top-level empty key's children are named without a leading `.` (`{"": {"a":
/// 1}}` gives the path `a`), because the reference joins with `.` only after a non-empty path.
pub(crate) fn leaves(document: &Map<String, Value>) -> Result<Vec<(String, &Value)>, FormatError> {
    let mut out = Vec::new();
    let mut path = String::new();
    walk_object(document, &mut path, &mut out)?;
    Ok(out)
}

/// How many leaves [`leaves`] would list, with the same refusals, without naming them.
pub(crate) fn count_leaves(document: &Map<String, Value>) -> Result<usize, FormatError> {
    fn count(value: &Value) -> Result<usize, String> {
        match value {
            Value::Array(items) => items.iter().map(count).sum(),
            Value::Object(map) => count_object(map),
            _ => Ok(1),
        }
    }
    fn count_object(map: &Map<String, Value>) -> Result<usize, String> {
        let mut n = 0;
        for (key, value) in map {
            if key.contains(['.', '[', ']']) {
                return Err(key.clone());
            }
            n += count(value)?;
        }
        Ok(n)
    }
    // A refusal names the key's whole path, which only the walk that names leaves knows.
    count_object(document).or_else(|_| leaves(document).map(|l| l.len()))
}

fn walk<'a>(
    value: &'a Value,
    path: &mut String,
    out: &mut Vec<(String, &'a Value)>,
) -> Result<(), FormatError> {
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let mark = path.len();
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
                walk(item, path, out)?;
                path.truncate(mark);
            }
            Ok(())
        }
        Value::Object(map) => walk_object(map, path, out),
        leaf => {
            out.push((path.clone(), leaf));
            Ok(())
        }
    }
}

fn walk_object<'a>(
    map: &'a Map<String, Value>,
    path: &mut String,
    out: &mut Vec<(String, &'a Value)>,
) -> Result<(), FormatError> {
    for (key, value) in enumeration_order(map) {
        if key.contains(['.', '[', ']']) {
            return Err(FormatError::Shape {
                field: if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                },
                problem:
                    "is a key with '.', '[' or ']', which OpenAttestation v3 cannot name in a salt"
                        .into(),
            });
        }
        let mark = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        walk(value, path, out)?;
        path.truncate(mark);
    }
    Ok(())
}

/// The parts lodash's `get(object, path)` reads `path` as (its `castPath`): the whole text as
/// one key when it has no `.` and no `[…]`, else `stringToPath`'s parts: runs of characters
/// other than `.`, `[` and `]`; `[0]`; `["quoted"]` or `['quoted']` with `\` escaping; and an
/// empty part before a `.` (or `[]`) that ends the text or is followed by another.
pub(crate) fn lodash_parts(path: &str) -> Vec<String> {
    if !is_deep(path) {
        return vec![path.to_owned()];
    }
    let chars: Vec<char> = path.chars().collect();
    let mut parts = Vec::new();
    if chars.first() == Some(&'.') {
        parts.push(String::new());
    }
    let mut at = 0;
    while at <= chars.len() {
        if let Some((part, end)) = part_at(&chars, at) {
            parts.push(part);
            // An empty match moves the search on by one, as a global regex does.
            at = if end == at { at + 1 } else { end };
        } else {
            at += 1;
        }
    }
    parts
}

/// lodash's `reIsDeepProp`: a `.`, or a bracket holding no brackets (or a quoted text).
fn is_deep(path: &str) -> bool {
    if path.contains('.') {
        return true;
    }
    let chars: Vec<char> = path.chars().collect();
    (0..chars.len()).any(|i| chars[i] == '[' && bracket_end(&chars, i).is_some())
}

/// Where a bracket opened at `open` closes, for `reIsDeepProp`: `[` then either characters
/// that are not brackets, or a quoted text (its quote not repeated, `\` escaping), then `]`.
fn bracket_end(chars: &[char], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < chars.len() && chars[i] != '[' && chars[i] != ']' {
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        return Some(i + 1);
    }
    quoted_end(chars, open + 1).map(|(_, end)| end)
}

/// A quoted text starting at `start` and closed by `]`: its unescaped content and the index
/// after the `]`. The content ends at the first closing quote that a `]` follows.
fn quoted_end(chars: &[char], start: usize) -> Option<(String, usize)> {
    let quote = *chars.get(start)?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let mut i = start + 1;
    loop {
        match chars.get(i)? {
            // A quote ends the text, and only where `]` follows.
            c if *c == quote => {
                if chars.get(i + 1) != Some(&']') {
                    return None;
                }
                let raw: String = chars[start + 1..i].iter().collect();
                return Some((unescape(&raw), i + 2));
            }
            // `(?!\2)[^\\]`: another quote is content; `\\.`: any character but a line end.
            '\\' => match chars.get(i + 1)? {
                '\n' | '\r' | '\u{2028}' | '\u{2029}' => return None,
                _ => i += 2,
            },
            _ => i += 1,
        }
    }
}

/// lodash's `reEscapeChar` replacement: `\x` becomes `x`, `\\` becomes `\`.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push(other);
                }
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One match of lodash's `rePropName` at `at`, tried in its alternatives' order.
fn part_at(chars: &[char], at: usize) -> Option<(String, usize)> {
    let plain = |c: &char| !matches!(c, '.' | '[' | ']');
    if chars.get(at).is_some_and(plain) {
        let end = (at..chars.len())
            .find(|&i| !plain(&chars[i]))
            .unwrap_or(chars.len());
        return Some((chars[at..end].iter().collect(), end));
    }
    if chars.get(at) == Some(&'[') {
        if let Some(found) = number_in_brackets(chars, at + 1) {
            return Some(found);
        }
        if let Some(found) = quoted_end(chars, at + 1) {
            return Some(found);
        }
    }
    // The empty part: `.` or `[]` here, then `.`, `[]` or the end.
    let separator = |i: usize| match chars.get(i) {
        Some('.') => Some(i + 1),
        Some('[') if chars.get(i + 1) == Some(&']') => Some(i + 2),
        _ => None,
    };
    let next = separator(at)?;
    (next == chars.len() || separator(next).is_some()).then(|| (String::new(), at))
}

/// `-?\d+(?:\.\d+)?` then `]`, starting at `start`.
fn number_in_brackets(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut i = start;
    if chars.get(i) == Some(&'-') {
        i += 1;
    }
    let digits = |from: usize| {
        (from..chars.len())
            .take_while(|&j| chars[j].is_ascii_digit())
            .count()
    };
    let whole = digits(i);
    if whole == 0 {
        return None;
    }
    i += whole;
    if chars.get(i) == Some(&'.') && digits(i + 1) > 0 {
        i += 1 + digits(i + 1);
    }
    (chars.get(i) == Some(&']')).then(|| (chars[start..i].iter().collect(), i + 1))
}

/// What JavaScript reads at `object[key]` for the JSON values a document holds.
///
/// Own fields, array elements by canonical index, and the `length` of arrays and strings are
/// read as JavaScript reads them. What JavaScript would find on a prototype instead (`toString`,
/// `constructor`, `__proto__`…) reads as nothing here: only a document forged for it names
/// such a path, and it then fails to verify rather than hash JavaScript's internals.
pub(crate) enum Found<'a> {
    Value(&'a Value),
    /// A `length`, or one UTF-16 unit of a string, which no JSON value holds.
    Number(usize),
    Text(String),
}

/// lodash's `get(document, path)`.
pub(crate) fn get<'a>(document: &'a Map<String, Value>, path: &str) -> Option<Found<'a>> {
    if let Some(found) = get_plain(document, path) {
        return found;
    }
    let parts = lodash_parts(path);
    let (first, rest) = parts.split_first()?;
    let mut found = Found::Value(document.get(first)?);
    for part in rest {
        found = match found {
            Found::Value(Value::Object(map)) => Found::Value(map.get(part)?),
            Found::Value(Value::Array(items)) if part == "length" => Found::Number(items.len()),
            Found::Value(Value::Array(items)) => Found::Value(items.get(canonical_index(part)?)?),
            Found::Value(Value::String(s)) if part == "length" => {
                Found::Number(s.encode_utf16().count())
            }
            Found::Text(s) if part == "length" => Found::Number(s.encode_utf16().count()),
            Found::Value(Value::String(s)) => Found::Text(utf16_unit(s, canonical_index(part)?)?),
            Found::Text(s) => Found::Text(utf16_unit(&s, canonical_index(part)?)?),
            _ => return None,
        };
    }
    Some(found)
}

/// [`get`] for the paths a wrap writes — keys without quotes, `.` between them, `[i]` for
/// elements — read without building lodash's parts: `None` when the path is another kind,
/// which the full reading takes.
fn get_plain<'a>(document: &'a Map<String, Value>, path: &str) -> Option<Option<Found<'a>>> {
    let bytes = path.as_bytes();
    if bytes.is_empty() || path.contains(['"', '\'']) {
        return None;
    }
    let mut value: Option<&'a Value> = None;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'[' {
            let close = at + 1 + bytes[at + 1..].iter().position(|b| *b == b']')?;
            let digits = &path[at + 1..close];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || value.is_none() {
                return None;
            }
            value = Some(match value? {
                // `[01]` reads as the key "01", which no array has.
                Value::Array(items) => match canonical_index(digits).and_then(|i| items.get(i)) {
                    Some(item) => item,
                    None => return Some(None),
                },
                Value::Object(map) => match map.get(digits) {
                    Some(v) => v,
                    None => return Some(None),
                },
                _ => return None,
            });
            at = close + 1;
            if at < bytes.len() {
                match bytes[at] {
                    b'.' => at += 1,
                    b'[' => {}
                    _ => return None,
                }
                if at == bytes.len() {
                    return None;
                }
            }
            continue;
        }
        let end = at
            + bytes[at..]
                .iter()
                .position(|b| matches!(b, b'.' | b'[' | b']'))
                .unwrap_or(bytes.len() - at);
        if end == at || bytes.get(end) == Some(&b']') {
            return None;
        }
        let key = &path[at..end];
        value = Some(match value {
            None => match document.get(key) {
                Some(v) => v,
                None => return Some(None),
            },
            Some(Value::Object(map)) => match map.get(key) {
                Some(v) => v,
                None => return Some(None),
            },
            // `length`, an index into a string: the full reading.
            Some(_) => return None,
        });
        at = end;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if at == bytes.len() {
                return None;
            }
        }
    }
    // A single plain key is the whole path, as lodash reads it too.
    value.map(|v| Some(Found::Value(v)))
}

/// `part` as an array index, if JavaScript reads it as one: canonical decimal.
fn canonical_index(part: &str) -> Option<usize> {
    crate::js::is_array_index(part)
        .then(|| part.parse().ok())
        .flatten()
}

/// The `index`th UTF-16 unit of `s` as a string; `None` for half of a surrogate pair, which
/// no Rust string holds (and no honest path names).
fn utf16_unit(s: &str, index: usize) -> Option<String> {
    let unit = s.encode_utf16().nth(index)?;
    char::from_u32(u32::from(unit)).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parts(path: &str) -> Vec<String> {
        lodash_parts(path)
    }

    #[test]
    fn reads_paths_as_lodash_does() {
        assert_eq!(parts("a.b[0].c"), ["a", "b", "0", "c"]);
        assert_eq!(parts("plain"), ["plain"]);
        assert_eq!(parts(""), [""]);
        assert_eq!(parts("a."), ["a", ""]);
        assert_eq!(parts("a..b"), ["a", "", "b"]);
        assert_eq!(parts(".a"), ["", "a"]);
        assert_eq!(parts("a[\"b.c\"]"), ["a", "b.c"]);
        assert_eq!(parts("a['x\\'y']"), ["a", "x'y"]);
        assert_eq!(parts("a[-1.5]"), ["a", "-1.5"]);
        assert_eq!(parts("a.[0]"), ["a", "0"]);
        // Not deep: the whole text is one key.
        assert_eq!(parts("a[b"), ["a[b"]);
        assert_eq!(parts("a]"), ["a]"]);
    }

    #[test]
    fn flattens_as_the_reference() {
        let doc = json!({"b": [1, {"c": null}], "2": true, "1": "x", "e": [], "": {"f": 0}});
        let Value::Object(map) = doc else {
            unreachable!()
        };
        let paths: Vec<String> = leaves(&map).unwrap().into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["1", "2", "b[0]", "b[1].c", "f"]);
        let bad = json!({"a": {"x.y": 1}});
        let Value::Object(bad) = bad else {
            unreachable!()
        };
        assert!(leaves(&bad).unwrap_err().to_string().contains("a.x.y"));
    }

    #[test]
    fn the_plain_reading_agrees_with_lodash() {
        let doc = json!({"a": {"b": [10, {"c": "x"}], "0": "zero", "01": "one"}, "k": [[1, 2]], "s": "str"});
        let Value::Object(map) = doc else {
            unreachable!()
        };
        let show = |found: Option<Found<'_>>| match found {
            Some(Found::Value(v)) => Some(v.clone()),
            Some(Found::Number(n)) => Some(json!(n)),
            Some(Found::Text(t)) => Some(json!(t)),
            None => None,
        };
        for path in [
            "a",
            "a.b",
            "a.b[0]",
            "a.b[1].c",
            "a.b.1.c",
            "a[0]",
            "a.0",
            "a[01]",
            "a.01",
            "k[0][1]",
            "k[0]",
            "k.0.1",
            "missing",
            "a.missing",
            "a.b[2]",
            "s.length",
            "a..b",
            "a.",
            ".a",
            "a[b]",
            "a[]",
            "a.b[x]",
            "s[0]",
            "a]",
            "[0]",
            "",
        ] {
            let full = {
                let parts = lodash_parts(path);
                let mut found: Option<Found<'_>> = None;
                for (i, part) in parts.iter().enumerate() {
                    found = match (i, found) {
                        (0, _) => map.get(part).map(Found::Value),
                        (_, Some(Found::Value(Value::Object(m)))) => m.get(part).map(Found::Value),
                        (_, Some(Found::Value(Value::Array(a)))) if part == "length" => {
                            Some(Found::Number(a.len()))
                        }
                        (_, Some(Found::Value(Value::Array(a)))) => canonical_index(part)
                            .and_then(|i| a.get(i))
                            .map(Found::Value),
                        (_, Some(Found::Value(Value::String(s)))) if part == "length" => {
                            Some(Found::Number(s.encode_utf16().count()))
                        }
                        (_, Some(Found::Value(Value::String(s)))) => canonical_index(part)
                            .and_then(|i| utf16_unit(s, i))
                            .map(Found::Text),
                        _ => None,
                    };
                    if found.is_none() {
                        break;
                    }
                }
                show(found)
            };
            assert_eq!(show(get(&map, path)), full, "{path:?}");
            if let Some(plain) = get_plain(&map, path) {
                assert_eq!(show(plain), full, "the plain reading of {path:?}");
            }
        }
    }

    #[test]
    fn gets_as_lodash_does() {
        let doc = json!({"a": {"b": [10, "xyz"]}, "": {"k": 1}});
        let Value::Object(map) = doc else {
            unreachable!()
        };
        let value = |p: &str| match get(&map, p) {
            Some(Found::Value(v)) => Some(v.clone()),
            Some(Found::Number(n)) => Some(json!(n)),
            Some(Found::Text(t)) => Some(json!(t)),
            None => None,
        };
        assert_eq!(value("a.b[0]"), Some(json!(10)));
        assert_eq!(value("a.b.1"), Some(json!("xyz")));
        assert_eq!(value("a.b.length"), Some(json!(2)));
        assert_eq!(value("a.b[1][2]"), Some(json!("z")));
        assert_eq!(value("a.b[01]"), None);
        assert_eq!(value("a.toString"), None);
        assert_eq!(value(".k"), Some(json!(1)));
    }
}
