//! `corridor derive`: a W3C credential with a selective disclosure base proof, passed on with
//! only some of its fields.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use corridor_di::{DiError, disclosed_pointers};
use corridor_jsonld::{BundledContexts, ContextSource, Processor};
use corridor_net::{FetchPolicy, HttpClient, World};
use corridor_verify::providers::HttpGet;
use serde_json::Value;

use crate::exit::{Exit, Refused};
use crate::input;

#[derive(clap::Args)]
pub struct DeriveArgs {
    /// The credential, signed with an ecdsa-sd-2023 or bbs-2023 base proof.
    file: PathBuf,
    /// A JSON pointer to a part to disclose (`/credentialSubject/blNumber`,
    /// `/credentialSubject/packages/0`); repeat for several. The statements the issuer made
    /// mandatory are always disclosed, and, as TrustVC does, the whole `/credentialSubject`
    /// when no pointer starts with it.
    #[arg(long = "reveal", value_name = "POINTER")]
    reveal: Vec<String>,
    /// A folder answering for the network (`DIR/index.json` maps URLs to files): contexts the
    /// credential names that Corridor does not bundle are read from it.
    #[arg(long, value_name = "DIR")]
    world: Option<PathBuf>,
    /// Fetch from the network the contexts neither bundled nor in --world (each URL asked at
    /// most once, 10 seconds each). Without it, nothing is fetched.
    #[arg(long)]
    fetch_contexts: bool,
    /// Write here instead of standard output (replaced only when all went well).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The largest credential read here.
const MAX_CREDENTIAL: u64 = 64 << 20;

/// Contexts Corridor does not bundle: from a world folder when one is given, then from the
/// network when fetching is allowed, else an error that says how to give them.
struct OutsideContexts {
    world: Option<World>,
    fetch: Option<HttpClient>,
}

impl ContextSource for OutsideContexts {
    fn context(&self, url: &str) -> Result<Value, String> {
        let bytes = match (self.world.as_ref().and_then(|w| w.get(url)), &self.fetch) {
            (Some(answer), _) => answer.map_err(|e| e.to_string())?,
            (None, Some(client)) => {
                let answer = client
                    .get(url)
                    .map_err(|e| format!("fetching it failed: {e}"))?;
                if answer.status >= 400 {
                    return Err(format!("fetching it was answered {}", answer.status));
                }
                answer.body
            }
            (None, None) => {
                return Err(format!(
                    "not a context Corridor bundles{}; give a folder that has it with --world, or allow fetching with --fetch-contexts",
                    if self.world.is_some() {
                        " nor in the world folder"
                    } else {
                        ""
                    }
                ));
            }
        };
        serde_json::from_slice(&bytes).map_err(|e| format!("the answer is not JSON ({e})"))
    }
}

/// How long fetching one context may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A processor with the bundled contexts, then the world's when one is given, then the
/// network's when fetching is allowed.
pub fn processor(world: Option<&Path>, fetch: bool) -> Result<Processor> {
    let outside = OutsideContexts {
        world: world.map(World::open).transpose()?,
        fetch: fetch.then(|| HttpClient::new(FETCH_TIMEOUT, &FetchPolicy::Anywhere)),
    };
    Ok(Processor::new((BundledContexts, outside)))
}

pub fn derive(args: &DeriveArgs) -> Result<Exit> {
    let file = &args.file;
    let bytes = input::read_bounded(file, MAX_CREDENTIAL)?;
    let credential: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: not valid JSON", file.display()))?;
    let processor = processor(args.world.as_deref(), args.fetch_contexts)?;
    let derived = corridor_di::derive(&processor, &credential, &disclosed_pointers(&args.reveal))
        .map_err(|e| match e {
        // What the credential is or says, not how Corridor was asked.
        DiError::Mismatch(_)
        | DiError::Pointer(_)
        | DiError::ProofValue(_)
        | DiError::InvalidSignature(_) => {
            anyhow::Error::new(Refused(format!("{}: {e}", file.display())))
        }
        other => anyhow!("{}: {other}", file.display()),
    })?;
    let mut text = serde_json::to_vec_pretty(&derived)?;
    text.push(b'\n');
    match &args.out {
        Some(path) => crate::output::write_atomically(path, &text)?,
        None => std::io::stdout().lock().write_all(&text)?,
    }
    Ok(Exit::Success)
}
