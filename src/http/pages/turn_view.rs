//! One turn of a transcript as the page shows it: the answer with its evidence marked, the
//! current evaluation and the audit trail.

use serde::Serialize;

use super::format;
use super::highlight::{Segment, segments};
use super::review_form::{ReviewForm, Submitted, review_form};
use crate::evaluate::{Evaluation, Flag};
use crate::staff::{EvaluationView, TurnDetail};

#[derive(Serialize)]
pub struct TurnView {
    turn: i64,
    anchor: String,
    /// Which main question this is (or follows up on), 1-based.
    index: usize,
    follow_up: bool,
    topic: String,
    kind: String,
    level: String,
    question: String,
    asked: String,
    answered: bool,
    skipped: bool,
    segments: Vec<Segment>,
    duration: Option<String>,
    injection: bool,
    current: Option<EvalView>,
    trail: Vec<TrailEntry>,
    review: Option<ReviewForm>,
    model_answer: Option<String>,
    /// Admins: make the reviewed answer a calibration example (`templates/promote_example.hbs`).
    promote: Option<super::promote::Offer>,
    /// On a main question's first turn: what the question counts for in the overall.
    pub question_score: Option<QuestionScore>,
}

/// A main question's score as it counts in the overall.
#[derive(Serialize, Clone, Copy)]
pub struct QuestionScore {
    pub score: u8,
    /// A reviewer's review decides it.
    pub reviewed: bool,
    /// The turn whose evaluation it is.
    pub from_turn: i64,
}

#[derive(Serialize)]
struct EvalView {
    overall: u8,
    passed: bool,
    source: &'static str,
    rubric: String,
    criteria: Vec<CriterionView>,
    key_points: Vec<KeyPointView>,
    star: Vec<StarView>,
    flags: Vec<FlagView>,
    strengths: Vec<String>,
    improvements: Vec<String>,
    incorrect_claims: Vec<crate::evaluate::IncorrectClaim>,
    /// "low", "medium" or "high" for a built-in estimate.
    confidence: Option<&'static str>,
    reflection: Option<String>,
    /// The LLM's rewrite of the answer into a strong one, as the candidate saw it.
    rewrite: Option<String>,
    evaluator: String,
    model: Option<String>,
    prompt_hash: Option<String>,
    prompt_hash_short: Option<String>,
    latency: Option<String>,
    usage: Vec<Usage>,
    /// How the judgement was asked for: JSON mode, prompt profile and size.
    request: Option<String>,
    /// Lenient repairs the judge's reply needed, or `None` when it needed none.
    repairs: Option<String>,
    /// Criteria lowered to agree with the judgement's own verdicts.
    adjustments: Option<String>,
}

