//! The one error shape on the wire: `{"code": "snake_case", "message": "…"}`.

use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

use crate::error_code::{Code, HasCode, cause_chain};

/// An HTTP API error: `{"code", "message"}`, plus `problems` for validation failures and
/// `request_id` on server-side failures (whose message is the code's opaque one; the cause,
/// kept here, goes to the log once).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiError {
    /// Stable snake_case code.
    #[schema(value_type = String)]
    pub code: Code,
    pub message: String,
    /// Every validation problem, each with its field path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<crate::lint::Problem>,
    /// On a server-side failure, the id under which its cause was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// What went wrong underneath, for the log; never sent.
    #[serde(skip)]
    #[schema(ignore)]
    pub cause: Option<String>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            problems: Vec::new(),
            request_id: None,
            cause: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }

    /// A server-side failure: the client is told the code's opaque message; `cause` is logged.
    pub fn server(code: Code, cause: impl Into<String>) -> Self {
        ApiError {
            cause: Some(cause.into()),
            ..Self::new(code, code.message())
        }
    }

    /// The HTTP status of this error's code.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Code> for ApiError {
    fn from(code: Code) -> Self {
        ApiError::new(code, code.message())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        match &self.cause {
            Some(cause) => write!(f, ": {cause}"),
            None => Ok(()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status()).json(self)
    }
}

impl From<crate::staff::StaffError> for ApiError {
    fn from(e: crate::staff::StaffError) -> Self {
        use crate::staff::StaffError;
        let code = e.code();
        match e {
            StaffError::InvalidRubric(problems) => ApiError {
                message: format!(
                    "the rubric has {} problem(s); nothing was saved",
                    problems.len()
                ),
                problems,
                ..ApiError::from(code)
            },
            StaffError::Store(s) => s.into(),
            e if code.server_side() => ApiError::server(code, cause_chain(&e)),
            e => ApiError::new(code, e.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        let code = e.code();
        match e {
            StoreError::NotFound => ApiError::from(code),
            StoreError::Conflict(m) => ApiError::new(code, m),
            e => ApiError::server(code, cause_chain(&e)),
        }
    }
}

/// Turns body-parsing failures (malformed JSON, wrong content type, too large) into the wire shape.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError;
    let code = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            Code::PayloadTooLarge
        }
        JsonPayloadError::ContentType => Code::UnsupportedMediaType,
        _ => Code::InvalidJson,
    };
    ApiError::new(code, err.to_string()).into()
}

/// Query-string failures in the wire shape.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::new(Code::InvalidQuery, err.to_string()).into()
}

/// Path-parameter failures in the wire shape.
pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::new(Code::InvalidPath, err.to_string()).into()
}

/// Puts actix's own 405 answer — a known path called with a method it does not serve, with the
/// `Allow` header listing those it does — in the `{code, message}` shape.
pub fn method_not_allowed<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let allow = res
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let error = if allow.is_empty() {
        ApiError::from(Code::MethodNotAllowed)
    } else {
        ApiError::new(Code::MethodNotAllowed, format!("this path serves {allow}"))
    };
    let (req, response) = res.into_parts();
    let mut response = response
        .set_body(serde_json::to_string(&error).unwrap_or_default())
        .map_into_boxed_body();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// Anything unmatched.
pub async fn not_found() -> HttpResponse {
    ApiError::not_found("no such route").error_response()
}
