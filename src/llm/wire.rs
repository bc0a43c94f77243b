//! The OpenAI chat-completions wire format: request bodies shaped for the configured endpoint's
//! quirks, and lenient parsing of completions, stream chunks and error bodies.

use serde::Serialize;
use serde_json::{Value, json};
use std::time::Duration;

use super::LlmError;
use crate::config::{JsonMode, TokenLimitField};

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    pub role: &'static str,
    pub content: String,
}

impl ChatMessage {
    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage {
            role: "system",
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage {
            role: "user",
            content: content.into(),
        }
    }
}

/// A chat-completions call, before endpoint quirks are applied.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub temperature: f64,
    pub max_output_tokens: u32,
    /// Ask for JSON matching this schema (how depends on the endpoint's JSON mode).
    pub json_schema: Option<(String, Value)>,
    /// The JSON mode for this call; the client's own (or the one its probe found) when unset.
    pub json_mode: Option<JsonMode>,
}

impl ChatRequest {
    /// A request for plain text (no JSON asked for).
    pub fn new(
        model: impl Into<String>,
        messages: Vec<ChatMessage>,
        temperature: f64,
        max_output_tokens: u32,
    ) -> Self {
        ChatRequest {
            model: model.into(),
            messages,
            temperature,
            max_output_tokens,
            json_schema: None,
            json_mode: None,
        }
    }
}

/// Endpoint quirks that shape a request body.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    pub token_limit_field: TokenLimitField,
    pub json_mode: JsonMode,
    pub include_usage: bool,
}

/// The JSON body for `request`, streamed or not, asking for JSON in `mode`'s dialect.
pub fn request_body(
    request: &ChatRequest,
    dialect: Dialect,
    mode: JsonMode,
    stream: bool,
) -> Value {
    let mut body = json!({
        "model": request.model,
        "messages": request.messages,
        "temperature": request.temperature,
        "stream": stream,
    });
    let limit = match dialect.token_limit_field {
        TokenLimitField::MaxTokens => "max_tokens",
        TokenLimitField::MaxCompletionTokens => "max_completion_tokens",
    };
    body[limit] = json!(request.max_output_tokens);
    if let Some((name, schema)) = &request.json_schema {
        match mode {
            JsonMode::JsonSchema => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": {"name": name, "schema": schema, "strict": true},
                });
            }
            JsonMode::JsonObjectSchema => {
                body["response_format"] = json!({"type": "json_object", "schema": schema});
            }
            JsonMode::JsonObject | JsonMode::Auto => {
                body["response_format"] = json!({"type": "json_object"})
            }
            JsonMode::None => {}
        }
    }
    if stream && dialect.include_usage {
        body["stream_options"] = json!({"include_usage": true});
    }
    body
}

/// Token counts, when the endpoint reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

fn usage(v: &Value) -> Option<Usage> {
    let u = v.get("usage").filter(|u| u.is_object())?;
    let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
    let (p, c) = (n("prompt_tokens"), n("completion_tokens"));
    Some(Usage {
        prompt_tokens: p,
        completion_tokens: c,
        total_tokens: u
            .get("total_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(p + c),
    })
}

/// A non-streamed completion's text, usage and finish reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub content: String,
    pub usage: Option<Usage>,
    pub finish_reason: Option<String>,
}

fn finish_reason(choice: Option<&Value>) -> Option<String> {
    choice
        .and_then(|c| c.get("finish_reason"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The text of a non-streamed completion.
pub fn parse_completion(body: &str) -> Result<Parsed, LlmError> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| LlmError::InvalidResponse(format!("completion is not JSON: {e}")))?;
    if let Some(message) = error_message(&v) {
        return Err(LlmError::StreamError(message));
    }
    let content = v
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            LlmError::InvalidResponse("completion has no choices[0].message.content".into())
        })?;
    Ok(Parsed {
        content: content.to_string(),
        usage: usage(&v),
        finish_reason: finish_reason(v.pointer("/choices/0")),
    })
}

/// One parsed stream event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// A piece of content (may be empty: role-only or `choices: []` chunks).
    Delta {
        text: String,
        /// Set on the chunk that ends generation (`stop`, `length`, …).
        finish_reason: Option<String>,
        usage: Option<Usage>,
    },
    /// `data: [DONE]`.
    Done,
}

