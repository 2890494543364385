//! `corridor company`: company data across the border. So far: identifiers checked.

mod check_id;

use anyhow::Result;

use crate::exit::Exit;

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
}

pub fn run(action: &CompanyAction) -> Result<Exit> {
    match action {
        CompanyAction::CheckId(args) => check_id::run(args),
    }
}
