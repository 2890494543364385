//! A JSON-RPC client for one network over several endpoints: each endpoint's chain id is
//! checked before it is used, requests are retried and fail over to the next endpoint, and a
//! node that fails is never taken for a contract's answer.
//!
//! The interface is blocking, for the command line and the verification pipeline's worker
//! threads; the requests run on a small tokio runtime of the client's own.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use alloy::consensus::TxLegacy;
use alloy::eips::eip2718::Encodable2718;
use alloy::network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder};
use alloy::primitives::{Address, B256, Bytes, TxKind, U64, U256};
use alloy::rpc::client::RpcClient;
use alloy::rpc::types::{BlockNumberOrTag, Filter, Log, TransactionReceipt, TransactionRequest};
use alloy::transports::{RpcError, TransportError, TransportErrorKind};

use crate::Target;
use crate::contracts::explain_revert;

/// How a command reaches a network.
#[derive(Debug, Clone)]
pub struct ChainOptions {
    /// How long one request may take.
    pub timeout: Duration,
    /// Attempts per endpoint before the next one is tried.
    pub attempts: u32,
    /// Blocks a transaction must be buried under (1: mined) before it counts.
    pub confirmations: u64,
    /// How long to wait for a transaction to be mined and confirmed.
    pub wait: Duration,
}

impl Default for ChainOptions {
    fn default() -> Self {
        ChainOptions {
            timeout: Duration::from_secs(20),
            attempts: 3,
            confirmations: 1,
            wait: Duration::from_secs(300),
        }
    }
}

/// Why a request to the chain did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// No endpoint answered, after retries; the last failure of each is given.
    #[error("{target}: no endpoint answered ({detail})")]
    Unreachable { target: String, detail: String },
    /// An endpoint serves another chain than the one asked for.
    #[error("{endpoint} serves chain id {found}, but {target} was asked for")]
    WrongChain {
        endpoint: String,
        found: u64,
        target: String,
    },
    /// The contract refused: the reason, decoded from the contract's errors.
    #[error("{what} was refused by the contract: {reason}")]
    Reverted {
        what: String,
        reason: String,
        /// The revert data, for callers that decode it into their own errors.
        data: Bytes,
    },
    /// A transaction was sent but not confirmed in time; it may still be mined.
    #[error(
        "{what}: transaction {hash} was sent but not confirmed within {waited:?}; check it before retrying"
    )]
    Unconfirmed {
        what: String,
        hash: B256,
        waited: Duration,
    },
    /// A transaction was mined but failed.
    #[error("{what}: transaction {hash} was mined in block {block} but failed")]
    Failed {
        what: String,
        hash: B256,
        block: u64,
    },
    /// A contract's compiled code could not be read, or the request made no sense.
    #[error("{0}")]
    Invalid(String),
}

/// What happens to a transaction a [`Chain`] sends, for whoever shows progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxEvent<'a> {
    /// Signed and taken by a node; `what` says what it does.
    Sent { what: &'a str, hash: B256 },
    /// Mined in `block`, and buried under `confirmations` of the `needed` blocks so far.
    Mined {
        hash: B256,
        block: u64,
        confirmations: u64,
        needed: u64,
    },
    /// Confirmed: it counts.
    Confirmed { hash: B256, block: u64 },
}

/// Told of every transaction's progress (see [`Chain::watch`]).
pub type TxWatcher = std::sync::Arc<dyn Fn(TxEvent<'_>) + Send + Sync>;

/// An `eth_call` that the node executed: the returned data, or the contract's revert data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    Returned(Bytes),
    Reverted(Bytes),
}

/// Why an endpoint was not used for a request.
enum EndpointFault {
    /// It serves another chain: no other endpoint is tried, the target is wrong.
    WrongChain(ChainError),
    /// It failed; the next attempt or endpoint may do better.
    Failed(TransportError),
}

/// A client for one network.
pub struct Chain {
    target: Target,
    options: ChainOptions,
    endpoints: Vec<Endpoint>,
    runtime: tokio::runtime::Runtime,
    watcher: Option<TxWatcher>,
}

struct Endpoint {
    url: String,
    client: RpcClient,
    /// Whether its chain id was found to be the target's.
    checked: AtomicBool,
    /// Whether it refused a connection in this run: it is asked only when every other
    /// endpoint is down too, so that a dead first endpoint does not cost every request.
    refused: AtomicBool,
}

/// Blocks asked for in one `eth_getLogs`: what most public endpoints accept.
pub const LOG_BLOCKS: u64 = 10_000;

/// Calls per JSON-RPC batch request: large enough to save round trips, small enough for
/// public endpoints' limits.
const BATCH: usize = 100;

