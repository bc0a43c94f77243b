//! A judge's scores held to its own verdicts. Small models often mark a key point missing or a
//! STAR part absent and then score the criterion that measures it as if it were there. The
//! rubric's anchors say what a score means ("About half of the key points" is a 3 on a 1–5
//! scale; "Absent" is a 1), so a criterion is capped at what the same judgement's coverage or
//! STAR breakdown allows. Scores are only ever lowered, and every cap is recorded.

use crate::evaluate::{CriterionScore, KeyPointResult, StarBreakdown};
use crate::rubric::{Rubric, Signal};

/// The highest score the judgement's own key-point coverage allows: the scale's minimum with
/// nothing covered, its maximum with everything, in even steps between (by weight).
fn coverage_cap(min: u8, max: u8, covered: f64) -> u8 {
    if covered <= 0.0 {
        return min;
    }
    let steps = f64::from(max - min);
    min + ((covered.min(1.0) * steps).ceil() as u8).min(max - min)
}

/// Caps criteria that contradict the judgement's key points or STAR parts; returns what it
/// capped, in words.
pub fn reconcile(
    rubric: &Rubric,
    question_weights: &[f64],
    criteria: &mut [CriterionScore],
    key_points: &[KeyPointResult],
    star: Option<&StarBreakdown>,
) -> Vec<String> {
    let (min, max) = (rubric.scale.min, rubric.scale.max);
    let mut notes = Vec::new();
    for score in criteria.iter_mut() {
        let Some(criterion) = rubric.criteria.iter().find(|c| c.id == score.id) else {
            continue;
        };
        let (cap, why) = match criterion.signal {
            Signal::KeyPoints if !key_points.is_empty() => {
                let total: f64 = question_weights.iter().sum();
                let covered: f64 = key_points
                    .iter()
                    .zip(question_weights)
                    .filter(|(k, _)| k.covered)
                    .map(|(_, w)| w)
                    .sum();
                let n = key_points.iter().filter(|k| k.covered).count();
                let fraction = if total > 0.0 { covered / total } else { 0.0 };
                (
                    coverage_cap(min, max, fraction),
                    format!("the judgement found {n} of {} key points", key_points.len()),
                )
            }
            Signal::Situation | Signal::Task | Signal::Action | Signal::Result => {
                let part = criterion.signal.as_str();
                match star.and_then(|s| s.parts().into_iter().find(|(name, _)| *name == part)) {
                    Some((_, p)) if !p.present => (
                        (min + 1).min(max),
                        format!("the judgement found no {part} in the story"),
                    ),
                    _ => continue,
                }
            }
            _ => continue,
        };
        if score.score > cap {
            notes.push(format!(
                "{} lowered from {} to {cap}: {why}",
                score.id, score.score
            ));
            score.score = cap;
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::coverage_cap;

    #[test]
    fn coverage_maps_onto_the_scale_in_even_steps() {
        assert_eq!(coverage_cap(1, 5, 0.0), 1);
        assert_eq!(coverage_cap(1, 5, 0.2), 2);
        assert_eq!(coverage_cap(1, 5, 0.5), 3);
        assert_eq!(coverage_cap(1, 5, 0.6), 4);
        assert_eq!(coverage_cap(1, 5, 1.0), 5);
        assert_eq!(coverage_cap(0, 10, 0.35), 4);
    }
}
