//! The statements a proof signs, canonicalized with their blank nodes relabelled, and grouped
//! by JSON pointers: di-sd-primitives' `canonicalizeAndGroup` and its parts, text for text.
//!
//! The credential's blank nodes are first given names (skolemized) so that a selection made
//! on the compacted credential can be matched statement for statement against the whole.

use std::collections::{BTreeMap, HashMap};

use corridor_jsonld::Processor;
use corridor_rdfc::{Canonical, canonicalize, parse_nquads};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::DiError;
use crate::pointer::select;

const SKOLEM_PREFIX: &str = "urn:bnid:";

/// The expanded document with a name for every node: `urn:bnid:_<random>_<n>` for one without
/// `@id` (numbered children first), `urn:bnid:X` for the blank node `_:X`.
fn skolemize(expanded: &[Value], random: &str, count: &mut usize) -> Vec<Value> {
    expanded
        .iter()
        .map(|element| match element {
            Value::Object(node) if !node.contains_key("@value") => {
                let mut named = Map::new();
                for (property, value) in node {
                    let value = match value {
                        Value::Array(items) => Value::Array(skolemize(items, random, count)),
                        one => skolemize(std::slice::from_ref(one), random, count)
                            .pop()
                            .expect("one in, one out"),
                    };
                    named.insert(property.clone(), value);
                }
                match named.get("@id").and_then(Value::as_str) {
                    None => {
                        let id = format!("{SKOLEM_PREFIX}_{random}_{count}");
                        *count += 1;
                        named.insert("@id".to_owned(), Value::String(id));
                    }
                    Some(id) if id.starts_with("_:") => {
                        let id = format!("{SKOLEM_PREFIX}{}", &id[2..]);
                        named.insert("@id".to_owned(), Value::String(id));
                    }
                    Some(_) => {}
                }
                Value::Object(named)
            }
            other => other.clone(),
        })
        .collect()
}

