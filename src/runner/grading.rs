//! Grading one answered turn: evaluate, store, stream the feedback, send the evaluation.

use std::time::Instant;

use super::{Interviews, RunnerError, SessionState};
use crate::clock::now_ms;
use crate::evaluate::{builtin, coach_text};
use crate::interview::answer_chain;
use crate::store::Provenance;
use crate::ws::protocol::ServerMessage;

/// Words per streamed feedback piece.
const WORDS_PER_DELTA: usize = 4;

impl Interviews {
    /// Grades `turn` (its answer together with the earlier answers to the same main question),
    /// stores the evaluation, then streams feedback and sends the evaluation.
    pub(super) async fn grade(&self, state: &SessionState, turn: i64) -> Result<(), RunnerError> {
        let record = state
            .turn(turn)
            .ok_or_else(|| RunnerError::Internal(format!("turn {turn} does not exist")))?;
        let question = self.bank.get(&record.question_id).ok_or_else(|| {
            RunnerError::Internal(format!(
                "question {} is no longer in the bank",
                record.question_id
            ))
        })?;
        let answer = answer_chain(&state.views(), turn);
        let rubric = self.rubrics.for_kind(question.kind);
        let started = Instant::now();
        let evaluation = builtin::evaluate(question, rubric, &answer);
        let provenance = Provenance {
            latency_ms: Some(started.elapsed().as_millis() as i64),
            ..Default::default()
        };
        let session_id = &state.session.id;
        self.store
            .insert_evaluation(session_id, turn, &evaluation, &provenance, now_ms())
            .await?;
        self.store
            .touch_session(session_id, !evaluation.flags.is_empty(), now_ms())
            .await?;

        for text in feedback_pieces(&coach_text(&evaluation)) {
            self.hub
                .publish(session_id, ServerMessage::FeedbackDelta { turn, text })
                .await;
        }
        self.hub
            .publish(
                session_id,
                ServerMessage::Evaluation {
                    turn,
                    evaluation: Box::new(evaluation),
                },
            )
            .await;
        Ok(())
    }
}

/// Splits feedback into small pieces that concatenate back to the original text.
pub fn feedback_pieces(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_inclusive(' ').collect();
    words.chunks(WORDS_PER_DELTA).map(|c| c.concat()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_concatenate_to_the_feedback() {
        let text = "72/100 — a solid answer. You covered 5 of 6 key points.";
        let pieces = super::feedback_pieces(text);
        assert!(pieces.len() > 2);
        assert_eq!(pieces.concat(), text);
    }
}
