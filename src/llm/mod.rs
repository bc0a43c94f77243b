//! The OpenAI-compatible LLM endpoint: wire format and quirks, the client with retries,
//! streaming, a circuit breaker and metrics.

mod breaker;
mod client;
mod error;
mod metrics;
mod retry;
pub mod wire;

pub use client::{Completion, LlmClient};
pub use error::{LlmError, TimeoutKind};
pub use metrics::LlmMetrics;
pub use wire::{ChatMessage, ChatRequest, Usage};
