//! A judge's scores held to its own verdicts. Small models often mark a key point missing or a
//! STAR part absent and then score the criterion that measures it as if it were there. The
//! rubric's anchors say what a score means ("About half of the key points" is a 3 on a 1–5
//! scale; "Absent" is a 1), so a criterion is capped at what the same judgement's coverage or
//! STAR breakdown allows. A STAR part the judgement finds but the built-in reading of the same
//! story does not (small models quote an action as the result of a story that has none) is
//! held at "present but thin": one of the two readers is wrong, and the cap costs a story whose
//! part the built-in reader missed little. Scores are only ever lowered, and every cap is
//! recorded.

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
    reading: Option<&StarBreakdown>,
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
                let find = |s: &StarBreakdown| {
                    s.parts()
                        .into_iter()
                        .find(|(name, _)| *name == part)
                        .map(|(_, p)| p.present)
                };
                match (star.and_then(find), reading.and_then(find)) {
                    (Some(false), _) => (
                        (min + 1).min(max),
                        format!("the judgement found no {part} in the story"),
                    ),
                    (Some(true), Some(false)) => (
                        (min + 2).min(max),
                        format!("no {part} was found reading the story"),
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
    use super::{coverage_cap, reconcile};
    use crate::evaluate::{CriterionScore, StarBreakdown, StarPart};
    use crate::rubric::Rubric;

    fn part(present: bool, evidence: &str) -> StarPart {
        StarPart {
            present,
            evidence: present.then(|| evidence.to_string()),
            note: String::new(),
        }
    }

    fn story(result: bool) -> StarBreakdown {
        StarBreakdown {
            situation: part(true, "At my last job we disagreed in review."),
            task: part(true, "I had to resolve it."),
            action: part(true, "I wrote a benchmark and shared it."),
            result: part(result, "I wrote a benchmark and shared it."),
            reflection: None,
        }
    }

    fn scores(rubric: &Rubric) -> Vec<CriterionScore> {
        rubric
            .criteria
            .iter()
            .map(|c| CriterionScore {
                id: c.id.clone(),
                name: c.name.clone(),
                score: 4,
                min: 1,
                max: 5,
                weight: c.weight,
                rationale: String::new(),
                evidence: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn a_star_part_only_the_judgement_finds_is_held_at_present_but_thin() {
        let rubric: Rubric = toml::from_str(include_str!("../../../rubrics/behavioral-star.toml"))
            .expect("the shipped STAR rubric parses");
        // Every criterion scored 4; the judgement and the built-in reading say whether the story
        // has a result. Returns the scores of result and action, and the caps recorded.
        let reconciled = |judged: bool, read: bool| {
            let mut criteria = scores(&rubric);
            let notes = reconcile(
                &rubric,
                &[],
                &mut criteria,
                &[],
                Some(&story(judged)),
                Some(&story(read)),
            );
            let score = |id: &str| criteria.iter().find(|c| c.id == id).unwrap().score;
            (score("result"), score("action"), notes)
        };

        // The judge quotes an action as the result; the built-in reading finds no result.
        let (result, action, notes) = reconciled(true, false);
        assert_eq!((result, action), (3, 4));
        assert_eq!(
            notes,
            ["result lowered from 4 to 3: no result was found reading the story"]
        );

        // Both readers find it: the judge's score stands.
        let (result, _, notes) = reconciled(true, true);
        assert_eq!(result, 4);
        assert!(notes.is_empty());

        // The judgement itself says there is none: "hinted at" at most, whatever the reading.
        assert_eq!(reconciled(false, true).0, 2);
    }

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
