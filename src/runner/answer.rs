//! What a candidate does to the open question: answer it, skip it, or end the interview.

use super::{Interviews, Outbox, RunnerError};
use crate::clock::now_ms;
use crate::error_code::Code;
use crate::store::{AnswerStored, SessionStatus};
use crate::telemetry;
use crate::ws::protocol::ServerMessage;

const MAX_CLIENT_MSG_ID: usize = 128;

impl Interviews {
    /// Stores an answer to the open question (one statement), acknowledges it, then grades it in
    /// the background (grading survives the connection: it is stored and replayed on resume).
    pub async fn answer(
        &self,
        outbox: &Outbox,
        session_id: &str,
        text: String,
        client_msg_id: String,
    ) -> Result<(), RunnerError> {
        let received = std::time::Instant::now();
        if client_msg_id.trim().is_empty() || client_msg_id.len() > MAX_CLIENT_MSG_ID {
            return Err(RunnerError::client(
                Code::InvalidMessage,
                format!("client_msg_id must be 1 to {MAX_CLIENT_MSG_ID} characters"),
            ));
        }
        if text.trim().is_empty() {
            return Err(RunnerError::client(
                Code::EmptyAnswer,
                "the answer is empty",
            ));
        }
        if text.len() > self.max_answer_bytes {
            return Err(RunnerError::client(
                Code::AnswerTooLong,
                format!(
                    "the answer is {} bytes; the limit is {}",
                    text.len(),
                    self.max_answer_bytes
                ),
            ));
        }
        let Some(mut guard) = self.hub.try_lock(session_id) else {
            // A resend of a stored answer is acknowledged again, even while it is being graded.
            if let Some(turn) = self
                .store
                .turn_for_client_msg_id(session_id, &client_msg_id)
                .await?
            {
                outbox.send(ServerMessage::Ack {
                    turn: turn.turn,
                    client_msg_id,
                });
                return Ok(());
            }
            return Err(RunnerError::client(
                Code::NotExpectingAnswer,
                "the previous answer is still being evaluated",
            ));
        };
        // The turn the answer is stored on, and whether it was stored just now (not a resend).
        let stored = async {
            let live = guard.as_mut().ok_or(RunnerError::TakenOver)?;
            if let Some(turn) = live.state.turn_with_client_msg_id(&client_msg_id) {
                return Ok((turn, false));
            }
            let open = open_turn(live)?;
            let stored = self
                .store
                .store_answer(
                    session_id,
                    live.epoch,
                    open,
                    &text,
                    &client_msg_id,
                    now_ms(),
                )
                .await?;
            Ok(match stored {
                AnswerStored::Stored { answered_at } => {
                    live.state
                        .answered(open, text.clone(), client_msg_id.clone(), answered_at);
                    (open, true)
                }
                AnswerStored::Duplicate { turn } => (turn, false),
            })
        }
        .await;
        let turn = match stored {
            Ok((turn, true)) => turn,
            Ok((turn, false)) => {
                // A resend: acknowledged again, nothing stored.
                self.hub.release(session_id, guard);
                outbox.send(ServerMessage::Ack {
                    turn,
                    client_msg_id,
                });
                return Ok(());
            }
            Err(e) => {
                let result = Err(e);
                self.settle(session_id, guard, &result);
                return result;
            }
        };
        tracing::info!(session_id, turn, bytes = text.len(), "answer stored");
        telemetry::answer_acknowledged(received.elapsed());
        outbox.send(ServerMessage::Ack {
            turn,
            client_msg_id,
        });
        let this = self.clone();
        let session_id = session_id.to_string();
        self.hub.spawn_work(async move {
            let mut guard = guard;
            let result = match guard.as_mut() {
                Some(live) => this.advance(live).await,
                None => Err(RunnerError::TakenOver),
            };
            if let Err(e) = &result
                && !matches!(e, RunnerError::TakenOver)
            {
                tracing::error!(session_id, error = %e, "grading failed; the answer is stored and will be graded on resume");
                this.hub.publish(&session_id, e.to_message());
            }
            this.settle(&session_id, guard, &result);
        });
        Ok(())
    }

    /// Skips the open question and moves on.
    pub async fn skip(&self, session_id: &str) -> Result<(), RunnerError> {
        let Some(mut guard) = self.hub.try_lock(session_id) else {
            return Err(RunnerError::client(
                Code::NotExpectingAnswer,
                "the previous answer is still being evaluated",
            ));
        };
        let result = async {
            let live = guard.as_mut().ok_or(RunnerError::TakenOver)?;
            let open = open_turn(live)?;
            let now = now_ms();
            self.store.skip(session_id, live.epoch, open, now).await?;
            live.state.skipped(open, now);
            // Skipping a follow-up closes its question: show the whole evaluation and the model
            // answer in place of the hints.
            let state = &live.state;
            if let Some(skipped) = state.turn(open).filter(|t| t.is_follow_up)
                && let Some(graded) = state
                    .turns
                    .iter()
                    .filter(|t| {
                        t.parent_turn == skipped.parent_turn || Some(t.turn) == skipped.parent_turn
                    })
                    .rfind(|t| state.current.contains_key(&t.turn))
            {
                self.hub.publish(
                    session_id,
                    state.evaluation_message(graded.turn, &self.bank),
                );
            }
            self.advance(live).await
        }
        .await;
        self.settle(session_id, guard, &result);
        result
    }

    /// Ends the interview now (after any grading in flight) and sends the summary.
    pub async fn end(&self, session_id: &str) -> Result<(), RunnerError> {
        let mut guard = self.hub.lock(session_id).await;
        let result = async {
            let live = guard.as_mut().ok_or(RunnerError::TakenOver)?;
            if live.state.session.status == SessionStatus::Finished {
                return Err(RunnerError::client(
                    Code::InterviewFinished,
                    "this interview is already over",
                ));
            }
            if let Some(open) = live.state.open_turn() {
                let now = now_ms();
                self.store.skip(session_id, live.epoch, open, now).await?;
                live.state.skipped(open, now);
                live.state.cut_short = true;
            }
            self.finish(live).await
        }
        .await;
        self.settle(session_id, guard, &result);
        result
    }
}

/// The turn waiting for an answer, or why there is none.
fn open_turn(live: &super::Live) -> Result<i64, RunnerError> {
    if live.state.session.status == SessionStatus::Finished {
        return Err(RunnerError::client(
            Code::InterviewFinished,
            "this interview is over",
        ));
    }
    live.state.open_turn().ok_or_else(|| {
        RunnerError::client(
            Code::NotExpectingAnswer,
            "no question is waiting for an answer",
        )
    })
}
