//! What the history page shows: scores per topic over time, the key points and STAR parts
//! missed most often (each linked to its question), and what is due for review.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use super::schedule::{Card, Schedule};
use crate::bank::{Bank, Topic};
use crate::interview::Summary;
use crate::store::SessionRecord;

/// How many missed key points the page lists.
const MISSED_SHOWN: usize = 10;

/// A profile's progress.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub interviews: usize,
    pub finished: usize,
    /// One line per topic practised: its score in each finished interview, oldest first.
    pub trend: Vec<TopicTrend>,
    /// Key points missed most often, most first.
    pub missed_key_points: Vec<MissedPoint>,
    /// STAR parts behavioral answers left out, most first.
    pub missed_star_parts: Vec<MissedStar>,
    /// Questions due for review now, weakest first.
    pub due: Vec<Card>,
    /// How many questions sit in each Leitner box (index 0 is box 1).
    pub boxes: [usize; 5],
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TopicTrend {
    #[schema(value_type = String)]
    pub topic: Topic,
    pub title: String,
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub session_id: String,
    /// When the interview started (Unix ms).
    pub at: i64,
    pub overall: u8,
}

/// A question as the history page links it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QuestionLink {
    pub question_id: String,
    pub question: String,
    /// The history page's view of the question with its model answer.
    pub href: String,
}

impl QuestionLink {
    fn new(question_id: &str, question: &str) -> QuestionLink {
        QuestionLink {
            question_id: question_id.to_string(),
            question: question.to_string(),
            href: format!("/me/questions/{question_id}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MissedPoint {
    pub key_point: String,
    #[serde(flatten)]
    pub question: QuestionLink,
    /// Times the point was missed, out of `answered` graded answers to its question.
    pub missed: u32,
    pub answered: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MissedStar {
    /// `situation`, `task`, `action` or `result`.
    pub part: String,
    pub missed: u32,
    pub answered: u32,
    /// The questions where it was missed (latest first, at most three).
    pub questions: Vec<QuestionLink>,
}

/// Builds the progress of a profile from its sessions (oldest first) and schedule.
pub fn progress(
    sessions: &[SessionRecord],
    schedule: &Schedule,
    bank: &Bank,
    now: i64,
) -> Progress {
    let mut trend: BTreeMap<Topic, Vec<TrendPoint>> = BTreeMap::new();
    let mut points: HashMap<(String, String), MissedPoint> = HashMap::new();
    let mut answered: HashMap<String, u32> = HashMap::new();
    let mut star: BTreeMap<&'static str, MissedStar> = BTreeMap::new();
    let mut finished = 0;
    for s in sessions {
        let Some(summary) = Summary::stored(s.summary.as_ref()) else {
            continue;
        };
        finished += 1;
        for t in &summary.by_topic {
            trend.entry(t.topic).or_default().push(TrendPoint {
                session_id: s.id.clone(),
                at: s.created_at,
                overall: t.overall,
            });
        }
        for r in summary.review.iter().filter(|r| !r.skipped) {
            *answered.entry(r.question_id.clone()).or_default() += 1;
            for k in r.key_points.iter().filter(|k| !k.covered && !k.withheld) {
                points
                    .entry((r.question_id.clone(), k.text.clone()))
                    .or_insert_with(|| MissedPoint {
                        key_point: k.text.clone(),
                        question: QuestionLink::new(&r.question_id, &r.question),
                        missed: 0,
                        answered: 0,
                    })
                    .missed += 1;
            }
            let behavioral = bank
                .get(&r.question_id)
                .is_some_and(|q| q.kind == crate::bank::Kind::Behavioral);
            if behavioral {
                for part in ["situation", "task", "action", "result"] {
                    let entry = star.entry(part).or_insert_with(|| MissedStar {
                        part: part.to_string(),
                        missed: 0,
                        answered: 0,
                        questions: Vec::new(),
                    });
                    entry.answered += 1;
                    if r.star_missing.iter().any(|m| m == part) {
                        entry.missed += 1;
                        entry
                            .questions
                            .insert(0, QuestionLink::new(&r.question_id, &r.question));
                        entry.questions.truncate(3);
                    }
                }
            }
        }
    }
    let mut missed_key_points: Vec<MissedPoint> = points
        .into_values()
        .map(|mut m| {
            m.answered = answered
                .get(&m.question.question_id)
                .copied()
                .unwrap_or(m.missed);
            m
        })
        .collect();
    missed_key_points.sort_by(|a, b| {
        b.missed
            .cmp(&a.missed)
            .then_with(|| (a.answered).cmp(&b.answered))
            .then_with(|| a.question.question_id.cmp(&b.question.question_id))
            .then_with(|| a.key_point.cmp(&b.key_point))
    });
    missed_key_points.truncate(MISSED_SHOWN);
    let mut missed_star_parts: Vec<MissedStar> =
        star.into_values().filter(|s| s.missed > 0).collect();
    missed_star_parts.sort_by(|a, b| b.missed.cmp(&a.missed).then_with(|| a.part.cmp(&b.part)));
    let mut boxes = [0; 5];
    for c in schedule.cards.values() {
        boxes[usize::from(c.leitner_box.clamp(1, 5)) - 1] += 1;
    }
    Progress {
        interviews: sessions.len(),
        finished,
        trend: trend
            .into_iter()
            .map(|(topic, points)| TopicTrend {
                topic,
                title: topic.title().to_string(),
                points,
            })
            .collect(),
        missed_key_points,
        missed_star_parts,
        due: schedule.due(now).into_iter().cloned().collect(),
        boxes,
    }
}
