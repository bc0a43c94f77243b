//! The recruiter and admin HTTP API, and its OpenAPI 3.1 description.

pub mod invites;
pub mod rubrics;
pub mod sessions;

use actix_web::{HttpResponse, web};

use super::error::method_not_allowed;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// The OpenAPI document, generated from the handlers and types.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "rehearse",
        description = "Mock-interview server: transcripts, reviews, invites and rubric configuration. \
            Authenticate with `Authorization: Bearer <token>` (staff tokens come from \
            `rehearse token create`; a candidate's resume token reads their own interview).",
    ),
    paths(
        sessions::list, sessions::detail, sessions::export, sessions::review,
        invites::create, invites::list, invites::check,
        rubrics::list, rubrics::history, rubrics::create, rubrics::update, rubrics::preview,
        rubrics::calibrate, rubrics::assignments, rubrics::set_assignments,
        super::catalog::catalog,
    ),
    // Enums used only as query parameters are not collected from the handlers: listed here so
    // that every `$ref` in the document resolves.
    components(schemas(
        sessions::Order,
        crate::store::SessionSort,
        crate::admin::ExportFormat,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "transcripts", description = "Interview sessions, their turns, evaluations and reviews"),
        (name = "invites", description = "Links that start a recruiter's chosen interview"),
        (name = "rubrics", description = "Rubric versions, assignments, preview and calibration"),
        (name = "catalog", description = "What the question bank offers"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("API token or resume token"))
                    .build(),
            ),
        );
    }
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// One resource per path, so a method it does not serve gets 405 with an `Allow` header
/// rather than falling through to 404.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path.to_string()).default_service(web::to(move || method_not_allowed(allow)))
}

/// Registers the API routes, `/api/openapi.json` and the Swagger UI at `/api/docs/`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/sessions", "GET").route(web::get().to(sessions::list)))
        .service(resource("/api/sessions/{id}", "GET").route(web::get().to(sessions::detail)))
        .service(
            resource("/api/sessions/{id}/export", "GET").route(web::get().to(sessions::export)),
        )
        .service(
            resource("/api/sessions/{id}/turns/{turn}/review", "POST")
                .route(web::post().to(sessions::review)),
        )
        .service(
            resource("/api/invites", "GET, POST")
                .route(web::post().to(invites::create))
                .route(web::get().to(invites::list)),
        )
        .service(resource("/api/invites/check", "POST").route(web::post().to(invites::check)))
        .service(
            resource("/api/rubrics", "GET, POST")
                .route(web::get().to(rubrics::list))
                .route(web::post().to(rubrics::create)),
        )
        .service(
            resource("/api/rubrics/{id}", "GET, PUT")
                .route(web::get().to(rubrics::history))
                .route(web::put().to(rubrics::update)),
        )
        .service(
            resource("/api/rubrics/{id}/preview", "POST").route(web::post().to(rubrics::preview)),
        )
        .service(
            resource("/api/rubrics/{id}/calibrate", "POST")
                .route(web::post().to(rubrics::calibrate)),
        )
        .service(
            resource("/api/rubric-assignments", "GET, PUT")
                .route(web::get().to(rubrics::assignments))
                .route(web::put().to(rubrics::set_assignments)),
        )
        .service(resource("/api/catalog", "GET").route(web::get().to(super::catalog::catalog)))
        .service(resource("/api/openapi.json", "GET").route(web::get().to(openapi_json)))
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/api/openapi.json")),
        );
}
