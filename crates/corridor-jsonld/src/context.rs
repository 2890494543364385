//! Active contexts and their processing: JSON-LD 1.1's context processing and term
//! definition, as jsonld.js 9 runs them (its `context.js` and `ContextResolver.js`).
//!
//! Where jsonld.js departs from a reading of the specification, this does as it does, because
//! what it expands is what TrustVC signed:
//! - a protected term may be defined again with an equal definition, equal as JSON values —
//!   the scoped context's text, not where it came from (`credentials/v2` and
//!   `data-integrity/v2` both define `DataIntegrityProof`);
//! - a default `@direction` does not survive the copy made for the next context;
//! - a scoped context is processed once when defined, to refuse a bad one early.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::JsonLdError;
use crate::compact::Inverse;
use crate::iri::{is_absolute, is_bcp47, is_keyword, looks_like_keyword, prepend_base};
use crate::processor::Processor;

/// `ltr` or `rtl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub(crate) fn parse(s: &str) -> Option<Direction> {
        match s {
            "ltr" => Some(Direction::Ltr),
            "rtl" => Some(Direction::Rtl),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// One term's definition. `Option` fields distinguish "not given" from "given as null", as
/// jsonld.js does (both when it reads them and when it compares a protected term's two
/// definitions).
#[derive(Debug, Clone, Default)]
pub(crate) struct TermDefinition {
    /// The IRI or keyword the term stands for; `None` when it is mapped to null.
    pub id: Option<String>,
    pub reverse: bool,
    pub type_mapping: Option<String>,
    pub language: Option<Option<String>>,
    pub direction: Option<Option<Direction>>,
    /// The container keywords, sorted.
    pub container: Option<Vec<String>>,
    pub index: Option<String>,
    /// The scoped context, as written.
    pub context: Option<Arc<Value>>,
    pub nest: Option<String>,
    /// Whether the term may prefix a compact IRI; `None` when nothing said.
    pub prefix: Option<bool>,
    pub protected: bool,
    pub has_colon: bool,
}

impl TermDefinition {
    pub(crate) fn has_container(&self, keyword: &str) -> bool {
        self.container
            .as_ref()
            .is_some_and(|c| c.iter().any(|k| k == keyword))
    }

    /// jsonld.js's comparison of a protected term's old and new definitions.
    fn same_as(&self, other: &TermDefinition) -> bool {
        self.id == other.id
            && self.reverse == other.reverse
            && self.type_mapping == other.type_mapping
            && self.language == other.language
            && self.direction == other.direction
            && self.container == other.container
            && self.index == other.index
            && match (&self.context, &other.context) {
                (Some(a), Some(b)) => js_deep_equal(a, b),
                (None, None) => true,
                _ => false,
            }
            && self.nest == other.nest
            && self.prefix == other.prefix
            && self.protected == other.protected
            && self.has_colon == other.has_colon
    }
}

/// Equality as jsonld.js's `_deepCompare` sees JSON: numbers by value, objects by their keys.
fn js_deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            corridor_js::number_value(x) == corridor_js::number_value(y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| js_deep_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.get(k).is_some_and(|w| {
                        if k == "@container"
                            && let (Value::Array(p), Value::Array(q)) = (v, w)
                        {
                            let sorted = |a: &Vec<Value>| {
                                let mut a: Vec<String> = a.iter().map(|v| v.to_string()).collect();
                                a.sort();
                                a
                            };
                            return sorted(p) == sorted(q);
                        }
                        js_deep_equal(v, w)
                    })
                })
        }
        _ => a == b,
    }
}

static NEXT_CONTEXT_ID: AtomicU64 = AtomicU64::new(1);

/// An active context: the term definitions and defaults in force at one point of a document.
#[derive(Debug)]
pub(crate) struct ActiveContext {
    /// Unique per context made, so that processed contexts can be cached by what they were
    /// processed on.
    pub id: u64,
    pub mappings: HashMap<String, Arc<TermDefinition>>,
    /// Whether any term was ever protected here (only then is nullifying refused).
    pub any_protected: bool,
    /// `@base`: `None` when never set, `Some(None)` when set to null.
    pub base: Option<Option<String>>,
    pub vocab: Option<String>,
    pub language: Option<String>,
    pub direction: Option<Direction>,
    /// The context to go back to when leaving a node a type-scoped context applied to.
    pub previous: Option<Arc<ActiveContext>>,
    /// The inverse context compaction chooses terms with, made when first needed.
    inverse: OnceLock<Inverse>,
}

impl ActiveContext {
    pub(crate) fn initial() -> ActiveContext {
        ActiveContext {
            id: NEXT_CONTEXT_ID.fetch_add(1, Ordering::Relaxed),
            mappings: HashMap::new(),
            any_protected: false,
            base: None,
            vocab: None,
            language: None,
            direction: None,
            previous: None,
            inverse: OnceLock::new(),
        }
    }

