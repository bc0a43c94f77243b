//! The interview as pure logic, no I/O: planning which questions to ask, deciding what comes
//! next from the turns so far (so a restarted server resumes from stored turns alone), and the
//! end-of-interview summary.

mod flow;
mod plan;
mod rng;
mod summary;

pub use flow::{
    Ask, MAX_FOLLOW_UPS, Step, TurnView, answer_chain, asked_follow_ups, next_follow_up, next_step,
    question_open,
};
pub use plan::{MAX_COUNT, Plan, PlanError, make_plan, make_plan_ranked};
pub use summary::{QuestionReview, Scope, Summary, SummaryTurn, TopicScore, TurnScore, summarize};
