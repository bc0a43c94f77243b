//! Log output: human-readable text (colour only on a terminal) or JSON lines, verbosity from
//! `REHEARSE_LOG`; and the access log, one line per HTTP request.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError};
use serde::Deserialize;
use std::io::IsTerminal;
use std::time::Instant;

use crate::http::ApiError;

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

/// A server-side API failure's body names the request id its cause is logged under (the
/// message is already the code's opaque one), so a user's report can be matched to the log.
fn with_request_id<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    request_id: Option<String>,
) -> ServiceResponse<BoxBody> {
    let api_error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .filter(|e| e.code.server_side())
        .cloned();
    match (api_error, request_id) {
        (Some(mut error), Some(id)) => {
            error.request_id = Some(id);
            let (req, response) = res.into_parts();
            let mut replaced = error.error_response();
            for (name, value) in response.headers() {
                if !replaced.headers().contains_key(name) {
                    replaced.headers_mut().insert(name.clone(), value.clone());
                }
            }
            ServiceResponse::new(req, replaced)
        }
        _ => res.map_into_boxed_body(),
    }
}

/// The access log: method, route pattern, status and latency of every request, at info. The
/// route pattern (`/api/sessions/{id}`) is logged rather than the path, so no token or id
/// from a URL reaches the log.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(ToString::to_string);
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
    let result = result.map(|res| with_request_id(res, request_id));
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
