//! The links issued documents may carry to themselves, as TradeTrust's creator gives them: a
//! TradeTrust action link (`{"type": "DOCUMENT", "payload": {uri, key, permittedActions,
//! redirect, chainId}}` in `q`) on the portal's own address, naming the document's encrypted
//! copy kept as a share. The key is in the payload: the link is inside the document, whose
//! holder has it already, and whoever scans its printed QR code is meant to open it. An
//! OpenAttestation document carries it as `links.self.href`, a W3C credential as `qrCode`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use crate::error::ApiError;

/// What JavaScript's `encodeURIComponent` leaves as it is, as TradeTrust's links are written.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The context that defines a W3C credential's `qrCode`.
const QR_CODE_CONTEXT: &str = "https://trustvc.io/context/qrcode-context.json";

/// The share a document's link names: its id, and the key its copy is encrypted with.
pub(crate) struct DocumentLink {
    pub(crate) id: String,
    key: corridor_share::Key,
}

impl DocumentLink {
    /// The issued document's copy, encrypted for its share.
    pub(crate) fn seal(
        &self,
        issued: &Value,
        rng: &mut impl rand::Rng,
    ) -> corridor_share::Envelope {
        corridor_share::encrypt(&issued.to_string(), &self.key, rng)
    }
}

/// Gives each raw document (W3C credentials when `w3c`) the link to its copy, to be kept as a
/// share of the server at `public_url`: the links made, in the documents' order. A document
/// that carries a link of its own already is refused, naming its place.
pub(crate) fn put_links(
    documents: &mut [Value],
    w3c: bool,
    public_url: &str,
    rng: &mut impl rand::Rng,
) -> Result<Vec<DocumentLink>, ApiError> {
    let base = public_url.trim_end_matches('/');
    documents
        .iter_mut()
        .enumerate()
        .map(|(i, document)| {
            let field = if w3c { "qrCode" } else { "links" };
            if document.get(field).is_some() {
                return Err(ApiError::bad_request(
                    "invalid",
                    format!("document {i} has a \"{field}\" of its own; with \"link\" the server gives it one"),
                ));
            }
            let link = DocumentLink {
                id: corridor_ledger::new_share_id(rng),
                key: corridor_share::Key::generate(rng),
            };
            let href = action_link(base, &link, &chain_of(document));
            if w3c {
                document["qrCode"] = json!({"type": "TrustVCQRCode", "uri": href});
                if let Some(contexts) = document.get_mut("@context").and_then(Value::as_array_mut)
                {
                    if !contexts.iter().any(|c| c == QR_CODE_CONTEXT) {
                        contexts.push(json!(QR_CODE_CONTEXT));
                    }
                }
            } else if let Some(fields) = document.as_object_mut() {
                fields.insert("links".into(), json!({"self": {"href": href}}));
            }
            Ok(link)
        })
        .collect()
}

/// The chain a link names: the document's own network, else Ethereum's (TradeTrust's website
/// refuses a link naming none; a document on no chain verifies alike on any).
fn chain_of(document: &Value) -> String {
    match document.pointer("/network/chainId") {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => "1".into(),
    }
}

/// The action link of `link`'s share on the server at `base`, leading back to its portal.
fn action_link(base: &str, link: &DocumentLink, chain_id: &str) -> String {
    let action = json!({"type": "DOCUMENT", "payload": {
        "uri": format!("{base}/api/shares/{}", link.id),
        "key": link.key.to_hex().as_str(),
        "permittedActions": ["VIEW"],
        "redirect": format!("{base}/"),
        "chainId": chain_id,
    }});
    format!(
        "{base}/?q={}",
        utf8_percent_encode(&action.to_string(), URI_COMPONENT)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_written_as_encode_uri_component_writes_them_and_name_their_share() {
        let mut rng = rand::rng();
        let mut documents = vec![
            json!({"blNumber": "BL-1", "network": {"chain": "ETH", "chainId": "11155111"}}),
            json!({"invoiceNo": "INV-1"}),
        ];
        let links =
            put_links(&mut documents, false, "https://corridor.example/", &mut rng).unwrap();
        let href = documents[0]["links"]["self"]["href"].as_str().unwrap();
        let query = href.strip_prefix("https://corridor.example/?q=").unwrap();
        assert!(
            query
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()%".contains(&b))
        );
        let action: Value = serde_json::from_str(
            &percent_encoding::percent_decode_str(query)
                .decode_utf8()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(action["type"], "DOCUMENT");
        assert_eq!(
            action["payload"]["uri"],
            format!("https://corridor.example/api/shares/{}", links[0].id)
        );
        assert_eq!(action["payload"]["redirect"], "https://corridor.example/");
        assert_eq!(action["payload"]["chainId"], "11155111");
        assert_eq!(action["payload"]["key"].as_str().unwrap().len(), 64);
        let second: Value = serde_json::from_str(
            &percent_encoding::percent_decode_str(
                documents[1]["links"]["self"]["href"]
                    .as_str()
                    .unwrap()
                    .split_once("?q=")
                    .unwrap()
                    .1,
            )
            .decode_utf8()
            .unwrap(),
        )
        .unwrap();
        assert_eq!(second["payload"]["chainId"], "1");
        assert_ne!(links[0].id, links[1].id);
        // A credential's goes in qrCode, its context added once.
        let mut credentials = vec![json!({"@context": ["https://www.w3.org/ns/credentials/v2"]})];
        put_links(&mut credentials, true, "https://corridor.example", &mut rng).unwrap();
        assert_eq!(credentials[0]["qrCode"]["type"], "TrustVCQRCode");
        assert_eq!(credentials[0]["@context"][1], QR_CODE_CONTEXT);
        // One that has a link already is refused.
        let mut linked = vec![json!({"links": {"self": {"href": "https://elsewhere.example"}}})];
        assert!(put_links(&mut linked, false, "https://corridor.example", &mut rng).is_err());
    }
}
