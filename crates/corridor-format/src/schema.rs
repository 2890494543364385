//! The OpenAttestation 2.0 schema for a document's data, checked by hand-written rules that
//! follow the published schema (draft-07): which fields are required, their types, the kinds
//! of issuer and of identity proof, and the address pattern.
//!
//! Two modes, as in the reference: [`SchemaMode::Strict`] when wrapping, and
//! [`SchemaMode::Loose`] when deciding whether a wrapped document is one at all — the
//! reference then ignores `enum` and `pattern` and lets an identity proof match several kinds.

use std::fmt;

use serde_json::{Map, Value};

use crate::salt::{Unsalted, unsalt_str};

/// How strictly to apply the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaMode {
    /// The full schema, as `wrapDocument` applies it to raw data.
    Strict,
    /// Without `enum` and `pattern`, as the reference's `isWrappedV2Document` applies it.
    Loose,
}

/// One way in which data breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// Where, as `issuers[0].identityProof.type` (empty for the data itself).
    pub field: String,
    /// What is wrong, as `must be a string`.
    pub problem: String,
}

impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "data {}", self.problem)
        } else {
            write!(f, "data.{} {}", self.field, self.problem)
        }
    }
}

/// Checks `data` against the OpenAttestation 2.0 schema. `salted` says whether the leaves are
/// salted strings (a wrapped document's data) or plain values (a raw document); salted leaves
/// are read as the reference's `getData` reads them.
///
/// ```
/// use corridor_format::{validate_data, SchemaMode};
/// let data = serde_json::json!({"issuers": [{"name": "Chamber", "documentStore": "0x0000000000000000000000000000000000000001",
///     "identityProof": {"type": "DNS-TXT", "location": "example.com"}}]});
/// assert!(validate_data(&data, false, SchemaMode::Strict).is_ok());
/// let errors = validate_data(&serde_json::json!({}), false, SchemaMode::Strict).unwrap_err();
/// assert_eq!(errors[0].to_string(), "data.issuers is required");
/// ```
pub fn validate_data(
    data: &Value,
    salted: bool,
    mode: SchemaMode,
) -> Result<(), Vec<SchemaViolation>> {
    match data {
        Value::Object(root) => validate_fields(root, salted, mode),
        other => Err(vec![SchemaViolation {
            field: String::new(),
            problem: format!("must be an object, found {}", crate::js::kind_of(other)),
        }]),
    }
}

/// [`validate_data`] for data known to be an object: the schema reads only its fields.
pub(crate) fn validate_fields(
    root: &Map<String, Value>,
    salted: bool,
    mode: SchemaMode,
) -> Result<(), Vec<SchemaViolation>> {
    let mut check = Check {
        salted,
        strict: mode == SchemaMode::Strict,
        errors: Vec::new(),
        path: String::new(),
        quiet: false,
        failures: 0,
    };
    check.document(root);
    if check.errors.is_empty() {
        Ok(())
    } else {
        Err(check.errors)
    }
}

