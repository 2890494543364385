//! `OpenAttestationDidSignedDocumentStatus`: was the document signed by its issuers' DIDs
//! (and, where revocation is declared, is it not revoked)?

use std::sync::Arc;

use corridor_format::did::{DidProof, ethr_address, parse_did_proofs, recover_signer};
use corridor_format::v3::WrappedCredential;
use corridor_format::{Hash32, RevocationReason};
use serde_json::Value;

use crate::providers::{FetchError, HttpGet, NotAsked};
use crate::subject::BatchPlace;
use crate::{Check, Fragment, FragmentType, Reason, Status, Subject};

/// Checks every issuer's signature over the merkle root, and asks each issuer's revocation
/// responder (`OCSP_RESPONDER`) whether the document was revoked.
///
/// `did:ethr` DIDs are resolved to their default DID document: the controller key is the DID's
/// own address. A DID whose controller was changed on chain needs the chain to see it.
#[derive(Default)]
pub struct DidSignedCheck {
    /// Reaches revocation responders; without it, their revocation is reported unchecked.
    pub http: Option<Arc<dyn HttpGet>>,
}

/// The fragment's name.
pub const NAME: &str = "OpenAttestationDidSignedDocumentStatus";
const KIND: FragmentType = FragmentType::Status;

const SKIPPED: (u32, &str) = (0, "SKIPPED");
const UNEXPECTED_ERROR: (u32, &str) = (1, "UNEXPECTED_ERROR");
const MISSING_REVOCATION: (u32, &str) = (2, "MISSING_REVOCATION");
const INVALID_ISSUERS: (u32, &str) = (4, "INVALID_ISSUERS");
const MALFORMED_IDENTITY_PROOF: (u32, &str) = (5, "MALFORMED_IDENTITY_PROOF");
const CORRESPONDING_PROOF_MISSING: (u32, &str) = (6, "CORRESPONDING_PROOF_MISSING");
const DID_MISSING: (u32, &str) = (7, "DID_MISSING");
const UNRECOGNIZED_REVOCATION_TYPE: (u32, &str) = (9, "UNRECOGNIZED_REVOCATION_TYPE");
const REVOCATION_LOCATION_MISSING: (u32, &str) = (10, "REVOCATION_LOCATION_MISSING");
const OCSP_RESPONSE_INVALID: (u32, &str) = (11, "OCSP_RESPONSE_INVALID");
// Codes of the signature check itself (tt-verify's OpenAttestationSignatureCode).
const KEY_NOT_IN_DID: (u32, &str) = (4, "KEY_NOT_IN_DID");
const WRONG_SIGNATURE: (u32, &str) = (7, "WRONG_SIGNATURE");

