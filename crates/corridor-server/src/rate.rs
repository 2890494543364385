//! Writes are rate-limited per API token: a token bucket each, in memory, holding a minute's
//! writes and refilled evenly over the minute. A burst up to the minute's allowance passes;
//! past it, a write waits its turn (429 with `Retry-After`).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The write allowance of every API token.
pub(crate) struct WriteRate {
    per_minute: NonZeroU32,
    /// By token name: only live tokens get here, so there are as many as the store has.
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// A token's writes left, as of a moment.
struct Bucket {
    left: f64,
    at: Instant,
}

impl WriteRate {
    pub(crate) fn new(per_minute: NonZeroU32) -> WriteRate {
        WriteRate {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The writes a token may make in a minute.
    pub(crate) fn per_minute(&self) -> u32 {
        self.per_minute.get()
    }

    /// Takes one write for the token `name`: allowed, or how long until it would be.
    pub(crate) fn take(&self, name: &str) -> Result<(), Duration> {
        self.take_at(name, Instant::now())
    }

    fn take_at(&self, name: &str, now: Instant) -> Result<(), Duration> {
        let full = f64::from(self.per_minute.get());
        let per_second = full / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(name.to_string()).or_insert(Bucket {
            left: full,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.left = (bucket.left + elapsed * per_second).min(full);
        bucket.at = now;
        if bucket.left >= 1.0 {
            bucket.left -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.left) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_writes_come_at_the_rate() {
        let rate = WriteRate::new(NonZeroU32::new(60).unwrap());
        let start = Instant::now();
        for _ in 0..60 {
            rate.take_at("a", start).unwrap();
        }
        let wait = rate.take_at("a", start).unwrap_err();
        assert!(
            wait <= Duration::from_secs(1) && wait > Duration::ZERO,
            "{wait:?}"
        );
        // Another token has its own allowance.
        rate.take_at("b", start).unwrap();
        // A second later, one more write.
        let later = start + Duration::from_secs(1);
        rate.take_at("a", later).unwrap();
        assert!(rate.take_at("a", later).is_err());
    }
}
