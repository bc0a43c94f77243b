//! Plain-language feedback written from an evaluation. The built-in evaluator's feedback is
//! streamed to the candidate exactly like an LLM coach's tokens, so the chat page has one path.

use super::model::{Evaluation, Flag};

/// Short, specific feedback for the candidate: the score, what worked, what to add.
pub fn coach_text(e: &Evaluation) -> String {
    let mut out = String::new();
    if e.has_flag(Flag::PossiblePromptInjection) {
        out.push_str(
            "This answer contains text aimed at the grader rather than an answer, so it was not scored. \
             Answer the question in your own words and it will be graded normally.",
        );
        return out;
    }
    if e.source == super::model::Source::Fallback {
        // No LLM coaching without a valid judgement: say plainly whose feedback this is.
        out.push_str(
            "The AI grader could not grade this answer in time, so this is the built-in estimate; \
             the answer will be regraded and the new grade shown when it is ready. ",
        );
    }
    out.push_str(&format!(
        "{}/100 — {}. ",
        e.overall,
        if e.passed {
            "a solid answer"
        } else {
            "not there yet"
        }
    ));
    if let Some(star) = &e.star {
        let present: Vec<&str> = star
            .parts()
            .iter()
            .filter(|(_, p)| p.present)
            .map(|(n, _)| *n)
            .collect();
        let missing: Vec<&str> = star
            .parts()
            .iter()
            .filter(|(_, p)| !p.present)
            .map(|(n, _)| *n)
            .collect();
        if missing.is_empty() {
            out.push_str("Your story has all four STAR parts. ");
        } else if present.is_empty() {
            out.push_str("I could not find the STAR structure (situation, task, action, result) in this answer. ");
        } else {
            out.push_str(&format!(
                "Your story has the {} but is missing the {}. ",
                present.join(", "),
                missing.join(" and ")
            ));
        }
    } else if !e.key_points.is_empty() {
        let covered = e.key_points.iter().filter(|k| k.covered).count();
        out.push_str(&format!(
            "You covered {covered} of {} key points. ",
            e.key_points.len()
        ));
    }
    if let Some(s) = e.strengths.first() {
        out.push_str(&format!("What worked: {}. ", s.trim_end_matches('.')));
    }
    let todo: Vec<&str> = e
        .improvements
        .iter()
        .take(2)
        .map(|s| s.trim_end_matches('.'))
        .collect();
    if !todo.is_empty() {
        out.push_str(&format!("To improve: {}.", todo.join("; ")));
    }
    out.trim_end().to_string()
}
