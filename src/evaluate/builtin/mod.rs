//! The built-in evaluator: deterministic, offline grading against a rubric. It is the default
//! evaluator and the fallback whenever an LLM judge is unavailable.
//!
//! It reads keywords and structure, not meaning, and says so: every evaluation carries a
//! `confidence` from how much of the answer it could read. Within that limit it does not reward
//! wrong claims (authored misconceptions, or a key point stated the other way round), keyword
//! lists, or text addressed to the grader.

mod advice;
mod analysis;
pub mod coverage;
pub mod guard;
mod signals;
mod star;
mod star_cues;

use crate::bank::{Kind, Question};
use crate::evaluate::{
    Confidence, CriterionScore, Evaluation, EvaluatorInfo, Flag, RubricRef, Source, overall, passed,
};
use crate::rubric::{Criterion, Rubric, Signal};
use signals::Measure;

/// Name recorded in every evaluation this evaluator produces.
pub const NAME: &str = "rehearse-builtin";
/// Bumped whenever scoring changes, so stored evaluations say which rules graded them.
pub const VERSION: &str = "2.1";

/// Nearly every point, stated correctly, is full marks: an interviewer does not hold back the
/// top score for the last minor point.
const COVERAGE_SCALE: f64 = 1.1;
/// Most a keyword list can earn on the key-point criterion, as a share of the scale.
const KEYWORD_LIST_CREDIT: f64 = 0.25;
/// Accuracy lost for each wrong claim stated with confidence, as a share of the scale: an
/// interviewer hears a confident mistake about the point as worse than leaving the point out.
const WRONG_CLAIM_PENALTY: f64 = 0.5;
/// The share of accuracy one wrong claim costs when the candidate hedged it ("I think …").
const HEDGED_CLAIM_PENALTY: f64 = 0.2;

/// What the interview already knows about this question: the follow-ups asked so far (by
/// target), so a follow-up never probes the same gap twice.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub asked: &'a [String],
}

/// Grades `answer` to `question` against `rubric`. Pure: no I/O, same input → same output.
pub fn evaluate(question: &Question, rubric: &Rubric, answer: &str) -> Evaluation {
    evaluate_in(question, rubric, answer, Context::default())
}

/// [`evaluate`], knowing which follow-ups the interview has already asked.
pub fn evaluate_in(
    question: &Question,
    rubric: &Rubric,
    answer: &str,
    context: Context<'_>,
) -> Evaluation {
    let text = crate::text::normalize(answer);
    let injection = !guard::inspect_normalized(&text).is_empty();
    let analysis = analysis::analyse(&text, question);
    let coverage = coverage::measure(question, &analysis);
    let behavioral = question.kind == Kind::Behavioral;
    let reads_stories = behavioral
        || rubric.criteria.iter().any(|c| {
            matches!(
                c.signal,
                Signal::Situation
                    | Signal::Task
                    | Signal::Action
                    | Signal::Result
                    | Signal::Ownership
            )
        });
    let star = if reads_stories {
        star::detect(&analysis.sentences)
    } else {
        star::Star::none()
    };

    let mut flags = analysis.flags.clone();
    let any_star = star.breakdown.parts().iter().any(|(_, p)| p.present);
    let relevant =
        coverage.covered() > 0 || !coverage.incorrect.is_empty() || (behavioral && any_star);
    if !relevant
        && !analysis.sentences.is_empty()
        && analysis::vocabulary_overlap(&analysis, question) < 0.1
    {
        flags.push(Flag::OffTopic);
    }
    if injection {
        flags.push(Flag::PossiblePromptInjection);
    }
    if !coverage.incorrect.is_empty() {
        flags.push(Flag::IncorrectClaim);
    }
    flags.sort();
    flags.dedup();

    let nothing_earned = [
        Flag::PossiblePromptInjection,
        Flag::OffTopic,
        Flag::CopiedQuestion,
    ]
    .iter()
    .any(|f| flags.contains(f));
    let too_short = flags.contains(&Flag::TooShort);
    let keyword_list = flags.contains(&Flag::KeywordStuffing);
    let repetitive = flags.contains(&Flag::Repetitive);
    let hedged = coverage.hedged as f64;
    let confident = coverage.incorrect.len() as f64 - hedged;
    // Wrong claims cost accuracy, a confident one more than one the candidate was unsure of, and
    // what is explained around them is worth less.
    let accuracy = (coverage.fraction * COVERAGE_SCALE
        - WRONG_CLAIM_PENALTY * confident
        - HEDGED_CLAIM_PENALTY * hedged)
        .clamp(0.0, 1.0);

    // What style is measured against: the points made, or for a story how complete it is.
    let star_mean = (star.situation + star.task + star.action + star.result) / 4.0;
    let substance = if behavioral {
        accuracy.max(star_mean)
    } else {
        accuracy
    };
    let measure = |c: &Criterion| -> Measure {
        match c.signal {
            Signal::KeyPoints => Measure {
                value: accuracy,
                rationale: key_point_rationale(&coverage),
                evidence: coverage
                    .points
                    .iter()
                    .filter_map(|p| p.evidence.clone())
                    .take(3)
                    .collect(),
            },
            Signal::Depth => signals::depth(&analysis, substance),
            Signal::Examples => signals::examples(&analysis, substance),
            Signal::Tradeoffs => signals::tradeoffs(&analysis, substance),
            Signal::Process => signals::process(&analysis, substance),
            Signal::Clarity => signals::clarity(&analysis, substance, keyword_list, repetitive),
            Signal::Ownership => {
                signals::ownership(&star.own_actions, star.team_actions, star.measurable_result)
            }
            Signal::Situation => star_measure(star.situation, &star.breakdown.situation),
            Signal::Task => star_measure(star.task, &star.breakdown.task),
            Signal::Action => star_measure(star.action, &star.breakdown.action),
            Signal::Result => star_measure(star.result, &star.breakdown.result),
        }
    };

    let criteria: Vec<CriterionScore> = rubric
        .criteria
        .iter()
        .map(|c| {
            let m = measure(c);
            let (value, rationale, evidence) = if nothing_earned {
                (0.0, not_scored_reason(&flags).to_string(), Vec::new())
            } else if keyword_list {
                // Terms in a list show recognition, not understanding: a little credit for the
                // points named, none for reasoning or style.
                let cap = if c.signal == Signal::KeyPoints {
                    KEYWORD_LIST_CREDIT
                } else {
                    0.0
                };
                (m.value.min(cap), m.rationale, m.evidence)
            } else if too_short && !matches!(c.signal, Signal::KeyPoints) {
                (
                    m.value.min(0.25),
                    format!("{} (answer is very short)", m.rationale),
                    m.evidence,
                )
            } else {
                (m.value, m.rationale, m.evidence)
            };
            CriterionScore {
                id: c.id.clone(),
                name: c.name.clone(),
                score: rubric.scale.score_for(value),
                min: rubric.scale.min,
                max: rubric.scale.max,
                weight: c.weight,
                rationale,
                evidence,
            }
        })
        .collect();

    let overall = overall(rubric, &criteria);
    let follow_up = if nothing_earned {
        None
    } else {
        let star_gap = behavioral
            .then(|| advice::star_follow_up(&star.breakdown, question.star.as_ref(), context.asked))
            .flatten();
        star_gap.or_else(|| advice::key_point_follow_up(question, &coverage, context.asked))
    };
    let cov_for_advice = (!nothing_earned).then_some(&coverage);
    Evaluation {
        overall,
        passed: passed(rubric, overall),
        strengths: if nothing_earned {
            Vec::new()
        } else {
            advice::strengths(&criteria, cov_for_advice, question)
        },
        // When nothing was earned, the flag says why; per-criterion "not scored" lines add nothing.
        improvements: advice::improvements(
            if nothing_earned { &[] } else { &criteria },
            cov_for_advice,
            question,
            &flags,
        ),
        criteria,
        key_points: coverage.points.clone(),
        star: behavioral.then_some(star.breakdown.clone()),
        follow_up,
        flags,
        confidence: Some(confidence(
            &analysis,
            &coverage,
            behavioral,
            &star.breakdown,
        )),
        rewrite: None,
        incorrect_claims: coverage.incorrect,
        source: Source::Builtin,
        rubric: RubricRef {
            id: rubric.id.clone(),
            version: rubric.version,
        },
        evaluator: EvaluatorInfo {
            name: NAME.into(),
            version: VERSION.into(),
        },
    }
}

