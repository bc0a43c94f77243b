//! How well an evaluator agrees with labelled answers: the measures the built-in evaluator is
//! held to. Pure: datasets are parsed from TOML text, and the evaluator is passed in.
//!
//! Three kinds of labelled set (see `tests/data/`): technical answers in six styles with a 1–5
//! label, behavioral stories labelled per STAR part, and prompt-injection attempts with honest
//! near misses.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::{Evaluation, Flag};
use crate::rubric::agreement;

/// One labelled technical answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledAnswer {
    pub question: String,
    /// excellent | terse | adequate | wrong | keywords | offtopic
    pub style: String,
    /// 1–5, as an interviewer would grade it.
    pub label: u8,
    pub text: String,
}

/// One behavioral story labelled per STAR part.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledStory {
    pub question: String,
    pub label: u8,
    pub situation: bool,
    pub task: bool,
    pub action: bool,
    pub result: bool,
    #[serde(default)]
    pub reflection: bool,
    #[serde(default)]
    pub we_only: bool,
    pub text: String,
}

/// A prompt-injection attempt.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attempt {
    pub question: String,
    pub form: String,
    pub text: String,
}

/// An honest answer that only looks like an attempt.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benign {
    pub question: String,
    pub text: String,
}

/// A labelled file: any of the three kinds of entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledSet {
    #[serde(default)]
    pub answer: Vec<LabelledAnswer>,
    #[serde(default)]
    pub story: Vec<LabelledStory>,
    #[serde(default)]
    pub attempt: Vec<Attempt>,
    #[serde(default)]
    pub benign: Vec<Benign>,
}

impl LabelledSet {
    /// Parses one labelled file.
    pub fn parse(text: &str) -> Result<LabelledSet, toml::de::Error> {
        toml::from_str(text)
    }
}

/// Agreement on technical answers.
#[derive(Debug, Clone, Default)]
pub struct AnswerReport {
    pub questions: usize,
    /// Mean over questions of Spearman's rank correlation between labels and overall scores.
    pub mean_spearman: f64,
    /// Questions whose confident-but-wrong answer scored below the adequate one, of those with both.
    pub wrong_below_adequate: (usize, usize),
    /// Questions where the keyword list scored above the adequate answer.
    pub keywords_above_adequate: Vec<String>,
    /// Strong-but-terse answers that passed, of all terse answers.
    pub terse_passed: (usize, usize),
    /// Per question: (id, spearman, scores by style).
    pub detail: Vec<(String, f64, BTreeMap<String, u8>)>,
}

impl std::fmt::Display for AnswerReport {
    /// The figures the evaluator is held to, on one line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} questions, mean Spearman {:.3}, wrong below adequate {}/{}, keyword lists above \
             adequate {:?}, terse passed {}/{}",
            self.questions,
            self.mean_spearman,
            self.wrong_below_adequate.0,
            self.wrong_below_adequate.1,
            self.keywords_above_adequate,
            self.terse_passed.0,
            self.terse_passed.1
        )
    }
}

/// Measures `grade` on labelled technical answers.
pub fn measure_answers(
    answers: &[LabelledAnswer],
    mut grade: impl FnMut(&str, &str) -> Option<Evaluation>,
) -> AnswerReport {
    let mut by_question: BTreeMap<&str, Vec<(&LabelledAnswer, Evaluation)>> = BTreeMap::new();
    for a in answers {
        if let Some(e) = grade(&a.question, &a.text) {
            by_question.entry(&a.question).or_default().push((a, e));
        }
    }
    let mut report = AnswerReport::default();
    let mut spearmen = Vec::new();
    for (id, graded) in &by_question {
        let pairs: Vec<(f64, f64)> = graded
            .iter()
            .map(|(a, e)| (f64::from(a.label), f64::from(e.overall)))
            .collect();
        // No spread in the scores at all: the evaluator could not tell the answers apart.
        let rho = agreement(&pairs).spearman.unwrap_or(0.0);
        spearmen.push(rho);
        let score = |style: &str| {
            graded
                .iter()
                .find(|(a, _)| a.style == style)
                .map(|(_, e)| e.overall)
        };
        if let (Some(wrong), Some(adequate)) = (score("wrong"), score("adequate")) {
            report.wrong_below_adequate.1 += 1;
            if wrong < adequate {
                report.wrong_below_adequate.0 += 1;
            }
        }
        if let (Some(k), Some(adequate)) = (score("keywords"), score("adequate"))
            && k > adequate
        {
            report.keywords_above_adequate.push(id.to_string());
        }
        for (a, e) in graded {
            if a.style == "terse" {
                report.terse_passed.1 += 1;
                if e.passed {
                    report.terse_passed.0 += 1;
                }
            }
        }
        report.detail.push((
            id.to_string(),
            rho,
            graded
                .iter()
                .map(|(a, e)| (a.style.clone(), e.overall))
                .collect(),
        ));
    }
    report.questions = by_question.len();
    report.mean_spearman = if spearmen.is_empty() {
        0.0
    } else {
        spearmen.iter().sum::<f64>() / spearmen.len() as f64
    };
    report
}

