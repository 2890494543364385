//! W3C credentials: `corridor sign --suite` signs them as TrustVC's `signW3C` does, `corridor
//! derive` passes one on with only some of its fields, `corridor did document` makes the DID
//! document an issuer hosts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use corridor_di::{DiError, disclosed_pointers};
use corridor_jsonld::{BundledContexts, ContextSource, Processor, WithOpenAttestation};
use corridor_net::{FetchPolicy, HttpClient, World};
use corridor_verify::providers::HttpGet;
use serde_json::Value;

use corridor_di::Cryptosuite;
use corridor_keys::KeyKind;
use corridor_verify::w3c::{did_document, did_of, did_web_url, sign_credential, status_list_entry};
use rand::Rng;

use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::{input, output, secrets};

#[derive(clap::Args)]
pub struct DeriveArgs {
    /// The credentials, signed with an ecdsa-sd-2023 or bbs-2023 base proof: files, folders,
    /// or JSON Lines files (one credential a line).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// A JSON pointer to a part to disclose (`/credentialSubject/blNumber`,
    /// `/credentialSubject/packages/0`); repeat for several. The statements the issuer made
    /// mandatory are always disclosed, and, as TrustVC does, the whole `/credentialSubject`
    /// when no pointer starts with it. The same pointers apply to every credential.
    #[arg(long = "reveal", value_name = "POINTER")]
    reveal: Vec<String>,
    /// A folder answering for the network (`DIR/index.json` maps URLs to files): contexts the
    /// credentials name that Corridor does not bundle are read from it.
    #[arg(long, value_name = "DIR")]
    world: Option<PathBuf>,
    /// Fetch from the network the contexts neither bundled nor in --world (each URL asked at
    /// most once, 10 seconds each). Without it, nothing is fetched.
    #[arg(long)]
    fetch_contexts: bool,
    /// Write the copies as JSON Lines into this file (one credential is one line of JSON, a
    /// JSON file); `-`, the default, is standard output. Replaced only when all went well.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// Write one file per copy into this folder (created if missing), named as its input.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Largest credential (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = input::parse_size)]
    max_size: u64,
}

/// How many credentials are signed or derived at once, on every core.
const CHUNK: usize = 256;

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
    Ok(Processor::new((BundledContexts, outside(world, fetch)?)))
}

/// [`processor`] with OpenAttestation's own contexts first, found as its reference finds them
/// when it wraps a v3 credential.
pub fn openattestation_processor(world: Option<&Path>, fetch: bool) -> Result<Processor> {
    Ok(Processor::new(WithOpenAttestation((
        BundledContexts,
        outside(world, fetch)?,
    ))))
}

fn outside(world: Option<&Path>, fetch: bool) -> Result<OutsideContexts> {
    Ok(OutsideContexts {
        world: world.map(World::open).transpose()?,
        fetch: fetch.then(|| HttpClient::new(FETCH_TIMEOUT, &FetchPolicy::Anywhere)),
    })
}

pub fn derive(args: &DeriveArgs) -> Result<Exit> {
    let destination = match (&args.out_dir, &args.out) {
        (Some(dir), _) => output::Destination::Folder(dir.clone()),
        (None, file) => output::Destination::Lines(file.clone().unwrap_or_else(|| "-".into())),
    };
    let sources = input::expand(&args.inputs)?;
    let processor = processor(args.world.as_deref(), args.fetch_contexts)?;
    let pointers = disclosed_pointers(&args.reveal);
    let mut staged = output::Staged::begin(&destination)?;
    let count = in_parallel_chunks(
        &sources,
        args.max_size,
        &mut staged,
        |doc| {
            // Not JSON: not a credential at all, so not one Corridor can refuse (exit 2).
            serde_json::from_slice(&doc.bytes)
                .with_context(|| format!("{}: not valid JSON", doc.label))
        },
        |credential| {
            corridor_di::derive(&processor, credential, &pointers).map_err(|e| match e {
                // What the credential is or says, not how Corridor was asked.
                DiError::Mismatch(_)
                | DiError::Pointer(_)
                | DiError::ProofValue(_)
                | DiError::InvalidSignature(_) => Failed::Refused(e.to_string()),
                other => Failed::Other(other.to_string()),
            })
        },
    )?;
    if count == 0 {
        anyhow::bail!("no credentials found in the inputs");
    }
    staged.commit()?;
    if !destination.is_stdout() {
        eprintln!("derived {count} selectively disclosed copy(ies)");
    }
    Ok(Exit::Success)
}

