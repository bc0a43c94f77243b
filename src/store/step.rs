//! One step of a live interview, stored in one round trip: the evaluation of the answer just
//! graded, its regrade (for a fallback), the next question and the session's activity, summary
//! and score, all fenced by the writer's ownership epoch.
//!
//! PostgreSQL runs the step as one statement (data-modifying `WITH` clauses, so one implicit
//! transaction and one commit). SQLite has no data-modifying `WITH`, so the step is one batch of
//! statements inside `BEGIN IMMEDIATE … COMMIT`, sent to the connection's worker thread at once.
//! Both take the same arguments, `$1`…`$34` (see [`StepArgs`]); every write names the same
//! ownership condition, so either all of them happen or none does.

use super::evaluations::{EvaluationInsert, evaluation_columns};
use super::live::{GradingCommit, Next};
use super::turns::turn_columns;
use super::{NewTurn, Pool, Store, StoreError};

/// The columns an evaluation row is stored with, `$9`…`$23` then `$2` (created_at).
macro_rules! evaluation_insert {
    () => {
        concat!(
            evaluation_columns!(),
            "SELECT $1, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $2"
        )
    };
}

/// The regrade of a fallback evaluation; the evaluation's id follows as the last column.
macro_rules! regrade_insert {
    () => {
        "INSERT INTO regrade_queue (session_id, turn, enqueued_at, next_attempt_at, last_error, \
         evaluation_id) SELECT $1, $8, $2, $2, $24, "
    };
}

macro_rules! regrade_conflict {
    () => {
        " ON CONFLICT (session_id, turn) DO UPDATE SET next_attempt_at = excluded.next_attempt_at, \
         last_error = excluded.last_error, evaluation_id = excluded.evaluation_id"
    };
}

macro_rules! turn_insert {
    () => {
        concat!(
            turn_columns!(),
            "SELECT $25, $26, $27, $28, $29, $30, $31, $32, $33, $34"
        )
    };
}

/// The session's activity, flag, and (when the interview ends, `$4`) status, summary and score.
macro_rules! session_update {
    () => {
        "UPDATE sessions SET updated_at = $2, flagged = (flagged OR $3), \
         status = CASE WHEN $4 THEN 'finished' ELSE status END, \
         summary = COALESCE($5, summary), overall = COALESCE($6, overall), \
         finished_at = CASE WHEN $4 THEN $2 ELSE finished_at END \
         WHERE id = $1 AND epoch = $7 AND status = 'active'"
    };
}

/// The writer still owns the active interview (SQLite; evaluated inside the write lock).
macro_rules! owns {
    () => {
        "EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND epoch = $7 AND status = 'active')"
    };
}

/// One row, `(evaluation id)`, when the writer owns the interview; none when it was fenced.
const POSTGRES_STEP: &str = concat!(
    "WITH owned AS (",
    session_update!(),
    " RETURNING id), evaluation AS (",
    evaluation_insert!(),
    " FROM owned WHERE $9::TEXT IS NOT NULL RETURNING id), regrade AS (",
    regrade_insert!(),
    "evaluation.id FROM evaluation WHERE $24::TEXT IS NOT NULL",
    regrade_conflict!(),
    "), asked AS (",
    turn_insert!(),
    " FROM owned WHERE $26::BIGINT IS NOT NULL) ",
    "SELECT (SELECT id FROM evaluation) FROM owned"
);

/// The same step as [`POSTGRES_STEP`], as one batch, with the statements given in between
/// the evaluation and the next question. The session row is updated last, so every write before
/// it sees the interview still active; its `RETURNING` gives the one row.
macro_rules! sqlite_step {
    ($($between:expr),*) => {
        concat!(
            "BEGIN IMMEDIATE; ",
            evaluation_insert!(),
            " WHERE $9 IS NOT NULL AND ",
            owns!(),
            "; ",
            $($between,)*
            turn_insert!(),
            " WHERE $26 IS NOT NULL AND ",
            owns!(),
            "; ",
            session_update!(),
            " RETURNING (SELECT MAX(id) FROM evaluations WHERE session_id = $1 AND turn = $8 \
             AND $9 IS NOT NULL); ",
            "COMMIT"
        )
    };
}

/// A step without a regrade (the usual one).
const SQLITE_STEP: &str = sqlite_step!();

/// A step whose evaluation is a fallback, queued for a regrade.
const SQLITE_STEP_REGRADE: &str = sqlite_step!(
    regrade_insert!(),
    "(SELECT MAX(id) FROM evaluations WHERE session_id = $1 AND turn = $8) WHERE ",
    owns!(),
    regrade_conflict!(),
    "; "
);

/// A step's arguments, serialised and owned.
struct StepArgs {
    session_id: String,
    now: i64,
    flagged: bool,
    finish: bool,
    summary: Option<String>,
    overall: Option<i64>,
    epoch: i64,
    turn: i64,
    evaluation: Option<EvaluationInsert>,
    regrade: Option<String>,
    next: Option<NewTurn>,
}

