//! Issuer identity through DNS: `OpenAttestationDnsTxtIdentityProof` (a TXT record vouching
//! for the issuer's contract on a chain) and `OpenAttestationDnsDidIdentityProof` (a TXT record
//! vouching for the DID key that signed), with tt-verify's rules, codes and messages.

use std::sync::Arc;

use corridor_format::dns_records::{InheritedKey, dns_name, parse_dns_did, parse_dns_txt};
use corridor_format::v3::WrappedCredential;
use serde_json::Value;

use crate::providers::{LookupError, TxtResolver};
use crate::{
    Check, DnsDidIssuer, DnsTxtFound, DnsTxtIdentifier, DnsTxtIssuer, Fragment, FragmentData,
    FragmentType, Status, Subject,
};

const KIND: FragmentType = FragmentType::Identity;

/// tt-verify's codes for a lookup that failed and for a check not run: (error, skipped).
type LookupCodes = ((u32, &'static str), (u32, &'static str));
const DNS_TXT_CODES: LookupCodes = ((0, "UNEXPECTED_ERROR"), (2, "SKIPPED"));
const DNS_DID_CODES: LookupCodes = ((1, "UNEXPECTED_ERROR"), (0, "SKIPPED"));

/// JavaScript's truthiness, for the fields tt-verify tests with `||` and `!`.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0 && !x.is_nan()),
        Some(_) => true,
    }
}

fn identity_proof(issuer: &Value) -> Option<&Value> {
    issuer.get("identityProof").filter(|p| truthy(Some(p)))
}

fn identity_type(issuer: &Value) -> Option<&str> {
    identity_proof(issuer)?.get("type")?.as_str()
}

/// A truthy string field of the identity proof.
fn proof_text<'a>(issuer: &'a Value, key: &str) -> Option<&'a str> {
    let value = identity_proof(issuer)?.get(key);
    truthy(value)
        .then(|| value.and_then(Value::as_str))
        .flatten()
}

/// The issuer's contract: `documentStore`, else `tokenRegistry`, else `certificateStore`.
fn contract(issuer: &Value) -> Option<&Value> {
    ["documentStore", "tokenRegistry", "certificateStore"]
        .into_iter()
        .map(|k| issuer.get(k))
        .find(|v| truthy(*v))
        .flatten()
}

/// TXT records of a location, or the fragment when DNS gave none: tt-verify's when it could
/// not be asked, and not checked when the question was kept back.
fn records(
    dns: &dyn TxtResolver,
    location: &str,
    name: &'static str,
    (unexpected, skipped): LookupCodes,
) -> Result<Vec<String>, Fragment> {
    dns.txt(dns_name(location)).map_err(|e| match e {
        // tt-verify's message, and what the resolver said.
        LookupError::Failed(e) => Fragment::with_reason(
            name,
            KIND,
            Status::Unreachable,
            unexpected,
            format!("Unable to query DNS ({e})"),
        ),
        LookupError::NotAsked(why) => Fragment::with_reason(
            name,
            KIND,
            Status::NotChecked,
            skipped,
            format!("not checked: the DNS records of {location}: {why}"),
        ),
    })
}

/// `OpenAttestationDnsTxtIdentityProof`.
pub struct DnsTxtCheck {
    pub dns: Option<Arc<dyn TxtResolver>>,
    /// The chain whose `netId` the records must name (tt-verify reads its provider's network).
    pub chain_id: u64,
}

/// The fragment's name.
pub const DNS_TXT: &str = "OpenAttestationDnsTxtIdentityProof";

impl Check for DnsTxtCheck {
    fn name(&self) -> &'static str {
        DNS_TXT
    }

    fn check(&self, subject: &Subject) -> Fragment {
        let fail = |status, code, message: String| {
            Fragment::with_reason(DNS_TXT, KIND, status, code, message)
        };
        if let Some(v3) = &subject.v3 {
            return self.check_v3(v3);
        }
        let applies = subject.issuers().filter(|issuers| {
            issuers
                .iter()
                .any(|i| contract(i).is_some() && identity_type(i) == Some("DNS-TXT"))
        });
        let Some(issuers) = applies else {
            return dns_txt_skipped();
        };
        let Some(dns) = &self.dns else {
            return dns_txt_offline();
        };
        const INVALID_ISSUERS: (u32, &str) = (3, "INVALID_ISSUERS");
        // The whole list is read before any lookup: a malformed issuer is an error whatever DNS says.
        let mut asks = Vec::new();
        for issuer in issuers {
            if identity_type(issuer) != Some("DNS-TXT") {
                asks.push(None);
                continue;
            }
            let Some(location) = proof_text(issuer, "location") else {
                return fail(
                    Status::Error,
                    INVALID_ISSUERS,
                    "Location not found in identity proof".into(),
                );
            };
            let Some(address) = contract(issuer) else {
                return fail(
                    Status::Error,
                    INVALID_ISSUERS,
                    "Smart contract address not found in identity proof".into(),
                );
            };
            let address = match address {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            asks.push(Some((location, address)));
        }
        let mut found = Vec::with_capacity(asks.len());
        for ask in asks {
            found.push(match ask {
                None => DnsTxtIssuer::NotDnsTxt,
                Some((location, value)) => {
                    let txts = match records(dns.as_ref(), location, DNS_TXT, DNS_TXT_CODES) {
                        Ok(t) => t,
                        Err(fragment) => return fragment,
                    };
                    match self.vouching(&txts, &value) {
                        Ok(found) => DnsTxtIssuer::Asked {
                            location: location.to_string(),
                            value,
                            found,
                        },
                        Err(e) => {
                            return fail(
                                Status::Error,
                                (0, "UNEXPECTED_ERROR"),
                                format!("the DNS records at {location}: {e}"),
                            );
                        }
                    }
                }
            });
        }
        let fragment = match found.iter().find_map(DnsTxtIssuer::reason) {
            None => Fragment::valid(DNS_TXT, KIND),
            Some(reason) => Fragment {
                status: Status::Invalid,
                reason: Some(reason),
                ..Fragment::valid(DNS_TXT, KIND)
            },
        };
        fragment.with_data(FragmentData::DnsTxt(found))
    }
}

