//! `GET /admin/sessions`: the session list with filters, sortable columns and keyset paging.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::format::{self, query};
use super::list_query::{ListForm, filters, next_href, sort_name, to_query};
use super::pipeline_view::{Facts, compare_batch_href, csv_href};
use super::{PageError, Staff};
use crate::bank::{Level, Topic};
use crate::staff::SessionListItem;
use crate::store::SessionSort;

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    facts: Facts,
    started: String,
    email: Option<String>,
    topics: String,
    level: String,
    flagged: bool,
}

fn row(i: &SessionListItem) -> Row {
    let s = &i.session;
    Row {
        facts: Facts::of(i),
        started: format::datetime(s.created_at),
        email: s.candidate_email.clone(),
        topics: format::topic_titles(&s.topics),
        level: s.level.to_string(),
        flagged: s.flagged,
    }
}

#[derive(Serialize)]
struct Column {
    label: &'static str,
    href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    sorted: &'static str,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices<'a>(current: &str, options: impl IntoIterator<Item = (&'a str, String)>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value: value.to_string(),
            label,
        })
        .collect()
}

/// A column header link: sorts by the column, flipping the order when it is already the sort.
fn column(
    f: &ListForm,
    sort: SessionSort,
    desc: bool,
    label: &'static str,
    by: SessionSort,
) -> Column {
    let active = sort == by;
    let order = if active && desc { "asc" } else { "desc" };
    let mut pairs = filters(f);
    pairs.extend([("sort", sort_name(by)), ("order", order)]);
    Column {
        label,
        href: format!("/admin/sessions{}", query(&pairs)),
        sorted: match (active, desc) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        },
    }
}

/// `GET /admin/sessions`.
pub async fn list(staff: Staff, form: web::Query<ListForm>) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("sessions");
    let f = form.into_inner();
    let (status, rows, next, problems, sort, desc, csv) = match to_query(&f) {
        Ok(q) => {
            let (items, next) = crate::staff::list_page(&staff.app.interviews.store, &q)
                .await
                .map_err(|e| staff.fail(e))?;
            let rows: Vec<Row> = items.iter().map(row).collect();
            let next = next.map(|key| next_href(&f, &q, key));
            let csv = csv_href(&q);
            (
                StatusCode::OK,
                rows,
                next,
                Vec::new(),
                q.sort,
                q.descending,
                Some(csv),
            )
        }
        Err(problems) => (
            StatusCode::BAD_REQUEST,
            Vec::new(),
            None,
            problems,
            SessionSort::default(),
            true,
            None,
        ),
    };
    let invite = f.invite.trim();
    let any = || std::iter::once(("", "Any".to_string()));
    let topics = Topic::ALL
        .iter()
        .map(|t| (t.as_str(), t.title().to_string()));
    let levels = Level::ALL
        .iter()
        .map(|l| (l.as_str(), l.as_str().to_string()));
    let mut first = filters(&f);
    first.extend([("sort", f.sort.as_str()), ("order", f.order.as_str())]);
    let body = serde_json::json!({
        "form": &f,
        "problems": problems,
        "rows": rows,
        "next": next,
        "csv": csv,
        "batch": (!invite.is_empty()).then(|| compare_batch_href(invite)),
        "first": (!f.cursor.is_empty()).then(|| format!("/admin/sessions{}", query(&first))),
        "columns": {
            "started": column(&f, sort, desc, "Started", SessionSort::CreatedAt),
            "candidate": column(&f, sort, desc, "Candidate", SessionSort::Candidate),
            "overall": column(&f, sort, desc, "Overall", SessionSort::Overall),
        },
        "sort": sort_name(sort),
        "order": if desc { "desc" } else { "asc" },
        "statuses": choices(&f.status, any().chain([("active", "Active".into()), ("finished", "Finished".into()), ("ended_early", "Ended early".into())])),
        "topics": choices(&f.topic, any().chain(topics)),
        "levels": choices(&f.level, any().chain(levels)),
        "flagged": choices(&f.flagged, any().chain([("true", "Flagged only".into()), ("false", "Not flagged".into())])),
        "needs_review": choices(&f.needs_review, any().chain([("true", "Needs review".into()), ("false", "No review needed".into())])),
    });
    Ok(staff.page(status, "sessions", "Sessions", body))
}
