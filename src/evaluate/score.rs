//! Turning criterion scores into the overall score. Shared by every evaluator so that the
//! overall is always computed by our code from the rubric's weights, never taken on trust.

use super::model::CriterionScore;
use crate::rubric::Rubric;

/// Weighted mean of the criteria's positions on the scale, scaled to 0–100 and rounded.
/// Criteria missing from `scores` count as the scale's minimum.
pub fn overall(rubric: &Rubric, scores: &[CriterionScore]) -> u8 {
    let total: f64 = rubric.criteria.iter().map(|c| c.weight).sum();
    if total <= 0.0 {
        return 0;
    }
    let earned: f64 = rubric
        .criteria
        .iter()
        .map(|c| {
            let score = scores
                .iter()
                .find(|s| s.id == c.id)
                .map_or(rubric.scale.min, |s| s.score);
            c.weight * rubric.scale.fraction(score)
        })
        .sum();
    (earned / total * 100.0).round().clamp(0.0, 100.0) as u8
}

/// Whether an overall score passes the rubric.
pub fn passed(rubric: &Rubric, overall: u8) -> bool {
    overall >= rubric.pass_mark
}
