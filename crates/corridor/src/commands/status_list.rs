//! `corridor status-list`: W3C Bitstring (and 2021) status lists kept in the store — made,
//! handed out by `corridor sign --status-list`, revoked, suspended and resumed, each change
//! signed again — which `corridor serve` publishes at their URL's path.

use std::io::Write;

use anyhow::{Result, anyhow};
use corridor_di::IssuerSigningKey;
use corridor_ledger::{StatusListRecord, StatusPurpose, Store};
use corridor_verify::w3c::{StatusList, VC_V1, VC_V2, did_of, did_web_url, list_to_sign_again};
use serde_json::{Value, json};

use crate::exit::Exit;
use crate::home::Home;
use crate::secrets;

const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
const STATUS_LIST_2021: &str = "https://w3id.org/vc/status-list/2021/v1";

#[derive(clap::Subcommand)]
pub enum StatusListAction {
    /// Make a status list: its list credential signed by a did:web issuer's Multikey and kept
    /// in the store, which `corridor serve` publishes at the path of URL.
    New {
        /// Where verifiers fetch the list credential (its `id`), e.g.
        /// https://issuer.example.com/status/1.
        url: String,
        /// What a set entry means: `revocation` (for good) or `suspension` (until resumed).
        #[arg(long, value_parser = ["revocation", "suspension"])]
        purpose: String,
        /// How many entries (a multiple of 8); TrustVC's lists have 131,072.
        #[arg(long, value_name = "N", default_value_t = 131_072)]
        entries: u64,
        /// Make a VC 1.1 StatusList2021Credential instead of a VC 2.0
        /// BitstringStatusListCredential.
        #[arg(long)]
        status_list_2021: bool,
        /// The key that signs the list (a Multikey: see `corridor key new --type`).
        #[arg(long, value_name = "NAME")]
        key: String,
        /// The issuer's key in its DID document, as did:web:example.com#keys-1.
        #[arg(long, value_name = "DID_URL")]
        verification_method: String,
        #[command(flatten)]
        password: secrets::PasswordArgs,
    },
    /// Revoke entries of a revocation list, for good, and sign the list again.
    Revoke(Change),
    /// Suspend entries of a suspension list, and sign the list again.
    Suspend(Change),
    /// Lift the suspension of entries of a suspension list, and sign the list again.
    Resume(Change),
    /// Show a list: its purpose, entries handed out and those set; or, with --signed, its
    /// list credential as published.
    Show {
        url: String,
        #[arg(long)]
        signed: bool,
    },
}

#[derive(clap::Args)]
pub struct Change {
    /// The list's URL.
    pub url: String,
    /// The entries (their statusListIndex).
    #[arg(required = true, value_name = "INDEX")]
    pub indexes: Vec<u64>,
    /// The key that signs the list (the one that made it, unless given).
    #[arg(long, value_name = "NAME")]
    pub key: Option<String>,
    #[command(flatten)]
    pub password: secrets::PasswordArgs,
}

pub fn run(home: &Home, action: &StatusListAction) -> Result<Exit> {
    let mut store = home.store()?;
    match action {
        StatusListAction::New {
            url,
            purpose,
            entries,
            status_list_2021,
            key,
            verification_method,
            password,
        } => {
            let purpose = StatusPurpose::named(purpose).expect("clap checks the purpose");
            if did_web_url(verification_method).is_none() || !verification_method.contains('#') {
                anyhow::bail!(
                    "--verification-method {verification_method:?}: give a did:web DID and the key's fragment, as did:web:example.com#keys-1"
                );
            }
            let signer = home
                .keyring()?
                .unlock_multikey(key, password.read(false)?.as_bytes())?;
            let credential = list_credential(
                url,
                did_of(verification_method),
                purpose,
                &vec![0u8; usize::try_from(entries / 8)?],
                *status_list_2021,
            );
            let signed = sign(&signer, &credential, verification_method)?;
            store.create_status_list(url, key, purpose, *entries, &signed)?;
            let path = corridor_ledger::url_path(url).unwrap_or_default();
            eprintln!(
                "made the {} list {url} ({entries} entries); `corridor serve` publishes it at {path}",
                purpose.name()
            );
        }
        StatusListAction::Revoke(change) => {
            set(home, &mut store, change, StatusPurpose::Revocation, true)?
        }
        StatusListAction::Suspend(change) => {
            set(home, &mut store, change, StatusPurpose::Suspension, true)?
        }
        StatusListAction::Resume(change) => {
            set(home, &mut store, change, StatusPurpose::Suspension, false)?
        }
        StatusListAction::Show { url, signed } => {
            let list = find(&store, url)?;
            let mut out = std::io::stdout().lock();
            if *signed {
                writeln!(out, "{}", list.signed)?;
            } else {
                let set: Vec<String> = (0..list.next)
                    .filter(|&i| list.is_set(i))
                    .map(|i| i.to_string())
                    .collect();
                writeln!(out, "url       {}", list.url)?;
                writeln!(out, "purpose   {}", list.purpose.name())?;
                writeln!(out, "entries   {} ({} handed out)", list.len(), list.next)?;
                writeln!(out, "set       {}", set.join(" "))?;
                writeln!(out, "key       {}", list.key)?;
            }
        }
    }
    Ok(Exit::Success)
}

