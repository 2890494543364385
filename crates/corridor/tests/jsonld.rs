//! Corridor's JSON-LD processing (`corridor-jsonld`) against jsonld.js 9 as TrustVC's selective
//! disclosure suites run it (`compat/oracle-w3c.mjs jsonld`: expansion and compaction in safe
//! mode, toRDF as di-sd-primitives canonicalizes), on 2,000 seeded generated documents
//! (`jsonld/generate.rs`): the same expansion, compaction and N-Quads, or a refusal with the
//! same code — after checking that the generator reaches every corner worth comparing.

mod common;
#[path = "jsonld/generate.rs"]
mod generate;

use std::collections::BTreeMap;

use corridor_jsonld::{BundledContexts, ContextSource, Processor};
use corridor_rdfc::{GraphName, Quad, Term, parse_nquads};
use generate::Case;
use serde_json::{Value, json};

/// The generated cases, the same on every run.
fn cases() -> Vec<Case> {
    let mut rng = common::rng(16);
    (0..2000).map(|_| generate::document(&mut rng)).collect()
}

/// jsonld.js's answers to each operation on every case.
struct Answers {
    expanded: Vec<Value>,
    compacted: Vec<Value>,
    nquads: Vec<Value>,
}

impl Answers {
    /// Every operation on every case, dealt out among processes as one mixed list (so that
    /// each process does its share of the slowest operation).
    fn of(cases: &[Case]) -> Answers {
        const OPS: [&str; 3] = ["expand", "compact", "to-rdf"];
        let lines: Vec<String> = cases
            .iter()
            .flat_map(|case| {
                OPS.map(|op| {
                    let mut line =
                        json!({"op": op, "document": case.document, "contexts": case.contexts});
                    if op == "compact" {
                        line["context"] = case.compact_context.clone();
                    }
                    line.to_string() + "\n"
                })
            })
            .collect();
        let answers = common::compat_script_split("oracle-w3c.mjs", &["jsonld"], &lines, &[]);
        let of_op = |k: usize| -> Vec<Value> {
            answers.iter().skip(k).step_by(OPS.len()).cloned().collect()
        };
        Answers {
            expanded: of_op(0),
            compacted: of_op(1),
            nquads: of_op(2),
        }
    }
}

/// The error code of a failed answer (`-` for a failure without one), or None for a success.
fn error_code(answer: &Value) -> Option<String> {
    let error = answer.get("error")?;
    Some(error["code"].as_str().unwrap_or("-").to_string())
}

/// How many arrays of one in `document` (reached through objects only) `compacted` writes
/// as their single value.
fn collapsed_arrays(document: &Value, compacted: &Value) -> usize {
    let (Value::Object(document), Value::Object(compacted)) = (document, compacted) else {
        return 0;
    };
    document
        .iter()
        .filter(|(key, _)| *key != "@context")
        .map(|(key, value)| match (value, compacted.get(key)) {
            (Value::Array(items), Some(single)) if items.len() == 1 && !single.is_array() => 1,
            (value, Some(compacted)) => collapsed_arrays(value, compacted),
            (_, None) => 0,
        })
        .sum()
}

/// The kinds of statement a dataset holds that implementations write differently.
fn features(quads: &[Quad]) -> Vec<&'static str> {
    const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    let mut found = Vec::new();
    let mut note = |present: bool, feature| {
        if present {
            found.push(feature);
        }
    };
    let literals: Vec<_> = quads
        .iter()
        .filter_map(|quad| match &quad.object {
            Term::Literal(literal) => Some(literal),
            _ => None,
        })
        .collect();
    note(
        literals.iter().any(|l| l.language.is_some()),
        "language-tagged literal",
    );
    note(
        literals
            .iter()
            .any(|l| l.datatype.starts_with("https://www.w3.org/ns/i18n#")),
        "i18n-datatype literal",
    );
    note(
        literals.iter().any(|l| l.datatype == format!("{RDF}JSON")),
        "rdf:JSON literal",
    );
    note(
        literals.iter().any(|l| {
            l.datatype == "http://www.w3.org/2001/XMLSchema#double" && l.value.contains('E')
        }),
        "xsd:double in E notation",
    );
    note(
        quads.iter().any(|q| q.predicate == format!("{RDF}first")),
        "rdf:List",
    );
    note(
        quads.iter().any(|q| q.graph != GraphName::Default),
        "named graph",
    );
    found
}

/// Counts, by name, printed in order.
#[derive(Default)]
struct Tally(BTreeMap<String, usize>);

impl Tally {
    fn add(&mut self, name: &str) {
        *self.0.entry(name.to_string()).or_default() += 1;
    }

    fn get(&self, name: &str) -> usize {
        self.0.get(name).copied().unwrap_or(0)
    }

    fn print(&self, title: &str) {
        println!("{title}:");
        for (name, count) in &self.0 {
            println!("  {count:5}  {name}");
        }
    }
}

