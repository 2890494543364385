//! TXT lookups: the system's resolver, a named nameserver (UDP, then TCP), or DNS over HTTPS
//! in the JSON form Google and Cloudflare serve (fetched as the fetch policy lets). Every
//! lookup has a timeout, and answers are kept for the run.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use corridor_verify::providers::{LookupError, TxtResolver};
use hickory_resolver::Resolver;
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;

use crate::{FetchPolicy, QuestionBudget, RunCache, policy};

/// Where TXT questions go.
enum Backend {
    Dns {
        runtime: DnsRuntime,
        resolver: Box<Resolver<TokioConnectionProvider>>,
        /// Who is asked, for messages: "the system's resolver", "nameserver 10.0.0.53:53".
        asked: String,
        /// The whole wait for one lookup, retries and the move to TCP included.
        timeout: Duration,
    },
    DohJson {
        agent: ureq::Agent,
        url: String,
        /// The agent's own, for one lookup.
        timeout: Duration,
    },
}

/// The hickory resolver's own runtime, shut down without waiting when dropped: the last
/// resolver may go with a server's state, inside async code, where waiting is not allowed.
struct DnsRuntime(Option<tokio::runtime::Runtime>);

impl DnsRuntime {
    fn get(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().expect("taken only when dropped")
    }
}

impl Drop for DnsRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A TXT resolver whose answers are kept for the run.
pub struct DnsResolver {
    backend: Arc<Backend>,
    answers: RunCache<Vec<String>, LookupError>,
}

impl DnsResolver {
    /// The system's resolver (`/etc/resolv.conf` on Unix).
    pub fn system(timeout: Duration) -> Result<DnsResolver, LookupError> {
        let mut builder = Resolver::builder_tokio().map_err(|e| {
            LookupError::Failed(format!("cannot read the system's DNS settings: {e}"))
        })?;
        Self::set(builder.options_mut(), timeout);
        Self::hickory(builder.build(), "the system's resolver".into(), timeout)
    }

    /// One nameserver, asked over UDP and, for answers too large for UDP, TCP.
    pub fn nameserver(address: SocketAddr, timeout: Duration) -> Result<DnsResolver, LookupError> {
        let servers = NameServerConfigGroup::from_ips_clear(&[address.ip()], address.port(), true);
        let config = ResolverConfig::from_parts(None, Vec::new(), servers);
        let mut options = ResolverOpts::default();
        Self::set(&mut options, timeout);
        let resolver = Resolver::builder_with_config(config, TokioConnectionProvider::default())
            .with_options(options)
            .build();
        Self::hickory(resolver, format!("nameserver {address}"), timeout)
    }

    /// DNS over HTTPS, JSON form: `GET <url>?name=<name>&type=TXT` with
    /// `accept: application/dns-json` (`https://dns.google/resolve`,
    /// `https://cloudflare-dns.com/dns-query`), fetched where `policy` lets.
    pub fn doh_json(url: &str, timeout: Duration, policy: &FetchPolicy) -> DnsResolver {
        DnsResolver::with(Backend::DohJson {
            agent: policy.agent(timeout, None),
            url: url.to_string(),
            timeout,
        })
    }

    /// Two tries, each with half the wait: the lookup as a whole is also bounded by `timeout`
    /// (see `lookup`), which hickory's own per-try timeout is not.
    fn set(options: &mut ResolverOpts, timeout: Duration) {
        options.timeout = timeout / 2;
        options.attempts = 2;
        // EDNS, as every modern resolver: without it, an answer too long for plain UDP is
        // never completed over TCP (found by the identity test's long record set).
        options.edns0 = true;
        // The run's own cache is the one that counts; records come as published.
        options.cache_size = 0;
    }

