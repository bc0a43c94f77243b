//! What happens next in an interview, derived from the plan and the turns so far.

use crate::bank::Bank;
use crate::evaluate::FollowUp;

use super::Plan;

/// Most follow-ups asked about one main question.
pub const MAX_FOLLOW_UPS: usize = 2;

/// What the flow needs to know about one stored turn.
#[derive(Debug, Clone)]
pub struct TurnView<'a> {
    pub turn: i64,
    pub question_id: &'a str,
    pub is_follow_up: bool,
    pub parent_turn: Option<i64>,
    pub answer: Option<&'a str>,
    pub skipped: bool,
    /// The current evaluation exists.
    pub evaluated: bool,
    /// The follow-up the current evaluation proposes, if any.
    pub follow_up: Option<&'a FollowUp>,
}

impl TurnView<'_> {
    fn closed(&self) -> bool {
        self.answer.is_some() || self.skipped
    }

    /// The main turn this turn belongs to.
    fn root(&self) -> i64 {
        self.parent_turn.unwrap_or(self.turn)
    }
}

/// A question to ask now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub turn: i64,
    pub question_id: String,
    pub text: String,
    pub follow_up: bool,
    pub parent_turn: Option<i64>,
    /// 1-based number of the main question this belongs to.
    pub index: usize,
}

/// The next thing the interview needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Ask this question (store it first, then send it).
    Ask(Ask),
    /// The question on this turn is open; wait for an answer or a skip.
    AwaitAnswer { turn: i64 },
    /// This turn was answered but never graded (e.g. the server stopped): grade it.
    Grade { turn: i64 },
    /// Every planned question has been dealt with.
    Finished,
}

/// Decides the next step. Turns must be in order.
pub fn next_step(plan: &Plan, bank: &Bank, turns: &[TurnView]) -> Step {
    let mains = turns.iter().filter(|t| !t.is_follow_up).count();
    let next_turn = turns.last().map_or(1, |t| t.turn + 1);
    if let Some(last) = turns.last() {
        if !last.closed() {
            return Step::AwaitAnswer { turn: last.turn };
        }
        if last.answer.is_some() && !last.evaluated {
            return Step::Grade { turn: last.turn };
        }
        let root = last.root();
        let asked = turns.iter().filter(|t| t.parent_turn == Some(root)).count();
        if let (false, Some(f), true) = (last.skipped, last.follow_up, asked < MAX_FOLLOW_UPS) {
            return Step::Ask(Ask {
                turn: next_turn,
                question_id: last.question_id.to_string(),
                text: f.text.clone(),
                follow_up: true,
                parent_turn: Some(root),
                index: mains,
            });
        }
    }
    match plan.question_ids.get(mains) {
        Some(id) => Step::Ask(Ask {
            turn: next_turn,
            question_id: id.clone(),
            text: bank.get(id).map_or_else(String::new, |q| q.text.clone()),
            follow_up: false,
            parent_turn: None,
            index: mains + 1,
        }),
        None => Step::Finished,
    }
}

/// The answers to a main question and its follow-ups up to and including `turn`, joined: a
/// follow-up answer is graded together with what the candidate already said.
pub fn answer_chain(turns: &[TurnView], turn: i64) -> String {
    let Some(target) = turns.iter().find(|t| t.turn == turn) else {
        return String::new();
    };
    let root = target.root();
    turns
        .iter()
        .filter(|t| t.root() == root && t.turn <= turn)
        .filter_map(|t| t.answer)
        .collect::<Vec<_>>()
        .join("\n\n")
}
