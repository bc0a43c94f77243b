//! The live interviews this process owns: which connection carries each one, and its state in
//! memory behind a per-interview lock that keeps answers, grading and follow-ups in order.
//! Grading publishes through the hub, so its results reach whichever connection the candidate is
//! on now — or nobody, in which case they are already stored and `resume` replays them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Mutex as AsyncMutex, Notify, OwnedMutexGuard, mpsc, watch};
use tokio_util::task::TaskTracker;

use super::SessionState;
use crate::ws::protocol::ServerMessage;

/// A connection's outgoing queue. Sending never waits: a queue that is full means the candidate's
/// client is not reading, so the connection is told to close (the candidate resumes later and
/// loses nothing — every message worth keeping is stored and replayed on resume). No task ever
/// awaits one candidate's socket.
///
/// Messages travel boxed: the channel's first block holds room for 32 of them, and an idle
/// connection should not hold 32 messages' worth of memory (about 5 KiB) for nothing.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Box<ServerMessage>>,
    stalled: Arc<Notify>,
    /// The interview on this connection hides its results from the candidate: every frame
    /// passes [`ServerMessage::without_scores`] on its way out.
    scores_hidden: Arc<AtomicBool>,
}

/// The connection's side of its outbox.
pub struct OutboxReceiver {
    messages: mpsc::Receiver<Box<ServerMessage>>,
    /// Notified once when a message could not be queued because the queue was full.
    pub stalled: Arc<Notify>,
}

impl Outbox {
    /// A queue holding up to `capacity` messages.
    pub fn channel(capacity: usize) -> (Outbox, OutboxReceiver) {
        let (tx, messages) = mpsc::channel(capacity);
        let stalled = Arc::new(Notify::new());
        (
            Outbox {
                tx,
                stalled: stalled.clone(),
                scores_hidden: Arc::default(),
            },
            OutboxReceiver { messages, stalled },
        )
    }

    /// From now on, the candidate on this connection gets no scores, feedback, key points or
    /// model answers (set before the interview's first frame).
    pub fn hide_scores(&self) {
        self.scores_hidden.store(true, Ordering::Relaxed);
    }

    /// Queues a message without waiting. False when it was not queued: the connection is gone,
    /// or its queue is full and the connection has been told to close.
    pub fn send(&self, message: ServerMessage) -> bool {
        let message = if self.scores_hidden.load(Ordering::Relaxed) {
            match message.without_scores() {
                Some(m) => m,
                None => return true,
            }
        } else {
            message
        };
        match self.tx.try_send(Box::new(message)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.stalled.notify_one();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

impl OutboxReceiver {
    /// The next message; `None` once every outbox is dropped.
    pub async fn recv(&mut self) -> Option<ServerMessage> {
        self.messages.recv().await.map(|m| *m)
    }

    /// The next message if one is queued.
    pub fn try_recv(&mut self) -> Option<ServerMessage> {
        self.messages.try_recv().ok().map(|m| *m)
    }
}

#[derive(Default)]
struct Slot {
    conn: Option<(u64, Outbox)>,
    /// Messages published while a resuming connection waits for its transcript: they follow it.
    held: Option<Vec<ServerMessage>>,
    lock: Arc<AsyncMutex<Option<Live>>>,
}

/// An interview this process owns: its state, kept up to date in place, and the ownership
/// epoch every write names. Absent until the interview is started or taken over here, and
/// dropped when another process takes it over.
pub struct Live {
    pub state: SessionState,
    pub epoch: i64,
}

/// Registry of live interviews in this process, and the grading work in flight for them.
#[derive(Clone)]
pub struct Hub {
    slots: Arc<Mutex<HashMap<String, Slot>>>,
    work: TaskTracker,
    shutdown: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            slots: Arc::default(),
            work: TaskTracker::new(),
            shutdown: watch::Sender::new(false),
        }
    }
}

/// Held while an interview is being advanced; dropping it lets the next action in. Derefs to
/// the interview's live state, when this process owns it.
pub type SessionGuard = OwnedMutexGuard<Option<Live>>;

impl Hub {
    fn with_slot<T>(&self, session_id: &str, f: impl FnOnce(&mut Slot) -> T) -> T {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        f(slots.entry(session_id.to_string()).or_default())
    }

