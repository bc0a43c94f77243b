//! Rubric pages (admins only): the list, one rubric's versions with an editor, a preview that
//! grades an answer without storing it, and calibration against the rubric's examples.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::format;
use super::rubric_page::{Calibrated, Editor, kinds, latest, page, preview_result, show_page};
use super::{PageError, Staff, see_other};
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

/// `GET /admin/rubrics`.
pub async fn list(staff: Staff) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
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
    Ok(staff.page(
        StatusCode::OK,
        "rubrics",
        "Rubrics",
        serde_json::json!({ "rubrics": rows }),
    ))
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<u32>,
}

/// `GET /admin/rubrics/{id}`.
pub async fn show(
    staff: Staff,
    id: web::Path<String>,
    q: web::Query<Saved>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let r = latest(&staff, &id)?;
    let mut p = page(&staff, &r, "").await?;
    p.editor.saved = q.saved.map(|v| format!("Saved as version {v}."));
    Ok(show_page(&staff, StatusCode::OK, p))
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
    let input = if text.trim_start().starts_with('{') {
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
            p.calibration = Some(Calibrated {
                n: c.agreement.n,
                mae: format!("{:.1}", c.agreement.mean_absolute_error),
                spearman: c
                    .agreement
                    .spearman
                    .map_or("n/a".into(), |s| format!("{s:.2}")),
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
