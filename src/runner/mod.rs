//! Runs interviews: applies the pure interview flow to the store and the evaluator, and
//! publishes what happens to the candidate's connection through the hub.
//!
//! Order per answer: store the answer → `ack` → grade → store the evaluation → stream feedback →
//! `evaluation` → ask the follow-up or the next question (stored before it is sent).

mod error;
mod grading;
mod hub;
mod regrade;
mod state;

pub use state::turn_views;

pub use error::RunnerError;
pub use grading::Assessment;
pub use hub::{Hub, Outbox, SessionGuard};
pub use state::SessionState;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::bank::{Bank, Kind, Level, Topic};
use crate::clock::now_ms;
use crate::evaluate::judge::Judge;
use crate::interview::{self, Plan, Step, make_plan};
use crate::rubric::RubricRegistry;
use crate::store::{AnswerOutcome, NewSession, NewTurn, SessionStatus, Store};
use crate::telemetry;
use crate::tokens;
use crate::ws::protocol::{Candidate, PlanInfo, ServerMessage};

/// Everything an interview needs; cheap to clone.
#[derive(Clone)]
pub struct Interviews {
    pub store: Store,
    pub bank: Arc<Bank>,
    pub rubrics: Arc<RubricRegistry>,
    pub hub: Hub,
    pub max_answer_bytes: usize,
    /// The LLM judge and coach, when the evaluator is `llm`.
    pub judge: Option<Arc<Judge>>,
}

/// A validated request to start an interview.
pub struct StartRequest {
    pub topics: Vec<Topic>,
    pub level: Level,
    pub count: usize,
    pub candidate: Candidate,
    pub invite_id: Option<String>,
    pub created_by: Option<String>,
    /// Rubric id per kind (from an invite).
    pub rubrics: BTreeMap<Kind, String>,
}

const MAX_CLIENT_MSG_ID: usize = 128;
const MAX_NAME: usize = 200;
const MAX_EMAIL: usize = 320;

impl Interviews {
    /// Creates the session, routes it to `outbox`, sends `session` and the first question.
    /// Returns the new session id.
    pub async fn start(
        &self,
        conn_id: u64,
        outbox: &Outbox,
        req: StartRequest,
    ) -> Result<String, RunnerError> {
        let name = clean_optional(req.candidate.name, MAX_NAME, "candidate.name")?;
        let email = clean_optional(req.candidate.email, MAX_EMAIL, "candidate.email")?;
        let mut plan = make_plan(
            &self.bank,
            &req.topics,
            req.level,
            req.count,
            rand::random(),
        )
        .map_err(|e| {
            let code = match e {
                interview::PlanError::NotEnoughQuestions { .. } => "not_enough_questions",
                _ => "invalid_message",
            };
            RunnerError::client(code, e.to_string())
        })?;
        plan.rubrics = req.rubrics;
        let session_id = uuid::Uuid::new_v4().to_string();
        let invited = req.invite_id.is_some();
        let resume_token = tokens::random_token();
        self.store
            .create_session(&NewSession {
                id: session_id.clone(),
                resume_token_hash: tokens::hash_token(&resume_token),
                candidate_name: name,
                candidate_email: email,
                topics: plan.topics.iter().map(|t| t.to_string()).collect(),
                level: plan.level.to_string(),
                question_count: plan.count as i64,
                plan: serde_json::to_value(&plan)
                    .map_err(|e| RunnerError::Internal(e.to_string()))?,
                invite_id: req.invite_id,
                created_by: req.created_by,
                now: now_ms(),
            })
            .await?;
        tracing::info!(
            session_id,
            topics = ?plan.topics.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
            level = %plan.level,
            count = plan.count,
            invited,
            "interview started"
        );
        telemetry::interview_started();
        self.hub.attach(&session_id, conn_id, outbox.clone());
        outbox.send(session_message(&session_id, &resume_token, &plan));
        let guard = self.hub.lock(&session_id).await;
        self.advance(&session_id).await?;
        self.hub.release(&session_id, guard);
        Ok(session_id)
    }

