//! HTTP routes: the chat page, its static files, health, the catalog, and the interview socket.

pub mod api;
pub mod auth;
mod catalog;
pub mod error;
mod metrics;
mod pages;

pub use error::ApiError;

use actix_web::web;

use crate::config::ServerSettings;
use crate::runner::Interviews;

/// Shared state for every route.
pub struct AppState {
    pub interviews: Interviews,
    pub server: ServerSettings,
    pub auth: auth::Auth,
}

impl AppState {
    /// Who is calling (401 when nobody valid).
    pub async fn principal(
        &self,
        req: &actix_web::HttpRequest,
    ) -> Result<auth::Principal, ApiError> {
        self.auth.authenticate(req, &self.interviews.store).await
    }
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(256 * 1024)
            .error_handler(error::json_error),
    )
    .app_data(web::QueryConfig::default().error_handler(error::query_error))
    .app_data(web::PathConfig::default().error_handler(error::path_error))
    .route("/", web::get().to(pages::index))
    .route("/static/{file:.*}", web::get().to(pages::static_file))
    .route("/healthz", web::get().to(pages::healthz))
    .route("/api/catalog", web::get().to(catalog::catalog))
    .route("/metrics", web::get().to(metrics::metrics))
    .route("/ws", web::get().to(crate::ws::route))
    .configure(api::configure)
    .default_service(web::to(error::not_found));
}
