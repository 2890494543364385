//! `corridor audit`: reports from the store's audit log. `audit disclosures` says what crossed:
//! every disclosure of a company profile (and every refusal), by partner, company or period,
//! and, for one person, everything disclosed about them and to whom. The log's chain is
//! checked first: a report is never drawn from an altered log.

use std::io::Write;

use anyhow::{Context, Result};
use corridor_ledger::{Audit, DisclosureEntry, DisclosureQuery};
use serde_json::{Value, json};

use crate::exit::{Exit, Refused};
use crate::home::Home;

#[derive(clap::Subcommand)]
pub enum AuditAction {
    /// What crossed: the disclosures of company profiles the store recorded (`corridor company
    /// disclose`, and partners' requests to `corridor serve`), oldest first, each with its
    /// partner, company, policy, legal basis, outcome, and the fields disclosed and withheld.
    ///
    /// With --person, a data-subject report: every disclosure that let something about that
    /// person leave (as officer, shareholder or legal representative of any company), to whom,
    /// and exactly which fields. The audit log is checked first; an altered one is named and
    /// no report is drawn from it (exit 1).
    Disclosures(DisclosuresArgs),
}

#[derive(clap::Args)]
pub struct DisclosuresArgs {
    /// Only those to this partner (as the record names them: a token's name for `corridor
    /// serve`, `--partner` for `corridor company disclose`).
    #[arg(long, value_name = "NAME")]
    partner: Option<String>,
    /// Only those of this company (its id).
    #[arg(long, value_name = "ID")]
    company: Option<String>,
    /// Only those made at or after this time (YYYY-MM-DD, midnight UTC, or an RFC 3339 time).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    since: Option<i64>,
    /// Only those made before this time (YYYY-MM-DD, midnight UTC, or an RFC 3339 time).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    until: Option<i64>,
    /// A data-subject report on the person with this identity document number, as
    /// [TYPE:]NUMBER (SG-NRIC:S1234567D, or S1234567D for any type).
    #[arg(long, value_name = "[TYPE:]NUMBER")]
    person: Option<String>,
    /// One JSON object a line for each disclosure: the record (partner, company, credential,
    /// copy_sha256, policy, basis, outcome, refusal_reason, disclose, withhold, people) with
    /// its audit entry's `seq` and its time `at`; with --person, `about` holds what of that
    /// person left.
    #[arg(long)]
    json: bool,
}

/// Milliseconds since 1970 of `text`: a day (its midnight, UTC) or an RFC 3339 time.
fn parse_time(text: &str) -> Result<i64, String> {
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    humantime::parse_rfc3339_weak(&full)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .ok_or_else(|| format!("{text:?} is not a day (YYYY-MM-DD) or an RFC 3339 time"))
}

pub fn run(home: &Home, action: &AuditAction) -> Result<Exit> {
    let AuditAction::Disclosures(args) = action;
    disclosures(home, args)
}

/// `[TYPE:]NUMBER`: the type, if given, and the number.
fn person(text: &str) -> (Option<String>, String) {
    match text.rsplit_once(':') {
        Some((kind, number)) if !kind.is_empty() => (Some(kind.to_owned()), number.to_owned()),
        _ => (None, text.trim_start_matches(':').to_owned()),
    }
}

fn disclosures(home: &Home, args: &DisclosuresArgs) -> Result<Exit> {
    let store = home.store()?;
    match store.audit()? {
        Audit::Intact { .. } => {}
        Audit::Altered { seq, problem } => {
            return Err(Refused(format!(
                "{}: the audit log is altered at entry {seq} ({problem}); no report is drawn from it",
                store.location()
            ))
            .into());
        }
        Audit::RecordsDiffer { problem } => {
            return Err(Refused(format!(
                "{}: the audit log is whole, but {problem}; no report is drawn from it",
                store.location()
            ))
            .into());
        }
    }
    let subject = args.person.as_deref().map(person);
    let query = DisclosureQuery {
        partner: args.partner.clone(),
        company: args.company.clone(),
        since: args.since,
        until: args.until,
        person: subject.clone(),
    };
    let entries = store.disclosures(&query)?;
    let mut out = std::io::stdout().lock();
    let about = |entry: &DisclosureEntry| -> Vec<Value> {
        let Some((kind, number)) = &subject else {
            return Vec::new();
        };
        entry.record["people"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| {
                p["number"] == number.as_str()
                    && kind.as_ref().is_none_or(|k| p["type"] == k.as_str())
            })
            .cloned()
            .collect()
    };
    if args.json {
        for entry in &entries {
            let mut line = json!({"seq": entry.seq, "at": time(entry.at)});
            if let (Some(line), Some(record)) = (line.as_object_mut(), entry.record.as_object()) {
                line.extend(record.clone());
                if subject.is_some() {
                    line.insert("about".into(), Value::Array(about(entry)));
                }
            }
            writeln!(out, "{line}").context("writing to standard output")?;
        }
        return Ok(Exit::Success);
    }
    if let Some((kind, number)) = &subject {
        let partners: std::collections::BTreeSet<&str> = entries
            .iter()
            .filter_map(|e| e.record["partner"].as_str())
            .collect();
        writeln!(
            out,
            "data-subject report on {}{number}: {} disclosure(s) let something about them leave, to {} partner(s)",
            kind.as_deref().map(|k| format!("{k} ")).unwrap_or_default(),
            entries.len(),
            partners.len()
        )?;
    }
    for entry in &entries {
        let r = &entry.record;
        let count = |field: &str| {
            r[field]
                .as_array()
                .map(Vec::len)
                .or_else(|| r[field].as_object().map(|o| o.len()))
                .unwrap_or(0)
        };
        let basis = match (&r["basis"]["kind"], &r["basis"]["reference"]) {
            (Value::String(kind), Value::String(reference)) => format!("{kind}:{reference}"),
            _ => "no basis".to_owned(),
        };
        writeln!(
            out,
            "{}  entry {}  to {}  {}  under {} v{}  {}  {}: {} disclosed, {} withheld",
            time(entry.at),
            entry.seq,
            r["partner"].as_str().unwrap_or("?"),
            r["company"].as_str().unwrap_or("?"),
            r["policy"]["id"].as_str().unwrap_or("?"),
            r["policy"]["version"],
            basis,
            r["outcome"].as_str().unwrap_or("?"),
            count("disclose"),
            count("withhold")
        )?;
        for appearance in about(entry) {
            let fields: Vec<&str> = appearance["disclosed"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            writeln!(
                out,
                "    as {}: {}",
                appearance["element"].as_str().unwrap_or("?"),
                fields.join(", ")
            )?;
        }
    }
    if subject.is_none() {
        eprintln!("{} disclosure(s)", entries.len());
    }
    Ok(Exit::Success)
}

/// An RFC 3339 time, to the second, of milliseconds since 1970.
fn time(ms: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_people_are_read_as_written() {
        assert_eq!(parse_time("1970-01-02"), Ok(86_400_000));
        assert_eq!(parse_time("1970-01-01T00:00:01Z"), Ok(1000));
        assert!(parse_time("yesterday").is_err());
        assert_eq!(person("S1234567D"), (None, "S1234567D".to_owned()));
        assert_eq!(
            person("SG-NRIC:S1234567D"),
            (Some("SG-NRIC".to_owned()), "S1234567D".to_owned())
        );
        assert_eq!(time(1000), "1970-01-01T00:00:01Z");
    }
}
