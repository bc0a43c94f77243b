//! An interview's stored state loaded in one place, and the views the pure flow and the
//! protocol need of it.

use crate::error_code::Code;
use std::collections::HashMap;

use super::RunnerError;
use crate::bank::Bank;
use crate::evaluate::{Evaluation, Source, while_open};
use crate::interview::{Plan, SummaryTurn, TurnView, question_open};
use crate::store::{NewTurn, SessionRecord, SessionStatus, Store, StoredEvaluation, TurnRecord};
use crate::ws::protocol::{ServerMessage, TranscriptTurn};

/// Stored turns as the pure interview flow sees them, given each turn's current evaluation.
pub fn turn_views<'a>(
    turns: &'a [TurnRecord],
    current: impl Fn(i64) -> Option<&'a StoredEvaluation>,
) -> Vec<TurnView<'a>> {
    turns
        .iter()
        .map(|t| {
            let e = current(t.turn);
            TurnView {
                turn: t.turn,
                question_id: &t.question_id,
                is_follow_up: t.is_follow_up,
                parent_turn: t.parent_turn,
                answer: t.answer_text.as_deref(),
                skipped: t.skipped,
                evaluated: e.is_some(),
                follow_up: e.and_then(|e| e.evaluation.follow_up.as_ref()),
            }
        })
        .collect()
}

/// Session, turns and the current evaluation of each turn.
pub struct SessionState {
    pub session: SessionRecord,
    pub plan: Plan,
    pub turns: Vec<TurnRecord>,
    pub current: HashMap<i64, StoredEvaluation>,
    /// Per turn, the latest machine evaluation that a later one replaced. Consulted only when
    /// the current evaluation is a recruiter's review: the candidate then sees this one (the
    /// review's score, comment and reviewer stay with the staff).
    replaced_machine: HashMap<i64, StoredEvaluation>,
    /// The candidate ended the interview while a question was open (it was skipped for them).
    pub cut_short: bool,
}

impl SessionState {
    pub async fn load(store: &Store, session_id: &str) -> Result<SessionState, RunnerError> {
        let mut session = store.session(session_id).await?;
        // The plan is kept typed; its JSON copy would only double what an interview holds.
        let plan: Plan = serde_json::from_value(session.plan.take()).map_err(|e| {
            RunnerError::Internal(format!("session {session_id} has an unreadable plan: {e}"))
        })?;
        let turns = store.turns(session_id).await?;
        // Oldest first, so the last one written per turn wins: the current evaluation.
        let mut current: HashMap<i64, StoredEvaluation> = HashMap::new();
        let mut replaced_machine = HashMap::new();
        for e in store.evaluations(session_id).await? {
            let previous = current.insert(e.turn, e);
            if let Some(previous) = previous.filter(|p| p.evaluation.source != Source::Human) {
                replaced_machine.insert(previous.turn, previous);
            }
        }
        Ok(SessionState {
            session,
            plan,
            turns,
            current,
            replaced_machine,
            cut_short: false,
        })
    }

    /// A new interview's state, before its first question.
    pub fn started(mut session: SessionRecord, plan: Plan) -> SessionState {
        session.plan = serde_json::Value::Null;
        SessionState {
            session,
            plan,
            turns: Vec::new(),
            current: HashMap::new(),
            replaced_machine: HashMap::new(),
            cut_short: false,
        }
    }

    /// Records a question as asked (after it is stored).
    pub fn asked(&mut self, t: &NewTurn) {
        self.turns.push(TurnRecord {
            session_id: t.session_id.clone(),
            turn: t.turn,
            question_id: t.question_id.clone(),
            topic: t.topic,
            level: t.level,
            kind: t.kind,
            question_text: t.question_text.clone(),
            is_follow_up: t.is_follow_up,
            parent_turn: t.parent_turn,
            asked_at: t.asked_at,
            answer_text: None,
            client_msg_id: None,
            answered_at: None,
            answer_duration_ms: None,
            skipped: false,
        });
        self.session.updated_at = t.asked_at;
    }

