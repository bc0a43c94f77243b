//! Rubric pages (admins only): the list, one rubric's versions with an editor and a diff between
//! two of them, a preview that grades an answer without storing it, and calibration against the
//! rubric's examples.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::format;
use super::rubric_admin::{Assignments, assignments};
use super::rubric_diff::diff_view;
use super::rubric_new::{NewRubric, new_rubric};
use super::rubric_page::{Calibrated, Editor, kinds, latest, page, preview_result, show_page};
use super::{PageError, Staff, see_other};
use crate::rubric::Correlation;
use crate::staff::{self, RubricInput, StaffError};

#[derive(Serialize)]
struct Summary {
    href: String,
    id: String,
    name: String,
    kinds: String,
    version: u32,
    versions: usize,
    criteria: usize,
    pass_mark: u8,
}

/// The rubric list with the new-rubric form and the assignments.
pub fn list_page(
    staff: &Staff,
    status: StatusCode,
    new: NewRubric,
    assignments: Assignments,
) -> HttpResponse {
    let mut rows = Vec::new();
    for r in staff.app.interviews.rubrics.all_latest() {
        let versions = staff.app.interviews.rubrics.version_count(&r.id);
        rows.push(Summary {
            href: format!("/admin/rubrics/{}", format::encode(&r.id)),
            id: r.id.clone(),
            name: r.name.clone(),
            kinds: kinds(&r),
            version: r.version,
            versions,
            criteria: r.criteria.len(),
            pass_mark: r.pass_mark,
        });
    }
    staff.page(
        status,
        "rubrics",
        "Rubrics",
        serde_json::json!({ "rubrics": rows, "new_rubric": new, "assignments": assignments }),
    )
}

/// Query of `GET /admin/rubrics`.
#[derive(Deserialize)]
pub struct ListQuery {
    /// The rubric the "New rubric" form starts from.
    copy: Option<String>,
    /// Set after assignments were saved.
    assigned: Option<String>,
}

/// `GET /admin/rubrics?copy=ID`: the list, the new-rubric form and the assignments.
pub async fn list(staff: Staff, q: web::Query<ListQuery>) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let new = new_rubric(&staff, q.copy.as_deref()).await?;
    let mut a = assignments(&staff);
    a.saved = q.assigned.is_some();
    Ok(list_page(&staff, StatusCode::OK, new, a))
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<u32>,
    /// The version whose reviewed-answer example was just added.
    added: Option<u32>,
    /// The versions to compare (numbers; checked by the diff).
    from: Option<String>,
    to: Option<String>,
}

/// `GET /admin/rubrics/{id}`.
pub async fn show(
    staff: Staff,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let r = latest(&staff, &id)?;
    let mut p = page(&staff, &r, "").await?;
    p.editor.saved = q.saved.map(|v| format!("Saved as version {v}."));
    p.calibration_notice = q.added.map(|v| {
        format!(
            "The reviewed answer is now calibration example {} (saved as version {v}).",
            r.calibration.len()
        )
    });
    let status = match diff_view(&p.versions, q.from.as_deref(), q.to.as_deref()) {
        Ok(d) => {
            p.diff = d;
            StatusCode::OK
        }
        Err(e) => {
            p.diff_error = Some(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    Ok(show_page(&staff, status, p))
}

#[derive(Deserialize)]
pub struct SourceForm {
    #[serde(default)]
    source: String,
}

/// `POST /admin/rubrics/{id}`: saves the edited TOML as the next version; an invalid document
/// is shown again with every problem and nothing is stored.
pub async fn save(
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<SourceForm>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let r = latest(&staff, &id)?;
    let text = form.into_inner().source;
    // Versions created through the API may be JSON; the editor shows them as they were stored.
    let input = if staff::is_json(&text) {
        RubricInput::Json(&text)
    } else {
        RubricInput::Toml(&text)
    };
    let refused =
        match staff::save_version(&staff.app.interviews, input, Some(&id), staff.name()).await {
            Ok(saved) => {
                return Ok(see_other(&format!(
                    "/admin/rubrics/{}?saved={}",
                    format::encode(&id),
                    saved.version
                )));
            }
            Err(StaffError::InvalidRubric(problems)) => Editor {
                error: Some(format!(
                    "The rubric has {} problem(s); nothing was saved.",
                    problems.len()
                )),
                problems,
                ..Default::default()
            },
            Err(e @ (StaffError::Invalid(_) | StaffError::Conflict(_))) => Editor {
                error: Some(format!("{e}; nothing was saved.")),
                ..Default::default()
            },
            Err(e) => return Err(staff.fail(e)),
        };
    let mut p = page(&staff, &r, "").await?;
    p.editor = Editor { text, ..refused };
    Ok(show_page(&staff, StatusCode::UNPROCESSABLE_ENTITY, p))
}

#[derive(Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    question_id: String,
    #[serde(default)]
    answer: String,
}

/// `POST /admin/rubrics/{id}/preview`: grades an answer with the latest version, storing nothing.
pub async fn preview(
    staff: Staff,
    id: web::Path<String>,
    form: web::Form<PreviewForm>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let r = latest(&staff, &id)?;
    let f = form.into_inner();
    let mut p = page(&staff, &r, &f.question_id).await?;
    let outcome = if f.answer.len() > staff.app.interviews.max_answer_bytes {
        Err(StaffError::Invalid(
            "the answer is over the length limit".into(),
        ))
    } else {
        staff::preview(&staff.app.interviews, &r, &f.question_id, &f.answer).await
    };
    let status = match outcome {
        Ok((e, llm_error)) => {
            p.preview.result = Some(preview_result(&e, llm_error));
            StatusCode::OK
        }
        Err(StaffError::Invalid(m)) => {
            p.preview.error = Some(m);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(staff.fail(e)),
    };
    p.preview.answer = f.answer;
    Ok(show_page(&staff, status, p))
}

/// `POST /admin/rubrics/{id}/calibrate`: grades the calibration examples and shows agreement.
pub async fn calibrate(staff: Staff, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let r = latest(&staff, &id)?;
    let mut p = page(&staff, &r, "").await?;
    let status = match staff::calibrate(&staff.app.interviews, &r).await {
        Ok(c) => {
            let a = &c.agreement;
            p.calibration = Some(Calibrated {
                n: a.n,
                mae: format!("{:.1} (n = {})", a.mean_absolute_error, a.n),
                spearman: match a.spearman {
                    Some(_) => format!("{} (n = {})", a.spearman_text(), a.n),
                    None => a.spearman_text(),
                },
                enough: a.correlation != Correlation::NotEnoughExamples,
                rows: c.examples,
            });
            StatusCode::OK
        }
        Err(StaffError::Invalid(m)) => {
            p.calibration_error = Some(m);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(staff.fail(e)),
    };
    Ok(show_page(&staff, status, p))
}
