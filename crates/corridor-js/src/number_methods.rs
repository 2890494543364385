//! `Number.prototype.toExponential` and `toFixed`, and `parseFloat`, as the ECMAScript
//! specification defines them: from the double's exact decimal value, a tie rounded to the
//! larger digits (not to even, as Rust's formatting rounds).

use crate::number_text::is_js_space;

/// A finite, non-zero, positive double's exact decimal digits (no leading zero) and the
/// exponent of the first: `digits[0].digits[1..] × 10^exponent`.
fn exact_digits(x: f64) -> (Vec<u8>, i32) {
    // A double's exact decimal expansion has at most 767 significant digits.
    let text = format!("{x:.800e}");
    let (mantissa, exponent) = text.split_once('e').expect("exponent form");
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exponent.parse().expect("an integer exponent"))
}

/// `digits` cut to `keep` digits, rounding a tie up; the exponent moves when 9…9 carries.
fn round_half_up(mut digits: Vec<u8>, mut exponent: i32, keep: usize) -> (Vec<u8>, i32) {
    let round_up = digits.get(keep).is_some_and(|&d| d >= b'5');
    digits.resize(keep, b'0');
    if round_up {
        let mut i = keep;
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                digits.truncate(keep);
                exponent += 1;
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    (digits, exponent)
}

/// JavaScript's `x.toExponential(fraction_digits)`.
///
/// ```
/// use corridor_js::to_exponential;
/// assert_eq!(to_exponential(0.30000000000000004, 15), "3.000000000000000e-1");
/// // A tie rounds up, where Rust's `{:.15e}` rounds to even.
/// assert_eq!(to_exponential(1.0000152587890625, 15), "1.000015258789063e+0");
/// assert_eq!(to_exponential(-1e21, 2), "-1.00e+21");
/// ```
pub fn to_exponential(x: f64, fraction_digits: usize) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}Infinity");
    }
    let (digits, exponent) = if x == 0.0 {
        (vec![b'0'; fraction_digits + 1], 0)
    } else {
        let (digits, exponent) = exact_digits(x.abs());
        round_half_up(digits, exponent, fraction_digits + 1)
    };
    let mut out = String::from(sign);
    out.push(digits[0] as char);
    if fraction_digits > 0 {
        out.push('.');
        out.extend(digits[1..].iter().map(|&d| d as char));
    }
    out.push('e');
    out.push(if exponent < 0 { '-' } else { '+' });
    out.push_str(&exponent.unsigned_abs().to_string());
    out
}

/// JavaScript's `x.toFixed(0)`: the nearest integer, a tie away from zero, written in full
/// (`String(x)` from 1e21 on); a negative number that rounds to zero is `-0`.
///
/// ```
/// use corridor_js::to_fixed0;
/// assert_eq!(to_fixed0(2.5), "3");
/// assert_eq!(to_fixed0(-1e-7), "-0");
/// assert_eq!(to_fixed0(12345678901234567890.0), "12345678901234567168");
/// assert_eq!(to_fixed0(1e21), "1e+21");
/// ```
pub fn to_fixed0(x: f64) -> String {
    if !x.is_finite() || x.abs() >= 1e21 {
        let mut out = Vec::new();
        crate::write_number(&mut out, x);
        return String::from_utf8(out).expect("ASCII");
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a < 0.5 {
        return format!("{sign}0");
    }
    if a < 1.0 {
        return format!("{sign}1");
    }
    let (digits, exponent) = exact_digits(a);
    let integer_digits = exponent as usize + 1;
    let (digits, exponent) = round_half_up(digits, exponent, integer_digits);
    let mut out = String::from(sign);
    out.extend(digits.iter().map(|&d| d as char));
    // A carry (9.5 → 10) adds a digit.
    out.extend(std::iter::repeat_n(
        '0',
        exponent as usize + 1 - digits.len(),
    ));
    out
}

/// JavaScript's `parseFloat(text)`: the longest decimal literal (or `Infinity`) at the start,
/// after white space; NaN when there is none.
///
/// ```
/// use corridor_js::parse_float;
/// assert_eq!(parse_float("  1.5e3xyz"), 1500.0);
/// assert_eq!(parse_float("-Infinity"), f64::NEG_INFINITY);
/// assert_eq!(parse_float(".5."), 0.5);
/// assert!(parse_float("e5").is_nan());
/// assert!(parse_float("0x10") == 0.0);
/// ```
pub fn parse_float(text: &str) -> f64 {
    let t = text.trim_start_matches(is_js_space);
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if t[i..].starts_with("Infinity") {
        return if b[0] == b'-' {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut significant = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        let mut j = i + 1;
        let fraction = digits(&mut j);
        if significant > 0 || fraction > 0 {
            i = j;
            significant += fraction;
        }
    }
    if significant == 0 {
        return f64::NAN;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j) > 0 {
            i = j;
        }
    }
    t[..i].parse().unwrap_or(f64::NAN)
}

/// JavaScript's `parseInt(text, radix)`: white space, a sign, then the longest run of digits
/// of the radix; `None` for no radix, which reads `0x…` as hexadecimal and anything else as
/// decimal (`Number.parseInt("0x10")` is 16). `NaN` when no digit comes.
///
/// ```
/// use corridor_js::parse_int;
/// assert_eq!(parse_int(" -12abc", Some(10)), -12.0);
/// assert_eq!(parse_int("0x1f", None), 31.0);
/// assert_eq!(parse_int("0x1f", Some(10)), 0.0);
/// assert_eq!(parse_int("1e3", None), 1.0);
/// assert!(parse_int("seven", None).is_nan());
/// ```
pub fn parse_int(text: &str, radix: Option<u32>) -> f64 {
    let t = text.trim_start_matches(is_js_space);
    let (negative, mut digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let radix = match radix {
        None | Some(16) => {
            match digits
                .strip_prefix("0x")
                .or_else(|| digits.strip_prefix("0X"))
            {
                Some(rest) => {
                    digits = rest;
                    16
                }
                None => radix.unwrap_or(10),
            }
        }
        Some(r) => r,
    };
    let end = digits
        .char_indices()
        .find(|(_, c)| !c.is_digit(radix))
        .map_or(digits.len(), |(i, _)| i);
    if end == 0 {
        return f64::NAN;
    }
    let run = &digits[..end];
    let n = if radix == 10 {
        // Correctly rounded, as JavaScript reads decimal digits.
        run.parse().unwrap_or(f64::NAN)
    } else {
        run.chars().fold(0.0, |acc, c| {
            acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
        })
    };
    if negative { -n } else { n }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_forms() {
        for (x, js) in [
            (0.0, "0.000000000000000e+0"),
            (-0.0, "0.000000000000000e+0"),
            (1.0, "1.000000000000000e+0"),
            (0.1, "1.000000000000000e-1"),
            (123456789.0, "1.234567890000000e+8"),
            (1e23, "9.999999999999999e+22"),
            (0.99999999999999995, "1.000000000000000e+0"),
            (5e-324, "4.940656458412465e-324"),
            (1.7976931348623157e308, "1.797693134862316e+308"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(to_exponential(x, 15), js, "{x:e}");
        }
    }

    #[test]
    fn fixed_forms() {
        for (x, js) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-3.0, "-3"),
            (0.5, "1"),
            (9.5, "10"),
            (-2.5, "-3"),
            (1e20, "100000000000000000000"),
            (1e-7, "0"),
        ] {
            assert_eq!(to_fixed0(x), js, "{x:e}");
        }
    }
}
