//! Repository tests: the same tests on SQLite (always) and PostgreSQL (when
//! `REHEARSE_TEST_POSTGRES_URL` is set when the tests are built; reported as ignored otherwise),
//! each on a fresh database.

use rehearse::bank::{Level, Topic};
use rehearse::evaluate::{Provenance, builtin};
use rehearse::rubric::Assignment;
use rehearse::staff::{ListFilter, list_query};
use rehearse::store::{
    AnswerStored, Backend, GradingCommit, InviteProblem, NewInvite, NewSession, NewTurn, Next,
    RubricVersionRecord, SessionStatus, Store, StoreError,
};

use crate::helpers::{question, rubric_for};

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                let f = crate::helpers::sqlite_store().await;
                super::$name(f.store.clone()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            #[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL")]
            async fn $name() {
                let f = crate::helpers::postgres_store().await.expect(crate::helpers::NO_POSTGRES);
                super::$name(f.store.clone()).await;
                f.drop_database().await;
            })*
        }
    };
}

on_both_backends!(
    a_session_reads_back_as_it_was_created,
    an_answer_is_stored_once_per_client_msg_id,
    concurrent_resends_store_exactly_one_answer,
    a_closed_turn_cannot_be_answered_again,
    asking_the_same_turn_twice_is_a_conflict,
    evaluations_keep_their_history_and_the_newest_is_current,
    rubric_versions_are_immutable_and_the_latest_is_found,
    tokens_are_found_by_hash_and_can_be_revoked,
    a_finished_session_keeps_its_summary,
    migrating_again_applies_nothing,
    the_regrade_queue_leases_each_item_to_one_worker,
    a_takeover_fences_every_write_of_the_previous_owner,
    a_graded_step_is_stored_whole_or_not_at_all,
    a_regrade_or_review_is_stored_only_over_the_evaluation_it_replaces,
    an_invite_is_used_atomically_until_used_up_or_expired,
    rubric_assignments_are_replaced_as_a_whole,
    sessions_are_listed_filtered_paged_and_marked_for_review,
    turns_are_found_by_client_msg_id_and_the_newest_is_known,
    a_renewed_lease_keeps_a_regrade_from_other_workers,
    tokens_are_found_by_name,
    durability_and_notifications_match_the_backend,
);

fn new_session(id: &str) -> NewSession {
    NewSession {
        id: id.into(),
        resume_token_hash: "hash-of-token".into(),
        candidate_name: Some("Ada Lovelace".into()),
        candidate_email: Some("ada@example.com".into()),
        topics: vec![Topic::Concurrency, Topic::Behavioral],
        level: Level::Mid,
        question_count: 3,
        plan: serde_json::json!({"seed": 7, "question_ids": ["conc-gil-basics"]}),
        invite_id: None,
        created_by: None,
        owner: "test-process".into(),
        profile_id: None,
        scores_hidden: false,
        consent: None,
        now: 1_700_000_000_000,
    }
}

fn new_turn(session: &str, turn: i64) -> NewTurn {
    let q = question("conc-gil-basics");
    NewTurn {
        session_id: session.into(),
        turn,
        question_id: q.id.clone(),
        topic: q.topic,
        level: q.level,
        kind: q.kind,
        question_text: q.text.clone(),
        is_follow_up: false,
        parent_turn: None,
        asked_at: 1_700_000_001_000,
    }
}

async fn session_with_turn(store: &Store, id: &str) {
    store.create_session(&new_session(id)).await.unwrap();
    store.ask(1, &new_turn(id, 1)).await.unwrap();
}

/// Stores an answer as the interview's first owner (epoch 1).
async fn answer(
    store: &Store,
    turn: i64,
    text: &str,
    id: &str,
    now: i64,
) -> Result<AnswerStored, StoreError> {
    store.store_answer("s1", 1, turn, text, id, now).await
}