impl Chain {
    /// A client for `target`. Nothing is sent until the first request.
    pub fn new(target: Target, options: ChainOptions) -> Result<Chain, ChainError> {
        if target.endpoints.is_empty() {
            return Err(ChainError::Invalid(format!(
                "{target}: no RPC endpoint given"
            )));
        }
        let http = alloy::transports::http::reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .build()
            .map_err(|e| ChainError::Invalid(format!("cannot make an HTTP client: {e}")))?;
        let endpoints = target
            .endpoints
            .iter()
            .map(|url| {
                let parsed = url.parse().map_err(|e| {
                    ChainError::Invalid(format!("{url:?} is not an RPC endpoint URL: {e}"))
                })?;
                Ok(Endpoint {
                    url: url.clone(),
                    client: RpcClient::new_http_with_client(http.clone(), parsed),
                    checked: AtomicBool::new(false),
                    refused: AtomicBool::new(false),
                })
            })
            .collect::<Result<Vec<_>, ChainError>>()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| ChainError::Invalid(format!("cannot start the network runtime: {e}")))?;
        Ok(Chain {
            target,
            options,
            endpoints,
            runtime,
            watcher: None,
        })
    }

    /// Tells `watcher` of every transaction this client sends, as it goes.
    pub fn watch(&mut self, watcher: TxWatcher) {
        self.watcher = Some(watcher);
    }

    fn tell(&self, event: TxEvent<'_>) {
        if let Some(watcher) = &self.watcher {
            watcher(event);
        }
    }

    /// The network this client talks to.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Runs `request` on the first endpoint that answers, retrying each a few times with a
    /// growing pause, and checking each endpoint's chain id before its first use. An endpoint
    /// that refuses a connection is not retried, and is asked last from then on.
    fn with_failover<T, F, Fut>(&self, request: F) -> Result<T, ChainError>
    where
        F: Fn(RpcClient) -> Fut,
        Fut: Future<Output = Result<T, TransportError>>,
    {
        let (up, refused): (Vec<&Endpoint>, Vec<&Endpoint>) = self
            .endpoints
            .iter()
            .partition(|e| !e.refused.load(Ordering::Relaxed));
        self.runtime.block_on(async {
            let mut failures = Vec::new();
            for endpoint in up.into_iter().chain(refused) {
                let mut last = String::new();
                for attempt in 0..self.options.attempts.max(1) {
                    if attempt > 0 {
                        tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
                    }
                    let outcome = match self.check_chain_id(endpoint).await {
                        Err(EndpointFault::WrongChain(wrong)) => return Err(wrong),
                        Err(EndpointFault::Failed(error)) => Err(error),
                        Ok(()) => request(endpoint.client.clone()).await,
                    };
                    match outcome {
                        Ok(answer) => {
                            endpoint.refused.store(false, Ordering::Relaxed);
                            return Ok(answer);
                        }
                        Err(error) => {
                            last = describe(&error, self.options.timeout);
                            tracing::debug!(endpoint = %endpoint.url, attempt, error = %last, "request failed");
                            if is_refused(&error) {
                                // Nothing listens there: asking again soon will not help.
                                endpoint.refused.store(true, Ordering::Relaxed);
                                break;
                            }
                        }
                    }
                }
                failures.push(format!("{}: {last}", endpoint.url));
            }
            Err(ChainError::Unreachable {
                target: self.target.to_string(),
                detail: failures.join("; "),
            })
        })
    }

    /// `Ok` once the endpoint is known to serve the target chain.
    async fn check_chain_id(&self, endpoint: &Endpoint) -> Result<(), EndpointFault> {
        if endpoint.checked.load(Ordering::Relaxed) {
            return Ok(());
        }
        let id: U64 = endpoint
            .client
            .request_noparams("eth_chainId")
            .await
            .map_err(EndpointFault::Failed)?;
        let found = id.to::<u64>();
        if found != self.target.chain_id {
            return Err(EndpointFault::WrongChain(ChainError::WrongChain {
                endpoint: endpoint.url.clone(),
                found,
                target: self.target.to_string(),
            }));
        }
        endpoint.checked.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// The chain id, asked of the network (and checked against the target's).
    pub fn chain_id(&self) -> Result<u64, ChainError> {
        let id: U64 =
            self.with_failover(|c| async move { c.request_noparams("eth_chainId").await })?;
        Ok(id.to())
    }

    /// The code at `address`: empty for an account that is not a contract.
    pub fn code_at(&self, address: Address) -> Result<Bytes, ChainError> {
        self.with_failover(|c| async move {
            c.request("eth_getCode", (address, BlockNumberOrTag::Latest))
                .await
        })
    }

    /// The time block `number` was made, in seconds since the Unix epoch.
    pub fn block_timestamp(&self, number: u64) -> Result<u64, ChainError> {
        let block: Option<alloy::rpc::types::Block> = self.with_failover(|c| async move {
            c.request(
                "eth_getBlockByNumber",
                (BlockNumberOrTag::Number(number), false),
            )
            .await
        })?;
        block.map(|b| b.header.timestamp).ok_or_else(|| {
            ChainError::Invalid(format!("{}: block {number} is unknown", self.target))
        })
    }

    /// One read-only call.
    pub fn call(&self, to: Address, data: Bytes) -> Result<CallOutcome, ChainError> {
        Ok(self.call_many(&[(to, data)])?.remove(0))
    }

    /// Many read-only calls, sent as JSON-RPC batches. A call whose node failed fails the
    /// whole request (after retries and failover); a call the contract reverted is an answer.
    pub fn call_many(&self, calls: &[(Address, Bytes)]) -> Result<Vec<CallOutcome>, ChainError> {
        let mut outcomes = Vec::with_capacity(calls.len());
        for chunk in calls.chunks(BATCH) {
            let answers = self.with_failover(|client| async move {
                let mut batch = client.new_batch();
                let mut waiters = Vec::with_capacity(chunk.len());
                for (to, data) in chunk {
                    let tx = TransactionRequest::default()
                        .to(*to)
                        .input(data.clone().into());
                    waiters.push(
                        batch.add_call::<_, Bytes>("eth_call", &(tx, BlockNumberOrTag::Latest))?,
                    );
                }
                batch.send().await?;
                let mut answers = Vec::with_capacity(waiters.len());
                for waiter in waiters {
                    answers.push(match answer(waiter).await? {
                        Ok(data) => CallOutcome::Returned(data),
                        Err(data) => CallOutcome::Reverted(data),
                    });
                }
                Ok(answers)
            })?;
            outcomes.extend(answers);
        }
        Ok(outcomes)
    }

    /// The same JSON-RPC method with each of `params`, sent as batches; the answers in order.
    pub fn request_many<P, R>(
        &self,
        method: &'static str,
        params: &[P],
    ) -> Result<Vec<R>, ChainError>
    where
        P: alloy::rpc::json_rpc::RpcSend,
        R: alloy::rpc::json_rpc::RpcRecv,
    {
        let mut answers = Vec::with_capacity(params.len());
        for chunk in params.chunks(BATCH) {
            answers.extend(self.with_failover(|client| async move {
                let mut batch = client.new_batch();
                let waiters = chunk
                    .iter()
                    .map(|p| batch.add_call::<_, R>(method, p))
                    .collect::<Result<Vec<_>, _>>()?;
                batch.send().await?;
                let mut answers = Vec::with_capacity(waiters.len());
                for waiter in waiters {
                    answers.push(waiter.await?);
                }
                Ok(answers)
            })?);
        }
        Ok(answers)
    }

    /// The logs of contract `address` from block `from` to the latest, asked in ranges of
    /// blocks that public endpoints accept: at most [`LOG_BLOCKS`] at a time, and half as many
    /// whenever the node refuses a range as too wide or too full.
    pub fn logs(&self, address: Address, from: u64) -> Result<Vec<Log>, ChainError> {
        let latest: U64 =
            self.with_failover(|c| async move { c.request_noparams("eth_blockNumber").await })?;
        let latest = latest.to::<u64>();
        let mut logs = Vec::new();
        let mut blocks = LOG_BLOCKS;
        let mut start = from;
        while start <= latest {
            let end = latest.min(start.saturating_add(blocks - 1));
            let filter = Filter::new()
                .address(address)
                .from_block(start)
                .to_block(end);
            let answer = self.with_failover(|c| {
                let filter = filter.clone();
                async move {
                    match c.request::<_, Vec<Log>>("eth_getLogs", (filter,)).await {
                        Ok(found) => Ok(Ok(found)),
                        Err(e) => match e.as_error_resp() {
                            Some(refusal) if is_range_refusal(&refusal.message) => {
                                Ok(Err(refusal.message.to_string()))
                            }
                            _ => Err(e),
                        },
                    }
                }
            })?;
            match answer {
                Ok(found) => {
                    logs.extend(found);
                    start = end + 1;
                }
                Err(_) if blocks > 1 => blocks /= 2,
                Err(refusal) => {
                    return Err(ChainError::Invalid(format!(
                        "{}: the node refuses the logs of even one block ({refusal})",
                        self.target
                    )));
                }
            }
        }
        Ok(logs)
    }

    /// Signs and sends a transaction from `wallet`, then waits for it to be mined and
    /// confirmed. The gas is estimated first, so a call the contract would refuse is refused
    /// here, with its reason, before anything is sent. `what` names it in messages.
    pub fn send(
        &self,
        wallet: &EthereumWallet,
        from: Address,
        to: TxKind,
        data: Bytes,
        what: &str,
    ) -> Result<TransactionReceipt, ChainError> {
        let mut tx: TransactionRequest = self.prepare(from, to, data, what)?.into();
        tx.from = Some(from);
        // The conversion leaves a deployment's `to` unset, which the builder would refuse.
        tx.to = Some(to);
        let envelope = self.runtime.block_on(tx.build(wallet)).map_err(|e| {
            ChainError::Invalid(format!("{what}: cannot sign the transaction: {e}"))
        })?;
        self.send_signed(
            Bytes::from(envelope.encoded_2718()),
            *envelope.tx_hash(),
            what,
        )
    }

    /// The legacy transaction `from` would send to call `to` with `data`, ready to be signed:
    /// its chain id (EIP-155), nonce, gas price and a gas limit from the node's estimate. A
    /// call the contract would refuse is refused here ([`ChainError::Reverted`]), before
    /// anything is sent.
    pub fn prepare(
        &self,
        from: Address,
        to: TxKind,
        data: Bytes,
        what: &str,
    ) -> Result<TxLegacy, ChainError> {
        let mut tx = TransactionRequest::default()
            .from(from)
            .input(data.clone().into())
            .with_chain_id(self.target.chain_id);
        tx.to = Some(to);
        let gas = self.estimate_gas(&tx, what)?;
        let nonce: U64 = self.with_failover(|c| async move {
            c.request("eth_getTransactionCount", (from, BlockNumberOrTag::Pending))
                .await
        })?;
        let gas_price: U256 =
            self.with_failover(|c| async move { c.request_noparams("eth_gasPrice").await })?;
        Ok(TxLegacy {
            chain_id: Some(self.target.chain_id),
            nonce: nonce.to(),
            gas_price: gas_price.to(),
            // A fifth over the estimate: state can change between estimate and inclusion.
            gas_limit: gas + gas / 5,
            to,
            value: U256::ZERO,
            input: data,
        })
    }

    /// The gas `tx` needs, as the node estimates it; a call the contract would refuse is
    /// [`ChainError::Reverted`] with its reason.
    pub fn estimate_gas(&self, tx: &TransactionRequest, what: &str) -> Result<u64, ChainError> {
        let estimate = self.with_failover(|c| {
            let tx = tx.clone();
            answer(async move { c.request::<_, U64>("eth_estimateGas", (tx,)).await })
        })?;
        match estimate {
            Ok(gas) => Ok(gas.to::<u64>()),
            Err(data) => Err(ChainError::Reverted {
                what: what.to_string(),
                reason: explain_revert(&data),
                data,
            }),
        }
    }

    /// Sends a transaction signed elsewhere (`raw`, its EIP-2718 encoding, whose hash is
    /// `hash`), then waits for it to be mined and confirmed.
    pub fn send_signed(
        &self,
        raw: Bytes,
        hash: B256,
        what: &str,
    ) -> Result<TransactionReceipt, ChainError> {
        tracing::info!(%hash, what, "sending transaction");
        self.with_failover(|c| {
            let raw = raw.clone();
            async move {
                match c.request::<_, B256>("eth_sendRawTransaction", (raw,)).await {
                    Ok(sent) => Ok(sent),
                    // Sent before through this or another endpoint: the same signed bytes.
                    Err(e)
                        if e.as_error_resp().is_some_and(|p| {
                            p.message.to_ascii_lowercase().contains("already known")
                        }) =>
                    {
                        Ok(hash)
                    }
                    Err(e) => Err(e),
                }
            }
        })?;
        self.tell(TxEvent::Sent { what, hash });
        self.wait_for(hash, what)
    }

    /// Deploys `code` with its ABI-encoded constructor `arguments` from `from`, and returns
    /// the new contract's address once the transaction is confirmed.
    pub fn deploy(
        &self,
        wallet: &EthereumWallet,
        from: Address,
        code: &Bytes,
        arguments: &[u8],
        what: &str,
    ) -> Result<Address, ChainError> {
        let mut input = code.to_vec();
        input.extend_from_slice(arguments);
        let receipt = self.send(wallet, from, TxKind::Create, input.into(), what)?;
        receipt.contract_address.ok_or_else(|| {
            ChainError::Invalid(format!(
                "{what}: transaction {} deployed no contract",
                receipt.transaction_hash
            ))
        })
    }

    /// Waits until transaction `hash` is mined and buried under the confirmations asked for.
    fn wait_for(&self, hash: B256, what: &str) -> Result<TransactionReceipt, ChainError> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            let receipt: Option<TransactionReceipt> = self.with_failover(|c| async move {
                c.request("eth_getTransactionReceipt", (hash,)).await
            })?;
            if let Some(receipt) = receipt {
                let block = receipt.block_number.unwrap_or_default();
                if !receipt.inner.status() {
                    return Err(ChainError::Failed {
                        what: what.to_string(),
                        hash,
                        block,
                    });
                }
                let latest: U64 =
                    self.with_failover(
                        |c| async move { c.request_noparams("eth_blockNumber").await },
                    )?;
                let confirmations = (latest.to::<u64>() + 1).saturating_sub(block);
                if confirmations >= self.options.confirmations {
                    self.tell(TxEvent::Confirmed { hash, block });
                    return Ok(receipt);
                }
                self.tell(TxEvent::Mined {
                    hash,
                    block,
                    confirmations,
                    needed: self.options.confirmations,
                });
            }
            if start.elapsed() >= self.options.wait {
                return Err(ChainError::Unconfirmed {
                    what: what.to_string(),
                    hash,
                    waited: self.options.wait,
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(4));
        }
    }
}

