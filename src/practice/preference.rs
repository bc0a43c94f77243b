//! How a profile's next interview prefers questions.
//!
//! `Fresh` (the default): questions the profile has never been asked, then questions due for
//! review (weakest box first), then the rest by due date. `WeakSpots`: questions due for review
//! first, then unseen ones, then the rest, weakest box first. In both, a question asked in the
//! profile's last [`RECENT_INTERVIEWS`] interviews comes only after everything else in the
//! chosen cells.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::schedule::Schedule;
use crate::bank::{Bank, Level, Topic};

/// Interviews within which a question is not asked again while others remain.
pub const RECENT_INTERVIEWS: usize = 3;

/// What the next interview should favour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Unseen questions first.
    #[default]
    Fresh,
    /// Questions due for review first.
    WeakSpots,
}

/// A profile's schedule at a moment, ranking question ids for the planner.
pub struct Preference<'a> {
    pub schedule: &'a Schedule,
    pub mode: Mode,
    pub now: i64,
}

impl Preference<'_> {
    /// Sort key: lower is asked first.
    pub fn rank(&self, question_id: &str) -> (u8, u8, i64) {
        let Some(card) = self.schedule.cards.get(question_id) else {
            let tier = match self.mode {
                Mode::Fresh => 0,
                Mode::WeakSpots => 1,
            };
            return (tier, 0, 0);
        };
        if self.schedule.asked_recently(question_id, RECENT_INTERVIEWS) {
            return (3, 0, card.last_interview as i64);
        }
        let due = card.is_due(self.now);
        let tier = match (self.mode, due) {
            (Mode::Fresh, true) => 1,
            (Mode::WeakSpots, true) => 0,
            (_, false) => 2,
        };
        (tier, card.leitner_box, card.due_at)
    }
}

/// Most topics a weak-spot interview picks by itself.
pub const WEAK_TOPICS: usize = 3;

/// The topics at `level` where the profile is weakest: those with the most questions due for
/// review first, then the lowest mean box; at most [`WEAK_TOPICS`]. Empty without history there.
pub fn weak_topics(schedule: &Schedule, bank: &Bank, level: Level, now: i64) -> Vec<Topic> {
    let mut per_topic: BTreeMap<Topic, (usize, u32, u32)> = BTreeMap::new();
    for card in schedule.cards.values() {
        let Some(q) = bank.get(&card.question_id).filter(|q| q.level == level) else {
            continue;
        };
        let entry = per_topic.entry(q.topic).or_default();
        entry.0 += usize::from(card.is_due(now));
        entry.1 += u32::from(card.leitner_box);
        entry.2 += 1;
    }
    let mut ranked: Vec<(Topic, usize, f64)> = per_topic
        .into_iter()
        .map(|(t, (due, boxes, n))| (t, due, f64::from(boxes) / f64::from(n)))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.total_cmp(&b.2)).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .take(WEAK_TOPICS)
        .map(|(t, _, _)| t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::practice::{Attempt, History};

    const DAY: i64 = 24 * 60 * 60 * 1000;

    fn history() -> History {
        let a = |id: &str, interview: usize, score: u8| Attempt {
            question_id: id.into(),
            topic: None,
            interview,
            at: interview as i64 * DAY,
            score: Some(score),
        };
        History {
            interviews: 5,
            attempts: vec![
                a("weak-old", 0, 10),
                a("strong-old", 0, 95),
                a("weak-recent", 4, 10),
            ],
        }
    }

    #[test]
    fn fresh_prefers_unseen_then_due_and_holds_back_recent_questions() {
        let schedule = Schedule::from_history(&history());
        let p = Preference {
            schedule: &schedule,
            mode: Mode::Fresh,
            now: 30 * DAY,
        };
        let mut ids = ["weak-recent", "strong-old", "weak-old", "unseen"];
        ids.sort_by_key(|id| p.rank(id));
        assert_eq!(ids, ["unseen", "weak-old", "strong-old", "weak-recent"]);
    }

    #[test]
    fn weak_spots_prefer_due_questions_weakest_first() {
        let schedule = Schedule::from_history(&history());
        let p = Preference {
            schedule: &schedule,
            mode: Mode::WeakSpots,
            now: 30 * DAY,
        };
        let mut ids = ["unseen", "strong-old", "weak-old", "weak-recent"];
        ids.sort_by_key(|id| p.rank(id));
        assert_eq!(ids, ["weak-old", "strong-old", "unseen", "weak-recent"]);
    }
}
