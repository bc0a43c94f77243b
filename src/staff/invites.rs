//! Invites: a recruiter fixes the plan (topics, level, count, rubrics) and sends a link.

use crate::error_code::Code;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{StaffError, notice};
use crate::bank::{Kind, Level, Topic};
use crate::interview::{MAX_COUNT, make_plan};
use crate::runner::{Interviews, RunnerError, StartRequest};
use crate::store::{InviteRecord, InviteSession, NewInvite};
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
    /// Whether the candidate sees scores, feedback, key points and model answers (default
    /// true). When false they see that each answer was saved, and the follow-ups, only.
    pub show_scores: Option<bool>,
}

/// An interview started from an invite.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InviteInterview {
    pub session_id: String,
    /// `active` or `finished`.
    pub status: String,
    pub created_at: i64,
}

/// An invite as shown to recruiters (the token only once, at creation).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InviteView {
    pub id: String,
    /// Present only in the response that created the invite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The candidate's link, only at creation: absolute (`server.public_url` + `/?invite=TOKEN`)
    /// when the server knows its public address, otherwise `/?invite=TOKEN`.
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
    /// `unused` (nobody started yet), `open` (some interviews done, uses left),
    /// `in_progress` (an interview from it is running), `completed` (every use taken and every
    /// interview finished), `expired` or `revoked`.
    pub status: &'static str,
    /// Whether a candidate can still start an interview with it.
    pub startable: bool,
    pub show_scores: bool,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    /// The interviews started from it, oldest first.
    pub interviews: Vec<InviteInterview>,
}

/// Why the invite cannot start an interview now, if it cannot.
pub fn invite_problem(r: &InviteRecord, now: i64) -> Option<crate::store::InviteProblem> {
    use crate::store::InviteProblem;
    if r.revoked_at.is_some() {
        Some(InviteProblem::Revoked)
    } else if r.expires_at <= now {
        Some(InviteProblem::Expired)
    } else if r.uses >= r.max_uses {
        Some(InviteProblem::UsedUp)
    } else {
        None
    }
}

/// The status a recruiter sees, from the invite and the interviews started from it.
fn invite_status(r: &InviteRecord, now: i64, interviews: &[InviteInterview]) -> &'static str {
    let running = interviews.iter().any(|i| i.status == "active");
    if r.revoked_at.is_some() {
        "revoked"
    } else if running {
        "in_progress"
    } else if r.uses >= r.max_uses {
        "completed"
    } else if r.expires_at <= now {
        "expired"
    } else if r.uses == 0 {
        "unused"
    } else {
        "open"
    }
}

/// The recruiter's view of a stored invite, with the interviews started from it.
pub fn invite_view(r: &InviteRecord, now: i64, sessions: &[InviteSession]) -> InviteView {
    let interviews: Vec<InviteInterview> = sessions
        .iter()
        .filter(|s| s.invite_id == r.id)
        .map(|s| InviteInterview {
            session_id: s.session_id.clone(),
            status: s.status.clone(),
            created_at: s.created_at,
        })
        .collect();
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
        status: invite_status(r, now, &interviews),
        startable: invite_problem(r, now).is_none(),
        show_scores: r.show_scores,
        revoked_at: r.revoked_at,
        revoked_by: r.revoked_by.clone(),
        created_by: r.created_by.clone(),
        created_at: r.created_at,
        interviews,
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
    public_url: Option<&str>,
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
        show_scores: req.show_scores.unwrap_or(true),
        now,
    };
    interviews.store.create_invite(&invite).await?;
    let stored = interviews.store.invite(&invite.id).await?;
    let mut view = invite_view(&stored, now, &[]);
    view.link = Some(invite_link(public_url, &token));
    view.token = Some(token);
    Ok(view)
}

/// The candidate's link for an invite token.
pub fn invite_link(public_url: Option<&str>, token: &str) -> String {
    match public_url.map(|u| u.trim().trim_end_matches('/')) {
        Some(base) if !base.is_empty() => format!("{base}/?invite={token}"),
        _ => format!("/?invite={token}"),
    }
}

