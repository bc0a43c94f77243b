//! Starting an interview, and resuming one on a new connection (taking it over from another
//! server process when need be).

use super::{Interviews, Live, Outbox, RunnerError, SessionState, StartRequest};
use crate::clock::now_ms;
use crate::error_code::Code;
use crate::interview::{self, Plan, make_plan};
use crate::store::{NewSession, SessionRecord, SessionStatus, StoreError};
use crate::telemetry;
use crate::tokens;
use crate::ws::protocol::{PlanInfo, ServerMessage};
use crate::{practice, profiles};

const MAX_NAME: usize = 200;
const MAX_EMAIL: usize = 320;

impl Interviews {
    /// Creates the session, owned by this process, routes it to `outbox`, sends `session` and
    /// the first question. Returns the new session id.
    pub async fn start(
        &self,
        conn_id: u64,
        outbox: &Outbox,
        req: StartRequest,
    ) -> Result<String, RunnerError> {
        let name = clean_optional(req.candidate.name.clone(), MAX_NAME, "candidate.name")?;
        let email = clean_optional(req.candidate.email.clone(), MAX_EMAIL, "candidate.email")?;
        let profile = match &req.profile_key {
            None => None,
            Some(key) => Some(profiles::find(&self.store, key).await?.ok_or_else(|| {
                RunnerError::client(Code::UnknownProfile, Code::UnknownProfile.message())
            })?),
        };
        let seed = req.seed.unwrap_or_else(rand::random);
        let mut plan = match &profile {
            // An invite's plan is the recruiter's, whatever the profile has seen.
            Some(p) if req.invite_id.is_none() => self.practice_plan(&p.id, &req, seed).await?,
            _ => make_plan(&self.bank, &req.topics, req.level, req.count, seed),
        }
        .map_err(|e| {
            let code = match e {
                interview::PlanError::NotEnoughQuestions { .. } => Code::NotEnoughQuestions,
                _ => Code::InvalidMessage,
            };
            RunnerError::client(code, e.to_string())
        })?;
        plan.rubrics = req.rubrics;
        let session_id = uuid::Uuid::new_v4().to_string();
        let invited = req.invite_id.is_some();
        let resume_token = tokens::random_token();
        let plan_json =
            serde_json::to_value(&plan).map_err(|e| RunnerError::Internal(e.to_string()))?;
        let new = NewSession {
            id: session_id.clone(),
            resume_token_hash: tokens::hash_token(&resume_token),
            candidate_name: name,
            candidate_email: email,
            topics: plan.topics.clone(),
            level: plan.level,
            question_count: plan.count as i64,
            plan: plan_json,
            invite_id: req.invite_id,
            created_by: req.created_by,
            owner: self.owner.to_string(),
            profile_id: profile.map(|p| p.id),
            scores_hidden: req.scores_hidden,
            consent: req.consent,
            now: now_ms(),
        };
        self.store.create_session(&new).await?;
        tracing::info!(
            session_id,
            topics = ?new.topics,
            level = %plan.level,
            count = plan.count,
            invited,
            "interview started"
        );
        telemetry::interview_started();
        if new.scores_hidden {
            outbox.hide_scores();
        }
        self.hub.attach(&session_id, conn_id, outbox.clone());
        outbox.send(session_message(
            &session_id,
            &resume_token,
            &plan,
            new.scores_hidden,
        ));
        let mut guard = self.hub.lock(&session_id).await;
        let live = guard.insert(Live {
            state: SessionState::started(session_record(new), plan),
            epoch: 1,
        });
        let result = self.advance(live).await;
        self.settle(&session_id, guard, &result);
        result.map(|()| session_id)
    }

    /// The plan of a practice interview: the profile's schedule ranks the questions; weak-spot
    /// practice without topics takes the profile's weakest topics at the level.
    async fn practice_plan(
        &self,
        profile_id: &str,
        req: &StartRequest,
        seed: u64,
    ) -> Result<Result<Plan, interview::PlanError>, RunnerError> {
        let record = profiles::record(&self.store, profile_id).await?;
        let mode = req.practice.unwrap_or_default();
        let now = self.clock.now_ms();
        let mut topics = req.topics.clone();
        if topics.is_empty() && mode == practice::Mode::WeakSpots {
            topics =
                practice::preference::weak_topics(&record.schedule, &self.bank, req.level, now);
            if topics.is_empty() {
                return Err(RunnerError::client(
                    Code::NoPracticeHistory,
                    Code::NoPracticeHistory.message(),
                ));
            }
        }
        let preference = practice::Preference {
            schedule: &record.schedule,
            mode,
            now,
        };
        Ok(interview::make_plan_ranked(
            &self.bank,
            &topics,
            req.level,
            req.count,
            seed,
            |id| preference.rank(id),
        ))
    }

