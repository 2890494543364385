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
    #[command(flatten)]
    w3c: crate::commands::credential::W3cSignArgs,
    /// Wrapped documents (or, with --suite, W3C credentials): files, folders, or JSON Lines
    /// files.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

pub fn run(home: &Home, args: &SignArgs) -> Result<Exit> {
    if let Some(suite) = args.w3c.suite {
        let sources = input::expand(&args.inputs)?;
        return crate::commands::credential::sign(
            home,
            &args.signer,
            &args.w3c,
            suite,
            &sources,
            &args.output.destination(),
            args.max_size,
        );
    }
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
