//! Evaluating answers: the shared [`Evaluation`] type, scoring arithmetic, the built-in
//! evaluator, and the plain-language feedback written from an evaluation.

pub mod builtin;
mod feedback;
pub mod judge;
mod model;
mod score;

pub use feedback::coach_text;
pub use model::{
    CriterionScore, Evaluation, EvaluatorInfo, Flag, FollowUp, KeyPointResult, RubricRef, Source,
    StarBreakdown, StarPart,
};
pub use score::{overall, passed};
