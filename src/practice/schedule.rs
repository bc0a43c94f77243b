//! Spaced review with Leitner boxes.
//!
//! Every question a profile has answered sits in one of five boxes. A first answer scoring at
//! least [`RECALLED`] starts in box 2, any other in box 1. After that, an answer scoring at least
//! [`RECALLED`] moves the question up one box (to at most 5), one below [`FORGOTTEN`] sends it
//! back to box 1, and one in between leaves it where it is. A question is due for review
//! [`INTERVAL_DAYS`]`[box - 1]` days after it was last asked. A question asked in an interview
//! that did not finish keeps its box (and enters box 1 if it had none), without a new date.

use std::collections::HashMap;

use super::history::History;
use crate::bank::Topic;

/// Score from which an answer counts as recalled (the question moves up a box).
pub const RECALLED: u8 = 70;
/// Score below which an answer counts as forgotten (the question goes back to box 1).
pub const FORGOTTEN: u8 = 40;
/// Days until review, per box.
pub const INTERVAL_DAYS: [i64; 5] = [1, 3, 7, 14, 30];
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Where one question stands for a profile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Card {
    pub question_id: String,
    #[schema(value_type = Option<String>)]
    pub topic: Option<Topic>,
    /// Leitner box, 1 (weakest) to 5.
    #[serde(rename = "box")]
    pub leitner_box: u8,
    /// When the question is due for review (Unix ms).
    pub due_at: i64,
    /// The latest score it earned, if it was ever graded.
    pub last_score: Option<u8>,
    /// Times it was asked.
    pub asked: u32,
    /// The latest interview (0 = oldest) that asked it.
    #[serde(skip)]
    pub last_interview: usize,
}

impl Card {
    pub fn is_due(&self, now: i64) -> bool {
        self.due_at <= now
    }
}

/// Every question a profile has seen, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub interviews: usize,
    pub cards: HashMap<String, Card>,
}

impl Schedule {
    /// Replays the history in order.
    pub fn from_history(history: &History) -> Schedule {
        let mut cards: HashMap<String, Card> = HashMap::new();
        for a in &history.attempts {
            let card = cards.entry(a.question_id.clone()).or_insert_with(|| Card {
                question_id: a.question_id.clone(),
                topic: a.topic,
                leitner_box: 0,
                due_at: a.at,
                last_score: None,
                asked: 0,
                last_interview: a.interview,
            });
            card.asked += 1;
            card.last_interview = card.last_interview.max(a.interview);
            card.topic = card.topic.or(a.topic);
            match a.score {
                Some(score) => {
                    card.leitner_box = next_box(card.leitner_box, score);
                    card.last_score = Some(score);
                    card.due_at = a.at + INTERVAL_DAYS[usize::from(card.leitner_box) - 1] * DAY_MS;
                }
                None if card.leitner_box == 0 => {
                    card.leitner_box = 1;
                    card.due_at = a.at;
                }
                None => {}
            }
        }
        Schedule {
            interviews: history.interviews,
            cards,
        }
    }

    /// True when the question was asked in one of the profile's last `n` interviews.
    pub fn asked_recently(&self, question_id: &str, n: usize) -> bool {
        self.cards
            .get(question_id)
            .is_some_and(|c| c.last_interview + n >= self.interviews)
    }

    /// Cards due at `now`, weakest box first, then the longest overdue.
    pub fn due(&self, now: i64) -> Vec<&Card> {
        let mut due: Vec<&Card> = self.cards.values().filter(|c| c.is_due(now)).collect();
        due.sort_by(|a, b| {
            (a.leitner_box, a.due_at, &a.question_id).cmp(&(
                b.leitner_box,
                b.due_at,
                &b.question_id,
            ))
        });
        due
    }
}

/// The box after an answer scoring `score` to a question in box `current` (0: never graded).
pub fn next_box(current: u8, score: u8) -> u8 {
    match current {
        0 if score >= RECALLED => 2,
        0 => 1,
        b if score >= RECALLED => (b + 1).min(5),
        _ if score < FORGOTTEN => 1,
        b => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::practice::history::Attempt;

    fn attempt(id: &str, interview: usize, day: i64, score: Option<u8>) -> Attempt {
        Attempt {
            question_id: id.into(),
            topic: None,
            interview,
            at: day * DAY_MS,
            score,
        }
    }

    #[test]
    fn boxes_move_up_on_recall_back_to_one_on_a_miss_and_stay_in_between() {
        assert_eq!(next_box(0, 90), 2);
        assert_eq!(next_box(0, 50), 1);
        assert_eq!(next_box(2, 70), 3);
        assert_eq!(next_box(5, 100), 5);
        assert_eq!(next_box(4, 39), 1);
        assert_eq!(next_box(3, 55), 3);
    }

    #[test]
    fn due_dates_follow_the_box_of_the_latest_answer() {
        let history = History {
            interviews: 3,
            attempts: vec![
                attempt("a", 0, 10, Some(90)),
                attempt("b", 0, 10, Some(20)),
                attempt("a", 1, 12, Some(80)),
                attempt("c", 2, 13, None),
            ],
        };
        let s = Schedule::from_history(&history);
        let a = &s.cards["a"];
        assert_eq!((a.leitner_box, a.asked), (3, 2));
        assert_eq!(a.due_at, (12 + 7) * DAY_MS);
        assert_eq!(s.cards["b"].due_at, 11 * DAY_MS);
        assert_eq!(s.cards["c"].leitner_box, 1);
        assert_eq!(s.cards["c"].last_score, None);
        let due: Vec<&str> = s
            .due(13 * DAY_MS)
            .iter()
            .map(|c| c.question_id.as_str())
            .collect();
        assert_eq!(due, ["b", "c"]);
        assert!(s.asked_recently("a", 3) && s.asked_recently("a", 2));
        assert!(!s.asked_recently("b", 2));
    }
}
