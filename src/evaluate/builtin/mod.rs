//! The built-in evaluator: deterministic, offline grading against a rubric. It is the default
//! evaluator and the fallback whenever an LLM judge is unavailable.

mod advice;
mod analysis;
mod coverage;
pub mod guard;
mod signals;
mod star;

use crate::bank::{Kind, Question};
use crate::evaluate::{
    CriterionScore, Evaluation, EvaluatorInfo, Flag, RubricRef, Source, overall, passed,
};
use crate::rubric::{Criterion, Rubric, Signal};
use signals::Measure;

/// Name recorded in every evaluation this evaluator produces.
pub const NAME: &str = "rehearse-builtin";
/// Bumped whenever scoring changes, so stored evaluations say which rules graded them.
pub const VERSION: &str = "1.0";

/// Grades `answer` to `question` against `rubric`. Pure: no I/O, same input → same output.
pub fn evaluate(question: &Question, rubric: &Rubric, answer: &str) -> Evaluation {
    let injection = guard::scan(answer);
    let analysis = analysis::analyse(answer, question);
    let coverage = coverage::measure(question, &analysis);
    let star = star::detect(&analysis.sentences);
    let behavioral = question.kind == Kind::Behavioral;

    let mut flags = analysis.flags.clone();
    let any_star = star.breakdown.parts().iter().any(|(_, p)| p.present);
    let relevant = if behavioral {
        any_star
    } else {
        coverage.covered() > 0
    };
    if !relevant
        && !analysis.sentences.is_empty()
        && analysis::vocabulary_overlap(&analysis, question) < 0.1
    {
        flags.push(Flag::OffTopic);
    }
    if injection.is_some() {
        flags.push(Flag::PossiblePromptInjection);
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

    let measure = |c: &Criterion| -> Measure {
        let cov = coverage.fraction;
        match c.signal {
            Signal::KeyPoints => Measure {
                value: cov,
                rationale: format!(
                    "Covered {} of {} key points ({:.0}% by weight).",
                    coverage.covered(),
                    coverage.points.len(),
                    cov * 100.0
                ),
                evidence: coverage
                    .points
                    .iter()
                    .filter_map(|p| p.evidence.clone())
                    .take(3)
                    .collect(),
            },
            Signal::Depth => signals::depth(&analysis, cov),
            Signal::Examples => signals::examples(&analysis, cov),
            Signal::Tradeoffs => signals::tradeoffs(&analysis, cov),
            Signal::Process => signals::process(&analysis, cov),
            Signal::Clarity => signals::clarity(&analysis, cov, keyword_list, repetitive),
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
    } else if behavioral {
        advice::star_follow_up(&star.breakdown, question.star.as_ref())
    } else {
        advice::key_point_follow_up(question, &coverage)
    };
    let cov_for_advice = (!behavioral && !nothing_earned).then_some(&coverage);
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
        key_points: if behavioral {
            Vec::new()
        } else {
            coverage.points
        },
        star: behavioral.then_some(star.breakdown),
        follow_up,
        flags,
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