    /// jsonld.js's `clone`: a copy to change, which (as there) forgets the default direction.
    pub(crate) fn copy(&self) -> ActiveContext {
        ActiveContext {
            id: NEXT_CONTEXT_ID.fetch_add(1, Ordering::Relaxed),
            mappings: self.mappings.clone(),
            any_protected: self.any_protected,
            base: self.base.clone(),
            vocab: self.vocab.clone(),
            language: self.language.clone(),
            direction: None,
            previous: self.previous.as_ref().map(|p| Arc::new(p.copy())),
            inverse: OnceLock::new(),
        }
    }

    pub(crate) fn inverse(&self) -> &Inverse {
        self.inverse.get_or_init(|| Inverse::of(self))
    }

    /// The context before a type-scoped context applied, or this one.
    pub(crate) fn revert_to_previous(self: &Arc<Self>) -> Arc<ActiveContext> {
        match &self.previous {
            Some(previous) => Arc::new(previous.copy()),
            None => Arc::clone(self),
        }
    }

    pub(crate) fn term(&self, term: &str) -> Option<&TermDefinition> {
        self.mappings.get(term).map(|d| &**d)
    }

    /// A term's `@type` mapping.
    pub(crate) fn type_mapping(&self, term: Option<&str>) -> Option<&str> {
        term.and_then(|t| self.term(t))
            .and_then(|d| d.type_mapping.as_deref())
    }

    /// A term's scoped context.
    pub(crate) fn scoped_context(&self, term: Option<&str>) -> Option<&Arc<Value>> {
        term.and_then(|t| self.term(t))
            .and_then(|d| d.context.as_ref())
    }

    pub(crate) fn has_container(&self, term: Option<&str>, keyword: &str) -> bool {
        term.and_then(|t| self.term(t))
            .is_some_and(|d| d.has_container(keyword))
    }

    /// The language of a term's strings: the term's own, else the default (none without a
    /// term, as jsonld.js answers for a null property).
    pub(crate) fn language_of(&self, term: Option<&str>) -> Option<&str> {
        let term = term?;
        match self.term(term).map(|d| &d.language) {
            Some(Some(language)) => language.as_deref(),
            _ => self.language.as_deref(),
        }
    }

    /// The direction of a term's strings: the term's own, else the default (none without a
    /// term).
    pub(crate) fn direction_of(&self, term: Option<&str>) -> Option<Direction> {
        let term = term?;
        match self.term(term).map(|d| d.direction) {
            Some(Some(direction)) => direction,
            _ => self.direction,
        }
    }

    /// IRI expansion outside context processing.
    pub(crate) fn expand_iri(
        &self,
        value: &str,
        vocab: bool,
        base: bool,
        document_base: Option<&str>,
    ) -> Result<Option<String>, JsonLdError> {
        let mut scope = Fixed(self);
        expand_iri(&mut scope, value, vocab, base, document_base)
    }
}

/// Where IRI expansion looks terms up, and whether it may define them on the way (only while
/// the local context that has them is being processed).
trait Scope {
    fn context(&self) -> &ActiveContext;
    fn define_if_local(&mut self, term: &str) -> Result<(), JsonLdError>;
}

struct Fixed<'a>(&'a ActiveContext);

impl Scope for Fixed<'_> {
    fn context(&self) -> &ActiveContext {
        self.0
    }
    fn define_if_local(&mut self, _: &str) -> Result<(), JsonLdError> {
        Ok(())
    }
}

/// jsonld.js's `_expandIri`: a term, compact IRI, blank node, absolute or relative IRI to what
/// it stands for; `None` for a term mapped to null or something that only looks like a keyword.
fn expand_iri(
    scope: &mut impl Scope,
    value: &str,
    vocab: bool,
    base: bool,
    document_base: Option<&str>,
) -> Result<Option<String>, JsonLdError> {
    if is_keyword(value) {
        return Ok(Some(value.to_owned()));
    }
    if looks_like_keyword(value) {
        return Ok(None);
    }
    scope.define_if_local(value)?;
    if vocab && let Some(definition) = scope.context().term(value) {
        return Ok(definition.id.clone());
    }
    if let Some(colon) = value.find(':').filter(|&c| c > 0) {
        let (prefix, suffix) = (&value[..colon], &value[colon + 1..]);
        if prefix == "_" || suffix.starts_with("//") {
            return Ok(Some(value.to_owned()));
        }
        scope.define_if_local(prefix)?;
        if let Some(definition) = scope.context().term(prefix)
            && definition.prefix == Some(true)
        {
            let id = definition.id.as_deref().unwrap_or("null");
            return Ok(Some(format!("{id}{suffix}")));
        }
        if is_absolute(value) {
            return Ok(Some(value.to_owned()));
        }
    }
    let ctx = scope.context();
    if vocab && let Some(v) = &ctx.vocab {
        return Ok(Some(format!("{v}{value}")));
    }
    if base {
        return Ok(Some(match &ctx.base {
            Some(Some(ctx_base)) if !ctx_base.is_empty() => {
                let base = prepend_base(document_base, ctx_base);
                prepend_base(Some(&base), value)
            }
            Some(_) => value.to_owned(),
            None => prepend_base(document_base, value),
        }));
    }
    Ok(Some(value.to_owned()))
}

