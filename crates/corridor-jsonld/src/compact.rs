//! Compaction, as jsonld.js 9 compacts (its `compact.js` and the inverse context of its
//! `context.js`): the terms chosen for each IRI and value, single values out of their arrays,
//! maps built from containers.
//!
//! Selective disclosure points into a credential by JSON pointer on its compacted form, so the
//! shape compaction gives (an array of one collapsed unless the term is a `@set`) decides which
//! pointers select anything.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::JsonLdError;
use crate::context::ActiveContext;
use crate::expand::{Add, add_value, as_array, is_graph, is_list, is_value, sorted_keys};
use crate::iri::{is_keyword, prepend_base, remove_base};
use crate::processor::Processor;

/// For each IRI, container key, and `@language`/`@type`/`@any`: the preferred term by value.
#[derive(Debug, Default)]
pub(crate) struct Inverse {
    entries: HashMap<String, HashMap<String, Preferences>>,
}

#[derive(Debug, Default)]
struct Preferences {
    language: HashMap<String, String>,
    type_: HashMap<String, String>,
    any: HashMap<String, String>,
}

impl Preferences {
    fn by(&self, type_or_language: TypeOrLanguage) -> &HashMap<String, String> {
        match type_or_language {
            TypeOrLanguage::Language => &self.language,
            TypeOrLanguage::Type => &self.type_,
            TypeOrLanguage::Any => &self.any,
        }
    }
}

#[derive(Clone, Copy)]
enum TypeOrLanguage {
    Language,
    Type,
    Any,
}

fn prefer(map: &mut HashMap<String, String>, key: impl Into<String>, term: &str) {
    map.entry(key.into()).or_insert_with(|| term.to_owned());
}

/// jsonld.js's `_compareShortestLeast`: shorter first (in UTF-16 units), then `<`.
fn shortest_least(a: &str, b: &str) -> std::cmp::Ordering {
    let length = |s: &str| s.encode_utf16().count();
    length(a)
        .cmp(&length(b))
        .then_with(|| corridor_js::js_order(a, b))
}

impl Inverse {
    pub(crate) fn of(ctx: &ActiveContext) -> Inverse {
        let default_language = ctx
            .language
            .clone()
            .unwrap_or_else(|| "@none".to_owned())
            .to_lowercase();
        let mut terms: Vec<&String> = ctx.mappings.keys().collect();
        terms.sort_by(|a, b| shortest_least(a, b));
        let mut inverse = Inverse::default();
        for term in terms {
            let definition = &ctx.mappings[term];
            let container = match &definition.container {
                None => "@none".to_owned(),
                Some(keywords) => keywords.concat(),
            };
            let Some(iri) = &definition.id else {
                continue;
            };
            let entry = inverse
                .entries
                .entry(iri.clone())
                .or_default()
                .entry(container)
                .or_default();
            prefer(&mut entry.any, "@none", term);
            if definition.reverse {
                prefer(&mut entry.type_, "@reverse", term);
            } else if definition.type_mapping.as_deref() == Some("@none") {
                prefer(&mut entry.any, "@none", term);
                prefer(&mut entry.language, "@none", term);
                prefer(&mut entry.type_, "@none", term);
            } else if let Some(t) = &definition.type_mapping {
                prefer(&mut entry.type_, t.clone(), term);
            } else if let (Some(language), Some(direction)) =
                (&definition.language, &definition.direction)
            {
                let key = match (language, direction) {
                    (Some(l), Some(d)) => format!("{l}_{}", d.as_str()).to_lowercase(),
                    (Some(l), None) => l.to_lowercase(),
                    (None, Some(d)) => format!("_{}", d.as_str()),
                    (None, None) => "@null".to_owned(),
                };
                prefer(&mut entry.language, key, term);
            } else if let Some(language) = &definition.language {
                let key = language.as_deref().unwrap_or("@null").to_lowercase();
                prefer(&mut entry.language, key, term);
            } else if let Some(direction) = &definition.direction {
                let key = match direction {
                    Some(d) => format!("_{}", d.as_str()),
                    None => "@none".to_owned(),
                };
                prefer(&mut entry.language, key, term);
            } else if let Some(direction) = ctx.direction {
                prefer(
                    &mut entry.language,
                    format!("_{}", direction.as_str()),
                    term,
                );
                prefer(&mut entry.language, "@none", term);
                prefer(&mut entry.type_, "@none", term);
            } else {
                prefer(&mut entry.language, default_language.clone(), term);
                prefer(&mut entry.language, "@none", term);
                prefer(&mut entry.type_, "@none", term);
            }
        }
        inverse
    }
}