    /// Records an answer (after it is stored).
    pub fn answered(&mut self, turn: i64, text: String, client_msg_id: String, at: i64) {
        if let Some(t) = self.turns.iter_mut().find(|t| t.turn == turn) {
            t.answer_duration_ms = Some(at - t.asked_at);
            t.answer_text = Some(text);
            t.client_msg_id = Some(client_msg_id);
            t.answered_at = Some(at);
        }
    }

    /// Records a skip (after it is stored).
    pub fn skipped(&mut self, turn: i64, at: i64) {
        if let Some(t) = self.turns.iter_mut().find(|t| t.turn == turn) {
            t.skipped = true;
            t.answered_at = Some(at);
            t.answer_duration_ms = Some(at - t.asked_at);
        }
    }

    /// Records a turn's new current evaluation.
    pub fn evaluated(&mut self, e: StoredEvaluation) {
        if e.evaluation.source != Source::Human {
            self.replaced_machine.remove(&e.turn);
        }
        if !e.evaluation.flags.is_empty() {
            self.session.flagged = true;
        }
        let previous = self.current.insert(e.turn, e);
        if let Some(previous) = previous.filter(|p| p.evaluation.source != Source::Human) {
            self.replaced_machine.insert(previous.turn, previous);
        }
    }

    /// Records the end of the interview (after it is stored).
    pub fn finished(&mut self, summary: serde_json::Value, overall: i64, at: i64) {
        self.session.status = SessionStatus::Finished;
        self.session.summary = Some(summary);
        self.session.overall = Some(overall);
        self.session.finished_at = Some(at);
    }

    /// The turn whose answer was stored with this `client_msg_id`.
    pub fn turn_with_client_msg_id(&self, client_msg_id: &str) -> Option<i64> {
        self.turns
            .iter()
            .find(|t| t.client_msg_id.as_deref() == Some(client_msg_id))
            .map(|t| t.turn)
    }

    /// The turn waiting for an answer.
    pub fn open_turn(&self) -> Option<i64> {
        self.turns.last().filter(|t| !t.is_closed()).map(|t| t.turn)
    }

    /// The evaluation of `turn` the candidate sees: the current one unless it is a review.
    pub fn shown(&self, turn: i64) -> Option<&StoredEvaluation> {
        match self.current.get(&turn) {
            Some(e) if e.evaluation.source == Source::Human => self.replaced_machine.get(&turn),
            other => other,
        }
    }

