//! `GET /admin/sessions/{id}`: one transcript, with charts, the audit trail and review forms.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use std::collections::BTreeMap;

use super::chart::{self, Bar, Chart};
use super::format;
use super::review_form::Submitted;
use super::turn_view::{TurnView, turn_view};
use super::{PageError, Staff};
use crate::staff::{self, SessionDetail};

#[derive(Serialize)]
struct Header {
    id: String,
    candidate: Option<String>,
    email: Option<String>,
    topics: String,
    level: String,
    count: i64,
    status: &'static str,
    overall: Option<i64>,
    passed: Option<bool>,
    flagged: bool,
    invite_id: Option<String>,
    created_by: Option<String>,
    started: String,
    finished: Option<String>,
}

#[derive(Serialize)]
struct Exports {
    md: String,
    json: String,
    csv: String,
}

#[derive(Serialize)]
struct Transcript {
    session: Header,
    exports: Exports,
    injection: bool,
    by_question: Chart,
    by_topic: Chart,
    turns: Vec<TurnView>,
}

/// A main question's current score: the latest evaluation in its chain (follow-ups are graded
/// together with it); a skipped one scores 0, one not graded yet has none.
struct Main<'a> {
    root: i64,
    topic: &'a str,
    question: &'a str,
    score: Option<u8>,
    passed: Option<bool>,
}

fn mains(d: &SessionDetail) -> Vec<Main<'_>> {
    let mut mains: Vec<Main> = Vec::new();
    for t in &d.turns {
        let root = t.parent_turn.unwrap_or(t.turn);
        if !t.follow_up {
            mains.push(Main {
                root,
                topic: &t.topic,
                question: &t.question_text,
                score: t.skipped.then_some(0),
                passed: None,
            });
        }
        if let (Some(m), Some(e)) = (mains.iter_mut().find(|m| m.root == root), t.current()) {
            m.score = Some(e.evaluation.overall);
            m.passed = Some(e.evaluation.passed);
        }
    }
    mains
}

fn charts(d: &SessionDetail) -> (Chart, Chart) {
    let mains = mains(d);
    let by_question = mains
        .iter()
        .zip(1..)
        .map(|(m, n)| Bar {
            label: format!("Q{n} · {}", format::topic_title(m.topic)),
            title: m.question.to_string(),
            score: m.score,
            passed: m.passed,
        })
        .collect();
    let mut topics: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for m in &mains {
        topics.entry(m.topic).or_default().extend(m.score);
    }
    let by_topic = topics
        .into_iter()
        .map(|(topic, scores)| {
            let mean = (!scores.is_empty()).then(|| {
                let sum: u32 = scores.iter().map(|&s| u32::from(s)).sum();
                (f64::from(sum) / scores.len() as f64).round() as u8
            });
            Bar {
                label: format::topic_title(topic),
                title: format::topic_title(topic),
                score: mean,
                passed: None,
            }
        })
        .collect();
    (
        chart::bars("Score by question", by_question),
        chart::bars("Score by topic", by_topic),
    )
}

fn transcript(d: &SessionDetail, kept: Option<&Submitted>) -> Transcript {
    let s = &d.session;
    let id = format::encode(&s.id);
    let mut index = 0;
    let turns = d
        .turns
        .iter()
        .map(|t| {
            if !t.follow_up {
                index += 1;
            }
            turn_view(&s.id, t, index, kept)
        })
        .collect();
    let (by_question, by_topic) = charts(d);
    Transcript {
        session: Header {
            id: s.id.clone(),
            candidate: s.candidate_name.clone(),
            email: s.candidate_email.clone(),
            topics: format::topic_titles(&s.topics),
            level: s.level.to_string(),
            count: s.question_count,
            status: s.status.as_str(),
            overall: s.overall,
            passed: s
                .summary
                .as_ref()
                .and_then(|v| v.get("passed"))
                .and_then(|v| v.as_bool()),
            flagged: s.flagged,
            invite_id: s.invite_id.clone(),
            created_by: s.created_by.clone(),
            started: format::datetime(s.created_at),
            finished: s.finished_at.map(format::datetime),
        },
        exports: Exports {
            md: format!("/api/sessions/{id}/export?format=md"),
            json: format!("/api/sessions/{id}/export?format=json"),
            csv: format!("/api/sessions/{id}/export?format=csv"),
        },
        injection: d.turns.iter().any(|t| {
            t.flags
                .contains(&crate::evaluate::Flag::PossiblePromptInjection)
        }),
        by_question,
        by_topic,
        turns,
    }
}

pub(super) async fn render(
    staff: &Staff,
    id: &str,
    status: StatusCode,
    kept: Option<&Submitted>,
) -> Result<HttpResponse, PageError> {
    let detail = staff::session_detail(
        &staff.app.interviews.store,
        &staff.app.interviews.bank,
        id,
        staff::Viewer::Staff,
    )
    .await
    .map_err(|e| staff.fail(e))?;
    let title = format!(
        "Transcript — {}",
        detail
            .session
            .candidate_name
            .as_deref()
            .unwrap_or("anonymous")
    );
    Ok(staff.page(status, "transcript", &title, transcript(&detail, kept)))
}

/// `GET /admin/sessions/{id}`.
pub async fn show(staff: Staff, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("sessions");
    render(&staff, &id, StatusCode::OK, None).await
}