    fn hickory(
        resolver: Resolver<TokioConnectionProvider>,
        asked: String,
        timeout: Duration,
    ) -> Result<DnsResolver, LookupError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| LookupError::Failed(format!("cannot start the DNS client: {e}")))?;
        Ok(DnsResolver::with(Backend::Dns {
            runtime: DnsRuntime(Some(runtime)),
            resolver: Box::new(resolver),
            asked,
            timeout,
        }))
    }

    fn with(backend: Backend) -> DnsResolver {
        DnsResolver {
            backend: Arc::new(backend),
            answers: RunCache::new(QuestionBudget::unlimited()),
        }
    }

    /// The same resolver (its settings, and for DNS its runtime) with no answers kept and
    /// `budget` to spend: for the next run, or a server's next request.
    pub fn for_run(&self, budget: QuestionBudget) -> DnsResolver {
        DnsResolver {
            backend: self.backend.clone(),
            answers: RunCache::new(budget),
        }
    }

    fn lookup(&self, name: &str) -> Result<Vec<String>, LookupError> {
        match &*self.backend {
            Backend::Dns {
                runtime,
                resolver,
                asked,
                timeout,
            } => {
                let wait = self.answers.budget.wait(*timeout);
                let lookup = async { tokio::time::timeout(wait, resolver.txt_lookup(name)).await };
                match runtime.get().block_on(lookup) {
                    Ok(Ok(lookup)) => Ok(lookup
                        .iter()
                        .map(|txt| {
                            txt.txt_data()
                                .iter()
                                .map(|part| String::from_utf8_lossy(part))
                                .collect()
                        })
                        .collect()),
                    Ok(Err(e)) if e.is_no_records_found() => Ok(Vec::new()),
                    Ok(Err(e)) => Err(LookupError::Failed(format!(
                        "TXT lookup of {name} at {asked} failed: {e}"
                    ))),
                    Err(_) => Err(LookupError::Failed(format!(
                        "TXT lookup of {name} at {asked} failed: timed out after {} s",
                        wait.as_secs_f64()
                    ))),
                }
            }
            Backend::DohJson {
                agent,
                url,
                timeout,
            } => doh_json(agent, url, name, self.answers.budget.wait(*timeout)),
        }
    }
}

impl TxtResolver for DnsResolver {
    fn txt(&self, name: &str) -> Result<Vec<String>, LookupError> {
        // DNS names are case-insensitive: one question however a document spells it.
        self.answers
            .get_or_ask(name.to_ascii_lowercase(), || self.lookup(name))
    }
}

/// One DNS-over-HTTPS JSON question, given `wait`; each TXT answer's `data` holds its
/// strings, quoted or not as the service writes them.
fn doh_json(
    agent: &ureq::Agent,
    url: &str,
    name: &str,
    wait: Duration,
) -> Result<Vec<String>, LookupError> {
    let fail =
        |what: String| LookupError::Failed(format!("TXT lookup of {name} at {url} failed: {what}"));
    let mut response = agent
        .get(url)
        .query("name", name)
        .query("type", "TXT")
        .header("accept", "application/dns-json")
        .config()
        .timeout_global(Some(wait))
        .build()
        .call()
        .map_err(|e| match policy::refusal(&e) {
            Some(why) => LookupError::NotAsked(why),
            None => fail(e.to_string()),
        })?;
    if !response.status().is_success() {
        return Err(fail(format!("http status: {}", response.status().as_u16())));
    }
    let mut body = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(crate::MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|e| fail(e.to_string()))?;
    let json: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| fail(format!("not JSON: {e}")))?;
    // As the reference (dnsprove): any JSON answer is an answer, whatever its `Status`; a
    // name that does not exist, or a server that failed, simply has no records.
    if !json.is_object() {
        return Err(fail("the answer is not a JSON object".into()));
    }
    let answers = json
        .get("Answer")
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Ok(answers
        .iter()
        .filter(|a| a.get("type").and_then(serde_json::Value::as_u64) == Some(16))
        .filter_map(|a| a.get("data").and_then(serde_json::Value::as_str))
        // As written: the reference's record grammar drops the quotes some services add.
        .map(str::to_string)
        .collect())
}
