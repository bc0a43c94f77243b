//! The recruiter's workflow over the API and the socket, on SQLite and PostgreSQL: invites with
//! their status, absolute links and revocation; the notice an invited candidate agrees to;
//! results hidden from the candidate (checked frame by frame); reviews that count toward the
//! question and the session; erasure by an admin and the retention purge.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use rehearse::config::Settings;
use rehearse::staff::create_token;
use rehearse::tokens::Role;

use crate::app::{Client, TestApp, call, on_both_backends};

const PUBLIC_URL: &str = "https://interviews.example.com/";
const ORGANISATION: &str = "Acme Hiring";
const RETENTION_DAYS: u32 = 30;
const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

fn recruiting(s: &mut Settings) {
    s.server.public_url = Some(PUBLIC_URL.into());
    s.server.organisation = ORGANISATION.into();
    s.server.retention_days = Some(RETENTION_DAYS);
}

async fn token(app: &TestApp, name: &str, role: Role) -> String {
    create_token(&app.store().await, name, role)
        .await
        .unwrap()
        .1
}

/// The invite in the recruiter's list.
async fn listed(app: &TestApp, staff: &str, id: &str) -> Value {
    let (status, list) = app.list_invites(staff).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("invite {id} is listed: {list}"))
}

/// Starts an invite's interview with the candidate's agreement; returns the `session` frame.
async fn start_invited(app: &TestApp, invite_token: &str) -> (Client, Value) {
    let consent = app.notice_version(invite_token).await;
    let mut c = app.connect().await;
    c.send(json!({"type": "start", "invite": invite_token, "consent": consent}))
        .await;
    let session = c.recv().await;
    assert_eq!(session["type"], "session", "{session}");
    (c, session)
}

/// Answers whatever is asked ("I am not sure." after the first answer) until the interview's
/// last frame (`summary` or `finished`); returns every frame on the way and that last one.
async fn answer_to_the_end(c: &mut Client, first: &str) -> (Vec<Value>, Value) {
    let mut frames = Vec::new();
    let mut n = 0;
    loop {
        let m = c.recv().await;
        match m["type"].as_str() {
            Some("question") => {
                n += 1;
                let text = if n == 1 { first } else { "I am not sure." };
                c.answer(text, &format!("a-{n}")).await;
            }
            Some("summary" | "finished") => return (frames, m),
            Some("error") => panic!("unexpected error frame: {m}"),
            _ => {}
        }
        frames.push(m);
    }
}

/// An answer that states the question's first key point only.
fn partial_answer(q: &rehearse::bank::Question) -> String {
    format!(
        "{}, because that is how it behaves.",
        q.key_points[0].text.trim_end_matches('.')
    )
}

