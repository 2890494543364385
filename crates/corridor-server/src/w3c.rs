//! The W3C issuer: the Multikey `POST /api/issue` signs credentials with when asked for
//! `"format": "w3c"`, as TrustVC's `signW3C` signs them, and what it puts in each. As with the
//! OpenAttestation issuer, an API token chooses a credential's claims, never who vouches for
//! it or how it is revoked: the issuer is this key's DID, and the status is an entry of this
//! issuer's status list (or, for a transferable record, its title in a registry of the
//! server's), always disclosed.

use alloy_primitives::Address;
use corridor_di::{Cryptosuite, IssuerSigningKey};
use corridor_jsonld::{BundledContexts, Processor};
use corridor_ledger::StatusListRecord;
use corridor_verify::w3c::{self, Mode, TRANSFERABLE_RECORDS};
use serde_json::{Value, json};

/// The context that defines a `TransferableRecords` status.
const TRANSFERABLE_RECORDS_CONTEXT: &str =
    "https://trustvc.io/context/transferable-records-context.json";
/// The context that defines a `StatusList2021Entry`.
const STATUS_LIST_2021_CONTEXT: &str = "https://w3id.org/vc/status-list/2021/v1";
/// The chain name a transferable record's status gives the embedded registries (their chain
/// id is what verifiers go by).
const EMBEDDED_CHAIN_NAME: &str = "CORRIDOR";

/// A W3C issuer's key, held by the server, with the status list its credentials get entries
/// of.
pub struct W3cIssuer {
    key: IssuerSigningKey,
    /// The key's name in the keystore, which the store records its events under.
    name: String,
    /// `did:web:…#keys-N`: the key in its DID document.
    method: String,
    list: ListSetting,
    /// Contexts from those TrustVC bundles only: the server never fetches for signing.
    processor: Processor,
}

/// What a status entry on the issuer's list says of the list.
struct ListSetting {
    url: String,
    purpose: &'static str,
    of_2021: bool,
}

/// Why a W3C issuer cannot be configured as given.
#[derive(Debug, thiserror::Error)]
pub enum W3cIssuerError {
    #[error(
        "{0:?} is not a did:web key: give the issuer's DID and the key's fragment, as did:web:example.com#keys-1"
    )]
    Method(String),
    #[error(
        "the status list {url} names {named} as its issuer, not {did}: verifiers refuse a list of another issuer"
    )]
    ListIssuer {
        url: String,
        named: String,
        did: String,
    },
    #[error(
        "the status list {url} is signed by the key {list_key} as {list_method}, not by {key} as {method}: the server signs it again when it revokes, and `corridor status-list` after it, with one key; make a list with this key (`corridor status-list new --key {key}`)"
    )]
    ListKey {
        url: String,
        list_key: String,
        list_method: String,
        key: String,
        method: String,
    },
}

impl W3cIssuer {
    /// The issuer that signs with `key` (named `key_name` in the keystore) as `method` (a
    /// did:web DID URL), its credentials getting entries of `list`, which that key must have
    /// signed as that method.
    pub fn new(
        key: IssuerSigningKey,
        key_name: &str,
        method: String,
        list: &StatusListRecord,
    ) -> Result<W3cIssuer, W3cIssuerError> {
        if w3c::did_web_url(&method).is_none() || !method.contains('#') {
            return Err(W3cIssuerError::Method(method));
        }
        let credential: Value = serde_json::from_str(&list.signed).unwrap_or_default();
        let named = issuer_id(&credential).unwrap_or_default();
        let did = w3c::did_of(&method);
        if named != did {
            return Err(W3cIssuerError::ListIssuer {
                url: list.url.clone(),
                named: named.to_owned(),
                did: did.to_owned(),
            });
        }
        let list_method = credential["proof"]["verificationMethod"]
            .as_str()
            .unwrap_or_default();
        if list.key != key_name || list_method != method {
            return Err(W3cIssuerError::ListKey {
                url: list.url.clone(),
                list_key: list.key.clone(),
                list_method: list_method.to_owned(),
                key: key_name.to_owned(),
                method,
            });
        }
        let list = ListSetting {
            url: list.url.clone(),
            purpose: list.purpose.name(),
            of_2021: w3c::is_of_type(&credential, "StatusList2021Credential"),
        };
        Ok(W3cIssuer {
            key,
            name: key_name.to_owned(),
            method,
            list,
            processor: Processor::new(BundledContexts),
        })
    }

