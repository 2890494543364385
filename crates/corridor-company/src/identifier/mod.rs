//! Company and person identifiers of Singapore and China, and the LEI.
//!
//! An identifier is valid only as written canonically: upper-case ASCII without white space.
//! [`check`] names the first rule an input breaks: first white space, full-width forms, other
//! non-ASCII characters and lower case, in that order, then the kind's own rules in the order
//! its module gives. [`normalise`] is what a lenient importer may do first (NFKC, no white
//! space, upper case), and nothing more: punctuation stays, and is refused.
//!
//! ```
//! use corridor_company::{Date, IdKind, Reason, check};
//! let today = Date::new(2026, 11, 27).unwrap();
//! assert!(check(IdKind::Lei, "5493001KJTIIGC8Y1R12", today).is_ok());
//! let problem = check(IdKind::Lei, "5493001KJTIIGC8Y1R13", today).unwrap_err();
//! assert_eq!(problem.reason, Reason::CheckDigits);
//! ```

mod cn_ric;
mod lei;
mod nric;
mod uen;
mod uscc;

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// The kinds of identifier checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// Singapore's Unique Entity Number, of companies, businesses and other entities.
    Uen,
    /// China's unified social credit code (统一社会信用代码, GB 32100-2015).
    Uscc,
    /// The Legal Entity Identifier (ISO 17442).
    Lei,
    /// A Singapore NRIC or FIN, of a person.
    Nric,
    /// A China resident identity number (GB 11643-1999), of a person.
    CnRic,
}

impl IdKind {
    /// Every kind, in the order a guess tries them.
    pub const ALL: [IdKind; 5] = [
        IdKind::Uen,
        IdKind::Uscc,
        IdKind::Lei,
        IdKind::Nric,
        IdKind::CnRic,
    ];

    /// The kind's name on the command line and in JSON: `uen`, `uscc`, `lei`, `nric`, `cn-ric`.
    pub fn name(self) -> &'static str {
        match self {
            IdKind::Uen => "uen",
            IdKind::Uscc => "uscc",
            IdKind::Lei => "lei",
            IdKind::Nric => "nric",
            IdKind::CnRic => "cn-ric",
        }
    }

    /// The kind `name` names: its name, or the public corpus's (`sg_nric`, `cn_ric`), in any
    /// case, with `-` or `_`.
    pub fn from_name(name: &str) -> Option<IdKind> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "uen" => Some(IdKind::Uen),
            "uscc" => Some(IdKind::Uscc),
            "lei" => Some(IdKind::Lei),
            "nric" | "fin" | "sg-nric" => Some(IdKind::Nric),
            "cn-ric" | "ric" => Some(IdKind::CnRic),
            _ => None,
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The rule an identifier breaks, by the names the public corpus gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    Whitespace,
    Fullwidth,
    Charset,
    Lowercase,
    Length,
    Format,
    Prefix,
    Year,
    EntityType,
    AuthorityCode,
    OrganisationType,
    DivisionCode,
    BirthDate,
    CheckCharacter,
    OrganisationCodeCheck,
    CheckDigits,
    CheckDigitsAlias,
}

impl Reason {
    /// Its name: `check_character`, `length`, …
    pub fn name(self) -> &'static str {
        match self {
            Reason::Whitespace => "whitespace",
            Reason::Fullwidth => "fullwidth",
            Reason::Charset => "charset",
            Reason::Lowercase => "lowercase",
            Reason::Length => "length",
            Reason::Format => "format",
            Reason::Prefix => "prefix",
            Reason::Year => "year",
            Reason::EntityType => "entity_type",
            Reason::AuthorityCode => "authority_code",
            Reason::OrganisationType => "organisation_type",
            Reason::DivisionCode => "division_code",
            Reason::BirthDate => "birth_date",
            Reason::CheckCharacter => "check_character",
            Reason::OrganisationCodeCheck => "organisation_code_check",
            Reason::CheckDigits => "check_digits",
            Reason::CheckDigitsAlias => "check_digits_alias",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Why an identifier is not valid: the rule, and what about the input breaks it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct Problem {
    pub reason: Reason,
    pub detail: String,
}

impl Problem {
    pub(crate) fn new(reason: Reason, detail: impl Into<String>) -> Problem {
        Problem {
            reason,
            detail: detail.into(),
        }
    }
}

/// A day of the Gregorian calendar: what "today" is for rules about years and birth dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u32,
    month: u32,
    day: u32,
}

impl Date {
    /// The first day a birth date may be: 1 January 1900.
    pub(crate) const EARLIEST_BIRTH: Date = Date {
        year: 1900,
        month: 1,
        day: 1,
    };

