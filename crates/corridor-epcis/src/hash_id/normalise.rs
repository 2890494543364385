//! How CBV 2.0's event hash ID writes values (section 8.9), as GS1's reference implementation
//! (epcis-event-hash-generator 1.9.3) does: CBV URNs as web vocabulary, numbers in one form,
//! times in UTC to the millisecond, and identifiers as constrained canonical Digital Links.
//!
//! The reference's identifier normaliser differs from the canonical Digital Link of
//! `corridor-gs1` on purpose here: it keeps an EPC URN's escapes (`%2F`) and encodes only
//! `! ( ) * + , :`, checks no check digit, and leaves a Digital Link whose values are
//! percent-encoded as written. Event IDs made by others must be reproduced, so its rules are.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// A value as the pre-hash string writes it (not a time: see [`time`]). `Err` for a number
/// the reference cannot write (an infinity): it gives such an event no hash at all.
///
/// The same values recur from event to event (a lot's class, a site, a business step), and
/// the reference's rules take a dozen regular expressions: each thread remembers the last
/// few thousand it wrote.
pub(crate) fn value(text: &str) -> Result<String, ()> {
    const REMEMBERED: usize = 8192;
    thread_local! {
        static WRITTEN: RefCell<HashMap<String, Result<String, ()>>> = RefCell::default();
    }
    WRITTEN.with_borrow_mut(|written| {
        if let Some(known) = written.get(text) {
            return known.clone();
        }
        let value = write_value(text);
        if written.len() == REMEMBERED {
            written.clear();
        }
        written.insert(text.to_owned(), value.clone());
        value
    })
}

fn write_value(text: &str) -> Result<String, ()> {
    let text = web_vocabulary(text);
    let text = numeric(&text)?;
    Ok(digital_link(&text).unwrap_or(text))
}

/// EPCIS 1.x CBV URNs replaced by their web vocabulary, wherever they appear in the text.
fn web_vocabulary(text: &str) -> String {
    const OLD_NEW: [(&str, &str); 5] = [
        (
            "urn:epcglobal:cbv:bizstep:",
            "https://ref.gs1.org/cbv/BizStep-",
        ),
        ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
        ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
        ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
        ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
    ];
    let mut text = text.to_owned();
    for (old, new) in OLD_NEW {
        if text.contains(old) {
            text = text.replace(old, new);
        }
    }
    text
}

/// A text Python's `float()` reads, written as Python writes the number (an integer without
/// `.0`); any other text as it is.
fn numeric(text: &str) -> Result<String, ()> {
    let Some(number) = python_float(text) else {
        return Ok(text.to_owned());
    };
    if number.is_nan() {
        return Ok(text.to_owned()); // int(nan) fails, and the reference keeps the text.
    }
    if number.is_infinite() {
        return Err(()); // int(inf) raises what the reference does not catch.
    }
    if number.fract() == 0.0 {
        let whole = format!("{number:.0}");
        return Ok(if whole == "-0" { "0".to_owned() } else { whole });
    }
    Ok(python_repr(number))
}

/// Python's `float(text)` on text already stripped: decimal digits (with single underscores
/// between them), a point, an exponent, or inf/infinity/nan, each with an optional sign.
pub(crate) fn python_float(text: &str) -> Option<f64> {
    // Most values are words or URIs: they cannot be numbers.
    if !text.bytes().next().is_some_and(|b| {
        b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'i' | b'I' | b'n' | b'N')
    }) {
        return None;
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let negative = text.starts_with('-');
    let special = match unsigned.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(special) = special {
        return Some(if negative { -special } else { special });
    }
    let bytes = unsigned.as_bytes();
    let mut plain = String::with_capacity(text.len());
    if negative {
        plain.push('-');
    }
    let (mut digits, mut point, mut exponent) = (0, false, false);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'0'..=b'9' => {
                digits += 1;
                plain.push(c as char);
            }
            b'_' => {
                // Only between two digits.
                let before = i > 0 && bytes[i - 1].is_ascii_digit();
                let after = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !(before && after) {
                    return None;
                }
            }
            b'.' if !point && !exponent => {
                point = true;
                plain.push('.');
            }
            b'e' | b'E' if !exponent && digits > 0 => {
                exponent = true;
                plain.push('e');
                if let Some(sign @ (b'+' | b'-')) = bytes.get(i + 1) {
                    plain.push(*sign as char);
                    i += 1;
                }
                if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
            }
            _ => return None,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    plain.parse().ok()
}