/// How the built-in reader sees a story's STAR parts: the judge's STAR verdicts are checked
/// against it.
pub fn star_reading(question: &Question, answer: &str) -> crate::evaluate::StarBreakdown {
    let text = crate::text::normalize(answer);
    star::detect(&analysis::analyse(&text, question).sentences).breakdown
}

fn key_point_rationale(coverage: &coverage::Coverage) -> String {
    let mut out = format!(
        "Covered {} of {} key points ({:.0}% by weight).",
        coverage.covered(),
        coverage.points.len(),
        coverage.fraction * 100.0
    );
    match coverage.incorrect.len() {
        0 => {}
        1 => out.push_str(" One statement is wrong, which costs accuracy."),
        n => out.push_str(&format!(" {n} statements are wrong, which costs accuracy.")),
    }
    out
}

/// How much of the answer the keyword-and-structure reading could follow.
fn confidence(
    analysis: &analysis::Analysis,
    coverage: &coverage::Coverage,
    behavioral: bool,
    star: &crate::evaluate::StarBreakdown,
) -> Confidence {
    let substantial = analysis.substantial().max(1);
    let read = coverage.read_sentences as f64 / substantial as f64;
    let parts = star.parts().iter().filter(|(_, p)| p.present).count();
    let signals = if behavioral {
        parts + coverage.covered().min(2)
    } else {
        coverage.covered() + coverage.incorrect.len()
    };
    if analysis.flags.contains(&Flag::KeywordStuffing) && signals > 0 {
        return Confidence::High;
    }
    match (behavioral, read, signals) {
        (true, _, s) if s >= 4 => Confidence::High,
        (true, _, s) if s >= 2 => Confidence::Medium,
        (false, r, s) if r >= 0.5 && s >= 3 => Confidence::High,
        (false, r, s) if r >= 0.25 || s >= 2 => Confidence::Medium,
        _ => Confidence::Low,
    }
}

fn star_measure(value: f64, part: &crate::evaluate::StarPart) -> Measure {
    Measure {
        value,
        rationale: part.note.clone(),
        evidence: part.evidence.iter().cloned().collect(),
    }
}

fn not_scored_reason(flags: &[Flag]) -> &'static str {
    if flags.contains(&Flag::PossiblePromptInjection) {
        "Not scored: the answer contains instructions aimed at the grader."
    } else if flags.contains(&Flag::CopiedQuestion) {
        "Not scored: the answer restates the question."
    } else {
        "Not scored: the answer does not address this question."
    }
}
