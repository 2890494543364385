//! Company profiles issued and disclosed (issue 18): `corridor company issue` signs each
//! profile as a W3C credential, `corridor company disclose` passes on a copy under a policy.
//! The copies verify in TrustVC and in Corridor with the provider's own key, hold exactly the
//! fields the policy lets leave and nothing of the rest, and every disclosure and refusal is
//! in the audit log. On generated companies always; on the corpus's 200 expected disclosures
//! when the corpus is beside the repository.

mod common;

use std::collections::{HashMap, HashSet};

use common::Workdir;
use common::company::{CN_SG, CQ_HOST, SG_CN, SG_HOST, issue, provider, world};
use common::w3c::{corridor_verdicts, unlocked_ok as ok};
use serde_json::{Value, json};

/// `corridor company disclose --json`: its exit code and its one line.
fn disclose(
    work: &Workdir,
    company: &str,
    policy: &std::path::Path,
    basis: Option<&str>,
) -> (i32, Value) {
    let mut args = vec![
        "company",
        "disclose",
        company,
        "--json",
        "--partner",
        "cq-credit",
    ];
    let policy = policy.to_str().unwrap();
    args.extend(["--policy", policy]);
    if let Some(basis) = basis {
        args.extend(["--basis", basis]);
    }
    let out = work.run(&args);
    let code = out.status.code().unwrap();
    assert!(
        matches!(code, 0 | 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

/// Writes each of `copies` to a file and checks that TrustVC and Corridor both find it valid
/// in `world`.
fn verify_everywhere(work: &Workdir, world: &std::path::Path, copies: &[Value]) {
    let paths: Vec<String> = copies
        .iter()
        .enumerate()
        .map(|(i, copy)| {
            let path = work.path(&format!("copy-{i}.json"));
            std::fs::write(&path, copy.to_string()).unwrap();
            path.to_str().unwrap().to_owned()
        })
        .collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let theirs = common::compat_script_split(
        "oracle-w3c.mjs",
        &["verify", world.to_str().unwrap()],
        &[],
        &paths,
    );
    let ours = corridor_verdicts(work, world, &paths);
    for ((path, their), our) in paths.iter().zip(&theirs).zip(&ours) {
        assert_eq!(their["verdict"], "VALID", "TrustVC on {path}: {their}");
        assert_eq!(our["valid"], true, "Corridor on {path}: {our}");
    }
}

/// Every text leaf of `value`.
fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => fields.values().for_each(|v| texts(v, out)),
        Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
        Value::String(text) => out.push(text.clone()),
        _ => {}
    }
}

/// The value at a disclosure path (`officers[0].person.name`) of `profile`.
fn at<'v>(profile: &'v Value, path: &str) -> &'v Value {
    let mut value = profile;
    for part in path.split('.') {
        let (name, indices) = part
            .split_once('[')
            .map_or((part, ""), |(n, rest)| (n, rest));
        value = &value[name];
        for index in indices.split('[').filter(|i| !i.is_empty()) {
            value = &value[index.trim_end_matches(']').parse::<usize>().unwrap()];
        }
    }
    value
}

/// Checks a disclosure's copy against the profile: every text the copy holds is a disclosed
/// field's, and every disclosed text is in it.
fn holds_exactly_what_left(profile: &Value, line: &Value) {
    let disclosed: HashSet<String> = line["disclose"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| at(profile, p.as_str().unwrap()).as_str().map(str::to_owned))
        .collect();
    let mut withheld = Vec::new();
    for path in line["withhold"].as_object().unwrap().keys() {
        if let Some(text) = at(profile, path).as_str()
            && !disclosed.contains(text)
        {
            withheld.push((path.clone(), text.to_owned()));
        }
    }
    let mut in_copy = Vec::new();
    texts(&line["credential"]["credentialSubject"], &mut in_copy);
    let in_copy: HashSet<String> = in_copy.into_iter().collect();
    for (path, text) in withheld {
        assert!(
            !in_copy.contains(&text),
            "withheld {path} ({text:?}) left: {line}"
        );
    }
    for text in &disclosed {
        assert!(
            in_copy.contains(text),
            "disclosed {text:?} is not in the copy: {line}"
        );
    }
}