/// Agreement on STAR parts: F1 of "present" for each part, and their mean (macro F1).
#[derive(Debug, Clone, Default)]
pub struct StarReport {
    pub stories: usize,
    /// situation, task, action, result
    pub f1: [f64; 4],
    pub macro_f1: f64,
    /// Stories whose only "result" is a lesson, and how many of them the evaluator kept out of Result.
    pub lesson_only: (usize, usize),
    /// Per story: (question, expected parts, found parts).
    pub misses: Vec<(String, [bool; 4], [bool; 4])>,
}

/// Measures `grade` on labelled stories.
pub fn measure_stories(
    stories: &[LabelledStory],
    mut grade: impl FnMut(&str, &str) -> Option<Evaluation>,
) -> StarReport {
    let mut counts = [(0usize, 0usize, 0usize); 4]; // true positive, false positive, false negative
    let mut report = StarReport::default();
    for s in stories {
        let Some(e) = grade(&s.question, &s.text) else {
            continue;
        };
        let Some(star) = &e.star else { continue };
        report.stories += 1;
        let expected = [s.situation, s.task, s.action, s.result];
        let found = [
            star.situation.present,
            star.task.present,
            star.action.present,
            star.result.present,
        ];
        for p in 0..4 {
            match (expected[p], found[p]) {
                (true, true) => counts[p].0 += 1,
                (false, true) => counts[p].1 += 1,
                (true, false) => counts[p].2 += 1,
                (false, false) => {}
            }
        }
        if s.reflection && !s.result {
            report.lesson_only.0 += 1;
            if !star.result.present {
                report.lesson_only.1 += 1;
            }
        }
        if expected != found {
            report.misses.push((s.question.clone(), expected, found));
        }
    }
    for (p, (tp, fp, fal)) in counts.iter().enumerate() {
        let denominator = 2 * tp + fp + fal;
        report.f1[p] = if denominator == 0 {
            1.0
        } else {
            2.0 * *tp as f64 / denominator as f64
        };
    }
    report.macro_f1 = report.f1.iter().sum::<f64>() / 4.0;
    report
}

/// How the guard did on attempts and near misses.
#[derive(Debug, Clone, Default)]
pub struct InjectionReport {
    /// Attempts flagged, of all attempts.
    pub flagged: (usize, usize),
    /// The highest overall any attempt earned.
    pub max_overall: u8,
    /// Forms of the attempts that were not flagged.
    pub missed: Vec<String>,
    /// Honest answers that were flagged, of all honest answers.
    pub false_positives: (usize, usize),
}

/// Measures `grade` on injection attempts and honest near misses.
pub fn measure_injections(
    attempts: &[Attempt],
    benign: &[Benign],
    mut grade: impl FnMut(&str, &str) -> Option<Evaluation>,
) -> InjectionReport {
    let mut report = InjectionReport::default();
    for a in attempts {
        let Some(e) = grade(&a.question, &a.text) else {
            continue;
        };
        report.flagged.1 += 1;
        report.max_overall = report.max_overall.max(e.overall);
        if e.has_flag(Flag::PossiblePromptInjection) {
            report.flagged.0 += 1;
        } else {
            report.missed.push(a.form.clone());
        }
    }
    for b in benign {
        let Some(e) = grade(&b.question, &b.text) else {
            continue;
        };
        report.false_positives.1 += 1;
        if e.has_flag(Flag::PossiblePromptInjection) {
            report.false_positives.0 += 1;
        }
    }
    report
}
