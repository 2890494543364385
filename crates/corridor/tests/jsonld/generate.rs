//! Seeded JSON-LD documents for checking a JSON-LD processor against jsonld.js: W3C credentials
//! on the contexts TrustVC bundles, and documents on generated contexts that reach the corners
//! of JSON-LD 1.1 where processors part ways (coercions, containers, scoped and protected
//! contexts, `@nest`, `@reverse`, `@import`, languages and directions, numbers of every form).
//! About a fifth are broken on purpose, each in one way safe mode or the syntax refuses.

use rand::Rng;
use serde_json::{Map, Value, json};

use super::common;
use Field::{Items, Text};

/// One generated input of the JSON-LD operations.
pub struct Case {
    /// The document to expand, compact or turn into RDF.
    pub document: Value,
    /// The remote contexts it names beyond those TrustVC bundles, by URL.
    pub contexts: Map<String, Value>,
    /// The context to compact it with: mostly its own, as di-sd-primitives compacts.
    pub compact_context: Value,
}

/// A document: half W3C credentials, half documents on generated contexts; some broken.
pub fn document(rng: &mut impl Rng) -> Case {
    let mut case = if rng.random_bool(0.5) {
        credential(rng)
    } else {
        free_form(rng)
    };
    if rng.random_bool(0.22) {
        breakage::apply(rng, &mut case);
    }
    case.compact_context = compaction_context(rng, &case);
    case
}

