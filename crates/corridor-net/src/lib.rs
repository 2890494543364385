//! The real outside world behind the verification crate's provider traits: an HTTP client
//! for revocation responders, and TXT resolvers for issuers' DNS identity.
//!
//! Architecture invariant: every request has a timeout and a bounded answer, and the same
//! question is asked once per run (a batch of documents shares its merkle root and upper
//! nodes, so their revocation answers are shared too). Clients are built once; `for_run`
//! gives the next run the same connections with nothing remembered.
//!
//! Architecture invariant: every HTTP fetch goes through an agent `FetchPolicy::agent`
//! builds, so a server's policy (public addresses only) holds for every fetch it makes; and
//! every distinct question a run asks is counted against its `QuestionBudget`.

mod dns;
mod policy;
mod region;
mod world;

pub use dns::DnsResolver;
pub use policy::{AllowedHost, FetchPolicy, MAX_REDIRECTS, TrustedRoots, non_public};
pub use region::Region;
pub use world::{World, WorldError, WorldFirst};

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use corridor_verify::providers::{FetchError, HttpGet, HttpResponse, NotAsked};

/// The largest answer read from a responder.
const MAX_BODY: u64 = 1 << 20;

/// How many distinct questions one run may put to the outside world: each URL fetched and
/// each DNS name looked up counts once, however many documents ask it, and whether it is
/// answered, fails or is refused by the policy (a redirect followed is part of its fetch).
/// Clones share one count.
#[derive(Debug, Clone)]
pub struct QuestionBudget(Option<Arc<Limit>>);

/// A limited budget's bounds, and what was spent.
#[derive(Debug)]
struct Limit {
    questions: usize,
    asked: AtomicUsize,
    /// `None` when too far off to say.
    until: Option<Instant>,
}

impl QuestionBudget {
    /// As many as the documents need: a person verifying documents they chose.
    pub fn unlimited() -> QuestionBudget {
        QuestionBudget(None)
    }

    /// At most `questions` questions, none asked once `time` from now has passed: a
    /// server's request.
    pub fn limited(questions: usize, time: Duration) -> QuestionBudget {
        QuestionBudget(Some(Arc::new(Limit {
            questions,
            asked: AtomicUsize::new(0),
            until: Instant::now().checked_add(time),
        })))
    }

    /// How long a question asked now may take: `timeout`, or less when the run's time is up
    /// sooner, so that no question outlasts its run.
    fn wait(&self, timeout: Duration) -> Duration {
        match self.0.as_ref().and_then(|limit| limit.until) {
            Some(until) => timeout.min(until.saturating_duration_since(Instant::now())),
            None => timeout,
        }
    }

    /// Counts one more question, or says why it may not be asked.
    fn spend_one(&self) -> Result<(), NotAsked> {
        let Some(limit) = &self.0 else {
            return Ok(());
        };
        if limit.until.is_some_and(|until| Instant::now() >= until) {
            return Err(NotAsked::TimeUp);
        }
        let spent = limit
            .asked
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |asked| {
                (asked < limit.questions).then_some(asked + 1)
            });
        spent
            .map(|_| ())
            .map_err(|_| NotAsked::BudgetSpent(limit.questions))
    }
}

/// One question's answer, once the first asker has it.
type Answer<T, E> = Arc<OnceLock<Result<T, E>>>;

/// Answers kept for the run, each question asked once and counted once against the run's
/// budget: a second asker of the same question waits for the first one's answer instead of
/// asking again.
struct RunCache<T, E> {
    answers: Mutex<HashMap<String, Answer<T, E>>>,
    budget: QuestionBudget,
}

impl<T: Clone, E: Clone + From<NotAsked>> RunCache<T, E> {
    fn new(budget: QuestionBudget) -> Self {
        RunCache {
            answers: Mutex::default(),
            budget,
        }
    }

    fn get_or_ask(&self, question: String, ask: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let cell = self
            .answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(question)
            .or_default()
            .clone();
        cell.get_or_init(|| {
            self.budget.spend_one()?;
            ask()
        })
        .clone()
    }
}

/// An HTTP client (rustls for https) whose answers are kept for the run.
pub struct HttpClient {
    agent: ureq::Agent,
    /// The agent's own, for a whole fetch.
    timeout: Duration,
    answers: RunCache<HttpResponse, FetchError>,
}

impl HttpClient {
    /// A client fetching where `policy` lets it, giving up on a request after `timeout`.
    pub fn new(timeout: Duration, policy: &FetchPolicy) -> HttpClient {
        HttpClient::trusting(timeout, policy, None)
    }

    /// As [`HttpClient::new`], checking HTTPS servers against `roots` when given.
    pub fn trusting(
        timeout: Duration,
        policy: &FetchPolicy,
        roots: Option<&TrustedRoots>,
    ) -> HttpClient {
        HttpClient {
            agent: policy.agent(timeout, roots),
            timeout,
            answers: RunCache::new(QuestionBudget::unlimited()),
        }
    }

    /// The same client — settings, and connections kept alive — with no answers kept and
    /// `budget` to spend: for the next run, or a server's next request. Cheap; building a
    /// client is not (its TLS roots are parsed anew).
    pub fn for_run(&self, budget: QuestionBudget) -> HttpClient {
        HttpClient {
            agent: self.agent.clone(),
            timeout: self.timeout,
            answers: RunCache::new(budget),
        }
    }

