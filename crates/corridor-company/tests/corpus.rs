//! The public company corpus (`../shared/fixtures/company`), when it sits beside the
//! repository: every identifier case gets its verdict and its reason, as written and once
//! normalised.

use std::path::PathBuf;

use corridor_company::{Date, IdKind, check, guess_kind, normalise};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/company");
    dir.join("identifiers.jsonl").exists().then_some(dir)
}

fn lines(path: PathBuf) -> Vec<Value> {
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Any day from 2026 to 2089 gives the corpus's verdicts, its README says.
fn today() -> Date {
    Date::new(2026, 11, 27).unwrap()
}

#[test]
fn every_identifier_case_gets_its_verdict_and_reason() {
    let Some(dir) = corpus() else { return };
    let cases = lines(dir.join("identifiers.jsonl"));
    assert!(cases.len() > 2_000);
    let mut wrong = Vec::new();
    for case in &cases {
        let kind = IdKind::from_name(case["type"].as_str().unwrap()).unwrap();
        let input = case["input"].as_str().unwrap();
        let reason = match check(kind, input, today()) {
            Ok(()) => "ok".to_owned(),
            Err(problem) => problem.reason.name().to_owned(),
        };
        let normalised = normalise(input);
        let valid_after = check(kind, &normalised, today()).is_ok();
        if reason != case["reason"]
            || normalised != case["normalised"]
            || valid_after != case["valid_after_normalisation"]
        {
            wrong.push(format!(
                "{}: {input:?} as {kind}: {reason}, normalised {normalised:?} valid {valid_after}; expected {}",
                case["id"], case
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

#[test]
fn valid_cases_are_guessed_as_their_kind() {
    let Some(dir) = corpus() else { return };
    for case in lines(dir.join("identifiers.jsonl")) {
        if case["valid"] != true {
            continue;
        }
        let kind = IdKind::from_name(case["type"].as_str().unwrap()).unwrap();
        let input = case["input"].as_str().unwrap();
        assert_eq!(guess_kind(input, today()), Some(kind), "{input}");
    }
}

#[test]
fn every_disclosure_case_discloses_and_withholds_exactly_what_it_expects() {
    use corridor_company::{Basis, Policy, classify, profile_of};
    use std::collections::HashMap;

    let Some(dir) = corpus() else { return };
    let companies: HashMap<String, Value> = lines(dir.join("companies.jsonl"))
        .into_iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c))
        .collect();
    let mut policies = HashMap::new();
    let cases = lines(dir.join("expected-disclosures.jsonl"));
    assert_eq!(cases.len(), 200);
    for case in &cases {
        let name = case["policy"].as_str().unwrap();
        let policy = policies.entry(name.to_owned()).or_insert_with(|| {
            let text = std::fs::read_to_string(dir.join(format!("policies/{name}.toml"))).unwrap();
            Policy::from_toml(&text).unwrap()
        });
        let record = &companies[case["company"].as_str().unwrap()];
        assert!(
            policy
                .from
                .contains(record["jurisdiction"].as_str().unwrap())
        );
        let basis = case["basis"].as_object().map(|b| Basis {
            kind: b["kind"].as_str().unwrap().to_owned(),
            reference: b["reference"].as_str().unwrap().to_owned(),
        });
        let judged = classify(&profile_of(record), policy, basis.as_ref());
        let outcome = if judged.refused.is_some() {
            "refused"
        } else {
            "disclosed"
        };
        assert_eq!(outcome, case["outcome"], "{}", case["case"]);
        assert_eq!(
            judged.refused.map(|r| r.name()),
            case["refusal_reason"].as_str(),
            "{}",
            case["case"]
        );
        let disclose: Vec<&str> = case["disclose"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(judged.disclose, disclose, "{}", case["case"]);
        let withhold: HashMap<&str, &str> = case["withhold"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(path, why)| (path.as_str(), why.as_str().unwrap()))
            .collect();
        let ours: HashMap<&str, &str> = judged
            .withhold
            .iter()
            .map(|(path, why)| (path.as_str(), why.name()))
            .collect();
        assert_eq!(ours, withhold, "{}", case["case"]);
    }
}

#[test]
fn every_identifier_in_the_companies_is_valid() {
    let Some(dir) = corpus() else { return };
    let mut checked = 0;
    let mut people = Vec::new();
    for company in lines(dir.join("companies.jsonl")) {
        for (kind, id) in company["identifiers"].as_object().unwrap() {
            let kind = IdKind::from_name(kind).unwrap();
            check(kind, id.as_str().unwrap(), today()).unwrap();
            checked += 1;
        }
        people.push(company["legal_representative"]["person"].clone());
        for list in ["officers", "shareholders"] {
            for entry in company[list].as_array().into_iter().flatten() {
                people.push(entry["person"].clone());
            }
        }
    }
    for person in people.iter().filter(|p| p.is_object()) {
        let kind = match person["id"]["type"].as_str().unwrap() {
            "SG-NRIC" | "SG-FIN" => IdKind::Nric,
            "CN-RIC" => IdKind::CnRic,
            _ => continue,
        };
        let number = person["id"]["number"].as_str().unwrap();
        if let Err(problem) = check(kind, number, today()) {
            panic!("{person}: {problem}");
        }
        checked += 1;
    }
    assert!(checked > 5_000, "{checked}");
}

#[test]
fn every_name_query_has_its_key_and_finds_its_companies() {
    use corridor_company::name_key;
    use std::collections::{BTreeSet, HashMap};

    let Some(dir) = corpus() else { return };
    let mut by_key: HashMap<String, BTreeSet<String>> = HashMap::new();
    for company in lines(dir.join("companies.jsonl")) {
        let id = company["id"].as_str().unwrap().to_owned();
        let names = [&company["name"]["legal"], &company["name"]["english"]]
            .into_iter()
            .chain(company["former_names"].as_array().into_iter().flatten());
        for name in names.filter_map(Value::as_str) {
            by_key.entry(name_key(name)).or_default().insert(id.clone());
        }
    }
    let queries = lines(dir.join("name-queries.jsonl"));
    assert!(queries.len() > 600);
    for query in queries {
        let key = name_key(query["query"].as_str().unwrap());
        assert_eq!(key, query["key"], "{query}");
        let found = by_key.get(&key).cloned().unwrap_or_default();
        let expected: BTreeSet<String> = query["expect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(found, expected, "{query}");
    }
}

#[test]
fn every_company_and_duplicate_record_reads_with_its_keys() {
    use corridor_company::read_company;
    let Some(dir) = corpus() else { return };
    let companies = lines(dir.join("companies.jsonl"));
    for record in &companies {
        let company = read_company(record, today())
            .unwrap_or_else(|problems| panic!("{}: {problems:?}", record["id"]));
        assert_eq!(company.id, record["id"]);
        assert!(company.primary_identifier().is_some());
        assert!(company.keys.iter().any(|(kind, _)| *kind == "name"));
    }
    for duplicate in lines(dir.join("duplicates.jsonl")) {
        let company = read_company(&duplicate["record"], today()).unwrap();
        let original = companies
            .iter()
            .find(|c| c["id"] == duplicate["duplicate_of"])
            .unwrap();
        let original = read_company(original, today()).unwrap();
        assert_eq!(company.primary_identifier(), original.primary_identifier());
        assert!(company.as_of < original.as_of);
    }
}