fn pick<T: Clone>(rng: &mut impl Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())].clone()
}

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Datatypes a term coerces to or a value object names: XSD in full and as compact IRIs (the
/// generated contexts define `xsd`), and datatypes of no standard.
const DATATYPES: [&str; 9] = [
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#double",
    "http://www.w3.org/2001/XMLSchema#boolean",
    "http://www.w3.org/2001/XMLSchema#dateTime",
    "xsd:decimal",
    "xsd:date",
    "http://dt.example/money",
    "https://w3id.org/security#multibase",
];

/// Language tags as documents write them: mixed case, with scripts, regions and variants.
const LANGUAGES: [&str; 8] = [
    "en",
    "EN",
    "en-GB",
    "zh-Hant-TW",
    "de-CH-1996",
    "fr-ca",
    "AR",
    "x-corridor",
];

/// Absolute IRIs a document gives as `@id` or a reference.
const IRIS: [&str; 8] = [
    "http://ex.example/thing/1",
    "https://ex.example/thing/2?q=a&b=c#frag",
    "urn:uuid:01a217ee-5d29-7aac-85c1-fabfe1b0cdbe",
    "did:web:carrier.corridor.example",
    "did:web:trade.corridor.example:exporters:cq%3Aagri#keys-1",
    "https://例え.example/貨物/ä",
    "mailto:clerk@customs.example",
    "tag:corridor.example,2026:lot-7",
];

/// IRIs relative to a base, for documents whose context sets `@base`.
const RELATIVE_IRIS: [&str; 6] = ["item/1", "#frag", "../up/2", "?q=1", "", "./a/../b"];

/// Names of generated terms: plain, unicode, punctuated, alike but for case.
const TERM_NAMES: [&str; 24] = [
    "amount", "weight", "label", "note", "party", "items", "origin", "remark", "price", "grade",
    "品名", "naïve", "x-y", "_hidden", "UPPER", "upper", "child", "sensor", "reading", "lot",
    "code", "flag", "tags", "when",
];

/// Names of generated types.
const TYPE_NAMES: [&str; 6] = [
    "Shipment",
    "Party",
    "SensorEvent",
    "Lot",
    "Örganisation",
    "Thing",
];

/// Vocabularies generated terms' IRIs are made in.
const VOCABULARIES: [&str; 5] = [
    "http://vocab.example/#",
    "https://schema.org/",
    "urn:corridor:term:",
    "https://例え.example/語/",
    "https://w3id.org/traceability#",
];

/// How a term's values are coerced.
#[derive(Clone, Copy, PartialEq)]
enum Coercion {
    Plain,
    Id,
    Vocab,
    Json,
    Datatype(&'static str),
}

/// A term's container, which shapes how its values are written.
#[derive(Clone, Copy, PartialEq)]
enum Container {
    Single,
    Set,
    List,
    Language,
    Index,
    /// `@index` naming a property (JSON-LD 1.1 property-valued indexes).
    IndexBy,
    Id,
    Type,
    Graph,
    GraphId,
    GraphIndex,
}

impl Container {
    fn keyword(self) -> Option<Value> {
        Some(match self {
            Container::Single => return None,
            Container::Set => json!("@set"),
            Container::List => json!("@list"),
            Container::Language => json!("@language"),
            Container::Index | Container::IndexBy => json!("@index"),
            Container::Id => json!("@id"),
            Container::Type => json!("@type"),
            Container::Graph => json!("@graph"),
            Container::GraphId => json!(["@graph", "@id"]),
            Container::GraphIndex => json!(["@graph", "@index"]),
        })
    }

    /// Whether its values are node objects (or maps of them).
    fn holds_nodes(self) -> bool {
        matches!(
            self,
            Container::IndexBy
                | Container::Id
                | Container::Type
                | Container::Graph
                | Container::GraphId
                | Container::GraphIndex
        )
    }
}

/// A term of a generated context: its definition as written, and how to write its values.
#[derive(Clone, PartialEq)]
struct Term {
    name: &'static str,
    definition: Value,
    coercion: Coercion,
    container: Container,
    reverse: bool,
    /// The terms its property-scoped context defines, and whether they reach nested nodes.
    scoped: Vec<Term>,
    propagate: bool,
}

/// A type of a generated context, perhaps with a type-scoped context.
#[derive(Clone)]
struct TypeTerm {
    name: &'static str,
    definition: Value,
    scoped: Vec<Term>,
    propagate: bool,
}

/// What the active context offers where a node object is written.
#[derive(Clone, Default)]
struct Scope {
    terms: Vec<Term>,
    types: Vec<TypeTerm>,
    /// What `@id` and `@type` are written as (`id`/`type` where aliased).
    id_key: &'static str,
    type_key: &'static str,
    /// `@nest` aliases.
    nests: Vec<&'static str>,
    /// Prefixes defined, for compact IRIs.
    prefixes: Vec<&'static str>,
    has_base: bool,
}

impl Scope {
    /// This scope with `terms` defined over it, as a scoped context does.
    fn with(&self, terms: &[Term]) -> Scope {
        let mut scope = self.clone();
        for term in terms {
            scope.terms.retain(|t| t.name != term.name);
            scope.terms.push(term.clone());
        }
        scope
    }
}

/// A generated context, with what it lets a document write.
struct Vocabulary {
    context: Map<String, Value>,
    scope: Scope,
    protected: bool,
}

fn term_iri(rng: &mut impl Rng, name: &str) -> String {
    format!("{}{name}", pick(rng, &VOCABULARIES))
}

/// A term definition; `depth` 0 may carry a scoped context, deeper ones do not.
fn term(rng: &mut impl Rng, name: &'static str, depth: u32, scope: &Scope) -> Term {
    let iri = term_iri(rng, name);
    let reverse = rng.random_bool(0.05);
    let coercion = match rng.random_range(0..14) {
        0..=5 => Coercion::Plain,
        6 | 7 => Coercion::Id,
        8 => Coercion::Vocab,
        9 => Coercion::Json,
        _ => Coercion::Datatype(pick(rng, &DATATYPES)),
    };
    let coercion = if reverse && coercion != Coercion::Plain {
        Coercion::Id
    } else {
        coercion
    };
    let container = match (reverse, coercion) {
        (true, _) => pick(rng, &[Container::Single, Container::Set, Container::Index]),
        (false, Coercion::Json) => pick(rng, &[Container::Single, Container::Set]),
        (false, Coercion::Plain) => match rng.random_range(0..22) {
            0..=8 => Container::Single,
            9 | 10 => Container::Set,
            11..=13 => Container::List,
            14 | 15 => Container::Language,
            16 => Container::Index,
            17 => Container::IndexBy,
            18 => Container::Id,
            19 => Container::Type,
            20 => Container::Graph,
            _ => pick(rng, &[Container::GraphId, Container::GraphIndex]),
        },
        (false, Coercion::Id) => pick(
            rng,
            &[
                Container::Single,
                Container::Set,
                Container::List,
                Container::Type,
            ],
        ),
        (false, _) => pick(rng, &[Container::Single, Container::Set, Container::List]),
    };
    let mut definition = Map::new();
    definition.insert(if reverse { "@reverse" } else { "@id" }.into(), json!(iri));
    match coercion {
        Coercion::Plain if container != Container::Type && rng.random_bool(0.05) => {
            definition.insert("@type".into(), json!("@none"));
        }
        Coercion::Plain => {}
        Coercion::Id => {
            definition.insert("@type".into(), json!("@id"));
        }
        Coercion::Vocab => {
            definition.insert("@type".into(), json!("@vocab"));
        }
        Coercion::Json => {
            definition.insert("@type".into(), json!("@json"));
        }
        Coercion::Datatype(datatype) => {
            definition.insert("@type".into(), json!(datatype));
        }
    }
    if let Some(keyword) = container.keyword() {
        definition.insert("@container".into(), keyword);
    }
    if container == Container::IndexBy {
        definition.insert("@index".into(), json!(term_iri(rng, "indexedBy")));
    }
    if coercion == Coercion::Plain && !container.holds_nodes() && rng.random_bool(0.15) {
        definition.insert(
            "@language".into(),
            pick(rng, &[json!("EN-gb"), json!("zh-Hant"), Value::Null]),
        );
    }
    if coercion == Coercion::Plain && !container.holds_nodes() && rng.random_bool(0.08) {
        definition.insert(
            "@direction".into(),
            pick(rng, &[json!("rtl"), json!("ltr"), Value::Null]),
        );
    }
    match scope.nests.first() {
        Some(&nest) if !reverse && rng.random_bool(0.3) => {
            definition.insert("@nest".into(), json!(nest));
        }
        _ => {}
    }
    if rng.random_bool(0.05) {
        definition.insert("@protected".into(), json!(rng.random_bool(0.5)));
    }
    let scoped = if depth == 0 && !reverse && rng.random_bool(0.15) {
        scoped_terms(rng, scope)
    } else {
        Vec::new()
    };
    // Property-scoped contexts propagate unless they say otherwise.
    let propagate = rng.random_bool(0.75);
    if !scoped.is_empty() {
        definition.insert(
            "@context".into(),
            scoped_context(rng, &scoped, propagate, true),
        );
    }
    let simple = definition.len() == 1 && !reverse;
    Term {
        name,
        definition: if simple && rng.random_bool(0.6) {
            json!(iri)
        } else {
            Value::Object(definition)
        },
        coercion,
        container,
        reverse,
        scoped,
        propagate,
    }
}

/// Terms for a scoped context: a name taken by a term outside is mostly redefined exactly as
/// it was (which `@protected` allows), sometimes differently (which it refuses).
fn scoped_terms(rng: &mut impl Rng, outer: &Scope) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    for _ in 0..rng.random_range(1..4) {
        let name = pick(rng, &TERM_NAMES);
        if terms.iter().any(|t| t.name == name) {
            continue;
        }
        let same = outer.terms.iter().find(|t| t.name == name);
        terms.push(match same {
            Some(existing) if rng.random_bool(0.7) => existing.clone(),
            _ => term(rng, name, 1, outer),
        });
    }
    terms
}

/// A scoped context defining `terms`; `@propagate` written where it differs from the
/// `default` of its kind, and now and then where it does not.
fn scoped_context(rng: &mut impl Rng, terms: &[Term], propagate: bool, default: bool) -> Value {
    let mut context = Map::new();
    if propagate != default || rng.random_bool(0.1) {
        context.insert("@propagate".into(), json!(propagate));
    }
    for term in terms {
        context.insert(term.name.into(), term.definition.clone());
    }
    Value::Object(context)
}

/// A generated context: settings (`@vocab`, `@base`, default language and direction,
/// prefixes, aliases), terms and types; sometimes `@protected`.
fn vocabulary(rng: &mut impl Rng) -> Vocabulary {
    let mut context = Map::new();
    let mut scope = Scope {
        id_key: "@id",
        type_key: "@type",
        ..Scope::default()
    };
    if rng.random_bool(0.3) {
        context.insert("@version".into(), json!(1.1));
    }
    if rng.random_bool(0.15) {
        let vocab = pick(
            rng,
            &["http://vocab.example/#", "https://schema.org/", "urn:v:"],
        );
        context.insert("@vocab".into(), json!(vocab));
    }
    if rng.random_bool(0.15) {
        context.insert("@base".into(), json!("https://base.example/dir/sub/"));
        scope.has_base = true;
    }
    if rng.random_bool(0.15) {
        context.insert("@language".into(), json!(pick(rng, &LANGUAGES)));
    }
    if rng.random_bool(0.1) {
        context.insert("@direction".into(), json!(pick(rng, &["rtl", "ltr"])));
    }
    context.insert("xsd".into(), json!(XSD));
    if rng.random_bool(0.5) {
        context.insert("ex".into(), json!("http://ex.example/ns#"));
        scope.prefixes.push("ex");
    }
    if rng.random_bool(0.2) {
        // Not ending in a gen-delim: a prefix only because it says so.
        context.insert("pre".into(), json!({"@id": "urn:pre", "@prefix": true}));
        scope.prefixes.push("pre");
    }
    if rng.random_bool(0.5) {
        context.insert("id".into(), json!("@id"));
        context.insert("type".into(), json!("@type"));
        scope.id_key = "id";
        scope.type_key = "type";
    }
    if rng.random_bool(0.25) {
        context.insert("meta".into(), json!("@nest"));
        scope.nests.push("meta");
    }
    let mut names = TERM_NAMES.to_vec();
    for _ in 0..rng.random_range(2..8) {
        let name = names.swap_remove(rng.random_range(0..names.len()));
        let term = term(rng, name, 0, &scope);
        context.insert(name.into(), term.definition.clone());
        scope.terms.push(term);
    }
    let mut type_names = TYPE_NAMES.to_vec();
    for _ in 0..rng.random_range(0..3) {
        let name = type_names.swap_remove(rng.random_range(0..type_names.len()));
        let type_term = type_term(rng, name, &scope);
        context.insert(name.into(), type_term.definition.clone());
        scope.types.push(type_term);
    }
    let protected = rng.random_bool(0.3);
    if protected {
        context.insert("@protected".into(), json!(true));
    }
    Vocabulary {
        context,
        scope,
        protected,
    }
}

fn type_term(rng: &mut impl Rng, name: &'static str, scope: &Scope) -> TypeTerm {
    let iri = term_iri(rng, name);
    if rng.random_bool(0.5) {
        return TypeTerm {
            name,
            definition: json!(iri),
            scoped: Vec::new(),
            propagate: false,
        };
    }
    let scoped = scoped_terms(rng, scope);
    // Type-scoped contexts do not propagate unless they say so.
    let propagate = rng.random_bool(0.25);
    let context = scoped_context(rng, &scoped, propagate, false);
    TypeTerm {
        name,
        definition: json!({"@id": iri, "@context": context}),
        scoped,
        propagate,
    }
}

/// Writes values as the scope allows, mostly; a few slips are part of the plan.
struct Writer<'r, R: Rng> {
    rng: &'r mut R,
}

