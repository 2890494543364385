//! Disclosure policies: one file per direction and purpose, saying which fields of a company
//! profile may cross the border, which only under a recorded legal basis, which never, and
//! how the people in it are minimised; and [`classify`], which judges every leaf field of a
//! profile under a policy and a basis.
//!
//! A field is named by its path with `[]` for any array index (`officers[].person.id`); an
//! entry matches a field when the field's path, indices written `[]`, equals it or continues
//! it with `.` or `[`. Each leaf is judged by the first rule that applies: `never`; inside an
//! element minimisation removes (an officer of another role, a natural-person shareholder
//! under the threshold, a financial year beyond the latest N); a field coarsened (always
//! withheld: its coarse sibling is judged instead); `basis_required` (disclosed only under an
//! accepted basis); `allow`; else withheld as not listed. A policy that refuses without a
//! basis withholds everything when there is none, or none it accepts.
//!
//! Minimisation only selects: a selectively disclosed credential can hide claims, never
//! change them, so a coarse value is a field of its own (`birth_year` beside `birth_date`).

use std::fmt;

use serde::Deserialize;
use serde_json::Value;

/// Why a policy file was not taken.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("not a disclosure policy: {0}")]
    Toml(String),
    #[error("{list}: {entry:?} is not a field path ({why})")]
    Field {
        list: &'static str,
        entry: String,
        why: &'static str,
    },
    #[error("{field}: {value:?} is not SG, CN or *")]
    Region { field: &'static str, value: String },
    #[error("minimise.person_shareholder_min_percentage: {0} is not a percentage from 0 to 100")]
    Percentage(f64),
}

/// Whether `name` can name a field: letters, digits, `_` and `-`, at least one.
pub fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A field path pattern: names joined by `.`, each followed by `[]` where it is a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPattern(String);

impl FieldPattern {
    fn parse(list: &'static str, entry: &str) -> Result<FieldPattern, PolicyError> {
        let refuse = |why| PolicyError::Field {
            list,
            entry: entry.to_owned(),
            why,
        };
        if entry.is_empty() {
            return Err(refuse("it is empty"));
        }
        for segment in entry.split('.') {
            let name = segment.trim_end_matches("[]");
            if name.is_empty() {
                return Err(refuse("a segment has no name"));
            }
            if !is_field_name(name) {
                return Err(refuse(
                    "names are letters, digits, `_` and `-`, each list followed by `[]`",
                ));
            }
        }
        Ok(FieldPattern(entry.to_owned()))
    }

    /// Whether the field at `generic` (its path with indices written `[]`) is this one or
    /// under it.
    pub fn matches(&self, generic: &str) -> bool {
        generic
            .strip_prefix(&self.0)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which profiles a policy applies to, or where it sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// Singapore (`SG`).
    Sg,
    /// China (`CN`, which takes in `CN-CQ`, Chongqing).
    Cn,
    /// Either (`*`).
    Any,
}

impl Region {
    fn parse(field: &'static str, value: &str) -> Result<Region, PolicyError> {
        match value {
            "SG" => Ok(Region::Sg),
            "CN" => Ok(Region::Cn),
            "*" => Ok(Region::Any),
            _ => Err(PolicyError::Region {
                field,
                value: value.to_owned(),
            }),
        }
    }

    /// Whether a profile of `jurisdiction` (`SG`, `CN-CQ`, …) is of this region.
    pub fn contains(self, jurisdiction: &str) -> bool {
        match self {
            Region::Sg => jurisdiction == "SG",
            Region::Cn => jurisdiction == "CN" || jurisdiction.starts_with("CN-"),
            Region::Any => true,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Region::Sg => "SG",
            Region::Cn => "CN",
            Region::Any => "*",
        }
    }
}

/// What a policy does when the legal basis it needs is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnMissing {
    /// The fields that need a basis are withheld; the rest may leave.
    Withhold,
    /// Nothing leaves.
    Refuse,
}

/// A field always withheld, and the coarser field that stands for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coarsen {
    pub field: FieldPattern,
    pub using: FieldPattern,
}

