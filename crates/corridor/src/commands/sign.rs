//! `corridor sign`.

use std::path::PathBuf;

use anyhow::Result;

use crate::exit::Exit;
use crate::home::Home;
use crate::{input, output, secrets, sign};

#[derive(clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    signer: secrets::SignerArgs,
    #[command(flatten)]
    output: output::OutputArgs,
    /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = input::parse_size)]
    max_size: u64,
    /// Wrapped documents: files, folders, or JSON Lines files.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

pub fn run(home: &Home, args: &SignArgs) -> Result<Exit> {
    let signer = args.signer.signer(&home.keyring()?)?;
    let destination = args.output.destination();
    let sources = input::expand(&args.inputs)?;
    let issuance = sign::Issuance::DidSigned(&signer);
    let signed = sign::run(&sources, &destination, &issuance, args.max_size, |_| Ok(()))?;
    signed.print_roots(&destination)?;
    eprintln!(
        "signed {} document(s) as {} ({} merkle root(s))",
        signed.count,
        signer.did(),
        signed.batches.len()
    );
    Ok(Exit::Success)
}