impl<R: Rng> Writer<'_, R> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn iri_reference(&mut self, scope: &Scope) -> String {
        match self.rng.random_range(0..10) {
            0..=3 => pick(self.rng, &IRIS).to_string(),
            // Few labels, so that references meet.
            4 | 5 => format!("_:b{}", self.rng.random_range(0..3)),
            6 if !scope.prefixes.is_empty() => {
                format!(
                    "{}:thing{}",
                    pick(self.rng, &scope.prefixes),
                    self.rng.random_range(0..3)
                )
            }
            7 if scope.has_base => pick(self.rng, &RELATIVE_IRIS).to_string(),
            _ => format!("http://ex.example/n/{}", self.rng.random_range(0..20)),
        }
    }

    /// A node object: perhaps an `@id`, types (whose scoped contexts apply to its own
    /// properties, and to nested nodes only if they propagate), then properties.
    fn node(&mut self, scope: &Scope, below: &Scope, depth: u32) -> Map<String, Value> {
        let mut node = Map::new();
        if self.chance(0.4) {
            let id = self.iri_reference(scope);
            node.insert(scope.id_key.into(), json!(id));
        }
        let (mut own, mut nested) = (scope.clone(), below.clone());
        if !scope.types.is_empty() && self.chance(0.5) {
            let chosen = scope.types[self.rng.random_range(0..scope.types.len())].clone();
            let types = if self.chance(0.3) {
                json!([chosen.name, pick(self.rng, &IRIS)])
            } else if self.chance(0.3) {
                json!([chosen.name])
            } else {
                json!(chosen.name)
            };
            node.insert(scope.type_key.into(), types);
            own = own.with(&chosen.scoped);
            if chosen.propagate {
                nested = nested.with(&chosen.scoped);
            }
        }
        // Deep enough: a node holds no more nodes, only perhaps an identifier.
        let properties = if depth < 4 {
            self.rng.random_range(1..5)
        } else {
            0
        };
        for _ in 0..properties {
            self.property(&mut node, &own, &nested, depth);
        }
        if self.chance(0.05) {
            let key = match scope.prefixes.first() {
                Some(prefix) => format!("{prefix}:local"),
                None => "http://ex.example/ns#absolute".into(),
            };
            let value = self.literal(scope, depth);
            node.insert(key, value);
        }
        if depth < 3 && self.chance(0.04) {
            let reverse = self.node(scope, below, depth + 1);
            node.insert(
                "@reverse".into(),
                json!({"http://ex.example/ns#knows": reverse}),
            );
        }
        node
    }

    /// Adds a property of `scope` to `node` (inside a `@nest` object when its term says so).
    fn property(
        &mut self,
        node: &mut Map<String, Value>,
        scope: &Scope,
        below: &Scope,
        depth: u32,
    ) {
        let Some(term) = scope
            .terms
            .get(self.rng.random_range(0..scope.terms.len().max(1)))
        else {
            return;
        };
        let term = term.clone();
        let value_scope = below.with(&term.scoped);
        let value_below = if term.propagate {
            value_scope.clone()
        } else {
            below.clone()
        };
        let value = self.value(&term, &value_scope, &value_below, depth + 1);
        let nest = term.definition.get("@nest").and_then(Value::as_str);
        match nest {
            Some(nest) if self.chance(0.8) => {
                let entry = node
                    .entry(nest.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(nested) = entry.as_object_mut() {
                    nested.insert(term.name.into(), value);
                }
            }
            _ => {
                node.insert(term.name.into(), value);
            }
        }
    }

    /// A value of `term`, shaped by its container.
    fn value(&mut self, term: &Term, scope: &Scope, below: &Scope, depth: u32) -> Value {
        match term.container {
            Container::List => {
                let items = (0..self.rng.random_range(0..4))
                    .map(|_| {
                        if self.chance(0.1) {
                            json!([self.single(term, scope, below, depth)])
                        } else {
                            self.single(term, scope, below, depth)
                        }
                    })
                    .collect();
                Value::Array(items)
            }
            Container::Language => self.language_map(),
            Container::Index | Container::GraphIndex => {
                self.map(&["a", "第一", "@none", "", "Z"], term, scope, below, depth)
            }
            Container::IndexBy => self.map(&["one", "two", "@none"], term, scope, below, depth),
            Container::Id | Container::GraphId => {
                let keys = ["http://ex.example/g/1", "_:g2", "@none", "urn:x:3"];
                self.map(&keys, term, scope, below, depth)
            }
            Container::Type => {
                let mut keys: Vec<&str> = scope.types.iter().map(|t| t.name).collect();
                keys.extend(["http://ex.example/ns#T", "@none"]);
                self.map(&keys, term, scope, below, depth)
            }
            Container::Graph => Value::Object(self.node(scope, below, depth)),
            Container::Single | Container::Set => match self.rng.random_range(0..10) {
                0 => json!([]),
                1 | 2 => json!([self.single(term, scope, below, depth)]),
                3 => Value::Array(
                    (0..self.rng.random_range(2..5))
                        .map(|_| self.single(term, scope, below, depth))
                        .collect(),
                ),
                _ => self.single(term, scope, below, depth),
            },
        }
    }

    /// A map container's value: some of `keys`, each with a node (or a value where allowed).
    fn map(
        &mut self,
        keys: &[&str],
        term: &Term,
        scope: &Scope,
        below: &Scope,
        depth: u32,
    ) -> Value {
        let mut map = Map::new();
        for _ in 0..self.rng.random_range(1..4) {
            let key = pick(self.rng, keys);
            let value = if term.container.holds_nodes() || depth >= 4 {
                let mut node = self.node(scope, below, depth);
                // The map's key gives the identifier.
                node.remove(scope.id_key);
                Value::Object(node)
            } else {
                self.single(term, scope, below, depth)
            };
            map.insert(key.into(), value);
        }
        Value::Object(map)
    }

    fn language_map(&mut self) -> Value {
        let mut map = Map::new();
        for _ in 0..self.rng.random_range(1..4) {
            let language = if self.chance(0.15) {
                "@none"
            } else {
                pick(self.rng, &LANGUAGES)
            };
            let value = match self.rng.random_range(0..6) {
                0 => json!([
                    common::awkward_string(self.rng),
                    common::awkward_string(self.rng)
                ]),
                1 => Value::Null,
                _ => json!(common::awkward_string(self.rng)),
            };
            map.insert(language.into(), value);
        }
        Value::Object(map)
    }

    /// One value of `term`, as its coercion expects.
    fn single(&mut self, term: &Term, scope: &Scope, below: &Scope, depth: u32) -> Value {
        let node_allowed = depth < 4;
        match term.coercion {
            _ if term.reverse => {
                if term.coercion == Coercion::Id && self.chance(0.5) {
                    json!(self.iri_reference(scope))
                } else {
                    let mut node = self.node(scope, below, depth);
                    let id = self.iri_reference(scope);
                    node.entry(scope.id_key).or_insert(json!(id));
                    Value::Object(node)
                }
            }
            Coercion::Id if node_allowed && self.chance(0.3) => {
                Value::Object(self.node(scope, below, depth))
            }
            Coercion::Id => json!(self.iri_reference(scope)),
            Coercion::Vocab => {
                let mut choices: Vec<String> =
                    scope.types.iter().map(|t| t.name.to_string()).collect();
                choices.extend(scope.terms.iter().map(|t| t.name.to_string()));
                choices.push(pick(self.rng, &IRIS).to_string());
                json!(choices[self.rng.random_range(0..choices.len())])
            }
            Coercion::Json => json_literal(self.rng),
            Coercion::Datatype(_) => match self.rng.random_range(0..4) {
                0 => common::awkward_number(self.rng),
                1 => json!(pick(
                    self.rng,
                    &["2026-01-31T23:59:60Z", "1.0", "-0", "true", "2025-06-25"]
                )),
                _ => json!(common::awkward_string(self.rng)),
            },
            Coercion::Plain if node_allowed && self.chance(0.25) => {
                Value::Object(self.node(scope, below, depth))
            }
            Coercion::Plain => self.literal(scope, depth),
        }
    }

    /// A literal: text, numbers, booleans, language-tagged and directed strings, value
    /// objects with datatypes or indexes, and now and then a null (which drops the value).
    fn literal(&mut self, scope: &Scope, depth: u32) -> Value {
        let text = common::awkward_string(self.rng);
        match self.rng.random_range(0..15) {
            0..=4 => json!(text),
            5..=7 => common::awkward_number(self.rng),
            8 => json!(self.chance(0.5)),
            9 => {
                let mut value = json!({"@value": text, "@language": pick(self.rng, &LANGUAGES)});
                if self.chance(0.3) {
                    value["@direction"] = json!(pick(self.rng, &["rtl", "ltr"]));
                }
                value
            }
            10 => json!({"@value": text, "@direction": pick(self.rng, &["rtl", "ltr"])}),
            11 => {
                let value = if self.chance(0.5) {
                    common::awkward_number(self.rng)
                } else {
                    json!(text)
                };
                json!({"@value": value, "@type": pick(self.rng, &DATATYPES)})
            }
            12 => json!({"@value": text, "@index": "idx"}),
            13 => Value::Null,
            _ if depth < 4 => {
                let mut node = Map::new();
                let id = self.iri_reference(scope);
                node.insert(scope.id_key.into(), json!(id));
                Value::Object(node)
            }
            _ => json!(text),
        }
    }
}

