//! `/admin/invites` (recruiters and admins): create an invite, copy its link once, see every
//! invite with its status and the interviews it started, and revoke one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use std::collections::BTreeMap;

use super::format;
use super::{PageError, Staff, see_other};
use crate::bank::{Kind, Level, Topic};
use crate::staff::{self, InviteRequest, InviteView, StaffError};

#[derive(Serialize, Default)]
struct Page {
    form: FormView,
    created: Option<Created>,
    error: Option<String>,
    invites: Vec<Row>,
}

/// The link of an invite just created: shown once, with a copy button.
#[derive(Serialize)]
struct Created {
    link: String,
    candidate: String,
}

#[derive(Serialize, Default)]
struct FormView {
    candidate_name: String,
    candidate_email: String,
    topics: Vec<Choice>,
    levels: Vec<Choice>,
    count: String,
    expires_in_hours: String,
    max_uses: String,
    show_scores: bool,
    rubrics: Vec<KindRubrics>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct KindRubrics {
    field: String,
    kind: String,
    options: Vec<Choice>,
}

#[derive(Serialize)]
struct Row {
    id: String,
    candidate: String,
    plan: String,
    status: &'static str,
    status_label: &'static str,
    uses: String,
    expires: String,
    created: String,
    created_by: String,
    scores: &'static str,
    interviews: Vec<Interview>,
    revoke: Option<String>,
    sessions_href: String,
}

#[derive(Serialize)]
struct Interview {
    href: String,
    label: String,
}

fn status_label(status: &str) -> &'static str {
    match status {
        "unused" => "Unused",
        "open" => "Open",
        "in_progress" => "In progress",
        "completed" => "Completed",
        "expired" => "Expired",
        "revoked" => "Revoked",
        _ => "Unknown",
    }
}

fn row(v: &InviteView) -> Row {
    let candidate = match (&v.candidate_name, &v.candidate_email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n.clone(),
        (None, Some(e)) => e.clone(),
        (None, None) => "anyone with the link".into(),
    };
    let topics: Vec<String> = v.topics.iter().map(|t| format::topic_title(t)).collect();
    Row {
        id: v.id.clone(),
        candidate,
        plan: format!(
            "{} · {} · {} questions",
            topics.join(", "),
            v.level,
            v.count
        ),
        status: v.status,
        status_label: status_label(v.status),
        uses: format!("{} of {}", v.uses, v.max_uses),
        expires: format::datetime(v.expires_at),
        created: format::datetime(v.created_at),
        created_by: v.created_by.clone(),
        scores: if v.show_scores {
            "shown to the candidate"
        } else {
            "recruiter only"
        },
        interviews: v
            .interviews
            .iter()
            .enumerate()
            .map(|(i, s)| Interview {
                href: format!("/admin/sessions/{}", format::encode(&s.session_id)),
                label: format!("#{} ({})", i + 1, s.status),
            })
            .collect(),
        revoke: (v.status != "revoked")
            .then(|| format!("/admin/invites/{}/revoke", format::encode(&v.id))),
        sessions_href: format!("/admin/sessions?invite={}", format::encode(&v.id)),
    }
}

/// What was posted, kept to show the form again when it is refused.
#[derive(Default)]
struct Posted {
    fields: BTreeMap<String, String>,
    topics: Vec<String>,
}

impl Posted {
    fn get(&self, k: &str) -> &str {
        self.fields.get(k).map_or("", |s| s.trim())
    }
}

fn form_view(staff: &Staff, p: Option<&Posted>) -> FormView {
    let level = p.map_or("mid", |p| p.get("level"));
    let registry = &staff.app.interviews.rubrics;
    FormView {
        candidate_name: p
            .map(|p| p.get("candidate_name").to_string())
            .unwrap_or_default(),
        candidate_email: p
            .map(|p| p.get("candidate_email").to_string())
            .unwrap_or_default(),
        topics: Topic::ALL
            .iter()
            .map(|t| Choice {
                value: t.to_string(),
                label: t.title().to_string(),
                selected: p.is_some_and(|p| p.topics.iter().any(|x| x == t.as_str())),
            })
            .collect(),
        levels: Level::ALL
            .iter()
            .map(|l| Choice {
                value: l.to_string(),
                label: l.to_string(),
                selected: l.as_str() == level,
            })
            .collect(),
        count: p.map_or("5".into(), |p| p.get("count").to_string()),
        expires_in_hours: p.map_or("168".into(), |p| p.get("expires_in_hours").to_string()),
        max_uses: p.map_or("1".into(), |p| p.get("max_uses").to_string()),
        show_scores: p.is_none_or(|p| p.get("show_scores") == "on"),
        rubrics: Kind::ALL
            .iter()
            .map(|kind| {
                let field = format!("rubric.{kind}");
                let chosen = p.map_or("", |p| p.get(&field)).to_string();
                let mut options = vec![Choice {
                    value: String::new(),
                    label: "the assigned rubric".into(),
                    selected: chosen.is_empty(),
                }];
                options.extend(
                    registry
                        .all_latest()
                        .into_iter()
                        .filter(|r| r.kinds.contains(kind))
                        .map(|r| Choice {
                            selected: r.id == chosen,
                            label: format!("{} ({})", r.name, r.id),
                            value: r.id.clone(),
                        }),
                );
                KindRubrics {
                    field,
                    kind: kind.to_string(),
                    options,
                }
            })
            .collect(),
    }
}