    /// The day, if it is one (the 29th of February only in a leap year).
    pub fn new(year: u32, month: u32, day: u32) -> Option<Date> {
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// The day `YYYY-MM-DD` (or `YYYYMMDD`) names, if it is one.
    pub fn parse(text: &str) -> Option<Date> {
        let digits: String = text.chars().filter(|c| *c != '-').collect();
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Date::new(
            digits[..4].parse().ok()?,
            digits[4..6].parse().ok()?,
            digits[6..].parse().ok()?,
        )
    }

    pub fn year(self) -> u32 {
        self.year
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Whether `c` is white space here: Unicode's, and the zero-width no-break space (a byte-order
/// mark pasted with a value).
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// Whether `c` is one of the full-width forms of ASCII (U+FF01–U+FF5E).
fn is_fullwidth(c: char) -> bool {
    ('\u{FF01}'..='\u{FF5E}').contains(&c)
}

/// What a lenient importer may make of `input` before checking it: Unicode NFKC (full-width
/// forms and the ideographic space become ASCII), every white-space character removed, a–z
/// upper-cased. Nothing else: hyphens, dots and other punctuation stay.
pub fn normalise(input: &str) -> String {
    input
        .nfkc()
        .filter(|c| !is_space(*c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Checks `input` as an identifier of `kind`, as written: `Ok` when valid, else the first
/// rule it breaks. `today` bounds years of issue and birth dates.
pub fn check(kind: IdKind, input: &str, today: Date) -> Result<(), Problem> {
    canonical_text(input)?;
    match kind {
        IdKind::Uen => uen::check(input, today),
        IdKind::Uscc => uscc::check(input),
        IdKind::Lei => lei::check(input),
        IdKind::Nric => nric::check(input),
        IdKind::CnRic => cn_ric::check(input, today),
    }
}

/// The checks every kind makes first: no white space, no full-width forms, no other non-ASCII
/// character, no lower case.
fn canonical_text(input: &str) -> Result<(), Problem> {
    if let Some(at) = input.chars().position(is_space) {
        return Err(Problem::new(
            Reason::Whitespace,
            format!("white space at character {}", at + 1),
        ));
    }
    let mut non_ascii = input.chars().filter(|c| !c.is_ascii()).peekable();
    if non_ascii.peek().is_some() {
        let other = non_ascii.clone().find(|c| !is_fullwidth(*c));
        return Err(match other {
            None => Problem::new(
                Reason::Fullwidth,
                "full-width characters (U+FF01–U+FF5E) where ASCII belongs",
            ),
            Some(c) => Problem::new(
                Reason::Charset,
                format!("{c:?} (U+{:04X}) is not an ASCII character", c as u32),
            ),
        });
    }
    if let Some(at) = input.bytes().position(|b| b.is_ascii_lowercase()) {
        return Err(Problem::new(
            Reason::Lowercase,
            format!("lower-case letter at character {}", at + 1),
        ));
    }
    Ok(())
}

/// The kind `input` most likely is, from its normalised form: the one kind it is valid as,
/// if exactly one; else by its shape (20 characters an LEI, 18 a resident identity number if
/// all digits but a last `X`, else a credit code; 15 digits an old resident identity number;
/// 9 starting with a letter an NRIC/FIN; 9 or 10 otherwise a UEN). `None` when no kind fits.
pub fn guess_kind(input: &str, today: Date) -> Option<IdKind> {
    let text = normalise(input);
    let mut valid = IdKind::ALL
        .into_iter()
        .filter(|kind| check(*kind, &text, today).is_ok());
    if let (Some(only), None) = (valid.next(), valid.next()) {
        return Some(only);
    }
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    match bytes.len() {
        20 => Some(IdKind::Lei),
        18 if digits(0..17) && matches!(bytes[17], b'0'..=b'9' | b'X') => Some(IdKind::CnRic),
        18 => Some(IdKind::Uscc),
        15 if digits(0..15) => Some(IdKind::CnRic),
        9 if bytes[0].is_ascii_alphabetic() => Some(IdKind::Nric),
        9 | 10 => Some(IdKind::Uen),
        _ => None,
    }
}

/// The characters of `text`, which the checks before made ASCII.
fn ascii(text: &str) -> &[u8] {
    text.as_bytes()
}

/// Whether every byte is a digit.
fn all_digits(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_digit)
}

/// The first byte that is not a digit or an upper-case ASCII letter, if one.
fn outside_alphanumeric(bytes: &[u8]) -> Option<char> {
    bytes
        .iter()
        .find(|b| !b.is_ascii_digit() && !b.is_ascii_uppercase())
        .map(|b| *b as char)
}

/// The length check every kind makes: `want` characters (the lengths named in `what`).
fn length(bytes: &[u8], valid: &[usize], what: &str) -> Result<(), Problem> {
    if valid.contains(&bytes.len()) {
        Ok(())
    } else {
        Err(Problem::new(
            Reason::Length,
            format!("{} characters; {what}", bytes.len()),
        ))
    }
}

/// The alphanumeric check most kinds make after the length.
fn alphanumeric(bytes: &[u8]) -> Result<(), Problem> {
    match outside_alphanumeric(bytes) {
        None => Ok(()),
        Some(c) => Err(Problem::new(
            Reason::Charset,
            format!("{c:?} is not a digit or a capital letter"),
        )),
    }
}

/// A wrong check character: what was written and what the rest gives.
fn wrong_check(reason: Reason, written: char, expected: char) -> Problem {
    Problem::new(
        reason,
        format!("the check character is {written}; the characters before it give {expected}"),
    )
}

/// The check character rule's verdict on `bytes`: its last character against `expected`.
fn last_is(bytes: &[u8], expected: char) -> Result<(), Problem> {
    let written = bytes.last().map_or('\0', |b| char::from(*b));
    if written == expected {
        Ok(())
    } else {
        Err(wrong_check(Reason::CheckCharacter, written, expected))
    }
}

/// The sum of `digits` (ASCII) each times its weight.
fn weighted_sum(digits: &[u8], weights: &[u32]) -> u32 {
    digits
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum()
}

/// The province-level divisions of GB/T 2260 (the first two digits of a division code).
fn is_province(code: &[u8]) -> bool {
    let two = (code[0] - b'0') * 10 + (code[1] - b'0');
    matches!(two, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 27).unwrap()
    }

    #[test]
    fn the_text_checks_come_first_in_their_order() {
        let reason = |input: &str| check(IdKind::Lei, input, today()).unwrap_err().reason;
        assert_eq!(reason("ａ 1"), Reason::Whitespace);
        assert_eq!(reason("５４９３"), Reason::Fullwidth);
        assert_eq!(reason("５é"), Reason::Charset);
        assert_eq!(reason("abc"), Reason::Lowercase);
        assert_eq!(reason("ABC"), Reason::Length);
        assert_eq!(reason("\u{FEFF}ABC"), Reason::Whitespace);
    }

    #[test]
    fn normalising_undoes_what_a_lenient_importer_may_undo_and_nothing_else() {
        assert_eq!(normalise("\u{3000}５４９３ 00ab\u{a0}\n"), "549300AB");
        assert_eq!(normalise("20-982441N"), "20-982441N");
    }

    #[test]
    fn dates_are_real_days() {
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2026, 4, 31).is_none());
        assert_eq!(Date::parse("2026-11-27"), Date::new(2026, 11, 27));
        assert!(Date::parse("2026-1-27").is_none());
    }

    #[test]
    fn kinds_are_named_as_the_command_line_and_the_corpus_name_them() {
        for kind in IdKind::ALL {
            assert_eq!(IdKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(IdKind::from_name("sg_nric"), Some(IdKind::Nric));
        assert_eq!(IdKind::from_name("CN_RIC"), Some(IdKind::CnRic));
        assert_eq!(IdKind::from_name("ssn"), None);
    }

    #[test]
    fn a_guess_follows_validity_then_shape() {
        let guess = |input: &str| guess_kind(input, today());
        assert_eq!(guess("5493001KJTIIGC8Y1R12"), Some(IdKind::Lei));
        assert_eq!(guess("11010519491231002X"), Some(IdKind::CnRic));
        assert_eq!(guess("91350100M000100Y4Z"), Some(IdKind::Uscc));
        assert_eq!(guess("S1234567D"), Some(IdKind::Nric));
        assert_eq!(guess("53312345K"), Some(IdKind::Uen));
        assert_eq!(guess("12"), None);
    }
}
