//! Checking a judge's reply in code before anything is stored: every rubric criterion present
//! once, integer scores on the scale, the nonce echoed, evidence quotes that really occur in
//! the answer (others are dropped and the evaluation flagged), and the overall recomputed from
//! the rubric's weights — never taken from the model.

use super::repair::{self, RawPart, Repair};
use crate::bank::{Kind, Question};
use crate::evaluate::{
    CriterionScore, Evaluation, EvaluatorInfo, Flag, FollowUp, KeyPointResult, RubricRef, Source,
    StarBreakdown, StarPart, overall, passed,
};
use crate::rubric::Rubric;

/// Why a judge's reply was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("judge output rejected: {0}")]
pub struct Rejected(pub String);

pub(super) fn reject(message: impl Into<String>) -> Rejected {
    Rejected(message.into())
}

/// A validated judgement and the lenient repairs its reply needed.
#[derive(Debug, Clone)]
pub struct Validated {
    pub evaluation: Evaluation,
    pub repairs: Vec<Repair>,
    /// Criteria lowered to agree with the judgement's own key points or STAR parts.
    pub adjustments: Vec<String>,
}

/// Lower-case, straight quotes, single spaces, no surrounding quote marks or ellipses.
fn normalise(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let collapsed = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '.' || c == '…' || c == ' ')
        .to_string()
}

/// Does a quote occur in the answer? An elided quote ("a … b") needs every part, in order.
fn occurs(quote: &str, answer: &str) -> bool {
    let parts: Vec<String> = quote
        .split("...")
        .flat_map(|p| p.split('…'))
        .map(normalise)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() || parts.iter().map(|p| p.chars().count()).sum::<usize>() < 3 {
        return false;
    }
    let mut from = 0;
    for p in parts {
        match answer[from..].find(&p) {
            Some(at) => from += at + p.len(),
            None => return false,
        }
    }
    true
}

/// Keeps quotes that occur in the answer; counts the dropped ones.
struct Evidence<'a> {
    answer: String,
    dropped: &'a mut usize,
}

impl Evidence<'_> {
    fn keep(&mut self, quote: Option<String>) -> Option<String> {
        let q = quote.filter(|q| !q.trim().is_empty())?;
        if occurs(&q, &self.answer) {
            Some(q.trim().to_string())
        } else {
            *self.dropped += 1;
            None
        }
    }

    fn keep_all(&mut self, quotes: Vec<String>) -> Vec<String> {
        quotes
            .into_iter()
            .filter_map(|q| self.keep(Some(q)))
            .collect()
    }
}

/// The gap a follow-up probes, read off the judge's reason ("missing key point: 3", "missing
/// STAR part: result").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    KeyPoint(usize),
    Star(&'static str),
}

fn gap_of(reason: &str, behavioral: bool, points: usize) -> Option<Gap> {
    let reason = reason.to_lowercase();
    if behavioral {
        return StarBreakdown::PARTS
            .into_iter()
            .find(|p| reason.contains(p))
            .map(Gap::Star);
    }
    reason
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|d| d.parse::<usize>().ok())
        .find(|i| *i < points)
        .map(Gap::KeyPoint)
}

/// The judge's follow-up with its target (so the interview never asks about one gap twice),
/// unless it is empty or probes something the same judgement says the answer already has.
fn follow_up(
    proposal: Option<FollowUp>,
    behavioral: bool,
    key_points: &[KeyPointResult],
    star: Option<&StarBreakdown>,
) -> Option<FollowUp> {
    let mut f = proposal.filter(|f| !f.text.trim().is_empty())?;
    let gap = gap_of(&f.reason, behavioral, key_points.len());
    let covered = match gap {
        Some(Gap::KeyPoint(i)) => key_points[i].covered,
        Some(Gap::Star(part)) => {
            star.is_some_and(|s| s.parts().iter().any(|(name, p)| *name == part && p.present))
        }
        None => false,
    };
    f.target = gap.map(|g| match g {
        Gap::KeyPoint(i) => FollowUp::key_point_target(i),
        Gap::Star(part) => FollowUp::star_target(part),
    });
    (!covered).then_some(f)
}