/// A request's outcome where a contract's refusal is an answer (`Ok(Err(revert data))`) and
/// only a node's failure is an error, to be retried elsewhere.
async fn answer<T>(
    request: impl Future<Output = Result<T, TransportError>>,
) -> Result<Result<T, Bytes>, TransportError> {
    match request.await {
        Ok(value) => Ok(Ok(value)),
        Err(e) => match revert_data(&e) {
            Some(data) => Ok(Err(data)),
            None => Err(e),
        },
    }
}

/// The revert data of an error that is a contract's refusal, not a node's failure.
fn revert_data(error: &TransportError) -> Option<Bytes> {
    let payload = error.as_error_resp()?;
    if let Some(data) = payload.as_revert_data() {
        return Some(data);
    }
    let message = payload.message.to_ascii_lowercase();
    (message.contains("revert")).then(Bytes::new)
}

/// A failure, worded for a person, with its cause: the node's error, "connection refused",
/// "timed out after 20 s", "not JSON-RPC".
fn describe(error: &TransportError, timeout: Duration) -> String {
    match error {
        RpcError::ErrorResp(payload) => format!(
            "the node answered error {}: {}",
            payload.code, payload.message
        ),
        RpcError::Transport(TransportErrorKind::HttpError(http)) if http.is_rate_limit_err() => {
            format!("rate limited (HTTP {})", http.status)
        }
        RpcError::Transport(TransportErrorKind::HttpError(http)) => {
            format!("answered HTTP {}, not JSON-RPC", http.status)
        }
        RpcError::NullResp => "the node answered nothing".to_string(),
        RpcError::DeserError { text, .. } => {
            let start: String = text.chars().take(60).collect();
            format!("not JSON-RPC: the answer begins {start:?}")
        }
        other => cause(other, timeout),
    }
}

