//! The processor: where contexts come from, and what it remembers between documents.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::bundled;
use crate::context::{ActiveContext, Resolved};

/// Where the processor gets a context that a document names by URL.
///
/// Nothing is fetched behind the caller's back: a source answers from what it holds, and
/// only a source the caller built to fetch will fetch.
pub trait ContextSource: Send + Sync {
    /// The JSON document at `url`, or why there is none.
    fn context(&self, url: &str) -> Result<Value, String>;
}

/// The contexts TrustVC bundles, and nothing else.
///
/// ```
/// use corridor_jsonld::{BundledContexts, ContextSource};
/// assert!(BundledContexts.context("https://www.w3.org/ns/credentials/v2").is_ok());
/// assert!(BundledContexts.context("https://example.com/unknown").is_err());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct BundledContexts;

impl ContextSource for BundledContexts {
    fn context(&self, url: &str) -> Result<Value, String> {
        bundled::document(url)
            .cloned()
            .ok_or_else(|| "not a context Corridor bundles".to_owned())
    }
}

/// Bundled contexts first, then another source: how a verifier is given the contexts TrustVC
/// bundles plus those a folder or the network has.
impl<S: ContextSource> ContextSource for (BundledContexts, S) {
    fn context(&self, url: &str) -> Result<Value, String> {
        match bundled::document(url) {
            Some(document) => Ok(document.clone()),
            None => self.1.context(url),
        }
    }
}

/// A JSON-LD processor: expansion, RDF and compaction as jsonld.js 9 gives them in safe mode,
/// with the contexts of one [`ContextSource`].
///
/// It remembers each context it fetched and each context it processed, so documents that share
/// their contexts (a batch of credentials) process them once.
pub struct Processor {
    pub(crate) source: Box<dyn ContextSource>,
    pub(crate) cache: Cache,
}

impl Processor {
    /// A processor reading contexts from `source`.
    pub fn new(source: impl ContextSource + 'static) -> Processor {
        Processor {
            source: Box::new(source),
            cache: Cache::default(),
        }
    }

    pub(crate) fn initial_context(&self) -> Arc<ActiveContext> {
        Arc::clone(&self.cache.initial)
    }
}

/// What the processor remembers, bounded: past the bound it forgets everything (as jsonld.js
/// does with its initial contexts), so untrusted documents cannot grow it without end.
pub(crate) struct Cache {
    initial: Arc<ActiveContext>,
    remote: Mutex<HashMap<String, Arc<Vec<Resolved>>>>,
    inline: Mutex<HashMap<String, Arc<Value>>>,
    #[allow(clippy::type_complexity)]
    processed: Mutex<HashMap<ProcessedKey, (Arc<Value>, Arc<ActiveContext>)>>,
}

const CACHE_BOUND: usize = 1024;

/// The largest context (as JSON text) remembered: a larger one, which only an untrusted
/// document would carry, is processed each time, so remembering cannot be made to hold more
/// than about `CACHE_BOUND` times this.
const LARGEST_KEPT: usize = 64 << 10;

/// Whether a context is small enough to remember (counting its JSON text, stopping early).
pub(crate) fn small_enough_to_keep(context: &Value) -> bool {
    struct Budget(usize);
    impl std::io::Write for Budget {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 = self
                .0
                .checked_sub(buf.len())
                .ok_or(std::io::ErrorKind::FileTooLarge)?;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(Budget(LARGEST_KEPT), context).is_ok()
}

/// What a processed context is remembered by: the active context it was processed on, the
/// context object's address, whether protection was overridden, and for a whole scoped
/// context (rather than one context object of it) whether it propagates.
pub(crate) type ProcessedKey = (u64, usize, bool, Option<bool>);

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            initial: Arc::new(ActiveContext::initial()),
            remote: Mutex::default(),
            inline: Mutex::default(),
            processed: Mutex::default(),
        }
    }
}

fn bounded_insert<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, V>, key: K, value: V) {
    if map.len() >= CACHE_BOUND {
        map.clear();
    }
    map.insert(key, value);
}

impl Cache {
    pub(crate) fn remote(&self, url: &str) -> Option<Arc<Vec<Resolved>>> {
        self.remote.lock().expect("cache lock").get(url).cloned()
    }

    pub(crate) fn keep_remote(&self, url: &str, resolved: Arc<Vec<Resolved>>) {
        bounded_insert(
            &mut self.remote.lock().expect("cache lock"),
            url.to_owned(),
            resolved,
        );
    }

    /// One shared copy of an inline context, so that equal contexts are processed once; none
    /// for a context too large to remember.
    pub(crate) fn inline(&self, context: &Value) -> Option<Arc<Value>> {
        if !small_enough_to_keep(context) {
            return None;
        }
        let key = context.to_string();
        let mut inline = self.inline.lock().expect("cache lock");
        if let Some(shared) = inline.get(&key) {
            return Some(Arc::clone(shared));
        }
        let shared = Arc::new(context.clone());
        bounded_insert(&mut inline, key, Arc::clone(&shared));
        Some(shared)
    }

    /// The context processed from the context at `key.1` on the active context `key.0`.
    pub(crate) fn processed(&self, key: ProcessedKey) -> Option<Arc<ActiveContext>> {
        self.processed
            .lock()
            .expect("cache lock")
            .get(&key)
            .map(|(_, done)| Arc::clone(done))
    }

    /// Keeps a processed context; holding `document` keeps its address from being reused
    /// for another while the entry lives.
    pub(crate) fn keep_processed(
        &self,
        key: ProcessedKey,
        document: Arc<Value>,
        processed: Arc<ActiveContext>,
    ) {
        bounded_insert(
            &mut self.processed.lock().expect("cache lock"),
            key,
            (document, processed),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document_with_terms(terms: usize) -> Value {
        let context: serde_json::Map<String, Value> = (0..terms)
            .map(|i| {
                (
                    format!("term{i}"),
                    json!(format!("https://example.com/vocab#term{i}")),
                )
            })
            .collect();
        json!({"@context": context, "@id": "urn:x", "term0": "a"})
    }

    #[test]
    fn large_inline_contexts_are_processed_but_not_remembered() {
        let processor = Processor::new(BundledContexts);
        for _ in 0..2 {
            let large = processor.expand(&document_with_terms(3000)).unwrap();
            assert_eq!(
                large[0]["https://example.com/vocab#term0"][0]["@value"],
                "a"
            );
        }
        assert_eq!(processor.cache.inline.lock().unwrap().len(), 0);
        processor.expand(&document_with_terms(3)).unwrap();
        assert_eq!(processor.cache.inline.lock().unwrap().len(), 1);
    }
}
