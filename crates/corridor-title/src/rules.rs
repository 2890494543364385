//! The rules of Token Registry v5 (`TradeTrustToken`, `TitleEscrow`), as `@tradetrust-tt/token-registry`
//! 5.5 defines them, and of v4 (4.16), which titles on older registries still follow: who may
//! act on a title, in what state, what the action changes, and which error refuses it. The
//! checks run in the contracts' order (their modifiers, then their bodies), so that where
//! several would refuse, the same one does here.

use alloy_primitives::{Address, B256, Bytes, keccak256};
use serde::{Deserialize, Serialize};

/// Where the registry sends a burnt title's token (`TradeTrustTokenBurnable.BURN_ADDRESS`).
pub const BURN_ADDRESS: Address =
    alloy_primitives::address!("000000000000000000000000000000000000dEaD");

/// The longest remark the contracts accept, in bytes.
pub const REMARK_LIMIT: usize = 120;

/// The generation of TradeTrust's token registry contracts a registry is.
///
/// v4 is v5 without remarks, without the rejections (of an endorsement, a transfer, or both)
/// and so without the previous parties those return to; its escrow says `surrender` where
/// v5's says `returnToIssuer`, and its error `TokenNotSurrendered` where v5's says
/// `TokenNotReturnedToIssuer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistryVersion {
    V4,
    V5,
}

impl RegistryVersion {
    /// The version as TradeTrust writes it: `v4`, `v5`.
    pub fn name(self) -> &'static str {
        match self {
            RegistryVersion::V4 => "v4",
            RegistryVersion::V5 => "v5",
        }
    }

    /// Whether titles of this version take `action` at all.
    pub fn has(self, action: &Action) -> bool {
        self == RegistryVersion::V5
            || !matches!(
                action,
                Action::RejectTransferBeneficiary
                    | Action::RejectTransferHolder
                    | Action::RejectTransferOwners
            )
    }

    /// The error by which this version refuses to end a title that was not surrendered.
    fn not_surrendered(self) -> TitleError {
        match self {
            RegistryVersion::V4 => TitleError::TokenNotSurrendered,
            RegistryVersion::V5 => TitleError::TokenNotReturnedToIssuer,
        }
    }
}

/// Every role on a registry.
pub const ROLES: [Role; 3] = [Role::Minter, Role::Accepter, Role::Restorer];

/// A role on the registry: who may mint, accept a surrender (burn) or reject one (restore).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Minter,
    Accepter,
    Restorer,
}

impl Role {
    /// The role's name in the contract.
    pub fn name(self) -> &'static str {
        match self {
            Role::Minter => "MINTER_ROLE",
            Role::Accepter => "ACCEPTER_ROLE",
            Role::Restorer => "RESTORER_ROLE",
        }
    }

    /// The role's identifier in the contract: the keccak-256 of its name.
    pub fn id(self) -> B256 {
        keccak256(self.name())
    }

    /// The role with identifier `id`.
    pub fn from_id(id: B256) -> Option<Role> {
        ROLES.into_iter().find(|role| role.id() == id)
    }
}

/// Who holds which role on a registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    grants: Vec<(Role, Address)>,
}

impl Roles {
    /// The roles of a new registry: its deployer holds all of them, as the contract's
    /// constructor grants.
    pub fn of_deployer(admin: Address) -> Roles {
        Roles::granted(ROLES.map(|role| (role, admin)))
    }

    /// The roles `grants` give, each a role and the account that holds it.
    pub fn granted(grants: impl IntoIterator<Item = (Role, Address)>) -> Roles {
        Roles {
            grants: grants.into_iter().collect(),
        }
    }

    /// Whether `account` holds `role`.
    pub fn has(&self, role: Role, account: Address) -> bool {
        self.grants.contains(&(role, account))
    }
}

/// Where a title's token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Custody {
    /// In the title's escrow: the title is live and can be transferred.
    Escrow,
    /// Returned to the registry (surrendered), awaiting the registry's acceptance or rejection.
    Surrendered,
    /// Burnt: the surrender was accepted and the escrow shredded. Final.
    Burnt,
}

/// A title: what its escrow and the registry hold for one token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Title {
    /// Who owns the goods.
    #[serde(with = "crate::json::checksummed")]
    pub beneficiary: Address,
    /// Who holds the document.
    #[serde(with = "crate::json::checksummed")]
    pub holder: Address,
    /// The beneficiary a rejection of the last endorsement returns to (zero: none).
    #[serde(with = "crate::json::checksummed")]
    pub prev_beneficiary: Address,
    /// The holder a rejection of the last transfer returns to (zero: none).
    #[serde(with = "crate::json::checksummed")]
    pub prev_holder: Address,
    /// Whom the beneficiary nominated as the next (zero: nobody).
    #[serde(with = "crate::json::checksummed")]
    pub nominee: Address,
    /// Whether the escrow still acts (false once shredded).
    pub active: bool,
    pub custody: Custody,
    /// The remark of the last action.
    #[serde(with = "crate::json::remark")]
    pub remark: Bytes,
}

