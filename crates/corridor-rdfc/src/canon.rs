//! RDFC-1.0: canonical blank node labels for a dataset, and its canonical N-Quads.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::nquads::{Escaping, Quad};
use corridor_js::{js_order, js_sort};

/// A dataset in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// Its N-Quads, one statement a line, sorted.
    pub nquads: Vec<String>,
    /// Each input blank node label and the canonical label (`c14n0`, `c14n1`, …) issued for
    /// it, in the order issued.
    pub labels: Vec<(String, String)>,
}

impl Canonical {
    /// The canonical N-Quads document: its lines joined.
    pub fn document(&self) -> String {
        self.nquads.concat()
    }
}

/// Why a dataset has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalizeError {
    /// The dataset's blank nodes are too alike to be told apart within the work allowed: a
    /// poisoned graph. The message is rdf-canonize's.
    #[error("Maximum deep iterations exceeded ({0}).")]
    TooMuchWork(usize),
}

/// The canonical form of `quads` by RDFC-1.0 (SHA-256), as `rdf-canonize` 5 gives it.
///
/// ```
/// use corridor_rdfc::{canonicalize, parse_nquads};
/// let quads = parse_nquads(
///     "_:x <http://p.example/knows> _:y .\n_:y <http://p.example/name> \"Bo\" .\n",
/// ).unwrap();
/// let canonical = canonicalize(&quads).unwrap();
/// assert_eq!(canonical.document(),
///     "_:c14n0 <http://p.example/knows> _:c14n1 .\n_:c14n1 <http://p.example/name> \"Bo\" .\n");
/// assert_eq!(canonical.labels[0], ("x".to_string(), "c14n0".to_string()));
/// ```
pub fn canonicalize(quads: &[Quad]) -> Result<Canonical, CanonicalizeError> {
    canonicalize_escaped(quads, Escaping::Rdfc10)
}

/// The canonical form of `quads` by URDNA2015 as `rdf-canonize` 2 gives it, which the 2020
/// BBS+ credentials are signed over: RDFC-1.0's algorithm, with fewer characters escaped (in
/// the hashes too). The work is bounded as [`canonicalize`] bounds it, where rdf-canonize 2
/// had no bound.
pub fn canonicalize_urdna2015(quads: &[Quad]) -> Result<Canonical, CanonicalizeError> {
    canonicalize_escaped(quads, Escaping::Urdna2015)
}

fn canonicalize_escaped(
    quads: &[Quad],
    escaping: Escaping,
) -> Result<Canonical, CanonicalizeError> {
    let mut state = State::new(quads, escaping);
    state.issue_labels()?;
    let mut nquads: Vec<String> = quads
        .iter()
        .map(|quad| quad.line(escaping, |label| state.canonical_label(label)))
        .collect();
    js_sort(&mut nquads);
    Ok(Canonical {
        nquads,
        labels: state.canonical.issued,
    })
}

/// The algorithm's state: the quads of each blank node, their first-degree hashes, the
/// canonical issuer, and the work left.
struct State<'q> {
    quads: &'q [Quad],
    /// Each blank node's quads (indexes into `quads`), in the order first met.
    blank_nodes: Vec<(&'q str, Vec<usize>)>,
    index: HashMap<&'q str, usize>,
    first_degree: Vec<String>,
    canonical: Issuer,
    deep_iterations_left: usize,
    deep_iterations_allowed: usize,
    escaping: Escaping,
}

impl<'q> State<'q> {
    fn new(quads: &'q [Quad], escaping: Escaping) -> State<'q> {
        let mut blank_nodes: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, quad) in quads.iter().enumerate() {
            for label in quad.blank_nodes().into_iter().flatten() {
                let at = *index.entry(label).or_insert_with(|| {
                    blank_nodes.push((label, Vec::new()));
                    blank_nodes.len() - 1
                });
                // A node met twice in one quad lists that quad once.
                if blank_nodes[at].1.last() != Some(&i) {
                    blank_nodes[at].1.push(i);
                }
            }
        }
        State {
            quads,
            blank_nodes,
            index,
            first_degree: Vec::new(),
            canonical: Issuer::new("c14n"),
            deep_iterations_left: 0,
            deep_iterations_allowed: 0,
            escaping,
        }
    }

