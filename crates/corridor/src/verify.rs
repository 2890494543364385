//! `corridor verify`: every document of the inputs through the verification pipeline, in
//! parallel, with results printed in input order.

use std::fmt;
use std::io::{BufWriter, Write};
use std::ops::Range;

use anyhow::{Context, Result};
use corridor_verify::{Status, Subject, Verdict, Verifier};
use rayon::prelude::*;
use serde::Serialize;

use crate::input::{self, Lines, Source};

/// Documents verified per parallel step.
const CHUNK: usize = 2048;

/// One document to verify.
enum Unit<'a> {
    /// A whole file.
    File(&'a Source),
    /// A line of a JSON Lines file; its text is in the batch's buffer.
    Line {
        source: &'a Source,
        number: usize,
        text: Range<usize>,
    },
    /// An input that could not be read; its verdict says why.
    Unreadable { source: &'a Source, why: String },
}

impl Unit<'_> {
    /// The document read, or why it could not be.
    fn read(&self, text: &[u8], max_size: u64) -> Result<Subject, String> {
        let parse = |bytes: &[u8]| Subject::parse(bytes).map_err(|e| e.to_string());
        match self {
            Unit::File(source) => match input::read_bounded(&source.path, max_size) {
                Ok(bytes) => parse(&bytes),
                Err(e) => Err(format!("{e:#}")),
            },
            Unit::Line { text: range, .. } => parse(&text[range.clone()]),
            Unit::Unreadable { why, .. } => Err(why.clone()),
        }
    }
}

/// How a unit is named in the output: the file, and the line number for a line.
impl fmt::Display for Unit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Unit::File(source) | Unit::Unreadable { source, .. } => {
                write!(f, "{}", source.path.display())
            }
            Unit::Line { source, number, .. } => write!(f, "{}:{number}", source.path.display()),
        }
    }
}

/// The documents of one parallel step. Lines share one buffer, kept from step to step, so
/// that reading a line allocates nothing.
#[derive(Default)]
struct Batch<'a> {
    units: Vec<Unit<'a>>,
    text: Vec<u8>,
}

#[derive(Serialize)]
struct Report<'a> {
    file: &'a str,
    valid: bool,
    fragments: &'a [corridor_verify::Fragment],
}

/// Counts of what was verified.
#[derive(Default)]
pub struct Tally {
    pub valid: usize,
    pub not_valid: usize,
}

/// How a verdict is decided: as tt-verify's `isValid`, or, offline, on what could be checked.
#[derive(Clone, Copy)]
pub enum Decision {
    TtVerify,
    Offline,
}

impl Decision {
    fn valid(self, verdict: &Verdict) -> bool {
        match self {
            Decision::TtVerify => verdict.is_valid(),
            Decision::Offline => verdict.is_valid_offline(),
        }
    }
}

pub fn run(
    sources: &[Source],
    verifier: &Verifier,
    decision: Decision,
    json: bool,
    max_size: u64,
) -> Result<Tally> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut tally = Tally::default();
    let mut batch = Batch::default();

    let mut flush = |batch: &mut Batch, out: &mut BufWriter<_>| -> Result<()> {
        // Read every document, ask the outside world at once what they need, then check.
        let subjects: Vec<Result<Subject, String>> = batch
            .units
            .par_iter()
            .map(|unit| unit.read(&batch.text, max_size))
            .collect();
        let read: Vec<&Subject> = subjects.iter().filter_map(|s| s.as_ref().ok()).collect();
        verifier.prefetch(&read);
        let verdicts: Vec<Verdict> = subjects
            .par_iter()
            .map(|subject| match subject {
                Ok(subject) => verifier.verify(subject),
                Err(why) => verifier.unreadable(why),
            })
            .collect();
        for (unit, verdict) in batch.units.iter().zip(verdicts) {
            let valid = decision.valid(&verdict);
            if valid {
                tally.valid += 1
            } else {
                tally.not_valid += 1
            }
            if json {
                serde_json::to_writer(
                    &mut *out,
                    &Report {
                        file: &unit.to_string(),
                        valid,
                        fragments: &verdict.fragments,
                    },
                )?;
                writeln!(out)?;
            } else {
                write_human(out, unit, &verdict, valid)?;
            }
        }
        batch.units.clear();
        batch.text.clear();
        Ok(())
    };

    for source in sources {
        if source.lines {
            let mut lines = match Lines::open(&source.path, max_size) {
                Ok(lines) => lines,
                Err(e) => {
                    let why = format!("{e:#}");
                    batch.units.push(Unit::Unreadable { source, why });
                    continue;
                }
            };
            loop {
                let start = batch.text.len();
                match lines.read_line(&mut batch.text) {
                    Ok(Some(number)) => batch.units.push(Unit::Line {
                        source,
                        number,
                        text: start..batch.text.len(),
                    }),
                    Ok(None) => break,
                    Err(e) => {
                        let why = format!("{e:#}");
                        batch.units.push(Unit::Unreadable { source, why });
                        break;
                    }
                }
                if batch.units.len() == CHUNK {
                    flush(&mut batch, &mut out)?;
                }
            }
        } else {
            batch.units.push(Unit::File(source));
        }
        if batch.units.len() >= CHUNK {
            flush(&mut batch, &mut out)?;
        }
    }
    flush(&mut batch, &mut out)?;
    out.flush().context("cannot write to standard output")?;
    Ok(tally)
}

fn write_human(out: &mut impl Write, label: &Unit, verdict: &Verdict, valid: bool) -> Result<()> {
    if valid {
        writeln!(out, "valid    {label}")?;
        return Ok(());
    }
    // The first fault; failing that, the first check of a kind that nothing confirmed.
    let unconfirmed = |f: &&corridor_verify::Fragment| {
        !verdict
            .fragments
            .iter()
            .any(|g| g.kind == f.kind && g.status == Status::Valid)
    };
    let worst = verdict
        .fragments
        .iter()
        .find(|f| f.status == Status::Invalid)
        .or_else(|| verdict.fragments.iter().find(|f| f.status == Status::Error))
        .or_else(|| verdict.fragments.iter().find(unconfirmed));
    match worst {
        Some(f) => {
            let status = match f.status {
                Status::Invalid => "INVALID",
                Status::Error => "ERROR",
                Status::Valid => "VALID",
                Status::Skipped => "SKIPPED",
            };
            let message = f.reason.as_ref().map(|r| &*r.message).unwrap_or("");
            writeln!(out, "{status:<8} {label}: {}: {message}", f.name)?;
        }
        None => writeln!(out, "ERROR    {label}")?,
    }
    Ok(())
}