fn find(store: &Store, url: &str) -> Result<StatusListRecord> {
    store.status_list(url)?.ok_or_else(|| {
        anyhow!("no status list {url} in the store (make one with `corridor status-list new`)")
    })
}

/// Sets or clears entries, signing the list again over the new bits.
/// Sets (or, `on` false, clears) the entries `change` names in a store's list of `purpose`,
/// and signs the list again.
pub fn set(
    home: &Home,
    store: &mut Store,
    change: &Change,
    purpose: StatusPurpose,
    on: bool,
) -> Result<()> {
    let list = find(store, &change.url)?;
    if list.purpose != purpose {
        anyhow::bail!(
            "{} is a {} list: {} needs a {} list",
            list.url,
            list.purpose.name(),
            if on { purpose_verb(purpose) } else { "resume" },
            purpose.name()
        );
    }
    let key = change.key.as_deref().unwrap_or(&list.key);
    let signer = home
        .keyring()?
        .unlock_multikey(key, change.password.read(false)?.as_bytes())?;
    let kept: Value = serde_json::from_str(&list.signed)?;
    let bits = list.changed(&change.indexes, on)?;
    let (credential, method) =
        list_to_sign_again(&kept, &bits).map_err(|why| anyhow!("{}: {why}", list.url))?;
    let signed = sign(&signer, &credential, &method)?;
    store.change_status(&list.url, list.version, &change.indexes, on, &signed)?;
    eprintln!(
        "{} {} entr{} of {}; the list is signed again",
        if on { purpose_verb(purpose) } else { "resumed" },
        change.indexes.len(),
        if change.indexes.len() == 1 {
            "y"
        } else {
            "ies"
        },
        list.url
    );
    Ok(())
}

fn purpose_verb(purpose: StatusPurpose) -> &'static str {
    match purpose {
        StatusPurpose::Revocation => "revoked",
        StatusPurpose::Suspension => "suspended",
    }
}

/// A list credential as TrustVC's `createCredentialStatusPayload` makes one.
fn list_credential(
    url: &str,
    issuer: &str,
    purpose: StatusPurpose,
    bits: &[u8],
    status_list_2021: bool,
) -> Value {
    let now = corridor_verify::w3c::data_integrity_date(super::credential::now_ms());
    let subject = json!({
        "id": format!("{url}#list"),
        "type": if status_list_2021 { "StatusList2021" } else { "BitstringStatusList" },
        "statusPurpose": purpose.name(),
        "encodedList": StatusList::encode(bits),
    });
    if status_list_2021 {
        json!({
            "@context": [VC_V1, DATA_INTEGRITY_V2, STATUS_LIST_2021],
            "id": url,
            "type": ["VerifiableCredential", "StatusList2021Credential"],
            "issuer": issuer,
            "issuanceDate": now,
            "validFrom": now,
            "credentialSubject": subject,
        })
    } else {
        json!({
            "@context": [VC_V2, DATA_INTEGRITY_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": now,
            "credentialSubject": subject,
        })
    }
}

/// Signs a list credential as `corridor sign --suite` signs any credential.
fn sign(key: &IssuerSigningKey, credential: &Value, method: &str) -> Result<String> {
    let processor = corridor_jsonld::Processor::new(corridor_jsonld::BundledContexts);
    let signed = corridor_verify::w3c::sign_credential(
        &processor,
        key,
        method,
        credential,
        &[],
        super::credential::now_ms(),
        rand::Rng::random(&mut rand::rng()),
    )
    .map_err(|why| anyhow!("the list credential: {why}"))?;
    Ok(serde_json::to_string(&signed)?)
}
