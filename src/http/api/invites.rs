//! Invites: recruiters create them; the chat page checks one before starting its interview.

use crate::error_code::Code;
use crate::http::access::{Recruiter, Staff};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::super::{ApiError, AppState};
use crate::staff::{self, InviteRequest, InviteView};
use crate::tokens;

/// Creates an invite. The response carries the token and the link `/?invite=TOKEN`, once.
#[utoipa::path(
    post, path = "/api/invites", tag = "invites",
    request_body = InviteRequest,
    responses(
        (status = 201, description = "The invite, with its token and link", body = InviteView),
        (status = 400, description = "Malformed body", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
        (status = 422, description = "Impossible plan, unknown rubric, bad expiry or use count", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    staff: Staff<Recruiter>,
    app: web::Data<AppState>,
    body: web::Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    let by = staff.name;
    let view = staff::create_invite(
        &app.interviews,
        body.into_inner(),
        &by,
        app.server.public_url.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Every invite, newest first (without tokens), with its status and the interviews it started.
#[utoipa::path(
    get, path = "/api/invites", tag = "invites",
    responses(
        (status = 200, description = "Invites", body = Vec<InviteView>),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn list(_: Staff<Recruiter>, app: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(staff::list_invites(&app.interviews).await?))
}

/// Revokes an invite: its link starts no further interview; interviews already started go on.
/// Revoking an invite that is already revoked changes nothing.
#[utoipa::path(
    delete, path = "/api/invites/{id}", tag = "invites",
    params(("id" = String, Path, description = "Invite id")),
    responses(
        (status = 200, description = "The revoked invite", body = InviteView),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
        (status = 404, description = "No such invite", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn revoke(
    staff: Staff<Recruiter>,
    app: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = staff::revoke_invite(&app.interviews, &id, &staff.name).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// An invite token to check.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteCheck {
    pub token: String,
}

/// What the candidate's page shows about an invite before starting: the plan, and the notice
/// they must agree to (its `version` goes back in `start` as `consent`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InviteStatus {
    pub candidate_name: Option<String>,
    pub topics: Vec<String>,
    pub level: String,
    pub count: i64,
    pub expires_at: i64,
    pub notice: staff::Notice,
}

/// Checks an invite token without using it (public: the token is the credential). The token is
/// sent in the body so it stays out of request logs.
#[utoipa::path(
    post, path = "/api/invites/check", tag = "invites",
    request_body = InviteCheck,
    responses(
        (status = 200, description = "The invite can start an interview", body = InviteStatus),
        (status = 400, description = "Malformed body", body = ApiError),
        (status = 404, description = "Unknown invite (`invite_invalid`)", body = ApiError),
        (status = 410, description = "Expired (`invite_expired`), used up (`invite_used_up`) or revoked (`invite_revoked`)", body = ApiError),
        (status = 422, description = "Text holding the NUL character (`invalid_request`)", body = ApiError),
        (status = 429, description = "Too many attempts", body = ApiError),
    )
)]
pub async fn check(
    req: HttpRequest,
    app: web::Data<AppState>,
    body: web::Json<InviteCheck>,
) -> Result<HttpResponse, ApiError> {
    let invite = app
        .interviews
        .store
        .invite_by_token_hash(&tokens::hash_token(&body.token))
        .await?;
    let Some(i) = invite else {
        app.auth.allow_attempt(&req)?;
        return Err(ApiError::from(Code::InviteInvalid));
    };
    use crate::store::InviteProblem;
    match staff::invite_problem(&i, app.interviews.clock.now_ms()) {
        Some(InviteProblem::Expired) => Err(Code::InviteExpired.into()),
        Some(InviteProblem::UsedUp) => Err(Code::InviteUsedUp.into()),
        Some(InviteProblem::Revoked) => Err(Code::InviteRevoked.into()),
        Some(InviteProblem::Unknown) => Err(Code::InviteInvalid.into()),
        None => Ok(HttpResponse::Ok().json(InviteStatus {
            notice: staff::notice(&app.interviews.notice, &i),
            candidate_name: i.candidate_name,
            topics: i.topics,
            level: i.level,
            count: i.question_count,
            expires_at: i.expires_at,
        })),
    }
}
