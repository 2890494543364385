//! `did:web` identifiers: where their DID document lives, as `web-did-resolver` maps them.

/// The URL of the DID document a `did:web` DID (or DID URL) names: `did:web:HOST` →
/// `https://HOST/.well-known/did.json`, `did:web:HOST:A:B` → `https://HOST/A/B/did.json`, each
/// segment percent-decoded (`%3A8443` → `:8443`). `None` for anything else (another method,
/// or not a DID as `did-resolver` parses them).
///
/// ```
/// use corridor_verify::w3c::did_web_url;
/// assert_eq!(did_web_url("did:web:example.com#keys-1").unwrap(), "https://example.com/.well-known/did.json");
/// assert_eq!(did_web_url("did:web:example.com%3A8443:issuers:7").unwrap(), "https://example.com:8443/issuers/7/did.json");
/// assert_eq!(did_web_url("did:key:z6Mk"), None);
/// assert_eq!(did_web_url("did:web:exa mple.com"), None);
/// ```
pub fn did_web_url(did_url: &str) -> Option<String> {
    let id = method_specific_id(did_url.strip_prefix("did:web:")?)?;
    let segments: Vec<String> = id.split(':').map(percent_decode).collect::<Option<_>>()?;
    Some(if segments.len() > 1 {
        format!("https://{}/did.json", segments.join("/"))
    } else {
        format!("https://{}/.well-known/did.json", segments[0])
    })
}

/// The DID a DID URL belongs to: the part before any path, query or fragment.
///
/// ```
/// assert_eq!(corridor_verify::w3c::did_of("did:web:example.com#keys-1"), "did:web:example.com");
/// ```
pub fn did_of(did_url: &str) -> &str {
    let end = did_url.find(['/', '?', '#', ';']).unwrap_or(did_url.len());
    &did_url[..end]
}

/// The method-specific id of a `did:web` DID URL's rest, as `did-resolver` 4's grammar reads it:
/// segments of `[A-Za-z0-9._-]` and `%XX` joined by `:`, the last one non-empty, then
/// optional parameters, path, query and fragment.
fn method_specific_id(rest: &str) -> Option<&str> {
    let end = rest.find([';', '/', '?', '#']).unwrap_or(rest.len());
    let id = &rest[..end];
    let valid = |segment: &str| {
        let b = segment.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' if b
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                {
                    i += 3
                }
                c if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-') => i += 1,
                _ => return false,
            }
        }
        true
    };
    let last_ok = id.rsplit(':').next().is_some_and(|last| !last.is_empty());
    (last_ok && id.split(':').all(valid)).then_some(id)
}

/// `decodeURIComponent`: `None` where it would throw (a malformed escape or invalid UTF-8).
fn percent_decode(segment: &str) -> Option<String> {
    let b = segment.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The DID document to host for the `did:web` DID `did`, listing the Multikey public keys
/// `keys` as `#keys-1`, `#keys-2`… under every verification relationship, as TrustVC's
/// `issueDID` writes one (so `assertionMethod` authorizes them to issue credentials).
///
/// ```
/// let document = corridor_verify::w3c::did_document("did:web:example.com", &["zDnae…".into()]);
/// assert_eq!(document["assertionMethod"][0], "did:web:example.com#keys-1");
/// assert_eq!(document["verificationMethod"][0]["publicKeyMultibase"], "zDnae…");
/// ```
pub fn did_document(did: &str, keys: &[String]) -> serde_json::Value {
    let ids: Vec<String> = (1..=keys.len())
        .map(|i| format!("{did}#keys-{i}"))
        .collect();
    let methods: Vec<serde_json::Value> = ids
        .iter()
        .zip(keys)
        .map(|(id, key)| {
            serde_json::json!({
                "type": "Multikey",
                "id": id,
                "controller": did,
                "publicKeyMultibase": key,
            })
        })
        .collect();
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "authentication": ids,
        "assertionMethod": ids,
        "capabilityInvocation": ids,
        "capabilityDelegation": ids,
    })
}
