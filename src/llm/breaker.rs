//! A circuit breaker: after `threshold` failed calls in a row the endpoint is left alone for a
//! cool-down; the first call after it is a trial that closes or re-opens the circuit.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        Breaker {
            threshold: threshold.max(1),
            cooldown,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ok when a call may go out; otherwise how long the circuit stays open.
    pub fn check(&self) -> Result<(), Duration> {
        self.check_at(Instant::now())
    }

    fn check_at(&self, now: Instant) -> Result<(), Duration> {
        match self.lock().open_until {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// True while calls are being refused.
    pub fn is_open(&self) -> bool {
        self.check().is_err()
    }

    pub fn record_success(&self) {
        *self.lock() = State::default();
    }

    pub fn record_failure(&self) {
        self.record_failure_at(Instant::now());
    }

    fn record_failure_at(&self, now: Instant) {
        let mut s = self.lock();
        s.failures += 1;
        if s.failures >= self.threshold {
            s.open_until = Some(now + self.cooldown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_recovers_after_the_cooldown() {
        let b = Breaker::new(2, Duration::from_secs(10));
        let t = Instant::now();
        b.record_failure_at(t);
        assert!(b.check_at(t).is_ok());
        b.record_failure_at(t);
        assert_eq!(
            b.check_at(t + Duration::from_secs(4)),
            Err(Duration::from_secs(6))
        );
        assert!(
            b.check_at(t + Duration::from_secs(11)).is_ok(),
            "half-open: one trial goes out"
        );
        b.record_failure_at(t + Duration::from_secs(11));
        assert!(
            b.check_at(t + Duration::from_secs(12)).is_err(),
            "a failed trial re-opens"
        );
        b.record_success();
        assert!(b.check_at(t + Duration::from_secs(12)).is_ok());
    }
}
