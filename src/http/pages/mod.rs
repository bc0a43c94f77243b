//! Server-rendered pages for recruiters and admins under `/admin`: log in by pasting an API token
//! (kept in the encrypted login cookie), browse and review transcripts, edit and try out rubrics.
//!
//! Templates (`templates/*.hbs`) use their own handlebars registry with HTML escaping on, and
//! the pages send the same Content-Security-Policy as the chat page: no inline script or style.

mod chart;
mod compare;
mod format;
mod guard;
mod highlight;
mod invites;
mod list_query;
mod login;
mod pipeline_view;
mod promote;
pub mod report;
mod review;
mod review_form;
mod rubric_admin;
mod rubric_diff;
mod rubric_new;
mod rubric_page;
mod rubrics;
mod sessions;
mod transcript;
mod turn_view;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use handlebars::Handlebars;
use serde::Serialize;
use std::path::Path;

use super::{ApiError, AppState};
use crate::assets::{ContentDir, read_dir};
use guard::{Nav, PageError, Staff};

const CSP: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const LOGIN: &str = "/admin/login";
/// Rubric documents are posted as forms; the default form limit (16 KiB) is too small for them.
const MAX_FORM: usize = 256 * 1024;
const RENDER_FAILED: &str = "The page could not be rendered.";
const TEMPLATES: &[&str] = &[
    "layout",
    "login",
    "error",
    "sessions",
    "compare",
    "transcript",
    "rubrics",
    "rubric",
    "chart",
    "report",
    "promote_example",
    "invites",
];

/// Registers the `/admin` pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .app_data(
                web::FormConfig::default()
                    .limit(MAX_FORM)
                    .error_handler(form_error),
            )
            .route("", web::get().to(home))
            .route("/", web::get().to(home))
            .route("/login", web::get().to(login::form))
            .route("/login", web::post().to(login::submit))
            .route("/logout", web::post().to(login::logout))
            .route("/sessions", web::get().to(sessions::list))
            .route("/sessions/compare", web::get().to(compare::show))
            .route("/invites", web::get().to(invites::list))
            .route("/invites", web::post().to(invites::create))
            .route("/invites/{id}/revoke", web::post().to(invites::revoke))
            .route("/sessions/{id}", web::get().to(transcript::show))
            .route(
                "/sessions/{id}/turns/{turn}/review",
                web::post().to(review::review),
            )
            .route("/rubrics", web::get().to(rubrics::list))
            .route("/rubrics", web::post().to(rubric_new::create))
            .route("/rubric-assignments", web::post().to(rubric_admin::assign))
            .route(
                "/rubric-assignments/remove",
                web::post().to(rubric_admin::unassign),
            )
            .route(
                "/sessions/{id}/turns/{turn}/promote",
                web::post().to(promote::promote),
            )
            .route("/rubrics/{id}", web::get().to(rubrics::show))
            .route("/rubrics/{id}", web::post().to(rubrics::save))
            .route("/rubrics/{id}/preview", web::post().to(rubrics::preview))
            .route(
                "/rubrics/{id}/calibrate",
                web::post().to(rubrics::calibrate),
            )
            .default_service(web::to(not_found)),
    );
}

/// The compiled page templates.
pub struct Pages {
    registry: Handlebars<'static>,
}

/// `{{rich text}}`: question and answer text with its code shown as code (escaped HTML).
fn rich_helper(
    h: &handlebars::Helper,
    _: &Handlebars,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let text = h
        .param(0)
        .and_then(|v| v.value().as_str())
        .unwrap_or_default();
    out.write(&crate::rich_text::to_html(text))?;
    Ok(())
}

impl Pages {
    /// Loads every template in `dir` (the embedded copy when the default directory is missing).
    pub fn load(dir: &Path) -> anyhow::Result<Pages> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        // Re-indenting partial output would change the contents of <textarea> and <pre>.
        registry.set_prevent_indent(true);
        registry.register_helper("rich", Box::new(rich_helper));
        for file in read_dir(ContentDir::Templates, dir)? {
            registry
                .register_template_string(file.stem(), &file.contents)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.path))?;
        }
        for name in TEMPLATES {
            anyhow::ensure!(
                registry.has_template(name),
                "page template {name}.hbs is missing from {}",
                dir.display()
            );
        }
        Ok(Pages { registry })
    }

    fn render_body(&self, name: &str, data: &impl Serialize) -> Option<String> {
        self.registry
            .render(name, data)
            .inspect_err(
                |e| tracing::error!(template = name, error = %e, "rendering a staff page failed"),
            )
            .ok()
    }

    /// The candidate's printable report of an interview (a whole document, styles inline).
    pub fn report(&self, detail: &crate::staff::SessionDetail) -> Option<String> {
        self.render_body("report", &report::report(detail))
    }

    fn render(&self, status: StatusCode, name: &str, data: &impl Serialize) -> HttpResponse {
        match self.render_body(name, data) {
            Some(body) => html(status).body(body),
            None => html(StatusCode::INTERNAL_SERVER_ERROR).body(RENDER_FAILED),
        }
    }

    /// An error page; `nav` when the viewer is logged in.
    fn error(&self, nav: Option<&Nav>, e: &ApiError) -> PageError {
        let page = Page {
            title: e.status().canonical_reason().unwrap_or("Error"),
            nav,
            body: serde_json::json!({ "status": e.status().as_u16(), "message": e.message }),
        };
        match self.render_body("error", &page) {
            Some(body) => PageError::Response(e.status(), body),
            None => PageError::Response(StatusCode::INTERNAL_SERVER_ERROR, RENDER_FAILED.into()),
        }
    }
}

/// What every page template gets: its title, the navigation bar (absent when logged out), and
/// the page's own data at the top level.
#[derive(Serialize)]
struct Page<'a, T: Serialize> {
    title: &'a str,
    nav: Option<&'a Nav>,
    #[serde(flatten)]
    body: T,
}

/// A response builder with the headers every page carries.
fn html(status: StatusCode) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "same-origin"));
    b
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

async fn home(_: Staff) -> HttpResponse {
    see_other("/admin/sessions")
}

async fn not_found(staff: Staff) -> Result<HttpResponse, PageError> {
    Err(staff.fail(ApiError::not_found("There is no such page.")))
}

fn form_error(err: actix_web::error::UrlencodedError, req: &HttpRequest) -> actix_web::Error {
    let e = ApiError::new(crate::error_code::Code::InvalidForm, err.to_string());
    match req.app_data::<web::Data<AppState>>() {
        Some(app) => app.pages.error(None, &e).into(),
        None => e.into(),
    }
}
