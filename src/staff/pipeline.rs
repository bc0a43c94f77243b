//! The recruiter's pipeline view of interviews: list rows that say how each interview ended, how
//! far the candidate got, how long it took, its verdict and its flags; the CSV of a filtered list;
//! and the side-by-side comparison of chosen interviews or of one invite's batch.

use std::collections::BTreeMap;

use serde::Serialize;

use super::export::field;
use crate::clock::rfc3339;
use crate::evaluate::Flag;
use crate::store::{
    ListStatus, SessionQuery, SessionRecord, SessionSort, SessionStats, SessionStatus, SortKey,
    Store, StoreError,
};

/// The most interviews one comparison shows.
pub const COMPARE_MAX: usize = 20;

/// A session in a list, with what a recruiter should know at a glance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionListItem {
    #[serde(flatten)]
    pub session: SessionRecord,
    /// `active`, `finished` (every planned question reached) or `ended_early` (the candidate
    /// ended before every planned question was reached); `status` stays `finished` for both.
    pub list_status: ListStatus,
    /// Main questions answered (not skipped, not left open).
    pub answered: i64,
    /// Main questions asked; `question_count` is how many were planned.
    pub asked: i64,
    /// From the first question to the last answer, skip or question (ms); absent before any.
    pub duration_ms: Option<i64>,
    /// Whether `overall` reached the summary's pass mark; absent while in progress.
    pub passed: Option<bool>,
    /// The mark `passed` was measured against; absent while in progress.
    pub pass_mark: Option<i64>,
    /// Every kind of flag an evaluation of its answers raised.
    pub flags: Vec<Flag>,
    /// An invited interview a human should read: an answer graded only by the built-in
    /// evaluator (a keyword and structure estimate), or flagged by the LLM judge, and not
    /// reviewed since.
    pub needs_review: bool,
    /// The candidate name the invite it came from was made out to.
    pub invite_name: Option<String>,
}

impl SessionListItem {
    fn new(session: SessionRecord, stats: SessionStats) -> SessionListItem {
        let list_status = match session.status {
            SessionStatus::Active => ListStatus::Active,
            SessionStatus::Finished if stats.ended_early => ListStatus::EndedEarly,
            SessionStatus::Finished => ListStatus::Finished,
        };
        SessionListItem {
            list_status,
            answered: stats.answered,
            asked: stats.asked,
            duration_ms: stats.duration_ms(),
            passed: stats.passed,
            pass_mark: stats.pass_mark,
            flags: stats.flags,
            needs_review: stats.needs_review,
            invite_name: stats.invite_name,
            session,
        }
    }
}

/// The sessions with their pipeline facts, in the order given.
async fn with_stats(
    store: &Store,
    sessions: Vec<SessionRecord>,
) -> Result<Vec<SessionListItem>, StoreError> {
    let ids: Vec<String> = sessions.iter().map(|s| s.id.clone()).collect();
    let mut stats = store.session_stats(&ids).await?;
    Ok(sessions
        .into_iter()
        .map(|s| {
            let facts = stats.remove(&s.id).unwrap_or_default();
            SessionListItem::new(s, facts)
        })
        .collect())
}

/// One page of the session list, and where the next one starts.
pub async fn list_page(
    store: &Store,
    q: &SessionQuery,
) -> Result<(Vec<SessionListItem>, Option<SortKey>), StoreError> {
    let (sessions, next) = store.list_sessions(q).await?;
    Ok((with_stats(store, sessions).await?, next))
}

/// Columns of the session list's CSV.
const CSV_COLUMNS: &[&str] = &[
    "id",
    "started_at",
    "candidate_name",
    "candidate_email",
    "invite_id",
    "invite_name",
    "topics",
    "level",
    "status",
    "answered",
    "asked",
    "planned",
    "duration_minutes",
    "overall",
    "result",
    "pass_mark",
    "flags",
    "needs_review",
];

/// Whole minutes, rounded to the nearest.
pub fn minutes(ms: i64) -> i64 {
    (ms.max(0) + 30_000) / 60_000
}