/// A disclosure policy, read from its TOML file.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: String,
    pub title: Option<String>,
    pub from: Region,
    pub to: Region,
    pub purpose: String,
    pub law: String,
    pub version: u32,
    /// The kinds of legal basis (consent, contract, …) the policy accepts.
    pub accepted: Vec<String>,
    pub on_missing: OnMissing,
    pub allow: Vec<FieldPattern>,
    pub basis_required: Vec<FieldPattern>,
    pub never: Vec<FieldPattern>,
    /// Officers of other roles are withheld whole.
    pub officer_roles: Option<Vec<String>>,
    /// Natural-person shareholders holding less are withheld whole.
    pub person_shareholder_min_percentage: Option<f64>,
    /// Only the latest this many financial years (by `period_end`) leave.
    pub financial_years: Option<usize>,
    pub coarsen: Vec<Coarsen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    id: String,
    title: Option<String>,
    from: String,
    to: String,
    purpose: String,
    law: String,
    #[serde(default = "first_version")]
    version: u32,
    basis: BasisFile,
    fields: FieldsFile,
    #[serde(default)]
    minimise: MinimiseFile,
}

fn first_version() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasisFile {
    accepted: Vec<String>,
    on_missing: OnMissing,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldsFile {
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    basis_required: Vec<String>,
    #[serde(default)]
    never: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MinimiseFile {
    officer_roles: Option<Vec<String>>,
    person_shareholder_min_percentage: Option<f64>,
    financial_years: Option<usize>,
    #[serde(default)]
    coarsen: Vec<CoarsenFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoarsenFile {
    field: String,
    #[serde(rename = "use")]
    using: String,
}

impl Policy {
    /// Reads a policy file's text. Unknown keys are refused: a misspelt `never` must not let
    /// a field out.
    ///
    /// ```
    /// let policy = corridor_company::Policy::from_toml(r#"
    ///     id = "example"
    ///     from = "SG"
    ///     to = "CN"
    ///     purpose = "credit-check"
    ///     law = "PDPA (Singapore)"
    ///     [basis]
    ///     accepted = ["consent"]
    ///     on_missing = "withhold"
    ///     [fields]
    ///     allow = ["name", "identifiers"]
    ///     never = ["officers[].person.id"]
    /// "#).unwrap();
    /// assert!(policy.never[0].matches("officers[].person.id.number"));
    /// ```
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError::Toml(e.to_string()))?;
        let patterns = |list: &'static str, entries: &[String]| {
            entries
                .iter()
                .map(|e| FieldPattern::parse(list, e))
                .collect::<Result<Vec<_>, _>>()
        };
        if let Some(percentage) = file.minimise.person_shareholder_min_percentage
            && !(0.0..=100.0).contains(&percentage)
        {
            return Err(PolicyError::Percentage(percentage));
        }
        Ok(Policy {
            from: Region::parse("from", &file.from)?,
            to: Region::parse("to", &file.to)?,
            allow: patterns("fields.allow", &file.fields.allow)?,
            basis_required: patterns("fields.basis_required", &file.fields.basis_required)?,
            never: patterns("fields.never", &file.fields.never)?,
            coarsen: file
                .minimise
                .coarsen
                .iter()
                .map(|c| {
                    Ok(Coarsen {
                        field: FieldPattern::parse("minimise.coarsen.field", &c.field)?,
                        using: FieldPattern::parse("minimise.coarsen.use", &c.using)?,
                    })
                })
                .collect::<Result<_, PolicyError>>()?,
            id: file.id,
            title: file.title,
            purpose: file.purpose,
            law: file.law,
            version: file.version,
            accepted: file.basis.accepted,
            on_missing: file.basis.on_missing,
            officer_roles: file.minimise.officer_roles,
            person_shareholder_min_percentage: file.minimise.person_shareholder_min_percentage,
            financial_years: file.minimise.financial_years,
        })
    }

    /// Whether `basis` is one this policy accepts.
    pub fn accepts(&self, basis: Option<&Basis>) -> bool {
        basis.is_some_and(|b| self.accepted.contains(&b.kind))
    }
}

/// A recorded legal basis for a disclosure: its kind (consent, contract, …) and the reference
/// of its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    pub kind: String,
    pub reference: String,
}

impl Basis {
    /// The basis written `KIND:REFERENCE` (the reference may hold colons), or `None`.
    ///
    /// ```
    /// let basis = corridor_company::Basis::parse("consent:C-1:2").unwrap();
    /// assert_eq!((basis.kind.as_str(), basis.reference.as_str()), ("consent", "C-1:2"));
    /// assert!(corridor_company::Basis::parse("consent: ").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<Basis> {
        let (kind, reference) = text.split_once(':')?;
        let (kind, reference) = (kind.trim(), reference.trim());
        (!kind.is_empty() && !reference.is_empty()).then(|| Basis {
            kind: kind.to_owned(),
            reference: reference.to_owned(),
        })
    }
}