    /// Reattaches an interview to `outbox`: `session`, `transcript`, then the open question, or
    /// the summary when it is over. An interview this process does not hold is taken over here
    /// first (another process that held it can no longer write to it). Returns the session id.
    pub async fn resume(
        &self,
        conn_id: u64,
        outbox: &Outbox,
        session_id: &str,
        token: &str,
    ) -> Result<String, RunnerError> {
        let session = match self.store.session(session_id).await {
            Ok(s) => s,
            Err(StoreError::NotFound) => {
                return Err(RunnerError::client(
                    Code::UnknownSession,
                    "no interview has this session id",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if !tokens::verify(token, &session.resume_token_hash) {
            return Err(RunnerError::client(
                Code::InvalidResumeToken,
                "the resume token does not match this interview",
            ));
        }
        let plan: Plan = serde_json::from_value(session.plan.clone()).map_err(|e| {
            RunnerError::Internal(format!("session {session_id} has an unreadable plan: {e}"))
        })?;
        // The `session` frame goes out before the connection is attached, so nothing published
        // to the interview (an evaluation from a regrade or review) can arrive ahead of it.
        if session.scores_hidden {
            outbox.hide_scores();
        }
        outbox.send(session_message(
            session_id,
            token,
            &plan,
            session.scores_hidden,
        ));
        // Attach before taking the snapshot: anything graded in between is then either in the
        // transcript or published to this connection after it, never lost between the two.
        self.hub.attach_held(session_id, conn_id, outbox.clone());
        let result = self.resume_attached(conn_id, &session).await;
        // Releases what is still held when the resume failed before its transcript went out
        // (after it, nothing is held and this sends nothing).
        self.hub.send_transcript(session_id, conn_id, []);
        result.map(|()| session_id.to_string())
    }

    /// Sends the transcript (with the summary of a finished interview) through the hub, ahead of
    /// anything published meanwhile, then the interview's next step.
    async fn resume_attached(
        &self,
        conn_id: u64,
        session: &SessionRecord,
    ) -> Result<(), RunnerError> {
        let session_id = session.id.as_str();
        let send_transcript = |state: &SessionState, summary: Option<ServerMessage>| {
            let transcript = state.transcript(&self.bank);
            self.hub.send_transcript(
                session_id,
                conn_id,
                std::iter::once(transcript).chain(summary),
            );
        };
        if session.status == SessionStatus::Finished {
            let state = SessionState::load(&self.store, session_id).await?;
            // Scored from the machine evaluations the candidate sees, not from staff reviews.
            let mut summary = interview::summarize(
                &state.candidate_summary_turns(&self.bank),
                &self.scope(&state),
            );
            super::summary::keep_narrative(&mut summary, &state)?;
            send_transcript(&state, Some(ServerMessage::summary(session_id, summary)));
            return Ok(());
        }
        let Some(mut guard) = self.hub.try_lock(session_id) else {
            // Grading is in flight in this process: it holds the lock and will publish to this
            // connection itself.
            let state = SessionState::load(&self.store, session_id).await?;
            send_transcript(&state, None);
            return Ok(());
        };
        if guard.is_none() {
            let epoch = self.store.take_over(session_id, &self.owner).await?;
            self.publish_event(super::Event::Owner {
                session_id: session_id.to_string(),
                epoch,
            });
            let state = SessionState::load(&self.store, session_id).await?;
            tracing::info!(session_id, epoch, "interview taken over by this process");
            *guard = Some(Live { state, epoch });
        }
        let live = guard.as_mut().expect("the live state was just ensured");
        tracing::info!(
            session_id,
            turns = live.state.turns.len(),
            "interview resumed"
        );
        send_transcript(&live.state, None);
        let result = self.advance(live).await;
        self.settle(session_id, guard, &result);
        result
    }
}

/// The session row a new interview starts with, as the store wrote it.
fn session_record(s: NewSession) -> SessionRecord {
    SessionRecord {
        id: s.id,
        resume_token_hash: s.resume_token_hash,
        candidate_name: s.candidate_name,
        candidate_email: s.candidate_email,
        topics: s.topics,
        level: s.level,
        question_count: s.question_count,
        plan: s.plan,
        status: SessionStatus::Active,
        invite_id: s.invite_id,
        created_by: s.created_by,
        overall: None,
        flagged: false,
        summary: None,
        created_at: s.now,
        updated_at: s.now,
        finished_at: None,
        profile_id: s.profile_id,
        scores_hidden: s.scores_hidden,
        consent: s.consent,
    }
}

pub(super) fn session_message(
    session_id: &str,
    resume_token: &str,
    plan: &Plan,
    scores_hidden: bool,
) -> ServerMessage {
    ServerMessage::Session {
        scores_hidden,
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
            Code::InvalidMessage,
            format!("{field} is longer than {max} characters"),
        )),
        other => Ok(other),
    }
}