/// One compaction's settings.
#[derive(Clone, Copy)]
pub(crate) struct Compaction<'p> {
    pub processor: &'p Processor,
    pub base: Option<&'p str>,
    pub depth: usize,
}

impl Compaction<'_> {
    fn deeper(self) -> Result<Self, JsonLdError> {
        if self.depth >= crate::expand::MAX_DEPTH {
            return Err(JsonLdError::limit(format!(
                "the document nests more than {} levels deep",
                crate::expand::MAX_DEPTH
            )));
        }
        Ok(Compaction {
            depth: self.depth + 1,
            ..self
        })
    }

    /// A scoped context on `active`: a property's propagates and overrides protection, a
    /// type's does neither.
    fn process(
        &self,
        active: &Arc<ActiveContext>,
        scoped: &Arc<Value>,
        property: bool,
    ) -> Result<Arc<ActiveContext>, JsonLdError> {
        self.processor
            .process_scoped(active, scoped, self.base, property, property)
    }

    /// jsonld.js's `compact`.
    pub(crate) fn compact(
        self,
        active: &Arc<ActiveContext>,
        active_property: Option<&str>,
        element: &Value,
    ) -> Result<Value, JsonLdError> {
        let this = self.deeper()?;
        if let Value::Array(items) = element {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let compacted = this.compact(active, active_property, item)?;
                if !compacted.is_null() {
                    out.push(compacted);
                }
            }
            let no_container = active_property
                .and_then(|p| active.term(p))
                .is_none_or(|d| d.container.as_ref().is_none_or(Vec::is_empty));
            if out.len() == 1 && no_container {
                return Ok(out.pop().expect("one"));
            }
            return Ok(Value::Array(out));
        }
        let mut active = Arc::clone(active);
        if let Some(scoped) = active.scoped_context(active_property) {
            let scoped = Arc::clone(scoped);
            active = this.process(&active, &scoped, true)?;
        }
        let Value::Object(element) = element else {
            return Ok(element.clone());
        };
        if is_value_or_reference(element) {
            return this.compact_value(&active, active_property, element);
        }
        if element.contains_key("@list") && active.has_container(active_property, "@list") {
            return this.compact(&active, active_property, &element["@list"]);
        }
        let inside_reverse = active_property == Some("@reverse");
        let input_ctx = Arc::clone(&active);
        active = active.revert_to_previous();
        if let Some(scoped) = input_ctx.scoped_context(active_property) {
            let scoped = Arc::clone(scoped);
            active = this.process(&active, &scoped, true)?;
        }
        let mut types: Vec<&str> = element
            .get("@type")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if types.len() > 1 {
            types.sort_by(|a, b| corridor_js::js_order(a, b));
        }
        let type_ctx = Arc::clone(&active);
        for t in types {
            let compacted = compact_iri(&type_ctx, Some(t), None, true, false, None)?;
            if let Some(scoped) = compacted
                .as_deref()
                .and_then(|c| input_ctx.scoped_context(Some(c)))
            {
                let scoped = Arc::clone(scoped);
                active = this.process(&active, &scoped, false)?;
            }
        }
        let mut out = Map::new();
        for property in sorted_keys(element) {
            let value = &element[property.as_str()];
            this.compact_property(
                &active,
                &input_ctx,
                active_property,
                inside_reverse,
                property,
                value,
                &mut out,
            )?;
        }
        Ok(Value::Object(out))
    }

    #[allow(clippy::too_many_arguments)]
    fn compact_property(
        self,
        active: &Arc<ActiveContext>,
        input_ctx: &Arc<ActiveContext>,
        active_property: Option<&str>,
        inside_reverse: bool,
        property: &str,
        value: &Value,
        out: &mut Map<String, Value>,
    ) -> Result<(), JsonLdError> {
        let alias = |keyword: &str| -> Result<String, JsonLdError> {
            Ok(compact_iri(active, Some(keyword), None, true, false, None)?.unwrap_or_default())
        };
        match property {
            "@id" => {
                let mut ids = Vec::new();
                for id in as_array(value.clone()) {
                    let id = id.as_str().map(str::to_owned);
                    ids.push(opt(compact_iri(
                        active,
                        id.as_deref(),
                        None,
                        false,
                        false,
                        self.base,
                    )?));
                }
                let compacted = single_or_array(ids);
                out.insert(alias("@id")?, compacted);
                return Ok(());
            }
            "@type" => {
                let expanded = as_array(value.clone());
                let mut types = Vec::new();
                for t in &expanded {
                    types.push(opt(compact_iri(
                        input_ctx,
                        t.as_str(),
                        None,
                        true,
                        false,
                        None,
                    )?));
                }
                let empty = types.is_empty();
                let compacted = single_or_array(types);
                let alias = alias("@type")?;
                let as_set = active.has_container(Some(&alias), "@set");
                let array = as_set || (compacted.is_array() && empty);
                add_value(
                    out,
                    &alias,
                    compacted,
                    Add {
                        array,
                        prepend: false,
                    },
                );
                return Ok(());
            }
            "@reverse" => {
                let compacted = self.compact(active, Some("@reverse"), value)?;
                let Value::Object(mut compacted) = compacted else {
                    return Ok(());
                };
                let keys: Vec<String> = compacted.keys().cloned().collect();
                for key in keys {
                    if active.term(&key).is_some_and(|d| d.reverse) {
                        let as_set = active.has_container(Some(&key), "@set");
                        let v = compacted.remove(&key).expect("present");
                        add_value(
                            out,
                            &key,
                            v,
                            Add {
                                array: as_set,
                                prepend: false,
                            },
                        );
                    }
                }
                if !compacted.is_empty() {
                    add_value(
                        out,
                        &alias("@reverse")?,
                        Value::Object(compacted),
                        Add::default(),
                    );
                }
                return Ok(());
            }
            "@preserve" => {
                let compacted = self.compact(active, active_property, value)?;
                if !matches!(&compacted, Value::Array(a) if a.is_empty()) {
                    add_value(out, property, compacted, Add::default());
                }
                return Ok(());
            }
            "@index" => {
                if !active.has_container(active_property, "@index") {
                    add_value(out, &alias("@index")?, value.clone(), Add::default());
                }
                return Ok(());
            }
            keyword
                if keyword != "@graph"
                    && keyword != "@list"
                    && keyword != "@included"
                    && is_keyword(keyword) =>
            {
                add_value(out, &alias(keyword)?, value.clone(), Add::default());
                return Ok(());
            }
            _ => {}
        }
        let Value::Array(items) = value else {
            return Err(JsonLdError::syntax(
                "invalid expanded value",
                format!("the expanded value of \"{property}\" must be an array"),
            ));
        };
        if items.is_empty() {
            let term = compact_iri(
                active,
                Some(property),
                Some(value),
                true,
                inside_reverse,
                None,
            )?
            .unwrap_or_default();
            let target = nest_target(active, &term, out)?;
            add_value(target, &term, Value::Array(Vec::new()), Add::array());
        }
        for item in items {
            let term = compact_iri(
                active,
                Some(property),
                Some(item),
                true,
                inside_reverse,
                None,
            )?
            .unwrap_or_default();
            let container = |k: &str| active.has_container(Some(&term), k);
            let item_is_graph = is_graph(item);
            let item_is_list = is_list(item);
            let inner = if item_is_list {
                &item["@list"]
            } else if item_is_graph {
                &item["@graph"]
            } else {
                item
            };
            let mut compacted = self.compact(active, Some(&term), inner)?;
            let target = nest_target(active, &term, out)?;
            if item_is_list {
                let list = match compacted {
                    Value::Array(a) => Value::Array(a),
                    one => Value::Array(vec![one]),
                };
                if container("@list") {
                    target.insert(term.clone(), list);
                    continue;
                }
                let mut object = Map::new();
                object.insert(alias("@list")?, list);
                if let Some(index) = item.get("@index") {
                    object.insert(alias("@index")?, index.clone());
                }
                compacted = Value::Object(object);
            }
            let as_set = container("@set");
            if item_is_graph {
                let simple = !item.as_object().is_some_and(|o| o.contains_key("@id"));
                if container("@graph") && (container("@id") || container("@index") && simple) {
                    let map = map_object(target, &term);
                    let key = if container("@id") {
                        item.get("@id")
                    } else {
                        item.get("@index")
                    };
                    let key = match key.and_then(Value::as_str).filter(|k| !k.is_empty()) {
                        Some(k) => k.to_owned(),
                        None => alias("@none")?,
                    };
                    add_value(
                        map,
                        &key,
                        compacted,
                        Add {
                            array: as_set,
                            prepend: false,
                        },
                    );
                } else if container("@graph") && simple {
                    if matches!(&compacted, Value::Array(a) if a.len() > 1) {
                        compacted =
                            Value::Object(Map::from_iter([("@included".to_owned(), compacted)]));
                    }
                    add_value(
                        target,
                        &term,
                        compacted,
                        Add {
                            array: as_set,
                            prepend: false,
                        },
                    );
                } else {
                    if let Value::Array(a) = &mut compacted
                        && a.len() == 1
                    {
                        compacted = a.pop().expect("one");
                    }
                    let mut object = Map::new();
                    object.insert(alias("@graph")?, compacted);
                    if let Some(id) = item.get("@id") {
                        object.insert(alias("@id")?, id.clone());
                    }
                    if let Some(index) = item.get("@index") {
                        object.insert(alias("@index")?, index.clone());
                    }
                    add_value(
                        target,
                        &term,
                        Value::Object(object),
                        Add {
                            array: as_set,
                            prepend: false,
                        },
                    );
                }
            } else if container("@language")
                || container("@index")
                || container("@id")
                || container("@type")
            {
                let key = self.map_key(active, &term, item, &mut compacted)?;
                let key = match key {
                    Some(k) if !k.is_empty() => k,
                    _ => alias("@none")?,
                };
                let map = map_object(target, &term);
                add_value(
                    map,
                    &key,
                    compacted,
                    Add {
                        array: as_set,
                        prepend: false,
                    },
                );
            } else {
                let array = as_set
                    || container("@list")
                    || matches!(&compacted, Value::Array(a) if a.is_empty())
                    || property == "@list"
                    || property == "@graph";
                add_value(
                    target,
                    &term,
                    compacted,
                    Add {
                        array,
                        prepend: false,
                    },
                );
            }
        }
        Ok(())
    }

    /// The key an item takes in a language, index, id or type map, taken out of the item.
    fn map_key(
        self,
        active: &Arc<ActiveContext>,
        term: &str,
        item: &Value,
        compacted: &mut Value,
    ) -> Result<Option<String>, JsonLdError> {
        let container = |k: &str| active.has_container(Some(term), k);
        let alias = |keyword: &str| -> Result<String, JsonLdError> {
            Ok(compact_iri(active, Some(keyword), None, true, false, None)?.unwrap_or_default())
        };
        if container("@language") {
            if is_value(compacted) {
                *compacted = compacted["@value"].take();
            }
            return Ok(item
                .get("@language")
                .and_then(Value::as_str)
                .map(str::to_owned));
        }
        if container("@index") {
            let index_key = active
                .term(term)
                .and_then(|d| d.index.clone())
                .unwrap_or_else(|| "@index".to_owned());
            if index_key == "@index" {
                let container_key = alias(&index_key)?;
                if let Value::Object(o) = compacted {
                    o.remove(&container_key);
                }
                return Ok(item
                    .get("@index")
                    .and_then(Value::as_str)
                    .map(str::to_owned));
            }
            let Value::Object(o) = compacted else {
                return Ok(None);
            };
            // Only a string first value is a key; otherwise the item is left as it is.
            if !matches!(
                o.get(&index_key).map(|v| first(v)),
                Some(Some(Value::String(_)))
            ) {
                return Ok(None);
            }
            return Ok(take_first(o, &index_key).and_then(|k| k.as_str().map(str::to_owned)));
        }
        if container("@id") {
            let id_key = alias("@id")?;
            let key = match compacted {
                Value::Object(o) => o.remove(&id_key),
                _ => None,
            };
            return Ok(key.and_then(|k| k.as_str().map(str::to_owned)));
        }
        // @type
        let type_key = alias("@type")?;
        let Value::Object(o) = compacted else {
            return Ok(None);
        };
        let key = take_first(o, &type_key);
        if o.len() == 1
            && let Some(id) = item.get("@id")
        {
            let reference = Value::Object(Map::from_iter([("@id".to_owned(), id.clone())]));
            *compacted = self.compact(active, Some(term), &reference)?;
        }
        Ok(key.and_then(|k| k.as_str().map(str::to_owned)))
    }

    /// jsonld.js's `compactValue`: a value object or node reference as short as its term
    /// allows.
    fn compact_value(
        self,
        active: &Arc<ActiveContext>,
        active_property: Option<&str>,
        value: &Map<String, Value>,
    ) -> Result<Value, JsonLdError> {
        let definition = active_property.and_then(|p| active.term(p));
        let type_mapping = active.type_mapping(active_property);
        let alias = |keyword: &str| -> Result<String, JsonLdError> {
            Ok(compact_iri(active, Some(keyword), None, true, false, None)?.unwrap_or_default())
        };
        if value.contains_key("@value") {
            let language = active.language_of(active_property);
            let direction = active.direction_of(active_property).map(|d| d.as_str());
            let preserve_index =
                value.contains_key("@index") && !active.has_container(active_property, "@index");
            let own = |k: &str| value.get(k).and_then(Value::as_str);
            if !preserve_index && type_mapping != Some("@none") {
                let matches = |k: &str, v: Option<&str>| v.is_some() && own(k) == v;
                if own("@type").is_some() && own("@type") == type_mapping
                    || matches("@language", language) && matches("@direction", direction)
                    || matches("@language", language)
                    || matches("@direction", direction)
                {
                    return Ok(value["@value"].clone());
                }
            }
            let key_count = value.len();
            let value_only = key_count == 1
                || (key_count == 2 && value.contains_key("@index") && !preserve_index);
            let has_default_language = active.language.is_some();
            let is_string = value["@value"].is_string();
            let null_language = definition.is_some_and(|d| d.language == Some(None));
            if value_only
                && type_mapping != Some("@none")
                && (!has_default_language || !is_string || null_language)
            {
                return Ok(value["@value"].clone());
            }
            let mut out = Map::new();
            if preserve_index {
                out.insert(alias("@index")?, value["@index"].clone());
            }
            if let Some(t) = value.get("@type") {
                let compacted = compact_iri(active, t.as_str(), None, true, false, None)?;
                out.insert(alias("@type")?, opt(compacted));
            } else if let Some(language) = value.get("@language") {
                out.insert(alias("@language")?, language.clone());
            }
            if let Some(direction) = value.get("@direction") {
                out.insert(alias("@direction")?, direction.clone());
            }
            out.insert(alias("@value")?, value["@value"].clone());
            return Ok(Value::Object(out));
        }
        let expanded_property = match active_property {
            Some(p) => active.expand_iri(p, true, false, self.base)?,
            None => None,
        };
        let id = value.get("@id").and_then(Value::as_str);
        let vocab = type_mapping == Some("@vocab");
        let compacted = opt(compact_iri(active, id, None, vocab, false, self.base)?);
        if matches!(type_mapping, Some("@id" | "@vocab"))
            || expanded_property.as_deref() == Some("@graph")
        {
            return Ok(compacted);
        }
        Ok(Value::Object(Map::from_iter([(alias("@id")?, compacted)])))
    }
}

