//! Recruiter and admin operations: rubric versions and assignments, previews and calibration,
//! invites, transcripts, reviews and exports. HTTP handlers, pages and the CLI all call these.

mod calibration_examples;
mod export;
mod invites;
mod notice;
mod pipeline;
mod retention;
mod reviews;
mod rubric_source;
mod rubrics;
mod session_list;
mod tokens;
mod transcript;

pub use calibration_examples::{ReviewedAnswer, add_reviewed_example, reviewed_answer};
pub use export::{ExportFormat, export};
pub use invites::{
    InviteInterview, InviteRequest, InviteView, Redemption, create_invite, invite_link,
    invite_problem, invite_view, list_invites, redeem, revoke_invite,
};
pub use notice::{Grader, Notice, NoticeSettings, notice};
pub use pipeline::{
    COMPARE_MAX, Comparison, Selection, SessionListItem, compare, list_csv, list_page, minutes,
    topic_scores,
};
pub use retention::{RETENTION_ACTOR, erase_session, keep_retention, purge_expired};
pub use reviews::{ReviewRequest, apply_review, review};
pub use rubric_source::{IdMismatch, copy_source, is_json, stored_source, with_id};
pub use rubrics::{
    Calibration, CalibrationRow, RubricInput, calibrate, keep_registry_fresh, load_registry,
    preview, refresh_registry, save_assignments, save_version,
};
pub use session_list::{DEFAULT_LIMIT, FilterProblem, ListFilter, MAX_LIMIT, list_query};
pub use tokens::create_token;
pub use transcript::{EvaluationView, SessionDetail, TurnDetail, Viewer, session_detail};

/// Why an admin operation failed, with the HTTP status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
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

impl crate::error_code::HasCode for StaffError {
    fn code(&self) -> crate::error_code::Code {
        use crate::error_code::Code;
        match self {
            StaffError::NotFound(_) => Code::NotFound,
            StaffError::Invalid(_) => Code::InvalidRequest,
            StaffError::InvalidRubric(_) => Code::InvalidRubric,
            StaffError::Conflict(_) => Code::Conflict,
            StaffError::Store(e) => e.code(),
            StaffError::Internal(_) => Code::Internal,
        }
    }
}
