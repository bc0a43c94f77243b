//! Rubric administration beyond editing: reviewed answers promoted to calibration examples, the
//! calibration's minimum sample for a correlation, assignments that must fit the kind (API, on
//! SQLite and PostgreSQL), and the pages that create rubrics, set assignments, compare versions
//! and promote answers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use rehearse::tokens::Role;

use crate::app::{TestApp, call, spawn_app};
use crate::helpers::question;
use crate::staff_pages::{logged_in, text_of, token};

crate::app::on_both_backends!(
    reviewed_answers_become_calibration_examples_of_the_rubric_that_graded_them,
    calibration_reports_a_correlation_only_from_eight_examples,
    an_assignment_must_name_a_rubric_that_grades_its_kind,
);

const ANSWER: &str = "The GIL lets only one thread run Python bytecode at a time, so threads do not speed up CPU-bound work.";

/// One graded answer to a concurrency question (graded by the `technical` rubric); the session id.
async fn graded_answer(app: &TestApp) -> String {
    let mut c = app.connect().await;
    let s = c.start(&["concurrency"], "junior", 1).await;
    c.answer_and_grade(ANSWER, "r-1").await;
    s.session_id
}

/// An API refusal: its status, and a message that says why.
fn refused((status, body): (StatusCode, Value), expected: StatusCode, why: &str) {
    assert_eq!(status, expected, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(why), "{why:?} in {body}");
}

/// A reviewer's overall for the session's first turn.
async fn review(app: &TestApp, token: &str, session: &str, overall: u8) {
    let body = json!({"overall": overall, "comment": "Checked against the key points."});
    let (status, review) = app.review(token, session, 1, body).await;
    assert_eq!(status, StatusCode::CREATED, "{review}");
}

async fn reviewed_answers_become_calibration_examples_of_the_rubric_that_graded_them(app: TestApp) {
    let admin = token(&app, "ada", Role::Admin).await;
    let session = graded_answer(&app).await;

    refused(
        app.add_calibration_example(&admin, "technical", &session, 1)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no human review",
    );

    review(&app, &admin, &session, 77).await;
    refused(
        app.add_calibration_example(&admin, "behavioral-star", &session, 1)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "graded by rubric `technical`",
    );

    let (status, added) = app
        .add_calibration_example(&admin, "technical", &session, 1)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(
        (added["id"].as_str(), added["version"].as_u64()),
        (Some("technical"), Some(2))
    );
    assert_eq!(added["example"]["answer"], ANSWER);
    assert_eq!(added["example"]["expected_overall"], 77);
    let examples = added["rubric"]["calibration"].as_array().unwrap();
    assert_eq!(examples.len(), 4, "the three shipped examples and this one");
    assert_eq!(examples[3], added["example"]);

    // The new version keeps the document as written (its comments too) and grows by one example.
    let (_, history) = call(
        &app,
        Method::GET,
        "/api/rubrics/technical",
        Some(&admin),
        None,
    )
    .await;
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    let (v1, v2) = (
        versions[0]["source_text"].as_str().unwrap(),
        versions[1]["source_text"].as_str().unwrap(),
    );
    assert!(v2.starts_with(v1), "the earlier text is kept as it was");
    assert_eq!(v2.matches("[[calibration]]").count(), 4);
    assert_eq!(versions[1]["created_by"], "ada");

    refused(
        app.add_calibration_example(&admin, "technical", &session, 1)
            .await,
        StatusCode::CONFLICT,
        "already calibration example 4",
    );

    let (status, report) = app.calibrate_rubric(&admin, "technical").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report["agreement"]["n"], 4,
        "the promoted answer is counted"
    );
    assert_eq!(report["version"], 2);

    for (rubric, session_id, turn, expected) in [
        ("technical", "no-such-session", 1, StatusCode::NOT_FOUND),
        ("technical", session.as_str(), 9, StatusCode::NOT_FOUND),
        ("no-such-rubric", session.as_str(), 1, StatusCode::NOT_FOUND),
    ] {
        let (status, body) = app
            .add_calibration_example(&admin, rubric, session_id, turn)
            .await;
        assert_eq!(status, expected, "{rubric} {session_id} {turn}: {body}");
        assert!(body["code"].is_string(), "{body}");
    }
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/rubrics/technical/examples",
        Some(&admin),
        Some(json!({"session_id": session, "turn": 1, "extra": true})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
}