/// Why a field is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Withheld {
    /// The whole disclosure was refused.
    Refused,
    /// The policy never lets it leave.
    Never,
    /// Part of an officer whose role the policy leaves out.
    OfficerRole,
    /// Part of a natural-person shareholder under the policy's threshold.
    ShareholderThreshold,
    /// Part of a financial year older than those the policy lets leave.
    FinancialYears,
    /// A precise value whose coarse sibling leaves instead.
    Coarsened,
    /// It may leave only under an accepted legal basis, and there is none.
    BasisMissing,
    /// The policy does not list it: what is not allowed does not leave.
    NotListed,
}

impl Withheld {
    /// Its name, as disclosure records and the public corpus write it.
    pub fn name(self) -> &'static str {
        match self {
            Withheld::Refused => "refused",
            Withheld::Never => "never",
            Withheld::OfficerRole => "minimised:officer-role",
            Withheld::ShareholderThreshold => "minimised:shareholder-threshold",
            Withheld::FinancialYears => "minimised:financial-years",
            Withheld::Coarsened => "minimised:coarsened",
            Withheld::BasisMissing => "basis-missing",
            Withheld::NotListed => "not-listed",
        }
    }
}

impl fmt::Display for Withheld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Why a whole disclosure was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No legal basis was recorded, and the policy needs one.
    BasisMissing,
    /// The basis recorded is of a kind the policy does not accept.
    BasisNotAccepted,
}

impl Refusal {
    pub fn name(self) -> &'static str {
        match self {
            Refusal::BasisMissing => "basis-missing",
            Refusal::BasisNotAccepted => "basis-not-accepted",
        }
    }
}

/// Every leaf field of a profile judged under a policy: disclosed (in the profile's order) or
/// withheld with the reason; `refused` when nothing may leave at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub refused: Option<Refusal>,
    pub disclose: Vec<String>,
    /// The fields of `disclose`, in its order, as JSON pointers into the profile
    /// (`/officers/2/person/name`): what a selectively disclosed credential reveals.
    pub disclose_pointers: Vec<String>,
    pub withhold: Vec<(String, Withheld)>,
}

/// A leaf of a profile: its path as written (`officers[2].person.name`), with its indices
/// written `[]` (`officers[].person.name`), and as a JSON pointer (`/officers/2/person/name`).
struct Leaf {
    path: String,
    generic: String,
    pointer: String,
}

/// Every leaf of `value` under `at`, in document order. An empty list or object is a leaf
/// itself, so that every part of a profile is judged.
fn leaves(value: &Value, at: &Leaf, out: &mut Vec<Leaf>) {
    let join = |key: &str, base: &str| {
        if base.is_empty() {
            key.to_owned()
        } else {
            format!("{base}.{key}")
        }
    };
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (key, child) in fields {
                let under = Leaf {
                    path: join(key, &at.path),
                    generic: join(key, &at.generic),
                    pointer: format!("{}/{}", at.pointer, pointer_segment(key)),
                };
                leaves(child, &under, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, child) in items.iter().enumerate() {
                let under = Leaf {
                    path: format!("{}[{i}]", at.path),
                    generic: format!("{}[]", at.generic),
                    pointer: format!("{}/{i}", at.pointer),
                };
                leaves(child, &under, out);
            }
        }
        _ => out.push(Leaf {
            path: at.path.clone(),
            generic: at.generic.clone(),
            pointer: at.pointer.clone(),
        }),
    }
}

