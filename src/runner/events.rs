//! What one server process tells the others about interviews: published here and handled in
//! place, and sent over the database to other replicas (PostgreSQL NOTIFY; see `replicas.rs`
//! for the receiving side).

use serde::{Deserialize, Serialize};

use super::{Interviews, SessionState};

/// Something other processes may need to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A turn's current evaluation changed outside the live interview (a regrade, a review):
    /// the owner refreshes its state and pushes the evaluation to the candidate.
    Evaluation { session_id: String, turn: i64 },
    /// A process took the interview over at this epoch: any other holder lets go of it and
    /// tells its connection.
    Owner { session_id: String, epoch: i64 },
    /// Rubric versions or assignments were saved: every process reloads them.
    Rubrics,
}

/// An event on the wire, with the process that sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub origin: String,
    #[serde(flatten)]
    pub event: Event,
}

impl Interviews {
    /// Handles an event of this process in place and sends it to the other replicas.
    pub fn publish_event(&self, event: Event) {
        self.handle_event(&event, true);
        if self.store.backend() != crate::store::Backend::Postgres {
            return; // one process: nobody else to tell
        }
        let payload = serde_json::to_string(&Envelope {
            origin: self.owner.to_string(),
            event,
        })
        .unwrap_or_default();
        let store = self.store.clone();
        tokio::spawn(async move {
            if let Err(e) = store.notify(&payload).await {
                tracing::warn!(error = %e, "telling other replicas failed");
            }
        });
    }

    /// Acts on an interview event (`local`: published by this process). Rubric events are
    /// handled by the receiving loop, which can reload the registry.
    pub fn handle_event(&self, event: &Event, local: bool) {
        match event {
            Event::Evaluation { session_id, turn } => {
                if self.hub.is_connected(session_id) {
                    let this = self.clone();
                    let (session_id, turn) = (session_id.clone(), *turn);
                    self.hub
                        .spawn_work(async move { this.refresh_live(&session_id, turn).await });
                }
            }
            Event::Owner { session_id, epoch } if !local => {
                self.lose(session_id, *epoch);
            }
            Event::Owner { .. } | Event::Rubrics => {}
        }
    }

    /// Reloads a live interview after one of its evaluations changed elsewhere, and pushes the
    /// turn's evaluation to the candidate.
    async fn refresh_live(&self, session_id: &str, turn: i64) {
        let mut guard = self.hub.lock(session_id).await;
        if let Some(live) = guard.as_mut() {
            match SessionState::load(&self.store, session_id).await {
                Ok(state) => {
                    live.state = state;
                    let message = live.state.evaluation_message(turn, &self.bank);
                    self.hub.publish(session_id, message);
                }
                Err(e) => {
                    tracing::warn!(session_id, error = %e, "reloading an interview after a regrade failed")
                }
            }
        }
        self.hub.release(session_id, guard);
    }

    /// Another process took the interview over at `epoch`: drop it here and tell the
    /// connection — unless this process holds a newer epoch (the two took it over at once and
    /// this one came second). Grading in flight keeps the lock; its next write is refused
    /// if the interview really moved on, and it lets go then.
    fn lose(&self, session_id: &str, epoch: i64) {
        if let Some(mut guard) = self.hub.try_lock(session_id) {
            if guard.as_ref().is_some_and(|live| live.epoch < epoch) {
                *guard = None;
                self.hub.taken_over(session_id);
            }
            self.hub.release(session_id, guard);
        }
    }
}
