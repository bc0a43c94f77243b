//! Rubric versions: syncing the shipped files into the database, saving admin edits as new
//! immutable versions, assignments, previews and calibration.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::StaffError;
use crate::bank::{Kind, Topic};
use crate::clock::now_ms;
use crate::evaluate::Evaluation;
use crate::rubric::Assignment;
use crate::rubric::{
    self, CalibrationAgreement, Rubric, RubricRegistry, RubricSet, calibration_agreement,
};
use crate::runner::{Event, Interviews};
use crate::store::{RubricVersionRecord, Store, StoreError};
use crate::tokens::sha256_hex;

fn record(
    r: &Rubric,
    source_text: &str,
    by: Option<&str>,
) -> Result<RubricVersionRecord, StaffError> {
    let body = serde_json::to_string(r).map_err(|e| StaffError::Internal(e.to_string()))?;
    Ok(RubricVersionRecord {
        rubric_id: r.id.clone(),
        version: i64::from(r.version),
        name: r.name.clone(),
        content_hash: sha256_hex(&body),
        body,
        source_text: source_text.to_string(),
        created_at: now_ms(),
        created_by: by.map(str::to_string),
    })
}

fn parse(record: &RubricVersionRecord) -> Result<Rubric, StaffError> {
    serde_json::from_str(&record.body).map_err(|e| {
        StaffError::Internal(format!(
            "stored rubric {} v{} is unreadable: {e}",
            record.rubric_id, record.version
        ))
    })
}

/// Stores shipped rubric versions the database does not have yet, then loads every stored
/// version and the assignments. A shipped file whose version number is already stored with
/// different content is left alone (the stored version is immutable): bump `version` to ship a change.
pub async fn load_registry(
    store: &Store,
    shipped: &RubricSet,
    sources: &[(String, String)],
) -> Result<RubricRegistry, StaffError> {
    for r in shipped.all() {
        let stored = store.rubric_versions(&r.id).await?;
        let text = sources
            .iter()
            .find(|(id, _)| id == &r.id)
            .map_or("", |(_, t)| t.as_str());
        let rec = record(r, text, Some("shipped"))?;
        match stored.iter().find(|s| s.version == rec.version) {
            Some(s) if s.content_hash != rec.content_hash => tracing::warn!(
                rubric = r.id,
                version = r.version,
                "the shipped rubric file differs from the stored version with the same number; the stored one stays"
            ),
            Some(_) => {}
            None if stored.iter().any(|s| s.version > rec.version) => {}
            None => match store.insert_rubric_version(&rec).await {
                Ok(()) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            },
        }
    }
    let registry = RubricRegistry::new(shipped);
    let mut versions = Vec::new();
    for latest in store.latest_rubric_versions().await? {
        for v in store.rubric_versions(&latest.rubric_id).await? {
            versions.push(parse(&v)?);
        }
    }
    registry.add_versions(versions);
    registry.set_assignments(store.assignments().await?);
    Ok(registry)
}

/// Picks up rubric versions and assignments saved by other server processes on the same
/// database (an admin's edit lands on one replica; the others see it at their next refresh).
pub async fn refresh_registry(interviews: &Interviews) -> Result<usize, StaffError> {
    let registry = &interviews.rubrics;
    let mut added = Vec::new();
    for latest in interviews.store.latest_rubric_versions().await? {
        let known = registry
            .latest(&latest.rubric_id)
            .map(|r| i64::from(r.version));
        if known.is_some_and(|v| v >= latest.version) {
            continue;
        }
        for v in interviews.store.rubric_versions(&latest.rubric_id).await? {
            if registry.version(&v.rubric_id, v.version as u32).is_none() {
                added.push(parse(&v)?);
            }
        }
    }
    let n = added.len();
    registry.add_versions(added);
    let assignments = interviews.store.assignments().await?;
    if assignments != registry.assignments() {
        registry.set_assignments(assignments);
    }
    Ok(n)
}

