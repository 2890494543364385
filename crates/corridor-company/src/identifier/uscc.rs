//! China's unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters of the
//! set `0-9 A-H J-N P-R T-U W-Y` (no I, O, S, V, Z), valued 0–30 in that order.
//!
//! | positions | part |
//! | --- | --- |
//! | 1 | registration authority (`1`–`9`, `A`, `N`, `Y`) |
//! | 2 | organisation type, of those the authority has |
//! | 3–8 | administrative division of the authority (GB/T 2260), or `100000` for a national one |
//! | 9–17 | organisation code (GB 11714): 8 characters and their check character |
//! | 18 | check character: weights 3^(i−1) mod 31, `(31 − Σ mod 31) mod 31` |
//!
//! Checks, in order: `length`, `charset`, `authority_code`, `organisation_type`,
//! `division_code`, `check_character`, then `organisation_code_check` (only when position 18
//! is right).

use super::{Problem, Reason, ascii, is_province, length, wrong_check};

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17: 3^(i−1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The Chongqing division codes in force at some time since the standard (2015-10-01): a
/// code with prefix 50 must be one of these.
const CHONGQING: [(u32, u32); 8] = [
    (500000, 500000),
    (500100, 500120),
    (500151, 500157),
    (500200, 500200),
    (500223, 500223),
    (500226, 500226),
    (500228, 500238),
    (500240, 500243),
];

/// The organisation types each registration authority has, by the code table issued with the
/// standard.
fn types_of(authority: u8) -> Option<&'static [u8]> {
    Some(match authority {
        b'1' => b"1239",
        b'2' => b"19",
        b'3' => b"123459",
        b'4' => b"19",
        b'5' => b"1239",
        b'6' => b"129",
        b'7' => b"129",
        b'8' => b"19",
        b'9' => b"123",
        b'A' => b"19",
        b'N' => b"1239",
        b'Y' => b"1",
        _ => return None,
    })
}

pub(super) fn check(input: &str) -> Result<(), Problem> {
    let bytes = ascii(input);
    length(bytes, &[18], "a unified social credit code has 18")?;
    if let Some(c) = bytes.iter().find(|b| !ALPHABET.contains(b)) {
        return Err(Problem::new(
            Reason::Charset,
            format!(
                "{:?} is not in the code's set (digits and capitals but I, O, S, V and Z)",
                *c as char
            ),
        ));
    }
    let Some(types) = types_of(bytes[0]) else {
        return Err(Problem::new(
            Reason::AuthorityCode,
            format!(
                "{} is not a registration authority's code",
                bytes[0] as char
            ),
        ));
    };
    if !types.contains(&bytes[1]) {
        return Err(Problem::new(
            Reason::OrganisationType,
            format!(
                "authority {} registers no organisation of type {}",
                bytes[0] as char, bytes[1] as char
            ),
        ));
    }
    division(&bytes[2..8])?;
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| value(*c) * w)
        .sum();
    let expected = ALPHABET[((31 - sum % 31) % 31) as usize] as char;
    if bytes[17] as char != expected {
        return Err(wrong_check(
            Reason::CheckCharacter,
            bytes[17] as char,
            expected,
        ));
    }
    organisation_code(&bytes[8..17])
}

fn value(c: u8) -> u32 {
    // Every character was checked against the set first.
    ALPHABET.iter().position(|a| *a == c).unwrap_or(0) as u32
}

/// Positions 3–8: a province-level division's code, or a national registration's `100000`.
fn division(code: &[u8]) -> Result<(), Problem> {
    let text = String::from_utf8_lossy(code);
    let refuse = |why: &str| Err(Problem::new(Reason::DivisionCode, format!("{text}: {why}")));
    if !code.iter().all(u8::is_ascii_digit) {
        return refuse("a division code is 6 digits");
    }
    if code == b"100000" {
        return Ok(());
    }
    if !is_province(code) {
        return refuse("not a province-level division of GB/T 2260");
    }
    if code.starts_with(b"50") {
        let number: u32 = text.parse().unwrap_or(0);
        if !CHONGQING
            .iter()
            .any(|(from, to)| (*from..=*to).contains(&number))
        {
            return refuse("not a Chongqing division in force since 2015");
        }
    }
    Ok(())
}

/// Positions 9–17, the organisation code of GB 11714: body characters valued 0–9, A=10 …
/// Z=35, weights 3 7 9 10 5 8 4 2, check `11 − Σ mod 11` (10 written `X`, 11 `0`).
fn organisation_code(code: &[u8]) -> Result<(), Problem> {
    let sum: u32 = code[..8]
        .iter()
        .zip([3, 7, 9, 10, 5, 8, 4, 2])
        .map(|(c, w)| {
            let value = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                _ => u32::from(c - b'A') + 10,
            };
            value * w
        })
        .sum();
    let expected = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        digit => char::from(b'0' + digit as u8),
    };
    let written = code[8] as char;
    if written == expected {
        Ok(())
    } else {
        Err(wrong_check(
            Reason::OrganisationCodeCheck,
            written,
            expected,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standards_worked_example_is_refused() {
        // GB 32100-2015's explanatory text: Z is not even in the set.
        assert_eq!(
            check("91350100M000100Y4Z").unwrap_err().reason,
            Reason::Charset
        );
    }

    #[test]
    fn faults_in_order() {
        let reason = |input: &str| check(input).err().map(|p| p.reason);
        assert_eq!(reason("9135010"), Some(Reason::Length));
        assert_eq!(reason("01350100M000100Y43"), Some(Reason::AuthorityCode));
        assert_eq!(reason("94350100M000100Y43"), Some(Reason::OrganisationType));
        assert_eq!(reason("91990100M000100Y43"), Some(Reason::DivisionCode));
        assert_eq!(reason("91500300M000100Y43"), Some(Reason::DivisionCode));
    }
}
