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