/// What the schema sees of a value: salted leaves read back to their type.
enum View<'a> {
    Absent,
    String(std::borrow::Cow<'a, str>),
    Other(&'static str),
    Array(&'a [Value]),
    Object(&'a Map<String, Value>),
}

struct Check {
    salted: bool,
    strict: bool,
    errors: Vec<SchemaViolation>,
    path: String,
    /// While trying alternatives (`oneOf`), failures are only counted, never formatted.
    quiet: bool,
    failures: usize,
}

const ADDRESS: &str = "an address (0x and 40 hex digits)";

impl Check {
    fn view<'a>(&mut self, v: Option<&'a Value>) -> View<'a> {
        match v {
            None => View::Absent,
            Some(Value::Array(a)) => View::Array(a),
            Some(Value::Object(m)) => View::Object(m),
            Some(Value::String(s)) if self.salted => match unsalt_str(s) {
                Ok(Unsalted::String(s)) => View::String(s),
                Ok(Unsalted::Number(_)) => View::Other("a number"),
                Ok(Unsalted::Bool(_)) => View::Other("a boolean"),
                Ok(Unsalted::Null) => View::Other("null"),
                Ok(Unsalted::Undefined) => View::Absent,
                Err(e) => {
                    self.fail(e.to_string());
                    View::Other("an unreadable salted value")
                }
            },
            Some(Value::String(s)) => View::String(std::borrow::Cow::Borrowed(s)),
            Some(Value::Number(_)) => View::Other("a number"),
            Some(Value::Bool(_)) => View::Other("a boolean"),
            Some(Value::Null) => View::Other("null"),
        }
    }

    fn fail(&mut self, problem: impl fmt::Display) {
        self.failures += 1;
        if !self.quiet {
            self.errors.push(SchemaViolation {
                field: self.path.clone(),
                problem: problem.to_string(),
            });
        }
    }

    /// Runs `f` with `key` appended to the path.
    fn at<R>(&mut self, key: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.len();
        if !self.path.is_empty() && !key.starts_with('[') {
            self.path.push('.');
        }
        self.path.push_str(key);
        let r = f(self);
        self.path.truncate(len);
        r
    }

    /// Runs `f` quietly and reports whether it passed, keeping no errors.
    fn passes(&mut self, f: impl FnOnce(&mut Self)) -> bool {
        let (before, was_quiet) = (self.failures, self.quiet);
        self.quiet = true;
        f(self);
        self.quiet = was_quiet;
        let ok = self.failures == before;
        self.failures = before;
        ok
    }

    fn object<'a>(&mut self, v: Option<&'a Value>) -> Option<&'a Map<String, Value>> {
        match self.view(v) {
            View::Object(m) => Some(m),
            View::Absent => None,
            other => {
                self.fail(format_args!(
                    "must be an object, found {}",
                    describe(&other)
                ));
                None
            }
        }
    }

    fn required(&mut self, map: &Map<String, Value>, keys: &[&str]) {
        for key in keys {
            let present = !matches!(self.view(map.get(*key)), View::Absent);
            if !present {
                self.at(key, |c| c.fail("is required"));
            }
        }
    }

    fn string<'a>(
        &mut self,
        map: &'a Map<String, Value>,
        key: &str,
    ) -> Option<std::borrow::Cow<'a, str>> {
        self.at(key, |c| match c.view(map.get(key)) {
            View::String(s) => Some(s),
            View::Absent => None,
            other => {
                c.fail(format_args!("must be a string, found {}", describe(&other)));
                None
            }
        })
    }

    fn string_enum(&mut self, map: &Map<String, Value>, key: &str, allowed: &[&str]) {
        if let Some(s) = self.string(map, key)
            && self.strict
            && !allowed.contains(&&*s)
        {
            self.at(key, |c| {
                c.fail(format_args!(
                    "must be one of {}, found {s:?}",
                    allowed.join(", ")
                ))
            });
        }
    }

    fn address(&mut self, map: &Map<String, Value>, key: &str) {
        if let Some(s) = self.string(map, key)
            && self.strict
            && !is_address(&s)
        {
            self.at(key, |c| {
                c.fail(format_args!("must be {ADDRESS}, found {s:?}"))
            });
        }
    }

    fn document(&mut self, root: &Map<String, Value>) {
        self.string(root, "id");
        self.at("$template", |c| c.template(root.get("$template")));
        self.string(root, "documentUrl");
        self.required(root, &["issuers"]);
        self.at("issuers", |c| c.issuers(root.get("issuers")));
        self.at("recipient", |c| {
            if let Some(r) = c.object(root.get("recipient")) {
                c.string(r, "name");
            }
        });
        self.at("network", |c| {
            if let Some(n) = c.object(root.get("network")) {
                c.required(n, &["chain"]);
                c.string(n, "chain");
                c.string(n, "chainId");
            }
        });
        self.at("attachments", |c| c.attachments(root.get("attachments")));
    }

    fn template(&mut self, v: Option<&Value>) {
        match self.view(v) {
            View::Absent | View::String(_) => {}
            View::Object(t) => {
                self.required(t, &["name", "type"]);
                self.string(t, "name");
                self.string_enum(t, "type", &["EMBEDDED_RENDERER"]);
                self.string(t, "url");
            }
            other => self.fail(format_args!(
                "must be a string or an object, found {}",
                describe(&other)
            )),
        }
    }

    fn attachments(&mut self, v: Option<&Value>) {
        match self.view(v) {
            View::Absent => {}
            View::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.at(&format!("[{i}]"), |c| {
                        let Some(a) = c.object(Some(item)) else {
                            return;
                        };
                        c.required(a, &["filename", "type", "data"]);
                        for key in ["filename", "type", "data"] {
                            c.string(a, key);
                        }
                        for key in a
                            .keys()
                            .filter(|k| !["filename", "type", "data"].contains(&k.as_str()))
                        {
                            c.at(key, |c| c.fail("is not allowed in an attachment"));
                        }
                    });
                }
            }
            other => self.fail(format_args!("must be an array, found {}", describe(&other))),
        }
    }

    fn issuers(&mut self, v: Option<&Value>) {
        match self.view(v) {
            View::Absent => {}
            View::Array([]) => self.fail("must hold at least one issuer"),
            View::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.at(&format!("[{i}]"), |c| c.issuer(item));
                }
            }
            other => self.fail(format_args!("must be an array, found {}", describe(&other))),
        }
    }

    /// An issuer must be exactly one of: token registry, document store, certificate store,
    /// or a plain issuer (one with none of the three).
    fn issuer(&mut self, item: &Value) {
        let Some(map) = self.object(Some(item)) else {
            return;
        };
        type Kind = fn(&mut Check, &Map<String, Value>);
        let kinds: [(&str, Kind); 4] = [
            ("tokenRegistry", |c, m| {
                c.issuer_base(m);
                c.required(m, &["tokenRegistry"]);
                c.address(m, "tokenRegistry");
            }),
            ("documentStore", |c, m| {
                c.issuer_base(m);
                c.required(m, &["documentStore"]);
                c.address(m, "documentStore");
            }),
            ("certificateStore", |c, m| {
                c.required(m, &["name", "certificateStore"]);
                c.string(m, "name");
                c.address(m, "certificateStore");
            }),
            ("", |c, m| {
                c.issuer_base(m);
                for key in ["certificateStore", "tokenRegistry", "documentStore"] {
                    if !matches!(c.view(m.get(key)), View::Absent) {
                        c.at(key, |c| {
                            c.fail("is not allowed beside the other fields of this issuer")
                        });
                    }
                }
            }),
        ];
        // A kind can only match when its own key is there (and the plain issuer when none
        // is): trying only those gives the same answer for a quarter of the work.
        let mut present = [false; 3];
        for (flag, key) in
            present
                .iter_mut()
                .zip(["tokenRegistry", "documentStore", "certificateStore"])
        {
            *flag = !matches!(self.view(map.get(key)), View::Absent);
        }
        let possible = |i: usize| {
            if i < 3 {
                present[i]
            } else {
                !present.contains(&true)
            }
        };
        let matching: Vec<&str> = (0..kinds.len())
            .filter(|&i| possible(i) && self.passes(|c| (kinds[i].1)(c, map)))
            .map(|i| kinds[i].0)
            .collect();
        match matching.as_slice() {
            [_] => {}
            [] => {
                // Report against the kind the issuer says it is, or the plain issuer.
                let (_, kind) = kinds
                    .iter()
                    .find(|(name, _)| !name.is_empty() && map.contains_key(*name))
                    .unwrap_or(&kinds[3]);
                let before = self.failures;
                kind(self, map);
                if self.failures == before {
                    self.fail("is no kind of issuer the schema knows");
                }
            }
            several => {
                let names: Vec<_> = several
                    .iter()
                    .map(|n| if n.is_empty() { "plain issuer" } else { n })
                    .collect();
                self.fail(format_args!(
                    "must be exactly one kind of issuer, but matches {}",
                    names.join(" and ")
                ));
            }
        }
    }

    fn issuer_base(&mut self, m: &Map<String, Value>) {
        self.required(m, &["name", "identityProof"]);
        self.string(m, "id");
        self.string(m, "name");
        self.at("revocation", |c| {
            if let Some(r) = c.object(m.get("revocation")) {
                c.string_enum(r, "type", &["NONE", "REVOCATION_STORE", "OCSP_RESPONDER"]);
                c.string(r, "location");
            }
        });
        self.at("identityProof", |c| {
            c.identity_proof(m.get("identityProof"))
        });
    }

    /// Strictly, exactly one of DNS-TXT, DNS-DID and DID; loosely (no enums), any of them.
    fn identity_proof(&mut self, v: Option<&Value>) {
        let Some(p) = self.object(v) else { return };
        type Kind = fn(&mut Check, &Map<String, Value>);
        let kinds: [(&str, Kind); 3] = [
            ("DNS-TXT", |c, p| {
                c.required(p, &["type", "location"]);
                c.string_enum(p, "type", &["DNS-TXT"]);
                c.string(p, "location");
            }),
            ("DNS-DID", |c, p| {
                c.required(p, &["type", "key", "location"]);
                c.string_enum(p, "type", &["DNS-DID"]);
                c.string(p, "key");
                c.string(p, "location");
            }),
            ("DID", |c, p| {
                c.required(p, &["type", "key"]);
                c.string_enum(p, "type", &["DID"]);
                c.string(p, "key");
            }),
        ];
        let declared = p.get("type").and_then(|t| match self.view(Some(t)) {
            View::String(s) => Some(s),
            _ => None,
        });
        // Strictly, the `type` enum lets only the declared kind match, so exactly one is
        // tried; loosely, any match will do.
        let matching = if self.strict {
            kinds
                .iter()
                .filter(|(name, kind)| {
                    Some(*name) == declared.as_deref() && self.passes(|c| kind(c, p))
                })
                .count()
        } else {
            usize::from(kinds.iter().any(|(_, kind)| self.passes(|c| kind(c, p))))
        };
        if matching == 1 {
            return;
        }
        match kinds
            .iter()
            .find(|(name, _)| Some(*name) == declared.as_deref())
        {
            Some((_, kind)) if matching == 0 => kind(self, p),
            _ => self.fail("must be a DNS-TXT, DNS-DID or DID identity proof"),
        }
    }
}

