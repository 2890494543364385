//! The `corridor` command line: a thin layer that reads arguments and files, calls the
//! crates, and prints. Only this crate knows the terminal. `main` parses and dispatches; each
//! command group is a module of `commands`, with its arguments and its run.

// Verification and wrapping make many small, short-lived allocations (JSON values, hash
// texts); mimalloc serves them markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod chain;
mod commands;
mod exit;
mod home;
mod input;
mod output;
mod progress;
mod secrets;
mod sign;
mod verify;
mod wrap;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use exit::Exit;
use home::Home;

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
    #[command(flatten)]
    home: Home,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Wrap raw JSON documents into OpenAttestation v2 documents (or v3, with --oa-version 3), as
    /// one merkle batch.
    ///
    /// Every leaf of each document is salted and hashed; the documents' target hashes form a
    /// merkle tree whose root is printed on standard output — the value to sign or to issue.
    /// Inputs are JSON files, folders of them, or JSON Lines files (.jsonl, .ndjson) with one
    /// document per line. Output is written only if every document wraps.
    Wrap(commands::wrap::WrapArgs),
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
    ///
    /// The documents are yours to choose: responders are asked wherever they say, loopback,
    /// private addresses and plain http included, with no limit on questions (`corridor
    /// serve`, verifying for others, is stricter: see its --allow-fetch and --fetch-budget).
    Verify(commands::verify::VerifyArgs),
    /// Hide fields of a wrapped document; it still verifies, with the same signature.
    ///
    /// The hidden fields' hashes go to privacy.obfuscatedData. Paths are written as
    /// `shipper.address`, `issuers[0].name` or `items.1.description`.
    Obfuscate(commands::document::ObfuscateArgs),
    /// Print the data of a wrapped document without its salts.
    Data(commands::document::DataArgs),
    /// Pass on W3C credentials with only some of their fields: selectively disclosed copies.
    ///
    /// Each credential must carry an ecdsa-sd-2023 or bbs-2023 base proof (as TrustVC's signW3C
    /// makes them); each copy carries a derived proof that TrustVC and Corridor verify. Many
    /// credentials (folders, JSON Lines) are derived on every core. Output is written only if
    /// every derivation succeeds.
    Derive(commands::credential::DeriveArgs),
    /// Issue wrapped documents: sign them with a DID key and record their batches in the store,
    /// or issue their merkle roots on a document store contract.
    Issue(commands::records::IssueArgs),
    /// Revoke documents, batches or parts of them, in the store or on a document store.
    Revoke(commands::records::RevokeArgs),
    /// What the store, or a document store contract, records of a document or a hash: issued
    /// (when, in which batch), revoked.
    Status(commands::records::StatusArgs),
    /// Transferable records (electronic bills of lading): mint, endorse, transfer, surrender
    /// and trace titles, on the embedded registry or a token registry contract, by the rules
    /// of TradeTrust's Token Registry v5 (or v4, on a v4 registry: no remarks, no rejections).
    ///
    /// Every action is taken with a key (--key or --private-key-env) as the acting party:
    /// the registry's admin mints and accepts or rejects surrenders; the beneficiary
    /// nominates; the holder endorses and transfers. A refusal names the contract's error
    /// (CallerNotHolder, InvalidNominee, ...) and exits 1. On the embedded registry each
    /// action is signed by the key over a typed message with a nonce, so none is accepted
    /// twice or from anyone else.
    Title {
        #[command(subcommand)]
        command: commands::title::TitleCommand,
    },
    /// Work with TradeTrust's contracts on EVM networks.
    Chain {
        #[command(subcommand)]
        action: commands::chain::ChainAction,
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
    ///
    /// Fetches made to verify a request's documents (revocation responders, DNS over HTTPS)
    /// reach only public addresses, over https, checked on what names resolve to before each
    /// connection and redirect; a refused one is not tried and its check is reported SKIPPED,
    /// "refused by policy". --allow-fetch lets a host through. Each request asks at most
    /// --fetch-budget distinct questions (URLs fetched, DNS names). `corridor verify` on the
    /// command line keeps neither limit: it verifies documents its user chose.
    Serve(Box<commands::serve::ServeArgs>),
    /// Encrypt a document for sharing, or open one shared, as TradeTrust does
    /// (`@govtechsg/oa-encryption`, OPEN-ATTESTATION-TYPE-1: AES-256-GCM); list and delete the
    /// shares `corridor serve` keeps.
    Share {
        #[command(subcommand)]
        action: commands::share::ShareAction,
    },
    /// API tokens for `corridor serve`'s writes (issue, revoke, title actions, sharing).
    ///
    /// A token is shown once, when made, and kept only as its SHA-256 in the store; clients
    /// send it as `Authorization: Bearer <token>`. Each token may make only the writes of its
    /// scopes (issue, revoke — for the issuers it names — share, titles); tokens made before
    /// scopes existed keep them all, revoking for any issuer.
    Token {
        #[command(subcommand)]
        action: commands::token::TokenAction,
    },
    /// Reports from the store's audit log: what crossed (`audit disclosures`), by partner,
    /// company, period or person.
    Audit {
        #[command(subcommand)]
        action: commands::audit::AuditAction,
    },
    /// Look after the embedded store.
    Store {
        #[command(subcommand)]
        action: commands::store::StoreAction,
    },
    /// Prepare an issuer on this machine: a key, the store, and what to publish.
    ///
    /// Makes the key NAME (or uses it if it exists), creates the embedded store, and prints
    /// the DNS-DID record to publish at DOMAIN and the issuer block to put in raw documents,
    /// so that documents issued with `corridor issue --key NAME` verify completely: signed,
    /// not revoked (through `corridor serve` at --responder), issued by DOMAIN.
    Init(commands::init::InitArgs),
    /// Manage issuer keys: secp256k1 keys kept as encrypted Ethereum keystore v3 files.
    Key {
        #[command(subcommand)]
        action: commands::key::KeyAction,
    },
    /// Sign wrapped documents with a key's DID (did:ethr), as TradeTrust's signDocument does;
    /// or, with --suite, W3C credentials as TrustVC's signW3C does.
    ///
    /// Adds an OpenAttestationSignature2018 entry to each document's `proof`: an EIP-191
    /// signature of its merkle root by the key. The documents' issuers must name that DID
    /// (identityProof type DID or DNS-DID) for verifiers to accept it. Documents that do not
    /// verify are refused; output is written only if every document signs. With --suite, each
    /// raw W3C credential gets an ecdsa-sd-2023 or bbs-2023 base proof by a did:web issuer's
    /// Multikey (--verification-method), which `corridor derive` and TrustVC can derive from.
    Sign(commands::sign::SignArgs),
    /// W3C status lists kept in the store: make one, revoke, suspend or resume entries (each
    /// change signs the list again), show one; `corridor serve` publishes them at their URL's
    /// path, and `corridor sign --suite --status-list URL` hands out their entries.
    StatusList {
        #[command(subcommand)]
        action: commands::status_list::StatusListAction,
    },
    /// W3C issuers' DIDs (did:web): the DID document to host.
    Did {
        #[command(subcommand)]
        action: commands::credential::DidAction,
    },
    /// Food traceability: GS1 identifiers, EPCIS 2.0 events recorded and signed, provenance.
    Trace {
        #[command(subcommand)]
        action: commands::trace::TraceAction,
    },
    /// Company data across the border: identifiers checked, company records imported and
    /// found, profiles issued as credentials and disclosed under policies.
    Company {
        #[command(subcommand)]
        action: commands::company::CompanyAction,
    },
}

