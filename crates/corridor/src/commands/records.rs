//! `corridor issue`, `revoke` and `status`: recording documents as issued or revoked, in the
//! embedded store or on a document store contract, and reading it back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use corridor_format::merkle::path_from_proof;
use corridor_format::{Hash32, Integrity, WrappedDocument, read_wrapped};
use corridor_ledger::{Batch, Ledger, Recorded, RevocationReason, Store, show_time};

use crate::chain::{LedgerArgs, LedgerKind};
use crate::exit::{Exit, Refused};
use crate::home::Home;
use crate::{input, output, secrets, sign};

/// `corridor issue`.
#[derive(clap::Args)]
pub struct IssueArgs {
    #[command(flatten)]
    signer: secrets::SignerArgs,
    #[command(flatten)]
    ledger: LedgerArgs,
    /// The issuer's name in the embedded store. Default: the key's name (the DID for a raw
    /// key). On a chain the document store is the issuer, and this is refused.
    #[arg(long, value_name = "NAME")]
    issuer: Option<String>,
    #[command(flatten)]
    output: output::OutputArgs,
    /// Largest document (or JSON Lines line) read, in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = input::parse_size)]
    max_size: u64,
    /// W3C credentials are issued as `corridor sign --suite` signs them, each given an entry
    /// of the store's --status-list, which `corridor revoke CREDENTIAL.json` then sets.
    #[command(flatten)]
    w3c: crate::commands::credential::W3cSignArgs,
    /// Wrapped documents (or, with --suite, raw W3C credentials): files, folders, or JSON
    /// Lines files.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

/// `corridor revoke`.
#[derive(clap::Args)]
pub struct RevokeArgs {
    /// Wrapped document files, hashes (64 hex digits, 0x optional), or W3C credential files
    /// (their entries on the store's revocation lists are set, each list signed again).
    #[arg(required = true, value_name = "FILE|HASH")]
    what: Vec<String>,
    #[command(flatten)]
    ledger: LedgerArgs,
    #[command(flatten)]
    signer: secrets::SignerArgs,
    /// The issuer revoking; needed when the store holds several and they did not all issue
    /// what is revoked (else the one that did is taken).
    #[arg(long, value_name = "NAME")]
    issuer: Option<String>,
    /// Why, as the revocation responder reports it: unspecified, key-compromise,
    /// ca-compromise, affiliation-changed, superseded, cessation-of-operation,
    /// certificate-hold, remove-from-crl, privilege-withdrawn, a-a-compromise, suspended.
    /// Default: unspecified. The embedded store only: a document store contract keeps no
    /// reason.
    #[arg(long, value_name = "REASON", value_parser = parse_reason)]
    reason: Option<RevocationReason>,
    /// The issuer's own words, kept in the store (not sent to verifiers). The embedded
    /// store only.
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
}

/// `corridor status`.
#[derive(clap::Args)]
pub struct StatusArgs {
    /// A wrapped document file, or a hash (64 hex digits, 0x optional).
    #[arg(value_name = "FILE|HASH")]
    what: String,
    #[command(flatten)]
    ledger: LedgerArgs,
}

/// Reads a revocation reason by name (`key-compromise`, `KEY_COMPROMISE`).
fn parse_reason(text: &str) -> Result<RevocationReason, String> {
    RevocationReason::from_name(text).ok_or_else(|| {
        let names: Vec<String> = RevocationReason::ALL
            .iter()
            .map(|(_, _, n)| n.to_ascii_lowercase().replace('_', "-"))
            .collect();
        format!(
            "{text:?} is not a revocation reason; use one of {}",
            names.join(", ")
        )
    })
}

/// `corridor issue`: signs the documents and records their batches in the embedded store, or
/// issues their roots on a document store; writes the documents only once all is recorded.
pub fn issue(home: &Home, args: &IssueArgs) -> Result<Exit> {
    let kind = args.ledger.kind()?;
    if let Some(suite) = args.w3c.suite {
        if args.w3c.status_list.is_none() {
            bail!(
                "issuing a W3C credential gives it an entry of a status list, so that it can be revoked: name the store's list with --status-list URL (see `corridor status-list new`), or sign without one with `corridor sign --suite`"
            );
        }
        if kind == LedgerKind::Evm || args.issuer.is_some() {
            bail!(
                "a W3C credential's issuer is its DID, and its status list is the embedded store's: drop --ledger evm and --issuer"
            );
        }
        let sources = input::expand(&args.inputs)?;
        return crate::commands::credential::sign(
            home,
            &args.signer,
            &args.w3c,
            suite,
            &sources,
            &args.output.destination(),
            args.max_size,
        );
    }
    if kind == LedgerKind::Evm && args.issuer.is_some() {
        bail!(
            "--issuer names an issuer of the embedded store; on a chain the document store is the issuer: drop --issuer"
        );
    }
    let signer = args.signer.signer(&home.keyring()?)?;
    let destination = args.output.destination();
    let sources = input::expand(&args.inputs)?;
    let (mut ledger, issuance, issuer): (Box<dyn Ledger>, _, _) = match kind {
        LedgerKind::Embedded => {
            let issuer = args
                .issuer
                .clone()
                .unwrap_or_else(|| args.signer.issuer_name(&signer));
            (
                Box::new(home.store()?),
                sign::Issuance::DidSigned(&signer),
                issuer,
            )
        }
        LedgerKind::Evm => {
            let ledger = args.ledger.evm(Some(&signer))?;
            let store = ledger.store.address.to_string();
            (
                Box::new(ledger),
                sign::Issuance::DocumentStore(store.clone()),
                store,
            )
        }
    };
    let mut recorded = Recorded::default();
    let signed = sign::run(&sources, &destination, &issuance, args.max_size, |signed| {
        let batches: Vec<Batch> = signed
            .batches
            .iter()
            .map(|(root, documents)| Batch {
                root: *root,
                documents: documents.clone(),
            })
            .collect();
        recorded = ledger.issue(&issuer, &batches)?;
        Ok(())
    })?;
    signed.print_roots(&destination)?;
    say_before(&recorded, "issued", &issuer);
    let by = match kind {
        LedgerKind::Embedded => format!(" as {issuer} ({})", signer.did()),
        LedgerKind::Evm => String::new(),
    };
    eprintln!(
        "issued {} document(s) in {} batch(es){by}: {} root(s) recorded now in {}",
        signed.count,
        signed.batches.len(),
        recorded.now.len(),
        ledger.describe()
    );
    Ok(Exit::Success)
}

/// `corridor revoke`: every hash named, in one transaction of the store or after one round
/// of questions to the chain; hashes revoked already are said and left as they are.
pub fn revoke(home: &Home, args: &RevokeArgs) -> Result<Exit> {
    let mut hashes = Vec::new();
    let mut on_lists: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for what in &args.what {
        if let Some(hash) = Hash32::from_any_hex(what) {
            hashes.push(hash);
        } else if let Some(entries) = w3c_revocation_entries(Path::new(what))? {
            for (url, index) in entries {
                on_lists.entry(url).or_default().push(index);
            }
        } else {
            hashes.push(target_hash_of(Path::new(what))?);
        }
    }
    if !on_lists.is_empty() {
        revoke_on_status_lists(home, args, on_lists)?;
        if hashes.is_empty() {
            return Ok(Exit::Success);
        }
    }
    let (mut ledger, issuer): (Box<dyn Ledger>, String) = match args.ledger.kind()? {
        LedgerKind::Embedded => {
            let store = home.store()?;
            let issuer = match &args.issuer {
                Some(issuer) => issuer.clone(),
                None => issuer_of(&store, &hashes)?,
            };
            (Box::new(store), issuer)
        }
        LedgerKind::Evm => {
            let kept = [
                ("--reason", args.reason.is_some()),
                ("--note", args.note.is_some()),
                ("--issuer", args.issuer.is_some()),
            ];
            let given: Vec<&str> = kept.iter().filter(|(_, g)| *g).map(|(f, _)| *f).collect();
            if !given.is_empty() {
                bail!(
                    "a document store contract keeps only the hashes it revokes, and its address is the issuer: drop {}",
                    given.join(" and ")
                );
            }
            let signer = args.signer.signer(&home.keyring()?)?;
            let ledger = args.ledger.evm(Some(&signer))?;
            let store = ledger.store.address.to_string();
            (Box::new(ledger), store)
        }
    };
    let reason = args.reason.unwrap_or(RevocationReason::Unspecified);
    let recorded = ledger.revoke(
        &issuer,
        &hashes,
        reason,
        args.note.as_deref().unwrap_or_default(),
    )?;
    say_before(&recorded, "revoked", &issuer);
    let why = if ledger.keeps_reasons() {
        format!(" ({})", reason.name())
    } else {
        String::new()
    };
    for hash in &recorded.now {
        println!("revoked {hash} for {issuer}{why} in {}", ledger.describe());
    }
    Ok(Exit::Success)
}

/// A W3C credential's entries on revocation lists (list URL, index), when the file is one (a
/// JSON object with an `@context`); `None` for anything else, which is read as a wrapped
/// document.
fn w3c_revocation_entries(path: &Path) -> Result<Option<Vec<(String, u64)>>> {
    let label = path.display();
    let Ok(bytes) = input::read_bounded(path, MAX_DOCUMENT) else {
        return Ok(None);
    };
    let Ok(serde_json::Value::Object(credential)) = serde_json::from_slice(&bytes) else {
        return Ok(None);
    };
    if !credential.contains_key("@context") {
        return Ok(None);
    }
    let on_lists =
        corridor_verify::w3c::status_entries(&serde_json::Value::Object(credential), "revocation");
    if on_lists.is_empty() {
        bail!(
            "{label}: the credential has no entry on a revocation status list: nothing here can revoke it"
        );
    }
    Ok(Some(on_lists))
}

/// Revokes W3C credentials by setting their entries on the store's status lists, each list
/// signed again once.
fn revoke_on_status_lists(
    home: &Home,
    args: &RevokeArgs,
    on_lists: BTreeMap<String, Vec<u64>>,
) -> Result<()> {
    if !matches!(args.ledger.kind()?, LedgerKind::Embedded) {
        bail!(
            "W3C credentials are revoked on status lists, which the embedded store keeps: drop --ledger evm"
        );
    }
    let mut store = home.store()?;
    for (url, indexes) in on_lists {
        let change = crate::commands::status_list::Change {
            url,
            indexes,
            key: args.signer.key.clone(),
            password: args.signer.password.clone(),
        };
        crate::commands::status_list::set(
            home,
            &mut store,
            &change,
            corridor_ledger::StatusPurpose::Revocation,
            true,
        )?;
    }
    Ok(())
}

/// Names the hashes a ledger found recorded already and left as they were.
fn say_before(recorded: &Recorded, done: &str, issuer: &str) {
    if !recorded.before.is_empty() {
        eprintln!(
            "{} {done} already by {issuer}, left as they are: {}",
            recorded.before.len(),
            recorded
                .before
                .iter()
                .map(Hash32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

/// `corridor status`.
pub fn status(home: &Home, args: &StatusArgs) -> Result<Exit> {
    let ledger: Box<dyn Ledger> = match args.ledger.kind()? {
        LedgerKind::Embedded => Box::new(home.store()?),
        LedgerKind::Evm => Box::new(args.ledger.evm(None)?),
    };
    print_status(ledger.as_ref(), &args.what)
}

/// The largest document read here.
const MAX_DOCUMENT: u64 = 64 << 20;

/// Reads a wrapped document that verifies; errors name the file.
pub fn intact_document(path: &Path) -> Result<WrappedDocument> {
    let label = path.display();
    let bytes = input::read_bounded(path, MAX_DOCUMENT)?;
    let doc = read_wrapped(&bytes).map_err(|e| anyhow!("{label}: {e}"))?;
    match doc.check_integrity().map_err(|e| anyhow!("{label}: {e}"))? {
        Integrity::Intact => Ok(doc),
        Integrity::Tampered(t) => {
            Err(Refused(format!("{label}: the document does not verify ({t})")).into())
        }
    }
}

/// The target hash of the wrapped document at `path`, which must verify.
pub fn target_hash_of(path: &Path) -> Result<Hash32> {
    if !path.exists() {
        bail!(
            "{}: neither a file nor a hash (64 hex digits, 0x optional)",
            path.display()
        );
    }
    let doc = intact_document(path)?;
    doc.target_hash
        .parse()
        .map_err(|e| anyhow!("{}: signature.targetHash: {e}", path.display()))
}

/// The store's issuer when there is exactly one.
pub fn only_issuer(store: &Store) -> Result<String> {
    let issuers = store.issuers()?;
    match issuers.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!(
            "{}: nothing has been issued in this store",
            store.location()
        ),
        many => bail!(
            "{} holds several issuers ({}); say which with --issuer",
            store.location(),
            many.join(", ")
        ),
    }
}

/// The issuer to revoke `hashes` for: the store's only one, else the one that issued them
/// all (events recorded by several parties live in one store).
fn issuer_of(store: &Store, hashes: &[Hash32]) -> Result<String> {
    if store.issuers()?.len() <= 1 {
        return only_issuer(store);
    }
    let mut issuers = std::collections::BTreeSet::new();
    for hash in hashes {
        for status in store.status(hash)? {
            if status.issued.is_some() {
                issuers.insert(status.issuer);
            }
        }
    }
    match issuers.len() {
        1 => Ok(issuers.pop_first().expect("one")),
        _ => only_issuer(store),
    }
}

/// Prints what the store records of a hash, or of every hash from a document's target hash
/// to its merkle root.
fn print_status(ledger: &dyn Ledger, what: &str) -> Result<Exit> {
    let (hashes, labels): (Vec<Hash32>, Vec<&str>) = match Hash32::from_any_hex(what) {
        Some(hash) => (vec![hash], vec!["hash"]),
        None => {
            let path = Path::new(what);
            if !path.exists() {
                bail!("{what}: neither a file nor a hash (64 hex digits, 0x optional)");
            }
            let doc = intact_document(path)?;
            let target: Hash32 = doc.target_hash.parse()?;
            let proof = doc
                .proof
                .iter()
                .map(|p| {
                    Hash32::from_node_hex(p)
                        .ok_or_else(|| anyhow!("{what}: a proof element is not a hash"))
                })
                .collect::<Result<Vec<_>>>()?;
            let path = path_from_proof(&target, &proof);
            let mut labels = vec!["target hash"];
            labels.extend(std::iter::repeat_n("node", path.len().saturating_sub(2)));
            if path.len() > 1 {
                labels.push("merkle root");
            }
            (path, labels)
        }
    };
    let mut issued = false;
    let mut revoked = false;
    for (hash, label) in hashes.iter().zip(labels) {
        println!("{label:<12} {hash}");
        for status in ledger.status(hash)? {
            if let Some((root, at)) = status.issued {
                issued = true;
                println!(
                    "  issued by {} at {} (merkle root {root})",
                    status.issuer,
                    show_time(at)
                );
            }
            if let Some(revocation) = status.revoked {
                revoked = true;
                let note = if revocation.note.is_empty() {
                    String::new()
                } else {
                    format!(": {}", revocation.note)
                };
                println!(
                    "  REVOKED by {} at {} ({}){note}",
                    status.issuer,
                    show_time(revocation.at),
                    revocation.reason.name()
                );
            }
        }
    }
    let verdict = match (issued, revoked) {
        (_, true) => "revoked",
        (true, false) => "issued, not revoked",
        (false, false) => "not issued in this ledger",
    };
    println!("{verdict}");
    Ok(if issued && !revoked {
        Exit::Success
    } else {
        Exit::Negative
    })
}
