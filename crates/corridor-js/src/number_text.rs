//! Numbers and strings as JavaScript writes and reads them:
//! `String(number)`, `JSON.stringify`, `String.prototype.trim` and `Number(text)`.

use serde_json::Value;

/// Appends `x` as JavaScript's `String(x)` writes it (`1e+21`, `1e-7`, `0.1`, `-0` → `0`).
pub fn write_number(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        out.extend_from_slice(ryu_js::Buffer::new().format_finite(x).as_bytes());
    } else if x.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if x > 0.0 {
        out.extend_from_slice(b"Infinity");
    } else {
        out.extend_from_slice(b"-Infinity");
    }
}

/// The number a JSON number token stands for in JavaScript: always an IEEE double, so integers
/// beyond 2^53 lose precision exactly as `JSON.parse` loses it.
pub fn number_value(n: &serde_json::Number) -> f64 {
    // serde_json keeps integers exact; JavaScript rounds them to the nearest double, as `as` does.
    if let Some(u) = n.as_u64() {
        u as f64
    } else if let Some(i) = n.as_i64() {
        i as f64
    } else {
        n.as_f64().unwrap_or(f64::NAN)
    }
}

/// For each byte, what `JSON.stringify` writes after a backslash, or 0 for "write as is";
/// `u` means `\u00xx`.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x0c] = b'f';
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\t' as usize] = b't';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Appends `s` as a JSON string literal, escaped exactly as `JSON.stringify` escapes it:
/// `"` and `\`, the short escapes `\b \f \n \r \t`, other control characters as `\u00xx`
/// with lower-case hex, and nothing else (not `/`, not non-ASCII).
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    write_escaped(out, s);
    out.push(b'"');
}

/// Appends the text of `s` as [`write_string`] escapes it, without the quotes.
pub fn write_escaped(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        // Eight bytes at a time while none needs escaping, as in most text.
        if let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            && !any_to_escape(u64::from_le_bytes(word))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        let escape = ESCAPE[b as usize];
        if escape != 0 {
            out.extend_from_slice(&bytes[start..i]);
            if escape == b'u' {
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 0xf) as usize],
                ]);
            } else {
                out.extend_from_slice(&[b'\\', escape]);
            }
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Whether one of the eight bytes of `word` may be one [`ESCAPE`] escapes (below 0x20, `"`,
/// `\`): never false when one is. (The bit tricks are exact as a yes or no; a yes is checked
/// byte by byte anyway.)
fn any_to_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & HIGHS;
    let below_space = below(word, 0x20);
    let quote = below(word ^ (ONES * u64::from(b'"')), 1);
    let backslash = below(word ^ (ONES * u64::from(b'\\')), 1);
    below_space | quote | backslash != 0
}

/// Appends `value` as compact `JSON.stringify` would write it.
///
/// Object keys are written in the order the value holds them; the hashes only ever stringify
/// leaves (primitives and empty containers), where order cannot matter.
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let x = number_value(n);
            // JSON.stringify writes non-finite numbers as null.
            if x.is_finite() {
                write_number(out, x)
            } else {
                out.extend_from_slice(b"null")
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, k);
                out.push(b':');
                write_value(out, v);
            }
            out.push(b'}');
        }
    }
}

/// Whether `c` is white space to JavaScript: what `trim` removes and `\s` matches
/// (WhiteSpace and LineTerminator).
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// JavaScript's `String.prototype.trim`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// JavaScript's `Number(text)` for a string: white space trimmed, empty is 0, `0x`/`0o`/`0b`
/// integers, `Infinity`, decimal literals; anything else is NaN.
pub fn parse_number(text: &str) -> f64 {
    let t = trim(text);
    if t.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = t.strip_prefix(prefix) {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return f64::NAN;
            }
            return digits.chars().fold(0.0, |acc, c| {
                acc * radix as f64 + c.to_digit(radix).unwrap_or(0) as f64
            });
        }
    }
    let (sign, unsigned) = match t.as_bytes()[0] {
        b'-' => (-1.0, &t[1..]),
        b'+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    if unsigned == "Infinity" {
        return sign * f64::INFINITY;
    }
    // Rust's float grammar is JavaScript's StrDecimalLiteral but for the words it also takes.
    let is_decimal = !unsigned.is_empty()
        && unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && unsigned
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.');
    match unsigned.parse::<f64>() {
        Ok(x) if is_decimal => sign * x,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_a_word_at_a_time_escapes_every_byte_it_must() {
        // Byte by byte, as the table says.
        let one_by_one = |s: &str| {
            let mut out = String::new();
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out
        };
        // Every ASCII character and some beyond, at every place in strings around the word size.
        let specials: Vec<char> = (0u8..0x80)
            .map(char::from)
            .chain(['é', '€', '😀'])
            .collect();
        for special in specials {
            for length in [1, 7, 8, 9, 16, 17, 24] {
                for place in 0..length {
                    let s: String = (0..length)
                        .map(|i| if i == place { special } else { 'a' })
                        .collect();
                    let mut out = Vec::new();
                    write_escaped(&mut out, &s);
                    assert_eq!(String::from_utf8(out).unwrap(), one_by_one(&s), "{s:?}");
                }
            }
        }
    }

    fn number(x: f64) -> String {
        let mut out = Vec::new();
        write_number(&mut out, x);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_as_javascript_writes_them() {
        for (x, js) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (123456789012345680000.0, "123456789012345680000"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(number(x), js, "{x:?}");
        }
    }

    #[test]
    fn big_integers_round_like_json_parse() {
        let v: Value = serde_json::from_str("12345678901234567890").unwrap();
        let Value::Number(n) = v else { panic!() };
        assert_eq!(number(number_value(&n)), "12345678901234567000");
    }

    #[test]
    fn strings_escaped_as_json_stringify() {
        let mut out = Vec::new();
        write_string(
            &mut out,
            "a\"b\\c\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}/é😀\u{2028}",
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}/é😀\u{2028}\""
        );
    }

    #[test]
    fn values_compact() {
        let v: Value = serde_json::from_str(r#"{"a":[1,true,null,{}],"b":[]}"#).unwrap();
        let mut out = Vec::new();
        write_value(&mut out, &v);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":[1,true,null,{}],"b":[]}"#
        );
    }

    #[test]
    fn trim_is_javascript_trim() {
        assert_eq!(trim("\u{feff} a \u{3000}\n"), "a");
        assert_eq!(
            trim("\u{85}a"),
            "\u{85}a",
            "NEL is not white space to JavaScript"
        );
    }

    #[test]
    fn number_parses_as_javascript_number() {
        assert_eq!(parse_number(" 42 "), 42.0);
        assert_eq!(parse_number(""), 0.0);
        assert_eq!(parse_number("0x1F"), 31.0);
        assert_eq!(parse_number("-Infinity"), f64::NEG_INFINITY);
        assert_eq!(parse_number("1e3"), 1000.0);
        assert_eq!(parse_number(".5"), 0.5);
        assert!(parse_number("inf").is_nan());
        assert!(parse_number("12px").is_nan());
        assert!(parse_number("-0x10").is_nan());
    }
}