async fn a_session_reads_back_as_it_was_created(store: Store) {
    store.create_session(&new_session("s1")).await.unwrap();
    let s = store.session("s1").await.unwrap();
    assert_eq!(s.candidate_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(s.topics, [Topic::Concurrency, Topic::Behavioral]);
    assert_eq!(s.level, Level::Mid);
    assert_eq!(s.status, SessionStatus::Active);
    assert_eq!(s.plan["seed"], 7);
    assert_eq!(s.resume_token_hash, "hash-of-token");
    assert!(matches!(
        store.session("nope").await,
        Err(StoreError::NotFound)
    ));
}

async fn an_answer_is_stored_once_per_client_msg_id(store: Store) {
    session_with_turn(&store, "s1").await;
    let text = "The GIL lets one thread run bytecode.";
    let first = answer(&store, 1, text, "m-1", 1_700_000_031_000)
        .await
        .unwrap();
    assert_eq!(
        first,
        AnswerStored::Stored {
            answered_at: 1_700_000_031_000
        }
    );
    let turn = store.turn("s1", 1).await.unwrap();
    assert_eq!(turn.answer_text.as_deref(), Some(text));
    assert_eq!(turn.answer_duration_ms, Some(30_000));

    let again = answer(&store, 1, text, "m-1", 1_700_000_040_000)
        .await
        .unwrap();
    assert_eq!(again, AnswerStored::Duplicate { turn: 1 });
    let turns = store.turns("s1").await.unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].answered_at, Some(1_700_000_031_000));
}

async fn concurrent_resends_store_exactly_one_answer(store: Store) {
    session_with_turn(&store, "s1").await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .store_answer("s1", 1, 1, "same answer", "m-dup", 1_700_000_002_000 + i)
                    .await
            })
        })
        .collect();
    let mut stored = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            AnswerStored::Stored { .. } => stored += 1,
            AnswerStored::Duplicate { turn } => assert_eq!(turn, 1),
        }
    }
    assert_eq!(stored, 1);
}

async fn a_closed_turn_cannot_be_answered_again(store: Store) {
    session_with_turn(&store, "s1").await;
    answer(&store, 1, "first", "m-1", 1_700_000_002_000)
        .await
        .unwrap();
    let err = answer(&store, 1, "second", "m-2", 1_700_000_003_000)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    store.ask(1, &new_turn("s1", 2)).await.unwrap();
    assert!(store.skip("s1", 1, 2, 1_700_000_004_000).await.unwrap());
    assert!(
        !store.skip("s1", 1, 2, 1_700_000_005_000).await.unwrap(),
        "skipping twice changes nothing"
    );
    assert!(matches!(
        answer(&store, 2, "late", "m-3", 1_700_000_006_000).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        answer(&store, 9, "no turn", "m-4", 1_700_000_006_000).await,
        Err(StoreError::Conflict(_))
    ));
    let turns = store.turns("s1").await.unwrap();
    assert_eq!(turns[0].answer_text.as_deref(), Some("first"));
    assert!(turns[1].skipped && turns[1].answer_text.is_none());
}

