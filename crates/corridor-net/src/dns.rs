//! TXT lookups: the system's resolver, a named nameserver (UDP, then TCP), or DNS over HTTPS,
//! in the JSON form Google, Cloudflare and AliDNS serve or in RFC 8484's DNS messages
//! (fetched as the fetch policy lets); or several of these, tried in order, so that a
//! resolver out of reach from one region hands over to the next. Every lookup has a
//! timeout, and answers are kept for the run.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;

use corridor_verify::providers::{LookupError, TxtResolver};
use hickory_resolver::Resolver;
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::op::{Message, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, RecordType};

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
    Doh {
        agent: ureq::Agent,
        url: String,
        form: DohForm,
        /// The agent's own, for one lookup.
        timeout: Duration,
    },
}

/// How a DNS-over-HTTPS endpoint is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DohForm {
    /// `?name=&type=16`, answered in the JSON Google's `/resolve` introduced.
    Json,
    /// RFC 8484: `?dns=` a DNS message in base64url, answered with a DNS message.
    Message,
}

impl DohForm {
    /// RFC 8484's own path, `/dns-query`, speaks DNS messages; any other, JSON.
    fn of(url: &str) -> DohForm {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        if path.trim_end_matches('/').ends_with("/dns-query") {
            DohForm::Message
        } else {
            DohForm::Json
        }
    }
}

/// The resolvers asked in turn, and which answered last: it is asked first, so that one out
/// of reach costs its timeout once, not on every name.
struct Resolvers {
    each: Vec<Arc<Backend>>,
    first: AtomicUsize,
}

/// What one resolver said.
enum Said {
    Records(Vec<String>),
    /// The resolver answered that it failed (SERVFAIL, REFUSED): the next is asked, and if
    /// none does better, this is read as the reference reads it, no records.
    ServerFailed(String),
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
    resolvers: Arc<Resolvers>,
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

    /// DNS over HTTPS, fetched where `policy` lets. A URL whose path is RFC 8484's
    /// `/dns-query` is sent DNS messages (`https://doh.pub/dns-query`,
    /// `https://cloudflare-dns.com/dns-query`); any other is asked in the JSON form,
    /// `GET <url>?name=<name>&type=16` with `accept: application/dns-json`
    /// (`https://dns.google/resolve`, `https://dns.alidns.com/resolve`).
    pub fn doh(url: &str, timeout: Duration, policy: &FetchPolicy) -> DnsResolver {
        DnsResolver::with(Backend::Doh {
            agent: policy.agent(timeout, None),
            url: url.to_string(),
            form: DohForm::of(url),
            timeout,
        })
    }

    /// Each of `resolvers` in turn, until one answers: the next is asked when one cannot be
    /// reached, times out, or says it failed. The one that answered last is asked first.
    /// `None` when `resolvers` is empty.
    ///
    /// ```
    /// use corridor_net::{DnsResolver, FetchPolicy};
    /// use std::time::Duration;
    /// let wait = Duration::from_secs(5);
    /// let regional = DnsResolver::in_turn(vec![
    ///     DnsResolver::doh("https://dns.alidns.com/resolve", wait, &FetchPolicy::Anywhere),
    ///     DnsResolver::doh("https://doh.pub/dns-query", wait, &FetchPolicy::Anywhere),
    /// ]);
    /// assert!(regional.is_some());
    /// assert!(DnsResolver::in_turn(vec![]).is_none());
    /// ```
    pub fn in_turn(resolvers: Vec<DnsResolver>) -> Option<DnsResolver> {
        if resolvers.is_empty() {
            return None;
        }
        let each = resolvers
            .iter()
            .flat_map(|r| r.resolvers.each.iter().cloned())
            .collect();
        Some(DnsResolver {
            resolvers: Arc::new(Resolvers {
                each,
                first: AtomicUsize::new(0),
            }),
            answers: RunCache::new(QuestionBudget::unlimited()),
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
            resolvers: Arc::new(Resolvers {
                each: vec![Arc::new(backend)],
                first: AtomicUsize::new(0),
            }),
            answers: RunCache::new(QuestionBudget::unlimited()),
        }
    }

    /// The same resolvers (their settings, and for DNS their runtimes) with no answers kept
    /// and `budget` to spend: for the next run, or a server's next request.
    pub fn for_run(&self, budget: QuestionBudget) -> DnsResolver {
        DnsResolver {
            resolvers: self.resolvers.clone(),
            answers: RunCache::new(budget),
        }
    }

    /// Asks each resolver in turn, from the one that answered last, each given an equal
    /// share of what is left of the lookup's time, until one answers.
    fn lookup(&self, name: &str) -> Result<Vec<String>, LookupError> {
        let each = &self.resolvers.each;
        let first = self.resolvers.first.load(Ordering::Relaxed) % each.len();
        let started = Instant::now();
        let timeout = each.iter().map(|b| b.timeout()).max().unwrap_or_default();
        let whole = self.answers.budget.wait(timeout);
        let mut failed = Vec::new();
        let mut not_asked = None;
        let mut server_failed = None;
        for (tried, i) in (first..each.len()).chain(0..first).enumerate() {
            let backend = &each[i];
            // The first asked gets the whole wait, as one resolver alone would.
            let left = match tried {
                0 => whole,
                _ => whole.saturating_sub(started.elapsed()),
            };
            let wait = left / u32::try_from(each.len() - tried).unwrap_or(u32::MAX);
            match backend.ask(name, wait) {
                Ok(Said::Records(records)) => {
                    self.resolvers.first.store(i, Ordering::Relaxed);
                    return Ok(records);
                }
                Ok(Said::ServerFailed(why)) => {
                    server_failed.get_or_insert(i);
                    failed.push(why);
                }
                Err(LookupError::Failed(why)) => failed.push(why),
                Err(LookupError::NotAsked(why)) => {
                    not_asked.get_or_insert(why);
                }
            }
        }
        if let Some(i) = server_failed {
            self.resolvers.first.store(i, Ordering::Relaxed);
            return Ok(Vec::new());
        }
        match not_asked {
            // Not one resolver could be asked: that is the answer, not a failure.
            Some(why) if failed.is_empty() => Err(LookupError::NotAsked(why)),
            _ => Err(LookupError::Failed(failed.join("; "))),
        }
    }
}

impl Backend {
    /// The longest one lookup of this resolver may take.
    fn timeout(&self) -> Duration {
        match self {
            Backend::Dns { timeout, .. } | Backend::Doh { timeout, .. } => *timeout,
        }
    }