/// What a party asks to do with a title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")] // as `Action::name`
pub enum Action {
    /// The registry mints the token into a new escrow (`TradeTrustToken.mint`).
    Mint {
        #[serde(with = "crate::json::checksummed")]
        beneficiary: Address,
        #[serde(with = "crate::json::checksummed")]
        holder: Address,
    },
    /// The beneficiary names the next beneficiary, for the holder to endorse (`nominate`).
    Nominate {
        #[serde(with = "crate::json::checksummed")]
        nominee: Address,
    },
    /// The holder endorses the nominee as beneficiary (`transferBeneficiary`).
    #[serde(rename = "endorse")]
    TransferBeneficiary {
        #[serde(with = "crate::json::checksummed")]
        nominee: Address,
    },
    /// The holder passes the document on (`transferHolder`).
    TransferHolder {
        #[serde(with = "crate::json::checksummed")]
        holder: Address,
    },
    /// Both at once, by a party who is both (`transferOwners`).
    TransferOwners {
        #[serde(with = "crate::json::checksummed")]
        nominee: Address,
        #[serde(with = "crate::json::checksummed")]
        holder: Address,
    },
    /// The new beneficiary refuses the endorsement (`rejectTransferBeneficiary`).
    #[serde(rename = "reject-endorsement")]
    RejectTransferBeneficiary,
    /// The new holder refuses the document (`rejectTransferHolder`).
    #[serde(rename = "reject-holder")]
    RejectTransferHolder,
    /// A party given both roles refuses both (`rejectTransferOwners`).
    #[serde(rename = "reject-owners")]
    RejectTransferOwners,
    /// The beneficiary and holder surrender the title to the issuer (`returnToIssuer`).
    #[serde(rename = "surrender")]
    ReturnToIssuer,
    /// The registry accepts a surrender: burns the token and shreds the escrow (`burn`).
    #[serde(rename = "accept-surrender")]
    AcceptReturn,
    /// The registry rejects a surrender: the token goes back into its escrow (`restore`).
    #[serde(rename = "reject-surrender")]
    RejectReturn,
}

impl Action {
    /// The action's name on the command line and in history.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Mint { .. } => "mint",
            Action::Nominate { .. } => "nominate",
            Action::TransferBeneficiary { .. } => "endorse",
            Action::TransferHolder { .. } => "transfer-holder",
            Action::TransferOwners { .. } => "transfer-owners",
            Action::RejectTransferBeneficiary => "reject-endorsement",
            Action::RejectTransferHolder => "reject-holder",
            Action::RejectTransferOwners => "reject-owners",
            Action::ReturnToIssuer => "surrender",
            Action::AcceptReturn => "accept-surrender",
            Action::RejectReturn => "reject-surrender",
        }
    }
}

/// Why an action was refused, named as the contracts name it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error")]
pub enum TitleError {
    #[error("CallerNotBeneficiary: only the beneficiary may do this")]
    CallerNotBeneficiary,
    #[error("CallerNotHolder: only the holder may do this")]
    CallerNotHolder,
    #[error("TitleEscrowNotHoldingToken: the title has been surrendered and is not in its escrow")]
    TitleEscrowNotHoldingToken,
    #[error("InactiveTitleEscrow: the title was shredded")]
    InactiveTitleEscrow,
    #[error(
        "InvalidTokenTransferToZeroAddressOwners: beneficiary {beneficiary} and holder {holder} must both be given"
    )]
    InvalidTokenTransferToZeroAddressOwners {
        beneficiary: Address,
        holder: Address,
    },
    #[error("TargetNomineeAlreadyBeneficiary: the nominee is the beneficiary already")]
    TargetNomineeAlreadyBeneficiary,
    #[error("NomineeAlreadyNominated: that nominee is nominated already")]
    NomineeAlreadyNominated,
    #[error("InvalidTransferToZeroAddress: there is nobody to transfer or return to")]
    InvalidTransferToZeroAddress,
    #[error(
        "InvalidNominee: the holder may endorse only the beneficiary's nominee, unless holder and beneficiary are one"
    )]
    InvalidNominee,
    #[error("RecipientAlreadyHolder: the recipient holds the title already")]
    RecipientAlreadyHolder,
    #[error("TokenNotReturnedToIssuer: the title must be surrendered to the registry first")]
    TokenNotReturnedToIssuer,
    #[error("TokenNotSurrendered: the title must be surrendered to the registry first")]
    TokenNotSurrendered,
    /// Not a contract's error: a v4 registry has no such function, so Corridor does not send it.
    #[error(
        "NotInVersion4: Token Registry v4 titles take no remark and no rejection (of an endorsement, a transfer or both); only v5 registries do"
    )]
    NotInVersion4,
    #[error("RemarkLengthExceeded: a remark may have at most {REMARK_LIMIT} bytes")]
    RemarkLengthExceeded,
    #[error(
        "DualRoleRejectionRequired: a party that is both beneficiary and holder must reject both at once"
    )]
    DualRoleRejectionRequired,
    #[error("TokenExists: a title with this token id was minted already")]
    TokenExists,
    #[error("InvalidTokenId: no title with this token id was minted")]
    InvalidTokenId,
    #[error("AccessControlUnauthorizedAccount: {account} does not hold {} on the registry", role.name())]
    AccessControlUnauthorizedAccount { account: Address, role: Role },
    #[error("RegistryContractPaused: the registry is paused")]
    RegistryContractPaused,
    #[error("EnforcedPause: the registry is paused")]
    EnforcedPause,
}

