//! `corridor company check-id`: identifiers checked, each with its kind and the first rule it
//! breaks.

use std::io::Write;

use anyhow::{Context, Result};
use corridor_company::{Date, IdKind, check, guess_kind, normalise};
use serde_json::json;

use crate::exit::Exit;

#[derive(clap::Args)]
pub struct CheckIdArgs {
    /// The identifiers.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// Check every input as this kind: uen, uscc, lei, nric (NRIC or FIN) or cn-ric (China
    /// resident identity number). Guessed for each input otherwise: the one kind it is valid
    /// as, else by its length and shape.
    #[arg(long = "type", value_name = "KIND", value_parser = parse_kind)]
    kind: Option<IdKind>,
    /// The day the rules about years and birth dates are checked against (YYYY-MM-DD);
    /// today by default.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    on: Option<Date>,
    /// One JSON object a line: {"input", "type", "valid", "reason", "message",
    /// "normalised", "valid_after_normalisation"}; `reason` is "ok" when valid, and `type`
    /// null when no kind fits.
    #[arg(long)]
    json: bool,
}

fn parse_kind(name: &str) -> Result<IdKind, String> {
    IdKind::from_name(name).ok_or_else(|| {
        format!("{name:?} is not a kind of identifier: give uen, uscc, lei, nric or cn-ric")
    })
}

pub fn run(args: &CheckIdArgs) -> Result<Exit> {
    let today = match args.on {
        Some(day) => day,
        None => super::today()?,
    };
    let mut out = std::io::stdout().lock();
    let mut invalid = 0;
    for input in &args.inputs {
        let kind = args.kind.or_else(|| guess_kind(input, today));
        let normalised = normalise(input);
        let verdict = kind.map(|kind| check(kind, input, today));
        let valid_after = kind.is_some_and(|kind| check(kind, &normalised, today).is_ok());
        if !matches!(verdict, Some(Ok(()))) {
            invalid += 1;
        }
        if args.json {
            let (reason, message) = match &verdict {
                Some(Ok(())) => ("ok", None),
                Some(Err(problem)) => (problem.reason.name(), Some(problem.detail.clone())),
                None => ("unknown_type", Some(unknown(input))),
            };
            let line = json!({
                "input": input,
                "type": kind.map(IdKind::name),
                "valid": matches!(verdict, Some(Ok(()))),
                "reason": reason,
                "message": message,
                "normalised": normalised,
                "valid_after_normalisation": valid_after,
            });
            writeln!(out, "{line}").context("writing to standard output")?;
            continue;
        }
        let line = match (&verdict, kind) {
            (Some(Ok(())), Some(kind)) => format!("valid    {kind:<6}  {input}"),
            (Some(Err(problem)), Some(kind)) => {
                let after = if normalised != *input && valid_after {
                    format!(" (valid written {normalised})")
                } else {
                    String::new()
                };
                format!("invalid  {kind:<6}  {input:?}: {problem}{after}")
            }
            _ => format!("invalid  ?       {input:?}: {}", unknown(input)),
        };
        writeln!(out, "{line}").context("writing to standard output")?;
    }
    Ok(if invalid > 0 {
        Exit::Negative
    } else {
        Exit::Success
    })
}

fn unknown(input: &str) -> String {
    format!(
        "no kind of identifier has this shape ({} characters once normalised): give --type",
        normalise(input).chars().count()
    )
}