/// Why one credential of many could not be signed or derived.
enum Failed {
    /// The credential's fault: refused (exit 1).
    Refused(String),
    /// How Corridor was asked or what it could reach (exit 2).
    Other(String),
}

/// Every credential of `sources`, in order: read and made ready by `prepare` (one at a time,
/// as reading a store or allocating indexes must be), then turned by `work` a chunk at a time
/// on every core, and written to `staged` in order. The count, or the first failure, naming
/// the credential.
fn in_parallel_chunks(
    sources: &[input::Source],
    max_size: u64,
    staged: &mut output::Staged,
    mut prepare: impl FnMut(&input::Document) -> Result<Value>,
    work: impl Fn(&Value) -> Result<Value, Failed> + Sync,
) -> Result<usize> {
    use rayon::prelude::*;
    let mut count = 0;
    let mut chunk: Vec<(input::Document, Value)> = Vec::new();
    let mut flush =
        |chunk: &mut Vec<(input::Document, Value)>, staged: &mut output::Staged| -> Result<()> {
            let done: Vec<Result<Value, Failed>> = chunk
                .par_iter()
                .map(|(_, credential)| work(credential))
                .collect();
            for ((doc, _), done) in chunk.iter().zip(done) {
                let done = done.map_err(|failed| match failed {
                    Failed::Refused(why) => {
                        anyhow::Error::new(Refused(format!("{}: {why}", doc.label)))
                    }
                    Failed::Other(why) => anyhow!("{}: {why}", doc.label),
                })?;
                staged.write(&doc.out_name, &serde_json::to_vec(&done)?)?;
            }
            count += chunk.len();
            chunk.clear();
            Ok(())
        };
    for source in sources {
        input::for_each_document(source, max_size, |doc| {
            let credential = prepare(&doc)?;
            chunk.push((doc, credential));
            if chunk.len() == CHUNK {
                flush(&mut chunk, staged)?;
            }
            Ok(())
        })?;
    }
    flush(&mut chunk, staged)?;
    Ok(count)
}

/// The W3C side of `corridor sign`.
#[derive(clap::Args)]
pub struct W3cSignArgs {
    /// Sign W3C credentials (raw, without a proof) with this cryptosuite, as TrustVC's signW3C
    /// does: `ecdsa-sd-2023` with a P-256 key, `bbs-2023` with a BLS12-381 key (see `corridor
    /// key new --type`). Each gets an `id` (urn:uuid, version 7), a transferable record's
    /// status its `tokenId`, and a base proof whose mandatory pointers are /issuer and
    /// /validFrom (or /issuanceDate), plus --mandatory's.
    #[arg(long, value_enum, value_name = "SUITE")]
    pub suite: Option<SuiteArg>,
    /// The verification method the proof names: the issuer's DID and the key's fragment in
    /// its DID document (`did:web:example.com#keys-1`; see `corridor did document`). The
    /// credentials' issuer must be that DID.
    #[arg(long, value_name = "DID_URL", requires = "suite")]
    pub verification_method: Option<String>,
    /// Give each credential an entry of this status list of the store (see `corridor
    /// status-list new`), at the next index it hands out.
    #[arg(long, value_name = "URL", requires = "suite")]
    pub status_list: Option<String>,
    /// A JSON pointer the proof always discloses, beyond TrustVC's own; repeat for several.
    #[arg(long = "mandatory", value_name = "POINTER", requires = "suite")]
    pub mandatory: Vec<String>,
    /// A folder answering for the network: contexts the credentials name that Corridor does
    /// not bundle are read from it.
    #[arg(long = "contexts-world", value_name = "DIR", requires = "suite")]
    pub world: Option<PathBuf>,
    /// Fetch from the network the contexts neither bundled nor in --contexts-world.
    #[arg(long, requires = "suite")]
    pub fetch_contexts: bool,
}