async fn asking_the_same_turn_twice_is_a_conflict(store: Store) {
    session_with_turn(&store, "s1").await;
    let err = store.ask(1, &new_turn("s1", 1)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn evaluations_keep_their_history_and_the_newest_is_current(store: Store) {
    session_with_turn(&store, "s1").await;
    let q = question("conc-gil-basics");
    let answer = "The global interpreter lock lets only one thread execute bytecode at a time.";
    let auto = builtin::evaluate(q, rubric_for(q), answer);
    let first = store
        .insert_evaluation(
            "s1",
            1,
            &auto,
            &Provenance {
                latency_ms: Some(2),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();

    let mut reviewed = auto.clone();
    reviewed.source = rehearse::evaluate::Source::Human;
    reviewed.overall = 90;
    let review = Provenance {
        reviewer: Some("recruiter-1".into()),
        comment: Some("Fair, generous".into()),
        ..Default::default()
    };
    let second = store
        .insert_evaluation("s1", 1, &reviewed, &review, 20)
        .await
        .unwrap();
    assert!(second > first);

    let current = store.current_evaluation("s1", 1).await.unwrap().unwrap();
    assert_eq!(current.id, second);
    assert_eq!(current.evaluation, reviewed);
    assert_eq!(current.provenance, review);

    let history = store.evaluations("s1").await.unwrap();
    assert_eq!(
        history.iter().map(|e| e.id).collect::<Vec<_>>(),
        [first, second]
    );
    assert_eq!(
        history[0].evaluation, auto,
        "the original is kept unchanged"
    );
    assert!(store.current_evaluation("s1", 2).await.unwrap().is_none());
}

fn rubric_version(id: &str, version: i64) -> RubricVersionRecord {
    RubricVersionRecord {
        rubric_id: id.into(),
        version,
        name: format!("{id} v{version}"),
        body: "{}".into(),
        source_text: format!("id = \"{id}\"\nversion = {version}\n"),
        content_hash: format!("hash-{version}"),
        created_at: version,
        created_by: Some("admin".into()),
    }
}

async fn rubric_versions_are_immutable_and_the_latest_is_found(store: Store) {
    store
        .insert_rubric_version(&rubric_version("technical", 1))
        .await
        .unwrap();
    store
        .insert_rubric_version(&rubric_version("technical", 2))
        .await
        .unwrap();
    store
        .insert_rubric_version(&rubric_version("scenario", 1))
        .await
        .unwrap();
    let err = store
        .insert_rubric_version(&rubric_version("technical", 1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    assert_eq!(
        store.rubric_version("technical", 1).await.unwrap().name,
        "technical v1"
    );
    let latest: Vec<(String, i64)> = store
        .latest_rubric_versions()
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.rubric_id, r.version))
        .collect();
    assert_eq!(
        latest,
        [("scenario".to_string(), 1), ("technical".to_string(), 2)]
    );
    assert_eq!(store.rubric_versions("technical").await.unwrap().len(), 2);
}

async fn tokens_are_found_by_hash_and_can_be_revoked(store: Store) {
    let t = store
        .insert_token("alice", "recruiter", "h-alice", 1)
        .await
        .unwrap();
    assert_eq!(t.role, "recruiter");
    assert!(matches!(
        store.insert_token("alice", "admin", "h-other", 2).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.token_by_hash("h-alice").await.unwrap().unwrap().name,
        "alice"
    );
    assert!(store.token_by_hash("h-unknown").await.unwrap().is_none());
    store.touch_token(t.id, 5).await.unwrap();
    assert!(store.revoke_token("alice", 6).await.unwrap());
    assert!(!store.revoke_token("alice", 7).await.unwrap());
    assert!(matches!(
        store.revoke_token("bob", 7).await,
        Err(StoreError::NotFound)
    ));
    let listed = store.tokens().await.unwrap();
    assert_eq!(
        (listed[0].last_used_at, listed[0].revoked_at),
        (Some(5), Some(6))
    );
}

async fn a_finished_session_keeps_its_summary(store: Store) {
    session_with_turn(&store, "s1").await;
    let q = question("conc-gil-basics");
    let mut flagged = builtin::evaluate(q, rubric_for(q), "an answer");
    flagged.flags.push(rehearse::evaluate::Flag::Repetitive);
    store
        .commit_step(&step(1, Some(&flagged), Next::Wait, 1_700_000_100_000))
        .await
        .unwrap();
    let summary =
        serde_json::json!({"overall": 71, "by_topic": [{"topic": "concurrency", "overall": 71}]});
    let finish = Next::Finish {
        summary: &summary,
        overall: 71,
    };
    store
        .commit_step(&step(1, None, finish, 1_700_000_200_000))
        .await
        .unwrap();
    let s = store.session("s1").await.unwrap();
    assert_eq!(s.status, SessionStatus::Finished);
    assert_eq!(s.summary, Some(summary));
    assert_eq!(s.overall, Some(71));
    assert!(s.flagged, "a session flagged earlier stays flagged");
    assert_eq!(s.finished_at, Some(1_700_000_200_000));
}

async fn migrating_again_applies_nothing(store: Store) {
    assert_eq!(store.migrate().await.unwrap(), 0);
    store.ping().await.unwrap();
}

#[tokio::test]
async fn a_sqlite_file_is_created_and_keeps_data_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, Default::default()).await.unwrap();
    store.create_session(&new_session("kept")).await.unwrap();
    store.close().await;
    assert!(path.exists());
    let reopened = Store::open(&url, Default::default()).await.unwrap();
    assert_eq!(reopened.session("kept").await.unwrap().id, "kept");
}

#[tokio::test]
async fn an_unknown_database_scheme_is_refused() {
    let err = Store::connect("mysql://localhost/x", Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnsupportedUrl));
}

async fn the_regrade_queue_leases_each_item_to_one_worker(store: Store) {
    session_with_turn(&store, "s1").await;
    store.ask(1, &new_turn("s1", 2)).await.unwrap();
    let q = question("conc-gil-basics");
    let mut fallback = builtin::evaluate(q, rubric_for(q), "an answer");
    fallback.source = rehearse::evaluate::Source::Fallback;
    for (turn, error, now) in [
        (1, "timeout", 100),
        (2, "http_5xx", 200),
        (1, "timeout again", 100),
    ] {
        let mut c = step(1, Some(&fallback), Next::Wait, now);
        c.turn = turn;
        c.regrade = Some(error);
        store.commit_step(&c).await.unwrap();
    }
    assert_eq!(
        store.regrade_backlog().await.unwrap(),
        2,
        "queuing a turn twice keeps one item"
    );

    // Two workers claim at the same moment: each gets a different item, a third gets none.
    let (a, b, c) = tokio::join!(
        store.claim_regrade(300, 10_000),
        store.claim_regrade(300, 10_000),
        store.claim_regrade(300, 10_000)
    );
    let mut claimed: Vec<i64> = [a, b, c]
        .into_iter()
        .filter_map(|r| r.unwrap())
        .map(|i| i.turn)
        .collect();
    claimed.sort();
    assert_eq!(claimed, [1, 2]);
    assert!(
        store.claim_regrade(400, 10_000).await.unwrap().is_none(),
        "both are leased"
    );

    store
        .retry_regrade("s1", 1, 5_000, "still down")
        .await
        .unwrap();
    assert!(
        store.claim_regrade(4_000, 20_000).await.unwrap().is_none(),
        "not due yet"
    );
    let again = store.claim_regrade(5_000, 20_000).await.unwrap().unwrap();
    assert_eq!((again.turn, again.attempts), (1, 2));
    store.complete_regrade("s1", 1).await.unwrap();
    let expired = store.claim_regrade(10_001, 30_000).await.unwrap().unwrap();
    assert_eq!(expired.turn, 2, "an expired lease is claimable again");
    assert_eq!(store.regrade_backlog().await.unwrap(), 1);
}

/// A step by the interview's first owner (epoch 1) of session `s1`, turn 1.
fn step<'a>(
    epoch: i64,
    evaluation: Option<&'a rehearse::evaluate::Evaluation>,
    next: Next<'a>,
    now: i64,
) -> GradingCommit<'a> {
    static PROVENANCE: std::sync::LazyLock<Provenance> =
        std::sync::LazyLock::new(Provenance::default);
    GradingCommit {
        session_id: "s1",
        epoch,
        turn: 1,
        evaluation: evaluation.map(|e| (e, &*PROVENANCE)),
        regrade: None,
        next,
        now,
    }
}

