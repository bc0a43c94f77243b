//! Transcripts for recruiters: list with filters and cursor pagination, detail, export, review.

use crate::error_code::Code;
use crate::http::access::{Admin, Recruiter, SessionReader, Staff};
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::super::{ApiError, AppState};
use crate::staff::{
    self, EvaluationView, ExportFormat, FilterProblem, ListFilter, ReviewRequest, SessionDetail,
    SessionListItem,
};
use crate::store::{AuditEntry, SessionQuery, encode_cursor};

super::pipeline::session_filters!(
    /// Filters and paging for `GET /api/sessions`.
    ListParams {
        /// Page size, 1–100 (default 25).
        #[param(minimum = 1, maximum = 100)]
        limit: Option<i64>,
        /// `next_cursor` from the previous page.
        #[param(pattern = "^[0-9a-f]*$")]
        cursor: Option<String>,
    }
);

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    Asc,
    Desc,
}

/// One page of sessions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionPage {
    pub items: Vec<SessionListItem>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The shared filter check, its first problem worded for the API.
pub(super) fn checked(filter: ListFilter) -> Result<SessionQuery, ApiError> {
    staff::list_query(filter).map_err(|problems| {
        let (code, message) = match problems[0] {
            FilterProblem::Score(name) => (
                Code::InvalidQuery,
                format!("{name} must be between 0 and 100"),
            ),
            FilterProblem::Time(name) => (
                Code::InvalidQuery,
                format!("{name} must be a Unix time in milliseconds"),
            ),
            FilterProblem::Limit => (
                Code::InvalidQuery,
                format!("limit must be between 1 and {}", staff::MAX_LIMIT),
            ),
            FilterProblem::Cursor => (
                Code::InvalidCursor,
                "the cursor is not one this API issued for this sort order".to_string(),
            ),
        };
        ApiError::new(code, message)
    })
}

/// Lists interview sessions, newest first unless sorted otherwise.
#[utoipa::path(
    get, path = "/api/sessions", tag = "transcripts",
    params(ListParams),
    responses(
        (status = 200, description = "One page of sessions", body = SessionPage),
        (status = 400, description = "Invalid filter", body = ApiError),
        (status = 422, description = "A cursor this API did not issue for this sort order", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
        (status = 429, description = "Rate limited", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    _: Staff<Recruiter>,
    app: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let mut filter = params.filter();
    filter.cursor = params.cursor.clone();
    filter.limit = params.limit;
    let q = checked(filter)?;
    let (items, next) = staff::list_page(&app.interviews.store, &q).await?;
    let next_cursor = next.map(|key| encode_cursor(q.sort, q.descending, key));
    Ok(HttpResponse::Ok().json(SessionPage { items, next_cursor }))
}

async fn detail_for(app: &AppState, reader: &SessionReader) -> Result<SessionDetail, ApiError> {
    let i = &app.interviews;
    Ok(staff::session_detail(&i.store, &i.bank, &reader.session_id, reader.viewer).await?)
}

/// A session with every turn: the question as asked, the answer and its timing, every evaluation
/// with provenance, flags and reviews. Candidates may read their own (reviews left out).
#[utoipa::path(
    get, path = "/api/sessions/{id}", tag = "transcripts",
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The transcript", body = SessionDetail),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff, nor this session's candidate", body = ApiError),
        (status = 404, description = "No such session", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn detail(
    reader: SessionReader,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(detail_for(&app, &reader).await?))
}

/// Export format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// `md`, `json` or `csv` (default `md`).
    pub format: Option<ExportFormat>,
}

/// The transcript as Markdown, JSON or CSV.
#[utoipa::path(
    get, path = "/api/sessions/{id}/export", tag = "transcripts",
    params(("id" = String, Path, description = "Session id"), ExportParams),
    responses(
        (status = 200, description = "The export", content(
            (String = "text/markdown"), (String = "text/csv"), (SessionDetail = "application/json"))),
        (status = 400, description = "Unknown format", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff, nor this session's candidate", body = ApiError),
        (status = 404, description = "No such session", body = ApiError),
        (status = 422, description = "Text holding the NUL character (`invalid_request`)", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn export(
    reader: SessionReader,
    app: web::Data<AppState>,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let format = params.format.unwrap_or(ExportFormat::Md);
    let detail = detail_for(&app, &reader).await?;
    let body = staff::export(&detail, format);
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            "content-disposition",
            format!(
                "attachment; filename=\"rehearse-{}.{}\"",
                detail.session.id,
                format.extension()
            ),
        ))
        .body(body))
}

/// The interview as a self-contained, printable HTML report: every question, answer, score
/// card, STAR breakdown and model answer, and the summary (what the reader may see of them).
#[utoipa::path(
    get, path = "/api/sessions/{id}/report", tag = "transcripts",
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "The report", content((String = "text/html"))),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff, this session's candidate, nor its practice profile", body = ApiError),
        (status = 404, description = "No such session", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn report(
    reader: SessionReader,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let detail = detail_for(&app, &reader).await?;
    let body = app.pages.report(&detail).ok_or_else(|| {
        ApiError::server(
            Code::Internal,
            format!("the report of {} did not render", detail.session.id),
        )
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!(
                "attachment; filename=\"rehearse-report-{}.html\"",
                detail.session.id
            ),
        ))
        .body(body))
}

/// Overrides criterion scores and/or the overall score of a turn, with a comment. Stored as a
/// new evaluation (`source: human`); earlier evaluations stay in the audit trail.
#[utoipa::path(
    post, path = "/api/sessions/{id}/turns/{turn}/review", tag = "transcripts",
    params(("id" = String, Path, description = "Session id"), ("turn" = i64, Path, description = "Turn number")),
    request_body = ReviewRequest,
    responses(
        (status = 201, description = "The review, now the current evaluation", body = EvaluationView),
        (status = 400, description = "Malformed body", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
        (status = 404, description = "No such session or turn, or nothing to review yet", body = ApiError),
        (status = 422, description = "Invalid scores or missing comment", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn review(
    staff: Staff<Recruiter>,
    app: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, turn) = path.into_inner();
    let stored = staff::review(&app.interviews, &id, turn, &body, &staff.name).await?;
    Ok(HttpResponse::Created().json(EvaluationView::from(stored)))
}

/// What an erasure removed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Erased {
    pub session_id: String,
    /// Answers erased with the interview.
    pub answers: i64,
}

/// Erases an interview with its questions, answers, evaluations and reviews (admins only). An
/// audit line records who erased which interview id and when, without personal data.
#[utoipa::path(
    delete, path = "/api/sessions/{id}", tag = "transcripts",
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 200, description = "Erased", body = Erased),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 404, description = "No such session", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn erase(
    staff: Staff<Admin>,
    app: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let answers = staff::erase_session(&app.interviews, &id, &staff.name).await?;
    Ok(HttpResponse::Ok().json(Erased {
        session_id: id.into_inner(),
        answers,
    }))
}

/// The audit log of erasures, newest first (admins only): who, when, which interview id.
#[utoipa::path(
    get, path = "/api/audit-log", tag = "transcripts",
    responses(
        (status = 200, description = "Audit lines", body = Vec<AuditEntry>),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn audit_log(
    _: Staff<Admin>,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(app.interviews.store.audit_log(AUDIT_LINES).await?))
}

/// Audit lines returned at most.
const AUDIT_LINES: i64 = 1000;
