//! The LLM judge and coach: rubric prompts rendered from `prompts/*.hbs`, sent to the
//! configured OpenAI-compatible endpoint, and every reply checked in code.

mod context;
mod validate;

pub use context::{judge_context, output_schema};
pub use validate::{Rejected, validate};

use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

use super::{Evaluation, EvaluatorInfo, Flag, builtin};
use crate::bank::{Kind, Question};
use crate::config::LlmSettings;
use crate::interview::Summary;
use crate::llm::{ChatRequest, Completion, LlmClient, LlmError};
use crate::prompts::Prompts;
use crate::rubric::Rubric;
use crate::store::Provenance;

/// Why the judge produced no evaluation.
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error(transparent)]
    Llm(#[from] LlmError),
    #[error(transparent)]
    Rejected(#[from] Rejected),
    #[error("prompt template failed: {0}")]
    Template(String),
}

impl JudgeError {
    /// A stable label for logs and the regrade queue.
    pub fn kind(&self) -> &'static str {
        match self {
            JudgeError::Llm(e) => e.kind(),
            JudgeError::Rejected(_) => "invalid_judgement",
            JudgeError::Template(_) => "template",
        }
    }
}

/// A validated LLM evaluation and where it came from.
#[derive(Debug, Clone)]
pub struct Judged {
    pub evaluation: Evaluation,
    pub provenance: Provenance,
}

/// LLM narrative for the end-of-interview summary.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Narrative {
    #[serde(default)]
    pub strengths: Vec<String>,
    #[serde(default)]
    pub focus_areas: Vec<String>,
    #[serde(default)]
    pub topics_to_review: Vec<String>,
}

/// Grades with an LLM and writes feedback with it.
pub struct Judge {
    pub client: Arc<LlmClient>,
    prompts: Arc<Prompts>,
    judge_model: String,
    model: String,
    temperature: f64,
    coach_temperature: f64,
    max_output_tokens: u32,
}

fn nonce() -> String {
    crate::tokens::random_token()[..16].to_string()
}

impl Judge {
    pub fn new(client: Arc<LlmClient>, prompts: Arc<Prompts>, settings: &LlmSettings) -> Judge {
        Judge {
            client,
            prompts,
            judge_model: settings
                .judge_model
                .clone()
                .unwrap_or_else(|| settings.model.clone()),
            model: settings.model.clone(),
            temperature: settings.temperature,
            coach_temperature: settings.coach_temperature,
            max_output_tokens: settings.max_output_tokens,
        }
    }

    /// The model that grades.
    pub fn judge_model(&self) -> &str {
        &self.judge_model
    }

    /// Grades `answer`: one non-streamed call at the judge temperature, then validation. The
    /// built-in evaluator's prompt-injection flag is carried onto the result.
    pub async fn judge(
        &self,
        question: &Question,
        rubric: &Rubric,
        answer: &str,
    ) -> Result<Judged, JudgeError> {
        let nonce = nonce();
        let context = judge_context(question, rubric, answer, &nonce);
        let prompt = self
            .prompts
            .render("judge", &context)
            .map_err(|e| JudgeError::Template(e.to_string()))?;
        let request = ChatRequest {
            model: self.judge_model.clone(),
            messages: prompt.messages,
            temperature: self.temperature,
            max_output_tokens: self.max_output_tokens,
            json_schema: Some((
                "judgement".into(),
                output_schema(question.kind == Kind::Behavioral),
            )),
        };
        let started = Instant::now();
        let done = self.client.complete(&request).await?;
        let evaluator = EvaluatorInfo {
            name: "llm-judge".into(),
            version: self.judge_model.clone(),
        };
        let mut evaluation = validate(&done.content, &nonce, question, rubric, answer, evaluator)
            .inspect_err(|e| {
            // The reply can quote the answer, so it is logged only at debug level.
            let head: String = done.content.chars().take(600).collect();
            tracing::debug!(error = %e, reply = %head, "judge reply rejected");
        })?;
        if builtin::guard::scan(answer).is_some() {
            evaluation.flags.push(Flag::PossiblePromptInjection);
            evaluation.flags.sort();
        }
        Ok(Judged {
            evaluation,
            provenance: Provenance {
                model: Some(self.judge_model.clone()),
                prompt_hash: Some(prompt.template_hash),
                latency_ms: Some(started.elapsed().as_millis() as i64),
                usage: done.usage.map(|u| json!(u)),
                ..Default::default()
            },
        })
    }