async fn a_takeover_fences_every_write_of_the_previous_owner(store: Store) {
    session_with_turn(&store, "s1").await;
    assert_eq!(store.take_over("s1", "replica-b").await.unwrap(), 2);
    let q = question("conc-gil-basics");
    let e = builtin::evaluate(q, rubric_for(q), "an answer");
    // The first owner (epoch 1) can no longer answer, ask, skip or store a graded step.
    assert!(matches!(
        answer(&store, 1, "late", "m-1", 10).await,
        Err(StoreError::Fenced)
    ));
    assert!(matches!(
        store.ask(1, &new_turn("s1", 2)).await,
        Err(StoreError::Fenced)
    ));
    assert!(matches!(
        store.skip("s1", 1, 1, 10).await,
        Err(StoreError::Fenced)
    ));
    assert!(matches!(
        store.commit_step(&step(1, Some(&e), Next::Wait, 10)).await,
        Err(StoreError::Fenced)
    ));
    assert!(store.evaluations("s1").await.unwrap().is_empty());
    assert_eq!(store.turns("s1").await.unwrap()[0].answer_text, None);
    // The new owner can.
    assert!(matches!(
        store.store_answer("s1", 2, 1, "mine", "m-2", 20).await,
        Ok(AnswerStored::Stored { .. })
    ));
    store
        .commit_step(&step(2, Some(&e), Next::Ask(&new_turn("s1", 2)), 30))
        .await
        .unwrap();
    assert_eq!(store.evaluations("s1").await.unwrap().len(), 1);
    assert!(matches!(
        store.take_over("nope", "replica-b").await,
        Err(StoreError::NotFound)
    ));
}