    /// Issues every blank node its canonical label: first those whose first-degree hash is
    /// unique, in hash order; then the others, group by group, by their N-degree hashes.
    fn issue_labels(&mut self) -> Result<(), CanonicalizeError> {
        self.first_degree = (0..self.blank_nodes.len())
            .map(|node| self.hash_first_degree(node))
            .collect();
        let mut by_hash: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        for (node, hash) in self.first_degree.iter().enumerate() {
            let at = *group_of.entry(hash).or_insert_with(|| {
                by_hash.push((hash, Vec::new()));
                by_hash.len() - 1
            });
            by_hash[at].1.push(node);
        }
        by_hash.sort_by(|a, b| a.0.cmp(b.0));
        let mut shared = Vec::new();
        for (_, nodes) in by_hash {
            match nodes.as_slice() {
                [node] => {
                    self.canonical.issue(self.blank_nodes[*node].0);
                }
                _ => shared.push(nodes),
            }
        }
        // rdf-canonize's default bound: one deep iteration per blank node of a shared hash.
        self.deep_iterations_allowed = shared.iter().map(Vec::len).sum();
        self.deep_iterations_left = self.deep_iterations_allowed;
        for nodes in shared {
            let mut results = Vec::new();
            for node in nodes {
                let label = self.blank_nodes[node].0;
                if self.canonical.has(label) {
                    continue;
                }
                let mut issuer = Issuer::new("b");
                issuer.issue(label);
                results.push(self.hash_n_degree(node, issuer)?);
            }
            // Stable: results of equal hashes keep the order their nodes were met in.
            results.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, issuer) in results {
                for (label, _) in &issuer.issued {
                    self.canonical.issue(label);
                }
            }
        }
        Ok(())
    }

    /// The label a blank node has in the output: its canonical one, unless its own label
    /// already starts with the canonical prefix (rdf-canonize leaves those as they are).
    fn canonical_label<'a>(&'a self, label: &'a str) -> &'a str {
        if label.starts_with(self.canonical.prefix) {
            return label;
        }
        self.canonical
            .get(label)
            .expect("every blank node was issued a canonical label")
    }

    /// Hash First Degree Quads: the hash of the node's quads, it written `_:a` and every other
    /// blank node `_:z`.
    fn hash_first_degree(&self, node: usize) -> String {
        let (me, quads) = &self.blank_nodes[node];
        let mut lines: Vec<String> = quads
            .iter()
            .map(|&i| {
                self.quads[i].line(self.escaping, |label| if label == *me { "a" } else { "z" })
            })
            .collect();
        js_sort(&mut lines);
        let mut digest = Sha256::new();
        for line in &lines {
            digest.update(line.as_bytes());
        }
        const_hex::encode(digest.finalize())
    }

    /// Hash Related Blank Node: `related`, met in `quad` at `position` (`s`, `o` or `g`).
    fn hash_related(&self, related: &str, quad: &Quad, issuer: &Issuer, position: char) -> String {
        let mut digest = Sha256::new();
        digest.update([position as u8]);
        if position != 'g' {
            digest.update(b"<");
            digest.update(quad.predicate.as_bytes());
            digest.update(b">");
        }
        if let Some(label) = self.canonical.get(related) {
            digest.update(b"_:");
            digest.update(label.as_bytes());
        } else if let Some(label) = issuer.get(related) {
            digest.update(b"_:");
            digest.update(label.as_bytes());
        } else {
            digest.update(self.first_degree[self.index[related]].as_bytes());
        }
        const_hex::encode(digest.finalize())
    }

    /// Hash N-Degree Quads for `node`, with `issuer` as the path's issuer: the hash and the
    /// issuer of the path chosen. Every permutation of a group of alike related nodes hashes
    /// one of them first (none is issued yet in the path's copy), so the bound on these calls
    /// bounds the permutations too.
    fn hash_n_degree(
        &mut self,
        node: usize,
        mut issuer: Issuer,
    ) -> Result<(String, Issuer), CanonicalizeError> {
        if self.deep_iterations_left == 0 {
            return Err(CanonicalizeError::TooMuchWork(self.deep_iterations_allowed));
        }
        self.deep_iterations_left -= 1;
        let me = self.blank_nodes[node].0;
        // The related blank nodes of each related hash, in the order met (a node met twice
        // under one hash is listed twice, as rdf-canonize lists it).
        let mut related: Vec<(String, Vec<&'q str>)> = Vec::new();
        for &i in &self.blank_nodes[node].1 {
            let quad = &self.quads[i];
            let [subject, object, graph] = quad.blank_nodes();
            for (label, position) in [(subject, 's'), (object, 'o'), (graph, 'g')] {
                let Some(label) = label.filter(|l| *l != me) else {
                    continue;
                };
                let hash = self.hash_related(label, quad, &issuer, position);
                match related.iter_mut().find(|(h, _)| *h == hash) {
                    Some((_, labels)) => labels.push(label),
                    None => related.push((hash, vec![label])),
                }
            }
        }
        related.sort_by(|a, b| a.0.cmp(&b.0));
        let mut digest = Sha256::new();
        for (hash, labels) in related {
            digest.update(hash.as_bytes());
            let mut chosen: Option<(String, Issuer)> = None;
            for permutation in Permutations::new(labels) {
                let mut copy = issuer.clone();
                let mut path = String::new();
                let mut recursion = Vec::new();
                let beaten = |path: &str, chosen: &Option<(String, Issuer)>| {
                    chosen
                        .as_ref()
                        .is_some_and(|(best, _)| path > best.as_str())
                };
                let mut skip = false;
                for label in &permutation {
                    path.push_str("_:");
                    if let Some(canonical) = self.canonical.get(label) {
                        path.push_str(canonical);
                    } else {
                        if !copy.has(label) {
                            recursion.push(*label);
                        }
                        path.push_str(copy.issue(label));
                    }
                    if beaten(&path, &chosen) {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                for label in recursion {
                    let (hash, result) = self.hash_n_degree(self.index[label], copy.clone())?;
                    path.push_str("_:");
                    path.push_str(copy.issue(label));
                    path.push('<');
                    path.push_str(&hash);
                    path.push('>');
                    copy = result;
                    if beaten(&path, &chosen) {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                if chosen.as_ref().is_none_or(|(best, _)| path < *best) {
                    chosen = Some((path, copy));
                }
            }
            let (path, chosen_issuer) = chosen.expect("the first permutation is always chosen");
            digest.update(path.as_bytes());
            issuer = chosen_issuer;
        }
        Ok((const_hex::encode(digest.finalize()), issuer))
    }
}

/// An identifier issuer: a prefix and a counter, and the labels issued, in order.
#[derive(Debug, Clone)]
struct Issuer {
    prefix: &'static str,
    issued: Vec<(String, String)>,
    by_old: HashMap<String, usize>,
}

impl Issuer {
    fn new(prefix: &'static str) -> Issuer {
        Issuer {
            prefix,
            issued: Vec::new(),
            by_old: HashMap::new(),
        }
    }

    fn has(&self, old: &str) -> bool {
        self.by_old.contains_key(old)
    }

    fn get(&self, old: &str) -> Option<&str> {
        self.by_old.get(old).map(|&i| self.issued[i].1.as_str())
    }

    /// The label issued for `old`, issuing the next one if it has none.
    fn issue(&mut self, old: &str) -> &str {
        let at = match self.by_old.get(old) {
            Some(&at) => at,
            None => {
                let label = format!("{}{}", self.prefix, self.issued.len());
                self.issued.push((old.to_string(), label));
                self.by_old.insert(old.to_string(), self.issued.len() - 1);
                self.issued.len() - 1
            }
        };
        &self.issued[at].1
    }
}

/// The permutations of a list of labels in the order rdf-canonize visits them: the list
/// sorted (as JavaScript sorts), then Steinhaus–Johnson–Trotter steps, each element's
/// direction kept by its value (so equal labels share one).
struct Permutations<'a> {
    current: Vec<&'a str>,
    /// Whether each distinct label looks left.
    left: HashMap<&'a str, bool>,
    done: bool,
}

impl<'a> Permutations<'a> {
    fn new(mut labels: Vec<&'a str>) -> Permutations<'a> {
        labels.sort_by(|a, b| js_order(a, b));
        let left = labels.iter().map(|l| (*l, true)).collect();
        Permutations {
            current: labels,
            left,
            done: false,
        }
    }
}

impl<'a> Iterator for Permutations<'a> {
    type Item = Vec<&'a str>;

    fn next(&mut self) -> Option<Vec<&'a str>> {
        if self.done {
            return None;
        }
        let permutation = self.current.clone();
        let greater = |a: &str, b: &str| js_order(a, b).is_gt();
        // The largest mobile element: greater than the neighbour it looks at.
        let mut mobile: Option<(&'a str, usize)> = None;
        let n = self.current.len();
        for (i, &element) in self.current.iter().enumerate() {
            let looks_left = self.left[element];
            let is_mobile = if looks_left {
                i > 0 && greater(element, self.current[i - 1])
            } else {
                i + 1 < n && greater(element, self.current[i + 1])
            };
            if is_mobile && mobile.is_none_or(|(k, _)| greater(element, k)) {
                mobile = Some((element, i));
            }
        }
        match mobile {
            None => self.done = true,
            Some((k, at)) => {
                let to = if self.left[k] { at - 1 } else { at + 1 };
                self.current.swap(at, to);
                for element in &self.current {
                    if greater(element, k) {
                        let left = self
                            .left
                            .get_mut(element)
                            .expect("every label has a direction");
                        *left = !*left;
                    }
                }
            }
        }
        Some(permutation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_nquads;

    #[test]
    fn permutations_are_visited_in_the_permuters_order() {
        let orders: Vec<String> = Permutations::new(vec!["c", "a", "b"])
            .map(|p| p.concat())
            .collect();
        assert_eq!(orders, ["abc", "acb", "cab", "cba", "bca", "bac"]);
    }

    #[test]
    fn a_poisoned_graph_is_refused_within_the_work_allowed() {
        // Many blank nodes alike: a clique of `knows`.
        let n = 8;
        let mut text = String::new();
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    text.push_str(&format!("_:n{i} <http://p.example/knows> _:n{j} .\n"));
                }
            }
        }
        let quads = parse_nquads(&text).unwrap();
        assert_eq!(canonicalize(&quads), Err(CanonicalizeError::TooMuchWork(n)));
    }

    /// The bound on N-degree hashings bounds the permutations too: every permutation of a
    /// group of alike nodes starts with a hashing of one of them.
    #[test]
    fn a_large_clique_is_refused_quickly() {
        let n = 12;
        let mut text = String::new();
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    text.push_str(&format!("_:n{i} <http://p.example/knows> _:n{j} .\n"));
                }
            }
        }
        let quads = parse_nquads(&text).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(canonicalize(&quads), Err(CanonicalizeError::TooMuchWork(n)));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn labels_follow_hashes_not_input_labels() {
        let a = parse_nquads(
            "_:x <http://p.example/p> \"1\" .\n_:y <http://p.example/p> \"2\" .\n_:x <http://p.example/q> _:y .\n",
        )
        .unwrap();
        let b = parse_nquads(
            "_:q <http://p.example/q> _:r .\n_:r <http://p.example/p> \"2\" .\n_:q <http://p.example/p> \"1\" .\n",
        )
        .unwrap();
        assert_eq!(
            canonicalize(&a).unwrap().nquads,
            canonicalize(&b).unwrap().nquads
        );
    }
}
