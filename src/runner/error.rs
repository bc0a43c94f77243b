//! Errors from running an interview, and how each is told to the client.

use crate::store::StoreError;
use crate::ws::protocol::ServerMessage;

/// Why an interview action failed.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The client asked for something that cannot be done; nothing changed.
    #[error("{code}: {message}")]
    Client { code: &'static str, message: String },
    #[error(transparent)]
    Store(StoreError),
    /// Another connection (on this server process or another) has the interview now; this
    /// one may no longer write to it.
    #[error("the interview was taken over by another connection")]
    TakenOver,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for RunnerError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Fenced => RunnerError::TakenOver,
            e => RunnerError::Store(e),
        }
    }
}

impl RunnerError {
    /// A client error with a stable code.
    pub fn client(code: &'static str, message: impl Into<String>) -> Self {
        RunnerError::Client {
            code,
            message: message.into(),
        }
    }

    /// The `error` frame for this failure.
    pub fn to_message(&self) -> ServerMessage {
        match self {
            RunnerError::Client { code, message } => ServerMessage::error(code, message.clone()),
            RunnerError::Store(StoreError::Database(_) | StoreError::Migrate(_)) => {
                ServerMessage::error(
                    "storage_unavailable",
                    "the database is unavailable; nothing was saved — please try again",
                )
            }
            RunnerError::Store(e) => ServerMessage::error("internal", e.to_string()),
            RunnerError::TakenOver => super::hub::taken_over(),
            RunnerError::Internal(m) => ServerMessage::error("internal", m.clone()),
        }
    }
}
