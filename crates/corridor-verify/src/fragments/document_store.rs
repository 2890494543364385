//! `OpenAttestationEthereumDocumentStoreStatus`: was the document's merkle root issued on each
//! of its issuers' document store contracts, and is no hash from it to its root revoked there?
//!
//! tt-verify's rules, codes and messages, with two deliberate differences: where tt-verify
//! turns a failed revocation query into "revoked", a network that cannot be asked is an
//! `ERROR` saying the status could not be determined; and where it calls an address with no
//! contract "not issued", it is an `ERROR` (tt-verify's own `CONTRACT_NOT_FOUND` code) saying
//! the address or the network is wrong.

use std::collections::HashMap;
use std::sync::Arc;

use alloy_primitives::Address;
use corridor_format::Hash32;
use serde_json::Value;

use super::chain_answers::{ChainAnswers, unavailable};
use crate::providers::{ContractAnswer, ContractQuery, ProofOf};
use crate::subject::BatchPlace;
use crate::{Check, Fragment, FragmentType, Status, Subject};

/// The fragment's name.
pub const NAME: &str = "OpenAttestationEthereumDocumentStoreStatus";
const KIND: FragmentType = FragmentType::Status;
const UNEXPECTED_ERROR: (u32, &str) = (0, "UNEXPECTED_ERROR");
const DOCUMENT_NOT_ISSUED: (u32, &str) = (1, "DOCUMENT_NOT_ISSUED");
const SKIPPED: (u32, &str) = (4, "SKIPPED");
const DOCUMENT_REVOKED: (u32, &str) = (5, "DOCUMENT_REVOKED");
const INVALID_ISSUERS: (u32, &str) = (7, "INVALID_ISSUERS");
const CONTRACT_NOT_FOUND: (u32, &str) = (404, "CONTRACT_NOT_FOUND");

/// Asks each issuer's document store; without a chain, says the check was not run.
pub struct DocumentStoreCheck {
    pub chain: Arc<ChainAnswers>,
}

/// Where the document is anchored, as its issuers say.
struct Anchors<'a> {
    place: BatchPlace<'a>,
    /// Each issuer's store, as written, and parsed (or why it cannot be).
    stores: Vec<(&'a str, Result<Address, &'static str>)>,
    /// A v3 document (one store, its proof method's value): tt-verify asks about issuance
    /// and revocation both, and a revocation is the reason before a missing issuance.
    v3: bool,
}

/// The document's stores, or the fragment that says why there are none to ask; `None` when
/// the check does not apply.
fn anchors(subject: &Subject) -> Option<Result<Anchors<'_>, Fragment>> {
    if let Some(v3) = &subject.v3 {
        if v3.metadata_text("proof", "method") != Some("DOCUMENT_STORE") {
            return None;
        }
        let store = v3.metadata_text("proof", "value").unwrap_or_default();
        return Some(Ok(Anchors {
            place: subject.batch_place()?,
            stores: vec![(store, parse_address(store))],
            v3: true,
        }));
    }
    let issuers = subject.issuers()?;
    if !issuers
        .iter()
        .any(|i| i.get("documentStore").is_some() || i.get("certificateStore").is_some())
    {
        return None;
    }
    let place = subject.batch_place()?;
    let mut stores = Vec::with_capacity(issuers.len());
    for issuer in issuers {
        // tt-verify takes the first that is truthy.
        let store = ["documentStore", "certificateStore"]
            .iter()
            .find_map(|k| issuer.get(*k).filter(|v| truthy(v)));
        match store {
            Some(Value::String(text)) => stores.push((text.as_str(), parse_address(text))),
            Some(_) => stores.push(("", Err("Invalid call arguments"))),
            None => {
                let name = match issuer.get("name") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => "undefined".into(),
                };
                return Some(Err(Fragment::with_reason(
                    NAME,
                    KIND,
                    Status::Error,
                    INVALID_ISSUERS,
                    format!("Document store address not found in issuer {name}"),
                )));
            }
        }
    }
    Some(Ok(Anchors {
        place,
        stores,
        v3: false,
    }))
}

/// Whether JavaScript would take `v` as true.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// An address as ethers reads one: 40 hex digits after `0x`, in one case or with a valid
/// checksum.
pub(crate) fn parse_address(text: &str) -> Result<Address, &'static str> {
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("Invalid document store address");
    }
    let address: Address = hex.parse().map_err(|_| "Invalid document store address")?;
    let mixed =
        hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
    if mixed && address.to_checksum(None)[2..] != *hex {
        return Err("Bad document store address checksum");
    }
    Ok(address)
}

