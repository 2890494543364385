//! `corridor derive`: a W3C credential with a selective disclosure base proof, passed on with
//! only some of its fields.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use corridor_di::{DiError, disclosed_pointers};
use corridor_jsonld::{BundledContexts, ContextSource, Processor};
use corridor_net::World;
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
    /// credential names that Corridor does not bundle are read from it. Nothing is fetched.
    #[arg(long, value_name = "DIR")]
    world: Option<PathBuf>,
    /// Write here instead of standard output (replaced only when all went well).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The largest credential read here.
const MAX_CREDENTIAL: u64 = 64 << 20;

/// Contexts from a world folder, when one is given.
struct WorldContexts(Option<World>);

impl ContextSource for WorldContexts {
    fn context(&self, url: &str) -> Result<Value, String> {
        let Some(world) = &self.0 else {
            return Err(
                "not a context Corridor bundles; a folder that has it can be given with --world"
                    .to_owned(),
            );
        };
        let bytes = world
            .get(url)
            .ok_or_else(|| "neither bundled nor in the world folder".to_owned())?
            .map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| format!("the world's answer is not JSON ({e})"))
    }
}

/// A processor with the bundled contexts, then the world's when one is given.
pub fn processor(world: Option<&Path>) -> Result<Processor> {
    let world = world.map(World::open).transpose()?;
    Ok(Processor::new((BundledContexts, WorldContexts(world))))
}

pub fn derive(args: &DeriveArgs) -> Result<Exit> {
    let file = &args.file;
    let bytes = input::read_bounded(file, MAX_CREDENTIAL)?;
    let credential: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: not valid JSON", file.display()))?;
    let processor = processor(args.world.as_deref())?;
    let derived = corridor_di::derive(&processor, &credential, &disclosed_pointers(&args.reveal))
        .map_err(|e| match e {
        // What the credential is or says, not how Corridor was asked.
        DiError::Mismatch(_) | DiError::Pointer(_) | DiError::ProofValue(_) => {
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
