//! Singapore's Unique Entity Number (uen.gov.sg, "About UEN"), in its three formats:
//!
//! | format | layout | check letter |
//! | --- | --- | --- |
//! | business (ROB) | 8 digits + letter | weights 10 4 9 3 8 2 7 1, sum mod 11 into `XMKECAWLJDB` |
//! | local company (ROC) | year + 5 digits + letter | weights 10 8 6 4 9 7 5 3 1, sum mod 11 into `ZKCMDNERGWH` |
//! | others | `TyyPQnnnnX` (T 20yy, S 19yy, R 18yy; PQ the entity type) | characters valued by their place in `ABCDEFGHJKLMNPQRSTUVWX0123456789`, weights 4 3 5 3 10 2 2 5 7, (sum − 5) mod 11 into that alphabet |
//!
//! ACRA does not publish the check letters; these are python-stdnum's (from the register of
//! every UEN), which another public formulation agrees with. Checks, in order: `length`,
//! `charset`, then per format `format`, `prefix`, `year`, `entity_type`, `check_character`.

use super::{
    Date, Problem, Reason, all_digits, alphanumeric, ascii, last_is, length, weighted_sum,
};

/// The entity types (`PQ`) of the third format, as uen.gov.sg lists them.
const ENTITY_TYPES: [&str; 38] = [
    "CC", "CD", "CH", "CL", "CM", "CP", "CS", "CX", "DP", "FB", "FC", "FM", "FN", "GA", "GB", "GS",
    "HS", "LL", "LP", "MB", "MC", "MD", "MH", "MM", "MQ", "NB", "NR", "PA", "PB", "PF", "RF", "RP",
    "SM", "SS", "TC", "TU", "VH", "XL",
];

const OTHERS_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWX0123456789";

pub(super) fn check(input: &str, today: Date) -> Result<(), Problem> {
    let bytes = ascii(input);
    length(bytes, &[9, 10], "a UEN has 9 or 10")?;
    alphanumeric(bytes)?;
    match (bytes.len(), bytes[0].is_ascii_digit()) {
        (9, _) => business(bytes),
        (_, true) => local_company(bytes, today),
        (_, false) => other_entity(bytes, today),
    }
}

/// A letter computed as `sum mod 11` over the digits before it, with `weights`.
fn letter_of(digits: &[u8], weights: &[u32], letters: &[u8; 11]) -> char {
    letters[(weighted_sum(digits, weights) % 11) as usize] as char
}

/// `nnnnnnnnX`: a business registered with ACRA.
fn business(bytes: &[u8]) -> Result<(), Problem> {
    if !all_digits(&bytes[..8]) || !bytes[8].is_ascii_uppercase() {
        return Err(Problem::new(
            Reason::Format,
            "a 9-character UEN is 8 digits and a letter",
        ));
    }
    last_is(
        bytes,
        letter_of(&bytes[..8], &[10, 4, 9, 3, 8, 2, 7, 1], b"XMKECAWLJDB"),
    )
}

/// `yyyynnnnnX`: a local company, with its year of registration.
fn local_company(bytes: &[u8], today: Date) -> Result<(), Problem> {
    if !all_digits(&bytes[..9]) || !bytes[9].is_ascii_uppercase() {
        return Err(Problem::new(
            Reason::Format,
            "a 10-character UEN that starts with a digit is 9 digits and a letter",
        ));
    }
    let year: u32 = digits_value(&bytes[..4]);
    if year > today.year() {
        return Err(Problem::new(
            Reason::Year,
            format!("registered in {year}, after {}", today.year()),
        ));
    }
    last_is(
        bytes,
        letter_of(&bytes[..9], &[10, 8, 6, 4, 9, 7, 5, 3, 1], b"ZKCMDNERGWH"),
    )
}

/// `TyyPQnnnnX`: every other entity, with its century, year and type.
fn other_entity(bytes: &[u8], today: Date) -> Result<(), Problem> {
    let century = match bytes[0] {
        b'R' => 1800,
        b'S' => 1900,
        b'T' => 2000,
        other => {
            return Err(Problem::new(
                Reason::Prefix,
                format!(
                    "a UEN of this format starts with R, S or T (the century), not {}",
                    other as char
                ),
            ));
        }
    };
    if !all_digits(&bytes[1..3]) {
        return Err(Problem::new(
            Reason::Format,
            "the two characters after the century are the year's digits",
        ));
    }
    let year = century + digits_value(&bytes[1..3]);
    if year > today.year() {
        return Err(Problem::new(
            Reason::Year,
            format!("registered in {year}, after {}", today.year()),
        ));
    }
    let entity_type = std::str::from_utf8(&bytes[3..5]).unwrap_or_default();
    if !ENTITY_TYPES.contains(&entity_type) {
        return Err(Problem::new(
            Reason::EntityType,
            format!("{entity_type} is not an entity type uen.gov.sg lists"),
        ));
    }
    if !all_digits(&bytes[5..9]) || !bytes[9].is_ascii_uppercase() {
        return Err(Problem::new(
            Reason::Format,
            "the entity type is followed by 4 digits and a letter",
        ));
    }
    // The listed entity types hold no I, O, Y or Z, the letters the alphabet leaves out.
    let sum: i64 = bytes[..9]
        .iter()
        .zip([4, 3, 5, 3, 10, 2, 2, 5, 7])
        .map(|(c, w)| OTHERS_ALPHABET.iter().position(|a| a == c).unwrap_or(0) as i64 * w)
        .sum();
    last_is(
        bytes,
        OTHERS_ALPHABET[(sum - 5).rem_euclid(11) as usize] as char,
    )
}

fn digits_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |value, d| value * 10 + u32::from(d - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(input: &str) -> Option<Reason> {
        check(input, Date::new(2026, 11, 27).unwrap())
            .err()
            .map(|p| p.reason)
    }

    #[test]
    fn each_format_and_its_faults() {
        // One of each format.
        for valid in ["00192200M", "197401143C", "S16FC0121D", "T01FC6132D"] {
            assert_eq!(reason(valid), None, "{valid}");
        }
        assert_eq!(reason("00192200K"), Some(Reason::CheckCharacter));
        assert_eq!(reason("2097401143C"), Some(Reason::Length));
        assert_eq!(reason("0019220M0"), Some(Reason::Format));
        assert_eq!(reason("209901143C"), Some(Reason::Year));
        assert_eq!(reason("Q16FC0121D"), Some(Reason::Prefix));
        assert_eq!(reason("T99FC0121D"), Some(Reason::Year));
        assert_eq!(reason("S16ZZ0121D"), Some(Reason::EntityType));
        assert_eq!(reason("S16FC012XD"), Some(Reason::Format));
        assert_eq!(reason("S16FC0121E"), Some(Reason::CheckCharacter));
        assert_eq!(reason("19916#081R"), Some(Reason::Charset));
    }

    #[test]
    fn only_one_letter_passes_each_number() {
        let today = Date::new(2026, 11, 27).unwrap();
        for body in ["00192200", "197401143", "S16FC0121"] {
            let passing = (b'A'..=b'Z')
                .filter(|l| check(&format!("{body}{}", *l as char), today).is_ok())
                .count();
            assert_eq!(passing, 1, "{body}");
        }
    }
}
