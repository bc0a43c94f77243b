//! Invites: a recruiter fixes the plan (topics, level, count, rubrics) and sends a link.

use crate::error_code::Code;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::StaffError;
use crate::bank::{Kind, Level, Topic};
use crate::interview::{MAX_COUNT, make_plan};
use crate::runner::{Interviews, RunnerError, StartRequest};
use crate::store::{InviteRecord, NewInvite};
use crate::tokens;
use crate::ws::protocol::Candidate;

const DEFAULT_HOURS: f64 = 24.0 * 7.0;
const MAX_HOURS: f64 = 24.0 * 90.0;
const MAX_USES: u32 = 1000;

/// What a recruiter asks for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[schema(max_length = 200)]
    pub candidate_name: Option<String>,
    #[schema(max_length = 320)]
    pub candidate_email: Option<String>,
    #[schema(min_items = 1)]
    pub topics: Vec<Topic>,
    pub level: Level,
    /// Main questions, 1–20 (default 5).
    #[serde(default, deserialize_with = "crate::whole::option")]
    #[schema(minimum = 1, maximum = 20)]
    pub count: Option<usize>,
    /// Rubric id per kind, overriding the assignments for this interview.
    #[schema(value_type = Option<std::collections::HashMap<String, String>>)]
    pub rubrics: Option<BTreeMap<String, String>>,
    /// Hours until the invite expires (default 168, at most 2160).
    #[schema(exclusive_minimum = 0, maximum = 2160)]
    pub expires_in_hours: Option<f64>,
    /// How many interviews the link may start (default 1).
    #[serde(default, deserialize_with = "crate::whole::option")]
    #[schema(minimum = 1, maximum = 1000)]
    pub max_uses: Option<u32>,
}

/// An invite as shown to recruiters (the token only once, at creation).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InviteView {
    pub id: String,
    /// Present only in the response that created the invite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// `/?invite=TOKEN`, only at creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub candidate_name: Option<String>,
    pub candidate_email: Option<String>,
    pub topics: Vec<String>,
    pub level: String,
    pub count: i64,
    #[schema(value_type = Object)]
    pub rubrics: serde_json::Value,
    pub expires_at: i64,
    pub max_uses: i64,
    pub uses: i64,
    /// `active`, `expired` or `used_up`.
    pub status: &'static str,
    pub created_by: String,
    pub created_at: i64,
}

/// The recruiter's view of a stored invite.
pub fn invite_view(r: &InviteRecord, now: i64) -> InviteView {
    InviteView {
        id: r.id.clone(),
        token: None,
        link: None,
        candidate_name: r.candidate_name.clone(),
        candidate_email: r.candidate_email.clone(),
        topics: r.topics.clone(),
        level: r.level.clone(),
        count: r.question_count,
        rubrics: r.rubrics.clone(),
        expires_at: r.expires_at,
        max_uses: r.max_uses,
        uses: r.uses,
        status: if r.expires_at <= now {
            "expired"
        } else if r.uses >= r.max_uses {
            "used_up"
        } else {
            "active"
        },
        created_by: r.created_by.clone(),
        created_at: r.created_at,
    }
}

fn trimmed(v: Option<String>, max: usize, field: &str) -> Result<Option<String>, StaffError> {
    match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => Err(StaffError::Invalid(format!(
            "{field} is longer than {max} characters"
        ))),
        other => Ok(other),
    }
}

