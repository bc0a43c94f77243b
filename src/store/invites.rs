//! Invites: a recruiter's pre-set interview plan behind a link, with an expiry and a use limit.

use serde::Serialize;

use super::{Store, StoreError, on_pool, on_writer};

/// An invite to create.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub id: String,
    pub token_hash: String,
    pub created_by: String,
    pub candidate_name: Option<String>,
    pub candidate_email: Option<String>,
    pub topics: Vec<String>,
    pub level: String,
    pub question_count: i64,
    /// Rubric id per kind, overriding the assignments (JSON object).
    pub rubrics: serde_json::Value,
    pub expires_at: i64,
    pub max_uses: i64,
    /// Whether the candidate sees scores, feedback, key points and model answers.
    pub show_scores: bool,
    pub now: i64,
}

/// A stored invite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InviteRecord {
    pub id: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_by: String,
    pub candidate_name: Option<String>,
    pub candidate_email: Option<String>,
    pub topics: Vec<String>,
    pub level: String,
    pub question_count: i64,
    pub rubrics: serde_json::Value,
    pub expires_at: i64,
    pub max_uses: i64,
    pub uses: i64,
    pub created_at: i64,
    pub show_scores: bool,
    /// When and by whom the invite was revoked; a revoked invite starts nothing.
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
}

/// An interview started from an invite, as the invite list shows it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InviteSession {
    pub invite_id: String,
    pub session_id: String,
    pub status: String,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct InviteRow {
    id: String,
    token_hash: String,
    created_by: String,
    candidate_name: Option<String>,
    candidate_email: Option<String>,
    topics: String,
    level: String,
    question_count: i64,
    rubrics: String,
    expires_at: i64,
    max_uses: i64,
    uses: i64,
    created_at: i64,
    show_scores: bool,
    revoked_at: Option<i64>,
    revoked_by: Option<String>,
}

impl TryFrom<InviteRow> for InviteRecord {
    type Error = StoreError;
    fn try_from(r: InviteRow) -> Result<Self, StoreError> {
        Ok(InviteRecord {
            rubrics: serde_json::from_str(&r.rubrics)
                .map_err(|e| StoreError::Corrupt(format!("invite {}: {e}", r.id)))?,
            topics: r
                .topics
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            id: r.id,
            token_hash: r.token_hash,
            created_by: r.created_by,
            candidate_name: r.candidate_name,
            candidate_email: r.candidate_email,
            level: r.level,
            question_count: r.question_count,
            expires_at: r.expires_at,
            max_uses: r.max_uses,
            uses: r.uses,
            created_at: r.created_at,
            show_scores: r.show_scores,
            revoked_at: r.revoked_at,
            revoked_by: r.revoked_by,
        })
    }
}

macro_rules! select_invites {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, token_hash, created_by, candidate_name, candidate_email, topics, level, question_count, \
             rubrics, expires_at, max_uses, uses, created_at, show_scores, revoked_at, revoked_by FROM invites ",
            $($rest),*
        )
    };
}

/// Why an invite cannot start an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteProblem {
    Unknown,
    Expired,
    UsedUp,
    Revoked,
}

impl Store {
    pub async fn create_invite(&self, i: &NewInvite) -> Result<(), StoreError> {
        let topics = i.topics.join(",");
        let rubrics = i.rubrics.to_string();
        on_writer!(self, |p| {
            sqlx::query(
                "INSERT INTO invites (id, token_hash, created_by, candidate_name, candidate_email, topics, level, \
                 question_count, rubrics, expires_at, max_uses, created_at, show_scores) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&i.id)
            .bind(&i.token_hash)
            .bind(&i.created_by)
            .bind(&i.candidate_name)
            .bind(&i.candidate_email)
            .bind(&topics)
            .bind(&i.level)
            .bind(i.question_count)
            .bind(&rubrics)
            .bind(i.expires_at)
            .bind(i.max_uses)
            .bind(i.now)
            .bind(i.show_scores)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// The invite whose token hashes to `token_hash`.
    pub async fn invite_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<InviteRecord>, StoreError> {
        let row: Option<InviteRow> = on_pool!(self, |p| {
            sqlx::query_as(select_invites!("WHERE token_hash = $1"))
                .bind(token_hash)
                .fetch_optional(p)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// The invite with this id.
    pub async fn invite(&self, id: &str) -> Result<InviteRecord, StoreError> {
        let row: Option<InviteRow> = on_pool!(self, |p| {
            sqlx::query_as(select_invites!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// Every invite, newest first.
    pub async fn invites(&self) -> Result<Vec<InviteRecord>, StoreError> {
        let rows: Vec<InviteRow> = on_pool!(self, |p| {
            sqlx::query_as(select_invites!("ORDER BY created_at DESC, id DESC"))
                .fetch_all(p)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Uses the invite once if it is still valid; one atomic statement, so two candidates
    /// racing for the last use cannot both get it.
    pub async fn use_invite(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Result<InviteRecord, InviteProblem>, StoreError> {
        let used = on_writer!(self, |p| {
            sqlx::query(
                "UPDATE invites SET uses = uses + 1 \
                 WHERE token_hash = $1 AND expires_at > $2 AND uses < max_uses AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .bind(now)
            .execute(p)
            .await?
            .rows_affected()
        });
        let invite = self.invite_by_token_hash(token_hash).await?;
        Ok(match invite {
            None => Err(InviteProblem::Unknown),
            Some(i) if used == 1 => Ok(i),
            Some(i) if i.revoked_at.is_some() => Err(InviteProblem::Revoked),
            Some(i) if i.expires_at <= now => Err(InviteProblem::Expired),
            Some(_) => Err(InviteProblem::UsedUp),
        })
    }

    /// Revokes an invite: it starts no further interview (those already started go on). True
    /// when it was revoked now, false when it already was.
    pub async fn revoke_invite(&self, id: &str, by: &str, now: i64) -> Result<bool, StoreError> {
        let revoked = on_writer!(self, |p| {
            sqlx::query(
                "UPDATE invites SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(by)
            .bind(id)
            .execute(p)
            .await?
            .rows_affected()
        });
        if revoked == 0 {
            // Either unknown (NotFound) or revoked before.
            self.invite(id).await?;
        }
        Ok(revoked == 1)
    }

    /// The interviews started from invites, oldest first.
    pub async fn invite_sessions(&self) -> Result<Vec<InviteSession>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(
                "SELECT invite_id, id AS session_id, status, created_at FROM sessions \
                 WHERE invite_id IS NOT NULL ORDER BY created_at, id",
            )
            .fetch_all(p)
            .await?
        }))
    }
}