/// The DNS-TXT fragment of a document that does not use it.
fn dns_txt_skipped() -> Fragment {
    Fragment::with_reason(
        DNS_TXT,
        KIND,
        Status::Skipped,
        (2, "SKIPPED"),
        "Document issuers doesn't have \"documentStore\" / \"tokenRegistry\" property or doesn't use DNS-TXT type",
    )
}

/// The DNS-TXT fragment of a document that uses it, verified offline.
fn dns_txt_offline() -> Fragment {
    Fragment::with_reason(
        DNS_TXT,
        KIND,
        Status::NotChecked,
        (2, "SKIPPED"),
        "not checked: the issuer's DNS-TXT identity needs a DNS lookup, and verification was offline",
    )
}

impl DnsTxtCheck {
    /// A v3 document: the records at `identityProof.identifier` must name the contract its
    /// proof method's value gives.
    fn check_v3(&self, v3: &WrappedCredential) -> Fragment {
        let fail = |status, code, message: String| {
            Fragment::with_reason(DNS_TXT, KIND, status, code, message)
        };
        if v3.metadata_text("identityProof", "type") != Some("DNS-TXT") {
            return dns_txt_skipped();
        }
        let Some(dns) = &self.dns else {
            return dns_txt_offline();
        };
        if !matches!(
            v3.metadata_text("proof", "method"),
            Some("DOCUMENT_STORE" | "TOKEN_REGISTRY")
        ) {
            return fail(
                Status::Error,
                (6, "UNSUPPORTED"),
                "DNS-TXT is only supported with documents issued using document store or token registry".into(),
            );
        }
        let location = v3
            .metadata_text("identityProof", "identifier")
            .unwrap_or_default();
        let value = v3
            .metadata_text("proof", "value")
            .unwrap_or_default()
            .to_owned();
        let txts = match records(dns.as_ref(), location, DNS_TXT, DNS_TXT_CODES) {
            Ok(t) => t,
            Err(fragment) => return fragment,
        };
        let found = match self.vouching(&txts, &value) {
            Ok(found) => found,
            Err(e) => {
                return fail(
                    Status::Error,
                    (0, "UNEXPECTED_ERROR"),
                    format!("the DNS records at {location}: {e}"),
                );
            }
        };
        let identity = DnsTxtIssuer::Asked {
            location: location.to_owned(),
            value,
            found,
        };
        let fragment = match identity.reason() {
            None => Fragment::valid(DNS_TXT, KIND),
            Some(reason) => Fragment {
                status: Status::Invalid,
                reason: Some(reason),
                ..Fragment::valid(DNS_TXT, KIND)
            },
        };
        fragment.with_data(FragmentData::DnsTxtIdentifier(Box::new(DnsTxtIdentifier(
            identity,
        ))))
    }

    /// Whether the TXT records `txts` of a location vouch for the contract `address` on the
    /// chain asked about (the records naming it on other chains are kept, to be told). As
    /// dnsprove, every record is read first: one that breaks its reader fails the lookup.
    fn vouching(&self, txts: &[String], address: &str) -> Result<DnsTxtFound, InheritedKey> {
        let address = address.to_lowercase();
        let chain_id = self.chain_id.to_string();
        let mut vouched = false;
        let mut other_chains = Vec::new();
        for txt in txts {
            let Some(record) = parse_dns_txt(txt)? else {
                continue;
            };
            if record.addr.to_lowercase() != address {
                continue;
            }
            if record.net_id == chain_id {
                vouched = true;
            } else if !other_chains.contains(&record.net_id) {
                other_chains.push(record.net_id);
            }
        }
        Ok(if vouched {
            DnsTxtFound::Vouched
        } else {
            DnsTxtFound::NotFound {
                chain_id: self.chain_id,
                other_chains,
            }
        })
    }
}

