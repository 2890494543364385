//! `corridor wrap`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use crate::exit::Exit;
use crate::{input, output};

#[derive(clap::Args)]
pub struct WrapArgs {
    #[command(flatten)]
    output: output::OutputArgs,
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

pub fn run(args: &WrapArgs) -> Result<Exit> {
    let destination = args.output.destination();
    let sources = input::expand(&args.inputs)?;
    let wrapped = crate::wrap::run(&sources, &destination, args.individual, args.max_size)?;
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
