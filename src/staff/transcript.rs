//! A session's full transcript for recruiters: every turn as asked, the answer and its timing,
//! every evaluation with its provenance (the audit trail), flags and reviews.

use crate::evaluate::Provenance;
use serde::Serialize;

use super::StaffError;
use crate::bank::Bank;
use crate::evaluate::{Evaluation, Flag, Source, while_open};
use crate::interview::question_open;
use crate::runner::turn_views;
use crate::store::{SessionRecord, SessionStatus, Store, StoreError, StoredEvaluation, TurnRecord};

/// Who reads a transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Recruiters and admins: everything, reviews included.
    Staff,
    /// The candidate: machine evaluations only, and while a question is still open its missing
    /// points only as hints.
    Candidate,
}

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
    /// The question will get no more answers or follow-ups.
    pub closed: bool,
    /// The bank's model answer (main questions; for a candidate only once closed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_answer: Option<String>,
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

/// Which turns belong to a question that is still open.
fn open_turns(
    session: &SessionRecord,
    turns: &[TurnRecord],
    all: &[StoredEvaluation],
) -> Vec<bool> {
    // Oldest first: the last evaluation of a turn is its current one.
    let views = turn_views(turns, |turn| all.iter().rfind(|e| e.turn == turn));
    let finished = session.status == SessionStatus::Finished;
    turns
        .iter()
        .map(|t| question_open(&views, t.turn, finished))
        .collect()
}

/// Loads a session's detail as `viewer` may see it.
pub async fn session_detail(
    store: &Store,
    bank: &Bank,
    id: &str,
    viewer: Viewer,
) -> Result<SessionDetail, StaffError> {
    let mut session = match store.session(id).await {
        Err(StoreError::NotFound) => {
            return Err(StaffError::NotFound(format!("no session `{id}`")));
        }
        other => other?,
    };
    let turns = store.turns(id).await?;
    let mut evaluations = store.evaluations(id).await?;
    let open = open_turns(&session, &turns, &evaluations);
    if viewer == Viewer::Candidate {
        evaluations.retain(|e| e.evaluation.source != Source::Human);
    }
    // The invite keeps the results for the recruiter: the candidate reads questions and answers.
    let withheld = viewer == Viewer::Candidate && session.scores_hidden;
    if withheld {
        evaluations.clear();
        session.overall = None;
        session.summary = None;
        session.flagged = false;
    }
    let turns = turns
        .into_iter()
        .zip(open)
        .map(|(t, open)| {
            let hide = open && viewer == Viewer::Candidate;
            let evals: Vec<EvaluationView> = evaluations
                .iter()
                .filter(|e| e.turn == t.turn)
                .cloned()
                .map(|mut e| {
                    if hide {
                        e.evaluation = while_open(&e.evaluation);
                    }
                    EvaluationView::from(e)
                })
                .collect();
            let model_answer = (!t.is_follow_up && !hide && !withheld)
                .then(|| bank.get(&t.question_id).map(|q| q.model_answer.clone()))
                .flatten();
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
                topic: t.topic.to_string(),
                level: t.level.to_string(),
                kind: t.kind.to_string(),
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
                closed: !open,
                model_answer,
            }
        })
        .collect();
    Ok(SessionDetail { session, turns })
}
