//! `corridor serve`: the HTTP API, the portal, the revocation responder and the title
//! registries.

use std::io::Write;

use anyhow::{Context, Result};

use crate::exit::Exit;
use crate::home::Home;
use crate::{input, secrets};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// How verification requests reach the outside world (as for `corridor verify`, but see
    /// --allow-fetch and --fetch-budget).
    #[command(flatten)]
    world: crate::verify::WorldArgs,
    /// A host that fetches made for a request may reach whatever its addresses, over plain
    /// http too: HOST or HOST:PORT (an IPv6 address in brackets); repeatable. Other fetches
    /// (revocation responders, DNS over HTTPS) reach only public addresses, over https, but
    /// for this server's own origin (--public-url, or the address it listens on).
    #[arg(long = "allow-fetch", value_name = "HOST[:PORT]")]
    allow_fetch: Vec<corridor_net::AllowedHost>,
    /// The most distinct outside questions one request may ask: each URL fetched and each
    /// DNS name looked up counts once for the request. Checks whose questions come after
    /// are reported SKIPPED, saying why; so are those asked after the request's time.
    #[arg(long, value_name = "N", default_value_t = 256)]
    fetch_budget: usize,
    /// Largest request body, in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = input::parse_size)]
    max_body: u64,
    /// Seconds one request may take before it is answered with a timeout error.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    request_timeout: u64,
    /// How often the documents traceability events link to (certificates, bills of lading)
    /// are verified again while the records stay the same: a certificate its issuer revokes
    /// elsewhere counts at the checkout within this (5m, 30s, …).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = humantime::parse_duration)]
    recheck_documents: std::time::Duration,
    /// How many heavy requests (verify, wrap, obfuscate, issue) are worked on at once; by
    /// default one a core. A request that times out stops its work and frees its worker.
    #[arg(long, value_name = "N")]
    workers: Option<std::num::NonZeroUsize>,
    /// How many more heavy requests may wait for a worker (their bodies read meanwhile);
    /// beyond them a request is answered at once with 503 `busy` and `Retry-After`.
    #[arg(long, value_name = "N", default_value_t = 32)]
    queue: usize,
    /// The issuer key `POST /api/issue` signs with (--key NAME or --private-key-env VAR);
    /// without one, the server does not issue. Its batches are recorded under the key's
    /// name (the DID for a raw key).
    #[command(flatten)]
    issuer: secrets::SignerArgs,
    /// With an issuer key: the domain whose DNS vouches for it (its DNS-DID record, and the
    /// DNS-TXT records of its title registries). The server names it, and only it, in what
    /// it issues.
    #[arg(long, value_name = "DOMAIN")]
    issuer_domain: Option<String>,
    /// With an issuer key: the name documents show as their issuer's. Default: the key's name.
    #[arg(long, value_name = "TEXT")]
    issuer_name: Option<String>,
    /// A party's own key, for the traceability events its tokens (`corridor token new
    /// --party`) capture, as `corridor trace record --party` signs them, where other events
    /// are signed by --key. An Ethereum key as PARTY=KEY@DOMAIN
    /// (6918790000008=packer@packer.example): OpenAttestation credentials naming the domain
    /// whose DNS-DID record vouches for the key. A Multikey as PARTY=KEY@DID_URL
    /// (6918790000008=packer@did:web:packer.example#keys-1): each event a W3C credential
    /// (`trace record --suite`), with an entry of the store's revocation list that key signs
    /// as that method (`corridor status-list new … --key KEY --verification-method DID_URL`).
    /// Unlocked with the keystore password read as for --key. Repeat for several parties.
    #[arg(long = "party-key", value_name = "PARTY=KEY@DOMAIN|DID_URL", value_parser = parse_party_key)]
    party_keys: Vec<PartyKey>,
    /// The URL clients reach this server at (behind a proxy, the proxy's): documents it
    /// issues name `URL/ocsp/<key name>` as their revocation responder. Default: the address
    /// it listens on, which must then not be 0.0.0.0 or [::].
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Writes each API token may make in a minute, in a burst or spread out; past them it is
    /// answered 429 with Retry-After.
    #[arg(long, value_name = "N", default_value = "60")]
    writes_per_minute: std::num::NonZeroU32,
    #[command(flatten)]
    shares: ShareArgs,
    /// The most the store's file may grow to (K, M, G); a write past it is refused with 507,
    /// as one on a full disk is. Unlimited by default.
    #[arg(long, value_name = "BYTES", value_parser = input::parse_size)]
    store_max_size: Option<u64>,
    /// A did:web issuer's DID document to host (see `corridor did document`), at the path its
    /// DID resolves to: /.well-known/did.json for did:web:HOST, /A/B/did.json for
    /// did:web:HOST:A:B. Repeat for several.
    #[arg(long = "did-document", value_name = "FILE")]
    did_documents: Vec<std::path::PathBuf>,
    #[command(flatten)]
    w3c: W3cIssuerArgs,
    #[command(flatten)]
    follow: FollowArgs,
    /// An issuer's renderer the portal may show documents with: the origin of the page a
    /// document names to draw it (OpenAttestation `$template.url`, a W3C `renderMethod` of
    /// type EMBEDDED_RENDERER), as https://renderer.example; repeatable. `any-https` allows
    /// every https origin, as TradeTrust's own site does. The portal loads the renderer in a
    /// sandboxed frame, and its pages may frame these origins and no other. By default none:
    /// every document is laid out by the built-in templates, and a page says which renderer
    /// its document named.
    #[arg(long = "allow-renderer", value_name = "ORIGIN|any-https", value_parser = parse_renderer)]
    allow_renderer: Vec<Renderer>,
    /// How long the portal waits for an allowed renderer to answer (5s, as TradeTrust's site)
    /// before it lays the document out with the built-in template, saying so.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = humantime::parse_duration)]
    renderer_wait: std::time::Duration,
}

