//! Turns: each question asked, and its answer. They are written by a live interview's fenced
//! writes (`live.rs`); an answer is stored before it is acknowledged, and a resend with a known
//! `client_msg_id` never creates a second answer.

use super::{Store, StoreError, TurnRecord, on_pool};

macro_rules! select_turns {
    ($($rest:literal)*) => {
        concat!(
            "SELECT session_id, turn, question_id, topic, level, kind, question_text, is_follow_up, \
             parent_turn, asked_at, answer_text, client_msg_id, answered_at, answer_duration_ms, \
             skipped FROM turns ",
            $($rest),*
        )
    };
}

/// The columns a [`NewTurn`] fills, `$1`…`$10` in [`bind_turn!`]'s order.
macro_rules! turn_columns {
    () => {
        "INSERT INTO turns (session_id, turn, question_id, topic, level, kind, question_text, \
         is_follow_up, parent_turn, asked_at) "
    };
}
pub(super) use turn_columns;

/// Binds a [`NewTurn`] as `$1`…`$10` of `$query`.
macro_rules! bind_turn {
    ($query:expr, $t:expr) => {{
        let t: &$crate::store::NewTurn = $t;
        $query
            .bind(&t.session_id)
            .bind(t.turn)
            .bind(&t.question_id)
            .bind(t.topic.as_str())
            .bind(t.level.as_str())
            .bind(t.kind.as_str())
            .bind(&t.question_text)
            .bind(t.is_follow_up)
            .bind(t.parent_turn)
            .bind(t.asked_at)
    }};
}
pub(super) use bind_turn;

impl Store {
    /// One turn.
    pub async fn turn(&self, session_id: &str, turn: i64) -> Result<TurnRecord, StoreError> {
        let row: Option<TurnRecord> = on_pool!(self, |p| {
            sqlx::query_as(select_turns!("WHERE session_id = $1 AND turn = $2"))
                .bind(session_id)
                .bind(turn)
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// The newest turn of a session.
    pub async fn last_turn(&self, session_id: &str) -> Result<Option<TurnRecord>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(select_turns!(
                "WHERE session_id = $1 ORDER BY turn DESC LIMIT 1"
            ))
            .bind(session_id)
            .fetch_optional(p)
            .await?
        }))
    }

    /// Every turn of a session, in order.
    pub async fn turns(&self, session_id: &str) -> Result<Vec<TurnRecord>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(select_turns!("WHERE session_id = $1 ORDER BY turn"))
                .bind(session_id)
                .fetch_all(p)
                .await?
        }))
    }

    /// The turn an answer with this `client_msg_id` was stored on, if any.
    pub async fn turn_for_client_msg_id(
        &self,
        session_id: &str,
        client_msg_id: &str,
    ) -> Result<Option<TurnRecord>, StoreError> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(select_turns!(
                "WHERE session_id = $1 AND client_msg_id = $2"
            ))
            .bind(session_id)
            .bind(client_msg_id)
            .fetch_optional(p)
            .await?
        }))
    }
}
