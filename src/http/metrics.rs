//! `GET /metrics`: Prometheus text for scraping.

use actix_web::{HttpResponse, web};

use super::AppState;

pub async fn metrics(app: web::Data<AppState>) -> HttpResponse {
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
    if let Some(judge) = &interviews.judge {
        out.push_str(&judge.client.metrics.render());
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(out)
}
