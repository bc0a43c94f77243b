//! The LLM judge and coach: rubric prompts rendered from `prompts/*.hbs`, sent to the
//! configured OpenAI-compatible endpoint, and every reply checked in code.

mod consistency;
mod context;
mod repair;
mod schema;
mod validate;

pub use schema::{evidence_choices, judgement_schema};
pub use validate::{Rejected, validate};

use context::{judge_context, output_shape};
use repair::looks_truncated;
use schema::SchemaStyle;

use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

use super::{Evaluation, EvaluatorInfo, Flag, builtin};
use crate::bank::{Kind, Question};
use crate::config::{JsonMode, LlmSettings, PromptProfile};
use crate::evaluate::{LlmDetails, Provenance};
use crate::interview::Summary;
use crate::llm::{ChatRequest, Completion, LlmClient, LlmError};
use crate::prompts::{Prompts, Rendered, estimate_tokens};
use crate::rubric::Rubric;

/// Largest output limit a truncated judgement is retried with.
const MAX_RETRY_OUTPUT_TOKENS: u32 = 8192;

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
    prompt_profile: PromptProfile,
    context_tokens: u32,
    judge_timeout: Duration,
}

/// A rendered judge prompt and how it was made.
struct JudgePrompt {
    rendered: Rendered,
    compact: bool,
    tokens: u32,
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
            prompt_profile: settings.prompt_profile,
            context_tokens: settings.context_tokens,
            judge_timeout: Duration::from_secs_f64(
                settings.judge_timeout_secs.clamp(0.001, 86_400.0),
            ),
        }
    }

    /// Renders prompt template `name`.
    fn render(&self, name: &str, context: &serde_json::Value) -> Result<Rendered, JudgeError> {
        self.prompts
            .render(name, context)
            .map_err(|e| JudgeError::Template(e.to_string()))
    }

    /// A plain-text request to the coaching model from prompt template `name`.
    fn coach_request(
        &self,
        name: &str,
        context: &serde_json::Value,
        max_output_tokens: u32,
    ) -> Result<ChatRequest, JudgeError> {
        let prompt = self.render(name, context)?;
        Ok(ChatRequest::new(
            self.model.clone(),
            prompt.messages,
            self.coach_temperature,
            max_output_tokens,
        ))
    }

    /// Renders the judge prompt in the configured profile; `auto` takes the full prompt when it
    /// and the reply fit in the context window, else the compact one.
    fn judge_prompt(
        &self,
        question: &Question,
        rubric: &Rubric,
        answer: &str,
        nonce: &str,
        shape: Option<String>,
    ) -> Result<JudgePrompt, JudgeError> {
        let render = |compact: bool| {
            let context = judge_context(question, rubric, answer, nonce, compact, shape.clone());
            let rendered = self.render("judge", &context)?;
            let tokens = estimate_tokens(&rendered.messages);
            Ok::<_, JudgeError>(JudgePrompt {
                rendered,
                compact,
                tokens,
            })
        };
        match self.prompt_profile {
            PromptProfile::Full => render(false),
            PromptProfile::Compact => render(true),
            PromptProfile::Auto => {
                let full = render(false)?;
                if full.tokens.saturating_add(self.max_output_tokens) <= self.context_tokens {
                    Ok(full)
                } else {
                    render(true)
                }
            }
        }
    }

    /// The model that grades.
    pub fn judge_model(&self) -> &str {
        &self.judge_model
    }

    /// Grades `answer`: one non-streamed call at the judge temperature with a schema built for
    /// this rubric, question and answer (in the endpoint's JSON dialect), then lenient repair and
    /// validation. A reply cut off by the output limit is asked for once more with twice the
    /// limit. The built-in evaluator's prompt-injection flag is carried onto the result.
    pub async fn judge(
        &self,
        question: &Question,
        rubric: &Rubric,
        answer: &str,
    ) -> Result<Judged, JudgeError> {
        let nonce = nonce();
        let mode = self.client.json_mode(&self.judge_model).await;
        let style = match mode {
            // OpenAI's strict mode refuses length bounds; grammar-based servers honour them.
            JsonMode::JsonSchema => SchemaStyle::Portable,
            _ => SchemaStyle::Bounded,
        };
        let shape = (!mode.enforces_schema()).then(|| output_shape(question, rubric));
        let JudgePrompt {
            rendered,
            compact,
            tokens,
        } = self.judge_prompt(question, rubric, answer, &nonce, shape)?;
        let mut request = ChatRequest {
            json_schema: Some((
                "judgement".into(),
                judgement_schema(question, rubric, answer, &nonce, style),
            )),
            json_mode: Some(mode),
            ..ChatRequest::new(
                self.judge_model.clone(),
                rendered.messages,
                self.temperature,
                self.max_output_tokens,
            )
        };
        let started = Instant::now();
        let evaluator = EvaluatorInfo {
            name: "llm-judge".into(),
            version: self.judge_model.clone(),
        };
        let check = |content: &str| {
            validate(content, &nonce, question, rubric, answer, evaluator.clone()).inspect_err(
                |e| {
                    // The reply can quote the answer, so it is logged only at debug level.
                    let head: String = content.chars().take(600).collect();
                    tracing::debug!(error = %e, reply = %head, "judge reply rejected");
                },
            )
        };
        let mut done = self
            .client
            .complete_within(&request, self.judge_timeout)
            .await?;
        let mut truncated_retry = false;
        let mut usage = done.usage;
        let validated = match check(&done.content) {
            Ok(v) => v,
            Err(_)
                if done.finish_reason.as_deref() == Some("length")
                    || looks_truncated(&done.content) =>
            {
                truncated_retry = true;
                request.max_output_tokens = request
                    .max_output_tokens
                    .saturating_mul(2)
                    .min(MAX_RETRY_OUTPUT_TOKENS)
                    .max(request.max_output_tokens);
                done = self
                    .client
                    .complete_within(&request, self.judge_timeout)
                    .await?;
                usage = done.usage.or(usage);
                check(&done.content)?
            }
            Err(e) => return Err(e.into()),
        };
        let mut evaluation = validated.evaluation;
        if builtin::guard::scan(answer).is_some() {
            evaluation.flags.push(Flag::PossiblePromptInjection);
            evaluation.flags.sort();
        }
        Ok(Judged {
            evaluation,
            provenance: Provenance {
                model: Some(self.judge_model.clone()),
                prompt_hash: Some(rendered.template_hash),
                latency_ms: Some(started.elapsed().as_millis() as i64),
                usage: usage.map(|u| json!(u)),
                llm: Some(LlmDetails {
                    json_mode: mode.as_str().to_string(),
                    prompt_profile: if compact { "compact" } else { "full" }.to_string(),
                    prompt_tokens_estimate: tokens,
                    repairs: validated
                        .repairs
                        .iter()
                        .map(|r| r.as_str().to_string())
                        .collect(),
                    truncated_retry,
                    adjustments: validated.adjustments,
                }),
                ..Default::default()
            },
        })
    }

    /// Rewrites the candidate's own answer into a strong one (shown once the question is closed,
    /// beside the bank's model answer): their correct points kept, wrong claims corrected, the
    /// missing key points added. Checked: plain text of a sensible length, not the answer itself.
    pub async fn rewrite(&self, question: &Question, answer: &str) -> Result<String, JudgeError> {
        let nonce = nonce();
        let context = json!({
            "question": {"text": question.text},
            "behavioral": question.kind == Kind::Behavioral,
            "key_points": question.key_points.iter().map(|k| &k.text).collect::<Vec<_>>(),
            "star": question.star,
            "answer": answer,
            "nonce": nonce,
        });
        let request = self.coach_request("rewrite", &context, self.max_output_tokens.min(500))?;
        let text = self
            .client
            .complete_within(&request, self.judge_timeout)
            .await?
            .content;
        check_rewrite(&text, answer, &nonce).map_err(JudgeError::Rejected)
    }

    /// Adds the rewrite to the evaluation of a closed question; when it fails the candidate sees
    /// the model answer alone.
    pub async fn add_rewrite(
        &self,
        question: &Question,
        answer: &str,
        evaluation: &mut Evaluation,
    ) {
        match self.rewrite(question, answer).await {
            Ok(text) => evaluation.rewrite = Some(text),
            Err(e) => {
                tracing::debug!(error = %e, "answer rewrite failed; the model answer is shown alone")
            }
        }
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
        let request = self.coach_request("coach", &context, self.max_output_tokens.min(400))?;
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
        let request = self.coach_request("follow_up", &context, 120)?;
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
        let request = ChatRequest {
            json_schema: Some((
                "summary".into(),
                // Every property required and no others: the strict dialect accepts only that.
                json!({
                    "type": "object",
                    "properties": {
                        "strengths": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                        "focus_areas": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                        "topics_to_review": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                    },
                    "required": ["strengths", "focus_areas", "topics_to_review"],
                    "additionalProperties": false,
                }),
            )),
            ..self.coach_request("summary", &context, self.max_output_tokens)?
        };
        let content = self.client.complete(&request).await?.content;
        let start = content.find('{').unwrap_or(0);
        let end = content.rfind('}').map_or(content.len(), |e| e + 1);
        let n: Narrative = serde_json::from_str(content.get(start..end).unwrap_or(""))
            .map_err(|e| Rejected(format!("the summary is not the expected JSON: {e}")))?;
        Ok(n)
    }
}