    fn fetch(&self, url: &str) -> Result<HttpResponse, FetchError> {
        let failed = |e: &dyn std::fmt::Display| FetchError::Failed(format!("{url}: {e}"));
        let wait = self.answers.budget.wait(self.timeout);
        let mut response = self
            .agent
            .get(url)
            .config()
            .timeout_global(Some(wait))
            .build()
            .call()
            .map_err(|e| match policy::refusal(&e) {
                Some(why) => FetchError::NotAsked(why),
                None if no_such_host(&e) => FetchError::NoSuchHost(format!("{url}: no such host")),
                None => failed(&e),
            })?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(|e| failed(&e))?;
        if body.len() as u64 > MAX_BODY {
            return Err(failed(&format!(
                "the answer is larger than {MAX_BODY} bytes"
            )));
        }
        Ok(HttpResponse { status, body })
    }
}

/// Whether DNS answered that the host does not exist (rather than not answering): ureq says so
/// itself, or passes on the system resolver's "Name or service not known" (glibc's EAI_NONAME;
/// a resolver that could not be reached says "Temporary failure in name resolution").
fn no_such_host(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::HostNotFound => true,
        ureq::Error::Io(io) => {
            let text = io.to_string();
            text.contains("Name or service not known")
                || text.contains("No address associated with hostname")
                || text.contains("nodename nor servname provided")
        }
        _ => false,
    }
}

impl HttpGet for HttpClient {
    fn get(&self, url: &str) -> Result<HttpResponse, FetchError> {
        self.answers.get_or_ask(url.to_string(), || self.fetch(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache over `budget` whose questions are answered with their own text, and a count
    /// of how many were really asked.
    fn cache(budget: QuestionBudget) -> (RunCache<String, FetchError>, AtomicUsize) {
        (RunCache::new(budget), AtomicUsize::new(0))
    }

    fn ask(
        (cache, asked): &(RunCache<String, FetchError>, AtomicUsize),
        question: &str,
    ) -> Result<String, FetchError> {
        cache.get_or_ask(question.to_string(), || {
            asked.fetch_add(1, Ordering::Relaxed);
            Ok(question.to_string())
        })
    }

    #[test]
    fn a_run_asks_each_question_once_and_no_more_questions_than_its_budget() {
        let run = cache(QuestionBudget::limited(2, Duration::from_secs(60)));
        assert_eq!(ask(&run, "a"), Ok("a".into()));
        assert_eq!(ask(&run, "a"), Ok("a".into()));
        assert_eq!(ask(&run, "b"), Ok("b".into()));
        let spent = FetchError::NotAsked(NotAsked::BudgetSpent(2));
        assert_eq!(ask(&run, "c"), Err(spent.clone()));
        // Questions already answered keep their answers; the one refused stays refused.
        assert_eq!(ask(&run, "a"), Ok("a".into()));
        assert_eq!(ask(&run, "c"), Err(spent.clone()));
        assert_eq!(run.1.load(Ordering::Relaxed), 2);
        assert_eq!(
            spent.to_string(),
            "not asked: this request's budget of 2 outside questions was spent"
        );
    }

    #[test]
    fn clones_of_a_budget_share_its_count_and_an_unlimited_one_never_runs_out() {
        let budget = QuestionBudget::limited(1, Duration::from_secs(60));
        let (http, dns) = (cache(budget.clone()), cache(budget));
        assert!(ask(&http, "https://responder.example/0x01").is_ok());
        assert!(ask(&dns, "issuer.example").is_err());

        let unlimited = cache(QuestionBudget::unlimited());
        for i in 0..1000 {
            assert!(ask(&unlimited, &i.to_string()).is_ok());
        }
    }

    /// Spellings of loopback that only the system's resolver turns into an address (a
    /// number, hex, a short form) and IPv6 forms of it are refused on what they resolve to.
    #[test]
    fn a_server_client_refuses_loopback_however_it_is_spelled() {
        let public_only = FetchPolicy::PublicOnly {
            allowed: Vec::new(),
        };
        let client = HttpClient::new(Duration::from_secs(5), &public_only);
        for url in [
            "https://2130706433/ocsp",
            "https://0x7f000001/ocsp",
            "https://127.1/ocsp",
            "https://[::ffff:7f00:1]/ocsp",
            "https://[0:0:0:0:0:0:0:1]/ocsp",
        ] {
            match client.get(url) {
                Err(FetchError::NotAsked(NotAsked::Refused(why))) => {
                    assert!(why.contains("a loopback address"), "{url}: {why}")
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    /// A question asked near the end of the run's time gets only what is left of it, not
    /// the client's whole timeout.
    #[test]
    fn a_fetch_under_way_ends_with_its_run_time() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/ocsp/0x01", silent.local_addr().unwrap());
        let client = HttpClient::new(Duration::from_secs(20), &FetchPolicy::Anywhere);
        let run = client.for_run(QuestionBudget::limited(10, Duration::from_millis(500)));
        let started = Instant::now();
        let answer = run.get(&url);
        assert!(matches!(answer, Err(FetchError::Failed(_))), "{answer:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn nothing_is_asked_once_the_run_time_is_up() {
        let run = cache(QuestionBudget::limited(10, Duration::ZERO));
        assert_eq!(ask(&run, "a"), Err(FetchError::NotAsked(NotAsked::TimeUp)));
        assert_eq!(run.1.load(Ordering::Relaxed), 0);
    }
}
