//! Writes of a live interview. Each one names the ownership epoch its writer holds and is refused
//! ([`StoreError::Fenced`]) once another server process has taken the interview over, so a
//! process that lost an interview can never write to it. The answer path costs one statement
//! before the acknowledgement ([`Store::store_answer`]) and one transaction after grading
//! ([`Store::commit_step`], in `step.rs`).

use super::evaluations::{EvaluationInsert, insert_evaluation};
use super::turns::{bind_turn, turn_columns};
use super::turnstile::Urgency;
use super::{NewTurn, Pool, Store, StoreError, on_pool, on_writer};
use crate::evaluate::Evaluation;
use crate::evaluate::Provenance;

/// The condition that the writer still owns the interview and it is not over. `$1` is the session
/// id; the argument names the epoch's placeholder. PostgreSQL takes a share lock on the session
/// row, so a takeover (which updates that row) waits for a fenced write in flight and the write
/// in flight waits for a takeover that got there first.
macro_rules! owns {
    ($epoch:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND epoch = ",
            $epoch,
            " AND status = 'active'"
        )
    };
}

/// Runs `$body` with `$p` bound to the pool and `$sql` to the statement text for its backend:
/// `$text` (ending in [`owns!`]), then `)` on SQLite (one writer at a time) or ` FOR SHARE)` on
/// PostgreSQL, then `$tail`.
macro_rules! fenced {
    ($store:expr, $urgency:ident, $text:expr, $tail:expr, |$p:ident, $sql:ident| $body:expr) => {{
        let _turn = $store.writes.enter(Urgency::$urgency).await;
        match &$store.pool {
            Pool::Sqlite { write: $p, .. } => {
                let $sql = concat!($text, ")", $tail);
                $body
            }
            Pool::Postgres($p) => {
                let $sql = concat!($text, " FOR SHARE)", $tail);
                $body
            }
        }
    }};
}

/// What an answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerStored {
    /// Stored now on the open turn.
    Stored { answered_at: i64 },
    /// Stored earlier with the same `client_msg_id`, on this turn.
    Duplicate { turn: i64 },
}

/// What follows a graded answer, written in the same transaction as its evaluation.
#[derive(Debug, Clone, Copy)]
pub enum Next<'a> {
    /// The candidate is still to answer something already asked.
    Wait,
    /// The next question or follow-up, asked now.
    Ask(&'a NewTurn),
    /// The interview is over.
    Finish {
        summary: &'a serde_json::Value,
        overall: i64,
    },
}

/// One step of a live interview: an evaluation (with its regrade, for a fallback) and what
/// follows it, stored together or not at all.
#[derive(Debug, Clone, Copy)]
pub struct GradingCommit<'a> {
    pub session_id: &'a str,
    pub epoch: i64,
    pub turn: i64,
    pub evaluation: Option<(&'a Evaluation, &'a Provenance)>,
    /// Why the LLM judge failed, when the evaluation is the built-in fallback: the turn is
    /// queued for a regrade in the same transaction.
    pub regrade: Option<&'a str>,
    pub next: Next<'a>,
    pub now: i64,
}

impl Store {
    /// Takes an interview over for `owner`: raises its epoch and returns the new one. Every write
    /// by the previous owner fails from now on.
    pub async fn take_over(&self, session_id: &str, owner: &str) -> Result<i64, StoreError> {
        let epoch: Option<i64> = on_writer!(self, |p| {
            sqlx::query_scalar(
                "UPDATE sessions SET epoch = epoch + 1, owner = $2 WHERE id = $1 RETURNING epoch",
            )
            .bind(session_id)
            .bind(owner)
            .fetch_optional(p)
            .await?
        });
        epoch.ok_or(StoreError::NotFound)
    }

    /// Stores the answer to the open `turn` in one statement. A resend with a known
    /// `client_msg_id` is found by the unique `(session_id, client_msg_id)` index and reported as
    /// [`AnswerStored::Duplicate`]; the earlier turn is looked up only then.
    pub async fn store_answer(
        &self,
        session_id: &str,
        epoch: i64,
        turn: i64,
        text: &str,
        client_msg_id: &str,
        now: i64,
    ) -> Result<AnswerStored, StoreError> {
        // The candidate waits for this one (its ack): it goes before queued grading writes.
        let stored: Result<Option<i64>, sqlx::Error> = fenced!(
            self,
            Waited,
            concat!(
                "UPDATE turns SET answer_text = $3, client_msg_id = $4, answered_at = $5, \
                 answer_duration_ms = $5 - asked_at \
                 WHERE session_id = $1 AND turn = $2 AND answer_text IS NULL AND NOT skipped AND ",
                owns!("$6")
            ),
            " RETURNING answered_at",
            |p, sql| sqlx::query_scalar(sql)
                .bind(session_id)
                .bind(turn)
                .bind(text)
                .bind(client_msg_id)
                .bind(now)
                .bind(epoch)
                .fetch_optional(p)
                .await
        );
        match self.observe_write(stored.map_err(StoreError::from)) {
            Ok(Some(answered_at)) => Ok(AnswerStored::Stored { answered_at }),
            Err(e) if !e.is_unique_violation() => Err(e),
            // Nothing changed: a resend, a takeover, or a turn closed meanwhile.
            _ => match self
                .turn_for_client_msg_id(session_id, client_msg_id)
                .await?
            {
                Some(t) => Ok(AnswerStored::Duplicate { turn: t.turn }),
                None => {
                    self.check_owner(session_id, epoch).await?;
                    Err(StoreError::Conflict(format!(
                        "turn {turn} is not waiting for an answer"
                    )))
                }
            },
        }
    }

