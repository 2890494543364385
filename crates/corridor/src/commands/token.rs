//! `corridor token`: API tokens for `corridor serve`'s writes.

use anyhow::Result;

use crate::exit::Exit;
use crate::home::Home;

#[derive(clap::Subcommand)]
pub enum TokenAction {
    /// Make a token and print it, once: keep it secret.
    New {
        /// What the token is for, to revoke it by (1 to 64 characters).
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// List the tokens: name, when made, whether revoked. Never the tokens themselves.
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
        TokenAction::New { name } => {
            let token = store.new_api_token(name, &mut rand::rng())?;
            println!("{token}");
            eprintln!("API token {name:?} made; it is shown only now: keep it secret");
        }
        TokenAction::List => {
            for t in store.api_tokens()? {
                let state = match t.revoked {
                    Some(at) => format!("revoked {}", corridor_ledger::show_time(at)),
                    None => "live".into(),
                };
                println!(
                    "{:<24} made {}  {state}",
                    t.name,
                    corridor_ledger::show_time(t.created)
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
