//! The OpenAttestation 3.0 schema (draft-07, as the reference's ajv applies it), and the W3C
//! checks its `wrapDocument` makes before JSON-LD: both by hand-written rules.
//!
//! Two modes, as for 2.0: [`SchemaMode::Strict`] when wrapping (formats `uri` and `date-time`
//! as ajv-formats' full mode reads them, `enum`, `pattern`), and [`SchemaMode::Loose`] when
//! deciding whether a file is a wrapped v3 document at all (types and required fields only).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use crate::SchemaMode;
use crate::SchemaViolation;
use crate::js::{is_js_space, kind_of};

/// ajv-formats' `uri` (RFC 3986, absolute), which the reference's `validateW3C` also uses for
/// the issuer. Case-insensitive as JavaScript's `/i` is without `u`: ASCII letters only.
static URI: LazyLock<Regex> = LazyLock::new(|| {
    let h16 = "[0-9a-f]{1,4}";
    let v4 = "(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)";
    let ipv6 = format!(
        "(?:(?:(?:{h16}:){{6}}|::(?:{h16}:){{5}}|(?:{h16})?::(?:{h16}:){{4}}|(?:(?:{h16}:){{0,1}}{h16})?::(?:{h16}:){{3}}|(?:(?:{h16}:){{0,2}}{h16})?::(?:{h16}:){{2}}|(?:(?:{h16}:){{0,3}}{h16})?::{h16}:|(?:(?:{h16}:){{0,4}}{h16})?::)(?:{h16}:{h16}|{v4})|(?:(?:{h16}:){{0,5}}{h16})?::{h16}|(?:(?:{h16}:){{0,6}}{h16})?::)"
    );
    let pct = "%[0-9a-f]{2}";
    let pchar = format!("(?:[a-z0-9\\-._~!$&'()*+,;=:@]|{pct})");
    let pattern = format!(
        "^(?i-u)(?:[a-z][a-z0-9+\\-.]*:)(?:/?/(?:(?:[a-z0-9\\-._~!$&'()*+,;=:]|{pct})*@)?(?:\\[(?:{ipv6}|[v][0-9a-f]+\\.[a-z0-9\\-._~!$&'()*+,;=:]+)\\]|{v4}|(?:[a-z0-9\\-._~!$&'()*+,;=]|{pct})*)(?::[0-9]*)?(?:/{pchar}*)*|/(?:{pchar}+(?:/{pchar}*)*)?|{pchar}+(?:/{pchar}*)*)(?:\\?(?:[a-z0-9\\-._~!$&'()*+,;=:@/?]|{pct})*)?(?:#(?:[a-z0-9\\-._~!$&'()*+,;=:@/?]|{pct})*)?$"
    );
    Regex::new(&pattern).expect("the URI pattern is valid")
});

/// The reference's `isValidRFC3339`: a full date, `T` (or `t`, or a space), a time with an
/// offset, found anywhere in the text (its regular expression is not anchored).
static RFC3339: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "[0-9]{4}-(?:0[1-9]|1[0-2])-(?:[12][0-9]|0[1-9]|3[01])[ tT](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?(?:[zZ]|[-+](?:[01][0-9]|2[0-3]):[0-5][0-9])",
    )
    .expect("the date pattern is valid")
});

/// ajv-formats' full `uri`: a `/` or `:` somewhere, and RFC 3986.
pub(crate) fn is_uri(text: &str) -> bool {
    text.contains(['/', ':']) && URI.is_match(text)
}

/// The reference's `isValidRFC3986` (the issuer's id): RFC 3986 alone.
pub(crate) fn is_rfc3986(text: &str) -> bool {
    URI.is_match(text)
}

/// The reference's `isValidRFC3339`.
pub(crate) fn is_rfc3339(text: &str) -> bool {
    RFC3339.is_match(text)
}

