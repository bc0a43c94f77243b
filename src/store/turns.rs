//! Turns: each question asked, and its answer. An answer is stored before it is acknowledged,
//! and a resend with a known `client_msg_id` never creates a second answer.

use super::{AnswerOutcome, NewTurn, Store, StoreError, TurnRecord, on_pool};

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

impl Store {
    /// Stores a question as it is asked. Asking the same turn number twice is a conflict.
    pub async fn insert_turn(&self, t: &NewTurn) -> Result<(), StoreError> {
        let result = on_pool!(self, |p| {
            sqlx::query(
                "INSERT INTO turns (session_id, turn, question_id, topic, level, kind, question_text, \
                 is_follow_up, parent_turn, asked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&t.session_id)
            .bind(t.turn)
            .bind(&t.question_id)
            .bind(&t.topic)
            .bind(&t.level)
            .bind(&t.kind)
            .bind(&t.question_text)
            .bind(t.is_follow_up)
            .bind(t.parent_turn)
            .bind(t.asked_at)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        });
        match self.observe_write(result.map_err(StoreError::from)) {
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
                "turn {} already exists",
                t.turn
            ))),
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        }
    }

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

    /// Stores the answer to an open turn. Idempotent on `client_msg_id`: a resend returns
    /// [`AnswerOutcome::Duplicate`] with the turn it was first stored on. Answering a turn that is
    /// already closed with a new id is a conflict.
    pub async fn record_answer(
        &self,
        session_id: &str,
        turn: i64,
        text: &str,
        client_msg_id: &str,
        now: i64,
    ) -> Result<AnswerOutcome, StoreError> {
        if let Some(existing) = self
            .turn_for_client_msg_id(session_id, client_msg_id)
            .await?
        {
            return Ok(AnswerOutcome::Duplicate(existing));
        }
        let updated = on_pool!(self, |p| {
            sqlx::query(
                "UPDATE turns SET answer_text = $3, client_msg_id = $4, answered_at = $5, \
                 answer_duration_ms = $5 - asked_at \
                 WHERE session_id = $1 AND turn = $2 AND answer_text IS NULL AND NOT skipped",
            )
            .bind(session_id)
            .bind(turn)
            .bind(text)
            .bind(client_msg_id)
            .bind(now)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        });
        match self.observe_write(updated.map_err(StoreError::from)) {
            Ok(1) => Ok(AnswerOutcome::Stored(self.turn(session_id, turn).await?)),
            // A concurrent resend won the race on the unique (session, client_msg_id) index.
            Err(e) if e.is_unique_violation() => match self
                .turn_for_client_msg_id(session_id, client_msg_id)
                .await?
            {
                Some(existing) => Ok(AnswerOutcome::Duplicate(existing)),
                None => Err(e),
            },
            Err(e) => Err(e),
            Ok(_) => match self
                .turn_for_client_msg_id(session_id, client_msg_id)
                .await?
            {
                Some(existing) => Ok(AnswerOutcome::Duplicate(existing)),
                None => {
                    self.turn(session_id, turn).await?;
                    Err(StoreError::Conflict(format!(
                        "turn {turn} is already answered"
                    )))
                }
            },
        }
    }

    /// Marks an open turn skipped. Returns false when it was already closed.
    pub async fn skip_turn(
        &self,
        session_id: &str,
        turn: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let n = on_pool!(self, |p| {
            sqlx::query(
                "UPDATE turns SET skipped = TRUE, answered_at = $3, answer_duration_ms = $3 - asked_at \
                 WHERE session_id = $1 AND turn = $2 AND answer_text IS NULL AND NOT skipped",
            )
            .bind(session_id)
            .bind(turn)
            .bind(now)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}
