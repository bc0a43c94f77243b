//! `GET /admin/sessions/compare`: chosen interviews (`?ids=a,b,c`, or `ids` repeated as the
//! list's checkboxes send it) or one invite's batch (`?invite=ID`) side by side: status,
//! overall, verdict, answered/asked, duration, flags and the score of every topic.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::format;
use super::pipeline_view::{Facts, batch_href};
use super::{PageError, Staff};
use crate::bank::Topic;
use crate::staff::{COMPARE_MAX, Comparison, Selection, compare, topic_scores};

/// What the query string asks for, or why it asks for nothing sensible.
fn selection(pairs: &[(String, String)]) -> Result<Selection, &'static str> {
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(String::from)
        .collect();
    let invite = pairs
        .iter()
        .filter(|(k, _)| k == "invite")
        .map(|(_, v)| v.trim())
        .find(|v| !v.is_empty());
    match (ids.is_empty(), invite) {
        (false, Some(_)) => {
            Err("Compare either the interviews you ticked or one invite's batch, not both.")
        }
        (false, None) => Ok(Selection::Ids(ids)),
        (true, Some(invite)) => Ok(Selection::Invite(invite.to_string())),
        (true, None) => Err(
            "Choose the interviews to compare: tick them in the session list, or follow an invite's “Compare this batch” link.",
        ),
    }
}

#[derive(Serialize)]
struct Column {
    #[serde(flatten)]
    facts: Facts,
    started: String,
}

#[derive(Serialize)]
struct Score {
    score: Option<u8>,
    best: bool,
}

#[derive(Serialize)]
struct TopicRow {
    id: &'static str,
    title: &'static str,
    scores: Vec<Score>,
}

/// One row per topic any of the interviews scored, in the bank's topic order; the highest
/// score of a row is marked unless every interview that has one scored the same.
fn topic_rows(c: &Comparison) -> Vec<TopicRow> {
    let scores = topic_scores(&c.items);
    Topic::ALL
        .iter()
        .filter(|t| scores.iter().any(|s| s.contains_key(t)))
        .map(|t| {
            let row: Vec<Option<u8>> = scores.iter().map(|s| s.get(t).copied()).collect();
            let best = row.iter().flatten().max().copied();
            let lowest = row.iter().flatten().min().copied();
            // Marked only where the interviews differ.
            let differ = best != lowest;
            TopicRow {
                id: t.as_str(),
                title: t.title(),
                scores: row
                    .into_iter()
                    .map(|score| Score {
                        best: differ && score == best,
                        score,
                    })
                    .collect(),
            }
        })
        .collect()
}

fn notes(selection: &Selection, c: &Comparison) -> Vec<String> {
    let mut notes = Vec::new();
    if c.capped {
        notes.push(match selection {
            Selection::Ids(_) => format!(
                "You chose {} interviews; a comparison shows at most {COMPARE_MAX}, so only the first {COMPARE_MAX} are shown.",
                c.chosen
            ),
            Selection::Invite(_) => format!(
                "This invite has more than {COMPARE_MAX} interviews; a comparison shows at most {COMPARE_MAX}, so only the first {COMPARE_MAX} (oldest first) are shown."
            ),
        });
    }
    if !c.missing.is_empty() {
        notes.push(format!(
            "No interview has the id {}.",
            c.missing
                .iter()
                .map(|id| format!("“{id}”"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    notes
}

/// `GET /admin/sessions/compare`.
pub async fn show(
    staff: Staff,
    params: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("sessions");
    let selection = match selection(&params) {
        Ok(s) => s,
        Err(problem) => {
            let body = serde_json::json!({"problem": problem, "batch": null, "columns": [], "topics": [], "notes": [], "max": COMPARE_MAX});
            return Ok(staff.page(StatusCode::BAD_REQUEST, "compare", "Compare", body));
        }
    };
    let c = compare(&staff.app.interviews.store, &selection)
        .await
        .map_err(|e| staff.fail(e))?;
    let columns: Vec<Column> = c
        .items
        .iter()
        .map(|i| Column {
            facts: Facts::of(i),
            started: format::datetime(i.session.created_at),
        })
        .collect();
    let batch = match &selection {
        Selection::Invite(id) => Some(serde_json::json!({"id": id, "href": batch_href(id)})),
        Selection::Ids(_) => None,
    };
    let body = serde_json::json!({
        "problem": null,
        "batch": batch,
        "notes": notes(&selection, &c),
        "columns": columns,
        "topics": topic_rows(&c),
        "max": COMPARE_MAX,
    });
    Ok(staff.page(StatusCode::OK, "compare", "Compare interviews", body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ids_come_comma_separated_or_repeated_and_an_invite_alone() {
        assert_eq!(
            selection(&pairs(&[("ids", "a, b,"), ("ids", "c")])),
            Ok(Selection::Ids(vec!["a".into(), "b".into(), "c".into()]))
        );
        assert_eq!(
            selection(&pairs(&[("invite", " inv ")])),
            Ok(Selection::Invite("inv".into()))
        );
        assert!(selection(&pairs(&[("ids", "a"), ("invite", "inv")])).is_err());
        assert!(selection(&pairs(&[("ids", " , ")])).is_err());
    }
}