/// `n` calibration examples with spread: each question's key points in full, in part and not
/// at all, with expected scores to match.
fn examples(n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for id in ["conc-gil-basics", "core-mutable-vs-immutable"] {
        let points: Vec<String> = question(id)
            .key_points
            .iter()
            .map(|k| format!("{}.", k.text))
            .collect();
        let half = points.len().div_ceil(2);
        for (answer, expected) in [
            (points.join(" "), 90),
            (points[..half].join(" "), 60),
            (points[0].clone(), 35),
            ("I do not know, sorry.".to_string(), 5),
        ] {
            out.push(json!({"question_id": id, "answer": answer, "expected_overall": expected}));
        }
    }
    out.truncate(n);
    out
}

async fn calibration_reports_a_correlation_only_from_eight_examples(app: TestApp) {
    let admin = token(&app, "ada", Role::Admin).await;
    let (_, history) = call(
        &app,
        Method::GET,
        "/api/rubrics/technical",
        Some(&admin),
        None,
    )
    .await;
    let mut doc = history["versions"][0]["rubric"].clone();
    doc["id"] = json!("calibrated");
    doc["calibration"] = json!(examples(7));
    let (status, created) = call(
        &app,
        Method::POST,
        "/api/rubrics",
        Some(&admin),
        Some(doc.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    let (status, report) = app.calibrate_rubric(&admin, "calibrated").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let a = &report["agreement"];
    assert_eq!(a["n"], 7);
    assert_eq!(a["spearman"], Value::Null, "{report}");
    assert_eq!(a["correlation"], "not_enough_examples");
    assert_eq!(a["min_examples"], 8);
    assert!(
        a["mean_absolute_error"].is_f64(),
        "the error is still reported: {a}"
    );
    assert_eq!(report["examples"].as_array().unwrap().len(), 7);

    doc["calibration"] = json!(examples(8));
    let (status, saved) = call(
        &app,
        Method::PUT,
        "/api/rubrics/calibrated",
        Some(&admin),
        Some(doc),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, report) = app.calibrate_rubric(&admin, "calibrated").await;
    let a = &report["agreement"];
    assert_eq!(a["n"], 8);
    assert_eq!(a["correlation"], "spearman", "{report}");
    let rho = a["spearman"]
        .as_f64()
        .expect("a correlation from eight examples");
    assert!(rho > 0.0, "full answers outrank empty ones: {report}");
}

async fn an_assignment_must_name_a_rubric_that_grades_its_kind(app: TestApp) {
    let admin = token(&app, "ada", Role::Admin).await;
    refused(
        app.set_assignments(
            &admin,
            json!([{"kind": "technical", "topic": "concurrency", "rubric_id": "behavioral-star"}]),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rubric `behavioral-star` does not grade technical questions",
    );
    let (_, now) = app.assignments(&admin).await;
    assert_eq!(now, json!([]), "nothing changed");
    let (status, set) = app
        .set_assignments(
            &admin,
            json!([{"kind": "behavioral", "rubric_id": "behavioral-star"}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
}

#[tokio::test]
async fn recruiters_cannot_create_rubrics_set_assignments_or_promote_answers() {
    let app = spawn_app().await;
    let recruiter = logged_in(&app, &token(&app, "rita", Role::Recruiter).await).await;
    for (path, form) in [
        (
            "/admin/rubrics",
            vec![("id", "x"), ("source", "name = \"x\"")],
        ),
        (
            "/admin/rubric-assignments",
            vec![
                ("kind", "technical"),
                ("topic", ""),
                ("rubric_id", "technical"),
            ],
        ),
        (
            "/admin/rubric-assignments/remove",
            vec![("kind", "technical"), ("topic", "")],
        ),
        ("/admin/sessions/x/turns/1/promote", vec![]),
    ] {
        let page = recruiter.post(path, &form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(text_of(&page.body).contains("recruiter role"), "{path}");
    }
    assert!(
        app.store()
            .await
            .rubric_versions("x")
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
}

#[tokio::test]
async fn a_new_rubric_starts_from_a_copy_and_is_validated_before_it_is_stored() {
    let app = spawn_app().await;
    let b = logged_in(&app, &token(&app, "ada", Role::Admin).await).await;
    let store = app.store().await;
    let page = b.get("/admin/rubrics").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = text_of(&page.body);
    assert!(
        text.contains("name = \"Technical explanation\"") && !text.contains("id = \"technical\""),
        "the technical rubric, without its id, is the default copy"
    );
    let behavioral = text_of(&b.get("/admin/rubrics?copy=behavioral-star").await.body);
    assert!(behavioral.contains("kinds = [\"behavioral\"]"));

    let copy = crate::admin_api::technical_toml()
        .replace("id = \"technical\"\n", "")
        .replace("version = 1\n", "");
    let refused = b
        .post("/admin/rubrics", &[("id", ""), ("source", &copy)])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&refused.body).contains("Give the new rubric an id."));

    let invalid = copy.replacen("weight = 3", "weight = 0", 1);
    let refused = b
        .post("/admin/rubrics", &[("id", "strict"), ("source", &invalid)])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = text_of(&refused.body);
    assert!(text.contains("criteria[0].weight: must be > 0"), "{text}");
    assert!(text.contains("nothing was saved"));
    assert!(
        refused.body.contains(&handlebars::html_escape(&invalid)),
        "the submitted text is kept"
    );
    let mismatch = format!("id = \"other\"\n{copy}");
    let refused = b
        .post("/admin/rubrics", &[("id", "strict"), ("source", &mismatch)])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text_of(&refused.body).contains("the document says `other` but the id field says `strict`")
    );
    assert!(
        store.rubric_versions("strict").await.unwrap().is_empty(),
        "nothing stored"
    );

    let strict = copy.replace("pass_mark = 60", "pass_mark = 80");
    let created = b
        .post("/admin/rubrics", &[("id", "strict"), ("source", &strict)])
        .await;
    assert_eq!(
        created.status,
        StatusCode::SEE_OTHER,
        "{}",
        text_of(&created.body)
    );
    assert_eq!(
        created.location.as_deref(),
        Some("/admin/rubrics/strict?saved=1")
    );
    let stored = store.rubric_versions("strict").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].source_text, format!("id = \"strict\"\n{strict}"));
    assert_eq!(stored[0].created_by.as_deref(), Some("ada"));
    let page = b.get("/admin/rubrics/strict?saved=1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(text_of(&page.body).contains("Saved as version 1."));

    let again = b
        .post("/admin/rubrics", &[("id", "strict"), ("source", &strict)])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&again.body).contains("A rubric with the id “strict” exists already"));
    assert_eq!(store.rubric_versions("strict").await.unwrap().len(), 1);
}

#[tokio::test]
async fn assignments_are_set_and_removed_from_the_rubric_list() {
    let app = spawn_app().await;
    let b = logged_in(&app, &token(&app, "ada", Role::Admin).await).await;
    let set = |kind: &'static str, topic: &'static str, rubric: &'static str| {
        [("kind", kind), ("topic", topic), ("rubric_id", rubric)]
    };
    let page = b.get("/admin/rubrics").await;
    assert!(
        page.body
            .contains(r#"data-kind="technical" data-topic="" data-rubric="technical""#),
        "each kind shows its shipped default"
    );

    let refused = b
        .post(
            "/admin/rubric-assignments",
            &set("technical", "concurrency", "behavioral-star"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text_of(&refused.body).contains(
            "rubric `behavioral-star` does not grade technical questions; nothing was changed."
        ),
        "{}",
        text_of(&refused.body)
    );
    assert!(app.store().await.assignments().await.unwrap().is_empty());

    let saved = b
        .post(
            "/admin/rubric-assignments",
            &set("scenario", "concurrency", "technical"),
        )
        .await;
    assert_eq!(
        saved.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "technical grades no scenarios"
    );
    let strict =
        crate::admin_api::technical_toml().replace("id = \"technical\"", "id = \"strict\"");
    let admin = token(&app, "api-admin", Role::Admin).await;
    let (status, _) = app
        .send_rubric_toml(Method::POST, "/api/rubrics", &admin, strict)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let saved = b
        .post(
            "/admin/rubric-assignments",
            &set("technical", "concurrency", "strict"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location.as_deref(),
        Some("/admin/rubrics?assigned=1#assignments")
    );
    let (_, list) = app.assignments(&admin).await;
    assert_eq!(
        list,
        json!([{"kind": "technical", "topic": "concurrency", "rubric_id": "strict"}])
    );
    let page = b.get("/admin/rubrics?assigned=1").await;
    assert!(text_of(&page.body).contains("Assignments saved."));
    assert!(
        page.body
            .contains(r#"data-kind="technical" data-topic="concurrency" data-rubric="strict""#)
    );

    // Setting the same kind and topic again replaces the rubric; removing it empties the list.
    b.post(
        "/admin/rubric-assignments",
        &set("technical", "concurrency", "technical"),
    )
    .await;
    let (_, list) = app.assignments(&admin).await;
    assert_eq!(list[0]["rubric_id"], "technical");
    assert_eq!(list.as_array().unwrap().len(), 1);
    let removed = b
        .post(
            "/admin/rubric-assignments/remove",
            &[("kind", "technical"), ("topic", "concurrency")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(app.assignments(&admin).await.1, json!([]));
    let missing = b
        .post(
            "/admin/rubric-assignments/remove",
            &[("kind", "technical"), ("topic", "concurrency")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&missing.body).contains("There is no assignment for technical (concurrency)"));
}

#[tokio::test]
async fn the_rubric_page_compares_two_versions_line_by_line_with_markup_escaped() {
    let app = spawn_app().await;
    let b = logged_in(&app, &token(&app, "ada", Role::Admin).await).await;
    let page = b.get("/admin/rubrics/technical").await;
    assert!(
        page.body.contains(r#"data-testid="diff-none""#),
        "one version: nothing to compare"
    );

    let edited = crate::admin_api::technical_toml().replace(
        "pass_mark = 60",
        "pass_mark = 70\n# <script>alert(1)</script>",
    );
    let saved = b
        .post("/admin/rubrics/technical", &[("source", &edited)])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = b.get("/admin/rubrics/technical").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(
        text_of(body).contains("v1 → v2: 2 line(s) added, 1 removed."),
        "{}",
        text_of(body)
    );
    assert!(body.contains(r#"data-change="removed""#) && body.contains(r#"data-change="added""#));
    assert!(
        !body.contains("<script>alert(1)"),
        "markup in the source is escaped"
    );
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        body.contains(r#"data-testid="diff-skipped""#),
        "long unchanged runs are left out"
    );
    assert!(!body.contains(" style="), "no inline style");

    let reversed = b.get("/admin/rubrics/technical?from=2&to=1").await;
    assert!(text_of(&reversed.body).contains("v2 → v1: 1 line(s) added, 2 removed."));
    let same = b.get("/admin/rubrics/technical?from=v1&to=1").await;
    assert!(text_of(&same.body).contains("v1 → v1: 0 line(s) added, 0 removed."));
    let unknown = b.get("/admin/rubrics/technical?from=9").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&unknown.body).contains("There is no version “9” of this rubric to compare."));
}

#[tokio::test]
async fn an_admin_promotes_a_reviewed_answer_from_the_transcript_and_calibration_counts_it() {
    let app = spawn_app().await;
    let admin_token = token(&app, "ada", Role::Admin).await;
    let b = logged_in(&app, &admin_token).await;
    let recruiter = logged_in(&app, &token(&app, "rita", Role::Recruiter).await).await;
    let session = graded_answer(&app).await;
    let transcript = format!("/admin/sessions/{session}");
    assert!(
        !b.get(&transcript)
            .await
            .body
            .contains(r#"data-testid="promote-form""#),
        "no review yet: nothing to promote"
    );

    let calibrated = b.post("/admin/rubrics/technical/calibrate", &[]).await;
    let text = text_of(&calibrated.body);
    assert!(text.contains("not enough examples (3 of 8)"), "{text}");
    assert!(
        text.contains("(n = 3)"),
        "the error carries its sample size: {text}"
    );

    review(&app, &admin_token, &session, 64).await;
    let page = b.get(&transcript).await;
    let action = format!("/admin/sessions/{session}/turns/1/promote");
    assert!(
        page.body.contains(&format!(r#"action="{action}""#)),
        "admins get the button"
    );
    assert!(text_of(&page.body).contains("scores this answer 64/100"));
    assert!(
        !recruiter
            .get(&transcript)
            .await
            .body
            .contains(r#"data-testid="promote-form""#),
        "recruiters do not"
    );

    let promoted = b.post(&action, &[]).await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        promoted.location.as_deref(),
        Some("/admin/rubrics/technical?added=2#calibration")
    );
    let page = b.get("/admin/rubrics/technical?added=2").await;
    let text = text_of(&page.body);
    assert!(
        text.contains("The reviewed answer is now calibration example 4 (saved as version 2)."),
        "{text}"
    );
    let calibrated = b.post("/admin/rubrics/technical/calibrate", &[]).await;
    let text = text_of(&calibrated.body);
    assert!(text.contains("not enough examples (4 of 8)"), "{text}");
    assert_eq!(
        calibrated
            .body
            .matches(r#"data-testid="calibration-row""#)
            .count(),
        4
    );

    let again = b.post(&action, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(text_of(&again.body).contains("already calibration example 4 of rubric `technical`"));
}
