//! `W3CIssuerIdentity`: the credential's issuer is the DID whose key signed it, and that DID
//! resolves (did:web; no DNS record is consulted).

use serde_json::Value;

use super::W3cVerifier;
use super::loader::Cut;
use crate::{Fragment, FragmentData, FragmentType, Status};

const KIND: FragmentType = FragmentType::Identity;
pub const NAME: &str = "W3CIssuerIdentity";

pub(super) fn issuer_identity(v: &W3cVerifier, doc: &Value) -> Fragment {
    let issuer = doc.get("issuer").filter(|i| corridor_js::truthy(i));
    let Some(issuer) = issuer else {
        return Fragment::with_reason(
            NAME,
            KIND,
            Status::Skipped,
            (0, "SKIPPED"),
            "Document has no issuer field.",
        );
    };
    let method_did = doc
        .get("proof")
        .and_then(|p| p.get("verificationMethod"))
        .and_then(Value::as_str)
        .map(|vm| vm.split('#').next().unwrap_or(vm));
    // TrustVC compares the issuer value itself: an issuer given as {id, name} never matches.
    let Some(did) = issuer.as_str().filter(|i| Some(*i) == method_did) else {
        return Fragment::with_message(
            NAME,
            KIND,
            Status::Invalid,
            "Issuer and verification method do not match.",
        )
        .with_data(FragmentData::Passed(false));
    };
    match v.loader.did_document(did) {
        Ok(Some(_)) => Fragment::valid(NAME, KIND).with_data(FragmentData::Passed(true)),
        Ok(None) => {
            Fragment::with_message(NAME, KIND, Status::Invalid, "The DID cannot be resolved.")
                .with_data(FragmentData::Passed(false))
        }
        Err(Cut::Unreachable(why)) => Fragment::with_message(
            NAME,
            KIND,
            Status::Unreachable,
            format!("the issuer's DID document could not be fetched: {why}"),
        ),
        Err(Cut::NotAsked(why)) => Fragment::with_message(
            NAME,
            KIND,
            Status::NotChecked,
            format!("not checked: the issuer's DID document was not fetched: {why}"),
        ),
    }
}