impl TitleError {
    /// The contract's name for the error.
    pub fn name(&self) -> &'static str {
        match self {
            TitleError::CallerNotBeneficiary => "CallerNotBeneficiary",
            TitleError::CallerNotHolder => "CallerNotHolder",
            TitleError::TitleEscrowNotHoldingToken => "TitleEscrowNotHoldingToken",
            TitleError::InactiveTitleEscrow => "InactiveTitleEscrow",
            TitleError::InvalidTokenTransferToZeroAddressOwners { .. } => {
                "InvalidTokenTransferToZeroAddressOwners"
            }
            TitleError::TargetNomineeAlreadyBeneficiary => "TargetNomineeAlreadyBeneficiary",
            TitleError::NomineeAlreadyNominated => "NomineeAlreadyNominated",
            TitleError::InvalidTransferToZeroAddress => "InvalidTransferToZeroAddress",
            TitleError::InvalidNominee => "InvalidNominee",
            TitleError::RecipientAlreadyHolder => "RecipientAlreadyHolder",
            TitleError::TokenNotReturnedToIssuer => "TokenNotReturnedToIssuer",
            TitleError::TokenNotSurrendered => "TokenNotSurrendered",
            TitleError::NotInVersion4 => "NotInVersion4",
            TitleError::RemarkLengthExceeded => "RemarkLengthExceeded",
            TitleError::DualRoleRejectionRequired => "DualRoleRejectionRequired",
            TitleError::TokenExists => "TokenExists",
            TitleError::InvalidTokenId => "InvalidTokenId",
            TitleError::AccessControlUnauthorizedAccount { .. } => {
                "AccessControlUnauthorizedAccount"
            }
            TitleError::RegistryContractPaused => "RegistryContractPaused",
            TitleError::EnforcedPause => "EnforcedPause",
        }
    }
}