    /// `name`'s TXT records as this resolver gives them, within `wait`.
    fn ask(&self, name: &str, wait: Duration) -> Result<Said, LookupError> {
        match self {
            Backend::Dns {
                runtime,
                resolver,
                asked,
                ..
            } => {
                let lookup = async { tokio::time::timeout(wait, resolver.txt_lookup(name)).await };
                match runtime.get().block_on(lookup) {
                    Ok(Ok(lookup)) => Ok(Said::Records(
                        lookup
                            .iter()
                            .map(|txt| {
                                txt.txt_data()
                                    .iter()
                                    .map(|part| String::from_utf8_lossy(part))
                                    .collect()
                            })
                            .collect(),
                    )),
                    Ok(Err(e)) if e.is_no_records_found() => Ok(Said::Records(Vec::new())),
                    Ok(Err(e)) => Err(LookupError::Failed(format!(
                        "TXT lookup of {name} at {asked} failed: {e}"
                    ))),
                    Err(_) => Err(LookupError::Failed(format!(
                        "TXT lookup of {name} at {asked} failed: timed out after {} s",
                        wait.as_secs_f64()
                    ))),
                }
            }
            Backend::Doh {
                agent, url, form, ..
            } => doh(agent, url, *form, name, wait),
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

/// One DNS-over-HTTPS question, given `wait`.
fn doh(
    agent: &ureq::Agent,
    url: &str,
    form: DohForm,
    name: &str,
    wait: Duration,
) -> Result<Said, LookupError> {
    let fail =
        |what: String| LookupError::Failed(format!("TXT lookup of {name} at {url} failed: {what}"));
    let request = agent.get(url);
    let request = match form {
        DohForm::Json => request
            .query("name", name)
            .query("type", "16")
            .header("accept", "application/dns-json"),
        DohForm::Message => request
            .query("dns", question(name).map_err(fail)?)
            .header("accept", "application/dns-message"),
    };
    let mut response = request
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
    let said = match form {
        DohForm::Json => json_answer(&body),
        DohForm::Message => message_answer(&body),
    };
    said.map_err(fail).map(|said| match said {
        Said::ServerFailed(why) => {
            Said::ServerFailed(format!("TXT lookup of {name} at {url} failed: {why}"))
        }
        records => records,
    })
}

/// The DNS message asking `name`'s TXT records, base64url without padding (RFC 8484 §4.1:
/// its id 0, so that the same question is the same URL, which caches can keep).
fn question(name: &str) -> Result<String, String> {
    let name = Name::from_ascii(name).map_err(|e| format!("not a DNS name: {e}"))?;
    let mut message = Message::new();
    message
        .set_id(0)
        .set_recursion_desired(true)
        .add_query(Query::query(name, RecordType::TXT));
    let bytes = message
        .to_vec()
        .map_err(|e| format!("cannot write the question: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A JSON answer's TXT records: each answer's `data` holds its strings, quoted or not as the
/// service writes them.
fn json_answer(body: &[u8]) -> Result<Said, String> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    if !json.is_object() {
        return Err("the answer is not a JSON object".into());
    }
    // RCODE 2 (SERVFAIL) and 5 (REFUSED): the service could not answer.
    if let Some(code @ (2 | 5)) = json.get("Status").and_then(serde_json::Value::as_u64) {
        return Ok(Said::ServerFailed(format!(
            "the resolver answered status {code}"
        )));
    }
    // As the reference (dnsprove): any other JSON answer is an answer, whatever its
    // `Status`; a name that does not exist simply has no records.
    let answers = json
        .get("Answer")
        .and_then(serde_json::Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Ok(Said::Records(
        answers
            .iter()
            .filter(|a| a.get("type").and_then(serde_json::Value::as_u64) == Some(16))
            .filter_map(|a| a.get("data").and_then(serde_json::Value::as_str))
            // As written: the reference's record grammar drops the quotes some services add.
            .map(str::to_string)
            .collect(),
    ))
}

/// A DNS message's TXT records, each its strings joined.
fn message_answer(body: &[u8]) -> Result<Said, String> {
    let message = Message::from_vec(body).map_err(|e| format!("not a DNS message: {e}"))?;
    match message.response_code() {
        ResponseCode::NoError | ResponseCode::NXDomain => {}
        code @ (ResponseCode::ServFail | ResponseCode::Refused) => {
            return Ok(Said::ServerFailed(format!("the resolver answered {code}")));
        }
        code => return Err(format!("the resolver answered {code}")),
    }
    Ok(Said::Records(
        message
            .answers()
            .iter()
            .filter_map(|record| match record.data() {
                RData::TXT(txt) => Some(
                    txt.txt_data()
                        .iter()
                        .map(|part| String::from_utf8_lossy(part))
                        .collect(),
                ),
                _ => None,
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::Mutex;

    /// A JSON DNS-over-HTTPS server on a loopback port: `/resolve` answers one TXT record
    /// for any name, `/busy` an HTTP 503. Every request's path, in order.
    fn server() -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let paths = Arc::new(Mutex::new(Vec::new()));
        let seen = paths.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().map_while(Result::ok) {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = line.split([' ', '?']).nth(1).unwrap_or("").to_string();
                seen.lock().unwrap().push(path.clone());
                let body = r#"{"Status":0,"Answer":[{"type":16,"data":"v=found"}]}"#;
                let answer = if path == "/busy" {
                    "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                stream.write_all(answer.as_bytes()).unwrap();
            }
        });
        (base, paths)
    }

    #[test]
    fn the_resolver_that_answered_is_asked_first_from_then_on() {
        let (base, paths) = server();
        let wait = Duration::from_secs(5);
        let policy = FetchPolicy::Anywhere;
        let resolver = DnsResolver::in_turn(vec![
            DnsResolver::doh(&format!("{base}/busy"), wait, &policy),
            DnsResolver::doh(&format!("{base}/resolve"), wait, &policy),
        ])
        .unwrap();
        for name in ["a.test", "b.test", "c.test"] {
            assert_eq!(resolver.txt(name).unwrap(), ["v=found"]);
        }
        // The next run keeps what was learnt of the resolvers, not the answers.
        let next = resolver.for_run(QuestionBudget::unlimited());
        assert_eq!(next.txt("a.test").unwrap(), ["v=found"]);
        assert_eq!(
            *paths.lock().unwrap(),
            ["/busy", "/resolve", "/resolve", "/resolve", "/resolve"]
        );
    }

    #[test]
    fn endpoints_speak_the_form_their_path_names_and_questions_are_dns_messages() {
        assert_eq!(DohForm::of("https://doh.pub/dns-query"), DohForm::Message);
        assert_eq!(
            DohForm::of("https://x.test/dns-query/?a=1"),
            DohForm::Message
        );
        assert_eq!(DohForm::of("https://dns.google/resolve"), DohForm::Json);
        let asked = question("carrier.corridor.test").unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&asked)
            .unwrap();
        let message = Message::from_vec(&bytes).unwrap();
        assert_eq!(message.id(), 0);
        assert_eq!(message.queries()[0].query_type(), RecordType::TXT);
        assert_eq!(
            message.queries()[0].name().to_ascii(),
            "carrier.corridor.test."
        );
        assert!(question("not a name..").is_err());
    }
}
