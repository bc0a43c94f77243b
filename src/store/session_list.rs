//! Listing sessions for recruiters: filters, a sort column, and keyset (cursor) pagination that
//! stays correct while new sessions arrive.

use sqlx::{Database, Encode, QueryBuilder, Type};

use super::pipeline::{self, ListStatus};
use super::sessions::SessionRow;
use super::{SessionRecord, Store, StoreError};

/// Columns a list can be sorted by.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SessionSort {
    #[default]
    CreatedAt,
    Overall,
    Candidate,
}

/// Where the previous page ended: the last row's sort value and id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum SortKey {
    Int(i64, String),
    Text(String, String),
}

/// The opaque page token handed to clients: the sort it belongs to and where the page ended.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor {
    sort: SessionSort,
    desc: bool,
    key: SortKey,
}

/// Encodes where a page ended as an opaque token (hex of JSON) bound to its sort order.
pub fn encode_cursor(sort: SessionSort, descending: bool, key: SortKey) -> String {
    let c = Cursor {
        sort,
        desc: descending,
        key,
    };
    hex::encode(serde_json::to_vec(&c).unwrap_or_default())
}

/// The key a token carries, if it is one [`encode_cursor`] issued for this sort order. A token
/// whose key does not fit the sort column (text for a number, a NUL character) is refused here,
/// the same on every database, rather than failing in the query.
pub fn decode_cursor(token: &str, sort: SessionSort, descending: bool) -> Option<SortKey> {
    let c: Cursor = serde_json::from_slice(&hex::decode(token).ok()?).ok()?;
    let fits = match (&c.key, sort) {
        (SortKey::Int(_, id), SessionSort::CreatedAt | SessionSort::Overall) => !id.contains('\0'),
        (SortKey::Text(value, id), SessionSort::Candidate) => {
            !value.contains('\0') && !id.contains('\0')
        }
        _ => false,
    };
    (fits && c.sort == sort && c.desc == descending).then_some(c.key)
}

/// Filters and paging for [`Store::list_sessions`]. Unset filters match everything.
#[derive(Debug, Clone, Default)]
pub struct SessionQuery {
    pub status: Option<ListStatus>,
    pub topic: Option<String>,
    pub level: Option<String>,
    /// Substring of the candidate's name or email, any case.
    pub candidate: Option<String>,
    pub invite_id: Option<String>,
    pub min_score: Option<i64>,
    pub max_score: Option<i64>,
    /// Created at or after (Unix ms).
    pub from: Option<i64>,
    /// Created before (Unix ms).
    pub to: Option<i64>,
    pub flagged: Option<bool>,
    /// Only sessions that do (or do not) need a human review (see [`Store::needs_review`]).
    pub needs_review: Option<bool>,
    pub sort: SessionSort,
    pub descending: bool,
    pub after: Option<SortKey>,
    pub limit: i64,
}

impl SessionSort {
    /// The name used in query strings.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The sort a query-string name stands for.
    pub fn parse(name: &str) -> Option<SessionSort> {
        name.parse().ok()
    }

    fn expression(self) -> &'static str {
        match self {
            SessionSort::CreatedAt => "created_at",
            SessionSort::Overall => "COALESCE(overall, -1)",
            SessionSort::Candidate => "LOWER(COALESCE(candidate_name, ''))",
        }
    }

    /// The key of a row for this sort.
    pub fn key(self, s: &SessionRecord) -> SortKey {
        match self {
            SessionSort::CreatedAt => SortKey::Int(s.created_at, s.id.clone()),
            SessionSort::Overall => SortKey::Int(s.overall.unwrap_or(-1), s.id.clone()),
            SessionSort::Candidate => SortKey::Text(
                s.candidate_name.clone().unwrap_or_default().to_lowercase(),
                s.id.clone(),
            ),
        }
    }
}

