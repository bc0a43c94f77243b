//! Runs interviews: applies the pure interview flow to the store and the evaluator, and
//! publishes what happens to the candidate's connection through the hub.
//!
//! The process holding a candidate's connection owns the interview: its state lives in memory in
//! the hub and is updated in place; ownership is fenced in the database by an epoch that every
//! write names, so a process that lost an interview to another cannot write to it.
//!
//! Order per answer: store the answer (one statement) → `ack` → grade → store the evaluation, its
//! regrade (for a fallback) and the next question (one transaction) → stream feedback →
//! `evaluation` → the follow-up, the next question or the summary.

mod advance;
mod answer;
mod error;
pub mod events;
mod grading;
mod hub;
mod regrade;
mod start;
mod state;
mod summary;

pub use state::turn_views;

pub use error::RunnerError;
pub use events::Event;
pub use grading::Assessment;
pub use hub::{Hub, Live, Outbox, SessionGuard};
pub use state::SessionState;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::bank::{Bank, Kind, Level, Topic};
use crate::evaluate::judge::Judge;
use crate::rubric::RubricRegistry;
use crate::store::Store;
use crate::ws::protocol::Candidate;

/// Everything an interview needs; cheap to clone.
#[derive(Clone)]
pub struct Interviews {
    pub store: Store,
    pub bank: Arc<Bank>,
    pub rubrics: Arc<RubricRegistry>,
    pub hub: Hub,
    pub max_answer_bytes: usize,
    /// The LLM judge and coach, when the evaluator is `llm`.
    pub judge: Option<Arc<Judge>>,
    /// This server process, as recorded in the interviews it owns.
    pub owner: Arc<str>,
    /// What invite expiries are judged by.
    pub clock: crate::clock::Clock,
    /// What an invite's notice says about the organisation, grading and retention.
    pub notice: Arc<crate::staff::NoticeSettings>,
}

/// A validated request to start an interview.
pub struct StartRequest {
    pub topics: Vec<Topic>,
    pub level: Level,
    pub count: usize,
    pub candidate: Candidate,
    pub invite_id: Option<String>,
    pub created_by: Option<String>,
    /// Rubric id per kind (from an invite).
    pub rubrics: BTreeMap<Kind, String>,
    /// The practice profile the interview joins, by its key.
    pub profile_key: Option<String>,
    /// How the profile's history shapes the plan (not for invites: their plan is the recruiter's).
    pub practice: Option<crate::practice::Mode>,
    /// Seed for the question choice; random when absent.
    pub seed: Option<u64>,
    /// The candidate is shown no scores, feedback, key points or model answers (from an invite).
    pub scores_hidden: bool,
    /// The invited candidate's agreement to the invite's notice.
    pub consent: Option<crate::store::Consent>,
}

/// A name for this server process, unique among the replicas sharing a database.
pub fn process_owner() -> Arc<str> {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}/{}/{}", std::process::id(), &id[..8]).into()
}