/// Each `<urn:bnid:X>` in the text back to `_:X`.
fn deskolemize(line: &str) -> String {
    let needle = "<urn:bnid:";
    if !line.contains(needle) {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(needle) {
        let after = &rest[at + needle.len()..];
        match after.find('>') {
            Some(end) if end > 0 => {
                out.push_str(&rest[..at]);
                out.push_str("_:");
                out.push_str(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..at + needle.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Each `_:label` in the text (up to white space, as the suites' pattern reads it) replaced by
/// `_:` and what `relabel` gives for the label; JavaScript writes a missing one "undefined".
pub(crate) fn relabel(line: &str, relabel: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("_:") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after
            .char_indices()
            .find(|(_, c)| corridor_js::is_js_space(*c))
            .map_or(after.len(), |(i, _)| i);
        if end == 0 {
            out.push_str("_:");
            rest = after;
            continue;
        }
        out.push_str("_:");
        out.push_str(&relabel(&after[..end]).unwrap_or_else(|| "undefined".to_owned()));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// A document's N-Quads lines, sorted as jsonld.js writes them, skolem IRIs back to blank
/// nodes: `toDeskolemizedNQuads`.
fn deskolemized_nquads(processor: &Processor, document: &Value) -> Result<Vec<String>, DiError> {
    let nquads = processor.to_nquads(document)?;
    Ok(nquads.split_inclusive('\n').map(deskolemize).collect())
}

/// How blank nodes are relabelled: given every (input label, canonical label), the new label
/// of each input label. One missing is written "undefined", as JavaScript writes it.
pub(crate) type Labels = HashMap<String, String>;

/// The canonical form of N-Quads lines, each blank node's canonical label replaced by the
/// label `labeller` gives its input label; sorted. Also the input → new label map.
pub(crate) fn canonical_relabelled(
    lines: &[String],
    labeller: impl Fn(&[(String, String)]) -> Labels,
) -> Result<(Vec<String>, Labels), DiError> {
    let canonical = canonicalize_lines(lines)?;
    let new_label = labeller(&canonical.labels);
    let by_canonical: HashMap<&str, &String> = canonical
        .labels
        .iter()
        .filter_map(|(input, c14n)| new_label.get(input).map(|label| (c14n.as_str(), label)))
        .collect();
    let mut out: Vec<String> = canonical
        .nquads
        .iter()
        .map(|line| relabel(line, |c14n| by_canonical.get(c14n).map(|l| l.to_string())))
        .collect();
    corridor_js::js_sort(&mut out);
    Ok((out, new_label))
}

/// N-Quads lines read (a repeated statement once, as rdf-canonize reads them) and
/// canonicalized.
pub(crate) fn canonicalize_lines(lines: &[String]) -> Result<Canonical, DiError> {
    let quads = parse_nquads(&lines.concat()).map_err(|e| DiError::Mismatch(e.to_string()))?;
    Ok(canonicalize(&quads)?)
}

/// The statements of a document canonicalized, relabelled by `labeller`:
/// `labelReplacementCanonicalizeJsonLd`.
pub(crate) fn canonical_document(
    processor: &Processor,
    document: &Value,
    labeller: impl Fn(&[(String, String)]) -> Labels,
) -> Result<Vec<String>, DiError> {
    let lines: Vec<String> = processor
        .to_rdf(document)?
        .iter()
        .map(corridor_rdfc::Quad::to_nquad)
        .collect();
    Ok(canonical_relabelled(&lines, labeller)?.0)
}

/// The statements the pointers of one group select, by index into the canonical statements.
pub(crate) struct Group {
    pub matching: BTreeMap<usize, String>,
    /// The selection's own statements before relabelling (blank nodes as skolemized).
    pub deskolemized: Vec<String>,
}

/// A document canonicalized and grouped.
pub(crate) struct Grouped {
    pub groups: Vec<Group>,
    /// Input label → new label.
    pub label_map: HashMap<String, String>,
    /// The canonical, relabelled statements, sorted.
    pub nquads: Vec<String>,
}

/// `canonicalizeAndGroup`: skolemize, compact again, canonicalize with `labeller`, select
/// each group's pointers on the compacted form and find its statements among the whole.
pub(crate) fn canonicalize_and_group(
    processor: &Processor,
    document: &Value,
    labeller: impl Fn(&[(String, String)]) -> Labels,
    groups: &[&[String]],
) -> Result<Grouped, DiError> {
    let Some(context) = document.get("@context").filter(|c| !c.is_null()) else {
        return Err(DiError::Mismatch(
            "\"document\" must be a compact JSON-LD document with an \"@context\".".to_owned(),
        ));
    };
    let expanded = processor.expand(document)?;
    let random = random_uuid();
    let skolemized = Value::Array(skolemize(&expanded, &random, &mut 0));
    let compact = processor.compact(&skolemized, context)?;
    let deskolemized = deskolemized_nquads(processor, &skolemized)?;
    let (nquads, label_map) = canonical_relabelled(&deskolemized, labeller)?;
    let mut out = Vec::with_capacity(groups.len());
    for pointers in groups {
        let (selected, deskolemized) = match select(&compact, pointers)? {
            Some(selection) => {
                let deskolemized = deskolemized_nquads(processor, &selection)?;
                let relabelled: Vec<String> = deskolemized
                    .iter()
                    .map(|line| relabel(line, |l| label_map.get(l).cloned()))
                    .collect();
                (relabelled, deskolemized)
            }
            None => (Vec::new(), Vec::new()),
        };
        let matching = nquads
            .iter()
            .enumerate()
            .filter(|(_, nq)| selected.contains(nq))
            .map(|(i, nq)| (i, nq.clone()))
            .collect();
        out.push(Group {
            matching,
            deskolemized,
        });
    }
    Ok(Grouped {
        groups: out,
        label_map,
        nquads,
    })
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The hash of the proof's options: the proof without its value, under the document's
/// context, canonicalized.
pub(crate) fn proof_hash(
    processor: &Processor,
    document: &Value,
    proof: &Map<String, Value>,
) -> Result<[u8; 32], DiError> {
    let mut options = Map::new();
    if let Some(context) = document.get("@context") {
        options.insert("@context".to_owned(), context.clone());
    }
    for (k, v) in proof {
        if k != "proofValue" {
            options.insert(k.clone(), v.clone());
        }
    }
    let quads = processor.to_rdf(&Value::Object(options))?;
    let canonical = corridor_rdfc::canonicalize(&quads)?;
    Ok(sha256(canonical.document().as_bytes()))
}

/// The canonical statements split by `mandatory_indexes`: the mandatory ones' hash, and the
/// others in order.
pub(crate) fn split_mandatory<'n>(
    nquads: &'n [String],
    mandatory_indexes: &[i64],
) -> ([u8; 32], Vec<&'n String>) {
    let (mut mandatory, mut others) = (String::new(), Vec::new());
    for (i, nq) in nquads.iter().enumerate() {
        if mandatory_indexes.contains(&(i as i64)) {
            mandatory.push_str(nq);
        } else {
            others.push(nq);
        }
    }
    (sha256(mandatory.as_bytes()), others)
}

/// For signing: the document grouped by its mandatory pointers with `labeller`; the hash of the
/// mandatory statements and the others, in canonical order.
pub(crate) fn mandatory_split(
    processor: &Processor,
    document: &Value,
    mandatory_pointers: &[String],
    labeller: impl Fn(&[(String, String)]) -> Labels,
) -> Result<([u8; 32], Vec<String>), DiError> {
    let grouped = canonicalize_and_group(processor, document, labeller, &[mandatory_pointers])?;
    let mandatory = &grouped.groups[0].matching;
    let mandatory_text: String = mandatory.values().map(String::as_str).collect();
    let others = grouped
        .nquads
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !mandatory.contains_key(i))
        .map(|(_, nq)| nq)
        .collect();
    Ok((sha256(mandatory_text.as_bytes()), others))
}

/// What deriving needs, whichever the suite: the groups, the mandatory statements' places among
/// the disclosed ones, the document disclosed, and the verifier's labels for its blank nodes.
pub(crate) struct Disclosure {
    pub grouped: Grouped,
    /// Indices (into the disclosed statements) of the mandatory ones.
    pub mandatory_indexes: Vec<i64>,
    /// The document with only what the pointers select.
    pub revealed: Value,
    /// The disclosed statements' canonical labels (`c14nN`) → the labels the issuer signed.
    pub verifier_labels: Vec<(String, String)>,
}

impl Disclosure {
    pub(crate) fn mandatory(&self) -> &Group {
        &self.grouped.groups[0]
    }

    pub(crate) fn selective(&self) -> &Group {
        &self.grouped.groups[1]
    }
}

/// Groups `document` by the mandatory, selective and combined pointers with `labeller`, and
/// computes what both suites derive from that.
pub(crate) fn disclose(
    processor: &Processor,
    document: &Value,
    mandatory: &[String],
    selective: &[String],
    labeller: impl Fn(&[(String, String)]) -> Labels,
) -> Result<Disclosure, DiError> {
    if mandatory.is_empty() && selective.is_empty() {
        return Err(DiError::Mismatch(
            "Nothing selected for disclosure.".to_owned(),
        ));
    }
    let combined: Vec<String> = mandatory.iter().chain(selective).cloned().collect();
    let grouped = canonicalize_and_group(
        processor,
        document,
        labeller,
        &[mandatory, selective, &combined],
    )?;
    let mandatory_indexes = grouped.groups[2]
        .matching
        .keys()
        .enumerate()
        .filter(|(_, absolute)| grouped.groups[0].matching.contains_key(absolute))
        .map(|(relative, _)| relative as i64)
        .collect();
    let revealed = select(document, &combined)?.expect("at least one pointer");
    let mut verifier_labels = Vec::new();
    for (input, c14n) in canonicalize_lines(&grouped.groups[2].deskolemized)?.labels {
        let label = grouped.label_map.get(&input).cloned().ok_or_else(|| {
            DiError::Mismatch(format!("no signed label for the blank node {input}"))
        })?;
        verifier_labels.push((c14n, label));
    }
    Ok(Disclosure {
        grouped,
        mandatory_indexes,
        revealed,
        verifier_labels,
    })
}

/// The base proof made a derived one: its value replaced, any `@context` dropped, attached to
/// the revealed document.
pub(crate) fn attach_proof(
    mut revealed: Value,
    base: &Map<String, Value>,
    proof_value: String,
) -> Value {
    let mut proof = base.clone();
    proof.insert("proofValue".to_owned(), Value::String(proof_value));
    proof.remove("@context");
    if let Value::Object(document) = &mut revealed {
        document.insert("proof".to_owned(), Value::Object(proof));
    }
    revealed
}

/// A random version-4 UUID's text, for skolem names no document can already hold.
fn random_uuid() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-{:x}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        (bytes[8] & 0x3) | 0x8,
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skolem_names_come_back_as_blank_nodes() {
        assert_eq!(
            deskolemize("<urn:bnid:_x_0> <p> <urn:bnid:b1> .\n"),
            "_:_x_0 <p> _:b1 .\n"
        );
        assert_eq!(
            deskolemize("<urn:other> <p> \"<urn:bnid:>\" .\n"),
            "<urn:other> <p> \"<urn:bnid:>\" .\n"
        );
    }

    #[test]
    fn labels_replaced_up_to_white_space() {
        let map = |l: &str| (l == "c14n0").then(|| "uAbc".to_owned());
        assert_eq!(
            relabel("_:c14n0 <p> _:c14n1 .\n", map),
            "_:uAbc <p> _:undefined .\n"
        );
    }
}