/// A context ready to process: a context object, or null (back to the initial context).
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    Null,
    /// A context object shared between documents, so its processing is remembered.
    Object(Arc<Value>),
    /// A context object too large to remember: processed each time it is met.
    Once(Arc<Value>),
}

/// The keys jsonld.js accepts in a term definition.
const TERM_KEYS: [&str; 11] = [
    "@container",
    "@id",
    "@language",
    "@reverse",
    "@type",
    "@context",
    "@direction",
    "@index",
    "@nest",
    "@prefix",
    "@protected",
];

impl Processor {
    /// Processes `local` (a context, an array of them, or a URL) on `active`: jsonld.js's
    /// `process`.
    pub(crate) fn process_context(
        &self,
        active: &Arc<ActiveContext>,
        local: &Value,
        base: Option<&str>,
        propagate: bool,
        override_protected: bool,
        cycles: &mut HashSet<String>,
    ) -> Result<Arc<ActiveContext>, JsonLdError> {
        let local = match local {
            Value::Object(o) if matches!(o.get("@context"), Some(Value::Array(_))) => {
                &o["@context"]
            }
            other => other,
        };
        if matches!(local, Value::Array(a) if a.is_empty()) {
            return Ok(Arc::clone(active));
        }
        let resolved = self.resolve(local, base, &mut HashSet::new())?;
        let propagate = match resolved.first() {
            Some(Resolved::Object(doc) | Resolved::Once(doc)) => match doc.get("@propagate") {
                Some(Value::Bool(b)) => *b,
                _ => propagate,
            },
            _ => propagate,
        };
        let mut result = Arc::clone(active);
        if !propagate && result.previous.is_none() {
            let mut copy = result.copy();
            copy.previous = Some(Arc::clone(active));
            result = Arc::new(copy);
        }
        for context in resolved {
            let current = Arc::clone(&result);
            match context {
                Resolved::Null => {
                    if !override_protected && current.any_protected {
                        return Err(JsonLdError::syntax(
                            "invalid context nullification",
                            "a context with protected terms cannot be set to null outside a term definition",
                        ));
                    }
                    result = Arc::new(ActiveContext::initial());
                }
                Resolved::Object(document) => {
                    result = self.process_one_cached(
                        &current,
                        &document,
                        base,
                        override_protected,
                        cycles,
                    )?;
                }
                Resolved::Once(document) => {
                    result = Arc::new(self.process_one(
                        &current,
                        &document,
                        base,
                        override_protected,
                        cycles,
                    )?);
                }
            }
        }
        Ok(result)
    }

    /// Processes a term's scoped context, remembering the result for this active context and
    /// that context (held, so its address stays its own): the same type or property met on
    /// node after node is processed once.
    pub(crate) fn process_scoped(
        &self,
        active: &Arc<ActiveContext>,
        scoped: &Arc<Value>,
        base: Option<&str>,
        propagate: bool,
        override_protected: bool,
    ) -> Result<Arc<ActiveContext>, JsonLdError> {
        let key = (
            active.id,
            Arc::as_ptr(scoped) as usize,
            override_protected,
            Some(propagate),
        );
        if let Some(done) = self.cache.processed(key) {
            return Ok(done);
        }
        let done = self.process_context(
            active,
            scoped,
            base,
            propagate,
            override_protected,
            &mut HashSet::new(),
        )?;
        self.cache
            .keep_processed(key, Arc::clone(scoped), Arc::clone(&done));
        Ok(done)
    }

    fn process_one_cached(
        &self,
        active: &Arc<ActiveContext>,
        document: &Arc<Value>,
        base: Option<&str>,
        override_protected: bool,
        cycles: &mut HashSet<String>,
    ) -> Result<Arc<ActiveContext>, JsonLdError> {
        let key = (
            active.id,
            Arc::as_ptr(document) as usize,
            override_protected,
            None,
        );
        if let Some(done) = self.cache.processed(key) {
            return Ok(done);
        }
        let processed =
            Arc::new(self.process_one(active, document, base, override_protected, cycles)?);
        self.cache
            .keep_processed(key, Arc::clone(document), Arc::clone(&processed));
        Ok(processed)
    }

