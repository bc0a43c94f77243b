//! Which rubric grades which kind (and optionally topic) of question.

use super::{Store, StoreError, on_pool};
use crate::rubric::Assignment;

impl Store {
    /// Every assignment.
    pub async fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(
                "SELECT kind, topic, rubric_id FROM rubric_assignments ORDER BY kind, topic",
            )
            .fetch_all(p)
            .await?
        }))
    }

    /// Replaces every assignment at once, in one transaction.
    pub async fn replace_assignments(
        &self,
        list: &[Assignment],
        by: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        macro_rules! replace {
            ($tx:expr) => {{
                let mut tx = $tx;
                sqlx::query("DELETE FROM rubric_assignments").execute(&mut *tx).await?;
                for a in list {
                    sqlx::query(
                        "INSERT INTO rubric_assignments (kind, topic, rubric_id, updated_at, updated_by) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&a.kind)
                    .bind(&a.topic)
                    .bind(&a.rubric_id)
                    .bind(now)
                    .bind(by)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            }};
        }
        let _turn = self.background_turn().await;
        match &self.pool {
            // SQLite: take the write lock up front so the transaction cannot fail half-way on it.
            super::Pool::Sqlite { write: p, .. } => {
                replace!(p.begin_with("BEGIN IMMEDIATE").await?)
            }
            super::Pool::Postgres(p) => replace!(p.begin().await?),
        }
        Ok(())
    }
}