/// Validates and stores an invite; returns it with its token and link.
pub async fn create_invite(
    interviews: &Interviews,
    req: InviteRequest,
    by: &str,
) -> Result<InviteView, StaffError> {
    let count = req.count.unwrap_or(5);
    if !(1..=MAX_COUNT).contains(&count) {
        return Err(StaffError::Invalid(format!(
            "count must be between 1 and {MAX_COUNT}"
        )));
    }
    // The plan must be possible now: enough questions for those topics at that level.
    make_plan(&interviews.bank, &req.topics, req.level, count, 0)
        .map_err(|e| StaffError::Invalid(e.to_string()))?;
    let mut rubrics: BTreeMap<Kind, String> = BTreeMap::new();
    for (key, id) in req.rubrics.clone().unwrap_or_default() {
        let kind = key
            .parse::<Kind>()
            .map_err(|e| StaffError::Invalid(format!("rubrics: {e}")))?;
        rubrics.insert(kind, id);
    }
    for (kind, id) in &rubrics {
        match interviews.rubrics.latest(id) {
            None => {
                return Err(StaffError::Invalid(format!(
                    "rubrics.{kind}: no rubric `{id}`"
                )));
            }
            Some(r) if !r.kinds.contains(kind) => {
                return Err(StaffError::Invalid(format!(
                    "rubrics.{kind}: rubric `{id}` does not grade {kind} questions"
                )));
            }
            Some(_) => {}
        }
    }
    let hours = req.expires_in_hours.unwrap_or(DEFAULT_HOURS);
    if !(hours > 0.0 && hours <= MAX_HOURS) {
        return Err(StaffError::Invalid(format!(
            "expires_in_hours must be between 0 and {MAX_HOURS}"
        )));
    }
    let max_uses = req.max_uses.unwrap_or(1);
    if !(1..=MAX_USES).contains(&max_uses) {
        return Err(StaffError::Invalid(format!(
            "max_uses must be between 1 and {MAX_USES}"
        )));
    }
    let mut topics: Vec<Topic> = req.topics.clone();
    topics.sort();
    topics.dedup();
    let token = tokens::random_token();
    let now = interviews.clock.now_ms();
    let invite = NewInvite {
        id: uuid::Uuid::new_v4().to_string(),
        token_hash: tokens::hash_token(&token),
        created_by: by.to_string(),
        candidate_name: trimmed(req.candidate_name, 200, "candidate_name")?,
        candidate_email: trimmed(req.candidate_email, 320, "candidate_email")?,
        topics: topics.iter().map(|t| t.to_string()).collect(),
        level: req.level.to_string(),
        question_count: count as i64,
        rubrics: serde_json::to_value(&rubrics).map_err(|e| StaffError::Internal(e.to_string()))?,
        expires_at: now + (hours * 3_600_000.0) as i64,
        max_uses: i64::from(max_uses),
        now,
    };
    interviews.store.create_invite(&invite).await?;
    let stored = interviews.store.invite(&invite.id).await?;
    let mut view = invite_view(&stored, now);
    view.link = Some(format!("/?invite={token}"));
    view.token = Some(token);
    Ok(view)
}

/// The start request an invite fixes, using the invite once. The candidate's own name and
/// email fill in what the invite leaves blank.
pub async fn redeem(
    interviews: &Interviews,
    token: &str,
    candidate: Candidate,
) -> Result<StartRequest, RunnerError> {
    use crate::store::InviteProblem;
    let invite = match interviews
        .store
        .use_invite(&tokens::hash_token(token), interviews.clock.now_ms())
        .await?
    {
        Ok(i) => i,
        Err(InviteProblem::Unknown) => {
            return Err(RunnerError::client(
                Code::InviteInvalid,
                "this invite link is not valid",
            ));
        }
        Err(InviteProblem::Expired) => {
            return Err(RunnerError::client(
                Code::InviteExpired,
                "this invite has expired; ask your recruiter for a new link",
            ));
        }
        Err(InviteProblem::UsedUp) => {
            return Err(RunnerError::client(
                Code::InviteUsedUp,
                "this invite has already been used",
            ));
        }
    };
    tracing::info!(invite_id = invite.id, "invite used");
    let corrupt = |what: &str| {
        RunnerError::Internal(format!("invite {} has an unreadable {what}", invite.id))
    };
    let topics = invite
        .topics
        .iter()
        .map(|t| t.parse::<Topic>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| corrupt("topic"))?;
    let rubrics: BTreeMap<Kind, String> =
        serde_json::from_value(invite.rubrics.clone()).map_err(|_| corrupt("rubric choice"))?;
    Ok(StartRequest {
        topics,
        level: invite.level.parse().map_err(|_| corrupt("level"))?,
        count: invite.question_count as usize,
        candidate: Candidate {
            name: invite.candidate_name.clone().or(candidate.name),
            email: invite.candidate_email.clone().or(candidate.email),
        },
        invite_id: Some(invite.id.clone()),
        created_by: Some(invite.created_by.clone()),
        rubrics,
        profile_key: None,
        practice: None,
        seed: None,
    })
}
