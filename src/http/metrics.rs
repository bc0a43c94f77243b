//! `GET /metrics`: Prometheus text for scraping.

use actix_web::{HttpResponse, web};

use super::AppState;

/// `GET /metrics` on the main listener: not there when metrics have a listener of their own.
pub async fn metrics(app: web::Data<AppState>) -> HttpResponse {
    if app.server.metrics_bind.is_some() {
        return super::error::not_found().await;
    }
    render(app).await
}

/// `GET /metrics` on the metrics listener.
pub async fn render(app: web::Data<AppState>) -> HttpResponse {
    let interviews = &app.interviews;
    let mut out = format!(
        "# HELP rehearse_connected_interviews Interviews with a live connection to this process.\n\
         # TYPE rehearse_connected_interviews gauge\nrehearse_connected_interviews {}\n",
        interviews.hub.connected()
    );
    if let Ok(backlog) = interviews.store.regrade_backlog().await {
        out.push_str(&format!(
            "# HELP rehearse_regrade_backlog Fallback evaluations waiting for an LLM regrade.\n\
             # TYPE rehearse_regrade_backlog gauge\nrehearse_regrade_backlog {backlog}\n"
        ));
    }
    out.push_str(
        "# HELP rehearse_task_panics_total Panics of a supervised background task (it is restarted).\n\
         # TYPE rehearse_task_panics_total counter\n",
    );
    let tasks = app.tasks.status();
    for (name, task) in &tasks {
        out.push_str(&format!(
            "rehearse_task_panics_total{{task=\"{name}\"}} {}\n",
            task.panics
        ));
    }
    out.push_str(
        "# HELP rehearse_task_running Whether a supervised background task is running (1) or not (0).\n\
         # TYPE rehearse_task_running gauge\n",
    );
    for (name, task) in &tasks {
        out.push_str(&format!(
            "rehearse_task_running{{task=\"{name}\"}} {}\n",
            u8::from(task.running)
        ));
    }
    out.push_str(&format!(
        "# HELP rehearse_storage_full Whether the last interview write failed for lack of disk space.\n\
         # TYPE rehearse_storage_full gauge\nrehearse_storage_full {}\n",
        u8::from(interviews.store.storage_full())
    ));
    out.push_str(&crate::telemetry::render());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(out)
}