/// One `--allow-renderer`: an origin, or any https one.
#[derive(Clone)]
enum Renderer {
    Origin(corridor_server::RendererOrigin),
    AnyHttps,
}

fn parse_renderer(text: &str) -> Result<Renderer, String> {
    if text == "any-https" {
        return Ok(Renderer::AnyHttps);
    }
    text.parse().map(Renderer::Origin)
}

/// The renderers the portal may load; none of them this server's own origin, where a framed
/// page allowed its scripts and its origin would be the portal's own.
fn renderers(given: &[Renderer], public_url: &str) -> Result<corridor_server::Renderers> {
    use corridor_server::Renderers;
    if given.iter().any(|r| matches!(r, Renderer::AnyHttps)) {
        return Ok(Renderers::AnyHttps);
    }
    let own: Option<corridor_server::RendererOrigin> = public_url
        .split_once("://")
        .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or_default()))
        .and_then(|origin| origin.parse().ok());
    let origins: Vec<_> = given
        .iter()
        .filter_map(|r| match r {
            Renderer::Origin(origin) => Some(origin.clone()),
            Renderer::AnyHttps => None,
        })
        .collect();
    if let Some(origin) = origins.iter().find(|o| Some(*o) == own.as_ref()) {
        anyhow::bail!(
            "--allow-renderer {origin}: that is this server's own origin; a renderer must be served from another"
        );
    }
    Ok(if origins.is_empty() {
        Renderers::None
    } else {
        Renderers::Listed(origins)
    })
}

/// Peers whose documents this node answers for, from replicas of their status feeds.
#[derive(clap::Args)]
struct FollowArgs {
    /// A peer node's status feed to follow (https://peer.example/api/feed); repeatable. Its
    /// entries are checked (hash chain, the head signed by the key the peer's domain vouches
    /// for by DNS-DID) and kept in this store; from then on verification here asks the
    /// replica, not the peer, about revocation at the peer's responder and the status lists
    /// it publishes. A feed forged, reordered, truncated or forked is refused and named (see
    /// GET /api/peers), and the last good state goes on answering.
    #[arg(long = "follow", value_name = "URL", value_parser = parse_follow_url)]
    follow: Vec<String>,
    /// How long to pause after asking a followed peer found nothing new. Each question waits
    /// at the peer for a new entry first (at most 20 s, and a quarter of --max-staleness), so
    /// an entry crosses as soon as it is written.
    #[arg(long, value_name = "DURATION", default_value = "200ms", value_parser = humantime::parse_duration)]
    follow_every: std::time::Duration,
    /// How old a replica may be and still answer (by the older of the peer's signed time
    /// and when this node last reached it). Past it, what the replica would answer is an
    /// ERROR, "could not be confirmed since …": never valid on old data, never revoked
    /// because the link failed.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = humantime::parse_duration)]
    max_staleness: std::time::Duration,
}