/// Corridor's expansion, compaction and RDF agree with jsonld.js on every generated document:
/// the same result, or a refusal with the same code.
#[test]
fn corridor_processes_generated_documents_as_jsonld_js_does() {
    let cases = cases();
    // Corridor works while jsonld.js does.
    let (answers, all_ours) = std::thread::scope(|threads| {
        let answers = threads.spawn(|| Answers::of(&cases));
        let all_ours: Vec<_> = cases
            .iter()
            .map(|case| {
                let processor =
                    Processor::new((BundledContexts, CaseContexts(case.contexts.clone())));
                [
                    processor
                        .expand(&case.document)
                        .map(|e| json!({"expanded": e})),
                    processor
                        .compact(&case.document, &case.compact_context)
                        .map(|c| json!({"compacted": c})),
                    processor
                        .to_nquads(&case.document)
                        .map(|n| json!({"nquads": n})),
                ]
            })
            .collect();
        (answers.join().unwrap(), all_ours)
    });
    generated_documents_reach_every_corner_of_the_reference(&cases, &answers);
    let mut disagreements = Vec::new();
    for ((i, case), ours) in cases.iter().enumerate().zip(all_ours) {
        let theirs = [
            &answers.expanded[i],
            &answers.compacted[i],
            &answers.nquads[i],
        ];
        for ((op, ours), theirs) in ["expand", "compact", "to-rdf"].iter().zip(ours).zip(theirs) {
            let agree = match (&ours, error_code(theirs)) {
                (Ok(ours), None) => as_javascript_numbers(ours) == as_javascript_numbers(theirs),
                (Err(ours), Some(code)) => ours.code() == code,
                _ => false,
            };
            if !agree {
                let short = |text: String| text.chars().take(1500).collect::<String>();
                disagreements.push(format!(
                    "case {i} {op}: ours {}\n  theirs {}\n  document {}",
                    short(match &ours {
                        Ok(v) => v.to_string(),
                        Err(e) => format!("error {} ({e})", e.code()),
                    }),
                    short(theirs.to_string()),
                    short(case.document.to_string())
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements with jsonld.js, the first:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// `value` with every number as the double JavaScript reads it, as jsonld.js's answers come
/// (12345678901234567890 is 12345678901234567168 there).
fn as_javascript_numbers(value: &Value) -> Value {
    match value {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
        }
        Value::Array(items) => Value::Array(items.iter().map(as_javascript_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), as_javascript_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The remote contexts a case names beyond those TrustVC bundles.
struct CaseContexts(serde_json::Map<String, Value>);

impl ContextSource for CaseContexts {
    fn context(&self, url: &str) -> Result<Value, String> {
        self.0
            .get(url)
            .cloned()
            .ok_or_else(|| "not a context of this case".to_owned())
    }
}

/// The generator is only worth comparing on if jsonld.js, given its documents, takes every
/// path the Rust processor must match: mostly accepted, each safe-mode refusal met, arrays of
/// one collapsed, and every kind of RDF term jsonld.js writes its own way.
fn generated_documents_reach_every_corner_of_the_reference(cases: &[Case], answers: &Answers) {
    let (mut expand, mut compact, mut to_rdf, mut rdf) = (
        Tally::default(),
        Tally::default(),
        Tally::default(),
        Tally::default(),
    );
    let (mut expanded, mut collapsing) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        let tally = |tally: &mut Tally, answer: &Value| {
            tally.add(&error_code(answer).unwrap_or_else(|| "(accepted)".into()))
        };
        tally(&mut expand, &answers.expanded[i]);
        tally(&mut compact, &answers.compacted[i]);
        tally(&mut to_rdf, &answers.nquads[i]);
        if answers.expanded[i].get("expanded").is_some() {
            expanded += 1;
        }
        if let Some(compacted) = answers.compacted[i].get("compacted") {
            if collapsed_arrays(&case.document, compacted) > 0 {
                collapsing += 1;
            }
        }
        if let Some(nquads) = answers.nquads[i]["nquads"].as_str() {
            let quads = parse_nquads(nquads).unwrap_or_else(|e| {
                panic!("jsonld.js wrote N-Quads we cannot read: {e}\n{nquads}")
            });
            for feature in features(&quads) {
                rdf.add(feature);
            }
        }
    }
    expand.print("expand");
    compact.print("compact");
    to_rdf.print("to-rdf");
    rdf.print("datasets holding");
    println!("compactions collapsing an array of one: {collapsing}");

    assert!(
        expanded * 10 >= cases.len() * 6,
        "only {expanded} of {} documents expand",
        cases.len()
    );
    let refusals = Tally(expand.0.into_iter().chain(to_rdf.0).fold(
        BTreeMap::new(),
        |mut all, (code, count)| {
            *all.entry(code).or_default() += count;
            all
        },
    ));
    for code in [
        "invalid property",
        "relative @type reference",
        "relative @id reference",
        "invalid @language value",
        "empty object",
        "free-floating scalar",
        "object with only @id",
        "object with only @value",
        "object with only @list",
        "object with only @language",
        "null @value value",
        "reserved @id value",
        "reserved term",
        "reserved @reverse value",
        "relative @vocab reference",
        "blank node predicate",
        "protected term redefinition",
        "loading remote context failed",
    ] {
        assert!(
            refusals.get(code) >= 5,
            "{code:?} met {} times",
            refusals.get(code)
        );
    }
    assert!(
        collapsing >= 200,
        "{collapsing} compactions collapse an array of one"
    );
    for feature in [
        "language-tagged literal",
        "i18n-datatype literal",
        "rdf:JSON literal",
        "xsd:double in E notation",
        "rdf:List",
        "named graph",
    ] {
        assert!(
            rdf.get(feature) >= 20,
            "{} datasets hold a {feature}",
            rdf.get(feature)
        );
    }
}
