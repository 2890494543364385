//! Revocation as OpenAttestation v2 documents declare it: the reasons an `OCSP_RESPONDER`
//! reports, which the embedded store records and the verifier reads back.

/// Why a hash was revoked: the reason codes an OCSP responder reports (RFC 5280's CRLReason,
/// and TradeTrust's `SUSPENDED`), as tt-verify's `OcspResponderRevocationReason` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RevocationReason {
    #[default]
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
    Suspended,
}

impl RevocationReason {
    /// Every reason, with its code and its name as tt-verify writes it.
    pub const ALL: [(RevocationReason, i64, &'static str); 11] = [
        (RevocationReason::Unspecified, 0, "UNSPECIFIED"),
        (RevocationReason::KeyCompromise, 1, "KEY_COMPROMISE"),
        (RevocationReason::CaCompromise, 2, "CA_COMPROMISE"),
        (
            RevocationReason::AffiliationChanged,
            3,
            "AFFILIATION_CHANGED",
        ),
        (RevocationReason::Superseded, 4, "SUPERSEDED"),
        (
            RevocationReason::CessationOfOperation,
            5,
            "CESSATION_OF_OPERATION",
        ),
        (RevocationReason::CertificateHold, 6, "CERTIFICATE_HOLD"),
        (RevocationReason::RemoveFromCrl, 8, "REMOVE_FROM_CRL"),
        (
            RevocationReason::PrivilegeWithdrawn,
            9,
            "PRIVILEGE_WITHDRAWN",
        ),
        (RevocationReason::AaCompromise, 10, "A_A_COMPROMISE"),
        (RevocationReason::Suspended, 1001, "SUSPENDED"),
    ];

    fn entry(self) -> (RevocationReason, i64, &'static str) {
        Self::ALL
            .into_iter()
            .find(|(r, _, _)| *r == self)
            .unwrap_or(Self::ALL[0])
    }

    /// The numeric code.
    pub fn code(self) -> i64 {
        self.entry().1
    }

    /// The name, as `KEY_COMPROMISE`.
    pub fn name(self) -> &'static str {
        self.entry().2
    }

    /// The reason with this code.
    pub fn from_code(code: i64) -> Option<RevocationReason> {
        Self::ALL
            .into_iter()
            .find(|(_, c, _)| *c == code)
            .map(|(r, _, _)| r)
    }

    /// The reason named `name`, in any case, with `-` or `_` (`key-compromise`).
    ///
    /// ```
    /// use corridor_format::RevocationReason;
    /// assert_eq!(RevocationReason::from_name("key-compromise"), Some(RevocationReason::KeyCompromise));
    /// assert_eq!(RevocationReason::from_code(1001).map(RevocationReason::name), Some("SUSPENDED"));
    /// ```
    pub fn from_name(name: &str) -> Option<RevocationReason> {
        let wanted = name.replace('-', "_").to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|(_, _, n)| *n == wanted)
            .map(|(r, _, _)| r)
    }
}
