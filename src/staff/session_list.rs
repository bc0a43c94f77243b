//! The session list's filters, checked once for the API (`GET /api/sessions`) and the staff
//! pages' filter form: each caller reads its own input into a [`ListFilter`] and words the
//! [`FilterProblem`]s its own way.

use crate::bank::{Level, Topic};
use crate::store::{ListStatus, SessionQuery, SessionSort, decode_cursor};

/// Page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 25;
/// Largest page.
pub const MAX_LIMIT: i64 = 100;

/// Filters, sort and paging as typed values, before their ranges are checked.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<ListStatus>,
    pub topic: Option<Topic>,
    pub level: Option<Level>,
    /// Part of the candidate's name or email; blank means any.
    pub candidate: Option<String>,
    /// Sessions started from this invite; blank means any.
    pub invite: Option<String>,
    pub min_score: Option<i64>,
    pub max_score: Option<i64>,
    /// Unix milliseconds.
    pub from: Option<i64>,
    /// Unix milliseconds.
    pub to: Option<i64>,
    pub flagged: Option<bool>,
    /// Only interviews that do (or do not) need a human review.
    pub needs_review: Option<bool>,
    pub sort: SessionSort,
    pub descending: bool,
    /// A `next_cursor` issued for this sort and order; blank means the first page.
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// What is wrong with a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterProblem {
    /// A score bound (`min_score` or `max_score`) outside 0–100.
    Score(&'static str),
    /// A time bound (`from` or `to`) before 1970.
    Time(&'static str),
    /// A page size outside 1–100.
    Limit,
    /// A cursor not issued for this listing's sort and order.
    Cursor,
}

/// The store query for a filter, or every problem with it.
pub fn list_query(f: ListFilter) -> Result<SessionQuery, Vec<FilterProblem>> {
    let mut problems = Vec::new();
    for (name, v) in [("min_score", f.min_score), ("max_score", f.max_score)] {
        if v.is_some_and(|v| !(0..=100).contains(&v)) {
            problems.push(FilterProblem::Score(name));
        }
    }
    for (name, v) in [("from", f.from), ("to", f.to)] {
        if v.is_some_and(|v| v < 0) {
            problems.push(FilterProblem::Time(name));
        }
    }
    let limit = f.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        problems.push(FilterProblem::Limit);
    }
    let after = match f.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let key = decode_cursor(c, f.sort, f.descending);
            if key.is_none() {
                problems.push(FilterProblem::Cursor);
            }
            key
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    Ok(SessionQuery {
        status: f.status,
        topic: f.topic.map(|t| t.to_string()),
        level: f.level.map(|l| l.to_string()),
        candidate: text(f.candidate),
        invite_id: text(f.invite),
        min_score: f.min_score,
        max_score: f.max_score,
        from: f.from,
        to: f.to,
        flagged: f.flagged,
        needs_review: f.needs_review,
        sort: f.sort,
        descending: f.descending,
        after,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_filter_becomes_a_query_with_blank_text_meaning_any() {
        let q = list_query(ListFilter {
            topic: Some(Topic::Concurrency),
            candidate: Some("  ".into()),
            invite: Some(" inv-1 ".into()),
            min_score: Some(40),
            descending: true,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.topic.as_deref(), Some("concurrency"));
        assert_eq!((q.candidate, q.invite_id.as_deref()), (None, Some("inv-1")));
        assert_eq!(
            (q.min_score, q.limit, q.descending),
            (Some(40), DEFAULT_LIMIT, true)
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let problems = list_query(ListFilter {
            min_score: Some(-1),
            max_score: Some(101),
            from: Some(-5),
            limit: Some(0),
            cursor: Some("zz".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            problems,
            [
                FilterProblem::Score("min_score"),
                FilterProblem::Score("max_score"),
                FilterProblem::Time("from"),
                FilterProblem::Limit,
                FilterProblem::Cursor,
            ]
        );
    }
}
