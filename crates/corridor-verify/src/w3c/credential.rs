//! What TrustVC requires of a credential before it looks at its proof (`_checkCredential` of
//! `@trustvc/w3c-vc` 2.0), check for check in its order and with its messages, read as
//! JavaScript reads the JSON (truthiness, `String(value)`, `new URL`, `new Date`).

use corridor_js::{parse_date, parse_int, to_iso_string, to_js_string, truthy};
use serde_json::{Map, Value};

use super::{TRANSFERABLE_RECORDS, VC_V1, VC_V2};

/// Whether the credential is about to be signed or has been (the checks differ a little).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Sign,
    Verify,
}

/// jsonld.js's `getValues`: a property's values as a list (none when it is missing or falsy).
pub fn values<'a>(object: &'a Map<String, Value>, key: &str) -> Vec<&'a Value> {
    match object.get(key) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) if truthy(v) => vec![v],
        _ => Vec::new(),
    }
}

/// Whether `credential`'s `type` (one or a list) includes `kind`.
///
/// ```
/// let list = serde_json::json!({"type": ["VerifiableCredential", "StatusList2021Credential"]});
/// assert!(corridor_verify::w3c::is_of_type(&list, "StatusList2021Credential"));
/// ```
pub fn is_of_type(credential: &Value, kind: &str) -> bool {
    credential
        .as_object()
        .is_some_and(|c| values(c, "type").iter().any(|t| t.as_str() == Some(kind)))
}

/// Whether a status list credential, which keeps the `id` its issuer gave it.
pub(crate) fn is_status_list_credential(credential: &Value) -> bool {
    is_of_type(credential, "BitstringStatusListCredential")
        || is_of_type(credential, "StatusList2021Credential")
}

/// The credential's first `@context`: the data model version it claims.
pub fn first_context(object: &Map<String, Value>) -> Option<&Value> {
    match values(object, "@context").first() {
        Some(first) => Some(first),
        None => object.get("@context"),
    }
}

/// Checks `credential` as TrustVC's `_checkCredential` does at `now` (milliseconds since the
/// epoch): `Err` with TrustVC's message for the first requirement it fails.
///
/// ```
/// use corridor_verify::w3c::{check_credential, Mode};
/// let credential = serde_json::json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2"],
///     "type": ["VerifiableCredential"],
///     "issuer": "did:web:example.com",
///     "validFrom": "2026-01-01T00:00:00Z",
///     "credentialSubject": {"name": "x"}
/// });
/// assert_eq!(check_credential(&credential, 0, Mode::Sign), Ok(()));
/// assert_eq!(
///     check_credential(&credential, 0, Mode::Verify).unwrap_err(),
///     "The current date time (1970-01-01T00:00:00.000Z) is before the \"validFrom\" (2026-01-01T00:00:00Z)."
/// );
/// let now = 1_800_000_000_000; // 2027
/// assert_eq!(
///     check_credential(&credential, now, Mode::Verify).unwrap_err(),
///     "\"proof\" property is required."
/// );
/// ```
pub fn check_credential(credential: &Value, now: i64, mode: Mode) -> Result<(), String> {
    let Value::Object(c) = credential else {
        return Err(match credential {
            Value::Null => "Cannot read properties of null (reading '@context')".into(),
            _ => "\"@context\" property is required.".into(),
        });
    };
    if values(c, "@context").is_empty() {
        return Err("\"@context\" property is required.".into());
    }
    let first = first_context(c).and_then(Value::as_str);
    if first != Some(VC_V1) && first != Some(VC_V2) {
        return Err(format!(
            "The first element of '@context' must be either '{VC_V1}' (v1.1) or '{VC_V2}' (v2.0)."
        ));
    }
    if !c.get("type").is_some_and(truthy) {
        return Err("\"type\" property is required.".into());
    }
    if !values(c, "type")
        .iter()
        .any(|t| t.as_str() == Some("VerifiableCredential"))
    {
        return Err("\"type\" must include `VerifiableCredential`.".into());
    }
    check_subjects(c)?;
    let issuer = c.get("issuer").filter(|i| truthy(i));
    let Some(issuer) = issuer else {
        return Err("\"issuer\" property is required.".into());
    };
    if values(c, "issuer").len() > 1 {
        return Err("\"issuer\" property can only have one value.".into());
    }
    let issuer_id = match issuer {
        Value::String(_) => Some(issuer),
        Value::Object(o) => o.get("id"),
        Value::Array(_) => None,
        other => {
            return Err(format!(
                "Cannot use 'in' operator to search for 'id' in {}",
                to_js_string(other)
            ));
        }
    };
    match issuer_id.filter(|id| truthy(id)) {
        Some(id) => validate_uri(id, "issuer")?,
        None => return Err("\"issuer\" id is required.".into()),
    }
    if first == Some(VC_V2) {
        check_schemas(c)?;
        check_date(c, "validFrom", true)?;
        check_date(c, "validUntil", true)?;
        if let (Some(from), Some(until)) = (c.get("validFrom"), c.get("validUntil"))
            && let (Some(from), Some(until)) = (date_of(from), date_of(until))
            && from > until
        {
            return Err("validFrom must be temporally the same or earlier than validUntil".into());
        }
        if mode == Mode::Verify
            && let Some(from) = c.get("validFrom").filter(|v| truthy(v))
            && date_of(from).is_some_and(|from| now < from)
        {
            return Err(format!(
                "The current date time ({}) is before the \"validFrom\" ({}).",
                to_iso_string(now),
                to_js_string(from)
            ));
        }
    } else {
        if !c.get("issuanceDate").is_some_and(truthy) {
            return Err("\"issuanceDate\" property is required.".into());
        }
        check_date(c, "issuanceDate", true)?;
        check_date(c, "expirationDate", false)?;
        if mode == Mode::Verify
            && let Some(issued) = c.get("issuanceDate")
            && date_of(issued).is_some_and(|issued| now < issued)
        {
            return Err(format!(
                "The current date time ({}) is before the \"issuanceDate\" ({}).",
                to_iso_string(now),
                to_js_string(issued)
            ));
        }
    }
    match mode {
        Mode::Verify => {
            if !c.get("proof").is_some_and(truthy) {
                return Err("\"proof\" property is required.".into());
            }
            let proofs = values(c, "proof");
            if proofs.len() > 1 {
                return Err("\"proof\" property can only have one value.".into());
            }
            let proof_type = proofs.first().and_then(|p| p.get("type"));
            if !proof_type
                .and_then(Value::as_str)
                .is_some_and(is_known_proof_type)
            {
                return Err("\"proof\" type is not of BbsBlsSignature2020.".into());
            }
        }
        Mode::Sign => {
            if c.get("proof").is_some_and(truthy) {
                return Err("\"proof\" property is already there.".into());
            }
            if c.get("id").is_some_and(truthy) && !is_status_list_credential(credential) {
                return Err("\"id\" is a defined field and should not be set by the user.".into());
            }
        }
    }
    check_statuses(c, mode)?;
    for prop in [
        "proof",
        "credentialStatus",
        "credentialSchema",
        "termsOfUse",
        "refreshService",
        "evidence",
    ] {
        match c.get(prop) {
            None => {}
            Some(Value::Array(items)) => {
                for item in items {
                    check_typed_object(item, prop)?;
                }
            }
            Some(value) => check_typed_object(value, prop)?,
        }
    }
    Ok(())
}

