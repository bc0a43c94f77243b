//! Where an evaluation came from — the model, prompt, latency and usage of an LLM judgement, or
//! the reviewer of a human one — stored beside the evaluation and shown to staff.

use serde::{Deserialize, Serialize};

/// Where an evaluation came from, stored beside it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Provenance {
    pub model: Option<String>,
    /// SHA-256 of the prompt template that produced it.
    pub prompt_hash: Option<String>,
    pub latency_ms: Option<i64>,
    /// Token usage reported by the LLM endpoint.
    #[schema(value_type = Option<Object>)]
    pub usage: Option<serde_json::Value>,
    pub reviewer: Option<String>,
    pub comment: Option<String>,
    /// How an LLM judgement was asked for and what its reply needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<LlmDetails>,
}

/// How an LLM judgement was asked for, and the lenient repairs its reply needed before it
/// validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LlmDetails {
    /// The schema dialect used (`json_schema`, `json_object_schema`, `json_object`, `none`).
    pub json_mode: String,
    /// `full` or `compact`.
    pub prompt_profile: String,
    /// The judge prompt's size as rehearse estimated it (tokens).
    pub prompt_tokens_estimate: u32,
    /// Repairs applied to the reply (`text_around_json`, `list_for_string`, `score_coerced`, …).
    #[serde(default)]
    pub repairs: Vec<String>,
    /// The first reply was cut off by the output limit and the judgement was asked for again.
    #[serde(default)]
    pub truncated_retry: bool,
    /// Criteria lowered to what the judgement's own key points or STAR parts allow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjustments: Vec<String>,
}