    /// The start request an invite fixes, using the invite once. The candidate's own name and
    /// email fill in what the invite leaves blank.
    pub async fn invite_start(
        &self,
        token: &str,
        candidate: Candidate,
    ) -> Result<StartRequest, RunnerError> {
        use crate::store::InviteProblem;
        let invite = match self
            .store
            .use_invite(&tokens::hash_token(token), now_ms())
            .await?
        {
            Ok(i) => i,
            Err(InviteProblem::Unknown) => {
                return Err(RunnerError::client(
                    "invite_invalid",
                    "this invite link is not valid",
                ));
            }
            Err(InviteProblem::Expired) => {
                return Err(RunnerError::client(
                    "invite_expired",
                    "this invite has expired; ask your recruiter for a new link",
                ));
            }
            Err(InviteProblem::UsedUp) => {
                return Err(RunnerError::client(
                    "invite_used_up",
                    "this invite has already been used",
                ));
            }
        };
        tracing::info!(invite_id = invite.id, "invite used");
        let corrupt = |what: &str| {
            RunnerError::Internal(format!("invite {} has an unreadable {what}", invite.id))
        };
        let topics = invite
            .topics
            .iter()
            .map(|t| t.parse::<Topic>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| corrupt("topic"))?;
        let rubrics: BTreeMap<Kind, String> =
            serde_json::from_value(invite.rubrics.clone()).map_err(|_| corrupt("rubric choice"))?;
        Ok(StartRequest {
            topics,
            level: invite.level.parse().map_err(|_| corrupt("level"))?,
            count: invite.question_count as usize,
            candidate: Candidate {
                name: invite.candidate_name.clone().or(candidate.name),
                email: invite.candidate_email.clone().or(candidate.email),
            },
            invite_id: Some(invite.id.clone()),
            created_by: Some(invite.created_by.clone()),
            rubrics,
        })
    }

    /// Reattaches an interview to `outbox`: `session`, `transcript`, then the open question, or
    /// the summary when it is over. Returns the session id.
    pub async fn resume(
        &self,
        conn_id: u64,
        outbox: &Outbox,
        session_id: &str,
        token: &str,
    ) -> Result<String, RunnerError> {
        let session = match self.store.session(session_id).await {
            Ok(s) => s,
            Err(crate::store::StoreError::NotFound) => {
                return Err(RunnerError::client(
                    "unknown_session",
                    "no interview has this session id",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if !tokens::verify(token, &session.resume_token_hash) {
            return Err(RunnerError::client(
                "invalid_resume_token",
                "the resume token does not match this interview",
            ));
        }
        // Attach before taking the snapshot: anything graded in between is then either in the
        // transcript or published to this connection, never lost between the two. (So the
        // session row is read twice: once to check the token, once in the snapshot.)
        self.hub.attach(session_id, conn_id, outbox.clone());
        let state = SessionState::load(&self.store, session_id).await?;
        tracing::info!(session_id, turns = state.turns.len(), "interview resumed");
        outbox.send(session_message(session_id, token, &state.plan));
        outbox.send(state.transcript(&self.bank));
        if state.session.status == SessionStatus::Finished {
            // Scored from the machine evaluations the candidate sees, not from staff reviews.
            let mut summary = interview::summarize(
                &state.candidate_summary_turns(&self.bank),
                self.pass_mark(&state),
            );
            keep_narrative(&mut summary, &state);
            outbox.send(ServerMessage::summary(session_id, summary));
            return Ok(session_id.to_string());
        }
        // When grading is in flight it holds the lock and will publish to this connection itself.
        if let Some(guard) = self.hub.try_lock(session_id) {
            let result = self.advance(session_id).await;
            self.hub.release(session_id, guard);
            result?;
        }
        Ok(session_id.to_string())
    }

    /// Stores an answer to the open question, acknowledges it, then grades it in the background
    /// (grading survives the connection: it is stored and replayed on resume).
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
                "invalid_message",
                format!("client_msg_id must be 1 to {MAX_CLIENT_MSG_ID} characters"),
            ));
        }
        if text.trim().is_empty() {
            return Err(RunnerError::client("empty_answer", "the answer is empty"));
        }
        if text.len() > self.max_answer_bytes {
            return Err(RunnerError::client(
                "answer_too_long",
                format!(
                    "the answer is {} bytes; the limit is {}",
                    text.len(),
                    self.max_answer_bytes
                ),
            ));
        }
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
        let Some(guard) = self.hub.try_lock(session_id) else {
            return Err(RunnerError::client(
                "not_expecting_answer",
                "the previous answer is still being evaluated",
            ));
        };
        let open = self.open_turn(session_id).await?;
        let turn = match self
            .store
            .record_answer(session_id, open, &text, &client_msg_id, now_ms())
            .await?
        {
            AnswerOutcome::Stored(t) | AnswerOutcome::Duplicate(t) => t.turn,
        };
        tracing::info!(session_id, turn, bytes = text.len(), "answer stored");
        telemetry::answer_acknowledged(received.elapsed());
        outbox.send(ServerMessage::Ack {
            turn,
            client_msg_id,
        });
        let this = self.clone();
        let session_id = session_id.to_string();
        let work = self.hub.begin_work();
        tokio::spawn(async move {
            let _work = work;
            let result = this.advance(&session_id).await;
            this.hub.release(&session_id, guard);
            if let Err(e) = result {
                tracing::error!(session_id, error = %e, "grading failed; the answer is stored and will be graded on resume");
                this.hub.publish(&session_id, e.to_message());
            }
        });
        Ok(())
    }

