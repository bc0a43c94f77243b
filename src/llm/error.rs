//! LLM call failures, classified for retries, fallback and metrics.

use std::fmt;
use std::time::Duration;

/// Which deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// No response headers (or, streaming, no first token) in time.
    FirstToken,
    /// Too long between two stream chunks.
    Idle,
    /// The whole call took too long.
    Total,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::FirstToken => "no first byte or token in time",
            TimeoutKind::Idle => "stream went silent",
            TimeoutKind::Total => "call took too long",
        })
    }
}

/// Why an LLM call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmError {
    #[error("no LLM endpoint is configured")]
    NotConfigured,
    #[error("cannot reach the LLM endpoint: {0}")]
    Connect(String),
    #[error("LLM call timed out: {0}")]
    Timeout(TimeoutKind),
    #[error("LLM endpoint answered HTTP {status}: {message}")]
    Status {
        status: u16,
        code: Option<String>,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("LLM quota exhausted: {0}")]
    Quota(String),
    #[error("LLM stream reported an error: {0}")]
    StreamError(String),
    #[error("LLM stream ended before it finished")]
    StreamCut,
    #[error("LLM response was not usable: {0}")]
    InvalidResponse(String),
    #[error("LLM reply is larger than the {0}-byte limit (llm.max_reply_bytes)")]
    ReplyTooLarge(usize),
    #[error("LLM endpoint is failing; calls are paused for another {0:?}")]
    CircuitOpen(Duration),
}

impl LlmError {
    /// A stable label for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::NotConfigured => "not_configured",
            LlmError::Connect(_) => "connect",
            LlmError::Timeout(TimeoutKind::FirstToken) => "timeout_first_token",
            LlmError::Timeout(TimeoutKind::Idle) => "timeout_idle",
            LlmError::Timeout(TimeoutKind::Total) => "timeout_total",
            LlmError::Status { status: 429, .. } => "rate_limited",
            LlmError::Status { status, .. } if *status >= 500 => "http_5xx",
            LlmError::Status { .. } => "http_4xx",
            LlmError::Quota(_) => "quota",
            LlmError::StreamError(_) => "stream_error",
            LlmError::StreamCut => "stream_cut",
            LlmError::InvalidResponse(_) => "invalid_response",
            LlmError::ReplyTooLarge(_) => "reply_too_large",
            LlmError::CircuitOpen(_) => "circuit_open",
        }
    }

    /// Worth another attempt, as the OpenAI SDKs judge it: connection failures, timeouts,
    /// 408/409/429/5xx (but never an exhausted quota), and errors or cuts inside a stream.
    pub fn is_retryable(&self) -> bool {
        match self {
            LlmError::Connect(_)
            | LlmError::Timeout(_)
            | LlmError::StreamError(_)
            | LlmError::StreamCut => true,
            LlmError::Status { status, .. } => matches!(status, 408 | 409 | 429) || *status >= 500,
            _ => false,
        }
    }

    /// How long the server asked us to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LlmError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}