    /// Streams coaching feedback for a stored evaluation into `tokens`.
    pub async fn coach(
        &self,
        question: &Question,
        answer: &str,
        evaluation: &Evaluation,
        open: bool,
        tokens: mpsc::Sender<String>,
    ) -> Result<Completion, JudgeError> {
        let star_parts: Vec<_> = evaluation
            .star
            .iter()
            .flat_map(|s| s.parts())
            .map(|(name, p)| json!({"name": name, "present": p.present}))
            .collect();
        let context = json!({
            "question": {"text": question.text},
            "answer": answer,
            "nonce": nonce(),
            "evaluation": evaluation,
            "behavioral": evaluation.star.is_some(),
            "star_parts": star_parts,
            "open": open,
        });
        let prompt = self
            .prompts
            .render("coach", &context)
            .map_err(|e| JudgeError::Template(e.to_string()))?;
        let request = ChatRequest {
            model: self.model.clone(),
            messages: prompt.messages,
            temperature: self.coach_temperature,
            max_output_tokens: self.max_output_tokens.min(400),
            json_schema: None,
        };
        Ok(self.client.stream(&request, tokens).await?)
    }

    /// Writes the follow-up question for a judge's proposal.
    pub async fn follow_up(
        &self,
        question: &Question,
        answer: &str,
        reason: &str,
        draft: &str,
    ) -> Result<String, JudgeError> {
        let context = json!({
            "question": {"text": question.text},
            "answer": answer,
            "nonce": nonce(),
            "reason": reason,
            "draft": draft,
        });
        let prompt = self
            .prompts
            .render("follow_up", &context)
            .map_err(|e| JudgeError::Template(e.to_string()))?;
        let request = ChatRequest {
            model: self.model.clone(),
            messages: prompt.messages,
            temperature: self.coach_temperature,
            max_output_tokens: 120,
            json_schema: None,
        };
        let text = self.client.complete(&request).await?.content;
        let text = text.trim().trim_matches('"').trim();
        if text.is_empty() || text.len() > 600 {
            return Err(Rejected("the follow-up is empty or too long".into()).into());
        }
        Ok(text.to_string())
    }

    /// Writes the narrative part of the end-of-interview summary.
    pub async fn summarize(
        &self,
        level: &str,
        summary: &Summary,
        questions: serde_json::Value,
    ) -> Result<Narrative, JudgeError> {
        let context = json!({
            "level": level,
            "overall": summary.overall,
            "passed": summary.passed,
            "by_topic": summary.by_topic,
            "questions": questions,
        });
        let prompt = self
            .prompts
            .render("summary", &context)
            .map_err(|e| JudgeError::Template(e.to_string()))?;
        let request = ChatRequest {
            model: self.model.clone(),
            messages: prompt.messages,
            temperature: self.coach_temperature,
            max_output_tokens: self.max_output_tokens,
            json_schema: Some((
                "summary".into(),
                json!({"type": "object", "properties": {
                    "strengths": {"type": "array", "items": {"type": "string"}},
                    "focus_areas": {"type": "array", "items": {"type": "string"}},
                    "topics_to_review": {"type": "array", "items": {"type": "string"}},
                }}),
            )),
        };
        let content = self.client.complete(&request).await?.content;
        let start = content.find('{').unwrap_or(0);
        let end = content.rfind('}').map_or(content.len(), |e| e + 1);
        let n: Narrative = serde_json::from_str(content.get(start..end).unwrap_or(""))
            .map_err(|e| Rejected(format!("the summary is not the expected JSON: {e}")))?;
        Ok(n)
    }
}
