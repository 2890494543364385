//! A TCP link with faults, for tests and benchmarks of nodes that talk over a slow or broken
//! link (this machine's kernel has no netem): what one side sends reaches the other after
//! the link's latency, give or take its jitter, no faster than its bandwidth, in order; the
//! link can stall (connections held, nothing passes), be cut (every connection closed, new
//! ones closed at once) and come back, while it runs.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use std::time::Duration;
//! use corridor_link::{Conditions, Link};
//! let link = Link::start("127.0.0.1:0", "127.0.0.1:8080".parse().unwrap()).await?;
//! link.set(Conditions { latency: Duration::from_millis(35), jitter: Duration::from_millis(10), ..Conditions::default() });
//! // … talk to link.address() …
//! link.cut();
//! link.restore();
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rand::Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// What the link does to what crosses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conditions {
    /// How long a chunk takes to cross, one way.
    pub latency: Duration,
    /// At most this more or less than the latency, drawn for each chunk (order is kept).
    pub jitter: Duration,
    /// Bytes a second each way, if limited.
    pub bytes_per_second: Option<u64>,
    pub state: State,
}

impl Default for Conditions {
    fn default() -> Self {
        Conditions {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            bytes_per_second: None,
            state: State::Up,
        }
    }
}

/// Whether anything crosses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Up,
    /// Connections stay open and are accepted, but nothing crosses until the link is up.
    Stalled,
    /// Every connection is closed, and each new one closed as soon as it comes.
    Cut,
}

/// A running link: it listens on [`Link::address`] and passes what comes to its upstream.
pub struct Link {
    address: SocketAddr,
    conditions: watch::Sender<Conditions>,
    /// Counts cuts, so that each connection knows whether one came since it opened.
    cuts: Arc<Mutex<u64>>,
}

impl Link {
    /// Listens on `listen` and passes each connection on to `upstream`, on the current runtime.
    pub async fn start(listen: &str, upstream: SocketAddr) -> std::io::Result<Link> {
        let listener = TcpListener::bind(listen).await?;
        let address = listener.local_addr()?;
        let (conditions, watching) = watch::channel(Conditions::default());
        let cuts = Arc::new(Mutex::new(0));
        let link_cuts = cuts.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let (watching, cuts) = (watching.clone(), link_cuts.clone());
                tokio::spawn(async move {
                    // Counted before anything else: a cut from here on closes this one too.
                    let opened = *cuts.lock().unwrap_or_else(PoisonError::into_inner);
                    let state = watching.borrow().state;
                    if state == State::Cut {
                        return; // closed at once
                    }
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    let up = carry(
                        client_read,
                        server_write,
                        watching.clone(),
                        cuts.clone(),
                        opened,
                    );
                    let down = carry(server_read, client_write, watching, cuts, opened);
                    // Each way ends on its own (a half-close passes on as one).
                    tokio::join!(up, down);
                });
            }
        });
        Ok(Link {
            address,
            conditions,
            cuts,
        })
    }

    /// Where the link listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Changes what the link does, from now on.
    pub fn set(&self, conditions: Conditions) {
        if conditions.state == State::Cut {
            *self.cuts.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        }
        self.conditions.send_replace(conditions);
    }

    /// The conditions now.
    pub fn conditions(&self) -> Conditions {
        *self.conditions.borrow()
    }

    /// Cuts the link: every connection closed, new ones closed at once.
    pub fn cut(&self) {
        self.set(Conditions {
            state: State::Cut,
            ..self.conditions()
        });
    }

    /// Stalls the link: nothing crosses, nothing is closed.
    pub fn stall(&self) {
        self.set(Conditions {
            state: State::Stalled,
            ..self.conditions()
        });
    }

    /// Brings the link back up, with its latency, jitter and bandwidth as they were.
    pub fn restore(&self) {
        self.set(Conditions {
            state: State::Up,
            ..self.conditions()
        });
    }
}

/// The largest chunk read at once.
const CHUNK: usize = 16 * 1024;

/// The most chunks on their way at once, each way: past them the sender waits, as a real
/// link's window makes it (1 MiB, more than a bandwidth-delay product of the links tested).
const IN_FLIGHT: usize = 64;