/// The first of a value's values (the value itself when it is not an array).
fn first(value: &Value) -> Option<&Value> {
    match value {
        Value::Array(items) => items.first(),
        one => Some(one),
    }
}

/// Takes the first of `object[key]`'s values out: the rest stay in its place, as one value if
/// one is left, and the key goes when none is.
fn take_first(object: &mut Map<String, Value>, key: &str) -> Option<Value> {
    let slot = object.get_mut(key)?;
    let mut values = as_array(slot.take()).into_iter();
    let taken = values.next();
    let rest: Vec<Value> = values.collect();
    if rest.is_empty() {
        object.remove(key);
    } else {
        *slot = single_or_array(rest);
    }
    taken
}

fn is_value_or_reference(element: &Map<String, Value>) -> bool {
    element.contains_key("@value") || (element.len() == 1 && element.contains_key("@id"))
}

fn opt(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::String)
}

fn single_or_array(mut items: Vec<Value>) -> Value {
    if items.len() == 1 {
        items.pop().expect("one")
    } else {
        Value::Array(items)
    }
}

/// The object a term's values go in: the node, or the object of the term's `@nest`.
fn nest_target<'o>(
    active: &ActiveContext,
    term: &str,
    out: &'o mut Map<String, Value>,
) -> Result<&'o mut Map<String, Value>, JsonLdError> {
    let Some(nest) = active.term(term).and_then(|d| d.nest.clone()) else {
        return Ok(out);
    };
    if active.expand_iri(&nest, true, false, None)?.as_deref() != Some("@nest") {
        return Err(JsonLdError::syntax(
            "invalid @nest value",
            format!("the @nest of \"{term}\" must stand for @nest"),
        ));
    }
    if !out.get(&nest).is_some_and(Value::is_object) {
        out.insert(nest.clone(), Value::Object(Map::new()));
    }
    Ok(out[&nest].as_object_mut().expect("made an object"))
}

