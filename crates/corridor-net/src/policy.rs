//! Where fetches may go. A server fetches what the documents strangers send it name — a
//! revocation responder's URL — so, unchecked, a document could point it at the server's own
//! network: a database's port, a cloud's metadata service. `FetchPolicy::PublicOnly` keeps
//! such fetches to public addresses over https, checked on the addresses a name resolves to,
//! at every connection (each redirect's too), before anything is sent.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::time::Duration;

use corridor_verify::providers::NotAsked;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// The most redirects one fetch follows.
pub const MAX_REDIRECTS: u32 = 5;

/// Where fetches may go.
#[derive(Debug, Clone)]
pub enum FetchPolicy {
    /// Wherever the URL says, through the environment's proxy if one is set: a person
    /// verifying documents they chose.
    Anywhere,
    /// Public addresses only, over https; the `allowed` hosts at any address, over plain http
    /// too: a server fetching for whoever sent it a document. Proxies are not used, so that
    /// the addresses checked are the ones connected to.
    PublicOnly { allowed: Vec<AllowedHost> },
}

impl FetchPolicy {
    /// An agent fetching as the policy says, giving up on a fetch after `timeout` (its
    /// redirects and its answer's body included): the one way fetches are made.
    pub(crate) fn agent(&self, timeout: Duration, roots: Option<&TrustedRoots>) -> ureq::Agent {
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(MAX_REDIRECTS)
            .user_agent(concat!("corridor/", env!("CARGO_PKG_VERSION")));
        if let Some(roots) = roots {
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::Specific(roots.0.clone()))
                    .build(),
            );
        }
        match self {
            FetchPolicy::Anywhere => config.build().new_agent(),
            FetchPolicy::PublicOnly { allowed } => ureq::Agent::with_parts(
                config.proxy(None).build(),
                DefaultConnector::default(),
                Guard {
                    allowed: allowed.clone(),
                    resolver: DefaultResolver::default(),
                },
            ),
        }
    }
}

/// The certificate authorities HTTPS servers are checked against instead of the Mozilla roots
/// built in: a private network's own (a border post's, a test's).
#[derive(Debug, Clone)]
pub struct TrustedRoots(std::sync::Arc<Vec<ureq::tls::Certificate<'static>>>);

impl TrustedRoots {
    /// The certificates of a PEM text; an error when it holds none, or one cannot be read.
    pub fn from_pem(pem: &[u8]) -> Result<TrustedRoots, String> {
        let mut certificates = Vec::new();
        for item in ureq::tls::parse_pem(pem) {
            match item.map_err(|e| format!("not PEM: {e}"))? {
                ureq::tls::PemItem::Certificate(certificate) => certificates.push(certificate),
                _ => continue,
            }
        }
        if certificates.is_empty() {
            return Err("no certificate in it".into());
        }
        Ok(TrustedRoots(std::sync::Arc::new(certificates)))
    }
}

/// Why a fetch failed, when the policy refused it (nothing was sent).
pub(crate) fn refusal(error: &ureq::Error) -> Option<NotAsked> {
    match error {
        ureq::Error::Other(e) => e.downcast_ref::<NotAsked>().cloned(),
        _ => None,
    }
}

/// A host named in a URL, or allowed by the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Ip(IpAddr),
    /// Lowercase, without a final dot.
    Name(String),
}

