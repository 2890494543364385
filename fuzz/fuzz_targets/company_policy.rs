//! Disclosure policies and company records from untrusted text: a policy file (before the
//! first NUL byte) and a record as JSON (after it). Reading either never panics; and whatever
//! a policy that reads makes of a profile that reads, it never discloses a field the policy
//! says never crosses, nor anything once it refuses, and every field it discloses is in the
//! profile.
#![no_main]

use corridor_company::credential::problems;
use corridor_company::{Basis, Date, Policy, classify, read_company};
use libfuzzer_sys::fuzz_target;

/// `officers[2].person.name` as a policy names it: `officers[].person.name`.
fn generic(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let (policy, record) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b""[..]),
    };
    let policy = std::str::from_utf8(policy).ok().map(Policy::from_toml);
    let record: Option<serde_json::Value> = serde_json::from_slice(record).ok();
    let today = Date::new(2026, 11, 27).expect("a day");
    let company = record.as_ref().map(|r| read_company(r, today));
    if let Some(record) = &record {
        let _ = problems(record);
    }
    let (Some(Ok(policy)), Some(Ok(company))) = (policy, company) else {
        return;
    };
    let consent = Basis::parse("consent:C-1").expect("a basis");
    for basis in [None, Some(&consent)] {
        let judged = classify(&company.profile, &policy, basis);
        if judged.refused.is_some() {
            assert!(judged.disclose.is_empty(), "a refusal disclosed {:?}", judged.disclose);
        }
        assert_eq!(judged.disclose.len(), judged.disclose_pointers.len());
        for (path, pointer) in judged.disclose.iter().zip(&judged.disclose_pointers) {
            let generic = generic(path);
            assert!(
                !policy.never.iter().any(|never| never.matches(&generic)),
                "{path} is never to cross, and was disclosed"
            );
            assert!(
                company.profile.pointer(pointer).is_some(),
                "{path} disclosed as {pointer}, which is not in the profile"
            );
            assert!(
                judged.withhold.iter().all(|(withheld, _)| withheld != path),
                "{path} both disclosed and withheld"
            );
        }
    }
});
