//! Verification fragments: one check's verdict, shaped as `@tradetrust-tt/tt-verify` shapes it.

use std::borrow::Cow;

use serde::Serialize;

/// A fragment's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// The check passed.
    Valid,
    /// The check ran and the document failed it.
    Invalid,
    /// The check could not be run to a verdict (malformed input, an unreachable service).
    Error,
    /// The check does not apply to this document.
    Skipped,
    /// The check applies but was not run: what it needs (the network, a chain) was not
    /// given. tt-verify has no such verdict: it is reported as `SKIPPED`.
    #[serde(rename = "SKIPPED")]
    NotChecked,
    /// The check could not reach what it asks — a node, a nameserver, a responder — so it
    /// says nothing of the document. Reported as tt-verify reports it, `ERROR`.
    #[serde(rename = "ERROR")]
    Unreachable,
}

impl Status {
    /// Whether tt-verify's `isValid` lets the fragment pass: valid, or skipped.
    pub fn passes(self) -> bool {
        matches!(self, Status::Valid | Status::Skipped | Status::NotChecked)
    }
}

/// Which of the three questions a fragment answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FragmentType {
    /// Untampered?
    #[serde(rename = "DOCUMENT_INTEGRITY")]
    Integrity,
    /// Issued and not revoked?
    #[serde(rename = "DOCUMENT_STATUS")]
    Status,
    /// Issued by whom?
    #[serde(rename = "ISSUER_IDENTITY")]
    Identity,
}

/// Why a fragment is not valid: tt-verify's numeric code, its name, and a message. TrustVC's
/// W3C fragments give some reasons as a message alone, without a code (`code_string` is then
/// empty and neither is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The code, as tt-verify numbers it for this fragment.
    pub code: u32,
    /// The code's name, as `DOCUMENT_TAMPERED`; empty for a message alone.
    pub code_string: &'static str,
    /// What happened, for a person.
    pub message: Cow<'static, str>,
}

impl Reason {
    /// A reason given as a message alone, as TrustVC gives its W3C checks' failures.
    pub fn message(message: impl Into<Cow<'static, str>>) -> Reason {
        Reason {
            code: 0,
            code_string: "",
            message: message.into(),
        }
    }
}

/// `{code, codeString, message}`, or `{message}` for a message alone.
impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if !self.code_string.is_empty() {
            map.serialize_entry("code", &self.code)?;
            map.serialize_entry("codeString", self.code_string)?;
        }
        map.serialize_entry("message", &self.message)?;
        map.end()
    }
}

/// What a check found, beyond its verdict, as tt-verify's fragment `data`. Of the
/// OpenAttestation checks only the identity checks give it, and only with a verdict (`VALID` or
/// `INVALID`): tt-verify's `data` of an `ERROR` is the exception it caught, which the reason
/// already says. TrustVC's W3C checks give it as they do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FragmentData {
    /// `OpenAttestationDnsTxtIdentityProof`: one entry per issuer, in order.
    DnsTxt(Vec<DnsTxtIssuer>),
    /// `OpenAttestationDnsDidIdentityProof`: one entry per issuer, in order.
    DnsDid(Vec<DnsDidIssuer>),
    /// `OpenAttestationDnsTxtIdentityProof` of an OpenAttestation v3 document: its one
    /// identity, as tt-verify's `{identifier, value}`.
    DnsTxtIdentifier(Box<DnsTxtIdentifier>),
    /// `OpenAttestationDnsDidIdentityProof` of an OpenAttestation v3 document: its one
    /// identity, as tt-verify's `{location, key, status}`.
    DnsDidIdentifier(Box<DnsDidIssuer>),
    /// TrustVC's W3C integrity, empty-status and identity fragments: whether the check passed.
    Passed(bool),
    /// `W3CCredentialStatus`: one entry per status entry, in order.
    StatusEntries(Vec<crate::w3c::StatusEntryResult>),
    /// `TransferableRecords`: the token registry asked (the first entry's, as written).
    TokenRegistry {
        #[serde(rename = "tokenRegistry")]
        token_registry: Option<Box<serde_json::Value>>,
    },
}

