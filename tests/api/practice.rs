//! Practice profiles over real sockets and HTTP, on SQLite and PostgreSQL: a profile's interviews
//! are planned from its history (no repeats while unseen questions remain, nothing from the last
//! three interviews while anything else is left), its progress and study views, the report,
//! export, and erasure that keeps a recruiter's invite interview.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;

use rehearse::staff::create_token;
use rehearse::tokens::Role;

use crate::app::{Client, TestApp, call};
use crate::helpers::BANK;

crate::app::on_both_backends!(
    consecutive_interviews_of_a_profile_do_not_repeat_questions_while_others_remain,
    weak_spot_practice_asks_a_missed_question_once_it_is_due_and_not_recent,
    a_profile_sees_its_history_progress_report_and_export_and_can_erase_it,
);

async fn new_profile(app: &TestApp) -> String {
    let (status, body) = call(app, Method::POST, "/api/profiles", None, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let key = body["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("rhp_"), "{key}");
    assert_eq!(body["recovery_link"], format!("/me#key={key}"));
    key
}

/// Starts with `start`, then skips every question to the summary; returns the main questions
/// asked, in order.
async fn skip_through(client: &mut Client, start: Value) -> Vec<String> {
    client.send(start).await;
    let session = client.recv().await;
    assert_eq!(session["type"], "session", "{session}");
    let mut asked = Vec::new();
    loop {
        let m = client.recv().await;
        match m["type"].as_str() {
            Some("question") => {
                asked.push(m["question_id"].as_str().unwrap().to_string());
                client.send(json!({"type": "skip"})).await;
            }
            Some("summary") => return asked,
            _ => panic!("unexpected message {m}"),
        }
    }
}

async fn consecutive_interviews_of_a_profile_do_not_repeat_questions_while_others_remain(
    app: TestApp,
) {
    let key = new_profile(&app).await;
    let topics = ["ecosystem", "internals-performance"];
    let cells: usize = topics
        .iter()
        .map(|t| BANK.count(t.parse().unwrap(), "mid".parse().unwrap()))
        .sum();
    assert!(cells >= 20, "the chosen cells hold {cells} questions");
    let start =
        json!({"type": "start", "topics": topics, "level": "mid", "count": 5, "profile": key});
    let mut interviews: Vec<Vec<String>> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // As long as enough unseen questions remain, every interview asks only unseen ones.
    while seen.len() + 5 <= cells {
        let mut client = app.connect().await;
        let asked = skip_through(&mut client, start.clone()).await;
        assert_eq!(asked.len(), 5);
        for id in &asked {
            assert!(
                seen.insert(id.clone()),
                "{id} was asked again while unseen questions remained"
            );
        }
        interviews.push(asked);
    }
    assert!(interviews.len() >= 3);
    // Then the rest of the unseen ones, topped up from outside the last three interviews.
    let unseen = cells - seen.len();
    let mut client = app.connect().await;
    let asked = skip_through(&mut client, start.clone()).await;
    let fresh = asked.iter().filter(|id| !seen.contains(*id)).count();
    assert_eq!(fresh, unseen, "{asked:?}");
    let recent: HashSet<&String> = interviews.iter().rev().take(3).flatten().collect();
    assert!(
        asked.iter().all(|id| !recent.contains(id)),
        "{asked:?} repeats a question of the last three interviews"
    );
}

async fn weak_spot_practice_asks_a_missed_question_once_it_is_due_and_not_recent(app: TestApp) {
    let key = new_profile(&app).await;
    let one = |practice: &str| json!({"type": "start", "topics": ["ecosystem"], "level": "junior", "count": 1, "profile": key, "practice": practice});
    // Interview 1: one question, answered poorly (box 1: due a day later).
    let mut client = app.connect().await;
    client.send(one("fresh")).await;
    client.recv().await;
    let missed = client.recv().await["question_id"]
        .as_str()
        .unwrap()
        .to_string();
    client
        .answer_until_closed("I am not sure, I have never used it.")
        .await;
    client.recv_until("summary").await;
    // Three more interviews, each on a question not seen before.
    let mut later = Vec::new();
    for _ in 0..3 {
        let mut client = app.connect().await;
        later.extend(skip_through(&mut client, one("fresh")).await);
    }
    assert!(!later.contains(&missed), "{later:?}");
    // Two days on, the missed question is due and no longer among the last three interviews.
    app.clock
        .advance(std::time::Duration::from_secs(2 * 24 * 3600));
    let (_, progress) = call(&app, Method::GET, "/api/me/progress", Some(&key), None).await;
    assert_eq!(
        progress["due"][0]["question_id"],
        missed.as_str(),
        "{progress}"
    );
    assert_eq!(progress["due"][0]["box"], 1);
    let mut client = app.connect().await;
    let weak = skip_through(&mut client, one("weak_spots")).await;
    assert_eq!(
        weak,
        std::slice::from_ref(&missed),
        "weak-spot practice starts with the due question"
    );
    // Fresh practice prefers a question never asked; weak spots without topics picks the topic.
    let mut client = app.connect().await;
    let fresh = skip_through(&mut client, one("fresh")).await;
    assert!(
        !later.contains(&fresh[0]) && fresh[0] != missed,
        "{fresh:?}"
    );
    let mut client = app.connect().await;
    client
        .send(json!({"type": "start", "level": "junior", "count": 1, "profile": key, "practice": "weak_spots"}))
        .await;
    let session = client.recv().await;
    assert_eq!(session["plan"]["topics"], json!(["ecosystem"]), "{session}");
}

async fn a_profile_sees_its_history_progress_report_and_export_and_can_erase_it(app: TestApp) {
    let key = new_profile(&app).await;
    let other = new_profile(&app).await;

    // Unknown keys and weak spots without any history are refused with their codes.
    let mut client = app.connect().await;
    client
        .send(json!({"type": "start", "topics": ["concurrency"], "level": "mid", "profile": "rhp_nobody"}))
        .await;
    client.expect_error("unknown_profile").await;
    client
        .send(json!({"type": "start", "level": "mid", "practice": "weak_spots", "profile": key}))
        .await;
    client.expect_error("no_practice_history").await;

    // A two-question practice interview: the first answered in part, then ended early.
    client
        .send(json!({"type": "start", "topics": ["concurrency"], "level": "mid", "count": 2, "profile": key}))
        .await;
    let session = client.recv().await;
    let session_id = session["session_id"].as_str().unwrap().to_string();
    let question = client.recv().await;
    let question_id = question["question_id"].as_str().unwrap().to_string();
    let q = BANK.get(&question_id).unwrap();
    client.answer_until_closed(&q.key_points[0].text).await;
    let next = client.recv().await;
    assert_eq!(next["type"], "question", "{next}");
    client.send(json!({"type": "end"})).await;
    let (summary, _) = client.recv_until("summary").await;
    assert_eq!(summary["ended_early"], true, "{summary}");
    assert_eq!(summary["planned"], 2);

    let (status, me) = call(&app, Method::GET, "/api/me", Some(&key), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (me["interviews"].as_u64(), me["finished"].as_u64()),
        (Some(1), Some(1))
    );

    let (_, sessions) = call(&app, Method::GET, "/api/me/sessions", Some(&key), None).await;
    let item = &sessions[0];
    assert_eq!(item["session_id"], session_id.as_str());
    assert_eq!(item["ended_early"], true, "{item}");
    assert_eq!(item["topic_titles"][0], "Concurrency and the GIL");
    assert_eq!(item["overall"], summary["overall"]);

    let (_, progress) = call(&app, Method::GET, "/api/me/progress", Some(&key), None).await;
    assert_eq!(progress["trend"][0]["topic"], "concurrency", "{progress}");
    assert_eq!(progress["trend"][0]["points"].as_array().unwrap().len(), 1);
    let missed = progress["missed_key_points"].as_array().unwrap();
    assert!(
        !missed.is_empty(),
        "a partial answer misses key points: {progress}"
    );
    assert!(
        missed
            .iter()
            .all(|m| m["question_id"] == question_id.as_str())
    );
    assert_eq!(missed[0]["href"], format!("/me/questions/{question_id}"));

    // The study view of an answered question has its model answer; others are not shown.
    let (status, study) = call(
        &app,
        Method::GET,
        &format!("/api/me/questions/{question_id}"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{study}");
    assert_eq!(study["model_answer"], q.model_answer.as_str());
    let never = BANK
        .questions()
        .iter()
        .find(|x| x.topic.as_str() == "algorithms")
        .unwrap();
    let (status, _) = call(
        &app,
        Method::GET,
        &format!("/api/me/questions/{}", never.id),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The printable report, for the profile but not for another one.
    let report = reqwest::Client::new()
        .get(app.url(&format!("/api/sessions/{session_id}/report")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    assert!(
        report.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = report.text().await.unwrap();
    assert!(
        html.contains("Interview report") && html.contains("Ended early: 1 of 2"),
        "{html}"
    );
    assert!(
        !html.contains('`'),
        "code in the report is shown as code, not backticks"
    );
    let (status, _) = call(
        &app,
        Method::GET,
        &format!("/api/sessions/{session_id}/report"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, export) = call(&app, Method::GET, "/api/me/export", Some(&key), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(export["sessions"][0]["session"]["id"], session_id.as_str());
    assert!(export["sessions"][0]["turns"].as_array().unwrap().len() >= 2);

    // An invite interview joined to the profile: erasure keeps it for the recruiter.
    let store = app.store().await;
    let (_, recruiter) = create_token(&store, "practice-recruiter", Role::Recruiter)
        .await
        .unwrap();
    let (status, invite) = app
        .create_invite(
            &recruiter,
            json!({"topics": ["behavioral"], "level": "junior", "count": 1, "max_uses": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let token = invite["token"].as_str().unwrap();
    let consent = app.notice_version(token).await;
    let mut invited = app.connect().await;
    invited
        .send(json!({"type": "start", "invite": token, "profile": key, "consent": consent}))
        .await;
    let invite_session = invited.recv().await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, sessions) = call(&app, Method::GET, "/api/me/sessions", Some(&key), None).await;
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    assert_eq!(sessions[0]["invited"], true);

    let (status, erased) = call(&app, Method::DELETE, "/api/me", Some(&key), None).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!(
        (
            erased["erased_interviews"].as_u64(),
            erased["detached_invite_interviews"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let (status, _) = call(&app, Method::GET, "/api/me", Some(&key), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the key stops working");
    let (status, _) = app.session_detail(&recruiter, &session_id).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the practice interview is erased"
    );
    assert!(
        store.turns(&session_id).await.unwrap().is_empty(),
        "with its answers"
    );
    let (status, kept) = app.session_detail(&recruiter, &invite_session).await;
    assert_eq!(status, StatusCode::OK, "the invite interview stays: {kept}");
    assert_eq!(
        store.session(&invite_session).await.unwrap().profile_id,
        None
    );
}
