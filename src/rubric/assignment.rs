//! Which rubric grades which kind (and optionally topic) of question: the assignments admins
//! set, stored by the store and resolved by the registry.

use serde::{Deserialize, Serialize};

/// One assignment; an empty topic applies to every topic of the kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    #[schema(value_type = crate::bank::Kind)]
    pub kind: String,
    /// A topic id, or empty for every topic of the kind.
    #[serde(default)]
    pub topic: String,
    #[schema(min_length = 1)]
    pub rubric_id: String,
}