impl Command {
    /// Whether the command was asked for JSON output, so that its errors are JSON too.
    fn prints_json(&self) -> bool {
        match self {
            Command::Verify(args) => args.json,
            Command::Title { command } => command.prints_json(),
            _ => false,
        }
    }
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
    // A keccak path forced for measurement must exist here, said before any work starts.
    if let Ok(name) = std::env::var("CORRIDOR_KECCAK_LANES") {
        corridor_keccak::Lanes::named(&name)
            .map_err(|e| anyhow::anyhow!("CORRIDOR_KECCAK_LANES: {e}"))?;
    }
    let home = &cli.home;
    match &cli.command {
        Command::Wrap(args) => commands::wrap::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Obfuscate(args) => commands::document::obfuscate(args),
        Command::Data(args) => commands::document::data(args),
        Command::Derive(args) => commands::credential::derive(args),
        Command::Issue(args) => commands::records::issue(home, args),
        Command::Revoke(args) => commands::records::revoke(home, args),
        Command::Status(args) => commands::records::status(home, args),
        Command::Title { command } => commands::title::run(home, command),
        Command::Chain { action } => commands::chain::run(home, action),
        Command::Serve(args) => commands::serve::run(home, args),
        Command::Share { action } => commands::share::run(home, action),
        Command::Token { action } => commands::token::run(home, action),
        Command::Store { action } => commands::store::run(home, action),
        Command::Audit { action } => commands::audit::run(home, action),
        Command::Init(args) => commands::init::run(home, args),
        Command::Key { action } => commands::key::run(home, action),
        Command::Sign(args) => commands::sign::run(home, args),
        Command::Did { action } => commands::credential::did(home, action),
        Command::StatusList { action } => commands::status_list::run(home, action),
        Command::Trace { action } => commands::trace::run(home, action),
        Command::Company { action } => commands::company::run(home, action),
    }
}
