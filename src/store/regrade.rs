//! The durable regrade queue: turns that got a fallback evaluation, to be graded again by the
//! LLM once it is healthy. Items are claimed with a lease, so several server replicas can work
//! the same queue without grading a turn twice at once.

use super::{Store, StoreError, on_pool};

/// A claimed queue item.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegradeItem {
    pub session_id: String,
    pub turn: i64,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

impl Store {
    /// Queues a turn for regrading (again, if it is already queued: it becomes due now).
    pub async fn enqueue_regrade(
        &self,
        session_id: &str,
        turn: i64,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, |p| {
            sqlx::query(
                "INSERT INTO regrade_queue (session_id, turn, enqueued_at, next_attempt_at, last_error) \
                 VALUES ($1, $2, $3, $3, $4) \
                 ON CONFLICT (session_id, turn) DO UPDATE SET next_attempt_at = excluded.next_attempt_at, \
                 last_error = excluded.last_error",
            )
            .bind(session_id)
            .bind(turn)
            .bind(now)
            .bind(error)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Claims the most overdue item that nobody holds, leasing it until `lease_until`.
    pub async fn claim_regrade(
        &self,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<RegradeItem>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(
                "UPDATE regrade_queue SET lease_until = $1, attempts = attempts + 1 \
                 WHERE (session_id, turn) = (SELECT session_id, turn FROM regrade_queue \
                     WHERE next_attempt_at <= $2 AND lease_until <= $2 ORDER BY next_attempt_at, enqueued_at LIMIT 1) \
                 AND lease_until <= $2 \
                 RETURNING session_id, turn, attempts",
            )
            .bind(lease_until)
            .bind(now)
            .fetch_optional(p)
            .await?
        }))
    }

    /// Removes a regraded item.
    pub async fn complete_regrade(&self, session_id: &str, turn: i64) -> Result<(), StoreError> {
        on_pool!(self, |p| {
            sqlx::query("DELETE FROM regrade_queue WHERE session_id = $1 AND turn = $2")
                .bind(session_id)
                .bind(turn)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Puts a failed item back, due again at `next_attempt_at`.
    pub async fn retry_regrade(
        &self,
        session_id: &str,
        turn: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, |p| {
            sqlx::query(
                "UPDATE regrade_queue SET next_attempt_at = $3, lease_until = 0, last_error = $4 \
                 WHERE session_id = $1 AND turn = $2",
            )
            .bind(session_id)
            .bind(turn)
            .bind(next_attempt_at)
            .bind(error)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// How many turns wait to be regraded.
    pub async fn regrade_backlog(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM regrade_queue"
        )
        .fetch_one(p)
        .await?))
    }
}
