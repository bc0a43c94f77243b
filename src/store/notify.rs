//! Messages between server processes sharing a PostgreSQL database, over LISTEN/NOTIFY (no other
//! broker). SQLite serves one process, which needs none: sending is a no-op there and there is
//! nothing to listen to.

use sqlx::postgres::PgListener;

use super::{Pool, Store, StoreError};

const CHANNEL: &str = "rehearse_events";

/// Notifications sent by any process on the database, this one included.
pub struct Notifications(PgListener);

impl Notifications {
    /// The next notification's payload. After a lost connection the listener reconnects by
    /// itself; notifications sent meanwhile are lost, which callers must tolerate.
    pub async fn recv(&mut self) -> Result<String, StoreError> {
        Ok(self.0.recv().await?.payload().to_string())
    }
}

impl Store {
    /// Sends `payload` to every process listening on this database (PostgreSQL only).
    pub async fn notify(&self, payload: &str) -> Result<(), StoreError> {
        if let Pool::Postgres(p) = &self.pool {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// Starts listening for notifications; `None` on SQLite.
    pub async fn listen(&self) -> Result<Option<Notifications>, StoreError> {
        match &self.pool {
            Pool::Sqlite { .. } => Ok(None),
            Pool::Postgres(p) => {
                let mut listener = PgListener::connect_with(p).await?;
                listener.listen(CHANNEL).await?;
                Ok(Some(Notifications(listener)))
            }
        }
    }
}
