//! What a rubric's page shows: its versions and a diff of two, the editor, the preview and
//! calibration results.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;
use std::sync::Arc;

use super::format;
use super::rubric_diff::{DiffView, diff_view};
use super::{PageError, Staff};
use crate::bank::Topic;
use crate::evaluate::Evaluation;
use crate::http::ApiError;
use crate::lint::Problem;
use crate::rubric::{MIN_EXAMPLES_FOR_CORRELATION, Rubric};
use crate::staff::CalibrationRow;

pub fn kinds(r: &Rubric) -> String {
    r.kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Serialize)]
pub struct Version {
    pub version: i64,
    pub latest: bool,
    pub created: String,
    pub by: Option<String>,
    pub source_text: String,
}

#[derive(Serialize, Default)]
pub struct Editor {
    pub text: String,
    pub problems: Vec<Problem>,
    pub error: Option<String>,
    pub saved: Option<String>,
}

#[derive(Serialize)]
pub struct QuestionOption {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Serialize)]
pub struct QuestionGroup {
    pub topic: &'static str,
    pub questions: Vec<QuestionOption>,
}

#[derive(Serialize, Default)]
pub struct Preview {
    pub answer: String,
    pub groups: Vec<QuestionGroup>,
    pub error: Option<String>,
    pub result: Option<serde_json::Value>,
}

#[derive(Serialize, Default)]
pub struct Calibrated {
    pub n: usize,
    pub mae: String,
    pub spearman: String,
    /// Enough examples for a correlation to be reported.
    pub enough: bool,
    pub rows: Vec<CalibrationRow>,
}

#[derive(Serialize)]
pub struct RubricPage {
    pub id: String,
    pub name: String,
    pub description: String,
    pub kinds: String,
    pub version: u32,
    /// The number the next save gets.
    pub next: i64,
    pub pass_mark: u8,
    pub scale: String,
    pub criteria: Vec<serde_json::Value>,
    pub examples: usize,
    /// The fewest examples a correlation is reported from.
    pub min_examples: usize,
    pub base: String,
    pub versions: Vec<Version>,
    pub editor: Editor,
    pub preview: Preview,
    pub calibration: Option<Calibrated>,
    pub calibration_error: Option<String>,
    pub calibration_notice: Option<String>,
    pub diff: Option<DiffView>,
    pub diff_error: Option<String>,
}

/// The rubric's latest version, or a 404 page.
pub fn latest(staff: &Staff, id: &str) -> Result<Arc<Rubric>, PageError> {
    staff
        .app
        .interviews
        .rubrics
        .latest(id)
        .ok_or_else(|| staff.fail(ApiError::not_found(format!("There is no rubric “{id}”."))))
}

/// The page for a rubric with the editor holding its latest source and nothing tried yet.
pub async fn page(staff: &Staff, r: &Rubric, question: &str) -> Result<RubricPage, PageError> {
    let stored = staff
        .app
        .interviews
        .store
        .rubric_versions(&r.id)
        .await
        .map_err(|e| staff.fail(e))?;
    let newest = stored.iter().map(|v| v.version).max();
    let versions: Vec<Version> = stored
        .into_iter()
        .rev()
        .map(|v| Version {
            latest: Some(v.version) == newest,
            version: v.version,
            created: format::datetime(v.created_at),
            by: v.created_by,
            source_text: v.source_text,
        })
        .collect();
    let groups = Topic::ALL
        .iter()
        .map(|&t| QuestionGroup {
            topic: t.title(),
            questions: staff
                .app
                .interviews
                .bank
                .questions()
                .iter()
                .filter(|q| q.topic == t && r.kinds.contains(&q.kind))
                .map(|q| QuestionOption {
                    selected: q.id == question,
                    label: format!(
                        "{} ({}) — {}",
                        q.id,
                        q.level,
                        q.text.chars().take(70).collect::<String>()
                    ),
                    id: q.id.clone(),
                })
                .collect(),
        })
        .filter(|g| !g.questions.is_empty())
        .collect();
    Ok(RubricPage {
        id: r.id.clone(),
        name: r.name.clone(),
        description: r.description.clone(),
        kinds: kinds(r),
        version: r.version,
        next: newest.unwrap_or(0) + 1,
        pass_mark: r.pass_mark,
        scale: format!("{}–{}", r.scale.min, r.scale.max),
        criteria: r
            .criteria
            .iter()
            .map(|c| serde_json::json!({"id": c.id, "name": c.name, "weight": c.weight, "signal": c.signal.as_str()}))
            .collect(),
        examples: r.calibration.len(),
        min_examples: MIN_EXAMPLES_FOR_CORRELATION,
        base: format!("/admin/rubrics/{}", format::encode(&r.id)),
        editor: Editor {
            text: versions.first().map(|v| v.source_text.clone()).unwrap_or_default(),
            ..Default::default()
        },
        // Previous against latest; the defaults always name stored versions.
        diff: diff_view(&versions, None, None).unwrap_or_default(),
        diff_error: None,
        versions,
        preview: Preview {
            groups,
            ..Default::default()
        },
        calibration: None,
        calibration_error: None,
        calibration_notice: None,
    })
}

pub fn show_page(staff: &Staff, status: StatusCode, p: RubricPage) -> HttpResponse {
    let title = format!("Rubric {}", p.id);
    staff.page(status, "rubric", &title, p)
}

pub fn preview_result(e: &Evaluation, llm_error: Option<String>) -> serde_json::Value {
    serde_json::json!({
        "overall": e.overall,
        "passed": e.passed,
        "source": format::source(e.source),
        "criteria": e.criteria.iter().map(|c| serde_json::json!({
            "name": c.name, "score": c.score, "max": c.max, "rationale": c.rationale,
            "pct": if c.max == 0 { 0 } else { u32::from(c.score.min(c.max)) * 100 / u32::from(c.max) },
        })).collect::<Vec<_>>(),
        "flags": e.flags.iter().map(|&f| format::flag(f)).collect::<Vec<_>>(),
        "llm_error": llm_error,
    })
}
