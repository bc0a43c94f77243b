//! The rubric list page's "New rubric" form (admins only): a copy of an existing rubric's
//! source to start from, stored as version 1 of the new one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::format;
use super::rubric_admin::assignments;
use super::rubric_page::kinds;
use super::{PageError, Staff, see_other};
use crate::lint::Problem;
use crate::rubric::Rubric;
use crate::staff::{self, IdMismatch, RubricInput, StaffError};

/// The rubric a new one is copied from unless the admin picks another.
const DEFAULT_COPY: &str = "technical";

#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The "New rubric" form.
#[derive(Serialize, Default)]
pub struct NewRubric {
    copy: String,
    copies: Vec<Choice>,
    id: String,
    source: String,
    problems: Vec<Problem>,
    error: Option<String>,
}

/// The form prefilled with a copy (without id and version) of `copy`'s latest source.
pub async fn new_rubric(staff: &Staff, copy: Option<&str>) -> Result<NewRubric, PageError> {
    let rubrics = &staff.app.interviews.rubrics;
    let copy = copy
        .filter(|id| rubrics.latest(id).is_some())
        .unwrap_or(DEFAULT_COPY)
        .to_string();
    let stored = staff
        .app
        .interviews
        .store
        .rubric_versions(&copy)
        .await
        .map_err(|e| staff.fail(e))?;
    let source = stored
        .iter()
        .max_by_key(|v| v.version)
        .map(|v| staff::copy_source(staff::stored_source(v)))
        .unwrap_or_default();
    Ok(NewRubric {
        copies: rubric_choices(staff, &copy),
        copy,
        source,
        ..Default::default()
    })
}

pub fn rubric_choices(staff: &Staff, selected: &str) -> Vec<Choice> {
    staff
        .app
        .interviews
        .rubrics
        .all_latest()
        .iter()
        .map(|r| Choice {
            value: r.id.clone(),
            label: format!("{} ({}; grades {})", r.name, r.id, kinds(r)),
            selected: r.id == selected,
        })
        .collect()
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    copy: String,
}

/// Why a new rubric was refused: its problems, and the message shown above them.
type Refusal = (Vec<Problem>, String);

fn problems_found(problems: Vec<Problem>) -> Refusal {
    let n = problems.len();
    (
        problems,
        format!("The rubric has {n} problem(s); nothing was saved."),
    )
}

/// Stores version 1 of rubric `id` from `source`, or says why not.
async fn try_create(
    staff: &Staff,
    id: &str,
    source: &str,
) -> Result<Result<Arc<Rubric>, Refusal>, PageError> {
    if id.is_empty() {
        return Ok(Err((Vec::new(), "Give the new rubric an id.".into())));
    }
    let text = match staff::with_id(source, id) {
        Ok(text) => text,
        Err(IdMismatch { in_document }) => {
            let p = Problem::new(
                None,
                "id",
                format!("the document says `{in_document}` but the id field says `{id}`"),
            );
            return Ok(Err(problems_found(vec![p])));
        }
    };
    let input = if staff::is_json(&text) {
        RubricInput::Json(&text)
    } else {
        RubricInput::Toml(&text)
    };
    Ok(
        match staff::save_version(&staff.app.interviews, input, None, staff.name()).await {
            Ok(saved) => Ok(saved),
            Err(StaffError::InvalidRubric(problems)) => Err(problems_found(problems)),
            Err(StaffError::Conflict(_)) => Err((
                Vec::new(),
                format!(
                    "A rubric with the id “{id}” exists already; nothing was saved. Pick another \
                     id, or edit that rubric on its page."
                ),
            )),
            Err(e @ StaffError::Invalid(_)) => {
                Err((Vec::new(), format!("{e}; nothing was saved.")))
            }
            Err(e) => return Err(staff.fail(e)),
        },
    )
}

/// `POST /admin/rubrics`: stores version 1 of a new rubric, validated as `POST /api/rubrics`
/// does; a refused one is shown again with every problem and nothing is stored.
pub async fn create(staff: Staff, form: web::Form<CreateForm>) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let f = form.into_inner();
    let (problems, error) = match try_create(&staff, f.id.trim(), &f.source).await? {
        Ok(saved) => {
            return Ok(see_other(&format!(
                "/admin/rubrics/{}?saved={}",
                format::encode(&saved.id),
                saved.version
            )));
        }
        Err(refusal) => refusal,
    };
    let mut new = new_rubric(&staff, Some(&f.copy)).await?;
    new.id = f.id;
    new.source = f.source;
    new.problems = problems;
    new.error = Some(error);
    Ok(super::rubrics::list_page(
        &staff,
        StatusCode::UNPROCESSABLE_ENTITY,
        new,
        assignments(&staff),
    ))
}
