//! Practice profiles and the interviews that belong to them.

use super::sessions::SessionRow;
use super::{Pool, SessionRecord, Store, StoreError, on_pool, on_writer};

/// A stored practice profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRecord {
    pub id: String,
    pub created_at: i64,
}

/// What deleting a profile removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProfileErased {
    /// The profile's own interviews, erased with their answers and evaluations.
    pub erased: u64,
    /// Invite interviews, kept for their recruiter and detached from the profile.
    pub detached: u64,
}

impl Store {
    /// Creates a profile whose key hashes to `key_hash`.
    pub async fn create_profile(
        &self,
        id: &str,
        key_hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let result = on_writer!(self, |p| {
            sqlx::query("INSERT INTO profiles (id, key_hash, created_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(key_hash)
                .bind(now)
                .execute(p)
                .await
                .map(|_| ())
        });
        self.observe_write(result.map_err(StoreError::from))
    }

    /// The profile whose key hashes to `key_hash`.
    pub async fn profile_by_key_hash(
        &self,
        key_hash: &str,
    ) -> Result<Option<ProfileRecord>, StoreError> {
        let row: Option<(String, i64)> = on_pool!(self, |p| {
            sqlx::query_as("SELECT id, created_at FROM profiles WHERE key_hash = $1")
                .bind(key_hash)
                .fetch_optional(p)
                .await?
        });
        Ok(row.map(|(id, created_at)| ProfileRecord { id, created_at }))
    }

    /// The profile's interviews, oldest first.
    pub async fn profile_sessions(
        &self,
        profile_id: &str,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let rows: Vec<SessionRow> = on_pool!(self, |p| {
            sqlx::query_as(super::sessions::select_sessions!(
                "WHERE profile_id = $1 ORDER BY created_at, id"
            ))
            .bind(profile_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Erases a profile in one transaction: its own interviews (answers, evaluations and queued
    /// regrades go with them), then the profile; invite interviews stay, detached.
    pub async fn delete_profile(&self, profile_id: &str) -> Result<ProfileErased, StoreError> {
        macro_rules! erase {
            ($tx:expr) => {{
                let mut tx = $tx;
                let erased =
                    sqlx::query("DELETE FROM sessions WHERE profile_id = $1 AND invite_id IS NULL")
                        .bind(profile_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                let detached =
                    sqlx::query("UPDATE sessions SET profile_id = NULL WHERE profile_id = $1")
                        .bind(profile_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                let gone = sqlx::query("DELETE FROM profiles WHERE id = $1")
                    .bind(profile_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if gone == 0 {
                    return Err(StoreError::NotFound);
                }
                tx.commit().await?;
                ProfileErased { erased, detached }
            }};
        }
        let result: Result<ProfileErased, StoreError> = async {
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
}

impl Store {
    /// The main questions asked so far in the profile's unfinished interviews, as
    /// (session id, question id) in the order asked.
    pub async fn profile_open_questions(
        &self,
        profile_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(
                "SELECT t.session_id, t.question_id FROM turns t JOIN sessions s ON s.id = t.session_id \
                 WHERE s.profile_id = $1 AND s.status <> 'finished' AND NOT t.is_follow_up \
                 ORDER BY s.created_at, t.session_id, t.turn",
            )
            .bind(profile_id)
            .fetch_all(p)
            .await?
        }))
    }
}

impl Store {
    /// The profile with this id.
    pub async fn profile(&self, id: &str) -> Result<Option<ProfileRecord>, StoreError> {
        let row: Option<(String, i64)> = on_pool!(self, |p| {
            sqlx::query_as("SELECT id, created_at FROM profiles WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        Ok(row.map(|(id, created_at)| ProfileRecord { id, created_at }))
    }
}