/// The title after `actor` does `action` with `remark` to `title` (`None`: never minted) on a
/// registry of `version`, or the error the contracts refuse it with.
///
/// ```
/// use alloy_primitives::Address;
/// use corridor_title::{Action, RegistryVersion::V5, Roles, TitleError, apply};
///
/// let (issuer, shipper, bank) = (Address::repeat_byte(1), Address::repeat_byte(2), Address::repeat_byte(3));
/// let roles = Roles::of_deployer(issuer);
/// let mint = Action::Mint { beneficiary: shipper, holder: shipper };
/// let title = apply(V5, &roles, None, issuer, &mint, b"").unwrap();
///
/// let endorse = Action::TransferBeneficiary { nominee: bank };
/// assert_eq!(apply(V5, &roles, Some(&title), bank, &endorse, b""), Err(TitleError::CallerNotHolder));
/// let title = apply(V5, &roles, Some(&title), shipper, &endorse, b"").unwrap();
/// assert_eq!((title.beneficiary, title.holder), (bank, shipper));
/// ```
pub fn apply(
    version: RegistryVersion,
    roles: &Roles,
    title: Option<&Title>,
    actor: Address,
    action: &Action,
    remark: &[u8],
) -> Result<Title, TitleError> {
    if version == RegistryVersion::V4 {
        // v4 has the other actions without the remark and the previous parties: v5's rules
        // on a title whose previous parties are always none.
        if !version.has(action) || !remark.is_empty() {
            return Err(TitleError::NotInVersion4);
        }
        let mut next = apply(RegistryVersion::V5, roles, title, actor, action, remark).map_err(
            |e| match e {
                TitleError::TokenNotReturnedToIssuer => version.not_surrendered(),
                e => e,
            },
        )?;
        next.prev_beneficiary = Address::ZERO;
        next.prev_holder = Address::ZERO;
        return Ok(next);
    }
    let role = |role: Role| {
        if roles.has(role, actor) {
            Ok(())
        } else {
            Err(TitleError::AccessControlUnauthorizedAccount {
                account: actor,
                role,
            })
        }
    };
    match action {
        Action::Mint {
            beneficiary,
            holder,
        } => {
            role(Role::Minter)?;
            remark_fits(remark)?;
            if title.is_some() {
                return Err(TitleError::TokenExists);
            }
            if beneficiary.is_zero() || holder.is_zero() {
                return Err(TitleError::InvalidTokenTransferToZeroAddressOwners {
                    beneficiary: *beneficiary,
                    holder: *holder,
                });
            }
            Ok(Title {
                beneficiary: *beneficiary,
                holder: *holder,
                prev_beneficiary: Address::ZERO,
                prev_holder: Address::ZERO,
                nominee: Address::ZERO,
                active: true,
                custody: Custody::Escrow,
                remark: Bytes::copy_from_slice(remark),
            })
        }
        Action::AcceptReturn => {
            role(Role::Accepter)?;
            remark_fits(remark)?;
            let mut title = title.ok_or(TitleError::InvalidTokenId)?.clone();
            // The registry has the escrow shred itself, which checks in this order.
            if !title.active {
                return Err(TitleError::InactiveTitleEscrow);
            }
            if title.custody == Custody::Escrow {
                return Err(TitleError::TokenNotReturnedToIssuer);
            }
            title.beneficiary = Address::ZERO;
            title.holder = Address::ZERO;
            title.nominee = Address::ZERO;
            title.active = false;
            title.custody = Custody::Burnt;
            title.remark = Bytes::copy_from_slice(remark);
            Ok(title)
        }
        Action::RejectReturn => {
            role(Role::Restorer)?;
            remark_fits(remark)?;
            let mut title = title.ok_or(TitleError::InvalidTokenId)?.clone();
            if title.custody != Custody::Surrendered {
                return Err(TitleError::TokenNotReturnedToIssuer);
            }
            title.custody = Custody::Escrow;
            title.remark = Bytes::copy_from_slice(remark);
            Ok(title)
        }
        escrow_action => {
            // No escrow exists for a token never minted; Corridor refuses with the
            // registry's name for an unknown token rather than send a call to nothing.
            let title = title.ok_or(TitleError::InvalidTokenId)?;
            escrow(title, actor, escrow_action, remark)
        }
    }
}