    /// Skips the open question and moves on.
    pub async fn skip(&self, session_id: &str) -> Result<(), RunnerError> {
        let Some(guard) = self.hub.try_lock(session_id) else {
            return Err(RunnerError::client(
                "not_expecting_answer",
                "the previous answer is still being evaluated",
            ));
        };
        let result = async {
            let open = self.open_turn(session_id).await?;
            self.store.skip_turn(session_id, open, now_ms()).await?;
            // Skipping a follow-up closes its question: show the whole evaluation and the model
            // answer in place of the hints.
            let state = SessionState::load(&self.store, session_id).await?;
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
            self.advance(session_id).await
        }
        .await;
        self.hub.release(session_id, guard);
        result
    }

    /// Ends the interview now (after any grading in flight) and sends the summary.
    pub async fn end(&self, session_id: &str) -> Result<(), RunnerError> {
        let guard = self.hub.lock(session_id).await;
        let result = async {
            let state = SessionState::load(&self.store, session_id).await?;
            if state.session.status == SessionStatus::Finished {
                return Err(RunnerError::client(
                    "interview_finished",
                    "this interview is already over",
                ));
            }
            if let Some(t) = state.turns.last().filter(|t| !t.is_closed()) {
                self.store.skip_turn(session_id, t.turn, now_ms()).await?;
            }
            let state = SessionState::load(&self.store, session_id).await?;
            self.finish(&state).await
        }
        .await;
        self.hub.release(session_id, guard);
        result
    }

    /// Moves the interview forward until it waits for the candidate: grades an answer that has
    /// no evaluation, asks the next question or follow-up, or finishes. Call with the lock held.
    async fn advance(&self, session_id: &str) -> Result<(), RunnerError> {
        loop {
            let state = SessionState::load(&self.store, session_id).await?;
            if state.session.status == SessionStatus::Finished {
                return Ok(());
            }
            match interview::next_step(&state.plan, &self.bank, &state.views()) {
                Step::Ask(ask) => return self.ask(&state, ask).await,
                Step::AwaitAnswer { turn } => {
                    if let Some(t) = state.turn(turn) {
                        self.hub
                            .publish(session_id, state.question_message(t, &self.bank));
                    }
                    return Ok(());
                }
                Step::Grade { turn } => self.grade(&state, turn).await?,
                Step::Finished => return self.finish(&state).await,
            }
        }
    }