    /// What recording events as this issuer signs with: each event a credential of its own
    /// with an entry of the issuer's list.
    pub(crate) fn event_issuer(&self) -> corridor_capture::W3cIssuer<'_> {
        corridor_capture::W3cIssuer {
            processor: &self.processor,
            key: &self.key,
            method: self.method.clone(),
            status_list: self.list.url.clone(),
            status_purpose: self.list.purpose.to_owned(),
            status_list_2021: self.list.of_2021,
            mandatory: Vec::new(),
        }
    }

    /// The key's name in the keystore.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The issuer's DID.
    pub fn did(&self) -> &str {
        w3c::did_of(&self.method)
    }

    pub fn suite(&self) -> Cryptosuite {
        self.key.suite()
    }

    /// The URL of the status list its credentials get entries of.
    pub fn status_list(&self) -> &str {
        &self.list.url
    }

    /// The issuer as `GET /api/issuer` describes it.
    pub(crate) fn described(&self) -> Value {
        json!({
            "did": self.did(),
            "verificationMethod": self.method,
            "cryptosuite": self.suite().name(),
            "statusList": self.list.url,
            "statusPurpose": self.list.purpose,
        })
    }

    /// `credential` made this issuer's, or why it cannot be: its issuer set to this DID (one
    /// naming another is refused), TrustVC's requirements for signing met, and no status of
    /// its own (the server gives each its own).
    pub(crate) fn claim(&self, credential: &mut Value, now_ms: u64) -> Result<(), String> {
        // A list credential signed here would let whoever serves the list rewrite every status.
        if ["BitstringStatusListCredential", "StatusList2021Credential"]
            .iter()
            .any(|kind| w3c::is_of_type(credential, kind))
        {
            return Err(
                "is a status list credential; the server signs only its own lists, as it revokes"
                    .into(),
            );
        }
        let Some(fields) = credential.as_object_mut() else {
            return Err("is not a JSON object".into());
        };
        match fields.get("issuer") {
            None => {
                fields.insert("issuer".into(), Value::String(self.did().to_owned()));
            }
            // Only the DID: the server says who it is, not the caller (no name of their own).
            Some(Value::String(stated)) if stated == self.did() => {}
            Some(stated) => {
                return Err(format!(
                    "names {stated} as its issuer; this server issues only as {}: leave \"issuer\" out, or give just that DID",
                    self.did()
                ));
            }
        }
        if let Some(Value::String(only)) = fields.get("@context") {
            let only = Value::String(only.clone());
            fields.insert("@context".into(), Value::Array(vec![only]));
        }
        let vc_1_1 = matches!(fields.get("@context"), Some(Value::Array(c)) if c.first().and_then(Value::as_str) == Some(w3c::VC_V1));
        if vc_1_1 && !self.list.of_2021 {
            return Err(format!(
                "is a VC 1.1 credential, and this server's list {} is a Bitstring status list, which VC 1.1 does not define: issue VC 2.0 credentials here",
                self.list.url
            ));
        }
        if fields.contains_key("credentialStatus") {
            return Err(
                "has a credentialStatus; the server gives each credential its own (an entry of its status list, or a transferable record's title): leave it out".into(),
            );
        }
        w3c::check_credential(credential, now_ms as i64, Mode::Sign)
    }

    /// Gives a claimed `credential` the entry `index` of the issuer's status list.
    pub(crate) fn put_list_entry(&self, credential: &mut Value, index: u64) {
        if self.list.of_2021 {
            with_context(credential, STATUS_LIST_2021_CONTEXT);
        }
        credential["credentialStatus"] =
            w3c::status_list_entry(&self.list.url, self.list.purpose, index, self.list.of_2021);
    }

    /// Makes a claimed `credential` a transferable record whose title is in `registry`, an
    /// embedded registry of this server's (its token id is derived as it is signed).
    pub(crate) fn put_transferable_status(credential: &mut Value, registry: Address) {
        with_context(credential, TRANSFERABLE_RECORDS_CONTEXT);
        credential["credentialStatus"] = json!({
            "type": TRANSFERABLE_RECORDS,
            "tokenNetwork": {
                "chain": EMBEDDED_CHAIN_NAME,
                "chainId": corridor_ledger::EMBEDDED_CHAIN_ID,
            },
            "tokenRegistry": format!("{registry:#x}"),
        });
    }

    /// Whether `credential` can be signed as it is, or why not (a term no context defines):
    /// checked before an entry of the list is handed out for it.
    pub(crate) fn signable(&self, credential: &Value) -> Result<(), String> {
        self.processor
            .to_rdf(credential)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// `credential` signed at `now_ms`; its status is always disclosed, so that no copy a
    /// holder derives escapes a revocation or its title.
    pub(crate) fn sign(
        &self,
        credential: &Value,
        now_ms: u64,
        random: [u8; 10],
    ) -> Result<Value, String> {
        w3c::sign_credential(
            &self.processor,
            &self.key,
            &self.method,
            credential,
            &["/credentialStatus".to_owned()],
            now_ms,
            random,
        )
    }
}

