//! Replicas cooperating through PostgreSQL, with no other broker: each process listens for the
//! others' events (an evaluation regraded or reviewed, an interview taken over, a rubric saved)
//! and acts on them within the notification's round trip. SQLite serves one process and has
//! nothing to listen to.

use std::time::Duration;

use crate::runner::{Event, Interviews, events::Envelope};

/// Pause before listening again after the listening connection could not be opened.
const RECONNECT: Duration = Duration::from_secs(1);

/// Receives and handles other replicas' events until the process ends (at once on SQLite).
pub async fn listen(interviews: Interviews) {
    loop {
        let mut notifications = match interviews.store.listen().await {
            Ok(Some(n)) => n,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "listening for other replicas failed; trying again");
                tokio::time::sleep(RECONNECT).await;
                continue;
            }
        };
        tracing::debug!("listening for other replicas' events");
        loop {
            match notifications.recv().await {
                Ok(payload) => handle(&interviews, &payload).await,
                Err(e) => {
                    tracing::warn!(error = %e, "receiving other replicas' events failed");
                    break;
                }
            }
        }
    }
}

async fn handle(interviews: &Interviews, payload: &str) {
    let envelope = match serde_json::from_str::<Envelope>(payload) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, payload, "unreadable replica event ignored");
            return;
        }
    };
    if *envelope.origin == *interviews.owner {
        return;
    }
    match envelope.event {
        Event::Rubrics => match crate::staff::refresh_registry(interviews).await {
            Ok(n) => tracing::info!(
                versions = n,
                "rubrics reloaded after an edit on another replica"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "reloading rubrics after an edit elsewhere failed")
            }
        },
        event => interviews.handle_event(&event, false),
    }
}
