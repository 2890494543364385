//! Disclosure end to end in the library: a profile signed as a credential with a selective
//! disclosure suite, judged under a policy, passed on as a derived copy. The copy verifies
//! with the issuer's key, holds exactly the fields the policy lets leave (and every one of
//! them), and nothing of any other: over the corpus's expected disclosures when the corpus
//! is beside the repository, and over random profiles under random policies always.

use std::collections::HashSet;
use std::path::PathBuf;

use corridor_company::credential::{MANDATORY, profile_credential, profile_of_credential};
use corridor_company::policy::{Basis, Policy};
use corridor_company::{disclose, profile_of};
use corridor_di::{Cryptosuite, IssuerKey, IssuerSigningKey};
use corridor_jsonld::{BundledContexts, Processor};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

const METHOD: &str = "did:web:provider.example#keys-1";

fn signed(processor: &Processor, profile: &Value, key: &IssuerSigningKey) -> Value {
    let status = json!({
        "id": "https://provider.example/status/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://provider.example/status/1"
    });
    let credential = profile_credential(
        profile,
        "did:web:provider.example",
        "2026-11-28T00:00:00Z",
        status,
    );
    let mut mandatory = vec!["/issuer".to_owned(), "/validFrom".to_owned()];
    mandatory.extend(MANDATORY.iter().map(|p| (*p).to_owned()));
    corridor_di::sign(
        processor,
        &credential,
        key,
        METHOD,
        "2026-11-28T00:00:00Z",
        &mandatory,
    )
    .unwrap()
}

/// `profile` with only the fields at `pointers`, its arrays closed up where elements were left
/// out: what a copy disclosing those pointers must hold.
fn kept(profile: &Value, pointers: &[String]) -> Value {
    fn keep(
        value: &Value,
        at: &str,
        pointers: &HashSet<&str>,
        prefixes: &HashSet<String>,
    ) -> Option<Value> {
        if pointers.contains(at) {
            return Some(value.clone());
        }
        if !prefixes.contains(at) {
            return None;
        }
        match value {
            Value::Object(fields) => {
                let mut out = Map::new();
                for (key, child) in fields {
                    let under = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                    if let Some(child) = keep(child, &under, pointers, prefixes) {
                        out.insert(key.clone(), child);
                    }
                }
                Some(Value::Object(out))
            }
            Value::Array(items) => Some(Value::Array(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, child)| keep(child, &format!("{at}/{i}"), pointers, prefixes))
                    .collect(),
            )),
            _ => None,
        }
    }
    let set: HashSet<&str> = pointers.iter().map(String::as_str).collect();
    let mut prefixes = HashSet::new();
    for pointer in pointers {
        let mut end = 0;
        while let Some(next) = pointer[end + 1..].find('/') {
            end += next + 1;
            prefixes.insert(pointer[..end].to_owned());
        }
    }
    prefixes.insert(String::new());
    keep(profile, "", &set, &prefixes).unwrap_or_else(|| json!({}))
}

/// Every text leaf of `value` with its JSON pointer.
fn texts(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                texts(child, &format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                texts(child, &format!("{at}/{i}"), out);
            }
        }
        Value::String(text) => out.push((at.to_owned(), text.clone())),
        _ => {}
    }
}

/// Discloses `profile` signed with `key` under `policy` and checks the copy: it verifies, it
/// holds exactly the disclosed fields, and no text of a withheld field is anywhere in it
/// (unless the same text is also disclosed).
fn check_disclosure(
    processor: &Processor,
    key: &IssuerSigningKey,
    profile: &Value,
    policy: &Policy,
    basis: Option<&Basis>,
) -> corridor_company::Disclosure {
    let credential = signed(processor, profile, key);
    let disclosure = disclose(processor, &credential, policy, basis).unwrap();
    let Some(copy) = &disclosure.credential else {
        assert!(disclosure.classification.disclose.is_empty());
        return disclosure;
    };
    let public = IssuerKey::from_multibase(&key.public_key_multibase()).unwrap();
    assert!(
        corridor_di::verify(processor, copy, &public).unwrap(),
        "the copy does not verify"
    );
    let pointers = &disclosure.classification.disclose_pointers;
    assert_eq!(
        profile_of_credential(copy).unwrap(),
        kept(profile, pointers),
        "the copy holds other fields than those disclosed"
    );
    let mut all = Vec::new();
    texts(profile, "", &mut all);
    let disclosed: HashSet<&str> = all
        .iter()
        .filter(|(at, _)| pointers.contains(at))
        .map(|(_, text)| text.as_str())
        .collect();
    let mut in_copy = Vec::new();
    texts(copy, "", &mut in_copy);
    let in_copy: HashSet<&str> = in_copy.iter().map(|(_, text)| text.as_str()).collect();
    for (at, text) in &all {
        if !pointers.contains(at) && !disclosed.contains(text.as_str()) {
            assert!(
                !in_copy.contains(text.as_str()),
                "withheld {at} ({text:?}) is in the copy"
            );
        }
    }
    disclosure
}

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/company");
    dir.join("expected-disclosures.jsonl")
        .exists()
        .then_some(dir)
}

