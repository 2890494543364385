//! `corridor company disclose`: a company's profile credential passed on under a disclosure
//! policy, as a selectively disclosed copy of the provider's own (never signed again), and
//! recorded in the store's audit log: to whom, under which policy and basis, what left and
//! what stayed.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use corridor_company::policy::{Basis, Policy};
use corridor_ledger::Store;
use serde_json::{Value, json};

use crate::commands::credential::processor;
use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::output::write_atomically;

#[derive(clap::Args)]
pub struct DiscloseArgs {
    /// The company: its id, one of its identifiers (UEN, unified social credit code, LEI), or
    /// a name that finds it alone.
    #[arg(value_name = "COMPANY")]
    company: String,
    /// The disclosure policy (TOML): which fields may leave, which only under a recorded
    /// legal basis, which never, how people are minimised. Its `from` must cover the company's
    /// jurisdiction.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The recorded legal basis the disclosure is made under, as KIND:REFERENCE
    /// (consent:C-2026-0042); the policy says which kinds it accepts.
    #[arg(long, value_name = "KIND:REFERENCE", value_parser = parse_basis)]
    basis: Option<Basis>,
    /// To whom it goes, as the record of what crossed names them.
    #[arg(long, value_name = "NAME", default_value = "operator")]
    partner: String,
    /// Print one JSON object: {"company", "policy", "basis", "outcome", "refusal_reason",
    /// "disclose": [paths], "withhold": {path: reason}, "credential": the copy, or null}.
    #[arg(long)]
    json: bool,
    /// Write the copy here (replaced only when all went well) instead of standard output.
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    out: Option<PathBuf>,
}

/// Reads `KIND:REFERENCE`.
pub fn parse_basis(text: &str) -> Result<Basis, String> {
    Basis::parse(text).ok_or_else(|| {
        format!("{text:?}: give the basis as KIND:REFERENCE, as consent:C-2026-0042")
    })
}

/// Largest policy file read.
const MAX_POLICY: u64 = 1 << 20;

/// Reads the policy file at `path`: the policy, and its text.
pub fn read_policy(path: &Path) -> Result<(Policy, String)> {
    let text = crate::input::read_bounded(path, MAX_POLICY)?;
    let text = String::from_utf8(text)
        .map_err(|_| anyhow!("{}: a policy is UTF-8 text", path.display()))?;
    let policy = Policy::from_toml(&text)
        .with_context(|| format!("{}: not a disclosure policy", path.display()))?;
    Ok((policy, text))
}

/// The one company `query` finds: its id and jurisdiction.
fn one_company(store: &Store, query: &str) -> Result<corridor_ledger::StoredCompany> {
    let mut found = super::find::find(store, query)?;
    match found.len() {
        0 => Err(Refused(format!(
            "{query}: no company found (see `corridor company find`)"
        ))
        .into()),
        1 => Ok(found.remove(0)),
        _ => {
            let ids: Vec<&str> = found.iter().map(|c| c.row.id.as_str()).collect();
            Err(Refused(format!(
                "{query}: finds {} companies ({}); give one's id",
                ids.len(),
                ids.join(", ")
            ))
            .into())
        }
    }
}

pub fn run(home: &Home, args: &DiscloseArgs) -> Result<Exit> {
    let (policy, _) = read_policy(&args.policy)?;
    let mut store = home.store()?;
    let company = one_company(&store, &args.company)?;
    let id = &company.row.id;
    if !policy.from.contains(&company.row.jurisdiction) {
        return Err(Refused(format!(
            "{id} is a company of {}; the policy {} covers profiles of {}",
            company.row.jurisdiction,
            policy.id,
            policy.from.name()
        ))
        .into());
    }
    let kept = store.company_credential(id)?.ok_or_else(|| {
        Refused(format!(
            "{id} has no profile credential yet: issue one with `corridor company issue {id}`"
        ))
    })?;
    if kept.change < company.change {
        eprintln!(
            "note: {id}'s profile changed after its credential was issued; this discloses the credential's (issue again with `corridor company issue {id}`)"
        );
    }
    let credential: Value = serde_json::from_str(&kept.credential)
        .with_context(|| format!("{id}: the store holds its profile credential unreadable"))?;
    let processor = processor(None, false)?;
    let disclosure =
        corridor_company::disclose(&processor, &credential, &policy, args.basis.as_ref())
            .with_context(|| format!("{id}: cannot disclose its profile credential"))?;
    let record = disclosure.record(
        &args.partner,
        id,
        credential.get("id").and_then(Value::as_str),
        &policy,
        args.basis.as_ref(),
    );
    // Recorded before anything is shown: nothing leaves unrecorded.
    let seq = store.record_disclosure(&record)?;
    let outcome = disclosure.to_json();
    if args.json {
        let mut line = json!({
            "company": id,
            "policy": policy.id,
            "basis": record["basis"],
        });
        if let (Some(line), Some(outcome)) = (line.as_object_mut(), outcome.as_object()) {
            line.extend(outcome.clone());
        }
        writeln!(std::io::stdout().lock(), "{line}").context("writing to standard output")?;
    } else if let Some(copy) = &disclosure.credential {
        let text = serde_json::to_string_pretty(copy)?;
        match &args.out {
            Some(path) => write_atomically(path, text.as_bytes())?,
            None => writeln!(std::io::stdout().lock(), "{text}")
                .context("writing to standard output")?,
        }
    }
    let c = &disclosure.classification;
    match c.refused {
        Some(reason) => {
            eprintln!(
                "{id}: refused under {} ({}): nothing left; recorded as audit entry {seq}",
                policy.id,
                reason.name()
            );
            Ok(Exit::Negative)
        }
        None => {
            eprintln!(
                "{id}: {} field(s) disclosed to {} under {}, {} withheld; recorded as audit entry {seq}",
                c.disclose.len(),
                args.partner,
                policy.id,
                c.withhold.len()
            );
            Ok(Exit::Success)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_basis_is_a_kind_and_a_reference() {
        let basis = parse_basis("consent:C-1:2").unwrap();
        assert_eq!(
            (basis.kind.as_str(), basis.reference.as_str()),
            ("consent", "C-1:2")
        );
        assert!(parse_basis("consent").is_err());
        assert!(parse_basis(":C-1").is_err());
        assert!(parse_basis("consent: ").is_err());
    }
}
