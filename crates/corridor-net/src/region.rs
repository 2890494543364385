//! The region a node runs in, and what of the outside world it reaches first from there.
//! Public resolvers of one side are slow or out of reach from the other: Google's is
//! blocked in mainland China, and AliDNS and DNSPod are far from Singapore. Each region's
//! list starts with what is near, and ends with what is reached from both.

use std::fmt;
use std::str::FromStr;

/// Where a node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    /// Singapore.
    Sg,
    /// Mainland China.
    Cn,
}

impl Region {
    /// Every region, for messages.
    pub const ALL: [Region; 2] = [Region::Sg, Region::Cn];

    /// Its short name, as `--region` takes it.
    pub const fn name(self) -> &'static str {
        match self {
            Region::Sg => "sg",
            Region::Cn => "cn",
        }
    }

    /// The DNS-over-HTTPS resolvers asked from here, in order: JSON endpoints (`/resolve`)
    /// and RFC 8484 ones (`/dns-query`), as [`crate::DnsResolver::doh`] tells them apart.
    ///
    /// ```
    /// use corridor_net::Region;
    /// assert_eq!(Region::Cn.doh_resolvers()[0], "https://dns.alidns.com/resolve");
    /// assert!(!Region::Cn.doh_resolvers().iter().any(|url| url.contains("dns.google")));
    /// ```
    pub const fn doh_resolvers(self) -> &'static [&'static str] {
        match self {
            Region::Sg => &[
                "https://dns.google/resolve",
                "https://cloudflare-dns.com/dns-query",
                "https://dns.alidns.com/resolve",
            ],
            Region::Cn => &[
                "https://dns.alidns.com/resolve",
                "https://doh.pub/dns-query",
                "https://cloudflare-dns.com/dns-query",
            ],
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(text: &str) -> Result<Region, String> {
        Region::ALL
            .into_iter()
            .find(|region| region.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                format!("{text:?} is not a region; give sg (Singapore) or cn (mainland China)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_read_back_from_their_names_and_list_reachable_resolvers() {
        for region in Region::ALL {
            assert_eq!(region.name().parse::<Region>(), Ok(region));
            assert_eq!(
                region.to_string().to_uppercase().parse::<Region>(),
                Ok(region)
            );
            let resolvers = region.doh_resolvers();
            assert!(resolvers.len() >= 2, "{region}: a resolver to fail over to");
            assert!(resolvers.iter().all(|url| url.starts_with("https://")));
        }
        assert!("us".parse::<Region>().unwrap_err().contains("sg"));
    }
}