    /// Routes the interview's messages to this connection. A connection that carried it before
    /// is told it was taken over.
    pub fn attach(&self, session_id: &str, conn_id: u64, outbox: Outbox) {
        self.attach_with(session_id, conn_id, outbox, None);
    }

    /// [`Hub::attach`] for a resuming connection: what is published to the interview is held
    /// until [`Hub::send_transcript`] has queued the transcript, then follows it, so the
    /// candidate never sees an evaluation before the transcript it belongs after.
    pub fn attach_held(&self, session_id: &str, conn_id: u64, outbox: Outbox) {
        self.attach_with(session_id, conn_id, outbox, Some(Vec::new()));
    }

    /// Queues the transcript (and, for a finished interview, its summary) for a connection
    /// attached with [`Hub::attach_held`], then what was held for it, and routes later messages
    /// to it directly. With nothing to send (the resume failed) only the held messages go out.
    pub fn send_transcript(
        &self,
        session_id: &str,
        conn_id: u64,
        transcript: impl IntoIterator<Item = ServerMessage>,
    ) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = slots.get_mut(session_id) else {
            return;
        };
        let Some((id, outbox)) = &slot.conn else {
            return;
        };
        if *id != conn_id {
            return;
        }
        for t in transcript {
            outbox.send(t);
        }
        for m in slot.held.take().unwrap_or_default() {
            outbox.send(m);
        }
    }

    fn attach_with(
        &self,
        session_id: &str,
        conn_id: u64,
        outbox: Outbox,
        held: Option<Vec<ServerMessage>>,
    ) {
        let previous = self.with_slot(session_id, |slot| {
            slot.held = held;
            slot.conn.replace((conn_id, outbox))
        });
        if let Some((old_id, old)) = previous.filter(|(id, _)| *id != conn_id) {
            tracing::debug!(
                session_id,
                old_id,
                conn_id,
                "interview moved to a new connection"
            );
            old.send(taken_over());
        }
    }

    /// Stops routing to this connection (if it is still the current one) and forgets the slot
    /// when nothing else uses it.
    pub fn detach(&self, session_id: &str, conn_id: u64) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.get_mut(session_id)
            && slot.conn.as_ref().is_some_and(|(id, _)| *id == conn_id)
        {
            slot.conn = None;
            slot.held = None;
        }
        forget_if_idle(&mut slots, session_id);
    }

    /// Gives back an interview's lock and forgets the slot when no connection needs it.
    pub fn release(&self, session_id: &str, guard: SessionGuard) {
        drop(guard);
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        forget_if_idle(&mut slots, session_id);
    }

    /// Tells the interview's connection in this process that another process took the
    /// interview over, and stops routing to it.
    pub fn taken_over(&self, session_id: &str) {
        self.close_with(session_id, taken_over());
    }

    /// Tells the interview's connection in this process that the interview was erased (the
    /// frame closes it), and stops routing to it.
    pub fn erased(&self, session_id: &str) {
        self.close_with(
            session_id,
            ServerMessage::from_code(crate::error_code::Code::SessionErased),
        );
    }

    fn close_with(&self, session_id: &str, message: ServerMessage) {
        let conn = self.with_slot(session_id, |slot| {
            slot.held = None;
            slot.conn.take()
        });
        if let Some((_, outbox)) = conn {
            outbox.send(message);
        }
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        forget_if_idle(&mut slots, session_id);
    }

    /// True when this process holds a connection for the interview.
    pub fn is_connected(&self, session_id: &str) -> bool {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.get(session_id).is_some_and(|s| s.conn.is_some())
    }

    /// Sends to the interview's current connection, if any, without waiting. Never fails: an
    /// undelivered message is already stored and will be replayed on resume.
    pub fn publish(&self, session_id: &str, message: ServerMessage) {
        self.with_slot(session_id, |slot| match (&mut slot.held, &slot.conn) {
            (Some(held), Some(_)) => held.push(message),
            (_, Some((_, outbox))) => {
                outbox.send(message);
            }
            _ => {}
        });
    }

    /// Waits for the interview's lock.
    pub async fn lock(&self, session_id: &str) -> SessionGuard {
        let lock = self.with_slot(session_id, |slot| slot.lock.clone());
        lock.lock_owned().await
    }

    /// Takes the interview's lock if nobody holds it.
    pub fn try_lock(&self, session_id: &str) -> Option<SessionGuard> {
        let lock = self.with_slot(session_id, |slot| slot.lock.clone());
        lock.try_lock_owned().ok()
    }

    /// Runs background work (grading) that shutdown waits for.
    pub fn spawn_work(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        self.work.spawn(work);
    }

    /// Waits until no background work is running, or `timeout` passes. True when drained.
    pub async fn drained(&self, timeout: Duration) -> bool {
        self.work.close();
        tokio::time::timeout(timeout, self.work.wait())
            .await
            .is_ok()
    }

    /// Tells every connection the server is shutting down.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves when shutdown begins.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Interviews with a live connection in this process.
    pub fn connected(&self) -> usize {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.values().filter(|s| s.conn.is_some()).count()
    }
}

