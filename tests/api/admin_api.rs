//! The recruiter and admin API over real HTTP: who may call what, invites, lists and paging,
//! exports, reviews, rubric versions, validation, preview and calibration.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use rehearse::staff::create_token;
use rehearse::tokens::Role;

use crate::app::{TestApp, call, spawn_app_with};

/// An app with an admin, a recruiter, a revoked token and one candidate with a graded answer.
struct Staffed {
    app: TestApp,
    admin: String,
    recruiter: String,
    revoked: String,
    candidate: String,
    session: String,
    other_session: String,
}

async fn staffed() -> Staffed {
    // The matrix makes many failed attempts on purpose; the address limit has its own test.
    let app = spawn_app_with(|s| s.server.logins_per_minute = 10_000.0).await;
    let store = app.store().await;
    let (_, admin) = create_token(&store, "ada-admin", Role::Admin)
        .await
        .unwrap();
    let (_, recruiter) = create_token(&store, "rita-recruiter", Role::Recruiter)
        .await
        .unwrap();
    let (_, revoked) = create_token(&store, "old-recruiter", Role::Recruiter)
        .await
        .unwrap();
    store.revoke_token("old-recruiter", 1).await.unwrap();
    let mut c = app.connect().await;
    let s = c.start(&["concurrency"], "junior", 1).await;
    c.answer_and_grade("The GIL lets only one thread run bytecode at a time, so CPU bound threads do not speed up.", "a-1").await;
    let mut other = app.connect().await;
    let o = other.start(&["algorithms"], "junior", 1).await;
    Staffed {
        app,
        admin,
        recruiter,
        revoked,
        candidate: s.token,
        session: s.session_id,
        other_session: o.session_id,
    }
}

pub(crate) fn technical_toml() -> String {
    std::fs::read_to_string("rubrics/technical.toml").unwrap()
}

