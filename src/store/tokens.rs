//! API tokens: only a hash of each token is stored.

use super::{Store, StoreError, TokenRecord, on_pool, on_writer};

macro_rules! select_tokens {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, name, role, token_hash, created_at, last_used_at, revoked_at FROM api_tokens ",
            $($rest),*
        )
    };
}

impl Store {
    /// Stores a new token. A name already in use is a conflict.
    pub async fn insert_token(
        &self,
        name: &str,
        role: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<TokenRecord, StoreError> {
        let result = on_writer!(self, |p| {
            sqlx::query("INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES ($1, $2, $3, $4)")
                .bind(name)
                .bind(role)
                .bind(token_hash)
                .bind(now)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        });
        match result.map_err(StoreError::from) {
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
                "a token named `{name}` already exists"
            ))),
            Err(e) => Err(e),
            Ok(_) => self.token_by_name(name).await,
        }
    }

    /// The token with this name.
    pub async fn token_by_name(&self, name: &str) -> Result<TokenRecord, StoreError> {
        let row: Option<TokenRecord> = on_pool!(self, |p| {
            sqlx::query_as(select_tokens!("WHERE name = $1"))
                .bind(name)
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// The token whose hash this is (revoked ones included; the caller decides).
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(select_tokens!("WHERE token_hash = $1"))
                .bind(token_hash)
                .fetch_optional(p)
                .await?
        }))
    }

    /// Every token, oldest first.
    pub async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(select_tokens!("ORDER BY id"))
                .fetch_all(p)
                .await?
        }))
    }

    /// Revokes a token by name. Returns false when it was already revoked.
    pub async fn revoke_token(&self, name: &str, now: i64) -> Result<bool, StoreError> {
        let n = on_writer!(self, |p| {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
            )
            .bind(name)
            .bind(now)
            .execute(p)
            .await?
            .rows_affected()
        });
        if n == 0 {
            self.token_by_name(name).await?;
        }
        Ok(n == 1)
    }

    /// Notes when a token was last used.
    pub async fn touch_token(&self, id: i64, now: i64) -> Result<(), StoreError> {
        on_writer!(self, |p| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