    /// One context object on `active`.
    fn process_one(
        &self,
        active: &Arc<ActiveContext>,
        document: &Value,
        base: Option<&str>,
        override_protected: bool,
        cycles: &mut HashSet<String>,
    ) -> Result<ActiveContext, JsonLdError> {
        let ctx = match document {
            Value::Object(o) if o.contains_key("@context") => &o["@context"],
            other => other,
        };
        let Value::Object(ctx) = ctx else {
            return Err(JsonLdError::syntax(
                "invalid local context",
                format!(
                    "a context must be an object, not {}",
                    corridor_js::kind_of(ctx)
                ),
            ));
        };
        let imported;
        let mut ctx = ctx;
        let settings: Vec<&'static str> = [
            "@version",
            "@base",
            "@vocab",
            "@language",
            "@direction",
            "@propagate",
            "@import",
        ]
        .into_iter()
        .filter(|k| ctx.contains_key(*k))
        .collect();
        let mut result = active.copy();
        // `@version`, `@base`, `@vocab`, `@language`, `@direction`, `@propagate`, `@import`.
        if let Some(version) = ctx.get("@version")
            && version.as_f64() != Some(1.1)
        {
            return Err(JsonLdError::syntax(
                "invalid @version value",
                format!("unsupported JSON-LD version {version}"),
            ));
        }
        if let Some(value) = ctx.get("@base") {
            result.base = Some(match value {
                Value::Null => None,
                Value::String(b) if is_absolute(b) => Some(b.clone()),
                // Against the base so far: none set yet is the empty base, null is no base.
                Value::String(b) => Some(prepend_base(
                    match &result.base {
                        None => Some(""),
                        Some(base) => base.as_deref(),
                    },
                    b,
                )),
                other => {
                    return Err(JsonLdError::syntax(
                        "invalid base IRI",
                        format!(
                            "@base must be an IRI or null, not {}",
                            corridor_js::kind_of(other)
                        ),
                    ));
                }
            });
        }
        if let Some(value) = ctx.get("@vocab") {
            match value {
                Value::Null => result.vocab = None,
                Value::String(v) => {
                    let vocab = result.expand_iri(v, true, true, base)?.unwrap_or_default();
                    if !is_absolute(&vocab) {
                        return Err(JsonLdError::unsafe_event(
                            "relative @vocab reference",
                            format!("@vocab \"{vocab}\" is not an absolute IRI"),
                        ));
                    }
                    result.vocab = Some(vocab);
                }
                other => {
                    return Err(JsonLdError::syntax(
                        "invalid vocab mapping",
                        format!(
                            "@vocab must be a string or null, not {}",
                            corridor_js::kind_of(other)
                        ),
                    ));
                }
            }
        }
        if let Some(value) = ctx.get("@language") {
            match value {
                Value::Null => result.language = None,
                Value::String(language) => {
                    check_language_tag(language)?;
                    result.language = Some(language.to_lowercase());
                }
                other => {
                    return Err(JsonLdError::syntax(
                        "invalid default language",
                        format!(
                            "@language must be a string or null, not {}",
                            corridor_js::kind_of(other)
                        ),
                    ));
                }
            }
        }
        if let Some(value) = ctx.get("@direction") {
            result.direction = match value {
                Value::Null => None,
                Value::String(d) if Direction::parse(d).is_some() => Direction::parse(d),
                other => {
                    return Err(JsonLdError::syntax(
                        "invalid base direction",
                        format!("@direction must be null, \"ltr\" or \"rtl\", not {other}"),
                    ));
                }
            };
        }
        if let Some(value) = ctx.get("@propagate")
            && !value.is_boolean()
        {
            return Err(JsonLdError::syntax(
                "invalid @propagate value",
                format!("@propagate must be true or false, not {value}"),
            ));
        }
        if let Some(value) = ctx.get("@import") {
            let Value::String(url) = value else {
                return Err(JsonLdError::syntax(
                    "invalid @import value",
                    format!(
                        "@import must be a string, not {}",
                        corridor_js::kind_of(value)
                    ),
                ));
            };
            let resolved = self.resolve(value, base, &mut HashSet::new())?;
            let [Resolved::Object(import)] = resolved.as_slice() else {
                return Err(JsonLdError::syntax(
                    "invalid remote context",
                    format!("@import \"{url}\" must be a single context"),
                ));
            };
            let Value::Object(import) = &**import else {
                unreachable!("resolved contexts are objects")
            };
            if import.contains_key("@import") {
                return Err(JsonLdError::syntax(
                    "invalid context entry",
                    format!("the context @import \"{url}\" brings in must not @import"),
                ));
            }
            let mut merged = ctx.clone();
            for (key, value) in import {
                if !merged.contains_key(key) {
                    merged.insert(key.clone(), value.clone());
                }
            }
            imported = merged;
            ctx = &imported;
        }
        let mut definer = Definer {
            ctx: &mut result,
            local: ctx,
            defined: HashMap::new(),
            protected_default: ctx.get("@protected") == Some(&Value::Bool(true)),
            document_base: base,
        };
        // The settings this context itself gives; one an `@import` brought in was merged after
        // the settings were read, so jsonld.js meets it in the term loop and refuses it as a
        // keyword redefinition.
        for keyword in settings {
            definer.defined.insert(keyword.to_owned(), true);
        }
        // As jsonld.js records it: a context whose `@protected` is false then fails as a cycle.
        definer.defined.insert(
            "@protected".to_owned(),
            ctx.get("@protected").is_some_and(corridor_js::truthy),
        );
        for (term, value) in corridor_js::enumeration_order(ctx) {
            definer.define(term, override_protected)?;
            if let Value::Object(definition) = value
                && let Some(scoped) = definition.get("@context")
            {
                let first_visit = match scoped {
                    Value::String(url) => cycles.insert(prepend_base(base, url)),
                    _ => true,
                };
                if first_visit {
                    let on = Arc::new(definer.ctx.copy());
                    self.process_context(&on, scoped, base, true, true, cycles)
                        .map_err(|e| {
                            JsonLdError::syntax(
                                "invalid scoped context",
                                format!("the scoped context of \"{term}\" is invalid: {e}"),
                            )
                        })?;
                }
            }
        }
        Ok(result)
    }

    /// The contexts `local` stands for, URLs fetched (through the cache) and their own
    /// contexts resolved in turn: jsonld.js's `ContextResolver.resolve`.
    pub(crate) fn resolve(
        &self,
        local: &Value,
        base: Option<&str>,
        cycles: &mut HashSet<String>,
    ) -> Result<Vec<Resolved>, JsonLdError> {
        let local = match local {
            Value::Object(o) if o.get("@context").is_some_and(corridor_js::truthy) => {
                &o["@context"]
            }
            other => other,
        };
        let items: &[Value] = match local {
            Value::Array(a) => a,
            single => std::slice::from_ref(single),
        };
        let mut resolved = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::String(url) => {
                    let url = prepend_base(base, url);
                    resolved.extend(self.resolve_remote(&url, cycles)?.iter().cloned());
                }
                Value::Null => resolved.push(Resolved::Null),
                Value::Object(_) => resolved.push(match self.cache.inline(item) {
                    Some(shared) => Resolved::Object(shared),
                    None => Resolved::Once(Arc::new(item.clone())),
                }),
                other => {
                    return Err(JsonLdError::syntax(
                        "invalid local context",
                        format!(
                            "a context must be an object, a URL or null, not {}",
                            corridor_js::kind_of(other)
                        ),
                    ));
                }
            }
        }
        Ok(resolved)
    }

    fn resolve_remote(
        &self,
        url: &str,
        cycles: &mut HashSet<String>,
    ) -> Result<Arc<Vec<Resolved>>, JsonLdError> {
        if let Some(done) = self.cache.remote(url) {
            return Ok(done);
        }
        const MAX_CONTEXT_URLS: usize = 10;
        if cycles.len() > MAX_CONTEXT_URLS {
            return Err(JsonLdError::context(
                "context overflow",
                format!("more than {MAX_CONTEXT_URLS} context URLs, at \"{url}\""),
            ));
        }
        if !cycles.insert(url.to_owned()) {
            return Err(JsonLdError::context(
                "context overflow",
                format!("the context \"{url}\" includes itself"),
            ));
        }
        let document = self.source.context(url).map_err(|why| {
            JsonLdError::context("loading remote context failed", format!("\"{url}\": {why}"))
        })?;
        let Value::Object(document) = document else {
            return Err(JsonLdError::context(
                "invalid remote context",
                format!("\"{url}\" is JSON but not an object"),
            ));
        };
        let mut context = document
            .get("@context")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        resolve_context_urls(&mut context, url);
        let wrapped = Value::Object(Map::from_iter([("@context".to_owned(), context)]));
        let resolved = Arc::new(self.resolve(&wrapped, Some(url), cycles)?);
        self.cache.keep_remote(url, Arc::clone(&resolved));
        Ok(resolved)
    }
}

