//! Background tasks that must keep running (the regrade worker, the rubric refresh). Each runs
//! under a supervisor: a panic is logged with its message, counted, and the task is started again
//! after a pause that doubles up to a minute; `/healthz` reports a task that is not running and
//! `/metrics` counts the panics.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Longest pause before a panicked task is started again.
const MAX_RESTART_DELAY: Duration = Duration::from_secs(60);

/// What the supervisor knows about one task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskStatus {
    pub running: bool,
    pub panics: u64,
    /// The last panic's message.
    pub last_panic: Option<String>,
}

/// The registry of supervised tasks.
#[derive(Clone)]
pub struct Supervisor {
    tasks: Arc<Mutex<BTreeMap<&'static str, TaskStatus>>>,
    restart_delay: Duration,
    /// Every supervising loop, so shutdown can wait for them.
    running: TaskTracker,
    /// Cancelled at shutdown: each task is stopped where it waits.
    cancel: CancellationToken,
}

impl Default for Supervisor {
    fn default() -> Self {
        Supervisor::new(Duration::from_secs(1))
    }
}

impl Supervisor {
    /// A supervisor that waits `restart_delay` (doubling per consecutive panic) before a restart.
    pub fn new(restart_delay: Duration) -> Self {
        Supervisor {
            tasks: Arc::default(),
            restart_delay,
            running: TaskTracker::new(),
            cancel: CancellationToken::new(),
        }
    }

    fn update(&self, name: &'static str, f: impl FnOnce(&mut TaskStatus)) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        f(tasks.entry(name).or_default());
    }

    /// Runs `make()` as task `name`, starting it again whenever it panics. A task that returns
    /// is finished and reported as not running.
    pub fn spawn<F, Fut>(&self, name: &'static str, make: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.update(name, |t| t.running = true);
        let this = self.clone();
        self.running.spawn(async move {
            let mut delay = this.restart_delay;
            loop {
                this.update(name, |t| t.running = true);
                let mut task = tokio::spawn(make());
                let outcome = tokio::select! {
                    outcome = &mut task => outcome,
                    _ = this.cancel.cancelled() => {
                        task.abort();
                        let _ = task.await;
                        this.update(name, |t| t.running = false);
                        return;
                    }
                };
                this.update(name, |t| t.running = false);
                let Err(error) = outcome else {
                    tracing::warn!(task = name, "background task finished");
                    return;
                };
                if !error.is_panic() {
                    return;
                }
                let message = panic_message(error.into_panic());
                tracing::error!(task = name, panic = %message, restart_in = ?delay, "background task panicked; restarting it");
                this.update(name, |t| {
                    t.panics += 1;
                    t.last_panic = Some(message);
                });
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = this.cancel.cancelled() => return,
                }
                delay = (delay * 2).min(MAX_RESTART_DELAY);
            }
        });
    }

    /// Stops every task (at its next await) and waits up to `grace` for them to end. True when
    /// they all did.
    pub async fn stop(&self, grace: Duration) -> bool {
        self.cancel.cancel();
        self.running.close();
        tokio::time::timeout(grace, self.running.wait())
            .await
            .is_ok()
    }

    /// Every supervised task by name.
    pub fn status(&self) -> BTreeMap<&'static str, TaskStatus> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map_or_else(|| "non-text panic".to_string(), |s| (*s).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio::sync::Notify;

    #[tokio::test]
    async fn a_panicking_task_is_counted_and_started_again() {
        let supervisor = Supervisor::new(Duration::from_millis(1));
        let starts = Arc::new(AtomicU32::new(0));
        let second_start = Arc::new(Notify::new());
        let (s, n) = (starts.clone(), second_start.clone());
        supervisor.spawn("worker", move || {
            let (s, n) = (s.clone(), n.clone());
            async move {
                if s.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("retry-after out of range");
                }
                n.notify_one();
                std::future::pending::<()>().await;
            }
        });
        second_start.notified().await;
        let status = supervisor.status()["worker"].clone();
        assert_eq!(starts.load(Ordering::SeqCst), 2);
        assert!(status.running);
        assert_eq!(status.panics, 1);
        assert_eq!(
            status.last_panic.as_deref(),
            Some("retry-after out of range")
        );
    }

    #[tokio::test]
    async fn a_task_that_returns_is_reported_as_not_running() {
        let supervisor = Supervisor::new(Duration::from_millis(1));
        let done = Arc::new(Notify::new());
        let d = done.clone();
        supervisor.spawn("once", move || {
            let d = d.clone();
            async move { d.notify_one() }
        });
        done.notified().await;
        // The status flips after the task's future completes; wait for the supervisor to see it.
        let mut seen = supervisor.status()["once"].running;
        for _ in 0..100_000 {
            if !seen {
                break;
            }
            tokio::task::yield_now().await;
            seen = supervisor.status()["once"].running;
        }
        assert!(!seen, "a finished task still shows as running");
        assert_eq!(supervisor.status()["once"].panics, 0);
    }

    #[tokio::test]
    async fn stopping_ends_every_task_where_it_waits() {
        let supervisor = Supervisor::new(Duration::from_millis(1));
        let started = Arc::new(Notify::new());
        let s = started.clone();
        supervisor.spawn("forever", move || {
            let s = s.clone();
            async move {
                s.notify_one();
                std::future::pending::<()>().await;
            }
        });
        started.notified().await;
        assert!(supervisor.stop(Duration::from_secs(5)).await);
        assert!(!supervisor.status()["forever"].running);
    }
}
