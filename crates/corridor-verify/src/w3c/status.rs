//! The status fragments of a W3C credential, as TrustVC 2.11 gives them:
//! `W3CCredentialStatus` (Bitstring and 2021 status lists), `TransferableRecords` (a title on a
//! token registry) and `W3CEmptyCredentialStatus` (no status at all).

use alloy_primitives::Address;
use corridor_format::Hash32;
use corridor_js::{to_js_string, truthy};
use serde::Serialize;
use serde_json::Value;

use super::credential::{Mode, check_status_entry, status_list_index};
use super::integrity::Failure;
use super::loader::{Cut, Fetched};
use super::{StatusList, TRANSFERABLE_RECORDS, W3cVerifier};
use crate::providers::{ContractAnswer, ContractQuery};
use crate::{Fragment, FragmentData, FragmentType, Reason, Status};

const KIND: FragmentType = FragmentType::Status;
pub const LIST_STATUS: &str = "W3CCredentialStatus";
pub const TRANSFERABLE: &str = "TransferableRecords";
pub const EMPTY_STATUS: &str = "W3CEmptyCredentialStatus";

/// What one status entry came to, as TrustVC's fragment `data` lists it: whether its bit is
/// set, for its purpose, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StatusEntryResult {
    Read { status: bool, purpose: Value },
    Error { error: String },
}

/// A credential's status entries, as TrustVC lists them (one, or each of a list).
fn entries(doc: &Value) -> Vec<&Value> {
    match doc.get("credentialStatus") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => vec![&Value::Null],
    }
}

fn entry_type(entry: &Value) -> Option<&str> {
    entry.get("type").and_then(Value::as_str)
}

/// `W3CCredentialStatus`.
/// `signed`: whether the document is a signed credential by TrustVC's requirements.
pub(super) fn status_list(v: &W3cVerifier, doc: &Value, signed: bool) -> Fragment {
    let entries = entries(doc);
    let applies = signed
        && entries.iter().all(|e| {
            matches!(
                entry_type(e),
                Some("BitstringStatusListEntry" | "StatusList2021Entry")
            )
        });
    if !applies {
        return Fragment::with_reason(
            LIST_STATUS,
            KIND,
            Status::Skipped,
            (0, "SKIPPED"),
            "Document does not have a valid credentialStatus or type.",
        );
    }
    let mut results = Vec::with_capacity(entries.len());
    for entry in &entries {
        results.push(match v.read_entry(entry) {
            Ok((status, purpose)) => StatusEntryResult::Read { status, purpose },
            Err(Failure::Cut(Cut::Unreachable(why))) => {
                return Fragment::with_reason(
                    LIST_STATUS,
                    KIND,
                    Status::Unreachable,
                    (4, "ERROR"),
                    format!("the status list could not be fetched: {why}"),
                );
            }
            Err(Failure::Cut(Cut::NotAsked(why))) => {
                return Fragment::with_reason(
                    LIST_STATUS,
                    KIND,
                    Status::NotChecked,
                    (0, "SKIPPED"),
                    format!("not checked: the status list was not fetched: {why}"),
                );
            }
            Err(Failure::Invalid(error)) => StatusEntryResult::Error { error },
            Err(Failure::MustDerive) => StatusEntryResult::Error {
                error: "the status list credential carries a base proof".into(),
            },
        });
    }
    let errors: Vec<&str> = results
        .iter()
        .map(|r| match r {
            StatusEntryResult::Error { error } => error.as_str(),
            StatusEntryResult::Read { .. } => "",
        })
        .collect();
    let purposes = |p: &str| {
        results
            .iter()
            .any(|r| matches!(r, StatusEntryResult::Read { purpose, .. } if purpose == p))
    };
    let (revoked, suspended) = (purposes("revocation"), purposes("suspension"));
    let fragment = if errors.iter().any(|e| !e.is_empty()) {
        Fragment::with_reason(
            LIST_STATUS,
            KIND,
            Status::Error,
            (4, "ERROR"),
            errors.join(", "),
        )
    } else if results
        .iter()
        .all(|r| matches!(r, StatusEntryResult::Read { status: false, .. }))
    {
        Fragment::valid(LIST_STATUS, KIND)
    } else {
        let (code, message) = match (revoked, suspended) {
            (true, true) => (
                (101, "REVOKED_AND_SUSPENDED"),
                "Document has been revoked and suspended.",
            ),
            (true, false) => ((11, "REVOKED"), "Document has been revoked."),
            _ => ((12, "SUSPENDED"), "Document has been suspended."),
        };
        Fragment::with_reason(LIST_STATUS, KIND, Status::Invalid, code, message)
    };
    fragment.with_data(FragmentData::StatusEntries(results))
}

