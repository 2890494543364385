//! Expansion, as jsonld.js 9 expands in safe mode (its `expand.js`): every key and value made
//! explicit, and anything safe mode refuses (an undefined term, a relative IRI, an invalid
//! language tag, an object or value that would be dropped) an error naming it.

use std::collections::HashSet;
use std::sync::Arc;

use corridor_js::js_order;
use serde_json::{Map, Value};

use crate::JsonLdError;
use crate::context::{ActiveContext, check_language_tag};
use crate::iri::{is_absolute, is_keyword, looks_like_keyword};
use crate::processor::Processor;

/// How deep a document may nest before it is refused rather than walked.
pub(crate) const MAX_DEPTH: usize = 256;

/// One expansion's settings and position.
#[derive(Clone, Copy)]
pub(crate) struct Expansion<'p> {
    pub processor: &'p Processor,
    /// The document's base IRI; `None` is jsonld.js's null base (no resolution at all).
    pub base: Option<&'p str>,
    pub depth: usize,
}

type Expanded = Result<Option<Value>, JsonLdError>;

impl Expansion<'_> {
    fn deeper(self) -> Result<Self, JsonLdError> {
        if self.depth >= MAX_DEPTH {
            return Err(JsonLdError::limit(format!(
                "the document nests more than {MAX_DEPTH} levels deep"
            )));
        }
        Ok(Expansion {
            depth: self.depth + 1,
            ..self
        })
    }

    fn process(
        &self,
        active: &Arc<ActiveContext>,
        local: &Value,
        propagate: bool,
        override_protected: bool,
    ) -> Result<Arc<ActiveContext>, JsonLdError> {
        self.processor.process_context(
            active,
            local,
            self.base,
            propagate,
            override_protected,
            &mut HashSet::new(),
        )
    }

    fn process_scoped(
        &self,
        active: &Arc<ActiveContext>,
        scoped: &Arc<Value>,
        propagate: bool,
        override_protected: bool,
    ) -> Result<Arc<ActiveContext>, JsonLdError> {
        self.processor
            .process_scoped(active, scoped, self.base, propagate, override_protected)
    }

    fn iri(
        &self,
        active: &ActiveContext,
        value: &str,
        vocab: bool,
        base: bool,
    ) -> Result<Option<String>, JsonLdError> {
        active.expand_iri(value, vocab, base, self.base)
    }

    fn property(
        &self,
        active: &ActiveContext,
        property: Option<&str>,
    ) -> Result<Option<String>, JsonLdError> {
        match property {
            Some(p) => self.iri(active, p, true, false),
            None => Ok(None),
        }
    }

    /// jsonld.js's `expand`: `None` where it gives null.
    pub(crate) fn expand(
        self,
        active: &Arc<ActiveContext>,
        active_property: Option<&str>,
        element: &Value,
        inside_list: bool,
        inside_index: bool,
        type_scoped: Option<&Arc<ActiveContext>>,
    ) -> Expanded {
        let this = self.deeper()?;
        match element {
            Value::Null => Ok(None),
            Value::Array(items) => {
                let inside_list = inside_list || active.has_container(active_property, "@list");
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let expanded = this.expand(
                        active,
                        active_property,
                        item,
                        false,
                        inside_index,
                        type_scoped,
                    )?;
                    match expanded {
                        None => {}
                        Some(Value::Array(list)) if inside_list => out.push(Value::Object(
                            Map::from_iter([("@list".to_owned(), Value::Array(list))]),
                        )),
                        Some(Value::Array(many)) => out.extend(many),
                        Some(one) => out.push(one),
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            Value::Object(object) => this.expand_node(
                active,
                active_property,
                object,
                inside_list,
                inside_index,
                type_scoped,
            ),
            scalar => {
                let free_floating = !inside_list
                    && match active_property {
                        None => true,
                        Some(_) => {
                            this.property(active, active_property)?.as_deref() == Some("@graph")
                        }
                    };
                if free_floating {
                    return Err(JsonLdError::unsafe_event(
                        "free-floating scalar",
                        format!("{scalar} is not the value of any property"),
                    ));
                }
                this.expand_value(active, active_property, scalar).map(Some)
            }
        }
    }

    fn expand_node(
        self,
        active: &Arc<ActiveContext>,
        active_property: Option<&str>,
        element: &Map<String, Value>,
        inside_list: bool,
        inside_index: bool,
        type_scoped: Option<&Arc<ActiveContext>>,
    ) -> Expanded {
        let expanded_active_property = self.property(active, active_property)?;
        let property_scoped = active.scoped_context(active_property).cloned();
        let type_scoped = type_scoped
            .cloned()
            .or_else(|| active.previous.as_ref().map(|_| Arc::clone(active)));
        let keys = sorted_keys(element);
        let mut active = Arc::clone(active);
        // A type-scoped context does not reach into nested nodes, except a value object or a
        // bare reference.
        let mut must_revert = !inside_index;
        if must_revert
            && let Some(type_scoped) = &type_scoped
            && keys.len() <= 2
            && !element.contains_key("@context")
        {
            for key in &keys {
                let expanded = self.iri(type_scoped, key, true, false)?;
                if expanded.as_deref() == Some("@value") {
                    must_revert = false;
                    active = Arc::clone(type_scoped);
                    break;
                }
                if expanded.as_deref() == Some("@id") && keys.len() == 1 {
                    must_revert = false;
                    break;
                }
            }
        }
        if must_revert {
            active = active.revert_to_previous();
        }
        if let Some(scoped) = &property_scoped {
            active = self.process_scoped(&active, scoped, true, true)?;
        }
        if let Some(local) = element.get("@context") {
            active = self.process(&active, local, true, false)?;
        }
        let type_scoped = Arc::clone(&active);
        let mut type_key = None;
        for key in &keys {
            if self.iri(&active, key, true, false)?.as_deref() == Some("@type") {
                type_key.get_or_insert(key.as_str());
                let mut types: Vec<&Value> = match &element[key.as_str()] {
                    Value::Array(many) => many.iter().collect(),
                    one => vec![one],
                };
                if types.len() > 1 {
                    types.sort_by(|a, b| js_compare_values(a, b));
                }
                for t in types {
                    if let Value::String(t) = t
                        && let Some(scoped) = type_scoped.scoped_context(Some(t))
                    {
                        let scoped = Arc::clone(scoped);
                        active = self.process_scoped(&active, &scoped, false, false)?;
                    }
                }
            }
        }
        let mut node = Map::new();
        self.expand_object(
            &active,
            active_property,
            expanded_active_property.as_deref(),
            element,
            &mut node,
            type_key,
            &type_scoped,
        )?;
        let count = node.len();
        let result = if node.contains_key("@value") {
            Some(check_value_object(node)?)
        } else if node.get("@type").is_some_and(|t| !t.is_array()) {
            let t = node.remove("@type").expect("present");
            node.insert("@type".to_owned(), Value::Array(vec![t]));
            Some(Value::Object(node))
        } else if node.contains_key("@set") || node.contains_key("@list") {
            if count > 1 && !(count == 2 && node.contains_key("@index")) {
                return Err(JsonLdError::syntax(
                    "invalid set or list object",
                    "an object with @set or @list may only also have @index",
                ));
            }
            match node.remove("@set") {
                Some(set) => Some(set),
                None => Some(Value::Object(node)),
            }
        } else if count == 1 && node.contains_key("@language") {
            return Err(JsonLdError::unsafe_event(
                "object with only @language",
                "an object with nothing but @language would be dropped",
            ));
        } else {
            Some(Value::Object(node))
        };
        if let Some(Value::Object(object)) = &result
            && !inside_list
            && (active_property.is_none()
                || expanded_active_property.as_deref() == Some("@graph")
                || active.has_container(active_property, "@graph"))
        {
            refuse_dropped_object(object)?;
        }
        Ok(result)
    }

    #[allow(clippy::too_many_arguments)]
    fn expand_object(
        self,
        active: &Arc<ActiveContext>,
        active_property: Option<&str>,
        expanded_active_property: Option<&str>,
        element: &Map<String, Value>,
        out: &mut Map<String, Value>,
        type_key: Option<&str>,
        type_scoped: &Arc<ActiveContext>,
    ) -> Result<(), JsonLdError> {
        let mut nests = Vec::new();
        let mut unexpanded_value = None;
        let is_json_type = match type_key.and_then(|k| element.get(k)) {
            Some(t) if corridor_js::truthy(t) => {
                let first = match t {
                    Value::Array(many) => many.first(),
                    one => Some(one),
                };
                match first {
                    Some(Value::String(first)) => {
                        self.iri(active, first, true, false)?.as_deref() == Some("@json")
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        for key in sorted_keys(element) {
            let value = &element[key.as_str()];
            if key == "@context" {
                continue;
            }
            let expanded_property = self.iri(active, key, true, false)?;
            let Some(expanded_property) =
                expanded_property.filter(|p| is_absolute(p) || is_keyword(p))
            else {
                return Err(JsonLdError::unsafe_event(
                    "invalid property",
                    format!("the property \"{key}\" is not defined in the context"),
                ));
            };
            let property = expanded_property.as_str();
            if is_keyword(property) {
                if expanded_active_property == Some("@reverse") {
                    return Err(JsonLdError::syntax(
                        "invalid reverse property map",
                        format!("the keyword \"{key}\" cannot be a @reverse property"),
                    ));
                }
                if out.contains_key(property) && property != "@included" && property != "@type" {
                    return Err(JsonLdError::syntax(
                        "colliding keywords",
                        format!("{property} is given more than once"),
                    ));
                }
            }
            match property {
                "@id" => {
                    let Value::String(id) = value else {
                        return Err(JsonLdError::syntax(
                            "invalid @id value",
                            format!("@id must be a string, not {}", corridor_js::kind_of(value)),
                        ));
                    };
                    let expanded = self.iri(active, id, false, true)?;
                    let Some(expanded) = expanded else {
                        return Err(JsonLdError::unsafe_event(
                            "reserved @id value",
                            format!("@id \"{id}\" looks like a keyword"),
                        ));
                    };
                    if !is_absolute(&expanded) {
                        return Err(JsonLdError::unsafe_event(
                            "relative @id reference",
                            format!("@id \"{id}\" is not an absolute IRI"),
                        ));
                    }
                    add_value(out, "@id", Value::String(expanded), Add::default());
                    continue;
                }
                "@type" => {
                    let types: Vec<&String> = match value {
                        Value::String(s) => vec![s],
                        Value::Array(many) if many.iter().all(Value::is_string) => many
                            .iter()
                            .map(|v| match v {
                                Value::String(s) => s,
                                _ => unreachable!("all strings"),
                            })
                            .collect(),
                        _ => {
                            return Err(JsonLdError::syntax(
                                "invalid type value",
                                "@type must be a string or an array of strings",
                            ));
                        }
                    };
                    let mut expanded_types = Vec::with_capacity(types.len());
                    for t in types {
                        let expanded = self.iri(type_scoped, t, true, true)?;
                        match expanded {
                            Some(e) if e == "@json" || is_absolute(&e) => {
                                expanded_types.push(Value::String(e))
                            }
                            _ => {
                                return Err(JsonLdError::unsafe_event(
                                    "relative @type reference",
                                    format!("the type \"{t}\" is not defined in the context"),
                                ));
                            }
                        }
                    }
                    add_value(out, "@type", Value::Array(expanded_types), Add::default());
                    continue;
                }
                "@included" => {
                    let included =
                        self.expand(active, active_property, value, false, false, None)?;
                    let included = match included {
                        Some(included) => as_array(included),
                        None => vec![Value::Null],
                    };
                    if !included.iter().all(is_node) {
                        return Err(JsonLdError::syntax(
                            "invalid @included value",
                            "@included must hold node objects",
                        ));
                    }
                    add_value(out, "@included", Value::Array(included), Add::array());
                    continue;
                }
                "@graph" if !(value.is_object() || value.is_array()) => {
                    return Err(JsonLdError::syntax(
                        "invalid @graph value",
                        "@graph must be an object or an array",
                    ));
                }
                "@value" => {
                    unexpanded_value = Some(value);
                    if is_json_type {
                        out.insert("@value".to_owned(), value.clone());
                    } else {
                        add_value(out, "@value", value.clone(), Add::default());
                    }
                    continue;
                }
                "@language" => {
                    match value {
                        Value::Null => {}
                        Value::String(language) => {
                            check_language_tag(language)?;
                            add_value(
                                out,
                                "@language",
                                Value::String(language.to_lowercase()),
                                Add::default(),
                            );
                        }
                        other => {
                            return Err(JsonLdError::syntax(
                                "invalid language-tagged string",
                                format!(
                                    "@language must be a string, not {}",
                                    corridor_js::kind_of(other)
                                ),
                            ));
                        }
                    }
                    continue;
                }
                "@direction" => {
                    match value {
                        Value::String(d) if d == "ltr" || d == "rtl" => {
                            add_value(out, "@direction", value.clone(), Add::default())
                        }
                        other => {
                            return Err(JsonLdError::syntax(
                                "invalid base direction",
                                format!("@direction must be \"ltr\" or \"rtl\", not {other}"),
                            ));
                        }
                    }
                    continue;
                }
                "@index" => {
                    if !value.is_string() {
                        return Err(JsonLdError::syntax(
                            "invalid @index value",
                            format!(
                                "@index must be a string, not {}",
                                corridor_js::kind_of(value)
                            ),
                        ));
                    }
                    add_value(out, "@index", value.clone(), Add::default());
                    continue;
                }
                "@reverse" => {
                    self.expand_reverse(active, value, out)?;
                    continue;
                }
                "@nest" => {
                    nests.push(key.as_str());
                    continue;
                }
                _ => {}
            }
            let mut term_ctx = Arc::clone(active);
            if let Some(scoped) = active.scoped_context(Some(key)) {
                let scoped = Arc::clone(scoped);
                term_ctx = self.process_scoped(active, &scoped, true, true)?;
            }
            let container = |k: &str| active.has_container(Some(key), k);
            let mut expanded = match value {
                Value::Object(map) if container("@language") => {
                    let direction = term_ctx.direction_of(Some(key));
                    Some(self.expand_language_map(&term_ctx, map, direction)?)
                }
                Value::Object(map) if container("@index") => {
                    let index_key = term_ctx
                        .term(key)
                        .and_then(|d| d.index.clone())
                        .unwrap_or_else(|| "@index".to_owned());
                    let property_index = if index_key != "@index" {
                        self.iri(active, &index_key, true, false)?
                    } else {
                        None
                    };
                    Some(self.expand_index_map(
                        &term_ctx,
                        key,
                        map,
                        container("@graph"),
                        IndexKey::from(&index_key, property_index),
                    )?)
                }
                Value::Object(map) if container("@id") => Some(self.expand_index_map(
                    &term_ctx,
                    key,
                    map,
                    container("@graph"),
                    IndexKey::Id,
                )?),
                Value::Object(map) if container("@type") => Some(self.expand_index_map(
                    &term_ctx.revert_to_previous(),
                    key,
                    map,
                    false,
                    IndexKey::Type,
                )?),
                _ if property == "@list" || property == "@set" => {
                    let is_list = property == "@list";
                    let next_property = if is_list && expanded_active_property == Some("@graph") {
                        None
                    } else {
                        active_property
                    };
                    self.expand(&term_ctx, next_property, value, is_list, false, None)?
                }
                _ if active.type_mapping(Some(key)) == Some("@json") => {
                    Some(Value::Object(Map::from_iter([
                        ("@type".to_owned(), Value::String("@json".to_owned())),
                        ("@value".to_owned(), value.clone()),
                    ])))
                }
                _ => self.expand(&term_ctx, Some(key), value, false, false, None)?,
            };
            let Some(mut value) = expanded.take() else {
                continue;
            };
            if property != "@list" && !is_list(&value) && container("@list") {
                value = object1("@list", Value::Array(as_array(value)));
            }
            if container("@graph") && !container("@id") && !container("@index") {
                let graphs = as_array(value);
                for graph in &graphs {
                    if let Value::Object(g) = graph {
                        refuse_dropped_object(g)?;
                    }
                }
                if graphs.is_empty() {
                    continue;
                }
                value = Value::Array(
                    graphs
                        .into_iter()
                        .map(|g| object1("@graph", Value::Array(as_array(g))))
                        .collect(),
                );
            }
            if term_ctx.term(key).is_some_and(|d| d.reverse) {
                let reverse = out
                    .entry("@reverse")
                    .or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(reverse) = reverse else {
                    unreachable!("@reverse is an object")
                };
                for item in as_array(value) {
                    if is_value(&item) || is_list(&item) {
                        return Err(JsonLdError::syntax(
                            "invalid reverse property value",
                            format!(
                                "the @reverse property \"{key}\" cannot hold a value or a list"
                            ),
                        ));
                    }
                    add_value(reverse, property, item, Add::array());
                }
                continue;
            }
            add_value(out, property, value, Add::array());
        }
        if out.contains_key("@value")
            && out.get("@type").and_then(Value::as_str) != Some("@json")
            && unexpanded_value.is_some_and(|v| v.is_object() || v.is_array())
        {
            return Err(JsonLdError::syntax(
                "invalid value object value",
                "@value must not be an object or an array",
            ));
        }
        for key in nests {
            let nested = match &element[key] {
                Value::Array(many) => many.iter().collect(),
                one => vec![one],
            };
            for nested in nested {
                let Value::Object(nested) = nested else {
                    return Err(invalid_nest());
                };
                for k in nested.keys() {
                    if self.iri(active, k, true, false)?.as_deref() == Some("@value") {
                        return Err(invalid_nest());
                    }
                }
                self.expand_object(
                    active,
                    active_property,
                    expanded_active_property,
                    nested,
                    out,
                    type_key,
                    type_scoped,
                )?;
            }
        }
        Ok(())
    }

    fn expand_reverse(
        self,
        active: &Arc<ActiveContext>,
        value: &Value,
        out: &mut Map<String, Value>,
    ) -> Result<(), JsonLdError> {
        if !value.is_object() {
            return Err(JsonLdError::syntax(
                "invalid @reverse value",
                "@reverse must be an object",
            ));
        }
        let expanded = self.expand(active, Some("@reverse"), value, false, false, None)?;
        let Some(Value::Object(expanded)) = expanded else {
            return Ok(());
        };
        if let Some(Value::Object(double)) = expanded.get("@reverse") {
            for (property, items) in double {
                add_value(out, property, items.clone(), Add::array());
            }
        }
        for (property, items) in &expanded {
            if property == "@reverse" {
                continue;
            }
            let reverse = out
                .entry("@reverse")
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(reverse) = reverse else {
                unreachable!("@reverse is an object")
            };
            add_value(reverse, property, Value::Array(Vec::new()), Add::array());
            for item in items.as_array().into_iter().flatten() {
                if is_value(item) || is_list(item) {
                    return Err(JsonLdError::syntax(
                        "invalid reverse property value",
                        "a @reverse property cannot hold a value or a list",
                    ));
                }
                add_value(reverse, property, item.clone(), Add::array());
            }
        }
        Ok(())
    }

    /// jsonld.js's `_expandValue`: a scalar under a property.
    fn expand_value(
        &self,
        active: &ActiveContext,
        active_property: Option<&str>,
        value: &Value,
    ) -> Result<Value, JsonLdError> {
        let expanded_property = self.property(active, active_property)?;
        let string = value.as_str();
        match (expanded_property.as_deref(), string) {
            (Some("@id"), Some(s)) => return Ok(opt_string(self.iri(active, s, false, true)?)),
            (Some("@type"), Some(s)) => return Ok(opt_string(self.iri(active, s, true, true)?)),
            _ => {}
        }
        let type_mapping = active.type_mapping(active_property);
        if let Some(s) = string {
            if type_mapping == Some("@id") || expanded_property.as_deref() == Some("@graph") {
                let expanded = self.iri(active, s, false, true)?;
                if expanded.is_none() && looks_like_keyword(s) {
                    return Err(JsonLdError::unsafe_event(
                        "reserved @id value",
                        format!("\"{s}\" looks like a keyword"),
                    ));
                }
                return Ok(object1("@id", opt_string(expanded)));
            }
            if type_mapping == Some("@vocab") {
                return Ok(object1("@id", opt_string(self.iri(active, s, true, true)?)));
            }
        }
        if expanded_property.as_deref().is_some_and(is_keyword) {
            return Ok(value.clone());
        }
        let mut out = Map::new();
        match type_mapping {
            Some(t) if !matches!(t, "@id" | "@vocab" | "@none") => {
                out.insert("@type".to_owned(), Value::String(t.to_owned()));
            }
            _ if string.is_some() => {
                if let Some(language) = active.language_of(active_property) {
                    out.insert("@language".to_owned(), Value::String(language.to_owned()));
                }
                if let Some(direction) = active.direction_of(active_property) {
                    out.insert(
                        "@direction".to_owned(),
                        Value::String(direction.as_str().to_owned()),
                    );
                }
            }
            _ => {}
        }
        out.insert("@value".to_owned(), value.clone());
        Ok(Value::Object(out))
    }

    fn expand_language_map(
        &self,
        active: &ActiveContext,
        map: &Map<String, Value>,
        direction: Option<crate::context::Direction>,
    ) -> Result<Value, JsonLdError> {
        let mut out = Vec::new();
        for key in sorted_keys(map) {
            let expanded_key = self.iri(active, key, true, false)?;
            let items = match &map[key.as_str()] {
                Value::Array(many) => many.iter().collect(),
                one => vec![one],
            };
            for item in items {
                let text = match item {
                    Value::Null => continue,
                    Value::String(s) => s,
                    _ => {
                        return Err(JsonLdError::syntax(
                            "invalid language map value",
                            format!("the values of a language map must be strings (\"{key}\")"),
                        ));
                    }
                };
                let mut value = object1_map("@value", Value::String(text.clone()));
                if expanded_key.as_deref() != Some("@none") {
                    check_language_tag(key)?;
                    value.insert("@language".to_owned(), Value::String(key.to_lowercase()));
                }
                if let Some(direction) = direction {
                    value.insert(
                        "@direction".to_owned(),
                        Value::String(direction.as_str().to_owned()),
                    );
                }
                out.push(Value::Object(value));
            }
        }
        Ok(Value::Array(out))
    }

    fn expand_index_map(
        self,
        active: &Arc<ActiveContext>,
        active_property: &str,
        map: &Map<String, Value>,
        as_graph: bool,
        index_key: IndexKey,
    ) -> Result<Value, JsonLdError> {
        let mut active = Arc::clone(active);
        let mut out = Vec::new();
        for key in sorted_keys(map) {
            if matches!(index_key, IndexKey::Type)
                && let Some(scoped) = active.scoped_context(Some(key))
            {
                let scoped = Arc::clone(scoped);
                active = self.process_scoped(&active, &scoped, false, false)?;
            }
            let value = &map[key.as_str()];
            let wrapped;
            let value = if value.is_array() {
                value
            } else {
                wrapped = Value::Array(vec![value.clone()]);
                &wrapped
            };
            let items = self.expand(&active, Some(active_property), value, false, true, None)?;
            let expanded_key: Option<Value> = match &index_key {
                IndexKey::Property { .. } if key == "@none" => {
                    Some(Value::String("@none".to_owned()))
                }
                IndexKey::Property { term, .. } => {
                    Some(self.expand_value(&active, Some(term), &Value::String(key.clone()))?)
                }
                _ => self.iri(&active, key, true, false)?.map(Value::String),
            };
            let is_none = expanded_key.as_ref().and_then(Value::as_str) == Some("@none");
            let key_value: Value = match &index_key {
                IndexKey::Id => opt_string(self.iri(&active, key, false, true)?),
                IndexKey::Type => expanded_key.clone().unwrap_or(Value::Null),
                _ => Value::String(key.clone()),
            };
            for item in as_array(items.unwrap_or(Value::Null)) {
                let mut item = if as_graph && !is_graph(&item) {
                    object1("@graph", Value::Array(vec![item]))
                } else {
                    item
                };
                let Value::Object(object) = &mut item else {
                    out.push(item);
                    continue;
                };
                match &index_key {
                    IndexKey::Type => {
                        if !is_none {
                            let mut types = vec![key_value.clone()];
                            if let Some(existing) = object.remove("@type") {
                                types.extend(as_array(existing));
                            }
                            object.insert("@type".to_owned(), Value::Array(types));
                        }
                    }
                    IndexKey::Index | IndexKey::Id | IndexKey::Property { .. }
                        if object.contains_key("@value")
                            && !matches!(index_key, IndexKey::Index) =>
                    {
                        return Err(JsonLdError::syntax(
                            "invalid value object",
                            format!(
                                "a value in the map of \"{active_property}\" cannot take an index"
                            ),
                        ));
                    }
                    IndexKey::Property { iri, .. } => {
                        if !is_none && let (Some(iri), Some(k)) = (iri, &expanded_key) {
                            add_value(
                                object,
                                iri,
                                k.clone(),
                                Add {
                                    array: true,
                                    prepend: true,
                                },
                            );
                        }
                    }
                    IndexKey::Index | IndexKey::Id => {
                        let name = if matches!(index_key, IndexKey::Id) {
                            "@id"
                        } else {
                            "@index"
                        };
                        if !is_none && !object.contains_key(name) {
                            object.insert(name.to_owned(), key_value.clone());
                        }
                    }
                }
                out.push(item);
            }
        }
        Ok(Value::Array(out))
    }
}

/// What an index map's keys stand for.
enum IndexKey {
    /// `@index`.
    Index,
    /// `@id`: node identifiers.
    Id,
    /// `@type`: node types.
    Type,
    /// A property (`@index` naming a term): its values.
    Property { term: String, iri: Option<String> },
}

impl IndexKey {
    fn from(index_key: &str, property_iri: Option<String>) -> IndexKey {
        if index_key == "@index" {
            IndexKey::Index
        } else {
            IndexKey::Property {
                term: index_key.to_owned(),
                iri: property_iri,
            }
        }
    }
}

fn invalid_nest() -> JsonLdError {
    JsonLdError::syntax(
        "invalid @nest value",
        "a nested value must be a node object",
    )
}

/// The checks jsonld.js makes on an expanded value object (in safe mode a null value, which it
/// would drop, is refused).
fn check_value_object(node: Map<String, Value>) -> Result<Value, JsonLdError> {
    if node.contains_key("@type")
        && (node.contains_key("@language") || node.contains_key("@direction"))
    {
        return Err(JsonLdError::syntax(
            "invalid value object",
            "a value cannot have both @type and @language or @direction",
        ));
    }
    if node.keys().any(|k| {
        !matches!(
            k.as_str(),
            "@value" | "@type" | "@index" | "@language" | "@direction"
        )
    }) {
        return Err(JsonLdError::syntax(
            "invalid value object",
            "a value may only have @index and either @type or @language and @direction",
        ));
    }
    let values: Vec<&Value> = match &node["@value"] {
        Value::Null => Vec::new(),
        Value::Array(many) => many.iter().collect(),
        one => vec![one],
    };
    let types: Vec<&Value> = match node.get("@type") {
        None => Vec::new(),
        Some(Value::Array(many)) => many.iter().collect(),
        Some(one) => vec![one],
    };
    if types.len() == 1 && types[0] == "@json" {
        return Ok(Value::Object(node));
    }
    if values.is_empty() {
        return Err(JsonLdError::unsafe_event(
            "null @value value",
            "a value of null would be dropped",
        ));
    }
    let empty_object = |v: &Value| v.as_object().is_some_and(Map::is_empty);
    if node.contains_key("@language") && !values.iter().all(|v| v.is_string() || empty_object(v)) {
        return Err(JsonLdError::syntax(
            "invalid language-tagged value",
            "only strings may have a language",
        ));
    }
    if !types.iter().all(|t| match t {
        Value::String(t) => is_absolute(t) && !t.starts_with("_:"),
        other => empty_object(other),
    }) {
        return Err(JsonLdError::syntax(
            "invalid typed value",
            "the @type of a value must be an absolute IRI",
        ));
    }
    Ok(Value::Object(node))
}

/// jsonld.js drops (safe mode refuses) a top-level or graph object that says nothing.
fn refuse_dropped_object(object: &Map<String, Value>) -> Result<(), JsonLdError> {
    let count = object.len();
    let refusal = if count == 0 {
        Some(("empty object", "an empty object would be dropped"))
    } else if object.contains_key("@value") {
        Some((
            "object with only @value",
            "a value outside any property would be dropped",
        ))
    } else if object.contains_key("@list") {
        Some((
            "object with only @list",
            "a list outside any property would be dropped",
        ))
    } else if count == 1 && object.contains_key("@id") {
        Some((
            "object with only @id",
            "a node with nothing but @id would be dropped",
        ))
    } else {
        None
    };
    match refusal {
        Some((code, why)) => Err(JsonLdError::unsafe_event(code, why)),
        None => Ok(()),
    }
}

/// An object's keys sorted as JavaScript sorts them.
pub(crate) fn sorted_keys(map: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by(|a, b| js_order(a, b));
    keys
}

/// JavaScript's default `sort` comparison of two values: by their string forms.
fn js_compare_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    js_order(&text(a), &text(b))
}

/// How [`add_value`] adds: always as an array, and at the front.
#[derive(Clone, Copy, Default)]
pub(crate) struct Add {
    pub array: bool,
    pub prepend: bool,
}

impl Add {
    pub(crate) fn array() -> Add {
        Add {
            array: true,
            prepend: false,
        }
    }
}

/// jsonld.js's `addValue` (duplicates allowed): an array's items one by one; a second value
/// turns a single value into an array.
pub(crate) fn add_value(subject: &mut Map<String, Value>, property: &str, value: Value, how: Add) {
    match value {
        Value::Array(items) => {
            if items.is_empty() && how.array && !subject.contains_key(property) {
                subject.insert(property.to_owned(), Value::Array(Vec::new()));
            }
            let items = if how.prepend {
                let mut all = items;
                if let Some(existing) = subject.remove(property) {
                    all.extend(as_array(existing));
                }
                subject.insert(property.to_owned(), Value::Array(Vec::new()));
                all
            } else {
                items
            };
            for item in items {
                add_value(
                    subject,
                    property,
                    item,
                    Add {
                        prepend: false,
                        ..how
                    },
                );
            }
        }
        value => match subject.get_mut(property) {
            Some(existing) => {
                if !existing.is_array() {
                    let single = existing.take();
                    *existing = Value::Array(vec![single]);
                }
                let Value::Array(items) = existing else {
                    unreachable!("made an array")
                };
                if how.prepend {
                    items.insert(0, value);
                } else {
                    items.push(value);
                }
            }
            None => {
                let value = if how.array {
                    Value::Array(vec![value])
                } else {
                    value
                };
                subject.insert(property.to_owned(), value);
            }
        },
    }
}

pub(crate) fn as_array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

fn opt_string(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::String)
}

fn object1(key: &str, value: Value) -> Value {
    Value::Object(object1_map(key, value))
}

fn object1_map(key: &str, value: Value) -> Map<String, Value> {
    Map::from_iter([(key.to_owned(), value)])
}

pub(crate) fn is_value(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.contains_key("@value"))
}

pub(crate) fn is_list(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.contains_key("@list"))
}

/// jsonld.js's `isGraph`: `@graph` and at most `@id` and `@index` beside it.
pub(crate) fn is_graph(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("@graph") && o.keys().filter(|k| *k != "@id" && *k != "@index").count() == 1
    })
}

/// jsonld.js's `isSubject`: a node object, not a value, list or set, and more than a reference.
pub(crate) fn is_node(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        !(o.contains_key("@value") || o.contains_key("@set") || o.contains_key("@list"))
            && (o.len() > 1 || !o.contains_key("@id"))
    })
}
