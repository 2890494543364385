//! `corridor verify`: every document of the inputs through the verification pipeline, in
//! parallel, with results printed in input order.

use std::borrow::Cow;
use std::fmt;
use std::io::{BufWriter, Write};
use std::ops::Range;

use anyhow::{Context, Result};
use corridor_format::dns_records::dns_name;
use corridor_verify::{
    DnsTxtFound, DnsTxtIssuer, Fragment, FragmentData, FragmentType, Status, Subject, Verdict,
    Verifier,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::input::{self, Lines, Source};

/// Documents verified per parallel step.
const CHUNK: usize = 2048;

/// Documents read together, their hashes taken side by side.
const READ_TOGETHER: usize = 32;

/// The bytes of whole files held at once to be read together: beyond it, those read so far
/// are parsed before the next is read.
const READ_TOGETHER_BYTES: usize = 1 << 20;

/// One document to verify.
enum Unit<'a> {
    /// A whole file.
    File(&'a Source),
    /// A line of a JSON Lines file; its text is in the batch's buffer.
    Line {
        source: &'a Source,
        number: usize,
        text: Range<usize>,
    },
    /// An input that could not be read; its verdict says why.
    Unreadable { source: &'a Source, why: String },
}

impl Unit<'_> {
    /// The units' documents read, or why each could not be: together, so that their hashes
    /// are taken side by side. Whole files are read a few at a time, so that no more than
    /// about [`READ_TOGETHER_BYTES`] of them are held at once.
    fn read_many(units: &[Unit], text: &[u8], max_size: u64) -> Vec<Result<Subject, String>> {
        let mut read = Vec::with_capacity(units.len());
        let mut waiting: Vec<Result<Cow<[u8]>, String>> = Vec::new();
        let mut held = 0;
        for unit in units {
            let bytes = match unit {
                Unit::File(source) => input::read_bounded(&source.path, max_size)
                    .map(Cow::Owned)
                    .map_err(|e| format!("{e:#}")),
                Unit::Line { text: range, .. } => Ok(Cow::Borrowed(&text[range.clone()])),
                Unit::Unreadable { why, .. } => Err(why.clone()),
            };
            if let Ok(Cow::Owned(file)) = &bytes {
                held += file.len();
            }
            waiting.push(bytes);
            if held >= READ_TOGETHER_BYTES {
                read.extend(parse_together(&waiting));
                waiting.clear();
                held = 0;
            }
        }
        read.extend(parse_together(&waiting));
        read
    }
}

/// Parses the texts read, together; keeps why the others could not be read.
fn parse_together(waiting: &[Result<Cow<[u8]>, String>]) -> Vec<Result<Subject, String>> {
    // Nothing to parse in place of what could not be read, so that results pair one to one.
    let texts: Vec<&[u8]> = waiting
        .iter()
        .map(|b| b.as_deref().unwrap_or_default())
        .collect();
    waiting
        .iter()
        .zip(Subject::parse_many(&texts))
        .map(|(bytes, parsed)| match bytes {
            Ok(_) => parsed.map_err(|e| e.to_string()),
            Err(why) => Err(why.clone()),
        })
        .collect()
}

/// How a unit is named in the output: the file, and the line number for a line.
impl fmt::Display for Unit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Unit::File(source) | Unit::Unreadable { source, .. } => {
                write!(f, "{}", source.path.display())
            }
            Unit::Line { source, number, .. } => write!(f, "{}:{number}", source.path.display()),
        }
    }
}

/// The documents of one parallel step. Lines share one buffer, kept from step to step, so
/// that reading a line allocates nothing.
#[derive(Default)]
struct Batch<'a> {
    units: Vec<Unit<'a>>,
    text: Vec<u8>,
}

#[derive(Serialize)]
struct Report<'a> {
    file: &'a str,
    valid: bool,
    fragments: &'a [corridor_verify::Fragment],
}

/// Counts of what was verified.
#[derive(Default)]
pub struct Tally {
    pub valid: usize,
    pub not_valid: usize,
    /// Of those not valid, the ones that only because the outside world could not be asked.
    pub cut_off: usize,
}

