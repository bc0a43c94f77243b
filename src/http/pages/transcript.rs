//! `GET /admin/sessions/{id}`: one transcript, with charts, the audit trail and review forms.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use std::collections::BTreeMap;

use super::chart::{self, Bar, Chart};
use super::format;
use super::review_form::Submitted;
use super::turn_view::{QuestionScore, TurnView, turn_view};
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
    /// The invited candidate's agreement to the notice.
    consent: Option<ConsentView>,
    scores_hidden: bool,
}

#[derive(Serialize)]
struct ConsentView {
    at: String,
    version: String,
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
/// together with it), or the review of its latest reviewed turn when a reviewer reviewed any
/// (the summary's rule); a skipped one scores 0, one not graded yet has none.
struct Main<'a> {
    root: i64,
    topic: &'a str,
    question: &'a str,
    score: Option<u8>,
    passed: Option<bool>,
    /// The turn the score comes from.
    from_turn: i64,
    reviewed: bool,
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
                from_turn: t.turn,
                reviewed: false,
            });
        }
        if let (Some(m), Some(e)) = (mains.iter_mut().find(|m| m.root == root), t.current()) {
            let human = e.evaluation.source == crate::evaluate::Source::Human;
            if human || !m.reviewed {
                m.score = Some(e.evaluation.overall);
                m.passed = Some(e.evaluation.passed);
                m.from_turn = t.turn;
                m.reviewed = human;
            }
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

fn transcript(
    d: &SessionDetail,
    kept: Option<&Submitted>,
    rubric_of: impl Fn(&crate::staff::TurnDetail) -> Option<std::sync::Arc<crate::rubric::Rubric>>,
) -> Transcript {
    let s = &d.session;
    let id = format::encode(&s.id);
    let mut index = 0;
    let scores = mains(d);
    let turns = d
        .turns
        .iter()
        .map(|t| {
            if !t.follow_up {
                index += 1;
            }
            let mut view = turn_view(&s.id, t, index, kept, rubric_of(t));
            if !t.follow_up {
                view.question_score = scores.iter().find(|m| m.root == t.turn).and_then(|m| {
                    Some(QuestionScore {
                        score: m.score?,
                        reviewed: m.reviewed,
                        from_turn: m.from_turn,
                    })
                });
            }
            view
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
            consent: s.consent.as_ref().map(|c| ConsentView {
                at: format::datetime(c.at),
                version: c.version.clone(),
            }),
            scores_hidden: s.scores_hidden,
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
    let rubrics = &staff.app.interviews.rubrics;
    let rubric_of = |t: &crate::staff::TurnDetail| {
        let r = &t.current()?.evaluation.rubric;
        rubrics.version(&r.id, r.version)
    };
    Ok(staff.page(
        status,
        "transcript",
        &title,
        transcript(&detail, kept, rubric_of),
    ))
}

/// `GET /admin/sessions/{id}`.
pub async fn show(staff: Staff, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("sessions");
    render(&staff, &id, StatusCode::OK, None).await
}
