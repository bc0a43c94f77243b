//! Process metrics through the `metrics` facade, exported in Prometheus text format at
//! `/metrics` (on the main listener, or on `server.metrics_bind`). Every metric's name is here,
//! with its help text; the code that measures calls the small functions below. (The supervised
//! tasks' panics and running state are per server and rendered by `http::metrics`.)

use metrics::{counter, describe_counter, describe_histogram, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Histogram buckets for latencies, in seconds: a millisecond to two minutes.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder (once). None when another recorder got there first, in
/// which case the metrics below go to that one.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .ok()?
                .install_recorder()
                .ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

/// The recorded metrics in Prometheus text format.
pub fn render() -> String {
    install().map_or_else(String::new, |h| {
        h.run_upkeep();
        h.render()
    })
}

fn describe() {
    describe_histogram!(
        "rehearse_answer_ack_seconds",
        "From an answer's arrival to its acknowledgement (stored)."
    );
    describe_histogram!(
        "rehearse_answer_evaluation_seconds",
        "From an answer's storage to its evaluation being delivered."
    );
    describe_histogram!(
        "rehearse_llm_first_token_seconds",
        "LLM latency to the first token."
    );
    describe_histogram!(
        "rehearse_llm_call_seconds",
        "Latency of whole successful LLM calls, retries included."
    );
    describe_histogram!(
        "rehearse_http_request_duration_seconds",
        "HTTP request latency by route pattern and status."
    );
    describe_counter!("rehearse_interviews_started_total", "Interviews started.");
    describe_counter!("rehearse_interviews_finished_total", "Interviews finished.");
    describe_counter!("rehearse_answers_total", "Answers stored.");
    describe_counter!(
        "rehearse_evaluations_total",
        "Evaluations stored, by source (builtin, llm, fallback, human)."
    );
    describe_counter!(
        "rehearse_ws_errors_total",
        "Error messages sent on interview sockets, by code."
    );
    describe_counter!(
        "rehearse_ws_closes_total",
        "Interview sockets ended, by close code (none: the peer went away)."
    );
    describe_counter!(
        "rehearse_rate_limited_total",
        "Requests refused for rate, by what was limited."
    );
    describe_counter!(
        "rehearse_database_errors_total",
        "Database operations that failed (unreachable, full, or refused)."
    );
    describe_counter!(
        "rehearse_llm_calls_total",
        "LLM calls started (retries excluded)."
    );
    describe_counter!("rehearse_llm_retries_total", "LLM call attempts retried.");
    describe_counter!(
        "rehearse_llm_failures_total",
        "LLM calls that failed after retries, by kind."
    );
    describe_counter!(
        "rehearse_llm_prompt_tokens_total",
        "Prompt tokens reported by the endpoint."
    );
    describe_counter!(
        "rehearse_llm_completion_tokens_total",
        "Completion tokens reported by the endpoint."
    );
}

pub fn answer_acknowledged(elapsed: Duration) {
    counter!("rehearse_answers_total").increment(1);
    histogram!("rehearse_answer_ack_seconds").record(elapsed.as_secs_f64());
}

pub fn evaluation_stored(source: &'static str) {
    counter!("rehearse_evaluations_total", "source" => source).increment(1);
}

pub fn evaluation_delivered(since_answer: Duration) {
    histogram!("rehearse_answer_evaluation_seconds").record(since_answer.as_secs_f64());
}

pub fn interview_started() {
    counter!("rehearse_interviews_started_total").increment(1);
}

pub fn interview_finished() {
    counter!("rehearse_interviews_finished_total").increment(1);
}

pub fn http_request(route: &str, status: u16, elapsed: Duration) {
    histogram!(
        "rehearse_http_request_duration_seconds",
        "route" => route.to_string(),
        "status" => status.to_string()
    )
    .record(elapsed.as_secs_f64());
}

pub fn ws_error(code: &str) {
    counter!("rehearse_ws_errors_total", "code" => code.to_string()).increment(1);
}

pub fn ws_closed(code: Option<u16>) {
    let code = code.map_or_else(|| "none".to_string(), |c| c.to_string());
    counter!("rehearse_ws_closes_total", "code" => code).increment(1);
}

pub fn rate_limited(what: &'static str) {
    counter!("rehearse_rate_limited_total", "limit" => what).increment(1);
}

pub fn database_error() {
    counter!("rehearse_database_errors_total").increment(1);
}

pub fn llm_call() {
    counter!("rehearse_llm_calls_total").increment(1);
}

pub fn llm_retry() {
    counter!("rehearse_llm_retries_total").increment(1);
}

pub fn llm_failure(kind: &'static str) {
    counter!("rehearse_llm_failures_total", "kind" => kind).increment(1);
}

pub fn llm_first_token(elapsed: Duration) {
    histogram!("rehearse_llm_first_token_seconds").record(elapsed.as_secs_f64());
}

pub fn llm_completed(elapsed: Duration, prompt_tokens: u64, completion_tokens: u64) {
    histogram!("rehearse_llm_call_seconds").record(elapsed.as_secs_f64());
    counter!("rehearse_llm_prompt_tokens_total").increment(prompt_tokens);
    counter!("rehearse_llm_completion_tokens_total").increment(completion_tokens);
}