/// Python's `repr` of a float that is not a whole number: the shortest digits that read back,
/// positional from 1e-4 up to 1e16, else scientific with a signed exponent of two digits at
/// least.
pub(crate) fn python_repr(number: f64) -> String {
    let scientific = format!("{number:e}");
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("an exponent");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{body}")
    } else {
        let (head, tail) = digits.split_at(1);
        let fraction = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{head}{fraction}e{exponent_sign}{:02}",
            exponent.abs()
        )
    }
}

/// A time as the pre-hash string writes it: in UTC, to the millisecond (microseconds rounded
/// half to even), `Z`. Text that is not an ISO 8601 date-time is kept as it is.
pub(crate) fn time(text: &str) -> Result<String, ()> {
    let Some((mut seconds, micros)) = iso_instant(text) else {
        return Ok(text.to_owned());
    };
    let mut millis = micros / 1000;
    let rest = micros % 1000;
    if rest > 500 || (rest == 500 && millis % 2 == 1) {
        millis += 1;
    }
    if millis == 1000 {
        return Err(()); // Python refuses a microsecond of 1 000 000, and the event gets no hash.
    }
    let days = seconds.div_euclid(86_400);
    seconds = seconds.rem_euclid(86_400);
    let (year, month, day) = corridor_js::civil_from_days(days);
    Ok(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    ))
}

/// Seconds since 1970 UTC and microseconds, from `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z`,
/// an offset or none (read as UTC).
fn iso_instant(text: &str) -> Option<(i64, i64)> {
    static ISO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$")
            .expect("a regex")
    });
    let found = ISO.captures(text)?;
    let number = |i: usize| {
        found
            .get(i)
            .map_or(0, |m| m.as_str().parse::<i64>().unwrap_or(0))
    };
    let (year, month, day) = (number(1), number(2), number(3));
    let (hour, minute, second) = (number(4), number(5), number(6));
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let micros = found.get(7).map_or(0, |m| {
        let digits: String = m
            .as_str()
            .chars()
            .chain(std::iter::repeat('0'))
            .take(6)
            .collect();
        digits.parse().unwrap_or(0)
    });
    let offset = match found.get(8).map(|m| m.as_str()) {
        None | Some("Z" | "z") => 0,
        Some(offset) => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let digits: String = offset.chars().filter(char::is_ascii_digit).collect();
            let hours: i64 = digits[..2].parse().ok()?;
            let minutes: i64 = digits.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let seconds = corridor_js::days_from_civil(year, month, day) * 86_400
        + hour * 3600
        + minute * 60
        + second
        - offset;
    Some((seconds, micros))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The GS1 mod-10 check digit of a key's digits.
fn check_digit(digits: &str) -> char {
    char::from(b'0' + corridor_gs1::check_digit(digits.as_bytes()).unwrap_or(0))
}

/// The characters the Digital Link standard requires encoded that an EPC URN may hold raw.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '!' => out.push_str("%21"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '*' => out.push_str("%2A"),
            '+' => out.push_str("%2B"),
            ',' => out.push_str("%2C"),
            ':' => out.push_str("%3A"),
            c => out.push(c),
        }
    }
    out
}

/// A regex matched at the start of the text, as Python's `re.match`.
fn regex(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})")).expect("a regex")
}

/// One character of an EPC URN's serial, lot or extension, raw or escaped.
const EPC_CHAR: &str = r"(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]|[!')(*+,.0-9:;=A-Za-z_-])";
/// One character of a CPI's component reference.
const CPI_CHAR: &str = r"(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])";
/// One character of a Digital Link value the normaliser's output may hold.
const DL_CHAR: &str = r#"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"#;

/// A company prefix of 6 to 12 digits, a dot and a reference, the two `total` digits long.
fn split(total: usize) -> String {
    split_ending(total, r"\.")
}

