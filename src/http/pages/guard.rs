//! Who may see a page: the logged-in staff member extractor, and what a refused page looks like.

use actix_web::cookie::Cookie;
use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use std::fmt;

use super::{LOGIN, Page, html, see_other};
use crate::error_code::Code;
use crate::http::auth::{COOKIE, Principal, Role};
use crate::http::{ApiError, AppState};

/// The navigation bar: who is logged in, and which section is showing.
#[derive(Debug, Clone, Serialize)]
pub struct Nav {
    name: String,
    role: &'static str,
    admin: bool,
    section: &'static str,
}

/// A logged-in staff member: the extractor every page but the login form uses. Without a valid
/// staff login the request is redirected to the login form.
pub struct Staff {
    pub app: web::Data<AppState>,
    nav: Nav,
}

impl Staff {
    pub fn in_section(mut self, section: &'static str) -> Self {
        self.nav.section = section;
        self
    }

    pub fn name(&self) -> &str {
        &self.nav.name
    }

    /// Admins only: a 403 page for recruiters.
    pub fn admin(&self) -> Result<(), PageError> {
        if self.nav.admin {
            Ok(())
        } else {
            Err(self.fail(ApiError::new(
                Code::Forbidden,
                "Rubrics are managed by admins; your token has the recruiter role.",
            )))
        }
    }

    pub fn page(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        body: impl Serialize,
    ) -> HttpResponse {
        let page = Page {
            title,
            nav: Some(&self.nav),
            body,
        };
        self.app.pages.render(status, template, &page)
    }

    pub fn fail(&self, e: impl Into<ApiError>) -> PageError {
        self.app.pages.error(Some(&self.nav), &e.into())
    }
}

impl FromRequest for Staff {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let app = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| {
                    PageError::Response(StatusCode::INTERNAL_SERVER_ERROR, String::new())
                })?;
            if !same_origin(&req) {
                return Err(app.pages.error(None, &cross_origin()));
            }
            match app.principal(&req).await {
                Ok(Principal::Staff { name, role }) => Ok(Staff {
                    nav: Nav {
                        name,
                        role: role.as_str(),
                        admin: role == Role::Admin,
                        section: "",
                    },
                    app,
                }),
                Ok(Principal::Candidate { .. } | Principal::Profile { .. }) => {
                    Err(PageError::Login)
                }
                Err(e) if e.code == Code::Unauthorized => Err(PageError::Login),
                Err(e) => Err(app.pages.error(None, &e)),
            }
        })
    }
}

/// A page that could not be shown: the login redirect, or a rendered error page.
#[derive(Debug)]
pub enum PageError {
    Login,
    Response(StatusCode, String),
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::Login => f.write_str("login required"),
            PageError::Response(status, _) => write!(f, "page error {status}"),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::Login => StatusCode::SEE_OTHER,
            PageError::Response(status, _) => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            // A cookie that no longer authenticates (revoked token, rotated key) is dropped.
            PageError::Login => {
                let mut gone = Cookie::build(COOKIE, "").path("/").finish();
                gone.make_removal();
                let mut resp = see_other(LOGIN);
                let _ = resp.add_cookie(&gone);
                resp
            }
            PageError::Response(status, body) => html(*status).body(body.clone()),
        }
    }
}

/// The login cookie is SameSite=Strict; refusing form posts whose Origin names another host
/// also covers the login form, which has no cookie yet.
pub fn same_origin(req: &HttpRequest) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return true;
    }
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let host = req.connection_info().host().to_string();
    origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .is_some_and(|(_, h)| h == host)
}

pub fn cross_origin() -> ApiError {
    ApiError::new(Code::Forbidden, "This form was posted from another site.")
}