impl Host {
    /// The host as a URL gives it: an IPv6 address in brackets.
    fn of_url(host: &str) -> Host {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        match bare.parse() {
            Ok(ip) => Host::Ip(ip),
            Err(_) => Host::Name(bare.trim_end_matches('.').to_ascii_lowercase()),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(ip) => write!(f, "{ip}"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

/// A host the operator lets fetches reach whatever its addresses, over plain http too:
/// `HOST` (any port) or `HOST:PORT`, the host a name, an IPv4 address or an IPv6 address in
/// brackets (`[::1]:8080`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    host: Host,
    /// `None`: any port.
    port: Option<u16>,
}

impl AllowedHost {
    fn admits(&self, host: &Host, port: u16) -> bool {
        self.host == *host && self.port.is_none_or(|p| p == port)
    }
}

impl FromStr for AllowedHost {
    type Err = String;

    /// ```
    /// use corridor_net::AllowedHost;
    /// assert!("responder.internal:8443".parse::<AllowedHost>().is_ok());
    /// assert!("[::1]:8080".parse::<AllowedHost>().is_ok());
    /// assert!("::1".parse::<AllowedHost>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<AllowedHost, String> {
        if text.contains("://") {
            return Err(format!("{text:?}: expected HOST or HOST:PORT, not a URL"));
        }
        let (host, port) = match text.strip_prefix('[') {
            Some(rest) => {
                let (ip, after) = rest.split_once(']').ok_or_else(|| {
                    format!("{text:?}: an IPv6 address in brackets lacks its ']'")
                })?;
                ip.parse::<Ipv6Addr>()
                    .map_err(|_| format!("{text:?}: {ip:?} in brackets is not an IPv6 address"))?;
                let port =
                    match after {
                        "" => None,
                        _ => Some(after.strip_prefix(':').ok_or_else(|| {
                            format!("{text:?}: expected :PORT after the brackets")
                        })?),
                    };
                (&text[..ip.len() + 2], port)
            }
            None if text.matches(':').count() > 1 => {
                return Err(format!(
                    "{text:?}: write an IPv6 address in brackets, as [::1] or [::1]:8080"
                ));
            }
            None => match text.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            },
        };
        let bad_host = host.is_empty()
            || host
                .chars()
                .any(|c| c.is_whitespace() || "/@?#%\\".contains(c));
        if bad_host {
            return Err(format!("{text:?}: expected HOST or HOST:PORT"));
        }
        let port = port
            .map(|p| match p.parse::<u16>() {
                Ok(port) if port > 0 => Ok(port),
                _ => Err(format!("{text:?}: {p:?} is not a port (1 to 65535)")),
            })
            .transpose()?;
        Ok(AllowedHost {
            host: Host::of_url(host),
            port,
        })
    }
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => write!(f, "{}", self.host),
        }
    }
}

/// ureq's resolver, with the policy checked on the URL and on what it resolves to: ureq
/// resolves before every connection, redirects included, and connects only to the addresses
/// the resolver gives, so the addresses checked are the ones connected to.
#[derive(Debug)]
struct Guard {
    allowed: Vec<AllowedHost>,
    resolver: DefaultResolver,
}

impl Resolver for Guard {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(host), Some(scheme)) = (uri.host(), uri.scheme_str()) else {
            // Not a full URL: ureq's own resolver says so.
            return self.resolver.resolve(uri, config, timeout);
        };
        let host = Host::of_url(host);
        let https = scheme.eq_ignore_ascii_case("https");
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        if self.allowed.iter().any(|a| a.admits(&host, port)) {
            return self.resolver.resolve(uri, config, timeout);
        }
        let place = format!("{scheme}://{host}:{port}");
        let refuse = |why: String| ureq::Error::Other(Box::new(NotAsked::Refused(why)));
        if !https {
            return Err(refuse(format!(
                "{place}: plain http is fetched only from hosts the operator allowed"
            )));
        }
        // An address in the URL is refused before anything is looked up or connected to.
        if let Host::Ip(ip) = host
            && let Some(range) = non_public(ip)
        {
            return Err(refuse(format!(
                "{place}: {ip} is {range}, not a public address"
            )));
        }
        let addresses = self.resolver.resolve(uri, config, timeout)?;
        // One address inside is enough to refuse: a name pointing inside is not trusted for
        // its other addresses either.
        if let Some(range) = addresses.iter().find_map(|a| non_public(a.ip())) {
            return Err(refuse(format!(
                "{place}: {host} resolves to {range}, not a public address"
            )));
        }
        Ok(addresses)
    }
}

/// An address range that is not public, and what it is, for messages.
struct Range {
    network: u128,
    prefix: u32,
    what: &'static str,
}

const fn v4(network: Ipv4Addr, prefix: u32, what: &'static str) -> Range {
    Range {
        network: network.to_bits() as u128,
        prefix,
        what,
    }
}

