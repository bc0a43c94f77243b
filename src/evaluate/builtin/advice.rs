//! Strengths, improvements and the follow-up question, written from the measurements.

use super::coverage::Coverage;
use crate::bank::{Question, StarExpectations};
use crate::evaluate::{CriterionScore, Flag, FollowUp, StarBreakdown};

/// The follow-up written for the most important missing key point not yet asked about.
pub fn key_point_follow_up(
    question: &Question,
    coverage: &Coverage,
    asked: &[String],
) -> Option<FollowUp> {
    coverage
        .missing_by_weight(question)
        .into_iter()
        .map(|i| (i, FollowUp::key_point_target(i)))
        .find(|(_, target)| !asked.contains(target))
        .map(|(i, target)| {
            let kp = &question.key_points[i];
            FollowUp {
                text: kp.follow_up.clone(),
                reason: format!("missing key point: {}", kp.text),
                target: Some(target),
            }
        })
}

/// A follow-up asking for the first missing STAR part not yet asked about (action and result
/// first: they carry the story).
pub fn star_follow_up(
    star: &StarBreakdown,
    expect: Option<&StarExpectations>,
    asked: &[String],
) -> Option<FollowUp> {
    let order = [
        ("action", &star.action),
        ("result", &star.result),
        ("task", &star.task),
        ("situation", &star.situation),
    ];
    let (name, _) = order
        .into_iter()
        .find(|(name, p)| !p.present && !asked.contains(&FollowUp::star_target(name)))?;
    let hint = expect.map(|e| match name {
        "action" => &e.action,
        "result" => &e.result,
        "task" => &e.task,
        _ => &e.situation,
    });
    let text = match name {
        "action" => "What did you do yourself, step by step?",
        "result" => "How did it turn out? What changed, ideally in numbers?",
        "task" => "What exactly were you responsible for, or trying to achieve?",
        _ => "Can you set the scene: where and when was this, and what was at stake?",
    }
    .to_string();
    let reason = match hint {
        Some(h) => format!(
            "missing STAR part: {name} (expected: {})",
            h.trim_end_matches('.')
        ),
        None => format!("missing STAR part: {name}"),
    };
    Some(FollowUp {
        text,
        reason,
        target: Some(FollowUp::star_target(name)),
    })
}

/// Strengths: the best-scored criteria and the most important covered points.
pub fn strengths(
    criteria: &[CriterionScore],
    coverage: Option<&Coverage>,
    question: &Question,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(cov) = coverage {
        let mut covered: Vec<usize> = (0..cov.points.len())
            .filter(|&i| cov.points[i].covered)
            .collect();
        covered.sort_by(|&a, &b| {
            question.key_points[b]
                .weight
                .total_cmp(&question.key_points[a].weight)
        });
        out.extend(
            covered
                .into_iter()
                .take(2)
                .map(|i| format!("Covered: {}", question.key_points[i].text)),
        );
    }
    for c in criteria {
        let top = c.max - c.min;
        if top > 0 && c.score.saturating_sub(c.min) * 4 >= top * 3 {
            out.push(format!("{}: {}", c.name, c.rationale));
        }
    }
    out.truncate(4);
    out
}

/// Improvements: what the flags and the weakest criteria say to work on, then missing points.
pub fn improvements(
    criteria: &[CriterionScore],
    coverage: Option<&Coverage>,
    question: &Question,
    flags: &[Flag],
) -> Vec<String> {
    let mut out: Vec<String> = flags
        .iter()
        .filter_map(|f| match f {
            Flag::TooShort => Some("Give a fuller answer: a few sentences that explain, not a single line."),
            Flag::KeywordStuffing => Some("Explain in full sentences; a list of terms does not show understanding."),
            Flag::Repetitive => Some("Avoid repeating yourself; each sentence should add something."),
            Flag::CopiedQuestion => Some("Answer the question rather than restating it."),
            Flag::OffTopic => Some("Stay on the question that was asked."),
            Flag::PossiblePromptInjection => {
                Some("Answer the question itself; instructions aimed at the grader are ignored and score nothing.")
            }
            Flag::EvidenceNotInAnswer => None,
            Flag::IncorrectClaim => Some("Check the statements marked as wrong: a confident wrong claim costs more than leaving a point out."),
        })
        .map(str::to_string)
        .collect();
    if let Some(cov) = coverage {
        out.extend(
            cov.missing_by_weight(question)
                .into_iter()
                .take(2)
                .map(|i| format!("Also cover: {}", question.key_points[i].text)),
        );
    }
    let mut weak: Vec<&CriterionScore> = criteria
        .iter()
        .filter(|c| c.max > c.min && (c.score - c.min) * 2 < (c.max - c.min))
        .collect();
    weak.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    out.extend(
        weak.into_iter()
            .take(2)
            .map(|c| format!("{}: {}", c.name, c.rationale)),
    );
    out.dedup();
    out.truncate(5);
    out
}
