//! Grading one answered turn: evaluate (LLM judge, or the built-in evaluator), store, stream the
//! feedback, send the evaluation. When the judge fails the built-in evaluation is delivered at
//! once as `fallback` and the turn is queued for a regrade.

use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;

use super::{Interviews, Live, RunnerError};
use crate::bank::Question;
use crate::clock::now_ms;
use crate::evaluate::Provenance;
use crate::evaluate::judge::Judge;
use crate::evaluate::{Evaluation, Source, builtin, coach_text, while_open};
use crate::interview::{answer_chain, asked_follow_ups, next_follow_up};
use crate::rubric::Rubric;
use crate::store::GradingCommit;
use crate::telemetry;
use crate::ws::protocol::ServerMessage;

/// Coach tokens buffered between the LLM stream and the candidate's socket.
const TOKEN_BUFFER: usize = 64;

impl Interviews {
    /// Grades `turn` (its answer together with the earlier answers to the same main question),
    /// stores the evaluation with what follows it in one transaction, then streams the
    /// feedback, the evaluation and the next question (or the summary).
    pub(super) async fn grade(&self, live: &mut Live, turn: i64) -> Result<(), RunnerError> {
        let record = live
            .state
            .turn(turn)
            .ok_or_else(|| RunnerError::Internal(format!("turn {turn} does not exist")))?;
        let answered_at = record.answered_at;
        let question = self.question(&record.question_id)?;
        let (answer, asked, rubric) = {
            let views = live.state.views();
            let asked: Vec<String> = asked_follow_ups(&views, turn)
                .into_iter()
                .filter_map(|f| f.target.clone())
                .collect();
            let rubric =
                self.rubrics
                    .resolve(question.kind, question.topic, &live.state.plan.rubrics);
            (answer_chain(&views, turn), asked, rubric)
        };
        let session_id = live.state.session.id.clone();
        let started = Instant::now();
        let mut assessed = self.assess_in(question, &rubric, &answer, &asked).await;
        tracing::info!(
            session_id,
            turn,
            source = assessed.evaluation.source.as_str(),
            overall = assessed.evaluation.overall,
            latency_ms = started.elapsed().as_millis() as u64,
            "answer graded"
        );
        // Open while the interview will follow up on this question: the candidate then sees
        // hints for what is missing, not the missing points themselves.
        let open = next_follow_up(
            &live.state.views(),
            turn,
            assessed.evaluation.follow_up.as_ref(),
        )
        .is_some();
        if !open
            && assessed.evaluation.source == Source::Llm
            && let Some(judge) = &self.judge
        {
            judge
                .add_rewrite(question, &answer, &mut assessed.evaluation)
                .await;
        }
        let then = self.then(live, turn, &assessed.evaluation).await?;
        let now = now_ms();
        let id = self
            .commit(&GradingCommit {
                session_id: &session_id,
                epoch: live.epoch,
                turn,
                evaluation: Some((&assessed.evaluation, &assessed.provenance)),
                regrade: assessed.llm_error.as_deref(),
                next: then.next(),
                now,
            })
            .await?
            .unwrap_or_default();
        telemetry::evaluation_stored(assessed.evaluation.source.as_str());
        Self::record(live, id, turn, &assessed, now);
        let coach = match &assessed.llm_error {
            Some(error) => {
                tracing::warn!(session_id, turn, error = %error, "LLM grading failed; built-in fallback delivered and regrade queued");
                None
            }
            None => self.judge.as_ref(),
        };
        let graded = Graded {
            session_id: &session_id,
            turn,
            question,
            answer: &answer,
            evaluation: &assessed.evaluation,
            open,
        };
        self.deliver(&graded, coach).await;
        if let Some(answered_at) = answered_at {
            let waited = now_ms().saturating_sub(answered_at).max(0) as u64;
            telemetry::evaluation_delivered(std::time::Duration::from_millis(waited));
        }
        self.apply_then(live, then, now);
        Ok(())
    }

    /// Evaluates one answer with the configured evaluator, storing nothing. With an LLM judge
    /// that fails, the built-in evaluation comes back as `fallback` and `llm_error` says why.
    pub async fn assess(&self, question: &Question, rubric: &Rubric, answer: &str) -> Assessment {
        self.assess_in(question, &Arc::new(rubric.clone()), answer, &[])
            .await
    }

    /// [`Self::assess`] for an answer in an interview that has already asked the follow-ups
    /// `asked` (by target) about this question.
    async fn assess_in(
        &self,
        question: &Question,
        rubric: &Arc<Rubric>,
        answer: &str,
        asked: &[String],
    ) -> Assessment {
        let Some(judge) = &self.judge else {
            let (evaluation, provenance) = self
                .builtin_evaluation(question, rubric, answer, Source::Builtin, asked)
                .await;
            return Assessment {
                evaluation,
                provenance,
                llm_error: None,
            };
        };
        match self.judge_answer(judge, question, rubric, answer).await {
            Ok((evaluation, provenance)) => Assessment {
                evaluation,
                provenance,
                llm_error: None,
            },
            Err(error) => {
                let (evaluation, provenance) = self
                    .builtin_evaluation(question, rubric, answer, Source::Fallback, asked)
                    .await;
                Assessment {
                    evaluation,
                    provenance,
                    llm_error: Some(error),
                }
            }
        }
    }

