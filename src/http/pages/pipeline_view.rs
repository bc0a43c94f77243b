//! How the pipeline facts of an interview read on the staff pages (the session list and the
//! comparison): its status, progress, duration, verdict, flag badges and invite.

use serde::Serialize;

use super::format::{self, query};
use crate::evaluate::Flag;
use crate::staff::{SessionListItem, minutes};
use crate::store::{ListStatus, SessionQuery};

/// A flag kind as a badge; a possible prompt injection is styled apart from the rest.
#[derive(Debug, Serialize)]
pub struct FlagBadge {
    id: &'static str,
    label: &'static str,
    severe: bool,
}

/// The invite an interview came from, linking to that invite's batch.
#[derive(Debug, Serialize)]
pub struct InviteLink {
    href: String,
    label: String,
    id: String,
}

/// The pipeline facts of one interview, ready for a template.
#[derive(Debug, Serialize)]
pub struct Facts {
    id: String,
    href: String,
    candidate: Option<String>,
    status: &'static str,
    status_label: &'static str,
    answered: i64,
    asked: i64,
    planned: i64,
    duration: Option<String>,
    overall: Option<i64>,
    /// `pass` or `fail`; absent while in progress.
    result: Option<&'static str>,
    pass_mark: Option<i64>,
    flags: Vec<FlagBadge>,
    needs_review: bool,
    invite: Option<InviteLink>,
}

/// How a list status reads.
pub fn status_label(s: ListStatus) -> &'static str {
    match s {
        ListStatus::Active => "active",
        ListStatus::Finished => "finished",
        ListStatus::EndedEarly => "ended early",
    }
}

/// `12 min`; `< 1 min` for less than half a minute.
pub fn duration(ms: i64) -> String {
    match minutes(ms) {
        0 => "< 1 min".to_string(),
        m => format!("{m} min"),
    }
}

fn badge(f: Flag) -> FlagBadge {
    FlagBadge {
        id: f.as_str(),
        label: format::flag(f),
        severe: f == Flag::PossiblePromptInjection,
    }
}

/// The short form of an invite id shown when the invite names no candidate.
fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

impl Facts {
    pub fn of(i: &SessionListItem) -> Facts {
        let s = &i.session;
        // The most serious flag first.
        let mut flags: Vec<FlagBadge> = i.flags.iter().map(|&f| badge(f)).collect();
        flags.sort_by_key(|b| !b.severe);
        Facts {
            id: s.id.clone(),
            href: format!("/admin/sessions/{}", format::encode(&s.id)),
            candidate: s.candidate_name.clone(),
            status: i.list_status.as_str(),
            status_label: status_label(i.list_status),
            answered: i.answered,
            asked: i.asked,
            planned: s.question_count,
            duration: i.duration_ms.map(duration),
            overall: s.overall,
            result: i.passed.map(|p| if p { "pass" } else { "fail" }),
            pass_mark: i.pass_mark,
            flags,
            needs_review: i.needs_review,
            invite: s.invite_id.as_ref().map(|id| InviteLink {
                href: batch_href(id),
                label: i
                    .invite_name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| format!("invite {}", short_id(id))),
                id: id.clone(),
            }),
        }
    }
}

/// The session list narrowed to one invite's interviews.
pub fn batch_href(invite: &str) -> String {
    format!("/admin/sessions{}", query(&[("invite", invite)]))
}

/// The comparison of one invite's interviews.
pub fn compare_batch_href(invite: &str) -> String {
    format!("/admin/sessions/compare{}", query(&[("invite", invite)]))
}

/// `GET /api/sessions.csv` with the filters and sort of a checked list query (dates as the
/// API's Unix milliseconds).
pub fn csv_href(q: &SessionQuery) -> String {
    let text = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let yes_no = |v: Option<bool>| v.map(|v| v.to_string()).unwrap_or_default();
    let (min, max, from, to) = (
        text(q.min_score),
        text(q.max_score),
        text(q.from),
        text(q.to),
    );
    let (flagged, review) = (yes_no(q.flagged), yes_no(q.needs_review));
    let pairs = [
        ("status", q.status.map_or("", |s| s.as_str())),
        ("topic", q.topic.as_deref().unwrap_or_default()),
        ("level", q.level.as_deref().unwrap_or_default()),
        ("candidate", q.candidate.as_deref().unwrap_or_default()),
        ("invite", q.invite_id.as_deref().unwrap_or_default()),
        ("min_score", &min),
        ("max_score", &max),
        ("from", &from),
        ("to", &to),
        ("flagged", &flagged),
        ("needs_review", &review),
        ("sort", q.sort.as_str()),
        ("order", if q.descending { "desc" } else { "asc" }),
    ];
    format!("/api/sessions.csv{}", query(&pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_minutes() {
        assert_eq!(duration(12 * 60_000 + 10_000), "12 min");
        assert_eq!(duration(20_000), "< 1 min");
    }

    #[test]
    fn the_csv_link_keeps_every_filter_in_the_api_s_terms() {
        let q = SessionQuery {
            status: Some(ListStatus::EndedEarly),
            candidate: Some("a b".into()),
            from: Some(86_400_000),
            needs_review: Some(true),
            descending: true,
            ..Default::default()
        };
        assert_eq!(
            csv_href(&q),
            "/api/sessions.csv?status=ended_early&candidate=a%20b&from=86400000\
             &needs_review=true&sort=created_at&order=desc"
        );
    }
}
