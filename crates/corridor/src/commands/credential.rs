//! W3C credentials: `corridor sign --suite` signs them as TrustVC's `signW3C` does, `corridor
//! derive` passes one on with only some of its fields, `corridor did document` makes the DID
//! document an issuer hosts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use corridor_di::{DiError, disclosed_pointers};
use corridor_jsonld::{BundledContexts, ContextSource, Processor};
use corridor_net::{FetchPolicy, HttpClient, World};
use corridor_verify::providers::HttpGet;
use serde_json::Value;

use corridor_di::Cryptosuite;
use corridor_keys::KeyKind;
use corridor_verify::w3c::{did_document, did_of, did_web_url, prepare_for_signing};
use rand::Rng;

use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::{input, output, secrets};

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

/// How many credentials are signed at once, on every core.
const SIGN_CHUNK: usize = 256;

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
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SuiteArg {
    #[value(name = "ecdsa-sd-2023")]
    EcdsaSd2023,
    #[value(name = "bbs-2023")]
    Bbs2023,
}

impl SuiteArg {
    fn suite(self) -> Cryptosuite {
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
    let method = args.verification_method.as_deref().ok_or_else(|| {
        anyhow!("--suite needs --verification-method DID_URL: the issuer's key in its DID document (did:web:example.com#keys-1)")
    })?;
    if did_web_url(method).is_none() || !method.contains('#') {
        anyhow::bail!(
            "--verification-method {method:?}: give a did:web DID and the key's fragment, as did:web:example.com#keys-1"
        );
    }
    let issuer = did_of(method);
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
    let mut count = 0;
    // Credentials are read, checked and given their status entries in order, then signed a
    // chunk at a time on every core, and written in order.
    let mut chunk: Vec<(input::Document, Value)> = Vec::new();
    let mut flush =
        |chunk: &mut Vec<(input::Document, Value)>, staged: &mut output::Staged| -> Result<()> {
            use rayon::prelude::*;
            let signed: Vec<Result<Value>> = chunk
                .par_iter()
                .map(|(doc, credential)| {
                    sign_credential(
                        &processor,
                        &key,
                        method,
                        credential,
                        &args.mandatory,
                        &mut rand::rng(),
                    )
                    .map_err(|why| Refused(format!("{}: {why}", doc.label)).into())
                })
                .collect();
            for ((doc, _), signed) in chunk.iter().zip(signed) {
                staged.write(&doc.out_name, &serde_json::to_vec(&signed?)?)?;
            }
            count += chunk.len();
            chunk.clear();
            Ok(())
        };
    for source in sources {
        input::for_each_document(source, max_size, |doc| {
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
            chunk.push((doc, credential));
            if chunk.len() == SIGN_CHUNK {
                flush(&mut chunk, &mut staged)?;
            }
            Ok(())
        })?;
    }
    flush(&mut chunk, &mut staged)?;
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

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A date as Data Integrity writes one (`created`, and TrustVC's dates): to the second.
pub(crate) fn w3c_date(ms: u64) -> String {
    let iso = corridor_js::to_iso_string(ms as i64);
    format!("{}Z", &iso[..19])
}

/// A credential signed with a base proof as TrustVC's `signW3C` makes one, now: prepared
/// (`prepare_for_signing`), then proved with `key` for `method`; `Err` says why not.
pub(crate) fn sign_credential(
    processor: &Processor,
    key: &corridor_di::IssuerSigningKey,
    method: &str,
    credential: &Value,
    mandatory: &[String],
    rng: &mut impl Rng,
) -> std::result::Result<Value, String> {
    let now = now_ms();
    let prepared = prepare_for_signing(credential, now, rng.random(), mandatory)?;
    let created = w3c_date(now);
    corridor_di::sign(
        processor,
        &prepared.credential,
        key,
        method,
        &created,
        &prepared.mandatory_pointers,
    )
    .map_err(|e| e.to_string())
}

/// The status entry of `index` on `list`, of the kind its list credential is.
fn status_entry(list: &corridor_ledger::StatusListRecord, index: u64) -> Value {
    let credential: Value = serde_json::from_str(&list.signed).unwrap_or_default();
    let of_2021 = corridor_verify::w3c::is_of_type(&credential, "StatusList2021Credential");
    let kind = if of_2021 {
        "StatusList2021Entry"
    } else {
        "BitstringStatusListEntry"
    };
    serde_json::json!({
        "id": format!("{}#{index}", list.url),
        "type": kind,
        "statusPurpose": list.purpose.name(),
        "statusListIndex": index.to_string(),
        "statusListCredential": list.url,
    })
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