/// A peer's feed URL: http(s), a host, no fragment.
fn parse_follow_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| format!("{text:?} is not an http(s) URL"))?;
    if rest.is_empty() || rest.starts_with('/') || text.contains('#') {
        return Err(format!(
            "{text:?} is not a peer's feed URL (https://peer.example/api/feed)"
        ));
    }
    Ok(text.to_string())
}

/// The W3C issuer `POST /api/issue` signs credentials as when asked for `"format": "w3c"`.
#[derive(clap::Args)]
struct W3cIssuerArgs {
    /// A Multikey (`corridor key new NAME --type p256` for ecdsa-sd-2023, `--type bls12-381`
    /// for bbs-2023) the server signs W3C credentials with, as `corridor sign --suite` does;
    /// unlocked with the keystore password read as for --key. Without one, the server issues
    /// no W3C credentials.
    #[arg(long = "w3c-key", value_name = "NAME", requires_all = ["w3c_method", "w3c_status_list"])]
    w3c_key: Option<String>,
    /// The key in its issuer's DID document, as did:web:example.com#keys-1 (see `corridor did
    /// document`, and --did-document to host it): the credentials' issuer is that DID.
    #[arg(long = "w3c-method", value_name = "DID_URL", requires = "w3c_key")]
    w3c_method: Option<String>,
    /// The status list of the store (see `corridor status-list new`, made with --w3c-key as
    /// --w3c-method, since the server signs it again when it revokes)
    /// each credential gets an entry of, so that it can be revoked or suspended; the server
    /// publishes it. Transferable records get their title instead.
    #[arg(long = "w3c-status-list", value_name = "URL", requires = "w3c_key")]
    w3c_status_list: Option<String>,
}

impl W3cIssuerArgs {
    /// The W3C issuer, its key unlocked, if one was named.
    fn issuer(
        &self,
        home: &Home,
        password: &secrets::PasswordArgs,
    ) -> Result<Option<corridor_server::W3cIssuer>> {
        let (Some(name), Some(method), Some(url)) =
            (&self.w3c_key, &self.w3c_method, &self.w3c_status_list)
        else {
            return Ok(None);
        };
        let list = home.store()?.status_list(url)?.with_context(|| {
            format!("--w3c-status-list {url}: no such list in the store (make one with `corridor status-list new`)")
        })?;
        let key = home
            .keyring()?
            .unlock_multikey(name, password.read(false)?.as_bytes())
            .with_context(|| format!("--w3c-key {name}"))?;
        let issuer = corridor_server::W3cIssuer::new(key, name, method.clone(), &list)
            .with_context(|| format!("--w3c-method {method}"))?;
        Ok(Some(issuer))
    }
}

/// A DID document file, checked, with the path it is served at.
fn did_document(file: &std::path::Path) -> Result<corridor_server::DidDocument> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("--did-document {}", file.display()))?;
    let document: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("--did-document {}: not JSON", file.display()))?;
    let id = document
        .get("id")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let url = corridor_verify::w3c::did_web_url(id)
        .filter(|_| corridor_verify::w3c::did_of(id) == id)
        .with_context(|| {
            format!(
                "--did-document {}: its id {id:?} is not a did:web DID",
                file.display()
            )
        })?;
    let path = url
        .strip_prefix("https://")
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| "/.well-known/did.json".into());
    Ok(corridor_server::DidDocument {
        path,
        json: text.into(),
    })
}