/// `key` as a JSON pointer writes it (RFC 6901): `~` as `~0`, `/` as `~1`.
fn pointer_segment(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

/// The elements of `profile` its minimisation removes whole: each element's path and why.
fn minimised(profile: &Value, policy: &Policy) -> Vec<(String, Withheld)> {
    let mut removed = Vec::new();
    let list = |name: &str| profile.get(name).and_then(Value::as_array);
    if let (Some(roles), Some(officers)) = (&policy.officer_roles, list("officers")) {
        for (i, officer) in officers.iter().enumerate() {
            let role = officer.get("role").and_then(Value::as_str);
            if !role.is_some_and(|role| roles.iter().any(|r| r == role)) {
                removed.push((format!("officers[{i}]"), Withheld::OfficerRole));
            }
        }
    }
    if let (Some(least), Some(shareholders)) = (
        policy.person_shareholder_min_percentage,
        list("shareholders"),
    ) {
        for (i, holder) in shareholders.iter().enumerate() {
            let person = holder.get("kind").and_then(Value::as_str) == Some("person");
            let percentage = holder.get("percentage").and_then(Value::as_f64);
            // A person's holding that is not stated is not known to reach the threshold.
            if person && !percentage.is_some_and(|p| p >= least) {
                removed.push((format!("shareholders[{i}]"), Withheld::ShareholderThreshold));
            }
        }
    }
    if let (Some(years), Some(financials)) = (policy.financial_years, list("financials")) {
        let mut latest: Vec<(usize, &str)> = financials
            .iter()
            .enumerate()
            .map(|(i, year)| {
                let end = year.get("period_end").and_then(Value::as_str).unwrap_or("");
                (i, end)
            })
            .collect();
        // ISO dates sort as text; the latest first, and the first written among equals.
        latest.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(&b.0)));
        for (i, _) in latest.into_iter().skip(years) {
            removed.push((format!("financials[{i}]"), Withheld::FinancialYears));
        }
    }
    removed
}