/// The map object under `term` in `target`, made if missing.
fn map_object<'o>(target: &'o mut Map<String, Value>, term: &str) -> &'o mut Map<String, Value> {
    let entry = target
        .entry(term)
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        // jsonld.js would write into whatever is there; an object is the only shape a map takes.
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut().expect("an object")
}

/// jsonld.js's `compactIri`: the term, compact IRI or relative IRI that stands for `iri`, for
/// `value` when given.
pub(crate) fn compact_iri(
    ctx: &ActiveContext,
    iri: Option<&str>,
    value: Option<&Value>,
    vocab: bool,
    reverse: bool,
    base: Option<&str>,
) -> Result<Option<String>, JsonLdError> {
    let Some(iri) = iri else {
        return Ok(None);
    };
    let inverse = ctx.inverse();
    if is_keyword(iri)
        && let Some(term) = inverse
            .entries
            .get(iri)
            .and_then(|c| c.get("@none"))
            .and_then(|p| p.type_.get("@none"))
    {
        return Ok(Some(term.clone()));
    }
    if vocab && let Some(by_container) = inverse.entries.get(iri) {
        if let Some(term) = select_term(ctx, by_container, value, reverse)? {
            return Ok(Some(term));
        }
    }
    if vocab
        && let Some(v) = &ctx.vocab
        && iri.starts_with(v.as_str())
        && iri != v
    {
        let suffix = &iri[v.len()..];
        if !ctx.mappings.contains_key(suffix) {
            return Ok(Some(suffix.to_owned()));
        }
    }
    let mut choice: Option<String> = None;
    for (term, definition) in &ctx.mappings {
        let Some(prefix_iri) = &definition.id else {
            continue;
        };
        if definition.has_colon
            || prefix_iri.is_empty()
            || is_keyword(prefix_iri)
            || !iri.starts_with(prefix_iri.as_str())
            || prefix_iri.len() >= iri.len()
        {
            continue;
        }
        let curie = format!("{term}:{}", &iri[prefix_iri.len()..]);
        let usable = definition.prefix == Some(true)
            && match ctx.mappings.get(&curie) {
                None => true,
                Some(d) => value.is_none() && d.id.as_deref() == Some(iri),
            };
        if usable
            && choice
                .as_deref()
                .is_none_or(|c| shortest_least(&curie, c).is_lt())
        {
            choice = Some(curie);
        }
    }
    if choice.is_some() {
        return Ok(choice);
    }
    for (term, definition) in &ctx.mappings {
        if definition.prefix == Some(true) && iri.starts_with(&format!("{term}:")) {
            return Err(JsonLdError::syntax(
                "IRI confused with prefix",
                format!(
                    "the IRI \"{iri}\" would be read as a compact IRI with the prefix \"{term}\""
                ),
            ));
        }
    }
    if !vocab {
        return Ok(Some(match &ctx.base {
            Some(None) => iri.to_owned(),
            Some(Some(b)) if b.is_empty() => iri.to_owned(),
            Some(Some(b)) => {
                let relative = remove_base(Some(&prepend_base(base, b)), iri);
                if crate::iri::looks_like_keyword(&relative) {
                    format!("./{relative}")
                } else {
                    relative
                }
            }
            None => remove_base(base, iri),
        }));
    }
    Ok(Some(iri.to_owned()))
}

