//! The candidate's printable report: one self-contained HTML document (styles inline, print
//! CSS) with every question, answer, score card, STAR breakdown, model answer and the summary.

use serde::Serialize;

use super::format::{self, datetime};
use crate::evaluate::Evaluation;
use crate::interview::Summary;
use crate::staff::{SessionDetail, TurnDetail};

#[derive(Debug, Serialize)]
pub struct ReportView {
    pub session_id: String,
    pub candidate: Option<String>,
    pub started: String,
    pub finished: Option<String>,
    pub topics: String,
    pub level: String,
    pub overall: Option<i64>,
    /// True when `overall` is known (a score of 0 is still shown).
    pub scored: bool,
    pub passed: Option<bool>,
    pub ended_early: bool,
    pub answered: usize,
    pub planned: i64,
    pub summary: Option<SummaryView>,
    pub questions: Vec<QuestionView>,
}

#[derive(Debug, Serialize)]
pub struct SummaryView {
    pub strengths: Vec<String>,
    pub focus_areas: Vec<String>,
    pub topics_to_review: Vec<String>,
    pub by_topic: Vec<(String, u8)>,
}

#[derive(Debug, Serialize)]
pub struct QuestionView {
    pub number: usize,
    pub topic: String,
    pub turns: Vec<TurnView>,
    pub model_answer: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TurnView {
    pub follow_up: bool,
    pub question: String,
    pub answer: Option<String>,
    pub skipped: bool,
    pub card: Option<CardView>,
}

#[derive(Debug, Serialize)]
pub struct CardView {
    pub overall: u8,
    pub passed: bool,
    pub criteria: Vec<CriterionView>,
    pub key_points: Vec<(String, bool)>,
    pub star: Vec<StarView>,
    pub incorrect_claims: Vec<(String, String)>,
    pub strengths: Vec<String>,
    pub improvements: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CriterionView {
    pub name: String,
    pub score: u8,
    pub max: u8,
    pub rationale: String,
}

#[derive(Debug, Serialize)]
pub struct StarView {
    pub part: &'static str,
    pub present: bool,
    pub evidence: Option<String>,
    pub note: String,
}

fn card(e: &Evaluation) -> CardView {
    CardView {
        overall: e.overall,
        passed: e.passed,
        criteria: e
            .criteria
            .iter()
            .map(|c| CriterionView {
                name: c.name.clone(),
                score: c.score,
                max: c.max,
                rationale: c.rationale.clone(),
            })
            .collect(),
        key_points: e
            .key_points
            .iter()
            .map(|k| (k.text.clone(), k.covered))
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
        incorrect_claims: e
            .incorrect_claims
            .iter()
            .map(|c| (c.claim.clone(), c.correction.clone()))
            .collect(),
        strengths: e.strengths.clone(),
        improvements: e.improvements.clone(),
    }
}

fn turn_view(t: &TurnDetail) -> TurnView {
    TurnView {
        follow_up: t.follow_up,
        question: t.question_text.clone(),
        answer: t.answer.clone(),
        skipped: t.skipped,
        card: t.current().map(|e| card(&e.evaluation)),
    }
}

/// The report of `detail`, as the reader may see it (the detail is already filtered for them).
pub fn report(detail: &SessionDetail) -> ReportView {
    let s = &detail.session;
    let summary = Summary::stored(s.summary.as_ref());
    let mut questions: Vec<QuestionView> = Vec::new();
    for t in &detail.turns {
        if t.follow_up
            && let Some(q) = questions.last_mut()
        {
            q.turns.push(turn_view(t));
            continue;
        }
        questions.push(QuestionView {
            number: questions.len() + 1,
            topic: format::topic_title(&t.topic),
            turns: vec![turn_view(t)],
            model_answer: t.model_answer.clone(),
        });
    }
    let answered = summary.as_ref().map_or(questions.len(), |m| m.reached);
    ReportView {
        session_id: s.id.clone(),
        candidate: s.candidate_name.clone(),
        started: datetime(s.created_at),
        finished: s.finished_at.map(datetime),
        topics: format::topic_titles(&s.topics),
        level: s.level.to_string(),
        overall: s.overall,
        scored: s.overall.is_some(),
        passed: summary.as_ref().map(|m| m.passed),
        ended_early: summary.as_ref().is_some_and(|m| m.ended_early),
        answered,
        planned: s.question_count,
        summary: summary.map(|m| SummaryView {
            strengths: m.strengths,
            focus_areas: m.focus_areas,
            topics_to_review: m.topics_to_review,
            by_topic: m
                .by_topic
                .iter()
                .map(|t| (t.topic.title().to_string(), t.overall))
                .collect(),
        }),
        questions,
    }
}
