//! `corridor serve`: the HTTP API, the portal, the revocation responder and the title
//! registries.

use std::io::Write;

use anyhow::{Context, Result};

use crate::exit::Exit;
use crate::home::Home;
use crate::{input, secrets};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// How verification requests reach the outside world (as for `corridor verify`, but see
    /// --allow-fetch and --fetch-budget).
    #[command(flatten)]
    world: crate::verify::WorldArgs,
    /// A host that fetches made for a request may reach whatever its addresses, over plain
    /// http too: HOST or HOST:PORT (an IPv6 address in brackets); repeatable. Other fetches
    /// (revocation responders, DNS over HTTPS) reach only public addresses, over https.
    #[arg(long = "allow-fetch", value_name = "HOST[:PORT]")]
    allow_fetch: Vec<corridor_net::AllowedHost>,
    /// The most distinct outside questions one request may ask: each URL fetched and each
    /// DNS name looked up counts once for the request. Checks whose questions come after
    /// are reported SKIPPED, saying why; so are those asked after the request's time.
    #[arg(long, value_name = "N", default_value_t = 256)]
    fetch_budget: usize,
    /// Largest request body, in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = input::parse_size)]
    max_body: u64,
    /// Seconds one request may take before it is answered with a timeout error.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    request_timeout: u64,
    /// The issuer key `POST /api/issue` signs with (--key NAME or --private-key-env VAR);
    /// without one, the server does not issue. Its batches are recorded under the key's
    /// name (the DID for a raw key).
    #[command(flatten)]
    issuer: secrets::SignerArgs,
}

pub fn run(home: &Home, args: &ServeArgs) -> Result<Exit> {
    let ServeArgs {
        listen,
        world,
        allow_fetch,
        fetch_budget,
        max_body,
        request_timeout,
        issuer,
    } = args;
    let issuer = if issuer.key.is_some() || issuer.private_key_env.is_some() {
        let signer = issuer.signer(&home.keyring()?)?;
        Some(std::sync::Arc::new(corridor_server::Issuer {
            name: issuer.issuer_name(&signer),
            signer,
        }))
    } else {
        None
    };
    let timeout = std::time::Duration::from_secs((*request_timeout).max(1));
    let chain = world.titles_chain(timeout)?.map(std::sync::Arc::new);
    // Strangers choose the documents: their fetches stay out of this server's networks.
    let policy = corridor_net::FetchPolicy::PublicOnly {
        allowed: allow_fetch.clone(),
    };
    let world = std::sync::Arc::new(world.connect(&policy)?);
    let offline = matches!(world.decision(), crate::verify::Decision::Offline);
    let fetch_budget = *fetch_budget;
    let config = corridor_server::ServerConfig {
        store_path: home.store_path()?,
        verifier: std::sync::Arc::new(move || {
            let budget = corridor_net::QuestionBudget::limited(fetch_budget, timeout);
            corridor_verify::Verifier::new(world.providers(budget))
        }),
        offline,
        max_body: usize::try_from(*max_body).unwrap_or(usize::MAX),
        timeout,
        issuer,
        chain,
    };
    serve(config, *listen)?;
    Ok(Exit::Success)
}

/// Runs the responder until Ctrl-C or SIGTERM.
fn serve(config: corridor_server::ServerConfig, listen: std::net::SocketAddr) -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let address = listener.local_addr()?;
        // The first line on standard output, for scripts and tests that asked for port 0.
        println!("listening on http://{address}");
        std::io::stdout().flush()?;
        tracing::info!(store = %config.store_path.display(), "API at http://{address}/api, revocation responder at /ocsp, title registries at /rpc");
        let shutdown = async {
            let interrupt = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(mut terminate) => tokio::select! {
                        _ = interrupt => {},
                        _ = terminate.recv() => {},
                    },
                    Err(e) => {
                        tracing::warn!("SIGTERM will not stop the server gracefully: {e}");
                        interrupt.await.ok();
                    }
                }
            }
            #[cfg(not(unix))]
            interrupt.await.ok();
        };
        corridor_server::serve(listener, config, shutdown).await?;
        Ok(())
    })
}
