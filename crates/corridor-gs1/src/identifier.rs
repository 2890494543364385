//! What a GS1 identifier names, read from a Digital Link URI or an EPC URN, and written back as
//! either.

use std::fmt;

use crate::keys::{Gln, Gtin, KeyError, Sscc};
use crate::text::{Text, TextError, Writing};

/// The domain canonical Digital Links are written at.
pub const CANONICAL_DOMAIN: &str = "https://id.gs1.org";

/// One thing a GS1 identifier names: a trade item class, instance or lot, a logistic unit, a
/// location or a party. A Digital Link's less specific qualifiers (a lot beside a serial, a
/// consumer product variant) do not change what it names and are not kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identifier {
    /// A trade item: `/01/{gtin}`, `urn:epc:idpat:sgtin:{prefix}.{item}.*`.
    Gtin(Gtin),
    /// One instance of it: `/01/{gtin}/21/{serial}`, `urn:epc:id:sgtin:…`.
    Sgtin { gtin: Gtin, serial: Text },
    /// A lot (batch) of it: `/01/{gtin}/10/{lot}`, `urn:epc:class:lgtin:…`.
    Lgtin { gtin: Gtin, lot: Text },
    /// A logistic unit: `/00/{sscc}`, `urn:epc:id:sscc:…`.
    Sscc(Sscc),
    /// A location, with an extension (a dock, a fridge) or not: `/414/{gln}[/254/{ext}]`,
    /// `urn:epc:id:sgln:…` (extension `0` for none). An extension is never `0`: both forms
    /// read that as none.
    Sgln { gln: Gln, extension: Option<Text> },
    /// A party: `/417/{gln}`, `urn:epc:id:pgln:…`.
    Pgln(Gln),
}

/// Why a string is not a GS1 identifier, or cannot be written as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("the {what}: {problem}")]
    Key {
        what: &'static str,
        problem: KeyError,
    },
    #[error("the {what}: {problem}")]
    Value {
        what: &'static str,
        problem: TextError,
    },
    #[error("{0}")]
    Form(String),
}

impl IdError {
    pub(crate) fn form(problem: impl Into<String>) -> IdError {
        IdError::Form(problem.into())
    }
}

/// A key read for `what`.
pub(crate) fn key<K: std::str::FromStr<Err = KeyError>>(
    text: &str,
    what: &'static str,
) -> Result<K, IdError> {
    text.parse()
        .map_err(|problem| IdError::Key { what, problem })
}

/// A value read for `what`, written as `writing` writes it.
pub(crate) fn value(text: &str, what: &'static str, writing: Writing) -> Result<Text, IdError> {
    Text::read(text, writing).map_err(|problem| IdError::Value { what, problem })
}

impl Identifier {
    /// Reads a GS1 Digital Link URI or an EPC URN.
    ///
    /// ```
    /// use corridor_gs1::Identifier;
    /// let by_link = Identifier::parse("https://dl.shop.example/01/06918790000015/21/TGRMXDB2?x=1").unwrap();
    /// let by_urn = Identifier::parse("urn:epc:id:sgtin:6918790.000001.TGRMXDB2").unwrap();
    /// assert_eq!(by_link, by_urn);
    /// assert_eq!(by_urn.to_string(), "https://id.gs1.org/01/06918790000015/21/TGRMXDB2");
    /// ```
    pub fn parse(text: &str) -> Result<Identifier, IdError> {
        if text.starts_with("urn:") {
            crate::epc::parse(text).map(|(identifier, _)| identifier)
        } else {
            crate::digital_link::parse(text)
        }
    }

    /// Reads an EPC URN, with the length of the company prefix it gives.
    ///
    /// ```
    /// use corridor_gs1::Identifier;
    /// let (party, prefix) = Identifier::parse_urn("urn:epc:id:pgln:88844998.0000").unwrap();
    /// assert_eq!((party.kind(), prefix), ("PGLN", 8));
    /// ```
    pub fn parse_urn(text: &str) -> Result<(Identifier, usize), IdError> {
        crate::epc::parse(text)
    }