    /// What the pure interview flow needs.
    pub fn views(&self) -> Vec<TurnView<'_>> {
        turn_views(&self.turns, |turn| self.current.get(&turn))
    }

    /// True while the question `turn` belongs to may still get an answer or a follow-up.
    pub fn is_open(&self, turn: i64) -> bool {
        question_open(
            &self.views(),
            turn,
            self.session.status == SessionStatus::Finished,
        )
    }

    /// The `evaluation` message for a turn's current evaluation, as the candidate may see it now.
    pub fn evaluation_message(&self, turn: i64, bank: &Bank) -> ServerMessage {
        let model_answer = self
            .turn(turn)
            .and_then(|t| bank.get(&t.question_id))
            .map(|q| q.model_answer.as_str());
        match self.shown(turn) {
            Some(e) => {
                ServerMessage::evaluation(turn, &e.evaluation, self.is_open(turn), model_answer)
            }
            None => {
                tracing::error!(turn, "a graded turn has no evaluation");
                ServerMessage::from_code(Code::Internal)
            }
        }
    }

    /// What the summary needs.
    pub fn summary_turns<'b>(&'b self, bank: &'b Bank) -> Vec<SummaryTurn<'b>> {
        self.summary_turns_of(bank, |turn| self.current.get(&turn).map(|e| &e.evaluation))
    }

    /// What the summary needs, with `extra` as the current evaluation of its turn (one about to
    /// be stored).
    pub fn summary_turns_with<'b>(
        &'b self,
        bank: &'b Bank,
        extra: Option<(i64, &'b Evaluation)>,
    ) -> Vec<SummaryTurn<'b>> {
        self.summary_turns_of(bank, |turn| self.evaluation_with(turn, extra))
    }

    /// The current evaluation of `turn`, or `extra` when it is for that turn.
    pub fn evaluation_with<'b>(
        &'b self,
        turn: i64,
        extra: Option<(i64, &'b Evaluation)>,
    ) -> Option<&'b Evaluation> {
        match extra {
            Some((t, e)) if t == turn => Some(e),
            _ => self.current.get(&turn).map(|e| &e.evaluation),
        }
    }

    /// What the candidate's summary needs: their machine evaluations only.
    pub fn candidate_summary_turns<'b>(&'b self, bank: &'b Bank) -> Vec<SummaryTurn<'b>> {
        self.summary_turns_of(bank, |turn| self.shown(turn).map(|e| &e.evaluation))
    }

    fn summary_turns_of<'b>(
        &'b self,
        bank: &'b Bank,
        evaluation: impl Fn(i64) -> Option<&'b Evaluation>,
    ) -> Vec<SummaryTurn<'b>> {
        self.turns
            .iter()
            .map(|t| SummaryTurn {
                turn: t.turn,
                question_id: &t.question_id,
                topic: t.topic,
                is_follow_up: t.is_follow_up,
                parent_turn: t.parent_turn,
                skipped: t.skipped,
                answered: t.answer_text.is_some(),
                evaluation: evaluation(t.turn),
                question: &t.question_text,
                model_answer: bank
                    .get(&t.question_id)
                    .map_or("", |q| q.model_answer.as_str()),
            })
            .collect()
    }

    /// 1-based number of the main question a turn belongs to.
    pub fn index_of(&self, turn: i64) -> usize {
        self.turns
            .iter()
            .filter(|t| !t.is_follow_up && t.turn <= turn)
            .count()
            .max(1)
    }

    /// The turn with this number.
    pub fn turn(&self, turn: i64) -> Option<&TurnRecord> {
        self.turns.iter().find(|t| t.turn == turn)
    }

    /// The `question` message for a stored turn.
    pub fn question_message(&self, t: &TurnRecord) -> ServerMessage {
        // The stored snapshot is what was asked (read typed: a bad stored value fails the read).
        ServerMessage::Question {
            turn: t.turn,
            question_id: t.question_id.clone(),
            topic: t.topic,
            level: t.level,
            kind: t.kind,
            text: t.question_text.clone(),
            index: self.index_of(t.turn),
            of: self.plan.count,
            follow_up: t.is_follow_up,
        }
    }

    /// The `transcript` message replayed on resume: open questions as hints, closed ones whole.
    pub fn transcript(&self, bank: &Bank) -> ServerMessage {
        ServerMessage::Transcript {
            session_id: self.session.id.clone(),
            turns: self
                .turns
                .iter()
                .map(|t| {
                    let open = self.is_open(t.turn);
                    TranscriptTurn {
                        turn: t.turn,
                        question_id: t.question_id.clone(),
                        topic: t.topic.to_string(),
                        level: t.level.to_string(),
                        kind: t.kind.to_string(),
                        text: t.question_text.clone(),
                        follow_up: t.is_follow_up,
                        index: self.index_of(t.turn),
                        answer: t.answer_text.clone(),
                        skipped: t.skipped,
                        evaluation: self.shown(t.turn).map(|e| {
                            if open {
                                while_open(&e.evaluation)
                            } else {
                                e.evaluation.clone()
                            }
                        }),
                        closed: !open,
                        model_answer: (!open)
                            .then(|| bank.get(&t.question_id).map(|q| q.model_answer.clone()))
                            .flatten(),
                    }
                })
                .collect(),
        }
    }
}
