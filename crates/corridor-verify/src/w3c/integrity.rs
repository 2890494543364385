//! The integrity fragments of a W3C credential: `W3CSignatureIntegrity` (the legacy
//! `BbsBlsSignature2020` proofs), `EcdsaW3CSignatureIntegrity` and
//! `Bbs2023W3CSignatureIntegrity`, as TrustVC 2.11 runs them: `verifyCredential` of
//! `@trustvc/w3c-vc` over `jsonld-signatures` 11 and `@digitalbazaar/data-integrity` — the
//! credential's requirements, the proof's purpose, its verification method resolved through the
//! issuer's DID document, the signatures, then the controller's `assertionMethod`.

use std::sync::Arc;

use corridor_di::{Cryptosuite, DiError, IssuerKey, bbs_2020, disclosed_pointers};
use corridor_js::to_js_string;
use serde_json::{Map, Value};

use super::credential::{Mode, check_credential, is_w3c_date, values};
use super::loader::{Cut, Fetched};
use super::{FragmentOut, W3cVerifier};
use crate::{Fragment, FragmentData, FragmentType, Status};

const KIND: FragmentType = FragmentType::Integrity;
pub const LEGACY: &str = "W3CSignatureIntegrity";
pub const ECDSA: &str = "EcdsaW3CSignatureIntegrity";
pub const BBS: &str = "Bbs2023W3CSignatureIntegrity";

/// Why a credential's proof did not verify.
#[derive(Debug, Clone)]
pub(super) enum Failure {
    /// It does not: TrustVC's message, or Corridor's where TrustVC's is a JavaScript crash.
    Invalid(String),
    /// A base proof: TrustVC verifies a derivation of it instead.
    MustDerive,
    /// What it needs could not be fetched.
    Cut(Cut),
}

impl From<Cut> for Failure {
    fn from(cut: Cut) -> Failure {
        Failure::Cut(cut)
    }
}

/// The fragment name for a suite.
fn name_of(suite: Cryptosuite) -> &'static str {
    match suite {
        Cryptosuite::EcdsaSd2023 => ECDSA,
        Cryptosuite::Bbs2023 => BBS,
    }
}

/// The proof object, as `doc.proof?.…` reads it (a list has no `type`).
fn proof_of(doc: &Value) -> Option<&Map<String, Value>> {
    doc.get("proof")?.as_object()
}

/// `EcdsaW3CSignatureIntegrity` or `Bbs2023W3CSignatureIntegrity`.
pub(super) fn data_integrity(v: &W3cVerifier, doc: &Value, suite: Cryptosuite) -> Fragment {
    let name = name_of(suite);
    let applies = proof_of(doc).is_some_and(|p| {
        p.get("type").and_then(Value::as_str) == Some("DataIntegrityProof")
            && p.get("cryptosuite").and_then(Value::as_str) == Some(suite.name())
    });
    if !applies {
        return Fragment::with_reason(
            name,
            KIND,
            Status::Skipped,
            (0, "SKIPPED"),
            format!(
                "Document either has no proof or proof type is not 'DataIntegrityProof' or proof cryptosuite is not '{}'.",
                suite.name()
            ),
        );
    }
    let outcome = match v.verify_credential(doc) {
        Err(Failure::MustDerive) => match v.derive_for_checking(doc) {
            Ok(derived) => v
                .verify_credential(&derived)
                .map(|()| "Document verified after derivation"),
            Err(failure) => Err(failure),
        },
        other => other.map(|()| "Document verified successfully"),
    };
    match outcome {
        Ok(message) => Fragment::with_message(name, KIND, Status::Valid, message)
            .with_data(FragmentData::Passed(true)),
        Err(failure) => failed(name, KIND, failure),
    }
}

/// The fragment for a proof that did not verify, or could not be checked.
pub(super) fn failed(name: &'static str, kind: FragmentType, failure: Failure) -> Fragment {
    match failure {
        Failure::Invalid(message) => Fragment::with_message(name, kind, Status::Invalid, message)
            .with_data(FragmentData::Passed(false)),
        Failure::Cut(Cut::Unreachable(why)) => Fragment::with_message(
            name,
            kind,
            Status::Unreachable,
            format!("could not be checked: {why}"),
        ),
        Failure::Cut(Cut::NotAsked(why)) => Fragment::with_message(
            name,
            kind,
            Status::NotChecked,
            format!("not checked: {why}"),
        ),
        // Only a derived proof is verified, and it is never a base proof.
        Failure::MustDerive => Fragment::with_message(
            name,
            kind,
            Status::Invalid,
            "the derived credential carries a base proof",
        ),
    }
}

