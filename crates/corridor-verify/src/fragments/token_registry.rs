//! `OpenAttestationEthereumTokenRegistryStatus`: is the document's merkle root a token minted
//! on its issuer's token registry (a transferable record: an electronic bill of lading)?
//!
//! tt-verify's rules and codes: one issuer only, with a `tokenRegistry`; `ownerOf(root)` must
//! name an owner other than the zero address; a token never minted makes `ownerOf` revert
//! "owner query for nonexistent token", which is "not minted". Where tt-verify reports an
//! `UNEXPECTED_ERROR` with its Ethereum library's text (no contract at the address), Corridor
//! gives the same status and code with words that say what happened; a network that cannot be
//! asked is a `SERVER_ERROR`.

use std::sync::Arc;

use alloy_primitives::Address;
use corridor_format::Hash32;
use serde_json::Value;

use super::chain_answers::{ChainAnswers, unavailable};
use super::document_store::{parse_address, truthy};
use crate::providers::{ContractAnswer, ContractQuery};
use crate::{Check, Fragment, FragmentType, Status, Subject};

/// The fragment's name.
pub const NAME: &str = "OpenAttestationEthereumTokenRegistryStatus";
const KIND: FragmentType = FragmentType::Status;
const UNEXPECTED_ERROR: (u32, &str) = (0, "UNEXPECTED_ERROR");
const DOCUMENT_NOT_MINTED: (u32, &str) = (1, "DOCUMENT_NOT_MINTED");
const SKIPPED: (u32, &str) = (4, "SKIPPED");
const INVALID_ISSUERS: (u32, &str) = (5, "INVALID_ISSUERS");
const UNDEFINED_TOKEN_REGISTRY: (u32, &str) = (7, "UNDEFINED_TOKEN_REGISTRY");

/// Asks the issuer's token registry who owns the document's token.
pub struct TokenRegistryCheck {
    pub chain: Arc<ChainAnswers>,
}

fn fail(status: Status, code: (u32, &'static str), message: String) -> Fragment {
    Fragment::with_reason(NAME, KIND, status, code, message)
}

/// The token a document stands for.
struct Token<'a> {
    /// The registry as the document writes it, and parsed.
    text: &'a str,
    registry: Address,
    /// The token id: the merkle root, parsed and as written.
    root: Hash32,
    root_text: &'a str,
}

/// The document's token; `None` when the check does not apply, `Err` with the fragment when
/// the document cannot be asked about.
fn token(subject: &Subject) -> Option<Result<Token<'_>, Fragment>> {
    let (registry, root_text) = match &subject.v3 {
        // v3: the registry is the proof method's value.
        Some(v3) => {
            if v3.metadata_text("proof", "method") != Some("TOKEN_REGISTRY") {
                return None;
            }
            let value = v3.metadata().get("proof").and_then(|p| p.get("value"));
            (value, v3.merkle_root.as_str())
        }
        None => {
            let issuers = subject.issuers()?;
            if !issuers.iter().any(|i| i.get("tokenRegistry").is_some()) {
                return None;
            }
            let doc = subject.wrapped.as_ref().ok()?;
            let [issuer] = issuers else {
                return Some(Err(fail(
                    Status::Error,
                    INVALID_ISSUERS,
                    "Only one issuer is allowed for tokens".into(),
                )));
            };
            (issuer.get("tokenRegistry"), doc.merkle_root.as_str())
        }
    };
    let registry = match registry.filter(|v| truthy(v)) {
        None => {
            return Some(Err(fail(
                Status::Error,
                UNDEFINED_TOKEN_REGISTRY,
                "Token registry is undefined".into(),
            )));
        }
        Some(Value::String(text)) => text.as_str(),
        Some(_) => {
            return Some(Err(fail(
                Status::Invalid,
                DOCUMENT_NOT_MINTED,
                "Invalid token registry address".into(),
            )));
        }
    };
    let Ok(address) = parse_address(registry) else {
        return Some(Err(fail(
            Status::Invalid,
            DOCUMENT_NOT_MINTED,
            "Invalid token registry address".into(),
        )));
    };
    let Some(root) = Hash32::from_node_hex(root_text) else {
        return Some(Err(fail(
            Status::Invalid,
            DOCUMENT_NOT_MINTED,
            "Invalid contract arguments".into(),
        )));
    };
    Some(Ok(Token {
        text: registry,
        registry: address,
        root,
        root_text,
    }))
}

impl Check for TokenRegistryCheck {
    fn name(&self) -> &'static str {
        NAME
    }

    fn prefetch(&self, subjects: &[&Subject]) {
        if !self.chain.connected() {
            return;
        }
        let queries: Vec<ContractQuery> = subjects
            .iter()
            .filter_map(|s| token(s)?.ok())
            .map(|t| ContractQuery::OwnerOf(t.registry, t.root))
            .collect();
        self.chain.answers(&queries);
    }

    fn check(&self, subject: &Subject) -> Fragment {
        let Token {
            text,
            registry,
            root,
            root_text,
        } = match token(subject) {
            None => {
                return fail(
                    Status::Skipped,
                    SKIPPED,
                    "Document issuers doesn't have \"tokenRegistry\" property or TOKEN_REGISTRY method".into(),
                );
            }
            Some(Err(fragment)) => return fragment,
            Some(Ok(token)) => token,
        };
        if !self.chain.connected() {
            return fail(
                Status::NotChecked,
                SKIPPED,
                "not checked: the token registry's status needs its chain (give --network or --rpc-url)".into(),
            );
        }
        match &self
            .chain
            .answers(&[ContractQuery::OwnerOf(registry, root)])[0]
        {
            Ok(ContractAnswer::Address(owner)) if !owner.is_zero() => Fragment::valid(NAME, KIND),
            Ok(ContractAnswer::Address(_)) => fail(
                Status::Invalid,
                DOCUMENT_NOT_MINTED,
                format!("Document 0x{root_text} has not been issued under contract {text}"),
            ),
            Ok(ContractAnswer::Refused(why))
                if why.contains("owner query for nonexistent token") =>
            {
                fail(
                    Status::Invalid,
                    DOCUMENT_NOT_MINTED,
                    "Document has not been issued under token registry".into(),
                )
            }
            Ok(ContractAnswer::NoContract) => fail(
                Status::Error,
                UNEXPECTED_ERROR,
                format!(
                    "no token registry answered at {text} (no contract there, or ownerOf reverted without a reason), so document 0x{root_text} cannot be found issued"
                ),
            ),
            Ok(ContractAnswer::Refused(why) | ContractAnswer::Unreadable(why)) => fail(
                Status::Error,
                UNEXPECTED_ERROR,
                format!("{text}: ownerOf: {why}"),
            ),
            Ok(ContractAnswer::Bool(_)) => fail(
                Status::Error,
                UNEXPECTED_ERROR,
                format!("{text}: ownerOf did not answer an address"),
            ),
            Err(e) => unavailable(NAME, "token registry", e),
        }
    }
}
