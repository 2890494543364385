//! EPC pure identity URNs (GS1 EPC Tag Data Standard 2.x, section 6): the company prefix (6 to
//! 12 digits), the reference that fills out the key, and the serial, lot or extension.

use crate::identifier::{IdError, Identifier, value};
use crate::keys::{Gln, Gtin, Sscc};
use crate::text::Writing;

/// What the EPC URN `urn` names, and the length of the company prefix it gives.
pub(crate) fn parse(urn: &str) -> Result<(Identifier, usize), IdError> {
    let body = urn
        .strip_prefix("urn:epc:")
        .ok_or_else(|| IdError::form("not an EPC URN: it starts with urn:epc:"))?;
    let (kind, rest) = body
        .split_once(':')
        .ok_or_else(|| IdError::form("an EPC URN is urn:epc:id|class|idpat:SCHEME:FIELDS"))?;
    let (scheme, fields) = rest
        .split_once(':')
        .ok_or_else(|| IdError::form("an EPC URN is urn:epc:id|class|idpat:SCHEME:FIELDS"))?;
    let prefix_length = fields.split('.').next().map_or(0, str::len);
    let identifier = match (kind, scheme) {
        ("id", "sgtin") => {
            let [prefix, item, serial] =
                split::<3>(fields, "company prefix, item reference and serial")?;
            Ok(Identifier::Sgtin {
                gtin: gtin(prefix, item)?,
                serial: value(serial, "serial", Writing::EpcUrn)?,
            })
        }
        ("class", "lgtin") => {
            let [prefix, item, lot] = split::<3>(fields, "company prefix, item reference and lot")?;
            Ok(Identifier::Lgtin {
                gtin: gtin(prefix, item)?,
                lot: value(lot, "lot", Writing::EpcUrn)?,
            })
        }
        ("idpat", "sgtin") => {
            let [prefix, item, any] = split::<3>(fields, "company prefix, item reference and *")?;
            if any != "*" {
                return Err(IdError::form(
                    "an sgtin pattern of a whole class ends with .*",
                ));
            }
            Ok(Identifier::Gtin(gtin(prefix, item)?))
        }
        ("id", "sscc") => {
            let [prefix, serial] = split::<2>(fields, "company prefix and serial reference")?;
            let digits = reference_digits(prefix, serial, 17, "serial reference")?;
            Ok(Identifier::Sscc(Sscc::with_check_digit(&shifted(
                &digits,
                prefix.len(),
            ))))
        }
        ("id", "sgln") => {
            let [prefix, location, extension] =
                split::<3>(fields, "company prefix, location reference and extension")?;
            let gln = gln(prefix, location, "location reference")?;
            let extension = match extension {
                "0" => None,
                written => Some(value(written, "extension", Writing::EpcUrn)?),
            };
            Ok(Identifier::Sgln { gln, extension })
        }
        ("id", "pgln") => {
            let [prefix, party] = split::<2>(fields, "company prefix and party reference")?;
            Ok(Identifier::Pgln(gln(prefix, party, "party reference")?))
        }
        ("class", "sgtin" | "sscc" | "sgln" | "pgln") => Err(IdError::form(format!(
            "{scheme} is an EPC id scheme (urn:epc:id:{scheme}), not a class"
        ))),
        ("id", "lgtin") => Err(IdError::form(
            "lgtin is an EPC class (urn:epc:class:lgtin), not an id",
        )),
        _ => Err(IdError::form(format!(
            "urn:epc:{kind}:{scheme} is not an EPC scheme Corridor reads (id:sgtin, class:lgtin, idpat:sgtin, id:sscc, id:sgln, id:pgln)"
        ))),
    }?;
    Ok((identifier, prefix_length))
}

/// The `N` fields of `fields`, separated by '.', the last holding the rest (a serial may hold
/// dots).
fn split<'a, const N: usize>(fields: &'a str, names: &str) -> Result<[&'a str; N], IdError> {
    let parts: Vec<&str> = fields.splitn(N, '.').collect();
    parts
        .try_into()
        .map_err(|_| IdError::form(format!("{N} fields separated by '.': {names}")))
}

