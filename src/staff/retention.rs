//! Data retention: an admin erases one interview, and finished interviews older than
//! `server.retention_days` are erased automatically. Every erasure leaves an audit line without
//! personal data (who, when, which interview id, how many answers).

use std::time::Duration;

use super::StaffError;
use crate::runner::Interviews;
use crate::store::{Store, StoreError};

/// How often the retention purge looks for interviews past the retention period.
pub const RETENTION_CHECK: Duration = Duration::from_secs(3600);
/// Interviews erased per statement batch, so one purge never holds the writer for long.
const PURGE_BATCH: i64 = 100;
/// The actor named in the audit lines the automatic purge writes.
pub const RETENTION_ACTOR: &str = "retention";

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Erases an interview, its answers and evaluations, on an admin's request. Returns how many
/// answers went with it.
pub async fn erase_session(
    interviews: &Interviews,
    session_id: &str,
    by: &str,
) -> Result<i64, StaffError> {
    let now = interviews.clock.now_ms();
    match interviews.store.erase_session(session_id, by, now).await {
        Ok(answers) => {
            tracing::info!(session_id, answers, "interview erased by staff");
            // A candidate still connected here is told, and the connection closed.
            interviews.hub.erased(session_id);
            Ok(answers)
        }
        Err(StoreError::NotFound) => {
            Err(StaffError::NotFound(format!("no session `{session_id}`")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Erases every finished interview that ended more than `days` days before `now`. Returns how
/// many were erased.
pub async fn purge_expired(store: &Store, now: i64, days: u32) -> Result<usize, StoreError> {
    let cutoff = now.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
    let mut erased = 0;
    loop {
        let batch = store.finished_before(cutoff, PURGE_BATCH).await?;
        if batch.is_empty() {
            return Ok(erased);
        }
        for id in &batch {
            match store.erase_session(id, RETENTION_ACTOR, now).await {
                // Erased meanwhile by an admin or another replica.
                Ok(_) | Err(StoreError::NotFound) => erased += 1,
                Err(e) => return Err(e),
            }
        }
    }
}

/// The background task: purges at start-up, then every [`RETENTION_CHECK`].
pub async fn keep_retention(interviews: Interviews, days: u32) {
    let mut tick = tokio::time::interval(RETENTION_CHECK);
    loop {
        tick.tick().await;
        match purge_expired(&interviews.store, interviews.clock.now_ms(), days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                erased = n,
                days,
                "erased finished interviews past the retention period"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "the retention purge failed; it runs again within the hour")
            }
        }
    }
}
