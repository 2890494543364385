//! China's resident identity number, GB 11643-1999: 18 characters, a 6-digit address code
//! (GB/T 2260, where the number was issued), the birth date `YYYYMMDD`, a 3-digit sequence
//! (odd for men, even for women) and a check character by ISO 7064 MOD 11-2 (weights
//! 2^(17−i) mod 11, `10X98765432` at Σ mod 11).
//!
//! Checks, in order: `length` (the 15-digit numbers of GB 11643-1989 too), `charset`,
//! `division_code` (a province-level prefix), `birth_date` (a real day from 1900-01-01 to
//! today), `check_character`.

use super::{Date, Problem, Reason, all_digits, ascii, is_province, last_is, length, weighted_sum};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

pub(super) fn check(input: &str, today: Date) -> Result<(), Problem> {
    let bytes = ascii(input);
    length(
        bytes,
        &[18],
        "a resident identity number has 18 (15-digit numbers are no longer issued)",
    )?;
    if !all_digits(&bytes[..17]) || !matches!(bytes[17], b'0'..=b'9' | b'X') {
        return Err(Problem::new(
            Reason::Charset,
            "a resident identity number is 17 digits and a digit or X",
        ));
    }
    if !is_province(&bytes[..2]) {
        return Err(Problem::new(
            Reason::DivisionCode,
            format!(
                "{} is not a province-level division of GB/T 2260",
                String::from_utf8_lossy(&bytes[..2])
            ),
        ));
    }
    let birth = std::str::from_utf8(&bytes[6..14]).unwrap_or_default();
    let earliest = Date::EARLIEST_BIRTH;
    match Date::parse(birth) {
        Some(day) if day >= earliest && day <= today => {}
        Some(day) => {
            return Err(Problem::new(
                Reason::BirthDate,
                format!("born {day}: not between {earliest} and today ({today})"),
            ));
        }
        None => {
            return Err(Problem::new(
                Reason::BirthDate,
                format!("{birth} is not a day"),
            ));
        }
    }
    let sum = weighted_sum(&bytes[..17], &WEIGHTS);
    last_is(bytes, b"10X98765432"[(sum % 11) as usize] as char)
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
    fn the_standards_example_and_faults_in_order() {
        // GB 11643-1999, Annex A.
        assert_eq!(reason("11010519491231002X"), None);
        assert_eq!(reason("110105194912310021"), Some(Reason::CheckCharacter));
        assert_eq!(reason("110105491231002"), Some(Reason::Length));
        assert_eq!(reason("11010A19491231002X"), Some(Reason::Charset));
        assert_eq!(reason("10010519491231002X"), Some(Reason::DivisionCode));
        assert_eq!(reason("11010519490231002X"), Some(Reason::BirthDate));
        assert_eq!(reason("11010518991231002X"), Some(Reason::BirthDate));
        assert_eq!(reason("11010520991231002X"), Some(Reason::BirthDate));
    }
}
