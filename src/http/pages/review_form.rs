//! The review form under each graded turn of the transcript page: what it shows (the current
//! scores, or what was posted when a review was refused) and how a posted form becomes a review
//! request. A view model only: the transcript renders it, the review handler fills it.

use serde::Serialize;
use std::collections::BTreeMap;

use super::format;
use crate::evaluate::Evaluation;
use crate::staff::ReviewRequest;

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
pub fn review_request(s: &Submitted) -> Result<ReviewRequest, String> {
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