    async fn ask(&self, state: &SessionState, ask: interview::Ask) -> Result<(), RunnerError> {
        let q = self.bank.get(&ask.question_id).ok_or_else(|| {
            RunnerError::Internal(format!(
                "question {} is no longer in the bank",
                ask.question_id
            ))
        })?;
        let record = NewTurn {
            session_id: state.session.id.clone(),
            turn: ask.turn,
            question_id: q.id.clone(),
            topic: q.topic.to_string(),
            level: q.level.to_string(),
            kind: q.kind.to_string(),
            question_text: ask.text.clone(),
            is_follow_up: ask.follow_up,
            parent_turn: ask.parent_turn,
            asked_at: now_ms(),
        };
        self.store.insert_turn(&record).await?;
        if ask.follow_up {
            tracing::info!(
                session_id = state.session.id,
                turn = ask.turn,
                question_id = q.id,
                "follow-up asked"
            );
        }
        self.hub.publish(
            &state.session.id,
            ServerMessage::Question {
                turn: ask.turn,
                question_id: q.id.clone(),
                topic: q.topic,
                level: q.level,
                kind: q.kind,
                text: ask.text,
                index: ask.index,
                of: state.plan.count,
                follow_up: ask.follow_up,
            },
        );
        Ok(())
    }

    async fn finish(&self, state: &SessionState) -> Result<(), RunnerError> {
        let turns = state.summary_turns(&self.bank);
        let pass_mark = self.pass_mark(state);
        let mut summary = interview::summarize(&turns, pass_mark);
        if let Some(judge) = &self.judge {
            self.narrate(judge, state, &mut summary).await;
        }
        let flagged = state
            .current
            .values()
            .any(|e| !e.evaluation.flags.is_empty());
        let json =
            serde_json::to_value(&summary).map_err(|e| RunnerError::Internal(e.to_string()))?;
        self.store
            .finish_session(
                &state.session.id,
                &json,
                Some(i64::from(summary.overall)),
                flagged,
                now_ms(),
            )
            .await?;
        tracing::info!(
            session_id = state.session.id,
            overall = summary.overall,
            passed = summary.passed,
            "interview finished"
        );
        telemetry::interview_finished();
        self.hub.publish(
            &state.session.id,
            ServerMessage::summary(&state.session.id, summary),
        );
        Ok(())
    }

    /// Replaces the computed strengths, focus areas and topics to review with the LLM's
    /// narrative when it can write one; the scores are never the LLM's.
    async fn narrate(&self, judge: &Judge, state: &SessionState, summary: &mut interview::Summary) {
        let questions: Vec<serde_json::Value> = state
            .turns
            .iter()
            .filter(|t| !t.is_follow_up)
            .map(|t| {
                // The latest evaluation in the question's chain speaks for it.
                let e = state
                    .turns
                    .iter()
                    .filter(|u| u.turn == t.turn || u.parent_turn == Some(t.turn))
                    .filter_map(|u| state.current.get(&u.turn))
                    .next_back();
                serde_json::json!({
                    "topic": t.topic,
                    "text": t.question_text,
                    "skipped": e.is_none(),
                    "overall": e.map_or(0, |e| e.evaluation.overall),
                    "strengths": e.map(|e| e.evaluation.strengths.clone()).unwrap_or_default(),
                    "improvements": e.map(|e| e.evaluation.improvements.clone()).unwrap_or_default(),
                })
            })
            .collect();
        match judge
            .summarize(
                state.plan.level.as_str(),
                summary,
                serde_json::Value::Array(questions),
            )
            .await
        {
            Ok(n) => {
                let keep = |v: Vec<String>, n: usize| {
                    v.into_iter()
                        .filter(|s| !s.trim().is_empty())
                        .take(n)
                        .collect::<Vec<_>>()
                };
                let (strengths, focus, review) = (
                    keep(n.strengths, 4),
                    keep(n.focus_areas, 4),
                    keep(n.topics_to_review, 5),
                );
                if !strengths.is_empty() || !focus.is_empty() {
                    summary.strengths = strengths;
                    summary.focus_areas = focus;
                }
                if !review.is_empty() {
                    summary.topics_to_review = review;
                }
            }
            Err(e) => {
                tracing::warn!(session_id = state.session.id, error = %e, "LLM summary failed; the computed summary is used")
            }
        }
    }