/// `OpenAttestationDnsDidIdentityProof`.
pub struct DnsDidCheck {
    pub dns: Option<Arc<dyn TxtResolver>>,
}

/// The fragment's name.
pub const DNS_DID: &str = "OpenAttestationDnsDidIdentityProof";

impl Check for DnsDidCheck {
    fn name(&self) -> &'static str {
        DNS_DID
    }

    fn check(&self, subject: &Subject) -> Fragment {
        let fail = |status, code, message: &str| {
            Fragment::with_reason(DNS_DID, KIND, status, code, message.to_string())
        };
        if let Some(v3) = &subject.v3 {
            return self.check_v3(v3);
        }
        let signed = subject
            .wrapped
            .as_ref()
            .is_ok_and(|w| w.did_proof.is_some());
        let applies = subject.issuers().filter(|issuers| {
            signed && issuers.iter().any(|i| identity_type(i) == Some("DNS-DID"))
        });
        let Some(issuers) = applies else {
            return dns_did_skipped();
        };
        let Some(dns) = &self.dns else {
            return dns_did_offline();
        };
        const MALFORMED: (u32, &str) = (2, "MALFORMED_IDENTITY_PROOF");
        let mut asks = Vec::new();
        for issuer in issuers {
            if identity_proof(issuer).is_none() {
                return fail(Status::Error, MALFORMED, "Identity proof missing");
            }
            if identity_type(issuer) != Some("DNS-DID") {
                return fail(
                    Status::Error,
                    (3, "INVALID_ISSUERS"),
                    "Issuer is not using DID-DNS identityProof type",
                );
            }
            let Some(location) = proof_text(issuer, "location") else {
                return fail(
                    Status::Error,
                    MALFORMED,
                    "location is not present in identity proof",
                );
            };
            let Some(key) = proof_text(issuer, "key") else {
                return fail(
                    Status::Error,
                    MALFORMED,
                    "key is not present in identity proof",
                );
            };
            asks.push((location, key));
        }
        let mut found = Vec::with_capacity(asks.len());
        for (location, key) in asks {
            let vouched = match vouches_for(dns.as_ref(), location, key) {
                Ok(vouched) => vouched,
                Err(fragment) => return fragment,
            };
            found.push(DnsDidIssuer {
                location: location.to_string(),
                key: key.to_string(),
                vouched,
            });
        }
        let fragment = if found.iter().all(|issuer| issuer.vouched) {
            Fragment::valid(DNS_DID, KIND)
        } else {
            fail(
                Status::Invalid,
                (6, "INVALID_IDENTITY"),
                "Could not find identity at location",
            )
        };
        fragment.with_data(FragmentData::DnsDid(found))
    }
}

/// Whether a DNS-DID record at `location` names `key`, or the fragment when DNS gave none.
fn vouches_for(dns: &dyn TxtResolver, location: &str, key: &str) -> Result<bool, Fragment> {
    let txts = records(dns, location, DNS_DID, DNS_DID_CODES)?;
    Ok(txts
        .iter()
        .filter_map(|t| parse_dns_did(t))
        .any(|r| r.public_key.to_lowercase() == key.to_lowercase()))
}

/// The DNS-DID fragment of a document not issued (or not signed) with it.
fn dns_did_skipped() -> Fragment {
    Fragment::with_reason(
        DNS_DID,
        KIND,
        Status::Skipped,
        (0, "SKIPPED"),
        "Document was not issued using DNS-DID",
    )
}

/// The DNS-DID fragment of a document issued with it, verified offline.
fn dns_did_offline() -> Fragment {
    Fragment::with_reason(
        DNS_DID,
        KIND,
        Status::NotChecked,
        (0, "SKIPPED"),
        "not checked: the issuer's DNS-DID identity needs a DNS lookup, and verification was offline",
    )
}

impl DnsDidCheck {
    /// A v3 document: a record at `identityProof.identifier` must name the key that signed.
    fn check_v3(&self, v3: &WrappedCredential) -> Fragment {
        let fail = |status, code, message: &str| {
            Fragment::with_reason(DNS_DID, KIND, status, code, message.to_string())
        };
        let signed = v3.signature.as_ref();
        let Some(signed) =
            signed.filter(|_| v3.metadata_text("identityProof", "type") == Some("DNS-DID"))
        else {
            return dns_did_skipped();
        };
        let Some(dns) = &self.dns else {
            return dns_did_offline();
        };
        let location = v3
            .metadata_text("identityProof", "identifier")
            .unwrap_or_default();
        let vouched = match vouches_for(dns.as_ref(), location, &signed.key) {
            Ok(vouched) => vouched,
            Err(fragment) => return fragment,
        };
        let identity = DnsDidIssuer {
            location: location.to_owned(),
            key: signed.key.clone(),
            vouched,
        };
        let fragment = if vouched {
            Fragment::valid(DNS_DID, KIND)
        } else {
            fail(
                Status::Invalid,
                (6, "INVALID_IDENTITY"),
                "Could not find identity at location",
            )
        };
        fragment.with_data(FragmentData::DnsDidIdentifier(Box::new(identity)))
    }
}
