//! Content checks on a parsed bank: every problem, each as `file:question-id: message`.

use std::collections::{HashMap, HashSet};

use super::load::Located;
use super::model::{Kind, Level, Question, Topic};
use crate::lint::Problem;
use crate::text::{Sentence, Synonyms, Term, content_tokens, split_sentences};

/// Fewest questions a (topic, level) cell may hold.
pub const MIN_PER_CELL: usize = 12;
/// Token-set similarity above which two question texts count as near-duplicates.
const NEAR_DUPLICATE: f64 = 0.8;

/// Words a model answer must have, at least and at most.
pub const MODEL_ANSWER_WORDS: (usize, usize) = (80, 200);
/// Most words in a key point's hint.
const HINT_WORDS: usize = 8;

/// Runs every check on the parsed questions.
pub fn check(questions: &[Located], synonyms: &Synonyms) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for Located { file, question } in questions {
        let mut report = |m: String| problems.push(Problem::new(Some(file), &question.id, m));
        if let Some(first) = seen.insert(&question.id, file) {
            report(format!("duplicate id (also in {first})"));
        }
        check_question(question, &mut report);
        check_teaching(question, synonyms, &mut report);
        check_misconceptions(question, synonyms, &mut report);
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
        if !kp.text.is_empty() && !asserts_any(&kp.text, kp.compiled_terms(), &q.synonyms) {
            report(format!(
                "key_points[{i}]: no term matches the key point's own text"
            ));
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

/// True when some sentence of `text` asserts one of `terms`.
fn asserts_any(text: &str, terms: &[Term], synonyms: &Synonyms) -> bool {
    split_sentences(text, synonyms)
        .iter()
        .any(|s| terms.iter().any(|t| t.asserted_in(s)))
}

/// The first of `terms` that occurs in `text` at all, asserted or denied.
fn mentions<'t>(text: &str, terms: &'t [Term], synonyms: &Synonyms) -> Option<&'t Term> {
    let sentences = split_sentences(text, synonyms);
    terms
        .iter()
        .find(|t| sentences.iter().any(|s| t.find(s).is_some()))
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The feedback loop's content: a model answer, and for every key point a hint and a follow-up
/// that do not give the point away.
fn check_teaching(q: &Question, synonyms: &Synonyms, report: &mut impl FnMut(String)) {
    let (least, most) = MODEL_ANSWER_WORDS;
    let words = word_count(&q.model_answer);
    if q.model_answer.is_empty() {
        report("model_answer is missing".into());
    } else if !(least..=most).contains(&words) {
        report(format!(
            "model_answer has {words} words, needs {least} to {most}"
        ));
    }
    for (i, kp) in q.key_points.iter().enumerate() {
        if kp.hint.is_empty() {
            report(format!("key_points[{i}].hint is missing"));
        } else if word_count(&kp.hint) > HINT_WORDS {
            report(format!(
                "key_points[{i}].hint has more than {HINT_WORDS} words"
            ));
        } else if let Some(t) = mentions(&kp.hint, kp.compiled_terms(), synonyms) {
            report(format!(
                "key_points[{i}].hint names the point (term `{}`); name only its area",
                t.source()
            ));
        }
        if kp.follow_up.is_empty() {
            report(format!("key_points[{i}].follow_up is missing"));
        } else {
            if !kp.follow_up.ends_with('?') {
                report(format!("key_points[{i}].follow_up must be a question"));
            }
            if let Some(t) = mentions(&kp.follow_up, kp.compiled_terms(), synonyms) {
                report(format!(
                    "key_points[{i}].follow_up gives the point away (term `{}`)",
                    t.source()
                ));
            }
        }
    }
}

/// Misconceptions: 2–4 on every question that is not behavioral, each specific enough that
/// it never fires on the question's own key points or model answer.
fn check_misconceptions(q: &Question, synonyms: &Synonyms, report: &mut impl FnMut(String)) {
    let n = q.misconceptions.len();
    if q.kind != Kind::Behavioral && !(2..=4).contains(&n) {
        report(format!("needs 2 to 4 misconceptions, has {n}"));
    } else if n > 4 {
        report(format!("has {n} misconceptions, at most 4"));
    }
    // What is correct, split once: every key point, then the model answer.
    let correct: Vec<(String, Vec<Sentence>)> = q
        .key_points
        .iter()
        .enumerate()
        .map(|(c, k)| {
            (
                format!("key_points[{c}]"),
                split_sentences(&k.text, synonyms),
            )
        })
        .chain([(
            "the model answer".to_string(),
            split_sentences(&q.model_answer, synonyms),
        )])
        .collect();
    for (i, m) in q.misconceptions.iter().enumerate() {
        if m.text.is_empty() {
            report(format!("misconceptions[{i}].text is empty"));
        }
        if m.terms.is_empty() {
            report(format!("misconceptions[{i}].terms is empty"));
        }
        let correction = split_sentences(&m.correction, synonyms);
        if m.correction.is_empty() {
            report(format!("misconceptions[{i}].correction is empty"));
        } else if correction.len() > 1 || word_count(&m.correction) > 45 {
            report(format!(
                "misconceptions[{i}].correction must be one sentence (at most 45 words)"
            ));
        }
        let own = ("its own correction".to_string(), correction);
        for (t, term) in m.compiled_terms().iter().enumerate() {
            if term.is_empty() {
                report(format!(
                    "misconceptions[{i}].terms[{t}] `{}` has no content words and can never match",
                    term.source()
                ));
                continue;
            }
            for (what, sentences) in correct.iter().chain([&own]) {
                if sentences.iter().any(|s| term.asserted_in(s)) {
                    report(format!(
                        "misconceptions[{i}].terms[{t}] `{}` also matches {what}; make it specific to the wrong claim",
                        term.source()
                    ));
                }
            }
        }
        if !m.text.is_empty() && !asserts_any(&m.text, m.compiled_terms(), synonyms) {
            report(format!(
                "misconceptions[{i}]: no term matches the misconception's own text"
            ));
        }
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
