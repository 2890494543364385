//! Which issuers' renderers the portal may load. A document may name the web page that draws
//! it (TradeTrust's decentralized renderer); the portal loads it in a sandboxed frame only from
//! an origin the deployment allows, and the page's content security policy lets it frame those
//! origins and nothing else.

use std::fmt;
use std::str::FromStr;

/// An origin a renderer may be loaded from: `https://renderer.example`, or
/// `http://127.0.0.1:9000` — a scheme, a host and maybe a port, nothing more.
///
/// ```
/// use corridor_server::RendererOrigin;
/// let origin: RendererOrigin = "https://Renderer.Example/".parse().unwrap();
/// assert_eq!(origin.to_string(), "https://renderer.example");
/// assert!("https://renderer.example/page".parse::<RendererOrigin>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RendererOrigin(String);

impl RendererOrigin {
    /// The origin as a browser writes it (and a content security policy names it).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RendererOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RendererOrigin {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let lower = text.to_ascii_lowercase();
        let (scheme, rest) = lower
            .split_once("://")
            .filter(|(scheme, _)| matches!(*scheme, "http" | "https"))
            .ok_or_else(|| {
                format!("{text:?} is not an http(s) origin (https://renderer.example)")
            })?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = split_port(authority)
            .ok_or_else(|| format!("{text:?}: the port is not a number from 1 to 65535"))?;
        let host_ok = if let Some(inner) = host.strip_prefix('[') {
            inner
                .strip_suffix(']')
                .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok())
        } else {
            !host.is_empty()
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        };
        if !host_ok {
            return Err(format!(
                "{text:?} is not an origin: give a scheme and a host, and maybe a port, with no path (https://renderer.example)"
            ));
        }
        let port = port.map_or(String::new(), |p| format!(":{p}"));
        Ok(Self(format!("{scheme}://{host}{port}")))
    }
}

/// `host[:port]` split, with the port a number from 1 to 65535; `None` for a bad port.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let colon = if authority.starts_with('[') {
        authority.find("]:").map(|i| i + 1)
    } else {
        authority.rfind(':')
    };
    match colon {
        None => Some((authority, None)),
        Some(i) => {
            let port = authority[i + 1..].parse::<u16>().ok().filter(|p| *p > 0)?;
            Some((&authority[..i], Some(port)))
        }
    }
}

/// The renderers the portal may load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Renderers {
    /// None: every document is laid out by the portal's built-in templates.
    #[default]
    None,
    /// Renderers from these origins only.
    Listed(Vec<RendererOrigin>),
    /// A renderer from any origin served over https, as TradeTrust's own site loads them.
    AnyHttps,
}

impl Renderers {
    /// The page's `frame-src`: the origins it may frame.
    pub(crate) fn frame_sources(&self) -> String {
        match self {
            Renderers::None => "'none'".into(),
            Renderers::AnyHttps => "https:".into(),
            Renderers::Listed(origins) => origins
                .iter()
                .map(RendererOrigin::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// What the page's script reads to decide: the origins, or `https:` for any.
    pub(crate) fn for_page(&self) -> String {
        match self {
            Renderers::None => String::new(),
            _ => self.frame_sources(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_a_scheme_a_host_and_a_port_written_as_a_browser_writes_them() {
        for (given, origin) in [
            ("https://renderer.example", "https://renderer.example"),
            ("HTTPS://Renderer.Example/", "https://renderer.example"),
            ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            (
                "https://generic-templates.tradetrust.io",
                "https://generic-templates.tradetrust.io",
            ),
        ] {
            assert_eq!(
                given.parse::<RendererOrigin>().unwrap().as_str(),
                origin,
                "{given}"
            );
        }
        for refused in [
            "renderer.example",
            "ftp://renderer.example",
            "https://",
            "https://renderer.example/page",
            "https://renderer.example:0",
            "https://renderer.example:99999",
            "https://renderer.example?q",
            "https://user@renderer.example",
            "https://renderer..example",
            "https://[::1",
            "https://a b",
            "javascript://x'",
        ] {
            assert!(refused.parse::<RendererOrigin>().is_err(), "{refused}");
        }
    }

    #[test]
    fn the_frame_sources_are_the_renderers_allowed_and_nothing_else() {
        let listed = Renderers::Listed(vec![
            "https://a.example".parse().unwrap(),
            "http://127.0.0.1:9000".parse().unwrap(),
        ]);
        assert_eq!(
            listed.frame_sources(),
            "https://a.example http://127.0.0.1:9000"
        );
        assert_eq!(Renderers::None.frame_sources(), "'none'");
        assert_eq!(Renderers::None.for_page(), "");
        assert_eq!(Renderers::AnyHttps.frame_sources(), "https:");
    }
}
