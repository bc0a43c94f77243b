//! Rubric types: a score scale with anchors, weighted criteria, a pass mark, calibration examples.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::bank::Kind;

/// The built-in evaluator's measurement that stands in for a criterion. An LLM judge reads the
/// criterion's description and anchors instead; the built-in evaluator needs to know what to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Weighted coverage of the question's key points.
    KeyPoints,
    /// Reasoning: covered points explained with causes and consequences.
    Depth,
    /// Concrete examples, code or numbers.
    Examples,
    /// Weighing options: costs, downsides, alternatives.
    Tradeoffs,
    /// Readable prose: full sentences, no repetition, not a keyword list.
    Clarity,
    /// An ordered method: first, then, finally; checks before changes.
    Process,
    /// STAR: context of the story.
    Situation,
    /// STAR: the candidate's own goal or responsibility.
    Task,
    /// STAR: what the candidate personally did.
    Action,
    /// STAR: outcome, numbers, lessons.
    Result,
    /// First-person ownership and measurable impact.
    Ownership,
}

impl Signal {
    /// Every signal, for validation messages.
    pub const ALL: &'static [Signal] = &[
        Signal::KeyPoints,
        Signal::Depth,
        Signal::Examples,
        Signal::Tradeoffs,
        Signal::Clarity,
        Signal::Process,
        Signal::Situation,
        Signal::Task,
        Signal::Action,
        Signal::Result,
        Signal::Ownership,
    ];

    /// The id used in rubric files.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::KeyPoints => "key_points",
            Signal::Depth => "depth",
            Signal::Examples => "examples",
            Signal::Tradeoffs => "tradeoffs",
            Signal::Clarity => "clarity",
            Signal::Process => "process",
            Signal::Situation => "situation",
            Signal::Task => "task",
            Signal::Action => "action",
            Signal::Result => "result",
            Signal::Ownership => "ownership",
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Signal {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Signal::ALL
            .iter()
            .copied()
            .find(|sig| sig.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Signal::ALL.iter().map(|s| s.as_str()).collect();
                format!(
                    "unknown signal `{s}` (expected one of: {})",
                    known.join(", ")
                )
            })
    }
}

/// The integer scale criteria are scored on, with what each score means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scale {
    pub min: u8,
    pub max: u8,
    /// One description per score from `min` to `max`.
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub anchors: BTreeMap<u8, String>,
}

impl Scale {
    /// Maps a 0.0–1.0 measurement onto the scale, rounding to the nearest score.
    pub fn score_for(&self, fraction: f64) -> u8 {
        let span = f64::from(self.max - self.min);
        let f = fraction.clamp(0.0, 1.0);
        self.min + (f * span).round() as u8
    }

    /// Where a score sits on the scale, 0.0 at `min` and 1.0 at `max`.
    pub fn fraction(&self, score: u8) -> f64 {
        let span = f64::from(self.max - self.min);
        if span == 0.0 {
            return 1.0;
        }
        f64::from(score.clamp(self.min, self.max) - self.min) / span
    }
}

/// One thing the rubric scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    pub description: String,
    pub weight: f64,
    pub signal: Signal,
    /// Criterion-specific anchors; empty means the scale's anchors apply.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = Option<std::collections::HashMap<String, String>>)]
    pub anchors: BTreeMap<u8, String>,
}

/// An answer with the overall score a careful human gave it, for checking an evaluator's agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CalibrationExample {
    pub question_id: String,
    pub answer: String,
    pub expected_overall: u8,
}

/// A rubric, one version of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rubric {
    pub id: String,
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub kinds: Vec<Kind>,
    pub scale: Scale,
    pub criteria: Vec<Criterion>,
    /// Overall score (0–100) at or above which an answer passes.
    pub pass_mark: u8,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calibration: Vec<CalibrationExample>,
}

impl Rubric {
    /// Anchors for a criterion: its own when it has them, else the scale's.
    pub fn anchors_for<'a>(&'a self, criterion: &'a Criterion) -> &'a BTreeMap<u8, String> {
        if criterion.anchors.is_empty() {
            &self.scale.anchors
        } else {
            &criterion.anchors
        }
    }
}