async fn invite_lifecycle(app: TestApp) {
    let rita = token(&app, "rita", Role::Recruiter).await;
    let (status, invite) = app
        .create_invite(
            &rita,
            json!({"topics": ["python-core"], "level": "junior", "count": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let id = invite["id"].as_str().unwrap();
    let secret = invite["token"].as_str().unwrap();
    assert_eq!(
        invite["link"],
        format!("https://interviews.example.com/?invite={secret}"),
        "the link is absolute, built from server.public_url"
    );
    assert_eq!(listed(&app, &rita, id).await["status"], "unused");

    // The notice names the organisation, the plan, the grading, the reviewers and the retention.
    let (status, check) = app.check_invite(json!({"token": secret})).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    let notice = &check["notice"];
    let text = notice["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "Acme Hiring invites you",
        "1 main question",
        "about 6 minutes",
        "graded automatically",
        "A recruiter at Acme Hiring reads your answers",
        "erased 30 days after",
    ] {
        assert!(text.contains(expected), "{expected:?} missing: {text}");
    }

    // No interview, and no use of the invite, without the candidate's agreement.
    let mut c = app.connect().await;
    c.send(json!({"type": "start", "invite": secret})).await;
    c.expect_error("consent_required").await;
    c.send(json!({"type": "start", "invite": secret, "consent": "an-older-notice"}))
        .await;
    c.expect_error("consent_required").await;
    let before = listed(&app, &rita, id).await;
    assert_eq!(
        (before["uses"].as_i64(), before["status"].as_str()),
        (Some(0), Some("unused"))
    );

    let (mut c, session) = start_invited(&app, secret).await;
    let session_id = session["session_id"].as_str().unwrap().to_string();
    let running = listed(&app, &rita, id).await;
    assert_eq!(running["status"], "in_progress");
    assert_eq!(running["interviews"][0]["session_id"], session_id.as_str());

    // The agreement is kept with the interview, with the notice's version.
    let (_, detail) = app.session_detail(&rita, &session_id).await;
    assert_eq!(detail["session"]["consent"]["version"], notice["version"]);
    assert!(detail["session"]["consent"]["at"].as_i64().unwrap() > 0);

    let (_, end) = answer_to_the_end(&mut c, "A list is mutable and a tuple is not.").await;
    assert_eq!(end["type"], "summary", "{end}");
    assert_eq!(listed(&app, &rita, id).await["status"], "completed");

    // Revoking: the link starts nothing more; revoking again changes nothing.
    let (_, open) = app
        .create_invite(
            &rita,
            json!({"topics": ["python-core"], "level": "junior", "count": 1, "max_uses": 5}),
        )
        .await;
    let open_id = open["id"].as_str().unwrap();
    let open_token = open["token"].as_str().unwrap();
    let consent = app.notice_version(open_token).await;
    let path = format!("/api/invites/{open_id}");
    let (status, revoked) = call(&app, Method::DELETE, &path, Some(&rita), None).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(
        (
            revoked["status"].as_str(),
            revoked["revoked_by"].as_str(),
            revoked["startable"].as_bool()
        ),
        (Some("revoked"), Some("rita"), Some(false))
    );
    let (status, err) = app.check_invite(json!({"token": open_token})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::GONE, Some("invite_revoked"))
    );
    let mut late = app.connect().await;
    late.send(json!({"type": "start", "invite": open_token, "consent": consent}))
        .await;
    late.expect_error("invite_revoked").await;
    let (status, again) = call(&app, Method::DELETE, &path, Some(&rita), None).await;
    assert_eq!(
        (status, again["revoked_at"].clone()),
        (StatusCode::OK, revoked["revoked_at"].clone())
    );
    let (status, _) = call(&app, Method::DELETE, "/api/invites/nope", Some(&rita), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn hidden_scores(app: TestApp) {
    let rita = token(&app, "rita", Role::Recruiter).await;
    let (_, invite) = app
        .create_invite(
            &rita,
            json!({"topics": ["python-core"], "level": "junior", "count": 2, "show_scores": false}),
        )
        .await;
    assert_eq!(invite["show_scores"], false);
    let secret = invite["token"].as_str().unwrap();
    let (_, check) = app.check_invite(json!({"token": secret})).await;
    assert_eq!(check["notice"]["scores_hidden"], true);

    let (mut c, session) = start_invited(&app, secret).await;
    assert_eq!(session["scores_hidden"], true, "{session}");
    let id = session["session_id"].as_str().unwrap().to_string();
    let resume_token = session["resume_token"].as_str().unwrap().to_string();
    // One key point of the first question: the others are missing, so a follow-up comes.
    let asked = c.recv().await;
    let q = crate::helpers::question(asked["question_id"].as_str().unwrap());
    c.answer(&partial_answer(q), "main").await;
    let (frames, end) = answer_to_the_end(&mut c, "I am not sure.").await;
    let kinds: Vec<&str> = frames.iter().filter_map(|m| m["type"].as_str()).collect();
    for hidden in ["evaluation", "feedback_delta", "summary"] {
        assert!(
            !kinds.contains(&hidden),
            "a {hidden} frame reached the candidate: {kinds:?}"
        );
    }
    assert!(
        kinds.contains(&"ack"),
        "every answer is acknowledged as saved: {kinds:?}"
    );
    assert!(
        frames
            .iter()
            .any(|m| m["type"] == "question" && m["follow_up"] == true),
        "follow-ups are still asked: {kinds:?}"
    );
    assert_eq!(end["type"], "finished", "{end}");
    assert_eq!(
        (end["planned"].as_u64(), end["reached"].as_u64()),
        (Some(2), Some(2))
    );
    let raw = frames.iter().map(Value::to_string).collect::<String>() + &end.to_string();
    for leak in [
        "\"overall\"",
        "\"key_points\"",
        "\"model_answer\"",
        "\"criteria\"",
    ] {
        assert!(!raw.contains(leak), "{leak} reached the candidate");
    }

    // Resuming replays questions and answers only, and ends with `finished` again.
    let mut back = app.connect().await;
    let transcript = back.resume(&id, &resume_token).await;
    for t in transcript["turns"].as_array().unwrap() {
        assert!(
            t["evaluation"].is_null() && t.get("model_answer").is_none(),
            "{t}"
        );
    }
    assert_eq!(back.recv().await["type"], "finished");

    // The page reads the same through the API: no evaluations, no overall, no model answers.
    let (status, own) = app.session_detail(&resume_token, &id).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert!(own["session"]["overall"].is_null(), "{}", own["session"]);
    for t in own["turns"].as_array().unwrap() {
        assert_eq!(t["evaluations"], json!([]), "{t}");
        assert!(t.get("model_answer").is_none(), "{t}");
    }
    let (status, report) = call(
        &app,
        Method::GET,
        &format!("/api/sessions/{id}/report"),
        Some(&resume_token),
        None,
    )
    .await;
    let report = report.as_str().unwrap_or_default().to_string();
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(
        report.contains("I am not sure."),
        "the report has the answers"
    );
    for leak in ["/100", "Model answer", "Key points"] {
        assert!(!report.contains(leak), "{leak} in the candidate's report");
    }
    // The recruiter sees everything.
    let (_, staff_view) = app.session_detail(&rita, &id).await;
    assert!(staff_view["session"]["overall"].is_i64());
    assert_eq!(staff_view["session"]["scores_hidden"], true);
    assert!(
        !staff_view["turns"][0]["evaluations"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn reviews_count(app: TestApp) {
    let rita = token(&app, "rita", Role::Recruiter).await;
    let mut c = app.connect().await;
    c.send(json!({"type": "start", "topics": ["python-core"], "level": "junior", "count": 1}))
        .await;
    let session = c.recv().await;
    let id = session["session_id"].as_str().unwrap().to_string();
    // One key point of the question: the others are missing, so it is followed up.
    let asked = c.recv().await;
    let q = crate::helpers::question(asked["question_id"].as_str().unwrap());
    c.answer(&partial_answer(q), "main").await;
    let (frames, end) = answer_to_the_end(&mut c, "I am not sure.").await;
    assert!(
        frames.iter().any(|m| m["follow_up"] == true),
        "the weak answer gets a follow-up"
    );
    let machine = end["overall"].as_i64().unwrap();

    // Reviewing the main answer of a question that had follow-ups decides the question's score.
    let (_, detail) = app.session_detail(&rita, &id).await;
    let main = &detail["turns"][0];
    let criterion =
        &main["evaluations"].as_array().unwrap().last().unwrap()["evaluation"]["criteria"][0];
    let cid = criterion["id"].as_str().unwrap();
    let top = criterion["max"].as_i64().unwrap();
    let reviewed = if machine >= 90 { 10 } else { 95 };
    let (status, review) = app
        .review(
            &rita,
            &id,
            1,
            json!({
                "criteria": {cid: top},
                "rationales": {cid: "Explains the trade-off with a concrete case."},
                "key_points": {"0": true},
                "overall": reviewed,
                "comment": "Checked by hand."
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{review}");
    let e = &review["evaluation"];
    assert_eq!(
        e["criteria"][0]["rationale"], "rita: Explains the trade-off with a concrete case.",
        "the reviewer's own rationale replaces the grader's"
    );
    assert_eq!(e["key_points"][0]["covered"], true);
    let (_, after) = app.session_detail(&rita, &id).await;
    assert_eq!(
        after["session"]["overall"], reviewed,
        "the session follows the review"
    );

    // A later reviewed turn of the same question then decides it.
    let follow = detail["turns"][1]["turn"].as_i64().unwrap();
    let (status, _) = app
        .review(
            &rita,
            &id,
            follow,
            json!({"overall": 41, "comment": "Second look."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, later) = app.session_detail(&rita, &id).await;
    assert_eq!(later["session"]["overall"], 41);

    // A changed score without a rationale carries the review's comment, not the grader's words.
    let low = criterion["min"].as_i64().unwrap();
    let (_, plain) = app
        .review(
            &rita,
            &id,
            follow,
            json!({"criteria": {cid: low}, "comment": "Too vague."}),
        )
        .await;
    assert_eq!(
        plain["evaluation"]["criteria"][0]["rationale"],
        "rita: Too vague."
    );
    let (status, bad) = app
        .review(
            &rita,
            &id,
            1,
            json!({"key_points": {"99": true}, "comment": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
}

async fn erasure_and_retention(app: TestApp) {
    let ada = token(&app, "ada", Role::Admin).await;
    let rita = token(&app, "rita", Role::Recruiter).await;
    let finish = |name: &'static str| {
        let app = &app;
        async move {
            let mut c = app.connect().await;
            c.send(
                json!({"type": "start", "topics": ["python-core"], "level": "junior", "count": 1,
                "candidate": {"name": name, "email": "erin@example.com"}}),
            )
            .await;
            let session = c.recv().await;
            answer_to_the_end(&mut c, "A list is mutable and a tuple is not.").await;
            session["session_id"].as_str().unwrap().to_string()
        }
    };
    let id = finish("Erin Example").await;
    let path = format!("/api/sessions/{id}");
    let (status, _) = call(&app, Method::DELETE, &path, Some(&rita), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "recruiters cannot erase");
    let (status, erased) = call(&app, Method::DELETE, &path, Some(&ada), None).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert!(erased["answers"].as_i64().unwrap() >= 1);
    assert_eq!(app.session_detail(&ada, &id).await.0, StatusCode::NOT_FOUND);
    assert!(app.store().await.turns(&id).await.unwrap().is_empty());
    assert!(app.store().await.evaluations(&id).await.unwrap().is_empty());
    let (status, _) = call(&app, Method::DELETE, &path, Some(&ada), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, audit) = call(&app, Method::GET, "/api/audit-log", Some(&ada), None).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    assert_eq!(
        (
            audit[0]["actor"].as_str(),
            audit[0]["action"].as_str(),
            audit[0]["subject"].as_str()
        ),
        (Some("ada"), Some("session_erased"), Some(id.as_str()))
    );
    assert!(!audit.to_string().contains("Erin") && !audit.to_string().contains("erin@"));
    assert_eq!(
        call(&app, Method::GET, "/api/audit-log", Some(&rita), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // Retention: a finished interview goes once it is older than the period, not before.
    let old = finish("Olive Old").await;
    let store = app.store().await;
    let purge = |now| rehearse::staff::purge_expired(&store, now, RETENTION_DAYS);
    assert_eq!(purge(app.clock.now_ms()).await.unwrap(), 0);
    app.clock.advance(DAY * (RETENTION_DAYS - 1));
    assert_eq!(purge(app.clock.now_ms()).await.unwrap(), 0);
    app.clock.advance(DAY * 2);
    assert_eq!(purge(app.clock.now_ms()).await.unwrap(), 1);
    assert_eq!(
        app.session_detail(&ada, &old).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, audit) = call(&app, Method::GET, "/api/audit-log", Some(&ada), None).await;
    assert_eq!(
        (audit[0]["actor"].as_str(), audit[0]["subject"].as_str()),
        (Some(rehearse::staff::RETENTION_ACTOR), Some(old.as_str()))
    );
    // The server runs the purge as a supervised background task.
    let (_, health) = app.get("/healthz").await;
    assert_eq!(health["tasks"]["retention"]["state"], "running", "{health}");
}

on_both_backends!(settings = recruiting; invite_lifecycle, hidden_scores, reviews_count, erasure_and_retention);

/// An admin erases an interview while its candidate is connected: the candidate is told at once
/// and the connection closes; nothing of it is left.
async fn erasing_a_connected_interview(app: TestApp) {
    let ada = token(&app, "ada", Role::Admin).await;
    let mut c = app.connect().await;
    let s = c.start(&["python-core"], "junior", 2).await;
    let path = format!("/api/sessions/{}", s.session_id);
    let (status, _) = call(&app, Method::DELETE, &path, Some(&ada), None).await;
    assert_eq!(status, StatusCode::OK);
    let told = c.recv().await;
    assert_eq!(
        (
            told["type"].as_str(),
            told["code"].as_str(),
            told["fatal"].as_bool()
        ),
        (Some("error"), Some("session_erased"), Some(true)),
        "{told}"
    );
    assert!(
        c.recv_close().await.is_some(),
        "the server closes the connection"
    );
    assert!(
        app.store()
            .await
            .turns(&s.session_id)
            .await
            .unwrap()
            .is_empty()
    );
    let mut again = app.connect().await;
    again
        .send(json!({"type": "resume", "session_id": s.session_id, "resume_token": s.token}))
        .await;
    again.expect_error("unknown_session").await;
}

on_both_backends!(erasing_a_connected_interview);