/// The innermost cause of a failed request: what the network said, not which layer saw it.
fn cause(error: &(dyn std::error::Error + 'static), timeout: Duration) -> String {
    for e in sources(error) {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
                std::io::ErrorKind::TimedOut => timed_out(timeout),
                _ => io.to_string(),
            };
        }
        if e.downcast_ref::<alloy::transports::http::reqwest::Error>()
            .is_some_and(|r| r.is_timeout())
        {
            return timed_out(timeout);
        }
    }
    sources(error).last().unwrap_or(error).to_string()
}

/// `error` and the errors under it, outermost first.
fn sources<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'e (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |e| e.source())
}

fn timed_out(timeout: Duration) -> String {
    format!("timed out after {} s", timeout.as_secs_f64())
}

/// Whether a node's error refuses an `eth_getLogs` for the size of its range or answer, as
/// public endpoints word it ("block range is too wide", "query returned more than 10000
/// results", "exceed maximum block range", "limit exceeded").
fn is_range_refusal(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "range",
        "more than",
        "too many",
        "too large",
        "limit",
        "exceed",
    ]
    .iter()
    .any(|word| message.contains(word))
}

/// Whether nothing listens at the endpoint: the connection was refused.
fn is_refused(error: &TransportError) -> bool {
    sources(error).any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    })
}