/// ajv-formats' full `date-time`: split on `t`, `T` or white space into exactly a date and a
/// time; the date a real day; the time in range, its offset optional (ajv-formats 2.1 asks for
/// one but takes a missing one).
pub(crate) fn is_date_time(text: &str) -> bool {
    let parts: Vec<&str> = text
        .split(|c: char| c == 't' || c == 'T' || is_js_space(c))
        .collect();
    let [date, time] = parts[..] else {
        return false;
    };
    is_date(date) && is_time(time)
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |r: std::ops::Range<usize>| {
        b[r.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| text[r].parse::<u32>().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn is_time(text: &str) -> bool {
    static TIME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new("^(?i-u)([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.[0-9]+)?(?:z|[+-][0-9]{2}(?::?[0-9]{2})?)?$")
            .expect("the time pattern is valid")
    });
    let Some(c) = TIME.captures(text) else {
        return false;
    };
    let n = |i: usize| c[i].parse::<u32>().unwrap_or(99);
    let (hour, minute, second) = (n(1), n(2), n(3));
    (hour <= 23 && minute <= 59 && second <= 59) || (hour == 23 && minute == 59 && second == 60)
}

/// Checks a credential (raw, or wrapped with its proof) against the OpenAttestation 3.0 schema.
pub fn validate_credential(
    credential: &Value,
    mode: SchemaMode,
) -> Result<(), Vec<SchemaViolation>> {
    let mut check = Check {
        strict: mode == SchemaMode::Strict,
        errors: Vec::new(),
        path: String::new(),
    };
    match credential {
        Value::Object(root) => check.root(root),
        other => check.fail(format!("must be an object, found {}", kind_of(other))),
    }
    if check.errors.is_empty() {
        Ok(())
    } else {
        Err(check.errors)
    }
}

struct Check {
    strict: bool,
    errors: Vec<SchemaViolation>,
    path: String,
}

/// What a field must be.
#[derive(Clone, Copy)]
enum Text {
    Any,
    Uri,
    DateTime,
    OneOf(&'static [&'static str]),
    Http,
}

impl Check {
    fn fail(&mut self, problem: impl Into<String>) {
        self.errors.push(SchemaViolation {
            field: self.path.clone(),
            problem: problem.into(),
        });
    }

    fn at(&mut self, key: &str, f: impl FnOnce(&mut Self)) {
        let mark = self.path.len();
        if !self.path.is_empty() && !key.starts_with('[') {
            self.path.push('.');
        }
        self.path.push_str(key);
        f(self);
        self.path.truncate(mark);
    }

    fn required(&mut self, map: &Map<String, Value>, keys: &[&str]) {
        for key in keys.iter().filter(|k| !map.contains_key(**k)) {
            self.at(key, |c| c.fail("is required"));
        }
    }

