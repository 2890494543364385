//! IRIs and keywords as jsonld.js tells them apart and resolves them (its `url.js`): what is
//! absolute, what looks like a keyword, and a reference resolved against a base with its URL
//! pattern, quirks included (`:443` dropped from an `https` base, a fragment ending at a line
//! break).

use std::sync::LazyLock;

use corridor_js::is_js_space;
use regex::Regex;

/// The JSON-LD keywords jsonld.js knows.
pub(crate) fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "@base"
            | "@container"
            | "@context"
            | "@default"
            | "@direction"
            | "@embed"
            | "@explicit"
            | "@graph"
            | "@id"
            | "@included"
            | "@index"
            | "@json"
            | "@language"
            | "@list"
            | "@nest"
            | "@none"
            | "@omitDefault"
            | "@prefix"
            | "@preserve"
            | "@protected"
            | "@requireAll"
            | "@reverse"
            | "@set"
            | "@type"
            | "@value"
            | "@version"
            | "@vocab"
    )
}

/// `@` and letters only: reserved for future keywords, and dropped (refused in safe mode).
pub(crate) fn looks_like_keyword(s: &str) -> bool {
    s.strip_prefix('@')
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// A scheme (or `_` for a blank node) and a colon, then no white space: what jsonld.js calls
/// absolute.
pub(crate) fn is_absolute(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme == "_"
        || scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b',' | b'-' | b'.'));
    scheme_ok && !rest.chars().any(is_js_space)
}

/// A language tag as jsonld.js checks it: letters, then `-`-separated groups of up to 8
/// letters or digits.
pub(crate) fn is_bcp47(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or_default();
    let group = |p: &str, alphanumeric: bool| {
        (1..=8).contains(&p.len())
            && p.bytes()
                .all(|b| b.is_ascii_alphabetic() || alphanumeric && b.is_ascii_digit())
    };
    group(first, false) && parts.all(|p| group(p, true))
}

/// The parts of a URL that resolution uses, as jsonld.js's "full" pattern splits them.
struct Parts<'a> {
    /// What the pattern matched, with a default port dropped.
    href: String,
    protocol: Option<&'a str>,
    authority: Option<String>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

// The pattern of jsonld.js's `url.js`, with `.` spelt as what it matches in JavaScript (no line
// terminators) and `\d` as ASCII digits.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(([a-zA-Z][a-zA-Z0-9+-.]*):)?",
        r"(?://((?:(([^:@]*)(?::([^:@]*))?)?@)?([^:/?#]*)(?::([0-9]*))?))?",
        r"(?:(((?:[^?#/]*/)*)([^?#]*))(?:\?([^#]*))?(?:#([^\n\r\u{2028}\u{2029}]*))?)",
    ))
    .expect("the URL pattern compiles")
});

fn parse(url: &str) -> Parts<'_> {
    let m = URL.captures(url).expect("the URL pattern matches any text");
    let group = |i: usize| m.get(i).map(|g| g.as_str());
    let scheme = group(2);
    let port = group(8);
    let mut authority = group(3).map(str::to_owned);
    let mut href = group(0).unwrap_or_default().to_owned();
    // jsonld.js drops a default port from the authority.
    if let (Some(a), Some(port)) = (&mut authority, port)
        && ((scheme == Some("https") && port == "443") || (scheme == Some("http") && port == "80"))
    {
        *a = a.replacen(&format!(":{port}"), "", 1);
        href = href.replacen(&format!(":{port}"), "", 1);
    }
    Parts {
        href,
        protocol: group(1),
        authority,
        path: group(9).unwrap_or_default(),
        query: group(12),
        fragment: group(13),
    }
}

/// `iri` resolved against `base` as jsonld.js's `prependBase` does it; no base leaves it as is.
pub(crate) fn prepend_base(base: Option<&str>, iri: &str) -> String {
    let Some(base) = base else {
        return iri.to_owned();
    };
    if is_absolute(iri) {
        return iri.to_owned();
    }
    let base = parse(base);
    let rel = parse(iri);
    let (authority, path, query): (Option<&str>, String, Option<&str>) = match &rel.authority {
        Some(authority) => (Some(authority), rel.path.to_owned(), rel.query),
        None if rel.path.is_empty() => (
            base.authority.as_deref(),
            base.path.to_owned(),
            rel.query.or(base.query),
        ),
        None if rel.path.starts_with('/') => {
            (base.authority.as_deref(), rel.path.to_owned(), rel.query)
        }
        None => {
            let mut path = base.path[..base.path.rfind('/').map_or(0, |i| i + 1)].to_owned();
            let has_authority = base.authority.as_deref().is_some_and(|a| !a.is_empty());
            if (!path.is_empty() || has_authority) && !path.ends_with('/') {
                path.push('/');
            }
            path.push_str(rel.path);
            (base.authority.as_deref(), path, rel.query)
        }
    };
    let path = if rel.path.is_empty() {
        path
    } else {
        remove_dot_segments(&path)
    };
    let mut out = base.protocol.unwrap_or_default().to_owned();
    if let Some(authority) = authority {
        out.push_str("//");
        out.push_str(authority);
    }
    out.push_str(&path);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = rel.fragment {
        out.push('#');
        out.push_str(fragment);
    }
    if out.is_empty() {
        out.push_str("./");
    }
    out
}

