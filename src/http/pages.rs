//! The candidate chat page, its static files, and the health check.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::{ApiError, AppState};
use crate::assets::static_file as embedded;

/// `GET /`: the chat page.
pub async fn index() -> Result<HttpResponse, ApiError> {
    serve("index.html")
}

/// `GET /static/{file}`.
pub async fn static_file(path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    serve(&path)
}

fn serve(path: &str) -> Result<HttpResponse, ApiError> {
    let (body, mime) =
        embedded(path).ok_or_else(|| ApiError::not_found(format!("no static file `{path}`")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .body(body.into_owned()))
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(app: web::Data<AppState>) -> HttpResponse {
    match app.interviews.store.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({
            "status": "ok",
            "database": "ok",
            "connected_interviews": app.interviews.hub.connected(),
        })),
        Err(e) => HttpResponse::ServiceUnavailable().json(json!({
            "status": "unavailable",
            "database": e.to_string(),
        })),
    }
}
