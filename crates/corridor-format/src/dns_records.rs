//! The DNS TXT records by which an issuer proves its identity, read exactly as the reference
//! (`@tradetrust-tt/dnsprove`) reads them, and written for an issuer to publish:
//!
//! - DNS-TXT: `openatts net=ethereum netId=<chain id> addr=<document store or registry>`
//! - DNS-DID: `openatts a=dns-did; p=<did>#controller; v=1.0;`

use std::borrow::Cow;

/// A DNS-TXT identity record: the chain and the contract it vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsTxtRecord {
    /// `netId`, decimal digits.
    pub net_id: String,
    /// `addr`, as published.
    pub addr: String,
}

/// An `openatts` record that the reference fails on: a key every JavaScript object inherits
/// (`constructor`, `toString`, …) makes dnsprove's check of DNS-TXT records throw, and with it
/// the whole lookup of the location, whatever the other records say.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the key `{key}` of an openatts record breaks TradeTrust's reading of DNS-TXT records")]
pub struct InheritedKey {
    /// The key, as the record has it once trimmed.
    pub key: String,
}

/// The properties of JavaScript's `Object.prototype` that dnsprove's runtypes check takes for
/// fields of its own (`__proto__` excepted: setting it on an object sets nothing).
const INHERITED: [&str; 11] = [
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "toLocaleString",
];

/// A DNS-DID identity record: the DID key it vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsDidRecord {
    /// `p`: the DID URL of the key, as `did:ethr:0x…#controller`.
    pub public_key: String,
    /// `v`.
    pub version: String,
}

/// The DNS name to look up for an identity proof's `location`: any `scheme://` in front is
/// dropped, as the reference does.
pub fn dns_name(location: &str) -> &str {
    if !location.contains("://") {
        return location;
    }
    match location.split_once("//") {
        Some((scheme, rest))
            if scheme.is_empty()
                || scheme
                    .strip_suffix(':')
                    .is_some_and(|s| !s.is_empty() && s.bytes().all(is_word_byte)) =>
        {
            rest
        }
        _ => location,
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The text of a TXT record as the reference reads it: when it starts with `"`, its first and
/// last characters go (JavaScript's `slice(1, -1)`, in UTF-16 units).
fn unquoted(txt: &str) -> Cow<'_, str> {
    let Some(rest) = txt.strip_prefix('"') else {
        return Cow::Borrowed(txt);
    };
    let mut chars = rest.chars();
    match chars.next_back() {
        // A character beyond the BMP is two UTF-16 units: JavaScript drops only the second,
        // leaving a lone surrogate. It matches nothing the records test for, as U+FFFD does.
        Some(last) if last.len_utf16() == 2 => Cow::Owned(format!("{}\u{FFFD}", chars.as_str())),
        _ => Cow::Borrowed(chars.as_str()),
    }
}

/// The type token and the `(key, value)` pairs of an `openatts` record (`None` for any other
/// record), as dnsprove's `parseOpenAttestationRecord` reads them: the text, trimmed, is split
/// on single spaces; the first token is the type; each later token is `k=v` (the value may
/// hold `=`, one trailing `;` of it goes), both trimmed.
fn tokens(text: &str) -> Option<(&str, impl Iterator<Item = (&str, &str)>)> {
    if !text.starts_with("openatts") {
        return None;
    }
    let mut tokens = crate::js::trim(text).split(' ');
    let first = tokens.next()?;
    let pairs = tokens.map(|token| {
        let (k, value) = token.split_once('=').unwrap_or((token, ""));
        let value = value.strip_suffix(';').unwrap_or(value);
        (crate::js::trim(k), crate::js::trim(value))
    });
    Some((first, pairs))
}

/// The field `key` of an `openatts` record, as dnsprove's object holds it: `type` is the type
/// token, and each pair sets its key, the last setting winning, `type` included.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let (first, pairs) = tokens(text)?;
    let set = pairs
        .filter(|(k, _)| *k == key)
        .last()
        .map(|(_, value)| value);
    if key == "type" {
        set.or(Some(first))
    } else {
        set
    }
}

