//! Log output: human-readable text (colour only on a terminal) or JSON lines, verbosity from
//! `REHEARSE_LOG`; and the access log, one line per HTTP request.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use serde::Deserialize;
use std::io::IsTerminal;
use std::time::Instant;

/// How log lines are written (`server.log_format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event; ANSI colour only when stderr is a terminal.
    #[default]
    Text,
    /// One JSON object per line: timestamp, level, target, message, fields and the fields of
    /// the spans around the event (request id, session id).
    Json,
}

/// Installs the process-wide subscriber (once; later calls are ignored).
pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("REHEARSE_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// The access log: method, route pattern, status and latency of every request, at info. The
/// route pattern (`/api/sessions/{id}`) is logged rather than the path, so no token or id
/// from a URL reaches the log.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let result = next.call(req).await;
    let (status, error) = match &result {
        Ok(res) => (
            res.status(),
            res.response().error().map(ToString::to_string),
        ),
        Err(e) => (e.as_response_error().status_code(), Some(e.to_string())),
    };
    // A server-side failure is logged once, with its cause; client errors and redirects (a
    // visit to a staff page before logging in) are ordinary outcomes, seen in the access line.
    if status.is_server_error()
        && let Some(error) = &error
    {
        tracing::error!(
            method,
            route,
            status = status.as_u16(),
            error,
            "request failed"
        );
    }
    let status = status.as_u16();
    crate::telemetry::http_request(&route, status, started.elapsed());
    tracing::info!(
        target: "rehearse::access",
        method,
        route,
        status,
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    result
}
