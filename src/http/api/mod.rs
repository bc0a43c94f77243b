//! The recruiter and admin HTTP API, and its OpenAPI 3.1 description.

mod endpoint;
pub mod invites;
pub mod me;
pub mod pipeline;
pub mod rubrics;
pub mod sessions;

use actix_web::{HttpResponse, web};

use actix_web::dev::HttpServiceFactory;
use endpoint::Endpoint;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_actix_web::service_config::ServiceConfig;

/// The OpenAPI document's frame: title, security scheme, tags and the enums used only as query
/// parameters. Its paths are added by [`configure`] from the same registration that serves them.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "rehearse",
        description = "Mock-interview server: transcripts, reviews, invites and rubric configuration. \
            Authenticate with `Authorization: Bearer <token>` (staff tokens come from \
            `rehearse token create`; a candidate's resume token reads their own interview; a practice \
            profile's key reads that profile).",
    ),
    // Enums used only as query parameters are not collected from the handlers: listed here so
    // that every `$ref` in the document resolves.
    components(schemas(
        sessions::Order,
        crate::store::SessionSort,
        crate::store::ListStatus,
        crate::staff::ExportFormat,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "transcripts", description = "Interview sessions, their turns, evaluations and reviews"),
        (name = "invites", description = "Links that start a recruiter's chosen interview"),
        (name = "rubrics", description = "Rubric versions, assignments, preview and calibration"),
        (name = "catalog", description = "What the question bank offers"),
        (name = "practice", description = "A candidate's practice profile: history, progress, export, erasure"),
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
                    .description(Some("API token, resume token or practice profile key"))
                    .build(),
            ),
        );
    }
}

/// Registers the API routes. Each [`Endpoint`] takes its path and methods from the handlers'
/// `#[utoipa::path]` attributes, so serving a route and documenting it are one step.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(Endpoint::new(sessions::__path_list, sessions::list))
        .service(Endpoint::new(pipeline::__path_csv, pipeline::csv))
        .service(
            Endpoint::new(sessions::__path_detail, sessions::detail)
                .and(sessions::__path_erase, sessions::erase),
        )
        .service(Endpoint::new(
            sessions::__path_audit_log,
            sessions::audit_log,
        ))
        .service(Endpoint::new(sessions::__path_export, sessions::export))
        .service(Endpoint::new(sessions::__path_report, sessions::report))
        .service(Endpoint::new(sessions::__path_review, sessions::review))
        .service(
            Endpoint::new(invites::__path_create, invites::create)
                .and(invites::__path_list, invites::list),
        )
        .service(Endpoint::new(invites::__path_check, invites::check))
        .service(Endpoint::new(invites::__path_revoke, invites::revoke))
        .service(
            Endpoint::new(rubrics::__path_list, rubrics::list)
                .and(rubrics::__path_create, rubrics::create),
        )
        .service(
            Endpoint::new(rubrics::__path_history, rubrics::history)
                .and(rubrics::__path_update, rubrics::update),
        )
        .service(Endpoint::new(rubrics::__path_preview, rubrics::preview))
        .service(Endpoint::new(rubrics::__path_calibrate, rubrics::calibrate))
        .service(Endpoint::new(
            rubrics::__path_add_example,
            rubrics::add_example,
        ))
        .service(
            Endpoint::new(rubrics::__path_assignments, rubrics::assignments)
                .and(rubrics::__path_set_assignments, rubrics::set_assignments),
        )
        .service(Endpoint::new(me::__path_create, me::create))
        .service(Endpoint::new(me::__path_me, me::me).and(me::__path_delete, me::delete))
        .service(Endpoint::new(me::__path_sessions, me::sessions))
        .service(Endpoint::new(me::__path_progress, me::progress))
        .service(Endpoint::new(me::__path_export, me::export))
        .service(Endpoint::new(me::__path_question, me::question))
        .service(Endpoint::new(
            super::catalog::__path_catalog,
            super::catalog::catalog,
        ));
}

/// Serves the finished document at `/api/openapi.json` and the Swagger UI at `/api/docs/`.
pub fn docs(document: utoipa::openapi::OpenApi) -> impl HttpServiceFactory {
    let json = web::Data::new(document);
    (
        web::resource("/api/openapi.json")
            .app_data(json)
            .route(web::get().to(openapi_json)),
        utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
            .config(utoipa_swagger_ui::Config::from("/api/openapi.json")),
    )
}

async fn openapi_json(document: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(document.get_ref())
}
