//! The TradeTrust contracts Corridor speaks to, declared from their published ABIs (the
//! `@tradetrust-tt/document-store` and `@tradetrust-tt/token-registry` packages), and the
//! decoding of their reverts into messages a person can act on.

use alloy::primitives::{B256, keccak256};
use alloy::sol;
use alloy::sol_types::{Panic, Revert, SolError, SolInterface};

sol! {
    /// TradeTrust's document store (`DocumentStore` 4.x): issued merkle roots, revoked hashes.
    interface DocumentStore {
        function name() external view returns (string);
        function version() external view returns (string);
        function issue(bytes32 document) external;
        function bulkIssue(bytes32[] documents) external;
        function revoke(bytes32 document) external;
        function bulkRevoke(bytes32[] documents) external;
        function isIssued(bytes32 document) external view returns (bool);
        function isRevoked(bytes32 document) external view returns (bool);
        function getIssuedBlock(bytes32 document) external view returns (uint256);
        function documentRevoked(bytes32 document) external view returns (uint256);
        function supportsInterface(bytes4 interfaceId) external view returns (bool);
    }

    /// The batchable document store (`@trustvc/document-store`), asked about a document and
    /// its proof rather than a root.
    interface DocumentStoreBatchable {
        function isIssued(bytes32 documentRoot, bytes32 document, bytes32[] proof) external view returns (bool);
        function isRevoked(bytes32 documentRoot, bytes32 document, bytes32[] proof) external view returns (bool);
    }

    /// ERC-165, for telling the two kinds of document store apart.
    interface Erc165 {
        function supportsInterface(bytes4 interfaceId) external view returns (bool);
    }

    /// TradeTrust's token registry, as far as status needs it.
    interface TokenRegistry {
        function ownerOf(uint256 tokenId) external view returns (address);
    }

    /// The errors TradeTrust's token registry and title escrows revert with.
    interface TradeTrustTokenErrors {
        error InvalidTokenId();
        error RemarkLengthExceeded();
        error TokenExists();
        error TokenNotReturnedToIssuer();
        error TransferFailure();
    }
}

/// The ERC-165 interface id of the batchable document store, as tt-verify asks it.
pub const BATCHABLE_INTERFACE: [u8; 4] = [0xdc, 0xfd, 0x07, 0x45];

/// The token registry's constructor arguments: its name, its symbol, and the factory of its
/// title escrows.
pub type TradeTrustTokenConstructor = (String, String, alloy::primitives::Address);

/// The document store's constructor arguments: its name and its owner.
pub type DocumentStoreConstructor = (String, alloy::primitives::Address);

/// What a revert means, from its data.
///
/// ```
/// use alloy::sol_types::{Revert, SolError};
/// let data = Revert::from("Error: Only issued document hashes can be revoked").abi_encode();
/// assert_eq!(
///     corridor_chain::contracts::explain_revert(&data),
///     "Error: Only issued document hashes can be revoked"
/// );
/// ```
pub fn explain_revert(data: &[u8]) -> String {
    if data.is_empty() {
        return "the contract reverted without a reason (is the address a TradeTrust contract \
                of this kind, and does the key hold the role the call needs?)"
            .into();
    }
    if let Ok(revert) = Revert::abi_decode(data) {
        return explain_reason(revert.reason());
    }
    if let Ok(panic) = Panic::abi_decode(data) {
        return format!("the contract failed an internal check ({panic})");
    }
    if let Ok(error) = TradeTrustTokenErrors::TradeTrustTokenErrorsErrors::abi_decode(data) {
        use TradeTrustTokenErrors::TradeTrustTokenErrorsErrors as E;
        return match error {
            E::InvalidTokenId(_) => "InvalidTokenId: the token id is not valid".into(),
            E::RemarkLengthExceeded(_) => "RemarkLengthExceeded: the remark is too long".into(),
            E::TokenExists(_) => "TokenExists: a token with this id is minted already".into(),
            E::TokenNotReturnedToIssuer(_) => {
                "TokenNotReturnedToIssuer: the title must be returned to the issuer first".into()
            }
            E::TransferFailure(_) => "TransferFailure: the title could not be transferred".into(),
        };
    }
    let selector = const_hex::encode(&data[..data.len().min(4)]);
    format!("the contract reverted with error 0x{selector}, which no TradeTrust contract declares")
}

/// A revert string, with the role named where OpenZeppelin's access control gives its hash.
fn explain_reason(reason: &str) -> String {
    const MISSING: &str = " is missing role ";
    let Some(at) = reason.find(MISSING) else {
        return reason.to_string();
    };
    let hash = &reason[at + MISSING.len()..];
    let role = [
        "ISSUER_ROLE",
        "REVOKER_ROLE",
        "MINTER_ROLE",
        "ACCEPTER_ROLE",
        "RESTORER_ROLE",
    ]
    .into_iter()
    .find(|name| hash.eq_ignore_ascii_case(&keccak256(name).to_string()))
    .or_else(|| {
        hash.eq_ignore_ascii_case(&B256::ZERO.to_string())
            .then_some("DEFAULT_ADMIN_ROLE")
    });
    match role {
        Some(role) => format!(
            "{reason} ({role}: the key is not allowed to do this on this contract; its admin can grant the role)"
        ),
        None => reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_named() {
        let role = keccak256("ISSUER_ROLE");
        let reason = format!(
            "AccessControl: account 0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1 is missing role {role}"
        );
        let data = Revert::from(reason.as_str()).abi_encode();
        assert!(explain_revert(&data).contains("ISSUER_ROLE: the key is not allowed"));
    }

    #[test]
    fn custom_errors_panics_and_strangers_are_told_apart() {
        let exists = TradeTrustTokenErrors::TokenExists {}.abi_encode();
        assert!(explain_revert(&exists).starts_with("TokenExists"));
        let panic = Panic::from(alloy::sol_types::PanicKind::UnderOverflow).abi_encode();
        assert!(explain_revert(&panic).contains("internal check"));
        assert!(explain_revert(&[0xde, 0xad, 0xbe, 0xef]).contains("0xdeadbeef"));
        assert!(explain_revert(&[]).contains("without a reason"));
    }
}