/// A value for an `@json` term: any JSON, numbers of every form included.
fn json_literal(rng: &mut impl Rng) -> Value {
    match rng.random_range(0..6) {
        0 => common::awkward_number(rng),
        1 => Value::Null,
        2 => json!({"b": [1, 2.5, true, null], "a": {"z": "", "é": 1e21}}),
        _ => common::awkward_value(rng, 1),
    }
}

/// Where a generated context goes: inline, remote, split across URLs (one protected term
/// defined alike in both, as credentials v2 and data-integrity v2 define DataIntegryProof),
/// or `@import`ed and amended.
fn place(
    rng: &mut impl Rng,
    vocabulary: &Vocabulary,
    contexts: &mut Map<String, Value>,
) -> Vec<Value> {
    let id = rng.random::<u32>();
    let url = |part: &str| format!("https://contexts.corridor.example/{id}/{part}.jsonld");
    let context = Value::Object(vocabulary.context.clone());
    match rng.random_range(0..10) {
        0..=2 => vec![context],
        3..=5 => {
            contexts.insert(url("v1"), json!({"@context": context}));
            vec![json!(url("v1"))]
        }
        6 | 7 => {
            let (first, second) = split(rng, &vocabulary.context);
            contexts.insert(url("a"), json!({"@context": first}));
            if rng.random_bool(0.5) {
                contexts.insert(url("b"), json!({"@context": second}));
                vec![json!(url("a")), json!(url("b"))]
            } else {
                vec![json!(url("a")), second]
            }
        }
        _ => {
            let mut imported = vocabulary.context.clone();
            let mut importing = Map::new();
            // jsonld.js refuses an imported setting the importing context lacks ("keyword
            // redefinition"): mostly the settings stay with the importing context.
            if rng.random_bool(0.8) {
                let settings: Vec<String> = imported
                    .keys()
                    .filter(|key| key.starts_with('@') && *key != "@protected")
                    .cloned()
                    .collect();
                for key in settings {
                    importing.insert(key.clone(), imported.remove(&key).unwrap_or_default());
                }
            }
            contexts.insert(url("base"), json!({"@context": imported}));
            importing.insert("@import".into(), json!(url("base")));
            if !vocabulary.protected && rng.random_bool(0.5) {
                importing.insert("remark".into(), json!("urn:amended:remark"));
            }
            vec![Value::Object(importing)]
        }
    }
}

