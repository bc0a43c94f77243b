//! Settings, layered: built-in defaults → `rehearse.toml` (or `--config FILE`) → `REHEARSE_*`
//! environment variables (`REHEARSE_DATABASE__URL` sets `database.url`) → command-line flags.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// The file read when no `--config` is given (optional).
pub const DEFAULT_CONFIG_FILE: &str = "rehearse.toml";

/// Every setting.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub database: DatabaseSettings,
    /// `builtin` or `llm`; when unset, `llm` if `llm.base_url` is set, else `builtin`.
    pub evaluator: Option<EvaluatorKind>,
    pub content: ContentSettings,
    pub server: ServerSettings,
    pub llm: LlmSettings,
}

impl Settings {
    /// The evaluator in force: as configured, else `llm` when an endpoint is set, else `builtin`.
    pub fn evaluator_kind(&self) -> EvaluatorKind {
        self.evaluator.unwrap_or(if self.llm.base_url.is_some() {
            EvaluatorKind::Llm
        } else {
            EvaluatorKind::Builtin
        })
    }
}

/// Which request field carries the output token limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenLimitField {
    /// Ollama, llama.cpp, vLLM, LiteLLM and older OpenAI models.
    MaxTokens,
    /// Newer OpenAI models (they reject `max_tokens`).
    MaxCompletionTokens,
}

/// How the judge asks for JSON: each server's dialect for a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum JsonMode {
    /// Probe the server once (first judge call, or `rehearse llm-check`) for the first of the
    /// modes below that it accepts and enforces, and remember it.
    Auto,
    /// `response_format: {type: json_schema, json_schema: {strict: true, schema}}` (OpenAI, vLLM,
    /// llama.cpp `llama-server`, LM Studio, Ollama ≥ 0.5).
    JsonSchema,
    /// `response_format: {type: json_object, schema}` (llama-cpp-python's server).
    JsonObjectSchema,
    /// `response_format: {type: json_object}`: JSON, but no schema (older Ollama, many proxies).
    JsonObject,
    /// No `response_format`; the prompt alone asks for JSON.
    None,
}

impl JsonMode {
    /// The name used in settings.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The server constrains its output to the schema we send.
    pub fn enforces_schema(self) -> bool {
        matches!(self, JsonMode::JsonSchema | JsonMode::JsonObjectSchema)
    }
}

/// How much of the rubric the judge prompt carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PromptProfile {
    /// `full` when it fits in `llm.context_tokens` with room for the reply, else `compact`.
    Auto,
    /// The rubric with every anchor.
    Full,
    /// Criteria without per-criterion anchors; nothing the schema already says.
    Compact,
}

impl PromptProfile {
    /// The name used in settings.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The OpenAI-compatible endpoint used as judge and coach.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct LlmSettings {
    /// e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1`.
    pub base_url: Option<String>,
    pub model: String,
    /// Model for grading; `model` when unset.
    pub judge_model: Option<String>,
    /// Name of the environment variable holding the API key (the key itself never goes in a file).
    pub api_key_env: Option<String>,
    pub connect_timeout_secs: f64,
    /// Until response headers, and for streams the first token, arrive.
    pub first_token_timeout_secs: f64,
    /// Longest silence between stream chunks.
    pub idle_timeout_secs: f64,
    /// Deadline for a whole call, retries excluded.
    pub total_timeout_secs: f64,
    pub max_retries: u32,
    /// First wait (seconds) before retrying a failed call; it doubles per retry, up to 8 s.
    pub retry_backoff_secs: f64,
    /// Judge temperature.
    pub temperature: f64,
    /// Coach (feedback) temperature.
    pub coach_temperature: f64,
    pub token_limit_field: TokenLimitField,
    pub max_output_tokens: u32,
    pub json_mode: JsonMode,
    pub prompt_profile: PromptProfile,
    /// The judge model's context window (tokens): `prompt_profile = "auto"` picks the compact
    /// prompt when the full one and the reply would not fit.
    pub context_tokens: u32,
    /// Deadline for one judge call (a non-streamed reply arrives whole, so this is the wait for
    /// the entire judgement). A judge call that times out is not retried: the server was busy
    /// generating, and another attempt would cost another generation.
    pub judge_timeout_secs: f64,
    /// Ask for a usage chunk at the end of streams (`stream_options.include_usage`).
    pub include_usage: bool,
    /// Consecutive failed calls that open the circuit breaker.
    pub breaker_threshold: u32,
    /// How long an open breaker refuses calls.
    pub breaker_cooldown_secs: f64,
    /// How often the regrade worker looks for fallback evaluations to regrade.
    pub regrade_interval_secs: f64,
    /// How long a claimed regrade stays with its worker without renewal; the worker renews it
    /// every third of this while the LLM call runs, and another replica may take it over only
    /// after a worker died holding it.
    pub regrade_lease_secs: f64,
    /// Largest reply (bytes, streamed or not) read from the endpoint; a bigger one fails the
    /// call as `reply_too_large`.
    pub max_reply_bytes: usize,
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            base_url: None,
            model: "gpt-4o-mini".into(),
            judge_model: None,
            api_key_env: None,
            connect_timeout_secs: 5.0,
            first_token_timeout_secs: 60.0,
            idle_timeout_secs: 30.0,
            total_timeout_secs: 180.0,
            max_retries: 2,
            retry_backoff_secs: 0.5,
            temperature: 0.0,
            coach_temperature: 0.4,
            token_limit_field: TokenLimitField::MaxTokens,
            max_output_tokens: 1500,
            json_mode: JsonMode::Auto,
            prompt_profile: PromptProfile::Auto,
            context_tokens: 8192,
            judge_timeout_secs: 120.0,
            include_usage: true,
            breaker_threshold: 5,
            breaker_cooldown_secs: 30.0,
            regrade_interval_secs: 20.0,
            regrade_lease_secs: 60.0,
            max_reply_bytes: 1024 * 1024,
        }
    }
}

