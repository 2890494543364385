//! Singapore's NRIC and FIN, of a person: `@nnnnnnnX`, the prefix S or T (citizens and
//! permanent residents, born before or from 2000), F or G (foreigners, issued before or from
//! 2000) or M (from 2022). Check letter: weights 2 7 6 5 4 3 2 over the digits, plus 0 (S, F),
//! 4 (T, G) or 3 (M), mod 11 into `JZIHGFEDCBA` (S, T), `XWUTRQPNMLK` (F, G) or
//! `XWUTRQPNJLK` (M).
//!
//! ICA does not publish the rule; this is the description public validators cite, with the
//! M series as the government's notice gives it. Checks, in order: `length`, `charset`,
//! `prefix`, `format`, `check_character`.

use super::{Problem, Reason, all_digits, alphanumeric, ascii, last_is, length, weighted_sum};

pub(super) fn check(input: &str) -> Result<(), Problem> {
    let bytes = ascii(input);
    length(bytes, &[9], "an NRIC or FIN has 9")?;
    alphanumeric(bytes)?;
    let (offset, letters): (u32, &[u8; 11]) = match bytes[0] {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        b'M' => (3, b"XWUTRQPNJLK"),
        other => {
            return Err(Problem::new(
                Reason::Prefix,
                format!(
                    "an NRIC or FIN starts with S, T, F, G or M, not {}",
                    other as char
                ),
            ));
        }
    };
    if !all_digits(&bytes[1..8]) || !bytes[8].is_ascii_uppercase() {
        return Err(Problem::new(
            Reason::Format,
            "after its prefix, an NRIC or FIN is 7 digits and a letter",
        ));
    }
    let sum = weighted_sum(&bytes[1..8], &[2, 7, 6, 5, 4, 3, 2]);
    last_is(bytes, letters[((offset + sum) % 11) as usize] as char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_in_order() {
        let reason = |input: &str| check(input).err().map(|p| p.reason);
        assert_eq!(reason("S123456"), Some(Reason::Length));
        assert_eq!(reason("A1234567D"), Some(Reason::Prefix));
        assert_eq!(reason("S12345X7D"), Some(Reason::Format));
        assert_eq!(reason("S1234567-"), Some(Reason::Charset));
        for prefix in ["S", "T", "F", "G", "M"] {
            let passing = (b'A'..=b'Z')
                .filter(|l| check(&format!("{prefix}1234567{}", *l as char)).is_ok())
                .count();
            assert_eq!(passing, 1, "{prefix}");
        }
    }
}
