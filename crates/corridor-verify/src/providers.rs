//! The outside world, as the checks see it: traits that the network crate implements with real
//! clients, and that tests point at real local servers.

use std::sync::Arc;

use alloy_primitives::Address;
use corridor_format::Hash32;

/// An HTTP answer: its status and body, whatever they are (the check judges them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why a question a check needs was not put to the outside world at all: the rules of whoever
/// runs the verifier (a server answering strangers) kept it back. Nothing was sent to the
/// place asked about, so this says nothing of whether anything answers there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAsked {
    /// The place asked about is one the rules keep out of reach (an address inside a network,
    /// plain http to a host not allowed); says which and why.
    #[error("refused by policy: {0}")]
    Refused(String),
    /// The run had already asked as many distinct questions as it may.
    #[error("not asked: this request's budget of {0} outside questions was spent")]
    BudgetSpent(usize),
    /// The run's time was up before the question came.
    #[error("not asked: this request's time was up")]
    TimeUp,
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Asked, and no answer came (refused connection, timed out, too large, not a URL).
    #[error("{0}")]
    Failed(String),
    /// The host does not exist: DNS answered that it has no such name. An answer, unlike
    /// `Failed` — a document that names a host nobody has names nothing.
    #[error("{0}")]
    NoSuchHost(String),
    /// Not asked.
    #[error(transparent)]
    NotAsked(#[from] NotAsked),
}

/// Makes GET requests: how revocation responders are reached.
pub trait HttpGet: Send + Sync {
    /// GETs `url`. Any answer, of any status, is `Ok`.
    fn get(&self, url: &str) -> Result<HttpResponse, FetchError>;
}

/// Why a DNS question got no answer (as opposed to an answer with no records).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// Asked, and no answer came (the resolver failed or timed out).
    #[error("{0}")]
    Failed(String),
    /// Not asked.
    #[error(transparent)]
    NotAsked(#[from] NotAsked),
}

/// Looks up TXT records: how issuers' DNS identity is read.
pub trait TxtResolver: Send + Sync {
    /// The TXT records of `name`, each its strings joined; empty when the name has none or
    /// does not exist.
    fn txt(&self, name: &str) -> Result<Vec<String>, LookupError>;
}

/// Why the chain could not be asked, after retries and failover (as opposed to a contract's
/// answer, which may be a refusal).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ChainUnavailable(pub String);

/// A question to one of TradeTrust's contracts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContractQuery {
    /// Whether a document store is the batchable kind (`supportsInterface(0xdcfd0745)`),
    /// asked about documents and their proofs rather than roots.
    IsBatchable(Address),
    /// `isIssued(bytes32)` on a document store.
    IsIssued(Address, Hash32),
    /// `isRevoked(bytes32)` on a document store.
    IsRevoked(Address, Hash32),
    /// `isIssued(root, target, proof)` on a batchable document store.
    IsIssuedWithProof(Address, ProofOf),
    /// `isRevoked(root, target, proof)` on a batchable document store.
    IsRevokedWithProof(Address, ProofOf),
    /// `ownerOf(uint256)` on a token registry.
    OwnerOf(Address, Hash32),
}

/// A document's place in its batch, for batchable document stores.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProofOf {
    pub root: Hash32,
    pub target: Hash32,
    pub proof: Arc<[Hash32]>,
}

/// A contract's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContractAnswer {
    Bool(bool),
    Address(Address),
    /// No contract answered: no code at the address, or a revert without a reason.
    NoContract,
    /// The contract refused, for this reason (decoded from its errors).
    Refused(String),
    /// The contract answered something that is not what the question expects.
    Unreadable(String),
}

/// Said as a person reads it, for messages.
///
/// ```
/// use corridor_verify::providers::ContractAnswer;
/// assert_eq!(
///     ContractAnswer::NoContract.to_string(),
///     "no contract answered (no code at the address, or a revert without a reason)"
/// );
/// ```
impl std::fmt::Display for ContractAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContractAnswer::Bool(b) => write!(f, "answered {b}"),
            ContractAnswer::Address(a) => write!(f, "answered the address {a}"),
            ContractAnswer::NoContract => f.write_str(
                "no contract answered (no code at the address, or a revert without a reason)",
            ),
            ContractAnswer::Refused(why) => write!(f, "refused: {why}"),
            ContractAnswer::Unreadable(why) => write!(f, "answered something unreadable: {why}"),
        }
    }
}

/// Asks TradeTrust's contracts on one network: how document store and token registry status
/// is read.
pub trait ContractReader: Send + Sync {
    /// Answers `queries`, in order, asking the network as few times as it can (in batches).
    /// `Err` when the network could not be asked, never an answer made up for it.
    fn ask(&self, queries: &[ContractQuery]) -> Result<Vec<ContractAnswer>, ChainUnavailable>;
}

/// What the checks may reach. A missing provider makes the checks that need it report
/// `SKIPPED`, saying so.
#[derive(Clone)]
pub struct Providers {
    /// For `OCSP_RESPONDER` revocation.
    pub http: Option<Arc<dyn HttpGet>>,
    /// For DNS-TXT and DNS-DID identity.
    pub dns: Option<Arc<dyn TxtResolver>>,
    /// For document store and token registry status, on the network of `chain_id`.
    pub contracts: Option<Arc<dyn ContractReader>>,
    /// The chain DNS-TXT records must name (`netId`): tt-verify takes its provider's, by
    /// default Ethereum mainnet, 1.
    pub chain_id: u64,
}

impl Providers {
    /// Nothing outside: every network check is skipped.
    pub fn offline() -> Providers {
        Providers {
            http: None,
            dns: None,
            contracts: None,
            chain_id: 1,
        }
    }
}
