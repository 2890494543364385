//! The order JavaScript's `Array.prototype.sort` and `<` give strings: by UTF-16 code units.

use std::cmp::Ordering;

/// `a` against `b` as JavaScript compares strings: by UTF-16 code units. It differs from
/// Rust's `str` order (code points, as UTF-8 bytes) only where one string has a character
/// beyond the BMP (a surrogate pair, 0xD800–0xDFFF) where the other has one from U+E000 to
/// U+FFFF.
///
/// ```
/// use corridor_js::js_order;
/// use std::cmp::Ordering;
/// // U+1F348 (melon) is after U+FF0C (full-width comma) by code point, before it in UTF-16.
/// assert_eq!("\u{1F348}".cmp("\u{FF0C}"), Ordering::Greater);
/// assert_eq!(js_order("\u{1F348}", "\u{FF0C}"), Ordering::Less);
/// assert_eq!(js_order("b0", "b10"), Ordering::Less);
/// ```
pub fn js_order(a: &str, b: &str) -> Ordering {
    // Equal bytes up to the first difference mean equal code units up to it too.
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // Back to the start of the character the difference is in.
    let start = (0..=common)
        .rev()
        .find(|i| a.is_char_boundary(*i))
        .unwrap_or(0);
    a[start..].encode_utf16().cmp(b[start..].encode_utf16())
}

/// Sorts `strings` as JavaScript's `sort()` does.
pub fn js_sort(strings: &mut [String]) {
    strings.sort_by(|a, b| js_order(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_utf16_order_on_mixed_planes() {
        let samples = [
            "",
            "a",
            "ab",
            "b",
            "\u{7f}",
            "\u{80}",
            "\u{ff0c}",
            "\u{e000}",
            "\u{ffff}",
            "\u{10000}",
            "\u{1f348}",
            "a\u{1f348}",
            "a\u{ff0c}",
            "\u{d7ff}",
        ];
        for a in samples {
            for b in samples {
                let utf16 = a.encode_utf16().cmp(b.encode_utf16());
                assert_eq!(js_order(a, b), utf16, "{a:?} {b:?}");
            }
        }
    }
}
