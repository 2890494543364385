//! The issuer the server signs and mints as, and the one issuer block it puts in what it
//! issues: an API token lets its holder choose a document's contents, never who vouches for
//! it or how it is revoked. Signed documents name the server's DID and key, its own
//! revocation responder and the domain it was configured with; transferable records the
//! server's registry and that domain.

use alloy_primitives::Address;
use axum::http::Uri;
use corridor_format::did::DidSigner;
use serde_json::{Value, json};

/// An issuer's key, held by the server to issue documents for API clients, and what the
/// documents it issues say of it.
pub struct Issuer {
    /// The name its batches are recorded under in the store, and its responder's path.
    pub name: String,
    pub signer: DidSigner,
    /// The name documents show as their issuer's.
    shown_as: String,
    /// The domain whose DNS vouches for the key (DNS-DID) and the registries (DNS-TXT).
    domain: String,
    /// The URL this server is reached at, without a trailing slash.
    public_url: String,
    /// Its revocation responder: `<public URL>/ocsp/<name>`.
    responder: String,
}

/// Why an issuer cannot be configured as given.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error(
        "{0:?} is not a domain name (as issuer.example.com: letters, digits and hyphens in dot-separated labels)"
    )]
    Domain(String),
    #[error(
        "{0:?} is not the URL this server is reached at: give http:// or https://, a host, and no query or fragment"
    )]
    PublicUrl(String),
    #[error("the issuer's name shown on documents must be 1 to 200 characters")]
    ShownAs,
}

impl Issuer {
    /// The issuer `signer`, recorded as `name`, shown as `shown_as`, vouched for by the DNS
    /// of `domain`, and revoked at this server's responder under `public_url`.
    ///
    /// ```
    /// # use corridor_server::Issuer;
    /// let key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    /// let signer = corridor_format::did::DidSigner::new(key);
    /// let issuer = Issuer::new("ops".into(), signer, "Acme Lines".into(), "Issuer.Example.com",
    ///     "https://corridor.example.com/").unwrap();
    /// let block = issuer.signed_block();
    /// assert_eq!(block["revocation"]["location"], "https://corridor.example.com/ocsp/ops");
    /// assert_eq!(block["identityProof"]["location"], "issuer.example.com");
    /// assert!(Issuer::new("ops".into(), issuer.signer, "Acme".into(), "localhost",
    ///     "https://corridor.example.com").is_err());
    /// ```
    pub fn new(
        name: String,
        signer: DidSigner,
        shown_as: String,
        domain: &str,
        public_url: &str,
    ) -> Result<Issuer, IssuerError> {
        if shown_as.trim().is_empty() || shown_as.chars().count() > 200 {
            return Err(IssuerError::ShownAs);
        }
        let domain = domain_name(domain).ok_or_else(|| IssuerError::Domain(domain.into()))?;
        let base =
            public_base(public_url).ok_or_else(|| IssuerError::PublicUrl(public_url.into()))?;
        let responder = format!("{base}/ocsp/{name}");
        Ok(Issuer {
            name,
            signer,
            shown_as,
            domain,
            public_url: base,
            responder,
        })
    }

    /// The domain whose DNS vouches for this issuer.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The URL this server is reached at (no trailing slash), under which its documents
    /// name their responder.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The issuer block of the documents it signs: its DID, revocable at its responder,
    /// vouched for by its domain's DNS-DID record of its key.
    pub fn signed_block(&self) -> Value {
        json!({
            "id": self.signer.did(),
            "name": self.shown_as,
            "revocation": {"type": "OCSP_RESPONDER", "location": self.responder},
            "identityProof": {
                "type": "DNS-DID",
                "location": self.domain,
                "key": self.signer.verification_method(),
            },
        })
    }

    /// The issuer block of the transferable records it mints in `registry`: their title is
    /// their record, vouched for by its domain's DNS-TXT record of the registry.
    pub fn transferable_block(&self, registry: Address) -> Value {
        json!({
            "name": self.shown_as,
            "tokenRegistry": format!("{registry:#x}"),
            "identityProof": {"type": "DNS-TXT", "location": self.domain},
        })
    }

    /// Puts `block` in `raw` as its only issuer, or says why not: a document that names its
    /// issuers must name exactly this one.
    pub(crate) fn set_block(raw: &mut Value, block: &Value) -> Result<(), String> {
        let Some(fields) = raw.as_object_mut() else {
            return Err("is not a JSON object".into());
        };
        let ours = Value::Array(vec![block.clone()]);
        match fields.get("issuers") {
            None => {
                fields.insert("issuers".into(), ours);
                Ok(())
            }
            Some(theirs) if *theirs == ours => Ok(()),
            Some(_) => Err(format!(
                "names issuers of its own; this server issues only as itself: leave \"issuers\" \
                 out, or send exactly {ours}"
            )),
        }
    }
}

/// `text` as a lower-case domain name of at least two labels, if it is one.
fn domain_name(text: &str) -> Option<String> {
    let domain = text.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    (domain.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok)).then_some(domain)
}

/// `text` as an http(s) URL with a host and nothing after its path, without a trailing slash.
fn public_base(text: &str) -> Option<String> {
    let uri: Uri = text.trim().parse().ok()?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.host().is_some_and(|h| !h.is_empty());
    let plain = uri.query().is_none() && !text.contains('#');
    (scheme_ok && host_ok && plain).then(|| text.trim().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_and_urls_are_read_strictly() {
        assert_eq!(
            domain_name("Issuer.Example.COM.").as_deref(),
            Some("issuer.example.com")
        );
        for bad in [
            "localhost",
            "-a.example.com",
            "a..b",
            "a b.com",
            "ex_ample.com",
            "",
        ] {
            assert_eq!(domain_name(bad), None, "{bad}");
        }
        assert_eq!(
            public_base("https://corridor.example.com/base/").as_deref(),
            Some("https://corridor.example.com/base")
        );
        for bad in [
            "ftp://x.example",
            "corridor.example.com",
            "https://x.example/?q=1",
            "https://x.example/#f",
        ] {
            assert_eq!(public_base(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_document_names_the_servers_issuer_or_none() {
        let key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let issuer = Issuer::new(
            "ops".into(),
            DidSigner::new(key),
            "Acme Lines".into(),
            "issuer.example.com",
            "http://127.0.0.1:8080",
        )
        .unwrap();
        let block = issuer.signed_block();
        let mut bare = json!({"shipper": "A"});
        Issuer::set_block(&mut bare, &block).unwrap();
        assert_eq!(bare["issuers"], json!([block.clone()]));
        let mut same = bare.clone();
        Issuer::set_block(&mut same, &block).unwrap();
        assert_eq!(same, bare);
        let mut theirs = bare.clone();
        theirs["issuers"][0]["revocation"] = json!({"type": "NONE"});
        assert!(Issuer::set_block(&mut theirs, &block).is_err());
        let mut two = bare.clone();
        two["issuers"] = json!([block.clone(), block.clone()]);
        assert!(Issuer::set_block(&mut two, &block).is_err());
        assert!(Issuer::set_block(&mut json!([1]), &block).is_err());
    }
}