async fn a_graded_step_is_stored_whole_or_not_at_all(store: Store) {
    session_with_turn(&store, "s1").await;
    answer(&store, 1, "an answer", "m-1", 10).await.unwrap();
    let q = question("conc-gil-basics");
    let mut fallback = builtin::evaluate(q, rubric_for(q), "an answer");
    fallback.source = rehearse::evaluate::Source::Fallback;
    // The next turn already exists: the step fails, and neither its evaluation nor its regrade
    // is left behind.
    store.ask(1, &new_turn("s1", 2)).await.unwrap();
    let (second, third) = (new_turn("s1", 2), new_turn("s1", 3));
    let mut c = step(1, Some(&fallback), Next::Ask(&second), 20);
    c.regrade = Some("timeout");
    assert!(store.commit_step(&c).await.is_err());
    assert!(store.evaluations("s1").await.unwrap().is_empty());
    assert_eq!(store.regrade_backlog().await.unwrap(), 0);
    // Whole: evaluation, regrade (naming the evaluation) and next question together.
    let c = GradingCommit {
        next: Next::Ask(&third),
        ..c
    };
    let id = store.commit_step(&c).await.unwrap().unwrap();
    assert_eq!(
        store.current_evaluation("s1", 1).await.unwrap().unwrap().id,
        id
    );
    assert_eq!(store.turns("s1").await.unwrap().len(), 3);
    let item = store.claim_regrade(20, 1_000).await.unwrap().unwrap();
    assert_eq!(item.evaluation_id, Some(id));
}

async fn a_regrade_or_review_is_stored_only_over_the_evaluation_it_replaces(store: Store) {
    session_with_turn(&store, "s1").await;
    let q = question("conc-gil-basics");
    let e = builtin::evaluate(q, rubric_for(q), "an answer");
    let p = Provenance::default();
    let first = store.insert_evaluation("s1", 1, &e, &p, 10).await.unwrap();
    let second = store
        .replace_evaluation("s1", 1, first, &e, &p, 20)
        .await
        .unwrap()
        .expect("stored over the current evaluation");
    assert_eq!(
        store
            .replace_evaluation("s1", 1, first, &e, &p, 30)
            .await
            .unwrap(),
        None,
        "the evaluation it meant to replace is no longer current"
    );
    assert_eq!(
        store.current_evaluation("s1", 1).await.unwrap().unwrap().id,
        second
    );
    assert!(matches!(
        store.replace_evaluation("nope", 1, first, &e, &p, 30).await,
        Err(StoreError::NotFound)
    ));
}

fn new_invite(id: &str, max_uses: i64, expires_at: i64) -> NewInvite {
    NewInvite {
        id: id.into(),
        token_hash: format!("hash-{id}"),
        created_by: "alice".into(),
        candidate_name: Some("Grace Hopper".into()),
        candidate_email: None,
        topics: vec!["concurrency".into()],
        level: "senior".into(),
        question_count: 4,
        rubrics: serde_json::json!({"technical": "technical"}),
        expires_at,
        max_uses,
        show_scores: true,
        now: 10,
    }
}

