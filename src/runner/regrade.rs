//! The regrade worker: grades fallback turns again with the LLM once the endpoint is healthy,
//! stores the new evaluation beside the old one, and pushes it to the candidate if connected.

use std::sync::Arc;
use std::time::Duration;

use super::{Interviews, SessionState};
use crate::clock::now_ms;
use crate::evaluate::judge::Judge;
use crate::interview::answer_chain;
use crate::store::RegradeItem;

/// Items regraded per wake-up at most (the rest wait for the next one).
const BATCH: usize = 20;
/// How long a claimed item is leased to this worker.
const LEASE_MS: i64 = 5 * 60 * 1000;
/// Longest wait between attempts on one item.
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;

impl Interviews {
    /// Runs the worker forever, waking every `interval`.
    pub async fn run_regrade_worker(self, judge: Arc<Judge>, interval: Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.regrade_due(&judge, interval).await {
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
    ) -> Result<usize, crate::store::StoreError> {
        let mut done = 0;
        for _ in 0..BATCH {
            if judge.client.is_paused() {
                break;
            }
            let now = now_ms();
            let Some(item) = self.store.claim_regrade(now, now + LEASE_MS).await? else {
                break;
            };
            match self.regrade(judge, &item).await {
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

    async fn regrade(&self, judge: &Judge, item: &RegradeItem) -> Result<(), String> {
        let state = SessionState::load(&self.store, &item.session_id)
            .await
            .map_err(|e| e.to_string())?;
        let Some(record) = state.turn(item.turn) else {
            self.store
                .complete_regrade(&item.session_id, item.turn)
                .await
                .map_err(|e| e.to_string())?;
            return Ok(());
        };
        let Some(question) = self.bank.get(&record.question_id) else {
            tracing::warn!(
                question_id = record.question_id,
                "cannot regrade: the question left the bank"
            );
            self.store
                .complete_regrade(&item.session_id, item.turn)
                .await
                .map_err(|e| e.to_string())?;
            return Ok(());
        };
        let answer = answer_chain(&state.views(), item.turn);
        let rubric = self
            .rubrics
            .resolve(question.kind, question.topic, &state.plan.rubrics);
        let (mut evaluation, provenance) =
            self.judge_answer(judge, question, &rubric, &answer).await?;
        // A question closed by now gets the rewrite live grading would have given it (read
        // after the judge call, which can take minutes: the interview may have ended meanwhile).
        let now = SessionState::load(&self.store, &item.session_id)
            .await
            .map_err(|e| e.to_string())?;
        if !now.is_open(item.turn) {
            judge.add_rewrite(question, &answer, &mut evaluation).await;
        }
        self.store
            .insert_evaluation(
                &item.session_id,
                item.turn,
                &evaluation,
                &provenance,
                now_ms(),
            )
            .await
            .map_err(|e| e.to_string())?;
        crate::telemetry::evaluation_stored(evaluation.source.as_str());
        // A finished interview's overall and per-topic scores follow its current evaluations;
        // the item is done only once they do.
        self.refresh_scores(&item.session_id)
            .await
            .map_err(|e| e.to_string())?;
        self.store
            .complete_regrade(&item.session_id, item.turn)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(
            session_id = item.session_id,
            turn = item.turn,
            overall = evaluation.overall,
            "fallback evaluation regraded by the LLM"
        );
        let state = SessionState::load(&self.store, &item.session_id)
            .await
            .map_err(|e| e.to_string())?;
        self.hub.publish(
            &item.session_id,
            state.evaluation_message(item.turn, &self.bank),
        );
        Ok(())
    }
}
