//! The rubric list page's assignments (admins only): which rubric grades which kind (and
//! topic) of question, set and removed as `PUT /api/rubric-assignments` would.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::format;
use super::rubric_new::{Choice, new_rubric, rubric_choices};
use super::{PageError, Staff, see_other};
use crate::bank::{Kind, Topic};
use crate::rubric::Assignment;
use crate::staff::{self, StaffError};

#[derive(Serialize)]
struct AssignmentRow {
    kind: &'static str,
    topic: String,
    topic_title: String,
    rubric_id: String,
    rubric_name: String,
    href: String,
    /// A kind with no assignment shows the shipped rubric that grades it.
    shipped_default: bool,
}

/// The assignments table and its form.
#[derive(Serialize, Default)]
pub struct Assignments {
    rows: Vec<AssignmentRow>,
    kinds: Vec<Choice>,
    topics: Vec<Choice>,
    rubrics: Vec<Choice>,
    error: Option<String>,
    /// Set after assignments were saved.
    pub saved: bool,
}

/// The assignments in force, each kind's shipped default where it has no assignment.
pub fn assignments(staff: &Staff) -> Assignments {
    let rubrics = &staff.app.interviews.rubrics;
    let list = rubrics.assignments();
    let row = |kind: Kind, topic: &str, rubric_id: String, shipped_default: bool| {
        let name = rubrics.latest(&rubric_id).map(|r| r.name.clone());
        AssignmentRow {
            kind: kind.as_str(),
            topic: topic.to_string(),
            topic_title: if topic.is_empty() {
                "every topic".into()
            } else {
                format::topic_title(topic)
            },
            href: format!("/admin/rubrics/{}", format::encode(&rubric_id)),
            rubric_name: name.unwrap_or_else(|| rubric_id.clone()),
            rubric_id,
            shipped_default,
        }
    };
    let mut rows = Vec::new();
    for &kind in Kind::ALL {
        let of_kind = |a: &&Assignment| a.kind == kind.as_str();
        match list.iter().filter(of_kind).find(|a| a.topic.is_empty()) {
            Some(a) => rows.push(row(kind, "", a.rubric_id.clone(), false)),
            None => {
                if let Some(id) = rubrics.default_for(kind) {
                    rows.push(row(kind, "", id, true));
                }
            }
        }
        let mut topical: Vec<&Assignment> = list
            .iter()
            .filter(of_kind)
            .filter(|a| !a.topic.is_empty())
            .collect();
        topical.sort_by(|a, b| a.topic.cmp(&b.topic));
        rows.extend(
            topical
                .into_iter()
                .map(|a| row(kind, &a.topic, a.rubric_id.clone(), false)),
        );
    }
    let choice = |value: &str, label: String| Choice {
        value: value.to_string(),
        label,
        selected: false,
    };
    Assignments {
        rows,
        kinds: Kind::ALL
            .iter()
            .map(|k| choice(k.as_str(), k.as_str().to_string()))
            .collect(),
        topics: std::iter::once(choice("", "every topic".into()))
            .chain(
                Topic::ALL
                    .iter()
                    .map(|t| choice(t.as_str(), t.title().to_string())),
            )
            .collect(),
        rubrics: rubric_choices(staff, ""),
        ..Default::default()
    }
}

#[derive(Deserialize)]
pub struct AssignmentForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    rubric_id: String,
}

/// The assignments in force but the one for the form's kind and topic, and whether there was one.
fn others(staff: &Staff, f: &AssignmentForm) -> (Vec<Assignment>, bool) {
    let mut list = staff.app.interviews.rubrics.assignments();
    let before = list.len();
    list.retain(|a| !(a.kind == f.kind && a.topic == f.topic));
    let found = list.len() < before;
    (list, found)
}

/// `POST /admin/rubric-assignments`: sets the rubric for a kind (every topic, or one topic),
/// replacing the one set before, validated and applied as `PUT /api/rubric-assignments` is.
pub async fn assign(
    staff: Staff,
    form: web::Form<AssignmentForm>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let f = form.into_inner();
    let (mut list, _) = others(&staff, &f);
    list.push(Assignment {
        kind: f.kind.clone(),
        topic: f.topic.clone(),
        rubric_id: f.rubric_id.clone(),
    });
    save(staff, list, &f).await
}

/// `POST /admin/rubric-assignments/remove`: removes one assignment (its kind and topic then
/// fall back to the kind's assignment, or the shipped default).
pub async fn unassign(
    staff: Staff,
    form: web::Form<AssignmentForm>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let f = form.into_inner();
    let (list, found) = others(&staff, &f);
    if !found {
        let topic = if f.topic.is_empty() {
            "every topic".to_string()
        } else {
            f.topic
        };
        let error = format!(
            "There is no assignment for {} ({topic}); nothing was changed.",
            f.kind
        );
        return refused(&staff, error, None).await;
    }
    save(staff, list, &f).await
}

async fn save(
    staff: Staff,
    list: Vec<Assignment>,
    submitted: &AssignmentForm,
) -> Result<HttpResponse, PageError> {
    match staff::save_assignments(&staff.app.interviews, list, staff.name()).await {
        Ok(_) => Ok(see_other("/admin/rubrics?assigned=1#assignments")),
        Err(StaffError::Invalid(m)) => {
            // The API's messages locate each problem in the whole list (`[2].rubric_id: …`);
            // the page changed one row, so the message alone reads better.
            let m: Vec<&str> = m
                .split("; ")
                .map(|p| match p.split_once(": ") {
                    Some((at, rest)) if at.starts_with('[') => rest,
                    _ => p,
                })
                .collect();
            let error = format!("{}; nothing was changed.", m.join("; "));
            refused(&staff, error, Some(submitted)).await
        }
        Err(e) => Err(staff.fail(e)),
    }
}

async fn refused(
    staff: &Staff,
    error: String,
    submitted: Option<&AssignmentForm>,
) -> Result<HttpResponse, PageError> {
    let new = new_rubric(staff, None).await?;
    let mut a = assignments(staff);
    if let Some(f) = submitted {
        let pick = |choices: &mut Vec<Choice>, value: &str| {
            for c in choices {
                c.selected = c.value == value;
            }
        };
        pick(&mut a.kinds, &f.kind);
        pick(&mut a.topics, &f.topic);
        pick(&mut a.rubrics, &f.rubric_id);
    }
    a.error = Some(error);
    Ok(super::rubrics::list_page(
        staff,
        StatusCode::UNPROCESSABLE_ENTITY,
        new,
        a,
    ))
}