impl W3cVerifier {
    /// One status list entry: its bit and purpose (TrustVC's `verifyCredentialStatus`).
    fn read_entry(&self, entry: &Value) -> Result<(bool, Value), Failure> {
        check_status_entry(entry, Mode::Verify).map_err(Failure::Invalid)?;
        let purpose = entry.get("statusPurpose").cloned().unwrap_or(Value::Null);
        let index = status_list_index(entry);
        let url = entry
            .get("statusListCredential")
            .map(to_js_string)
            .unwrap_or_default();
        let list_credential = match self.loader.fetch(&url) {
            Fetched::Json { body, .. } => body,
            Fetched::NotJson { why, .. } => {
                return Err(Failure::Invalid(format!(
                    "Credential Status VC not found: {why}"
                )));
            }
            Fetched::NoSuchHost(why) => {
                return Err(Failure::Invalid(format!(
                    "Credential Status VC not found: {why}"
                )));
            }
            Fetched::Unreachable(why) => return Err(Cut::Unreachable(why).into()),
            Fetched::NotAsked(why) => return Err(Cut::NotAsked(why).into()),
        };
        let list = list_credential.get("credentialSubject").ok_or_else(|| {
            Failure::Invalid(format!(
                "the status list credential at {url} has no credentialSubject"
            ))
        })?;
        if list.get("statusPurpose") != Some(&purpose) {
            return Err(Failure::Invalid(
                "statusPurpose does not match the statusPurpose in the statusListCredential".into(),
            ));
        }
        let Some(Value::String(encoded)) = list.get("encodedList") else {
            return Err(Failure::Invalid("\"encoded\" must be a string.".into()));
        };
        let bits = StatusList::decode(encoded).map_err(|_| {
            Failure::Invalid("Invalid encodedList: encodedList cannot be decoded".into())
        })?;
        let in_range = index >= 0.0 && index < bits.len() as f64;
        if !in_range {
            return Err(Failure::Invalid(format!(
                "Invalid statusListIndex: Index out of range: min=0, max={}",
                bits.len() as i128 - 1
            )));
        }
        self.list_verified(&url, &list_credential)?;
        Ok((bits.get(index as u64).unwrap_or(false), purpose))
    }

    /// Whether the status list credential at `url` verifies, checked once per run.
    fn list_verified(&self, url: &str, list_credential: &Value) -> Result<(), Failure> {
        if let Some(known) = self
            .lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(url)
        {
            return known.clone();
        }
        let verified = match self.verify_credential(list_credential) {
            Err(Failure::MustDerive) => self
                .derive_for_checking(list_credential)
                .and_then(|derived| self.verify_credential(&derived)),
            other => other,
        };
        let answer = match verified {
            Ok(()) => Ok(()),
            Err(Failure::Cut(cut)) => Err(Failure::Cut(cut)),
            Err(_) => Err(Failure::Invalid(
                "Failed to verify Credential Status VC: false".into(),
            )),
        };
        self.lists
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(url.to_owned(), answer.clone());
        answer
    }
}

/// The token registry's codes (tt-verify's `OpenAttestationEthereumTokenRegistryStatusCode`).
const DOCUMENT_NOT_MINTED: (u32, &str) = (1, "DOCUMENT_NOT_MINTED");
const UNRECOGNIZED_DOCUMENT: (u32, &str) = (9, "UNRECOGNIZED_DOCUMENT");
const SERVER_ERROR: (u32, &str) = (500, "SERVER_ERROR");

