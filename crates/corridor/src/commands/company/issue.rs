//! `corridor company issue`: each company's profile signed as a W3C VC 2.0 credential with a
//! selective disclosure suite, given an entry of a status list, and kept in the store, from
//! which `corridor company disclose` and `corridor serve` pass on copies disclosing only what
//! a policy allows.

use anyhow::{Context, Result, anyhow, bail};
use corridor_company::credential::{MANDATORY, profile_credential};
use corridor_ledger::{Store, StoredCompany};
use rayon::prelude::*;
use serde_json::Value;

use crate::commands::credential::{is_status_list_2021, multikey_signer, now_ms, processor};
use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::{progress, secrets};

#[derive(clap::Args)]
pub struct IssueArgs {
    /// The companies to issue for (by id). Default: every company whose profile has no
    /// credential yet, or a newer one than its credential.
    #[arg(value_name = "COMPANY")]
    companies: Vec<String>,
    #[command(flatten)]
    signer: secrets::SignerArgs,
    /// The key's verification method in the provider's DID document
    /// (did:web:provider.example#keys-1; see `corridor did document`): the credentials'
    /// issuer is its DID. The key's type picks the suite: ecdsa-sd-2023 for a P-256 key,
    /// bbs-2023 for a BLS12-381 key.
    #[arg(long, value_name = "DID_URL", required = true)]
    verification_method: String,
    /// The store's status list (see `corridor status-list new`) that gives each credential
    /// its entry, by which it is withdrawn (`corridor status-list revoke`).
    #[arg(long, value_name = "URL", required = true)]
    status_list: String,
    /// Credentials signed a step: each step's status entries are taken together.
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    step: u32,
}

/// A company to issue for: its id, the change of its profile, the profile.
struct Due {
    id: String,
    change: i64,
    profile: Value,
}

impl Due {
    fn of(company: StoredCompany) -> Result<Due> {
        let profile = serde_json::from_str(&company.row.profile).with_context(|| {
            format!(
                "company {}: the store holds its profile unreadable",
                company.row.id
            )
        })?;
        Ok(Due {
            id: company.row.id,
            change: company.change,
            profile,
        })
    }
}

/// The companies named, each if its credential is not current, and how many were.
fn named_due(store: &Store, ids: &[String]) -> Result<(Vec<Due>, u64)> {
    let mut due = Vec::new();
    let mut current = 0;
    for id in ids {
        let company = store.company(id)?.ok_or_else(|| {
            Refused(format!(
                "no company {id} is kept (see `corridor company find`)"
            ))
        })?;
        match store.company_credential(id)? {
            Some(kept) if kept.change >= company.change => current += 1,
            _ => due.push(Due::of(company)?),
        }
    }
    Ok((due, current))
}

pub fn run(home: &Home, args: &IssueArgs) -> Result<Exit> {
    let name = args.signer.key.as_deref().ok_or_else(|| {
        anyhow!("give --key NAME: the provider's Multikey (see `corridor key new --type p256`)")
    })?;
    let suite = match home.keyring()?.info(name)?.kind {
        corridor_keys::KeyKind::Multikey { suite, .. } => suite,
        corridor_keys::KeyKind::Ethereum(_) => bail!(
            "the key {name} is an Ethereum key: profile credentials are signed with a Multikey (`corridor key new NAME --type p256` or `--type bls12-381`)"
        ),
    };
    let (key, method) =
        multikey_signer(home, &args.signer, suite, Some(&args.verification_method))?;
    let issuer = corridor_verify::w3c::did_of(&method).to_owned();
    let processor = processor(None, false)?;
    let mut store = home.store()?;
    let list = store.status_list(&args.status_list)?.ok_or_else(|| {
        anyhow!(
            "--status-list {}: no such list in the store (make one with `corridor status-list new`)",
            args.status_list
        )
    })?;
    let list_2021 = is_status_list_2021(&list);
    let (named, current) = named_due(&store, &args.companies)?;
    let step = args.step as usize;
    let now = now_ms();
    let valid_from = corridor_verify::w3c::data_integrity_date(now);
    let mandatory: Vec<String> = MANDATORY.iter().map(|p| (*p).to_owned()).collect();
    let by_name = !args.companies.is_empty();
    let total = if by_name {
        named.len() as u64
    } else {
        store.count_companies_to_issue()?
    };
    let bar = progress::count(total, "issuing");
    let sign = |due: &Due, index: u64| -> Result<String> {
        let status = corridor_verify::w3c::status_list_entry(
            &list.url,
            list.purpose.name(),
            index,
            list_2021,
        );
        let credential = profile_credential(&due.profile, &issuer, &valid_from, status);
        let signed = corridor_verify::w3c::sign_credential(
            &processor,
            &key,
            &method,
            &credential,
            &mandatory,
            now,
            rand::random(),
        )
        .map_err(|why| {
            Refused(format!(
                "company {}: its profile cannot be signed: {why}",
                due.id
            ))
        })?;
        Ok(serde_json::to_string(&signed)?)
    };
    let issued = store.issue_company_credentials(|writer| -> Result<u64> {
        let mut issued = 0u64;
        let mut cursor = 0;
        let mut named = Some(named);
        loop {
            let due: Vec<Due> = if by_name {
                match named.take() {
                    Some(all) => all,
                    None => break,
                }
            } else {
                let page = writer.companies_to_issue(cursor, step)?;
                let Some(last) = page.last() else { break };
                cursor = last.change;
                page.into_iter().map(Due::of).collect::<Result<_>>()?
            };
            for chunk in due.chunks(step) {
                let first = writer.allocate_status_indexes(&list.url, chunk.len() as u64)?;
                let signed: Vec<String> = chunk
                    .par_iter()
                    .enumerate()
                    .map(|(n, due)| sign(due, first + n as u64))
                    .collect::<Result<_>>()?;
                for (due, credential) in chunk.iter().zip(&signed) {
                    writer.put(&due.id, due.change, credential)?;
                }
                issued += chunk.len() as u64;
                bar.inc(chunk.len() as u64);
            }
        }
        Ok(issued)
    });
    bar.finish_and_clear();
    let issued = issued?;
    eprintln!(
        "issued {issued} profile credential(s) with {} as {method}{}",
        suite.name(),
        if current > 0 {
            format!("; {current} already current")
        } else {
            String::new()
        }
    );
    Ok(Exit::Success)
}