/// One issuer of a DNS-TXT identity fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsTxtIssuer {
    /// An issuer whose identity proof is DNS-TXT: the records at `location` asked about its
    /// contract `value`.
    Asked {
        /// The identity proof's location, as the document gives it.
        location: String,
        /// The issuer's contract (`documentStore`, `tokenRegistry` or `certificateStore`).
        value: String,
        /// What the records said.
        found: DnsTxtFound,
    },
    /// An issuer whose identity proof is of another type.
    NotDnsTxt,
}

/// What the DNS-TXT records at an issuer's location said of its contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsTxtFound {
    /// A record names the contract on the chain verification asked about.
    Vouched,
    /// No record names the contract on chain `chain_id`. `other_chains`: the chain ids
    /// (`netId`, as published) of the records that name it on another chain, for a person to
    /// be told; like `chain_id`, not part of tt-verify's `data`.
    NotFound {
        chain_id: u64,
        other_chains: Vec<String>,
    },
}

impl DnsTxtIssuer {
    /// Why this issuer is not vouched for, as tt-verify words it; `None` when it is.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            DnsTxtIssuer::Asked {
                found: DnsTxtFound::Vouched,
                ..
            } => None,
            DnsTxtIssuer::Asked { value, .. } => Some(Reason {
                code: 4,
                code_string: "MATCHING_RECORD_NOT_FOUND",
                message: format!("Matching DNS record not found for {value}").into(),
            }),
            DnsTxtIssuer::NotDnsTxt => Some(Reason {
                code: 3,
                code_string: "INVALID_ISSUERS",
                message: "Issuer is not using DNS-TXT identityProof type".into(),
            }),
        }
    }
}

/// tt-verify's entry: `{status, location, value, reason}`, or `{status, reason}` for an issuer
/// not using DNS-TXT.
impl Serialize for DnsTxtIssuer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let reason = self.reason();
        let status = if reason.is_some() {
            Status::Invalid
        } else {
            Status::Valid
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &status)?;
        if let DnsTxtIssuer::Asked {
            location, value, ..
        } = self
        {
            map.serialize_entry("location", location)?;
            map.serialize_entry("value", value)?;
        }
        if let Some(reason) = &reason {
            map.serialize_entry("reason", reason)?;
        }
        map.end()
    }
}

/// A v3 document's DNS-TXT identity: always [`DnsTxtIssuer::Asked`], serialized as tt-verify's
/// `{identifier, value}` (the location as `identifier`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsTxtIdentifier(pub DnsTxtIssuer);

impl Serialize for DnsTxtIdentifier {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if let DnsTxtIssuer::Asked {
            location, value, ..
        } = &self.0
        {
            map.serialize_entry("identifier", location)?;
            map.serialize_entry("value", value)?;
        }
        map.end()
    }
}

/// One issuer of a DNS-DID identity fragment: whether a record at `location` vouches for
/// `key`. Serialized as tt-verify's `{location, key, status}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsDidIssuer {
    /// The identity proof's location.
    pub location: String,
    /// The identity proof's key, a DID URL.
    pub key: String,
    /// Whether a DNS-DID record at the location names the key.
    #[serde(rename = "status", serialize_with = "vouched_status")]
    pub vouched: bool,
}

fn vouched_status<S: serde::Serializer>(vouched: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    let status = if *vouched {
        Status::Valid
    } else {
        Status::Invalid
    };
    status.serialize(serializer)
}

/// One check's verdict on one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fragment {
    /// The check, named as tt-verify names it (`OpenAttestationHash`, …).
    pub name: &'static str,
    /// The question it answers.
    #[serde(rename = "type")]
    pub kind: FragmentType,
    /// The verdict.
    pub status: Status,
    /// Why, when the verdict is not `VALID`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// What the check found, for the checks that say (see [`FragmentData`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<FragmentData>,
}