/// Why a credential cannot be revoked through the server.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotRevocable {
    #[error(
        "the credential has no entry on this server's revocation list {0}: nothing here can revoke it"
    )]
    NoEntry(String),
    #[error("this server's list {0} is a suspension list: its entries are suspended, not revoked")]
    Suspension(String),
    #[error(
        "the credential names {0} as its issuer; this server revokes only what it issued, as {1}"
    )]
    NotOurs(String, String),
    #[error("the credential's entries on {0} are revoked already")]
    AlreadyRevoked(String),
    #[error("the list credential kept for {0} cannot be signed again: {1}")]
    Kept(String, String),
}

impl W3cIssuer {
    /// Revokes `credential`'s entries on this issuer's list in `store`: the list's bits set
    /// and its credential signed again by this issuer's key. The indexes revoked.
    pub(crate) fn revoke(
        &self,
        store: &mut corridor_ledger::Store,
        credential: &Value,
        now_ms: u64,
        random: [u8; 10],
    ) -> Result<Result<Vec<u64>, NotRevocable>, corridor_ledger::StoreError> {
        let url = &self.list.url;
        let stated = credential.get("issuer").and_then(issuer_of);
        if stated != Some(self.did()) {
            let stated = stated.map_or("no issuer".to_owned(), str::to_owned);
            return Ok(Err(NotRevocable::NotOurs(stated, self.did().to_owned())));
        }
        if self.list.purpose != corridor_ledger::StatusPurpose::Revocation.name() {
            return Ok(Err(NotRevocable::Suspension(url.clone())));
        }
        let indexes: Vec<u64> = w3c::status_entries(credential, self.list.purpose)
            .into_iter()
            .filter(|(list, _)| list == url)
            .map(|(_, index)| index)
            .collect();
        if indexes.is_empty() {
            return Ok(Err(NotRevocable::NoEntry(url.clone())));
        }
        let Some(list) = store.status_list(url)? else {
            return Ok(Err(NotRevocable::NoEntry(url.clone())));
        };
        if indexes.iter().all(|&i| list.is_set(i)) {
            return Ok(Err(NotRevocable::AlreadyRevoked(url.clone())));
        }
        let bits = list.changed(&indexes, true)?;
        let kept: Value = serde_json::from_str(&list.signed).unwrap_or_default();
        let signed = w3c::list_to_sign_again(&kept, &bits)
            .and_then(|(unsigned, _)| {
                w3c::sign_credential(
                    &self.processor,
                    &self.key,
                    &self.method,
                    &unsigned,
                    &[],
                    now_ms,
                    random,
                )
            })
            .map_err(|why| NotRevocable::Kept(url.clone(), why));
        let signed = match signed {
            Ok(signed) => signed,
            Err(refused) => return Ok(Err(refused)),
        };
        store.change_status(url, list.version, &indexes, true, &signed.to_string())?;
        Ok(Ok(indexes))
    }
}

/// The DID a credential's `issuer` names (a string, or an object's `id`).
fn issuer_of(issuer: &Value) -> Option<&str> {
    match issuer {
        Value::Object(fields) => fields.get("id").and_then(Value::as_str),
        other => other.as_str(),
    }
}

fn issuer_id(credential: &Value) -> Option<&str> {
    credential.get("issuer").and_then(issuer_of)
}