const fn v6(network: Ipv6Addr, prefix: u32, what: &'static str) -> Range {
    Range {
        network: network.to_bits(),
        prefix,
        what,
    }
}

impl Range {
    fn holds(&self, address: u128, width: u32) -> bool {
        (address ^ self.network)
            .checked_shr(width - self.prefix)
            .unwrap_or(0)
            == 0
    }
}

/// The IPv4 ranges that are not public (IANA's special-purpose registry, those not
/// globally reachable).
const V4_INSIDE: [Range; 15] = [
    v4(
        Ipv4Addr::new(0, 0, 0, 0),
        8,
        "an unspecified (this-network) address",
    ),
    v4(
        Ipv4Addr::new(10, 0, 0, 0),
        8,
        "a private (RFC 1918) address",
    ),
    v4(
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "a shared (carrier-grade NAT) address",
    ),
    v4(Ipv4Addr::new(127, 0, 0, 0), 8, "a loopback address"),
    v4(Ipv4Addr::new(169, 254, 0, 0), 16, "a link-local address"),
    v4(
        Ipv4Addr::new(172, 16, 0, 0),
        12,
        "a private (RFC 1918) address",
    ),
    v4(Ipv4Addr::new(192, 0, 0, 0), 24, "an IETF protocol address"),
    v4(Ipv4Addr::new(192, 0, 2, 0), 24, "a documentation address"),
    v4(Ipv4Addr::new(192, 88, 99, 0), 24, "a 6to4 relay address"),
    v4(
        Ipv4Addr::new(192, 168, 0, 0),
        16,
        "a private (RFC 1918) address",
    ),
    v4(Ipv4Addr::new(198, 18, 0, 0), 15, "a benchmarking address"),
    v4(
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "a documentation address",
    ),
    v4(Ipv4Addr::new(203, 0, 113, 0), 24, "a documentation address"),
    v4(Ipv4Addr::new(224, 0, 0, 0), 4, "a multicast address"),
    v4(
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "a reserved or broadcast address",
    ),
];

/// The IPv6 ranges that are not public. IPv4-mapped, NAT64 and 6to4 addresses are judged by
/// the IPv4 address they carry (see `non_public`), not here.
const V6_INSIDE: [Range; 12] = [
    v6(Ipv6Addr::UNSPECIFIED, 128, "the unspecified address"),
    v6(Ipv6Addr::LOCALHOST, 128, "a loopback address"),
    v6(
        Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),
        96,
        "an IPv4-compatible (deprecated) address",
    ),
    v6(
        Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0),
        96,
        "an IPv4-translated address",
    ),
    v6(
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "a local-use NAT64 address",
    ),
    v6(
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "a discard-only address",
    ),
    v6(
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        32,
        "a Teredo address",
    ),
    v6(
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "a documentation address",
    ),
    v6(
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "a unique-local address",
    ),
    v6(
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
        "a link-local address",
    ),
    v6(
        Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0),
        10,
        "a site-local (deprecated) address",
    ),
    v6(
        Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
        8,
        "a multicast address",
    ),
];

/// What `ip` is when it is not a public address — loopback, private, link-local, … — or
/// `None` when it is one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => v4_non_public(ip),
        IpAddr::V6(ip) => match carried_ipv4(ip) {
            Some(carried) => v4_non_public(carried),
            None => V6_INSIDE
                .iter()
                .find(|r| r.holds(ip.to_bits(), 128))
                .map(|r| r.what),
        },
    }
}

fn v4_non_public(ip: Ipv4Addr) -> Option<&'static str> {
    V4_INSIDE
        .iter()
        .find(|r| r.holds(ip.to_bits().into(), 32))
        .map(|r| r.what)
}

