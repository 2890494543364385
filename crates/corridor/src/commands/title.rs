//! `corridor title`: transferable records on the embedded registry or a token registry
//! contract, with the same commands and the same rules.

use crate::exit::Exit;

use alloy_primitives::{Address, U256};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use corridor_chain::EvmTitles;
use corridor_ledger::{EmbeddedTitles, Store, show_time};
use corridor_title::{Action, Custody, HistoryEntry, RegistryError, Title, TitleRegistry};
use serde_json::json;

use super::records;
use crate::home::Home;
use crate::{chain, secrets};

#[derive(Subcommand)]
pub enum TitleCommand {
    /// Title registries in the embedded store: create one, or list them. (On a chain, deploy
    /// one with `corridor chain deploy token-registry`.)
    Registry {
        #[command(subcommand)]
        action: RegistryAction,
    },
    /// Mint a document's title to a beneficiary (the owner of the goods) and a holder (who
    /// holds the document). Needs the registry's minter role.
    Mint {
        #[command(flatten)]
        on: On,
        /// Who owns the goods.
        #[arg(long, value_name = "0xADDRESS")]
        beneficiary: Address,
        /// Who holds the document.
        #[arg(long, value_name = "0xADDRESS")]
        holder: Address,
        #[command(flatten)]
        act: ActArgs,
    },
    /// Who holds and who owns a title now, and whether it is live, surrendered or burnt.
    /// Exit 0 if minted, 1 if not.
    Status {
        #[command(flatten)]
        on: On,
    },
    /// As the beneficiary, name the next beneficiary, for the holder to endorse.
    /// (`--to`: the nominee; the zero address withdraws a nomination.)
    Nominate(ToParty),
    /// As the holder, endorse a new beneficiary: the nominee, or anyone when the holder is
    /// also the beneficiary (TradeTrust's transferBeneficiary).
    Endorse(ToParty),
    /// As the holder, pass the document to a new holder.
    TransferHolder(ToParty),
    /// As holder (and beneficiary, or with a nomination), endorse a new beneficiary and pass
    /// the document to a new holder in one step.
    TransferOwners {
        #[command(flatten)]
        on: On,
        #[arg(long, value_name = "0xADDRESS")]
        beneficiary: Address,
        #[arg(long, value_name = "0xADDRESS")]
        holder: Address,
        #[command(flatten)]
        act: ActArgs,
    },
    /// As the new beneficiary, refuse the endorsement: ownership returns to the previous one.
    RejectEndorsement(Acting),
    /// As the new holder, refuse the document: it returns to the previous holder.
    RejectHolder(Acting),
    /// As new beneficiary and holder at once, refuse both.
    RejectOwners(Acting),
    /// As beneficiary and holder, surrender the title to the issuer (at the end of a voyage,
    /// to take delivery).
    Surrender(Acting),
    /// As the registry (accepter role), accept a surrender: the title is burnt for good.
    AcceptSurrender(Acting),
    /// As the registry (restorer role), reject a surrender: the title returns to its last
    /// beneficiary and holder.
    RejectSurrender(Acting),
    /// Every change of a title, oldest first: who did what, when, and where it is recorded.
    History {
        #[command(flatten)]
        on: On,
    },
}

#[derive(Subcommand)]
pub enum RegistryAction {
    /// Create a title registry in the embedded store, administered by the key (it may mint,
    /// accept and reject surrenders), and print its address: name it as the documents'
    /// `issuers[].tokenRegistry`.
    Create {
        /// The registry's name.
        #[arg(long, value_name = "TEXT", default_value = corridor_ledger::DEFAULT_REGISTRY_NAME)]
        name: String,
        #[command(flatten)]
        signer: secrets::SignerArgs,
    },
    /// List the embedded store's title registries.
    List,
}