    /// Asks a question: stores its turn if the writer still owns the interview.
    pub async fn ask(&self, epoch: i64, t: &NewTurn) -> Result<(), StoreError> {
        let inserted: Result<u64, sqlx::Error> = fenced!(
            self,
            Background,
            concat!(
                turn_columns!(),
                "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE ",
                owns!("$11")
            ),
            "",
            |p, sql| bind_turn!(sqlx::query(sql), t)
                .bind(epoch)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        );
        match self.observe_write(inserted.map_err(StoreError::from)) {
            Ok(1) => Ok(()),
            Ok(_) => Err(StoreError::Fenced),
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
                "turn {} already exists",
                t.turn
            ))),
            Err(e) => Err(e),
        }
    }

    /// Marks the open `turn` skipped. False when it was already closed.
    pub async fn skip(
        &self,
        session_id: &str,
        epoch: i64,
        turn: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let skipped: Result<u64, sqlx::Error> = fenced!(
            self,
            Waited,
            concat!(
                "UPDATE turns SET skipped = TRUE, answered_at = $3, answer_duration_ms = $3 - asked_at \
                 WHERE session_id = $1 AND turn = $2 AND answer_text IS NULL AND NOT skipped AND ",
                owns!("$4")
            ),
            "",
            |p, sql| sqlx::query(sql)
                .bind(session_id)
                .bind(turn)
                .bind(now)
                .bind(epoch)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        );
        if self.observe_write(skipped.map_err(StoreError::from))? == 1 {
            return Ok(true);
        }
        self.check_owner(session_id, epoch).await?;
        Ok(false)
    }

    /// Adds an evaluation of a turn only while `expected` is still its current one (a regrade
    /// of a fallback, a reviewer's override). The session row is locked first, as a live
    /// interview's own steps do, so the check and the write are one step. `None` when
    /// `expected` was replaced meanwhile.
    pub async fn replace_evaluation(
        &self,
        session_id: &str,
        turn: i64,
        expected: i64,
        evaluation: &Evaluation,
        provenance: &Provenance,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let row = EvaluationInsert::new(evaluation, provenance)?;
        macro_rules! replace {
            ($tx:expr) => {{
                let mut tx = $tx;
                let found = sqlx::query("UPDATE sessions SET updated_at = $2 WHERE id = $1")
                    .bind(session_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                let current: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM evaluations WHERE session_id = $1 AND turn = $2 \
                     ORDER BY id DESC LIMIT 1",
                )
                .bind(session_id)
                .bind(turn)
                .fetch_optional(&mut *tx)
                .await?;
                if current != Some(expected) {
                    tx.rollback().await?;
                    None
                } else {
                    let id = insert_evaluation!(&mut *tx, session_id, turn, &row, now).await?;
                    tx.commit().await?;
                    Some(id)
                }
            }};
        }
        let result: Result<Option<i64>, StoreError> = async {
            let _turn = self.background_turn().await;
            Ok(match &self.pool {
                Pool::Sqlite { write: p, .. } => {
                    replace!(p.begin_with("BEGIN IMMEDIATE").await?)
                }
                Pool::Postgres(p) => replace!(p.begin().await?),
            })
        }
        .await;
        self.observe_write(result)
    }

    /// `Fenced` unless `epoch` still owns the active interview.
    async fn check_owner(&self, session_id: &str, epoch: i64) -> Result<(), StoreError> {
        let owned: Option<bool> = on_pool!(self, |p| {
            sqlx::query_scalar(
                "SELECT epoch = $2 AND status = 'active' FROM sessions WHERE id = $1",
            )
            .bind(session_id)
            .bind(epoch)
            .fetch_optional(p)
            .await?
        });
        match owned {
            Some(true) => Ok(()),
            Some(false) => Err(StoreError::Fenced),
            None => Err(StoreError::NotFound),
        }
    }
}
