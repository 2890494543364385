//! `corridor verify`.

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::exit::Exit;
use crate::input;

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// One JSON object per document and line: {"file", "valid", "fragments": [...]}.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    world: crate::verify::WorldArgs,
    /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = input::parse_size)]
    max_size: u64,
    /// Wrapped documents: files, folders, or JSON Lines files (each line reported as path:line).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

pub fn run(args: &VerifyArgs) -> Result<Exit> {
    let sources = input::expand(&args.inputs)?;
    if sources.is_empty() {
        bail!("no documents found in the inputs");
    }
    // The user chose these documents: their fetches go wherever they say.
    let world = args.world.connect(&corridor_net::FetchPolicy::Anywhere)?;
    let verifier =
        corridor_verify::Verifier::new(world.providers(corridor_net::QuestionBudget::unlimited()));
    let decision = world.decision();
    let tally = crate::verify::run(&sources, &verifier, decision, args.json, args.max_size)?;
    eprintln!(
        "{} document(s): {} valid, {} not valid",
        tally.valid + tally.not_valid,
        tally.valid,
        tally.not_valid
    );
    Ok(if tally.not_valid == 0 {
        Exit::Success
    } else if tally.not_valid == tally.cut_off {
        Exit::Unreachable
    } else {
        Exit::Negative
    })
}
