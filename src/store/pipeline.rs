//! The recruiter's pipeline view of interviews, computed from what is stored: how each one
//! ended, how far the candidate got, how long it took, whether it passed, what was flagged,
//! and whether a human should read it.

use std::collections::HashMap;

use sqlx::{Database, Encode, QueryBuilder, Type};

use super::{Store, StoreError};
use crate::evaluate::Flag;

/// Where an interview stands, as the session list shows and filters it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ListStatus {
    /// Not over yet (or left open by the candidate).
    Active,
    /// Over, with every planned question reached.
    Finished,
    /// Ended by the candidate before every planned question was reached.
    EndedEarly,
}

impl ListStatus {
    /// The name used in query strings and on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// True when the stored summary says the candidate ended before reaching every planned main
/// question (a follow-up left open on the last one does not count: every planned question was
/// reached). Summaries from before `reached` and `planned` were kept read as not ended early.
fn ended_early_sql(sqlite: bool) -> &'static str {
    if sqlite {
        "COALESCE(json_extract(sessions.summary, '$.ended_early') = 1 \
         AND json_extract(sessions.summary, '$.reached') < json_extract(sessions.summary, '$.planned'), 0)"
    } else {
        "COALESCE((sessions.summary::jsonb ->> 'ended_early')::boolean \
         AND (sessions.summary::jsonb ->> 'reached')::bigint < (sessions.summary::jsonb ->> 'planned')::bigint, FALSE)"
    }
}

/// The stored summary's verdict and the mark it was measured against (NULL while in progress).
fn verdict_sql(sqlite: bool) -> &'static str {
    if sqlite {
        "json_extract(sessions.summary, '$.passed') AS passed, \
         json_extract(sessions.summary, '$.pass_mark') AS pass_mark"
    } else {
        "(sessions.summary::jsonb ->> 'passed')::boolean AS passed, \
         (sessions.summary::jsonb ->> 'pass_mark')::bigint AS pass_mark"
    }
}

/// An invited interview a human should read: some answer's current evaluation is only the
/// built-in evaluator's (configured, or standing in for the LLM), or an LLM judgement that
/// flagged the answer. A recruiter's review settles the answer it replaces.
pub(super) const NEEDS_REVIEW: &str = "(sessions.invite_id IS NOT NULL AND EXISTS (\
     SELECT 1 FROM evaluations e WHERE e.session_id = sessions.id \
     AND (e.source IN ('builtin', 'fallback') OR (e.source = 'llm' AND e.flags <> '[]')) \
     AND NOT EXISTS (SELECT 1 FROM evaluations l WHERE l.session_id = e.session_id \
     AND l.turn = e.turn AND l.id > e.id)))";

/// Narrows a session query (`FROM sessions`) to one list status.
pub(super) fn push_status<DB>(qb: &mut QueryBuilder<DB>, status: ListStatus, sqlite: bool)
where
    DB: Database,
{
    let ended = ended_early_sql(sqlite);
    qb.push(match status {
        ListStatus::Active => " AND status = 'active'".to_string(),
        ListStatus::Finished => format!(" AND status = 'finished' AND NOT {ended}"),
        ListStatus::EndedEarly => format!(" AND status = 'finished' AND {ended}"),
    });
}

/// Narrows a session query (`FROM sessions`) to the sessions that do (or do not) need review.
pub(super) fn push_needs_review<DB>(qb: &mut QueryBuilder<DB>, wanted: bool)
where
    DB: Database,
{
    qb.push(if wanted { " AND " } else { " AND NOT " })
        .push(NEEDS_REVIEW);
}

/// What the pipeline view shows of a session beyond its record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionStats {
    /// Main questions asked (the open one included).
    pub asked: i64,
    /// Main questions answered (not skipped, not left open).
    pub answered: i64,
    /// When the first question was asked (Unix ms).
    pub first_activity_at: Option<i64>,
    /// The last question asked, answer given or question skipped (Unix ms).
    pub last_activity_at: Option<i64>,
    pub ended_early: bool,
    /// The stored summary's verdict; `None` while in progress.
    pub passed: Option<bool>,
    pub pass_mark: Option<i64>,
    pub needs_review: bool,
    /// Every kind of flag any evaluation of its answers raised, in [`Flag`] order.
    pub flags: Vec<Flag>,
    /// The name the invite it came from was made out to.
    pub invite_name: Option<String>,
}