/// What shares may be.
#[derive(clap::Args)]
struct ShareArgs {
    /// The largest share (its encrypted envelope), in bytes; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "2M", value_parser = input::parse_size)]
    share_max_bytes: u64,
    /// How long a share is kept unless its sharer asks otherwise ("expiresIn"): 7d, 12h, …
    #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = humantime::parse_duration)]
    share_lifetime: std::time::Duration,
    /// The longest a sharer may ask a share to be kept.
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = humantime::parse_duration)]
    share_max_lifetime: std::time::Duration,
    /// The most live shares one API token may keep.
    #[arg(long, value_name = "N", default_value_t = 100)]
    shares_per_token: u64,
    /// The most bytes of live shares one API token may keep; K, M and G suffixes allowed.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = input::parse_size)]
    share_bytes_per_token: u64,
    /// Room kept for revocations and everything else but shares: a share that would leave
    /// less free (on the disk, or under --store-max-size) is refused with 507.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = input::parse_size)]
    store_reserve: u64,
}

impl ShareArgs {
    fn policy(&self) -> Result<corridor_server::SharePolicy> {
        if self.share_lifetime > self.share_max_lifetime || self.share_lifetime.is_zero() {
            anyhow::bail!(
                "--share-lifetime must be more than nothing and at most --share-max-lifetime ({})",
                humantime::format_duration(self.share_max_lifetime)
            );
        }
        Ok(corridor_server::SharePolicy {
            max_bytes: self.share_max_bytes,
            lifetime: self.share_lifetime,
            max_lifetime: self.share_max_lifetime,
            limits: corridor_ledger::ShareLimits {
                per_token: self.shares_per_token,
                bytes_per_token: self.share_bytes_per_token,
                reserve: self.store_reserve,
            },
        })
    }
}

