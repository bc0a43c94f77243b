//! Recruiter and admin operations: rubric versions and assignments, previews and calibration,
//! invites, transcripts, reviews and exports. HTTP handlers, pages and the CLI all call these.

mod export;
mod invites;
mod reviews;
mod rubrics;
mod tokens;
mod transcript;

pub use export::{ExportFormat, export};
pub use invites::{InviteRequest, InviteView, create_invite, invite_view, redeem};
pub use reviews::{ReviewRequest, apply_review, review};
pub use rubrics::{
    Calibration, CalibrationRow, RubricInput, calibrate, keep_registry_fresh, load_registry,
    preview, refresh_registry, save_assignments, save_version,
};
pub use tokens::create_token;
pub use transcript::{EvaluationView, SessionDetail, TurnDetail, Viewer, session_detail};

/// Why an admin operation failed, with the HTTP status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("invalid rubric")]
    InvalidRubric(Vec<crate::lint::Problem>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Internal(String),
}

impl crate::error_code::HasCode for AdminError {
    fn code(&self) -> crate::error_code::Code {
        use crate::error_code::Code;
        match self {
            AdminError::NotFound(_) => Code::NotFound,
            AdminError::Invalid(_) => Code::InvalidRequest,
            AdminError::InvalidRubric(_) => Code::InvalidRubric,
            AdminError::Conflict(_) => Code::Conflict,
            AdminError::Store(e) => e.code(),
            AdminError::Internal(_) => Code::Internal,
        }
    }
}
