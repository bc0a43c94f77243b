//! Moving a live interview forward: ask, grade and store what follows in one transaction, or
//! finish. Every write names the epoch the process holds; a refused write means the interview
//! was taken over elsewhere and this process lets go of it.

use crate::error_code::Code;
use std::time::Duration;

use super::{Interviews, Live, RunnerError, SessionGuard};
use crate::bank::Question;
use crate::clock::now_ms;
use crate::interview::{self, Step};
use crate::store::{GradingCommit, NewTurn, Next, StoreError, StoredEvaluation};
use crate::telemetry;
use crate::ws::protocol::ServerMessage;

/// First wait before storing a graded step again after a database failure; it doubles up to
/// [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// What follows a graded answer, decided before it is stored.
pub(super) enum Then {
    Wait,
    Ask(NewTurn, interview::Ask),
    Finish(Ending),
}

impl Then {
    /// What the graded step stores beside its evaluation.
    pub(super) fn next(&self) -> Next<'_> {
        match self {
            Then::Wait => Next::Wait,
            Then::Ask(turn, _) => Next::Ask(turn),
            Then::Finish(ending) => ending.next(),
        }
    }
}

/// The end of an interview: its summary, and the same as stored.
pub(super) struct Ending {
    summary: interview::Summary,
    json: serde_json::Value,
}

impl Ending {
    fn next(&self) -> Next<'_> {
        Next::Finish {
            summary: &self.json,
            overall: i64::from(self.summary.overall),
        }
    }
}

impl Interviews {
    /// Moves the interview forward until it waits for the candidate: grades an answer that has
    /// no evaluation, asks the next question or follow-up, or finishes. Call with the lock held.
    pub(super) async fn advance(&self, live: &mut Live) -> Result<(), RunnerError> {
        if live.state.session.status == crate::store::SessionStatus::Finished {
            return Ok(());
        }
        let step = interview::next_step(&live.state.plan, &self.bank, &live.state.views());
        match step {
            Step::Ask(ask) => {
                let turn = self.new_turn(live, &ask)?;
                self.store.ask(live.epoch, &turn).await?;
                live.state.asked(&turn);
                self.publish_question(live, ask);
                Ok(())
            }
            Step::AwaitAnswer { turn } => {
                if let Some(t) = live.state.turn(turn) {
                    let message = live.state.question_message(t);
                    self.hub.publish(&live.state.session.id, message);
                }
                Ok(())
            }
            Step::Grade { turn } => self.grade(live, turn).await,
            Step::Finished => self.finish(live).await,
        }
    }

    /// What follows `turn` once `evaluation` is its current one.
    pub(super) async fn then(
        &self,
        live: &Live,
        turn: i64,
        evaluation: &crate::evaluate::Evaluation,
    ) -> Result<Then, RunnerError> {
        let mut views = live.state.views();
        if let Some(v) = views.iter_mut().find(|v| v.turn == turn) {
            v.evaluated = true;
            v.follow_up = evaluation.follow_up.as_ref();
        }
        Ok(
            match interview::next_step(&live.state.plan, &self.bank, &views) {
                Step::Ask(ask) => Then::Ask(self.new_turn(live, &ask)?, ask),
                Step::Finished => Then::Finish(self.ending(live, Some((turn, evaluation))).await?),
                Step::AwaitAnswer { .. } | Step::Grade { .. } => Then::Wait,
            },
        )
    }

    /// Stores a graded step (see [`crate::store::Store::commit_step`]). A database failure is
    /// retried with backoff while the candidate is told grading is delayed: the answer is
    /// acknowledged, so it is never reported as lost. Gives up only when the interview was
    /// taken over or the server is shutting down (the answer is then graded on resume).
    pub(super) async fn commit(&self, c: &GradingCommit<'_>) -> Result<Option<i64>, RunnerError> {
        let mut wait = RETRY_FIRST;
        let mut told = false;
        let mut shutdown = self.hub.shutdown_signal();
        loop {
            let e = match self.store.commit_step(c).await {
                Ok(id) => return Ok(id),
                Err(e @ StoreError::Database(_)) => e,
                Err(e) => return Err(e.into()),
            };
            if *shutdown.borrow() {
                return Err(e.into());
            }
            tracing::warn!(session_id = c.session_id, turn = c.turn, error = %e, retry_in_ms = wait.as_millis() as u64, "storing a graded answer failed; retrying");
            if !told {
                told = true;
                self.hub.publish(
                    c.session_id,
                    ServerMessage::error(
                        Code::GradingDelayed,
                        "your answer is saved; its grading is delayed by a storage problem and \
                         will arrive here as soon as it is stored",
                    ),
                );
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => return Err(e.into()),
            }
            wait = (wait * 2).min(RETRY_MAX);
        }
    }

