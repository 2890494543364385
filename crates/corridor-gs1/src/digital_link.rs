//! GS1 Digital Link URIs (GS1 Digital Link standard 1.x, URI syntax): any http(s) domain, an
//! optional path before the primary key, numeric AIs.

use crate::identifier::{IdError, Identifier, key, value};
use crate::text::{Text, Writing};

/// The key qualifiers of a GTIN, in the order a Digital Link must give them.
const GTIN_QUALIFIERS: [(&str, &str); 3] = [
    ("22", "consumer product variant (AI 22)"),
    ("10", "lot (AI 10)"),
    ("21", "serial (AI 21)"),
];

/// What a Digital Link at `uri` names.
pub(crate) fn parse(uri: &str) -> Result<Identifier, IdError> {
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| {
        IdError::form("neither a Digital Link (an http or https URI) nor an EPC URN (urn:epc:…)")
    })?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Err(IdError::form(format!(
            "a Digital Link is an http or https URI, not {scheme}:"
        )));
    }
    // The query string and fragment say how to answer, not what is named.
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if host.is_empty() || !host.chars().all(host_ok) {
        return Err(IdError::form(format!("{host:?} is not a host name")));
    }
    let segments: Vec<&str> = path.split('/').collect();
    // A path before the key may hold segments that look like AIs: the key is where an AI
    // starts the pairs that run to the end of the path.
    let is_primary = |s: &&str| matches!(*s, "01" | "00" | "414" | "417");
    let start = (0..segments.len())
        .find(|&i| is_primary(&segments[i]) && (segments.len() - i) % 2 == 0)
        .or_else(|| segments.iter().position(is_primary));
    let Some(start) = start else {
        return Err(no_primary_key(&segments));
    };
    let mut pairs = Vec::new();
    for pair in segments[start..].chunks(2) {
        match pair {
            [ai, value] => pairs.push((*ai, *value)),
            [""] => return Err(IdError::form("the path ends with '/' after its last value")),
            [ai] => return Err(IdError::form(format!("AI {ai} has no value after it"))),
            _ => unreachable!("chunks of two"),
        }
    }
    let (primary, primary_value) = pairs[0];
    let qualifiers = &pairs[1..];
    match primary {
        "01" => gtin_link(key(primary_value, "GTIN (AI 01)")?, qualifiers),
        "00" => {
            no_qualifiers(qualifiers, "an SSCC (AI 00)")?;
            Ok(Identifier::Sscc(key(primary_value, "SSCC (AI 00)")?))
        }
        "414" => {
            let gln = key(primary_value, "GLN (AI 414)")?;
            let extension = match qualifiers {
                [] => None,
                // As in an EPC URN, the extension 0 is the location itself.
                [("254", "0")] => None,
                [("254", ext)] => Some(value(
                    ext,
                    "location extension (AI 254)",
                    Writing::DigitalLink,
                )?),
                [(ai, _), ..] if *ai != "254" => {
                    return Err(IdError::form(format!(
                        "AI {ai} does not qualify a GLN (AI 414): only its extension, AI 254, does"
                    )));
                }
                _ => {
                    return Err(IdError::form(
                        "a GLN (AI 414) has one extension (AI 254) at most",
                    ));
                }
            };
            Ok(Identifier::Sgln { gln, extension })
        }
        _ => {
            no_qualifiers(qualifiers, "a party GLN (AI 417)")?;
            Ok(Identifier::Pgln(key(primary_value, "party GLN (AI 417)")?))
        }
    }
}

