//! The regrade worker: grades fallback turns again with the LLM once the endpoint is healthy,
//! stores the new evaluation beside the old one — only while the fallback is still the turn's
//! current evaluation — and has it pushed to the candidate by whichever process owns the
//! interview.

use std::sync::Arc;
use std::time::Duration;

use super::{Event, Interviews, SessionState};
use crate::clock::now_ms;
use crate::evaluate::Source;
use crate::evaluate::judge::Judge;
use crate::interview::answer_chain;
use crate::store::RegradeItem;

/// Items regraded per wake-up at most (the rest wait for the next one).
const BATCH: usize = 20;
/// Longest wait between attempts on one item.
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;

impl Interviews {
    /// Runs the worker forever, waking every `interval`. A claim lasts `lease` without renewal;
    /// the worker renews it every third of that while the LLM call runs, so a slow call is never
    /// regraded twice and a dead worker's item is free again within `lease`.
    pub async fn run_regrade_worker(self, judge: Arc<Judge>, interval: Duration, lease: Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.regrade_due(&judge, interval, lease).await {
                tracing::warn!(error = %e, "regrade pass failed");
            }
        }
    }

    /// Regrades the items that are due, until the queue is empty, a batch is done, or the
    /// endpoint fails again. Returns how many were regraded.
    pub async fn regrade_due(
        &self,
        judge: &Judge,
        interval: Duration,
        lease: Duration,
    ) -> Result<usize, crate::store::StoreError> {
        let lease_ms = lease.as_millis() as i64;
        let mut done = 0;
        for _ in 0..BATCH {
            if judge.client.is_paused() {
                break;
            }
            let now = now_ms();
            let Some(item) = self.store.claim_regrade(now, now + lease_ms).await? else {
                break;
            };
            match self.regrade(judge, &item, lease).await {
                Ok(()) => done += 1,
                Err(error) => {
                    let wait = (interval.as_millis() as i64)
                        .saturating_mul(1 << item.attempts.clamp(0, 16))
                        .min(MAX_BACKOFF_MS);
                    tracing::info!(
                        session_id = item.session_id,
                        turn = item.turn,
                        attempts = item.attempts,
                        error,
                        "regrade failed; will retry"
                    );
                    self.store
                        .retry_regrade(&item.session_id, item.turn, now_ms() + wait, &error)
                        .await?;
                    break;
                }
            }
        }
        Ok(done)
    }

    async fn regrade(
        &self,
        judge: &Judge,
        item: &RegradeItem,
        lease: Duration,
    ) -> Result<(), String> {
        let text = |e: &dyn std::fmt::Display| e.to_string();
        let state = SessionState::load(&self.store, &item.session_id)
            .await
            .map_err(|e| text(&e))?;
        let fallback = state
            .current
            .get(&item.turn)
            .filter(|e| match item.evaluation_id {
                Some(id) => e.id == id,
                None => e.evaluation.source == Source::Fallback,
            });
        let (Some(record), Some(fallback)) = (state.turn(item.turn), fallback) else {
            // The turn is gone, or its fallback was replaced (reviewed, or regraded already).
            return self.settle_regrade(item).await;
        };
        let expected = fallback.id;
        let Some(question) = self.bank.get(&record.question_id) else {
            tracing::warn!(
                question_id = record.question_id,
                "cannot regrade: the question left the bank"
            );
            return self.settle_regrade(item).await;
        };
        let answer = answer_chain(&state.views(), item.turn);
        let rubric = self
            .rubrics
            .resolve(question.kind, question.topic, &state.plan.rubrics);
        let judged = self.judge_answer(judge, question, &rubric, &answer);
        let (mut evaluation, provenance) = self.renewing_lease(item, lease, judged).await?;
        // A question closed by now gets the rewrite live grading would have given it (read
        // after the judge call, which can take minutes: the interview may have ended meanwhile).
        let now = SessionState::load(&self.store, &item.session_id)
            .await
            .map_err(|e| text(&e))?;
        if !now.is_open(item.turn) {
            judge.add_rewrite(question, &answer, &mut evaluation).await;
        }
        let stored = self
            .store
            .replace_evaluation(
                &item.session_id,
                item.turn,
                expected,
                &evaluation,
                &provenance,
                now_ms(),
            )
            .await
            .map_err(|e| text(&e))?;
        if stored.is_none() {
            tracing::info!(
                session_id = item.session_id,
                turn = item.turn,
                "regrade dropped: the fallback was replaced while the LLM graded it"
            );
            return self.settle_regrade(item).await;
        }
        crate::telemetry::evaluation_stored(evaluation.source.as_str());
        tracing::info!(
            session_id = item.session_id,
            turn = item.turn,
            overall = evaluation.overall,
            "fallback evaluation regraded by the LLM"
        );
        self.settle_regrade(item).await?;
        self.publish_event(Event::Evaluation {
            session_id: item.session_id.clone(),
            turn: item.turn,
        });
        Ok(())
    }

    /// Finishes with an item: a finished interview's overall and per-topic scores follow its
    /// current evaluations, and the item is removed only once they do.
    async fn settle_regrade(&self, item: &RegradeItem) -> Result<(), String> {
        self.refresh_scores(&item.session_id)
            .await
            .map_err(|e| e.to_string())?;
        self.store
            .complete_regrade(&item.session_id, item.turn)
            .await
            .map_err(|e| e.to_string())
    }

    /// Runs the LLM call while renewing the item's lease.
    async fn renewing_lease<T>(
        &self,
        item: &RegradeItem,
        lease: Duration,
        call: impl std::future::Future<Output = T>,
    ) -> T {
        let renew_every = lease / 3;
        let mut tick =
            tokio::time::interval_at(tokio::time::Instant::now() + renew_every, renew_every);
        tokio::pin!(call);
        loop {
            tokio::select! {
                result = &mut call => return result,
                _ = tick.tick() => {
                    if let Err(e) = self.store.renew_regrade(&item.session_id, item.turn, now_ms() + lease.as_millis() as i64).await {
                        tracing::warn!(session_id = item.session_id, turn = item.turn, error = %e, "renewing a regrade lease failed");
                    }
                }
            }
        }
    }
}