/// The IPv4 address an IPv6 one reaches: IPv4-mapped (`::ffff:a.b.c.d`), NAT64
/// (`64:ff9b::a.b.c.d`) and 6to4 (`2002:aabb:ccdd::/48`).
fn carried_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = ip.to_bits();
    let nat64 = v6(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96, "");
    let six_to_four = v6(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16, "");
    if let Some(mapped) = ip.to_ipv4_mapped() {
        Some(mapped)
    } else if nat64.holds(bits, 128) {
        Some(Ipv4Addr::from_bits(bits as u32))
    } else if six_to_four.holds(bits, 128) {
        Some(Ipv4Addr::from_bits((bits >> 80) as u32))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(ip: &str) -> Option<&'static str> {
        non_public(ip.parse().unwrap())
    }

    #[test]
    fn addresses_inside_a_network_are_named_and_public_ones_pass() {
        let inside = [
            ("127.0.0.1", "a loopback address"),
            ("127.255.255.254", "a loopback address"),
            ("10.1.2.3", "a private (RFC 1918) address"),
            ("172.16.0.1", "a private (RFC 1918) address"),
            ("172.31.255.255", "a private (RFC 1918) address"),
            ("192.168.1.1", "a private (RFC 1918) address"),
            ("169.254.169.254", "a link-local address"),
            ("100.64.0.1", "a shared (carrier-grade NAT) address"),
            ("100.127.255.255", "a shared (carrier-grade NAT) address"),
            ("0.0.0.0", "an unspecified (this-network) address"),
            ("255.255.255.255", "a reserved or broadcast address"),
            ("224.0.0.1", "a multicast address"),
            ("198.18.0.1", "a benchmarking address"),
            ("::", "the unspecified address"),
            ("::1", "a loopback address"),
            ("fe80::1", "a link-local address"),
            ("febf::1", "a link-local address"),
            ("fc00::1", "a unique-local address"),
            ("fd12:3456::1", "a unique-local address"),
            ("ff02::1", "a multicast address"),
            ("::7f00:1", "an IPv4-compatible (deprecated) address"),
            ("2001:db8::1", "a documentation address"),
            // IPv4 carried in IPv6 is judged by the IPv4 address.
            ("::ffff:127.0.0.1", "a loopback address"),
            ("::ffff:169.254.169.254", "a link-local address"),
            ("::ffff:10.0.0.1", "a private (RFC 1918) address"),
            ("64:ff9b::7f00:1", "a loopback address"),
            ("2002:c0a8:0101::1", "a private (RFC 1918) address"),
        ];
        for (ip, what) in inside {
            assert_eq!(verdict(ip), Some(what), "{ip}");
        }
        let public = [
            "8.8.8.8",
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "169.253.255.255",
            "11.0.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ];
        for ip in public {
            assert_eq!(verdict(ip), None, "{ip}");
        }
    }

    #[test]
    fn allowed_hosts_are_read_and_matched_by_host_and_port() {
        let allowed: AllowedHost = "Responder.Example.:8443".parse().unwrap();
        assert_eq!(allowed.to_string(), "responder.example:8443");
        assert!(allowed.admits(&Host::of_url("responder.example"), 8443));
        assert!(allowed.admits(&Host::of_url("RESPONDER.example."), 8443));
        assert!(!allowed.admits(&Host::of_url("responder.example"), 443));
        assert!(!allowed.admits(&Host::of_url("other.example"), 8443));

        let any_port: AllowedHost = "127.0.0.1".parse().unwrap();
        assert!(any_port.admits(&Host::of_url("127.0.0.1"), 1));
        assert!(!any_port.admits(&Host::of_url("localhost"), 1));

        // IPv6 addresses compare as addresses, however written.
        let v6: AllowedHost = "[::1]:8080".parse().unwrap();
        assert_eq!(v6.to_string(), "[::1]:8080");
        assert!(v6.admits(&Host::of_url("[0:0::1]"), 8080));
        assert!(!v6.admits(&Host::of_url("[::2]"), 8080));

        for bad in [
            "",
            ":80",
            "::1",
            "[::1",
            "[::1]80",
            "[nope]",
            "host:0",
            "host:http",
            "host:70000",
            "user@host",
            "host/path",
            "https://host",
        ] {
            assert!(bad.parse::<AllowedHost>().is_err(), "{bad:?} was accepted");
        }
    }
}
