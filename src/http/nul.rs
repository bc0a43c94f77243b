//! Refuses text containing the NUL character (U+0000) before any handler sees it. PostgreSQL
//! cannot store it in text columns, so such a request would fail deep in the store as "database
//! unavailable, try again" — forever. It is refused up front, the same way on every backend:
//! in the path, the query string, a JSON body (`\u0000`) or a form body (`%00`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use super::error::ApiError;

/// The error every NUL-carrying request gets: 422, well-formed but not storable.
pub fn nul_error() -> ApiError {
    ApiError::new(
        crate::error_code::Code::InvalidRequest,
        "text may not contain the NUL character (U+0000)",
    )
}

/// The middleware.
pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if has_encoded_nul(req.uri().path().as_bytes())
        || req
            .uri()
            .query()
            .is_some_and(|q| has_encoded_nul(q.as_bytes()))
    {
        return Err(nul_error().into());
    }
    let with_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    if with_body {
        let body = req.extract::<Bytes>().await?;
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let refused = if content_type.starts_with("application/x-www-form-urlencoded") {
            has_encoded_nul(&body)
        } else {
            has_escaped_nul(&body) || body.contains(&0)
        };
        if refused {
            return Err(nul_error().into());
        }
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    next.call(req).await
}

/// True when percent-encoded text carries `%00`.
fn has_encoded_nul(text: &[u8]) -> bool {
    text.windows(3).any(|w| w == b"%00")
}

/// True when JSON text carries the escape `\u0000` (and not an escaped backslash before `u0000`).
fn has_escaped_nul(json: &[u8]) -> bool {
    let mut backslashes = 0;
    for (i, &b) in json.iter().enumerate() {
        if b == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1
            && b.eq_ignore_ascii_case(&b'u')
            && json.get(i + 1..i + 5) == Some(b"0000")
        {
            return true;
        }
        backslashes = 0;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_escapes_are_found_and_escaped_backslashes_are_not() {
        assert!(has_escaped_nul(br#"{"name": "a\u0000b"}"#));
        assert!(has_escaped_nul(br#"{"name": "\\\u0000"}"#));
        assert!(!has_escaped_nul(br#"{"name": "\\u0000"}"#));
        assert!(!has_escaped_nul(br#"{"name": "\u00e9"}"#));
        assert!(has_encoded_nul(b"name=a%00b"));
        assert!(!has_encoded_nul(b"name=a%2500b"));
    }
}