/// The proof types TrustVC knows a suite for (its `proofTypeMapping`).
fn is_known_proof_type(t: &str) -> bool {
    matches!(
        t,
        "BbsBlsSignature2020" | "BbsBlsSignatureProof2020" | "DataIntegrityProof"
    )
}

/// The date a value stands for, as `new Date(value)` reads it.
fn date_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => {
            let ms = corridor_js::number_value(n);
            (ms.is_finite() && ms.abs() <= 8.64e15).then(|| ms.trunc() as i64)
        }
        other => parse_date(&to_js_string(other)),
    }
}

/// `assertDateString` (when the property is there) and the one-value rule.
fn check_date(c: &Map<String, Value>, prop: &str, single: bool) -> Result<(), String> {
    let Some(value) = c.get(prop) else {
        return Ok(());
    };
    let text = to_js_string(value);
    if !date_pattern().is_match(&text) {
        return Err(format!("\"{prop}\" must be a valid date: {text}"));
    }
    if single && values(c, prop).len() > 1 {
        return Err(format!("\"{prop}\" property can only have one value."));
    }
    Ok(())
}

/// Whether `text` holds an XML Schema date-time where data-integrity and TrustVC look for one.
pub(crate) fn is_w3c_date(text: &str) -> bool {
    date_pattern().is_match(text)
}

/// TrustVC's date pattern, unanchored as it tests it (so a date anywhere in the text passes;
/// `.` is JavaScript's, which does not match line terminators).
fn date_pattern() -> &'static regex::Regex {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| {
        regex::Regex::new(
            r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([^\n\r\u{2028}\u{2029}][0-9]+)?|(24:00:00([^\n\r\u{2028}\u{2029}]0+)?))(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?",
        )
        .expect("a valid pattern")
    })
}

fn check_subjects(c: &Map<String, Value>) -> Result<(), String> {
    match c.get("credentialSubject").filter(|s| truthy(s)) {
        None => Err("\"credentialSubject\" property is required.".into()),
        Some(Value::Array(subjects)) => subjects.iter().try_for_each(check_subject),
        Some(subject) => check_subject(subject),
    }
}

fn check_subject(subject: &Value) -> Result<(), String> {
    let keys = match subject {
        Value::Object(o) => o.len(),
        Value::Array(items) => items.len(),
        _ => return Err("\"credentialSubject\" must be a non-null object.".into()),
    };
    if keys == 0 {
        return Err("\"credentialSubject\" must make a claim.".into());
    }
    if let Some(id) = subject.get("id").filter(|id| truthy(id)) {
        validate_uri(id, "credentialSubject.id")?;
    }
    Ok(())
}