/// An action on a title's escrow, checked in the order of `TitleEscrow`'s modifiers.
fn escrow(
    title: &Title,
    actor: Address,
    action: &Action,
    remark: &[u8],
) -> Result<Title, TitleError> {
    let mut next = title.clone();
    let t = title;
    let active = || {
        if t.active {
            Ok(())
        } else {
            Err(TitleError::InactiveTitleEscrow)
        }
    };
    let beneficiary = || {
        if actor == t.beneficiary {
            Ok(())
        } else {
            Err(TitleError::CallerNotBeneficiary)
        }
    };
    let holder = || {
        if actor == t.holder {
            Ok(())
        } else {
            Err(TitleError::CallerNotHolder)
        }
    };
    let holding = || {
        if t.custody == Custody::Escrow {
            Ok(())
        } else {
            Err(TitleError::TitleEscrowNotHoldingToken)
        }
    };
    let remark_ok = || remark_fits(remark);
    match action {
        Action::Nominate { nominee } => {
            active()?;
            beneficiary()?;
            holding()?;
            remark_ok()?;
            if t.beneficiary == *nominee {
                return Err(TitleError::TargetNomineeAlreadyBeneficiary);
            }
            if t.nominee == *nominee {
                return Err(TitleError::NomineeAlreadyNominated);
            }
            next.prev_beneficiary = Address::ZERO;
            if t.beneficiary == t.holder {
                next.prev_holder = Address::ZERO;
            }
            next.nominee = *nominee;
        }
        Action::TransferBeneficiary { nominee } => {
            active()?;
            holder()?;
            holding()?;
            remark_ok()?;
            if nominee.is_zero() {
                return Err(TitleError::InvalidTransferToZeroAddress);
            }
            if !(t.beneficiary == t.holder || t.nominee == *nominee) {
                return Err(TitleError::InvalidNominee);
            }
            next.prev_holder = Address::ZERO;
            next.prev_beneficiary = t.beneficiary;
            next.beneficiary = *nominee;
            next.nominee = Address::ZERO;
        }
        Action::TransferHolder { holder: new_holder } => {
            active()?;
            holder()?;
            holding()?;
            remark_ok()?;
            if new_holder.is_zero() {
                return Err(TitleError::InvalidTransferToZeroAddress);
            }
            if t.holder == *new_holder {
                return Err(TitleError::RecipientAlreadyHolder);
            }
            if t.beneficiary == t.holder {
                next.prev_beneficiary = Address::ZERO;
            }
            next.prev_holder = t.holder;
            next.holder = *new_holder;
        }
        Action::TransferOwners {
            nominee,
            holder: new_holder,
        } => {
            // One transaction: the endorsement, then the transfer on the endorsed state.
            let endorsed = escrow(
                t,
                actor,
                &Action::TransferBeneficiary { nominee: *nominee },
                remark,
            )?;
            return escrow(
                &endorsed,
                actor,
                &Action::TransferHolder {
                    holder: *new_holder,
                },
                remark,
            );
        }
        Action::RejectTransferBeneficiary => {
            active()?;
            beneficiary()?;
            holding()?;
            remark_ok()?;
            if t.prev_beneficiary.is_zero() {
                return Err(TitleError::InvalidTransferToZeroAddress);
            }
            if t.beneficiary == t.holder {
                return Err(TitleError::DualRoleRejectionRequired);
            }
            next.beneficiary = t.prev_beneficiary;
            next.nominee = Address::ZERO;
            next.prev_beneficiary = Address::ZERO;
        }
        Action::RejectTransferHolder => {
            active()?;
            holder()?;
            holding()?;
            remark_ok()?;
            if t.prev_holder.is_zero() {
                return Err(TitleError::InvalidTransferToZeroAddress);
            }
            if t.holder == t.beneficiary {
                return Err(TitleError::DualRoleRejectionRequired);
            }
            next.holder = t.prev_holder;
            next.prev_holder = Address::ZERO;
        }
        Action::RejectTransferOwners => {
            active()?;
            holding()?;
            beneficiary()?;
            holder()?;
            remark_ok()?;
            if t.prev_beneficiary.is_zero() || t.prev_holder.is_zero() {
                return Err(TitleError::InvalidTransferToZeroAddress);
            }
            next.beneficiary = t.prev_beneficiary;
            next.holder = t.prev_holder;
            next.nominee = Address::ZERO;
            next.prev_beneficiary = Address::ZERO;
            next.prev_holder = Address::ZERO;
        }
        Action::ReturnToIssuer => {
            active()?;
            beneficiary()?;
            holder()?;
            holding()?;
            remark_ok()?;
            next.nominee = Address::ZERO;
            next.custody = Custody::Surrendered;
            next.prev_beneficiary = Address::ZERO;
            next.prev_holder = Address::ZERO;
        }
        Action::Mint { .. } | Action::AcceptReturn | Action::RejectReturn => {
            unreachable!("registry actions are applied by `apply`")
        }
    }
    next.remark = Bytes::copy_from_slice(remark);
    Ok(next)
}

/// The actions `actor` may take on `title` now, by name: those the rules would accept from it
/// with some arguments (a nominee already named, or a party new to the title). What a portal
/// offers the party that opens a title.
///
/// ```
/// use alloy_primitives::Address;
/// use corridor_title::{Action, RegistryVersion::V5, Roles, apply, open_actions};
/// let (issuer, shipper) = (Address::repeat_byte(1), Address::repeat_byte(2));
/// let roles = Roles::of_deployer(issuer);
/// let mint = Action::Mint { beneficiary: shipper, holder: shipper };
/// let title = apply(V5, &roles, None, issuer, &mint, b"").unwrap();
/// assert_eq!(open_actions(V5, &roles, &title, issuer), Vec::<&str>::new());
/// assert!(open_actions(V5, &roles, &title, shipper).contains(&"transfer-owners"));
/// ```
pub fn open_actions(
    version: RegistryVersion,
    roles: &Roles,
    title: &Title,
    actor: Address,
) -> Vec<&'static str> {
    let taken = [actor, title.beneficiary, title.holder, title.nominee];
    let newcomer = (1..=u8::MAX)
        .map(Address::repeat_byte)
        .find(|a| !taken.contains(a))
        .expect("four addresses cannot take 255");
    let nominees: Vec<Address> = [title.nominee, newcomer]
        .into_iter()
        .filter(|a| !a.is_zero())
        .collect();
    let mut probes = Vec::new();
    for &nominee in &nominees {
        probes.push(Action::Nominate { nominee });
        probes.push(Action::TransferBeneficiary { nominee });
        probes.push(Action::TransferOwners {
            nominee,
            holder: newcomer,
        });
    }
    probes.extend([
        Action::TransferHolder { holder: newcomer },
        Action::RejectTransferBeneficiary,
        Action::RejectTransferHolder,
        Action::RejectTransferOwners,
        Action::ReturnToIssuer,
        Action::AcceptReturn,
        Action::RejectReturn,
    ]);
    let mut open: Vec<&'static str> = Vec::new();
    for action in probes {
        if !open.contains(&action.name())
            && apply(version, roles, Some(title), actor, &action, b"").is_ok()
        {
            open.push(action.name());
        }
    }
    open
}

