//! `corridor company`: company data across the border: identifiers checked, company
//! records imported into the store and found in it, their profiles issued as credentials and
//! disclosed under policies.

mod check_id;
mod disclose;
mod find;
mod import;
mod issue;
mod policy;

use anyhow::{Result, bail};
use corridor_company::Date;

use crate::exit::Exit;
use crate::home::Home;

#[derive(clap::Subcommand)]
pub enum CompanyAction {
    /// Check company and person identifiers: Singapore UEN and NRIC/FIN, China's unified
    /// social credit code and resident identity number, the LEI.
    ///
    /// An identifier is valid only as written canonically (upper-case ASCII, no white space);
    /// each invalid one is given the first rule it breaks, in the order: whitespace,
    /// fullwidth, charset, lowercase, then its kind's own (length, charset, format, prefix,
    /// year, entity_type, authority_code, organisation_type, division_code, birth_date,
    /// check_character, organisation_code_check, check_digits, check_digits_alias). What a
    /// lenient importer would make of it (NFKC, white space removed, upper case) is said too.
    ///
    /// Exit status: 0 if every identifier is valid, 1 if any is not, 2 for a usage error.
    CheckId(check_id::CheckIdArgs),
    /// Import company records (JSON Lines) into the store: all of them, or none.
    ///
    /// Each record's identifiers (UEN or unified social credit code, LEI) and the identity
    /// numbers of its people (NRIC/FIN, resident identity numbers) are checked on the way in.
    /// If any record has a problem, every problem is reported by file, line, company and
    /// field, and nothing is imported (exit 1). A company already kept is replaced by a
    /// record as of the same day or later (its source.as_of) and kept as it is otherwise;
    /// a record whose UEN or credit code another company holds refuses the import. Every
    /// change is an entry of the store's audit log.
    Import(import::ImportArgs),
    /// Find companies kept in the store by id, identifier or name (either script, with or
    /// without the legal form). Exit 1 if a query finds none.
    Find(find::FindArgs),
    /// Issue company profile credentials: each profile signed as a W3C VC 2.0 credential with
    /// a selective disclosure suite (ecdsa-sd-2023 or bbs-2023, by the key's type), given an
    /// entry of a status list, and kept in the store.
    ///
    /// The credential's subject is the profile field for field (`credentialSubject.profile`;
    /// `id` and `type` are written `id_` and `type_`), its terms defined inside the credential,
    /// so a verifier fetches nothing but the issuer's DID document and status list. Its proof
    /// always discloses the issuer, validFrom and the status entry; `corridor company
    /// disclose` and `corridor serve` pass on copies disclosing only what a policy allows,
    /// under the issuer's own signature. All credentials of a run are kept, or none.
    Issue(issue::IssueArgs),
    /// Disclose a company's profile under a disclosure policy: a selectively disclosed copy
    /// of its credential, revealing exactly the fields the policy lets leave, under the
    /// provider's own signature (never signed again), so the partner verifies the provider.
    ///
    /// Every field of the profile is judged by the first rule that applies: never; inside an
    /// officer, shareholder or financial year that minimisation removes; coarsened (a coarse
    /// sibling field leaves instead); needs a legal basis the policy accepts; allowed; else
    /// not listed, and withheld. A policy that refuses without an accepted basis lets nothing
    /// leave. Each disclosure, and each refusal, is recorded in the store's audit log: the
    /// partner, the credential, the policy and basis, what left and what stayed, the people
    /// it was about (see `corridor audit disclosures`).
    ///
    /// Exit status: 0 disclosed, 1 refused (or no such company, or no credential), 2 for a
    /// usage error or a bad policy file.
    Disclose(disclose::DiscloseArgs),
    /// The disclosure policies `corridor serve` applies for partners: keep, list, show.
    Policy {
        #[command(subcommand)]
        action: policy::PolicyAction,
    },
}

pub fn run(home: &Home, action: &CompanyAction) -> Result<Exit> {
    match action {
        CompanyAction::CheckId(args) => check_id::run(args),
        CompanyAction::Import(args) => import::run(home, args),
        CompanyAction::Find(args) => find::run(home, args),
        CompanyAction::Issue(args) => issue::run(home, args),
        CompanyAction::Disclose(args) => disclose::run(home, args),
        CompanyAction::Policy { action } => policy::run(home, action),
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("{text:?} is not a day written YYYY-MM-DD"))
}

/// Today, in UTC.
fn today() -> Result<Date> {
    let now = humantime::format_rfc3339(std::time::SystemTime::now()).to_string();
    match Date::parse(&now[..10]) {
        Some(day) => Ok(day),
        None => bail!("the system clock gives no day ({now})"),
    }
}
