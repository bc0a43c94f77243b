//! Turns for writes: one at a time on SQLite's writer connection, as many as the pool has
//! connections on PostgreSQL. Writes queue here rather than in the connection pool so that a
//! write a candidate is waiting on (storing an answer before its ack) goes ahead of grading
//! writes queued before it; among writes of the same kind the order is first come, first served.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

/// Which queue a write waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// A candidate is waiting for this write's outcome (an answer before its ack).
    Waited,
    /// Everything else: grading, regrades, staff edits, housekeeping.
    Background,
}

#[derive(Debug, Default)]
struct Queues {
    /// Writes under way.
    busy: usize,
    waited: VecDeque<oneshot::Sender<Turn>>,
    background: VecDeque<oneshot::Sender<Turn>>,
}

/// The writers' queue; one per store.
#[derive(Debug)]
pub struct Turnstile {
    /// How many writes may be under way at once (SQLite: one).
    permits: usize,
    queues: Mutex<Queues>,
}

impl Default for Turnstile {
    fn default() -> Self {
        Turnstile::new(1)
    }
}

/// The right to write, until dropped; then it passes to the next in line.
#[derive(Debug)]
pub struct Turn {
    turnstile: Arc<Turnstile>,
    /// False for a turn that was never handed over (its waiter had gone): dropping it is a no-op.
    held: bool,
}

impl Turnstile {
    /// A turnstile letting `permits` writes through at once.
    pub fn new(permits: usize) -> Self {
        Turnstile {
            permits: permits.max(1),
            queues: Mutex::default(),
        }
    }

    /// Waits for the writer.
    pub async fn enter(self: &Arc<Self>, urgency: Urgency) -> Turn {
        loop {
            let waiting = {
                let mut q = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
                if q.busy < self.permits {
                    q.busy += 1;
                    return Turn {
                        turnstile: Arc::clone(self),
                        held: true,
                    };
                }
                let (tx, rx) = oneshot::channel();
                match urgency {
                    Urgency::Waited => q.waited.push_back(tx),
                    Urgency::Background => q.background.push_back(tx),
                }
                rx
            };
            // A turn is only ever dropped unsent by `pass` when this receiver is gone, so an
            // error here cannot happen while we wait; queue again rather than assume it.
            if let Ok(turn) = waiting.await {
                return turn;
            }
        }
    }

    /// Hands the writer to the next waiter, waited-on writes first, or frees it.
    fn pass(self: &Arc<Self>) {
        let mut q = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(next) = q.waited.pop_front().or_else(|| q.background.pop_front()) {
            let turn = Turn {
                turnstile: Arc::clone(self),
                held: true,
            };
            match next.send(turn) {
                Ok(()) => return,
                // That waiter gave up (its task was cancelled): try the next one.
                Err(mut unsent) => unsent.held = false,
            }
        }
        q.busy -= 1;
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if self.held {
            self.turnstile.pass();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(t: &Turnstile) -> usize {
        let q = t.queues.lock().unwrap();
        q.waited.len() + q.background.len()
    }

    /// A task waiting for a turn, returned once it is in the queue.
    async fn waiter(t: &Arc<Turnstile>, urgency: Urgency) -> tokio::task::JoinHandle<Turn> {
        let before = queued(t);
        let mine = Arc::clone(t);
        let task = tokio::spawn(async move { mine.enter(urgency).await });
        while queued(t) == before {
            tokio::task::yield_now().await;
        }
        task
    }

    #[tokio::test]
    async fn a_waited_on_write_goes_before_background_writes_queued_earlier() {
        let t = Arc::new(Turnstile::default());
        let first = t.enter(Urgency::Background).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (name, urgency) in [
            ("grade-1", Urgency::Background),
            ("grade-2", Urgency::Background),
            ("ack", Urgency::Waited),
        ] {
            let (mine, order) = (Arc::clone(&t), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let _turn = mine.enter(urgency).await;
                order.lock().unwrap().push(name);
            }));
            // Each waiter is queued before the next is spawned.
            while queued(&t) < tasks.len() {
                tokio::task::yield_now().await;
            }
        }
        drop(first);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["ack", "grade-1", "grade-2"]);
        assert_eq!(t.queues.lock().unwrap().busy, 0);
    }

    #[tokio::test]
    async fn as_many_writes_as_permits_run_at_once_and_the_next_waits_its_turn() {
        let t = Arc::new(Turnstile::new(2));
        let a = t.enter(Urgency::Background).await;
        let _b = t.enter(Urgency::Background).await;
        let third = waiter(&t, Urgency::Waited).await;
        assert!(!third.is_finished());
        drop(a);
        let _c = third.await.unwrap();
        assert_eq!(t.queues.lock().unwrap().busy, 2);
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_does_not_keep_the_writer() {
        let t = Arc::new(Turnstile::default());
        let first = t.enter(Urgency::Background).await;
        let gone = waiter(&t, Urgency::Waited).await;
        gone.abort();
        let _ = gone.await;
        drop(first);
        // The writer is free again: this does not wait forever.
        let _again = t.enter(Urgency::Background).await;
    }
}
