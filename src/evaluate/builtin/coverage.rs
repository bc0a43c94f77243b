//! Key point coverage: which of the question's key points the answer makes, and where.

use super::analysis::{Analysis, prose_factor};
use crate::bank::Question;
use crate::evaluate::KeyPointResult;

/// Coverage of every key point plus the weighted score.
pub struct Coverage {
    pub points: Vec<KeyPointResult>,
    /// Weighted share of credit, 0.0–1.0.
    pub fraction: f64,
}

impl Coverage {
    /// How many key points were covered.
    pub fn covered(&self) -> usize {
        self.points.iter().filter(|p| p.covered).count()
    }

    /// Indices of missing key points, most important first (ties keep bank order).
    pub fn missing_by_weight(&self, question: &Question) -> Vec<usize> {
        let mut missing: Vec<usize> = (0..self.points.len())
            .filter(|&i| !self.points[i].covered)
            .collect();
        missing.sort_by(|&a, &b| {
            question.key_points[b]
                .weight
                .total_cmp(&question.key_points[a].weight)
        });
        missing
    }
}

/// Finds, for each key point, the best sentence where one of its terms occurs.
pub fn measure(question: &Question, analysis: &Analysis) -> Coverage {
    let mut points = Vec::with_capacity(question.key_points.len());
    let (mut earned, mut total) = (0.0, 0.0);
    for kp in &question.key_points {
        let best = analysis
            .sentences
            .iter()
            .filter(|s| kp.compiled_terms().iter().any(|t| t.matches(&s.tokens)))
            .map(|s| (prose_factor(s), s))
            .fold(
                None::<(f64, &crate::text::Sentence)>,
                |acc, (f, s)| match acc {
                    Some((best, _)) if best >= f => acc,
                    _ => Some((f, s)),
                },
            );
        let c = best.map_or(0.0, |(f, _)| f);
        earned += kp.weight * c;
        total += kp.weight;
        points.push(KeyPointResult {
            text: kp.text.clone(),
            covered: best.is_some(),
            evidence: best.map(|(_, s)| s.text.clone()),
        });
    }
    Coverage {
        points,
        fraction: if total > 0.0 { earned / total } else { 0.0 },
    }
}