async fn render(
    staff: &Staff,
    status: StatusCode,
    mut page: Page,
    posted: Option<&Posted>,
) -> Result<HttpResponse, PageError> {
    page.form = form_view(staff, posted);
    page.invites = staff::list_invites(&staff.app.interviews)
        .await
        .map_err(|e| staff.fail(e))?
        .iter()
        .map(row)
        .collect();
    Ok(staff.page(status, "invites", "Invites", page))
}

/// `GET /admin/invites`.
pub async fn list(staff: Staff) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("invites");
    render(&staff, StatusCode::OK, Page::default(), None).await
}

fn number<T: std::str::FromStr>(p: &Posted, field: &str) -> Result<Option<T>, String> {
    match p.get(field) {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| format!("{field}: `{v}` is not a number")),
    }
}

fn request(p: &Posted) -> Result<InviteRequest, String> {
    let topics = p
        .topics
        .iter()
        .map(|t| t.parse::<Topic>().map_err(|e| format!("topics: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if topics.is_empty() {
        return Err("choose at least one topic".into());
    }
    let rubrics: BTreeMap<String, String> = p
        .fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("rubric.")?.to_string(), v.trim().to_string())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let text = |k: &str| Some(p.get(k).to_string()).filter(|s| !s.is_empty());
    Ok(InviteRequest {
        candidate_name: text("candidate_name"),
        candidate_email: text("candidate_email"),
        topics,
        level: p
            .get("level")
            .parse::<Level>()
            .map_err(|e| format!("level: {e}"))?,
        count: number(p, "count")?,
        rubrics: (!rubrics.is_empty()).then_some(rubrics),
        expires_in_hours: number(p, "expires_in_hours")?,
        max_uses: number(p, "max_uses")?,
        show_scores: Some(p.get("show_scores") == "on"),
    })
}

/// `POST /admin/invites`: creates the invite and shows its link once; a refused one shows the
/// form again with the reason and what was entered.
pub async fn create(
    staff: Staff,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("invites");
    let mut posted = Posted::default();
    for (k, v) in form.into_inner() {
        if k == "topics" {
            posted.topics.push(v);
        } else {
            posted.fields.insert(k, v);
        }
    }
    let outcome = match request(&posted) {
        Ok(req) => staff::create_invite(
            &staff.app.interviews,
            req,
            staff.name(),
            staff.app.server.public_url.as_deref(),
        )
        .await
        .map_err(|e| match e {
            StaffError::Invalid(m) => Ok(m),
            other => Err(other),
        }),
        Err(m) => Err(Ok(m)),
    };
    match outcome {
        Ok(view) => {
            let page = Page {
                created: Some(Created {
                    link: view.link.unwrap_or_default(),
                    candidate: row(&InviteView {
                        link: None,
                        token: None,
                        ..view
                    })
                    .candidate,
                }),
                ..Default::default()
            };
            render(&staff, StatusCode::CREATED, page, None).await
        }
        Err(Ok(message)) => {
            let page = Page {
                error: Some(format!("{message}; no invite was created.")),
                ..Default::default()
            };
            render(
                &staff,
                StatusCode::UNPROCESSABLE_ENTITY,
                page,
                Some(&posted),
            )
            .await
        }
        Err(Err(e)) => Err(staff.fail(e)),
    }
}

/// `POST /admin/invites/{id}/revoke`.
pub async fn revoke(staff: Staff, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let staff = staff.in_section("invites");
    staff::revoke_invite(&staff.app.interviews, &id, staff.name())
        .await
        .map_err(|e| staff.fail(e))?;
    Ok(see_other(&format!(
        "/admin/invites#invite-{}",
        format::encode(&id)
    )))
}
