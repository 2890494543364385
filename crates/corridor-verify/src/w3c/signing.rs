//! What TrustVC's `signW3C` does to a credential before its proof is made, so that what
//! Corridor signs is what TrustVC would have signed: its requirements checked, an `id` given,
//! a transferable record's token id derived from it, and the mandatory pointers chosen.

use serde_json::Value;
use sha2::Digest;

use super::credential::{Mode, check_credential, is_status_list_credential};
use super::{TRANSFERABLE_RECORDS, VC_V2};

/// A credential ready for its proof, and the pointers its proof must always disclose.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub credential: Value,
    pub mandatory_pointers: Vec<String>,
}

/// The token id of a transferable record whose credential has the id `id`, as TrustVC makes
/// it: the lowercase hex SHA-256 of the id's text.
///
/// ```
/// assert_eq!(
///     corridor_verify::w3c::token_id_of(""),
///     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// ```
pub fn token_id_of(id: &str) -> String {
    const_hex::encode(sha2::Sha256::digest(id.as_bytes()))
}

/// Prepares `credential` as `signW3C` does, at `now_ms`, with `random` for its id:
/// - TrustVC's requirements for signing (`Err` with its message for the first one failed);
/// - `id` set to `urn:uuid:` and a version 7 UUID (a status list credential keeps its own);
/// - for a `TransferableRecords` status, `tokenId` = the lowercase hex SHA-256 of that id;
/// - mandatory pointers `/issuer`, then `/validFrom` when a VC 2.0 credential has one (or
///   `/issuanceDate` for VC 1.1), then `extra` less those already there.
///
/// ```
/// use corridor_verify::w3c::prepare_for_signing;
/// let credential = serde_json::json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2"],
///     "type": ["VerifiableCredential"],
///     "issuer": "did:web:example.com",
///     "validFrom": "2026-01-01T00:00:00Z",
///     "credentialSubject": {"name": "x"}
/// });
/// let prepared = prepare_for_signing(&credential, 0, [0; 10], &["/issuer".into(), "/credentialSubject".into()]).unwrap();
/// assert_eq!(prepared.credential["id"], "urn:uuid:00000000-0000-7000-8000-000000000000");
/// assert_eq!(prepared.mandatory_pointers, ["/issuer", "/validFrom", "/credentialSubject"]);
/// ```
pub fn prepare_for_signing(
    credential: &Value,
    now_ms: u64,
    random: [u8; 10],
    extra: &[String],
) -> Result<Prepared, String> {
    check_credential(credential, now_ms as i64, Mode::Sign)?;
    let is_status_list = is_status_list_credential(credential);
    let mut credential = credential.clone();
    let object = credential
        .as_object_mut()
        .ok_or("a credential is a JSON object")?;
    if !(is_status_list && object.get("id").is_some_and(corridor_js::truthy)) {
        let uuid = uuid::Builder::from_unix_timestamp_millis(now_ms, &random).into_uuid();
        object.insert("id".into(), Value::String(format!("urn:uuid:{uuid}")));
    }
    let id = object["id"].as_str().unwrap_or_default().to_owned();
    if let Some(Value::Object(status)) = object.get_mut("credentialStatus")
        && status.get("type").and_then(Value::as_str) == Some(TRANSFERABLE_RECORDS)
    {
        status.insert("tokenId".into(), Value::String(token_id_of(&id)));
    }
    let v2 = super::credential::first_context(object).and_then(Value::as_str) == Some(VC_V2);
    let mut mandatory_pointers = vec!["/issuer".to_owned()];
    if !v2 {
        mandatory_pointers.push("/issuanceDate".into());
    } else if object.get("validFrom").is_some_and(corridor_js::truthy) {
        mandatory_pointers.push("/validFrom".into());
    }
    for pointer in extra {
        if !mandatory_pointers.contains(pointer) {
            mandatory_pointers.push(pointer.clone());
        }
    }
    Ok(Prepared {
        credential,
        mandatory_pointers,
    })
}

/// A date as Data Integrity writes one (a proof's `created`, and TrustVC's dates): to the
/// second, in UTC.
///
/// ```
/// assert_eq!(corridor_verify::w3c::data_integrity_date(1_764_000_000_123), "2025-11-24T16:00:00Z");
/// ```
pub fn data_integrity_date(ms: u64) -> String {
    let iso = corridor_js::to_iso_string(ms as i64);
    format!("{}Z", &iso[..19])
}

/// `credential` signed with a base proof as TrustVC's `signW3C` makes one at `now_ms`:
/// prepared ([`prepare_for_signing`], `random` making its id), then proved with `key` for
/// `method` (a DID URL, as `did:web:example.com#keys-1`). `Err` says why not: TrustVC's
/// requirement it fails, or what in it cannot be signed (a term no context defines).
pub fn sign_credential(
    processor: &corridor_jsonld::Processor,
    key: &corridor_di::IssuerSigningKey,
    method: &str,
    credential: &Value,
    mandatory: &[String],
    now_ms: u64,
    random: [u8; 10],
) -> Result<Value, String> {
    let prepared = prepare_for_signing(credential, now_ms, random, mandatory)?;
    corridor_di::sign(
        processor,
        &prepared.credential,
        key,
        method,
        &data_integrity_date(now_ms),
        &prepared.mandatory_pointers,
    )
    .map_err(|e| e.to_string())
}

/// The `credentialStatus` entry of `index` on the status list at `list_url`, whose entries
/// mean `purpose` (`revocation` or `suspension`): a `StatusList2021Entry` on a
/// `StatusList2021Credential`, else a `BitstringStatusListEntry`.
///
/// ```
/// let entry = corridor_verify::w3c::status_list_entry("https://x.example/status/1", "revocation", 7, false);
/// assert_eq!(entry["id"], "https://x.example/status/1#7");
/// assert_eq!(entry["statusListIndex"], "7");
/// assert_eq!(entry["type"], "BitstringStatusListEntry");
/// ```
pub fn status_list_entry(list_url: &str, purpose: &str, index: u64, of_2021: bool) -> Value {
    let kind = if of_2021 {
        "StatusList2021Entry"
    } else {
        "BitstringStatusListEntry"
    };
    serde_json::json!({
        "id": format!("{list_url}#{index}"),
        "type": kind,
        "statusPurpose": purpose,
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}