/// The company prefix and reference, checked: `total` digits in all, the prefix 6 to 12.
fn reference_digits(
    prefix: &str,
    reference: &str,
    total: usize,
    reference_name: &str,
) -> Result<String, IdError> {
    if !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.is_empty() {
        return Err(IdError::form(format!(
            "the company prefix {prefix:?} is not all digits"
        )));
    }
    if !(6..=12).contains(&prefix.len()) {
        return Err(IdError::form(format!(
            "the company prefix has {} digits: 6 to 12",
            prefix.len()
        )));
    }
    if !reference.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::form(format!(
            "the {reference_name} {reference:?} is not all digits"
        )));
    }
    let found = prefix.len() + reference.len();
    if found != total {
        return Err(IdError::form(format!(
            "the company prefix and {reference_name} have {found} digits, not {total}"
        )));
    }
    Ok(format!("{prefix}{reference}"))
}

/// A GTIN or SSCC's digits but its check digit, from the prefix-first digits of an EPC URN:
/// the reference's first digit (indicator or extension) moves in front.
fn shifted(digits: &str, prefix_len: usize) -> Vec<u8> {
    let digits = digits.as_bytes();
    [
        &digits[prefix_len..=prefix_len],
        &digits[..prefix_len],
        &digits[prefix_len + 1..],
    ]
    .concat()
}

fn gtin(prefix: &str, item: &str) -> Result<Gtin, IdError> {
    let digits = reference_digits(prefix, item, 13, "item reference")?;
    Ok(Gtin::with_check_digit(&shifted(&digits, prefix.len())))
}

fn gln(prefix: &str, reference: &str, reference_name: &str) -> Result<Gln, IdError> {
    let digits = reference_digits(prefix, reference, 12, reference_name)?;
    Ok(Gln::with_check_digit(digits.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urns_convert_both_ways() {
        for (urn, link, gcp) in [
            (
                "urn:epc:id:sgtin:6918790.000001.A%2FB.C",
                "https://id.gs1.org/01/06918790000015/21/A%2FB.C",
                7,
            ),
            (
                "urn:epc:class:lgtin:6995459447.002.L%26T",
                "https://id.gs1.org/01/06995459447022/10/L%26T",
                10,
            ),
            (
                "urn:epc:idpat:sgtin:6918790.000001.*",
                "https://id.gs1.org/01/06918790000015",
                7,
            ),
            (
                "urn:epc:id:sscc:691612888.30013424",
                "https://id.gs1.org/00/369161288800134240",
                9,
            ),
            (
                "urn:epc:id:sgln:88844998.0000.0",
                "https://id.gs1.org/414/8884499800004",
                8,
            ),
            (
                "urn:epc:id:sgln:88844998.0000.FRIDGE",
                "https://id.gs1.org/414/8884499800004/254/FRIDGE",
                8,
            ),
            (
                "urn:epc:id:pgln:88844998.0000",
                "https://id.gs1.org/417/8884499800004",
                8,
            ),
        ] {
            let (read, prefix) = parse(urn).unwrap();
            assert_eq!(prefix, gcp);
            assert_eq!(read.to_string(), link, "{urn}");
            assert_eq!(read.epc_urn(gcp).unwrap(), urn);
            assert_eq!(Identifier::parse(link).unwrap(), read);
        }
    }

    #[test]
    fn bad_urns_say_what_is_wrong() {
        let refused = |urn: &str| parse(urn).unwrap_err().to_string();
        assert!(refused("urn:epc:id:sgtin:6918790.0000010.X").contains("14 digits, not 13"));
        assert!(refused("urn:epc:id:sgtin:6918790000001.X").contains("3 fields"));
        assert!(refused("urn:epc:id:sgtin:12345.00000000.X").contains("5 digits: 6 to 12"));
        assert!(refused("urn:epc:id:sgtin:691X790.000001.X").contains("not all digits"));
        assert!(refused("urn:epc:id:sgtin:6918790.000001.").contains("serial: empty"));
        assert!(refused("urn:epc:id:sgtin:6918790.000001.A#1").contains("'#'"));
        assert!(refused("urn:epc:id:sgtin:6918790.000001.A&1").contains("percent-encoded"));
        assert!(refused("urn:epc:class:sgtin:6918790.000001.X").contains("not a class"));
        assert!(refused("urn:epc:id:lgtin:6918790.000001.X").contains("not an id"));
        assert!(refused("urn:epc:id:sgtn:6918790.000001.X").contains("not an EPC scheme"));
        assert!(refused("urn:epc:id:sscc:691612888.300134241").contains("18 digits, not 17"));
        assert!(refused("urn:epc:id:sgln:691612888.0001.0").contains("13 digits, not 12"));
    }
}
