//! `corridor revoke`, `status` and `store audit`: reading and changing what the embedded store
//! records.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use corridor_format::merkle::path_from_proof;
use corridor_format::{Hash32, Integrity, WrappedDocument, read_wrapped};
use corridor_ledger::{Audit, Ledger, Store, show_time};

use crate::input;

/// The largest document read here.
const MAX_DOCUMENT: u64 = 64 << 20;

/// Reads a wrapped document that verifies; errors name the file.
pub fn intact_document(path: &Path) -> Result<WrappedDocument> {
    let label = path.display();
    let bytes = input::read_bounded(path, MAX_DOCUMENT)?;
    let doc = read_wrapped(&bytes).map_err(|e| anyhow!("{label}: {e}"))?;
    match doc.check_integrity().map_err(|e| anyhow!("{label}: {e}"))? {
        Integrity::Intact => Ok(doc),
        Integrity::Tampered(t) => bail!("{label}: the document does not verify ({t})"),
    }
}

/// The target hash of the wrapped document at `path`, which must verify.
pub fn target_hash_of(path: &Path) -> Result<Hash32> {
    if !path.exists() {
        bail!(
            "{}: neither a file nor a hash (64 hex digits)",
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
            store.path().display()
        ),
        many => bail!(
            "{} holds several issuers ({}); say which with --issuer",
            store.path().display(),
            many.join(", ")
        ),
    }
}

/// Prints what the store records of a hash, or of every hash from a document's target hash
/// to its merkle root.
pub fn status(ledger: &dyn Ledger, what: &str) -> Result<ExitCode> {
    let (hashes, labels): (Vec<Hash32>, Vec<&str>) = match what.parse::<Hash32>() {
        Ok(hash) => (vec![hash], vec!["hash"]),
        Err(_) => {
            let path = Path::new(what);
            if !path.exists() {
                bail!("{what}: neither a file nor a hash (64 hex digits)");
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
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Checks the audit log and says what it found.
pub fn audit(store: &Store) -> Result<ExitCode> {
    let file = store.path().display();
    Ok(match store.audit()? {
        Audit::Intact { entries } => {
            println!("{file}: intact, {entries} audit entries, records match them");
            ExitCode::SUCCESS
        }
        Audit::Altered { seq, problem } => {
            println!("{file}: ALTERED: audit entry {seq}: {problem}");
            ExitCode::FAILURE
        }
        Audit::RecordsDiffer { problem } => {
            println!("{file}: ALTERED: the audit log is whole, but {problem}");
            ExitCode::FAILURE
        }
    })
}