fn build<DB>(q: &SessionQuery, sqlite: bool) -> QueryBuilder<DB>
where
    DB: Database,
    DB::Arguments: Default,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> bool: Encode<'t, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT id, resume_token_hash, candidate_name, candidate_email, topics, level, question_count, plan, \
         status, invite_id, created_by, overall, flagged, summary, created_at, updated_at, finished_at, \
         profile_id, scores_hidden, consent_at, consent_version FROM sessions WHERE 1 = 1",
    );
    if let Some(s) = q.status {
        pipeline::push_status(&mut qb, s, sqlite);
    }
    if let Some(t) = &q.topic {
        qb.push(" AND (',' || topics || ',') LIKE ")
            .push_bind(format!("%,{t},%"));
    }
    if let Some(l) = &q.level {
        qb.push(" AND level = ").push_bind(l.clone());
    }
    if let Some(c) = &q.candidate {
        let pattern = format!("%{}%", c.to_lowercase());
        if sqlite {
            // The FTS5 trigram index of names and emails (migration 0006).
            qb.push(" AND rowid IN (SELECT rowid FROM session_candidates WHERE who LIKE ")
                .push_bind(pattern)
                .push(")");
        } else {
            // Served by the trigram indexes on both expressions.
            qb.push(" AND (LOWER(COALESCE(candidate_name, '')) LIKE ")
                .push_bind(pattern.clone())
                .push(" OR LOWER(COALESCE(candidate_email, '')) LIKE ")
                .push_bind(pattern)
                .push(")");
        }
    }
    if let Some(i) = &q.invite_id {
        qb.push(" AND invite_id = ").push_bind(i.clone());
    }
    if let Some(min) = q.min_score {
        qb.push(" AND overall >= ").push_bind(min);
    }
    if let Some(max) = q.max_score {
        qb.push(" AND overall <= ").push_bind(max);
    }
    if let Some(from) = q.from {
        qb.push(" AND created_at >= ").push_bind(from);
    }
    if let Some(to) = q.to {
        qb.push(" AND created_at < ").push_bind(to);
    }
    if let Some(f) = q.flagged {
        qb.push(" AND flagged = ").push_bind(f);
    }
    if let Some(wanted) = q.needs_review {
        pipeline::push_needs_review(&mut qb, wanted);
    }
    let expr = q.sort.expression();
    let (cmp, dir) = if q.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    match &q.after {
        Some(SortKey::Int(v, id)) => {
            qb.push(format!(" AND ({expr}, id) {cmp} ("))
                .push_bind(*v)
                .push(", ")
                .push_bind(id.clone())
                .push(")");
        }
        Some(SortKey::Text(v, id)) => {
            qb.push(format!(" AND ({expr}, id) {cmp} ("))
                .push_bind(v.clone())
                .push(", ")
                .push_bind(id.clone())
                .push(")");
        }
        None => {}
    }
    qb.push(format!(" ORDER BY {expr} {dir}, id {dir} LIMIT "))
        .push_bind(q.limit);
    qb
}

/// Sessions among `ids` a recruiter should read: invited interviews with an answer graded only
/// by the built-in evaluator (keyword matching is an estimate) or flagged by the LLM judge.
fn needs_review_query<DB>(ids: &[String]) -> QueryBuilder<DB>
where
    DB: Database,
    DB::Arguments: Default,
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!(
        "SELECT id FROM sessions WHERE {} AND id IN (",
        pipeline::NEEDS_REVIEW
    ));
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(id.clone());
    }
    qb.push(")");
    qb
}

impl Store {
    /// Which of these sessions need a human review: invited interviews with an answer whose
    /// current evaluation is only the built-in evaluator's, or an LLM judgement with flags.
    pub async fn needs_review(
        &self,
        ids: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let rows: Vec<(String,)> = match &self.pool {
            super::Pool::Sqlite { read: p, .. } => {
                needs_review_query::<sqlx::Sqlite>(ids)
                    .build_query_as()
                    .fetch_all(p)
                    .await?
            }
            super::Pool::Postgres(p) => {
                needs_review_query::<sqlx::Postgres>(ids)
                    .build_query_as()
                    .fetch_all(p)
                    .await?
            }
        };
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// One page of sessions, and the key to continue from when there may be more.
    pub async fn list_sessions(
        &self,
        q: &SessionQuery,
    ) -> Result<(Vec<SessionRecord>, Option<SortKey>), StoreError> {
        let mut probe = q.clone();
        probe.limit = q.limit.clamp(1, 500) + 1;
        let rows: Vec<SessionRow> = match &self.pool {
            super::Pool::Sqlite { read: p, .. } => {
                build::<sqlx::Sqlite>(&probe, true)
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(p)
                    .await?
            }
            super::Pool::Postgres(p) => {
                // Planned for its own values each time (not as a cached generic plan), so the
                // planner sees the search pattern and picks the trigram indexes.
                build::<sqlx::Postgres>(&probe, false)
                    .build_query_as()
                    .persistent(false)
                    .fetch_all(p)
                    .await?
            }
        };
        let mut items: Vec<SessionRecord> = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?;
        let more = items.len() as i64 > q.limit.clamp(1, 500);
        items.truncate(q.limit.clamp(1, 500) as usize);
        let next = if more {
            items.last().map(|s| q.sort.key(s))
        } else {
            None
        };
        Ok((items, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_that_do_not_fit_their_sort_are_refused() {
        let good = encode_cursor(SessionSort::CreatedAt, true, SortKey::Int(5, "a".into()));
        assert!(decode_cursor(&good, SessionSort::CreatedAt, true).is_some());
        assert!(decode_cursor(&good, SessionSort::CreatedAt, false).is_none());
        for (sort, key) in [
            (
                SessionSort::CreatedAt,
                SortKey::Text("x".into(), "a".into()),
            ),
            (SessionSort::Overall, SortKey::Text("1".into(), "a".into())),
            (SessionSort::Candidate, SortKey::Int(1, "a".into())),
            (
                SessionSort::Candidate,
                SortKey::Text("a\0b".into(), "a".into()),
            ),
            (SessionSort::CreatedAt, SortKey::Int(1, "\0".into())),
        ] {
            let token = encode_cursor(sort, false, key.clone());
            assert_eq!(decode_cursor(&token, sort, false), None, "{key:?}");
        }
    }
}
