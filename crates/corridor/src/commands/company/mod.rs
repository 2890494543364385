//! `corridor company`: company data across the border: identifiers checked, company
//! records imported into the store and found in it.

mod check_id;
mod find;
mod import;

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
}

pub fn run(home: &Home, action: &CompanyAction) -> Result<Exit> {
    match action {
        CompanyAction::CheckId(args) => check_id::run(args),
        CompanyAction::Import(args) => import::run(home, args),
        CompanyAction::Find(args) => find::run(home, args),
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
