//! A token bucket: `rate` messages per second sustained, `burst` at once; and a set of buckets
//! keyed by who is asking (a client address, a token).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets kept at most; past this the set starts afresh (bounded memory: losing buckets only
/// forgives some requests).
const MAX_KEYS: usize = 100_000;

/// One token bucket per key.
#[derive(Default)]
pub struct KeyedLimiter {
    buckets: Mutex<HashMap<String, TokenBucket>>,
}

impl KeyedLimiter {
    /// Takes one token from `key`'s bucket (created full with `rate` and `burst`).
    pub fn take(&self, key: String, rate: f64, burst: f64) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(&key) {
            buckets.clear();
        }
        buckets
            .entry(key)
            .or_insert_with(|| TokenBucket::new(rate, burst))
            .take()
    }
}

pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(rate: f64, burst: f64) -> Self {
        let burst = burst.max(1.0);
        TokenBucket {
            rate: rate.max(0.0),
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// Takes one token; false when the bucket is empty.
    pub fn take(&mut self) -> bool {
        self.take_at(Instant::now())
    }

    fn take_at(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TokenBucket;
    use std::time::{Duration, Instant};

    #[test]
    fn allows_a_burst_then_the_sustained_rate() {
        let start = Instant::now();
        let mut b = TokenBucket::new(2.0, 3.0);
        b.last = start;
        assert!((0..3).all(|_| b.take_at(start)));
        assert!(!b.take_at(start));
        assert!(b.take_at(start + Duration::from_millis(500)));
        assert!(!b.take_at(start + Duration::from_millis(600)));
    }
}
