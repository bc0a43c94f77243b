//! The Evaluation: the one result shape every evaluator (built-in, LLM judge, human review)
//! returns, carried unchanged by the WebSocket protocol, the store and the recruiter API.

use serde::{Deserialize, Serialize};

/// Who produced an evaluation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Source {
    /// The built-in evaluator, configured as the evaluator.
    Builtin,
    /// An LLM judge.
    Llm,
    /// The built-in evaluator standing in because the LLM failed.
    Fallback,
    /// A recruiter's review.
    Human,
}

impl Source {
    /// The stable id stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Something about an answer worth a reviewer's attention.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Flag {
    /// Fewer words than any real answer needs.
    TooShort,
    /// Nothing in the answer relates to the question.
    OffTopic,
    /// A list of terms rather than an explanation.
    KeywordStuffing,
    /// The same sentences or phrases repeated.
    Repetitive,
    /// The answer mostly restates the question.
    CopiedQuestion,
    /// Text that tries to instruct the grader.
    PossiblePromptInjection,
    /// An LLM judge quoted evidence that is not in the answer (the quotes were dropped).
    EvidenceNotInAnswer,
    /// The answer states something wrong (see `incorrect_claims`).
    IncorrectClaim,
}

impl Flag {
    /// The stable id stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The score for one rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CriterionScore {
    pub id: String,
    pub name: String,
    pub score: u8,
    pub min: u8,
    pub max: u8,
    pub weight: f64,
    pub rationale: String,
    pub evidence: Vec<String>,
}

/// Whether one key point of the question was covered, with the sentence that showed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyPointResult {
    pub text: String,
    pub covered: bool,
    pub evidence: Option<String>,
    /// The area of the point, in words that do not give it away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// True when `text` is only the hint because the question is still open.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
}

/// Something the answer states that is wrong, with the sentence and the correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncorrectClaim {
    /// The candidate's sentence, quoted.
    pub claim: String,
    /// What is right instead (empty while the question is still open).
    pub correction: String,
}

/// How far an evaluation can be trusted: the built-in evaluator reads keywords and structure,
/// so it says how much of the answer it could read.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    /// The stable id sent on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One STAR part of a behavioral answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StarPart {
    pub present: bool,
    pub evidence: Option<String>,
    pub note: String,
}

/// The Situation/Task/Action/Result breakdown of a behavioral answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StarBreakdown {
    pub situation: StarPart,
    pub task: StarPart,
    pub action: StarPart,
    pub result: StarPart,
    /// What the candidate says they learned: shown and encouraged, never counted as the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reflection: Option<String>,
}

impl StarBreakdown {
    /// The parts' names, in STAR order.
    pub const PARTS: [&'static str; 4] = ["situation", "task", "action", "result"];

    /// The parts with their names, in STAR order.
    pub fn parts(&self) -> [(&'static str, &StarPart); 4] {
        [
            ("situation", &self.situation),
            ("task", &self.task),
            ("action", &self.action),
            ("result", &self.result),
        ]
    }
}

/// A follow-up question the evaluation proposes, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub text: String,
    pub reason: String,
    /// What it probes (`key_point:2`, `star:result`), so the same gap is not asked about twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl FollowUp {
    /// The target of a follow-up on key point `index`.
    pub fn key_point_target(index: usize) -> String {
        format!("key_point:{index}")
    }

    /// The target of a follow-up on a STAR part.
    pub fn star_target(part: &str) -> String {
        format!("star:{part}")
    }
}

/// Which rubric version graded the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RubricRef {
    pub id: String,
    pub version: u32,
}

/// Which evaluator produced the result (name and version, or model for an LLM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EvaluatorInfo {
    pub name: String,
    pub version: String,
}

/// The graded result of one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evaluation {
    /// Weighted score, 0–100.
    pub overall: u8,
    pub passed: bool,
    pub criteria: Vec<CriterionScore>,
    /// Key point coverage, with the sentence that made each point.
    pub key_points: Vec<KeyPointResult>,
    /// STAR breakdown (behavioral questions; null otherwise).
    pub star: Option<StarBreakdown>,
    pub strengths: Vec<String>,
    pub improvements: Vec<String>,
    pub follow_up: Option<FollowUp>,
    pub flags: Vec<Flag>,
    /// Wrong statements found in the answer (flag `incorrect_claim`).
    #[serde(default)]
    pub incorrect_claims: Vec<IncorrectClaim>,
    /// How much of the answer the evaluator could read (built-in evaluations; the built-in
    /// evaluator is a keyword-and-structure estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The candidate's own answer rewritten into a strong one by the LLM (when one is
    /// configured), shown once the question is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<String>,
    pub source: Source,
    pub rubric: RubricRef,
    pub evaluator: EvaluatorInfo,
}

impl Evaluation {
    /// True when the answer carries this flag.
    pub fn has_flag(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }
}