    fn only(&mut self, map: &Map<String, Value>, allowed: &[&str]) {
        for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
            self.at(key, |c| c.fail("is not allowed here"));
        }
    }

    /// A string field, checked as `kind` says when strict.
    fn text(&mut self, map: &Map<String, Value>, key: &str, kind: Text) {
        let Some(value) = map.get(key) else { return };
        self.at(key, |c| c.text_value(value, kind));
    }

    fn text_value(&mut self, value: &Value, kind: Text) {
        let Value::String(s) = value else {
            return self.fail(format!("must be a string, found {}", kind_of(value)));
        };
        if !self.strict {
            return;
        }
        let fine = match kind {
            Text::Any => true,
            Text::Uri => is_uri(s),
            Text::DateTime => is_date_time(s),
            Text::OneOf(allowed) => allowed.contains(&s.as_str()),
            Text::Http => s.starts_with("http://") || s.starts_with("https://"),
        };
        if !fine {
            self.fail(match kind {
                Text::Uri => format!("must be a URI, found {s:?}"),
                Text::DateTime => format!("must be a date and time (RFC 3339), found {s:?}"),
                Text::OneOf(allowed) => format!("must be one of {allowed:?}, found {s:?}"),
                Text::Http => format!("must start with http:// or https://, found {s:?}"),
                Text::Any => unreachable!("any string is fine"),
            });
        }
    }

    fn object<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        key: &str,
    ) -> Option<&'a Map<String, Value>> {
        match map.get(key)? {
            Value::Object(inner) => Some(inner),
            other => {
                self.at(key, |c| {
                    c.fail(format!("must be an object, found {}", kind_of(other)))
                });
                None
            }
        }
    }

    fn root(&mut self, root: &Map<String, Value>) {
        self.required(
            root,
            &[
                "@context",
                "type",
                "credentialSubject",
                "issuer",
                "issuanceDate",
                "openAttestationMetadata",
            ],
        );
        if let Some(context) = root.get("@context") {
            self.at("@context", |c| match context {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        c.at(&format!("[{i}]"), |c| match item {
                            Value::String(_) => c.text_value(item, Text::Uri),
                            Value::Object(_) => {}
                            other => c.fail(format!(
                                "must be a string or an object, found {}",
                                kind_of(other)
                            )),
                        });
                    }
                }
                other => c.fail(format!("must be an array, found {}", kind_of(other))),
            });
        }
        self.text(root, "id", Text::Uri);
        if let Some(types) = root.get("type") {
            self.at("type", |c| match types {
                Value::String(_) => {}
                Value::Array(items) if items.iter().all(Value::is_string) => {}
                other => c.fail(format!(
                    "must be a string or an array of strings, found {}",
                    kind_of(other)
                )),
            });
        }
        for key in ["reference", "name"] {
            self.text(root, key, Text::Any);
        }
        for key in [
            "issuanceDate",
            "expirationDate",
            "issued",
            "validFrom",
            "validUntil",
        ] {
            self.text(root, key, Text::DateTime);
        }
        if let Some(subject) = root.get("credentialSubject") {
            self.at("credentialSubject", |c| match subject {
                Value::Object(_) => {}
                Value::Array(items) if items.iter().all(Value::is_object) => {}
                other => c.fail(format!(
                    "must be an object or an array of objects, found {}",
                    kind_of(other)
                )),
            });
        }
        if let Some(status) = self.object(root, "credentialStatus") {
            self.at("credentialStatus", |c| {
                c.required(status, &["id", "type"]);
                c.text(status, "id", Text::Uri);
                c.text(status, "type", Text::Any);
            });
        }
        if let Some(issuer) = root.get("issuer") {
            self.at("issuer", |c| c.issuer(issuer));
        }
        if let Some(metadata) = self.object(root, "openAttestationMetadata") {
            self.at("openAttestationMetadata", |c| c.metadata(metadata));
        }
        if let Some(attachments) = root.get("attachments") {
            self.at("attachments", |c| c.attachments(attachments));
        }
        if let Some(network) = self.object(root, "network") {
            self.at("network", |c| {
                c.required(network, &["chain"]);
                c.text(network, "chain", Text::Any);
                c.text(network, "chainId", Text::Any);
            });
        }
    }

    fn issuer(&mut self, issuer: &Value) {
        match issuer {
            Value::String(_) => {}
            Value::Object(map) => {
                self.required(map, &["id", "name"]);
                self.text(map, "id", Text::Uri);
                self.text(map, "name", Text::Any);
            }
            other => self.fail(format!(
                "must be a string or an object, found {}",
                kind_of(other)
            )),
        }
    }

    fn metadata(&mut self, metadata: &Map<String, Value>) {
        self.required(metadata, &["proof", "identityProof"]);
        if let Some(template) = self.object(metadata, "template") {
            self.at("template", |c| {
                c.required(template, &["name", "type", "url"]);
                c.only(template, &["name", "type", "url"]);
                c.text(template, "name", Text::Any);
                c.text(template, "type", Text::OneOf(&["EMBEDDED_RENDERER"]));
                c.text(template, "url", Text::Http);
            });
        }
        if let Some(proof) = self.object(metadata, "proof") {
            self.at("proof", |c| {
                c.required(proof, &["type", "method", "value"]);
                c.text(proof, "type", Text::OneOf(&["OpenAttestationProofMethod"]));
                c.text(
                    proof,
                    "method",
                    Text::OneOf(&["TOKEN_REGISTRY", "DOCUMENT_STORE", "DID"]),
                );
                c.text(proof, "value", Text::Any);
                if let Some(revocation) = c.object(proof, "revocation") {
                    c.at("revocation", |c| {
                        c.required(revocation, &["type"]);
                        c.text(
                            revocation,
                            "type",
                            Text::OneOf(&["NONE", "REVOCATION_STORE", "OCSP_RESPONDER"]),
                        );
                        c.text(revocation, "location", Text::Any);
                    });
                }
            });
        }
        if let Some(identity) = self.object(metadata, "identityProof") {
            self.at("identityProof", |c| {
                c.required(identity, &["type", "identifier"]);
                c.only(identity, &["type", "identifier"]);
                c.text(
                    identity,
                    "type",
                    Text::OneOf(&["DNS-TXT", "DNS-DID", "DID"]),
                );
                c.text(identity, "identifier", Text::Any);
            });
        }
    }

    fn attachments(&mut self, attachments: &Value) {
        let Value::Array(items) = attachments else {
            return self.fail(format!("must be an array, found {}", kind_of(attachments)));
        };
        for (i, item) in items.iter().enumerate() {
            self.at(&format!("[{i}]"), |c| {
                let Value::Object(map) = item else {
                    return c.fail(format!("must be an object, found {}", kind_of(item)));
                };
                let keys = ["fileName", "mimeType", "data"];
                c.required(map, &keys);
                c.only(map, &keys);
                for key in keys {
                    c.text(map, key, Text::Any);
                }
            });
        }
    }
}