/// Where the checks reach the outside world: revocation responders, DNS, a chain.
#[derive(clap::Args, Debug)]
pub struct WorldArgs {
    /// Do not reach the network: revocation responders, DNS and chains are not asked, and
    /// their checks are reported SKIPPED.
    #[arg(long)]
    pub offline: bool,
    /// Seconds to wait for a revocation responder or a DNS answer before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
    /// Where issuers' DNS identity records are looked up: `system` (the system's
    /// resolver), a nameserver as IP:PORT (UDP, and TCP for long answers), or a
    /// DNS-over-HTTPS endpoint: RFC 8484's when its path is /dns-query
    /// (https://doh.pub/dns-query), else the JSON form (https://dns.google/resolve,
    /// https://dns.alidns.com/resolve). Repeat to have the next asked when one cannot be
    /// reached or fails. Default: the --region's resolvers, else `system`.
    #[arg(long, value_name = "WHERE")]
    pub dns: Vec<String>,
    /// The chain DNS-TXT records must name (their netId). Default: the network's, given
    /// with --network; else Ethereum mainnet's, 1, as TradeTrust's.
    #[arg(long, value_name = "ID")]
    pub chain_id: Option<u64>,
    /// A folder answering for the network (`DIR/index.json` maps URLs to files, as TrustVC's
    /// fixture worlds are laid out): W3C credentials' DID documents, status lists and contexts
    /// are read from it first; what it lacks is fetched as usual, or with --offline not
    /// checked. A URL it lacks on a host it serves is not found, and a host its `unknownHosts`
    /// names (or every host it does not list, when that is not a list) does not exist.
    #[arg(long, value_name = "DIR")]
    pub world: Option<std::path::PathBuf>,
    /// Check the HTTPS servers documents are fetched from (did:web documents, status lists,
    /// revocation responders) against the certificate authorities in this PEM file instead of
    /// the Mozilla roots built in: a private network's own CA.
    #[arg(long, value_name = "FILE.pem")]
    pub tls_ca: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub network: crate::chain::NetworkArgs,
}

/// The outside world as the arguments name it, connected: what each verifier gets.
pub struct World {
    /// None offline.
    clients: Option<Clients>,
    /// The folder given with --world.
    folder: Option<corridor_net::World>,
    chain_id: u64,
    /// Shared by every verifier: the client keeps no answers, only connections.
    contracts: Option<std::sync::Arc<dyn corridor_verify::providers::ContractReader>>,
}

/// The network clients, built once and shared by every verifier; each verifier gets its own
/// answers (`World::providers`), since revocations change between runs.
struct Clients {
    http: corridor_net::HttpClient,
    dns: corridor_net::DnsResolver,
}

impl WorldArgs {
    /// The chain whose token registries `corridor serve`'s title routes answer for, when one
    /// is named (and not --offline): a client of its own, which waits for a transaction no
    /// longer than a request may take.
    pub fn titles_chain(
        &self,
        request_timeout: std::time::Duration,
    ) -> Result<Option<corridor_chain::Chain>> {
        if self.offline || !self.network.is_named() {
            return Ok(None);
        }
        let options = corridor_chain::ChainOptions {
            wait: request_timeout,
            ..self.network.options()
        };
        Ok(Some(corridor_chain::Chain::new(
            self.network.target()?,
            options,
        )?))
    }

