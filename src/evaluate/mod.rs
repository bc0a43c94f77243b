//! Evaluating answers: the shared [`Evaluation`] type, scoring arithmetic, the built-in
//! evaluator, and the plain-language feedback written from an evaluation.

pub mod agreement;
pub mod builtin;
mod disclosure;
mod feedback;
pub mod judge;
mod model;
mod provenance;
mod score;

pub use disclosure::while_open;
pub use feedback::coach_text;
pub use model::{
    Confidence, CriterionScore, Evaluation, EvaluatorInfo, Flag, FollowUp, IncorrectClaim,
    KeyPointResult, RubricRef, Source, StarBreakdown, StarPart,
};
pub use provenance::{LlmDetails, Provenance};
pub use score::{overall, passed};