#[derive(Serialize)]
struct Usage {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct CriterionView {
    name: String,
    score: u8,
    max: u8,
    /// Bar length, 0–100 (score / max, as "4/5" reads).
    pct: u32,
    rationale: String,
}

#[derive(Serialize)]
struct KeyPointView {
    text: String,
    covered: bool,
    evidence: Option<String>,
}

#[derive(Serialize)]
struct StarView {
    part: &'static str,
    present: bool,
    evidence: Option<String>,
    note: String,
}

#[derive(Serialize)]
struct FlagView {
    id: &'static str,
    label: &'static str,
    severe: bool,
}

#[derive(Serialize)]
struct TrailEntry {
    n: usize,
    current: bool,
    when: String,
    source: &'static str,
    human: bool,
    overall: u8,
    passed: bool,
    rubric: String,
    scores: String,
    model: Option<String>,
    reviewer: Option<String>,
    comment: Option<String>,
}

/// Every quote the evaluation cites from the answer.
fn quotes(e: &Evaluation) -> Vec<&str> {
    let criteria = e
        .criteria
        .iter()
        .flat_map(|c| c.evidence.iter().map(String::as_str));
    let points = e.key_points.iter().filter_map(|k| k.evidence.as_deref());
    let star = e
        .star
        .iter()
        .flat_map(|s| s.parts())
        .filter_map(|(_, p)| p.evidence.as_deref());
    criteria.chain(points).chain(star).collect()
}

fn eval_view(v: &EvaluationView) -> EvalView {
    let e = &v.evaluation;
    let p = &v.provenance;
    let llm = p.llm.as_ref();
    EvalView {
        overall: e.overall,
        passed: e.passed,
        source: format::source(e.source),
        rubric: format!("{} v{}", e.rubric.id, e.rubric.version),
        criteria: e
            .criteria
            .iter()
            .map(|c| CriterionView {
                name: c.name.clone(),
                score: c.score,
                max: c.max,
                pct: if c.max == 0 {
                    0
                } else {
                    u32::from(c.score.min(c.max)) * 100 / u32::from(c.max)
                },
                rationale: c.rationale.clone(),
            })
            .collect(),
        key_points: e
            .key_points
            .iter()
            .map(|k| KeyPointView {
                text: k.text.clone(),
                covered: k.covered,
                evidence: k.evidence.clone(),
            })
            .collect(),
        star: e
            .star
            .iter()
            .flat_map(|s| s.parts())
            .map(|(part, p)| StarView {
                part,
                present: p.present,
                evidence: p.evidence.clone(),
                note: p.note.clone(),
            })
            .collect(),
        flags: e
            .flags
            .iter()
            .map(|&f| FlagView {
                id: f.as_str(),
                label: format::flag(f),
                severe: f == Flag::PossiblePromptInjection,
            })
            .collect(),
        strengths: e.strengths.clone(),
        improvements: e.improvements.clone(),
        incorrect_claims: e.incorrect_claims.clone(),
        confidence: e.confidence.map(|c| c.as_str()),
        reflection: e.star.as_ref().and_then(|s| s.reflection.clone()),
        rewrite: e.rewrite.clone(),
        evaluator: format!("{} {}", e.evaluator.name, e.evaluator.version),
        model: p.model.clone(),
        prompt_hash_short: p.prompt_hash.as_ref().map(|h| h.chars().take(12).collect()),
        prompt_hash: p.prompt_hash.clone(),
        latency: p.latency_ms.map(|ms| format!("{ms} ms")),
        request: llm.map(|d| {
            format!(
                "{}, {} prompt (~{} tokens){}",
                d.json_mode,
                d.prompt_profile,
                d.prompt_tokens_estimate,
                if d.truncated_retry {
                    ", asked again after a cut-off reply"
                } else {
                    ""
                }
            )
        }),
        repairs: llm
            .filter(|d| !d.repairs.is_empty())
            .map(|d| d.repairs.join(", ")),
        adjustments: llm
            .filter(|d| !d.adjustments.is_empty())
            .map(|d| d.adjustments.join("; ")),
        usage: match &p.usage {
            Some(serde_json::Value::Object(m)) => m
                .iter()
                .map(|(k, v)| Usage {
                    name: k.clone(),
                    value: v.to_string(),
                })
                .collect(),
            Some(other) => vec![Usage {
                name: "usage".into(),
                value: other.to_string(),
            }],
            None => Vec::new(),
        },
    }
}

fn trail_entry(n: usize, current: bool, v: &EvaluationView) -> TrailEntry {
    let e = &v.evaluation;
    TrailEntry {
        n,
        current,
        when: format::datetime(v.created_at),
        source: format::source(e.source),
        human: e.source == crate::evaluate::Source::Human,
        overall: e.overall,
        passed: e.passed,
        rubric: format!("{} v{}", e.rubric.id, e.rubric.version),
        scores: e
            .criteria
            .iter()
            .map(|c| format!("{} {}/{}", c.id, c.score, c.max))
            .collect::<Vec<_>>()
            .join(" · "),
        model: v.provenance.model.clone(),
        reviewer: v.provenance.reviewer.clone(),
        comment: v.provenance.comment.clone(),
    }
}

/// The view of one turn; `index` is its main question's number.
pub fn turn_view(
    session_id: &str,
    t: &TurnDetail,
    index: usize,
    kept: Option<&Submitted>,
    rubric: Option<std::sync::Arc<crate::rubric::Rubric>>,
) -> TurnView {
    let current = t.current();
    let answer = t.answer.as_deref().unwrap_or("");
    let marks = current.map(|c| quotes(&c.evaluation)).unwrap_or_default();
    let last = t.evaluations.len();
    TurnView {
        turn: t.turn,
        anchor: format!("turn-{}", t.turn),
        index,
        follow_up: t.follow_up,
        topic: format::topic_title(&t.topic),
        kind: t.kind.clone(),
        level: t.level.clone(),
        question: t.question_text.clone(),
        asked: format::datetime(t.asked_at),
        answered: t.answer.is_some(),
        skipped: t.skipped,
        segments: if t.answer.is_some() {
            segments(answer, marks)
        } else {
            Vec::new()
        },
        duration: t.answer_duration_ms.map(format::duration),
        injection: t.flags.contains(&Flag::PossiblePromptInjection),
        current: current.map(eval_view),
        trail: t
            .evaluations
            .iter()
            .enumerate()
            .map(|(i, v)| trail_entry(i + 1, i + 1 == last, v))
            .collect(),
        review: current
            .map(|c| review_form(session_id, &c.evaluation, t.turn, kept, rubric.as_deref())),
        model_answer: t.model_answer.clone(),
        promote: super::promote::offer(session_id, t),
        question_score: None,
    }
}