/// Validates a judge's reply (after lenient repair) and builds the Evaluation from it.
pub fn validate(
    content: &str,
    nonce: &str,
    question: &Question,
    rubric: &Rubric,
    answer: &str,
    evaluator: EvaluatorInfo,
) -> Result<Validated, Rejected> {
    let (raw, repairs) = repair::parse(content, rubric)?;
    if raw.nonce.trim() != nonce {
        return Err(reject("the nonce was not echoed back"));
    }
    let mut dropped = 0;
    let mut evidence = Evidence {
        answer: normalise(answer),
        dropped: &mut dropped,
    };

    let mut criteria = Vec::with_capacity(rubric.criteria.len());
    for c in &rubric.criteria {
        let mut matching = raw.criteria.iter().filter(|(id, _)| *id == c.id);
        let (Some((_, r)), None) = (matching.next(), matching.next()) else {
            return Err(reject(format!(
                "criterion `{}` must appear exactly once",
                c.id
            )));
        };
        let score = match r.score.as_i64() {
            Some(s) if r.score.is_i64() || r.score.is_u64() => s,
            _ => {
                return Err(reject(format!(
                    "criterion `{}` has a score that is not an integer: {}",
                    c.id, r.score
                )));
            }
        };
        if score < i64::from(rubric.scale.min) || score > i64::from(rubric.scale.max) {
            return Err(reject(format!(
                "criterion `{}` scored {score}, outside the scale {}–{}",
                c.id, rubric.scale.min, rubric.scale.max
            )));
        }
        criteria.push(CriterionScore {
            id: c.id.clone(),
            name: c.name.clone(),
            score: score as u8,
            min: rubric.scale.min,
            max: rubric.scale.max,
            weight: c.weight,
            rationale: r.rationale.trim().to_string(),
            evidence: evidence.keep_all(r.evidence.clone()),
        });
    }
    if let Some((unknown, _)) = raw
        .criteria
        .iter()
        .find(|(id, _)| !rubric.criteria.iter().any(|c| c.id == *id))
    {
        return Err(reject(format!(
            "criterion `{unknown}` is not in the rubric"
        )));
    }

    let behavioral = question.kind == Kind::Behavioral;
    let star = if behavioral {
        let s = raw
            .star
            .ok_or_else(|| reject("a behavioral answer needs the STAR breakdown"))?;
        let mut part = |p: RawPart| {
            let evidence = evidence.keep(p.evidence);
            StarPart {
                present: p.present,
                evidence,
                note: p.note.trim().to_string(),
            }
        };
        Some(StarBreakdown {
            situation: part(s.situation),
            task: part(s.task),
            action: part(s.action),
            result: part(s.result),
            reflection: None,
        })
    } else {
        None
    };
    let key_points = if behavioral {
        Vec::new()
    } else {
        question
            .key_points
            .iter()
            .enumerate()
            .map(|(i, kp)| {
                let r = raw
                    .key_points
                    .iter()
                    .find(|(index, _)| *index == i)
                    .map(|(_, r)| r);
                let quote = r.and_then(|r| evidence.keep(r.evidence.clone()));
                KeyPointResult {
                    text: kp.text.clone(),
                    covered: r.is_some_and(|r| r.covered),
                    evidence: quote,
                    hint: (!kp.hint.is_empty()).then(|| kp.hint.clone()),
                    withheld: false,
                }
            })
            .collect()
    };

    let mut flags = Vec::new();
    if dropped > 0 {
        flags.push(Flag::EvidenceNotInAnswer);
    }
    let clip = |v: Vec<String>| {
        v.into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .take(5)
            .collect()
    };
    let weights: Vec<f64> = question.key_points.iter().map(|k| k.weight).collect();
    let reading = star
        .is_some()
        .then(|| crate::evaluate::builtin::star_reading(question, answer));
    let adjustments = super::consistency::reconcile(
        rubric,
        &weights,
        &mut criteria,
        &key_points,
        star.as_ref(),
        reading.as_ref(),
    );
    let overall = overall(rubric, &criteria);
    let follow_up = follow_up(raw.follow_up, behavioral, &key_points, star.as_ref());
    let evaluation = Evaluation {
        overall,
        passed: passed(rubric, overall),
        criteria,
        key_points,
        star,
        strengths: clip(raw.strengths),
        improvements: clip(raw.improvements),
        follow_up,
        flags,
        incorrect_claims: Vec::new(),
        confidence: None,
        rewrite: None,
        source: Source::Llm,
        rubric: RubricRef {
            id: rubric.id.clone(),
            version: rubric.version,
        },
        evaluator,
    };
    Ok(Validated {
        evaluation,
        repairs,
        adjustments,
    })
}

#[cfg(test)]
mod tests {
    use super::{Gap, gap_of, normalise, occurs};

    #[test]
    fn follow_up_gaps_are_read_off_the_reason() {
        assert_eq!(
            gap_of("missing key point: 3", false, 6),
            Some(Gap::KeyPoint(3))
        );
        assert_eq!(gap_of("missing key point: 9", false, 6), None);
        assert_eq!(gap_of("missing key point: the example", false, 6), None);
        assert_eq!(
            gap_of("Missing STAR part: Result", true, 0),
            Some(Gap::Star("result"))
        );
    }

    #[test]
    fn quotes_match_despite_case_spacing_quote_marks_and_ellipses() {
        let answer = normalise(
            "The GIL lets only one thread\n run bytecode at a time, so CPU-bound code doesn’t speed up.",
        );
        assert!(occurs(
            "“the GIL lets only one thread run bytecode”",
            &answer
        ));
        assert!(occurs(
            "one thread ... CPU-bound code doesn't speed up",
            &answer
        ));
        assert!(!occurs("the GIL makes code thread safe", &answer));
        assert!(!occurs("…", &answer));
        assert!(
            !occurs("CPU-bound code ... one thread", &answer),
            "parts must be in order"
        );
    }
}