/// Which title, on which registry.
#[derive(Args, Debug)]
pub struct On {
    /// The title: a wrapped document (its merkle root is the token id), a W3C credential with
    /// a TransferableRecords status (its tokenId, on the registry it names), or a token id (0x
    /// and up to 64 hex digits, 64 hex digits, or a decimal number).
    #[arg(value_name = "DOCUMENT|TOKEN")]
    title: String,
    /// The registry: an embedded registry's address (default: the store's only one), or
    /// the token registry contract's on a chain.
    #[arg(long, value_name = "0xADDRESS")]
    registry: Option<Address>,
    /// Where titles are kept: embedded (alias sqlite; the store, --store) or evm (a token
    /// registry contract; see --network). Default: evm when a chain option is given, else
    /// embedded.
    #[arg(long, value_enum)]
    ledger: Option<chain::LedgerKind>,
    #[command(flatten)]
    network: chain::NetworkArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// An action on a title with no party to name.
#[derive(Args, Debug)]
pub struct Acting {
    #[command(flatten)]
    on: On,
    #[command(flatten)]
    act: ActArgs,
}

/// An action on a title towards a party.
#[derive(Args, Debug)]
pub struct ToParty {
    #[command(flatten)]
    on: On,
    /// The party.
    #[arg(long, value_name = "0xADDRESS")]
    to: Address,
    #[command(flatten)]
    act: ActArgs,
}

/// Who acts, and with what remark.
#[derive(Args, Debug)]
pub struct ActArgs {
    /// A remark recorded with the action (at most 120 bytes; Token Registry v4 takes none).
    #[arg(long, value_name = "TEXT", default_value = "")]
    remark: String,
    #[command(flatten)]
    signer: secrets::SignerArgs,
}

impl TitleCommand {
    /// The title and registry the command acts on, if it acts on one.
    fn on(&self) -> Option<&On> {
        use TitleCommand as T;
        match self {
            T::Registry { .. } => None,
            T::Mint { on, .. } | T::TransferOwners { on, .. } => Some(on),
            T::Status { on } | T::History { on } => Some(on),
            T::Nominate(p) | T::Endorse(p) | T::TransferHolder(p) => Some(&p.on),
            T::RejectEndorsement(a)
            | T::RejectHolder(a)
            | T::RejectOwners(a)
            | T::Surrender(a)
            | T::AcceptSurrender(a)
            | T::RejectSurrender(a) => Some(&a.on),
        }
    }

