//! Choosing the questions of an interview.

use serde::{Deserialize, Serialize};

use super::rng::SplitMix64;
use std::collections::BTreeMap;

use crate::bank::{Bank, Filter, Kind, Level, Topic};

/// Most questions one interview may ask.
pub const MAX_COUNT: usize = 20;

/// The questions an interview will ask, in order, and how they were chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub topics: Vec<Topic>,
    pub level: Level,
    pub count: usize,
    pub seed: u64,
    pub question_ids: Vec<String>,
    /// Rubric id per kind chosen by an invite, overriding the assignments.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rubrics: BTreeMap<Kind, String>,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("choose at least one topic")]
    NoTopics,
    #[error("count must be between 1 and {MAX_COUNT}, got {0}")]
    CountOutOfRange(usize),
    #[error(
        "only {available} {level} question(s) exist for {topics}; choose more topics or a count of at most {available}"
    )]
    NotEnoughQuestions {
        available: usize,
        level: Level,
        topics: String,
    },
}

/// Picks `count` distinct questions at `level` from `topics`, spread evenly across the topics
/// (round-robin in a shuffled topic order), reproducibly from `seed`.
pub fn make_plan(
    bank: &Bank,
    topics: &[Topic],
    level: Level,
    count: usize,
    seed: u64,
) -> Result<Plan, PlanError> {
    make_plan_ranked(bank, topics, level, count, seed, |_| ())
}

/// [`make_plan`], taking questions in `rank` order (lowest first) across all the topics;
/// questions of equal rank are spread round-robin over the topics, each topic's in the seed's
/// shuffled order.
pub fn make_plan_ranked<K: Ord>(
    bank: &Bank,
    topics: &[Topic],
    level: Level,
    count: usize,
    seed: u64,
    rank: impl Fn(&str) -> K,
) -> Result<Plan, PlanError> {
    let mut topics: Vec<Topic> = topics.to_vec();
    topics.sort();
    topics.dedup();
    if topics.is_empty() {
        return Err(PlanError::NoTopics);
    }
    if !(1..=MAX_COUNT).contains(&count) {
        return Err(PlanError::CountOutOfRange(count));
    }
    let mut rng = SplitMix64::new(seed);
    let mut pools: Vec<Vec<(K, &str)>> = topics
        .iter()
        .map(|&t| {
            let mut ids: Vec<&str> = bank
                .filter(Filter {
                    topic: Some(t),
                    level: Some(level),
                    kind: None,
                })
                .map(|q| q.id.as_str())
                .collect();
            rng.shuffle(&mut ids);
            let mut ranked: Vec<(K, &str)> = ids.into_iter().map(|id| (rank(id), id)).collect();
            // Taken from the back, so the best-ranked go last; the sort is stable, so equals
            // keep the shuffled order.
            ranked.sort_by(|a, b| b.0.cmp(&a.0));
            ranked
        })
        .collect();
    let available: usize = pools.iter().map(Vec::len).sum();
    if available < count {
        let names: Vec<&str> = topics.iter().map(|t| t.as_str()).collect();
        return Err(PlanError::NotEnoughQuestions {
            available,
            level,
            topics: names.join(", "),
        });
    }
    rng.shuffle(&mut pools);
    let mut question_ids = Vec::with_capacity(count);
    // Each pick takes the best-ranked next question of any topic; among equals it is the next
    // topic in turn, so equally ranked questions go round-robin across the topics (and without
    // ranks the plan is a plain round-robin).
    let mut turn = 0;
    while question_ids.len() < count {
        let n = pools.len();
        let Some(chosen) = (0..n)
            .map(|k| (turn + k) % n)
            .filter_map(|i| pools[i].last().map(|(r, _)| (i, r)))
            .min_by(|a, b| a.1.cmp(b.1))
            .map(|(i, _)| i)
        else {
            break;
        };
        if let Some((_, id)) = pools[chosen].pop() {
            question_ids.push(id.to_string());
        }
        turn = chosen + 1;
    }
    Ok(Plan {
        topics,
        level,
        count,
        seed,
        question_ids,
        rubrics: BTreeMap::new(),
    })
}
