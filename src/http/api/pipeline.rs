//! The session list's filters as query parameters (shared by the paged JSON list and its CSV),
//! and `GET /api/sessions.csv`: every interview the filters match, one row each.

use actix_web::{HttpResponse, web};

use super::super::{ApiError, AppState};
use super::sessions::checked;
use crate::http::access::{Recruiter, Staff};
use crate::staff;

/// Declares a query-parameter struct with the session list's filters and sort, then `$extra`
/// fields, and its [`ListFilter`] without paging: one list of filters, documented once, for
/// every endpoint that takes them.
macro_rules! session_filters {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// `active`, `finished` (every planned question reached) or `ended_early` (the
            /// candidate ended before every planned question was reached).
            pub status: Option<$crate::store::ListStatus>,
            pub topic: Option<$crate::bank::Topic>,
            pub level: Option<$crate::bank::Level>,
            /// Part of the candidate's name or email (any case).
            pub candidate: Option<String>,
            /// Sessions started from this invite.
            pub invite: Option<String>,
            /// Lowest overall score (0–100).
            #[param(minimum = 0, maximum = 100)]
            pub min_score: Option<i64>,
            /// Highest overall score (0–100).
            #[param(minimum = 0, maximum = 100)]
            pub max_score: Option<i64>,
            /// Started at or after this time (Unix milliseconds).
            #[param(minimum = 0)]
            pub from: Option<i64>,
            /// Started before this time (Unix milliseconds).
            #[param(minimum = 0)]
            pub to: Option<i64>,
            /// Only sessions with (or without) a flagged answer.
            pub flagged: Option<bool>,
            /// Only invited interviews a human should read (or only the others): an answer
            /// graded only by the built-in evaluator, or flagged by the LLM judge, and not
            /// reviewed since.
            pub needs_review: Option<bool>,
            /// Sort column (default `created_at`).
            pub sort: Option<$crate::store::SessionSort>,
            /// `asc` or `desc` (default `desc`).
            pub order: Option<$crate::http::api::sessions::Order>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $name {
            /// The filters and sort, without paging.
            fn filter(&self) -> $crate::staff::ListFilter {
                $crate::staff::ListFilter {
                    status: self.status,
                    topic: self.topic,
                    level: self.level,
                    candidate: self.candidate.clone(),
                    invite: self.invite.clone(),
                    min_score: self.min_score,
                    max_score: self.max_score,
                    from: self.from,
                    to: self.to,
                    flagged: self.flagged,
                    needs_review: self.needs_review,
                    sort: self.sort.unwrap_or_default(),
                    descending: self.order != Some($crate::http::api::sessions::Order::Asc),
                    cursor: None,
                    limit: None,
                }
            }
        }
    };
}
pub(super) use session_filters;

session_filters!(
    /// Filters and sort for `GET /api/sessions.csv`.
    CsvParams {}
);

/// Every interview the filters match, as CSV: one row per interview with its status (`active`,
/// `finished` or `ended_early`), answered/asked/planned main questions, duration in minutes,
/// overall score, `pass`/`fail` against the pass mark, flag kinds, whether it needs review, and
/// the invite it came from. Cells a spreadsheet would read as a formula are prefixed with `'`.
#[utoipa::path(
    get, path = "/api/sessions.csv", tag = "transcripts",
    params(CsvParams),
    responses(
        (status = 200, description = "The list as CSV", content((String = "text/csv"))),
        (status = 400, description = "Invalid filter", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
        (status = 422, description = "Text holding the NUL character (`invalid_request`)", body = ApiError),
        (status = 429, description = "Rate limited", body = ApiError),
    ),
    security(("bearer" = []))
)]
pub async fn csv(
    _: Staff<Recruiter>,
    app: web::Data<AppState>,
    params: web::Query<CsvParams>,
) -> Result<HttpResponse, ApiError> {
    let q = checked(params.filter())?;
    let body = staff::list_csv(&app.interviews.store, &q).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            "attachment; filename=\"rehearse-sessions.csv\"",
        ))
        .body(body))
}
