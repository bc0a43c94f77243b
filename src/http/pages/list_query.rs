//! The session list's filter form: parsing it into a store query, and the links that keep it.

use serde::{Deserialize, Serialize};

use super::format::{self, query};
use crate::bank::{Level, Topic};
use crate::staff::{FilterProblem, ListFilter, MAX_LIMIT, list_query};
use crate::store::{ListStatus, SessionQuery, SessionSort, SortKey, encode_cursor};

/// The filter form as submitted: every field a string, empty meaning "any".
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ListForm {
    pub status: String,
    pub topic: String,
    pub level: String,
    pub candidate: String,
    /// An invite id: its batch of interviews.
    pub invite: String,
    pub min_score: String,
    pub max_score: String,
    pub from: String,
    pub to: String,
    pub flagged: String,
    /// `true`: only interviews that need a human review; `false`: only the others.
    pub needs_review: String,
    pub sort: String,
    pub order: String,
    pub cursor: String,
    pub limit: String,
}

fn sort_of(s: &str) -> Result<SessionSort, String> {
    SessionSort::parse(s).ok_or_else(|| format!("Cannot sort by “{s}”."))
}

/// The query-string name of a sort.
pub fn sort_name(s: SessionSort) -> &'static str {
    s.as_str()
}

/// An optional field: empty is `None`, anything else must parse (its problem is noted).
fn opt<T>(
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
    problems: &mut Vec<String>,
) -> Option<T> {
    match value.trim() {
        "" => None,
        v => parse(v).map_err(|e| problems.push(e)).ok(),
    }
}

fn score(name: &str, v: &str) -> Result<i64, String> {
    v.parse::<i64>()
        .map_err(|_| format!("{name} must be a whole number from 0 to 100."))
}

fn date(name: &str, v: &str, end_of_day: bool) -> Result<i64, String> {
    format::date_ms(v, end_of_day).ok_or_else(|| format!("{name} must be a date (YYYY-MM-DD)."))
}

/// The store query for a form, or every problem with it: the fields are read here (each
/// unreadable one noted), then checked by the same rules as the API's.
pub fn to_query(f: &ListForm) -> Result<SessionQuery, Vec<String>> {
    let mut p = Vec::new();
    let status = opt(
        &f.status,
        |s| {
            s.parse::<ListStatus>()
                .map_err(|_| format!("Unknown status “{s}”."))
        },
        &mut p,
    );
    let topic = opt(&f.topic, str::parse::<Topic>, &mut p);
    let level = opt(&f.level, str::parse::<Level>, &mut p);
    let min_score = opt(&f.min_score, |v| score("Min score", v), &mut p);
    let max_score = opt(&f.max_score, |v| score("Max score", v), &mut p);
    let from = opt(&f.from, |v| date("From", v, false), &mut p);
    let to = opt(&f.to, |v| date("To", v, true), &mut p);
    let yes_no = |name: &'static str| {
        move |v: &str| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("{name} must be yes, no or any.")),
        }
    };
    let flagged = opt(&f.flagged, yes_no("Flagged"), &mut p);
    let needs_review = opt(&f.needs_review, yes_no("Needs review"), &mut p);
    let sort = opt(&f.sort, sort_of, &mut p).unwrap_or_default();
    // The page size comes from the pages' own links; anything else is the default.
    let limit = f
        .limit
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n));
    let checked = list_query(ListFilter {
        status,
        topic,
        level,
        candidate: Some(f.candidate.clone()),
        invite: Some(f.invite.clone()),
        min_score,
        max_score,
        from,
        to,
        flagged,
        needs_review,
        sort,
        descending: f.order != "asc",
        cursor: Some(f.cursor.clone()),
        limit,
    });
    match checked {
        Ok(q) if p.is_empty() => Ok(q),
        Ok(_) => Err(p),
        Err(problems) => {
            p.extend(problems.into_iter().map(|problem| match problem {
                FilterProblem::Score(name) => format!(
                    "{} must be a whole number from 0 to 100.",
                    if name == "min_score" {
                        "Min score"
                    } else {
                        "Max score"
                    }
                ),
                FilterProblem::Time(name) => format!(
                    "{} must be a date on or after 1970-01-01.",
                    if name == "from" { "From" } else { "To" }
                ),
                FilterProblem::Limit => format!("Show between 1 and {MAX_LIMIT} per page."),
                FilterProblem::Cursor => {
                    "That page link is out of date; start again from the first page.".to_string()
                }
            }));
            Err(p)
        }
    }
}

/// The form's filters (not its sort, order or cursor) as query pairs.
pub fn filters(f: &ListForm) -> Vec<(&'static str, &str)> {
    vec![
        ("status", &f.status),
        ("topic", &f.topic),
        ("level", &f.level),
        ("candidate", &f.candidate),
        ("invite", &f.invite),
        ("min_score", &f.min_score),
        ("max_score", &f.max_score),
        ("from", &f.from),
        ("to", &f.to),
        ("flagged", &f.flagged),
        ("needs_review", &f.needs_review),
    ]
}

/// The link to the page after the one that ended at `key`.
pub fn next_href(f: &ListForm, q: &SessionQuery, key: SortKey) -> String {
    let cursor = encode_cursor(q.sort, q.descending, key);
    let order = if q.descending { "desc" } else { "asc" };
    let mut pairs = filters(f);
    pairs.extend([("sort", sort_name(q.sort)), ("order", order)]);
    pairs.extend([("limit", f.limit.as_str()), ("cursor", &cursor)]);
    format!("/admin/sessions{}", query(&pairs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::DEFAULT_LIMIT;

    #[test]
    fn forms_become_queries_and_bad_fields_are_all_reported() {
        let f = ListForm {
            topic: "concurrency".into(),
            min_score: "40".into(),
            to: "1970-01-01".into(),
            flagged: "true".into(),
            needs_review: "false".into(),
            status: "ended_early".into(),
            invite: " inv-9 ".into(),
            sort: "overall".into(),
            order: "asc".into(),
            ..Default::default()
        };
        let q = to_query(&f).unwrap();
        assert_eq!(q.topic.as_deref(), Some("concurrency"));
        assert_eq!(
            (q.min_score, q.to, q.flagged),
            (Some(40), Some(86_400_000), Some(true))
        );
        assert_eq!(
            (q.status, q.needs_review, q.invite_id.as_deref()),
            (Some(ListStatus::EndedEarly), Some(false), Some("inv-9"))
        );
        assert_eq!(
            (q.sort, q.descending, q.limit),
            (SessionSort::Overall, false, DEFAULT_LIMIT)
        );

        let bad = ListForm {
            level: "guru".into(),
            max_score: "101".into(),
            from: "yesterday".into(),
            cursor: "zz".into(),
            needs_review: "maybe".into(),
            ..Default::default()
        };
        assert_eq!(to_query(&bad).unwrap_err().len(), 5);
    }
}
