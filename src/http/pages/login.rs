//! Logging in by pasting a staff API token, and logging out.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::guard::{cross_origin, same_origin};
use super::{LOGIN, Page, see_other};
use crate::http::AppState;
use crate::store::StoreError;
use crate::tokens;
use crate::tokens::TOKEN_PREFIX;

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    token: String,
}

fn page(app: &AppState, status: StatusCode, error: Option<&str>) -> HttpResponse {
    app.pages.render(
        status,
        "login",
        &Page {
            title: "Log in",
            nav: None,
            body: json!({ "error": error }),
        },
    )
}

/// `GET /admin/login`.
pub async fn form(app: web::Data<AppState>) -> HttpResponse {
    page(&app, StatusCode::OK, None)
}

/// `POST /admin/login`: a valid, unrevoked staff token sets the login cookie.
pub async fn submit(
    req: HttpRequest,
    app: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> HttpResponse {
    if !same_origin(&req) {
        return page(&app, StatusCode::FORBIDDEN, Some(&cross_origin().message));
    }
    // Every attempt counts, so the form cannot be used to try tokens quickly.
    if let Err(e) = app.auth.allow_attempt(&req) {
        return page(&app, e.status(), Some(&e.message));
    }
    let token = form.token.trim();
    match is_staff_token(&app, token).await {
        Ok(true) => {
            let secure = req.connection_info().scheme() == "https";
            let mut resp = see_other("/admin/sessions");
            let _ = resp.add_cookie(&app.auth.login_cookie(token, secure));
            resp
        }
        Ok(false) => page(
            &app,
            StatusCode::UNAUTHORIZED,
            Some(
                "That token is unknown or has been revoked. Paste a recruiter or admin API token \
                 (it starts with rh_; create one with `rehearse token create`).",
            ),
        ),
        Err(_) => page(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            Some("The database is unavailable; try again in a moment."),
        ),
    }
}

/// Only staff API tokens log in: a candidate's resume token never reaches the tokens table.
async fn is_staff_token(app: &AppState, token: &str) -> Result<bool, StoreError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(false);
    }
    let found = app
        .interviews
        .store
        .token_by_hash(&tokens::hash_token(token))
        .await?;
    Ok(found.is_some_and(|t| t.revoked_at.is_none() && tokens::verify(token, &t.token_hash)))
}

/// `POST /admin/logout`. Like every form, refused when posted from another site (which could
/// otherwise log staff out at will).
pub async fn logout(req: HttpRequest, app: web::Data<AppState>) -> HttpResponse {
    if !same_origin(&req) {
        return page(&app, StatusCode::FORBIDDEN, Some(&cross_origin().message));
    }
    let mut resp = see_other(LOGIN);
    let _ = resp.add_cookie(&app.auth.logout_cookie());
    resp
}