/// The contracts' `remarkLengthLimit`.
fn remark_fits(remark: &[u8]) -> Result<(), TitleError> {
    if remark.len() > REMARK_LIMIT {
        Err(TitleError::RemarkLengthExceeded)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: Address = Address::repeat_byte(1);
    const SHIPPER: Address = Address::repeat_byte(2);
    const BANK: Address = Address::repeat_byte(3);
    const CONSIGNEE: Address = Address::repeat_byte(4);
    const STRANGER: Address = Address::repeat_byte(5);

    fn step(title: Option<&Title>, actor: Address, action: Action) -> Result<Title, TitleError> {
        apply(
            RegistryVersion::V5,
            &Roles::of_deployer(ISSUER),
            title,
            actor,
            &action,
            b"",
        )
    }

    fn minted(beneficiary: Address, holder: Address) -> Title {
        step(
            None,
            ISSUER,
            Action::Mint {
                beneficiary,
                holder,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_voyage_from_shipper_to_consignee_ends_burnt() {
        let title = minted(SHIPPER, SHIPPER);
        let title = step(
            Some(&title),
            SHIPPER,
            Action::TransferOwners {
                nominee: BANK,
                holder: BANK,
            },
        )
        .unwrap();
        assert_eq!((title.beneficiary, title.holder), (BANK, BANK));
        assert_eq!(
            (title.prev_beneficiary, title.prev_holder),
            (SHIPPER, SHIPPER)
        );
        let title = step(Some(&title), BANK, Action::Nominate { nominee: CONSIGNEE }).unwrap();
        assert_eq!(
            title.prev_beneficiary,
            Address::ZERO,
            "a nomination ends the right to reject"
        );
        let title = step(
            Some(&title),
            BANK,
            Action::TransferOwners {
                nominee: CONSIGNEE,
                holder: CONSIGNEE,
            },
        )
        .unwrap();
        assert_eq!(title.nominee, Address::ZERO);
        let title = step(Some(&title), CONSIGNEE, Action::ReturnToIssuer).unwrap();
        assert_eq!(title.custody, Custody::Surrendered);
        assert_eq!(
            step(
                Some(&title),
                CONSIGNEE,
                Action::TransferHolder { holder: BANK }
            ),
            Err(TitleError::TitleEscrowNotHoldingToken)
        );
        let burnt = step(Some(&title), ISSUER, Action::AcceptReturn).unwrap();
        assert!(!burnt.active);
        assert_eq!(
            (burnt.beneficiary, burnt.holder, burnt.custody),
            (Address::ZERO, Address::ZERO, Custody::Burnt)
        );
        assert_eq!(
            step(Some(&burnt), ISSUER, Action::RejectReturn),
            Err(TitleError::TokenNotReturnedToIssuer)
        );
        assert_eq!(
            step(Some(&burnt), ISSUER, Action::AcceptReturn),
            Err(TitleError::InactiveTitleEscrow)
        );
        assert_eq!(
            step(
                Some(&burnt),
                ISSUER,
                Action::Mint {
                    beneficiary: BANK,
                    holder: BANK
                }
            ),
            Err(TitleError::TokenExists)
        );
    }

    #[test]
    fn a_rejected_surrender_restores_the_last_parties() {
        let title = minted(SHIPPER, SHIPPER);
        let surrendered = step(Some(&title), SHIPPER, Action::ReturnToIssuer).unwrap();
        assert_eq!(
            step(Some(&surrendered), STRANGER, Action::RejectReturn),
            Err(TitleError::AccessControlUnauthorizedAccount {
                account: STRANGER,
                role: Role::Restorer
            })
        );
        let restored = step(Some(&surrendered), ISSUER, Action::RejectReturn).unwrap();
        assert_eq!(
            (restored.beneficiary, restored.holder, restored.custody),
            (SHIPPER, SHIPPER, Custody::Escrow)
        );
        assert_eq!(
            step(Some(&title), ISSUER, Action::AcceptReturn),
            Err(TitleError::TokenNotReturnedToIssuer)
        );
    }

    #[test]
    fn rejections_return_to_the_previous_party_once() {
        let title = minted(SHIPPER, BANK);
        // The holder may endorse only the nominee while the roles are split.
        assert_eq!(
            step(
                Some(&title),
                BANK,
                Action::TransferBeneficiary { nominee: CONSIGNEE }
            ),
            Err(TitleError::InvalidNominee)
        );
        let title = step(
            Some(&title),
            SHIPPER,
            Action::Nominate { nominee: CONSIGNEE },
        )
        .unwrap();
        assert_eq!(
            step(
                Some(&title),
                SHIPPER,
                Action::Nominate { nominee: CONSIGNEE }
            ),
            Err(TitleError::NomineeAlreadyNominated)
        );
        assert_eq!(
            step(Some(&title), SHIPPER, Action::Nominate { nominee: SHIPPER }),
            Err(TitleError::TargetNomineeAlreadyBeneficiary)
        );
        let title = step(
            Some(&title),
            BANK,
            Action::TransferBeneficiary { nominee: CONSIGNEE },
        )
        .unwrap();
        let back = step(Some(&title), CONSIGNEE, Action::RejectTransferBeneficiary).unwrap();
        assert_eq!(back.beneficiary, SHIPPER);
        assert_eq!(
            step(Some(&back), SHIPPER, Action::RejectTransferBeneficiary),
            Err(TitleError::InvalidTransferToZeroAddress)
        );

        let title = step(
            Some(&title),
            BANK,
            Action::TransferHolder { holder: CONSIGNEE },
        )
        .unwrap();
        // The consignee is now both: a rejection of one role alone is refused.
        assert_eq!(
            step(Some(&title), CONSIGNEE, Action::RejectTransferHolder),
            Err(TitleError::DualRoleRejectionRequired)
        );
        // Both roles came by separate transfers; the party may return both at once.
        let returned = step(Some(&title), CONSIGNEE, Action::RejectTransferOwners).unwrap();
        assert_eq!((returned.beneficiary, returned.holder), (SHIPPER, BANK));
        assert_eq!(
            step(
                Some(&title),
                CONSIGNEE,
                Action::TransferHolder { holder: CONSIGNEE }
            ),
            Err(TitleError::RecipientAlreadyHolder)
        );
    }

    #[test]
    fn checks_run_in_the_contracts_order() {
        let title = minted(SHIPPER, BANK);
        let long = [b'x'; REMARK_LIMIT + 1];
        let roles = Roles::of_deployer(ISSUER);
        // The caller is checked before the remark, the remark before the arguments.
        let nominate_zero = Action::TransferHolder {
            holder: Address::ZERO,
        };
        assert_eq!(
            apply(
                RegistryVersion::V5,
                &roles,
                Some(&title),
                STRANGER,
                &nominate_zero,
                &long
            ),
            Err(TitleError::CallerNotHolder)
        );
        assert_eq!(
            apply(
                RegistryVersion::V5,
                &roles,
                Some(&title),
                BANK,
                &nominate_zero,
                &long
            ),
            Err(TitleError::RemarkLengthExceeded)
        );
        assert_eq!(
            apply(
                RegistryVersion::V5,
                &roles,
                Some(&title),
                BANK,
                &nominate_zero,
                b""
            ),
            Err(TitleError::InvalidTransferToZeroAddress)
        );
        assert!(
            apply(
                RegistryVersion::V5,
                &roles,
                Some(&title),
                BANK,
                &Action::TransferHolder { holder: SHIPPER },
                &[b'x'; REMARK_LIMIT]
            )
            .is_ok()
        );
        // rejectTransferOwners checks custody before the caller; returnToIssuer after.
        let surrendered = Title {
            custody: Custody::Surrendered,
            ..title.clone()
        };
        assert_eq!(
            step(Some(&surrendered), STRANGER, Action::RejectTransferOwners),
            Err(TitleError::TitleEscrowNotHoldingToken)
        );
        assert_eq!(
            step(Some(&surrendered), STRANGER, Action::ReturnToIssuer),
            Err(TitleError::CallerNotBeneficiary)
        );
        // Minting checks the role, the remark, then whether the token exists.
        let mint = Action::Mint {
            beneficiary: Address::ZERO,
            holder: BANK,
        };
        assert!(matches!(
            apply(
                RegistryVersion::V5,
                &roles,
                Some(&title),
                STRANGER,
                &mint,
                &long
            ),
            Err(TitleError::AccessControlUnauthorizedAccount { .. })
        ));
        assert_eq!(
            apply(
                RegistryVersion::V5,
                &roles,
                Some(&title),
                ISSUER,
                &mint,
                &long
            ),
            Err(TitleError::RemarkLengthExceeded)
        );
        assert_eq!(
            apply(
                RegistryVersion::V5,
                &roles,
                Some(&title),
                ISSUER,
                &mint,
                b""
            ),
            Err(TitleError::TokenExists)
        );
        assert!(matches!(
            apply(RegistryVersion::V5, &roles, None, ISSUER, &mint, b""),
            Err(TitleError::InvalidTokenTransferToZeroAddressOwners { .. })
        ));
        assert_eq!(
            step(None, SHIPPER, Action::ReturnToIssuer),
            Err(TitleError::InvalidTokenId)
        );
    }

    #[test]
    fn actions_serialize_under_their_names() {
        let a = Address::repeat_byte(9);
        for action in [
            Action::Mint {
                beneficiary: a,
                holder: a,
            },
            Action::Nominate { nominee: a },
            Action::TransferBeneficiary { nominee: a },
            Action::TransferHolder { holder: a },
            Action::TransferOwners {
                nominee: a,
                holder: a,
            },
            Action::RejectTransferBeneficiary,
            Action::RejectTransferHolder,
            Action::RejectTransferOwners,
            Action::ReturnToIssuer,
            Action::AcceptReturn,
            Action::RejectReturn,
        ] {
            let json = serde_json::to_value(&action).unwrap();
            assert_eq!(json["action"], action.name());
            assert_eq!(serde_json::from_value::<Action>(json).unwrap(), action);
        }
    }

    #[test]
    fn transfer_owners_is_all_or_nothing() {
        let title = minted(SHIPPER, SHIPPER);
        // The endorsement would pass, the holder transfer not: nothing changes.
        assert_eq!(
            step(
                Some(&title),
                SHIPPER,
                Action::TransferOwners {
                    nominee: BANK,
                    holder: SHIPPER
                }
            ),
            Err(TitleError::RecipientAlreadyHolder)
        );
    }

    #[test]
    fn open_actions_follow_the_roles() {
        let roles = Roles::of_deployer(ISSUER);
        let title = minted(SHIPPER, BANK);
        assert_eq!(
            open_actions(RegistryVersion::V5, &roles, &title, SHIPPER),
            ["nominate"]
        );
        assert_eq!(
            open_actions(RegistryVersion::V5, &roles, &title, BANK),
            ["transfer-holder"]
        );
        assert!(open_actions(RegistryVersion::V5, &roles, &title, STRANGER).is_empty());
        let nominated = step(
            Some(&title),
            SHIPPER,
            Action::Nominate { nominee: CONSIGNEE },
        )
        .unwrap();
        // The holder may now endorse the nominee, and only them.
        assert_eq!(
            open_actions(RegistryVersion::V5, &roles, &nominated, BANK),
            ["endorse", "transfer-owners", "transfer-holder"]
        );
        let both = minted(SHIPPER, SHIPPER);
        assert_eq!(
            open_actions(RegistryVersion::V5, &roles, &both, SHIPPER),
            [
                "nominate",
                "endorse",
                "transfer-owners",
                "transfer-holder",
                "surrender"
            ]
        );
        let surrendered = step(Some(&both), SHIPPER, Action::ReturnToIssuer).unwrap();
        assert!(open_actions(RegistryVersion::V5, &roles, &surrendered, SHIPPER).is_empty());
        assert_eq!(
            open_actions(RegistryVersion::V5, &roles, &surrendered, ISSUER),
            ["accept-surrender", "reject-surrender"]
        );
    }

    #[test]
    fn version_4_is_version_5_without_remarks_rejections_or_previous_parties() {
        use RegistryVersion::V4;
        let roles = Roles::of_deployer(ISSUER);
        let v4 = |title: Option<&Title>, actor, action: Action| {
            apply(V4, &roles, title, actor, &action, b"")
        };
        let mint = Action::Mint {
            beneficiary: SHIPPER,
            holder: SHIPPER,
        };
        let title = v4(None, ISSUER, mint.clone()).unwrap();
        assert_eq!(
            apply(V4, &roles, None, ISSUER, &mint, b"hello"),
            Err(TitleError::NotInVersion4)
        );
        let passed = v4(
            Some(&title),
            SHIPPER,
            Action::TransferOwners {
                nominee: BANK,
                holder: BANK,
            },
        )
        .unwrap();
        assert_eq!((passed.beneficiary, passed.holder), (BANK, BANK));
        assert_eq!(
            (passed.prev_beneficiary, passed.prev_holder),
            (Address::ZERO, Address::ZERO)
        );
        for reject in [
            Action::RejectTransferBeneficiary,
            Action::RejectTransferHolder,
            Action::RejectTransferOwners,
        ] {
            assert_eq!(
                v4(Some(&passed), BANK, reject),
                Err(TitleError::NotInVersion4)
            );
        }
        assert!(
            !open_actions(V4, &roles, &passed, BANK)
                .iter()
                .any(|a| a.starts_with("reject"))
        );
        assert_eq!(
            v4(Some(&passed), ISSUER, Action::AcceptReturn),
            Err(TitleError::TokenNotSurrendered)
        );
        let surrendered = v4(Some(&passed), BANK, Action::ReturnToIssuer).unwrap();
        assert_eq!(surrendered.custody, Custody::Surrendered);
        let restored = v4(Some(&surrendered), ISSUER, Action::RejectReturn).unwrap();
        assert_eq!(
            v4(Some(&restored), ISSUER, Action::RejectReturn),
            Err(TitleError::TokenNotSurrendered)
        );
    }
}