/// Carries what `from` reads to `to` as the conditions say, until `from` closes and what it
/// sent has crossed (then `to` is shut for writing), or the link is cut.
async fn carry(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    conditions: watch::Receiver<Conditions>,
    cuts: Arc<Mutex<u64>>,
    opened: u64,
) {
    let cut = move || *cuts.lock().unwrap_or_else(PoisonError::into_inner) != opened;
    if cut() {
        return;
    }
    // Chunks with the time each may be delivered, in order.
    let (queue, mut delivering) = mpsc::channel::<(Instant, Vec<u8>)>(IN_FLIGHT);
    let reading = {
        let conditions = conditions.clone();
        let cut = cut.clone();
        async move {
            let mut last = Instant::now();
            let mut buffer = vec![0; CHUNK];
            loop {
                let n = match from.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if cut() {
                    return;
                }
                let now = conditions.borrow().to_owned();
                let delay = one_way(&now);
                // In order: never before the chunk ahead of it.
                last = (Instant::now() + delay).max(last);
                if queue.send((last, buffer[..n].to_vec())).await.is_err() {
                    return;
                }
            }
            // Dropping the queue here lets what is on its way cross, then ends the writer.
        }
    };
    let watching_cut = {
        let mut conditions = conditions.clone();
        let cut = cut.clone();
        async move {
            loop {
                if conditions.changed().await.is_err() || cut() {
                    return;
                }
            }
        }
    };
    let writing = async move {
        let mut conditions = conditions;
        while let Some((at, chunk)) = delivering.recv().await {
            tokio::time::sleep_until(at).await;
            loop {
                let state = conditions.borrow().state;
                match state {
                    State::Up => break,
                    State::Cut => return,
                    State::Stalled => {
                        if conditions.changed().await.is_err() {
                            return;
                        }
                    }
                }
            }
            if cut() || to.write_all(&chunk).await.is_err() {
                return;
            }
            let rate = conditions.borrow().bytes_per_second;
            if let Some(rate) = rate.filter(|r| *r > 0) {
                let seconds = chunk.len() as f64 / rate as f64;
                tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::select! {
        _ = async { tokio::join!(reading, writing) } => {}
        _ = watching_cut => {}
    }
}

/// The latency, give or take the jitter, for one chunk.
fn one_way(conditions: &Conditions) -> Duration {
    let jitter = conditions.jitter.as_secs_f64();
    let spread = if jitter > 0.0 {
        rand::rng().random_range(-jitter..=jitter)
    } else {
        0.0
    };
    Duration::from_secs_f64((conditions.latency.as_secs_f64() + spread).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echo server, for the link to pass to.
    async fn echo() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let mut buffer = vec![0; 4096];
                    while let Ok(n) = stream.read(&mut buffer).await {
                        if n == 0 || stream.write_all(&buffer[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        address
    }

    async fn round_trip(link: &Link, bytes: &[u8]) -> std::io::Result<(Vec<u8>, Duration)> {
        let started = Instant::now();
        let mut stream = TcpStream::connect(link.address()).await?;
        stream.write_all(bytes).await?;
        let mut back = vec![0; bytes.len()];
        stream.read_exact(&mut back).await?;
        Ok((back, started.elapsed()))
    }

    #[tokio::test]
    async fn what_a_side_sent_before_closing_still_crosses() {
        // A server that answers and closes at once, as HTTP with `Connection: close` does.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            stream.write_all(&vec![7u8; 100_000]).await.unwrap();
        });
        let link = Link::start("127.0.0.1:0", upstream).await.unwrap();
        link.set(Conditions {
            latency: Duration::from_millis(50),
            ..Conditions::default()
        });
        let mut stream = TcpStream::connect(link.address()).await.unwrap();
        let mut got = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut got))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, vec![7u8; 100_000]);
    }

    #[tokio::test]
    async fn what_crosses_is_late_in_order_and_stops_when_cut_or_stalled() {
        let link = Link::start("127.0.0.1:0", echo().await).await.unwrap();
        let (back, fast) = round_trip(&link, b"hello").await.unwrap();
        assert_eq!(back, b"hello");
        link.set(Conditions {
            latency: Duration::from_millis(40),
            jitter: Duration::from_millis(10),
            ..Conditions::default()
        });
        let (back, slow) = round_trip(&link, b"hello").await.unwrap();
        assert_eq!(back, b"hello");
        // Two crossings of 30 to 50 ms each.
        assert!(slow >= Duration::from_millis(60) && slow > fast, "{slow:?}");

        // Many chunks with jitter still arrive in order.
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let (back, _) = round_trip(&link, &bytes).await.unwrap();
        assert_eq!(back, bytes);

        // A bandwidth of 100 KB/s: 50 KB takes half a second to cross (the echo streams
        // back as it comes).
        link.set(Conditions {
            bytes_per_second: Some(100_000),
            ..Conditions::default()
        });
        let (_, limited) = round_trip(&link, &bytes[..50_000]).await.unwrap();
        assert!(limited >= Duration::from_millis(450), "{limited:?}");

        // Cut: an open connection is closed, a new one too.
        link.set(Conditions::default());
        let mut open = TcpStream::connect(link.address()).await.unwrap();
        open.write_all(b"x").await.unwrap();
        let mut one = [0u8; 1];
        open.read_exact(&mut one).await.unwrap();
        link.cut();
        let mut rest = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(2), open.read_to_end(&mut rest)).await;
        assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "{closed:?}");
        let refused = tokio::time::timeout(Duration::from_secs(2), round_trip(&link, b"y")).await;
        assert!(matches!(refused, Ok(Err(_))), "{refused:?}");

        // Stalled: nothing crosses until it is back, then it does.
        link.restore();
        link.stall();
        let stalled = tokio::spawn({
            let address = link.address();
            async move {
                let mut stream = TcpStream::connect(address).await.unwrap();
                stream.write_all(b"held").await.unwrap();
                let mut back = [0u8; 4];
                stream.read_exact(&mut back).await.unwrap();
                back
            }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!stalled.is_finished());
        link.restore();
        let back = tokio::time::timeout(Duration::from_secs(2), stalled).await;
        assert_eq!(back.unwrap().unwrap(), *b"held");
    }
}