/// A rewrite the candidate can be shown: trimmed plain text, 20–2,500 characters, not the
/// answer itself, without the prompt's delimiters.
fn check_rewrite(text: &str, answer: &str, nonce: &str) -> Result<String, Rejected> {
    let text = text.trim().trim_matches('"').trim();
    let chars = text.chars().count();
    if !(20..=2500).contains(&chars) {
        return Err(Rejected(format!("the rewrite has {chars} characters")));
    }
    if text.contains(nonce) || text.contains("<<<") {
        return Err(Rejected(
            "the rewrite repeats the prompt's delimiters".into(),
        ));
    }
    if text == answer.trim() {
        return Err(Rejected("the rewrite is the answer unchanged".into()));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::check_rewrite;

    #[test]
    fn rewrites_are_checked() {
        let answer = "The GIL lets one thread run at a time.";
        assert!(check_rewrite("\"The GIL lets only one thread execute bytecode at once, so CPU-bound threads do not speed up.\"", answer, "n0nce").is_ok());
        assert!(check_rewrite("short", answer, "n0nce").is_err());
        assert!(check_rewrite(answer, answer, "n0nce").is_err());
        assert!(
            check_rewrite(
                "<<<ANSWER n0nce>>> The GIL lets one thread run.",
                answer,
                "n0nce"
            )
            .is_err()
        );
    }
}
