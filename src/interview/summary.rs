//! The end-of-interview summary.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::bank::Topic;
use crate::evaluate::{Evaluation, IncorrectClaim, KeyPointResult};

/// One stored turn as the summary sees it.
pub struct SummaryTurn<'a> {
    pub turn: i64,
    pub question_id: &'a str,
    pub topic: Topic,
    pub is_follow_up: bool,
    pub parent_turn: Option<i64>,
    pub skipped: bool,
    pub answered: bool,
    pub evaluation: Option<&'a Evaluation>,
    /// The question as asked.
    pub question: &'a str,
    /// The bank's model answer for the question (empty when it left the bank).
    pub model_answer: &'a str,
}

/// One main question reviewed once the interview is over: what the answer covered, what it got
/// wrong, and a model answer to learn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuestionReview {
    pub turn: i64,
    pub question_id: String,
    pub question: String,
    pub overall: Option<u8>,
    pub skipped: bool,
    pub key_points: Vec<KeyPointResult>,
    pub incorrect_claims: Vec<IncorrectClaim>,
    /// STAR parts a behavioral answer left out (`situation`, `task`, `action`, `result`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub star_missing: Vec<String>,
    pub model_answer: String,
}

/// Score for one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicScore {
    pub topic: Topic,
    pub overall: u8,
}

/// One turn in the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnScore {
    pub turn: i64,
    pub question_id: String,
    pub topic: Topic,
    pub overall: Option<u8>,
    pub skipped: bool,
    pub follow_up: bool,
}

/// How the interview went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub overall: u8,
    pub passed: bool,
    pub by_topic: Vec<TopicScore>,
    pub strengths: Vec<String>,
    pub focus_areas: Vec<String>,
    /// Subjects worth studying next (topics below the pass mark, or an LLM's suggestions).
    #[serde(default)]
    pub topics_to_review: Vec<String>,
    pub turns: Vec<TurnScore>,
    /// Each main question with its key points, wrong claims and model answer.
    #[serde(default)]
    pub review: Vec<QuestionReview>,
    /// The score `passed` compares with.
    #[serde(default)]
    pub pass_mark: u8,
    /// Main questions the plan held.
    #[serde(default)]
    pub planned: usize,
    /// The interview ended before every planned question was asked (or answered).
    #[serde(default)]
    pub ended_early: bool,
    /// Main questions answered or skipped by the candidate (not the one open when they ended).
    #[serde(default)]
    pub reached: usize,
    /// Chosen topics no question was asked from (when it ended early).
    #[serde(default)]
    pub topics_not_reached: Vec<Topic>,
}

impl Summary {
    /// The summary a session stored when it finished (`None` while unfinished, or unreadable).
    pub fn stored(value: Option<&serde_json::Value>) -> Option<Summary> {
        value.and_then(|v| Summary::deserialize(v).ok())
    }
}

/// What a summary is measured against: the pass mark, and the plan's size and topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub pass_mark: u8,
    pub planned: usize,
    pub topics: Vec<Topic>,
    /// The candidate ended the interview with a question still open.
    pub cut_short: bool,
}