#[test]
fn generated_profiles_are_issued_and_disclosed_under_policies_and_the_copies_verify_everywhere() {
    let work = Workdir::new();
    let records = common::company::imported(&work, 18, 12);
    let sg_document = provider(&work, "sg", "p256", SG_HOST);
    let cq_document = provider(&work, "cq", "bls12-381", CQ_HOST);
    let ids = |prefix: &str| -> Vec<&str> {
        records
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .filter(|id| id.starts_with(prefix))
            .collect()
    };
    let (sg, cq) = (ids("SG-"), ids("CQ-"));

    // Not yet issued: nothing to disclose.
    let sg_cn = work.path("sg-cn.toml");
    std::fs::write(&sg_cn, SG_CN).unwrap();
    let cn_sg = work.path("cn-sg.toml");
    std::fs::write(&cn_sg, CN_SG).unwrap();
    let out = work.run(&[
        "company",
        "disclose",
        sg[0],
        "--policy",
        sg_cn.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("corridor company issue"));

    let said = issue(&work, "sg", SG_HOST, &sg);
    assert!(
        said.contains(&format!(
            "issued {} profile credential(s) with ecdsa-sd-2023",
            sg.len()
        )),
        "{said}"
    );
    let said = issue(&work, "cq", CQ_HOST, &cq);
    assert!(said.contains("with bbs-2023"), "{said}");
    // Every credential is current: a run for all issues none.
    let said = issue(&work, "sg", SG_HOST, &[]);
    assert!(said.contains("issued 0 profile credential(s)"), "{said}");

    let by_id: HashMap<&str, Value> = records
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), corridor_company::profile_of(r)))
        .collect();
    let mut copies = Vec::new();
    for (n, id) in sg.iter().enumerate() {
        let basis = (n % 2 == 0).then_some("consent:C-2026-0042");
        let (code, line) = disclose(&work, id, &sg_cn, basis);
        assert_eq!((code, &line["outcome"]), (0, &json!("disclosed")), "{line}");
        assert_eq!(line["company"], *id);
        assert_eq!(line["policy"], "test-sg-cn");
        // Every field is judged: disclosed or withheld with its reason.
        let judged = line["disclose"].as_array().unwrap().len()
            + line["withhold"].as_object().unwrap().len();
        let mut leaves = Vec::new();
        texts(&by_id[id], &mut leaves);
        assert!(judged >= leaves.len(), "{line}");
        for (path, why) in line["withhold"].as_object().unwrap() {
            if path.contains(".person.id.") {
                assert_eq!(why, "never", "{path}");
            }
            if basis.is_none() && path.ends_with(".person.name") && why != "never" {
                assert!(
                    why.as_str().unwrap().starts_with("minimised") || why == "basis-missing",
                    "{path}: {why}"
                );
            }
        }
        holds_exactly_what_left(&by_id[id], &line);
        copies.push(line["credential"].clone());
    }
    for id in &cq {
        // Without separate consent nothing leaves; with it, the copy verifies.
        let (code, line) = disclose(&work, id, &cn_sg, None);
        assert_eq!(code, 1, "{line}");
        assert_eq!(line["outcome"], "refused");
        assert_eq!(line["refusal_reason"], "basis-missing");
        assert!(line["credential"].is_null());
        assert!(line["disclose"].as_array().unwrap().is_empty());
        let (_, line) = disclose(&work, id, &cn_sg, Some("contract:K-7"));
        assert_eq!(line["refusal_reason"], "basis-not-accepted");
        let (code, line) = disclose(&work, id, &cn_sg, Some("separate-consent:SC-1"));
        assert_eq!(code, 0, "{line}");
        holds_exactly_what_left(&by_id[id], &line);
        copies.push(line["credential"].clone());
    }

    // The copies verify in TrustVC and in Corridor, with each provider's own key.
    let world = world(
        &work,
        &[(SG_HOST, &sg_document), (CQ_HOST, &cq_document)],
        "world",
    );
    verify_everywhere(&work, &world, &copies);

    // What cannot be disclosed is refused with its reason, and recorded nowhere.
    let before = ok(&work, &["store", "audit"]);
    let run = |args: &[&str]| {
        let out = work.run(args);
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, said) = run(&[
        "company",
        "disclose",
        cq[0],
        "--policy",
        sg_cn.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(said.contains("covers profiles of SG"), "{said}");
    let (code, said) = run(&[
        "company",
        "disclose",
        "SG-9999999",
        "--policy",
        sg_cn.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(said.contains("no company found"), "{said}");
    let bad = work.path("bad.toml");
    std::fs::write(&bad, SG_CN.replace("never =", "nevr =")).unwrap();
    let (code, said) = run(&[
        "company",
        "disclose",
        sg[0],
        "--policy",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(said.contains("bad.toml") && said.contains("nevr"), "{said}");
    let (code, said) = run(&[
        "company",
        "disclose",
        sg[0],
        "--policy",
        sg_cn.to_str().unwrap(),
        "--basis",
        "consent",
    ]);
    assert_eq!(code, 2);
    assert!(said.contains("KIND:REFERENCE"), "{said}");
    assert_eq!(ok(&work, &["store", "audit"]), before);
    // Every disclosure and refusal before is in the intact log, and nothing else is.
    assert!(before.contains("intact"), "{before}");
    let recorded = ok(&work, &["audit", "disclosures", "--json"]);
    assert_eq!(
        recorded.lines().count(),
        sg.len() + 3 * cq.len(),
        "{recorded}"
    );
}

#[test]
fn corpus_disclosures_through_the_command_line_get_every_expected_answer() {
    let dir = common::repo().join("../shared/fixtures/company");
    let Ok(cases) = std::fs::read_to_string(dir.join("expected-disclosures.jsonl")) else {
        return;
    };
    let cases: Vec<Value> = cases
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let work = Workdir::new();
    ok(
        &work,
        &[
            "company",
            "import",
            dir.join("companies.jsonl").to_str().unwrap(),
        ],
    );
    let document = provider(&work, "provider", "p256", SG_HOST);
    let mut companies: Vec<&str> = cases
        .iter()
        .map(|c| c["company"].as_str().unwrap())
        .collect();
    companies.sort();
    companies.dedup();
    issue(&work, "provider", SG_HOST, &companies);
    let records: HashMap<String, Value> = std::fs::read_to_string(dir.join("companies.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                corridor_company::profile_of(&r),
            )
        })
        .collect();

    // Two at a time: each case is one run of the command.
    let answers: Vec<(i32, Value)> = std::thread::scope(|scope| {
        let halves: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .map(|half| {
                let work = &work;
                let dir = &dir;
                scope.spawn(move || {
                    half.iter()
                        .map(|case| {
                            let policy = dir.join(format!(
                                "policies/{}.toml",
                                case["policy"].as_str().unwrap()
                            ));
                            let basis = case["basis"].as_object().map(|b| {
                                format!(
                                    "{}:{}",
                                    b["kind"].as_str().unwrap(),
                                    b["reference"].as_str().unwrap()
                                )
                            });
                            disclose(
                                work,
                                case["company"].as_str().unwrap(),
                                &policy,
                                basis.as_deref(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut copies = Vec::new();
    for (case, (code, line)) in cases.iter().zip(&answers) {
        let name = &case["case"];
        for field in ["outcome", "refusal_reason", "disclose", "withhold"] {
            assert_eq!(line[field], case[field], "{name}: {field}");
        }
        assert_eq!(
            *code,
            if case["outcome"] == "refused" { 1 } else { 0 },
            "{name}"
        );
        if case["outcome"] == "disclosed" {
            holds_exactly_what_left(&records[case["company"].as_str().unwrap()], line);
            copies.push(line["credential"].clone());
        } else {
            assert!(line["credential"].is_null(), "{name}");
        }
    }
    // A copy of every fifth disclosure verifies in TrustVC and in Corridor.
    let world = world(&work, &[(SG_HOST, &document)], "world");
    let sample: Vec<Value> = copies.into_iter().step_by(5).collect();
    verify_everywhere(&work, &world, &sample);
    let audit = ok(&work, &["store", "audit"]);
    assert!(audit.contains("intact"), "{audit}");
}

/// Whether the disclosure path `path` is `element` or under it.
fn within(path: &str, element: &str) -> bool {
    path.strip_prefix(element)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

#[test]
fn the_record_of_what_crossed_answers_by_partner_company_period_and_person() {
    let work = Workdir::new();
    let (records, generator) = common::company::imported_with(&work, 7, 30);
    provider(&work, "provider", "p256", SG_HOST);
    // Every company at once: those without a credential.
    let said = issue(&work, "provider", SG_HOST, &[]);
    assert!(
        said.contains(&format!("issued {} profile credential(s)", records.len())),
        "{said}"
    );
    let sg_cn = work.path("sg-cn.toml");
    std::fs::write(&sg_cn, SG_CN).unwrap();
    let cn_sg = work.path("cn-sg.toml");
    std::fs::write(&cn_sg, CN_SG).unwrap();

    // Each company disclosed once, to one of three partners, some refused.
    let mut made: Vec<(String, String, Value)> = Vec::new();
    for (n, record) in records.iter().enumerate() {
        let id = record["id"].as_str().unwrap();
        let (policy, basis, partner) = match (id.starts_with("SG-"), n % 3) {
            (true, 0) => (&sg_cn, None, "cq-credit"),
            (true, _) => (&sg_cn, Some("consent:C-1"), "cq-credit"),
            (false, 0) => (&cn_sg, None, "sg-bank"),
            (false, _) => (&cn_sg, Some("separate-consent:SC-1"), "sg-kyc"),
        };
        let mut args = vec![
            "company",
            "disclose",
            id,
            "--json",
            "--partner",
            partner,
            "--policy",
            policy.to_str().unwrap(),
        ];
        if let Some(basis) = basis {
            args.extend(["--basis", basis]);
        }
        let out = work.run(&args);
        let line: Value = serde_json::from_slice(&out.stdout).unwrap();
        made.push((partner.to_owned(), id.to_owned(), line));
    }
    let report = |args: &[&str]| -> Vec<Value> {
        let mut all = vec!["audit", "disclosures", "--json"];
        all.extend(args);
        ok(&work, &all)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    assert_eq!(report(&[]).len(), records.len());
    for partner in ["cq-credit", "sg-bank", "sg-kyc"] {
        let theirs = report(&["--partner", partner]);
        assert_eq!(
            theirs.len(),
            made.iter().filter(|(p, _, _)| p == partner).count(),
            "{partner}"
        );
        assert!(theirs.iter().all(|e| e["partner"] == partner));
    }
    let one = report(&["--company", "SG-0000001"]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["disclose"], made[0].2["disclose"]);
    assert_eq!(one[0]["withhold"], made[0].2["withhold"]);
    assert_eq!(one[0]["policy"]["id"], "test-sg-cn");
    assert!(report(&["--since", "2999-01-01"]).is_empty());
    assert_eq!(
        report(&["--until", "2999-01-01", "--since", "2000-01-01"]).len(),
        records.len()
    );

    // Every person generated: the report finds every disclosure that let something about them
    // leave, as whatever they appeared, and exactly the fields that left.
    let mut people = 0;
    for (number, appearances) in generator.appearances() {
        let mut expected: Vec<(String, String, Vec<String>)> = Vec::new();
        for (_, company, line) in &made {
            for appearance in appearances.iter().filter(|a| a.company == *company) {
                let fields: Vec<String> = line["disclose"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_owned())
                    .filter(|p| within(p, &appearance.element))
                    .collect();
                if !fields.is_empty() {
                    expected.push((company.clone(), appearance.element.clone(), fields));
                }
            }
        }
        expected.sort();
        expected.dedup();
        let mut found: Vec<(String, String, Vec<String>)> = report(&["--person", number])
            .iter()
            .flat_map(|entry| {
                entry["about"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|about| {
                        (
                            entry["company"].as_str().unwrap().to_owned(),
                            about["element"].as_str().unwrap().to_owned(),
                            about["disclosed"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|p| p.as_str().unwrap().to_owned())
                                .collect(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        found.sort();
        assert_eq!(found, expected, "the report on {number}");
        people += usize::from(!expected.is_empty());
    }
    assert!(people > 20, "only {people} people had something disclosed");
    let text = ok(
        &work,
        &[
            "audit",
            "disclosures",
            "--person",
            generator.appearances().keys().next().unwrap(),
        ],
    );
    assert!(text.starts_with("data-subject report on "), "{text}");

    // A record altered in the store: the report is refused and names the entry.
    let seq = report(&["--company", "SG-0000001"])[0]["seq"]
        .as_i64()
        .unwrap();
    let conn = work.connect_store();
    let detail: Vec<u8> = conn
        .query_row("SELECT detail FROM audit WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap();
    let altered = String::from_utf8(detail)
        .unwrap()
        .replace("cq-credit", "cq-other");
    assert!(altered.contains("cq-other"));
    conn.execute(
        "UPDATE audit SET detail = ?1 WHERE seq = ?2",
        corridor_db::params![altered.as_bytes(), seq],
    )
    .unwrap();
    drop(conn);
    let out = work.run(&["audit", "disclosures"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(&format!("altered at entry {seq}")), "{said}");
}
