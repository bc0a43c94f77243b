//! Human reviews: a recruiter overrides criterion scores and/or the overall score with a
//! comment. The review is a new evaluation (`source: human`); every earlier one is kept.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::StaffError;
use crate::clock::now_ms;
use crate::evaluate::Provenance;
use crate::evaluate::{Evaluation, EvaluatorInfo, Source, overall, passed};
use crate::rubric::Rubric;
use crate::runner::Interviews;
use crate::store::StoredEvaluation;

/// What a reviewer submits.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// New scores by criterion id (others keep their current score).
    #[serde(default, deserialize_with = "crate::whole::map")]
    #[schema(value_type = Option<std::collections::HashMap<String, i64>>)]
    pub criteria: BTreeMap<String, i64>,
    /// The reviewer's own reason per criterion id. A criterion whose score the review changes
    /// carries this rationale instead of the grader's (or, without one, the review's comment).
    #[schema(value_type = Option<std::collections::HashMap<String, String>>)]
    pub rationales: Option<BTreeMap<String, String>>,
    /// Key points marked covered (`true`) or missing (`false`) by index (`"0"`, `"1"` … in the
    /// question's order).
    #[schema(value_type = Option<std::collections::HashMap<String, bool>>)]
    pub key_points: Option<BTreeMap<String, bool>>,
    /// An overall score (0–100) that replaces the one computed from the criteria.
    #[serde(default, deserialize_with = "crate::whole::option")]
    #[schema(maximum = 100)]
    pub overall: Option<u8>,
    /// Why: required, kept in the audit trail.
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub comment: String,
}

const MAX_COMMENT: usize = 5000;
const MAX_RATIONALE: usize = 1000;

/// The reviewed evaluation: the current one with the overrides applied, overall recomputed from
/// the rubric's weights unless overridden, `source: human`.
pub fn apply_review(
    current: &Evaluation,
    rubric: &Rubric,
    req: &ReviewRequest,
    reviewer: &str,
) -> Result<Evaluation, StaffError> {
    if req.comment.trim().is_empty() {
        return Err(StaffError::Invalid(
            "comment: a review needs a comment".into(),
        ));
    }
    if req.comment.chars().count() > MAX_COMMENT {
        return Err(StaffError::Invalid(format!(
            "comment: longer than {MAX_COMMENT} characters"
        )));
    }
    let mut e = current.clone();
    let mut problems = Vec::new();
    let comment = req.comment.trim();
    let rationales = req.rationales.clone().unwrap_or_default();
    for (id, &score) in &req.criteria {
        match e.criteria.iter_mut().find(|c| &c.id == id) {
            None => problems.push(format!(
                "criteria.{id}: not a criterion of rubric {} v{}",
                rubric.id, rubric.version
            )),
            Some(c) if score < i64::from(c.min) || score > i64::from(c.max) => {
                problems.push(format!(
                    "criteria.{id}: {score} is outside the scale {}–{}",
                    c.min, c.max
                ))
            }
            Some(c) => {
                if c.score != score as u8 && !rationales.contains_key(id) {
                    // The grader's reason no longer explains the score: the reviewer's does.
                    c.rationale = format!("{reviewer}: {comment}");
                }
                c.score = score as u8;
            }
        }
    }
    for (id, text) in &rationales {
        let text = text.trim();
        match e.criteria.iter_mut().find(|c| &c.id == id) {
            None => problems.push(format!(
                "rationales.{id}: not a criterion of rubric {} v{}",
                rubric.id, rubric.version
            )),
            Some(_) if text.chars().count() > MAX_RATIONALE => problems.push(format!(
                "rationales.{id}: longer than {MAX_RATIONALE} characters"
            )),
            Some(_) if text.is_empty() => {}
            Some(c) => c.rationale = format!("{reviewer}: {text}"),
        }
    }
    for (index, &covered) in req.key_points.iter().flatten() {
        let count = e.key_points.len();
        match index
            .parse::<usize>()
            .ok()
            .and_then(|i| e.key_points.get_mut(i))
        {
            None => problems.push(format!(
                "key_points.{index}: not a key point (the question has {count}, numbered from 0)"
            )),
            Some(k) if k.covered != covered => {
                k.covered = covered;
                if !covered {
                    k.evidence = None;
                }
            }
            Some(_) => {}
        }
    }
    if let Some(o) = req.overall.filter(|&o| o > 100) {
        problems.push(format!("overall: {o} is outside 0–100"));
    }
    if !problems.is_empty() {
        return Err(StaffError::Invalid(problems.join("; ")));
    }
    e.overall = req.overall.unwrap_or_else(|| overall(rubric, &e.criteria));
    e.passed = passed(rubric, e.overall);
    e.source = Source::Human;
    e.evaluator = EvaluatorInfo {
        name: "human-review".into(),
        version: reviewer.to_string(),
    };
    Ok(e)
}

/// Stores a review of a turn's current evaluation and refreshes the session's scores.
pub async fn review(
    interviews: &Interviews,
    session_id: &str,
    turn: i64,
    req: &ReviewRequest,
    reviewer: &str,
) -> Result<StoredEvaluation, StaffError> {
    interviews
        .store
        .session(session_id)
        .await
        .map_err(|_| StaffError::NotFound(format!("no session `{session_id}`")))?;
    let current = interviews
        .store
        .current_evaluation(session_id, turn)
        .await?
        .ok_or_else(|| {
            StaffError::NotFound(format!(
                "turn {turn} of session `{session_id}` has no evaluation to review"
            ))
        })?;
    let rubric_ref = &current.evaluation.rubric;
    let rubric = interviews
        .rubrics
        .version(&rubric_ref.id, rubric_ref.version)
        .ok_or_else(|| {
            StaffError::Internal(format!(
                "rubric {} v{} is not loaded",
                rubric_ref.id, rubric_ref.version
            ))
        })?;
    let reviewed = apply_review(&current.evaluation, &rubric, req, reviewer)?;
    let now = now_ms();
    let provenance = Provenance {
        reviewer: Some(reviewer.to_string()),
        comment: Some(req.comment.trim().to_string()),
        ..Default::default()
    };
    // Stored only over the evaluation the reviewer saw: a regrade that landed meanwhile is not
    // silently overridden.
    let id = interviews
        .store
        .replace_evaluation(session_id, turn, current.id, &reviewed, &provenance, now)
        .await?
        .ok_or_else(|| {
            StaffError::Conflict(format!(
                "turn {turn} was graded again while you reviewed it; reload and review the new evaluation"
            ))
        })?;
    crate::telemetry::evaluation_stored(reviewed.source.as_str());
    interviews.publish_event(crate::runner::Event::Evaluation {
        session_id: session_id.to_string(),
        turn,
    });
    interviews
        .refresh_scores(session_id)
        .await
        .map_err(|e| StaffError::Internal(e.to_string()))?;
    Ok(StoredEvaluation {
        id,
        session_id: session_id.to_string(),
        turn,
        evaluation: reviewed,
        provenance,
        created_at: now,
    })
}
