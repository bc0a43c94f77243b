//! The OpenAI-compatible client: one `reqwest::Client`, retries like the OpenAI SDKs, a circuit
//! breaker, streaming through a bounded channel, and metrics.

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::time::timeout_at;

use super::breaker::Breaker;
use super::metrics::LlmMetrics;
use super::retry::{backoff, retry_after};
use super::wire::{self, ChatRequest, Chunk, Dialect, Usage};
use super::{LlmError, TimeoutKind};
use crate::config::{JsonMode, LlmSettings};

/// A finished call.
#[derive(Debug, Clone)]
pub struct Completion {
    pub content: String,
    pub usage: Option<Usage>,
    /// Time from the start of the successful attempt to its first token (streams) or response.
    pub first_token: Duration,
    /// Time for the whole call, retries included.
    pub total: Duration,
    pub retries: u32,
    /// Why generation stopped (`stop`, `length`, …), when the endpoint says.
    pub finish_reason: Option<String>,
}

/// Deadlines for one call.
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    first_token: Duration,
    idle: Duration,
    total: Duration,
}

impl Deadlines {
    /// One deadline for the whole call (a reply that arrives only once complete).
    fn whole(deadline: Duration) -> Self {
        Deadlines {
            first_token: deadline,
            idle: deadline,
            total: deadline,
        }
    }
}

/// Talks to one OpenAI-compatible endpoint.
pub struct LlmClient {
    http: reqwest::Client,
    url: String,
    api_key: Option<SecretString>,
    dialect: Dialect,
    deadlines: Deadlines,
    max_retries: u32,
    /// First backoff (seconds) between retries.
    backoff_base: f64,
    max_reply: usize,
    breaker: Breaker,
    /// The JSON mode `auto` settled on, once a probe succeeded.
    probed: tokio::sync::OnceCell<JsonMode>,
    pub metrics: LlmMetrics,
}