/// The cryptosuites `corridor sign --suite` signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SuiteArg {
    #[value(name = "ecdsa-sd-2023")]
    EcdsaSd2023,
    #[value(name = "bbs-2023")]
    Bbs2023,
}

impl SuiteArg {
    pub fn suite(self) -> Cryptosuite {
        match self {
            SuiteArg::EcdsaSd2023 => Cryptosuite::EcdsaSd2023,
            SuiteArg::Bbs2023 => Cryptosuite::Bbs2023,
        }
    }
}

/// Signs each W3C credential of `sources` with the key's base proof; writes them all, or
/// nothing.
pub fn sign(
    home: &Home,
    signer: &secrets::SignerArgs,
    args: &W3cSignArgs,
    suite: SuiteArg,
    sources: &[input::Source],
    destination: &output::Destination,
    max_size: u64,
) -> Result<Exit> {
    let suite = suite.suite();
    // How Corridor was asked is checked before any credential is read (exit 2); what is wrong
    // with a credential refuses it (exit 1).
    let (key, method) = multikey_signer(home, signer, suite, args.verification_method.as_deref())?;
    let method = method.as_str();
    let issuer = did_of(method);
    let processor = processor(args.world.as_deref(), args.fetch_contexts)?;
    // The store that hands out the list's entries, with the list.
    let mut status_list = match &args.status_list {
        Some(url) => {
            let store = home.store()?;
            let list = store.status_list(url)?.ok_or_else(|| {
                anyhow!("--status-list {url}: no such list in the store (make one with `corridor status-list new`)")
            })?;
            Some((store, list))
        }
        None => None,
    };
    let mut staged = output::Staged::begin(destination)?;
    // Credentials are read, checked and given their status entries in order, then signed on
    // every core.
    let count = in_parallel_chunks(
        sources,
        max_size,
        &mut staged,
        |doc| {
            let label = &doc.label;
            let mut credential: Value = serde_json::from_slice(&doc.bytes)
                .map_err(|e| Refused(format!("{label}: not valid JSON ({e})")))?;
            let stated = match credential.get("issuer") {
                Some(Value::Object(o)) => o.get("id"),
                other => other,
            };
            if stated.and_then(Value::as_str) != Some(issuer) {
                return Err(Refused(format!(
                    "{label}: its issuer is {}, not {issuer}, whose key signs it (verifiers compare the two)",
                    stated.map_or("missing".into(), Value::to_string)
                ))
                .into());
            }
            if let Some((store, list)) = &mut status_list {
                if credential.get("credentialStatus").is_some() {
                    return Err(Refused(format!(
                        "{label}: it has a credentialStatus already, and --status-list would add another"
                    ))
                    .into());
                }
                let index = store.allocate_status_indexes(&list.url, 1)?;
                credential["credentialStatus"] = status_entry(list, index);
            }
            Ok(credential)
        },
        |credential| {
            sign_credential(
                &processor,
                &key,
                method,
                credential,
                &args.mandatory,
                now_ms(),
                rand::rng().random(),
            )
            .map_err(Failed::Refused)
        },
    )?;
    if count == 0 {
        anyhow::bail!("no credentials found in the inputs");
    }
    staged.commit()?;
    eprintln!(
        "signed {count} credential(s) with {} as {method}",
        suite.name()
    );
    Ok(Exit::Success)
}

