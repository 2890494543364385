//! `corridor store`: looking after the embedded store.

use anyhow::Result;
use corridor_ledger::Audit;

use crate::exit::Exit;
use crate::home::Home;

#[derive(clap::Subcommand)]
pub enum StoreAction {
    /// Check the store's audit log: every entry chained to the one before, and the records
    /// equal to what the log says. Exit 0 if intact, 1 naming the first altered entry.
    Audit,
    /// Make this store a deployment of its own: for a copy run beside its original (staging
    /// made from production, a backup restored elsewhere). Title actions signed for one are
    /// then refused by the other; what both accepted before still checks. Run it before a
    /// server opens the copy.
    Fork,
}

pub fn run(home: &Home, action: &StoreAction) -> Result<Exit> {
    match action {
        StoreAction::Audit => audit(&home.store()?),
        StoreAction::Fork => fork(&mut home.store()?),
    }
}

/// Gives the store a salt of its own and says so.
fn fork(store: &mut corridor_ledger::Store) -> Result<Exit> {
    let deployment = store.fork_deployment()?;
    println!(
        "{}: a deployment of its own from now on (salt {}); title actions signed for its original are refused here",
        store.location(),
        deployment.salt
    );
    Ok(Exit::Success)
}

/// Checks the audit log and says what it found.
fn audit(store: &corridor_ledger::Store) -> Result<Exit> {
    let file = store.location();
    Ok(match store.audit()? {
        Audit::Intact { entries } => {
            // The feed's head, for comparing with what a node following this one has.
            let feed = match store.feed_last()? {
                Some((seq, hash)) => format!("status feed: {seq} entries, head 0x{hash}"),
                None => "status feed: empty".to_string(),
            };
            println!("{file}: intact, {entries} audit entries, records match them; {feed}");
            // And what it has of each peer it follows, to compare with that peer's head.
            for peer in store.peers()? {
                println!(
                    "  replica of {}: {} entries, last 0x{}",
                    peer.url, peer.seq, peer.hash
                );
            }
            Exit::Success
        }
        Audit::Altered { seq, problem } => {
            println!("{file}: ALTERED: audit entry {seq}: {problem}");
            Exit::Negative
        }
        Audit::RecordsDiffer { problem } => {
            println!("{file}: ALTERED: the audit log is whole, but {problem}");
            Exit::Negative
        }
    })
}
