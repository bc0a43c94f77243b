//! Content checks on a parsed bank: every problem, each as `file:question-id: message`.

use std::collections::{HashMap, HashSet};

use super::load::Located;
use super::model::{Kind, Level, Question, Topic};
use crate::lint::Problem;
use crate::text::content_tokens;

/// Fewest questions a (topic, level) cell may hold.
pub const MIN_PER_CELL: usize = 4;
/// Token-set similarity above which two question texts count as near-duplicates.
const NEAR_DUPLICATE: f64 = 0.8;

/// Runs every check on the parsed questions.
pub fn check(questions: &[Located]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for Located { file, question } in questions {
        let mut report = |m: String| problems.push(Problem::new(Some(file), &question.id, m));
        if let Some(first) = seen.insert(&question.id, file) {
            report(format!("duplicate id (also in {first})"));
        }
        check_question(question, &mut report);
    }
    check_near_duplicates(questions, &mut problems);
    check_cells(questions, &mut problems);
    problems
}

fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn check_question(q: &Question, report: &mut impl FnMut(String)) {
    if !is_slug(&q.id) {
        report("id must be a lowercase slug (letters, digits, single hyphens)".into());
    }
    if q.text.is_empty() {
        report("text is empty".into());
    }
    if !(4..=8).contains(&q.key_points.len()) {
        report(format!(
            "needs 4 to 8 key_points, has {}",
            q.key_points.len()
        ));
    }
    for (i, kp) in q.key_points.iter().enumerate() {
        if kp.text.is_empty() {
            report(format!("key_points[{i}].text is empty"));
        }
        if !(kp.weight.is_finite() && kp.weight > 0.0) {
            report(format!("key_points[{i}].weight must be > 0"));
        }
        if kp.terms.is_empty() {
            report(format!("key_points[{i}].terms is empty"));
        }
        for (t, term) in kp.compiled_terms().iter().enumerate() {
            if term.is_empty() {
                report(format!(
                    "key_points[{i}].terms[{t}] `{}` has no content words and can never match",
                    term.source()
                ));
            }
        }
        let own = content_tokens(&kp.text);
        if !kp.text.is_empty() && !kp.compiled_terms().iter().any(|t| t.matches(&own)) {
            report(format!(
                "key_points[{i}]: no term matches the key point's own text"
            ));
        }
    }
    if !(1..=3).contains(&q.follow_ups.len()) {
        report(format!(
            "needs 1 to 3 follow_ups, has {}",
            q.follow_ups.len()
        ));
    }
    for (i, f) in q.follow_ups.iter().enumerate() {
        if f.is_empty() {
            report(format!("follow_ups[{i}] is empty"));
        }
    }
    for (i, t) in q.tags.iter().enumerate() {
        if t.trim().is_empty() {
            report(format!("tags[{i}] is empty"));
        }
    }
    match (&q.star, q.kind) {
        (None, Kind::Behavioral) => report(
            "behavioral questions need a [star] table (situation, task, action, result)".into(),
        ),
        (Some(star), Kind::Behavioral) => {
            for (part, text) in [
                ("situation", &star.situation),
                ("task", &star.task),
                ("action", &star.action),
                ("result", &star.result),
            ] {
                if text.trim().is_empty() {
                    report(format!("star.{part} is empty"));
                }
            }
        }
        (Some(_), _) => report("only behavioral questions take a [star] table".into()),
        (None, _) => {}
    }
}

fn check_near_duplicates(questions: &[Located], problems: &mut Vec<Problem>) {
    let sets: Vec<HashSet<String>> = questions
        .iter()
        .map(|l| content_tokens(&l.question.text).into_iter().collect())
        .collect();
    for i in 0..questions.len() {
        for j in 0..i {
            let (a, b) = (&sets[i], &sets[j]);
            if a.len().min(b.len()) < 4 || questions[i].question.id == questions[j].question.id {
                continue;
            }
            let shared = a.intersection(b).count() as f64;
            let union = a.union(b).count() as f64;
            if shared / union >= NEAR_DUPLICATE {
                let (l, other) = (&questions[i], &questions[j]);
                problems.push(Problem::new(
                    Some(&l.file),
                    &l.question.id,
                    format!(
                        "text nearly duplicates {} ({})",
                        other.question.id, other.file
                    ),
                ));
            }
        }
    }
}

fn check_cells(questions: &[Located], problems: &mut Vec<Problem>) {
    let mut counts: HashMap<(Topic, Level), usize> = HashMap::new();
    for l in questions {
        *counts
            .entry((l.question.topic, l.question.level))
            .or_default() += 1;
    }
    for &topic in Topic::ALL {
        for &level in Level::ALL {
            let n = counts.get(&(topic, level)).copied().unwrap_or(0);
            if n < MIN_PER_CELL {
                problems.push(Problem::new(
                    Some(&format!("{topic}.toml")),
                    format!("{topic}/{level}"),
                    format!("has {n} question(s), needs at least {MIN_PER_CELL}"),
                ));
            }
        }
    }
}