/// `iri` made relative to `base` where it can be, as jsonld.js's `removeBase` does it.
pub(crate) fn remove_base(base: Option<&str>, iri: &str) -> String {
    let Some(base) = base else {
        return iri.to_owned();
    };
    let base = parse(base);
    let root = if !base.href.is_empty() {
        format!(
            "{}//{}",
            base.protocol.unwrap_or_default(),
            base.authority.as_deref().unwrap_or_default()
        )
    } else if !iri.starts_with("//") {
        "//".to_owned()
    } else {
        String::new()
    };
    let Some(rest) = iri.strip_prefix(root.as_str()) else {
        return iri.to_owned();
    };
    let rel = parse(rest);
    let base_path = remove_dot_segments(base.path);
    let rel_path = remove_dot_segments(rel.path);
    let mut base_segments: Vec<&str> = base_path.split('/').collect();
    let mut iri_segments: Vec<&str> = rel_path.split('/').collect();
    let last = if rel.fragment.is_some_and(|f| !f.is_empty())
        || rel.query.is_some_and(|q| !q.is_empty())
    {
        0
    } else {
        1
    };
    let common = base_segments
        .iter()
        .zip(&iri_segments)
        .take(iri_segments.len().saturating_sub(last))
        .take_while(|(a, b)| a == b)
        .count();
    base_segments.drain(..common);
    iri_segments.drain(..common);
    let mut out = String::new();
    if !base_segments.is_empty() {
        base_segments.pop();
        out.push_str(&"../".repeat(base_segments.len()));
    }
    out.push_str(&iri_segments.join("/"));
    if let Some(query) = rel.query {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = rel.fragment {
        out.push('#');
        out.push_str(fragment);
    }
    if out.is_empty() {
        out.push_str("./");
    }
    out
}

/// RFC 3986's dot segment removal, as jsonld.js writes it.
fn remove_dot_segments(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let segments: Vec<&str> = path.split('/').collect();
    let mut output: Vec<&str> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let done = i + 1 == segments.len();
        match *segment {
            "." => {
                if done {
                    output.push("");
                }
            }
            ".." => {
                output.pop();
                if done {
                    output.push("");
                }
            }
            other => output.push(other),
        }
    }
    if path.starts_with('/') && output.first().is_some_and(|s| !s.is_empty()) {
        output.insert(0, "");
    }
    if output.len() == 1 && output[0].is_empty() {
        return "/".to_owned();
    }
    output.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_as_jsonld_js_says() {
        assert!(is_absolute("https://example.com/a"));
        assert!(is_absolute("_:b0"));
        assert!(is_absolute("urn:uuid:x"));
        assert!(is_absolute("did:web:example.com"));
        assert!(!is_absolute("relative/path"));
        assert!(!is_absolute("https://example.com/a b"));
        assert!(!is_absolute("https://example.com/\u{a0}"));
        assert!(!is_absolute("1a:b"));
        assert!(
            is_absolute("a,b:c"),
            "`+-.` is a range in the pattern: , included"
        );
    }

    #[test]
    fn references_resolve_as_jsonld_js_resolves_them() {
        let cases = [
            ("http://a/b/c/d;p?q", "g", "http://a/b/c/g"),
            ("http://a/b/c/d;p?q", "../g", "http://a/b/g"),
            ("http://a/b/c/d;p?q", "", "http://a/b/c/d;p?q"),
            ("http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"),
            ("http://a/b/c/d;p?q", "//g", "http://g"),
            ("http://a/b/c/d;p?q", "/./g", "http://a/g"),
            ("http://a/b/c/d;p?q", "../../../g", "http://a/g"),
            ("https://a:443/b", "c", "https://a/c"),
            ("", "x/./y", "x/y"),
            ("", "", "./"),
        ];
        for (base, iri, want) in cases {
            assert_eq!(prepend_base(Some(base), iri), want, "{base} + {iri}");
        }
        assert_eq!(prepend_base(None, "x/./y"), "x/./y");
    }

    #[test]
    fn references_made_relative_as_jsonld_js_makes_them() {
        let cases = [
            ("http://a/b/c/d", "http://a/b/c/e", "e"),
            ("http://a/b/c/d", "http://a/b/x/y", "../x/y"),
            ("http://a/b/c/d", "http://a/b/c/d#f", "#f"),
            ("http://a/b/c/d", "http://other/x", "http://other/x"),
            ("", "https://example.com/a", "https://example.com/a"),
            ("http://a/b/", "http://a/b/", "./"),
        ];
        for (base, iri, want) in cases {
            assert_eq!(remove_base(Some(base), iri), want, "{base} - {iri}");
        }
    }

    #[test]
    fn language_tags() {
        assert!(is_bcp47("en"));
        assert!(is_bcp47("zh-Hant-TW"));
        assert!(is_bcp47("de-CH-1996"));
        assert!(!is_bcp47("en_US"));
        assert!(!is_bcp47("1en"));
        assert!(!is_bcp47("en-"));
        assert!(!is_bcp47("abcdefghi"));
    }
}
