//! Human reviews from the transcript page: the form under each graded turn, and
//! `POST /admin/sessions/{id}/turns/{turn}/review`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use std::collections::BTreeMap;

use super::format;
use super::transcript::render;
use super::{PageError, Staff, see_other};
use crate::admin::{self, ReviewRequest};
use crate::evaluate::Evaluation;
use crate::http::ApiError;

#[derive(Serialize)]
pub struct ReviewForm {
    action: String,
    criteria: Vec<ReviewCriterion>,
    overall: String,
    comment: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct ReviewCriterion {
    field: String,
    name: String,
    options: Vec<ScoreOption>,
}

#[derive(Serialize)]
struct ScoreOption {
    value: u8,
    selected: bool,
}

/// What a reviewer posted for one turn, kept to show the form again when it is refused.
#[derive(Default)]
pub struct Submitted {
    pub turn: i64,
    pub criteria: BTreeMap<String, String>,
    pub overall: String,
    pub comment: String,
    pub error: String,
}

/// The review form of a turn: the current scores, or what was posted when it was refused.
pub fn review_form(
    session_id: &str,
    current: &Evaluation,
    turn: i64,
    kept: Option<&Submitted>,
) -> ReviewForm {
    let kept = kept.filter(|s| s.turn == turn);
    ReviewForm {
        action: format!(
            "/admin/sessions/{}/turns/{turn}/review",
            format::encode(session_id)
        ),
        criteria: current
            .criteria
            .iter()
            .map(|c| {
                let field = format!("criteria.{}", c.id);
                let chosen = kept
                    .and_then(|s| s.criteria.get(&field))
                    .and_then(|v| v.parse::<u8>().ok())
                    .unwrap_or(c.score);
                ReviewCriterion {
                    options: (c.min..=c.max)
                        .map(|value| ScoreOption {
                            value,
                            selected: value == chosen,
                        })
                        .collect(),
                    name: c.name.clone(),
                    field,
                }
            })
            .collect(),
        overall: kept.map(|s| s.overall.clone()).unwrap_or_default(),
        comment: kept.map(|s| s.comment.clone()).unwrap_or_default(),
        error: kept.map(|s| s.error.clone()),
    }
}

/// The posted form (`criteria.<id>`, `overall`, `comment`) as a review request.
fn review_request(s: &Submitted) -> Result<ReviewRequest, String> {
    let mut criteria = BTreeMap::new();
    for (field, value) in &s.criteria {
        let id = field.trim_start_matches("criteria.");
        let score = value
            .parse::<i64>()
            .map_err(|_| format!("{field}: `{value}` is not a score"))?;
        criteria.insert(id.to_string(), score);
    }
    let overall = match s.overall.trim() {
        "" => None,
        o => Some(
            o.parse::<u8>()
                .ok()
                .filter(|&o| o <= 100)
                .ok_or_else(|| "overall: must be a whole number from 0 to 100".to_string())?,
        ),
    };
    Ok(ReviewRequest {
        criteria,
        overall,
        comment: s.comment.clone(),
    })
}

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
            _ => {}
        }
    }
    let result = match review_request(&s) {
        Ok(req) => admin::review(&staff.app.interviews, &id, turn, &req, staff.name())
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
