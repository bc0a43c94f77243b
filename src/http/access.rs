//! Who may call an API handler, stated in its signature: [`Staff<Recruiter>`] (any staff token),
//! [`Staff<Admin>`], or [`SessionReader`] (staff, or the candidate whose interview the path
//! names). A handler reaches the data only through one of these extractors, so a route without
//! one is visibly open.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use std::marker::PhantomData;

use super::auth::{Principal, Role};
use super::{ApiError, AppState};
use crate::error_code::Code;
use crate::staff::Viewer;

/// A staff rank a handler demands.
pub trait Rank: 'static {
    /// True when a token with `role` holds this rank.
    fn admits(role: Role) -> bool;
    /// What a caller without the rank is told.
    const REFUSAL: &'static str;
}

/// Any staff token: recruiters and admins.
pub enum Recruiter {}

/// Admin tokens only.
pub enum Admin {}

impl Rank for Recruiter {
    fn admits(_: Role) -> bool {
        true
    }
    const REFUSAL: &'static str = "recruiters and admins only";
}

impl Rank for Admin {
    fn admits(role: Role) -> bool {
        role == Role::Admin
    }
    const REFUSAL: &'static str = "admins only";
}

/// A staff caller holding at least rank `R`: 401 without a valid token, 403 without the rank.
#[derive(Debug)]
pub struct Staff<R: Rank = Recruiter> {
    /// The token's name, recorded as the author of what the caller changes.
    pub name: String,
    pub role: Role,
    rank: PhantomData<fn() -> R>,
}

/// The caller allowed to read the interview named by the path's `{id}`: staff, or that
/// interview's candidate (their resume token).
#[derive(Debug)]
pub struct SessionReader {
    pub session_id: String,
    /// What the caller may see of it.
    pub viewer: Viewer,
}

fn app(req: &HttpRequest) -> Result<&web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::server(Code::Internal, "the application state is not registered"))
}

/// Authenticates the request against the application's token store.
async fn principal(req: &HttpRequest) -> Result<Principal, ApiError> {
    app(req)?.principal(req).await
}

impl<R: Rank> FromRequest for Staff<R> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match principal(&req).await? {
                Principal::Staff { name, role } if R::admits(role) => Ok(Staff {
                    name,
                    role,
                    rank: PhantomData,
                }),
                _ => Err(ApiError::new(Code::Forbidden, R::REFUSAL)),
            }
        })
    }
}

impl FromRequest for SessionReader {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let session_id = req.match_info().get("id").unwrap_or_default().to_string();
            match principal(&req).await? {
                Principal::Staff { .. } => Ok(SessionReader {
                    session_id,
                    viewer: Viewer::Staff,
                }),
                Principal::Candidate { session_id: own } if own == session_id => {
                    Ok(SessionReader {
                        session_id,
                        viewer: Viewer::Candidate,
                    })
                }
                Principal::Candidate { .. } => Err(ApiError::new(
                    Code::Forbidden,
                    "a candidate can only see their own interview",
                )),
                Principal::Profile { profile_id } => {
                    let session = app(&req)?.interviews.store.session(&session_id).await?;
                    if session.profile_id.as_deref() == Some(profile_id.as_str()) {
                        Ok(SessionReader {
                            session_id,
                            viewer: Viewer::Candidate,
                        })
                    } else {
                        Err(ApiError::new(
                            Code::Forbidden,
                            "a practice profile can only see its own interviews",
                        ))
                    }
                }
            }
        })
    }
}

/// The holder of a practice profile's key (`Authorization: Bearer rhp_…`).
#[derive(Debug)]
pub struct ProfileHolder {
    pub profile_id: String,
}

impl FromRequest for ProfileHolder {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match principal(&req).await? {
                Principal::Profile { profile_id } => Ok(ProfileHolder { profile_id }),
                _ => Err(ApiError::new(
                    Code::Forbidden,
                    "send the practice profile's key as the bearer token",
                )),
            }
        })
    }
}
