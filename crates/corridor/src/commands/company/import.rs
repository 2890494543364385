//! `corridor company import`: company records read from JSON Lines, every identifier checked
//! on the way in, kept in the store in one transaction: all of them, or, if any record has a
//! problem, none, with every problem reported by file, line and field.

use std::path::PathBuf;

use anyhow::{Result, bail};
use corridor_company::{Company, Date, read_company};
use corridor_ledger::{CompanyRow, StoreError};

use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::{input, progress};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// JSON Lines files of company records, one a line, in the shape of the public company
    /// corpus's companies.jsonl: id, jurisdiction (SG or CN-<province>), identifiers (uen
    /// or uscc, lei), name (legal, english), source.as_of, and the rest of the profile.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The day identifiers' years and birth dates are checked against (YYYY-MM-DD); today
    /// by default.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    on: Option<Date>,
    /// The longest record (line) taken, such as 1M or 256K.
    #[arg(long, value_name = "BYTES", default_value = "1M", value_parser = input::parse_size)]
    max_size: u64,
}

/// The most problems listed; the count says how many more.
const MOST_PROBLEMS_SHOWN: usize = 50;

/// A company as the store keeps it.
fn row(company: Company) -> Result<CompanyRow> {
    Ok(CompanyRow {
        profile: serde_json::to_string(&company.profile)?,
        as_of: company.as_of.to_string(),
        keys: company
            .keys
            .into_iter()
            .map(|(kind, key)| (kind.to_owned(), key))
            .collect(),
        id: company.id,
        jurisdiction: company.jurisdiction,
        updated_at: company.updated_at,
    })
}

pub fn run(home: &Home, args: &ImportArgs) -> Result<Exit> {
    let today = match args.on {
        Some(day) => day,
        None => super::today()?,
    };
    for file in &args.files {
        if !file.is_file() {
            bail!("{}: no such file", file.display());
        }
    }
    let total: u64 = args
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let mut store = home.store()?;
    let bar = progress::bytes(total, "importing");
    let mut problems: Vec<String> = Vec::new();
    let mut read = 0u64;
    let imported = store.import_companies(|writer| -> Result<()> {
        let mut line = Vec::new();
        for file in &args.files {
            let mut lines = input::Lines::open(file, args.max_size)?;
            while let Some(number) = {
                line.clear();
                lines.read_line(&mut line)?
            } {
                bar.inc(line.len() as u64);
                read += 1;
                let at = format!("{}:{number}", file.display());
                let record: serde_json::Value = match serde_json::from_slice(&line) {
                    Ok(record) => record,
                    Err(e) => {
                        problems.push(format!("{at}: not JSON: {e}"));
                        continue;
                    }
                };
                match read_company(&record, today) {
                    Ok(company) if problems.is_empty() => {
                        writer.put(&row(company)?).map_err(|e| match e {
                            StoreError::Company(conflict) => {
                                anyhow::Error::new(Refused(format!("{at}: {conflict}")))
                            }
                            other => other.into(),
                        })?
                    }
                    // After a problem, the rest is only checked: nothing will be kept.
                    Ok(_) => {}
                    Err(found) => {
                        let id = record.get("id").and_then(|id| id.as_str());
                        let at = id.map_or(at.clone(), |id| format!("{at} ({id})"));
                        problems.extend(found.into_iter().map(|p| format!("{at}: {p}")));
                    }
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        for problem in problems.iter().take(MOST_PROBLEMS_SHOWN) {
            eprintln!("{problem}");
        }
        let more = problems.len().saturating_sub(MOST_PROBLEMS_SHOWN);
        let more = if more > 0 {
            format!(" ({more} more not shown)")
        } else {
            String::new()
        };
        Err(Refused(format!(
            "{} problem(s) in {read} record(s){more}: nothing was imported",
            problems.len()
        ))
        .into())
    });
    bar.finish_and_clear();
    let ((), report) = imported?;
    eprintln!(
        "read {read} record(s): {} added, {} updated, {} unchanged, {} older than the company kept (not taken)",
        report.added, report.updated, report.unchanged, report.older
    );
    Ok(Exit::Success)
}
