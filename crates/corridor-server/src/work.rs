//! Heavy work (verifying, wrapping, obfuscating, issuing) under admission control, and the
//! cancellation that stops any work a request started once the request is gone.
//!
//! A heavy request first takes a place in line ([`Ticket`]), before its body is read: a fixed
//! number of places, the workers plus the queue, so that the bodies held and the documents
//! parsed are bounded too. When every place is taken it is answered at once, 503 `busy` with
//! `Retry-After`. A request with a place waits (asynchronously, so that giving up frees its
//! place) for one of the workers, a fixed pool of threads, and keeps both until its work ends.
//!
//! A request that times out (or whose client leaves) is dropped by hyper and the timeout
//! layer; dropping it sets its [`Cancel`], which the work checks between documents and at
//! other natural points, so the CPU, memory and places it held are released within one
//! document's work.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::AppState;
use crate::error::{ApiError, timeout};

/// How many heavy requests run at once and how many may wait for them.
#[derive(Clone)]
pub(crate) struct Admission {
    /// A place for each worker and each request allowed to wait.
    places: Arc<Semaphore>,
    /// A permit for each thread of `pool`: whoever holds one has a thread to itself.
    workers: Arc<Semaphore>,
    pool: Arc<rayon::ThreadPool>,
}

impl Admission {
    pub(crate) fn new(workers: NonZeroUsize, queue: usize) -> std::io::Result<Admission> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers.get())
            .thread_name(|i| format!("corridor-worker-{i}"))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Admission {
            places: Arc::new(Semaphore::new(workers.get().saturating_add(queue))),
            workers: Arc::new(Semaphore::new(workers.get())),
            pool: Arc::new(pool),
        })
    }
}

/// A heavy request's place in line: taken before its body is read, or the request is turned
/// away with 503 `busy` at once.
pub(crate) struct Ticket {
    place: OwnedSemaphorePermit,
    admission: Admission,
}

impl FromRequestParts<AppState> for Ticket {
    type Rejection = ApiError;

    async fn from_request_parts(
        _parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ticket::take(state)
    }
}

impl Ticket {
    /// A place in line, for a request that finds out late that it has heavy work to do; or
    /// 503 `busy` at once.
    pub(crate) fn take(state: &AppState) -> Result<Ticket, ApiError> {
        let admission = &state.admission;
        let place = admission.places.clone().try_acquire_owned().map_err(|_| {
            ApiError::busy(
                "busy",
                "the server has as many requests of this kind under way as it takes; retry in a moment",
            )
        })?;
        Ok(Ticket {
            place,
            admission: admission.clone(),
        })
    }

    /// Runs `work` on a worker thread once one is free. The place and the worker are given
    /// back when the work ends, not when the request gives up: a request that timed out
    /// holds them until its work sees the [`Cancel`] and stops.
    pub(crate) async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce(&Cancel) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let worker = self
            .admission
            .workers
            .acquire_owned()
            .await
            .map_err(|e| ApiError::internal("admission", e))?;
        let place = self.place;
        let (cancel, _cancel_when_dropped) = Cancel::for_this_request();
        let (done, result) = tokio::sync::oneshot::channel();
        self.admission.pool.spawn(move || {
            let _held = (place, worker);
            done.send(cancel.check().and_then(|()| work(&cancel))).ok();
        });
        result
            .await
            .map_err(|e| ApiError::internal("the work", e))?
    }

    /// Runs small `work` where the request is, still holding its place: cheaper than a hand-off
    /// to a worker for what takes a fraction of a millisecond.
    pub(crate) fn run_here<T>(self, work: impl FnOnce(&Cancel) -> T) -> T {
        work(&Cancel::default())
    }
}

/// Whether the request that started a piece of work is gone: work checks it between
/// documents and before each store call, and stops.
#[derive(Clone, Default)]
pub(crate) struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A fresh cancellation, and the guard that sets it when the request's future (which
    /// holds the guard) is dropped: at its timeout, or when its client left.
    pub(crate) fn for_this_request() -> (Cancel, CancelWhenDropped) {
        let cancel = Cancel::default();
        (cancel.clone(), CancelWhenDropped(cancel))
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err` (the timeout's error, which no one will read) once the request is gone: `?` it
    /// between steps.
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        if self.is_cancelled() {
            Err(timeout())
        } else {
            Ok(())
        }
    }
}

/// Sets its [`Cancel`] when dropped.
pub(crate) struct CancelWhenDropped(Cancel);

impl Drop for CancelWhenDropped {
    fn drop(&mut self) {
        self.0.0.store(true, Ordering::Relaxed);
    }
}

/// Runs blocking `work` (the store's SQLite, a chain client) on tokio's blocking threads,
/// cancelled as [`Ticket::run`]'s work is when the request is gone.
pub(crate) async fn off_the_async_threads<T: Send + 'static>(
    work: impl FnOnce(&Cancel) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let (cancel, _cancel_when_dropped) = Cancel::for_this_request();
    tokio::task::spawn_blocking(move || cancel.check().and_then(|()| work(&cancel)))
        .await
        .map_err(|e| ApiError::internal("the work", e))?
}
