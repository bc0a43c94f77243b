//! Evaluations: several per turn over time (builtin, fallback, LLM regrade, human review);
//! the newest is current and the older ones are the audit trail.

use super::{Store, StoreError, StoredEvaluation, on_pool, on_writer};
use crate::evaluate::Evaluation;
use crate::evaluate::Provenance;

#[derive(sqlx::FromRow)]
struct EvaluationRow {
    id: i64,
    session_id: String,
    turn: i64,
    model: Option<String>,
    prompt_hash: Option<String>,
    latency_ms: Option<i64>,
    usage: Option<String>,
    body: String,
    reviewer: Option<String>,
    comment: Option<String>,
    llm_details: Option<String>,
    created_at: i64,
}

impl TryFrom<EvaluationRow> for StoredEvaluation {
    type Error = StoreError;
    fn try_from(r: EvaluationRow) -> Result<Self, StoreError> {
        let corrupt =
            |e: serde_json::Error| StoreError::Corrupt(format!("evaluation {}: {e}", r.id));
        Ok(StoredEvaluation {
            evaluation: serde_json::from_str(&r.body).map_err(corrupt)?,
            provenance: Provenance {
                usage: r
                    .usage
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(corrupt)?,
                model: r.model,
                prompt_hash: r.prompt_hash,
                latency_ms: r.latency_ms,
                reviewer: r.reviewer,
                comment: r.comment,
                llm: r
                    .llm_details
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(corrupt)?,
            },
            id: r.id,
            session_id: r.session_id,
            turn: r.turn,
            created_at: r.created_at,
        })
    }
}

macro_rules! select_evaluations {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, session_id, turn, model, prompt_hash, latency_ms, usage, body, reviewer, \
             comment, llm_details, created_at FROM evaluations ",
            $($rest),*
        )
    };
}

/// An evaluation serialized into its row's columns.
pub(super) struct EvaluationInsert {
    pub source: &'static str,
    pub rubric_id: String,
    pub rubric_version: i64,
    pub evaluator: String,
    pub model: Option<String>,
    pub prompt_hash: Option<String>,
    pub latency_ms: Option<i64>,
    pub usage: Option<String>,
    pub overall: i64,
    pub passed: bool,
    pub flags: String,
    pub body: String,
    pub reviewer: Option<String>,
    pub comment: Option<String>,
    pub llm_details: Option<String>,
}

impl EvaluationInsert {
    pub(super) fn new(
        evaluation: &Evaluation,
        provenance: &Provenance,
    ) -> Result<EvaluationInsert, StoreError> {
        let json = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
        Ok(EvaluationInsert {
            source: evaluation.source.as_str(),
            rubric_id: evaluation.rubric.id.clone(),
            rubric_version: i64::from(evaluation.rubric.version),
            evaluator: format!(
                "{}/{}",
                evaluation.evaluator.name, evaluation.evaluator.version
            ),
            model: provenance.model.clone(),
            prompt_hash: provenance.prompt_hash.clone(),
            latency_ms: provenance.latency_ms,
            usage: provenance.usage.as_ref().map(|u| u.to_string()),
            overall: i64::from(evaluation.overall),
            passed: evaluation.passed,
            flags: serde_json::to_string(&evaluation.flags).map_err(json)?,
            body: serde_json::to_string(evaluation).map_err(json)?,
            reviewer: provenance.reviewer.clone(),
            comment: provenance.comment.clone(),
            llm_details: provenance
                .llm
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(json)?,
        })
    }
}

/// Inserts an [`EvaluationInsert`] on a pool or a transaction; evaluates to the new row's id.
/// The columns an evaluation row is stored with, in [`insert_evaluation!`]'s order.
macro_rules! evaluation_columns {
    () => {
        "INSERT INTO evaluations (session_id, turn, source, rubric_id, rubric_version, evaluator, \
         model, prompt_hash, latency_ms, usage, overall, passed, flags, body, reviewer, comment, \
         llm_details, created_at) "
    };
}
pub(super) use evaluation_columns;

macro_rules! insert_evaluation {
    ($exec:expr, $session_id:expr, $turn:expr, $row:expr, $now:expr) => {{
        let row: &$crate::store::evaluations::EvaluationInsert = $row;
        sqlx::query_scalar::<_, i64>(concat!(
            $crate::store::evaluations::evaluation_columns!(),
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18) RETURNING id"
        ))
        .bind($session_id)
        .bind($turn)
        .bind(row.source)
        .bind(&row.rubric_id)
        .bind(row.rubric_version)
        .bind(&row.evaluator)
        .bind(&row.model)
        .bind(&row.prompt_hash)
        .bind(row.latency_ms)
        .bind(&row.usage)
        .bind(row.overall)
        .bind(row.passed)
        .bind(&row.flags)
        .bind(&row.body)
        .bind(&row.reviewer)
        .bind(&row.comment)
        .bind(&row.llm_details)
        .bind($now)
        .fetch_one($exec)
    }};
}
pub(super) use insert_evaluation;

impl Store {
    /// Stores an evaluation of a turn; returns its id. Older evaluations of the turn are kept.
    pub async fn insert_evaluation(
        &self,
        session_id: &str,
        turn: i64,
        evaluation: &Evaluation,
        provenance: &Provenance,
        now: i64,
    ) -> Result<i64, StoreError> {
        let row = EvaluationInsert::new(evaluation, provenance)?;
        let id = on_writer!(self, |p| insert_evaluation!(p, session_id, turn, &row, now)
            .await);
        self.observe_write(id.map_err(StoreError::from))
    }

    /// The current (newest) evaluation of a turn, if it has one.
    pub async fn current_evaluation(
        &self,
        session_id: &str,
        turn: i64,
    ) -> Result<Option<StoredEvaluation>, StoreError> {
        let row: Option<EvaluationRow> = on_pool!(self, |p| {
            sqlx::query_as(select_evaluations!(
                "WHERE session_id = $1 AND turn = $2 ORDER BY id DESC LIMIT 1"
            ))
            .bind(session_id)
            .bind(turn)
            .fetch_optional(p)
            .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Every evaluation of a session, oldest first (the full audit trail).
    pub async fn evaluations(&self, session_id: &str) -> Result<Vec<StoredEvaluation>, StoreError> {
        let rows: Vec<EvaluationRow> = on_pool!(self, |p| {
            sqlx::query_as(select_evaluations!(
                "WHERE session_id = $1 ORDER BY turn, id"
            ))
            .bind(session_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
