//! A candidate's practice profile: creating one, its interviews, progress, export and erasure.
//! Every `/api/me` route takes the profile's key as the bearer token.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::super::{ApiError, AppState};
use crate::bank::{Level, Topic};
use crate::error_code::Code;
use crate::http::access::ProfileHolder;
use crate::interview::Summary;
use crate::practice::{self, Progress};
use crate::profiles;
use crate::staff::{self, SessionDetail, Viewer};
use crate::store::{ProfileErased, SessionRecord, SessionStatus};

/// A new profile. The key is shown this once: the server keeps only its hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewProfileView {
    pub profile_id: String,
    /// The profile's key: send it as `Authorization: Bearer <key>`; it is the recovery code.
    pub key: String,
    pub created_at: i64,
    /// Opens the history page on another device and restores the profile there (the key
    /// travels in the fragment, which browsers never send to a server).
    pub recovery_link: String,
}

/// Creates a practice profile (no account, no password): the chat page does this on a
/// browser's first visit. Limited per address like interview starts.
#[utoipa::path(
    post, path = "/api/profiles", tag = "practice",
    responses(
        (status = 201, description = "The profile and its key", body = NewProfileView),
        (status = 429, description = "Too many profiles from this address", body = ApiError),
    )
)]
pub async fn create(req: HttpRequest, app: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if !app.allow_start("profile", &address) {
        return Err(ApiError::new(
            Code::RateLimited,
            "too many practice profiles created from this address; wait a minute",
        ));
    }
    let now = app.interviews.clock.now_ms();
    let p = profiles::create(&app.interviews.store, now).await?;
    Ok(HttpResponse::Created().json(NewProfileView {
        recovery_link: format!("/me#key={}", p.key),
        profile_id: p.id,
        key: p.key,
        created_at: p.created_at,
    }))
}

/// A profile at a glance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub profile_id: String,
    pub created_at: i64,
    pub interviews: usize,
    pub finished: usize,
    /// Questions due for review now.
    pub due_now: usize,
    /// Questions per Leitner box (index 0 is box 1).
    pub boxes: [usize; 5],
}

