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

/// `GET /me` and `GET /me/questions/{id}`: the practice history page (it reads the profile's
/// key from the browser and the data from `/api/me`).
pub async fn history() -> Result<HttpResponse, ApiError> {
    serve("me.html")
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

/// `GET /healthz`: 200 `ok` when the database answers, the last interview write had room and
/// every background task is running; 503 `degraded` (with the reasons) or `unavailable` otherwise.
pub async fn healthz(app: web::Data<AppState>) -> HttpResponse {
    let store = &app.interviews.store;
    if let Err(e) = store.ping().await {
        return HttpResponse::ServiceUnavailable().json(json!({
            "status": "unavailable",
            "database": e.to_string(),
        }));
    }
    let tasks = app.tasks.status();
    let mut problems = Vec::new();
    if store.storage_full() {
        problems.push("storage full: the last write failed for lack of disk space".to_string());
    }
    for (name, task) in &tasks {
        if !task.running {
            problems.push(format!("background task {name} is not running"));
        }
    }
    let tasks: serde_json::Map<String, serde_json::Value> = tasks
        .iter()
        .map(|(name, t)| {
            let state = if t.running { "running" } else { "stopped" };
            (
                name.to_string(),
                json!({"state": state, "panics": t.panics}),
            )
        })
        .collect();
    let durability = store.durability().await.unwrap_or_else(|e| e.to_string());
    let body = json!({
        "status": if problems.is_empty() { "ok" } else { "degraded" },
        "database": if store.storage_full() { "full" } else { "ok" },
        "durability": durability,
        "problems": problems,
        "tasks": tasks,
        "connected_interviews": app.interviews.hub.connected(),
    });
    if problems.is_empty() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