    /// The turn waiting for an answer, or why there is none. Reads only the session and its
    /// last turn: this is on the path to every acknowledgement.
    async fn open_turn(&self, session_id: &str) -> Result<i64, RunnerError> {
        if self.store.session(session_id).await?.status == SessionStatus::Finished {
            return Err(RunnerError::client(
                "interview_finished",
                "this interview is over",
            ));
        }
        match self.store.last_turn(session_id).await? {
            Some(t) if !t.is_closed() => Ok(t.turn),
            _ => Err(RunnerError::client(
                "not_expecting_answer",
                "no question is waiting for an answer",
            )),
        }
    }

    /// Recomputes a finished session's overall and per-topic scores from the current
    /// evaluations (after a review or a regrade), keeping the summary's narrative.
    pub async fn refresh_scores(&self, session_id: &str) -> Result<(), RunnerError> {
        let state = SessionState::load(&self.store, session_id).await?;
        if state.session.status != SessionStatus::Finished {
            return Ok(());
        }
        let turns = state.summary_turns(&self.bank);
        let mut summary = interview::summarize(&turns, self.pass_mark(&state));
        keep_narrative(&mut summary, &state);
        let json =
            serde_json::to_value(&summary).map_err(|e| RunnerError::Internal(e.to_string()))?;
        self.store
            .update_session_scores(
                session_id,
                Some(i64::from(summary.overall)),
                Some(&json),
                now_ms(),
            )
            .await?;
        Ok(())
    }

    /// The mean pass mark of the rubrics that grade the asked questions.
    fn pass_mark(&self, state: &SessionState) -> u8 {
        let marks: Vec<f64> = state
            .turns
            .iter()
            .filter(|t| !t.is_follow_up)
            .filter_map(|t| self.bank.get(&t.question_id))
            .map(|q| {
                f64::from(
                    self.rubrics
                        .resolve(q.kind, q.topic, &state.plan.rubrics)
                        .pass_mark,
                )
            })
            .collect();
        if marks.is_empty() {
            return 60;
        }
        (marks.iter().sum::<f64>() / marks.len() as f64).round() as u8
    }
}

fn session_message(session_id: &str, resume_token: &str, plan: &Plan) -> ServerMessage {
    ServerMessage::Session {
        session_id: session_id.to_string(),
        resume_token: resume_token.to_string(),
        plan: PlanInfo {
            topics: plan.topics.clone(),
            level: plan.level,
            count: plan.count,
        },
    }
}

fn clean_optional(
    value: Option<String>,
    max: usize,
    field: &str,
) -> Result<Option<String>, RunnerError> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        Some(v) if v.chars().count() > max => Err(RunnerError::client(
            "invalid_message",
            format!("{field} is longer than {max} characters"),
        )),
        other => Ok(other),
    }
}

/// Carries the stored summary's narrative (strengths, focus areas, topics to review) over to a
/// summary recomputed from evaluations.
fn keep_narrative(summary: &mut interview::Summary, state: &SessionState) {
    if let Some(stored) = state
        .session
        .summary
        .clone()
        .and_then(|v| serde_json::from_value::<interview::Summary>(v).ok())
    {
        summary.strengths = stored.strengths;
        summary.focus_areas = stored.focus_areas;
        summary.topics_to_review = stored.topics_to_review;
    }
}
