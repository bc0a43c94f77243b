//! HTTP routes: the chat page, its static files, health, the catalog, and the interview socket.

pub mod access;
pub mod api;
pub mod auth;
pub(crate) mod catalog;
pub mod error;
pub mod metrics;
pub mod nul;
pub mod pages;
mod public;

pub use error::ApiError;

use actix_web::web;

use crate::config::ServerSettings;
use crate::runner::Interviews;

/// Shared state for every route.
pub struct AppState {
    pub interviews: Interviews,
    pub server: ServerSettings,
    pub auth: auth::Auth,
    /// The staff pages' templates.
    pub pages: pages::Pages,
    /// The background tasks this process keeps running.
    pub tasks: crate::supervise::Supervisor,
    /// Interview starts per client address.
    pub starts: crate::ws::limiter::KeyedLimiter,
}

impl AppState {
    /// Takes one from `address`'s per-minute budget (`server.starts_per_minute`) for `what`:
    /// `"start"` (interviews) or `"profile"` (practice profiles); false when it is spent.
    pub fn allow_start(&self, what: &str, address: &str) -> bool {
        let per_minute = self.server.starts_per_minute;
        self.starts
            .take(format!("{what}:{address}"), per_minute / 60.0, per_minute)
    }

    /// Who is calling (401 when nobody valid).
    pub async fn principal(
        &self,
        req: &actix_web::HttpRequest,
    ) -> Result<auth::Principal, ApiError> {
        self.auth.authenticate(req, &self.interviews.store).await
    }
}

/// Registers every route; the API's are documented as they are registered.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(256 * 1024)
            // A JSON body is read as JSON whatever its declared content type.
            .content_type_required(false)
            .error_handler(error::json_error),
    )
    .app_data(web::QueryConfig::default().error_handler(error::query_error))
    .app_data(web::PathConfig::default().error_handler(error::path_error))
    .route("/", web::get().to(public::index))
    .route("/me", web::get().to(public::history))
    .route("/me/questions/{id}", web::get().to(public::history))
    .route("/static/{file:.*}", web::get().to(public::static_file))
    .route("/healthz", web::get().to(public::healthz))
    .route("/metrics", web::get().to(metrics::metrics))
    .route("/ws", web::get().to(crate::ws::route))
    .map(|c| c.configure(pages::configure))
    .configure(api::configure)
    .default_service(web::to(error::not_found));
}