/// As [`split`], a 12-digit prefix (an empty reference) followed by `empty`: the reference
/// writes two dots there for some schemes.
fn split_ending(total: usize, empty: &str) -> String {
    (6..=12)
        .map(|prefix| {
            let reference = total - prefix;
            if reference == 0 {
                format!(r"\d{{12}}{empty}")
            } else {
                format!(r"\d{{{prefix}}}\.\d{{{reference}}}")
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// A company prefix of 6 to 12 digits, a dot and 1 to `total - prefix` characters of `chars`.
fn prefixed(total: usize, chars: &str) -> String {
    (6..=12)
        .map(|prefix| format!(r"\d{{{prefix}}}\.{chars}{{1,{}}}", total - prefix))
        .collect::<Vec<_>>()
        .join("|")
}

/// The reference's canonical form of a GS1 identifier written as an EPC URN or a Digital Link,
/// or `None`.
pub(crate) fn digital_link(uri: &str) -> Option<String> {
    let partition = uri.find('.')?;
    // Only a URN of the EPC schemes or an http(s) URI can be one: most values are neither.
    if !uri.starts_with("urn:epc:") {
        return if uri.starts_with("http") {
            web_digital_link(uri)
        } else {
            None
        };
    }
    let gcp = |start: usize| uri.get(start..partition);
    // A GTIN-13 from a prefix and an item reference (indicator first).
    let gtin = |start: usize| -> Option<String> {
        let prefix = gcp(start)?;
        let item = uri.get(partition + 1..partition + 1 + (13 - prefix.len()))?;
        let raw = format!("{}{prefix}{}", &item[..1], &item[1..]);
        Some(format!("{raw}{}", check_digit(&raw)))
    };
    // A 12-digit body (GLN, GDTI, SGCN) from a prefix and a reference.
    let twelve = |start: usize| -> Option<String> {
        let prefix = gcp(start)?;
        let reference = uri.get(partition + 1..partition + 1 + (12 - prefix.len()))?;
        Some(format!("{prefix}{reference}"))
    };
    let with_check = |raw: String| format!("{raw}{}", check_digit(&raw));
    let rest = |from: usize| uri.get(from..).unwrap_or("");
    let rest_after = || uri.get(partition + 1..).unwrap_or("");
    const DL: &str = "https://id.gs1.org";

    static SGTIN: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:id:sgtin:(?:{})\.{EPC_CHAR}{{1,20}}$",
            split(13)
        ))
    });
    static SSCC: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:id:sscc:(?:{})$", split(17))));
    static SGLN: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:id:sgln:(?:{})\.{EPC_CHAR}{{1,20}}$",
            split(12)
        ))
    });
    static GRAI: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:id:grai:(?:{})\.{EPC_CHAR}{{1,16}}$",
            split_ending(12, r"\.\.")
        ))
    });
    static GIAI: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:id:giai:(?:{})$", prefixed(30, EPC_CHAR))));
    static GSRN: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:id:gsrn:(?:{})$", split(17))));
    static GSRNP: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:id:gsrnp:(?:{})$", split(17))));
    static GDTI: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:id:gdti:(?:{}){EPC_CHAR}{{1,20}}$",
            split(12)
        ))
    });
    static CPI: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:id:cpi:(?:{})\.\d{{1,12}}$",
            prefixed(30, CPI_CHAR)
        ))
    });
    static SGCN: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:id:sgcn:(?:{})\.\d{{1,12}}$", split(12))));
    static GINC: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:id:ginc:(?:{})$", prefixed(30, EPC_CHAR))));
    static GSIN: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:id:gsin:(?:{})$", split(16))));
    static ITIP: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:id:itip:(?:{})\.\d{{2}}\.\d{{2}}\.{EPC_CHAR}{{1,20}}$",
            split(13)
        ))
    });
    static UPUI: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:id:upui:(?:{})\.{EPC_CHAR}{{1,28}}$",
            split(13)
        ))
    });
    static PGLN: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:id:pgln:(?:{})$", split(12))));
    static LGTIN: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:class:lgtin:(?:{})\.{EPC_CHAR}{{1,20}}$",
            split(13)
        ))
    });
    static PAT_SGTIN: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:idpat:sgtin:(?:{})\.\*$", split(13))));
    static PAT_GRAI: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:idpat:grai:(?:{})\.\*$",
            split_ending(12, r"\.\.")
        ))
    });
    static PAT_GDTI: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:idpat:gdti:(?:{})\.\*$",
            split_ending(12, r"\.\.")
        ))
    });
    static PAT_SGCN: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:idpat:sgcn:(?:{})\.\*$",
            split_ending(12, r"\.\.")
        ))
    });
    static PAT_CPI: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:idpat:cpi:(?:{})\.\*$",
            prefixed(30, CPI_CHAR)
        ))
    });
    static PAT_ITIP: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"urn:epc:idpat:itip:(?:{})\.\d{{2}}\.\d{{2}}\.\*$",
            split(13)
        ))
    });
    static PAT_UPUI: LazyLock<Regex> =
        LazyLock::new(|| regex(&format!(r"urn:epc:idpat:upui:(?:{})\.\*$", split(13))));

    if matches(&SGTIN, uri) {
        return Some(format!("{DL}/01/{}/21/{}", gtin(17)?, encode(rest(32))));
    }
    if matches(&SSCC, uri) {
        let prefix = gcp(16)?;
        let raw = format!(
            "{}{prefix}{}",
            uri.get(partition + 1..partition + 2)?,
            rest(partition + 2)
        );
        return Some(format!("{DL}/00/{}", with_check(raw)));
    }
    if matches(&SGLN, uri) {
        let gln = with_check(twelve(16)?);
        return Some(match rest(30) {
            "0" => format!("{DL}/414/{gln}"),
            extension => format!("{DL}/414/{gln}/254/{}", encode(extension)),
        });
    }
    if matches(&GRAI, uri) {
        return Some(format!(
            "{DL}/8003/{}{}",
            with_check(format!("0{}", twelve(16)?)),
            encode(rest(30))
        ));
    }
    if matches(&GIAI, uri) {
        return Some(format!("{DL}/8004/{}{}", gcp(16)?, encode(rest_after())));
    }
    if matches(&GSRN, uri) {
        return Some(format!(
            "{DL}/8018/{}",
            with_check(format!("{}{}", gcp(16)?, rest_after()))
        ));
    }
    if matches(&GSRNP, uri) {
        return Some(format!(
            "{DL}/8017/{}",
            with_check(format!("{}{}", gcp(17)?, rest_after()))
        ));
    }
    if matches(&GDTI, uri) {
        return Some(format!(
            "{DL}/253/{}{}",
            with_check(twelve(16)?),
            encode(rest(30))
        ));
    }
    if matches(&CPI, uri) {
        let separator = uri.rfind('.')?;
        let raw = format!("{}{}", gcp(15)?, uri.get(partition + 1..separator)?);
        return Some(format!(
            "{DL}/8010/{}/8011/{}",
            encode(&raw),
            rest(separator + 1)
        ));
    }
    if matches(&SGCN, uri) {
        return Some(format!("{DL}/255/{}{}", with_check(twelve(16)?), rest(30)));
    }
    if matches(&GINC, uri) {
        return Some(format!("{DL}/401/{}{}", gcp(16)?, encode(rest_after())));
    }
    if matches(&GSIN, uri) {
        return Some(format!(
            "{DL}/402/{}",
            with_check(format!("{}{}", gcp(16)?, rest_after()))
        ));
    }
    if matches(&ITIP, uri) {
        let (piece, total) = (uri.get(31..33)?, uri.get(34..36)?);
        return Some(format!(
            "{DL}/8006/{}{piece}{total}/21/{}",
            gtin(16)?,
            encode(rest(37))
        ));
    }
    if matches(&UPUI, uri) {
        return Some(format!("{DL}/01/{}/235/{}", gtin(16)?, encode(rest(31))));
    }
    if matches(&PGLN, uri) {
        return Some(format!("{DL}/417/{}", with_check(twelve(16)?)));
    }
    if matches(&LGTIN, uri) {
        return Some(format!("{DL}/01/{}/10/{}", gtin(20)?, encode(rest(35))));
    }
    if matches(&PAT_SGTIN, uri) {
        return Some(format!("{DL}/01/{}", gtin(20)?));
    }
    if matches(&PAT_GRAI, uri) {
        return Some(format!(
            "{DL}/8003/{}",
            with_check(format!("0{}", twelve(19)?))
        ));
    }
    if matches(&PAT_GDTI, uri) {
        return Some(format!("{DL}/253/{}", with_check(twelve(19)?)));
    }
    if matches(&PAT_SGCN, uri) {
        return Some(format!("{DL}/255/{}", with_check(twelve(19)?)));
    }
    if matches(&PAT_CPI, uri) {
        let separator = uri.rfind('.')?;
        let raw = format!("{}{}", gcp(18)?, uri.get(partition + 1..separator)?);
        return Some(format!("{DL}/8010/{}", encode(&raw)));
    }
    if matches(&PAT_ITIP, uri) {
        let (piece, total) = (uri.get(34..36)?, uri.get(37..39)?);
        return Some(format!("{DL}/8006/{}{piece}{total}", gtin(19)?));
    }
    if matches(&PAT_UPUI, uri) {
        return Some(format!("{DL}/01/{}", gtin(19)?));
    }
    web_digital_link(uri)
}