impl Fragment {
    /// A valid fragment.
    pub fn valid(name: &'static str, kind: FragmentType) -> Self {
        Fragment {
            name,
            kind,
            status: Status::Valid,
            reason: None,
            data: None,
        }
    }

    /// A fragment with a status other than valid and its reason.
    pub fn with_reason(
        name: &'static str,
        kind: FragmentType,
        status: Status,
        (code, code_string): (u32, &'static str),
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Fragment {
            name,
            kind,
            status,
            reason: Some(Reason {
                code,
                code_string,
                message: message.into(),
            }),
            data: None,
        }
    }

    /// A fragment whose reason is a message alone, as TrustVC's W3C checks give theirs.
    pub fn with_message(
        name: &'static str,
        kind: FragmentType,
        status: Status,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Fragment {
            name,
            kind,
            status,
            reason: Some(Reason::message(message)),
            data: None,
        }
    }

    /// The fragment with what its check found.
    pub fn with_data(self, data: FragmentData) -> Self {
        Fragment {
            data: Some(data),
            ..self
        }
    }
}

/// The fragments of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Every check's fragment, in tt-verify's order.
    pub fragments: Vec<Fragment>,
}

impl Verdict {
    /// The verdict as tt-verify's `isValid` decides it: for each of integrity, status and
    /// identity, at least one fragment is valid and every one is valid or skipped. A document
    /// whose issuer's identity or status nothing could confirm is not valid.
    pub fn is_valid(&self) -> bool {
        self.is_valid_for(&[
            FragmentType::Status,
            FragmentType::Integrity,
            FragmentType::Identity,
        ])
    }

    /// tt-verify's `isValid` over the given kinds of fragment only.
    pub fn is_valid_for(&self, kinds: &[FragmentType]) -> bool {
        kinds.iter().all(|kind| {
            let mut of_kind = self.fragments.iter().filter(|f| f.kind == *kind);
            of_kind.clone().any(|f| f.status == Status::Valid) && of_kind.all(|f| f.status.passes())
        })
    }

    /// What can be decided without the network: the document is intact, and no check that
    /// could run found a fault (a bad signature, a malformed issuer). Status and identity that
    /// need the network are left undecided.
    pub fn is_valid_offline(&self) -> bool {
        self.is_valid_for(&[FragmentType::Integrity])
            && self.fragments.iter().all(|f| f.status.passes())
    }

    /// Whether the document is not valid only because the outside world could not be asked:
    /// a check could not reach its node, nameserver or responder, and none found a fault.
    pub fn is_cut_off(&self) -> bool {
        self.fragments
            .iter()
            .any(|f| f.status == Status::Unreachable)
            && !self
                .fragments
                .iter()
                .any(|f| matches!(f.status, Status::Invalid | Status::Error))
    }

    /// What failed, in a line: each check that neither passed nor was skipped, with its
    /// reason; `None` when none failed.
    ///
    /// ```
    /// let verdict = corridor_verify::Verifier::default().verify_bytes(b"{}");
    /// assert!(verdict.failure().unwrap().starts_with("OpenAttestationHash"));
    /// ```
    pub fn failure(&self) -> Option<String> {
        let failed: Vec<String> = self
            .fragments
            .iter()
            .filter(|f| !f.status.passes())
            .map(|f| match &f.reason {
                Some(reason) => format!("{}: {}", f.name, reason.message),
                None => f.name.to_owned(),
            })
            .collect();
        (!failed.is_empty()).then(|| failed.join("; "))
    }

    /// The fragment named `name`, if it was produced.
    pub fn fragment(&self, name: &str) -> Option<&Fragment> {
        self.fragments.iter().find(|f| f.name == name)
    }
}
