//! Company data (issue 18): `corridor company check-id` as a script uses it, and, when the
//! shared fixtures sit beside the repository, on every identifier case of `company/`.

mod common;

use common::Workdir;
use corridor_company::{Date, IdKind, check};
use serde_json::Value;

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// A local company's UEN registered in `year`, its check letter found by trying each.
fn company_uen(year: u32) -> String {
    let on = Date::new(year, 12, 31).unwrap();
    (b'A'..=b'Z')
        .map(|letter| format!("{year}12345{}", letter as char))
        .find(|uen| check(IdKind::Uen, uen, on).is_ok())
        .unwrap()
}

#[test]
fn check_id_says_each_identifiers_kind_verdict_and_reason() {
    let work = Workdir::new();
    let uen = company_uen(2026);
    let out = work.run(&[
        "company",
        "check-id",
        "--json",
        "--on",
        "2026-11-27",
        // GB 11643-1999's own example; an LEI; the same LEI full-width; a wrong check
        // character; a shape no kind has.
        "11010519491231002X",
        "5493001KJTIIGC8Y1R12",
        "５４９３００１ＫＪＴＩＩＧＣ８Ｙ１Ｒ１２",
        "110105194912310021",
        "12-34",
        &uen,
    ]);
    assert_eq!(out.status.code(), Some(1), "an invalid input exits 1");
    let answers = lines(&String::from_utf8(out.stdout).unwrap());
    let summary: Vec<(String, Value, bool, String)> = answers
        .iter()
        .map(|a| {
            (
                a["input"].as_str().unwrap().to_owned(),
                a["type"].clone(),
                a["valid"].as_bool().unwrap(),
                a["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "11010519491231002X".into(),
                "cn-ric".into(),
                true,
                "ok".into()
            ),
            (
                "5493001KJTIIGC8Y1R12".into(),
                "lei".into(),
                true,
                "ok".into()
            ),
            (
                "５４９３００１ＫＪＴＩＩＧＣ８Ｙ１Ｒ１２".into(),
                "lei".into(),
                false,
                "fullwidth".into()
            ),
            (
                "110105194912310021".into(),
                "cn-ric".into(),
                false,
                "check_character".into()
            ),
            ("12-34".into(), Value::Null, false, "unknown_type".into()),
            (uen.clone(), "uen".into(), true, "ok".into()),
        ]
    );
    assert_eq!(answers[2]["normalised"], "5493001KJTIIGC8Y1R12");
    assert_eq!(answers[2]["valid_after_normalisation"], true);
    assert!(
        answers[3]["message"].as_str().unwrap().contains("give X"),
        "{}",
        answers[3]
    );

    // Valid throughout: exit 0. A UEN registered after the day checked against: `year`.
    assert_eq!(
        work.ok(&["company", "check-id", "--type", "uen", &uen])
            .trim(),
        format!("valid    uen     {uen}")
    );
    let before = work.run(&[
        "company",
        "check-id",
        "--json",
        "--type",
        "uen",
        "--on",
        "2025-06-30",
        &uen,
    ]);
    assert_eq!(before.status.code(), Some(1));
    assert_eq!(
        lines(&String::from_utf8(before.stdout).unwrap())[0]["reason"],
        "year"
    );

    // Usage errors name what is wrong and exit 2.
    for (args, says) in [
        (
            vec!["--type", "ssn", "X"],
            "\"ssn\" is not a kind of identifier",
        ),
        (
            vec!["--on", "2026-02-30", "X"],
            "\"2026-02-30\" is not a day",
        ),
    ] {
        let mut all = vec!["company", "check-id"];
        all.extend(args);
        let out = work.run(&all);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn check_id_gets_every_corpus_identifier_case() {
    let dir = common::repo().join("../shared/fixtures/company");
    let Ok(text) = std::fs::read_to_string(dir.join("identifiers.jsonl")) else {
        return;
    };
    let cases = lines(&text);
    let work = Workdir::new();
    for kind in ["uen", "uscc", "lei", "sg_nric", "cn_ric"] {
        let of_kind: Vec<&Value> = cases.iter().filter(|c| c["type"] == kind).collect();
        assert!(!of_kind.is_empty(), "{kind}");
        let mut args = vec![
            "company",
            "check-id",
            "--json",
            "--on",
            "2026-11-27",
            "--type",
            kind,
        ];
        args.extend(of_kind.iter().map(|c| c["input"].as_str().unwrap()));
        let out = work.run(&args);
        let answers = lines(&String::from_utf8(out.stdout).unwrap());
        assert_eq!(answers.len(), of_kind.len());
        for (case, answer) in of_kind.iter().zip(&answers) {
            assert_eq!(answer["input"], case["input"]);
            assert_eq!(answer["valid"], case["valid"], "{case}");
            assert_eq!(answer["reason"], case["reason"], "{case}");
            assert_eq!(answer["normalised"], case["normalised"], "{case}");
            assert_eq!(
                answer["valid_after_normalisation"], case["valid_after_normalisation"],
                "{case}"
            );
        }
    }
}

/// What fast-lei 1.2.0 (pinned in compat/) makes of each input.
fn fast_lei(inputs: &[String]) -> Vec<Value> {
    let lines: String = inputs
        .iter()
        .map(|i| format!("{}\n", Value::String(i.clone())))
        .collect();
    common::compat_script("oracle-lei.mjs", &[], &[], lines)
}

#[test]
fn lei_checks_agree_with_a_registry_package() {
    use rand::Rng;
    const SET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut rng = common::rng(18);
    let bodies: Vec<String> = (0..300)
        .map(|_| {
            (0..18)
                .map(|_| SET[rng.random_range(0..SET.len())] as char)
                .collect()
        })
        .collect();
    // fast-lei gives each body its check digits: the one pair Corridor takes.
    let generated = fast_lei(&bodies);
    let today = Date::new(2026, 11, 27).unwrap();
    let mut leis = Vec::new();
    for (body, theirs) in bodies.iter().zip(&generated) {
        let lei = theirs["generated"].as_str().unwrap().to_owned();
        assert!(lei.starts_with(body.as_str()));
        let ours: Vec<u32> = (0..100)
            .filter(|pair| check(IdKind::Lei, &format!("{body}{pair:02}"), today).is_ok())
            .collect();
        assert_eq!(ours, vec![lei[18..].parse::<u32>().unwrap()], "{body}");
        // Every pair for this body: valid or not, as fast-lei says.
        leis.extend((0..100).map(|pair| format!("{body}{pair:02}")));
    }
    let verdicts = fast_lei(&leis);
    let mut aliases = 0;
    for (lei, theirs) in leis.iter().zip(&verdicts) {
        let theirs = theirs["valid"].as_bool().unwrap();
        match check(IdKind::Lei, lei, today) {
            Ok(()) => assert!(theirs, "{lei}"),
            // Check digits 00, 01 or 99 make the number 1 mod 97 where 97, 98 or 02 belong:
            // ISO 17442 never writes them, and fast-lei, which asks only the number, takes
            // them (as the public corpus's README records).
            Err(problem) if problem.reason == corridor_company::Reason::CheckDigitsAlias => {
                assert!(theirs, "{lei}");
                aliases += 1;
            }
            Err(problem) => assert!(!theirs, "{lei}: {problem}"),
        }
    }
    assert!(
        aliases > 0,
        "no body had check digits 02, 97 or 98 to alias"
    );
}

/// `body` completed with the one check character `kind` takes from `set`.
fn completed(kind: IdKind, body: &str, set: &str) -> String {
    let on = Date::new(2026, 11, 27).unwrap();
    set.chars()
        .map(|c| format!("{body}{c}"))
        .find(|id| check(kind, id, on).is_ok())
        .unwrap()
}

fn company_record(id: &str, uen: &str, name: &str, director_nric: &str) -> Value {
    serde_json::json!({
        "id": id, "jurisdiction": "SG",
        "identifiers": {"uen": uen},
        "name": {"legal": format!("{name} Pte. Ltd."), "english": format!("{name} Pte. Ltd.")},
        "legal_form": {"code": "private-company", "label": "Private company limited by shares"},
        "status": {"code": "live", "label": "Live"},
        "officers": [{"role": "director", "person": {"name": "Tan Wei Ming", "nationality": "SG",
            "id": {"type": "SG-NRIC", "number": director_nric}}}],
        "source": {"provider": "Singapore company data", "as_of": "2026-10-31"},
        "updated_at": "2026-10-31T08:00:00Z"
    })
}

fn write_lines(path: &std::path::Path, records: &[Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn import_keeps_every_record_or_none_and_find_finds_them_every_way() {
    const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let work = Workdir::new();
    let nric = completed(IdKind::Nric, "S1234567", LETTERS);
    let uens: Vec<String> = ["20191234", "20191235", "20191236"]
        .iter()
        .map(|body| completed(IdKind::Uen, &format!("{body}5"), LETTERS))
        .collect();
    let records: Vec<Value> = ["Alpha Trading", "Beta Logistics", "Gamma Foods"]
        .iter()
        .enumerate()
        .map(|(i, name)| company_record(&format!("SG-{i}"), &uens[i], name, &nric))
        .collect();

    // One bad identity number refuses the whole file, naming its line and field.
    let mut broken = records.clone();
    let wrong = if nric.ends_with('A') {
        "S1234567B"
    } else {
        "S1234567A"
    };
    broken[1]["officers"][0]["person"]["id"]["number"] = wrong.into();
    broken[2]["source"]["as_of"] = "yesterday".into();
    let bad = work.path("bad.jsonl");
    write_lines(&bad, &broken);
    let out = work.run(&[
        "company",
        "import",
        "--on",
        "2026-11-27",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "bad.jsonl:2 (SG-1): officers[0].person.id.number: not a valid nric: check_character"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.jsonl:3 (SG-2): source.as_of"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    let missing = work.run(&["company", "find", "SG-0"]);
    assert_eq!(
        missing.status.code(),
        Some(1),
        "the good record before was not kept"
    );

    let good = work.path("good.jsonl");
    write_lines(&good, &records);
    let out = work.run(&["company", "import", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stderr).unwrap().contains("3 added"));

    // By id, by its UEN written full-width with a space, by its name in other spellings.
    let fullwidth: String = uens[1]
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    let queries = [
        "SG-0",
        &format!(" {fullwidth}"),
        "GAMMA FOODS PRIVATE LIMITED",
        "Nobody Ltd",
    ];
    let mut args = vec!["company", "find", "--json"];
    args.extend(queries.iter().copied());
    let out = work.run(&args);
    assert_eq!(out.status.code(), Some(1), "one query finds nothing");
    let answers = lines(&String::from_utf8(out.stdout).unwrap());
    let ids: Vec<Vec<&str>> = answers
        .iter()
        .map(|a| {
            a["found"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(ids, vec![vec!["SG-0"], vec!["SG-1"], vec!["SG-2"], vec![]]);
    assert_eq!(
        answers[0]["found"][0]["profile"]["identifiers"]["uen"],
        uens[0]
    );
    assert!(answers[0]["found"][0]["profile"].get("id").is_none());

    // The same file again changes nothing; the audit holds every company.
    let again = work.run(&["company", "import", good.to_str().unwrap()]);
    assert!(
        String::from_utf8(again.stderr)
            .unwrap()
            .contains("3 unchanged")
    );
    assert!(
        work.ok(&["store", "audit"])
            .contains("intact, 3 audit entries")
    );
}

#[test]
fn the_corpus_imports_whole_and_every_name_query_finds_its_companies() {
    let dir = common::repo().join("../shared/fixtures/company");
    if !dir.join("companies.jsonl").exists() {
        return;
    }
    let work = Workdir::new();
    let duplicates: Vec<Value> =
        lines(&std::fs::read_to_string(dir.join("duplicates.jsonl")).unwrap())
            .into_iter()
            .map(|d| d["record"].clone())
            .collect();
    let later = work.path("duplicates.jsonl");
    write_lines(&later, &duplicates);
    let out = work.run(&[
        "company",
        "import",
        "--on",
        "2026-11-27",
        dir.join("companies.jsonl").to_str().unwrap(),
        later.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("2000 added"), "{stderr}");
    assert!(stderr.contains("60 older"), "{stderr}");

    let queries = lines(&std::fs::read_to_string(dir.join("name-queries.jsonl")).unwrap());
    let mut args = vec!["company", "find", "--json"];
    args.extend(queries.iter().map(|q| q["query"].as_str().unwrap()));
    let out = work.run(&args);
    let answers = lines(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(answers.len(), queries.len());
    for (query, answer) in queries.iter().zip(&answers) {
        let mut found: Vec<&str> = answer["found"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        found.sort();
        let mut expected: Vec<&str> = query["expect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap())
            .collect();
        expected.sort();
        assert_eq!(found, expected, "{query}");
    }
}

/// `records` as CSV: a column for each field path down to the lists, whose cells are JSON; a
/// text that would read as JSON written as a JSON string.
fn to_csv(records: &[Value]) -> String {
    fn flatten(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(fields) => {
                for (key, child) in fields {
                    let path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    flatten(child, &path, out);
                }
            }
            Value::String(text) => {
                let reads_as_json = serde_json::from_str::<Value>(text).is_ok()
                    || text.starts_with(['[', '{', '"']);
                let cell = if reads_as_json {
                    value.to_string()
                } else {
                    text.clone()
                };
                out.push((path.to_owned(), cell));
            }
            other => out.push((path.to_owned(), other.to_string())),
        }
    }
    let rows: Vec<Vec<(String, String)>> = records
        .iter()
        .map(|r| {
            let mut cells = Vec::new();
            flatten(r, "", &mut cells);
            cells
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for row in &rows {
        for (column, _) in row {
            if !columns.contains(column) {
                columns.push(column.clone());
            }
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns).unwrap();
    for row in &rows {
        let cells: Vec<&str> = columns
            .iter()
            .map(|c| {
                row.iter()
                    .find(|(k, _)| k == c)
                    .map_or("", |(_, v)| v.as_str())
            })
            .collect();
        writer.write_record(&cells).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// Every company `work`'s store keeps, by id, as `company find --json` gives it.
fn kept(work: &Workdir, ids: &[&str]) -> Vec<Value> {
    let mut args = vec!["company", "find", "--json"];
    args.extend(ids);
    lines(&work.ok(&args))
        .into_iter()
        .map(|answer| answer["found"][0].clone())
        .collect()
}

#[test]
fn a_csv_file_imports_as_its_json_lines_do() {
    let dir = common::repo().join("../shared/fixtures/company");
    let records: Vec<Value> = match std::fs::read_to_string(dir.join("companies.jsonl")) {
        // The corpus's own records of both jurisdictions, when it is beside the repository.
        Ok(text) => lines(&text)
            .into_iter()
            .filter(|r| r["id"] == "CQ-00001" || r["id"].as_str().unwrap().ends_with('7'))
            .take(60)
            .collect(),
        Err(_) => {
            const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
            let nric = completed(IdKind::Nric, "S7654321", LETTERS);
            (0..3)
                .map(|i| {
                    let uen = completed(IdKind::Uen, &format!("2018{i}2345"), LETTERS);
                    let mut record = company_record(&format!("SG-{i}"), &uen, "Delta", &nric);
                    record["registered_address"] =
                        serde_json::json!({"block": "123", "postal_code": "049315"});
                    record
                })
                .collect()
        }
    };
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let (from_lines, from_csv) = (Workdir::new(), Workdir::new());
    let jsonl = from_lines.path("companies.jsonl");
    write_lines(&jsonl, &records);
    let csv = from_csv.path("companies.csv");
    std::fs::write(&csv, to_csv(&records)).unwrap();
    for (work, file) in [(&from_lines, &jsonl), (&from_csv, &csv)] {
        common::company::import_file(work, file);
    }
    let (a, b) = (kept(&from_lines, &ids), kept(&from_csv, &ids));
    assert_eq!(a.len(), records.len());
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(a["profile"], b["profile"], "{}", a["id"]);
        assert_eq!(a["as_of"], b["as_of"]);
    }

    // A bad cell is named by its line and column, and nothing is imported.
    let mut broken = to_csv(&records[..2]);
    broken = broken.replacen('[', "[,", 1);
    let bad = from_csv.path("bad.csv");
    std::fs::write(&bad, broken).unwrap();
    let fresh = Workdir::new();
    let out = fresh.run(&["company", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("bad.csv:2: "), "{stderr}");
    assert!(stderr.contains("not valid JSON"), "{stderr}");
}

#[test]
fn a_file_of_many_bad_records_lists_the_first_and_counts_the_rest() {
    let work = Workdir::new();
    let bad = work.path("bad.jsonl");
    std::fs::write(&bad, "{not json\n".repeat(60)).unwrap();
    let out = work.run(&["company", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches(": not JSON: ").count(), 50, "{stderr}");
    assert!(stderr.contains("bad.jsonl:50: not JSON"), "{stderr}");
    assert!(
        stderr.contains("60 problem(s) in 60 record(s) (10 more not shown): nothing was imported"),
        "{stderr}"
    );
}
