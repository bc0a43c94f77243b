//! A reviewed answer made a calibration example from the transcript page (admins only): the
//! offer shown on each reviewed turn, and `POST /admin/sessions/{id}/turns/{turn}/promote`.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::format;
use super::{PageError, Staff, see_other};
use crate::staff::{self, TurnDetail};

/// The button a reviewed turn gets (the template shows it to admins only).
#[derive(Serialize)]
pub struct Offer {
    action: String,
    /// The rubric that graded the turn, which the example would join.
    rubric: String,
    /// The newest review's overall score: the example's expected score.
    expected: u8,
}

/// The offer for a turn with a human review; `None` for one without.
pub fn offer(session_id: &str, t: &TurnDetail) -> Option<Offer> {
    let review = t.reviews.last()?;
    Some(Offer {
        action: format!(
            "/admin/sessions/{}/turns/{}/promote",
            format::encode(session_id),
            t.turn
        ),
        rubric: review.evaluation.rubric.id.clone(),
        expected: review.evaluation.overall,
    })
}

/// `POST /admin/sessions/{id}/turns/{turn}/promote`: adds the turn's reviewed answer to the
/// calibration examples of the rubric that graded it and shows that rubric's calibration.
pub async fn promote(
    staff: Staff,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("rubrics");
    staff.admin()?;
    let (id, turn) = path.into_inner();
    let (rubric, _) =
        staff::add_reviewed_example(&staff.app.interviews, None, &id, turn, staff.name())
            .await
            .map_err(|e| staff.fail(e))?;
    Ok(see_other(&format!(
        "/admin/rubrics/{}?added={}#calibration",
        format::encode(&rubric.id),
        rubric.version
    )))
}