/// `W3CSignatureIntegrity`: the legacy `BbsBlsSignature2020` suite.
pub(super) fn legacy(v: &W3cVerifier, doc: &Value) -> Fragment {
    let Some(proof) = proof_of(doc).filter(|p| bbs_2020::LegacyProof::of(p).is_some()) else {
        return Fragment::with_reason(
            LEGACY,
            KIND,
            Status::Skipped,
            (0, "SKIPPED"),
            "Document either has no proof or proof.type is not 'BbsBlsSignature2020'.",
        );
    };
    if let Err(message) = check_credential(doc, v.now(), Mode::Verify) {
        return Fragment::with_message(LEGACY, KIND, Status::Invalid, message)
            .with_data(FragmentData::Passed(false));
    }
    match v.verify_legacy(doc, proof) {
        Ok(()) => Fragment::valid(LEGACY, KIND).with_data(FragmentData::Passed(true)),
        Err(failure) => failed(LEGACY, KIND, failure),
    }
}

impl W3cVerifier {
    /// `jsonld-signatures` 7 verifying a 2020 BBS+ proof, in its order: the credential's
    /// statements, the proof's purpose, the verification method and its key, the signature or
    /// proof of knowledge, then the controller's `assertionMethod`.
    fn verify_legacy(&self, doc: &Value, proof: &Map<String, Value>) -> FragmentOut {
        // The suite signs the credential and its proof options expanded, every term defined
        // (jsonld-signatures 7's strict expansion): what that refuses is refused.
        let statements = bbs_2020::Statements::of(&self.processor, doc).map_err(|e| {
            match (&e, doc.as_object()) {
                (DiError::JsonLd(_), Some(credential)) => self.json_ld_failure(credential, e),
                _ => Failure::Invalid(e.to_string()),
            }
        })?;
        if proof.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod") {
            return Err(Failure::Invalid(
                "Could not verify any proofs; no proofs matched the required suite and purpose."
                    .into(),
            ));
        }
        let method_id = method_id_of(proof)?;
        let method = self.verification_method(&method_id)?;
        let key =
            bbs_2020::bls12381_g2_key_2020(&method).map_err(|e| Failure::Invalid(e.to_string()))?;
        match statements.verify(&key) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Failure::Invalid(
                    match statements.kind() {
                        bbs_2020::LegacyProof::Signature => "Invalid signature.",
                        bbs_2020::LegacyProof::Proof => "Verification error.",
                    }
                    .into(),
                ));
            }
            Err(e) => return Err(Failure::Invalid(e.to_string())),
        }
        self.check_purpose(&method, &method_id)
    }

    /// TrustVC's `verifyCredential` of a credential with a selective disclosure proof:
    /// `Failure::MustDerive` for a base proof.
    pub(super) fn verify_credential(&self, doc: &Value) -> FragmentOut {
        check_credential(doc, self.now(), Mode::Verify).map_err(Failure::Invalid)?;
        let Value::Object(credential) = doc else {
            return Err(Failure::Invalid("a credential is a JSON object".into()));
        };
        let proof = values(credential, "proof")
            .first()
            .and_then(|p| p.as_object())
            .ok_or_else(|| Failure::Invalid("\"proof\" must be an object.".into()))?;
        let proof_type = proof.get("type").and_then(Value::as_str);
        if proof_type != Some("DataIntegrityProof") {
            return Err(Failure::Invalid(format!(
                "Proof type \"{}\" is not supported for verification.",
                proof.get("type").map_or("undefined".into(), to_js_string)
            )));
        }
        let suite = proof
            .get("cryptosuite")
            .and_then(Value::as_str)
            .and_then(Cryptosuite::named)
            .ok_or_else(|| {
                Failure::Invalid(format!(
                    "DataIntegrityProof with cryptosuite \"{}\" is not supported for verification.",
                    proof
                        .get("cryptosuite")
                        .map_or("undefined".into(), to_js_string)
                ))
            })?;
        if is_base_proof(suite, proof) {
            return Err(Failure::MustDerive);
        }
        // jsonld-signatures verifies only proofs made for the purpose it asks about.
        if proof.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod") {
            return Err(Failure::Invalid("Did not verify any proofs; insufficient proofs matched the acceptable suite(s) and required purpose(s).".into()));
        }
        let method_id = method_id_of(proof)?;
        let method = self.verification_method(&method_id)?;
        // The suite reads its proof value before it reads the key.
        proof_value_readable(suite, proof).map_err(|e| Failure::Invalid(e.to_string()))?;
        let key = issuer_key(suite, &method)?;
        match corridor_di::verify(&self.processor, doc, &key) {
            Ok(true) => {}
            Ok(false) => return Err(Failure::Invalid("Invalid signature.".into())),
            Err(e @ DiError::JsonLd(_)) => return Err(self.json_ld_failure(credential, e)),
            Err(e) => return Err(Failure::Invalid(e.to_string())),
        }
        if let Some(created) = proof.get("created") {
            let text = to_js_string(created);
            if !is_w3c_date(&text) {
                return Err(Failure::Invalid(format!(
                    "\"proof.created\" (\"{text}\") must be an XSD dateTimeStamp."
                )));
            }
        }
        self.check_purpose(&method, &method_id)
    }

    /// A base proof derived as TrustVC derives one to check it: the mandatory statements and
    /// the whole subject disclosed.
    pub(super) fn derive_for_checking(&self, doc: &Value) -> Result<Value, Failure> {
        corridor_di::derive(&self.processor, doc, &disclosed_pointers(&[])).map_err(|e| {
            match (&e, doc.as_object()) {
                (DiError::JsonLd(_), Some(credential)) => self.json_ld_failure(credential, e),
                (DiError::InvalidSignature(_), _) => Failure::Invalid(e.to_string()),
                _ => Failure::Invalid(format!(
                    "the base proof could not be derived to check it: {e}"
                )),
            }
        })
    }

    /// A JSON-LD error: the credential's fault, unless a context it names could not be fetched.
    fn json_ld_failure(&self, credential: &Map<String, Value>, e: DiError) -> Failure {
        for url in values(credential, "@context")
            .iter()
            .filter_map(|c| c.as_str())
        {
            match self.loader.fetched(url) {
                Some(Fetched::Unreachable(why)) => {
                    return Failure::Cut(Cut::Unreachable(format!("the context {url}: {why}")));
                }
                Some(Fetched::NotAsked(why)) => {
                    return Failure::Cut(Cut::NotAsked(format!("the context {url}: {why}")));
                }
                _ => {}
            }
        }
        Failure::Invalid(e.to_string())
    }

    /// The verification method a proof names, as TrustVC's document loader gives it: from the
    /// issuer's DID document (the method with that exact `id`, with the document's
    /// `@context`), or the whole document for a DID without a fragment.
    fn verification_method(&self, method_id: &str) -> Result<Map<String, Value>, Failure> {
        let document = self.document(method_id)?;
        if !method_id.contains('#') {
            return Ok(document);
        }
        let method = document
            .get("verificationMethod")
            .and_then(Value::as_array)
            .and_then(|methods| {
                methods
                    .iter()
                    .find(|m| m.get("id").and_then(Value::as_str) == Some(method_id))
            })
            .and_then(Value::as_object)
            .ok_or_else(|| {
                Failure::Invalid(format!(
                    "Verification method {method_id} could not be found."
                ))
            })?;
        let mut with_context = Map::new();
        if let Some(context) = document.get("@context") {
            with_context.insert("@context".into(), context.clone());
        }
        with_context.extend(method.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(with_context)
    }

    /// A DID's document, or a URL's JSON (the loader's two ways).
    fn document(&self, url: &str) -> Result<Map<String, Value>, Failure> {
        let document: Arc<Value> = if url.contains("did:") {
            self.loader.did_document(url)?.ok_or_else(|| {
                Failure::Invalid(format!(
                    "the DID document of {} could not be resolved",
                    super::did_of(url)
                ))
            })?
        } else {
            match self.loader.fetch(url) {
                Fetched::Json { body, .. } => body,
                Fetched::NotJson { why, .. } => {
                    return Err(Failure::Invalid(format!(
                        "{url} did not answer JSON: {why}"
                    )));
                }
                Fetched::NoSuchHost(why) => return Err(Failure::Invalid(why)),
                Fetched::Unreachable(why) => return Err(Cut::Unreachable(why).into()),
                Fetched::NotAsked(why) => return Err(Cut::NotAsked(why).into()),
            }
        };
        document
            .as_object()
            .cloned()
            .ok_or_else(|| Failure::Invalid(format!("{url}: the document is not a JSON object")))
    }

    /// The proof purpose: the method's controller lists it under `assertionMethod`.
    fn check_purpose(&self, method: &Map<String, Value>, method_id: &str) -> FragmentOut {
        let listed_id = method.get("id").map(to_js_string).unwrap_or_default();
        let controller = match method.get("controller") {
            Some(Value::Object(c)) => c.get("id").map(to_js_string),
            Some(Value::String(c)) => Some(c.clone()),
            None => None,
            Some(_) => {
                return Err(Failure::Invalid(
                    "\"controller\" must be a string representing a URL.".into(),
                ));
            }
        }
        .ok_or_else(|| {
            Failure::Invalid(format!(
                "the verification method {method_id} names no controller"
            ))
        })?;
        let document = self.document(&controller)?;
        let authorized = values(&document, "assertionMethod")
            .iter()
            .any(|m| match m {
                Value::String(id) => *id == listed_id,
                Value::Object(o) => o.get("id").and_then(Value::as_str) == Some(&listed_id),
                _ => false,
            });
        if authorized {
            Ok(())
        } else {
            Err(Failure::Invalid(format!(
                "Verification method \"{listed_id}\" not authorized by controller for proof purpose \"assertionMethod\"."
            )))
        }
    }
}