pub fn run(home: &Home, args: &ServeArgs) -> Result<Exit> {
    let ServeArgs {
        listen,
        world,
        allow_fetch,
        fetch_budget,
        max_body,
        request_timeout,
        recheck_documents,
        workers,
        queue,
        issuer,
        issuer_domain,
        issuer_name,
        party_keys,
        public_url,
        writes_per_minute,
        shares,
        store_max_size,
        did_documents,
        w3c,
        follow,
        allow_renderer,
        renderer_wait,
    } = args;
    let renderers = renderers(
        allow_renderer,
        public_url
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"))
            .as_str(),
    )?;
    let follow_every = follow
        .follow_every
        .max(std::time::Duration::from_millis(50));
    let max_staleness = follow.max_staleness;
    // The same feed twice would be two followers racing on one replica.
    let mut peers = follow.follow.clone();
    let mut seen = std::collections::HashSet::new();
    peers.retain(|url| seen.insert(url.clone()));
    let w3c_issuer = w3c.issuer(home, &issuer.password)?.map(std::sync::Arc::new);
    let did_documents: Vec<corridor_server::DidDocument> = did_documents
        .iter()
        .map(|f| did_document(f))
        .collect::<Result<_>>()?;
    let public_url = match public_url {
        Some(url) => url.clone(),
        None if listen.ip().is_unspecified() && (issuer.is_given() || !party_keys.is_empty()) => {
            anyhow::bail!(
                "--public-url is needed to issue from a server listening on {listen}: the URL \
                 clients reach it at, which the documents it issues name as their responder"
            );
        }
        // Port 0 is known once listening; the responder's URL is made then.
        None => String::new(),
    };
    let parties = if party_keys.is_empty() {
        Vec::new()
    } else {
        let keyring = home.keyring()?;
        let password = issuer.password.read(false)?;
        let store = home.store()?;
        let mut seen = std::collections::HashSet::new();
        party_keys
            .iter()
            .map(|key| {
                if !seen.insert(key.party) {
                    anyhow::bail!("--party-key names party {} twice", key.party);
                }
                let corridor_keys::KeyKind::Multikey { .. } = keyring.info(&key.key)?.kind else {
                    let signer = keyring.unlock(&key.key, password.as_bytes())?;
                    let shown_as = super::trace::party_name(&store, &key.party)
                        .unwrap_or_else(|| key.at.clone());
                    return Ok(PartySetting::OpenAttestation(
                        key.clone(),
                        Box::new(signer),
                        shown_as,
                    ));
                };
                let method = &key.at;
                let list = party_status_list(&store, &key.key, method)?;
                let multikey = keyring.unlock_multikey(&key.key, password.as_bytes())?;
                let issuer =
                    corridor_server::W3cIssuer::new(multikey, &key.key, method.clone(), &list)?;
                Ok(PartySetting::W3c(key.party, std::sync::Arc::new(issuer)))
            })
            .collect::<Result<Vec<_>>>()?
    };
    let issuer = match (issuer.is_given(), issuer_domain) {
        (false, _) => None,
        (true, None) => {
            anyhow::bail!(
                "--issuer-domain is needed with an issuer key: the domain whose DNS vouches for it"
            );
        }
        (true, Some(domain)) => {
            let signer = issuer.signer(&home.keyring()?)?;
            let name = issuer.issuer_name(&signer);
            let shown_as = issuer_name.clone().unwrap_or_else(|| name.clone());
            Some(IssuerSetting {
                name,
                signer,
                shown_as,
                domain: domain.clone(),
            })
        }
    };
    let timeout = std::time::Duration::from_secs((*request_timeout).max(1));
    let chain = world.titles_chain(timeout)?.map(std::sync::Arc::new);
    let store = home.store_location()?;
    let max_body = usize::try_from(*max_body).unwrap_or(usize::MAX);
    let workers = workers.unwrap_or_else(|| {
        std::thread::available_parallelism().unwrap_or(std::num::NonZeroUsize::MIN)
    });
    let queue = *queue;
    let writes_per_minute = *writes_per_minute;
    let shares = shares.policy()?;
    let store_max_size = *store_max_size;
    let fetch_budget = *fetch_budget;
    // Outside questions end a little before the request does, so that its answer is the
    // verdict, saying which checks ran out of time, rather than a bare timeout.
    let question_time =
        timeout.saturating_sub((timeout / 5).min(std::time::Duration::from_secs(2)));
    serve(*listen, move |address| {
        let public_url = match public_url.as_str() {
            "" => format!("http://{address}"),
            given => given.to_string(),
        };
        let issuer = issuer
            .map(|i| {
                corridor_server::Issuer::new(i.name, i.signer, i.shown_as, &i.domain, &public_url)
                    .map(std::sync::Arc::new)
            })
            .transpose()?;
        let party_issuers = parties
            .into_iter()
            .map(|setting| match setting {
                PartySetting::OpenAttestation(key, signer, shown_as) => {
                    let issuer = corridor_server::Issuer::new(
                        key.key,
                        *signer,
                        shown_as,
                        &key.at,
                        &public_url,
                    )?;
                    Ok((
                        key.party,
                        corridor_server::PartyIssuer::OpenAttestation(std::sync::Arc::new(issuer)),
                    ))
                }
                PartySetting::W3c(party, issuer) => {
                    Ok((party, corridor_server::PartyIssuer::W3c(issuer)))
                }
            })
            .collect::<Result<_>>()?;
        // Strangers choose the documents: their fetches stay out of this server's networks,
        // but for the server itself (its own responder, asked about what it issued).
        let allowed = allow_fetch
            .iter()
            .cloned()
            .chain([own_origin(&public_url)?])
            .collect();
        let world =
            std::sync::Arc::new(world.connect(&corridor_net::FetchPolicy::PublicOnly { allowed })?);
        let offline = matches!(world.decision(), crate::verify::Decision::Offline);
        let follow = (!peers.is_empty()).then(|| corridor_server::FollowConfig {
            peers,
            every: follow_every,
            max_staleness,
            timeout,
            dns: world
                .providers(corridor_net::QuestionBudget::unlimited())
                .dns,
        });
        Ok(corridor_server::ServerConfig {
            store,
            providers: std::sync::Arc::new(move || {
                let budget = corridor_net::QuestionBudget::limited(fetch_budget, question_time);
                world.providers(budget)
            }),
            follow,
            offline,
            max_body,
            timeout,
            workers,
            queue,
            issuer,
            party_issuers,
            w3c_issuer: w3c_issuer.clone(),
            chain,
            writes_per_minute,
            shares,
            store_max_size,
            did_documents: did_documents.clone(),
            recheck_documents: *recheck_documents,
            renderers: renderers.clone(),
            renderer_wait: *renderer_wait,
        })
    })?;
    Ok(Exit::Success)
}

