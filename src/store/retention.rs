//! Erasing interviews: one on an admin's request, or every finished one older than the retention
//! period. Each erasure leaves an audit line naming who, when and which interview — never the
//! candidate's name, email or answers.

use serde::Serialize;

use super::{Pool, Store, StoreError, on_pool};

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// The staff member, or `retention` for the automatic purge.
    pub actor: String,
    /// `session_erased`.
    pub action: String,
    /// The erased interview's id.
    pub subject: String,
    /// What went with it, e.g. `answers=3`.
    pub detail: String,
}

/// The audit action of an erased interview.
pub const SESSION_ERASED: &str = "session_erased";

impl Store {
    /// Erases an interview with its questions, answers, evaluations and regrade work, and writes
    /// the audit line, in one transaction. Returns how many answers went with it.
    pub async fn erase_session(
        &self,
        session_id: &str,
        actor: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        macro_rules! erase {
            ($tx:expr) => {{
                let mut tx = $tx;
                let answers: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM turns WHERE session_id = $1 AND answer_text IS NOT NULL",
                )
                .bind(session_id)
                .fetch_one(&mut *tx)
                .await?;
                let gone = sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(session_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if gone == 0 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(now)
                .bind(actor)
                .bind(SESSION_ERASED)
                .bind(session_id)
                .bind(format!("answers={answers}"))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                answers
            }};
        }
        let result: Result<i64, StoreError> = async {
            let _turn = self.background_turn().await;
            Ok(match &self.pool {
                Pool::Sqlite { write: p, .. } => {
                    erase!(p.begin_with("BEGIN IMMEDIATE").await?)
                }
                Pool::Postgres(p) => erase!(p.begin().await?),
            })
        }
        .await;
        self.observe_write(result)
    }

    /// Finished interviews that ended before `cutoff` (Unix milliseconds), oldest first, at most
    /// `limit` of them.
    pub async fn finished_before(
        &self,
        cutoff: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_scalar(
                "SELECT id FROM sessions WHERE status = 'finished' AND finished_at < $1 \
                 ORDER BY finished_at, id LIMIT $2",
            )
            .bind(cutoff)
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }

    /// The newest audit lines first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(
                "SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(p)
            .await?
        }))
    }
}