/// Reads a DNS-TXT identity record: `Ok(None)` if `txt` is not one, `Err` if the reference
/// fails on it.
///
/// ```
/// use corridor_format::dns_records::parse_dns_txt;
/// let r = parse_dns_txt("openatts net=ethereum netId=1 addr=0x0c9d5E6C766030cc6f0f49951D275Ad0701F81EC").unwrap().unwrap();
/// assert_eq!(r.net_id, "1");
/// assert_eq!(parse_dns_txt("openatts net=bitcoin netId=1 addr=0x0c9d5E6C766030cc6f0f49951D275Ad0701F81EC"), Ok(None));
/// assert!(parse_dns_txt("openatts toString=1").is_err());
/// ```
pub fn parse_dns_txt(txt: &str) -> Result<Option<DnsTxtRecord>, InheritedKey> {
    let text = unquoted(txt);
    if let Some((_, mut pairs)) = tokens(&text)
        && let Some((key, _)) = pairs.find(|(k, _)| INHERITED.contains(k))
    {
        return Err(InheritedKey {
            key: key.to_string(),
        });
    }
    let field = |key| field(&text, key);
    let (Some(net_id), Some(addr)) = (field("netId"), field("addr")) else {
        return Ok(None);
    };
    // dnsprove's runtype: `dnssec`, if present, must be a boolean, and a token's value never is.
    let ok = field("type") == Some("openatts")
        && field("net") == Some("ethereum")
        && !net_id.is_empty()
        && net_id.bytes().all(|b| b.is_ascii_digit())
        && contains_address(addr)
        && field("dnssec").is_none();
    Ok(ok.then(|| DnsTxtRecord {
        net_id: net_id.to_string(),
        addr: addr.to_string(),
    }))
}

/// Reads a DNS-DID identity record; `None` if `txt` is not one. (dnsprove keeps only the four
/// fields of a DNS-DID record before checking it, so no key breaks its reading.)
///
/// ```
/// use corridor_format::dns_records::parse_dns_did;
/// let r = parse_dns_did("openatts a=dns-did; p=did:ethr:0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1#controller; v=1.0;").unwrap();
/// assert_eq!(r.version, "1.0");
/// ```
pub fn parse_dns_did(txt: &str) -> Option<DnsDidRecord> {
    let text = unquoted(txt);
    let field = |key| field(&text, key);
    let public_key = field("p")?;
    let version = field("v")?;
    let ok =
        field("type") == Some("openatts") && field("a") == Some("dns-did") && is_did(public_key);
    ok.then(|| DnsDidRecord {
        public_key: public_key.to_string(),
        version: version.to_string(),
    })
}

/// The reference's test: `0x` and 40 hex digits somewhere in the text.
fn contains_address(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        b[i..].starts_with(b"0x")
            && b.get(i + 2..i + 42)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    })
}