/// Summarises the turns. Each main question scores its latest evaluation in its chain (follow-up
/// answers are graded together with the main answer) — unless a reviewer reviewed any turn of
/// the question: then the review of the latest reviewed turn is the question's score, whether it
/// was the main answer or a follow-up. A skipped or unanswered question scores 0.
/// `overall` is the mean over the questions asked; `passed` compares it with the pass mark.
/// Strengths and focus areas are listed once each, however many questions share one.
pub fn summarize(turns: &[SummaryTurn], scope: &Scope) -> Summary {
    let pass_mark = scope.pass_mark;
    struct Main<'a> {
        turn: i64,
        topic: Topic,
        question_id: &'a str,
        question: &'a str,
        model_answer: &'a str,
        score: u8,
        evaluation: Option<&'a Evaluation>,
        /// The review of the question's latest reviewed turn.
        reviewed: Option<&'a Evaluation>,
        skipped: bool,
    }
    let mut mains: Vec<Main> = Vec::new();
    let mut index: BTreeMap<i64, usize> = BTreeMap::new();
    for t in turns {
        let root = t.parent_turn.unwrap_or(t.turn);
        let i = *index.entry(root).or_insert_with(|| {
            mains.push(Main {
                turn: root,
                topic: t.topic,
                question_id: t.question_id,
                question: t.question,
                model_answer: t.model_answer,
                score: 0,
                evaluation: None,
                reviewed: None,
                skipped: false,
            });
            mains.len() - 1
        });
        if !t.is_follow_up {
            mains[i].skipped = t.skipped;
        }
        if let Some(e) = t.evaluation {
            if e.source == crate::evaluate::Source::Human {
                mains[i].reviewed = Some(e);
            }
            mains[i].score = e.overall;
            mains[i].evaluation = Some(e);
        }
    }
    for m in &mut mains {
        if let Some(r) = m.reviewed {
            m.score = r.overall;
            m.evaluation = Some(r);
        }
    }
    let mean = |scores: &[u8]| -> u8 {
        if scores.is_empty() {
            0
        } else {
            (scores.iter().map(|&s| f64::from(s)).sum::<f64>() / scores.len() as f64).round() as u8
        }
    };
    let overall = mean(&mains.iter().map(|m| m.score).collect::<Vec<_>>());
    let mut per_topic: BTreeMap<Topic, Vec<u8>> = BTreeMap::new();
    for m in &mains {
        per_topic.entry(m.topic).or_default().push(m.score);
    }
    let mut strengths = Vec::new();
    let mut focus_areas = Vec::new();
    for m in &mains {
        let title = m.topic.title();
        match m.evaluation {
            _ if m.skipped => {
                focus_areas.push(format!("{title}: skipped a question ({})", m.question_id))
            }
            None => focus_areas.push(format!(
                "{title}: a question was left unanswered ({})",
                m.question_id
            )),
            Some(e) if e.passed => {
                if let Some(s) = e.strengths.first() {
                    strengths.push(format!("{title}: {s}"));
                }
            }
            Some(e) => focus_areas.push(match e.improvements.first() {
                Some(i) => format!("{title}: {i}"),
                None => format!("{title}: review {}", m.question_id),
            }),
        }
    }
    dedup_in_order(&mut strengths);
    dedup_in_order(&mut focus_areas);
    strengths.truncate(5);
    focus_areas.truncate(5);
    let ended_early = scope.cut_short || mains.len() < scope.planned;
    let topics_not_reached: Vec<Topic> = if ended_early {
        scope
            .topics
            .iter()
            .copied()
            .filter(|t| !per_topic.contains_key(t))
            .collect()
    } else {
        Vec::new()
    };
    let by_topic: Vec<TopicScore> = per_topic
        .into_iter()
        .map(|(topic, s)| TopicScore {
            topic,
            overall: mean(&s),
        })
        .collect();
    let topics_to_review = by_topic
        .iter()
        .filter(|t| t.overall < pass_mark)
        .map(|t| t.topic.title().to_string())
        .collect();
    let review = mains
        .iter()
        .map(|m| QuestionReview {
            turn: m.turn,
            question_id: m.question_id.to_string(),
            question: m.question.to_string(),
            overall: m.evaluation.map(|e| e.overall),
            skipped: m.skipped || m.evaluation.is_none(),
            key_points: m
                .evaluation
                .map(|e| e.key_points.clone())
                .unwrap_or_default(),
            incorrect_claims: m
                .evaluation
                .map(|e| e.incorrect_claims.clone())
                .unwrap_or_default(),
            star_missing: m
                .evaluation
                .and_then(|e| e.star.as_ref())
                .map(|star| {
                    star.parts()
                        .into_iter()
                        .filter(|(_, part)| !part.present)
                        .map(|(name, _)| name.to_string())
                        .collect()
                })
                .unwrap_or_default(),
            model_answer: m.model_answer.to_string(),
        })
        .collect();
    Summary {
        overall,
        pass_mark,
        planned: scope.planned,
        ended_early,
        // The question open when the candidate ended counts as reached only if it was answered.
        reached: mains.len()
            - usize::from(scope.cut_short && mains.last().is_some_and(|m| m.evaluation.is_none())),
        topics_not_reached,
        passed: !mains.is_empty() && overall >= pass_mark,
        review,
        by_topic,
        strengths,
        focus_areas,
        topics_to_review,
        turns: turns
            .iter()
            .map(|t| TurnScore {
                turn: t.turn,
                question_id: t.question_id.to_string(),
                topic: t.topic,
                overall: t.evaluation.map(|e| e.overall),
                skipped: t.skipped || !t.answered,
                follow_up: t.is_follow_up,
            })
            .collect(),
    }
}

/// Drops repeated entries, keeping each one's first place.
fn dedup_in_order(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|s| seen.insert(s.clone()));
}
