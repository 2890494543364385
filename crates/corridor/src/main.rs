//! The `corridor` command line: a thin layer that reads arguments and files, calls the
//! crates, and prints. Only this crate knows the terminal.

// Verification and wrapping make many small, short-lived allocations (JSON values, hash
// texts); mimalloc serves them markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod chain;
mod exit;
mod input;
mod output;
mod progress;
mod records;
mod secrets;
mod sign;
mod title;
mod verify;
mod wrap;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use corridor_format::{FieldPath, Integrity, WrappedDocument, obfuscate_document, unsalt_data};
use exit::Exit;

/// Verifiable, transferable trade documents, compatible with TradeTrust / OpenAttestation v2.
#[derive(Parser)]
#[command(
    name = "corridor",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 done or valid; 1 a definite no (invalid, revoked, not issued, refused); 2 usage or setup error; 3 the outside world (a node, DNS, a responder) could not be asked."
)]
struct Cli {
    /// Corridor's own folder: keys in DIR/keys, the store in DIR/store.sqlite. Default:
    /// $XDG_DATA_HOME/corridor, else ~/.local/share/corridor.
    #[arg(long, global = true, env = "CORRIDOR_HOME", value_name = "DIR")]
    home: Option<PathBuf>,
    /// The embedded store (a SQLite file, created on first use). Default: DIR/store.sqlite
    /// in the home folder.
    #[arg(long, global = true, env = "CORRIDOR_STORE", value_name = "FILE")]
    store: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    fn home(&self) -> Result<PathBuf> {
        if let Some(home) = &self.home {
            return Ok(home.clone());
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .context("no home folder: give --home or set CORRIDOR_HOME")?;
        Ok(data.join("corridor"))
    }

    fn store_path(&self) -> Result<PathBuf> {
        Ok(match &self.store {
            Some(path) => path.clone(),
            None => self.home()?.join("store.sqlite"),
        })
    }

    fn store(&self) -> Result<corridor_ledger::Store> {
        Ok(corridor_ledger::Store::open(&self.store_path()?)?)
    }

    fn keyring(&self) -> Result<corridor_keys::Keyring> {
        Ok(corridor_keys::Keyring::new(self.home()?.join("keys")))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Wrap raw JSON documents into OpenAttestation v2 documents, as one merkle batch.
    ///
    /// Every leaf of each document is salted and hashed; the documents' target hashes form a
    /// merkle tree whose root is printed on standard output — the value to sign or to issue.
    /// Inputs are JSON files, folders of them, or JSON Lines files (.jsonl, .ndjson) with one
    /// document per line. Output is written only if every document wraps.
    Wrap {
        #[command(flatten)]
        output: output::OutputArgs,
        /// Give every document a batch of its own (its merkle root is its target hash).
        #[arg(long)]
        individual: bool,
        /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
        #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
        max_size: u64,
        /// Raw documents: JSON files, folders, or JSON Lines files.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
    },
    /// Verify wrapped documents: integrity, status and identity.
    ///
    /// Each document gets the fragments TradeTrust's verifier gives: OpenAttestationHash
    /// (untampered?), the status checks (DID signature, and revocation through the issuer's
    /// OCSP responder), the document store status on its chain (with --network or --rpc-url;
    /// each run's questions sent as JSON-RPC batches) and the identity checks (DNS-TXT,
    /// DNS-DID). Checks that need a chain not given, or the network with --offline, are
    /// reported SKIPPED with the reason.
    ///
    /// A document is valid as tt-verify decides: its integrity, its status and its issuer's
    /// identity each confirmed by at least one check, and no check failed. With --offline, it
    /// is valid when intact and no check that could run failed (status and identity that need
    /// the network stay undecided). Exit status: 0 if every document is valid, 1 if any is
    /// not, 3 if none was found at fault but some could not be checked because a node,
    /// nameserver or responder did not answer, 2 for a usage error.
    Verify {
        /// One JSON object per document and line: {"file", "valid", "fragments": [...]}.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        world: verify::WorldArgs,
        /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
        #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
        max_size: u64,
        /// Wrapped documents: files, folders, or JSON Lines files (each line reported as path:line).
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
    },
    /// Hide fields of a wrapped document; it still verifies, with the same signature.
    ///
    /// The hidden fields' hashes go to privacy.obfuscatedData. Paths are written as
    /// `shipper.address`, `issuers[0].name` or `items.1.description`.
    Obfuscate {
        /// The wrapped document.
        file: PathBuf,
        /// A field to hide; repeat for several.
        #[arg(long = "field", value_name = "PATH", required = true)]
        fields: Vec<FieldPath>,
        /// Write here instead of standard output (replaced only when all went well).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the data of a wrapped document without its salts.
    Data {
        /// The wrapped document.
        file: PathBuf,
    },
    /// Issue wrapped documents: sign them with a DID key and record their batches in the store,
    /// or issue their merkle roots on a document store contract.
    Issue(records::IssueArgs),
    /// Revoke documents, batches or parts of them, in the store or on a document store.
    Revoke(records::RevokeArgs),
    /// What the store, or a document store contract, records of a document or a hash: issued
    /// (when, in which batch), revoked.
    Status(records::StatusArgs),
    /// Transferable records (electronic bills of lading): mint, endorse, transfer, surrender
    /// and trace titles, on the embedded registry or a token registry contract, by the rules
    /// of TradeTrust's Token Registry v5.
    ///
    /// Every action is taken with a key (--key or --private-key-env) as the acting party:
    /// the registry's admin mints and accepts or rejects surrenders; the beneficiary
    /// nominates; the holder endorses and transfers. A refusal names the contract's error
    /// (CallerNotHolder, InvalidNominee, ...) and exits 1. On the embedded registry each
    /// action is signed by the key over a typed message with a nonce, so none is accepted
    /// twice or from anyone else.
    Title {
        #[command(subcommand)]
        command: title::TitleCommand,
    },
    /// Work with TradeTrust's contracts on EVM networks.
    Chain {
        #[command(subcommand)]
        action: ChainAction,
    },
    /// Serve the HTTP API, the revocation responder and the title registries, until
    /// interrupted.
    ///
    /// The API is under /api, described by the OpenAPI document at /openapi.json: verify,
    /// wrap and obfuscate documents (open to all), revoke and act on titles (with an API token
    /// from `corridor token new`, sent as `Authorization: Bearer <token>`). Errors are JSON:
    /// {"error": {"code", "message"}}.
    ///
    /// Documents name the revocation responder as their issuer's `revocation: {"type":
    /// "OCSP_RESPONDER", "location": "<url>/ocsp"}` (any issuer of the store) or
    /// `"<url>/ocsp/<issuer>"` (one issuer). Verifiers reach the embedded title registries at
    /// <url>/rpc, as the network `corridor`. Given a chain (--network, --rpc-url), the title
    /// routes also answer for TradeTrust token registries on it, and prepare and send the
    /// transactions their parties sign. Logs go to standard error (RUST_LOG sets the level;
    /// default info); they never hold documents or tokens.
    Serve {
        /// Address and port to listen on (port 0 picks a free one; the address is printed).
        #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// How verification requests reach the outside world (as for `corridor verify`).
        #[command(flatten)]
        world: verify::WorldArgs,
        /// Largest request body, in bytes; K, M and G suffixes allowed.
        #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = parse_size)]
        max_body: u64,
        /// Seconds one request may take before it is answered with a timeout error.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        request_timeout: u64,
        /// The issuer key `POST /api/issue` signs with (--key NAME or --private-key-env VAR);
        /// without one, the server does not issue. Its batches are recorded under the key's
        /// name (the DID for a raw key).
        #[command(flatten)]
        issuer: secrets::SignerArgs,
    },
    /// Encrypt a document for sharing, or open one shared, as TradeTrust does
    /// (`@govtechsg/oa-encryption`, OPEN-ATTESTATION-TYPE-1: AES-256-GCM).
    Share {
        #[command(subcommand)]
        action: ShareAction,
    },
    /// API tokens for `corridor serve`'s writes (issue, revoke, title actions, sharing).
    ///
    /// A token is shown once, when made, and kept only as its SHA-256 in the store; clients
    /// send it as `Authorization: Bearer <token>`.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Look after the embedded store.
    Store {
        #[command(subcommand)]
        action: StoreAction,
    },
    /// Prepare an issuer on this machine: a key, the store, and what to publish.
    ///
    /// Makes the key NAME (or uses it if it exists), creates the embedded store, and prints
    /// the DNS-DID record to publish at DOMAIN and the issuer block to put in raw documents,
    /// so that documents issued with `corridor issue --key NAME` verify completely: signed,
    /// not revoked (through `corridor serve` at --responder), issued by DOMAIN.
    Init {
        /// The key's name.
        #[arg(long, value_name = "NAME", default_value = "issuer")]
        key: String,
        /// The domain whose DNS will vouch for the key (a TXT record on it).
        #[arg(long, value_name = "DOMAIN")]
        domain: String,
        /// Where `corridor serve` will be reachable, e.g. https://issuer.example.com.
        #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
        responder: String,
        /// The issuer's name as documents show it.
        #[arg(long, value_name = "TEXT", default_value = "Example Issuer")]
        name: String,
        #[command(flatten)]
        password: secrets::PasswordArgs,
    },
    /// Manage issuer keys: secp256k1 keys kept as encrypted Ethereum keystore v3 files.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Sign wrapped documents with a key's DID (did:ethr), as TradeTrust's signDocument does.
    ///
    /// Adds an OpenAttestationSignature2018 entry to each document's `proof`: an EIP-191
    /// signature of its merkle root by the key. The documents' issuers must name that DID
    /// (identityProof type DID or DNS-DID) for verifiers to accept it. Documents that do not
    /// verify are refused; output is written only if every document signs.
    Sign {
        #[command(flatten)]
        signer: secrets::SignerArgs,
        #[command(flatten)]
        output: output::OutputArgs,
        /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
        #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
        max_size: u64,
        /// Wrapped documents: files, folders, or JSON Lines files.
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
    },
}

impl Command {
    /// Whether the command was asked for JSON output, so that its errors are JSON too.
    fn prints_json(&self) -> bool {
        match self {
            Command::Verify { json, .. } => *json,
            Command::Title { command } => command.prints_json(),
            _ => false,
        }
    }
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
enum ChainAction {
    /// Deploy a contract, owned by the key's account, and print its address.
    Deploy {
        #[command(subcommand)]
        contract: DeployContract,
    },
    /// List the networks known by name, with their chain ids and default endpoints.
    Networks,
}

#[derive(Subcommand)]
enum DeployContract {
    /// TradeTrust's document store (`@tradetrust-tt/document-store`): issue and revoke
    /// merkle roots on it with `corridor issue --ledger evm`, and name it as the documents'
    /// `issuers[].documentStore`.
    DocumentStore {
        /// The store's name, kept in the contract.
        #[arg(long, value_name = "TEXT", default_value = "Corridor document store")]
        name: String,
        /// The compiled contract: a Hardhat JSON artifact or the package's TypeChain factory.
        /// Default: found in node_modules (or compat/node_modules) here or in a folder above.
        #[arg(long, value_name = "FILE")]
        artifact: Option<PathBuf>,
        #[command(flatten)]
        signer: secrets::SignerArgs,
        #[command(flatten)]
        network: chain::NetworkArgs,
    },
    /// TradeTrust's token registry (`@tradetrust-tt/token-registry` v5, `TradeTrustToken`)
    /// and, unless --escrow-factory names one, the `TitleEscrowFactory` of its title escrows.
    /// Name the registry as the documents' `issuers[].tokenRegistry`: each document's merkle
    /// root is then a token, a transferable title.
    TokenRegistry {
        /// The registry's name, kept in the contract.
        #[arg(long, value_name = "TEXT", default_value = "Corridor token registry")]
        name: String,
        /// The registry's symbol.
        #[arg(long, value_name = "TEXT", default_value = "CTR")]
        symbol: String,
        /// An existing title escrow factory to use instead of deploying one.
        #[arg(long, value_name = "0xADDRESS")]
        escrow_factory: Option<alloy_primitives::Address>,
        /// The registry's compiled contract (Hardhat JSON artifact). Default: found in
        /// node_modules (or compat/node_modules) here or in a folder above.
        #[arg(long, value_name = "FILE")]
        artifact: Option<PathBuf>,
        /// The title escrow factory's compiled contract; default as for --artifact.
        #[arg(long, value_name = "FILE", conflicts_with = "escrow_factory")]
        escrow_factory_artifact: Option<PathBuf>,
        #[command(flatten)]
        signer: secrets::SignerArgs,
        #[command(flatten)]
        network: chain::NetworkArgs,
    },
}

#[derive(Subcommand)]
enum ShareAction {
    /// Encrypt FILE with a new random key and print oa-encryption's object, {"cipherText",
    /// "iv", "tag", "key", "type"}. Give the key only to whom the document is for.
    Encrypt { file: PathBuf },
    /// Open an encrypted document (oa-encryption's object, or the envelope without its key and
    /// --key-env) and print it.
    Decrypt {
        file: PathBuf,
        /// Read the key (64 hex digits) from this environment variable instead of the file.
        #[arg(long, value_name = "VAR")]
        key_env: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Make a token and print it, once: keep it secret.
    New {
        /// What the token is for, to revoke it by (1 to 64 characters).
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// List the tokens: name, when made, whether revoked. Never the tokens themselves.
    List,
    /// Revoke a token: requests with it are refused from now on.
    Revoke {
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Subcommand)]
enum StoreAction {
    /// Check the store's audit log: every entry chained to the one before, and the records
    /// equal to what the log says. Exit 0 if intact, 1 naming the first altered entry.
    Audit,
}

#[derive(Subcommand)]
enum KeyAction {
    /// Make a new random key and keep it encrypted under a password.
    New {
        /// The key's name (letters, digits, '-', '_', '.').
        name: String,
        #[command(flatten)]
        password: secrets::PasswordArgs,
    },
    /// Keep an existing private key (64 hex digits, 0x optional), encrypted under a password.
    ///
    /// The key is read from --private-key-file or --private-key-env, or else asked for on the
    /// terminal (hidden) or read from standard input. It is never given as an argument, so it
    /// cannot show in the process list or the shell's history.
    Import {
        /// The key's name (letters, digits, '-', '_', '.').
        name: String,
        /// Read the private key from the first line of this file.
        #[arg(long, value_name = "FILE")]
        private_key_file: Option<PathBuf>,
        /// Read the private key from this environment variable.
        #[arg(long, value_name = "VAR", conflicts_with = "private_key_file")]
        private_key_env: Option<String>,
        #[command(flatten)]
        password: secrets::PasswordArgs,
    },
    /// Show a key's address and DID (no password needed).
    Show {
        /// The key's name.
        name: String,
    },
    /// List the keys.
    List,
}

/// Reads `64M`, `512K`, `1G` or a plain number of bytes.
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text
        .trim()
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        Some((i, _)) => text.trim().split_at(i),
        None => (text.trim(), ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 64M"))?;
    let factor = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (use K, M or G)")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = run(&cli).unwrap_or_else(|error| {
        let exit = Exit::of(&error);
        if cli.command.prints_json() {
            // A script reading JSON gets its error as JSON too, on the same stream.
            println!(
                "{}",
                serde_json::json!({"error": {"code": exit.name(), "exit": exit.code(), "message": format!("{error:#}")}})
            );
        } else {
            eprintln!("error: {error:#}");
        }
        exit
    });
    exit.into()
}

fn run(cli: &Cli) -> Result<Exit> {
    match &cli.command {
        Command::Wrap {
            output,
            individual,
            max_size,
            inputs,
        } => {
            let destination = output.destination();
            let sources = input::expand(inputs)?;
            let wrapped = wrap::run(&sources, &destination, *individual, *max_size)?;
            let mut stdout = std::io::stdout().lock();
            if !destination.is_stdout() {
                for root in &wrapped.roots {
                    writeln!(stdout, "{root}")?;
                }
            }
            let batches = if *individual {
                format!("{} batches of one", wrapped.count)
            } else {
                "one batch".into()
            };
            eprintln!("wrapped {} document(s) into {batches}", wrapped.count);
            Ok(Exit::Success)
        }
        Command::Verify {
            json,
            world,
            max_size,
            inputs,
        } => {
            let sources = input::expand(inputs)?;
            if sources.is_empty() {
                bail!("no documents found in the inputs");
            }
            let world = world.connect()?;
            let verifier = corridor_verify::Verifier::new(world.providers());
            let decision = world.decision();
            let tally = verify::run(&sources, &verifier, decision, *json, *max_size)?;
            eprintln!(
                "{} document(s): {} valid, {} not valid",
                tally.valid + tally.not_valid,
                tally.valid,
                tally.not_valid
            );
            Ok(if tally.not_valid == 0 {
                Exit::Success
            } else if tally.not_valid == tally.cut_off {
                Exit::Unreachable
            } else {
                Exit::Negative
            })
        }
        Command::Obfuscate { file, fields, out } => {
            let mut document = read_document(file)?;
            let wrapped = WrappedDocument::from_value(document.clone())
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            match wrapped
                .check_integrity()
                .map_err(|e| anyhow!("{}: {e}", file.display()))?
            {
                Integrity::Intact => {}
                Integrity::Tampered(t) => bail!(
                    "{}: the document does not verify ({t}); refusing to obfuscate it",
                    file.display()
                ),
            }
            obfuscate_document(&mut document, fields)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let mut text = serde_json::to_vec_pretty(&document)?;
            text.push(b'\n');
            match out {
                Some(path) => write_atomically(path, &text)?,
                None => std::io::stdout().lock().write_all(&text)?,
            }
            Ok(Exit::Success)
        }
        Command::Init {
            key,
            domain,
            responder,
            name,
            password,
        } => {
            let keyring = cli.keyring()?;
            let info = match keyring.info(key) {
                Ok(info) => {
                    eprintln!("using the existing key {key}");
                    info
                }
                Err(corridor_keys::KeyError::NotFound { .. }) => {
                    keyring.generate(key, password.read(true)?.as_bytes(), &mut rand::rng())?
                }
                Err(e) => return Err(e.into()),
            };
            let store = cli.store()?;
            let did = info.did();
            let did_url = format!("{did}#controller");
            let issuer = serde_json::json!({
                "id": did,
                "name": name,
                "revocation": {"type": "OCSP_RESPONDER",
                               "location": format!("{}/ocsp/{key}", responder.trim_end_matches('/'))},
                "identityProof": {"type": "DNS-DID", "location": domain, "key": did_url},
            });
            println!("key          {key} ({})", info.path.display());
            println!("did          {did}");
            println!("store        {}", store.path().display());
            println!();
            println!("Publish this TXT record on {domain}:");
            println!(
                "  {}",
                corridor_format::dns_records::dns_did_record(&did_url)
            );
            println!();
            println!("Put this issuer in the raw documents' \"issuers\":");
            println!("  {issuer}");
            println!();
            println!("Then: corridor wrap --out wrapped.jsonl RAW...");
            println!("      corridor issue --key {key} --out issued.jsonl wrapped.jsonl");
            println!("      corridor serve   (reachable at {responder})");
            Ok(Exit::Success)
        }
        Command::Key { action } => {
            key_command(&cli.keyring()?, action)?;
            Ok(Exit::Success)
        }
        Command::Sign {
            signer,
            output,
            max_size,
            inputs,
        } => {
            let signer = signer.signer(&cli.keyring()?)?;
            let destination = output.destination();
            let sources = input::expand(inputs)?;
            let issuance = sign::Issuance::DidSigned(&signer);
            let signed = sign::run(&sources, &destination, &issuance, *max_size, |_| Ok(()))?;
            print_roots(&destination, &signed)?;
            eprintln!(
                "signed {} document(s) as {} ({} merkle root(s))",
                signed.count,
                signer.did(),
                signed.batches.len()
            );
            Ok(Exit::Success)
        }
        Command::Issue(args) => records::issue(cli, args),
        Command::Revoke(args) => records::revoke(cli, args),
        Command::Status(args) => records::status(cli, args),
        Command::Title { command } => title::run(cli, command),
        Command::Chain { action } => match action {
            ChainAction::Networks => {
                chain::print_networks();
                Ok(Exit::Success)
            }
            ChainAction::Deploy {
                contract:
                    DeployContract::DocumentStore {
                        name,
                        artifact,
                        signer,
                        network,
                    },
            } => {
                let signer = signer.signer(&cli.keyring()?)?;
                let address =
                    chain::deploy_document_store(network, &signer, name, artifact.clone())?;
                println!("{address}");
                eprintln!(
                    "deployed document store {name:?} at {address}, owned by {}",
                    signer.address()
                );
                Ok(Exit::Success)
            }
            ChainAction::Deploy {
                contract:
                    DeployContract::TokenRegistry {
                        name,
                        symbol,
                        escrow_factory,
                        artifact,
                        escrow_factory_artifact,
                        signer,
                        network,
                    },
            } => {
                let signer = signer.signer(&cli.keyring()?)?;
                let registry = chain::deploy_token_registry(
                    network,
                    &signer,
                    (name, symbol),
                    *escrow_factory,
                    (artifact.clone(), escrow_factory_artifact.clone()),
                )?;
                println!("{}", registry.address);
                eprintln!(
                    "deployed token registry {name:?} ({symbol}) at {}, with title escrow factory {}, owned by {}",
                    registry.address,
                    registry.escrow_factory,
                    signer.address()
                );
                Ok(Exit::Success)
            }
        },
        Command::Serve {
            listen,
            world,
            max_body,
            request_timeout,
            issuer,
        } => {
            let issuer = if issuer.key.is_some() || issuer.private_key_env.is_some() {
                let signer = issuer.signer(&cli.keyring()?)?;
                Some(std::sync::Arc::new(corridor_server::Issuer {
                    name: issuer.issuer_name(&signer),
                    signer,
                }))
            } else {
                None
            };
            let timeout = std::time::Duration::from_secs((*request_timeout).max(1));
            let chain = world.titles_chain(timeout)?.map(std::sync::Arc::new);
            let world = std::sync::Arc::new(world.connect()?);
            let offline = matches!(world.decision(), verify::Decision::Offline);
            let config = corridor_server::ServerConfig {
                store_path: cli.store_path()?,
                verifier: std::sync::Arc::new(move || {
                    corridor_verify::Verifier::new(world.providers())
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
        Command::Store {
            action: StoreAction::Audit,
        } => records::audit(&cli.store()?),
        Command::Share { action } => share(action),
        Command::Token { action } => {
            let mut store = cli.store()?;
            match action {
                TokenAction::New { name } => {
                    let token = store.new_api_token(name, &mut rand::rng())?;
                    println!("{token}");
                    eprintln!("API token {name:?} made; it is shown only now: keep it secret");
                }
                TokenAction::List => {
                    for t in store.api_tokens()? {
                        let state = match t.revoked {
                            Some(at) => format!("revoked {}", corridor_ledger::show_time(at)),
                            None => "live".into(),
                        };
                        println!(
                            "{:<24} made {}  {state}",
                            t.name,
                            corridor_ledger::show_time(t.created)
                        );
                    }
                }
                TokenAction::Revoke { name } => {
                    store.revoke_api_token(name)?;
                    eprintln!("API token {name:?} revoked");
                }
            }
            Ok(Exit::Success)
        }
        Command::Data { file } => {
            let document = read_document(file)?;
            let data = document
                .get("data")
                .ok_or_else(|| anyhow!("{}: the document has no data", file.display()))?;
            let plain = unsalt_data(data).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let mut text = serde_json::to_vec_pretty(&plain)?;
            text.push(b'\n');
            std::io::stdout().lock().write_all(&text)?;
            Ok(Exit::Success)
        }
    }
}

/// `corridor share`.
fn share(action: &ShareAction) -> Result<Exit> {
    let read = |file: &PathBuf| -> Result<String> {
        let bytes = input::read_bounded(file, 64 << 20)?;
        String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8 text", file.display()))
    };
    match action {
        ShareAction::Encrypt { file } => {
            let key = corridor_share::Key::generate(&mut rand::rng());
            let envelope = corridor_share::encrypt(&read(file)?, &key, &mut rand::rng());
            let mut object = serde_json::to_value(&envelope)?;
            object["key"] = serde_json::Value::String(key.to_hex().to_string());
            println!("{object}");
        }
        ShareAction::Decrypt { file, key_env } => {
            let text = read(file)?;
            let object: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{}: not JSON", file.display()))?;
            let envelope: corridor_share::Envelope = serde_json::from_value(object.clone())
                .with_context(|| {
                    format!(
                        "{}: not an encrypted document (cipherText, iv, tag, type)",
                        file.display()
                    )
                })?;
            let hex = match key_env {
                Some(var) => zeroize::Zeroizing::new(
                    std::env::var(var)
                        .with_context(|| format!("the environment variable {var} is not set"))?,
                ),
                None => zeroize::Zeroizing::new(
                    object["key"]
                        .as_str()
                        .with_context(|| {
                            format!("{}: no key in the file; give --key-env", file.display())
                        })?
                        .to_string(),
                ),
            };
            let key = corridor_share::Key::from_hex(&hex)?;
            let document = corridor_share::decrypt(&envelope, &key)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            println!("{document}");
        }
    }
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

/// Prints the merkle roots signed, unless the documents themselves go to standard output.
pub(crate) fn print_roots(destination: &output::Destination, signed: &sign::Signed) -> Result<()> {
    if !destination.is_stdout() {
        let mut stdout = std::io::stdout().lock();
        for root in signed.batches.keys() {
            writeln!(stdout, "{root}")?;
        }
    }
    Ok(())
}

fn key_command(keyring: &corridor_keys::Keyring, action: &KeyAction) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    let mut show = |info: &corridor_keys::KeyInfo| -> Result<()> {
        writeln!(stdout, "name     {}", info.name)?;
        writeln!(stdout, "address  {}", info.address.to_checksum(None))?;
        writeln!(stdout, "did      {}", info.did())?;
        writeln!(stdout, "file     {}", info.path.display())?;
        Ok(())
    };
    match action {
        KeyAction::New { name, password } => {
            let info = keyring.generate(name, password.read(true)?.as_bytes(), &mut rand::rng())?;
            show(&info)
        }
        KeyAction::Import {
            name,
            private_key_file,
            private_key_env,
            password,
        } => {
            let hex =
                secrets::private_key(private_key_env.as_deref(), private_key_file.as_deref())?;
            let info = keyring.import(
                name,
                &hex,
                password.read(true)?.as_bytes(),
                &mut rand::rng(),
            )?;
            show(&info)
        }
        KeyAction::Show { name } => show(&keyring.info(name)?),
        KeyAction::List => {
            let keys = keyring.list()?;
            if keys.is_empty() {
                eprintln!(
                    "no keys in {} (make one with `corridor key new NAME`)",
                    keyring.dir().display()
                );
            }
            for info in keys {
                writeln!(
                    stdout,
                    "{:<24} {}  {}",
                    info.name,
                    info.address.to_checksum(None),
                    info.did()
                )?;
            }
            Ok(())
        }
    }
}

/// The largest single document `obfuscate` and `data` read.
const MAX_DOCUMENT: u64 = 64 << 20;

fn read_document(path: &Path) -> Result<serde_json::Value> {
    let bytes = input::read_bounded(path, MAX_DOCUMENT)?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not valid JSON", path.display()))
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".corridor-")
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.persist(path)
        .map_err(|e| anyhow!("{}: cannot write: {}", path.display(), e.error))?;
    Ok(())
}