fn describe(v: &View<'_>) -> &'static str {
    match v {
        View::Absent => "nothing",
        View::String(_) => "a string",
        View::Other(kind) => kind,
        View::Array(_) => "an array",
        View::Object(_) => "an object",
    }
}

fn is_address(s: &str) -> bool {
    s.len() == 42 && s.starts_with("0x") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(data: Value, mode: SchemaMode) -> Vec<String> {
        validate_data(&data, false, mode)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn store_issuer() -> Value {
        json!({"name": "X", "documentStore": "0x0000000000000000000000000000000000000001",
               "identityProof": {"type": "DNS-TXT", "location": "x.com"}})
    }

    #[test]
    fn accepts_each_kind_of_issuer() {
        for issuer in [
            store_issuer(),
            json!({"name": "X", "tokenRegistry": "0x0000000000000000000000000000000000000001",
                   "identityProof": {"type": "DNS-TXT", "location": "x.com"}}),
            json!({"name": "X", "certificateStore": "0x0000000000000000000000000000000000000001"}),
            json!({"id": "did:ethr:0x01", "name": "X", "revocation": {"type": "NONE"},
                   "identityProof": {"type": "DNS-DID", "key": "did:ethr:0x01#controller", "location": "x.com"}}),
        ] {
            assert_eq!(
                errors(json!({"issuers": [issuer]}), SchemaMode::Strict),
                Vec::<String>::new()
            );
        }
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        let mut bad = store_issuer();
        bad["documentStore"] = json!("0x12");
        assert_eq!(
            errors(json!({"issuers": [bad.clone()]}), SchemaMode::Strict),
            [
                "data.issuers[0].documentStore must be an address (0x and 40 hex digits), found \"0x12\""
            ]
        );
        assert!(
            errors(json!({"issuers": [bad]}), SchemaMode::Loose).is_empty(),
            "loose ignores patterns"
        );
        assert_eq!(
            errors(json!({"issuers": []}), SchemaMode::Strict),
            ["data.issuers must hold at least one issuer"]
        );
        assert_eq!(
            errors(json!([]), SchemaMode::Loose),
            ["data must be an object, found an array"]
        );
        let mut no_name = store_issuer();
        no_name.as_object_mut().unwrap().remove("name");
        assert_eq!(
            errors(json!({"issuers": [no_name]}), SchemaMode::Loose),
            ["data.issuers[0].name is required"]
        );
    }

    #[test]
    fn an_issuer_of_two_kinds_is_refused() {
        let mut both = store_issuer();
        both["tokenRegistry"] = json!("0x0000000000000000000000000000000000000002");
        assert_eq!(
            errors(json!({"issuers": [both]}), SchemaMode::Strict),
            [
                "data.issuers[0] must be exactly one kind of issuer, but matches tokenRegistry and documentStore"
            ]
        );
    }

    #[test]
    fn identity_proof_kinds_and_enums() {
        let mut issuer = store_issuer();
        issuer["identityProof"]["type"] = json!("DNS");
        assert_eq!(
            errors(json!({"issuers": [issuer.clone()]}), SchemaMode::Strict),
            ["data.issuers[0].identityProof must be a DNS-TXT, DNS-DID or DID identity proof"]
        );
        assert!(errors(json!({"issuers": [issuer]}), SchemaMode::Loose).is_empty());
    }

    #[test]
    fn salted_leaves_are_read_for_their_type() {
        let u = "ee7f3323-1634-4dea-8c12-f0bb83aff874";
        let data = json!({"issuers": [{"name": format!("{u}:number:5"), "certificateStore": format!("{u}:string:0x0000000000000000000000000000000000000001")}]});
        let e = validate_data(&data, true, SchemaMode::Loose).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "data.issuers[0].name must be a string, found a number"
        );
    }
}
