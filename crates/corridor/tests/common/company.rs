//! Company profiles in tests: two disclosure policies over generated companies, providers
//! with a key, DID document and status list, and issuing.

use rand::SeedableRng;
use serde_json::Value;

use super::Workdir;
use super::w3c::{new_revocation_list, unlocked, unlocked_ok as ok, world_folder};

/// Singapore to China, for a credit check: names of people only under a basis, never their
/// numbers, birth dates or addresses; only directors and CEOs; people holding 10 % or more.
pub const SG_CN: &str = r#"
id = "test-sg-cn"
from = "SG"
to = "CN"
purpose = "credit-check"
law = "PDPA (Singapore)"
[basis]
accepted = ["consent", "contract"]
on_missing = "withhold"
[fields]
allow = ["identifiers", "name", "former_names", "legal_form", "registered_address", "status",
         "incorporation_date", "industry", "capital", "financials", "shareholders[].kind",
         "shareholders[].company", "shareholders[].percentage_band", "source"]
basis_required = ["officers[].role", "officers[].role_label", "officers[].person.name",
                  "shareholders[].person.name"]
never = ["officers[].person.id", "officers[].person.birth_date", "shareholders[].person.id",
         "shareholders[].person.residential_address", "shareholders[].shares"]
[minimise]
officer_roles = ["director", "ceo"]
person_shareholder_min_percentage = 10.0
financial_years = 2
[[minimise.coarsen]]
field = "shareholders[].percentage"
use = "shareholders[].percentage_band"
"#;

/// China to Singapore, for know-your-customer checks: nothing leaves without separate consent.
pub const CN_SG: &str = r#"
id = "test-cn-sg"
from = "CN"
to = "SG"
purpose = "kyc"
law = "PIPL (China)"
[basis]
accepted = ["separate-consent"]
on_missing = "refuse"
[fields]
allow = ["identifiers", "name", "legal_form", "status", "registered_capital"]
basis_required = ["legal_representative.person.name", "officers[].role", "officers[].person.name"]
never = ["legal_representative.person.id", "officers[].person.id"]
"#;

pub const SG_HOST: &str = "sg-provider.company.test";
pub const CQ_HOST: &str = "cq-provider.company.test";

/// A provider's status list, on a path of its own: one store keeps both providers' lists.
pub fn list(host: &str) -> String {
    let name = host.split('.').next().unwrap_or(host);
    format!("https://{host}/status/{name}")
}

/// A provider: its key (of `kind`), DID document and status list. The DID document.
pub fn provider(work: &Workdir, name: &str, kind: &str, host: &str) -> String {
    ok(work, &["key", "new", name, "--type", kind]);
    let did = format!("did:web:{host}");
    let document = ok(work, &["did", "document", &did, "--key", name]);
    new_revocation_list(work, &list(host), name, &format!("{did}#keys-1"));
    document
}

/// The world a verifier needs: both providers' DID documents and status lists as they are now.
pub fn world(work: &Workdir, documents: &[(&str, &str)], name: &str) -> std::path::PathBuf {
    let mut files: Vec<(String, String)> = Vec::new();
    for (host, document) in documents {
        files.push((
            format!("https://{host}/.well-known/did.json"),
            (*document).to_owned(),
        ));
        files.push((
            list(host),
            ok(work, &["status-list", "show", &list(host), "--signed"]),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(u, t)| (u.as_str(), t.as_str()))
        .collect();
    world_folder(&work.path(name), &files, true)
}

pub fn issue(work: &Workdir, key: &str, host: &str, companies: &[&str]) -> String {
    let method = format!("did:web:{host}#keys-1");
    let mut args = vec![
        "company",
        "issue",
        "--key",
        key,
        "--verification-method",
        &method,
        "--status-list",
    ];
    let list = list(host);
    args.push(&list);
    args.extend(companies);
    let out = unlocked(work, &args);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    said
}

/// `count` generated company records (seed `seed`), imported into `work`'s store.
pub fn imported(work: &Workdir, seed: u64, count: usize) -> Vec<Value> {
    imported_with(work, seed, count).0
}

/// As [`imported`], with the generator, which knows where each person appears.
pub fn imported_with(
    work: &Workdir,
    seed: u64,
    count: usize,
) -> (Vec<Value>, corridor_companygen::Generator) {
    let mut generator =
        corridor_companygen::Generator::new(rand::rngs::StdRng::seed_from_u64(seed));
    let records: Vec<Value> = (0..count).map(|i| generator.company(i)).collect();
    let file = work.path("companies.jsonl");
    super::write_lines(&file, &records);
    import_file(work, &file);
    (records, generator)
}

/// `corridor company import --on 2026-11-27 FILE`, which must succeed: the day the generator's
/// identifiers are valid on.
pub fn import_file(work: &Workdir, file: &std::path::Path) -> String {
    work.ok(&[
        "company",
        "import",
        "--on",
        "2026-11-27",
        file.to_str().unwrap(),
    ])
}

/// Both policies kept in `work`'s store (`corridor company policy add`).
pub fn keep_policies(work: &Workdir) {
    for (name, text) in [("sg-cn.toml", SG_CN), ("cn-sg.toml", CN_SG)] {
        std::fs::write(work.path(name), text).unwrap();
        work.ok(&[
            "company",
            "policy",
            "add",
            work.path(name).to_str().unwrap(),
        ]);
    }
}