async fn an_invite_is_used_atomically_until_used_up_or_expired(store: Store) {
    store
        .create_invite(&new_invite("inv-1", 2, 1_000))
        .await
        .unwrap();
    let read = store.invite("inv-1").await.unwrap();
    assert_eq!(
        (read.topics.as_slice(), read.level.as_str(), read.uses),
        (["concurrency".to_string()].as_slice(), "senior", 0)
    );
    assert_eq!(read.rubrics["technical"], "technical");
    assert_eq!(
        store
            .invite_by_token_hash("hash-inv-1")
            .await
            .unwrap()
            .map(|i| i.id),
        Some("inv-1".to_string())
    );
    assert!(store.invite_by_token_hash("nope").await.unwrap().is_none());
    assert!(matches!(
        store.invite("nope").await,
        Err(StoreError::NotFound)
    ));

    for _ in 0..2 {
        assert!(store.use_invite("hash-inv-1", 20).await.unwrap().is_ok());
    }
    assert_eq!(
        store
            .use_invite("hash-inv-1", 30)
            .await
            .unwrap()
            .unwrap_err(),
        InviteProblem::UsedUp
    );
    assert_eq!(store.invite("inv-1").await.unwrap().uses, 2);

    store
        .create_invite(&new_invite("inv-2", 5, 50))
        .await
        .unwrap();
    assert_eq!(
        store
            .use_invite("hash-inv-2", 50)
            .await
            .unwrap()
            .unwrap_err(),
        InviteProblem::Expired,
        "an invite is expired from its expiry instant on"
    );
    assert_eq!(
        store
            .use_invite("hash-unknown", 20)
            .await
            .unwrap()
            .unwrap_err(),
        InviteProblem::Unknown
    );

    // Three candidates race for the last use: exactly one gets it.
    store
        .create_invite(&new_invite("inv-3", 1, 1_000))
        .await
        .unwrap();
    let (a, b, c) = tokio::join!(
        store.use_invite("hash-inv-3", 20),
        store.use_invite("hash-inv-3", 20),
        store.use_invite("hash-inv-3", 20)
    );
    let won = [a, b, c]
        .into_iter()
        .filter(|r| r.as_ref().unwrap().is_ok())
        .count();
    assert_eq!(won, 1);
    let ids: Vec<String> = store
        .invites()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ["inv-1", "inv-2", "inv-3"]);
}

async fn rubric_assignments_are_replaced_as_a_whole(store: Store) {
    assert!(store.assignments().await.unwrap().is_empty());
    let both = [
        Assignment {
            kind: "technical".into(),
            topic: String::new(),
            rubric_id: "technical".into(),
        },
        Assignment {
            kind: "technical".into(),
            topic: "concurrency".into(),
            rubric_id: "strict".into(),
        },
    ];
    store.replace_assignments(&both, "admin", 1).await.unwrap();
    assert_eq!(store.assignments().await.unwrap(), both);
    store
        .replace_assignments(&both[1..], "admin", 2)
        .await
        .unwrap();
    assert_eq!(store.assignments().await.unwrap(), &both[1..]);
}

fn filter(f: impl FnOnce(&mut ListFilter)) -> rehearse::store::SessionQuery {
    let mut filter = ListFilter {
        descending: true,
        ..Default::default()
    };
    f(&mut filter);
    list_query(filter).unwrap()
}

async fn sessions_are_listed_filtered_paged_and_marked_for_review(store: Store) {
    store
        .create_invite(&new_invite("inv-1", 5, i64::MAX))
        .await
        .unwrap();
    for (i, name) in ["Ada Lovelace", "Alan Turing", "Barbara Liskov"]
        .iter()
        .enumerate()
    {
        let id = format!("s{}", i + 1);
        store
            .create_session(&NewSession {
                candidate_name: Some(name.to_string()),
                resume_token_hash: format!("resume-{id}"),
                invite_id: (i == 2).then(|| "inv-1".to_string()),
                now: 1_700_000_000_000 + i as i64,
                ..new_session(&id)
            })
            .await
            .unwrap();
        store.ask(1, &new_turn(&id, 1)).await.unwrap();
    }
    store
        .update_session_scores("s2", Some(80), Some(&serde_json::json!({"overall": 80})), 5)
        .await
        .unwrap();
    let s2 = store.session("s2").await.unwrap();
    assert_eq!(
        (s2.overall, s2.summary.unwrap()["overall"].clone()),
        (Some(80), serde_json::json!(80))
    );
    assert_eq!(
        store
            .session_by_resume_hash("resume-s3")
            .await
            .unwrap()
            .map(|s| s.id),
        Some("s3".into())
    );
    assert!(
        store
            .session_by_resume_hash("nope")
            .await
            .unwrap()
            .is_none()
    );

    let ids = |page: &[rehearse::store::SessionRecord]| {
        page.iter().map(|s| s.id.clone()).collect::<Vec<_>>()
    };
    let (page, next) = store
        .list_sessions(&filter(|f| f.limit = Some(2)))
        .await
        .unwrap();
    assert_eq!(ids(&page), ["s3", "s2"], "newest first");
    let next = next.expect("a second page");
    let mut second = filter(|f| f.limit = Some(2));
    second.after = Some(next);
    let (page, next) = store.list_sessions(&second).await.unwrap();
    assert_eq!((ids(&page), next), (vec!["s1".to_string()], None));

    let (page, _) = store
        .list_sessions(&filter(|f| f.candidate = Some("LA".into())))
        .await
        .unwrap();
    assert_eq!(ids(&page), ["s2", "s1"], "name substring, any case");
    let (page, _) = store
        .list_sessions(&filter(|f| f.min_score = Some(50)))
        .await
        .unwrap();
    assert_eq!(ids(&page), ["s2"]);
    let (page, _) = store
        .list_sessions(&filter(|f| f.invite = Some("inv-1".into())))
        .await
        .unwrap();
    assert_eq!(ids(&page), ["s3"]);

    // The invited interview graded only by the built-in evaluator needs a human review.
    let q = question("conc-gil-basics");
    let graded = builtin::evaluate(q, rubric_for(q), "an answer");
    for id in ["s1", "s3"] {
        store
            .store_answer(id, 1, 1, "an answer", "m-1", 1_700_000_010_000)
            .await
            .unwrap();
        let mut c = step(1, Some(&graded), Next::Wait, 1_700_000_020_000);
        c.session_id = id;
        store.commit_step(&c).await.unwrap();
    }
    let all: Vec<String> = ["s1", "s2", "s3"].map(String::from).to_vec();
    let review = store.needs_review(&all).await.unwrap();
    assert_eq!(review.into_iter().collect::<Vec<_>>(), ["s3"]);
    assert!(store.needs_review(&[]).await.unwrap().is_empty());
}