/// Splits a context in two, settings in both, terms shared out; a protected term in both.
fn split(rng: &mut impl Rng, context: &Map<String, Value>) -> (Value, Value) {
    let (mut first, mut second) = (Map::new(), Map::new());
    for (key, value) in context {
        if key.starts_with('@') || key == "xsd" || rng.random_bool(0.5) {
            first.insert(key.clone(), value.clone());
        } else {
            second.insert(key.clone(), value.clone());
        }
    }
    for (key, value) in [
        ("@protected", json!(true)),
        (
            "Shared",
            json!({
                "@id": "https://w3id.org/security#Shared",
                "@context": {"@protected": true, "sharedNote": "https://w3id.org/security#note"}
            }),
        ),
    ] {
        first.insert(key.into(), value.clone());
        second.insert(key.into(), value);
    }
    (Value::Object(first), Value::Object(second))
}

/// A document on one or two generated contexts: a node, a top-level `@graph`, a named graph,
/// or an array of nodes.
fn free_form(rng: &mut impl Rng) -> Case {
    let mut contexts = Map::new();
    let vocabulary = vocabulary(rng);
    let mut context = place(rng, &vocabulary, &mut contexts);
    let mut scope = vocabulary.scope.clone();
    if rng.random_bool(0.15) {
        // On top of the credentials context: its protected `id`, `type`, `name`.
        context.insert(0, json!(V2));
        scope.id_key = "id";
        scope.type_key = "type";
    }
    let context = match context.as_slice() {
        [only] if rng.random_bool(0.6) => only.clone(),
        _ => Value::Array(context),
    };
    let shape = rng.random_range(0..10);
    let mut writer = Writer { rng };
    let mut node = || Value::Object(writer.node(&scope, &scope, 0));
    let document = match shape {
        0 => json!({"@context": context, "@graph": [node(), node()]}),
        1 => {
            let mut named = with_context(json!({"@id": "http://ex.example/graph/1"}), context);
            named["@graph"] = json!([node(), node()]);
            named
        }
        2 => json!([
            with_context(node(), context.clone()),
            with_context(node(), context)
        ]),
        _ => with_context(node(), context),
    };
    Case {
        document,
        contexts,
        compact_context: Value::Null,
    }
}

/// `node` with `@context` first.
fn with_context(node: Value, context: Value) -> Value {
    let mut document = Map::new();
    document.insert("@context".into(), context);
    if let Value::Object(node) = node {
        document.extend(node);
    }
    Value::Object(document)
}

