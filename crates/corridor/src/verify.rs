//! `corridor verify`: every document of the inputs through the verification pipeline, in
//! parallel, with results printed in input order.

use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use corridor_verify::{Status, Verdict, Verifier};
use rayon::prelude::*;
use serde::Serialize;

use crate::input::{self, Lines, Source};

/// Documents verified per parallel step.
const CHUNK: usize = 2048;

/// One document to verify: a whole file, or one line of a JSON Lines file.
enum Unit<'a> {
    File(&'a Source),
    Line {
        label: String,
        bytes: Vec<u8>,
    },
    /// An input that could not be read; its verdict says why.
    Unreadable {
        label: String,
        why: String,
    },
}

impl Unit<'_> {
    fn unreadable(source: &Source, e: &anyhow::Error) -> Self {
        Unit::Unreadable {
            label: source.path.display().to_string(),
            why: format!("{e:#}"),
        }
    }
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

pub fn run(sources: &[Source], json: bool, max_size: u64) -> Result<Tally> {
    let verifier = Verifier::default();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut tally = Tally::default();
    let mut chunk: Vec<Unit> = Vec::with_capacity(CHUNK);

    let mut flush = |chunk: &mut Vec<Unit>, out: &mut BufWriter<_>| -> Result<()> {
        let results: Vec<(String, Verdict)> = chunk
            .par_iter()
            .map(|unit| match unit {
                Unit::File(source) => {
                    let label = source.path.display().to_string();
                    let verdict = match input::read_bounded(&source.path, max_size) {
                        Ok(bytes) => verifier.verify_bytes(&bytes),
                        Err(e) => verifier.unreadable(&format!("{e:#}")),
                    };
                    (label, verdict)
                }
                Unit::Line { label, bytes } => (label.clone(), verifier.verify_bytes(bytes)),
                Unit::Unreadable { label, why } => (label.clone(), verifier.unreadable(why)),
            })
            .collect();
        chunk.clear();
        for (label, verdict) in results {
            let valid = verdict.is_valid();
            if valid {
                tally.valid += 1
            } else {
                tally.not_valid += 1
            }
            if json {
                serde_json::to_writer(
                    &mut *out,
                    &Report {
                        file: &label,
                        valid,
                        fragments: &verdict.fragments,
                    },
                )?;
                writeln!(out)?;
            } else {
                write_human(out, &label, &verdict)?;
            }
        }
        Ok(())
    };

    for source in sources {
        if source.lines {
            let mut lines = match Lines::open(&source.path, max_size) {
                Ok(lines) => lines,
                Err(e) => {
                    chunk.push(Unit::unreadable(source, &e));
                    continue;
                }
            };
            loop {
                match lines.next_line() {
                    Ok(Some((n, bytes))) => chunk.push(Unit::Line {
                        label: format!("{}:{n}", source.path.display()),
                        bytes,
                    }),
                    Ok(None) => break,
                    Err(e) => {
                        chunk.push(Unit::unreadable(source, &e));
                        break;
                    }
                }
                if chunk.len() == CHUNK {
                    flush(&mut chunk, &mut out)?;
                }
            }
        } else {
            chunk.push(Unit::File(source));
        }
        if chunk.len() >= CHUNK {
            flush(&mut chunk, &mut out)?;
        }
    }
    flush(&mut chunk, &mut out)?;
    out.flush().context("cannot write to standard output")?;
    Ok(tally)
}

fn write_human(out: &mut impl Write, label: &str, verdict: &Verdict) -> Result<()> {
    if verdict.is_valid() {
        writeln!(out, "valid    {label}")?;
        return Ok(());
    }
    let worst = verdict
        .fragments
        .iter()
        .find(|f| f.status == Status::Invalid)
        .or_else(|| verdict.fragments.iter().find(|f| f.status == Status::Error))
        .or_else(|| verdict.fragments.first());
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
