//! Rubric configuration: versions (immutable; an edit is a new version), assignments, preview
//! and calibration.

use crate::error_code::Code;
use crate::http::access::{Admin, Recruiter, Staff};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::super::{ApiError, AppState};
use crate::evaluate::Evaluation;
use crate::rubric::Assignment;
use crate::rubric::{CalibrationExample, Rubric};
use crate::staff::{self, Calibration, RubricInput};

/// Largest rubric document accepted.
const MAX_BODY: usize = 256 * 1024;

/// A rubric and how many versions it has.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RubricSummary {
    pub id: String,
    pub name: String,
    pub latest_version: u32,
    pub kinds: Vec<crate::bank::Kind>,
    pub versions: usize,
}

/// One stored version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RubricVersionView {
    pub version: i64,
    #[schema(value_type = Object)]
    pub rubric: serde_json::Value,
    /// The document as submitted (TOML or JSON).
    pub source_text: String,
    pub created_at: i64,
    pub created_by: Option<String>,
}

/// Every version of one rubric.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RubricHistory {
    pub id: String,
    pub versions: Vec<RubricVersionView>,
}

/// Lists rubrics with their latest version.
#[utoipa::path(
    get, path = "/api/rubrics", tag = "rubrics",
    responses(
        (status = 200, description = "Rubrics", body = Vec<RubricSummary>),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn list(_: Staff<Recruiter>, app: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut out = Vec::new();
    for r in app.interviews.rubrics.all_latest() {
        let versions = app.interviews.rubrics.version_count(&r.id);
        out.push(RubricSummary {
            id: r.id.clone(),
            name: r.name.clone(),
            latest_version: r.version,
            kinds: r.kinds.clone(),
            versions,
        });
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Every version of a rubric, oldest first.
#[utoipa::path(
    get, path = "/api/rubrics/{id}", tag = "rubrics",
    params(("id" = String, Path, description = "Rubric id")),
    responses(
        (status = 200, description = "The rubric's versions", body = RubricHistory),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
        (status = 404, description = "No such rubric", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn history(
    _: Staff<Recruiter>,
    app: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let versions = app.interviews.store.rubric_versions(&id).await?;
    if versions.is_empty() {
        return Err(ApiError::not_found(format!("no rubric `{id}`")));
    }
    let versions = versions
        .into_iter()
        .map(|v| RubricVersionView {
            version: v.version,
            rubric: serde_json::from_str(&v.body).unwrap_or(serde_json::Value::Null),
            source_text: v.source_text,
            created_at: v.created_at,
            created_by: v.created_by,
        })
        .collect();
    Ok(HttpResponse::Ok().json(RubricHistory {
        id: id.into_inner(),
        versions,
    }))
}

fn input<'a>(req: &HttpRequest, body: &'a str) -> RubricInput<'a> {
    let json = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if json {
        RubricInput::Json(body)
    } else {
        RubricInput::Toml(body)
    }
}

fn body_text(body: &web::Bytes) -> Result<&str, ApiError> {
    if body.len() > MAX_BODY {
        return Err(ApiError::new(
            Code::PayloadTooLarge,
            "the rubric document is too large",
        ));
    }
    std::str::from_utf8(body).map_err(|_| ApiError::from(Code::InvalidBody))
}

fn saved(r: &Rubric) -> serde_json::Value {
    serde_json::json!({"id": r.id, "version": r.version, "rubric": r})
}

/// Creates a rubric (version 1) from a TOML (`application/toml`) or JSON document. Every problem
/// is reported with its field path and nothing is saved unless the whole document is valid.
#[utoipa::path(
    post, path = "/api/rubrics", tag = "rubrics",
    request_body(content((String = "application/toml"), (Rubric = "application/json")), description = "The rubric document (its `version` is assigned by the server)"),
    responses(
        (status = 201, description = "Created", body = Object),
        (status = 400, description = "The body is not UTF-8 text", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 409, description = "A rubric with this id exists", body = ApiError),
        (status = 413, description = "Too large", body = ApiError),
        (status = 422, description = "Invalid rubric: every problem with its field path", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    staff: Staff<Admin>,
    req: HttpRequest,
    app: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let by = staff.name;
    let text = body_text(&body)?;
    let r = staff::save_version(&app.interviews, input(&req, text), None, &by).await?;
    Ok(HttpResponse::Created().json(saved(&r)))
}

/// Saves an edit as the next version. Evaluations made with earlier versions keep pointing at them.
#[utoipa::path(
    put, path = "/api/rubrics/{id}", tag = "rubrics",
    params(("id" = String, Path, description = "Rubric id")),
    request_body(content((String = "application/toml"), (Rubric = "application/json")), description = "The rubric document (its `version` is assigned by the server)"),
    responses(
        (status = 200, description = "The new version", body = Object),
        (status = 400, description = "The body is not UTF-8 text", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 404, description = "No such rubric", body = ApiError),
        (status = 413, description = "Too large", body = ApiError),
        (status = 422, description = "Invalid rubric: every problem with its field path", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    staff: Staff<Admin>,
    req: HttpRequest,
    app: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let by = staff.name;
    let text = body_text(&body)?;
    let r = staff::save_version(&app.interviews, input(&req, text), Some(&id), &by).await?;
    Ok(HttpResponse::Ok().json(saved(&r)))
}

/// An answer to grade without storing it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    #[schema(min_length = 1)]
    pub question_id: String,
    #[schema(min_length = 1)]
    pub answer: String,
    /// A stored version to use instead of the latest.
    #[serde(default, deserialize_with = "crate::whole::option")]
    #[schema(minimum = 1)]
    pub version: Option<u32>,
}

/// The evaluation a rubric would give.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewResult {
    pub evaluation: Evaluation,
    /// Why the LLM judge did not grade it (the evaluation is then the built-in fallback).
    pub llm_error: Option<String>,
}

fn rubric_version(app: &AppState, id: &str, version: Option<u32>) -> Result<Arc<Rubric>, ApiError> {
    let found = match version {
        Some(v) => app.interviews.rubrics.version(id, v),
        None => app.interviews.rubrics.latest(id),
    };
    found.ok_or_else(|| {
        ApiError::not_found(format!(
            "no rubric `{id}`{}",
            version.map_or(String::new(), |v| format!(" version {v}"))
        ))
    })
}

/// Grades an answer with this rubric and the configured evaluator (built-in or LLM), storing nothing.
#[utoipa::path(
    post, path = "/api/rubrics/{id}/preview", tag = "rubrics",
    params(("id" = String, Path, description = "Rubric id")),
    request_body = PreviewRequest,
    responses(
        (status = 200, description = "The evaluation", body = PreviewResult),
        (status = 400, description = "Malformed body", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 404, description = "No such rubric or version", body = ApiError),
        (status = 422, description = "Unknown question, empty answer, or a question this rubric does not grade", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn preview(
    _: Staff<Admin>,
    app: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<PreviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let rubric = rubric_version(&app, &id, body.version)?;
    if body.answer.len() > app.server.max_answer_bytes {
        return Err(ApiError::new(
            Code::AnswerTooLong,
            "the answer is over the limit",
        ));
    }
    let (evaluation, llm_error) =
        staff::preview(&app.interviews, &rubric, &body.question_id, &body.answer).await?;
    Ok(HttpResponse::Ok().json(PreviewResult {
        evaluation,
        llm_error,
    }))
}

/// Grades the rubric's calibration examples and reports agreement with the expected scores: the
/// number of examples `n`, the mean absolute error, and Spearman's rank correlation only from
/// `min_examples` (8) examples on — below that `spearman` is null and `correlation` is
/// `not_enough_examples`.
#[utoipa::path(
    post, path = "/api/rubrics/{id}/calibrate", tag = "rubrics",
    params(("id" = String, Path, description = "Rubric id")),
    responses(
        (status = 200, description = "Agreement and per-example scores", body = Calibration),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 404, description = "No such rubric", body = ApiError),
        (status = 422, description = "A calibration example names an unknown question", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn calibrate(
    _: Staff<Admin>,
    app: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let rubric = rubric_version(&app, &id, None)?;
    let report: Calibration = staff::calibrate(&app.interviews, &rubric).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Which rubric grades which kind (and optionally topic).
#[utoipa::path(
    get, path = "/api/rubric-assignments", tag = "rubrics",
    responses(
        (status = 200, description = "Assignments", body = Vec<Assignment>),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn assignments(
    _: Staff<Recruiter>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(app.interviews.rubrics.assignments()))
}

/// Replaces the assignments. `topic` empty or missing means every topic of the kind; a kind
/// with no assignment is graded by its shipped default rubric.
#[utoipa::path(
    put, path = "/api/rubric-assignments", tag = "rubrics",
    request_body(content = Vec<Assignment>, description = "The complete list of assignments"),
    responses(
        (status = 200, description = "The assignments now in force", body = Vec<Assignment>),
        (status = 400, description = "Malformed body", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 422, description = "Unknown kind, topic or rubric, or a duplicate", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn set_assignments(
    staff: Staff<Admin>,
    app: web::Data<AppState>,
    body: web::Json<Vec<Assignment>>,
) -> Result<HttpResponse, ApiError> {
    let by = staff.name;
    Ok(HttpResponse::Ok()
        .json(staff::save_assignments(&app.interviews, body.into_inner(), &by).await?))
}

/// A reviewed turn to add to a rubric's calibration examples.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleRequest {
    #[schema(min_length = 1)]
    pub session_id: String,
    #[serde(deserialize_with = "crate::whole::int")]
    #[schema(minimum = 1)]
    pub turn: i64,
}

/// The rubric's new version with the added example.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExampleAdded {
    pub id: String,
    pub version: u32,
    pub rubric: Rubric,
    pub example: CalibrationExample,
}

/// Adds a reviewed answer to the rubric's calibration examples, as a new version: the turn's
/// question, its answer as graded (with the earlier answers to the same question for a
/// follow-up) and the newest human review's overall score as the expected score.
#[utoipa::path(
    post, path = "/api/rubrics/{id}/examples", tag = "rubrics",
    params(("id" = String, Path, description = "Rubric id: the rubric that graded the turn")),
    request_body = ExampleRequest,
    responses(
        (status = 201, description = "The new version", body = ExampleAdded),
        (status = 400, description = "Malformed body", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 404, description = "No such rubric, session or turn", body = ApiError),
        (status = 409, description = "The answer is already an example, or the rubric changed meanwhile", body = ApiError),
        (status = 422, description = "The turn has no human review, was graded by another rubric, or the new version does not validate", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn add_example(
    staff: Staff<Admin>,
    app: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<ExampleRequest>,
) -> Result<HttpResponse, ApiError> {
    rubric_version(&app, &id, None)?;
    let (r, example) = staff::add_reviewed_example(
        &app.interviews,
        Some(&id),
        &body.session_id,
        body.turn,
        &staff.name,
    )
    .await?;
    Ok(HttpResponse::Created().json(ExampleAdded {
        id: r.id.clone(),
        version: r.version,
        rubric: (*r).clone(),
        example,
    }))
}