/// The checks the reference's `validateW3C` makes before expanding the credential as JSON-LD:
/// the 2018 credentials context first, the issuer's id an RFC 3986 URI, `issuanceDate` (and
/// `expirationDate`, if given) RFC 3339, and `type` an array naming `VerifiableCredential`.
pub(crate) fn check_w3c(credential: &Map<String, Value>) -> Result<(), SchemaViolation> {
    let fail = |field: &str, problem: &str| {
        Err(SchemaViolation {
            field: field.into(),
            problem: problem.into(),
        })
    };
    match credential.get("@context") {
        Some(Value::Array(items))
            if items.first().and_then(Value::as_str) == Some(super::VC_V1_CONTEXT) => {}
        _ => {
            return fail(
                "@context",
                "must be an array whose first item is https://www.w3.org/2018/credentials/v1",
            );
        }
    }
    let issuer_id = match credential.get("issuer") {
        Some(Value::String(id)) => id.as_str(),
        Some(Value::Object(issuer)) => issuer.get("id").and_then(Value::as_str).unwrap_or_default(),
        _ => "",
    };
    if !is_rfc3986(issuer_id) {
        return fail("issuer", "must have an id that is an RFC 3986 URI");
    }
    let date = |key: &str| credential.get(key).and_then(Value::as_str);
    if !date("issuanceDate").is_some_and(is_rfc3339) {
        return fail("issuanceDate", "must be an RFC 3339 date and time");
    }
    // The reference skips an expiration date JavaScript takes as false (absent, or "").
    if let Some(expiry) = credential
        .get("expirationDate")
        .filter(|v| crate::js::truthy(v))
    {
        if !expiry.as_str().is_some_and(is_rfc3339) {
            return fail("expirationDate", "must be an RFC 3339 date and time");
        }
    }
    match credential.get("type") {
        Some(Value::Array(types)) if types.iter().any(|t| t == "VerifiableCredential") => Ok(()),
        Some(Value::Array(_)) => fail("type", "must include VerifiableCredential"),
        _ => fail("type", "must be an array"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_ajv_formats_reads_them() {
        assert!(is_uri("https://example.com/a?b#c"));
        assert!(is_uri("did:ethr:0xabc"));
        assert!(is_uri("urn:uuid:1234"));
        assert!(!is_uri("example"));
        assert!(!is_uri("https://exa mple.com"));
        assert!(
            !is_uri("ſ://example.com"),
            "JavaScript's /i folds no non-ASCII letter onto ASCII"
        );
        assert!(is_date_time("2010-01-01T19:23:24Z"));
        assert!(is_date_time("2010-01-01 19:23:24.5+08:00"));
        assert!(
            is_date_time("2010-01-01T19:23:24"),
            "ajv-formats 2.1 takes a time without offset"
        );
        assert!(is_date_time("2024-02-29T23:59:60Z"));
        assert!(!is_date_time("2023-02-29T00:00:00Z"));
        assert!(!is_date_time("2023-01-01"));
        assert!(!is_date_time("2023-01-01T24:00:00Z"));
        assert!(is_rfc3339("on 2010-01-01T19:23:24Z, say"));
        assert!(!is_rfc3339("2010-01-01T19:23:24"));
    }

    #[test]
    fn strict_and_loose() {
        let doc = serde_json::json!({
            "@context": ["https://www.w3.org/2018/credentials/v1", {"x": "y"}],
            "type": ["VerifiableCredential"],
            "credentialSubject": {},
            "issuer": {"id": "https://example.com", "name": "Issuer"},
            "issuanceDate": "2010-01-01T19:23:24Z",
            "openAttestationMetadata": {
                "proof": {"type": "OpenAttestationProofMethod", "method": "DOCUMENT_STORE", "value": "0x01"},
                "identityProof": {"type": "DNS-TXT", "identifier": "example.com"}
            }
        });
        assert_eq!(validate_credential(&doc, SchemaMode::Strict), Ok(()));
        let mut odd = doc.clone();
        odd["openAttestationMetadata"]["proof"]["method"] = "SOMETHING".into();
        odd["issuanceDate"] = "yesterday".into();
        let errors = validate_credential(&odd, SchemaMode::Strict).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["issuanceDate", "openAttestationMetadata.proof.method"]
        );
        assert_eq!(validate_credential(&odd, SchemaMode::Loose), Ok(()));
        let mut missing = doc;
        missing["openAttestationMetadata"]["identityProof"]["extra"] = 1.into();
        missing.as_object_mut().unwrap().remove("issuer");
        let errors = validate_credential(&missing, SchemaMode::Loose).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["issuer", "openAttestationMetadata.identityProof.extra"]
        );
    }
}
