//! `corridor company import`: company records read from JSON Lines or CSV, every identifier checked
//! on the way in, kept in the store in one transaction: all of them, or, if any record has a
//! problem, none, with every problem reported by file, line and field.
//!
//! Three stages run at once: the files are read on one thread, a chunk of records is parsed
//! and checked on every core, and the chunk checked before is written, in the files' order,
//! on this thread, which holds the store's transaction.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use corridor_company::{Company, Date, read_company, record::from_columns};
use corridor_ledger::{CompanyRow, StoreError};
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde_json::Value;

use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::{input, progress};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Files of company records: JSON Lines, one record a line, in the shape of the public
    /// company corpus's companies.jsonl (id, jurisdiction SG or CN-<province>, identifiers
    /// uen or uscc and lei, name.legal and name.english, source.as_of, and the rest of the
    /// profile); or CSV (a file named .csv) whose header names the same fields by path
    /// (identifiers.uen, name.legal), a cell holding JSON being that value (lists such as
    /// officers are JSON; a text that reads as a number is written "123" to stay text).
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

/// The problems found: the first ones, to list, and how many in all (a file of a million bad
/// records is not held in memory as a million messages).
#[derive(Default)]
struct Problems {
    first: Vec<String>,
    count: usize,
}

impl Problems {
    fn add(&mut self, problem: String) {
        self.count += 1;
        if self.first.len() < MOST_PROBLEMS_SHOWN {
            self.first.push(problem);
        }
    }

    fn none(&self) -> bool {
        self.count == 0
    }
}

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

/// What is wrong with a record that could not be read, field by field.
type Unread = Vec<String>;

/// A record as read: a line of JSON Lines not parsed yet, or a CSV row made a record.
enum Read {
    Line(Vec<u8>),
    Row(Result<Value, Unread>),
}

/// A record checked: the company's row, or every problem found, each with where it is.
type Checked = Result<CompanyRow, Vec<String>>;

/// Records checked a chunk at a time.
const CHUNK: usize = 2048;

/// Parses and checks the record read at `at`.
fn check(at: String, read: Read, today: Date) -> (String, Checked) {
    let record = match read {
        Read::Line(line) => {
            serde_json::from_slice(&line).map_err(|e| vec![format!("not JSON: {e}")])
        }
        Read::Row(record) => record,
    };
    let record = match record {
        Ok(record) => record,
        Err(found) => {
            let found = found.into_iter().map(|p| format!("{at}: {p}")).collect();
            return (at, Err(found));
        }
    };
    let checked = match read_company(&record, today) {
        Ok(company) => row(company).map_err(|e| vec![format!("{at}: {e}")]),
        Err(found) => {
            let id = record.get("id").and_then(|id| id.as_str());
            let at = id.map_or(at.clone(), |id| format!("{at} ({id})"));
            Err(found.into_iter().map(|p| format!("{at}: {p}")).collect())
        }
    };
    (at, checked)
}

/// Calls `each` with every record of `file` and where it is (`file:line`): each line of JSON
/// Lines, or each row of a CSV file (named `.csv`) under its header.
fn for_each_record(
    file: &Path,
    max_size: u64,
    bar: &ProgressBar,
    each: &mut dyn FnMut(String, Read) -> Result<()>,
) -> Result<()> {
    let is_csv = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv {
        let mut lines = input::Lines::open(file, max_size)?;
        let mut line = Vec::new();
        while let Some(number) = {
            line.clear();
            lines.read_line(&mut line)?
        } {
            bar.inc(line.len() as u64);
            each(
                format!("{}:{number}", file.display()),
                Read::Line(std::mem::take(&mut line)),
            )?;
        }
        return Ok(());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .with_context(|| format!("{}: cannot open", file.display()))?;
    let columns: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}:1: cannot read the header", file.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut row = csv::StringRecord::new();
    let mut done = reader.position().byte();
    loop {
        let at = |line: u64| format!("{}:{line}", file.display());
        match reader.read_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = row.position().map_or(0, csv::Position::line);
                let bytes = reader.position().byte();
                bar.inc(bytes - done);
                let size = bytes - done;
                done = bytes;
                let record = if size > max_size {
                    Err(vec![format!(
                        "the row is longer than the {max_size} bytes a record may have (see --max-size)"
                    )])
                } else {
                    let cells: Vec<&str> = row.iter().collect();
                    from_columns(&columns, &cells)
                        .map_err(|found| found.iter().map(ToString::to_string).collect())
                };
                each(at(line), Read::Row(record))?;
            }
            // A row that is not UTF-8 is reported and skipped; anything else ends the file.
            Err(e) => match e.kind() {
                csv::ErrorKind::Utf8 { pos, .. } => {
                    let line = pos.as_ref().map_or(0, csv::Position::line);
                    each(at(line), Read::Row(Err(vec!["not UTF-8 text".into()])))?;
                }
                _ => bail!("{}: cannot read: {e}", file.display()),
            },
        }
    }
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
    let mut problems = Problems::default();
    let mut read = 0u64;
    let imported = store.import_companies(|writer| -> Result<()> {
        // Two chunks read ahead at most: memory stays bounded when writing is slower.
        let (send, chunks) = std::sync::mpsc::sync_channel::<Vec<(String, Read)>>(2);
        std::thread::scope(|scope| -> Result<()> {
            let reading = scope.spawn(|| -> Result<u64> {
                let mut read = 0u64;
                let mut chunk = Vec::with_capacity(CHUNK);
                for file in &args.files {
                    for_each_record(file, args.max_size, &bar, &mut |at, record| {
                        read += 1;
                        chunk.push((at, record));
                        if chunk.len() == CHUNK {
                            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                            // The writer stopped: so does reading.
                            send.send(full)
                                .map_err(|_| anyhow::anyhow!("the import stopped"))?;
                        }
                        Ok(())
                    })?;
                }
                if !chunk.is_empty() {
                    send.send(chunk)
                        .map_err(|_| anyhow::anyhow!("the import stopped"))?;
                }
                drop(send);
                Ok(read)
            });
            let written = chunks.iter().try_for_each(|chunk| -> Result<()> {
                let checked: Vec<(String, Checked)> = chunk
                    .into_par_iter()
                    .map(|(at, record)| check(at, record, today))
                    .collect();
                for (at, checked) in checked {
                    match checked {
                        Ok(row) if problems.none() => writer.put(&row).map_err(|e| match e {
                            StoreError::Company(conflict) => {
                                anyhow::Error::new(Refused(format!("{at}: {conflict}")))
                            }
                            other => other.into(),
                        })?,
                        // After a problem, the rest is only checked: nothing will be kept.
                        Ok(_) => {}
                        Err(found) => found.into_iter().for_each(|p| problems.add(p)),
                    }
                }
                Ok(())
            });
            drop(chunks);
            let reading = reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            written?;
            read = reading?;
            Ok(())
        })?;
        if problems.none() {
            return Ok(());
        }
        for problem in &problems.first {
            eprintln!("{problem}");
        }
        let more = problems.count - problems.first.len();
        let more = if more > 0 {
            format!(" ({more} more not shown)")
        } else {
            String::new()
        };
        Err(Refused(format!(
            "{} problem(s) in {read} record(s){more}: nothing was imported",
            problems.count
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