/// Whether `regex` (an EPC URN scheme's, anchored at the start) matches `uri`, asked only
/// when `uri` begins with the scheme's literal prefix.
fn matches(regex: &Regex, uri: &str) -> bool {
    let pattern = regex.as_str();
    let literal = pattern
        .strip_prefix("^(?:")
        .map(|rest| &rest[..rest.find(['(', '\\']).unwrap_or(rest.len())])
        .unwrap_or("");
    uri.starts_with(literal) && regex.is_match(uri)
}

/// The Digital Link branch of the reference's normaliser.
fn web_digital_link(uri: &str) -> Option<String> {
    const KEYS: &str = "01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai";
    static LINK: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"https?:(//((([^/?#]*)@)?([^/?#:]*)(:([^/?#]*))?))?((([^?#]*)(/({KEYS})/)(\d{{4}}[^/]+)(/[^/]+/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?)|(/[A-Za-z_-]{{10}}$))"
        ))
    });
    static CANONICAL: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"https://id.gs1.org/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)/(\d{4}[^/]+)(/[^/]+/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?|(/[A-Za-z_-]{10}$)",
        )
    });
    static GTIN_14: LazyLock<Regex> = LazyLock::new(|| regex(r"https://id.gs1.org/01/\d{14}"));
    static GTIN_13: LazyLock<Regex> = LazyLock::new(|| regex(r"https://id.gs1.org/01/\d{13}"));
    static GTIN_12: LazyLock<Regex> = LazyLock::new(|| regex(r"https://id.gs1.org/01/\d{12}"));
    static GTIN_8: LazyLock<Regex> = LazyLock::new(|| regex(r"https://id.gs1.org/01/\d{8}"));
    static CPV_LAST: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"https://id.gs1.org/8006/\d{{18}}/22/({DL_CHAR}){{0,20}}$|https://id.gs1.org/01/\d{{14}}/22/({DL_CHAR}){{0,20}}$"
        ))
    });
    static CPV_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r#"https://id.gs1.org/8006/\d{18}/22/([\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]){0,20}$|https://id.gs1.org/01/\d{14}/22/([\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]){0,20}$"#,
        )
    });
    static LOT_AND_SERIAL: LazyLock<Regex> = LazyLock::new(|| {
        regex(&format!(
            r"https://id.gs1.org/8006/\d{{18}}/10/({DL_CHAR}){{0,20}}/21/({DL_CHAR}){{0,20}}$|https://id.gs1.org/01/(\d{{14}})/10/({DL_CHAR}){{0,20}}/21/({DL_CHAR}){{0,20}}$"
        ))
    });
    static VALID: LazyLock<Regex> = LazyLock::new(|| {
        let x = DL_CHAR;
        regex(&[
            r"https://id.gs1.org/00/(\d{18})$".to_owned(),
            format!(r"https://id.gs1.org/01/(\d{{14}})/21/({x}){{0,20}}$"),
            format!(r"https://id.gs1.org/01/(\d{{14}})/10/({x}){{0,20}}$"),
            r"https://id.gs1.org/01/(\d{14})$".to_owned(),
            format!(r"https://id.gs1.org/01/(\d{{14}})/235/({x}){{0,28}}$"),
            format!(r"https://id.gs1.org/253/(\d{{13}})({x}){{0,17}}$"),
            r"https://id.gs1.org/255/(\d{13})(\d{0,12})$".to_owned(),
            format!(r"https://id.gs1.org/401/({x}){{0,30}}$"),
            r"https://id.gs1.org/402/(\d{17})$".to_owned(),
            r"https://id.gs1.org/414/(\d{13})$".to_owned(),
            format!(r"https://id.gs1.org/414/(\d{{13}})/254/({x}){{0,20}}$"),
            r"https://id.gs1.org/417/(\d{13})$".to_owned(),
            format!(r"https://id.gs1.org/8003/(\d{{14}})({x}){{0,16}}$"),
            format!(r"https://id.gs1.org/8004/({x}){{0,30}}$"),
            format!(r"https://id.gs1.org/8006/(\d{{18}})/21/({x}){{0,20}}$"),
            format!(r"https://id.gs1.org/8006/(\d{{18}})/10/({x}){{0,20}}$"),
            r"https://id.gs1.org/8006/(\d{18})$".to_owned(),
            r"https://id.gs1.org/8010/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})/8011/(\d{0,12})$".to_owned(),
            r"https://id.gs1.org/8010/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})$".to_owned(),
            r"https://id.gs1.org/8017/(\d{18})$".to_owned(),
            r"https://id.gs1.org/8018/(\d{18})$".to_owned(),
        ]
        .join("|"))
    });

    if !LINK.is_match(uri) {
        return None;
    }
    let mut uri = uri.split('?').next().unwrap_or("").to_owned();
    for (short, ai) in [
        ("/gtin/", "/01/"),
        ("/itip/", "/8006/"),
        ("/cpid/", "/8010/"),
        ("/gln/", "/414/"),
        ("/party/", "/417/"),
        ("/gsrnp/", "/8017/"),
        ("/gsrn/", "/8018/"),
        ("/gcn/", "/255/"),
        ("/sscc/", "/00/"),
        ("/gdti/", "/253/"),
        ("/ginc/", "/401/"),
        ("/gsin/", "/402/"),
        ("/grai/", "/8003/"),
        ("/giai/", "/8004/"),
        ("/cpv/", "/22/"),
        ("/lot/", "/10/"),
        ("/ser/", "/21/"),
    ] {
        uri = uri.replace(short, ai);
    }
    if !CANONICAL.is_match(&uri) {
        let primary = [
            "/00/", "/01/", "/253/", "/255/", "/401/", "/402/", "/414/", "/417/", "/8003/",
            "/8004/", "/8006/", "/8010/", "/8017/", "/8018/",
        ];
        if let Some(at) = primary.iter().find_map(|key| uri.find(key)) {
            uri = format!("https://id.gs1.org{}", &uri[at..]);
        }
    }
    if !GTIN_14.is_match(&uri) {
        if GTIN_13.is_match(&uri) {
            uri = uri.replace("/01/", "/01/0");
        } else if GTIN_12.is_match(&uri) {
            uri = uri.replace("/01/", "/01/00");
        } else if GTIN_8.is_match(&uri) {
            uri = uri.replace("/01/", "/01/000000");
        }
    }
    // A consumer product variant names no other thing: it goes.
    let cpv = uri.find("/22/");
    let after_cpv = |uri: &str| -> String {
        let from = cpv.map_or(3, |at| at + 4);
        uri.get(from..).unwrap_or("").to_owned()
    };
    if let Some(at) = cpv
        && CPV_LAST.is_match(&uri)
    {
        uri.truncate(at);
    } else if let Some(at) = cpv
        && CPV_BEFORE.is_match(&uri)
    {
        let x = after_cpv(&uri);
        let tail = x.find('/').map_or_else(
            || x[x.len().saturating_sub(1)..].to_owned(),
            |slash| x[slash..].to_owned(),
        );
        uri = format!("{}{tail}", &uri[..at]);
    }
    // The serial is the most specific key: the lot beside it goes.
    if LOT_AND_SERIAL.is_match(&uri)
        && let Some(at) = uri.find("/10/")
    {
        let y = uri[at + 4..].to_owned();
        let tail = y.find('/').map_or_else(
            || y[y.len().saturating_sub(1)..].to_owned(),
            |slash| y[slash..].to_owned(),
        );
        uri = format!("{}{tail}", &uri[..at]);
    }
    VALID.is_match(&uri).then_some(uri)
}