    /// The built-in evaluation, computed on the blocking pool: a third of a millisecond of CPU
    /// that would otherwise hold up every socket sharing this worker (acks wait behind it).
    async fn builtin_evaluation(
        &self,
        question: &Question,
        rubric: &Arc<Rubric>,
        answer: &str,
        source: Source,
        asked: &[String],
    ) -> (Evaluation, Provenance) {
        let started = Instant::now();
        let bank = Arc::clone(&self.bank);
        let (id, rubric_owned, text, asked_owned) = (
            question.id.clone(),
            Arc::clone(rubric),
            answer.to_string(),
            asked.to_vec(),
        );
        let off_thread = tokio::task::spawn_blocking(move || {
            let question = bank.get(&id)?;
            Some(builtin::evaluate_in(
                question,
                &rubric_owned,
                &text,
                builtin::Context {
                    asked: &asked_owned,
                },
            ))
        })
        .await;
        let mut e = match off_thread {
            Ok(Some(e)) => e,
            // The question is not (or no longer) the bank's own, or the pool is shutting down.
            _ => builtin::evaluate_in(question, rubric, answer, builtin::Context { asked }),
        };
        e.source = source;
        (
            e,
            Provenance {
                latency_ms: Some(started.elapsed().as_millis() as i64),
                ..Default::default()
            },
        )
    }

    /// The judge's validated evaluation, its follow-up rewritten by the LLM when it proposes one.
    /// The error is a short description for logs and the regrade queue. A defect on the LLM
    /// path (a panic) is one more LLM failure: it never leaves an acknowledged answer ungraded.
    pub(super) async fn judge_answer(
        &self,
        judge: &Judge,
        question: &Question,
        rubric: &Rubric,
        answer: &str,
    ) -> Result<(Evaluation, Provenance), String> {
        AssertUnwindSafe(self.judge_answer_unguarded(judge, question, rubric, answer))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("non-text panic");
                tracing::error!(panic = message, "the LLM judge panicked");
                Err("internal: the LLM judge failed unexpectedly".to_string())
            })
    }

    async fn judge_answer_unguarded(
        &self,
        judge: &Judge,
        question: &Question,
        rubric: &Rubric,
        answer: &str,
    ) -> Result<(Evaluation, Provenance), String> {
        let mut judged = judge
            .judge(question, rubric, answer)
            .await
            .map_err(|e| format!("{}: {e}", e.kind()))?;
        if let Some(f) = judged.evaluation.follow_up.as_mut() {
            match judge.follow_up(question, answer, &f.reason, &f.text).await {
                Ok(text) => f.text = text,
                Err(e) => {
                    tracing::debug!(error = %e, "follow-up writer failed; using the judge's own question")
                }
            }
        }
        Ok((judged.evaluation, judged.provenance))
    }

    /// Streams feedback (LLM coach tokens, or the built-in text when there is no coach or it
    /// produced nothing), then sends the evaluation.
    async fn deliver(&self, g: &Graded<'_>, coach: Option<&std::sync::Arc<Judge>>) {
        let Graded {
            session_id,
            turn,
            question,
            evaluation,
            open,
            ..
        } = *g;
        // Feedback is written from what the candidate may see now.
        let shown = if open {
            while_open(evaluation)
        } else {
            evaluation.clone()
        };
        let streamed = match coach {
            Some(judge) => self.stream_coach(judge, g, &shown).await,
            None => 0,
        };
        if streamed == 0 {
            // The built-in feedback exists whole at once, so it goes out as one delta (as LLM
            // tokens already queued together do): splitting it would only cost frames.
            let text = coach_text(&shown);
            self.hub
                .publish(session_id, ServerMessage::FeedbackDelta { turn, text });
        }
        self.hub.publish(
            session_id,
            ServerMessage::evaluation(turn, evaluation, open, Some(&question.model_answer)),
        );
    }

    /// Relays coach tokens to the candidate as they arrive; tokens already queued when one is
    /// sent go out with it as one `feedback_delta`. Returns how many tokens were relayed.
    async fn stream_coach(&self, judge: &Judge, g: &Graded<'_>, shown: &Evaluation) -> usize {
        let (session_id, turn) = (g.session_id, g.turn);
        let (tx, mut rx) = mpsc::channel::<String>(TOKEN_BUFFER);
        let relay = async {
            let mut n = 0;
            while let Some(mut text) = rx.recv().await {
                n += 1;
                while let Ok(more) = rx.try_recv() {
                    text.push_str(&more);
                    n += 1;
                }
                self.hub
                    .publish(session_id, ServerMessage::FeedbackDelta { turn, text });
            }
            n
        };
        let (result, relayed) =
            tokio::join!(judge.coach(g.question, g.answer, shown, g.open, tx), relay);
        if let Err(e) = result {
            tracing::warn!(session_id, turn, error = %e, relayed, "coach stream failed");
        }
        relayed
    }
}

/// A graded turn on its way to the candidate.
#[derive(Clone, Copy)]
struct Graded<'a> {
    session_id: &'a str,
    turn: i64,
    question: &'a Question,
    /// The answer chain that was graded.
    answer: &'a str,
    evaluation: &'a Evaluation,
    /// A follow-up is coming: the candidate sees hints, not the missing points.
    open: bool,
}

/// One answer evaluated by the configured evaluator.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub evaluation: Evaluation,
    pub provenance: Provenance,
    /// Why the LLM judge did not grade it (the evaluation is then the built-in `fallback`).
    pub llm_error: Option<String>,
}