/// A GTIN's link: its qualifiers read in their order; what it names is its most specific.
fn gtin_link(gtin: crate::Gtin, qualifiers: &[(&str, &str)]) -> Result<Identifier, IdError> {
    let mut next = 0;
    let mut read: [Option<Text>; 3] = [None, None, None];
    for (ai, written) in qualifiers {
        let Some(place) = GTIN_QUALIFIERS.iter().position(|(q, _)| q == ai) else {
            return Err(IdError::form(format!(
                "AI {ai} does not qualify a GTIN (AI 01): its qualifiers are 22, 10 and 21"
            )));
        };
        if place < next {
            return Err(IdError::form(format!(
                "AI {ai} comes after AI {}: a GTIN's qualifiers come in the order 22, 10, 21, each once",
                GTIN_QUALIFIERS[next - 1].0
            )));
        }
        read[place] = Some(value(
            written,
            GTIN_QUALIFIERS[place].1,
            Writing::DigitalLink,
        )?);
        next = place + 1;
    }
    let [_, lot, serial] = read;
    Ok(match (serial, lot) {
        (Some(serial), _) => Identifier::Sgtin { gtin, serial },
        (None, Some(lot)) => Identifier::Lgtin { gtin, lot },
        (None, None) => Identifier::Gtin(gtin),
    })
}

fn no_qualifiers(qualifiers: &[(&str, &str)], of: &str) -> Result<(), IdError> {
    match qualifiers.first() {
        None => Ok(()),
        Some((ai, _)) => Err(IdError::form(format!(
            "AI {ai} does not qualify {of}: nothing does"
        ))),
    }
}

/// Why a path holds no primary key: a qualifier alone, an AI no key has, or nothing of GS1.
fn no_primary_key(segments: &[&str]) -> IdError {
    if let Some(ai) = segments
        .iter()
        .find(|s| matches!(**s, "22" | "10" | "21" | "254"))
    {
        return IdError::form(format!(
            "AI {ai} qualifies a key, and there is no primary key (01, 00, 414 or 417) before it"
        ));
    }
    match segments.iter().find(|s| !s.is_empty()) {
        Some(first) if first.bytes().all(|b| b.is_ascii_digit()) && first.len() <= 4 => {
            IdError::form(format!(
                "AI {first} is not a primary key Corridor reads (01 GTIN, 00 SSCC, 414 GLN, 417 party GLN)"
            ))
        }
        _ => IdError::form("no GS1 primary key (01, 00, 414 or 417) in the path"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(uri: &str) -> String {
        parse(uri).unwrap_err().to_string()
    }

    #[test]
    fn links_name_their_most_specific_key() {
        let link =
            parse("HTTPS://x.example/a/b/01/6918790000015/22/V1/10/L%2F1/21/S1?linkType=all#f")
                .unwrap();
        assert_eq!(
            link.to_string(),
            "https://id.gs1.org/01/06918790000015/21/S1"
        );
        let lot = parse("http://id.gs1.org/01/06918790000015/10/L%2f1").unwrap();
        assert_eq!(
            lot.to_string(),
            "https://id.gs1.org/01/06918790000015/10/L%2F1"
        );
        let site = parse("https://id.gs1.org/414/8884499800004/254/DOCK").unwrap();
        let whole = parse("https://id.gs1.org/414/8884499800004/254/0").unwrap();
        assert_eq!(whole.to_string(), "https://id.gs1.org/414/8884499800004");
        assert_eq!(
            site.to_string(),
            "https://id.gs1.org/414/8884499800004/254/DOCK"
        );
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        assert!(refused("ftp://id.gs1.org/01/06918790000015").contains("not ftp"));
        assert!(refused("https://id.gs1.org/01/06918790000016").contains("check digit 6"));
        assert!(
            refused("https://id.gs1.org/01/06918790000015/21/A/10/B").contains("order 22, 10, 21")
        );
        assert!(refused("https://id.gs1.org/10/LKR33N").contains("no primary key"));
        assert!(refused("https://id.gs1.org/99/X").contains("AI 99 is not a primary key"));
        assert!(
            refused("https://id.gs1.org/00/369161288800134240/10/L")
                .contains("AI 10 does not qualify an SSCC")
        );
        assert!(
            refused("https://id.gs1.org/01/06918790000015/21/").contains("serial (AI 21): empty")
        );
        assert!(refused("https://id.gs1.org/01/06918790000015/").contains("ends with '/'"));
        assert!(refused("https://id.gs1.org/417/8884499800004/254/X").contains("party GLN"));
        assert!(refused("https://bad host/01/06918790000015").contains("host"));
        assert!(refused("id.gs1.org/01/06918790000015").contains("EPC URN"));
    }
}
