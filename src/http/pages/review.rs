//! `POST /admin/sessions/{id}/turns/{turn}/review`: a human review posted from the transcript
//! page's form ([`super::review_form`]).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::format;
use super::review_form::{Submitted, review_request};
use super::transcript::render;
use super::{PageError, Staff, see_other};
use crate::http::ApiError;
use crate::staff;

/// `POST /admin/sessions/{id}/turns/{turn}/review`: stores the review and goes back to the
/// turn; a refused review shows the form again with the reason and what was entered.
pub async fn review(
    staff: Staff,
    path: web::Path<(String, i64)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("sessions");
    let (id, turn) = path.into_inner();
    let mut s = Submitted {
        turn,
        ..Default::default()
    };
    for (k, v) in form.into_inner() {
        match k.as_str() {
            "overall" => s.overall = v,
            "comment" => s.comment = v,
            _ if k.starts_with("criteria.") => {
                s.criteria.insert(k, v);
            }
            _ if k.starts_with("rationale.") => {
                s.rationales.insert(k, v);
            }
            _ if k.starts_with("key_point.") => {
                s.key_points.insert(k, v);
            }
            _ => {}
        }
    }
    let result = match review_request(&s) {
        Ok(req) => staff::review(&staff.app.interviews, &id, turn, &req, staff.name())
            .await
            .map_err(ApiError::from),
        Err(m) => Err(ApiError::new(crate::error_code::Code::InvalidRequest, m)),
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/admin/sessions/{}#turn-{turn}",
            format::encode(&id)
        ))),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let status = e.status();
            s.error = e.message;
            render(&staff, &id, status, Some(&s)).await
        }
        Err(e) => Err(staff.fail(e)),
    }
}