impl StepArgs {
    fn new(c: &GradingCommit<'_>) -> Result<StepArgs, StoreError> {
        let (finish, summary, overall) = match c.next {
            Next::Finish { summary, overall } => (true, Some(summary.to_string()), Some(overall)),
            _ => (false, None, None),
        };
        let evaluation = c
            .evaluation
            .map(|(e, p)| EvaluationInsert::new(e, p))
            .transpose()?;
        Ok(StepArgs {
            session_id: c.session_id.to_string(),
            now: c.now,
            flagged: c.evaluation.is_some_and(|(e, _)| !e.flags.is_empty()),
            finish,
            summary,
            overall,
            epoch: c.epoch,
            turn: c.turn,
            // A regrade is queued only for an evaluation stored with it.
            regrade: c
                .regrade
                .filter(|_| evaluation.is_some())
                .map(str::to_string),
            evaluation,
            next: match c.next {
                Next::Ask(t) => Some(t.clone()),
                _ => None,
            },
        })
    }
}

/// Binds a [`StepArgs`] as `$1`…`$34`; an absent part binds NULLs.
macro_rules! bind_step {
    ($query:expr, $a:expr) => {{
        let a: &StepArgs = $a;
        let e = a.evaluation.as_ref();
        let t = a.next.as_ref();
        $query
            .bind(&a.session_id)
            .bind(a.now)
            .bind(a.flagged)
            .bind(a.finish)
            .bind(&a.summary)
            .bind(a.overall)
            .bind(a.epoch)
            .bind(a.turn)
            .bind(e.map(|e| e.source))
            .bind(e.map(|e| &e.rubric_id))
            .bind(e.map(|e| e.rubric_version))
            .bind(e.map(|e| &e.evaluator))
            .bind(e.and_then(|e| e.model.as_ref()))
            .bind(e.and_then(|e| e.prompt_hash.as_ref()))
            .bind(e.and_then(|e| e.latency_ms))
            .bind(e.and_then(|e| e.usage.as_ref()))
            .bind(e.map(|e| e.overall))
            .bind(e.map(|e| e.passed))
            .bind(e.map(|e| &e.flags))
            .bind(e.map(|e| &e.body))
            .bind(e.and_then(|e| e.reviewer.as_ref()))
            .bind(e.and_then(|e| e.comment.as_ref()))
            .bind(e.and_then(|e| e.llm_details.as_ref()))
            .bind(&a.regrade)
            .bind(t.map(|t| &t.session_id))
            .bind(t.map(|t| t.turn))
            .bind(t.map(|t| &t.question_id))
            .bind(t.map(|t| t.topic.as_str()))
            .bind(t.map(|t| t.level.as_str()))
            .bind(t.map(|t| t.kind.as_str()))
            .bind(t.map(|t| &t.question_text))
            .bind(t.map(|t| t.is_follow_up))
            .bind(t.and_then(|t| t.parent_turn))
            .bind(t.map(|t| t.asked_at))
    }};
}

impl Store {
    /// Stores a step of a live interview in one transaction and one round trip: the session's
    /// activity (and, when the interview ends, its summary and score) fenced by the epoch, the
    /// evaluation, the regrade for a fallback, the next question. Returns the evaluation's id.
    pub async fn commit_step(&self, c: &GradingCommit<'_>) -> Result<Option<i64>, StoreError> {
        let args = StepArgs::new(c)?;
        let result: Result<Option<Option<i64>>, StoreError> = async {
            let _turn = self.background_turn().await;
            match &self.pool {
                Pool::Sqlite { write, .. } => sqlite_step(write, &args).await,
                Pool::Postgres(p) => Ok(bind_step!(sqlx::query_scalar(POSTGRES_STEP), &args)
                    .fetch_optional(p)
                    .await?),
            }
        }
        .await;
        match self.observe_write(result) {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(StoreError::Fenced),
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
                "turn {} already has what follows it",
                c.turn
            ))),
            Err(e) => Err(e),
        }
    }
}

/// The writer connection while a batch runs on it. Dropped before the batch was seen through
/// (its caller gone), the connection is closed instead of pooled: the worker stops the batch
/// short of its `COMMIT` once no one reads its results, and closing rolls back what it began.
struct Batch {
    conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
    seen_through: bool,
}

impl Drop for Batch {
    fn drop(&mut self) {
        if !self.seen_through {
            self.conn.close_on_drop();
        }
    }
}

/// Runs [`SQLITE_STEP`] (or [`SQLITE_STEP_REGRADE`]) on the writer connection. Every row of the
/// batch is read (a limit would stop it before its `COMMIT`); a failure part-way rolls back what
/// the batch began.
async fn sqlite_step(
    pool: &sqlx::SqlitePool,
    args: &StepArgs,
) -> Result<Option<Option<i64>>, StoreError> {
    let mut batch = Batch {
        conn: pool.acquire().await?,
        seen_through: false,
    };
    let rows: Result<Vec<Option<i64>>, sqlx::Error> = bind_step!(
        sqlx::query_scalar(if args.regrade.is_some() {
            SQLITE_STEP_REGRADE
        } else {
            SQLITE_STEP
        }),
        args
    )
    .fetch_all(&mut *batch.conn)
    .await;
    match rows {
        Ok(rows) => {
            batch.seen_through = true;
            Ok(rows.into_iter().next())
        }
        Err(e) => {
            // SQLite has already rolled back after some errors (a full disk among them); then
            // this fails too, and the connection is left to close rather than trusted.
            if sqlx::query("ROLLBACK")
                .execute(&mut *batch.conn)
                .await
                .is_ok()
            {
                batch.seen_through = true;
            }
            Err(e.into())
        }
    }
}