/// Where the document sits in its batch, as a store is asked about it.
struct Place {
    root: Hash32,
    proof_of: ProofOf,
    /// Every hash from the target hash to the root: a plain store is asked about each.
    nodes: Vec<Hash32>,
}

impl Place {
    /// `None` when a hash of the document is not one (tt-verify: invalid call arguments).
    fn of(doc: BatchPlace<'_>) -> Option<Place> {
        let root = Hash32::from_node_hex(doc.merkle_root)?;
        let target = Hash32::from_node_hex(doc.target_hash)?;
        let proof: Vec<Hash32> = doc
            .proof
            .iter()
            .map(|p| Hash32::from_node_hex(p))
            .collect::<Option<_>>()?;
        // The nodes a batch shares were hashed for its other documents already.
        let nodes = crate::memo::with_nodes(|memo| memo.path(&target, &proof));
        Some(Place {
            root,
            proof_of: ProofOf {
                root,
                target,
                proof: proof.into(),
            },
            nodes,
        })
    }

    /// Whether `store` issued the document.
    fn issued(&self, store: Address, batchable: bool) -> ContractQuery {
        if batchable {
            ContractQuery::IsIssuedWithProof(store, self.proof_of.clone())
        } else {
            ContractQuery::IsIssued(store, self.root)
        }
    }

    /// Whether `store` revoked the document (any answer yes: revoked).
    fn revoked(&self, store: Address, batchable: bool) -> Vec<ContractQuery> {
        if batchable {
            vec![ContractQuery::IsRevokedWithProof(
                store,
                self.proof_of.clone(),
            )]
        } else {
            self.nodes
                .iter()
                .map(|h| ContractQuery::IsRevoked(store, *h))
                .collect()
        }
    }
}

impl Anchors<'_> {
    /// The questions this document needs answered, given which stores are batchable.
    fn queries(&self, batchable: &impl Fn(Address) -> bool) -> Vec<ContractQuery> {
        let Some(place) = Place::of(self.place) else {
            return Vec::new();
        };
        let mut queries = Vec::new();
        for (_, store) in &self.stores {
            let Ok(store) = *store else { continue };
            queries.push(place.issued(store, batchable(store)));
            queries.extend(place.revoked(store, batchable(store)));
        }
        queries
    }
}

fn fail(status: Status, code: (u32, &'static str), message: String) -> Fragment {
    Fragment::with_reason(NAME, KIND, status, code, message)
}

impl Check for DocumentStoreCheck {
    fn name(&self) -> &'static str {
        NAME
    }

    /// Asks, at once, everything the documents will need: which stores are batchable, then
    /// their issuance and revocation.
    fn prefetch(&self, subjects: &[&Subject]) {
        if !self.chain.connected() {
            return;
        }
        let anchors: Vec<Anchors> = subjects.iter().filter_map(|s| anchors(s)?.ok()).collect();
        let mut stores: Vec<Address> = anchors
            .iter()
            .flat_map(|a| a.stores.iter().filter_map(|(_, s)| s.ok()))
            .collect();
        stores.sort();
        stores.dedup();
        let asked: Vec<ContractQuery> = stores
            .iter()
            .map(|s| ContractQuery::IsBatchable(*s))
            .collect();
        let answers = self.chain.answers(&asked);
        let batchable: HashMap<Address, bool> = stores
            .iter()
            .zip(answers)
            .map(|(s, a)| (*s, matches!(a, Ok(ContractAnswer::Bool(true)))))
            .collect();
        let is_batchable = |s: Address| batchable.get(&s).copied().unwrap_or(false);
        let queries: Vec<ContractQuery> = anchors
            .iter()
            .flat_map(|a| a.queries(&is_batchable))
            .collect();
        self.chain.answers(&queries);
    }

    fn check(&self, subject: &Subject) -> Fragment {
        let anchors = match anchors(subject) {
            None => {
                return fail(
                    Status::Skipped,
                    SKIPPED,
                    "Document issuers doesn't have \"documentStore\" or \"certificateStore\" property or DOCUMENT_STORE method".into(),
                );
            }
            Some(Err(fragment)) => return fragment,
            Some(Ok(anchors)) => anchors,
        };
        if !self.chain.connected() {
            return fail(
                Status::NotChecked,
                SKIPPED,
                "not checked: the document store's status needs its chain (give --network or --rpc-url)".into(),
            );
        }
        let root_text = format!("0x{}", anchors.place.merkle_root);
        let Some(place) = Place::of(anchors.place) else {
            return fail(
                Status::Invalid,
                DOCUMENT_NOT_ISSUED,
                "Invalid call arguments".into(),
            );
        };

        // Issued on every store? The first store that says no (or cannot be asked) decides.
        let mut asked = Vec::with_capacity(anchors.stores.len());
        for (text, store) in &anchors.stores {
            let store = match store {
                Ok(store) => *store,
                Err(why) => return fail(Status::Invalid, DOCUMENT_NOT_ISSUED, (*why).into()),
            };
            let is_batchable = match &self.chain.answers(&[ContractQuery::IsBatchable(store)])[0] {
                Ok(ContractAnswer::Bool(b)) => *b,
                Ok(_) => false,
                Err(e) => return unavailable(NAME, "document store", e),
            };
            let store = Store {
                text,
                address: store,
                batchable: is_batchable,
            };
            if anchors.v3 {
                // Both asked; a revocation is the reason before a missing issuance.
                let issued = self.issuance(&place, &root_text, &store);
                return match self.revocation(&place, &root_text, &store).and(issued) {
                    Ok(()) => Fragment::valid(NAME, KIND),
                    Err(fragment) => fragment,
                };
            }
            if let Err(fragment) = self.issuance(&place, &root_text, &store) {
                return fragment;
            }
            asked.push(store);
        }
        // Revoked on any store, for any hash from the document to its root?
        for store in &asked {
            if let Err(fragment) = self.revocation(&place, &root_text, store) {
                return fragment;
            }
        }
        Fragment::valid(NAME, KIND)
    }
}