impl SessionStats {
    /// Time from the first question to the last activity.
    pub fn duration_ms(&self) -> Option<i64> {
        Some(self.last_activity_at? - self.first_activity_at?)
    }
}

#[derive(sqlx::FromRow)]
struct StatsRow {
    id: String,
    asked: i64,
    answered: i64,
    first_activity: Option<i64>,
    last_activity: Option<i64>,
    ended_early: bool,
    passed: Option<bool>,
    pass_mark: Option<i64>,
    needs_review: bool,
    invite_name: Option<String>,
}

fn push_ids<DB>(qb: &mut QueryBuilder<DB>, ids: &[String])
where
    DB: Database,
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    qb.push("(");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(id.clone());
    }
    qb.push(")");
}

fn stats_query<DB>(ids: &[String], sqlite: bool) -> QueryBuilder<DB>
where
    DB: Database,
    DB::Arguments: Default,
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    let mains = "FROM turns t WHERE t.session_id = sessions.id AND NOT t.is_follow_up";
    let mut qb = QueryBuilder::<DB>::new(format!(
        "SELECT sessions.id AS id, \
         (SELECT COUNT(*) {mains}) AS asked, \
         (SELECT COUNT(*) {mains} AND t.answer_text IS NOT NULL) AS answered, \
         (SELECT MIN(t.asked_at) FROM turns t WHERE t.session_id = sessions.id) AS first_activity, \
         (SELECT MAX(COALESCE(t.answered_at, t.asked_at)) FROM turns t \
          WHERE t.session_id = sessions.id) AS last_activity, \
         {} AS ended_early, {}, {NEEDS_REVIEW} AS needs_review, \
         invites.candidate_name AS invite_name \
         FROM sessions LEFT JOIN invites ON invites.id = sessions.invite_id WHERE sessions.id IN ",
        ended_early_sql(sqlite),
        verdict_sql(sqlite),
    ));
    push_ids(&mut qb, ids);
    qb
}

fn flags_query<DB>(ids: &[String]) -> QueryBuilder<DB>
where
    DB: Database,
    DB::Arguments: Default,
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT session_id, flags FROM evaluations WHERE flags <> '[]' AND session_id IN ",
    );
    push_ids(&mut qb, ids);
    qb
}

impl Store {
    /// The pipeline facts of these sessions, by id (unknown ids are left out).
    pub async fn session_stats(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, SessionStats>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let (rows, flagged): (Vec<StatsRow>, Vec<(String, String)>) = match &self.pool {
            super::Pool::Sqlite { read: p, .. } => (
                stats_query::<sqlx::Sqlite>(ids, true)
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(p)
                    .await?,
                flags_query::<sqlx::Sqlite>(ids)
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(p)
                    .await?,
            ),
            super::Pool::Postgres(p) => (
                stats_query::<sqlx::Postgres>(ids, false)
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(p)
                    .await?,
                flags_query::<sqlx::Postgres>(ids)
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(p)
                    .await?,
            ),
        };
        let mut flags: HashMap<String, Vec<Flag>> = HashMap::new();
        for (id, text) in flagged {
            let kinds: Vec<Flag> = serde_json::from_str(&text).map_err(|e| {
                StoreError::Corrupt(format!("an evaluation of {id} has unreadable flags: {e}"))
            })?;
            flags.entry(id).or_default().extend(kinds);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut kinds = flags.remove(&r.id).unwrap_or_default();
                kinds.sort();
                kinds.dedup();
                let stats = SessionStats {
                    asked: r.asked,
                    answered: r.answered,
                    first_activity_at: r.first_activity,
                    last_activity_at: r.last_activity,
                    ended_early: r.ended_early,
                    passed: r.passed,
                    pass_mark: r.pass_mark,
                    needs_review: r.needs_review,
                    flags: kinds,
                    invite_name: r.invite_name,
                };
                (r.id, stats)
            })
            .collect())
    }
}
