//! `corridor company find`: companies kept in the store, found by id, identifier or name.

use std::io::Write;

use anyhow::{Context, Result};
use corridor_company::{name_key, normalise};
use corridor_ledger::{Store, StoredCompany};
use serde_json::{Value, json};

use crate::exit::Exit;
use crate::home::Home;

#[derive(clap::Args)]
pub struct FindArgs {
    /// What to find: a company's id, one of its identifiers (UEN, unified social credit code,
    /// LEI; normalised first, so `２０１９ 12345k` finds 201912345K), or a name in either
    /// script, with or without its legal form.
    #[arg(required = true, value_name = "QUERY")]
    queries: Vec<String>,
    /// One JSON object a line for each query: {"query", "found": [{"id", "jurisdiction",
    /// "as_of", "updated_at", "change", "profile"}]}.
    #[arg(long)]
    json: bool,
}

/// The companies `query` finds: by id, else by identifier, else by name key.
pub fn find(store: &Store, query: &str) -> Result<Vec<StoredCompany>> {
    Ok(store.find_companies(query.trim(), &normalise(query), &name_key(query))?)
}

pub fn run(home: &Home, args: &FindArgs) -> Result<Exit> {
    let store = home.store()?;
    let mut out = std::io::stdout().lock();
    let mut missing = 0;
    for query in &args.queries {
        let found = find(&store, query)?;
        if found.is_empty() {
            missing += 1;
        }
        if args.json {
            let found: Vec<Value> = found
                .iter()
                .map(|c| {
                    let profile: Value = serde_json::from_str(&c.row.profile)
                        .unwrap_or_else(|_| Value::String(c.row.profile.clone()));
                    json!({"id": c.row.id, "jurisdiction": c.row.jurisdiction, "as_of": c.row.as_of,
                        "updated_at": c.row.updated_at, "change": c.change, "profile": profile})
                })
                .collect();
            writeln!(out, "{}", json!({"query": query, "found": found}))
                .context("writing to standard output")?;
            continue;
        }
        if found.is_empty() {
            writeln!(out, "{query}: no company found").context("writing to standard output")?;
        }
        for company in found {
            let profile: Value = serde_json::from_str(&company.row.profile).unwrap_or_default();
            let name = |which: &str| profile["name"][which].as_str().unwrap_or("").to_owned();
            let identifiers: Vec<String> = profile["identifiers"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(kind, id)| format!("{kind} {}", id.as_str().unwrap_or("")))
                .collect();
            writeln!(
                out,
                "{}  {}  {} / {}  [{}]  as of {}",
                company.row.id,
                company.row.jurisdiction,
                name("legal"),
                name("english"),
                identifiers.join(", "),
                company.row.as_of
            )
            .context("writing to standard output")?;
        }
    }
    Ok(if missing > 0 {
        Exit::Negative
    } else {
        Exit::Success
    })
}