impl std::fmt::Debug for LlmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmClient")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// A setting in seconds; a value too large (or `inf`) means a day, `NaN` and negatives 1 ms.
/// The response body as text, refusing (or, for `truncate`, cutting) more than `limit` bytes
/// without reading further.
async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
    truncate: bool,
) -> Result<String, LlmError> {
    let too_large = || LlmError::ReplyTooLarge(limit);
    if !truncate && response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| LlmError::Connect(format!("reading the response: {e}")))?
    {
        if body.len() + chunk.len() > limit {
            if truncate {
                body.extend_from_slice(&chunk[..limit - body.len()]);
                break;
            }
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn secs(s: f64) -> Duration {
    const DAY: f64 = 86_400.0;
    Duration::from_secs_f64(if s.is_nan() {
        0.001
    } else {
        s.clamp(0.001, DAY)
    })
}

impl LlmClient {
    /// Builds the client from settings; the API key is read from the variable named by
    /// `api_key_env` (missing variable: no key, which local servers accept).
    pub fn new(settings: &LlmSettings) -> Result<LlmClient, LlmError> {
        let api_key = settings
            .api_key_env
            .as_deref()
            .and_then(|name| std::env::var(name).ok())
            .filter(|k| !k.is_empty())
            .map(SecretString::from);
        Self::with_api_key(settings, api_key)
    }

    /// Builds the client with an explicit key (or none).
    pub fn with_api_key(
        settings: &LlmSettings,
        api_key: Option<SecretString>,
    ) -> Result<LlmClient, LlmError> {
        crate::tokens::install_crypto_provider();
        let base = settings
            .base_url
            .as_deref()
            .ok_or(LlmError::NotConfigured)?;
        let http = reqwest::Client::builder()
            .connect_timeout(secs(settings.connect_timeout_secs))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("rehearse/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Connect(e.to_string()))?;
        Ok(LlmClient {
            http,
            url: format!("{}/chat/completions", base.trim_end_matches('/')),
            api_key,
            dialect: Dialect {
                token_limit_field: settings.token_limit_field,
                json_mode: settings.json_mode,
                include_usage: settings.include_usage,
            },
            deadlines: Deadlines {
                first_token: secs(settings.first_token_timeout_secs),
                idle: secs(settings.idle_timeout_secs),
                total: secs(settings.total_timeout_secs),
            },
            max_retries: settings.max_retries,
            backoff_base: settings.retry_backoff_secs,
            max_reply: settings.max_reply_bytes.max(1),
            breaker: Breaker::new(
                settings.breaker_threshold,
                secs(settings.breaker_cooldown_secs),
            ),
            probed: tokio::sync::OnceCell::new(),
            metrics: LlmMetrics::default(),
        })
    }

    /// True while the circuit breaker refuses calls.
    pub fn is_paused(&self) -> bool {
        self.breaker.is_open()
    }

    /// A non-streamed completion, retried on transient failures.
    pub async fn complete(&self, request: &ChatRequest) -> Result<Completion, LlmError> {
        self.complete_with(request, self.deadlines, true).await
    }

    /// A non-streamed completion that may take up to `deadline` in all (a server that sends
    /// nothing until the whole reply is generated gets that long, not the first-token timeout).
    /// A timeout is not retried: the server was generating, and another attempt would cost
    /// another generation. Other transient failures are retried as usual.
    pub async fn complete_within(
        &self,
        request: &ChatRequest,
        deadline: Duration,
    ) -> Result<Completion, LlmError> {
        self.complete_with(request, Deadlines::whole(deadline), false)
            .await
    }

    async fn complete_with(
        &self,
        request: &ChatRequest,
        deadlines: Deadlines,
        retry_timeouts: bool,
    ) -> Result<Completion, LlmError> {
        self.with_retries(retry_timeouts, || async {
            self.attempt(request, deadlines, None)
                .await
                .map_err(|e| (e, false))
        })
        .await
    }

    /// The JSON mode known now: the configured one, the one a probe found, or `json_object`
    /// while an `auto` probe has not succeeded.
    fn known_json_mode(&self) -> JsonMode {
        match self.dialect.json_mode {
            JsonMode::Auto => self.probed.get().copied().unwrap_or(JsonMode::JsonObject),
            mode => mode,
        }
    }

    /// The JSON mode in force: the configured one, or for `auto` the one a probe found (probed
    /// once; a probe that cannot reach the server is tried again on the next call, and
    /// `json_object` is used meanwhile).
    pub async fn json_mode(&self, model: &str) -> JsonMode {
        if self.dialect.json_mode != JsonMode::Auto {
            return self.dialect.json_mode;
        }
        match self
            .probed
            .get_or_try_init(|| self.find_json_mode(model))
            .await
        {
            Ok(mode) => *mode,
            Err(e) => {
                tracing::warn!(error = %e, "could not probe the LLM endpoint's JSON mode; using json_object for now");
                self.known_json_mode()
            }
        }
    }

    /// Probes the endpoint for the JSON mode it enforces (see [`Self::find_json_mode`]), whatever
    /// is configured; `auto` then keeps the finding.
    pub async fn probe_json_mode(&self, model: &str) -> Result<JsonMode, LlmError> {
        let mode = self.find_json_mode(model).await?;
        // Already set by an earlier probe: that finding stays.
        let _ = self.probed.set(mode);
        Ok(mode)
    }

    /// Finds the first schema dialect the endpoint accepts **and enforces**: the probe's schema
    /// pins a random value the prompt never mentions, so only a server that constrains its
    /// output to the schema can reply with it. Without one, `json_object` if accepted, else `none`.
    async fn find_json_mode(&self, model: &str) -> Result<JsonMode, LlmError> {
        let token = crate::tokens::random_token()[..12].to_string();
        let schema = serde_json::json!({
            "type": "object",
            "properties": {"probe": {"type": "string", "const": token}},
            "required": ["probe"],
            "additionalProperties": false,
        });
        let deadlines = Deadlines::whole(self.deadlines.total);
        let mut accepts_json_object = false;
        for mode in [
            JsonMode::JsonSchema,
            JsonMode::JsonObjectSchema,
            JsonMode::JsonObject,
        ] {
            let request = ChatRequest {
                json_schema: Some(("probe".into(), schema.clone())),
                json_mode: Some(mode),
                ..ChatRequest::new(
                    model,
                    vec![wire::ChatMessage::user(
                        "Reply with a JSON object that has one string field named \"probe\".",
                    )],
                    0.0,
                    40,
                )
            };
            match self.attempt(&request, deadlines, None).await {
                Ok(done) if done.content.contains(&token) => {
                    tracing::info!(
                        json_mode = mode.as_str(),
                        "LLM endpoint enforces JSON schemas"
                    );
                    return Ok(mode);
                }
                Ok(_) => accepts_json_object |= mode == JsonMode::JsonObject,
                Err(LlmError::Status { status, .. }) if (400..600).contains(&status) => {}
                Err(LlmError::InvalidResponse(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let mode = if accepts_json_object {
            JsonMode::JsonObject
        } else {
            JsonMode::None
        };
        tracing::info!(
            json_mode = mode.as_str(),
            "LLM endpoint does not enforce JSON schemas"
        );
        Ok(mode)
    }

    /// A streamed completion: content is forwarded piece by piece to `tokens` as it arrives.
    /// Failures before the first forwarded piece are retried; after it, never (the candidate
    /// has already seen part of the text).
    pub async fn stream(
        &self,
        request: &ChatRequest,
        tokens: mpsc::Sender<String>,
    ) -> Result<Completion, LlmError> {
        let deadlines = self.deadlines;
        self.with_retries(true, || async {
            let mut forwarded = false;
            self.attempt(request, deadlines, Some((&tokens, &mut forwarded)))
                .await
                .map_err(|e| (e, forwarded))
        })
        .await
    }

    async fn with_retries<F, Fut>(
        &self,
        retry_timeouts: bool,
        mut attempt: F,
    ) -> Result<Completion, LlmError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Completion, (LlmError, bool)>>,
    {
        if let Err(wait) = self.breaker.check() {
            let e = LlmError::CircuitOpen(wait);
            self.metrics.failure(e.kind());
            return Err(e);
        }
        self.metrics.call();
        let started = Instant::now();
        let mut retries = 0;
        loop {
            match attempt().await {
                Ok(mut done) => {
                    done.total = started.elapsed();
                    done.retries = retries;
                    self.breaker.record_success();
                    self.metrics.completed(done.total, done.usage);
                    return Ok(done);
                }
                Err((e, forwarded)) => {
                    let timed_out = matches!(e, LlmError::Timeout(_));
                    if forwarded
                        || !e.is_retryable()
                        || (timed_out && !retry_timeouts)
                        || retries >= self.max_retries
                    {
                        self.breaker.record_failure();
                        self.metrics.failure(e.kind());
                        return Err(e);
                    }
                    retries += 1;
                    self.metrics.retry();
                    let wait = e
                        .retry_after()
                        .unwrap_or_else(|| backoff(self.backoff_base, retries, rand::random()));
                    // A server asking for a longer wait than a whole call may take is not
                    // waited for: the caller falls back now and the regrade comes later.
                    if wait > self.deadlines.total {
                        self.breaker.record_failure();
                        self.metrics.failure(e.kind());
                        return Err(e);
                    }
                    tracing::debug!(error = %e, retries, ?wait, "retrying LLM call");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn attempt(
        &self,
        request: &ChatRequest,
        deadlines: Deadlines,
        stream: Option<(&mpsc::Sender<String>, &mut bool)>,
    ) -> Result<Completion, LlmError> {
        let started = Instant::now();
        let total_deadline = tokio::time::Instant::now() + deadlines.total;
        let first_deadline =
            (tokio::time::Instant::now() + deadlines.first_token).min(total_deadline);
        let mode = request.json_mode.unwrap_or_else(|| self.known_json_mode());
        let body = wire::request_body(request, self.dialect, mode, stream.is_some());
        let mut builder = self.http.post(&self.url).json(&body);
        if let Some(key) = &self.api_key {
            builder = builder.bearer_auth(key.expose_secret());
        }
        let response = match timeout_at(first_deadline, builder.send()).await {
            Err(_) => return Err(LlmError::Timeout(TimeoutKind::FirstToken)),
            Ok(Err(e)) if e.is_connect() => return Err(LlmError::Connect(e.to_string())),
            Ok(Err(e)) if e.is_timeout() => return Err(LlmError::Timeout(TimeoutKind::FirstToken)),
            Ok(Err(e)) => return Err(LlmError::Connect(e.to_string())),
            Ok(Ok(r)) => r,
        };
        let status = response.status();
        if !status.is_success() {
            let wait = retry_after(response.headers());
            // An error body is only a message: read at most the limit's worth, no error if longer.
            let text = timeout_at(total_deadline, read_capped(response, self.max_reply, true))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            return Err(wire::error_from_status(status.as_u16(), &text, wait));
        }
        match stream {
            None => {
                let first_token = started.elapsed();
                let text =
                    match timeout_at(total_deadline, read_capped(response, self.max_reply, false))
                        .await
                    {
                        Err(_) => return Err(LlmError::Timeout(TimeoutKind::Total)),
                        Ok(result) => result?,
                    };
                let parsed = wire::parse_completion(&text)?;
                self.metrics.first_token(first_token);
                Ok(Completion {
                    content: parsed.content,
                    usage: parsed.usage,
                    first_token,
                    total: started.elapsed(),
                    retries: 0,
                    finish_reason: parsed.finish_reason,
                })
            }
            Some((tokens, forwarded)) => {
                self.read_stream(
                    response,
                    started,
                    (first_deadline, total_deadline, deadlines.idle),
                    tokens,
                    forwarded,
                )
                .await
            }
        }
    }

    async fn read_stream(
        &self,
        response: reqwest::Response,
        started: Instant,
        (first_deadline, total_deadline, idle): (
            tokio::time::Instant,
            tokio::time::Instant,
            Duration,
        ),
        tokens: &mpsc::Sender<String>,
        forwarded: &mut bool,
    ) -> Result<Completion, LlmError> {
        // The stream ends early once the reply passes the limit; `too_large` tells why.
        let too_large = Arc::new(AtomicBool::new(false));
        let (limit, flag) = (self.max_reply, too_large.clone());
        let mut received = 0usize;
        let mut events = response
            .bytes_stream()
            .take_while(move |chunk| {
                if let Ok(bytes) = chunk {
                    received = received.saturating_add(bytes.len());
                }
                let within = received <= limit;
                if !within {
                    flag.store(true, Ordering::Relaxed);
                }
                std::future::ready(within)
            })
            .eventsource();
        let mut content = String::new();
        let mut usage = None;
        let mut finish_reason = None;
        let mut first_token = None;
        loop {
            let deadline = if first_token.is_none() {
                first_deadline
            } else {
                (tokio::time::Instant::now() + idle).min(total_deadline)
            };
            let event = match timeout_at(deadline, events.next()).await {
                Err(_) if tokio::time::Instant::now() >= total_deadline => {
                    return Err(LlmError::Timeout(TimeoutKind::Total));
                }
                Err(_) if first_token.is_none() => {
                    return Err(LlmError::Timeout(TimeoutKind::FirstToken));
                }
                Err(_) => return Err(LlmError::Timeout(TimeoutKind::Idle)),
                Ok(None | Some(Err(_))) if too_large.load(Ordering::Relaxed) => {
                    return Err(LlmError::ReplyTooLarge(self.max_reply));
                }
                Ok(None) if finish_reason.is_some() => break,
                Ok(None) => return Err(LlmError::StreamCut),
                Ok(Some(Err(_))) => return Err(LlmError::StreamCut),
                Ok(Some(Ok(event))) => event,
            };
            match wire::parse_chunk(&event.data)? {
                Chunk::Done => break,
                Chunk::Delta {
                    text,
                    finish_reason: f,
                    usage: u,
                } => {
                    finish_reason = f.or(finish_reason);
                    usage = u.or(usage);
                    if text.is_empty() {
                        continue;
                    }
                    if first_token.is_none() {
                        let t = started.elapsed();
                        self.metrics.first_token(t);
                        first_token = Some(t);
                    }
                    content.push_str(&text);
                    // A closed receiver (the candidate left) is fine: the text is still kept.
                    if tokens.send(text).await.is_ok() {
                        *forwarded = true;
                    }
                }
            }
        }
        Ok(Completion {
            content,
            usage,
            first_token: first_token.unwrap_or_else(|| started.elapsed()),
            total: started.elapsed(),
            retries: 0,
            finish_reason,
        })
    }
}