/// jsonld.js's `_resolveContextUrls`: the context URLs inside a fetched context (its own and
/// those of its scoped contexts) made absolute against where it came from.
fn resolve_context_urls(context: &mut Value, base: &str) {
    match context {
        Value::String(url) => *url = prepend_base(Some(base), url),
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(url) => *url = prepend_base(Some(base), url),
                    Value::Object(_) => resolve_context_urls_in_terms(item, base),
                    _ => {}
                }
            }
        }
        Value::Object(_) => resolve_context_urls_in_terms(context, base),
        _ => {}
    }
}

fn resolve_context_urls_in_terms(context: &mut Value, base: &str) {
    if let Value::Object(terms) = context {
        for definition in terms.values_mut() {
            if let Value::Object(definition) = definition
                && let Some(scoped) = definition.get_mut("@context")
            {
                resolve_context_urls(scoped, base);
            }
        }
    }
}

pub(crate) fn check_language_tag(language: &str) -> Result<(), JsonLdError> {
    if is_bcp47(language) {
        Ok(())
    } else {
        Err(JsonLdError::unsafe_event(
            "invalid @language value",
            format!("\"{language}\" is not a valid language tag"),
        ))
    }
}

/// Term definition while one local context is processed: jsonld.js's `createTermDefinition`,
/// with its map of terms being defined (false) and defined (true) to find cycles.
struct Definer<'a> {
    ctx: &'a mut ActiveContext,
    local: &'a Map<String, Value>,
    defined: HashMap<String, bool>,
    protected_default: bool,
    document_base: Option<&'a str>,
}

