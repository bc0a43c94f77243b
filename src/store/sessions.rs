//! Sessions.

use super::{
    Consent, NewSession, SessionRecord, SessionStatus, Store, StoreError, on_pool, on_writer,
};

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    id: String,
    resume_token_hash: String,
    candidate_name: Option<String>,
    candidate_email: Option<String>,
    topics: String,
    level: String,
    question_count: i64,
    plan: String,
    status: String,
    invite_id: Option<String>,
    created_by: Option<String>,
    overall: Option<i64>,
    flagged: bool,
    summary: Option<String>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
    profile_id: Option<String>,
    #[sqlx(default)]
    scores_hidden: bool,
    #[sqlx(default)]
    consent_at: Option<i64>,
    #[sqlx(default)]
    consent_version: Option<String>,
}

fn json(field: &str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("sessions.{field}: {e}")))
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self, StoreError> {
        Ok(SessionRecord {
            topics: r
                .topics
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| {
                    t.parse()
                        .map_err(|e| StoreError::Corrupt(format!("sessions.topics: {e}")))
                })
                .collect::<Result<_, _>>()?,
            level: r
                .level
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("sessions.level: {e}")))?,
            plan: json("plan", &r.plan)?,
            status: SessionStatus::parse(&r.status)?,
            summary: r
                .summary
                .as_deref()
                .map(|s| json("summary", s))
                .transpose()?,
            id: r.id,
            resume_token_hash: r.resume_token_hash,
            candidate_name: r.candidate_name,
            candidate_email: r.candidate_email,
            question_count: r.question_count,
            invite_id: r.invite_id,
            created_by: r.created_by,
            overall: r.overall,
            flagged: r.flagged,
            created_at: r.created_at,
            updated_at: r.updated_at,
            finished_at: r.finished_at,
            profile_id: r.profile_id,
            scores_hidden: r.scores_hidden,
            consent: r.consent_at.map(|at| Consent {
                at,
                version: r.consent_version.unwrap_or_default(),
            }),
        })
    }
}

/// `SELECT <every session column> FROM sessions` followed by the given clauses.
macro_rules! select_sessions {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, resume_token_hash, candidate_name, candidate_email, topics, level, \
             question_count, plan, status, invite_id, created_by, overall, flagged, summary, \
             created_at, updated_at, finished_at, profile_id, scores_hidden, consent_at, \
             consent_version FROM sessions ",
            $($rest),*
        )
    };
}
pub(super) use select_sessions;

impl Store {
    /// Creates a session, owned by `s.owner` at epoch 1.
    pub async fn create_session(&self, s: &NewSession) -> Result<(), StoreError> {
        let topics = s
            .topics
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let plan = s.plan.to_string();
        let result = on_writer!(self, |p| {
            sqlx::query(
                "INSERT INTO sessions (id, resume_token_hash, candidate_name, candidate_email, topics, \
                 level, question_count, plan, status, invite_id, created_by, created_at, updated_at, owner, epoch, \
                 profile_id, scores_hidden, consent_at, consent_version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $11, $11, $12, 1, $13, $14, $15, $16)",
            )
            .bind(&s.id)
            .bind(&s.resume_token_hash)
            .bind(&s.candidate_name)
            .bind(&s.candidate_email)
            .bind(&topics)
            .bind(s.level.as_str())
            .bind(s.question_count)
            .bind(&plan)
            .bind(&s.invite_id)
            .bind(&s.created_by)
            .bind(s.now)
            .bind(&s.owner)
            .bind(&s.profile_id)
            .bind(s.scores_hidden)
            .bind(s.consent.as_ref().map(|c| c.at))
            .bind(s.consent.as_ref().map(|c| c.version.as_str()))
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        });
        self.observe_write(result.map_err(StoreError::from))?;
        Ok(())
    }

    /// The session with this id.
    pub async fn session(&self, id: &str) -> Result<SessionRecord, StoreError> {
        let row: Option<SessionRow> = on_pool!(self, |p| {
            sqlx::query_as(select_sessions!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }
}

impl Store {
    /// The session a resume token belongs to (the token's hash is looked up).
    pub async fn session_by_resume_hash(
        &self,
        hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<SessionRow> = on_pool!(self, |p| {
            sqlx::query_as(select_sessions!("WHERE resume_token_hash = $1"))
                .bind(hash)
                .fetch_optional(p)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Updates a session's overall score, flag and stored summary after a review.
    pub async fn update_session_scores(
        &self,
        id: &str,
        overall: Option<i64>,
        summary: Option<&serde_json::Value>,
        now: i64,
    ) -> Result<(), StoreError> {
        let summary = summary.map(|s| s.to_string());
        on_writer!(self, |p| {
            sqlx::query("UPDATE sessions SET overall = $2, summary = COALESCE($3, summary), updated_at = $4 WHERE id = $1")
                .bind(id)
                .bind(overall)
                .bind(&summary)
                .bind(now)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
