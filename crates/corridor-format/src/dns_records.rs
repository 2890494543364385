//! The DNS TXT records by which an issuer proves its identity, read exactly as the reference
//! (`@tradetrust-tt/dnsprove`) reads them, and written for an issuer to publish:
//!
//! - DNS-TXT: `openatts net=ethereum netId=<chain id> addr=<document store or registry>`
//! - DNS-DID: `openatts a=dns-did; p=<did>#controller; v=1.0;`

use std::collections::HashMap;

/// A DNS-TXT identity record: the chain and the contract it vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsTxtRecord {
    /// `netId`, decimal digits.
    pub net_id: String,
    /// `addr`, as published.
    pub addr: String,
}

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

/// The key/value fields of an `openatts` TXT record, or `None` for any other record.
///
/// As the reference: surrounding double quotes are dropped, the text is split on single
/// spaces, the first token is the record type, each other token is `key=value` (a value may
/// hold `=`), and one trailing `;` of a value is dropped.
fn fields(txt: &str) -> Option<HashMap<String, String>> {
    let text = match txt.strip_prefix('"') {
        // JavaScript's slice(1, -1): the first and the last character go.
        Some(rest) => {
            let mut chars = rest.chars();
            chars.next_back();
            chars.as_str()
        }
        None => txt,
    };
    if !text.starts_with("openatts") {
        return None;
    }
    let mut tokens = crate::js::trim(text).split(' ');
    let kind = tokens.next()?;
    let mut fields = HashMap::new();
    fields.insert(String::new(), kind.to_string());
    for token in tokens {
        let (key, value) = token.split_once('=').unwrap_or((token, ""));
        let value = value.strip_suffix(';').unwrap_or(value);
        fields.insert(
            crate::js::trim(key).to_string(),
            crate::js::trim(value).to_string(),
        );
    }
    Some(fields)
}

/// Reads a DNS-TXT identity record; `None` if `txt` is not one.
///
/// ```
/// use corridor_format::dns_records::parse_dns_txt;
/// let r = parse_dns_txt("openatts net=ethereum netId=1 addr=0x0c9d5E6C766030cc6f0f49951D275Ad0701F81EC").unwrap();
/// assert_eq!(r.net_id, "1");
/// assert!(parse_dns_txt("openatts net=bitcoin netId=1 addr=0x0c9d5E6C766030cc6f0f49951D275Ad0701F81EC").is_none());
/// ```
pub fn parse_dns_txt(txt: &str) -> Option<DnsTxtRecord> {
    let f = fields(txt)?;
    let field = |k: &str| f.get(k).map(String::as_str);
    let net_id = field("netId")?;
    let addr = field("addr")?;
    let ok = field("") == Some("openatts")
        && field("net") == Some("ethereum")
        && !net_id.is_empty()
        && net_id.bytes().all(|b| b.is_ascii_digit())
        && contains_address(addr);
    ok.then(|| DnsTxtRecord {
        net_id: net_id.to_string(),
        addr: addr.to_string(),
    })
}

/// Reads a DNS-DID identity record; `None` if `txt` is not one.
///
/// ```
/// use corridor_format::dns_records::parse_dns_did;
/// let r = parse_dns_did("openatts a=dns-did; p=did:ethr:0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1#controller; v=1.0;").unwrap();
/// assert_eq!(r.version, "1.0");
/// ```
pub fn parse_dns_did(txt: &str) -> Option<DnsDidRecord> {
    let f = fields(txt)?;
    let field = |k: &str| f.get(k).map(String::as_str);
    let public_key = field("p")?;
    let version = field("v")?;
    let ok = field("") == Some("openatts") && field("a") == Some("dns-did") && is_did(public_key);
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
    let mut parts = text.split(':');
    let (Some("did"), Some(method)) = (parts.next(), parts.next()) else {
        return false;
    };
    let id: Vec<&str> = parts.collect();
    !method.is_empty() && !id.join(":").is_empty() && method.bytes().any(|b| b.is_ascii_lowercase())
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
        let txt = parse_dns_txt(&dns_txt_record(5, addr)).unwrap();
        assert_eq!((txt.net_id.as_str(), txt.addr.as_str()), ("5", addr));
        assert!(parse_dns_txt(&format!("openatts net=ethereum netId=x addr={addr}")).is_none());
        assert!(parse_dns_txt("openatts net=ethereum netId=1 addr=0x12").is_none());
        // a value may hold `=`, keys are trimmed
        assert_eq!(
            parse_dns_txt(&format!("openatts net=ethereum netId=1 addr={addr}=x"))
                .unwrap()
                .addr,
            format!("{addr}=x")
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