/// The fatal frame a connection gets when its interview moved to another connection.
pub fn taken_over() -> ServerMessage {
    ServerMessage::from_code(crate::error_code::Code::SessionTakenOver)
}

fn forget_if_idle(slots: &mut HashMap<String, Slot>, session_id: &str) {
    if slots
        .get(session_id)
        .is_some_and(|slot| slot.conn.is_none() && Arc::strong_count(&slot.lock) == 1)
    {
        slots.remove(session_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn publishing_to_a_full_outbox_returns_at_once_and_tells_the_connection_to_close() {
        let hub = Hub::default();
        let (outbox, mut receiver) = Outbox::channel(2);
        hub.attach("s", 1, outbox);
        for turn in 1..=3 {
            hub.publish(
                "s",
                ServerMessage::FeedbackDelta {
                    turn,
                    text: "x".into(),
                },
            );
        }
        // The third message did not fit: the connection is told to close instead of anyone
        // waiting for it to read.
        receiver.stalled.notified().await;
        assert!(receiver.try_recv().is_some());
        assert!(receiver.try_recv().is_some());
        assert!(receiver.try_recv().is_none());
    }

    fn delta(turn: i64) -> ServerMessage {
        ServerMessage::FeedbackDelta {
            turn,
            text: "x".into(),
        }
    }

    #[tokio::test]
    async fn a_resuming_connection_gets_its_transcript_before_anything_published_meanwhile() {
        let hub = Hub::default();
        let (outbox, mut receiver) = Outbox::channel(8);
        hub.attach_held("s", 1, outbox);
        hub.publish("s", delta(1));
        assert!(receiver.try_recv().is_none(), "held until the transcript");
        let transcript = ServerMessage::Transcript {
            session_id: "s".into(),
            turns: Vec::new(),
        };
        hub.send_transcript("s", 1, [transcript.clone()]);
        hub.publish("s", delta(2));
        let got: Vec<ServerMessage> = std::iter::from_fn(|| receiver.try_recv()).collect();
        assert_eq!(got, [transcript, delta(1), delta(2)]);
    }

    #[tokio::test]
    async fn a_failed_resume_still_releases_what_was_held() {
        let hub = Hub::default();
        let (outbox, mut receiver) = Outbox::channel(8);
        hub.attach_held("s", 1, outbox);
        hub.publish("s", delta(1));
        hub.send_transcript("s", 1, []);
        assert_eq!(receiver.try_recv(), Some(delta(1)));
    }
}
