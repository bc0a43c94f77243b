//! The review form under each graded turn of the transcript page: what it shows (the current
//! scores with each score's anchor description, the reviewer's rationale per criterion, the key
//! points to mark, or what was posted when a review was refused) and how a posted form becomes a
//! review request. A view model only: the transcript renders it, the review handler fills it.

use serde::Serialize;
use std::collections::BTreeMap;

use super::format;
use crate::evaluate::Evaluation;
use crate::rubric::Rubric;
use crate::staff::ReviewRequest;

#[derive(Serialize)]
pub struct ReviewForm {
    action: String,
    criteria: Vec<ReviewCriterion>,
    key_points: Vec<ReviewKeyPoint>,
    overall: String,
    comment: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct ReviewCriterion {
    field: String,
    rationale_field: String,
    name: String,
    options: Vec<ScoreOption>,
    rationale: String,
}

#[derive(Serialize)]
struct ScoreOption {
    value: u8,
    /// The rubric's anchor for this score, when it has one.
    anchor: Option<String>,
    selected: bool,
}

#[derive(Serialize)]
struct ReviewKeyPoint {
    field: String,
    text: String,
    /// `covered`, `missing` (as the current evaluation or the posted form has it).
    state: &'static str,
}

/// What a reviewer posted for one turn, kept to show the form again when it is refused.
#[derive(Default)]
pub struct Submitted {
    pub turn: i64,
    /// `criteria.<id>` → score.
    pub criteria: BTreeMap<String, String>,
    /// `rationale.<id>` → the reviewer's reason for that criterion.
    pub rationales: BTreeMap<String, String>,
    /// `key_point.<index>` → `covered` or `missing`.
    pub key_points: BTreeMap<String, String>,
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
    rubric: Option<&Rubric>,
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
                let rationale_field = format!("rationale.{}", c.id);
                let chosen = kept
                    .and_then(|s| s.criteria.get(&field))
                    .and_then(|v| v.parse::<u8>().ok())
                    .unwrap_or(c.score);
                let anchors = rubric.and_then(|r| {
                    r.criteria
                        .iter()
                        .find(|rc| rc.id == c.id)
                        .map(|rc| r.anchors_for(rc))
                });
                ReviewCriterion {
                    options: (c.min..=c.max)
                        .map(|value| ScoreOption {
                            value,
                            anchor: anchors.and_then(|a| a.get(&value).cloned()),
                            selected: value == chosen,
                        })
                        .collect(),
                    rationale: kept
                        .and_then(|s| s.rationales.get(&rationale_field).cloned())
                        .unwrap_or_default(),
                    name: c.name.clone(),
                    field,
                    rationale_field,
                }
            })
            .collect(),
        key_points: current
            .key_points
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let field = format!("key_point.{i}");
                let posted = kept
                    .and_then(|s| s.key_points.get(&field))
                    .map(String::as_str);
                ReviewKeyPoint {
                    state: match posted {
                        Some("covered") => "covered",
                        Some("missing") => "missing",
                        _ if k.covered => "covered",
                        _ => "missing",
                    },
                    text: k.text.clone(),
                    field,
                }
            })
            .collect(),
        overall: kept.map(|s| s.overall.clone()).unwrap_or_default(),
        comment: kept.map(|s| s.comment.clone()).unwrap_or_default(),
        error: kept.map(|s| s.error.clone()),
    }
}

/// The posted form (`criteria.<id>`, `rationale.<id>`, `key_point.<i>`, `overall`, `comment`)
/// as a review request. Key points and rationales are sent only where they say something: a
/// blank rationale is left out, and key point marks are all sent (the handler keeps unchanged
/// ones as they were).
pub fn review_request(s: &Submitted) -> Result<ReviewRequest, String> {
    let mut criteria = BTreeMap::new();
    for (field, value) in &s.criteria {
        let id = field.trim_start_matches("criteria.");
        let score = value
            .parse::<i64>()
            .map_err(|_| format!("{field}: `{value}` is not a score"))?;
        criteria.insert(id.to_string(), score);
    }
    let rationales = s
        .rationales
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(field, v)| {
            (
                field.trim_start_matches("rationale.").to_string(),
                v.trim().to_string(),
            )
        })
        .collect();
    let mut key_points = BTreeMap::new();
    for (field, value) in &s.key_points {
        let index = field
            .trim_start_matches("key_point.")
            .parse::<usize>()
            .map_err(|_| format!("{field}: not a key point"))?;
        let covered = match value.as_str() {
            "covered" => true,
            "missing" => false,
            other => return Err(format!("{field}: `{other}` is neither covered nor missing")),
        };
        key_points.insert(index.to_string(), covered);
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
        rationales: Some(rationales),
        key_points: Some(key_points),
        overall,
        comment: s.comment.clone(),
    })
}
