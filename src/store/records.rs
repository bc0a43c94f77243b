//! What the store reads and writes.

use serde::{Deserialize, Serialize};

use crate::bank::{Kind, Level, Topic};
use crate::evaluate::{Evaluation, Provenance};

/// Lifecycle of an interview session.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SessionStatus {
    Active,
    Finished,
}

impl SessionStatus {
    /// The stored id.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// A stored status; anything else is corrupt data, not a default.
    pub(crate) fn parse(s: &str) -> Result<Self, super::StoreError> {
        s.parse()
            .map_err(|_| super::StoreError::Corrupt(format!("unknown session status `{s}`")))
    }
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub resume_token_hash: String,
    pub candidate_name: Option<String>,
    pub candidate_email: Option<String>,
    pub topics: Vec<Topic>,
    pub level: Level,
    pub question_count: i64,
    /// The interview plan (seed, question ids), owned by the interview module.
    pub plan: serde_json::Value,
    pub invite_id: Option<String>,
    pub created_by: Option<String>,
    /// The server process that runs it (it holds epoch 1).
    pub owner: String,
    /// The practice profile it belongs to.
    pub profile_id: Option<String>,
    /// The candidate sees no scores, feedback, key points or model answers (the invite says so).
    pub scores_hidden: bool,
    /// The candidate's agreement to the invite's notice.
    pub consent: Option<Consent>,
    pub now: i64,
}

/// A candidate's agreement to the notice an invite showed before the first question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Consent {
    /// Unix milliseconds.
    pub at: i64,
    /// The version of the notice agreed to.
    pub version: String,
}

/// A stored session.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionRecord {
    pub id: String,
    #[serde(skip)]
    #[schema(ignore)]
    pub resume_token_hash: String,
    pub candidate_name: Option<String>,
    pub candidate_email: Option<String>,
    pub topics: Vec<Topic>,
    pub level: Level,
    pub question_count: i64,
    #[schema(value_type = Object)]
    pub plan: serde_json::Value,
    pub status: SessionStatus,
    pub invite_id: Option<String>,
    pub created_by: Option<String>,
    pub overall: Option<i64>,
    pub flagged: bool,
    #[schema(value_type = Option<Object>)]
    pub summary: Option<serde_json::Value>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    /// The practice profile it belongs to (the candidate's own business).
    #[serde(skip)]
    #[schema(ignore)]
    pub profile_id: Option<String>,
    /// The candidate is shown no scores, feedback, key points or model answers.
    pub scores_hidden: bool,
    /// The invited candidate's agreement to the notice, when one was asked.
    pub consent: Option<Consent>,
}

/// A question being asked: the snapshot of exactly what the candidate saw.
#[derive(Debug, Clone)]
pub struct NewTurn {
    pub session_id: String,
    pub turn: i64,
    pub question_id: String,
    pub topic: Topic,
    pub level: Level,
    pub kind: Kind,
    pub question_text: String,
    pub is_follow_up: bool,
    pub parent_turn: Option<i64>,
    pub asked_at: i64,
}

/// A stored turn: the question as asked and, once given, the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TurnRecord {
    pub session_id: String,
    pub turn: i64,
    pub question_id: String,
    #[sqlx(try_from = "String")]
    pub topic: Topic,
    #[sqlx(try_from = "String")]
    pub level: Level,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub question_text: String,
    pub is_follow_up: bool,
    pub parent_turn: Option<i64>,
    pub asked_at: i64,
    pub answer_text: Option<String>,
    pub client_msg_id: Option<String>,
    pub answered_at: Option<i64>,
    pub answer_duration_ms: Option<i64>,
    pub skipped: bool,
}

impl TurnRecord {
    /// True once the turn has an answer or was skipped.
    pub fn is_closed(&self) -> bool {
        self.answer_text.is_some() || self.skipped
    }
}

/// A stored evaluation with its provenance. Several may exist per turn; the newest is current.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvaluation {
    pub id: i64,
    pub session_id: String,
    pub turn: i64,
    pub evaluation: Evaluation,
    pub provenance: Provenance,
    pub created_at: i64,
}

/// A stored rubric version.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RubricVersionRecord {
    pub rubric_id: String,
    pub version: i64,
    pub name: String,
    /// The validated rubric as JSON.
    pub body: String,
    /// The document as submitted (TOML or JSON).
    pub source_text: String,
    pub content_hash: String,
    pub created_at: i64,
    pub created_by: Option<String>,
}

/// A stored API token (never the token itself, only its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TokenRecord {
    pub id: i64,
    pub name: String,
    pub role: String,
    #[serde(skip)]
    #[schema(ignore)]
    pub token_hash: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}
