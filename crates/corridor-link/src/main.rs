//! `corridor-link`: a TCP link with latency, jitter and a bandwidth limit between two
//! addresses, for benchmarks of nodes over a slow link (`scripts/bench-follow`).

use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use corridor_link::{Conditions, Link, State};

/// Passes TCP connections from --listen to --to, late by --latency (give or take --jitter),
/// no faster than --rate, until interrupted. Prints the address it listens on.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where to listen (port 0 picks one).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Where to pass connections to.
    #[arg(long)]
    to: String,
    /// One-way latency of each chunk (35ms, 1s, …).
    #[arg(long, default_value = "0ms", value_parser = humantime::parse_duration)]
    latency: Duration,
    /// At most this more or less than the latency, drawn for each chunk; order is kept.
    #[arg(long, default_value = "0ms", value_parser = humantime::parse_duration)]
    jitter: Duration,
    /// Bytes a second each way; unlimited if left out.
    #[arg(long)]
    rate: Option<u64>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let upstream = tokio::net::lookup_host(&args.to)
        .await
        .with_context(|| format!("--to {}", args.to))?
        .next()
        .with_context(|| format!("--to {}: no address", args.to))?;
    let link = Link::start(&args.listen, upstream)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    link.set(Conditions {
        latency: args.latency,
        jitter: args.jitter,
        bytes_per_second: args.rate,
        state: State::Up,
    });
    println!("listening on {}", link.address());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
