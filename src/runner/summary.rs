//! The end of an interview: its summary (scores computed here; the narrative written by the LLM
//! when one is configured), and scores kept in step with later regrades and reviews.

use super::{Interviews, Live, RunnerError, SessionState};
use crate::clock::now_ms;
use crate::evaluate::Evaluation;
use crate::evaluate::judge::Judge;
use crate::interview;
use crate::store::SessionStatus;

impl Interviews {
    /// The interview's summary, with `extra` as the current evaluation of its turn (one about to
    /// be stored with the summary).
    pub(super) async fn summary(
        &self,
        live: &Live,
        extra: Option<(i64, &Evaluation)>,
    ) -> interview::Summary {
        let state = &live.state;
        let turns = state.summary_turns_with(&self.bank, extra);
        let mut summary = interview::summarize(&turns, &self.scope(state));
        if let Some(judge) = &self.judge {
            self.narrate(judge, state, extra, &mut summary).await;
        }
        summary
    }

    /// Replaces the computed strengths, focus areas and topics to review with the LLM's
    /// narrative when it can write one; the scores are never the LLM's.
    async fn narrate(
        &self,
        judge: &Judge,
        state: &SessionState,
        extra: Option<(i64, &Evaluation)>,
        summary: &mut interview::Summary,
    ) {
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
                    .filter_map(|u| state.evaluation_with(u.turn, extra))
                    .next_back();
                serde_json::json!({
                    "topic": t.topic,
                    "text": t.question_text,
                    "skipped": e.is_none(),
                    "overall": e.map_or(0, |e| e.overall),
                    "strengths": e.map(|e| e.strengths.clone()).unwrap_or_default(),
                    "improvements": e.map(|e| e.improvements.clone()).unwrap_or_default(),
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

    /// Recomputes a finished session's overall and per-topic scores from the current
    /// evaluations (after a review or a regrade), keeping the summary's narrative.
    pub async fn refresh_scores(&self, session_id: &str) -> Result<(), RunnerError> {
        let state = SessionState::load(&self.store, session_id).await?;
        if state.session.status != SessionStatus::Finished {
            return Ok(());
        }
        let turns = state.summary_turns(&self.bank);
        let mut summary = interview::summarize(&turns, &self.scope(&state));
        keep_narrative(&mut summary, &state)?;
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

    /// What the interview's summary is measured against.
    pub(super) fn scope(&self, state: &SessionState) -> interview::Scope {
        interview::Scope {
            pass_mark: self.pass_mark(state),
            planned: state.plan.count,
            topics: state.plan.topics.clone(),
            cut_short: state.cut_short,
        }
    }

    /// The mean pass mark of the rubrics that grade the asked questions.
    pub(super) fn pass_mark(&self, state: &SessionState) -> u8 {
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

/// Carries the stored summary's narrative (strengths, focus areas, topics to review) over to a
/// summary recomputed from evaluations.
/// A stored summary that does not read as one is an error, not an empty narrative.
pub(super) fn keep_narrative(
    summary: &mut interview::Summary,
    state: &SessionState,
) -> Result<(), RunnerError> {
    if let Some(stored) = state.session.summary.clone() {
        let stored: interview::Summary = serde_json::from_value(stored).map_err(|e| {
            RunnerError::Internal(format!(
                "session {} has an unreadable summary: {e}",
                state.session.id
            ))
        })?;
        summary.strengths = stored.strengths;
        summary.focus_areas = stored.focus_areas;
        summary.topics_to_review = stored.topics_to_review;
        // How the interview ended is a fact of its end, not of its evaluations.
        if stored.ended_early {
            summary.ended_early = true;
            summary.reached = stored.reached;
            summary.topics_not_reached = stored.topics_not_reached;
        }
    }
    Ok(())
}
