//! The durable regrade queue: turns that got a fallback evaluation, to be graded again by the
//! LLM once it is healthy. Items are claimed with a lease, so several server replicas can work
//! the same queue without grading a turn twice at once.

use super::{Pool, Store, StoreError, on_pool, on_writer};

/// A claimed queue item.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegradeItem {
    pub session_id: String,
    pub turn: i64,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// The fallback evaluation the regrade replaces (absent on items queued before it was kept).
    pub evaluation_id: Option<i64>,
}

impl Store {
    /// Claims the most overdue item that nobody holds, leasing it until `lease_until`.
    /// PostgreSQL skips rows another replica is claiming at this moment instead of waiting.
    pub async fn claim_regrade(
        &self,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<RegradeItem>, StoreError> {
        macro_rules! claim {
            ($lock:literal) => {
                concat!(
                    "UPDATE regrade_queue SET lease_until = $1, attempts = attempts + 1 \
                     WHERE (session_id, turn) = (SELECT session_id, turn FROM regrade_queue \
                         WHERE next_attempt_at <= $2 AND lease_until <= $2 \
                         ORDER BY next_attempt_at, enqueued_at LIMIT 1",
                    $lock,
                    ") AND lease_until <= $2 RETURNING session_id, turn, attempts, evaluation_id"
                )
            };
        }
        let _turn = self.background_turn().await;
        Ok(match &self.pool {
            Pool::Sqlite { write: p, .. } => {
                sqlx::query_as(claim!(""))
                    .bind(lease_until)
                    .bind(now)
                    .fetch_optional(p)
                    .await?
            }
            Pool::Postgres(p) => {
                sqlx::query_as(claim!(" FOR UPDATE SKIP LOCKED"))
                    .bind(lease_until)
                    .bind(now)
                    .fetch_optional(p)
                    .await?
            }
        })
    }

    /// Extends the lease on an item this worker holds (while its LLM call runs).
    pub async fn renew_regrade(
        &self,
        session_id: &str,
        turn: i64,
        lease_until: i64,
    ) -> Result<(), StoreError> {
        on_writer!(self, |p| {
            sqlx::query(
                "UPDATE regrade_queue SET lease_until = $3 WHERE session_id = $1 AND turn = $2",
            )
            .bind(session_id)
            .bind(turn)
            .bind(lease_until)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Removes an item that needs no regrade any more.
    pub async fn complete_regrade(&self, session_id: &str, turn: i64) -> Result<(), StoreError> {
        on_writer!(self, |p| {
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
        on_writer!(self, |p| {
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
