//! The TradeTrust contracts Corridor speaks to, declared from their published ABIs (the
//! `@tradetrust-tt/document-store` and `@tradetrust-tt/token-registry` packages), and the
//! decoding of their reverts into messages a person can act on.

use alloy::primitives::{B256, keccak256};
use alloy::sol;
use alloy::sol_types::{Panic, Revert, SolCall, SolError, SolInterface};
use corridor_title::{Role, TitleError};

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

    /// TradeTrust's token registry (`TradeTrustToken` v5).
    interface TokenRegistry {
        function ownerOf(uint256 tokenId) external view returns (address);
        function titleEscrowFactory() external view returns (address);
        function genesis() external view returns (uint256);
        function mint(address beneficiary, address holder, uint256 tokenId, bytes remark) external returns (address);
        function burn(uint256 tokenId, bytes remark) external;
        function restore(uint256 tokenId, bytes remark) external returns (address);
        function hasRole(bytes32 role, address account) external view returns (bool);
    }

    /// The factory of a registry's title escrows.
    interface TitleEscrowFactory {
        function getEscrowAddress(address tokenRegistry, uint256 tokenId) external view returns (address);
    }

    /// One title's escrow (`TitleEscrow` v5).
    interface TitleEscrow {
        function nominate(address nominee, bytes remark) external;
        function transferBeneficiary(address nominee, bytes remark) external;
        function transferHolder(address newHolder, bytes remark) external;
        function transferOwners(address nominee, address newHolder, bytes remark) external;
        function rejectTransferBeneficiary(bytes remark) external;
        function rejectTransferHolder(bytes remark) external;
        function rejectTransferOwners(bytes remark) external;
        function returnToIssuer(bytes remark) external;
        function beneficiary() external view returns (address);
        function holder() external view returns (address);
        function prevBeneficiary() external view returns (address);
        function prevHolder() external view returns (address);
        function nominee() external view returns (address);
        function active() external view returns (bool);
        function remark() external view returns (bytes);

        event TokenReceived(address indexed beneficiary, address indexed holder, bool indexed isMinting, address registry, uint256 tokenId, bytes remark);
        event Nomination(address indexed prevNominee, address indexed nominee, address registry, uint256 tokenId, bytes remark);
        event BeneficiaryTransfer(address indexed fromBeneficiary, address indexed toBeneficiary, address registry, uint256 tokenId, bytes remark);
        event HolderTransfer(address indexed fromHolder, address indexed toHolder, address registry, uint256 tokenId, bytes remark);
        event ReturnToIssuer(address indexed caller, address registry, uint256 tokenId, bytes remark);
        event Shred(address registry, uint256 tokenId, bytes remark);
        event RejectTransferOwners(address indexed fromBeneficiary, address indexed toBeneficiary, address indexed fromHolder, address toHolder, address registry, uint256 tokenId, bytes remark);
        event RejectTransferBeneficiary(address indexed fromBeneficiary, address indexed toBeneficiary, address registry, uint256 tokenId, bytes remark);
        event RejectTransferHolder(address indexed fromHolder, address indexed toHolder, address registry, uint256 tokenId, bytes remark);
    }

    /// TradeTrust's token registry v4 (`TradeTrustToken` 4.x): v5's calls without remarks.
    interface TokenRegistryV4 {
        function mint(address beneficiary, address holder, uint256 tokenId) external returns (address);
        function burn(uint256 tokenId) external;
        function restore(uint256 tokenId) external returns (address);
    }

    /// The factory of a v4 registry's title escrows.
    interface TitleEscrowFactoryV4 {
        function getAddress(address tokenRegistry, uint256 tokenId) external view returns (address);
    }

    /// One title's escrow on a v4 registry: no remarks, no rejections, no previous parties.
    interface TitleEscrowV4 {
        function nominate(address nominee) external;
        function transferBeneficiary(address nominee) external;
        function transferHolder(address newHolder) external;
        function transferOwners(address nominee, address newHolder) external;
        function surrender() external;

        event TokenReceived(address indexed beneficiary, address indexed holder, bool indexed isMinting, address registry, uint256 tokenId);
        event Nomination(address indexed prevNominee, address indexed nominee, address registry, uint256 tokenId);
        event BeneficiaryTransfer(address indexed fromBeneficiary, address indexed toBeneficiary, address registry, uint256 tokenId);
        event HolderTransfer(address indexed fromHolder, address indexed toHolder, address registry, uint256 tokenId);
        event Surrender(address indexed surrenderer, address registry, uint256 tokenId);
        event Shred(address registry, uint256 tokenId);
    }

    /// The errors the token registry and its title escrows revert with, v5's and v4's
    /// (OpenZeppelin 5's access control and pausing among them; v4's OpenZeppelin 4 says those
    /// in words, read by `openzeppelin_4_refusal`).
    interface TitleErrors {
        error CallerNotBeneficiary();
        error CallerNotHolder();
        error TitleEscrowNotHoldingToken();
        error RegistryContractPaused();
        error InactiveTitleEscrow();
        error InvalidTokenTransferToZeroAddressOwners(address beneficiary, address holder);
        error TargetNomineeAlreadyBeneficiary();
        error NomineeAlreadyNominated();
        error InvalidTransferToZeroAddress();
        error InvalidNominee();
        error RecipientAlreadyHolder();
        error TokenNotReturnedToIssuer();
        error TokenNotSurrendered();
        error RemarkLengthExceeded();
        error DualRoleRejectionRequired();
        error InvalidTokenId();
        error TokenExists();
        error TransferFailure();
        error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);
        error EnforcedPause();
    }
}