/// The host (and port) of this server's public URL: fetches made for requests may always
/// reach it, since asking the server's own public routes forges nothing.
fn own_origin(public_url: &str) -> Result<corridor_net::AllowedHost> {
    let after_scheme = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    authority
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--public-url: {e}"))
}

/// A party's own key, as `--party-key` names it.
#[derive(Debug, Clone)]
struct PartyKey {
    party: corridor_gs1::Gln,
    key: String,
    /// The domain vouching for an Ethereum key, or a Multikey's did:web method.
    at: String,
}

/// A party's key unlocked, before the server's address is known.
enum PartySetting {
    /// The key, its signer, and the name its credentials show.
    OpenAttestation(PartyKey, Box<corridor_format::did::DidSigner>, String),
    W3c(
        corridor_gs1::Gln,
        std::sync::Arc<corridor_server::W3cIssuer>,
    ),
}

/// `PARTY=KEY@DOMAIN` or `PARTY=KEY@DID_URL`.
fn parse_party_key(text: &str) -> Result<PartyKey, String> {
    let shape = || {
        format!(
            "{text:?} is not PARTY=KEY@DOMAIN or PARTY=KEY@DID_URL (as 6918790000008=packer@packer.example)"
        )
    };
    let (party, rest) = text.split_once('=').ok_or_else(shape)?;
    // A DID URL has no `@`, and a key's name may: the first `@` before `did:` or the last.
    let (key, at) = match rest.find("@did:") {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => rest.rsplit_once('@').ok_or_else(shape)?,
    };
    if key.is_empty() || at.is_empty() {
        return Err(shape());
    }
    Ok(PartyKey {
        party: super::trace::parse_party(party)?,
        key: key.to_owned(),
        at: at.to_owned(),
    })
}

/// The store's revocation list that the Multikey `key` signs as `method`, with entries left:
/// the first by its URL, if several.
fn party_status_list(
    store: &corridor_ledger::Store,
    key: &str,
    method: &str,
) -> Result<corridor_ledger::StatusListRecord> {
    let signed_as = |list: &corridor_ledger::StatusListRecord| {
        serde_json::from_str::<serde_json::Value>(&list.signed)
            .ok()
            .and_then(|c| c["proof"]["verificationMethod"].as_str().map(str::to_owned))
            .as_deref()
            == Some(method)
    };
    store
        .status_lists()?
        .into_iter()
        .find(|list| {
            list.key == key
                && list.purpose == corridor_ledger::StatusPurpose::Revocation
                && list.next < list.len()
                && signed_as(list)
        })
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--party-key {key}@{method}: the store has no revocation list with entries left that {key} signs as {method}, which its events' credentials need; make one with `corridor status-list new URL --purpose revocation --key {key} --verification-method {method}`"
            )
        })
}

/// The issuer as given on the command line, before the server's address is known.
struct IssuerSetting {
    name: String,
    signer: corridor_format::did::DidSigner,
    shown_as: String,
    domain: String,
}

/// Runs the responder until Ctrl-C or SIGTERM, configured by `configure` once the address it
/// listens on is known.
fn serve(
    listen: std::net::SocketAddr,
    configure: impl FnOnce(std::net::SocketAddr) -> Result<corridor_server::ServerConfig>,
) -> Result<()> {
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
        let config = configure(address)?;
        // The first line on standard output, for scripts and tests that asked for port 0.
        println!("listening on http://{address}");
        std::io::stdout().flush()?;
        tracing::info!(store = %config.store, "API at http://{address}/api, revocation responder at /ocsp, title registries at /rpc");
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
