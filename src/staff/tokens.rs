//! Staff API tokens: random, shown once, stored only as a hash.

use super::StaffError;
use crate::clock::now_ms;
use crate::store::{Store, StoreError, TokenRecord};
use crate::tokens;
use crate::tokens::{Role, TOKEN_PREFIX};

/// Creates a token; returns its record and the token itself (the only time it is visible).
pub async fn create_token(
    store: &Store,
    name: &str,
    role: Role,
) -> Result<(TokenRecord, String), StaffError> {
    let name = name.trim();
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c));
    if !valid {
        return Err(StaffError::Invalid(
            "a token name is 1–64 letters, digits, '.', '_', '@' or '-'".into(),
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", tokens::random_token());
    match store
        .insert_token(name, role.as_str(), &tokens::hash_token(&token), now_ms())
        .await
    {
        Ok(record) => Ok((record, token)),
        Err(StoreError::Conflict(m)) => Err(StaffError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}