/// The HTTP/WebSocket server and its limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// Largest WebSocket frame accepted; a bigger one closes the connection (1009).
    pub max_frame_bytes: usize,
    /// Largest answer accepted (bytes of UTF-8 text).
    pub max_answer_bytes: usize,
    /// Sustained client messages per second per connection.
    pub messages_per_second: f64,
    /// Messages a client may send in a burst above the sustained rate.
    pub message_burst: f64,
    /// How often idle connections are pinged.
    pub ping_interval_secs: u64,
    /// A connection silent (no frame, no pong) for this long is closed.
    pub idle_timeout_secs: u64,
    /// A write to a client that does not complete within this many seconds (the client stopped
    /// reading) closes the connection (1008); the candidate resumes later and loses nothing.
    pub write_timeout_secs: u64,
    /// Seconds to let in-flight requests finish on SIGINT/SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// HTTP worker threads (0 = one per CPU core).
    pub workers: usize,
    /// Key (at least 64 bytes, hex) that encrypts the staff pages' login cookie. Unset: a random
    /// key per process, so logins do not survive a restart or cross replicas — set it for those.
    pub cookie_key: Option<Secret>,
    /// API requests per second per token (sustained) and burst.
    pub token_requests_per_second: f64,
    pub token_request_burst: f64,
    /// Login attempts and failed authentications per minute per client address.
    pub logins_per_minute: f64,
    /// Interviews a client address may start per minute (sustained, and at once).
    pub starts_per_minute: f64,
    /// `text` (colour only on a terminal) or `json` (one object per line).
    pub log_format: crate::logging::LogFormat,
    /// Serve `/metrics` on this separate address (e.g. a private interface) instead of the main
    /// listener; port 0 picks a free port.
    pub metrics_bind: Option<String>,
    /// The address candidates reach the server at (e.g. `https://interviews.example.com`); invite
    /// links are built from it. Unset: links are relative to the page that asked for them.
    pub public_url: Option<String>,
    /// Who invites the candidates, named on the invite's notice.
    pub organisation: String,
    /// Finished interviews older than this many days are erased (checked hourly). Unset: kept
    /// until an admin erases them.
    pub retention_days: Option<u32>,
}

/// A secret setting; `Debug` never shows it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            bind: "127.0.0.1:8080".into(),
            max_frame_bytes: 64 * 1024,
            max_answer_bytes: 16 * 1024,
            messages_per_second: 5.0,
            message_burst: 10.0,
            ping_interval_secs: 10,
            idle_timeout_secs: 30,
            write_timeout_secs: 5,
            shutdown_timeout_secs: 10,
            workers: 0,
            cookie_key: None,
            starts_per_minute: 30.0,
            log_format: Default::default(),
            metrics_bind: None,
            token_requests_per_second: 20.0,
            token_request_burst: 60.0,
            logins_per_minute: 10.0,
            public_url: None,
            organisation: "the hiring team".into(),
            retention_days: None,
        }
    }
}

/// Which evaluator grades answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum EvaluatorKind {
    Builtin,
    Llm,
}

/// Database connection.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    pub url: DatabaseUrl,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
    /// SQLite only: `normal` (default; an acknowledged answer survives a crash of rehearse, and
    /// of the machine unless the last few transactions had not reached the disk) or `full`
    /// (every acknowledged answer survives power loss too, at one more fsync per write).
    pub synchronous: Synchronous,
}

/// How hard SQLite pushes each commit to the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Synchronous {
    #[default]
    Normal,
    Full,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: DatabaseUrl("sqlite://rehearse.db".into()),
            max_connections: 10,
            busy_timeout_ms: 5000,
            synchronous: Synchronous::Normal,
        }
    }
}