/// Refreshes the registry every `interval`, forever: a safety net for a rubric event lost while
/// the listening connection was down (replicas are told of each edit at once).
pub async fn keep_registry_fresh(interviews: Interviews, interval: std::time::Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.tick().await;
    loop {
        tick.tick().await;
        match refresh_registry(&interviews).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                versions = n,
                "loaded rubric versions saved by another server"
            ),
            Err(e) => tracing::warn!(error = %e, "refreshing rubric versions failed"),
        }
    }
}

/// A rubric document as an admin submits it.
pub enum RubricInput<'a> {
    Toml(&'a str),
    Json(&'a str),
}

/// Validates and stores a new version: `expect_id` for an edit (the version number is the next
/// one), `None` for a new rubric (version 1). Nothing is stored unless everything is valid.
pub async fn save_version(
    interviews: &Interviews,
    input: RubricInput<'_>,
    expect_id: Option<&str>,
    by: &str,
) -> Result<Arc<Rubric>, StaffError> {
    save_version_over(interviews, input, expect_id, None, by).await
}

/// [`save_version`] for an edit made to version `base`: refused as a conflict when another
/// version was saved since, so that edit is not silently overwritten.
pub(super) async fn save_version_over(
    interviews: &Interviews,
    input: RubricInput<'_>,
    expect_id: Option<&str>,
    base: Option<i64>,
    by: &str,
) -> Result<Arc<Rubric>, StaffError> {
    let (text, parsed) = match input {
        RubricInput::Toml(t) => (t, rubric::from_toml(&assign_version_toml(t), None)),
        RubricInput::Json(t) => (t, rubric::from_json(&assign_version_json(t), None)),
    };
    let mut r = parsed.map_err(StaffError::InvalidRubric)?;
    let existing = interviews.store.rubric_versions(&r.id).await?;
    match expect_id {
        Some(id) if id != r.id => {
            return Err(StaffError::InvalidRubric(vec![crate::lint::Problem::new(
                None,
                "id",
                format!("`{}` does not match the rubric being edited (`{id}`)", r.id),
            )]));
        }
        Some(id) if existing.is_empty() => {
            return Err(StaffError::NotFound(format!("no rubric `{id}`")));
        }
        None if !existing.is_empty() => {
            return Err(StaffError::Conflict(format!(
                "rubric `{}` exists; edit it with PUT /api/rubrics/{}",
                r.id, r.id
            )));
        }
        _ => {}
    }
    let newest = existing.iter().map(|v| v.version).max();
    if let Some(base) = base.filter(|&b| Some(b) != newest) {
        return Err(StaffError::Conflict(format!(
            "rubric `{}` has a version {} saved after version {base}; reload and try again",
            r.id,
            newest.unwrap_or_default()
        )));
    }
    r.version = newest.map_or(1, |v| v as u32 + 1);
    let rec = record(&r, text, Some(by))?;
    interviews.store.insert_rubric_version(&rec).await?;
    interviews.rubrics.add_versions([r.clone()]);
    interviews.publish_event(Event::Rubrics);
    Ok(Arc::new(r))
}

/// The version number in a submitted document is assigned by the server; a missing one is
/// filled in so validation does not complain about it.
fn assign_version_toml(text: &str) -> String {
    match toml::from_str::<toml::Table>(text) {
        Ok(mut t) => {
            t.insert("version".into(), toml::Value::Integer(1));
            toml::to_string(&t).unwrap_or_else(|_| text.to_string())
        }
        Err(_) => text.to_string(),
    }
}

fn assign_version_json(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.insert("version".into(), serde_json::json!(1));
            serde_json::Value::Object(m).to_string()
        }
        _ => text.to_string(),
    }
}

