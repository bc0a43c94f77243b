//! What one LLM client has done: retries and failures by kind, kept per client for checks and
//! reported to the process metrics (`/metrics`) with call counts, latencies and tokens.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::wire::Usage;
use crate::telemetry;

/// Per-client retry and failure counts; everything is also recorded in the process metrics.
#[derive(Default)]
pub struct LlmMetrics {
    retries: AtomicU64,
    failures: Mutex<BTreeMap<&'static str, u64>>,
}

impl LlmMetrics {
    pub fn call(&self) {
        telemetry::llm_call();
    }

    pub fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        telemetry::llm_retry();
    }

    pub fn failure(&self, kind: &'static str) {
        *self
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(kind)
            .or_default() += 1;
        telemetry::llm_failure(kind);
    }

    pub fn first_token(&self, d: Duration) {
        telemetry::llm_first_token(d);
    }

    pub fn completed(&self, d: Duration, usage: Option<Usage>) {
        let (prompt, completion) = usage.map_or((0, 0), |u| (u.prompt_tokens, u.completion_tokens));
        telemetry::llm_completed(d, prompt, completion);
    }

    /// Failures counted so far for `kind`.
    pub fn failures_of(&self, kind: &str) -> u64 {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(kind)
            .copied()
            .unwrap_or(0)
    }

    /// Retries counted so far.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
}
