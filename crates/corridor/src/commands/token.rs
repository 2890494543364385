//! `corridor token`: API tokens for `corridor serve`'s writes, each allowed some of them.

use anyhow::{Result, bail};
use corridor_gs1::Gln;
use corridor_ledger::{Issuers, Scope, Scopes, TraceParty};

use crate::exit::Exit;
use crate::home::Home;

#[derive(clap::Subcommand)]
pub enum TokenAction {
    /// Make a token and print it, once: keep it secret.
    New {
        /// What the token is for, to revoke it by (1 to 64 characters).
        #[arg(value_name = "NAME")]
        name: String,
        /// What it may do: issue, revoke, share, titles (title actions and chain title
        /// transactions), trace (EPCIS 2.0 capture and query, `/capture` and `/events`) or
        /// companies (a partner's company look-ups and change feed, `/api/companies`).
        /// Repeat for several; at least one.
        #[arg(long = "scope", value_name = "SCOPE", required = true, value_parser = parse_scope)]
        scopes: Vec<Scope>,
        /// With --scope revoke: an issuer it may revoke for (repeat for several). Without
        /// any, it may revoke for every issuer of the store.
        #[arg(long = "issuer", value_name = "NAME")]
        issuers: Vec<String>,
        /// With --scope trace: the party it captures and queries events for (its party GLN,
        /// as `urn:epc:id:pgln:…`, `https://id.gs1.org/417/…` or 13 digits). It may capture
        /// only events that party recorded, and query those and its partners' events about
        /// the same things. Without it, the token is the repository operator's: any party's.
        #[arg(long, value_name = "PGLN", value_parser = super::trace::parse_party)]
        party: Option<Gln>,
        /// With --scope companies: a disclosure policy (by id, kept with `corridor company
        /// policy add`) the partner receives profiles under; repeat for several, at least one.
        /// Nothing of a profile leaves but what one of them allows.
        #[arg(long = "policy", value_name = "ID")]
        policies: Vec<String>,
    },
    /// List the tokens: name, scopes, when made, whether revoked. Never the tokens themselves.
    List,
    /// Revoke a token: requests with it are refused from now on.
    Revoke {
        #[arg(value_name = "NAME")]
        name: String,
    },
}

pub fn run(home: &Home, action: &TokenAction) -> Result<Exit> {
    let mut store = home.store()?;
    match action {
        TokenAction::New {
            name,
            scopes,
            issuers,
            party,
            policies,
        } => {
            for id in policies {
                if store.policy(id)?.is_none() {
                    bail!(
                        "--policy {id}: no such policy is kept (add it with `corridor company policy add FILE`)"
                    );
                }
            }
            let scopes = granted(scopes, issuers, *party, policies)?;
            let token = store.new_api_token(name, &scopes, &mut rand::rng())?;
            println!("{token}");
            eprintln!(
                "API token {name:?} made, for {}; it is shown only now: keep it secret",
                describe(&scopes)
            );
        }
        TokenAction::List => {
            for t in store.api_tokens()? {
                let state = match t.revoked {
                    Some(at) => format!("revoked {}", corridor_ledger::show_time(at)),
                    None => "live".into(),
                };
                println!(
                    "{:<24} made {}  {state}  {}",
                    t.name,
                    corridor_ledger::show_time(t.created),
                    describe(&t.scopes)
                );
            }
        }
        TokenAction::Revoke { name } => {
            store.revoke_api_token(name)?;
            eprintln!("API token {name:?} revoked");
        }
    }
    Ok(Exit::Success)
}

fn parse_scope(name: &str) -> Result<Scope, String> {
    Scope::from_name(name).ok_or_else(|| {
        format!("{name:?} is not a scope: give issue, revoke, share, titles, trace or companies")
    })
}

/// The scopes `--scope`, `--issuer`, `--party` and `--policy` give; an issuer without the
/// revoke scope, a party without the trace scope, or a policy without the companies scope
/// (or that scope without one) is a mistake.
fn granted(
    scopes: &[Scope],
    issuers: &[String],
    party: Option<Gln>,
    policies: &[String],
) -> Result<Scopes> {
    let revoke = scopes.contains(&Scope::Revoke);
    if !revoke && !issuers.is_empty() {
        bail!("--issuer names whom a token may revoke for: give it with --scope revoke");
    }
    let trace = scopes.contains(&Scope::Trace);
    if !trace && party.is_some() {
        bail!(
            "--party names whose events a token captures and queries: give it with --scope trace"
        );
    }
    let companies = scopes.contains(&Scope::Companies);
    match (companies, policies.is_empty()) {
        (true, true) => bail!(
            "--scope companies needs --policy ID: the disclosure policies the partner receives profiles under"
        ),
        (false, false) => bail!(
            "--policy names the policies a partner receives profiles under: give it with --scope companies"
        ),
        _ => {}
    }
    Ok(Scopes {
        issue: scopes.contains(&Scope::Issue),
        revoke: revoke.then(|| match issuers {
            [] => Issuers::Any,
            named => Issuers::Named(named.iter().cloned().collect()),
        }),
        share: scopes.contains(&Scope::Share),
        titles: scopes.contains(&Scope::Titles),
        trace: trace.then(|| party.map_or(TraceParty::Any, TraceParty::Party)),
        companies: companies.then(|| policies.iter().cloned().collect()),
    })
}

/// The scopes as `token list` shows them: `issue revoke(carrier) share`.
fn describe(scopes: &Scopes) -> String {
    let words: Vec<String> = scopes
        .held()
        .into_iter()
        .map(|scope| match (&scopes.revoke, scope) {
            (Some(Issuers::Any), Scope::Revoke) => "revoke(any issuer)".to_string(),
            (Some(Issuers::Named(names)), Scope::Revoke) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                format!("revoke({})", names.join(", "))
            }
            (_, Scope::Companies) => {
                let ids: Vec<&str> = scopes
                    .companies
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                format!("companies({})", ids.join(", "))
            }
            (_, Scope::Trace) => match scopes.trace {
                Some(TraceParty::Party(gln)) => format!("trace({gln})"),
                _ => "trace(any party)".to_string(),
            },
            (_, scope) => scope.name().to_string(),
        })
        .collect();
    words.join(" ")
}
