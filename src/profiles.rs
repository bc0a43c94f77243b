//! Practice profiles: creating one, finding one by its key, and reading a profile's history,
//! schedule and progress from the store (the pure rules live in [`crate::practice`]).

use std::collections::HashMap;

use crate::practice::{History, Schedule};
use crate::store::{ProfileRecord, SessionRecord, Store, StoreError};
use crate::tokens;

/// Prefix of practice profile keys (tells them apart from staff and resume tokens).
pub const KEY_PREFIX: &str = "rhp_";

/// A new profile's key, shown to its holder once; only its hash is stored.
pub struct NewProfile {
    pub id: String,
    pub key: String,
    pub created_at: i64,
}

/// Creates a profile with a fresh random key.
pub async fn create(store: &Store, now: i64) -> Result<NewProfile, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    let key = format!("{KEY_PREFIX}{}", tokens::random_token());
    store
        .create_profile(&id, &tokens::hash_token(&key), now)
        .await?;
    Ok(NewProfile {
        id,
        key,
        created_at: now,
    })
}

/// The profile holding `key`, if any. Keys are 256-bit random values looked up by their
/// SHA-256, as the other tokens are.
pub async fn find(store: &Store, key: &str) -> Result<Option<ProfileRecord>, StoreError> {
    if !key.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    store.profile_by_key_hash(&tokens::hash_token(key)).await
}

/// A profile's interviews (oldest first) and the schedule they give.
pub struct Record {
    pub sessions: Vec<SessionRecord>,
    pub schedule: Schedule,
}

/// Loads a profile's interviews and replays them into its review schedule.
pub async fn record(store: &Store, profile_id: &str) -> Result<Record, StoreError> {
    let sessions = store.profile_sessions(profile_id).await?;
    let mut asked: HashMap<String, Vec<String>> = HashMap::new();
    for (session_id, question_id) in store.profile_open_questions(profile_id).await? {
        asked.entry(session_id).or_default().push(question_id);
    }
    let schedule = Schedule::from_history(&History::build(&sessions, &asked));
    Ok(Record { sessions, schedule })
}