    /// What kind of thing it names, as GS1 calls it: GTIN, SGTIN, LGTIN, SSCC, GLN, SGLN
    /// (a GLN with an extension) or PGLN.
    pub fn kind(&self) -> &'static str {
        match self {
            Identifier::Gtin(_) => "GTIN",
            Identifier::Sgtin { .. } => "SGTIN",
            Identifier::Lgtin { .. } => "LGTIN",
            Identifier::Sscc(_) => "SSCC",
            Identifier::Sgln {
                extension: None, ..
            } => "GLN",
            Identifier::Sgln { .. } => "SGLN",
            Identifier::Pgln(_) => "PGLN",
        }
    }

    /// The canonical Digital Link: at [`CANONICAL_DOMAIN`], numeric AIs, a 14-digit GTIN.
    pub fn digital_link(&self) -> String {
        self.to_string()
    }

    /// The EPC pure identity URN (TDS 2.x), with the company prefix `gcp_length` digits long
    /// (6 to 12): neither a key nor a Digital Link says where its company prefix ends.
    ///
    /// ```
    /// use corridor_gs1::Identifier;
    /// let lot = Identifier::parse("https://id.gs1.org/01/06918790000015/10/A%2F1").unwrap();
    /// assert_eq!(lot.epc_urn(7).unwrap(), "urn:epc:class:lgtin:6918790.000001.A%2F1");
    /// assert!(lot.epc_urn(14).is_err());
    /// ```
    pub fn epc_urn(&self, gcp_length: usize) -> Result<String, IdError> {
        if !(6..=12).contains(&gcp_length) {
            return Err(IdError::form(format!(
                "a company prefix has 6 to 12 digits, not {gcp_length}"
            )));
        }
        let urn = |digits: &[u8]| std::str::from_utf8(digits).expect("digits").to_owned();
        // GTIN and SSCC: the indicator (or extension) digit moves behind the prefix; the
        // check digit goes.
        let shifted = |digits: &[u8], len: usize| {
            let prefix = urn(&digits[1..1 + gcp_length]);
            let reference = format!("{}{}", digits[0] as char, urn(&digits[1 + gcp_length..len]));
            format!("{prefix}.{reference}")
        };
        let located = |gln: &Gln| {
            let digits = gln.digits();
            format!(
                "{}.{}",
                urn(&digits[..gcp_length]),
                urn(&digits[gcp_length..12])
            )
        };
        let epc = Writing::EpcUrn;
        Ok(match self {
            Identifier::Gtin(gtin) => {
                format!("urn:epc:idpat:sgtin:{}.*", shifted(gtin.digits(), 13))
            }
            Identifier::Sgtin { gtin, serial } => format!(
                "urn:epc:id:sgtin:{}.{}",
                shifted(gtin.digits(), 13),
                serial.written(epc)
            ),
            Identifier::Lgtin { gtin, lot } => format!(
                "urn:epc:class:lgtin:{}.{}",
                shifted(gtin.digits(), 13),
                lot.written(epc)
            ),
            Identifier::Sscc(sscc) => format!("urn:epc:id:sscc:{}", shifted(sscc.digits(), 17)),
            Identifier::Sgln { gln, extension } => format!(
                "urn:epc:id:sgln:{}.{}",
                located(gln),
                extension
                    .as_ref()
                    .map_or("0".to_owned(), |e| e.written(epc).to_string())
            ),
            Identifier::Pgln(gln) => format!("urn:epc:id:pgln:{}", located(gln)),
        })
    }

    /// The GTIN of a trade item class, instance or lot.
    pub fn gtin(&self) -> Option<Gtin> {
        match self {
            Identifier::Gtin(gtin)
            | Identifier::Sgtin { gtin, .. }
            | Identifier::Lgtin { gtin, .. } => Some(*gtin),
            _ => None,
        }
    }

    /// The GLN of a location or party (a location's without its extension).
    pub fn gln(&self) -> Option<Gln> {
        match self {
            Identifier::Sgln { gln, .. } | Identifier::Pgln(gln) => Some(*gln),
            _ => None,
        }
    }
}

/// The canonical Digital Link.
impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dl = Writing::DigitalLink;
        write!(f, "{CANONICAL_DOMAIN}")?;
        match self {
            Identifier::Gtin(gtin) => write!(f, "/01/{gtin}"),
            Identifier::Sgtin { gtin, serial } => {
                write!(f, "/01/{gtin}/21/{}", serial.written(dl))
            }
            Identifier::Lgtin { gtin, lot } => write!(f, "/01/{gtin}/10/{}", lot.written(dl)),
            Identifier::Sscc(sscc) => write!(f, "/00/{sscc}"),
            Identifier::Sgln { gln, extension } => {
                write!(f, "/414/{gln}")?;
                match extension {
                    Some(extension) => write!(f, "/254/{}", extension.written(dl)),
                    None => Ok(()),
                }
            }
            Identifier::Pgln(gln) => write!(f, "/417/{gln}"),
        }
    }
}

impl std::str::FromStr for Identifier {
    type Err = IdError;

    fn from_str(text: &str) -> Result<Identifier, IdError> {
        Identifier::parse(text)
    }
}