/// jsonld.js's choice of containers and type-or-language for a value, then `_selectTerm`.
fn select_term(
    ctx: &ActiveContext,
    by_container: &HashMap<String, Preferences>,
    value: Option<&Value>,
    reverse: bool,
) -> Result<Option<String>, JsonLdError> {
    let mut containers: Vec<&str> = Vec::new();
    let mut value = value;
    let object = value.and_then(Value::as_object);
    if let Some(o) = object
        && o.contains_key("@index")
        && !o.contains_key("@graph")
    {
        containers.extend(["@index", "@index@set"]);
    }
    if let Some(preserved) = object.and_then(|o| o.get("@preserve")) {
        value = preserved.get(0);
    }
    let object = value.and_then(Value::as_object);
    if value.is_some_and(is_graph) {
        let o = object.expect("a graph is an object");
        if o.contains_key("@index") {
            containers.extend(["@graph@index", "@graph@index@set", "@index", "@index@set"]);
        }
        if o.contains_key("@id") {
            containers.extend(["@graph@id", "@graph@id@set"]);
        }
        containers.extend(["@graph", "@graph@set", "@set"]);
        if !o.contains_key("@index") {
            containers.extend(["@graph@index", "@graph@index@set", "@index", "@index@set"]);
        }
        if !o.contains_key("@id") {
            containers.extend(["@graph@id", "@graph@id@set"]);
        }
    } else if object.is_some() && !value.is_some_and(is_value) {
        containers.extend(["@id", "@id@set", "@type", "@set@type"]);
    }
    let mut type_or_language = TypeOrLanguage::Language;
    let mut type_or_language_value = "@null".to_owned();
    if reverse {
        type_or_language = TypeOrLanguage::Type;
        type_or_language_value = "@reverse".to_owned();
        containers.push("@set");
    } else if let Some(list) = value.filter(|v| is_list(v)) {
        let o = list.as_object().expect("a list is an object");
        if !o.contains_key("@index") {
            containers.push("@list");
        }
        let items = o["@list"].as_array().map(Vec::as_slice).unwrap_or_default();
        if items.is_empty() {
            type_or_language = TypeOrLanguage::Any;
            type_or_language_value = "@none".to_owned();
        } else {
            let mut common_language: Option<String> = None;
            let mut common_type: Option<String> = None;
            for item in items {
                let (mut item_language, mut item_type) = ("@none".to_owned(), "@none".to_owned());
                if is_value(item) {
                    if let Some(direction) = item.get("@direction").and_then(Value::as_str) {
                        let language = item
                            .get("@language")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_lowercase();
                        item_language = format!("{language}_{direction}");
                    } else if let Some(language) = item.get("@language").and_then(Value::as_str) {
                        item_language = language.to_lowercase();
                    } else if let Some(t) = item.get("@type").and_then(Value::as_str) {
                        item_type = t.to_owned();
                    } else {
                        item_language = "@null".to_owned();
                    }
                } else {
                    item_type = "@id".to_owned();
                }
                match &common_language {
                    None => common_language = Some(item_language),
                    Some(c) if *c != item_language && is_value(item) => {
                        common_language = Some("@none".to_owned())
                    }
                    _ => {}
                }
                match &common_type {
                    None => common_type = Some(item_type),
                    Some(c) if *c != item_type => common_type = Some("@none".to_owned()),
                    _ => {}
                }
                if common_language.as_deref() == Some("@none")
                    && common_type.as_deref() == Some("@none")
                {
                    break;
                }
            }
            let common_language = common_language.unwrap_or_else(|| "@none".to_owned());
            let common_type = common_type.unwrap_or_else(|| "@none".to_owned());
            if common_type != "@none" {
                type_or_language = TypeOrLanguage::Type;
                type_or_language_value = common_type;
            } else {
                type_or_language_value = common_language;
            }
        }
    } else {
        if let Some(v) = value.filter(|v| is_value(v)) {
            let o = v.as_object().expect("a value is an object");
            if o.contains_key("@language") && !o.contains_key("@index") {
                containers.extend(["@language", "@language@set"]);
                type_or_language_value = o["@language"].as_str().unwrap_or("null").to_owned();
                if let Some(direction) = o
                    .get("@direction")
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                {
                    type_or_language_value = format!("{type_or_language_value}_{direction}");
                }
            } else if o.contains_key("@direction") && !o.contains_key("@index") {
                type_or_language_value =
                    format!("_{}", o["@direction"].as_str().unwrap_or_default());
            } else if let Some(t) = o.get("@type") {
                type_or_language = TypeOrLanguage::Type;
                type_or_language_value = t.as_str().unwrap_or_default().to_owned();
            }
        } else {
            type_or_language = TypeOrLanguage::Type;
            type_or_language_value = "@id".to_owned();
        }
        containers.push("@set");
    }
    containers.push("@none");
    if value
        .and_then(Value::as_object)
        .is_some_and(|o| !o.contains_key("@index"))
    {
        containers.extend(["@index", "@index@set"]);
    }
    if value.is_some_and(|v| is_value(v) && v.as_object().is_some_and(|o| o.len() == 1)) {
        containers.extend(["@language", "@language@set"]);
    }
    // Preferences, best first.
    let mut prefs: Vec<String> = Vec::new();
    let by_id = matches!(type_or_language_value.as_str(), "@id" | "@reverse");
    if let (true, Some(id)) = (by_id, value.and_then(|v| v.get("@id"))) {
        if type_or_language_value == "@reverse" {
            prefs.push("@reverse".to_owned());
        }
        let id = id.as_str();
        let term = compact_iri(ctx, id, None, true, false, None)?;
        let term_is_exact = term
            .as_deref()
            .and_then(|t| ctx.term(t))
            .is_some_and(|d| d.id.as_deref() == id);
        if term_is_exact {
            prefs.extend(["@vocab".to_owned(), "@id".to_owned()]);
        } else {
            prefs.extend(["@id".to_owned(), "@vocab".to_owned()]);
        }
    } else {
        prefs.push(type_or_language_value.clone());
        if let Some((_, direction)) = type_or_language_value.split_once('_') {
            prefs.push(format!("_{direction}"));
        }
    }
    prefs.push("@none".to_owned());
    for container in containers {
        let Some(preferences) = by_container.get(container) else {
            continue;
        };
        let map = preferences.by(type_or_language);
        for pref in &prefs {
            if let Some(term) = map.get(pref) {
                return Ok(Some(term.clone()));
            }
        }
    }
    Ok(None)
}
