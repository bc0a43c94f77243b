//! Errors from running an interview, and how each is told to the client.

use crate::error_code::{Code, HasCode, cause_chain};
use crate::store::StoreError;
use crate::ws::protocol::ServerMessage;

/// Why an interview action failed.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The client asked for something that cannot be done; nothing changed.
    #[error("{code}: {message}")]
    Client { code: Code, message: String },
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
    pub fn client(code: Code, message: impl Into<String>) -> Self {
        RunnerError::Client {
            code,
            message: message.into(),
        }
    }

    /// The `error` frame for this failure. A server-side failure is told only its code's
    /// opaque message; its cause is logged here, once.
    pub fn to_message(&self) -> ServerMessage {
        let code = self.code();
        if let RunnerError::Client { message, .. } = self {
            return ServerMessage::error(code, message.clone());
        }
        if code.server_side() {
            tracing::error!(code = %code, error = cause_chain(self), "interview action failed");
        }
        ServerMessage::from_code(code)
    }
}

impl HasCode for RunnerError {
    fn code(&self) -> Code {
        match self {
            RunnerError::Client { code, .. } => *code,
            RunnerError::Store(e) => e.code(),
            RunnerError::TakenOver => Code::SessionTakenOver,
            RunnerError::Internal(_) => Code::Internal,
        }
    }
}