/// The profile: how many interviews, and where its questions stand for review.
#[utoipa::path(
    get, path = "/api/me", tag = "practice",
    responses(
        (status = 200, description = "The profile", body = ProfileView),
        (status = 401, description = "No valid key", body = ApiError),
        (status = 403, description = "Not a practice profile's key", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn me(holder: ProfileHolder, app: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (created_at, p) = progress_of(&app, &holder).await?;
    Ok(HttpResponse::Ok().json(ProfileView {
        profile_id: holder.profile_id,
        created_at,
        interviews: p.interviews,
        finished: p.finished,
        due_now: p.due.len(),
        boxes: p.boxes,
    }))
}

/// One of the profile's interviews.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MySession {
    pub session_id: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub status: SessionStatus,
    #[schema(value_type = Vec<String>)]
    pub topics: Vec<Topic>,
    pub topic_titles: Vec<String>,
    #[schema(value_type = String)]
    pub level: Level,
    pub question_count: i64,
    /// Questions answered or skipped before the end.
    pub questions_reached: usize,
    pub overall: Option<i64>,
    pub passed: Option<bool>,
    /// Finished before every planned question was reached.
    pub ended_early: bool,
    /// Started from a recruiter's invite.
    pub invited: bool,
}

impl MySession {
    fn new(s: &SessionRecord) -> MySession {
        let summary = Summary::stored(s.summary.as_ref());
        let reached = summary.as_ref().map_or(0, |s| s.reached);
        MySession {
            session_id: s.id.clone(),
            created_at: s.created_at,
            finished_at: s.finished_at,
            status: s.status,
            topic_titles: s.topics.iter().map(|t| t.title().to_string()).collect(),
            topics: s.topics.clone(),
            level: s.level,
            question_count: s.question_count,
            questions_reached: reached,
            overall: s.overall,
            passed: summary.as_ref().map(|s| s.passed),
            ended_early: summary.as_ref().is_some_and(|s| s.ended_early),
            invited: s.invite_id.is_some(),
        }
    }
}

/// Every interview of the profile, newest first.
#[utoipa::path(
    get, path = "/api/me/sessions", tag = "practice",
    responses(
        (status = 200, description = "The profile's interviews", body = Vec<MySession>),
        (status = 401, description = "No valid key", body = ApiError),
        (status = 403, description = "Not a practice profile's key", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn sessions(
    holder: ProfileHolder,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let sessions = app
        .interviews
        .store
        .profile_sessions(&holder.profile_id)
        .await?;
    let items: Vec<MySession> = sessions.iter().rev().map(MySession::new).collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Scores per topic over time, the key points and STAR parts missed most often, and the
/// questions due for review (Leitner boxes; see the practice docs).
#[utoipa::path(
    get, path = "/api/me/progress", tag = "practice",
    responses(
        (status = 200, description = "The profile's progress", body = Progress),
        (status = 401, description = "No valid key", body = ApiError),
        (status = 403, description = "Not a practice profile's key", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn progress(
    holder: ProfileHolder,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(progress_of(&app, &holder).await?.1))
}

async fn progress_of(app: &AppState, holder: &ProfileHolder) -> Result<(i64, Progress), ApiError> {
    let i = &app.interviews;
    let created_at = i
        .store
        .profile(&holder.profile_id)
        .await?
        .map(|p| p.created_at)
        .ok_or_else(|| ApiError::from(Code::UnknownProfile))?;
    let record = profiles::record(&i.store, &holder.profile_id).await?;
    let progress = practice::progress(
        &record.sessions,
        &record.schedule,
        &i.bank,
        i.clock.now_ms(),
    );
    Ok((created_at, progress))
}

/// Everything a profile holds.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProfileExport {
    pub profile_id: String,
    pub exported_at: i64,
    pub progress: Progress,
    /// Every interview with its transcript, as the candidate may see it, oldest first.
    pub sessions: Vec<SessionDetail>,
}

/// Downloads the whole profile as JSON.
#[utoipa::path(
    get, path = "/api/me/export", tag = "practice",
    responses(
        (status = 200, description = "The profile's interviews and progress", body = ProfileExport),
        (status = 401, description = "No valid key", body = ApiError),
        (status = 403, description = "Not a practice profile's key", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn export(
    holder: ProfileHolder,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let i = &app.interviews;
    let (_, progress) = progress_of(&app, &holder).await?;
    let mut sessions = Vec::new();
    for s in i.store.profile_sessions(&holder.profile_id).await? {
        sessions.push(staff::session_detail(&i.store, &i.bank, &s.id, Viewer::Candidate).await?);
    }
    Ok(HttpResponse::Ok()
        .insert_header((
            "content-disposition",
            "attachment; filename=\"rehearse-profile.json\"",
        ))
        .json(ProfileExport {
            profile_id: holder.profile_id,
            exported_at: i.clock.now_ms(),
            progress,
            sessions,
        }))
}

/// What deleting a profile did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Erased {
    /// The profile's own interviews, erased with every answer and evaluation.
    pub erased_interviews: u64,
    /// Interviews from a recruiter's invite: they stay with the recruiter, detached from the profile.
    pub detached_invite_interviews: u64,
}

/// Deletes the profile: its interviews, answers and evaluations are erased; invite interviews
/// stay with their recruiter, no longer linked to it. The key stops working.
#[utoipa::path(
    delete, path = "/api/me", tag = "practice",
    responses(
        (status = 200, description = "The profile is gone", body = Erased),
        (status = 401, description = "No valid key", body = ApiError),
        (status = 403, description = "Not a practice profile's key", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    holder: ProfileHolder,
    app: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let ProfileErased { erased, detached } = app
        .interviews
        .store
        .delete_profile(&holder.profile_id)
        .await?;
    tracing::info!(
        profile_id = holder.profile_id,
        erased,
        detached,
        "practice profile deleted"
    );
    Ok(HttpResponse::Ok().json(Erased {
        erased_interviews: erased,
        detached_invite_interviews: detached,
    }))
}

/// A question the profile has been asked, to study: its model answer and key points, and the
/// scores the profile earned on it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StudyQuestion {
    pub question_id: String,
    #[schema(value_type = String)]
    pub topic: Topic,
    pub topic_title: String,
    #[schema(value_type = String)]
    pub level: Level,
    pub text: String,
    pub model_answer: String,
    pub key_points: Vec<String>,
    /// Each finished interview that asked it: when, and the score.
    pub attempts: Vec<StudyAttempt>,
    /// The question's place in the review schedule.
    pub card: Option<practice::Card>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StudyAttempt {
    pub session_id: String,
    pub at: i64,
    pub overall: Option<u8>,
    pub skipped: bool,
}

/// One question from the profile's finished interviews, with its model answer. Questions the
/// profile has not finished are not shown, so an open interview's answer is never given away.
#[utoipa::path(
    get, path = "/api/me/questions/{id}", tag = "practice",
    params(("id" = String, Path, description = "Question id")),
    responses(
        (status = 200, description = "The question to study", body = StudyQuestion),
        (status = 401, description = "No valid key", body = ApiError),
        (status = 403, description = "Not a practice profile's key", body = ApiError),
        (status = 404, description = "Not a question of the profile's finished interviews", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn question(
    holder: ProfileHolder,
    app: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let i = &app.interviews;
    let record = profiles::record(&i.store, &holder.profile_id).await?;
    let attempts: Vec<StudyAttempt> = record
        .sessions
        .iter()
        .filter_map(|s| {
            let summary = Summary::stored(s.summary.as_ref())?;
            let r = summary.review.into_iter().find(|r| r.question_id == id)?;
            Some(StudyAttempt {
                session_id: s.id.clone(),
                at: s.created_at,
                overall: r.overall,
                skipped: r.skipped,
            })
        })
        .collect();
    let q = i
        .bank
        .get(&id)
        .filter(|_| !attempts.is_empty())
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "question `{id}` is not in this profile's finished interviews"
            ))
        })?;
    Ok(HttpResponse::Ok().json(StudyQuestion {
        question_id: q.id.clone(),
        topic: q.topic,
        topic_title: q.topic.title().to_string(),
        level: q.level,
        text: q.text.clone(),
        model_answer: q.model_answer.clone(),
        key_points: q.key_points.iter().map(|k| k.text.clone()).collect(),
        attempts,
        card: record.schedule.cards.get(&id).cloned(),
    }))
}
