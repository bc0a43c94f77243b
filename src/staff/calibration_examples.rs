//! Reviewed answers as calibration examples: a turn with a human review becomes an example of
//! the rubric that graded it (the question, the answer as graded, the reviewer's overall), saved
//! as the rubric's next version.

use std::sync::Arc;

use super::StaffError;
use super::rubric_source::{is_json, stored_source, with_example};
use super::rubrics::{RubricInput, save_version_over};
use crate::evaluate::Source;
use crate::interview::answer_chain;
use crate::rubric::{CalibrationExample, Rubric};
use crate::runner::{Interviews, turn_views};
use crate::store::{Store, StoreError};

/// A reviewed turn as a calibration example, and the rubric whose example it would be.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedAnswer {
    pub rubric_id: String,
    pub example: CalibrationExample,
}

/// The calibration example a reviewed turn makes: the graded answer (a follow-up's answer is
/// graded together with the earlier answers to its question, so those come with it) and the
/// newest human review's overall score.
pub async fn reviewed_answer(
    store: &Store,
    session_id: &str,
    turn: i64,
) -> Result<ReviewedAnswer, StaffError> {
    match store.session(session_id).await {
        Err(StoreError::NotFound) => {
            return Err(StaffError::NotFound(format!("no session `{session_id}`")));
        }
        other => other?,
    };
    let turns = store.turns(session_id).await?;
    let record = turns.iter().find(|t| t.turn == turn).ok_or_else(|| {
        StaffError::NotFound(format!("session `{session_id}` has no turn {turn}"))
    })?;
    let evaluations = store.evaluations(session_id).await?;
    let review = evaluations
        .iter()
        .rfind(|e| e.turn == turn && e.evaluation.source == Source::Human)
        .ok_or_else(|| {
            StaffError::Invalid(format!(
                "turn {turn} has no human review; review it before using it as a calibration example"
            ))
        })?;
    let views = turn_views(&turns, |t| evaluations.iter().rfind(|e| e.turn == t));
    let answer = answer_chain(&views, turn);
    if answer.trim().is_empty() {
        return Err(StaffError::Invalid(format!("turn {turn} has no answer")));
    }
    Ok(ReviewedAnswer {
        rubric_id: review.evaluation.rubric.id.clone(),
        example: CalibrationExample {
            question_id: record.question_id.clone(),
            answer,
            expected_overall: review.evaluation.overall,
        },
    })
}

/// Adds a reviewed turn to the calibration examples of the rubric that graded it, as that
/// rubric's next version; `rubric_id`, when given, must name that rubric. Refused when the turn
/// has no human review, was graded by another rubric, is already an example, or the new
/// version does not validate.
pub async fn add_reviewed_example(
    interviews: &Interviews,
    rubric_id: Option<&str>,
    session_id: &str,
    turn: i64,
    by: &str,
) -> Result<(Arc<Rubric>, CalibrationExample), StaffError> {
    let reviewed = reviewed_answer(&interviews.store, session_id, turn).await?;
    if let Some(id) = rubric_id.filter(|&id| id != reviewed.rubric_id) {
        return Err(StaffError::Invalid(format!(
            "turn {turn} was graded by rubric `{}`, not `{id}`",
            reviewed.rubric_id
        )));
    }
    let rubric_id = reviewed.rubric_id.as_str();
    let latest = interviews
        .store
        .rubric_versions(rubric_id)
        .await?
        .into_iter()
        .max_by_key(|v| v.version)
        .ok_or_else(|| StaffError::NotFound(format!("no rubric `{rubric_id}`")))?;
    let current = interviews
        .rubrics
        .version(rubric_id, latest.version as u32)
        .ok_or_else(|| {
            StaffError::Internal(format!(
                "rubric {rubric_id} v{} is not loaded",
                latest.version
            ))
        })?;
    let example = reviewed.example;
    let question = interviews.bank.get(&example.question_id).ok_or_else(|| {
        StaffError::Invalid(format!(
            "question `{}` is no longer in the bank",
            example.question_id
        ))
    })?;
    if !current.kinds.contains(&question.kind) {
        return Err(StaffError::Invalid(format!(
            "rubric `{rubric_id}` v{} no longer grades {} questions",
            current.version, question.kind
        )));
    }
    if let Some(i) = current.calibration.iter().position(|e| {
        e.question_id == example.question_id && e.answer.trim() == example.answer.trim()
    }) {
        return Err(StaffError::Conflict(format!(
            "this answer is already calibration example {} of rubric `{rubric_id}` (v{})",
            i + 1,
            current.version
        )));
    }
    let text = with_example(stored_source(&latest), &example).map_err(StaffError::Internal)?;
    let input = if is_json(&text) {
        RubricInput::Json(&text)
    } else {
        RubricInput::Toml(&text)
    };
    let saved =
        save_version_over(interviews, input, Some(rubric_id), Some(latest.version), by).await?;
    Ok((saved, example))
}