async fn turns_are_found_by_client_msg_id_and_the_newest_is_known(store: Store) {
    assert!(store.last_turn("s1").await.unwrap().is_none());
    session_with_turn(&store, "s1").await;
    answer(&store, 1, "first", "m-1", 1_700_000_010_000)
        .await
        .unwrap();
    store.ask(1, &new_turn("s1", 2)).await.unwrap();
    assert_eq!(store.last_turn("s1").await.unwrap().unwrap().turn, 2);
    let found = store
        .turn_for_client_msg_id("s1", "m-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.turn, found.answer_text.as_deref()),
        (1, Some("first"))
    );
    assert!(
        store
            .turn_for_client_msg_id("s1", "m-2")
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_renewed_lease_keeps_a_regrade_from_other_workers(store: Store) {
    session_with_turn(&store, "s1").await;
    let q = question("conc-gil-basics");
    let mut fallback = builtin::evaluate(q, rubric_for(q), "an answer");
    fallback.source = rehearse::evaluate::Source::Fallback;
    let mut c = step(1, Some(&fallback), Next::Wait, 100);
    c.regrade = Some("timeout");
    store.commit_step(&c).await.unwrap();
    assert!(store.claim_regrade(300, 10_000).await.unwrap().is_some());
    store.renew_regrade("s1", 1, 50_000).await.unwrap();
    assert!(
        store.claim_regrade(20_000, 60_000).await.unwrap().is_none(),
        "the renewed lease still holds after the first one ran out"
    );
    assert!(store.claim_regrade(50_001, 60_000).await.unwrap().is_some());
}

async fn tokens_are_found_by_name(store: Store) {
    store
        .insert_token("carol", "admin", "h-carol", 1)
        .await
        .unwrap();
    let t = store.token_by_name("carol").await.unwrap();
    assert_eq!(
        (t.role.as_str(), t.token_hash.as_str()),
        ("admin", "h-carol")
    );
    assert!(matches!(
        store.token_by_name("dave").await,
        Err(StoreError::NotFound)
    ));
}

async fn durability_and_notifications_match_the_backend(store: Store) {
    let durability = store.durability().await.unwrap();
    match store.backend() {
        Backend::Sqlite => {
            assert_eq!(durability, "sqlite synchronous=normal");
            assert!(
                store.listen().await.unwrap().is_none(),
                "one process: nothing to hear"
            );
            store.notify("ignored").await.unwrap();
        }
        Backend::Postgres => {
            assert_eq!(durability, "postgres synchronous_commit=on");
            let mut listener = store.listen().await.unwrap().expect("a listener");
            store.notify("hello, replicas").await.unwrap();
            let heard = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv())
                .await
                .expect("heard in time")
                .unwrap();
            assert_eq!(heard, "hello, replicas");
        }
    }
}

#[tokio::test]
async fn a_stored_value_that_is_not_its_type_is_corrupt_data_not_a_default() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("corrupt.db").display());
    let store = Store::open(&url, Default::default()).await.unwrap();
    store.create_session(&new_session("s1")).await.unwrap();
    store.ask(1, &new_turn("s1", 1)).await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE turns SET topic = 'astrology'")
        .execute(&mut conn)
        .await
        .unwrap();
    match store.turn("s1", 1).await {
        Err(StoreError::Corrupt(why)) => assert!(why.contains("column topic"), "{why}"),
        other => panic!("expected corrupt data, got {other:?}"),
    }
    assert!(matches!(
        store.turns("s1").await,
        Err(StoreError::Corrupt(_))
    ));
    sqlx::query("UPDATE sessions SET level = 'wizard'")
        .execute(&mut conn)
        .await
        .unwrap();
    match store.session("s1").await {
        Err(StoreError::Corrupt(why)) => assert!(why.contains("wizard"), "{why}"),
        other => panic!("expected corrupt data, got {other:?}"),
    }
}

