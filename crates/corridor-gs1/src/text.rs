//! The values a key is qualified with — serial, lot, consumer product variant, location
//! extension — and how Digital Link and EPC URNs write them.

use std::fmt;

/// Why a value cannot qualify a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("empty")]
    Empty,
    #[error("{0} characters: at most 20")]
    TooLong(usize),
    #[error("{0:?} is not in the GS1 AI character set")]
    NotInCharacterSet(char),
    #[error("{0:?} must be percent-encoded here")]
    Unescaped(char),
    #[error("{0:?} is written as it is here, not percent-encoded")]
    Escaped(char),
    #[error("{0:?} is not a percent-encoding (% and two hex digits)")]
    BadEscape(String),
}

/// A serial, lot, consumer product variant or location extension: 1 to 20 characters of GS1's
/// AI encodable character set 82, held as they are (decoded).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(String);

/// The characters of character set 82 (GS1 General Specifications 7.11, figure 7.11-1).
fn in_set_82(c: char) -> bool {
    matches!(c, '!' | '"' | '%'..='?' | 'A'..='Z' | '_' | 'a'..='z')
}

/// Where a value is written: which of set 82's characters must be percent-encoded there, and
/// which may not be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writing {
    /// A Digital Link path segment (the GS1 Digital Link ABNF's `XCHAR`): letters, digits,
    /// `-`, `.` and `_` as they are, every other character percent-encoded.
    DigitalLink,
    /// An EPC URN (TDS 2.x): `" % & / < > ?` percent-encoded, the rest as it is.
    EpcUrn,
}

impl Writing {
    /// Whether `c` is written percent-encoded: always when it must be, never when it must not.
    fn escapes(self, c: char) -> bool {
        match self {
            Writing::DigitalLink => !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')),
            Writing::EpcUrn => matches!(c, '"' | '%' | '&' | '/' | '<' | '>' | '?'),
        }
    }

    /// Whether `c` may be written percent-encoded.
    fn may_escape(self, c: char) -> bool {
        match self {
            Writing::DigitalLink => self.escapes(c),
            Writing::EpcUrn => true,
        }
    }
}

impl Text {
    /// The value `written` as `writing` writes it, percent-encodings decoded.
    pub(crate) fn read(written: &str, writing: Writing) -> Result<Text, TextError> {
        let mut value = String::with_capacity(written.len());
        let mut rest = written;
        while let Some(c) = rest.chars().next() {
            if c == '%' {
                let escape = rest.get(..3).filter(|e| {
                    e.len() == 3 && e.as_bytes()[1..].iter().all(u8::is_ascii_hexdigit)
                });
                let Some(escape) = escape else {
                    return Err(TextError::BadEscape(rest.chars().take(3).collect()));
                };
                let byte = u8::from_str_radix(&escape[1..], 16).expect("hex digits");
                let decoded = char::from(byte);
                if !byte.is_ascii() || !in_set_82(decoded) {
                    return Err(TextError::NotInCharacterSet(decoded));
                }
                if !writing.may_escape(decoded) {
                    return Err(TextError::Escaped(decoded));
                }
                value.push(decoded);
                rest = &rest[3..];
                continue;
            }
            if !in_set_82(c) {
                return Err(TextError::NotInCharacterSet(c));
            }
            if writing.escapes(c) {
                return Err(TextError::Unescaped(c));
            }
            value.push(c);
            rest = &rest[c.len_utf8()..];
        }
        Text::new(value)
    }

    /// `value`, if it is 1 to 20 characters of set 82.
    ///
    /// ```
    /// use corridor_gs1::Text;
    /// assert_eq!(Text::new("A/1".into()).unwrap().as_str(), "A/1");
    /// assert!(Text::new("A 1".into()).is_err());
    /// ```
    pub fn new(value: String) -> Result<Text, TextError> {
        if let Some(c) = value.chars().find(|&c| !in_set_82(c)) {
            return Err(TextError::NotInCharacterSet(c));
        }
        match value.len() {
            0 => Err(TextError::Empty),
            1..=20 => Ok(Text(value)),
            n => Err(TextError::TooLong(n)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as `writing` writes it.
    pub(crate) fn written(&self, writing: Writing) -> Written<'_> {
        Written(self, writing)
    }
}

/// A value written with the percent-encodings its place needs.
pub(crate) struct Written<'a>(&'a Text, Writing);

impl fmt::Display for Written<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.0.chars() {
            if self.1.escapes(c) {
                write!(f, "%{:02X}", c as u32)?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_and_written_with_their_escapes() {
        let read = Text::read("A%2fB%26C-1", Writing::DigitalLink).unwrap();
        assert_eq!(read.as_str(), "A/B&C-1");
        assert_eq!(
            read.written(Writing::DigitalLink).to_string(),
            "A%2FB%26C-1"
        );
        assert_eq!(read.written(Writing::EpcUrn).to_string(), "A%2FB%26C-1");
        assert_eq!(
            Text::read("A&B", Writing::DigitalLink),
            Err(TextError::Unescaped('&'))
        );
        assert_eq!(
            Text::read("A%2DB", Writing::DigitalLink),
            Err(TextError::Escaped('-'))
        );
        assert_eq!(
            Text::read("A%2DB&", Writing::EpcUrn),
            Err(TextError::Unescaped('&'))
        );
        assert_eq!(
            Text::read("A%2D!", Writing::EpcUrn).unwrap().as_str(),
            "A-!"
        );
        assert_eq!(
            Text::read("A&B", Writing::EpcUrn),
            Err(TextError::Unescaped('&'))
        );
        assert_eq!(
            Text::read("A BTGR", Writing::DigitalLink),
            Err(TextError::NotInCharacterSet(' '))
        );
        assert_eq!(
            Text::read("A#1", Writing::EpcUrn),
            Err(TextError::NotInCharacterSet('#'))
        );
        assert_eq!(
            Text::read("A%2", Writing::EpcUrn),
            Err(TextError::BadEscape("%2".into()))
        );
        assert_eq!(
            Text::read("A%20", Writing::EpcUrn),
            Err(TextError::NotInCharacterSet(' '))
        );
        assert_eq!(Text::read("", Writing::EpcUrn), Err(TextError::Empty));
        assert_eq!(
            Text::read(&"X".repeat(21), Writing::EpcUrn),
            Err(TextError::TooLong(21))
        );
        assert!(Text::read("é", Writing::DigitalLink).is_err());
    }
}