fn csv_row(out: &mut String, i: &SessionListItem) {
    let s = &i.session;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let cells = [
        s.id.clone(),
        rfc3339(s.created_at),
        text(&s.candidate_name),
        text(&s.candidate_email),
        text(&s.invite_id),
        text(&i.invite_name),
        s.topics
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        s.level.to_string(),
        i.list_status.as_str().to_string(),
        i.answered.to_string(),
        i.asked.to_string(),
        s.question_count.to_string(),
        i.duration_ms
            .map(|d| minutes(d).to_string())
            .unwrap_or_default(),
        s.overall.map(|o| o.to_string()).unwrap_or_default(),
        match i.passed {
            Some(true) => "pass".to_string(),
            Some(false) => "fail".to_string(),
            None => String::new(),
        },
        i.pass_mark.map(|m| m.to_string()).unwrap_or_default(),
        i.flags
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        i.needs_review.to_string(),
    ];
    let cells: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// Every session the query matches (from its first page on, whatever its page size), as CSV
/// with one row per interview and every cell defused against spreadsheet formulas.
pub async fn list_csv(store: &Store, q: &SessionQuery) -> Result<String, StoreError> {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    let mut page = q.clone();
    page.limit = 500;
    page.after = None;
    loop {
        let (items, next) = list_page(store, &page).await?;
        for i in &items {
            csv_row(&mut out, i);
        }
        match next {
            Some(key) => page.after = Some(key),
            None => return Ok(out),
        }
    }
}

/// What to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These interviews, in this order.
    Ids(Vec<String>),
    /// Every interview started from this invite, oldest first.
    Invite(String),
}

/// Interviews side by side.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub items: Vec<SessionListItem>,
    /// Chosen ids that name no interview.
    pub missing: Vec<String>,
    /// More than [`COMPARE_MAX`] were chosen: only the first ones are shown.
    pub capped: bool,
    /// How many interviews were chosen, when known (an invite's batch is counted up to one over
    /// the cap).
    pub chosen: usize,
}

/// The chosen interviews (at most [`COMPARE_MAX`]) with their pipeline facts.
pub async fn compare(store: &Store, selection: &Selection) -> Result<Comparison, StoreError> {
    let (sessions, missing, chosen) = match selection {
        Selection::Ids(ids) => {
            let mut unique: Vec<&String> = Vec::new();
            for id in ids {
                if !unique.contains(&id) {
                    unique.push(id);
                }
            }
            let mut sessions = Vec::new();
            let mut missing = Vec::new();
            for id in unique.iter().take(COMPARE_MAX) {
                match store.session(id).await {
                    Ok(s) => sessions.push(s),
                    Err(StoreError::NotFound) => missing.push(id.to_string()),
                    Err(e) => return Err(e),
                }
            }
            (sessions, missing, unique.len())
        }
        Selection::Invite(invite) => {
            let q = SessionQuery {
                invite_id: Some(invite.clone()),
                sort: SessionSort::CreatedAt,
                descending: false,
                limit: COMPARE_MAX as i64 + 1,
                ..Default::default()
            };
            let (mut sessions, _) = store.list_sessions(&q).await?;
            let chosen = sessions.len();
            sessions.truncate(COMPARE_MAX);
            (sessions, Vec::new(), chosen)
        }
    };
    Ok(Comparison {
        items: with_stats(store, sessions).await?,
        missing,
        capped: chosen > COMPARE_MAX,
        chosen,
    })
}

/// The per-topic scores of each item's stored summary, by topic id (empty while in progress).
pub fn topic_scores(items: &[SessionListItem]) -> Vec<BTreeMap<crate::bank::Topic, u8>> {
    items
        .iter()
        .map(|i| {
            crate::interview::Summary::stored(i.session.summary.as_ref())
                .map(|s| s.by_topic.iter().map(|t| (t.topic, t.overall)).collect())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_to_the_nearest() {
        assert_eq!(minutes(0), 0);
        assert_eq!(minutes(29_999), 0);
        assert_eq!(minutes(30_000), 1);
        assert_eq!(minutes(12 * 60_000 + 20_000), 12);
        assert_eq!(minutes(-5), 0);
    }
}