/// A field of a TrustVC form: text, or a list of items with fields of their own.
enum Field {
    Text(&'static str),
    Items(&'static str, &'static [Field]),
}

/// The document types TrustVC bundles contexts for, with the fields those define.
struct Form {
    context: &'static str,
    type_name: &'static str,
    fields: &'static [Field],
}

const FORMS: [Form; 3] = [
    Form {
        context: "https://trustvc.io/context/bill-of-lading.json",
        type_name: "BillOfLading",
        fields: &[
            Text("billOfLadingName"),
            Text("scac"),
            Text("blNumber"),
            Text("vessel"),
            Text("voyageNo"),
            Text("portOfLoading"),
            Text("portOfDischarge"),
            Text("carrierName"),
            Text("placeOfReceipt"),
            Text("placeOfDelivery"),
            Items(
                "packages",
                &[
                    Text("packagesDescription"),
                    Text("packagesWeight"),
                    Text("packagesMeasurement"),
                ],
            ),
            Text("shipperName"),
            Text("shipperAddressStreet"),
            Text("shipperAddressCountry"),
            Text("consigneeName"),
            Text("notifyPartyName"),
            Text("links"),
        ],
    },
    Form {
        context: "https://trustvc.io/context/invoice.json",
        type_name: "Invoice",
        fields: &[
            Text("invoiceId"),
            Text("invoiceName"),
            Text("date"),
            Text("customerId"),
            Text("terms"),
            Text("subtotal"),
            Text("tax"),
            Text("taxTotal"),
            Text("total"),
            Text("billFromName"),
            Text("billToEmail"),
            Text("billToCompanyName"),
            Items(
                "billableItems",
                &[
                    Text("billableItemsDescription"),
                    Text("billableItemsQuantity"),
                    Text("billableItemsUnitPrice"),
                    Text("billableItemsAmount"),
                ],
            ),
        ],
    },
    Form {
        context: "https://trustvc.io/context/coo.json",
        type_name: "Coo",
        fields: &[
            Text("cooId"),
            Text("issueDateTime"),
            Text("supplyChainConsignmentId"),
            Text("exportCountryCode"),
            Text("exporterName"),
            Text("importerName"),
            Text("importerPostcode"),
            Items(
                "includedConsignmentItems",
                &[
                    Text("includedConsignmentItemsId"),
                    Text("originCriteriaText"),
                    Text("manufacturerName"),
                    Items(
                        "tradeLineItems",
                        &[
                            Text("sequenceNumber"),
                            Text("tradeProductDescription"),
                            Text("originCountryCode"),
                            Items(
                                "transportPackages",
                                &[
                                    Text("transportPackagesId"),
                                    Text("transportPackagesGrossWeight"),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            Text("departureDateTime"),
        ],
    },
];

const V1: &str = "https://www.w3.org/2018/credentials/v1";
const V2: &str = "https://www.w3.org/ns/credentials/v2";
const DATA_INTEGRITY: &str = "https://w3id.org/security/data-integrity/v2";

/// A W3C credential as TrustVC issues them: VC 2.0 (or 1.1) on its bundled contexts, a
/// subject of one of its forms, statuses, render method, QR code and a DataIntegrityProof;
/// sometimes with a generated context for fields of the issuer's own.
fn credential(rng: &mut impl Rng) -> Case {
    let v2 = rng.random_bool(0.75);
    let form = &FORMS[rng.random_range(0..FORMS.len())];
    let mut context = vec![json!(if v2 { V2 } else { V1 })];
    let mut credential = Map::new();
    let with_proof = rng.random_bool(0.7);
    if with_proof && (!v2 || rng.random_bool(0.8)) {
        context.push(json!(DATA_INTEGRITY));
    }
    context.push(json!(form.context));
    if rng.random_bool(0.7) {
        credential.insert(
            "id".into(),
            json!(pick(
                rng,
                &[
                    "urn:uuid:01a217ee-5d29-7aac-85c1-fabfe1b0cdbe",
                    "https://ex.example/vc/1"
                ]
            )),
        );
    }
    credential.insert(
        "type".into(),
        pick(
            rng,
            &[
                json!(["VerifiableCredential"]),
                json!("VerifiableCredential"),
            ],
        ),
    );
    let issuer = pick(rng, &IRIS[3..5]);
    credential.insert(
        "issuer".into(),
        if v2 && rng.random_bool(0.2) {
            json!({"id": issuer, "name": common::awkward_string(rng)})
        } else {
            json!(issuer)
        },
    );
    let dates = if v2 {
        ["validFrom", "validUntil"]
    } else {
        ["issuanceDate", "expirationDate"]
    };
    credential.insert(dates[0].into(), json!("2025-06-25T19:00:00Z"));
    if rng.random_bool(0.3) {
        credential.insert(
            dates[1].into(),
            json!(pick(rng, &["2099-01-01T00:00:00.000Z", "2030-02-30"])),
        );
    }
    if v2 && rng.random_bool(0.3) {
        credential.insert("name".into(), display_text(rng));
        credential.insert("description".into(), display_text(rng));
    }
    let mut writer = Writer { rng };
    let mut subject = subject(&mut writer, form);
    let mut contexts = Map::new();
    if writer.chance(0.35) {
        // The issuer's own fields, on a context of its own.
        let vocabulary = vocabulary(writer.rng);
        context.extend(place(writer.rng, &vocabulary, &mut contexts));
        let scope = vocabulary.scope;
        for _ in 0..writer.rng.random_range(1..4) {
            writer.property(&mut subject, &scope, &scope, 1);
        }
    }
    credential.insert(
        "credentialSubject".into(),
        if writer.chance(0.1) {
            json!([subject, {"id": pick(writer.rng, &IRIS)}])
        } else {
            Value::Object(subject)
        },
    );
    let rng = writer.rng;
    if let Some(status) = status(rng, v2, &mut context) {
        credential.insert("credentialStatus".into(), status);
    }
    decorations(rng, v2, &mut context, &mut credential);
    if with_proof {
        credential.insert("proof".into(), proof(rng));
    }
    let mut document = Map::new();
    document.insert("@context".into(), Value::Array(context));
    document.extend(credential);
    Case {
        document: Value::Object(document),
        contexts,
        compact_context: Value::Null,
    }
}

/// Text for `name` and `description`: plain, language-tagged, or several languages.
fn display_text(rng: &mut impl Rng) -> Value {
    let text = common::awkward_string(rng);
    match rng.random_range(0..4) {
        0 => json!({"@value": text, "@language": pick(rng, &LANGUAGES)}),
        1 => json!([
            {"@value": text, "@language": "EN", "@direction": "ltr"},
            {"@value": "名称", "@language": "zh-Hans"}
        ]),
        _ => json!(text),
    }
}

/// A subject of `form`: its type and some of its fields, with text, numbers, arrays of one,
/// empty arrays and nulls where a clerk would leave them.
fn subject<R: Rng>(writer: &mut Writer<R>, form: &Form) -> Map<String, Value> {
    let mut subject = Map::new();
    if writer.chance(0.3) {
        subject.insert("id".into(), json!(pick(writer.rng, &IRIS)));
    }
    subject.insert(
        "type".into(),
        if writer.chance(0.5) {
            json!([form.type_name])
        } else {
            json!(form.type_name)
        },
    );
    fill(writer, &mut subject, form.fields);
    subject
}

fn fill<R: Rng>(writer: &mut Writer<R>, object: &mut Map<String, Value>, fields: &[Field]) {
    for field in fields {
        if writer.chance(0.4) {
            continue;
        }
        match field {
            Text(name) => {
                let value = match writer.rng.random_range(0..12) {
                    0 => common::awkward_number(writer.rng),
                    1 => json!([common::awkward_string(writer.rng)]),
                    2 => Value::Null,
                    3 => json!(writer.chance(0.5)),
                    _ => json!(common::awkward_string(writer.rng)),
                };
                object.insert((*name).into(), value);
            }
            Items(name, fields) => {
                let items = (0..writer.rng.random_range(0..3))
                    .map(|_| {
                        let mut item = Map::new();
                        fill(writer, &mut item, fields);
                        Value::Object(item)
                    })
                    .collect();
                object.insert((*name).into(), Value::Array(items));
            }
        }
    }
}

/// A status entry of the kinds TrustVC reads, adding the context it needs.
fn status(rng: &mut impl Rng, v2: bool, context: &mut Vec<Value>) -> Option<Value> {
    let list = "https://carrier.corridor.example/status/revocation/1";
    let index = rng.random_range(0..131072).to_string();
    match rng.random_range(0..5) {
        0 if v2 => {
            let chain_id = pick(rng, &[json!(1337), json!("80002"), json!(1.5)]);
            context.push(json!(
                "https://trustvc.io/context/transferable-records-context.json"
            ));
            Some(json!({
                "type": "TransferableRecords",
                "tokenNetwork": {"chain": "Local", "chainId": chain_id},
                "tokenRegistry": "0x142Ca30e3b78A840a82192529cA047ED759a6F7e",
                "tokenId": "7947c1a8f2e13c4ba597e5c2bb3c5e6f06baeb42b98db2142cd5a794939edff2"
            }))
        }
        1 | 2 if v2 => Some(json!({
            "id": format!("{list}#{index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": pick(rng, &["revocation", "suspension"]),
            "statusListIndex": index,
            "statusListCredential": list
        })),
        1 | 2 => {
            context.insert(1, json!("https://w3id.org/vc/status-list/2021/v1"));
            Some(json!({
                "id": format!("{list}#{index}"),
                "type": "StatusList2021Entry",
                "statusPurpose": "revocation",
                "statusListIndex": index,
                "statusListCredential": list
            }))
        }
        _ => None,
    }
}

/// The render method, QR code and attachments TrustVC documents carry, with their contexts.
fn decorations(
    rng: &mut impl Rng,
    v2: bool,
    context: &mut Vec<Value>,
    credential: &mut Map<String, Value>,
) {
    if rng.random_bool(0.6) {
        let method = json!({
            "id": "https://generic-templates.tradetrust.io",
            "type": "EMBEDDED_RENDERER",
            "templateName": "BILL_OF_LADING"
        });
        context.push(json!(if v2 {
            "https://trustvc.io/context/render-method-context-v2.json"
        } else {
            "https://trustvc.io/context/render-method-context.json"
        }));
        credential.insert(
            "renderMethod".into(),
            if rng.random_bool(0.7) {
                json!([method])
            } else {
                method
            },
        );
    }
    if rng.random_bool(0.4) {
        context.push(json!("https://trustvc.io/context/qrcode-context.json"));
        credential.insert(
            "qrCode".into(),
            json!({
                "type": "TrustVCQRCode",
                "uri": "https://actions.tradetrust.io?q=corridor-11-14"
            }),
        );
    }
    if rng.random_bool(0.15) {
        context.push(json!("https://trustvc.io/context/attachments-context.json"));
        credential.insert(
            "attachments".into(),
            json!([{
                "data": "JVBERi0xLjQK",
                "filename": "invoice.pdf",
                "mimeType": "application/pdf"
            }]),
        );
    }
}

/// A DataIntegrityProof as the selective disclosure suites write one.
fn proof(rng: &mut impl Rng) -> Value {
    json!({
        "type": "DataIntegrityProof",
        "created": "2025-06-25T19:00:01Z",
        "verificationMethod": "did:web:carrier.corridor.example#keys-1",
        "cryptosuite": pick(rng, &["ecdsa-sd-2023", "bbs-2023"]),
        "proofPurpose": "assertionMethod",
        "proofValue": "u2V0AhVhAqgYcU1H_8ZKiIXzHtBZk6Ni4bh6Dh9QmnWT9y0-Y3LY"
    })
}

/// The context to compact with: mostly the document's own, as di-sd-primitives compacts; or
/// one that names less, or more (a `@vocab`, `@set` containers, a default language).
fn compaction_context(rng: &mut impl Rng, case: &Case) -> Value {
    let own = match &case.document {
        Value::Object(document) => document.get("@context").cloned(),
        Value::Array(nodes) => nodes.first().and_then(|node| node.get("@context").cloned()),
        _ => None,
    }
    .unwrap_or(Value::Null);
    match rng.random_range(0..10) {
        0 => json!(V2),
        1 => json!({"@vocab": "http://vocab.example/#", "@language": "en", "xsd": XSD}),
        2 => {
            let sets = json!({
                "@version": 1.1,
                "sets": {"@id": "https://schema.org/name", "@container": "@set"}
            });
            appended(own, sets)
        }
        _ => own,
    }
}

/// `context` followed by `more`, in one array as `@context` must be.
fn appended(context: Value, more: Value) -> Value {
    match context {
        Value::Array(mut contexts) => {
            contexts.push(more);
            Value::Array(contexts)
        }
        Value::Null => more,
        context => json!([context, more]),
    }
}

/// Ways to break a document that safe mode (or the syntax) refuses, each hitting one code.
mod breakage {
    use super::*;

    /// Breaks `case` in one way: the node it changes is the document's top node, the first
    /// of its graph, or a credential's subject.
    pub fn apply(rng: &mut impl Rng, case: &mut Case) {
        match rng.random_range(0..23) {
            // Safe mode: "invalid property".
            0 | 1 => put(case, "undefinedTerm", json!("x")),
            // Safe mode: "relative @type reference".
            2 | 3 => add_type(node(case), "UndefinedType"),
            // Safe mode: "relative @id reference".
            4 => {
                let id = pick(rng, &["relative/1", "#frag", "../x"]);
                set_keyword(node(case), "@id", json!(id))
            }
            // Safe mode: "invalid @language value".
            5 => {
                let language = pick(rng, &["en_US", "123456789", "e n", ""]);
                put(
                    case,
                    "http://ex.example/ns#said",
                    json!({"@value": "x", "@language": language}),
                )
            }
            // Safe mode: "empty object", "object with only @id", "@value" or "@list",
            // "free-floating scalar".
            6 => top_level(case, json!({})),
            7 => top_level(case, json!({"@id": "http://ex.example/only-id"})),
            8 => top_level(case, json!({"@value": "loose"})),
            9 => top_level(case, json!({"@list": []})),
            10 => top_level(case, json!("free-floating")),
            // Safe mode: "object with only @language", "null @value value".
            11 => put(case, "http://ex.example/ns#p", json!({"@language": "en"})),
            12 => put(case, "http://ex.example/ns#p", json!({"@value": null})),
            // Safe mode: "reserved @id value".
            13 => set_keyword(node(case), "@id", json!("@reserved")),
            // Safe mode: "reserved term", "reserved @reverse value", "relative @vocab reference".
            14 => amend_context(case, json!({"@reserved": "http://ex.example/ns#r"}), None),
            15 => {
                let used = ("rev", json!({"@id": "http://ex.example/r"}));
                amend_context(case, json!({"rev": {"@reverse": "@reversed"}}), Some(used))
            }
            16 => {
                let used = ("anything", json!(1));
                amend_context(case, json!({"@vocab": "relative/"}), Some(used))
            }
            // Safe mode in toRDF only: "blank node predicate".
            17 => {
                let used = ("bnp", json!("x"));
                amend_context(case, json!({"bnp": "_:predicate"}), Some(used))
            }
            // Syntax: "invalid @id value", "invalid type value", "invalid value object value".
            18 => set_keyword(node(case), "@id", json!(5)),
            19 => set_keyword(node(case), "@type", json!({"not": "a type"})),
            20 => put(
                case,
                "http://ex.example/ns#v",
                json!({"@value": {"not": "a value"}}),
            ),
            // "loading remote context failed": a context neither bundled nor brought.
            21 => {
                let missing = json!("https://contexts.corridor.example/missing.jsonld");
                amend_context(case, missing, None)
            }
            // "protected term redefinition" in credentials, an accepted definition elsewhere.
            _ => {
                let definition = json!({"VerifiableCredential": "http://ex.example/ns#VC"});
                amend_context(case, definition, None)
            }
        }
    }

    /// Gives the node a breakage lands in the property `key`.
    fn put(case: &mut Case, key: &str, value: Value) {
        node(case).insert(key.into(), value);
    }

    /// Sets `keyword` of `node` under the key it already has it (the alias `id` for `@id`).
    fn set_keyword(node: &mut Map<String, Value>, keyword: &str, value: Value) {
        let alias = &keyword[1..];
        let key = if node.contains_key(alias) {
            alias
        } else {
            keyword
        };
        node.insert(key.into(), value);
    }

    /// Adds `type_name` to the types of `node`.
    fn add_type(node: &mut Map<String, Value>, type_name: &str) {
        let key = if node.contains_key("type") {
            "type"
        } else {
            "@type"
        };
        let types = match node.remove(key) {
            Some(Value::Array(mut types)) => {
                types.push(json!(type_name));
                json!(types)
            }
            Some(existing) => json!([existing, type_name]),
            None => json!(type_name),
        };
        node.insert(key.into(), types);
    }

    /// The node a breakage lands in.
    fn node(case: &mut Case) -> &mut Map<String, Value> {
        let document = match &mut case.document {
            Value::Array(nodes) => &mut nodes[0],
            document => document,
        };
        let document = document.as_object_mut().expect("documents are objects");
        if document.contains_key("credentialSubject") {
            let subject = match document.get_mut("credentialSubject") {
                Some(Value::Array(subjects)) => &mut subjects[0],
                Some(subject) => subject,
                None => unreachable!(),
            };
            return subject.as_object_mut().expect("subjects are objects");
        }
        if !document.get("@graph").is_some_and(Value::is_array) {
            return document;
        }
        document["@graph"][0]
            .as_object_mut()
            .expect("graph nodes are objects")
    }

    /// Puts `item` at the top: in place of the document's node, or into its top-level graph.
    fn top_level(case: &mut Case, item: Value) {
        let context = context_of(&case.document);
        let graph = match &mut case.document {
            Value::Object(document) => document.get_mut("@graph").and_then(Value::as_array_mut),
            _ => None,
        };
        match (graph, item) {
            (Some(graph), item) => graph.push(item),
            (None, Value::Object(node)) => {
                case.document = with_context(Value::Object(node), context);
            }
            (None, scalar) => case.document = json!({"@context": context, "@graph": [scalar]}),
        }
    }

    /// Adds `definition` as a last inline context, and uses `property` at the top node.
    fn amend_context(case: &mut Case, definition: Value, property: Option<(&str, Value)>) {
        let context = appended(context_of(&case.document), definition);
        match &mut case.document {
            Value::Array(nodes) => {
                for node in nodes {
                    node["@context"] = context.clone();
                }
            }
            document => document["@context"] = context,
        }
        if let Some((key, value)) = property {
            let top = match &mut case.document {
                Value::Array(nodes) => &mut nodes[0],
                document => document,
            };
            top[key] = value;
        }
    }

    fn context_of(document: &Value) -> Value {
        match document {
            Value::Array(nodes) => nodes[0]["@context"].clone(),
            document => document["@context"].clone(),
        }
    }
}