impl DatabaseSettings {
    /// Pool options for the store.
    pub fn connect_options(&self) -> crate::store::ConnectOptions {
        crate::store::ConnectOptions {
            max_connections: self.max_connections,
            busy_timeout: std::time::Duration::from_millis(self.busy_timeout_ms),
            full_sync: self.synchronous == Synchronous::Full,
            ..Default::default()
        }
    }
}

/// A database URL; `Debug` and `Display` hide any password in it.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        DatabaseUrl(url.into())
    }

    /// The full URL, password included: pass it only to the driver.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
            return url.clone();
        };
        let rest = &url[scheme_end..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        match rest[..authority_end].rfind('@') {
            Some(at) => match rest[..at].find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end],
                    &rest[..colon],
                    &rest[at..]
                ),
                None => url.clone(),
            },
            None => url.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Where content files live; a missing default directory falls back to the embedded copy.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ContentSettings {
    pub questions: PathBuf,
    pub rubrics: PathBuf,
    pub prompts: PathBuf,
    pub templates: PathBuf,
}

impl Default for ContentSettings {
    fn default() -> Self {
        ContentSettings {
            questions: "questions".into(),
            rubrics: "rubrics".into(),
            prompts: "prompts".into(),
            templates: "templates".into(),
        }
    }
}

/// Values given on the command line, applied last.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub database_url: Option<String>,
    pub evaluator: Option<EvaluatorKind>,
    pub bind: Option<String>,
}

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(#[from] config::ConfigError);

impl Settings {
    /// Loads settings. `file` must exist when given; otherwise `rehearse.toml` is read if present.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Settings, ConfigError> {
        Self::load_from_env(file, overrides, None)
    }

    /// As [`Settings::load`], reading environment variables from `env` instead of the process
    /// environment when given (for tests).
    pub fn load_from_env(
        file: Option<&Path>,
        overrides: &Overrides,
        env: Option<std::collections::HashMap<String, String>>,
    ) -> Result<Settings, ConfigError> {
        let file_source = match file {
            Some(path) => config::File::from(path).required(true),
            None => config::File::with_name(DEFAULT_CONFIG_FILE).required(false),
        };
        let mut environment = config::Environment::with_prefix("REHEARSE")
            .prefix_separator("_")
            .separator("__")
            .try_parsing(true);
        if let Some(env) = env {
            environment = environment.source(Some(env));
        }
        let evaluator = overrides.evaluator.map(|e| match e {
            EvaluatorKind::Builtin => "builtin",
            EvaluatorKind::Llm => "llm",
        });
        let built = config::Config::builder()
            .add_source(file_source.format(config::FileFormat::Toml))
            .add_source(environment)
            .set_override_option("database.url", overrides.database_url.clone())?
            .set_override_option("evaluator", evaluator)?
            .set_override_option("server.bind", overrides.bind.clone())?
            .build()?;
        Ok(built.try_deserialize()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn passwords_never_appear_in_debug_output() {
        let url = DatabaseUrl::new("postgres://rehearse:s3cret@db.internal:5432/rehearse");
        let shown = format!("{url:?} {url}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://rehearse:***@db.internal:5432/rehearse"));
        assert_eq!(
            DatabaseUrl::new("sqlite://rehearse.db").redacted(),
            "sqlite://rehearse.db"
        );
    }

    #[test]
    fn layers_apply_defaults_then_file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.toml");
        std::fs::write(&file, "evaluator = \"llm\"\n[database]\nurl = \"sqlite://from-file.db\"\nmax_connections = 3\n").unwrap();
        let env = HashMap::from([(
            "REHEARSE_DATABASE__MAX_CONNECTIONS".to_string(),
            "7".to_string(),
        )]);

        let s =
            Settings::load_from_env(Some(&file), &Overrides::default(), Some(env.clone())).unwrap();
        assert_eq!(s.database.url.expose(), "sqlite://from-file.db");
        assert_eq!(s.database.max_connections, 7, "env beats the file");
        assert_eq!(s.evaluator, Some(EvaluatorKind::Llm));
        assert_eq!(s.database.busy_timeout_ms, 5000, "defaults fill the rest");

        let flags = Overrides {
            database_url: Some("sqlite://flag.db".into()),
            ..Default::default()
        };
        let s = Settings::load_from_env(Some(&file), &flags, Some(env)).unwrap();
        assert_eq!(
            s.database.url.expose(),
            "sqlite://flag.db",
            "flags beat everything"
        );
    }

    #[test]
    fn a_missing_explicit_config_file_is_an_error() {
        let err = Settings::load_from_env(
            Some(Path::new("/nonexistent/r.toml")),
            &Overrides::default(),
            Some(HashMap::new()),
        );
        assert!(err.is_err());
    }
}