fn keys(rng: &mut StdRng) -> [IssuerSigningKey; 2] {
    [
        IssuerSigningKey::generate(Cryptosuite::EcdsaSd2023, rng),
        IssuerSigningKey::generate(Cryptosuite::Bbs2023, rng),
    ]
}

#[test]
fn corpus_disclosures_derive_copies_that_verify_and_hold_exactly_what_may_leave() {
    let Some(dir) = corpus() else { return };
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let companies: std::collections::HashMap<String, Value> = read("companies.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c))
        .collect();
    let processor = Processor::new(BundledContexts);
    let mut rng = StdRng::seed_from_u64(18);
    let keys = keys(&mut rng);
    // Every fourth case: each policy, with and without a basis, refused and disclosed.
    for (n, line) in read("expected-disclosures.jsonl")
        .lines()
        .enumerate()
        .step_by(4)
    {
        let case: Value = serde_json::from_str(line).unwrap();
        let policy = Policy::from_toml(&read(&format!(
            "policies/{}.toml",
            case["policy"].as_str().unwrap()
        )))
        .unwrap();
        let basis = case["basis"].as_object().map(|b| Basis {
            kind: b["kind"].as_str().unwrap().to_owned(),
            reference: b["reference"].as_str().unwrap().to_owned(),
        });
        let profile = profile_of(&companies[case["company"].as_str().unwrap()]);
        let disclosure =
            check_disclosure(&processor, &keys[n % 2], &profile, &policy, basis.as_ref());
        let mut json = disclosure.to_json();
        assert_eq!(json["outcome"], case["outcome"], "{}", case["case"]);
        assert_eq!(
            json["refusal_reason"], case["refusal_reason"],
            "{}",
            case["case"]
        );
        assert_eq!(json["disclose"], case["disclose"], "{}", case["case"]);
        assert_eq!(json["withhold"], case["withhold"], "{}", case["case"]);
        assert_eq!(
            json["credential"].take().is_null(),
            case["outcome"] == "refused",
            "{}",
            case["case"]
        );
    }
}

/// A random text no other field has.
fn token(rng: &mut StdRng) -> String {
    format!("t{:016x}", rng.random::<u64>())
}

fn person(rng: &mut StdRng) -> Value {
    json!({
        "name": token(rng),
        "nationality": token(rng),
        "id": {"type": token(rng), "number": token(rng)},
        "birth_date": token(rng),
        "birth_year": rng.random_range(1940..2005),
        "residential_address": token(rng),
    })
}

/// A random profile in the shape of the corpus's, with odd names (`id`, `type`, `id_`)
/// and empty parts among the fields.
fn random_profile(rng: &mut StdRng) -> Value {
    let roles = ["director", "secretary", "ceo", "partner"];
    let officers: Vec<Value> = (0..rng.random_range(0..5))
        .map(|_| {
            json!({
                "role": roles.choose(rng).unwrap(),
                "role_label": token(rng),
                "appointed": token(rng),
                "person": person(rng),
            })
        })
        .collect();
    let shareholders: Vec<Value> = (0..rng.random_range(0..4))
        .map(|_| {
            if rng.random_bool(0.7) {
                let percentage = f64::from(rng.random_range(1..100u32));
                json!({"kind": "person", "percentage": percentage, "percentage_band": token(rng),
                       "shares": rng.random_range(1..100_000), "person": person(rng)})
            } else {
                json!({"kind": "company", "percentage": 50.5, "percentage_band": token(rng),
                       "company": {"name": token(rng), "identifier": {"type": "uen", "value": token(rng)}}})
            }
        })
        .collect();
    let financials: Vec<Value> = (0..rng.random_range(0..5))
        .map(|year| {
            json!({"period_end": format!("20{:02}-12-31", 10 + year), "revenue": rng.random_range(0..1_000_000),
                   "currency": token(rng)})
        })
        .collect();
    json!({
        "identifiers": {"uen": token(rng), "lei": token(rng)},
        "name": {"legal": token(rng), "english": token(rng)},
        "former_names": [token(rng), token(rng)],
        "status": {"code": token(rng), "label": token(rng)},
        "legal_representative": {"person": person(rng)},
        "officers": officers,
        "shareholders": shareholders,
        "financials": financials,
        "odd": {"id": token(rng), "type": token(rng), "id_": token(rng), "empty": {}, "none": []},
        "source": {"provider": token(rng), "as_of": token(rng)},
    })
}

/// A random policy over the fields such profiles have.
fn random_policy(rng: &mut StdRng) -> String {
    let fields = [
        "identifiers",
        "identifiers.uen",
        "identifiers.lei",
        "name",
        "name.legal",
        "former_names",
        "status",
        "status.code",
        "legal_representative",
        "legal_representative.person.name",
        "legal_representative.person.id",
        "officers",
        "officers[].role",
        "officers[].person",
        "officers[].person.name",
        "officers[].person.id",
        "officers[].person.id.number",
        "officers[].person.birth_date",
        "shareholders",
        "shareholders[].kind",
        "shareholders[].percentage",
        "shareholders[].percentage_band",
        "shareholders[].person.name",
        "shareholders[].company",
        "shareholders[].company.identifier.value",
        "financials",
        "financials[].revenue",
        "odd",
        "odd.id",
        "odd.type",
        "odd.id_",
        "odd.empty",
        "source",
    ];
    let pick = |rng: &mut StdRng, share: f64| -> String {
        let chosen: Vec<String> = fields
            .iter()
            .filter(|_| rng.random_bool(share))
            .map(|f| format!("{f:?}"))
            .collect();
        chosen.join(", ")
    };
    let allow = pick(rng, 0.35);
    let basis_required = pick(rng, 0.2);
    let never = pick(rng, 0.15);
    let on_missing = if rng.random_bool(0.3) {
        "refuse"
    } else {
        "withhold"
    };
    let mut minimise = String::new();
    if rng.random_bool(0.5) {
        minimise.push_str("officer_roles = [\"director\", \"ceo\"]\n");
    }
    if rng.random_bool(0.5) {
        minimise.push_str(&format!(
            "person_shareholder_min_percentage = {}.0\n",
            rng.random_range(0..60)
        ));
    }
    if rng.random_bool(0.5) {
        minimise.push_str(&format!("financial_years = {}\n", rng.random_range(0..4)));
    }
    if rng.random_bool(0.5) {
        minimise.push_str("[[minimise.coarsen]]\nfield = \"shareholders[].percentage\"\nuse = \"shareholders[].percentage_band\"\n");
    }
    format!(
        "id = \"random\"\nfrom = \"*\"\nto = \"*\"\npurpose = \"test\"\nlaw = \"none\"\n\
         [basis]\naccepted = [\"consent\"]\non_missing = \"{on_missing}\"\n\
         [fields]\nallow = [{allow}]\nbasis_required = [{basis_required}]\nnever = [{never}]\n\
         [minimise]\n{minimise}"
    )
}

#[test]
fn random_profiles_under_random_policies_let_out_only_what_the_policy_allows() {
    let processor = Processor::new(BundledContexts);
    let mut rng = StdRng::seed_from_u64(0x18_d15c);
    let keys = keys(&mut rng);
    let (mut disclosed, mut refused) = (0, 0);
    for round in 0..40 {
        let profile = random_profile(&mut rng);
        let text = random_policy(&mut rng);
        let policy = Policy::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let basis = rng.random_bool(0.5).then(|| Basis {
            kind: ["consent", "contract"]
                .choose(&mut rng)
                .unwrap()
                .to_string(),
            reference: token(&mut rng),
        });
        let disclosure = check_disclosure(
            &processor,
            &keys[round % 2],
            &profile,
            &policy,
            basis.as_ref(),
        );
        // Every leaf judged once: what leaves and what stays are the whole profile.
        let c = &disclosure.classification;
        let judged: HashSet<&str> = c
            .disclose
            .iter()
            .map(String::as_str)
            .chain(c.withhold.iter().map(|(p, _)| p.as_str()))
            .collect();
        assert_eq!(judged.len(), c.disclose.len() + c.withhold.len(), "{text}");
        if c.refused.is_some() {
            refused += 1;
            assert!(disclosure.credential.is_none());
        } else {
            disclosed += 1;
        }
    }
    assert!(
        disclosed > 10 && refused > 3,
        "{disclosed} disclosed, {refused} refused"
    );
}