impl Scope for Definer<'_> {
    fn context(&self) -> &ActiveContext {
        self.ctx
    }

    fn define_if_local(&mut self, term: &str) -> Result<(), JsonLdError> {
        if self.local.contains_key(term) && self.defined.get(term) != Some(&true) {
            // jsonld.js defines a dependency without the permission to override protection.
            self.define(term, false)?;
        }
        Ok(())
    }
}

impl Definer<'_> {
    fn expand(&mut self, value: &str, vocab: bool) -> Result<Option<String>, JsonLdError> {
        let base = self.document_base;
        expand_iri(self, value, vocab, false, base)
    }

    fn define(&mut self, term: &str, override_protected: bool) -> Result<(), JsonLdError> {
        match self.defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => {
                return Err(JsonLdError::syntax(
                    "cyclic IRI mapping",
                    format!("the definition of \"{term}\" depends on itself"),
                ));
            }
            None => {}
        }
        self.defined.insert(term.to_owned(), false);
        let value = self.local.get(term).unwrap_or(&Value::Null);
        let type_set_definition = term == "@type"
            && matches!(value, Value::Object(o) if o.get("@container").is_none_or(|c| c == "@set"));
        if type_set_definition {
            let Value::Object(o) = value else {
                unreachable!()
            };
            if o.is_empty()
                || o.keys()
                    .any(|k| !matches!(k.as_str(), "@container" | "@id" | "@protected"))
            {
                return Err(keyword_redefinition(term));
            }
        } else if is_keyword(term) {
            return Err(keyword_redefinition(term));
        } else if looks_like_keyword(term) {
            return Err(JsonLdError::unsafe_event(
                "reserved term",
                format!("\"{term}\" looks like a keyword and is reserved"),
            ));
        } else if term.is_empty() {
            return Err(JsonLdError::syntax(
                "invalid term definition",
                "a term cannot be an empty string",
            ));
        }
        let previous = self.ctx.mappings.remove(term);
        let simple = matches!(value, Value::String(_) | Value::Null);
        let owned;
        let value: &Map<String, Value> = match value {
            Value::Object(o) => o,
            Value::String(_) | Value::Null => {
                owned = Map::from_iter([("@id".to_owned(), value.clone())]);
                &owned
            }
            other => {
                return Err(JsonLdError::syntax(
                    "invalid term definition",
                    format!(
                        "the definition of \"{term}\" must be a string or an object, not {}",
                        corridor_js::kind_of(other)
                    ),
                ));
            }
        };
        if let Some(key) = value.keys().find(|k| !TERM_KEYS.contains(&k.as_str())) {
            return Err(JsonLdError::syntax(
                "invalid term definition",
                format!("the definition of \"{term}\" must not contain {key}"),
            ));
        }
        let colon = term.find(':');
        let mut definition = TermDefinition {
            has_colon: colon.is_some_and(|c| c > 0),
            ..TermDefinition::default()
        };
        let mut id_set = false;
        if let Some(reverse) = value.get("@reverse") {
            if value.contains_key("@id") || value.contains_key("@nest") {
                return Err(JsonLdError::syntax(
                    "invalid reverse property",
                    format!("the @reverse term \"{term}\" must not have @id or @nest"),
                ));
            }
            let Value::String(reverse) = reverse else {
                return Err(invalid_iri_mapping(term, "@reverse must be a string"));
            };
            if looks_like_keyword(reverse) {
                return Err(JsonLdError::unsafe_event(
                    "reserved @reverse value",
                    format!("the @reverse of \"{term}\", \"{reverse}\", looks like a keyword"),
                ));
            }
            let id = self.expand(reverse, true)?.unwrap_or_default();
            if !is_absolute(&id) {
                return Err(invalid_iri_mapping(
                    term,
                    "@reverse must be an absolute IRI or a blank node",
                ));
            }
            definition.id = Some(id);
            definition.reverse = true;
            id_set = true;
        } else if let Some(id) = value.get("@id") {
            match id {
                Value::Null => id_set = true,
                Value::String(id) if !is_keyword(id) && looks_like_keyword(id) => {
                    return Err(JsonLdError::unsafe_event(
                        "reserved @id value",
                        format!("the @id of \"{term}\", \"{id}\", looks like a keyword"),
                    ));
                }
                Value::String(id) if id != term => {
                    let expanded = self.expand(id, true)?;
                    let expanded = match expanded {
                        Some(e) if is_absolute(&e) || is_keyword(&e) => e,
                        _ => {
                            return Err(invalid_iri_mapping(
                                term,
                                "@id must be an absolute IRI, a blank node or a keyword",
                            ));
                        }
                    };
                    if looks_like_iri(term) {
                        // A term that looks like an IRI must stand for that IRI.
                        let mut defined = self.defined.clone();
                        defined.insert(term.to_owned(), true);
                        let saved = std::mem::replace(&mut self.defined, defined);
                        let term_iri = self.expand(term, true);
                        self.defined = saved;
                        if term_iri? != Some(expanded.clone()) {
                            return Err(invalid_iri_mapping(
                                term,
                                "a term in the form of an IRI must expand to its definition",
                            ));
                        }
                    }
                    definition.prefix = Some(
                        simple
                            && !definition.has_colon
                            && expanded.ends_with([':', '/', '?', '#', '[', ']', '@']),
                    );
                    definition.id = Some(expanded);
                    id_set = true;
                }
                Value::String(_) => {}
                _ => {
                    return Err(invalid_iri_mapping(term, "@id must be a string"));
                }
            }
        }
        if !id_set {
            if let Some(colon) = colon.filter(|&c| c > 0) {
                let prefix = &term[..colon];
                if self.local.contains_key(prefix) {
                    self.define(prefix, false)?;
                }
                // A prefix mapped to null joins as JavaScript joins null: "null".
                definition.id = Some(match self.ctx.term(prefix) {
                    Some(p) => format!(
                        "{}{}",
                        p.id.as_deref().unwrap_or("null"),
                        &term[colon + 1..]
                    ),
                    None => term.to_owned(),
                });
            } else if term == "@type" {
                definition.id = Some(term.to_owned());
            } else {
                let Some(vocab) = &self.ctx.vocab else {
                    return Err(invalid_iri_mapping(
                        term,
                        "a term must define an @id when there is no @vocab",
                    ));
                };
                definition.id = Some(format!("{vocab}{term}"));
            }
        }
        if value.get("@protected") == Some(&Value::Bool(true))
            || (self.protected_default && value.get("@protected") != Some(&Value::Bool(false)))
        {
            self.ctx.any_protected = true;
            definition.protected = true;
        }
        self.defined.insert(term.to_owned(), true);
        if let Some(t) = value.get("@type") {
            let Value::String(t) = t else {
                return Err(invalid_type_mapping(term, "@type must be a string"));
            };
            let mapped = match t.as_str() {
                "@json" | "@none" | "@id" | "@vocab" => t.clone(),
                _ => {
                    let expanded = self.expand(t, true)?.unwrap_or_default();
                    if !is_absolute(&expanded) {
                        return Err(invalid_type_mapping(term, "@type must be an absolute IRI"));
                    }
                    if expanded.starts_with("_:") {
                        return Err(invalid_type_mapping(term, "@type must not be a blank node"));
                    }
                    expanded
                }
            };
            definition.type_mapping = Some(mapped);
        }
        if let Some(container) = value.get("@container") {
            definition.container = Some(self.container(term, container, &mut definition)?);
        }
        if let Some(index) = value.get("@index") {
            if !definition.has_container("@index") || !value.contains_key("@container") {
                return Err(JsonLdError::syntax(
                    "invalid term definition",
                    format!("\"{term}\" has @index without @index in @container"),
                ));
            }
            match index {
                Value::String(i) if !i.starts_with('@') => definition.index = Some(i.clone()),
                _ => {
                    return Err(JsonLdError::syntax(
                        "invalid term definition",
                        format!("the @index of \"{term}\" must expand to an IRI"),
                    ));
                }
            }
        }
        if let Some(scoped) = value.get("@context") {
            definition.context = Some(Arc::new(scoped.clone()));
        }
        if let Some(language) = value.get("@language")
            && !value.contains_key("@type")
        {
            definition.language = Some(match language {
                Value::Null => None,
                Value::String(l) => Some(l.to_lowercase()),
                other => {
                    return Err(JsonLdError::syntax(
                        "invalid language mapping",
                        format!(
                            "the @language of \"{term}\" must be a string or null, not {}",
                            corridor_js::kind_of(other)
                        ),
                    ));
                }
            });
        }
        if let Some(prefix) = value.get("@prefix") {
            if term.contains([':', '/']) {
                return Err(JsonLdError::syntax(
                    "invalid term definition",
                    format!("\"{term}\" is a compact IRI or IRI and cannot take @prefix"),
                ));
            }
            if definition.id.as_deref().is_some_and(is_keyword) {
                return Err(JsonLdError::syntax(
                    "invalid term definition",
                    format!("\"{term}\" stands for a keyword, which cannot be a prefix"),
                ));
            }
            let Value::Bool(prefix) = prefix else {
                return Err(JsonLdError::syntax(
                    "invalid @prefix value",
                    format!("the @prefix of \"{term}\" must be true or false"),
                ));
            };
            definition.prefix = Some(*prefix);
        }
        if let Some(direction) = value.get("@direction") {
            definition.direction = Some(match direction {
                Value::Null => None,
                Value::String(d) if Direction::parse(d).is_some() => Direction::parse(d),
                other => {
                    return Err(JsonLdError::syntax(
                        "invalid base direction",
                        format!(
                            "the @direction of \"{term}\" must be null, \"ltr\" or \"rtl\", not {other}"
                        ),
                    ));
                }
            });
        }
        if let Some(nest) = value.get("@nest") {
            match nest {
                Value::String(n) if n == "@nest" || !n.starts_with('@') => {
                    definition.nest = Some(n.clone())
                }
                _ => {
                    return Err(JsonLdError::syntax(
                        "invalid @nest value",
                        format!("the @nest of \"{term}\" must be @nest or a term"),
                    ));
                }
            }
        }
        if matches!(definition.id.as_deref(), Some("@context" | "@preserve")) {
            return Err(JsonLdError::syntax(
                "invalid keyword alias",
                format!("\"{term}\" cannot alias @context or @preserve"),
            ));
        }
        if let Some(previous) = &previous
            && previous.protected
            && !override_protected
        {
            self.ctx.any_protected = true;
            definition.protected = true;
            if !previous.same_as(&definition) {
                self.ctx
                    .mappings
                    .insert(term.to_owned(), Arc::new(definition));
                return Err(JsonLdError::syntax(
                    "protected term redefinition",
                    format!("\"{term}\" is protected and cannot be defined differently"),
                ));
            }
        }
        self.ctx
            .mappings
            .insert(term.to_owned(), Arc::new(definition));
        Ok(())
    }

    fn container(
        &self,
        term: &str,
        container: &Value,
        definition: &mut TermDefinition,
    ) -> Result<Vec<String>, JsonLdError> {
        let invalid = |why: &str| {
            JsonLdError::syntax(
                "invalid container mapping",
                format!("the @container of \"{term}\" {why}"),
            )
        };
        let mut keywords: Vec<String> = match container {
            Value::String(s) => vec![s.clone()],
            Value::Null => Vec::new(),
            Value::Array(items) => items
                .iter()
                .map(|k| {
                    k.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| invalid("must hold keywords"))
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(invalid("must be a keyword or an array of them")),
        };
        let has = |k: &str| keywords.iter().any(|c| c == k);
        let has_set = has("@set");
        let mut too_many = false;
        if has("@list") {
            if keywords.len() != 1 {
                return Err(invalid("with @list must have no other values"));
            }
        } else if has("@graph") {
            if keywords
                .iter()
                .any(|k| !matches!(k.as_str(), "@graph" | "@id" | "@index" | "@set"))
            {
                return Err(invalid("with @graph may only add @id, @index and @set"));
            }
        } else {
            // Refused after the @type check, in jsonld.js's order.
            too_many = keywords.len() > if has_set { 2 } else { 1 };
        }
        if has("@type") {
            let mapping = definition
                .type_mapping
                .get_or_insert_with(|| "@id".to_owned());
            if mapping != "@id" && mapping != "@vocab" {
                return Err(invalid_type_mapping(
                    term,
                    "@container @type needs @type @id or @vocab",
                ));
            }
        }
        if too_many {
            return Err(invalid("has too many values"));
        }
        if keywords.iter().any(|k| {
            !matches!(
                k.as_str(),
                "@list" | "@set" | "@index" | "@language" | "@graph" | "@id" | "@type"
            )
        }) {
            return Err(invalid(
                "must be @list, @set, @index, @language, @graph, @id or @type",
            ));
        }
        if has_set && has("@list") {
            return Err(invalid("cannot have both @set and @list"));
        }
        if definition.reverse && keywords.iter().any(|k| k != "@index" && k != "@set") {
            return Err(JsonLdError::syntax(
                "invalid reverse property",
                format!("the @container of the @reverse term \"{term}\" must be @index or @set"),
            ));
        }
        keywords.sort();
        Ok(keywords)
    }
}

/// A term with a colon followed by something other than a colon, or a slash: it looks like an
/// IRI.
fn looks_like_iri(term: &str) -> bool {
    term.contains('/')
        || term
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b':' && w[1] != b':')
}

fn keyword_redefinition(term: &str) -> JsonLdError {
    JsonLdError::syntax(
        "keyword redefinition",
        format!("\"{term}\" is a keyword and cannot be defined"),
    )
}

fn invalid_iri_mapping(term: &str, why: &str) -> JsonLdError {
    JsonLdError::syntax("invalid IRI mapping", format!("\"{term}\": {why}"))
}

fn invalid_type_mapping(term: &str, why: &str) -> JsonLdError {
    JsonLdError::syntax("invalid type mapping", format!("\"{term}\": {why}"))
}
