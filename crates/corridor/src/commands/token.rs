//! `corridor token`: API tokens for `corridor serve`'s writes, each allowed some of them.

use anyhow::{Result, bail};
use corridor_ledger::{Issuers, Scope, Scopes};

use crate::exit::Exit;
use crate::home::Home;

#[derive(clap::Subcommand)]
pub enum TokenAction {
    /// Make a token and print it, once: keep it secret.
    New {
        /// What the token is for, to revoke it by (1 to 64 characters).
        #[arg(value_name = "NAME")]
        name: String,
        /// A write it may make: issue, revoke, share or titles (title actions and chain title
        /// transactions). Repeat for several; at least one.
        #[arg(long = "scope", value_name = "SCOPE", required = true, value_parser = parse_scope)]
        scopes: Vec<Scope>,
        /// With --scope revoke: an issuer it may revoke for (repeat for several). Without
        /// any, it may revoke for every issuer of the store.
        #[arg(long = "issuer", value_name = "NAME")]
        issuers: Vec<String>,
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
        } => {
            let scopes = granted(scopes, issuers)?;
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
    Scope::from_name(name)
        .ok_or_else(|| format!("{name:?} is not a scope: give issue, revoke, share or titles"))
}

/// The scopes `--scope` and `--issuer` give; an issuer without the revoke scope is a mistake.
fn granted(scopes: &[Scope], issuers: &[String]) -> Result<Scopes> {
    let revoke = scopes.contains(&Scope::Revoke);
    if !revoke && !issuers.is_empty() {
        bail!("--issuer names whom a token may revoke for: give it with --scope revoke");
    }
    Ok(Scopes {
        issue: scopes.contains(&Scope::Issue),
        revoke: revoke.then(|| match issuers {
            [] => Issuers::Any,
            named => Issuers::Named(named.iter().cloned().collect()),
        }),
        share: scopes.contains(&Scope::Share),
        titles: scopes.contains(&Scope::Titles),
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
            (_, scope) => scope.name().to_string(),
        })
        .collect();
    words.join(" ")
}
