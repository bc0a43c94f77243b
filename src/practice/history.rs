//! What a profile has been asked, interview by interview, built from its stored sessions.

use std::collections::HashMap;

use crate::bank::Topic;
use crate::interview::Summary;
use crate::store::SessionRecord;

/// One question asked in one interview, with its score when the interview was graded to the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub question_id: String,
    pub topic: Option<Topic>,
    /// Position of the interview in the profile's history, 0 for the oldest.
    pub interview: usize,
    /// When the interview started (Unix ms).
    pub at: i64,
    /// The question's score (0 for a skipped one); `None` while the interview is unfinished.
    pub score: Option<u8>,
}

/// A profile's attempts in the order they happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// How many interviews the profile holds.
    pub interviews: usize,
    pub attempts: Vec<Attempt>,
}

impl History {
    /// Builds the history from the profile's sessions (oldest first). A finished interview
    /// contributes its summary's questions with their scores; an unfinished one the main
    /// questions it has asked so far (`asked`: session id → question ids), without scores.
    pub fn build(sessions: &[SessionRecord], asked: &HashMap<String, Vec<String>>) -> History {
        let mut attempts = Vec::new();
        for (interview, s) in sessions.iter().enumerate() {
            let summary = Summary::stored(s.summary.as_ref());
            match summary {
                Some(summary) => {
                    let topic_of = |id: &str| {
                        summary
                            .turns
                            .iter()
                            .find(|t| t.question_id == id)
                            .map(|t| t.topic)
                    };
                    for r in &summary.review {
                        attempts.push(Attempt {
                            question_id: r.question_id.clone(),
                            topic: topic_of(&r.question_id),
                            interview,
                            at: s.created_at,
                            score: Some(if r.skipped { 0 } else { r.overall.unwrap_or(0) }),
                        });
                    }
                }
                None => {
                    for id in asked.get(&s.id).into_iter().flatten() {
                        attempts.push(Attempt {
                            question_id: id.clone(),
                            topic: None,
                            interview,
                            at: s.created_at,
                            score: None,
                        });
                    }
                }
            }
        }
        History {
            interviews: sessions.len(),
            attempts,
        }
    }
}