/// `TransferableRecords`: the credential's token has an owner on its registry.
pub(super) fn transferable(v: &W3cVerifier, doc: &Value, signed: bool) -> Fragment {
    let entries = entries(doc);
    let applies = signed
        && entries
            .iter()
            .all(|e| entry_type(e) == Some(TRANSFERABLE_RECORDS));
    if !applies {
        return Fragment::with_reason(
            TRANSFERABLE,
            KIND,
            Status::Skipped,
            (4, "SKIPPED"),
            "Document does not have TransferableRecords status",
        );
    }
    let mut tokens = Vec::with_capacity(entries.len());
    for entry in &entries {
        if !entry.get("tokenRegistry").is_some_and(truthy) {
            return Fragment::with_reason(
                TRANSFERABLE,
                KIND,
                Status::Error,
                UNRECOGNIZED_DOCUMENT,
                "Document's credentialStatus does not have tokenRegistry",
            );
        }
        if !entry
            .get("tokenNetwork")
            .and_then(|n| n.get("chainId"))
            .is_some_and(truthy)
        {
            return Fragment::with_reason(
                TRANSFERABLE,
                KIND,
                Status::Error,
                UNRECOGNIZED_DOCUMENT,
                "Document's credentialStatus does not have tokenNetwork.chainId",
            );
        }
        tokens.push(Token::of(entry));
    }
    if !v.chain.connected() {
        return Fragment::with_reason(
            TRANSFERABLE,
            KIND,
            Status::NotChecked,
            (4, "SKIPPED"),
            "not checked: the title's owner is on its token registry's chain (give --network or --rpc-url)",
        );
    }
    let queries: Vec<ContractQuery> = tokens
        .iter()
        .filter_map(|t| Some(ContractQuery::OwnerOf(t.registry?.ok()?, t.id?)))
        .collect();
    let answers = v.chain.answers(&queries);
    let mut answers = answers.into_iter();
    let mut first_reason = None;
    let mut all_minted = true;
    for (i, token) in tokens.iter().enumerate() {
        let reason = match (token.registry, token.id) {
            (None, _) => Some("Invalid token registry address".to_owned()),
            (Some(Err(())), _) => Some("Invalid contract arguments".to_owned()),
            (_, None) => Some("Invalid contract arguments".to_owned()),
            (Some(Ok(_)), Some(_)) => match answers.next() {
                Some(Ok(ContractAnswer::Address(owner))) if !owner.is_zero() => None,
                Some(Ok(ContractAnswer::Address(_))) => Some(format!(
                    "Document {} has not been issued under contract {}",
                    token.id_text, token.registry_text
                )),
                Some(Ok(ContractAnswer::Refused(why)))
                    if why.to_ascii_lowercase().contains("nonexistent")
                        || why.contains("7e273289") =>
                {
                    Some("Document has not been issued under token registry".to_owned())
                }
                Some(Ok(ContractAnswer::NoContract)) => {
                    Some("Token registry is not found".to_owned())
                }
                Some(Ok(other)) => Some(format!(
                    "{}: ownerOf {}: {other}",
                    token.registry_text, token.id_text
                )),
                Some(Err(e)) => {
                    return Fragment::with_reason(
                        TRANSFERABLE,
                        KIND,
                        Status::Unreachable,
                        SERVER_ERROR,
                        format!("Unable to connect to the network, please try again later ({e})"),
                    );
                }
                None => Some("the chain gave no answer".to_owned()),
            },
        };
        if let Some(message) = reason {
            all_minted = false;
            if i == 0 {
                first_reason = Some(message);
            }
        }
    }
    let data = FragmentData::TokenRegistry {
        token_registry: entries[0].get("tokenRegistry").cloned().map(Box::new),
    };
    if all_minted {
        return Fragment::valid(TRANSFERABLE, KIND).with_data(data);
    }
    // TrustVC gives the first entry's reason: none when only a later one is not minted.
    Fragment {
        name: TRANSFERABLE,
        kind: KIND,
        status: Status::Invalid,
        reason: first_reason.map(|message| Reason {
            code: DOCUMENT_NOT_MINTED.0,
            code_string: DOCUMENT_NOT_MINTED.1,
            message: message.into(),
        }),
        data: Some(data),
    }
}

/// A transferable record's token, as `ownerOf` is asked about it.
struct Token {
    /// `None` when it is not an address; `Err` when its mixed case is not its checksum.
    registry: Option<Result<Address, ()>>,
    registry_text: String,
    /// `0x` and the credential's `tokenId`, a uint256 in hexadecimal.
    id: Option<Hash32>,
    id_text: String,
}

impl Token {
    fn of(entry: &Value) -> Token {
        let registry_text = entry
            .get("tokenRegistry")
            .map(to_js_string)
            .unwrap_or_default();
        let id_hex = entry.get("tokenId").map(to_js_string).unwrap_or_default();
        let id = (!id_hex.is_empty()
            && id_hex.len() <= 64
            && id_hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("{id_hex:0>64}").parse::<Hash32>().ok())
        .flatten();
        Token {
            registry: parse_registry(&registry_text),
            registry_text,
            id,
            id_text: format!("0x{id_hex}"),
        }
    }
}

/// An address as ethers reads a contract's: forty hex digits after `0x`, and, when they mix
/// upper and lower case, the EIP-55 checksum they spell.
fn parse_registry(text: &str) -> Option<Result<Address, ()>> {
    let address: Address = text.parse().ok()?;
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let mixed = digits.bytes().any(|b| b.is_ascii_uppercase())
        && digits.bytes().any(|b| b.is_ascii_lowercase());
    Some(
        if mixed && address.to_checksum(None) != format!("0x{digits}") {
            Err(())
        } else {
            Ok(address)
        },
    )
}

/// `W3CEmptyCredentialStatus`: a credential without a status is valid on that count.
pub(super) fn empty(doc: &Value, signed: bool) -> Fragment {
    let status = doc.get("credentialStatus");
    let applies = match status {
        None => true,
        Some(s) if !truthy(s) => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => true, // `Object.keys` of a number or boolean is empty.
    };
    if !applies {
        return Fragment::with_reason(
            EMPTY_STATUS,
            KIND,
            Status::Skipped,
            (0, "SKIPPED"),
            "Document contains a credentialStatus.",
        );
    }
    if signed {
        Fragment::valid(EMPTY_STATUS, KIND).with_data(FragmentData::Passed(true))
    } else {
        Fragment::with_message(
            EMPTY_STATUS,
            KIND,
            Status::Invalid,
            "Document is not a valid SignedVerifiableCredential",
        )
        .with_data(FragmentData::Passed(false))
    }
}