fn fail(
    status: Status,
    code: (u32, &'static str),
    message: impl Into<std::borrow::Cow<'static, str>>,
) -> Fragment {
    Fragment::with_reason(NAME, KIND, status, code, message)
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl Check for DidSignedCheck {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, subject: &Subject) -> Fragment {
        let not_signed = |why: String| {
            fail(
                Status::Skipped,
                SKIPPED,
                format!("Document was not signed by DID directly{why}"),
            )
        };
        if let Some(v3) = &subject.v3 {
            return self.check_v3(subject, v3);
        }
        let (Ok(doc), Some(issuers)) = (&subject.wrapped, subject.issuers()) else {
            return not_signed(String::new());
        };
        let Some(proof_value) = &doc.did_proof else {
            return not_signed(String::new());
        };
        let proofs = match parse_did_proofs(proof_value) {
            Ok(p) => p,
            Err(e) => return not_signed(format!(" ({e})")),
        };

        for issuer in issuers {
            let kind = issuer.get("identityProof").and_then(|p| text(p, "type"));
            if !matches!(kind, Some("DID" | "DNS-DID")) {
                return fail(
                    Status::Error,
                    INVALID_ISSUERS,
                    "All issuers must use DID or DNS-DID identityProof type.",
                );
            }
        }
        // As tt-verify: every issuer's revocation block is read first, then the responders are
        // asked, then the signatures are checked; a bad signature outranks a revocation.
        let mut responders = Vec::new();
        // Each revocation not checked, and why: "OCSP_RESPONDER at <url>: <why>".
        let mut unchecked_revocation = Vec::new();
        for issuer in issuers {
            let revocation = issuer.get("revocation");
            if revocation.and_then(|r| r.get("type")).is_none() {
                return fail(
                    Status::Error,
                    MISSING_REVOCATION,
                    "revocation block not found for an issuer",
                );
            }
        }
        for issuer in issuers {
            let revocation = issuer.get("revocation");
            match revocation.and_then(|r| text(r, "type")) {
                Some("NONE") => {}
                Some(kind @ ("OCSP_RESPONDER" | "REVOCATION_STORE")) => {
                    let Some(location) = revocation.and_then(|r| text(r, "location")) else {
                        return fail(
                            Status::Error,
                            REVOCATION_LOCATION_MISSING,
                            "missing revocation location for an issuer",
                        );
                    };
                    let why = match (kind, &self.http) {
                        ("OCSP_RESPONDER", Some(_)) => {
                            responders.push(location);
                            continue;
                        }
                        (_, None) => "verification was offline",
                        (_, Some(_)) => "Corridor does not reach revocation stores on a chain yet",
                    };
                    unchecked_revocation.push(format!("{kind} at {location}: {why}"));
                }
                _ => {
                    return fail(
                        Status::Error,
                        UNRECOGNIZED_REVOCATION_TYPE,
                        "unrecognized revocation type for an issuer",
                    );
                }
            }
        }
        let mut revoked = None;
        if let (Some(http), Some(place)) = (&self.http, subject.batch_place()) {
            for location in responders {
                match ask_responder(http.as_ref(), place, location) {
                    Ok(Answer::NotRevoked) => {}
                    Ok(Answer::Revoked(reason)) => {
                        revoked.get_or_insert(reason);
                    }
                    Ok(Answer::NotAsked(why)) => {
                        unchecked_revocation.push(format!("OCSP_RESPONDER at {location}: {why}"))
                    }
                    Err(fragment) => return fragment,
                }
            }
        }

        for issuer in issuers {
            if let Some(fragment) = check_issuer_signature(issuer, &proofs, &doc.merkle_root) {
                return fragment;
            }
        }
        signed_and(revoked, &unchecked_revocation)
    }
}

/// The fragment once every signature is valid: revoked for `revoked`'s reason, not checked
/// for the revocations `unchecked` lists, else valid.
fn signed_and(revoked: Option<Reason>, unchecked: &[String]) -> Fragment {
    if let Some(reason) = revoked {
        return Fragment {
            name: NAME,
            kind: KIND,
            status: Status::Invalid,
            reason: Some(reason),
            data: None,
        };
    }
    if unchecked.is_empty() {
        Fragment::valid(NAME, KIND)
    } else {
        fail(
            Status::NotChecked,
            SKIPPED,
            format!(
                "every issuer's signature is valid, but revocation was not checked ({})",
                unchecked.join("; ")
            ),
        )
    }
}

impl DidSignedCheck {
    /// A v3 document: one signature (`proof.key`, `proof.signature`) by the DID the proof
    /// method names, and the proof method's revocation.
    fn check_v3(&self, subject: &Subject, v3: &WrappedCredential) -> Fragment {
        let Some(signed) = &v3.signature else {
            return fail(
                Status::Skipped,
                SKIPPED,
                "Document was not signed by DID directly",
            );
        };
        let proof = v3.metadata().get("proof");
        let revocation = proof.and_then(|p| p.get("revocation"));
        let kind = revocation.and_then(|r| r.get("type"));
        if !kind.is_some_and(super::document_store::truthy) {
            return fail(
                Status::Error,
                MISSING_REVOCATION,
                "revocation block not found for an issuer",
            );
        }
        let location = revocation
            .and_then(|r| r.get("location"))
            .and_then(Value::as_str);
        let mut unchecked = None;
        let mut revoked = None;
        match kind.and_then(Value::as_str) {
            Some("NONE") => {}
            Some(kind @ ("OCSP_RESPONDER" | "REVOCATION_STORE")) => {
                let Some(location) = location else {
                    return fail(
                        Status::Error,
                        REVOCATION_LOCATION_MISSING,
                        "missing revocation location for an issuer",
                    );
                };
                match (kind, &self.http, subject.batch_place()) {
                    ("OCSP_RESPONDER", Some(http), Some(place)) => {
                        match ask_responder(http.as_ref(), place, location) {
                            Ok(Answer::NotRevoked) => {}
                            Ok(Answer::Revoked(reason)) => revoked = Some(reason),
                            Ok(Answer::NotAsked(why)) => {
                                unchecked = Some(format!("OCSP_RESPONDER at {location}: {why}"))
                            }
                            Err(fragment) => return fragment,
                        }
                    }
                    (_, None, _) => {
                        unchecked = Some(format!("{kind} at {location}: verification was offline"))
                    }
                    _ => {
                        unchecked = Some(format!(
                            "{kind} at {location}: Corridor does not reach revocation stores on a chain yet"
                        ))
                    }
                }
            }
            _ => {
                return fail(
                    Status::Error,
                    UNRECOGNIZED_REVOCATION_TYPE,
                    "revocation type not found for an issuer",
                );
            }
        }
        let did = v3.metadata_text("proof", "value").unwrap_or_default();
        if let Some(fragment) =
            check_signature(did, &signed.key, &signed.signature, &v3.merkle_root)
        {
            return fragment;
        }
        signed_and(revoked, unchecked.as_slice())
    }
}

/// What a revocation responder said of a document.
enum Answer {
    NotRevoked,
    /// Revoked, for this reason: the first revoked hash's.
    Revoked(Reason),
    /// A question it needed was kept back, so revocation is unknown.
    NotAsked(NotAsked),
}

/// Asks the responder at `location` about every hash from the document's target hash to its
/// merkle root, in that order, as tt-verify does (`GET <location>/0x<hash>`).
fn ask_responder(
    http: &dyn HttpGet,
    doc: BatchPlace<'_>,
    location: &str,
) -> Result<Answer, Fragment> {
    let unreadable = |what: &str| {
        fail(
            Status::Error,
            UNEXPECTED_ERROR,
            format!("cannot ask the revocation responder: {what} is not a hash"),
        )
    };
    let target =
        Hash32::from_node_hex(doc.target_hash).ok_or_else(|| unreadable("the target hash"))?;
    let proof = doc
        .proof
        .iter()
        .map(|p| Hash32::from_node_hex(p).ok_or_else(|| unreadable("a proof element")))
        .collect::<Result<Vec<_>, _>>()?;
    let invalid = |detail: String| {
        fail(
            Status::Error,
            OCSP_RESPONSE_INVALID,
            format!("Invalid or unexpected response from OCSP Responder{detail}"),
        )
    };
    for hash in crate::memo::with_nodes(|memo| memo.path(&target, &proof)) {
        let response = match http.get(&format!("{location}/0x{hash}")) {
            Ok(response) => response,
            Err(FetchError::NotAsked(why)) => return Ok(Answer::NotAsked(why)),
            Err(FetchError::Failed(e) | FetchError::NoSuchHost(e)) => {
                return Err(fail(
                    Status::Unreachable,
                    OCSP_RESPONSE_INVALID,
                    format!("Invalid or unexpected response from OCSP Responder - {e}"),
                ));
            }
        };
        let body: Value = serde_json::from_slice(&response.body).map_err(|e| {
            fail(
                Status::Error,
                UNEXPECTED_ERROR,
                format!("the revocation responder at {location} did not answer JSON: {e}"),
            )
        })?;
        let answered = body.get("documentHash").is_some_and(Value::is_string);
        match (body.get("revoked").and_then(Value::as_bool), answered) {
            (Some(false), true) => continue,
            (Some(true), true) => {
                let reason = body
                    .get("reasonCode")
                    .and_then(Value::as_f64)
                    .filter(|c| c.fract() == 0.0)
                    .and_then(|c| RevocationReason::from_code(c as i64))
                    .ok_or_else(|| invalid(String::new()))?;
                return Ok(Answer::Revoked(Reason {
                    code: reason.code() as u32,
                    code_string: reason.name(),
                    message: format!(
                        "Document 0x{} has been revoked under OCSP Responder: {location}",
                        doc.merkle_root
                    )
                    .into(),
                }));
            }
            _ => return Err(invalid(String::new())),
        }
    }
    Ok(Answer::NotRevoked)
}

/// The fragment that ends the check for this issuer, or `None` when its signature is valid.
fn check_issuer_signature(
    issuer: &Value,
    proofs: &[DidProof],
    merkle_root: &str,
) -> Option<Fragment> {
    let Some(did) = text(issuer, "id") else {
        return Some(fail(Status::Error, DID_MISSING, "id is missing in issuer"));
    };
    let Some(key) = issuer.get("identityProof").and_then(|p| text(p, "key")) else {
        return Some(fail(
            Status::Error,
            MALFORMED_IDENTITY_PROOF,
            "Key is not present",
        ));
    };
    let Some(proof) = proofs
        .iter()
        .find(|p| p.verification_method.eq_ignore_ascii_case(key))
    else {
        return Some(fail(
            Status::Error,
            CORRESPONDING_PROOF_MISSING,
            format!("Proof not found for {key}"),
        ));
    };
    check_signature(did, key, &proof.signature, merkle_root)
}

/// The fragment that ends the check when `signature` over the merkle root is not `key`'s of
/// `did`, or `None` when it is.
fn check_signature(did: &str, key: &str, signature: &str, merkle_root: &str) -> Option<Fragment> {
    let Some(address) = ethr_address(did) else {
        return Some(fail(
            Status::NotChecked,
            SKIPPED,
            format!(
                "the DID {did} is not a did:ethr address, and other DID methods need the network to resolve"
            ),
        ));
    };
    // The default did:ethr document has one verification method: `<did>#controller`.
    if !key.eq_ignore_ascii_case(&format!("{did}#controller")) {
        return Some(fail(
            Status::Error,
            KEY_NOT_IN_DID,
            format!("No public key found on DID document for the DID {did} and key {key}"),
        ));
    }
    // The reference signs the bytes of `0x<merkleRoot>`; a root that is not hex bytes is an error.
    match recover_signer(merkle_root, signature) {
        Ok(signer) if signer == address => None,
        Ok(_) => {
            let shown = did.rsplit(':').next().unwrap_or(did);
            Some(fail(
                Status::Invalid,
                WRONG_SIGNATURE,
                format!("merkle root is not signed correctly by {shown}"),
            ))
        }
        Err(e) => Some(fail(
            Status::Error,
            UNEXPECTED_ERROR,
            format!("the signature of {key} cannot be checked: {e}"),
        )),
    }
}