    /// Connects to what the arguments name (nothing is asked yet), checking they make sense;
    /// fetches go where `policy` lets them.
    pub fn connect(&self, policy: &corridor_net::FetchPolicy) -> Result<World> {
        let chain = if self.offline {
            None
        } else {
            self.network.connect_if_named()?
        };
        let network_id = chain.as_ref().map(|c| c.target().chain_id);
        if let (Some(asked), Some(id)) = (self.chain_id, network_id)
            && asked != id
        {
            anyhow::bail!("--chain-id {asked} differs from the network's chain id {id}");
        }
        let timeout = std::time::Duration::from_secs(self.timeout);
        let clients = if self.offline {
            None
        } else {
            let roots = match &self.tls_ca {
                Some(path) => {
                    let pem = std::fs::read(path)
                        .with_context(|| format!("--tls-ca {}: cannot be read", path.display()))?;
                    Some(
                        corridor_net::TrustedRoots::from_pem(&pem)
                            .map_err(|why| anyhow::anyhow!("--tls-ca {}: {why}", path.display()))?,
                    )
                }
                None => None,
            };
            Some(Clients {
                http: corridor_net::HttpClient::trusting(timeout, policy, roots.as_ref()),
                dns: self.dns_resolver(timeout, policy)?,
            })
        };
        let folder = match &self.world {
            Some(dir) => Some(
                corridor_net::World::open(dir)
                    .with_context(|| format!("--world {}", dir.display()))?,
            ),
            None => None,
        };
        Ok(World {
            clients,
            folder,
            chain_id: self.chain_id.or(network_id).unwrap_or(1),
            contracts: chain.map(|chain| {
                std::sync::Arc::new(corridor_chain::ChainContracts { chain })
                    as std::sync::Arc<dyn corridor_verify::providers::ContractReader>
            }),
        })
    }
}

impl World {
    /// Providers over the world's clients with no answers kept yet, sharing `budget`: what
    /// one run (or one request) of verification asks.
    pub fn providers(&self, budget: corridor_net::QuestionBudget) -> corridor_verify::Providers {
        use corridor_verify::providers::HttpGet;
        use std::sync::Arc;
        let network: Option<Arc<dyn HttpGet>> = self
            .clients
            .as_ref()
            .map(|c| Arc::new(c.http.for_run(budget.clone())) as Arc<dyn HttpGet>);
        let http = match &self.folder {
            Some(world) => Some(Arc::new(corridor_net::WorldFirst {
                world: world.clone(),
                network,
            }) as Arc<dyn HttpGet>),
            None => network,
        };
        let Some(clients) = &self.clients else {
            return corridor_verify::Providers {
                http,
                ..corridor_verify::Providers::offline()
            };
        };
        corridor_verify::Providers {
            http,
            dns: Some(Arc::new(clients.dns.for_run(budget))),
            contracts: self.contracts.clone(),
            chain_id: self.chain_id,
        }
    }

    pub fn decision(&self) -> Decision {
        if self.clients.is_none() {
            Decision::Offline
        } else {
            Decision::TtVerify
        }
    }
}

impl WorldArgs {
    /// The resolvers `--dns` names, or else the region's, or else the system's, asked in
    /// turn; DNS over HTTPS is fetched where `policy` lets.
    fn dns_resolver(
        &self,
        timeout: std::time::Duration,
        policy: &corridor_net::FetchPolicy,
    ) -> Result<corridor_net::DnsResolver> {
        let named: Vec<&str> = match (&self.dns[..], self.network.region) {
            ([], Some(region)) => region.doh_resolvers().to_vec(),
            ([], None) => vec!["system"],
            (given, _) => given.iter().map(String::as_str).collect(),
        };
        let each = named
            .into_iter()
            .map(|dns| dns_resolver(dns, timeout, policy))
            .collect::<Result<Vec<_>>>()?;
        corridor_net::DnsResolver::in_turn(each).context("no DNS resolver named")
    }
}

/// The resolver one `--dns` names; DNS over HTTPS is fetched where `policy` lets.
fn dns_resolver(
    dns: &str,
    timeout: std::time::Duration,
    policy: &corridor_net::FetchPolicy,
) -> Result<corridor_net::DnsResolver> {
    Ok(if dns == "system" {
        corridor_net::DnsResolver::system(timeout)?
    } else if dns.starts_with("https://") || dns.starts_with("http://") {
        corridor_net::DnsResolver::doh(dns, timeout, policy)
    } else {
        let address: std::net::SocketAddr = dns.parse().map_err(|_| {
            anyhow::anyhow!("--dns {dns:?}: give `system`, a nameserver as IP:PORT, or an https:// DNS-over-HTTPS URL")
        })?;
        corridor_net::DnsResolver::nameserver(address, timeout)?
    })
}