    /// Whether `--json` was given.
    pub fn prints_json(&self) -> bool {
        self.on().is_some_and(|on| on.json)
    }
}

/// Runs a `corridor title` command.
pub fn run(home: &Home, command: &TitleCommand) -> Result<Exit> {
    use TitleCommand as T;
    let (on, action, act) = match command {
        T::Registry { action } => return registry(home, action),
        T::Status { on } => return with_registry(home, on, |r, token| status(r, token, on.json)),
        T::History { on } => return with_registry(home, on, |r, token| history(r, token, on.json)),
        T::Mint {
            on,
            beneficiary,
            holder,
            act,
        } => (
            on,
            Action::Mint {
                beneficiary: *beneficiary,
                holder: *holder,
            },
            act,
        ),
        T::Nominate(p) => (&p.on, Action::Nominate { nominee: p.to }, &p.act),
        T::Endorse(p) => (&p.on, Action::TransferBeneficiary { nominee: p.to }, &p.act),
        T::TransferHolder(p) => (&p.on, Action::TransferHolder { holder: p.to }, &p.act),
        T::TransferOwners {
            on,
            beneficiary,
            holder,
            act,
        } => (
            on,
            Action::TransferOwners {
                nominee: *beneficiary,
                holder: *holder,
            },
            act,
        ),
        T::RejectEndorsement(a) => (&a.on, Action::RejectTransferBeneficiary, &a.act),
        T::RejectHolder(a) => (&a.on, Action::RejectTransferHolder, &a.act),
        T::RejectOwners(a) => (&a.on, Action::RejectTransferOwners, &a.act),
        T::Surrender(a) => (&a.on, Action::ReturnToIssuer, &a.act),
        T::AcceptSurrender(a) => (&a.on, Action::AcceptReturn, &a.act),
        T::RejectSurrender(a) => (&a.on, Action::RejectReturn, &a.act),
    };
    let signer = act.signer.signer(&home.keyring()?)?;
    with_registry(home, on, |registry, token| {
        let done = registry.act(signer.signing_key(), token, &action, act.remark.as_bytes());
        match done {
            Ok(receipt) => {
                let title = registry.title(token)?;
                if on.json {
                    println!(
                        "{}",
                        json!({"accepted": action.name(), "token": token_hex(token), "reference": receipt.reference, "title": title})
                    );
                } else {
                    eprintln!(
                        "{}: {} accepted ({})",
                        token_hex(token),
                        action.name(),
                        receipt.reference
                    );
                    if let Some(title) = &title {
                        print_title(title);
                    }
                }
                Ok(Exit::Success)
            }
            Err(RegistryError::Backend(e)) => Err(RegistryError::Backend(e)),
            Err(refusal) => {
                let name = match &refusal {
                    RegistryError::Refused(e) => e.name(),
                    RegistryError::Signature(_) => "InvalidSignature",
                    _ => "InvalidNonce",
                };
                if on.json {
                    println!(
                        "{}",
                        json!({"refused": action.name(), "token": token_hex(token), "error": name, "message": refusal.to_string()})
                    );
                } else {
                    eprintln!("{}: {} refused: {refusal}", token_hex(token), action.name());
                }
                Ok(Exit::Negative)
            }
        }
    })
}

/// Runs `work` on the registry and title `on` names.
fn with_registry(
    home: &Home,
    on: &On,
    work: impl FnOnce(&mut dyn TitleRegistry, U256) -> Result<Exit, RegistryError>,
) -> Result<Exit> {
    let (token, named_registry) = title_of(&on.title)?;
    let registry = match (on.registry, named_registry) {
        (Some(given), Some(named)) if given != named => bail!(
            "{}: its status names the token registry {named}, not {given}: verifiers ask that one",
            on.title
        ),
        (given, named) => given.or(named),
    };
    let described;
    let outcome = match chain::ledger_kind(on.ledger, &on.network.given())? {
        chain::LedgerKind::Embedded => {
            let mut store = home.store()?;
            let address = match registry {
                Some(address) => address,
                None => only_registry(&store)?,
            };
            let mut registry = EmbeddedTitles::open(&mut store, address)?;
            described = registry.describe();
            work(&mut registry, token)
        }
        chain::LedgerKind::Evm => {
            let address =
                registry.context("give the token registry contract's address with --registry")?;
            let chain = on.network.connect()?;
            let mut registry = EvmTitles::open(&chain, address)?;
            described = registry.describe();
            work(&mut registry, token)
        }
    };
    outcome.with_context(|| described)
}

fn registry(home: &Home, action: &RegistryAction) -> Result<Exit> {
    let mut store = home.store()?;
    match action {
        RegistryAction::Create { name, signer } => {
            let signer = signer.signer(&home.keyring()?)?;
            let admin = Address::from_private_key(signer.signing_key());
            let created = store.create_registry(admin, name)?;
            println!("{}", created.address);
            eprintln!(
                "created title registry {:?} at {} in {}, administered by {admin}",
                created.name,
                created.address,
                store.location()
            );
        }
        RegistryAction::List => {
            for r in store.registries()? {
                println!(
                    "{}  {:<32} admin {}  created {}",
                    r.address,
                    r.name,
                    r.admin,
                    show_time(r.at)
                );
            }
        }
    }
    Ok(Exit::Success)
}

fn only_registry(store: &Store) -> Result<Address> {
    match store.registries()?.as_slice() {
        [one] => Ok(one.address),
        [] => bail!(
            "{}: no title registry yet; create one with `corridor title registry create`",
            store.location()
        ),
        many => bail!(
            "{} holds {} title registries; say which with --registry",
            store.location(),
            many.len()
        ),
    }
}

/// The title named: a token id as [`corridor_title::parse_token_id`] reads it, a wrapped
/// document's merkle root, or a W3C credential's transferable record (its `tokenId`, and the
/// registry its status names).
fn title_of(title: &str) -> Result<(U256, Option<Address>)> {
    if let Some(token) = corridor_title::parse_token_id(title) {
        return Ok((token, None));
    }
    let path = std::path::Path::new(title);
    if !path.exists() {
        bail!(
            "{title}: neither a file nor a token id (0x and hex digits, 64 hex digits, or a decimal number)"
        );
    }
    let bytes = crate::input::read_bounded(path, 64 << 20)?;
    if let Ok(credential) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && corridor_verify::w3c::is_credential(&credential)
    {
        return transferable_record(title, &credential);
    }
    let root = records::intact_document(path)?.merkle_root;
    let root = root.strip_prefix("0x").unwrap_or(&root);
    let token = U256::from_str_radix(root, 16)
        .map_err(|e| anyhow!("{title}: signature.merkleRoot: {e}"))?;
    Ok((token, None))
}

/// A W3C credential's title: its `TransferableRecords` status's `tokenId` (which TrustVC
/// makes the SHA-256 of the credential's `id`, checked when the id is disclosed) on the
/// registry it names.
fn transferable_record(
    title: &str,
    credential: &serde_json::Value,
) -> Result<(U256, Option<Address>)> {
    let status = &credential["credentialStatus"];
    if status["type"] != "TransferableRecords" {
        bail!("{title}: a W3C credential without a TransferableRecords status is not a title");
    }
    let token_id = status["tokenId"]
        .as_str()
        .with_context(|| format!("{title}: credentialStatus.tokenId is missing"))?;
    if let Some(id) = credential["id"].as_str() {
        let expected = corridor_verify::w3c::token_id_of(id);
        if token_id != expected {
            bail!(
                "{title}: credentialStatus.tokenId {token_id} is not the SHA-256 of the credential's id ({expected})"
            );
        }
    }
    let token = corridor_title::parse_token_id(token_id).with_context(|| {
        format!("{title}: credentialStatus.tokenId {token_id:?} is not a token id")
    })?;
    let registry = status["tokenRegistry"]
        .as_str()
        .with_context(|| format!("{title}: credentialStatus.tokenRegistry is missing"))?
        .parse()
        .map_err(|e| anyhow!("{title}: credentialStatus.tokenRegistry: {e}"))?;
    Ok((token, Some(registry)))
}

fn token_hex(token: U256) -> String {
    format!("0x{}", const_hex::encode(token.to_be_bytes::<32>()))
}

fn status(
    registry: &mut dyn TitleRegistry,
    token: U256,
    json: bool,
) -> Result<Exit, RegistryError> {
    let title = registry.title(token)?;
    if json {
        println!(
            "{}",
            json!({"token": token_hex(token), "registry": registry.describe(),
                   "registryVersion": registry.version(), "minted": title.is_some(), "title": title})
        );
    } else {
        match &title {
            Some(title) => {
                println!("registry     {}", registry.describe());
                print_title(title)
            }
            None => println!(
                "{}: not minted on {}",
                token_hex(token),
                registry.describe()
            ),
        }
    }
    Ok(if title.is_some() {
        Exit::Success
    } else {
        Exit::Negative
    })
}

fn print_title(title: &Title) {
    let state = match (title.custody, title.active) {
        (Custody::Escrow, _) => "live (in its title escrow)",
        (Custody::Surrendered, _) => "surrendered to the issuer, awaiting acceptance",
        (Custody::Burnt, _) => "burnt (surrender accepted)",
    };
    println!("state        {state}");
    if title.custody != Custody::Burnt {
        println!("beneficiary  {}", title.beneficiary);
        println!("holder       {}", title.holder);
    }
    if !title.nominee.is_zero() {
        println!("nominee      {}", title.nominee);
    }
    if !title.remark.is_empty() {
        println!("remark       {}", String::from_utf8_lossy(&title.remark));
    }
}

fn history(
    registry: &mut dyn TitleRegistry,
    token: U256,
    json: bool,
) -> Result<Exit, RegistryError> {
    let entries = registry.history(token)?;
    if json {
        println!("{}", json!({"token": token_hex(token), "history": entries}));
    } else if entries.is_empty() {
        println!(
            "{}: no history on {}",
            token_hex(token),
            registry.describe()
        );
    } else {
        for entry in &entries {
            print_entry(entry);
        }
    }
    Ok(if entries.is_empty() {
        Exit::Negative
    } else {
        Exit::Success
    })
}

fn print_entry(e: &HistoryEntry) {
    let when = humantime::format_rfc3339_seconds(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(e.at),
    );
    let what = match &e.action {
        Action::Mint {
            beneficiary,
            holder,
        } => format!("minted to beneficiary {beneficiary}, holder {holder}"),
        Action::Nominate { nominee } => format!("nominated {nominee}"),
        Action::TransferBeneficiary { nominee } => format!("endorsed {nominee} as beneficiary"),
        Action::TransferHolder { holder } => format!("passed to holder {holder}"),
        Action::TransferOwners { nominee, holder } => {
            format!("endorsed {nominee} and passed to {holder}")
        }
        Action::RejectTransferBeneficiary => format!(
            "endorsement rejected; beneficiary back to {}",
            e.beneficiary
        ),
        Action::RejectTransferHolder => format!("transfer rejected; holder back to {}", e.holder),
        Action::RejectTransferOwners => {
            format!("both rejected; back to {} and {}", e.beneficiary, e.holder)
        }
        Action::ReturnToIssuer => "surrendered to the issuer".into(),
        Action::AcceptReturn => "surrender accepted; burnt".into(),
        Action::RejectReturn => format!(
            "surrender rejected; back to {} and {}",
            e.beneficiary, e.holder
        ),
    };
    let remark = if e.remark.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", String::from_utf8_lossy(&e.remark))
    };
    println!(
        "{when}  {:<18} by {}: {what}{remark}  [{}]",
        e.action.name(),
        e.actor,
        e.reference
    );
}
