//! The Legal Entity Identifier, ISO 17442-1:2020: 20 characters `[0-9A-Z]`, the last two
//! check digits by ISO/IEC 7064 MOD 97-10 (letters as two digits, A=10 … Z=35; a valid LEI
//! read as a number is 1 mod 97, and its check digits are 02–98).
//!
//! Checks, in order: `length`, `charset`, `format` (the last two not digits), then
//! `check_digits`; a pair of `00`, `01` or `99` where the computed one is 97, 98 or 02 is
//! `check_digits_alias`: the number is 1 mod 97, but no LEI has such check digits.

use super::{Problem, Reason, all_digits, alphanumeric, ascii, length};

pub(super) fn check(input: &str) -> Result<(), Problem> {
    let bytes = ascii(input);
    length(bytes, &[20], "an LEI has 20")?;
    alphanumeric(bytes)?;
    if !all_digits(&bytes[18..]) {
        return Err(Problem::new(
            Reason::Format,
            "an LEI ends with two check digits",
        ));
    }
    let expected = check_digits(&bytes[..18]);
    let written = u32::from(bytes[18] - b'0') * 10 + u32::from(bytes[19] - b'0');
    if written == expected {
        return Ok(());
    }
    let reason = if written % 97 == expected % 97 {
        Reason::CheckDigitsAlias
    } else {
        Reason::CheckDigits
    };
    Err(Problem::new(
        reason,
        format!("the check digits are {written:02}; the characters before them give {expected:02}"),
    ))
}

/// The MOD 97-10 check digits of `body`: `98 − (N·100 mod 97)`.
pub(super) fn check_digits(body: &[u8]) -> u32 {
    let remainder = body.iter().fold(0u32, |r, c| match c {
        b'0'..=b'9' => (r * 10 + u32::from(c - b'0')) % 97,
        _ => (r * 100 + u32::from(c - b'A') + 10) % 97,
    });
    98 - (remainder * 100) % 97
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_and_their_aliases() {
        let body = b"5493001KJTIIGC8Y1R";
        let digits = check_digits(body);
        let lei = |pair: u32| format!("{}{pair:02}", std::str::from_utf8(body).unwrap());
        assert!(check(&lei(digits)).is_ok());
        for wrong in (0..100).filter(|p| *p != digits) {
            let reason = check(&lei(wrong)).unwrap_err().reason;
            let alias = wrong % 97 == digits % 97;
            assert_eq!(
                reason,
                if alias {
                    Reason::CheckDigitsAlias
                } else {
                    Reason::CheckDigits
                }
            );
        }
        assert_eq!(
            check("5493001KJTIIGC8Y1RA2").unwrap_err().reason,
            Reason::Format
        );
        assert_eq!(
            check("5493001KJTIIGC8Y1R1").unwrap_err().reason,
            Reason::Length
        );
    }
}
