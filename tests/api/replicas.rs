//! Replicas sharing one PostgreSQL database: one owner per interview (a takeover fences the old
//! owner's writes and closes its socket), regrades pushed to the candidate's replica, rubric
//! edits reloaded everywhere. Without PostgreSQL named at build time, each test is reported as ignored.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use rehearse::clock::now_ms;
use rehearse::config::Settings;
use rehearse::evaluate::Source;
use rehearse::staff::create_token;
use rehearse::tokens::Role;

use crate::admin_api::technical_toml;
use crate::app::{TestApp, call, spawn_on, test_settings};
use crate::helpers::{PostgresFixture, postgres_store};
use crate::llm::{GIL_ANSWER, llm_app};
use crate::mock_llm::{Gate, MockLlm, Reply};

/// Two servers on one fresh PostgreSQL database, each adjusted by its own function.
async fn two_replicas(
    a: impl FnOnce(&mut Settings),
    b: impl FnOnce(&mut Settings),
) -> Option<(TestApp, TestApp, PostgresFixture)> {
    let fixture = postgres_store().await?;
    let mut apps = Vec::new();
    for adjust in [Box::new(a) as Box<dyn FnOnce(&mut Settings)>, Box::new(b)] {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let mut settings = test_settings(&dir);
        settings.database.url = rehearse::config::DatabaseUrl::new(fixture.url());
        adjust(&mut settings);
        apps.push(spawn_on(settings, dir).await);
    }
    let b = apps.pop()?;
    let a = apps.pop()?;
    Some((a, b, fixture))
}

