//! The recruiter and admin HTTP API, and its OpenAPI 3.1 description.

pub mod invites;
pub mod rubrics;
pub mod sessions;

use actix_web::{HttpResponse, web};
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

/// Registers the API routes, `/api/openapi.json` and the Swagger UI at `/api/docs/`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/sessions", web::get().to(sessions::list))
        .route("/api/sessions/{id}", web::get().to(sessions::detail))
        .route("/api/sessions/{id}/export", web::get().to(sessions::export))
        .route(
            "/api/sessions/{id}/turns/{turn}/review",
            web::post().to(sessions::review),
        )
        .route("/api/invites", web::post().to(invites::create))
        .route("/api/invites", web::get().to(invites::list))
        .route("/api/invites/check", web::post().to(invites::check))
        .route("/api/rubrics", web::get().to(rubrics::list))
        .route("/api/rubrics", web::post().to(rubrics::create))
        .route("/api/rubrics/{id}", web::get().to(rubrics::history))
        .route("/api/rubrics/{id}", web::put().to(rubrics::update))
        .route(
            "/api/rubrics/{id}/preview",
            web::post().to(rubrics::preview),
        )
        .route(
            "/api/rubrics/{id}/calibrate",
            web::post().to(rubrics::calibrate),
        )
        .route(
            "/api/rubric-assignments",
            web::get().to(rubrics::assignments),
        )
        .route(
            "/api/rubric-assignments",
            web::put().to(rubrics::set_assignments),
        )
        .route("/api/openapi.json", web::get().to(openapi_json))
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
                .url("/api/openapi-ui.json", ApiDoc::openapi()),
        );
}
