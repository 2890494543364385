//! The contexts `@tradetrust-tt/tradetrust` answers itself when it checks an OpenAttestation
//! v3 credential: any URL on `schemata.openattestation.com` whose file is one of them,
//! whatever its path (a version or a folder in the URL changes nothing).

use std::sync::LazyLock;

use serde_json::Value;

use crate::ContextSource;

const FILES: [(&str, &str); 3] = [
    (
        "OpenAttestation.v3.json",
        include_str!("../contexts/schemata.openattestation.com_OpenAttestation.v3.json"),
    ),
    (
        "CustomContext.json",
        include_str!("../contexts/schemata.openattestation.com_CustomContext.json"),
    ),
    (
        "DrivingLicenceCredential.json",
        include_str!("../contexts/schemata.openattestation.com_DrivingLicenceCredential.json"),
    ),
];

static PARSED: LazyLock<Vec<(&'static str, Value)>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(file, text)| {
            (
                *file,
                serde_json::from_str(text).expect("a bundled context is JSON"),
            )
        })
        .collect()
});

/// OpenAttestation's own contexts first, as the reference resolves them, then `S`.
///
/// ```
/// use corridor_jsonld::{BundledContexts, ContextSource, WithOpenAttestation};
/// let source = WithOpenAttestation((BundledContexts, BundledContexts));
/// let url = "https://schemata.openattestation.com/com/openattestation/9.9/OpenAttestation.v3.json";
/// assert!(source.context(url).is_ok());
/// assert!(source.context("https://example.com/OpenAttestation.v3.json").is_err());
/// ```
pub struct WithOpenAttestation<S>(pub S);

impl<S: ContextSource> ContextSource for WithOpenAttestation<S> {
    fn context(&self, url: &str) -> Result<Value, String> {
        match openattestation_context(url) {
            Some(document) => Ok(document.clone()),
            None => self.0.context(url),
        }
    }
}

fn openattestation_context(url: &str) -> Option<&'static Value> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(
        parsed.host_str(),
        Some("schemata.openattestation.com" | "www.schemata.openattestation.com")
    ) {
        return None;
    }
    let file = parsed.path().rsplit('/').next()?;
    PARSED
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, document)| document)
}