/// PostgreSQL closes a pooled connection while it sits idle (a restart, an idle timeout, an
/// administrator): the store checks such a connection on checkout and hands out a fresh one,
/// so the next request succeeds instead of failing on the dead one.
#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL"
)]
async fn a_postgres_connection_closed_while_idle_is_replaced_before_use() {
    let f = crate::helpers::postgres_store()
        .await
        .expect(crate::helpers::NO_POSTGRES);
    // One connection, checked after any idle time at all, so the test needs no waiting.
    let store = Store::connect(
        &f.url(),
        rehearse::store::ConnectOptions {
            max_connections: 1,
            ping_after_idle: std::time::Duration::ZERO,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    store.ping().await.unwrap();
    // With a timeout, pg_terminate_backend returns once the server process has exited.
    crate::helpers::rehearse_test_sql(
        &f.url(),
        "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await;
    store
        .ping()
        .await
        .expect("a fresh connection replaced the closed one");
    store.close().await;
    f.drop_database().await;
}

/// A graded step whose caller goes away while SQLite is running it (the connection's task
/// dropped, the server shutting down) is stored whole or not at all, and the writer connection
/// is never handed on inside the transaction the step began.
#[tokio::test]
async fn an_abandoned_sqlite_step_is_stored_whole_or_not_at_all() {
    use std::task::Poll;
    let f = crate::helpers::sqlite_store().await;
    let store = f.store.clone();
    session_with_turn(&store, "s1").await;
    let q = question("conc-gil-basics");
    let e = builtin::evaluate(q, rubric_for(q), "an answer");
    let (mut whole, mut nothing) = (0, 0);
    for open in 1..=120_i64 {
        answer(&store, open, "an answer", &format!("m-{open}"), 10 * open)
            .await
            .unwrap();
        let next = new_turn("s1", open + 1);
        let mut c = step(1, Some(&e), Next::Ask(&next), 10 * open + 5);
        c.turn = open;
        // Dropped after one to six polls, so that some rounds drop it before it reaches the
        // database, some while SQLite runs it, and some after it is stored.
        let mut pending = Box::pin(store.commit_step(&c));
        let mut finished = false;
        for _ in 0..=open % 6 {
            let poll = std::future::poll_fn(|cx| Poll::Ready(pending.as_mut().poll(cx))).await;
            if poll.is_ready() {
                finished = true;
                break;
            }
            tokio::task::yield_now().await;
        }
        drop(pending);
        // A write of its own waits for whatever the abandoned step left on the database.
        store
            .create_session(&new_session(&format!("other-{open}")))
            .await
            .unwrap();
        let evaluated = store
            .current_evaluation("s1", open)
            .await
            .unwrap()
            .is_some();
        let asked = store.turns("s1").await.unwrap().len() as i64 == open + 1;
        assert_eq!(evaluated, asked, "turn {open}: the step was stored in part");
        if evaluated {
            whole += 1;
        } else {
            assert!(!finished);
            nothing += 1;
            // Retried whole, on a writer connection outside any transaction.
            store.commit_step(&c).await.unwrap();
        }
    }
    assert_eq!(
        store.turns("s1").await.unwrap().len(),
        121,
        "every step is stored once ({whole} whole when abandoned, {nothing} not at all)"
    );
}
