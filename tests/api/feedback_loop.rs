//! The interview teaches without leaking, over real sockets: while a question can still get a
//! follow-up the candidate sees hints, not the missing points; when it closes they see every
//! point and the model answer; resume, the summary, the candidate's API view and the exports
//! follow the same rule.

use reqwest::Method;
use serde_json::{Value, json};

use rehearse::bank::Question;
use rehearse::staff::create_token;
use rehearse::tokens::Role;

use crate::app::{Client, TestApp, call, spawn_app};
use crate::helpers::question;

/// A first answer that makes only the question's first key point: the rest stay missing.
fn partial(q: &Question) -> String {
    format!("{}.", q.key_points[0].text.trim_end_matches('.'))
}

/// An answer that states every key point.
fn complete(q: &Question) -> String {
    q.key_points
        .iter()
        .map(|k| {
            format!(
                "{}, because that is how it behaves.",
                k.text.trim_end_matches('.')
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Starts a one-question technical interview and returns the client, the session id, its
/// resume token and the bank question asked.
async fn one_question(app: &TestApp) -> (Client, String, String, &'static Question) {
    let mut c = app.connect().await;
    let s = c.start(&["python-core"], "junior", 1).await;
    let q = question(s.question["question_id"].as_str().unwrap());
    (c, s.session_id, s.token, q)
}

/// No missing key point's text, nor the model answer, appears anywhere in `message`.
fn assert_nothing_leaks(message: &Value, q: &Question, missing: &[usize]) {
    let text = message.to_string();
    for &i in missing {
        assert!(
            !text.contains(&q.key_points[i].text),
            "missing point {i} leaked: {text}"
        );
    }
    assert!(!text.contains(&q.model_answer), "model answer leaked");
}

#[tokio::test]
async fn an_open_question_shows_hints_and_its_close_shows_every_point_and_the_model_answer() {
    let app = spawn_app().await;
    let (mut c, _, _, q) = one_question(&app).await;
    let (_, open) = c.answer_and_grade(&partial(q), "p-1").await;
    assert_eq!(open["closed"], false, "{open}");
    let points = open["evaluation"]["key_points"].as_array().unwrap();
    let missing: Vec<usize> = (0..points.len())
        .filter(|&i| points[i]["covered"] == false)
        .collect();
    assert!(!missing.is_empty());
    for &i in &missing {
        assert_eq!(points[i]["withheld"], true);
        assert_eq!(
            points[i]["text"],
            q.key_points[i].hint.as_str(),
            "the hint names the area"
        );
    }
    assert_nothing_leaks(&open, q, &missing);

    // The follow-up is the bank's question for the most important missing point, and it does
    // not name that point.
    let follow = c.recv().await;
    assert_eq!(
        (follow["type"].as_str(), follow["follow_up"].as_bool()),
        (Some("question"), Some(true))
    );
    let probed = q
        .key_points
        .iter()
        .position(|k| k.follow_up == follow["text"].as_str().unwrap())
        .expect("a key point's own follow-up");
    assert!(missing.contains(&probed));
    let top = missing
        .iter()
        .map(|&i| q.key_points[i].weight)
        .fold(0.0, f64::max);
    assert_eq!(q.key_points[probed].weight, top);

    let (_, closed) = c.answer_and_grade(&complete(q), "p-2").await;
    assert_eq!(closed["closed"], true, "{closed}");
    assert_eq!(closed["model_answer"], q.model_answer.as_str());
    let points = closed["evaluation"]["key_points"].as_array().unwrap();
    for (shown, kp) in points.iter().zip(&q.key_points) {
        assert_eq!(
            shown["text"],
            kp.text.as_str(),
            "every point is shown by name"
        );
        assert!(shown.get("withheld").is_none());
    }
}

#[tokio::test]
async fn skipping_a_follow_up_closes_the_question_and_shows_the_model_answer() {
    let app = spawn_app().await;
    let (mut c, _, _, q) = one_question(&app).await;
    c.answer_and_grade(&partial(q), "s-1").await;
    let follow = c.recv().await;
    assert_eq!(follow["follow_up"], true);
    c.send(json!({"type": "skip"})).await;
    let reveal = c.recv().await;
    assert_eq!(
        (
            reveal["type"].as_str(),
            reveal["turn"].as_i64(),
            reveal["closed"].as_bool()
        ),
        (Some("evaluation"), Some(1), Some(true)),
        "{reveal}"
    );
    assert_eq!(reveal["model_answer"], q.model_answer.as_str());
    let missing = reveal["evaluation"]["key_points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["covered"] == false)
        .unwrap();
    assert!(
        q.key_points
            .iter()
            .any(|k| missing["text"] == k.text.as_str())
    );
    let (summary, _) = c.recv_until("summary").await;
    let review = summary["review"].as_array().unwrap();
    assert_eq!(review.len(), 1);
    assert_eq!(review[0]["model_answer"], q.model_answer.as_str());
    assert_eq!(review[0]["question"], q.text.as_str());
}

#[tokio::test]
async fn resume_the_api_and_exports_hold_back_an_open_question_from_the_candidate_only() {
    let app = spawn_app().await;
    let (mut c, session_id, token, q) = one_question(&app).await;
    let (_, open) = c.answer_and_grade(&partial(q), "r-1").await;
    let missing: Vec<usize> = open["evaluation"]["key_points"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, k)| k["covered"] == false)
        .map(|(i, _)| i)
        .collect();
    c.recv().await; // the follow-up
    drop(c);

    let mut again = app.connect().await;
    let transcript = again.resume(&session_id, &token).await;
    let first = &transcript["turns"][0];
    assert_eq!(first["closed"], false);
    assert_nothing_leaks(first, q, &missing);

    // The candidate's own view over the API: the same open form.
    let path = format!("/api/sessions/{session_id}");
    let get = |token: String| {
        let path = path.clone();
        let app = &app;
        async move {
            let (status, body) = call(app, Method::GET, &path, Some(&token), None).await;
            assert_eq!(status, 200);
            body
        }
    };
    let mine = get(token.clone()).await;
    assert_eq!(mine["turns"][0]["closed"], false);
    assert!(mine["turns"][0].get("model_answer").is_none());
    assert_nothing_leaks(&mine["turns"][0], q, &missing);

    // Staff see everything, and so does the export.
    let store = app.store().await;
    let (_, staff) = create_token(&store, "rita", Role::Recruiter).await.unwrap();
    let full = get(staff.clone()).await;
    assert_eq!(full["turns"][0]["model_answer"], q.model_answer.as_str());
    let shown = full["turns"][0]["evaluations"][0]["evaluation"]["key_points"].to_string();
    for &i in &missing {
        assert!(shown.contains(&q.key_points[i].text));
    }
    let md = reqwest::Client::new()
        .request(
            Method::GET,
            app.url(&format!("/api/sessions/{session_id}/export?format=md")),
        )
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(md.contains("**Model answer:**"), "{md}");
    assert!(
        md.contains("confidence"),
        "the built-in estimate says so: {md}"
    );
}

#[tokio::test]
async fn an_invited_interview_graded_only_by_the_built_in_evaluator_needs_human_review() {
    let app = spawn_app().await;
    let store = app.store().await;
    let (_, staff) = create_token(&store, "rita", Role::Recruiter).await.unwrap();
    let (_, invite) = app
        .create_invite(
            &staff,
            json!({"topics": ["python-core"], "level": "junior", "count": 1}),
        )
        .await;
    let token = invite["token"].as_str().unwrap();
    let consent = app.notice_version(token).await;
    let mut invited = app.connect().await;
    invited
        .send(json!({"type": "start", "invite": token, "consent": consent}))
        .await;
    let session = invited.recv().await;
    let q = question(invited.recv().await["question_id"].as_str().unwrap());
    invited.answer_and_grade(&complete(q), "i-1").await;
    let mut walk_in = app.connect().await;
    let own = walk_in.start(&["python-core"], "junior", 1).await;
    walk_in
        .answer_and_grade(
            &complete(question(own.question["question_id"].as_str().unwrap())),
            "w-1",
        )
        .await;

    let (_, page) = app.list_sessions(&staff).await;
    let flag = |id: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| s["needs_review"].clone())
            .unwrap()
    };
    assert_eq!(flag(session["session_id"].as_str().unwrap()), true);
    assert_eq!(
        flag(&own.session_id),
        false,
        "only invited interviews are marked"
    );
}