#[tokio::test]
async fn every_endpoint_answers_each_kind_of_caller_as_designed() {
    let s = staffed().await;
    let review_path = format!("/api/sessions/{}/turns/1/review", s.session);
    let own = format!("/api/sessions/{}", s.session);
    let own_export = format!("/api/sessions/{}/export?format=csv", s.session);
    let new_rubric = technical_toml().replace("id = \"technical\"", "id = \"matrix-probe\"");
    let invite = json!({"topics": ["concurrency"], "level": "mid", "count": 1});
    let preview = json!({"question_id": "conc-gil-basics", "answer": "The GIL lets one thread run bytecode at a time."});
    let assignments = json!([{"kind": "technical", "topic": "", "rubric_id": "technical"}]);
    let (_, made) = s.app.create_invite(&s.admin, invite.clone()).await;
    let revocable = made["id"].as_str().unwrap().to_string();
    let erasable = s
        .app
        .connect()
        .await
        .start(&["algorithms"], "junior", 1)
        .await
        .session_id;

    // (method, path, body, [none, candidate, recruiter, admin, revoked])
    let cases: Vec<(Method, String, Option<Value>, [u16; 5])> = vec![
        (
            Method::GET,
            "/api/sessions".into(),
            None,
            [401, 403, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/sessions.csv?status=ended_early&needs_review=true".into(),
            None,
            [401, 403, 200, 200, 401],
        ),
        (Method::GET, own.clone(), None, [401, 200, 200, 200, 401]),
        (
            Method::GET,
            own_export.clone(),
            None,
            [401, 200, 200, 200, 401],
        ),
        (
            Method::POST,
            review_path.clone(),
            Some(json!({"comment": "checked"})),
            [401, 403, 201, 201, 401],
        ),
        // After the reviews above: the reviewed answer becomes a calibration example.
        (
            Method::POST,
            "/api/rubrics/technical/examples".into(),
            Some(json!({"session_id": s.session, "turn": 1})),
            [401, 403, 403, 201, 401],
        ),
        (
            Method::POST,
            "/api/invites".into(),
            Some(invite.clone()),
            [401, 403, 201, 201, 401],
        ),
        (
            Method::GET,
            "/api/invites".into(),
            None,
            [401, 403, 200, 200, 401],
        ),
        (
            Method::POST,
            "/api/invites/check".into(),
            Some(json!({"token": "nope"})),
            [404, 404, 404, 404, 404],
        ),
        (
            Method::GET,
            "/api/rubrics".into(),
            None,
            [401, 403, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/rubrics/technical".into(),
            None,
            [401, 403, 200, 200, 401],
        ),
        (
            Method::POST,
            "/api/rubrics/technical/preview".into(),
            Some(preview.clone()),
            [401, 403, 403, 200, 401],
        ),
        (
            Method::POST,
            "/api/rubrics/technical/calibrate".into(),
            None,
            [401, 403, 403, 200, 401],
        ),
        (
            Method::GET,
            "/api/rubric-assignments".into(),
            None,
            [401, 403, 200, 200, 401],
        ),
        (
            Method::PUT,
            "/api/rubric-assignments".into(),
            Some(assignments.clone()),
            [401, 403, 403, 200, 401],
        ),
        (
            Method::GET,
            "/api/catalog".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/openapi.json".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/healthz".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        // Revoking is idempotent: the recruiter revokes, the admin's revocation changes nothing.
        (
            Method::DELETE,
            format!("/api/invites/{revocable}"),
            None,
            [401, 403, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/audit-log".into(),
            None,
            [401, 403, 403, 200, 401],
        ),
        // The admin erases it; the revoked token is refused before the lookup.
        (
            Method::DELETE,
            format!("/api/sessions/{erasable}"),
            None,
            [401, 403, 403, 200, 401],
        ),
    ];
    let callers = [
        None,
        Some(s.candidate.as_str()),
        Some(s.recruiter.as_str()),
        Some(s.admin.as_str()),
        Some(s.revoked.as_str()),
    ];
    let names = ["no token", "candidate", "recruiter", "admin", "revoked"];
    for (method, path, body, expected) in &cases {
        for (i, caller) in callers.iter().enumerate() {
            let (status, body) = call(&s.app, method.clone(), path, *caller, body.clone()).await;
            assert_eq!(
                status.as_u16(),
                expected[i],
                "{method} {path} as {}: {body}",
                names[i]
            );
            if !status.is_success() {
                assert!(
                    body["code"].is_string() && body["message"].is_string(),
                    "{method} {path}: error shape {body}"
                );
            }
        }
    }
    // Rubric writes take TOML bodies.
    for (path, method, expected) in [
        ("/api/rubrics", Method::POST, [401, 403, 403, 201, 401]),
        (
            "/api/rubrics/technical",
            Method::PUT,
            [401, 403, 403, 200, 401],
        ),
    ] {
        for (i, caller) in callers.iter().enumerate() {
            let mut req = reqwest::Client::new()
                .request(method.clone(), s.app.url(path))
                .header("content-type", "application/toml");
            if let Some(t) = caller {
                req = req.bearer_auth(t);
            }
            let body = if method == Method::POST {
                new_rubric.replace("matrix-probe", &format!("matrix-probe-{i}"))
            } else {
                technical_toml()
            };
            let status = req.body(body).send().await.unwrap().status();
            assert_eq!(
                status.as_u16(),
                expected[i],
                "{method} {path} as {}",
                names[i]
            );
        }
    }
    // A candidate reaches only their own interview.
    let other = format!("/api/sessions/{}", s.other_session);
    assert_eq!(
        call(&s.app, Method::GET, &other, Some(&s.candidate), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, detail) = call(&s.app, Method::GET, &own, Some(&s.candidate), None).await;
    let sources: Vec<&str> = detail["turns"][0]["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["evaluation"]["source"].as_str().unwrap())
        .collect();
    assert!(
        !sources.contains(&"human"),
        "candidates do not see reviews: {sources:?}"
    );
}

#[tokio::test]
async fn invites_start_their_plan_once_and_refuse_when_expired_or_used_up() {
    let s = staffed().await;
    let (status, invite) = s.app.create_invite(&s.recruiter, json!({"candidate_name": "Grace", "candidate_email": "grace@example.com", "topics": ["behavioral", "scenarios"], "level": "senior", "count": 2, "max_uses": 1, "rubrics": {"behavioral": "behavioral-star"}}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let token = invite["token"].as_str().unwrap().to_string();
    assert_eq!(invite["link"], format!("/?invite={token}"));
    assert_eq!(invite["status"], "unused");

    let (status, check) = s.app.check_invite(json!({"token": token})).await;
    assert_eq!(
        (status, check["level"].as_str(), check["count"].as_i64()),
        (StatusCode::OK, Some("senior"), Some(2))
    );

    let consent = s.app.notice_version(&token).await;
    let mut c = s.app.connect().await;
    c.send(json!({"type": "start", "invite": token, "consent": consent}))
        .await;
    let session = c.recv().await;
    assert_eq!(session["type"], "session", "{session}");
    assert_eq!(
        session["plan"],
        json!({"topics": ["scenarios", "behavioral"], "level": "senior", "count": 2})
    );
    let id = session["session_id"].as_str().unwrap().to_string();
    let stored = s.app.store().await.session(&id).await.unwrap();
    assert_eq!(stored.invite_id.as_deref(), invite["id"].as_str());
    assert_eq!(stored.created_by.as_deref(), Some("rita-recruiter"));
    assert_eq!(stored.candidate_name.as_deref(), Some("Grace"));
    assert_eq!(stored.plan["rubrics"]["behavioral"], "behavioral-star");

    let mut again = s.app.connect().await;
    again.send(json!({"type": "start", "invite": token})).await;
    again.expect_error("invite_used_up").await;
    let (status, err) = s.app.check_invite(json!({"token": token})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::GONE, Some("invite_used_up"))
    );

    let (_, short) = s
        .app
        .create_invite(
            &s.admin,
            json!({"topics": ["concurrency"], "level": "mid", "expires_in_hours": 1}),
        )
        .await;
    s.app.clock.advance(std::time::Duration::from_secs(3601));
    let expired = short["token"].as_str().unwrap();
    let (status, err) = s.app.check_invite(json!({"token": expired})).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::GONE, Some("invite_expired"))
    );
    let mut late = s.app.connect().await;
    late.send(json!({"type": "start", "invite": expired})).await;
    late.expect_error("invite_expired").await;
    late.send(json!({"type": "start", "invite": "not-a-token"}))
        .await;
    late.expect_error("invite_invalid").await;

    for bad in [
        json!({"topics": [], "level": "mid"}),
        json!({"topics": ["concurrency"], "level": "mid", "count": 50}),
        json!({"topics": ["concurrency"], "level": "mid", "rubrics": {"technical": "no-such"}}),
        json!({"topics": ["concurrency"], "level": "mid", "rubrics": {"behavioral": "technical"}}),
        json!({"topics": ["concurrency"], "level": "mid", "max_uses": 0}),
    ] {
        let (status, err) = s.app.create_invite(&s.admin, bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {err}");
    }
    let (_, list) = s.app.list_invites(&s.recruiter).await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("token").is_none()),
        "tokens are shown only once"
    );
}

/// Runs a one-question interview to its summary; returns the session id.
async fn finished_interview(
    app: &TestApp,
    name: &str,
    topic: &str,
    level: &str,
    answer: &str,
) -> String {
    let mut c = app.connect().await;
    c.send(json!({"type": "start", "topics": [topic], "level": level, "count": 1, "candidate": {"name": name, "email": format!("{}@example.com", name.to_lowercase())}})).await;
    let session = c.recv().await;
    c.recv().await;
    c.answer_and_grade(answer, "f-1").await;
    c.send(json!({"type": "end"})).await;
    c.recv_until("summary").await;
    session["session_id"].as_str().unwrap().to_string()
}

const GOOD: &str = "The global interpreter lock lets only one thread execute Python bytecode at a time, so CPU bound \
    code gets no speed-up from threads. It is released during blocking I/O, so I/O bound threads still help, \
    because waiting threads let others run. For example, use multiprocessing for CPU work.";

#[tokio::test]
async fn the_session_list_filters_sorts_and_pages_without_gaps_or_repeats() {
    let s = staffed().await;
    let strong = finished_interview(&s.app, "Zoe", "concurrency", "junior", GOOD).await;
    let weak = finished_interview(
        &s.app,
        "Yann",
        "concurrency",
        "junior",
        "Threads are things.",
    )
    .await;
    let other = finished_interview(
        &s.app,
        "Xena",
        "algorithms",
        "senior",
        "I would sort the list.",
    )
    .await;

    let get = |q: &str| {
        let q = q.to_string();
        let app = &s.app;
        let t = s.recruiter.clone();
        async move {
            call(
                app,
                Method::GET,
                &format!("/api/sessions{q}"),
                Some(&t),
                None,
            )
            .await
            .1
        }
    };
    let ids = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap_or_else(|| panic!("not a page: {v}"))
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };

    let all = ids(&get("?limit=100").await);
    assert_eq!(all.len(), 5);
    assert_eq!(ids(&get("?status=finished").await).len(), 3);
    assert_eq!(
        ids(&get("?topic=algorithms").await).len(),
        2,
        "Xena's and the staffed candidate's other interview"
    );
    assert_eq!(ids(&get("?level=senior").await), [other]);
    assert_eq!(
        ids(&get("?candidate=zo").await),
        std::slice::from_ref(&strong),
        "case-insensitive name substring"
    );
    assert_eq!(
        ids(&get("?candidate=YANN%40EXAMPLE").await),
        [weak],
        "and email"
    );
    let strong_score = s
        .app
        .store()
        .await
        .session(&strong)
        .await
        .unwrap()
        .overall
        .unwrap();
    assert!(
        ids(&get(&format!("?min_score={strong_score}&status=finished")).await).contains(&strong)
    );
    // The question is drawn at random from the cell, so the answer may be off-topic and score 0.
    if strong_score > 0 {
        assert!(!ids(&get(&format!("?max_score={}", strong_score - 1)).await).contains(&strong));
    }
    assert_eq!(
        ids(&get("?from=4102444800000").await).len(),
        0,
        "nothing started after 2100"
    );

    // Pages of two, newest first, cover everything exactly once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = get(&format!(
            "?limit=2{}",
            cursor
                .as_ref()
                .map_or(String::new(), |c| format!("&cursor={c}"))
        ))
        .await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, all);

    let by_score = get("?sort=overall&order=asc&status=finished").await;
    let scores: Vec<i64> = by_score["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["overall"].as_i64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    let names: Vec<String> = get("?sort=candidate&order=asc&status=finished").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["candidate_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Xena", "Yann", "Zoe"]);

    for (bad, expected) in [
        ("?cursor=zzz", 422),
        ("?limit=0", 400),
        ("?min_score=101", 400),
        ("?status=paused", 400),
        ("?sort=overall&cursor=7b7d", 422),
    ] {
        let (status, err) = call(
            &s.app,
            Method::GET,
            &format!("/api/sessions{bad}"),
            Some(&s.admin),
            None,
        )
        .await;
        assert_eq!(status.as_u16(), expected, "{bad}: {err}");
        assert!(err["code"].is_string());
    }
}

#[tokio::test]
async fn exports_come_in_markdown_json_and_csv() {
    let s = staffed().await;
    let id = finished_interview(
        &s.app,
        "Eve",
        "concurrency",
        "junior",
        "=HYPERLINK(\"http://evil\") The GIL lets one thread run bytecode at a time.",
    )
    .await;
    let fetch = |format: &str| {
        let url = s
            .app
            .url(&format!("/api/sessions/{id}/export?format={format}"));
        let token = s.recruiter.clone();
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            (ct, r.text().await.unwrap())
        }
    };
    let (ct, md) = fetch("md").await;
    assert!(ct.starts_with("text/markdown"));
    assert!(
        md.contains("# Interview") && md.contains("Eve") && md.contains("**Score "),
        "{md}"
    );
    let (ct, js) = fetch("json").await;
    assert!(ct.starts_with("application/json"));
    let v: Value = serde_json::from_str(&js).unwrap();
    assert_eq!(v["session"]["id"], id.as_str());
    assert!(v["turns"][0]["evaluations"][0]["provenance"].is_object());
    let (ct, csv) = fetch("csv").await;
    assert!(ct.starts_with("text/csv"));
    assert!(csv.starts_with("turn,question_id,topic"));
    // Fields may span lines (a question with a code block), so the whole body is searched.
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")"),
        "formulas are defused: {csv}"
    );
    let (status, _) = call(
        &s.app,
        Method::GET,
        &format!("/api/sessions/{id}/export?format=pdf"),
        Some(&s.admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let cli = crate::helpers::rehearse(
        &[
            "--database-url",
            &s.app.db_url,
            "export",
            &id,
            "--format",
            "csv",
        ],
        None,
    );
    assert!(cli.status.success(), "{cli:?}");
    assert_eq!(
        String::from_utf8_lossy(&cli.stdout),
        csv,
        "the CLI exports the same CSV"
    );
}

#[tokio::test]
async fn a_review_is_a_new_evaluation_and_the_old_ones_stay() {
    let s = staffed().await;
    let path = format!("/api/sessions/{}/turns/1/review", s.session);
    let before = s
        .app
        .store()
        .await
        .current_evaluation(&s.session, 1)
        .await
        .unwrap()
        .unwrap();
    let first_criterion = before.evaluation.criteria[0].id.clone();

    let (status, reviewed) = call(&s.app, Method::POST, &path, Some(&s.recruiter), Some(json!({"criteria": {first_criterion.clone(): 5}, "comment": "Accuracy is better than the grader thought"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    assert_eq!(reviewed["evaluation"]["source"], "human");
    assert_eq!(reviewed["evaluation"]["criteria"][0]["score"], 5);
    assert_eq!(reviewed["provenance"]["reviewer"], "rita-recruiter");
    assert!(
        reviewed["evaluation"]["overall"].as_u64() > Some(u64::from(before.evaluation.overall)),
        "overall recomputed from the weights"
    );

    let (status, overridden) = call(
        &s.app,
        Method::POST,
        &path,
        Some(&s.admin),
        Some(json!({"overall": 42, "comment": "Calibrated against the panel"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(overridden["evaluation"]["overall"], 42);

    let (_, detail) = s.app.session_detail(&s.admin, &s.session).await;
    let turn = &detail["turns"][0];
    let trail: Vec<(&str, Option<&str>)> = turn["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["evaluation"]["source"].as_str().unwrap(),
                e["provenance"]["comment"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        trail,
        [
            ("builtin", None),
            ("human", Some("Accuracy is better than the grader thought")),
            ("human", Some("Calibrated against the panel"))
        ]
    );
    assert_eq!(turn["reviews"].as_array().unwrap().len(), 2);
    assert_eq!(
        turn["evaluations"][0]["evaluation"],
        serde_json::to_value(&before.evaluation).unwrap(),
        "the original is untouched"
    );

    for (bad, why) in [
        (
            json!({"criteria": {first_criterion.clone(): 9}, "comment": "x"}),
            "outside the scale",
        ),
        (
            json!({"criteria": {"nonsense": 3}, "comment": "x"}),
            "not a criterion",
        ),
        (json!({"overall": 101, "comment": "x"}), "outside 0–100"),
        (json!({"comment": "  "}), "needs a comment"),
    ] {
        let (status, err) = call(&s.app, Method::POST, &path, Some(&s.admin), Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["message"].as_str().unwrap().contains(why), "{err}");
    }
    let (status, _) = s
        .app
        .review(&s.admin, &s.session, 9, json!({"comment": "x"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = call(
        &s.app,
        Method::POST,
        &path,
        Some(&s.admin),
        Some(json!({"comment": "x", "extra": 1})),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
}

#[tokio::test]
async fn a_new_rubric_version_grades_new_answers_and_old_evaluations_keep_theirs() {
    let s = staffed().await;
    let old = s
        .app
        .store()
        .await
        .current_evaluation(&s.session, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            old.evaluation.rubric.id.as_str(),
            old.evaluation.rubric.version
        ),
        ("technical", 1)
    );

    let edited = technical_toml()
        .replace("pass_mark = 60", "pass_mark = 95")
        .replace(
            "name = \"Technical explanation\"",
            "name = \"Technical explanation (strict)\"",
        );
    let (status, saved) = s
        .app
        .send_rubric_toml(Method::PUT, "/api/rubrics/technical", &s.admin, edited)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 2);

    let mut c = s.app.connect().await;
    c.start(&["concurrency"], "junior", 1).await;
    let (_, e) = c.answer_and_grade(GOOD, "v2-1").await;
    assert_eq!(
        e["evaluation"]["rubric"],
        json!({"id": "technical", "version": 2})
    );
    assert_eq!(
        e["evaluation"]["passed"], false,
        "the stricter pass mark applies"
    );

    let after = s
        .app
        .store()
        .await
        .current_evaluation(&s.session, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, old, "stored evaluations never change");
    let (_, history) = call(
        &s.app,
        Method::GET,
        "/api/rubrics/technical",
        Some(&s.recruiter),
        None,
    )
    .await;
    let versions: Vec<i64> = history["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(history["versions"][1]["created_by"], "ada-admin");
    assert!(
        history["versions"][1]["source_text"]
            .as_str()
            .unwrap()
            .contains("pass_mark = 95")
    );

    // Reviewing the old evaluation uses the version it was graded with (pass mark 60).
    let (_, reviewed) = s
        .app
        .review(
            &s.admin,
            &s.session,
            1,
            json!({"overall": 70, "comment": "ok"}),
        )
        .await;
    assert_eq!(
        (
            reviewed["evaluation"]["passed"].as_bool(),
            reviewed["evaluation"]["rubric"]["version"].as_u64()
        ),
        (Some(true), Some(1))
    );
}

#[tokio::test]
async fn an_invalid_rubric_reports_every_problem_and_saves_nothing() {
    let s = staffed().await;
    let broken = technical_toml()
        .replace("weight = 3", "weight = 0")
        .replace(
            "5 = \"Excellent: complete, precise, explains why, shows practical judgement.\"",
            "",
        )
        .replace("signal = \"examples\"", "signal = \"vibes\"");
    let (status, err) = s
        .app
        .send_rubric_toml(Method::PUT, "/api/rubrics/technical", &s.admin, broken)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["code"], "invalid_rubric");
    let problems: Vec<String> = err["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}: {}",
                p["path"].as_str().unwrap(),
                p["message"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "criteria[0].weight: must be > 0",
        "scale.anchors: missing an anchor for score(s) 5",
        "criteria[2].signal: unknown signal `vibes`",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "missing `{expected}` in {problems:#?}"
        );
    }
    let json_body = json!({"id": "technical", "name": "", "kinds": ["poetry"], "scale": {"min": 1, "max": 3, "anchors": {"1": "a", "2": "b", "3": "c"}}, "criteria": [], "pass_mark": 150});
    let r = reqwest::Client::new()
        .put(s.app.url("/api/rubrics/technical"))
        .bearer_auth(&s.admin)
        .json(&json_body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = r.json().await.unwrap();
    let paths: Vec<&str> = err["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    for p in ["name", "kinds[0]", "criteria", "pass_mark"] {
        assert!(paths.contains(&p), "{p} in {paths:?}");
    }
    let (_, history) = call(
        &s.app,
        Method::GET,
        "/api/rubrics/technical",
        Some(&s.admin),
        None,
    )
    .await;
    assert_eq!(
        history["versions"].as_array().unwrap().len(),
        1,
        "nothing was saved"
    );

    let renamed = technical_toml().replace("id = \"technical\"", "id = \"other\"");
    let (status, err) = s
        .app
        .send_rubric_toml(Method::PUT, "/api/rubrics/technical", &s.admin, renamed)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, _) = s
        .app
        .send_rubric_toml(Method::POST, "/api/rubrics", &s.admin, technical_toml())
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "POST does not overwrite an existing rubric"
    );
}

#[tokio::test]
async fn preview_stores_nothing_and_calibration_reports_agreement() {
    let s = staffed().await;
    let store = s.app.store().await;
    let before = store.evaluations(&s.session).await.unwrap().len();
    let (status, preview) = s
        .app
        .preview_rubric(
            &s.admin,
            "technical",
            json!({"question_id": "conc-gil-basics", "answer": GOOD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["evaluation"]["source"], "builtin");
    assert!(preview["evaluation"]["overall"].as_u64().unwrap() > 50);
    assert!(preview["llm_error"].is_null());
    assert_eq!(store.evaluations(&s.session).await.unwrap().len(), before);
    let (status, _) = s
        .app
        .preview_rubric(
            &s.admin,
            "technical",
            json!({"question_id": "beh-teammate-conflict", "answer": "x"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "technical does not grade behavioral questions"
    );
    let (status, _) = s
        .app
        .preview_rubric(
            &s.admin,
            "nope",
            json!({"question_id": "conc-gil-basics", "answer": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, report) = call(
        &s.app,
        Method::POST,
        "/api/rubrics/technical/calibrate",
        Some(&s.admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["agreement"]["n"], 3);
    assert!(report["agreement"]["mean_absolute_error"].as_f64().unwrap() < 25.0);
    assert_eq!(
        (
            &report["agreement"]["spearman"],
            &report["agreement"]["correlation"]
        ),
        (&Value::Null, &json!("not_enough_examples")),
        "three examples give no correlation"
    );
    assert_eq!(report["examples"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn assignments_decide_which_rubric_grades_a_topic() {
    let s = staffed().await;
    let strict = technical_toml()
        .replace("id = \"technical\"", "id = \"technical-concurrency\"")
        .replace("pass_mark = 60", "pass_mark = 99");
    let (status, _) = s
        .app
        .send_rubric_toml(Method::POST, "/api/rubrics", &s.admin, strict)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, set) = s.app.set_assignments(&s.admin, json!([{"kind": "technical", "topic": "concurrency", "rubric_id": "technical-concurrency"}])).await;
    assert_eq!(status, StatusCode::OK, "{set}");

    let mut c = s.app.connect().await;
    c.start(&["concurrency"], "junior", 1).await;
    let (_, e) = c.answer_and_grade(GOOD, "as-1").await;
    assert_eq!(e["evaluation"]["rubric"]["id"], "technical-concurrency");
    let mut d = s.app.connect().await;
    d.start(&["data-structures"], "junior", 1).await;
    let (_, e) = d
        .answer_and_grade(
            "A dict maps hashable keys to values with average constant time lookups.",
            "as-2",
        )
        .await;
    assert_eq!(
        e["evaluation"]["rubric"]["id"], "technical",
        "other topics keep the default"
    );

    for bad in [
        json!([{"kind": "poetry", "rubric_id": "technical"}]),
        json!([{"kind": "technical", "topic": "cooking", "rubric_id": "technical"}]),
        json!([{"kind": "technical", "rubric_id": "no-such"}]),
        json!([{"kind": "technical", "rubric_id": "technical"}, {"kind": "technical", "rubric_id": "technical"}]),
    ] {
        let (status, err) = s.app.set_assignments(&s.admin, bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {err}");
    }
    let (_, now) = s.app.assignments(&s.recruiter).await;
    assert_eq!(
        now.as_array().unwrap().len(),
        1,
        "a refused update changes nothing"
    );
}

#[tokio::test]
async fn tokens_are_created_listed_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let run = |args: &[&str]| {
        let mut all = vec!["--database-url", url.as_str()];
        all.extend_from_slice(args);
        crate::helpers::rehearse(&all, None)
    };
    let created = run(&[
        "token",
        "create",
        "--role",
        "admin",
        "--name",
        "first-admin",
    ]);
    assert!(created.status.success(), "{created:?}");
    let token = String::from_utf8_lossy(&created.stdout).trim().to_string();
    assert!(token.starts_with("rh_") && token.len() == 67, "{token}");
    assert_eq!(
        run(&[
            "token",
            "create",
            "--role",
            "admin",
            "--name",
            "first-admin"
        ])
        .status
        .code(),
        Some(2),
        "names are unique"
    );
    assert_eq!(
        run(&["token", "create", "--role", "admin", "--name", "bad name!"])
            .status
            .code(),
        Some(2)
    );
    let list = String::from_utf8_lossy(&run(&["token", "list"]).stdout).to_string();
    assert!(
        list.contains("first-admin") && list.contains("admin") && !list.contains(&token[3..]),
        "{list}"
    );
    assert!(run(&["token", "revoke", "first-admin"]).status.success());
    assert!(String::from_utf8_lossy(&run(&["token", "list"]).stdout).contains("REVOKED"));
    assert_eq!(run(&["token", "revoke", "nobody"]).status.code(), Some(2));
}

#[tokio::test]
async fn guessing_tokens_is_rate_limited_per_address_and_busy_tokens_per_token() {
    let app = spawn_app_with(|s| {
        s.server.logins_per_minute = 5.0;
        s.server.token_requests_per_second = 1.0;
        s.server.token_request_burst = 3.0;
    })
    .await;
    let mut codes = Vec::new();
    for i in 0..8 {
        codes.push(
            call(
                &app,
                Method::GET,
                "/api/sessions",
                Some(&format!("rh_guess{i}")),
                None,
            )
            .await
            .0
            .as_u16(),
        );
    }
    assert_eq!(&codes[..5], [401; 5], "{codes:?}");
    assert!(codes[5..].iter().all(|&c| c == 429), "{codes:?}");

    let (_, admin) = create_token(&app.store().await, "busy", Role::Admin)
        .await
        .unwrap();
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(app.list_invites(&admin).await.0.as_u16());
    }
    assert_eq!(codes, [200, 200, 200, 429, 429]);
}

#[tokio::test]
async fn a_rubric_edit_on_one_replica_reaches_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let settings = crate::app::test_settings(&dir);
    let a = rehearse::startup::services(&settings).await.unwrap();
    let b = rehearse::startup::services(&settings).await.unwrap();
    let edited = technical_toml().replace("pass_mark = 60", "pass_mark = 70");
    rehearse::staff::save_version(
        &a,
        rehearse::staff::RubricInput::Toml(&edited),
        Some("technical"),
        "ada",
    )
    .await
    .unwrap();
    assert_eq!(
        b.rubrics.latest("technical").unwrap().version,
        1,
        "not yet seen"
    );
    assert_eq!(rehearse::staff::refresh_registry(&b).await.unwrap(), 1);
    let seen = b.rubrics.latest("technical").unwrap();
    assert_eq!((seen.version, seen.pass_mark), (2, 70));
    assert_eq!(
        rehearse::staff::refresh_registry(&b).await.unwrap(),
        0,
        "nothing new the second time"
    );
}

#[tokio::test]
async fn the_api_describes_itself_in_openapi_3_1_with_an_offline_swagger_ui() {
    let app = crate::app::spawn_app().await;
    let (status, doc) = call(&app, Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/sessions",
        "/api/sessions/{id}",
        "/api/sessions/{id}/export",
        "/api/sessions/{id}/turns/{turn}/review",
        "/api/invites",
        "/api/rubrics/{id}/calibrate",
        "/api/rubrics/{id}/examples",
        "/api/rubric-assignments",
    ] {
        assert!(paths.contains_key(p), "{p} is described");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(
        doc["components"]["schemas"]["Level"]["enum"],
        json!(["junior", "mid", "senior"])
    );

    let page = reqwest::get(app.url("/api/docs/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Swagger UI"));
    let bundle = reqwest::get(app.url("/api/docs/swagger-ui-bundle.js"))
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200, "served from the binary, no CDN");
    let init = reqwest::get(app.url("/api/docs/swagger-initializer.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/openapi.json"));

    let wrong = reqwest::Client::new()
        .delete(app.url("/api/rubrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.headers()["allow"], "GET, POST");
}