/// Parses an SSE `data:` payload.
pub fn parse_chunk(data: &str) -> Result<Chunk, LlmError> {
    let data = data.trim();
    if data == "[DONE]" {
        return Ok(Chunk::Done);
    }
    let v: Value = serde_json::from_str(data)
        .map_err(|e| LlmError::InvalidResponse(format!("stream chunk is not JSON: {e}")))?;
    if let Some(message) = error_message(&v) {
        return Err(LlmError::StreamError(message));
    }
    let choice = v.pointer("/choices/0");
    let text = choice
        .and_then(|c| c.pointer("/delta/content"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(Chunk::Delta {
        text: text.to_string(),
        finish_reason: finish_reason(choice),
        usage: usage(&v),
    })
}

/// The message of an error payload, in any of the common shapes:
/// `{"error": {"message": …}}`, `{"error": "text"}`, `{"object": "error", "message": …}`, `{"detail": …}`.
fn error_message(v: &Value) -> Option<String> {
    match v.get("error") {
        Some(Value::Object(e)) => {
            return Some(
                e.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown error")
                    .to_string(),
            );
        }
        Some(Value::String(s)) => return Some(s.clone()),
        _ => {}
    }
    if v.get("object").and_then(Value::as_str) == Some("error") {
        return Some(
            v.get("message")
                .and_then(Value::as_str)
                .unwrap_or("unknown error")
                .to_string(),
        );
    }
    None
}

/// Classifies an unsuccessful HTTP response.
pub fn error_from_status(status: u16, body: &str, retry_after: Option<Duration>) -> LlmError {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let code = v
        .pointer("/error/code")
        .or_else(|| v.pointer("/error/type"))
        .or_else(|| v.get("code"))
        .or_else(|| v.get("type"))
        .and_then(|c| {
            c.as_str()
                .map(str::to_string)
                .or_else(|| c.as_u64().map(|n| n.to_string()))
        });
    let message = error_message(&v)
        .or_else(|| {
            v.get("detail")
                .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_string))
        })
        .unwrap_or_else(|| {
            body.chars()
                .take(300)
                .collect::<String>()
                .trim()
                .to_string()
        });
    if code.as_deref() == Some("insufficient_quota") {
        return LlmError::Quota(message);
    }
    LlmError::Status {
        status,
        code,
        message,
        retry_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ChatRequest {
        ChatRequest {
            json_schema: Some(("judgement".into(), json!({"type": "object"}))),
            ..ChatRequest::new("m", vec![ChatMessage::user("hi")], 0.0, 100)
        }
    }

    #[test]
    fn bodies_follow_the_endpoint_quirks() {
        let openai = Dialect {
            token_limit_field: TokenLimitField::MaxCompletionTokens,
            json_mode: JsonMode::JsonSchema,
            include_usage: true,
        };
        let b = request_body(&request(), openai, JsonMode::JsonSchema, true);
        assert_eq!(b["max_completion_tokens"], 100);
        assert!(b.get("max_tokens").is_none());
        assert_eq!(b["response_format"]["type"], "json_schema");
        assert_eq!(b["response_format"]["json_schema"]["strict"], true);
        assert_eq!(
            b["response_format"]["json_schema"]["schema"],
            json!({"type": "object"})
        );
        assert_eq!(b["stream_options"]["include_usage"], true);

        let strict = Dialect {
            token_limit_field: TokenLimitField::MaxTokens,
            json_mode: JsonMode::None,
            include_usage: false,
        };
        let b = request_body(&request(), strict, JsonMode::None, true);
        assert_eq!(b["max_tokens"], 100);
        assert!(b.get("response_format").is_none() && b.get("stream_options").is_none());
        let b = request_body(&request(), strict, JsonMode::JsonObject, false);
        assert_eq!(b["response_format"], json!({"type": "json_object"}));
        // llama-cpp-python's dialect: the schema rides on `json_object`.
        let b = request_body(&request(), strict, JsonMode::JsonObjectSchema, false);
        assert_eq!(
            b["response_format"],
            json!({"type": "json_object", "schema": {"type": "object"}})
        );
    }

    #[test]
    fn chunks_parse_leniently() {
        assert_eq!(parse_chunk("[DONE]").unwrap(), Chunk::Done);
        assert_eq!(
            parse_chunk(r#"{"choices":[]}"#).unwrap(),
            Chunk::Delta {
                text: String::new(),
                finish_reason: None,
                usage: None
            }
        );
        assert_eq!(
            parse_chunk(r#"{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}"#)
                .unwrap(),
            Chunk::Delta {
                text: "Hi".into(),
                finish_reason: None,
                usage: None
            }
        );
        let last =
            parse_chunk(r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#)
                .unwrap();
        assert_eq!(
            last,
            Chunk::Delta {
                text: String::new(),
                finish_reason: None,
                usage: Some(Usage {
                    prompt_tokens: 3,
                    completion_tokens: 2,
                    total_tokens: 5
                })
            }
        );
        assert!(
            matches!(parse_chunk(r#"{"error":{"message":"overloaded"}}"#), Err(LlmError::StreamError(m)) if m == "overloaded")
        );
    }

    #[test]
    fn every_common_error_body_shape_is_understood() {
        let quota = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#;
        assert!(matches!(
            error_from_status(429, quota, None),
            LlmError::Quota(_)
        ));
        let e = error_from_status(
            429,
            r#"{"error":{"message":"slow down","code":"rate_limit_exceeded"}}"#,
            Some(Duration::from_secs(2)),
        );
        assert!(e.is_retryable() && e.retry_after() == Some(Duration::from_secs(2)));
        assert!(
            matches!(error_from_status(500, r#"{"error":"boom"}"#, None), LlmError::Status { message, .. } if message == "boom")
        );
        assert!(
            matches!(error_from_status(400, r#"{"object":"error","message":"bad model","code":400}"#, None), LlmError::Status { message, code: Some(c), .. } if message == "bad model" && c == "400")
        );
        assert!(
            matches!(error_from_status(422, r#"{"detail":"stream_options not supported"}"#, None), LlmError::Status { message, .. } if message.contains("stream_options"))
        );
        assert!(
            matches!(error_from_status(502, "<html>Bad gateway</html>", None), LlmError::Status { status: 502, message, .. } if message.contains("Bad gateway"))
        );
        assert!(!error_from_status(400, "{}", None).is_retryable());
    }
}