/// A store asked about the document: as written, its address, and whether it is batchable.
struct Store<'a> {
    text: &'a str,
    address: Address,
    batchable: bool,
}

impl DocumentStoreCheck {
    /// Whether `store` issued the document: `Err` with the fragment when it did not, or cannot
    /// be asked.
    fn issuance(&self, place: &Place, root_text: &str, store: &Store) -> Result<(), Fragment> {
        let text = store.text;
        match &self
            .chain
            .answers(&[place.issued(store.address, store.batchable)])[0]
        {
            Ok(ContractAnswer::Bool(true)) => Ok(()),
            Ok(ContractAnswer::Bool(false)) => Err(fail(
                Status::Invalid,
                DOCUMENT_NOT_ISSUED,
                format!("Document {root_text} has not been issued under contract {text}"),
            )),
            // tt-verify calls this "not issued"; it says nothing about the document, only
            // that the address or the network is wrong.
            Ok(ContractAnswer::NoContract) => Err(fail(
                Status::Error,
                CONTRACT_NOT_FOUND,
                format!(
                    "Contract is not found: no document store answers at {text} on this network (a wrong address, or another network?)"
                ),
            )),
            Ok(ContractAnswer::Refused(why) | ContractAnswer::Unreadable(why)) => Err(fail(
                Status::Error,
                UNEXPECTED_ERROR,
                format!("{text}: {why}"),
            )),
            Ok(ContractAnswer::Address(_)) => Err(fail(
                Status::Error,
                UNEXPECTED_ERROR,
                format!("{text}: not a document store's answer"),
            )),
            Err(e) => Err(unavailable(NAME, "document store", e)),
        }
    }

    /// Whether `store` revoked any hash from the document to its root: `Err` with the fragment
    /// when it did, or cannot be asked.
    fn revocation(&self, place: &Place, root_text: &str, store: &Store) -> Result<(), Fragment> {
        let text = store.text;
        for answer in self
            .chain
            .answers(&place.revoked(store.address, store.batchable))
        {
            match answer {
                Ok(ContractAnswer::Bool(false)) => {}
                Ok(ContractAnswer::Bool(true)) => {
                    return Err(fail(
                        Status::Invalid,
                        DOCUMENT_REVOKED,
                        format!("Document {root_text} has been revoked under contract {text}"),
                    ));
                }
                Ok(other) => {
                    return Err(fail(
                        Status::Error,
                        UNEXPECTED_ERROR,
                        format!("{text}: the revocation status could not be determined: {other}"),
                    ));
                }
                Err(e) => return Err(unavailable(NAME, "document store", &e)),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_as_ethers_reads_them() {
        let lower = "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1";
        assert!(parse_address(lower).is_ok());
        assert!(parse_address(&lower.to_ascii_uppercase().replace("0X", "0x")).is_ok());
        assert!(parse_address("0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1").is_ok());
        assert_eq!(
            parse_address("0x90F8bf6A479f320ead074411a4B0e7944Ea8c9c1"),
            Err("Bad document store address checksum")
        );
        assert_eq!(
            parse_address("0x1234"),
            Err("Invalid document store address")
        );
        assert_eq!(
            parse_address("example.eth"),
            Err("Invalid document store address")
        );
    }
}