/// Replaces the rubric assignments after checking kinds, topics and rubric ids.
pub async fn save_assignments(
    interviews: &Interviews,
    list: Vec<Assignment>,
    by: &str,
) -> Result<Vec<Assignment>, StaffError> {
    let mut problems = Vec::new();
    for (i, a) in list.iter().enumerate() {
        if a.kind.parse::<Kind>().is_err() {
            problems.push(format!("[{i}].kind: unknown kind `{}`", a.kind));
        }
        if !a.topic.is_empty() && a.topic.parse::<Topic>().is_err() {
            problems.push(format!("[{i}].topic: unknown topic `{}`", a.topic));
        }
        match (
            interviews.rubrics.latest(&a.rubric_id),
            a.kind.parse::<Kind>(),
        ) {
            (None, _) => problems.push(format!("[{i}].rubric_id: no rubric `{}`", a.rubric_id)),
            (Some(r), Ok(kind)) if !r.kinds.contains(&kind) => problems.push(format!(
                "[{i}].rubric_id: rubric `{}` does not grade {kind} questions",
                a.rubric_id
            )),
            _ => {}
        }
        if list[..i]
            .iter()
            .any(|b| b.kind == a.kind && b.topic == a.topic)
        {
            problems.push(format!(
                "[{i}]: `{}`/`{}` is assigned twice",
                a.kind, a.topic
            ));
        }
    }
    if !problems.is_empty() {
        return Err(StaffError::Invalid(problems.join("; ")));
    }
    interviews
        .store
        .replace_assignments(&list, by, now_ms())
        .await?;
    interviews.rubrics.set_assignments(list.clone());
    interviews.publish_event(Event::Rubrics);
    Ok(list)
}

/// Grades an answer with a rubric and the configured evaluator without storing anything.
pub async fn preview(
    interviews: &Interviews,
    rubric: &Rubric,
    question_id: &str,
    answer: &str,
) -> Result<(Evaluation, Option<String>), StaffError> {
    let q = interviews
        .bank
        .get(question_id)
        .ok_or_else(|| StaffError::Invalid(format!("unknown question `{question_id}`")))?;
    if !rubric.kinds.contains(&q.kind) {
        return Err(StaffError::Invalid(format!(
            "rubric `{}` does not grade {} questions",
            rubric.id, q.kind
        )));
    }
    if answer.trim().is_empty() {
        return Err(StaffError::Invalid("the answer is empty".into()));
    }
    let a = interviews.assess(q, rubric, answer).await;
    Ok((a.evaluation, a.llm_error))
}

/// One calibration example, graded.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CalibrationRow {
    pub question_id: String,
    pub expected_overall: u8,
    pub actual_overall: u8,
    pub source: String,
    pub difference: i16,
}

/// Agreement of the configured evaluator with a rubric's calibration examples.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Calibration {
    pub rubric_id: String,
    pub version: u32,
    pub agreement: CalibrationAgreement,
    pub examples: Vec<CalibrationRow>,
}

/// Grades a rubric's calibration examples and reports mean absolute error and, from
/// [`rubric::MIN_EXAMPLES_FOR_CORRELATION`] examples on, Spearman's rank correlation against the
/// expected scores.
pub async fn calibrate(
    interviews: &Interviews,
    rubric: &Rubric,
) -> Result<Calibration, StaffError> {
    let mut rows = Vec::new();
    for ex in &rubric.calibration {
        let (e, _) = preview(interviews, rubric, &ex.question_id, &ex.answer).await?;
        rows.push(CalibrationRow {
            question_id: ex.question_id.clone(),
            expected_overall: ex.expected_overall,
            actual_overall: e.overall,
            source: e.source.as_str().to_string(),
            difference: i16::from(e.overall) - i16::from(ex.expected_overall),
        });
    }
    let pairs: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (f64::from(r.expected_overall), f64::from(r.actual_overall)))
        .collect();
    Ok(Calibration {
        rubric_id: rubric.id.clone(),
        version: rubric.version,
        agreement: calibration_agreement(&pairs),
        examples: rows,
    })
}
