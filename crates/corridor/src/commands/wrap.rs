//! `corridor wrap`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::exit::Exit;
use crate::{input, output};

#[derive(clap::Args)]
pub struct WrapArgs {
    #[command(flatten)]
    output: output::OutputArgs,
    /// The OpenAttestation version to wrap into: 2, the data salted in place; or 3, a W3C
    /// Verifiable Credential 1.1 (an `@context`, `credentialSubject`, `openAttestationMetadata`
    /// saying how it is issued and by whom) with its salts kept in its proof.
    #[arg(long, value_name = "VERSION", default_value = "2")]
    oa_version: OaVersion,
    /// Version 3: a folder answering for the network (`DIR/index.json` maps URLs to files):
    /// contexts the credentials name that Corridor does not bundle are read from it. Every
    /// property must be defined by a context, as TradeTrust requires.
    #[arg(long, value_name = "DIR")]
    world: Option<PathBuf>,
    /// Version 3: fetch from the network the contexts neither bundled nor in --world (each
    /// URL asked at most once, 10 seconds each). Without it, nothing is fetched.
    #[arg(long)]
    fetch_contexts: bool,
    /// Give every document a batch of its own (its merkle root is its target hash).
    #[arg(long)]
    individual: bool,
    /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = input::parse_size)]
    max_size: u64,
    /// Raw documents: JSON files, folders, or JSON Lines files.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

/// Which OpenAttestation document `corridor wrap` makes.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OaVersion {
    #[value(name = "2")]
    V2,
    #[value(name = "3")]
    V3,
}

pub fn run(args: &WrapArgs) -> Result<Exit> {
    let destination = args.output.destination();
    let sources = input::expand(&args.inputs)?;
    let form = match args.oa_version {
        OaVersion::V2 => {
            if args.world.is_some() || args.fetch_contexts {
                bail!(
                    "--world and --fetch-contexts are for --oa-version 3: version 2 has no contexts"
                );
            }
            crate::wrap::Form::V2
        }
        OaVersion::V3 => {
            crate::wrap::Form::V3(crate::commands::credential::openattestation_processor(
                args.world.as_deref(),
                args.fetch_contexts,
            )?)
        }
    };
    let wrapped = crate::wrap::run(
        &sources,
        &destination,
        &form,
        args.individual,
        args.max_size,
    )?;
    let mut stdout = std::io::stdout().lock();
    if !destination.is_stdout() {
        for root in &wrapped.roots {
            writeln!(stdout, "{root}")?;
        }
    }
    let batches = if args.individual {
        format!("{} batches of one", wrapped.count)
    } else {
        "one batch".into()
    };
    eprintln!("wrapped {} document(s) into {batches}", wrapped.count);
    Ok(Exit::Success)
}