/// How a verdict is decided: as tt-verify's `isValid`, or, offline, on what could be checked.
#[derive(Clone, Copy)]
pub enum Decision {
    TtVerify,
    Offline,
}

impl Decision {
    fn valid(self, verdict: &Verdict) -> bool {
        match self {
            Decision::TtVerify => verdict.is_valid(),
            Decision::Offline => verdict.is_valid_offline(),
        }
    }
}

pub fn run(
    sources: &[Source],
    verifier: &Verifier,
    decision: Decision,
    json: bool,
    max_size: u64,
) -> Result<Tally> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut tally = Tally::default();
    let mut batch = Batch::default();

    let mut flush = |batch: &mut Batch, out: &mut BufWriter<_>| -> Result<()> {
        // Read every document, ask the outside world at once what they need, then check.
        let subjects: Vec<Result<Subject, String>> = batch
            .units
            .par_chunks(READ_TOGETHER)
            .flat_map_iter(|units| Unit::read_many(units, &batch.text, max_size))
            .collect();
        let read: Vec<&Subject> = subjects.iter().filter_map(|s| s.as_ref().ok()).collect();
        verifier.prefetch(&read);
        let verdicts: Vec<Verdict> = subjects
            .par_iter()
            .map(|subject| match subject {
                Ok(subject) => verifier.verify(subject),
                Err(why) => verifier.unreadable(why),
            })
            .collect();
        for (unit, verdict) in batch.units.iter().zip(verdicts) {
            let valid = decision.valid(&verdict);
            if valid {
                tally.valid += 1
            } else {
                tally.not_valid += 1;
                tally.cut_off += usize::from(verdict.is_cut_off());
            }
            if json {
                serde_json::to_writer(
                    &mut *out,
                    &Report {
                        file: &unit.to_string(),
                        valid,
                        fragments: &verdict.fragments,
                    },
                )?;
                writeln!(out)?;
            } else {
                write_human(out, unit, &verdict, valid)?;
            }
        }
        batch.units.clear();
        batch.text.clear();
        Ok(())
    };

    for source in sources {
        if source.lines {
            let mut lines = match Lines::open(&source.path, max_size) {
                Ok(lines) => lines,
                Err(e) => {
                    let why = format!("{e:#}");
                    batch.units.push(Unit::Unreadable { source, why });
                    continue;
                }
            };
            loop {
                let start = batch.text.len();
                match lines.read_line(&mut batch.text) {
                    Ok(Some(number)) => batch.units.push(Unit::Line {
                        source,
                        number,
                        text: start..batch.text.len(),
                    }),
                    Ok(None) => break,
                    Err(e) => {
                        let why = format!("{e:#}");
                        batch.units.push(Unit::Unreadable { source, why });
                        break;
                    }
                }
                if batch.units.len() == CHUNK {
                    flush(&mut batch, &mut out)?;
                }
            }
        } else {
            batch.units.push(Unit::File(source));
        }
        if batch.units.len() >= CHUNK {
            flush(&mut batch, &mut out)?;
        }
    }
    flush(&mut batch, &mut out)?;
    out.flush().context("cannot write to standard output")?;
    Ok(tally)
}