/// Every invite, newest first, with the interviews started from each.
pub async fn list_invites(interviews: &Interviews) -> Result<Vec<InviteView>, StaffError> {
    let now = interviews.clock.now_ms();
    let sessions = interviews.store.invite_sessions().await?;
    Ok(interviews
        .store
        .invites()
        .await?
        .iter()
        .map(|i| invite_view(i, now, &sessions))
        .collect())
}

/// Revokes an invite: nobody can start an interview with it any more; interviews already
/// started go on. Revoking twice is not an error (the first revocation is kept).
pub async fn revoke_invite(
    interviews: &Interviews,
    id: &str,
    by: &str,
) -> Result<InviteView, StaffError> {
    let now = interviews.clock.now_ms();
    match interviews.store.revoke_invite(id, by, now).await {
        Ok(true) => tracing::info!(invite_id = id, "invite revoked"),
        Ok(false) => {}
        Err(crate::store::StoreError::NotFound) => {
            return Err(StaffError::NotFound(format!("no invite `{id}`")));
        }
        Err(e) => return Err(e.into()),
    }
    let sessions = interviews.store.invite_sessions().await?;
    Ok(invite_view(
        &interviews.store.invite(id).await?,
        now,
        &sessions,
    ))
}

fn refused(problem: crate::store::InviteProblem) -> RunnerError {
    use crate::store::InviteProblem;
    match problem {
        InviteProblem::Unknown => {
            RunnerError::client(Code::InviteInvalid, "this invite link is not valid")
        }
        InviteProblem::Expired => RunnerError::client(
            Code::InviteExpired,
            "this invite has expired; ask your recruiter for a new link",
        ),
        InviteProblem::UsedUp => {
            RunnerError::client(Code::InviteUsedUp, "this invite has already been used")
        }
        InviteProblem::Revoked => {
            RunnerError::client(Code::InviteRevoked, Code::InviteRevoked.message())
        }
    }
}

/// What the candidate brings to an invite: who they are, the notice version they agreed to, and
/// the practice profile to keep the interview in (offered only when the invite shows scores).
pub struct Redemption {
    pub candidate: Candidate,
    pub consent: Option<String>,
    pub profile: Option<String>,
}

/// The start request an invite fixes, using the invite once. The invite is used only after the
/// candidate's agreement to its current notice is checked. The candidate's own name and email
/// fill in what the invite leaves blank.
pub async fn redeem(
    interviews: &Interviews,
    token: &str,
    r: Redemption,
) -> Result<StartRequest, RunnerError> {
    use crate::store::InviteProblem;
    let hash = tokens::hash_token(token);
    let now = interviews.clock.now_ms();
    let Some(invite) = interviews.store.invite_by_token_hash(&hash).await? else {
        return Err(refused(InviteProblem::Unknown));
    };
    if let Some(problem) = invite_problem(&invite, now) {
        return Err(refused(problem));
    }
    let notice = notice::notice(&interviews.notice, &invite);
    match r.consent.as_deref() {
        Some(v) if v == notice.version => {}
        Some(_) => {
            return Err(RunnerError::client(
                Code::ConsentRequired,
                "the notice changed since you read it; read it again and agree to it",
            ));
        }
        None => {
            return Err(RunnerError::client(
                Code::ConsentRequired,
                Code::ConsentRequired.message(),
            ));
        }
    }
    let invite = interviews
        .store
        .use_invite(&hash, now)
        .await?
        .map_err(refused)?;
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
            name: invite.candidate_name.clone().or(r.candidate.name),
            email: invite.candidate_email.clone().or(r.candidate.email),
        },
        invite_id: Some(invite.id.clone()),
        created_by: Some(invite.created_by.clone()),
        rubrics,
        // Results the candidate may not see stay out of their practice history too.
        profile_key: r.profile.filter(|_| invite.show_scores),
        practice: None,
        seed: None,
        scores_hidden: !invite.show_scores,
        consent: Some(crate::store::Consent {
            at: now,
            version: notice.version,
        }),
    })
}
