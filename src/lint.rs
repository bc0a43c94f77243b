//! The one shape for validation problems, shared by the bank lint, the rubric lint and the
//! rubric API, so every tool reports `file:where: message` the same way.

use serde::Serialize;
use std::fmt;

/// One problem found while validating a file or a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// The file the problem is in, when it came from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Where inside it: a question id, or a field path such as `criteria[2].weight`.
    pub path: String,
    /// What is wrong, in words a bank or rubric author can act on.
    pub message: String,
}

impl Problem {
    /// A problem at `path` inside `file`.
    pub fn new(file: Option<&str>, path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            file: file.map(str::to_string),
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.path.is_empty()) {
            (Some(file), false) => write!(f, "{file}:{}: {}", self.path, self.message),
            (Some(file), true) => write!(f, "{file}: {}", self.message),
            (None, false) => write!(f, "{}: {}", self.path, self.message),
            (None, true) => f.write_str(&self.message),
        }
    }
}

/// Several problems at once; validation never stops at the first.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
pub struct Problems(pub Vec<Problem>);
