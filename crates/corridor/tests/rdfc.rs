//! Corridor's RDF canonicalization against the reference's (`rdf-canonize` 5, which the W3C
//! selective disclosure suites TrustVC signs with use), on generated datasets: the same
//! canonical N-Quads, the same labels issued in the same order, and the same refusal of a
//! dataset too alike to canonicalize.

mod common;

use corridor_rdfc::{GraphName, Literal, Quad, Subject, Term, canonicalize, parse_nquads};
use rand::Rng;
use serde_json::{Value, json};

const PREDICATES: [&str; 4] = [
    "http://schema.org/knows",
    "http://schema.org/name",
    "https://w3id.org/traceability#event",
    "http://p.example/\u{1F348}",
];

/// A seeded dataset: a few blank nodes, often alike (cycles and cliques under one predicate,
/// which only the N-degree hashes tell apart), IRIs, literals of awkward text, languages and
/// datatypes, in the default graph and named ones.
fn dataset(rng: &mut impl Rng) -> Vec<Quad> {
    let nodes = rng.random_range(1..7);
    let blank = |i: usize| format!("{}{i}", ["b", "n", "c14n", "_x"][i % 4]);
    let graph = |rng: &mut dyn rand::RngCore| match rng.random_range(0..8) {
        0 => GraphName::Iri("http://g.example/1".into()),
        1 => GraphName::Blank(blank(rng.random_range(0..nodes))),
        _ => GraphName::Default,
    };
    let mut quads = Vec::new();
    if rng.random_bool(0.4) {
        // A ring or a clique: every node like every other.
        let clique = rng.random_bool(0.5);
        for i in 0..nodes {
            for j in 0..nodes {
                if i != j && (clique || j == (i + 1) % nodes) {
                    quads.push(Quad {
                        subject: Subject::Blank(blank(i)),
                        predicate: PREDICATES[0].into(),
                        object: Term::Blank(blank(j)),
                        graph: GraphName::Default,
                    });
                }
            }
        }
    }
    for _ in 0..rng.random_range(1..10) {
        let subject = if rng.random_bool(0.8) {
            Subject::Blank(blank(rng.random_range(0..nodes)))
        } else {
            Subject::Iri(format!("http://s.example/{}", rng.random_range(0..3)))
        };
        let object = match rng.random_range(0..5) {
            0 => Term::Iri("http://o.example/x y".into()),
            1 | 2 => Term::Blank(blank(rng.random_range(0..nodes))),
            3 => Term::Literal(Literal {
                value: common::awkward_string(rng),
                datatype: "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString".into(),
                language: Some(["en", "zh-Hant", "de-CH-1996"][rng.random_range(0..3)].into()),
            }),
            _ => Term::Literal(Literal {
                value: common::awkward_string(rng),
                datatype: [
                    "http://www.w3.org/2001/XMLSchema#string",
                    "http://www.w3.org/2001/XMLSchema#integer",
                    "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON",
                ][rng.random_range(0..3)]
                .into(),
                language: None,
            }),
        };
        quads.push(Quad {
            subject,
            predicate: PREDICATES[rng.random_range(0..PREDICATES.len())].into(),
            object,
            graph: graph(rng),
        });
    }
    // A dataset is a set: the reference keeps a repeated statement once.
    let mut seen = std::collections::HashSet::new();
    quads.retain(|q| seen.insert(q.clone()));
    quads
}

#[test]
fn canonical_forms_agree_with_rdf_canonize() {
    let mut rng = common::rng(16);
    let datasets: Vec<Vec<Quad>> = (0..1500).map(|_| dataset(&mut rng)).collect();
    let texts: Vec<String> = datasets
        .iter()
        .map(|quads| quads.iter().map(Quad::to_nquad).collect())
        .collect();
    let input: String = texts
        .iter()
        .map(|text| json!({"nquads": text}).to_string() + "\n")
        .collect();
    let answers = common::compat_script("oracle-w3c.mjs", &["canonize"], &[], input);
    assert_eq!(answers.len(), datasets.len());
    let (mut refused, mut deep) = (0, 0);
    for ((quads, text), answer) in datasets.iter().zip(&texts).zip(&answers) {
        assert_eq!(&parse_nquads(text).unwrap(), quads, "written and read back");
        match (canonicalize(quads), answer) {
            (Ok(ours), answer) if answer.get("canonical").is_some() => {
                assert_eq!(ours.document(), answer["canonical"], "{text}");
                let labels: Vec<Value> = ours
                    .labels
                    .iter()
                    .map(|(old, new)| json!([old, new]))
                    .collect();
                assert_eq!(Value::from(labels), answer["labels"], "{text}");
                if ours.labels.len() > 1 && text.matches(PREDICATES[0]).count() > 1 {
                    deep += 1;
                }
            }
            (Err(ours), answer) => {
                assert_eq!(answer["error"], ours.to_string(), "{text}");
                refused += 1;
            }
            (Ok(ours), answer) => panic!("{text}: ours {ours:?}, the reference's {answer}"),
        }
    }
    // The generator reaches both the N-degree paths and the work bound.
    assert!(deep > 100, "{deep} datasets needed N-degree hashing");
    assert!(refused > 10, "{refused} datasets refused");
}