/// The call that asks a title escrow factory of `version` where `registry`'s escrow of
/// `token` is (v5 `getEscrowAddress`, v4 `getAddress`); either answers one address.
pub(crate) fn escrow_address_call(
    version: corridor_title::RegistryVersion,
    registry: alloy::primitives::Address,
    token: alloy::primitives::U256,
) -> Vec<u8> {
    use corridor_title::RegistryVersion;
    match version {
        RegistryVersion::V5 => TitleEscrowFactory::getEscrowAddressCall {
            tokenRegistry: registry,
            tokenId: token,
        }
        .abi_encode(),
        RegistryVersion::V4 => TitleEscrowFactoryV4::getAddressCall {
            tokenRegistry: registry,
            tokenId: token,
        }
        .abi_encode(),
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
    if let Some(error) = title_error(data) {
        return error.to_string();
    }
    if TitleErrors::TransferFailure::abi_decode(data).is_ok() {
        return "TransferFailure: a title's token can move only between its escrow and the registry"
            .into();
    }
    let selector = const_hex::encode(&data[..data.len().min(4)]);
    format!("the contract reverted with error 0x{selector}, which no TradeTrust contract declares")
}

/// The title rule a revert is, if the token registry or a title escrow reverted with one:
/// v5's custom errors, or v4's, whose OpenZeppelin 4 says a missing role and a pause in words.
pub fn title_error(data: &[u8]) -> Option<TitleError> {
    use TitleErrors::TitleErrorsErrors as E;
    if let Ok(revert) = Revert::abi_decode(data) {
        return openzeppelin_4_refusal(revert.reason());
    }
    Some(match E::abi_decode(data).ok()? {
        E::CallerNotBeneficiary(_) => TitleError::CallerNotBeneficiary,
        E::CallerNotHolder(_) => TitleError::CallerNotHolder,
        E::TitleEscrowNotHoldingToken(_) => TitleError::TitleEscrowNotHoldingToken,
        E::RegistryContractPaused(_) => TitleError::RegistryContractPaused,
        E::InactiveTitleEscrow(_) => TitleError::InactiveTitleEscrow,
        E::InvalidTokenTransferToZeroAddressOwners(e) => {
            TitleError::InvalidTokenTransferToZeroAddressOwners {
                beneficiary: e.beneficiary,
                holder: e.holder,
            }
        }
        E::TargetNomineeAlreadyBeneficiary(_) => TitleError::TargetNomineeAlreadyBeneficiary,
        E::NomineeAlreadyNominated(_) => TitleError::NomineeAlreadyNominated,
        E::InvalidTransferToZeroAddress(_) => TitleError::InvalidTransferToZeroAddress,
        E::InvalidNominee(_) => TitleError::InvalidNominee,
        E::RecipientAlreadyHolder(_) => TitleError::RecipientAlreadyHolder,
        E::TokenNotReturnedToIssuer(_) => TitleError::TokenNotReturnedToIssuer,
        E::TokenNotSurrendered(_) => TitleError::TokenNotSurrendered,
        E::RemarkLengthExceeded(_) => TitleError::RemarkLengthExceeded,
        E::DualRoleRejectionRequired(_) => TitleError::DualRoleRejectionRequired,
        E::InvalidTokenId(_) => TitleError::InvalidTokenId,
        E::TokenExists(_) => TitleError::TokenExists,
        E::AccessControlUnauthorizedAccount(e) => TitleError::AccessControlUnauthorizedAccount {
            account: e.account,
            role: Role::from_id(e.neededRole)?,
        },
        E::EnforcedPause(_) => TitleError::EnforcedPause,
        E::TransferFailure(_) => return None,
    })
}

/// OpenZeppelin 4's refusals in words, as v4 registries give them: `AccessControl: account
/// 0x… is missing role 0x…` and `Pausable: paused`.
fn openzeppelin_4_refusal(reason: &str) -> Option<TitleError> {
    if reason == "Pausable: paused" {
        return Some(TitleError::EnforcedPause);
    }
    let rest = reason.strip_prefix("AccessControl: account ")?;
    let (account, role) = rest.split_once(" is missing role ")?;
    Some(TitleError::AccessControlUnauthorizedAccount {
        account: account.parse().ok()?,
        role: Role::from_id(role.parse().ok()?)?,
    })
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
    fn version_4_refusals_in_words_are_the_rules_errors() {
        let account = alloy::primitives::Address::repeat_byte(7);
        let reason = format!(
            "AccessControl: account {} is missing role {}",
            account.to_string().to_lowercase(),
            Role::Accepter.id()
        );
        assert_eq!(
            title_error(&Revert::from(reason.as_str()).abi_encode()),
            Some(TitleError::AccessControlUnauthorizedAccount {
                account,
                role: Role::Accepter
            })
        );
        assert_eq!(
            title_error(&Revert::from("Pausable: paused").abi_encode()),
            Some(TitleError::EnforcedPause)
        );
        assert_eq!(
            title_error(&Revert::from("ERC721: invalid token ID").abi_encode()),
            None
        );
        assert_eq!(
            title_error(&TitleErrors::TokenNotSurrendered {}.abi_encode()),
            Some(TitleError::TokenNotSurrendered)
        );
    }

    #[test]
    fn custom_errors_panics_and_strangers_are_told_apart() {
        let exists = TitleErrors::TokenExists {}.abi_encode();
        assert!(explain_revert(&exists).starts_with("TokenExists"));
        let panic = Panic::from(alloy::sol_types::PanicKind::UnderOverflow).abi_encode();
        assert!(explain_revert(&panic).contains("internal check"));
        assert!(explain_revert(&[0xde, 0xad, 0xbe, 0xef]).contains("0xdeadbeef"));
        assert!(explain_revert(&[]).contains("without a reason"));
    }
}
