//! The feed's head: its last entry, at a time, signed by the node's key, so that a follower
//! knows whose feed it follows, that nothing was cut from its end, and how fresh it is (an
//! old head replayed says how old it is).

use alloy_primitives::Address;
use corridor_format::did::{DidSigner, recover_signer};
use corridor_format::{Hash32, keccak256};

/// Who a node is: the DID whose key signs its feed, the domain whose DNS vouches for it
/// (DNS-DID: `openatts a=dns-did; p=<did>#controller; v=1.0;` at the domain), and the URL
/// its documents name it by (their revocation responder's, under it), on that domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub did: String,
    pub domain: String,
    pub url: String,
}

impl Node {
    /// Whether the node's URL is http(s) on its domain (the domain itself or a name under
    /// it): what a follower asks before it answers for what is under that URL, since the
    /// domain is what vouches for the key.
    ///
    /// ```
    /// use corridor_feed::Node;
    /// let node = |url: &str| Node { did: "did:ethr:0x0".into(), domain: "lion-city.test".into(), url: url.into() };
    /// assert!(node("https://corridor.lion-city.test:8443").url_is_on_its_domain());
    /// assert!(node("http://LION-CITY.test").url_is_on_its_domain());
    /// assert!(!node("https://evil-lion-city.test").url_is_on_its_domain());
    /// assert!(!node("https://lion-city.test.evil.example/x").url_is_on_its_domain());
    /// ```
    pub fn url_is_on_its_domain(&self) -> bool {
        self.vouches_for(&self.url)
    }

    /// Whether `url` is http(s) on the node's domain (the domain itself or a name under it),
    /// whose DNS vouches for the node's key: a status list the node publishes there, a
    /// follower may publish in its stead.
    ///
    /// ```
    /// use corridor_feed::Node;
    /// let node = Node { did: "did:ethr:0x0".into(), domain: "lion-city.test".into(), url: "https://lion-city.test".into() };
    /// assert!(node.vouches_for("https://status.lion-city.test/lists/1"));
    /// assert!(!node.vouches_for("https://status.example/lists/1"));
    /// assert!(!node.vouches_for("ftp://lion-city.test/lists/1"));
    /// assert!(!node.vouches_for("https://evil.example\\.lion-city.test/lists/1"));
    /// ```
    pub fn vouches_for(&self, url: &str) -> bool {
        let Some(rest) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
        else {
            return false;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        // A host name and a port, nothing a parser might read otherwise (`\`, `@`, `%`, …).
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
        if !authority.chars().all(plain) {
            return false;
        }
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host)
            .to_ascii_lowercase();
        let domain = self.domain.to_ascii_lowercase();
        !domain.is_empty()
            && (host == domain
                || host
                    .strip_suffix(&domain)
                    .is_some_and(|sub| sub.ends_with('.')))
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {} ({})", self.did, self.url, self.domain)
    }
}

/// The feed's last entry (number 0 and a zero hash while it is empty), at a time, with the
/// deployments the node's title actions were signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub node: Node,
    pub seq: i64,
    pub hash: Hash32,
    /// When the node signed it (milliseconds since 1970).
    pub signed_at: i64,
    /// Every deployment of the node's store, oldest first: a follower checks each title
    /// action's signature in the one its audit entry was made in.
    pub deployments: Vec<Deployed>,
}

/// A deployment of a node's store (the EIP-712 domain's chain id and salt its title actions
/// are signed with), from its audit entry `since` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployed {
    pub since: i64,
    pub chain_id: u64,
    pub salt: Hash32,
}

impl Head {
    /// The deployment the audit entry `audit_seq` was made in; `None` before the first (an
    /// entry made before stores had deployments).
    pub fn deployment_at(&self, audit_seq: i64) -> Option<&Deployed> {
        self.deployments.iter().rev().find(|d| d.since <= audit_seq)
    }
}

/// A head and its signature: `0x` + r + s + v, EIP-191 over [`Head::digest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    pub head: Head,
    pub signature: String,
}

impl Head {
    /// What is signed: keccak256 over a label and every field, length-prefixed.
    pub fn digest(&self) -> Hash32 {
        let node = &self.node;
        let mut bytes =
            Vec::with_capacity(96 + node.did.len() + node.domain.len() + node.url.len());
        for part in [
            b"corridor status feed head".as_slice(),
            node.did.as_bytes(),
            node.domain.as_bytes(),
            node.url.as_bytes(),
        ] {
            bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
            bytes.extend_from_slice(part);
        }
        bytes.extend_from_slice(&self.seq.to_be_bytes());
        bytes.extend_from_slice(self.hash.as_bytes());
        bytes.extend_from_slice(&self.signed_at.to_be_bytes());
        bytes.extend_from_slice(&(self.deployments.len() as u64).to_be_bytes());
        for deployed in &self.deployments {
            bytes.extend_from_slice(&deployed.since.to_be_bytes());
            bytes.extend_from_slice(&deployed.chain_id.to_be_bytes());
            bytes.extend_from_slice(deployed.salt.as_bytes());
        }
        keccak256(&bytes)
    }

    /// The head signed by `signer`, whose DID it must name.
    ///
    /// ```
    /// use corridor_feed::{Head, Node};
    /// use corridor_format::{Hash32, did::DidSigner};
    /// let signer = DidSigner::new(k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap());
    /// let node = Node {
    ///     did: signer.did(),
    ///     domain: "lion-city.test".into(),
    ///     url: "https://corridor.lion-city.test".into(),
    /// };
    /// let head = Head {
    ///     node,
    ///     seq: 3,
    ///     hash: Hash32([1; 32]),
    ///     signed_at: 1_700_000_000_000,
    ///     deployments: Vec::new(),
    /// };
    /// let signed = head.sign(&signer);
    /// assert_eq!(signed.signer(), Ok(signer.address()));
    /// ```
    pub fn sign(self, signer: &DidSigner) -> SignedHead {
        let signature = signer.sign_merkle_root(&self.digest());
        SignedHead {
            head: self,
            signature,
        }
    }
}

impl SignedHead {
    /// The address whose key signed the head, if the signature is one.
    pub fn signer(&self) -> Result<Address, String> {
        recover_signer(&self.head.digest().to_hex(), &self.signature).map_err(|e| e.to_string())
    }

    /// Whether the head is signed by the key of the DID it names (`did:ethr:<address>`).
    pub fn is_signed_by_its_node(&self) -> bool {
        let named = corridor_format::did::ethr_address(&self.head.node.did);
        named.is_some() && self.signer().ok() == named
    }
}