    /// Applies a stored step to the live state and publishes what follows the evaluation.
    pub(super) fn apply_then(&self, live: &mut Live, then: Then, now: i64) {
        match then {
            Then::Wait => {}
            Then::Ask(turn, ask) => {
                live.state.asked(&turn);
                self.publish_question(live, ask);
            }
            Then::Finish(ending) => self.finished(live, ending, now),
        }
    }

    /// Ends the interview: summary and score stored, then sent.
    pub(super) async fn finish(&self, live: &mut Live) -> Result<(), RunnerError> {
        let ending = self.ending(live, None).await?;
        let now = now_ms();
        let last = live.state.turns.last().map_or(0, |t| t.turn);
        self.commit(&GradingCommit {
            session_id: &live.state.session.id,
            epoch: live.epoch,
            turn: last,
            evaluation: None,
            regrade: None,
            next: ending.next(),
            now,
        })
        .await?;
        self.finished(live, ending, now);
        Ok(())
    }

    /// The summary the interview ends with, with `extra` as the current evaluation of its turn.
    async fn ending(
        &self,
        live: &Live,
        extra: Option<(i64, &crate::evaluate::Evaluation)>,
    ) -> Result<Ending, RunnerError> {
        let summary = self.summary(live, extra).await;
        let json =
            serde_json::to_value(&summary).map_err(|e| RunnerError::Internal(e.to_string()))?;
        Ok(Ending { summary, json })
    }

    fn finished(&self, live: &mut Live, ending: Ending, now: i64) {
        let Ending { summary, json } = ending;
        live.state.finished(json, i64::from(summary.overall), now);
        let session_id = live.state.session.id.clone();
        tracing::info!(
            session_id,
            overall = summary.overall,
            passed = summary.passed,
            "interview finished"
        );
        telemetry::interview_finished();
        self.hub
            .publish(&session_id, ServerMessage::summary(&session_id, summary));
    }

    /// Records a stored evaluation in the live state.
    pub(super) fn record(
        live: &mut Live,
        id: i64,
        turn: i64,
        assessed: &super::Assessment,
        now: i64,
    ) {
        live.state.evaluated(StoredEvaluation {
            id,
            session_id: live.state.session.id.clone(),
            turn,
            evaluation: assessed.evaluation.clone(),
            provenance: assessed.provenance.clone(),
            created_at: now,
        });
    }

    /// The turn record for a question about to be asked.
    fn new_turn(&self, live: &Live, ask: &interview::Ask) -> Result<NewTurn, RunnerError> {
        let q = self.question(&ask.question_id)?;
        Ok(NewTurn {
            session_id: live.state.session.id.clone(),
            turn: ask.turn,
            question_id: q.id.clone(),
            topic: q.topic,
            level: q.level,
            kind: q.kind,
            question_text: ask.text.clone(),
            is_follow_up: ask.follow_up,
            parent_turn: ask.parent_turn,
            asked_at: now_ms(),
        })
    }

    fn publish_question(&self, live: &Live, ask: interview::Ask) {
        let Some(q) = self.bank.get(&ask.question_id) else {
            return;
        };
        if ask.follow_up {
            tracing::info!(
                session_id = live.state.session.id,
                turn = ask.turn,
                question_id = q.id,
                "follow-up asked"
            );
        }
        self.hub.publish(
            &live.state.session.id,
            ServerMessage::Question {
                turn: ask.turn,
                question_id: q.id.clone(),
                topic: q.topic,
                level: q.level,
                kind: q.kind,
                text: ask.text,
                index: ask.index,
                of: live.state.plan.count,
                follow_up: ask.follow_up,
            },
        );
    }

    /// A question of the bank by id.
    pub(super) fn question(&self, id: &str) -> Result<&Question, RunnerError> {
        self.bank
            .get(id)
            .ok_or_else(|| RunnerError::Internal(format!("question {id} is no longer in the bank")))
    }

    /// Gives the interview's lock back after an action. When the action found the interview
    /// taken over, this process lets go of it: the live state is dropped and the connection
    /// here is told and closed.
    pub(super) fn settle<T>(
        &self,
        session_id: &str,
        mut guard: SessionGuard,
        result: &Result<T, RunnerError>,
    ) {
        if matches!(result, Err(RunnerError::TakenOver)) {
            *guard = None;
            tracing::info!(
                session_id,
                "interview taken over elsewhere; letting go of it"
            );
            self.hub.taken_over(session_id);
        }
        self.hub.release(session_id, guard);
    }
}
