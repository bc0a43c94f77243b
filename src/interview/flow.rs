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

/// The follow-ups already asked about the main question `turn` belongs to, before `turn`:
/// each was proposed by the evaluation of the turn before it in the chain.
pub fn asked_follow_ups<'a>(turns: &'a [TurnView<'a>], turn: i64) -> Vec<&'a FollowUp> {
    let Some(target) = turns.iter().find(|t| t.turn == turn) else {
        return Vec::new();
    };
    let chain: Vec<&TurnView> = turns
        .iter()
        .filter(|t| t.root() == target.root() && t.turn <= turn)
        .collect();
    chain
        .windows(2)
        .filter_map(|pair| pair[0].follow_up.filter(|_| pair[1].is_follow_up))
        .collect()
}

/// The follow-up the interview will ask after `turn` (the last of its chain so far), given the
/// follow-up its evaluation proposes: none once the chain has had its share, after a skip, or
/// when the same question or gap was already asked about.
pub fn next_follow_up<'a>(
    turns: &[TurnView],
    turn: i64,
    proposal: Option<&'a FollowUp>,
) -> Option<&'a FollowUp> {
    let last = turns.iter().find(|t| t.turn == turn)?;
    if last.skipped {
        return None;
    }
    let proposal = proposal?;
    let root = last.root();
    let asked = turns.iter().filter(|t| t.parent_turn == Some(root)).count();
    let earlier = asked_follow_ups(turns, turn);
    let repeats = earlier
        .iter()
        .any(|f| f.text == proposal.text || (f.target.is_some() && f.target == proposal.target));
    (asked < MAX_FOLLOW_UPS && !repeats).then_some(proposal)
}

/// True while the main question `turn` belongs to may still get an answer or a follow-up: the
/// candidate sees what is missing only as hints until it closes.
pub fn question_open(turns: &[TurnView], turn: i64, finished: bool) -> bool {
    let Some(target) = turns.iter().find(|t| t.turn == turn) else {
        return false;
    };
    let Some(last) = turns.iter().rfind(|t| t.root() == target.root()) else {
        return false;
    };
    if finished || last.skipped {
        return false;
    }
    last.answer.is_none()
        || !last.evaluated
        || next_follow_up(turns, last.turn, last.follow_up).is_some()
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
        if let Some(f) = next_follow_up(turns, last.turn, last.follow_up) {
            return Step::Ask(Ask {
                turn: next_turn,
                question_id: last.question_id.to_string(),
                text: f.text.clone(),
                follow_up: true,
                parent_turn: Some(last.root()),
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
