//! Rubric versions: immutable once stored; an edit is a new version.

use super::{RubricVersionRecord, Store, StoreError, on_pool, on_writer};

macro_rules! select_versions {
    ($($rest:literal)*) => {
        concat!(
            "SELECT rubric_id, version, name, body, source_text, content_hash, created_at, created_by \
             FROM rubric_versions ",
            $($rest),*
        )
    };
}

impl Store {
    /// Stores a new rubric version. Storing an existing (id, version) is a conflict.
    pub async fn insert_rubric_version(&self, r: &RubricVersionRecord) -> Result<(), StoreError> {
        let result = on_writer!(self, |p| {
            sqlx::query(
                "INSERT INTO rubric_versions (rubric_id, version, name, body, source_text, content_hash, \
                 created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&r.rubric_id)
            .bind(r.version)
            .bind(&r.name)
            .bind(&r.body)
            .bind(&r.source_text)
            .bind(&r.content_hash)
            .bind(r.created_at)
            .bind(&r.created_by)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        });
        match result.map_err(StoreError::from) {
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
                "rubric {} version {} already exists",
                r.rubric_id, r.version
            ))),
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        }
    }

    /// Every version of one rubric, oldest first.
    pub async fn rubric_versions(
        &self,
        rubric_id: &str,
    ) -> Result<Vec<RubricVersionRecord>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(select_versions!("WHERE rubric_id = $1 ORDER BY version"))
                .bind(rubric_id)
                .fetch_all(p)
                .await?
        }))
    }

    /// One version of a rubric.
    pub async fn rubric_version(
        &self,
        rubric_id: &str,
        version: i64,
    ) -> Result<RubricVersionRecord, StoreError> {
        let row: Option<RubricVersionRecord> = on_pool!(self, |p| {
            sqlx::query_as(select_versions!("WHERE rubric_id = $1 AND version = $2"))
                .bind(rubric_id)
                .bind(version)
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// The newest version of every rubric.
    pub async fn latest_rubric_versions(&self) -> Result<Vec<RubricVersionRecord>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(select_versions!(
                "r WHERE version = (SELECT MAX(version) FROM rubric_versions m WHERE m.rubric_id = r.rubric_id) \
                 ORDER BY rubric_id"
            ))
            .fetch_all(p)
            .await?
        }))
    }
}