/// The keyring's Multikey `--key NAME`, unlocked to sign with `suite` as `method` (a did:web
/// DID URL with the key's fragment, as `--verification-method` gives it): the key and the
/// method. Every fault is how Corridor was asked (exit 2), found before any input is read.
pub(crate) fn multikey_signer(
    home: &Home,
    signer: &secrets::SignerArgs,
    suite: Cryptosuite,
    method: Option<&str>,
) -> Result<(corridor_di::IssuerSigningKey, String)> {
    let method = method.ok_or_else(|| {
        anyhow!("--suite needs --verification-method DID_URL: the issuer's key in its DID document (did:web:example.com#keys-1)")
    })?;
    if did_web_url(method).is_none() || !method.contains('#') {
        anyhow::bail!(
            "--verification-method {method:?}: give a did:web DID and the key's fragment, as did:web:example.com#keys-1"
        );
    }
    let Some(name) = &signer.key else {
        anyhow::bail!(
            "W3C credentials are signed with a Multikey from the keyring: give --key NAME (see `corridor key new --type p256`)"
        );
    };
    let keyring = home.keyring()?;
    let info = keyring.info(name)?;
    let KeyKind::Multikey {
        suite: key_suite, ..
    } = info.kind
    else {
        anyhow::bail!(
            "the key {name} is an Ethereum key, not a Multikey: W3C credentials are signed with `corridor key new NAME --type p256` (ecdsa-sd-2023) or `--type bls12-381` (bbs-2023) keys"
        );
    };
    if key_suite != suite {
        anyhow::bail!(
            "the key {name} signs {}, not {}",
            key_suite.name(),
            suite.name()
        );
    }
    let key = keyring.unlock_multikey(name, signer.password.read(false)?.as_bytes())?;
    Ok((key, method.to_owned()))
}

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The status entry of `index` on `list`, of the kind its list credential is.
fn status_entry(list: &corridor_ledger::StatusListRecord, index: u64) -> Value {
    status_list_entry(
        &list.url,
        list.purpose.name(),
        index,
        is_status_list_2021(list),
    )
}

/// Whether `list`'s credential is a VC 1.1 `StatusList2021Credential`, whose entries are
/// `StatusList2021Entry`.
pub(crate) fn is_status_list_2021(list: &corridor_ledger::StatusListRecord) -> bool {
    let credential: Value = serde_json::from_str(&list.signed).unwrap_or_default();
    corridor_verify::w3c::is_of_type(&credential, "StatusList2021Credential")
}

/// `corridor did …`.
#[derive(clap::Subcommand)]
pub enum DidAction {
    /// Make the DID document a did:web issuer hosts, listing its Multikeys (see `corridor key
    /// new --type`) as #keys-1, #keys-2… under assertionMethod: did:web:HOST is read from
    /// https://HOST/.well-known/did.json, did:web:HOST:A:B from https://HOST/A/B/did.json.
    Document {
        /// The issuer's DID, as did:web:example.com or did:web:example.com:issuers:carrier
        /// (a port is written %3A: did:web:example.com%3A8443).
        did: String,
        /// A Multikey to list; repeat for several, in the order of their #keys-N.
        #[arg(long = "key", value_name = "NAME", required = true)]
        keys: Vec<String>,
        /// Write here instead of standard output (replaced only when all went well).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn did(home: &Home, action: &DidAction) -> Result<Exit> {
    let DidAction::Document { did, keys, out } = action;
    let Some(url) = did_web_url(did).filter(|_| did_of(did) == did) else {
        anyhow::bail!(
            "{did:?} is not a did:web DID: give did:web:HOST or did:web:HOST:PATH:SEGMENTS"
        );
    };
    let keyring = home.keyring()?;
    let mut public = Vec::with_capacity(keys.len());
    for name in keys {
        match keyring.info(name)?.kind {
            KeyKind::Multikey {
                public_key_multibase,
                ..
            } => public.push(public_key_multibase),
            KeyKind::Ethereum(_) => anyhow::bail!(
                "the key {name} is an Ethereum key; a DID document lists Multikeys (`corridor key new NAME --type p256` or `--type bls12-381`)"
            ),
        }
    }
    let mut text = serde_json::to_vec_pretty(&did_document(did, &public))?;
    text.push(b'\n');
    match out {
        Some(path) => crate::output::write_atomically(path, &text)?,
        None => std::io::stdout().lock().write_all(&text)?,
    }
    eprintln!("host it at {url}");
    Ok(Exit::Success)
}
