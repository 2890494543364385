//! GS1 keys: GTIN, GLN and SSCC, digits with a mod-10 check digit (GS1 General
//! Specifications 7.9.1).

use std::fmt;

/// Why a string is not a GS1 key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("empty")]
    Empty,
    #[error("not all digits")]
    NotDigits,
    #[error("{found} digits: {wanted}")]
    Length { found: usize, wanted: &'static str },
    #[error("check digit {found} is wrong: the digits before it make it {expected}")]
    CheckDigit { found: u8, expected: u8 },
}

/// The GS1 check digit of `digits` (ASCII digits, the check digit left out): weights 3 and
/// 1 alternating from the right. `None` if they are not all digits.
///
/// ```
/// assert_eq!(corridor_gs1::check_digit(b"0691879000001"), Some(5));
/// assert_eq!(corridor_gs1::check_digit(b"069187900000A"), None);
/// ```
pub fn check_digit(digits: &[u8]) -> Option<u8> {
    digits
        .iter()
        .all(u8::is_ascii_digit)
        .then(|| digit_sum_check(digits))
}

/// [`check_digit`] of what is known to be digits.
fn digit_sum_check(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// `text` as the digits of a key of one of `lengths`, its check digit correct.
fn key_digits(text: &str, lengths: &[usize], wanted: &'static str) -> Result<(), KeyError> {
    if text.is_empty() {
        return Err(KeyError::Empty);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(KeyError::NotDigits);
    }
    if !lengths.contains(&text.len()) {
        return Err(KeyError::Length {
            found: text.len(),
            wanted,
        });
    }
    let (body, check) = text.as_bytes().split_at(text.len() - 1);
    let (found, expected) = (check[0] - b'0', digit_sum_check(body));
    if found != expected {
        return Err(KeyError::CheckDigit { found, expected });
    }
    Ok(())
}

macro_rules! key {
    ($(#[$doc:meta])* $name:ident, $len:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Its digits.
            pub fn as_str(&self) -> &str {
                std::str::from_utf8(&self.0).expect("digits")
            }

            /// Its digits as bytes.
            pub fn digits(&self) -> &[u8; $len] {
                &self.0
            }

            /// The key of `body`'s digits followed by their check digit.
            pub(crate) fn with_check_digit(body: &[u8]) -> $name {
                let mut digits = [0u8; $len];
                digits[..$len - 1].copy_from_slice(body);
                digits[$len - 1] = b'0' + digit_sum_check(body);
                $name(digits)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

key!(
    /// A GTIN, held as 14 digits (a GTIN-8, -12 or -13 padded with zeros on the left).
    Gtin,
    14
);
key!(
    /// A GLN: 13 digits.
    Gln,
    13
);
key!(
    /// An SSCC: 18 digits.
    Sscc,
    18
);

impl std::str::FromStr for Gtin {
    type Err = KeyError;

    /// A GTIN-8, -12, -13 or -14.
    ///
    /// ```
    /// use corridor_gs1::{Gtin, KeyError};
    /// let gtin: Gtin = "6918790000015".parse().unwrap();
    /// assert_eq!(gtin.as_str(), "06918790000015");
    /// assert_eq!("06918790000010".parse::<Gtin>(), Err(KeyError::CheckDigit { found: 0, expected: 5 }));
    /// ```
    fn from_str(text: &str) -> Result<Gtin, KeyError> {
        key_digits(text, &[8, 12, 13, 14], "a GTIN has 8, 12, 13 or 14")?;
        let mut digits = [b'0'; 14];
        digits[14 - text.len()..].copy_from_slice(text.as_bytes());
        Ok(Gtin(digits))
    }
}

impl std::str::FromStr for Gln {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<Gln, KeyError> {
        key_digits(text, &[13], "a GLN has 13")?;
        Ok(Gln(text.as_bytes().try_into().expect("13 digits")))
    }
}

impl std::str::FromStr for Sscc {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<Sscc, KeyError> {
        key_digits(text, &[18], "an SSCC has 18")?;
        Ok(Sscc(text.as_bytes().try_into().expect("18 digits")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_strictly() {
        assert!("06918790000015".parse::<Gtin>().is_ok());
        assert!("96385074".parse::<Gtin>().is_ok());
        assert_eq!(
            "18790000039".parse::<Gtin>(),
            Err(KeyError::Length {
                found: 11,
                wanted: "a GTIN has 8, 12, 13 or 14"
            })
        );
        assert_eq!("069777A6000019".parse::<Gtin>(), Err(KeyError::NotDigits));
        assert_eq!(" 06977786000019".parse::<Gtin>(), Err(KeyError::NotDigits));
        assert_eq!("".parse::<Gtin>(), Err(KeyError::Empty));
        assert!("8884499800004".parse::<Gln>().is_ok());
        assert!(matches!(
            "08884499800004".parse::<Gln>(),
            Err(KeyError::Length { found: 14, .. })
        ));
        assert!("369161288800134248".parse::<Sscc>().is_err());
        let sscc = Sscc::with_check_digit(b"36916128880013424");
        assert_eq!(sscc.as_str().parse::<Sscc>(), Ok(sscc));
    }
}
