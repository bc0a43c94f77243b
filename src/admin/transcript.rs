//! A session's full transcript for recruiters: every turn as asked, the answer and its timing,
//! every evaluation with its provenance (the audit trail), flags and reviews.

use serde::Serialize;

use super::AdminError;
use crate::evaluate::{Evaluation, Flag, Source};
use crate::store::{Provenance, SessionRecord, Store, StoreError, StoredEvaluation};

/// One stored evaluation with where it came from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub id: i64,
    pub created_at: i64,
    pub evaluation: Evaluation,
    pub provenance: Provenance,
}

impl From<StoredEvaluation> for EvaluationView {
    fn from(e: StoredEvaluation) -> Self {
        EvaluationView {
            id: e.id,
            created_at: e.created_at,
            evaluation: e.evaluation,
            provenance: e.provenance,
        }
    }
}

/// One turn with everything known about it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TurnDetail {
    pub turn: i64,
    pub question_id: String,
    pub topic: String,
    pub level: String,
    pub kind: String,
    /// The question exactly as it was asked.
    pub question_text: String,
    pub follow_up: bool,
    pub parent_turn: Option<i64>,
    pub asked_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    pub answer_duration_ms: Option<i64>,
    pub skipped: bool,
    /// Every evaluation, oldest first; the last one is current.
    pub evaluations: Vec<EvaluationView>,
    /// The current evaluation's flags.
    pub flags: Vec<Flag>,
    /// The human reviews among the evaluations, oldest first.
    pub reviews: Vec<EvaluationView>,
}

impl TurnDetail {
    /// The newest evaluation.
    pub fn current(&self) -> Option<&EvaluationView> {
        self.evaluations.last()
    }
}

/// A session and its turns.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionDetail {
    pub session: SessionRecord,
    pub turns: Vec<TurnDetail>,
}

/// Loads a session's detail. `include_reviews = false` leaves human reviews out (what a candidate
/// may see of their own interview).
pub async fn session_detail(
    store: &Store,
    id: &str,
    include_reviews: bool,
) -> Result<SessionDetail, AdminError> {
    let session = match store.session(id).await {
        Err(StoreError::NotFound) => {
            return Err(AdminError::NotFound(format!("no session `{id}`")));
        }
        other => other?,
    };
    let turns = store.turns(id).await?;
    let mut evaluations = store.evaluations(id).await?;
    if !include_reviews {
        evaluations.retain(|e| e.evaluation.source != Source::Human);
    }
    let turns = turns
        .into_iter()
        .map(|t| {
            let evals: Vec<EvaluationView> = evaluations
                .iter()
                .filter(|e| e.turn == t.turn)
                .cloned()
                .map(EvaluationView::from)
                .collect();
            let reviews = evals
                .iter()
                .filter(|e| e.evaluation.source == Source::Human)
                .cloned()
                .collect();
            TurnDetail {
                flags: evals
                    .last()
                    .map(|e| e.evaluation.flags.clone())
                    .unwrap_or_default(),
                turn: t.turn,
                question_id: t.question_id,
                topic: t.topic,
                level: t.level,
                kind: t.kind,
                question_text: t.question_text,
                follow_up: t.is_follow_up,
                parent_turn: t.parent_turn,
                asked_at: t.asked_at,
                answer: t.answer_text,
                answered_at: t.answered_at,
                answer_duration_ms: t.answer_duration_ms,
                skipped: t.skipped,
                evaluations: evals,
                reviews,
            }
        })
        .collect();
    Ok(SessionDetail { session, turns })
}