fn no_postgres() -> ! {
    panic!("{}", crate::helpers::NO_POSTGRES)
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL"
)]
async fn a_takeover_during_grading_stores_one_evaluation_and_closes_the_old_socket() {
    let mock = MockLlm::start().await;
    let Some((a, b, fixture)) = two_replicas(
        |s| {
            llm_app(&mock)(s);
            // Long enough for A's fenced grading to end before it stops.
            s.server.shutdown_timeout_secs = 10;
        },
        llm_app(&mock),
    )
    .await
    else {
        no_postgres()
    };
    let store = fixture.store.clone();
    let mut on_a = a.connect().await;
    let s = on_a.start(&["concurrency"], "junior", 2).await;
    // A's judge call is held until the test lets it go.
    let gate = Gate::new();
    mock.script([Reply::Gated(
        gate.clone(),
        Box::new(Reply::judge(|v| v.to_string())),
    )]);
    on_a.answer(GIL_ANSWER, "t-1").await;
    on_a.recv_until("ack").await;
    gate.arrived().await;

    // The candidate resumes on B while A is grading: B takes the interview over and grades the
    // answer itself.
    let mut on_b = b.connect().await;
    on_b.resume(&s.session_id, &s.token).await;
    let (graded, _) = on_b.recv_until("evaluation").await;
    assert_eq!(graded["turn"], 1);
    assert_eq!(graded["evaluation"]["source"], "llm");
    let (next, _) = on_b.recv_until("question").await;
    assert_eq!(next["turn"], 2, "the interview goes on on B");

    // A's judgement arrives; A may not store it: its connection is told, then closed.
    gate.open();
    let (told, _) = on_a.recv_until("error").await;
    assert_eq!(told["code"], "session_taken_over", "{told}");
    assert_eq!(told["fatal"], true);
    on_a.recv_close().await;
    // Stopping A waits for its grading to end.
    a.stop().await;
    let judged = judge_calls(&mock);
    assert!(judged >= 2, "both replicas asked the judge ({judged})");
    let stored: Vec<_> = store
        .evaluations(&s.session_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.turn == 1)
        .collect();
    assert_eq!(
        stored.len(),
        1,
        "exactly one evaluation of the turn: {stored:?}"
    );
    assert_eq!(store.turns(&s.session_id).await.unwrap().len(), 2);

    // B carries on as the only owner.
    on_b.answer(GIL_ANSWER, "t-2").await;
    let (ack, _) = on_b.recv_until("ack").await;
    assert_eq!(ack["turn"], 2);
    on_b.recv_until("evaluation").await;
    b.stop().await;
    fixture.drop_database().await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL"
)]
async fn a_regrade_on_one_replica_reaches_the_candidate_on_another_within_two_seconds() {
    let mock = MockLlm::start().await;
    let Some((a, b, fixture)) = two_replicas(llm_app(&mock), |s| {
        llm_app(&mock)(s);
        // Only A regrades.
        s.llm.regrade_interval_secs = 3600.0;
    })
    .await
    else {
        no_postgres()
    };
    let store = fixture.store.clone();
    // B's judge fails (every retry), so the candidate on B gets the built-in fallback.
    let down = Reply::json(503, json!({"error": {"message": "overloaded"}}));
    mock.script(vec![down; 3]);
    let mut on_b = b.connect().await;
    let s = on_b.start(&["concurrency"], "junior", 2).await;
    let (_, fallback) = on_b.answer_and_grade(GIL_ANSWER, "r-1").await;
    assert_eq!(fallback["evaluation"]["source"], "fallback");

    // A's worker regrades it; B pushes the regrade to its candidate.
    let pushed = loop {
        let m = on_b.recv().await;
        if m["type"] == "evaluation" && m["evaluation"]["source"] == "llm" {
            break m;
        }
    };
    let received = now_ms();
    assert_eq!(pushed["turn"], 1);
    let regrade = store
        .current_evaluation(&s.session_id, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(regrade.evaluation.source, Source::Llm);
    let delay = received - regrade.created_at;
    assert!(
        delay < 2_000,
        "pushed {delay} ms after the regrade was stored"
    );
    assert_eq!(store.regrade_backlog().await.unwrap(), 0);
    a.stop().await;
    b.stop().await;
    fixture.drop_database().await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL"
)]
async fn a_rubric_edit_on_one_replica_grades_the_next_answer_on_another() {
    let Some((a, b, fixture)) = two_replicas(|_| {}, |_| {}).await else {
        no_postgres()
    };
    let (_, admin) = create_token(&fixture.store, "replica-admin", Role::Admin)
        .await
        .unwrap();
    let mut on_b = b.connect().await;
    on_b.start(&["concurrency"], "junior", 2).await;

    let edited = technical_toml().replace("pass_mark = 60", "pass_mark = 95");
    let (status, saved) = a
        .send_rubric_toml(Method::PUT, "/api/rubrics/technical", &admin, edited)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 2);
    let saved_at = Instant::now();

    // B's registry has the new version within a second of the edit.
    loop {
        let (_, list) = call(&b, Method::GET, "/api/rubrics", Some(&admin), None).await;
        let latest = list
            .as_array()
            .and_then(|l| l.iter().find(|r| r["id"] == "technical"))
            .map(|r| r["latest_version"].clone());
        if latest == Some(json!(2)) {
            break;
        }
        assert!(
            saved_at.elapsed() < Duration::from_secs(1),
            "B still grades with {latest:?} a second after the edit"
        );
        tokio::task::yield_now().await;
    }
    let (_, graded) = on_b.answer_and_grade(GIL_ANSWER, "e-1").await;
    assert_eq!(
        graded["evaluation"]["rubric"],
        json!({"id": "technical", "version": 2})
    );
    a.stop().await;
    b.stop().await;
    fixture.drop_database().await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL"
)]
async fn a_regrade_that_outlives_its_lease_is_renewed_and_graded_once() {
    let mock = MockLlm::start().await;
    // Both replicas regrade, with a lease far shorter than the LLM call.
    let quick_lease = |s: &mut Settings| {
        llm_app(&mock)(s);
        s.llm.regrade_interval_secs = 0.05;
        s.llm.regrade_lease_secs = 0.3;
    };
    let Some((a, b, fixture)) = two_replicas(quick_lease, quick_lease).await else {
        no_postgres()
    };
    let down = Reply::json(503, json!({"error": {"message": "overloaded"}}));
    let slow = Reply::Delayed(
        Duration::from_millis(1500),
        Box::new(Reply::judge(|v| v.to_string())),
    );
    mock.script(vec![down.clone(), down.clone(), down, slow]);
    let mut c = a.connect().await;
    c.start(&["concurrency"], "junior", 2).await;
    let (_, fallback) = c.answer_and_grade(GIL_ANSWER, "l-1").await;
    assert_eq!(fallback["evaluation"]["source"], "fallback");
    let judged_before = judge_calls(&mock);

    let pushed = loop {
        let m = c.recv().await;
        if m["type"] == "evaluation" && m["evaluation"]["source"] == "llm" {
            break m;
        }
    };
    assert_eq!(pushed["turn"], 1);
    // The regrade took five leases; no other worker claimed it meanwhile.
    assert_eq!(judge_calls(&mock) - judged_before, 1, "regraded once");
    a.stop().await;
    b.stop().await;
    fixture.drop_database().await;
}

/// Judge requests the mock has received (they carry the judgement's schema).
fn judge_calls(mock: &MockLlm) -> usize {
    mock.received()
        .iter()
        .filter(|r| crate::mock_llm::schema_of(&r.body).is_some())
        .count()
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL"
)]
async fn an_idle_connection_is_told_at_once_when_another_replica_takes_its_interview() {
    let Some((a, b, fixture)) = two_replicas(|_| {}, |_| {}).await else {
        no_postgres()
    };
    let mut on_a = a.connect().await;
    let s = on_a.start(&["concurrency"], "junior", 2).await;
    let mut on_b = b.connect().await;
    on_b.resume(&s.session_id, &s.token).await;
    let (question, _) = on_b.recv_until("question").await;
    assert_eq!(question["turn"], 1);
    // A hears of it over the database without writing anything.
    let (told, _) = on_a.recv_until("error").await;
    assert_eq!(told["code"], "session_taken_over", "{told}");
    on_a.recv_close().await;
    let (ack, _) = on_b.answer_and_grade(GIL_ANSWER, "i-1").await;
    assert_eq!(ack["turn"], 1);
    a.stop().await;
    b.stop().await;
    fixture.drop_database().await;
}