/// Whether `path` is `element` or inside it.
pub(crate) fn within(path: &str, element: &str) -> bool {
    path.strip_prefix(element)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// Judges every leaf field of `profile` (a company's profile, without its bookkeeping) under
/// `policy`, with the legal basis `basis` recorded for it, if one.
pub fn classify(profile: &Value, policy: &Policy, basis: Option<&Basis>) -> Classification {
    let mut all = Vec::new();
    let root = Leaf {
        path: String::new(),
        generic: String::new(),
        pointer: String::new(),
    };
    leaves(profile, &root, &mut all);
    let accepted = policy.accepts(basis);
    if !accepted && policy.on_missing == OnMissing::Refuse {
        let refusal = if basis.is_some() {
            Refusal::BasisNotAccepted
        } else {
            Refusal::BasisMissing
        };
        return Classification {
            refused: Some(refusal),
            disclose: Vec::new(),
            disclose_pointers: Vec::new(),
            withhold: all
                .into_iter()
                .map(|leaf| (leaf.path, Withheld::Refused))
                .collect(),
        };
    }
    let removed = minimised(profile, policy);
    let any =
        |patterns: &[FieldPattern], leaf: &Leaf| patterns.iter().any(|p| p.matches(&leaf.generic));
    let mut classification = Classification {
        refused: None,
        disclose: Vec::new(),
        disclose_pointers: Vec::new(),
        withhold: Vec::new(),
    };
    for leaf in all {
        let withheld = if any(&policy.never, &leaf) {
            Some(Withheld::Never)
        } else if let Some((_, why)) = removed
            .iter()
            .find(|(element, _)| within(&leaf.path, element))
        {
            Some(*why)
        } else if policy
            .coarsen
            .iter()
            .any(|c| c.field.matches(&leaf.generic))
        {
            Some(Withheld::Coarsened)
        } else if any(&policy.basis_required, &leaf) {
            (!accepted).then_some(Withheld::BasisMissing)
        } else if any(&policy.allow, &leaf) {
            None
        } else {
            Some(Withheld::NotListed)
        };
        match withheld {
            None => {
                classification.disclose.push(leaf.path);
                classification.disclose_pointers.push(leaf.pointer);
            }
            Some(why) => classification.withhold.push((leaf.path, why)),
        }
    }
    classification
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const POLICY: &str = r#"
        id = "test"
        from = "SG"
        to = "CN"
        purpose = "credit-check"
        law = "PDPA (Singapore)"
        [basis]
        accepted = ["consent"]
        on_missing = "withhold"
        [fields]
        allow = ["name", "officers", "shareholders[].percentage_band", "shareholders[].kind", "financials"]
        basis_required = ["officers[].person.name"]
        never = ["officers[].person.id"]
        [minimise]
        officer_roles = ["director"]
        person_shareholder_min_percentage = 10.0
        financial_years = 1
        [[minimise.coarsen]]
        field = "shareholders[].percentage"
        use = "shareholders[].percentage_band"
    "#;

    fn profile() -> Value {
        json!({
            "name": {"legal": "Moumou Pte. Ltd."},
            "officers": [
                {"role": "director", "person": {"name": "A", "id": {"number": "S1234567D"}}},
                {"role": "secretary", "person": {"name": "B", "id": {"number": "S7654321D"}}}
            ],
            "shareholders": [
                {"kind": "person", "percentage": 60.0, "percentage_band": "50-75"},
                {"kind": "person", "percentage": 5.0, "percentage_band": "0-5"}
            ],
            "financials": [{"period_end": "2024-12-31"}, {"period_end": "2025-12-31"}],
            "tax_number": "T123"
        })
    }

    #[test]
    fn each_rule_in_its_order() {
        let policy = Policy::from_toml(POLICY).unwrap();
        let basis = Basis {
            kind: "consent".into(),
            reference: "C-1".into(),
        };
        let with = classify(&profile(), &policy, Some(&basis));
        assert_eq!(with.refused, None);
        assert_eq!(
            with.disclose,
            [
                "name.legal",
                "officers[0].role",
                "officers[0].person.name",
                "shareholders[0].kind",
                "shareholders[0].percentage_band",
                "financials[1].period_end"
            ]
        );
        let withheld = |c: &Classification, path: &str| {
            c.withhold.iter().find(|(p, _)| p == path).map(|(_, w)| *w)
        };
        assert_eq!(
            withheld(&with, "officers[0].person.id.number"),
            Some(Withheld::Never)
        );
        // Never wins over the minimisation that would also withhold it.
        assert_eq!(
            withheld(&with, "officers[1].person.id.number"),
            Some(Withheld::Never)
        );
        assert_eq!(
            withheld(&with, "officers[1].role"),
            Some(Withheld::OfficerRole)
        );
        assert_eq!(
            withheld(&with, "shareholders[1].kind"),
            Some(Withheld::ShareholderThreshold)
        );
        assert_eq!(
            withheld(&with, "shareholders[0].percentage"),
            Some(Withheld::Coarsened)
        );
        assert_eq!(
            withheld(&with, "financials[0].period_end"),
            Some(Withheld::FinancialYears)
        );
        assert_eq!(withheld(&with, "tax_number"), Some(Withheld::NotListed));

        let without = classify(&profile(), &policy, None);
        assert_eq!(
            withheld(&without, "officers[0].person.name"),
            Some(Withheld::BasisMissing)
        );
        assert!(without.disclose.contains(&"officers[0].role".to_owned()));
        assert_eq!(
            with.disclose_pointers[..3],
            ["/name/legal", "/officers/0/role", "/officers/0/person/name"]
        );
    }

    #[test]
    fn a_policy_that_refuses_without_a_basis_lets_nothing_out() {
        let policy = Policy::from_toml(&POLICY.replace("\"withhold\"", "\"refuse\"")).unwrap();
        let refused = classify(&profile(), &policy, None);
        assert_eq!(refused.refused, Some(Refusal::BasisMissing));
        assert!(refused.disclose.is_empty());
        assert!(
            refused
                .withhold
                .iter()
                .all(|(_, w)| *w == Withheld::Refused)
        );
        let other = Basis {
            kind: "contract".into(),
            reference: "K-1".into(),
        };
        assert_eq!(
            classify(&profile(), &policy, Some(&other)).refused,
            Some(Refusal::BasisNotAccepted)
        );
    }

    #[test]
    fn bad_policies_are_refused_with_the_reason() {
        let misspelt = POLICY.replace("never =", "nevr =");
        assert!(
            matches!(Policy::from_toml(&misspelt), Err(PolicyError::Toml(e)) if e.contains("nevr"))
        );
        let bad_path = POLICY.replace("\"officers[].person.id\"", "\"officers..id\"");
        assert!(matches!(
            Policy::from_toml(&bad_path),
            Err(PolicyError::Field {
                list: "fields.never",
                ..
            })
        ));
        let region = POLICY.replace("from = \"SG\"", "from = \"MY\"");
        assert!(matches!(
            Policy::from_toml(&region),
            Err(PolicyError::Region { .. })
        ));
        assert!(matches!(
            Policy::from_toml(&POLICY.replace("10.0", "110.0")),
            Err(PolicyError::Percentage(_))
        ));
    }

    #[test]
    fn patterns_match_a_field_and_what_is_under_it_only() {
        let pattern = FieldPattern::parse("allow", "officers[].person.id").unwrap();
        assert!(pattern.matches("officers[].person.id"));
        assert!(pattern.matches("officers[].person.id.number"));
        assert!(!pattern.matches("officers[].person.identity"));
        assert!(
            FieldPattern::parse("allow", "officers")
                .unwrap()
                .matches("officers[]")
        );
    }
}
