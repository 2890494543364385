//! The JSON-LD contexts TrustVC bundles, and GS1's EPCIS 2.0 context, built into the binary:
//! the exact documents TrustVC uses, which are not always those published today (its
//! `credentials/v2` has no `@vocab`, so every term must be defined).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

/// Each bundled context's URL and text. `bls12381-2020/v1` is TrustVC's copy of `bbs/v1`.
/// GS1's EPCIS 2.0 context, which TrustVC does not bundle, is GS1's as published (its
/// `quantity` an `xsd:decimal`): traceability events are signed over it.
pub const BUNDLED: [(&str, &str); 21] = [
    (
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        include_str!("../contexts/ref.gs1.org_standards_epcis_2.0.0_epcis-context.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        include_str!("../contexts/w3id.org_security_data-integrity_v2.json"),
    ),
    (
        "https://www.w3.org/ns/did/v1",
        include_str!("../contexts/www.w3.org_ns_did_v1.json"),
    ),
    (
        "https://www.w3.org/2018/credentials/v1",
        include_str!("../contexts/www.w3.org_2018_credentials_v1.json"),
    ),
    (
        "https://www.w3.org/ns/credentials/v2",
        include_str!("../contexts/www.w3.org_ns_credentials_v2.json"),
    ),
    (
        "https://w3id.org/security/bbs/v1",
        include_str!("../contexts/w3id.org_security_bbs_v1.json"),
    ),
    (
        "https://w3id.org/security/suites/bls12381-2020/v1",
        include_str!("../contexts/w3id.org_security_bbs_v1.json"),
    ),
    (
        "https://w3id.org/security/suites/jws-2020/v1",
        include_str!("../contexts/w3id.org_security_suites_jws-2020_v1.json"),
    ),
    (
        "https://w3id.org/security/multikey/v1",
        include_str!("../contexts/w3id.org_security_multikey_v1.json"),
    ),
    (
        "https://w3id.org/vc/status-list/2021/v1",
        include_str!("../contexts/w3id.org_vc_status-list_2021_v1.json"),
    ),
    (
        "https://trustvc.io/context/transferable-records-context.json",
        include_str!("../contexts/trustvc.io_context_transferable-records-context.json"),
    ),
    (
        "https://trustvc.io/context/render-method-context.json",
        include_str!("../contexts/trustvc.io_context_render-method-context.json"),
    ),
    (
        "https://trustvc.io/context/render-method-context-v2.json",
        include_str!("../contexts/trustvc.io_context_render-method-context-v2.json"),
    ),
    (
        "https://trustvc.io/context/attachments-context.json",
        include_str!("../contexts/trustvc.io_context_attachments-context.json"),
    ),
    (
        "https://trustvc.io/context/qrcode-context.json",
        include_str!("../contexts/trustvc.io_context_qrcode-context.json"),
    ),
    (
        "https://trustvc.io/context/bill-of-lading.json",
        include_str!("../contexts/trustvc.io_context_bill-of-lading.json"),
    ),
    (
        "https://trustvc.io/context/bill-of-lading-carrier.json",
        include_str!("../contexts/trustvc.io_context_bill-of-lading-carrier.json"),
    ),
    (
        "https://trustvc.io/context/coo.json",
        include_str!("../contexts/trustvc.io_context_coo.json"),
    ),
    (
        "https://trustvc.io/context/invoice.json",
        include_str!("../contexts/trustvc.io_context_invoice.json"),
    ),
    (
        "https://trustvc.io/context/promissory-note.json",
        include_str!("../contexts/trustvc.io_context_promissory-note.json"),
    ),
    (
        "https://trustvc.io/context/warehouse-receipt.json",
        include_str!("../contexts/trustvc.io_context_warehouse-receipt.json"),
    ),
];

static PARSED: LazyLock<HashMap<&'static str, Value>> = LazyLock::new(|| {
    BUNDLED
        .iter()
        .map(|(url, text)| {
            let document = serde_json::from_str(text).expect("a bundled context is JSON");
            (*url, document)
        })
        .collect()
});

/// The bundled context at `url`.
pub(crate) fn document(url: &str) -> Option<&'static Value> {
    PARSED.get(url)
}