/// `context` added to `credential`'s `@context` unless it is there already.
fn with_context(credential: &mut Value, context: &str) {
    if let Some(Value::Array(contexts)) = credential.get_mut("@context")
        && !contexts.iter().any(|c| c == context)
    {
        contexts.push(Value::String(context.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DID: &str = "did:web:issuer.example.com";

    fn list(issuer: &str, kind: &str) -> StatusListRecord {
        StatusListRecord {
            url: "https://issuer.example.com/status/1".into(),
            key: "k".into(),
            purpose: corridor_ledger::StatusPurpose::Revocation,
            bits: vec![0; 16],
            next: 0,
            version: 0,
            signed: json!({"type": ["VerifiableCredential", kind], "issuer": issuer,
                           "proof": {"verificationMethod": format!("{issuer}#keys-1")}})
            .to_string(),
        }
    }

    fn key() -> IssuerSigningKey {
        IssuerSigningKey::P256(corridor_di::ecdsa_sd::SigningKey::from_slice(&[7; 32]).unwrap())
    }

    fn issuer() -> W3cIssuer {
        let list = list(DID, "BitstringStatusListCredential");
        W3cIssuer::new(key(), "k", format!("{DID}#keys-1"), &list).unwrap()
    }

    fn credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"name": "x"},
        })
    }

    #[test]
    fn an_issuer_is_a_did_web_key_whose_did_issued_its_list() {
        let ours = list(DID, "BitstringStatusListCredential");
        for bad in [DID, "did:key:z6Mk#1", "https://issuer.example.com#keys-1"] {
            assert!(matches!(
                W3cIssuer::new(key(), "k", bad.into(), &ours),
                Err(W3cIssuerError::Method(_))
            ));
        }
        let theirs = list("did:web:other.example.com", "BitstringStatusListCredential");
        let refused = W3cIssuer::new(key(), "k", format!("{DID}#keys-1"), &theirs);
        assert!(
            refused
                .err()
                .unwrap()
                .to_string()
                .contains("did:web:other.example.com")
        );
        // The list must be this key's, signed as this method: the server signs it again.
        for (name, method) in [
            ("other", format!("{DID}#keys-1")),
            ("k", format!("{DID}#keys-2")),
        ] {
            assert!(matches!(
                W3cIssuer::new(key(), name, method, &ours),
                Err(W3cIssuerError::ListKey { .. })
            ));
        }
        let issuer = issuer();
        assert_eq!(issuer.did(), DID);
        assert_eq!(issuer.described()["cryptosuite"], "ecdsa-sd-2023");
    }

    #[test]
    fn a_credential_is_made_the_issuers_or_refused() {
        let issuer = issuer();
        let mut bare = credential();
        issuer.claim(&mut bare, 0).unwrap();
        assert_eq!(bare["issuer"], DID);
        // A name of the caller's choosing is not the server's to vouch for.
        let mut as_object = credential();
        as_object["issuer"] = json!({"id": DID, "name": "Any Government"});
        assert!(issuer.claim(&mut as_object, 0).is_err());
        let mut list = credential();
        list["type"] = json!(["VerifiableCredential", "BitstringStatusListCredential"]);
        assert!(
            issuer
                .claim(&mut list, 0)
                .unwrap_err()
                .contains("status list")
        );
        let mut one_context = credential();
        one_context["@context"] = json!("https://www.w3.org/ns/credentials/v2");
        issuer.claim(&mut one_context, 0).unwrap();
        assert!(one_context["@context"].is_array());
        let mut vc_1_1 = credential();
        vc_1_1["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        vc_1_1["issuanceDate"] = json!("2026-01-01T00:00:00Z");
        assert!(issuer.claim(&mut vc_1_1, 0).unwrap_err().contains("VC 1.1"));
        let mut theirs = credential();
        theirs["issuer"] = json!("did:web:other.example.com");
        assert!(issuer.claim(&mut theirs, 0).unwrap_err().contains(DID));
        let mut with_status = credential();
        with_status["credentialStatus"] = json!({"type": "BitstringStatusListEntry"});
        assert!(
            issuer
                .claim(&mut with_status, 0)
                .unwrap_err()
                .contains("credentialStatus")
        );
        let mut no_subject = credential();
        no_subject
            .as_object_mut()
            .unwrap()
            .remove("credentialSubject");
        assert!(issuer.claim(&mut no_subject, 0).is_err());
        assert!(issuer.claim(&mut json!([1]), 0).is_err());
    }

    #[test]
    fn statuses_come_with_the_contexts_that_define_them() {
        let list_2021 = list(DID, "StatusList2021Credential");
        let issuer = W3cIssuer::new(key(), "k", format!("{DID}#keys-1"), &list_2021).unwrap();
        let mut credential = credential();
        issuer.put_list_entry(&mut credential, 9);
        assert_eq!(
            credential["credentialStatus"]["type"],
            "StatusList2021Entry"
        );
        assert_eq!(credential["credentialStatus"]["statusListIndex"], "9");
        assert_eq!(credential["@context"][1], STATUS_LIST_2021_CONTEXT);
        issuer.put_list_entry(&mut credential, 9);
        assert_eq!(credential["@context"].as_array().unwrap().len(), 2);

        let mut record = self::credential();
        W3cIssuer::put_transferable_status(&mut record, Address::repeat_byte(0xab));
        assert_eq!(record["@context"][1], TRANSFERABLE_RECORDS_CONTEXT);
        assert_eq!(
            record["credentialStatus"]["tokenNetwork"]["chainId"],
            corridor_ledger::EMBEDDED_CHAIN_ID
        );
    }
}
