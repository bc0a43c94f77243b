//! Counters for LLM calls, rendered in Prometheus text format at `/metrics`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::wire::Usage;

/// Call counts, failures by kind, retries, latencies and tokens.
#[derive(Default)]
pub struct LlmMetrics {
    calls: AtomicU64,
    retries: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
    first_token_us: AtomicU64,
    first_token_count: AtomicU64,
    total_us: AtomicU64,
    total_count: AtomicU64,
    failures: Mutex<BTreeMap<&'static str, u64>>,
}

impl LlmMetrics {
    pub fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    pub fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub fn failure(&self, kind: &'static str) {
        *self
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(kind)
            .or_default() += 1;
    }

    pub fn first_token(&self, d: Duration) {
        self.first_token_us
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
        self.first_token_count.fetch_add(1, Ordering::Relaxed);
    }

    pub fn completed(&self, d: Duration, usage: Option<Usage>) {
        self.total_us
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
        self.total_count.fetch_add(1, Ordering::Relaxed);
        if let Some(u) = usage {
            self.prompt_tokens
                .fetch_add(u.prompt_tokens, Ordering::Relaxed);
            self.completion_tokens
                .fetch_add(u.completion_tokens, Ordering::Relaxed);
        }
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

    /// Prometheus exposition text.
    pub fn render(&self) -> String {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            ));
        };
        counter(
            "rehearse_llm_calls_total",
            "LLM calls started (retries excluded).",
            load(&self.calls),
        );
        counter(
            "rehearse_llm_retries_total",
            "LLM call attempts retried.",
            load(&self.retries),
        );
        counter(
            "rehearse_llm_prompt_tokens_total",
            "Prompt tokens reported by the endpoint.",
            load(&self.prompt_tokens),
        );
        counter(
            "rehearse_llm_completion_tokens_total",
            "Completion tokens reported by the endpoint.",
            load(&self.completion_tokens),
        );
        for (name, help, sum, count) in [
            (
                "rehearse_llm_first_token_seconds",
                "Latency to the first token.",
                &self.first_token_us,
                &self.first_token_count,
            ),
            (
                "rehearse_llm_call_seconds",
                "Latency of whole successful calls.",
                &self.total_us,
                &self.total_count,
            ),
        ] {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} summary\n{name}_sum {}\n{name}_count {}\n",
                load(sum) as f64 / 1e6,
                load(count)
            ));
        }
        out.push_str("# HELP rehearse_llm_failures_total LLM calls that failed after retries, by kind.\n# TYPE rehearse_llm_failures_total counter\n");
        for (kind, n) in self
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            out.push_str(&format!(
                "rehearse_llm_failures_total{{kind=\"{kind}\"}} {n}\n"
            ));
        }
        out
    }
}