/// The text view of one verdict: `valid` and the domains that vouched for the issuers, or one
/// line for each check that did not pass.
fn write_human(out: &mut impl Write, label: &Unit, verdict: &Verdict, valid: bool) -> Result<()> {
    if valid {
        let domains = vouching_domains(verdict);
        if domains.is_empty() {
            writeln!(out, "valid    {label}")?;
        } else {
            writeln!(out, "valid    {label}: issued by {}", domains.join(", "))?;
        }
        return Ok(());
    }
    let unpassed = unpassed(verdict);
    if unpassed.is_empty() {
        writeln!(out, "ERROR    {label}")?;
    }
    for f in unpassed {
        let status = match f.status {
            Status::Invalid => "INVALID",
            Status::Error | Status::Unreachable => "ERROR",
            Status::Valid => "VALID",
            Status::Skipped | Status::NotChecked => "SKIPPED",
        };
        let message = f.reason.as_ref().map(|r| &*r.message).unwrap_or("");
        write!(out, "{status:<8} {label}: {}: {message}", f.name)?;
        match &f.data {
            Some(FragmentData::DnsTxt(issuers)) => {
                for issuer in issuers {
                    write_other_chains(out, issuer)?;
                }
            }
            Some(FragmentData::DnsTxtIdentifier(identity)) => write_other_chains(out, &identity.0)?,
            _ => {}
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Every check that did not pass, in the pipeline's order: each fault (`INVALID`, `ERROR`),
/// and for a question nothing answered (no fragment of its kind valid) and no fault explains,
/// the checks that apply but were not run, or, when none applies, every check of that kind.
fn unpassed(verdict: &Verdict) -> Vec<&Fragment> {
    let any = |kind: FragmentType, status: fn(Status) -> bool| {
        verdict
            .fragments
            .iter()
            .any(|f| f.kind == kind && status(f.status))
    };
    let unanswered = |kind| !any(kind, |s| s == Status::Valid);
    verdict
        .fragments
        .iter()
        .filter(|f| match f.status {
            Status::Invalid | Status::Error | Status::Unreachable => true,
            Status::Valid => false,
            Status::NotChecked => unanswered(f.kind),
            Status::Skipped => {
                unanswered(f.kind)
                    && !any(f.kind, |s| !matches!(s, Status::Valid | Status::Skipped))
            }
        })
        .collect()
}

/// The domains whose DNS records vouched for the issuers (DNS-TXT or DNS-DID identity).
fn vouching_domains(verdict: &Verdict) -> Vec<&str> {
    let mut domains = Vec::new();
    for f in verdict
        .fragments
        .iter()
        .filter(|f| f.status == Status::Valid)
    {
        match &f.data {
            Some(FragmentData::DnsTxt(issuers)) => {
                domains.extend(issuers.iter().filter_map(|issuer| match issuer {
                    DnsTxtIssuer::Asked { location, .. } => Some(dns_name(location)),
                    DnsTxtIssuer::NotDnsTxt => None,
                }))
            }
            Some(FragmentData::DnsDid(issuers)) => {
                domains.extend(issuers.iter().map(|issuer| dns_name(&issuer.location)))
            }
            Some(FragmentData::DnsTxtIdentifier(identity)) => {
                if let DnsTxtIssuer::Asked { location, .. } = &identity.0 {
                    domains.push(dns_name(location));
                }
            }
            Some(FragmentData::DnsDidIdentifier(issuer)) => {
                domains.push(dns_name(&issuer.location))
            }
            // W3C credentials' issuers are DIDs, not domains vouching.
            Some(
                FragmentData::Passed(_)
                | FragmentData::StatusEntries(_)
                | FragmentData::TokenRegistry { .. },
            )
            | None => {}
        }
    }
    domains.dedup();
    domains
}

/// For an issuer whose domain names its contract on other chains than the one asked about,
/// which: the usual cause is a run asking about the wrong chain.
fn write_other_chains(out: &mut impl Write, issuer: &DnsTxtIssuer) -> Result<()> {
    let DnsTxtIssuer::Asked {
        location,
        found: DnsTxtFound::NotFound {
            chain_id,
            other_chains,
        },
        ..
    } = issuer
    else {
        return Ok(());
    };
    if other_chains.is_empty() {
        return Ok(());
    }
    let s = if other_chains.len() == 1 { "" } else { "s" };
    write!(
        out,
        " (the records at {} name it on chain{s} {}, and this run asked about chain {chain_id}: \
         give --chain-id or --network)",
        dns_name(location),
        other_chains.join(", ")
    )?;
    Ok(())
}