/// The reference's test of a DID: `did:<method>:<id>` with a lower-case letter in the method.
fn is_did(text: &str) -> bool {
    let mut parts = text.splitn(3, ':');
    let (Some("did"), Some(method), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !method.is_empty() && !id.is_empty() && method.bytes().any(|b| b.is_ascii_lowercase())
}

/// The DNS-TXT record an issuer publishes for its contract on chain `chain_id`.
pub fn dns_txt_record(chain_id: u64, address: &str) -> String {
    format!("openatts net=ethereum netId={chain_id} addr={address}")
}

/// The DNS-DID record an issuer publishes for its key `did_url` (`did:ethr:0x…#controller`).
pub fn dns_did_record(did_url: &str) -> String {
    format!("openatts a=dns-did; p={did_url}; v=1.0;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DNS-TXT record, for text the reference reads without failing.
    fn txt_record(txt: &str) -> Option<DnsTxtRecord> {
        parse_dns_txt(txt).unwrap()
    }

    #[test]
    fn records_read_as_the_reference_reads_them() {
        let did = "did:ethr:0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1#controller";
        assert_eq!(parse_dns_did(&dns_did_record(did)).unwrap().public_key, did);
        let quoted = format!("\"{}\"", dns_did_record(did));
        assert_eq!(parse_dns_did(&quoted).unwrap().public_key, did);
        // no version, another algorithm, not a DID: not a record
        assert!(parse_dns_did(&format!("openatts a=dns-did; p={did};")).is_none());
        assert!(parse_dns_did(&format!("openatts a=other; p={did}; v=1.0;")).is_none());
        assert!(parse_dns_did("openatts a=dns-did; p=ethr:0x1; v=1.0;").is_none());
        // the type must be the first token exactly
        assert!(parse_dns_did(&format!("openattsx a=dns-did; p={did}; v=1.0;")).is_none());

        let addr = "0x0c9d5E6C766030cc6f0f49951D275Ad0701F81EC";
        let txt = txt_record(&dns_txt_record(5, addr)).unwrap();
        assert_eq!((txt.net_id.as_str(), txt.addr.as_str()), ("5", addr));
        assert!(txt_record(&format!("openatts net=ethereum netId=x addr={addr}")).is_none());
        assert!(txt_record("openatts net=ethereum netId=1 addr=0x12").is_none());
        // a value may hold `=`, keys are trimmed
        assert_eq!(
            txt_record(&format!("openatts net=ethereum netId=1 addr={addr}=x"))
                .unwrap()
                .addr,
            format!("{addr}=x")
        );
    }

    #[test]
    fn tokens_are_read_as_dnsprove_reads_them() {
        let addr = "0x0c9d5E6C766030cc6f0f49951D275Ad0701F81EC";
        let did = "did:ethr:0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1#controller";
        // an empty token (two spaces) or an empty key sets the field "", not the type
        for spaced in [
            format!("openatts  net=ethereum netId=1  addr={addr}"),
            format!("openatts =x net=ethereum netId=1 addr={addr}"),
            format!("openatts net=ethereum netId=1 addr={addr} ="),
        ] {
            assert!(txt_record(&spaced).is_some(), "{spaced}");
        }
        assert!(parse_dns_did(&format!("openatts  a=dns-did;  p={did}; =; v=1.0;")).is_some());
        // a `type` token replaces the first token, whatever it was
        let renamed = format!("openattsX net=ethereum type=openatts netId=1 addr={addr}");
        assert!(txt_record(&renamed).is_some());
        let retyped = format!("openatts net=ethereum netId=1 addr={addr} \ttype=other");
        assert!(txt_record(&retyped).is_none());
        assert!(parse_dns_did(&format!("openatts a=dns-did; p={did}; v=1.0; type=;")).is_none());
        assert!(
            parse_dns_did(&format!("openattsY type=openatts; a=dns-did; p={did}; v=")).is_some()
        );
        // the last of a repeated key wins
        let twice = format!("openatts net=ethereum netId=1 addr={addr} netId=5");
        assert_eq!(txt_record(&twice).unwrap().net_id, "5");
        // `dnssec` must be a boolean in dnsprove's DNS-TXT record: a token never is one
        assert!(
            txt_record(&format!(
                "openatts net=ethereum netId=1 addr={addr} dnssec=true"
            ))
            .is_none()
        );
        assert!(
            parse_dns_did(&format!("openatts a=dns-did; p={did}; v=1.0; dnssec=true")).is_some()
        );
        // quotes go as one UTF-16 unit each: half of a character beyond the BMP stays
        let astral = format!("\"openatts net=ethereum netId=1 addr={addr}😀");
        assert_eq!(txt_record(&astral).unwrap().addr, format!("{addr}\u{FFFD}"));
        // a key JavaScript objects inherit breaks dnsprove's DNS-TXT reading, not its DNS-DID one
        let inherited = format!("openatts net=ethereum netId=1 addr={addr} \tconstructor=");
        assert_eq!(
            parse_dns_txt(&inherited),
            Err(InheritedKey {
                key: "constructor".into()
            })
        );
        assert!(parse_dns_txt("openatts a=dns-did; valueOf").is_err());
        assert!(parse_dns_txt("openattsX __proto__=1").unwrap().is_none());
        assert!(parse_dns_txt("v=spf1 toString=1").unwrap().is_none());
        assert!(
            parse_dns_did(&format!("openatts a=dns-did; p={did}; v=1.0; toString=1")).is_some()
        );
    }

    #[test]
    fn locations_lose_their_scheme() {
        assert_eq!(dns_name("example.com"), "example.com");
        assert_eq!(dns_name("https://example.com"), "example.com");
        // the reference only looks for a scheme where it finds "://"
        assert_eq!(dns_name("//example.com"), "//example.com");
        assert_eq!(dns_name("a b://example.com"), "a b://example.com");
    }
}