fn check_schemas(c: &Map<String, Value>) -> Result<(), String> {
    let Some(schemas) = c.get("credentialSchema") else {
        return Ok(());
    };
    let schemas = match schemas {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    for schema in schemas {
        if !matches!(schema, Value::Object(_) | Value::Array(_)) {
            return Err("credentialSchema must be an object".into());
        }
        let id = schema.get("id").filter(|id| truthy(id)).ok_or(
            "credentialSchema objects must have an id property that is a URL identifying the schema file",
        )?;
        let Value::String(id) = id else {
            return Err("credentialSchema id property must be a URL string".into());
        };
        if url::Url::parse(id).is_err() {
            return Err("credentialSchema id property must be a valid URL".into());
        }
    }
    Ok(())
}

fn check_typed_object(value: &Value, name: &str) -> Result<(), String> {
    let empty = match value {
        Value::Object(o) => o.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => return Err(format!("property \"{name}\" must be an object.")),
    };
    if empty {
        return Err(format!("property \"{name}\" can not be an empty object."));
    }
    let typed = match value {
        Value::Object(o) => o.contains_key("type"),
        _ => false,
    };
    if !typed {
        return Err(format!("property \"{name}\" must have property type."));
    }
    Ok(())
}

/// `new URL(String(id))` must succeed (WHATWG URL parsing, as the `url` crate implements it).
pub fn validate_uri(id: &Value, property: &str) -> Result<(), String> {
    let text = to_js_string(id);
    url::Url::parse(&text)
        .map(|_| ())
        .map_err(|_| format!("\"{property}\" must be a URI: \"{text}\"."))
}

/// TrustVC's `assertCredentialStatuses`: each entry by its type, and a transferable record
/// status alone.
fn check_statuses(c: &Map<String, Value>, mode: Mode) -> Result<(), String> {
    let entries = values(c, "credentialStatus");
    for entry in &entries {
        check_status_entry(entry, mode)?;
    }
    if entries
        .iter()
        .any(|e| e.get("type").and_then(Value::as_str) == Some(TRANSFERABLE_RECORDS))
        && c.get("credentialStatus")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            != Some(TRANSFERABLE_RECORDS)
    {
        return Err("\"credentialStatus\" TransferableRecords must be the only credential status and must be an object.".into());
    }
    Ok(())
}

/// One status entry, as `assertCredentialStatus` and the entry type's own assertions check it.
pub fn check_status_entry(entry: &Value, mode: Mode) -> Result<(), String> {
    if entry.is_null() {
        return Err("Cannot destructure property 'id' of 'cs' as it is null.".into());
    }
    if let Some(id) = entry.get("id").filter(|id| truthy(id)) {
        validate_uri(id, "credentialStatus.id")?;
    }
    let Some(kind) = entry.get("type").filter(|t| truthy(t)) else {
        return Err("\"credentialStatus\" must include a type.".into());
    };
    match kind.as_str() {
        Some("StatusList2021Entry" | "BitstringStatusListEntry") => {
            let purpose = entry.get("statusPurpose").and_then(Value::as_str);
            if !matches!(purpose, Some("revocation" | "suspension")) {
                return Err("Unsupported statusPurpose: statusPurpose must be \"revocation\" or \"suspension\".".into());
            }
            let index = status_list_index(entry);
            if !(index.fract() == 0.0 && index >= 0.0) {
                return Err(format!(
                    "Invalid statusListIndex: Invalid Number: '{}'",
                    entry
                        .get("statusListIndex")
                        .map_or("undefined".into(), to_js_string)
                ));
            }
            validate_uri(
                entry.get("statusListCredential").unwrap_or(&Value::Null),
                "credentialStatus.statusListCredential",
            )
        }
        Some(TRANSFERABLE_RECORDS) => {
            let network = entry.get("tokenNetwork");
            let Some(network) = network.filter(|n| !n.is_null()) else {
                return Err("Cannot read properties of undefined (reading 'chain')".into());
            };
            let string = |v: Option<&Value>, name: &str| match v {
                Some(Value::String(_)) => Ok(()),
                _ => Err(format!("\"{name}\" must be a string.")),
            };
            match mode {
                Mode::Sign if entry.get("tokenId").is_some_and(truthy) => {
                    return Err("\"tokenId\" is a generated field and should not be included in the credential status.".into());
                }
                Mode::Sign => {}
                Mode::Verify => string(entry.get("tokenId"), "credentialStatus.tokenId")?,
            }
            string(entry.get("tokenRegistry"), "credentialStatus.tokenRegistry")?;
            string(network.get("chain"), "credentialStatus.tokenNetwork.chain")
        }
        _ => Err(format!("Unsupported type: {}", to_js_string(kind))),
    }
}

/// `Number.parseInt(statusListIndex)`: `"12abc"` is 12, `"0x10"` 16, a number its integer part
/// as written; `NaN` when no digit starts it.
pub fn status_list_index(entry: &Value) -> f64 {
    match entry.get("statusListIndex") {
        None => f64::NAN,
        Some(v) => parse_int(&to_js_string(v), None),
    }
}
