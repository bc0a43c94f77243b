//! Store errors.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database URL must start with sqlite:, postgres:// or postgresql://")]
    UnsupportedUrl,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    /// The interview is owned by another server process now (its epoch moved on), or it is over.
    #[error("this interview is now run by another connection")]
    Fenced,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // A stored value that does not read as its type (a topic that is no topic) is corrupt
        // data, not an unavailable database.
        if matches!(e, sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_)) {
            return StoreError::Corrupt(e.to_string());
        }
        // A missing row or a unique-key conflict is an answer the store turns into `NotFound` or
        // `Conflict`, not a database failure.
        let expected = match &e {
            sqlx::Error::RowNotFound => true,
            sqlx::Error::Database(d) => d.is_unique_violation(),
            _ => false,
        };
        if !expected {
            crate::telemetry::database_error();
        }
        StoreError::Database(e)
    }
}

impl crate::error_code::HasCode for StoreError {
    fn code(&self) -> crate::error_code::Code {
        use crate::error_code::Code;
        match self {
            StoreError::NotFound => Code::NotFound,
            StoreError::Conflict(_) => Code::Conflict,
            StoreError::Fenced => Code::SessionTakenOver,
            StoreError::Database(_) | StoreError::Migrate(_) => Code::StorageUnavailable,
            StoreError::UnsupportedUrl | StoreError::Corrupt(_) => Code::Internal,
        }
    }
}

impl StoreError {
    /// True when the error is a unique-constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

impl StoreError {
    /// True when the database could not write for lack of disk space (SQLite `SQLITE_FULL`,
    /// PostgreSQL `disk_full`, or `ENOSPC` from the operating system).
    pub fn is_storage_full(&self) -> bool {
        const ENOSPC: i32 = 28;
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => {
                matches!(e.code().as_deref(), Some("13" | "53100"))
                    || e.message().contains("disk is full")
            }
            StoreError::Database(sqlx::Error::Io(e)) => e.raw_os_error() == Some(ENOSPC),
            _ => false,
        }
    }
}