/// The verification method a proof names: its `verificationMethod`, or that object's `id`.
fn method_id_of(proof: &Map<String, Value>) -> Result<String, Failure> {
    let id = match proof.get("verificationMethod") {
        Some(Value::Object(vm)) => vm.get("id").cloned(),
        other => other.cloned(),
    }
    .filter(corridor_js::truthy)
    .ok_or_else(|| Failure::Invalid("No \"verificationMethod\" found in proof.".into()))?;
    Ok(to_js_string(&id))
}

/// Whether a proof value is a base proof, as TrustVC's detectors read its header (bbs-2023's
/// also takes the headers of the suite's features TrustVC cannot derive from).
fn is_base_proof(suite: Cryptosuite, proof: &Map<String, Value>) -> bool {
    use base64::Engine;
    let Some(encoded) = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .and_then(|v| v.strip_prefix('u'))
    else {
        return false;
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded) else {
        return false;
    };
    match (suite, bytes.get(..3)) {
        (Cryptosuite::EcdsaSd2023, Some([0xd9, 0x5d, 0x00])) => true,
        (Cryptosuite::Bbs2023, Some([0xd9, 0x5d, third])) => matches!(third, 2 | 4 | 6 | 8),
        _ => false,
    }
}

/// Whether the proof value is one the suite can read.
fn proof_value_readable(suite: Cryptosuite, proof: &Map<String, Value>) -> Result<(), DiError> {
    let value = corridor_di::ecdsa_sd::proof_value_of(proof)?;
    match suite {
        Cryptosuite::EcdsaSd2023 => corridor_di::ecdsa_sd::parse_proof_value(value).map(drop),
        Cryptosuite::Bbs2023 => corridor_di::bbs_2023::parse_proof_value(value).map(drop),
    }
}

/// The suite's key from a verification method: a `Multikey` with `publicKeyMultibase` of the
/// suite's curve.
fn issuer_key(suite: Cryptosuite, method: &Map<String, Value>) -> Result<IssuerKey, Failure> {
    if let Some(kind) = method
        .get("type")
        .filter(|t| t.as_str() != Some("Multikey"))
    {
        return Err(Failure::Invalid(format!(
            "the verification method is of type {}, not a Multikey",
            to_js_string(kind)
        )));
    }
    let multibase = method
        .get("publicKeyMultibase")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Failure::Invalid("The \"publicKeyMultibase\" property is required.".into())
        })?;
    let key = IssuerKey::from_multibase(multibase)
        .map_err(|_| Failure::Invalid("Unsupported public multikey header.".into()))?;
    match (suite, &key) {
        (Cryptosuite::EcdsaSd2023, IssuerKey::P256(_))
        | (Cryptosuite::Bbs2023, IssuerKey::Bls12381G2(_)) => Ok(key),
        _ => Err(Failure::Invalid(
            "Unsupported public multikey header.".into(),
        )),
    }
}
