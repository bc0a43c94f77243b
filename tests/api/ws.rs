//! The interview socket end to end, over real connections to a real server.

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::app::{Client, spawn_app, spawn_app_with, spawn_on};
use crate::helpers::question;

const DECENT: &str = "I would explain the idea first, then walk through an example, because the example \
    shows the trade-off: it is simpler to read, but it costs memory. For instance, in production we \
    measured the difference with a profiler before deciding.";

/// Answers every question until the summary arrives; returns the questions asked and the summary.
async fn run_to_summary(client: &mut Client, first: Value) -> (Vec<Value>, Value) {
    let mut questions = vec![first];
    let mut n = 0;
    loop {
        n += 1;
        client.answer_and_grade(DECENT, &format!("m-{n}")).await;
        let next = client.recv().await;
        match next["type"].as_str() {
            Some("question") => questions.push(next),
            Some("summary") => return (questions, next),
            _ => panic!("unexpected {next}"),
        }
    }
}

#[tokio::test]
async fn a_full_interview_reaches_the_summary() {
    let app = spawn_app().await;
    let mut c = app.connect().await;
    let started = c.start(&["concurrency", "python-core"], "junior", 2).await;
    let q = &started.question;
    assert_eq!(
        (q["turn"].as_i64(), q["index"].as_u64(), q["of"].as_u64()),
        (Some(1), Some(1), Some(2))
    );
    assert_eq!(q["follow_up"], false);
    assert_eq!(
        question(q["question_id"].as_str().unwrap()).text,
        q["text"].as_str().unwrap()
    );

    let (questions, summary) = run_to_summary(&mut c, started.question.clone()).await;
    let mains: Vec<&Value> = questions
        .iter()
        .filter(|q| q["follow_up"] == false)
        .collect();
    assert_eq!(mains.len(), 2, "two main questions were planned");
    let topics: Vec<&str> = mains.iter().map(|q| q["topic"].as_str().unwrap()).collect();
    assert!(
        topics.contains(&"concurrency") && topics.contains(&"python-core"),
        "spread across topics: {topics:?}"
    );
    for f in questions.iter().filter(|q| q["follow_up"] == true) {
        assert!(f["index"].as_u64().unwrap() <= 2);
    }

    assert_eq!(summary["session_id"], started.session_id.as_str());
    assert_eq!(summary["by_topic"].as_array().unwrap().len(), 2);
    assert_eq!(summary["turns"].as_array().unwrap().len(), questions.len());
    assert!(summary["overall"].as_u64().unwrap() <= 100);

    let store = app.store().await;
    let s = store.session(&started.session_id).await.unwrap();
    assert_eq!(s.status, rehearse::store::SessionStatus::Finished);
    assert_eq!(s.overall, summary["overall"].as_i64());
    let turns = store.turns(&started.session_id).await.unwrap();
    assert_eq!(turns.len(), questions.len());
    assert!(
        turns
            .iter()
            .all(|t| t.answer_text.as_deref() == Some(DECENT))
    );
}

#[tokio::test]
async fn an_answer_is_stored_when_it_is_acknowledged_and_its_evaluation_when_sent() {
    let app = spawn_app().await;
    let store = app.store().await;
    let mut c = app.connect().await;
    let s = c.start(&["behavioral"], "mid", 1).await;
    c.answer(
        "Last year I had to fix a failing release at my previous company.",
        "ack-1",
    )
    .await;
    let ack = c.recv().await;
    assert_eq!(
        ack,
        json!({"type": "ack", "turn": 1, "client_msg_id": "ack-1"})
    );
    let turn = store.turn(&s.session_id, 1).await.unwrap();
    assert_eq!(
        turn.answer_text.as_deref(),
        Some("Last year I had to fix a failing release at my previous company.")
    );
    assert!(turn.answer_duration_ms.unwrap() >= 0);

    let (evaluation, deltas) = c.recv_until("evaluation").await;
    let feedback: String = deltas.iter().map(|d| d["text"].as_str().unwrap()).collect();
    assert!(feedback.contains("/100"), "{feedback}");
    let stored = store
        .current_evaluation(&s.session_id, 1)
        .await
        .unwrap()
        .expect("stored before sent");
    // A follow-up is coming, so the candidate sees the open form: covered points, hints for
    // the rest, no missing point named; the store keeps everything.
    assert_eq!(evaluation["closed"], false);
    assert_eq!(
        serde_json::to_value(rehearse::evaluate::while_open(&stored.evaluation)).unwrap(),
        evaluation["evaluation"]
    );
    assert!(evaluation.get("model_answer").is_none());
    assert!(
        evaluation["evaluation"]["star"].is_object(),
        "behavioral answers carry STAR"
    );
}

#[tokio::test]
async fn a_missing_star_part_gets_at_most_two_follow_ups() {
    let app = spawn_app().await;
    let mut c = app.connect().await;
    let s = c.start(&["behavioral"], "junior", 2).await;
    let thin = "We had a hard project and it was difficult for everyone on the team.";
    let (_, e) = c.answer_and_grade(thin, "t-1").await;
    assert!(
        e["evaluation"]["follow_up"]["target"]
            .as_str()
            .unwrap()
            .starts_with("star:")
    );
    let f1 = c.recv().await;
    assert_eq!(
        (
            f1["follow_up"].as_bool(),
            f1["index"].as_u64(),
            f1["turn"].as_i64()
        ),
        (Some(true), Some(1), Some(2))
    );
    assert_eq!(f1["question_id"], s.question["question_id"]);
    assert_eq!(f1["text"], e["evaluation"]["follow_up"]["text"]);
    c.answer_and_grade("It was hard.", "t-2").await;
    let f2 = c.recv().await;
    assert_eq!(
        (f2["follow_up"].as_bool(), f2["turn"].as_i64()),
        (Some(true), Some(3))
    );
    c.answer_and_grade("Still hard.", "t-3").await;
    let next = c.recv().await;
    assert_eq!(
        (next["follow_up"].as_bool(), next["index"].as_u64()),
        (Some(false), Some(2)),
        "{next}"
    );
}

#[tokio::test]
async fn a_follow_up_answer_is_graded_with_the_main_answer() {
    let app = spawn_app().await;
    let mut c = app.connect().await;
    c.start(&["behavioral"], "mid", 1).await;
    let (_, first) = c.answer_and_grade(
        "At my last job a teammate and I disagreed about an approach in code review. I had to resolve it \
         before the sprint ended. I set up a one on one call and listened to his side, then I wrote a \
         benchmark comparing the two designs.",
        "g-1",
    )
    .await;
    assert_eq!(first["evaluation"]["star"]["result"]["present"], false);
    let follow = c.recv().await;
    assert_eq!(follow["follow_up"], true);
    let (_, second) = c
        .answer_and_grade(
            "As a result the endpoint got 40% faster and we still work well together.",
            "g-2",
        )
        .await;
    let star = &second["evaluation"]["star"];
    assert_eq!(star["result"]["present"], true);
    assert_eq!(star["action"]["present"], true, "earlier parts still count");
    assert!(second["evaluation"]["overall"].as_u64() > first["evaluation"]["overall"].as_u64());
}

#[tokio::test]
async fn skip_moves_on_and_end_summarises_what_was_asked() {
    let app = spawn_app().await;
    let mut c = app.connect().await;
    c.start(&["algorithms"], "mid", 3).await;
    c.send(json!({"type": "skip"})).await;
    let q2 = c.recv().await;
    assert_eq!(
        (q2["type"].as_str(), q2["index"].as_u64()),
        (Some("question"), Some(2))
    );
    c.send(json!({"type": "end"})).await;
    let summary = c.recv().await;
    assert_eq!(summary["type"], "summary");
    let turns = summary["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 2, "the third question was never asked");
    assert!(turns.iter().all(|t| t["skipped"] == true));
    assert_eq!(summary["overall"], 0);
    assert_eq!(summary["passed"], false);
    c.answer("too late", "late-1").await;
    c.expect_error("interview_finished").await;
}

async fn resume(c: &mut Client, session_id: &str, token: &str) -> (Value, Value) {
    c.send(json!({"type": "resume", "session_id": session_id, "resume_token": token}))
        .await;
    let session = c.recv().await;
    assert_eq!(session["type"], "session", "{session}");
    assert_eq!(session["session_id"], session_id);
    let transcript = c.recv().await;
    assert_eq!(transcript["type"], "transcript", "{transcript}");
    let next = c.recv().await;
    (transcript, next)
}

#[tokio::test]
async fn a_dropped_connection_resumes_where_it_stopped() {
    let app = spawn_app().await;
    let mut c = app.connect().await;
    let s = c.start(&["data-structures"], "senior", 2).await;
    c.answer_and_grade(DECENT, "r-1").await;
    let open = c.recv().await;
    drop(c);

    let mut c = app.connect().await;
    let (transcript, next) = resume(&mut c, &s.session_id, &s.token).await;
    let turns = transcript["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[0]["answer"], DECENT);
    assert!(turns[0]["evaluation"]["overall"].is_u64());
    assert!(turns[1]["answer"].is_null());
    assert_eq!(next, open, "the open question is asked again");
    let (_, summary) = run_to_summary(&mut c, next).await;
    assert_eq!(summary["type"], "summary");

    let mut again = app.connect().await;
    let (_, after) = resume(&mut again, &s.session_id, &s.token).await;
    assert_eq!(
        after["type"], "summary",
        "a finished interview resumes to its summary"
    );
}

#[tokio::test]
async fn an_interview_resumes_after_the_server_restarts_on_the_same_database() {
    let app = spawn_app().await;
    let mut c = app.connect().await;
    let s = c.start(&["ecosystem"], "junior", 2).await;
    c.answer_and_grade(DECENT, "x-1").await;
    let open = c.recv().await;
    let settings_dir = app.stop().await;
    drop(c);

    let mut settings = crate::app::test_settings(&settings_dir);
    settings.server.bind = "127.0.0.1:0".into();
    let app = spawn_on(settings, settings_dir).await;
    let mut c = app.connect().await;
    let (transcript, next) = resume(&mut c, &s.session_id, &s.token).await;
    assert_eq!(transcript["turns"][0]["answer"], DECENT);
    assert_eq!(next["turn"], open["turn"]);
    assert_eq!(next["text"], open["text"]);
}

#[tokio::test]
async fn a_resent_answer_creates_no_second_turn() {
    let app = spawn_app().await;
    let store = app.store().await;
    let mut c = app.connect().await;
    let s = c.start(&["modern-python"], "mid", 2).await;
    let (ack, _) = c.answer_and_grade(DECENT, "same-id").await;
    let _next = c.recv().await;
    c.answer(DECENT, "same-id").await;
    assert_eq!(c.recv().await, ack, "a resend is acknowledged again");
    drop(c);

    // After reconnecting, the page resends answers it never saw acknowledged.
    let mut c = app.connect().await;
    resume(&mut c, &s.session_id, &s.token).await;
    c.answer(DECENT, "same-id").await;
    assert_eq!(c.recv().await, ack);
    let turns = store.turns(&s.session_id).await.unwrap();
    assert_eq!(turns.iter().filter(|t| t.answer_text.is_some()).count(), 1);
    assert_eq!(
        store.evaluations(&s.session_id).await.unwrap().len(),
        1,
        "graded once"
    );
}

#[tokio::test]
async fn resuming_elsewhere_takes_the_interview_over() {
    let app = spawn_app().await;
    let mut first = app.connect().await;
    let s = first.start(&["concurrency"], "mid", 1).await;
    let mut second = app.connect().await;
    resume(&mut second, &s.session_id, &s.token).await;
    let m = first.recv().await;
    assert_eq!(
        (m["code"].as_str(), m["fatal"].as_bool()),
        (Some("session_taken_over"), Some(true))
    );
    let close = first.recv_close().await.expect("closed with a frame");
    assert_eq!(close.code, CloseCode::Policy);
    second.answer_and_grade(DECENT, "t-1").await;
}

#[tokio::test]
async fn bad_input_gets_an_error_and_the_connection_stays_open() {
    let app = spawn_app_with(|s| {
        s.server.max_answer_bytes = 100;
        s.server.message_burst = 100.0;
    })
    .await;
    let mut c = app.connect().await;
    c.send_text("{oops").await;
    c.expect_error("invalid_json").await;
    c.send(json!({"type": "dance"})).await;
    c.expect_error("unknown_type").await;
    c.send(json!({"text": "no type"})).await;
    c.expect_error("unknown_type").await;
    c.answer("an answer", "a-1").await;
    c.expect_error("no_session").await;
    c.send(json!({"type": "start", "topics": ["cooking"], "level": "mid"}))
        .await;
    let e = c.expect_error("invalid_message").await;
    assert!(e["message"].as_str().unwrap().contains("cooking"));
    c.send(json!({"type": "start", "topics": ["concurrency"], "level": "mid", "count": 50}))
        .await;
    c.expect_error("invalid_message").await;
    c.send(json!({"type": "start", "topics": ["concurrency"], "level": "mid", "count": 20}))
        .await;
    c.expect_error("not_enough_questions").await;
    c.send(json!({"type": "resume", "session_id": "nope", "resume_token": "x"}))
        .await;
    c.expect_error("unknown_session").await;

    let s = c.start(&["concurrency"], "mid", 1).await;
    c.answer("   \n ", "a-2").await;
    c.expect_error("empty_answer").await;
    c.answer(&"x".repeat(101), "a-3").await;
    c.expect_error("answer_too_long").await;
    c.answer("fine", "").await;
    c.expect_error("invalid_message").await;
    c.send(json!({"type": "start", "topics": ["concurrency"], "level": "mid"}))
        .await;
    c.expect_error("session_already_started").await;

    let mut other = app.connect().await;
    other
        .send(json!({"type": "resume", "session_id": s.session_id, "resume_token": "wrong"}))
        .await;
    other.expect_error("invalid_resume_token").await;

    // After all that, the interview still works and nothing was stored from the rejected frames.
    assert!(
        app.store().await.turns(&s.session_id).await.unwrap()[0]
            .answer_text
            .is_none()
    );
    c.answer_and_grade(
        "Threads share memory; the GIL lets one run bytecode at a time.",
        "a-4",
    )
    .await;
    let turns = app.store().await.turns(&s.session_id).await.unwrap();
    assert_eq!(
        turns[0].answer_text.as_deref(),
        Some("Threads share memory; the GIL lets one run bytecode at a time.")
    );
}

#[tokio::test]
async fn flooding_is_rate_limited_without_closing() {
    let app = spawn_app_with(|s| {
        s.server.messages_per_second = 1.0;
        s.server.message_burst = 3.0;
    })
    .await;
    let mut c = app.connect().await;
    for _ in 0..6 {
        c.send(json!({"type": "skip"})).await;
    }
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(c.recv().await["code"].as_str().unwrap().to_string());
    }
    assert_eq!(
        codes.iter().filter(|c| *c == "no_session").count(),
        3,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "rate_limited").count(),
        3,
        "{codes:?}"
    );
    // The allowance refills (one message a second): a start goes through again, on the same
    // connection, within a few seconds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let start = json!({"type": "start", "topics": ["scenarios"], "level": "mid", "count": 1});
    loop {
        c.send(start.clone()).await;
        let reply = c.recv().await;
        if reply["type"] == "session" {
            assert_eq!(c.recv().await["type"], "question");
            break;
        }
        assert_eq!(reply["code"], "rate_limited", "{reply}");
        assert!(
            std::time::Instant::now() < deadline,
            "the allowance refilled in time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_oversized_frame_closes_with_1009() {
    let app = spawn_app_with(|s| s.server.max_frame_bytes = 1024).await;
    let mut c = app.connect().await;
    c.answer(&"y".repeat(4096), "big").await;
    let close = c.recv_close().await.expect("a close frame");
    assert_eq!(close.code, CloseCode::Size);
}

#[tokio::test]
async fn a_binary_frame_closes_with_1003() {
    let app = spawn_app().await;
    let mut c = app.connect().await;
    futures_util::SinkExt::send(&mut c.ws, Message::binary(vec![1u8, 2, 3]))
        .await
        .unwrap();
    let close = c.recv_close().await.expect("a close frame");
    assert_eq!(close.code, CloseCode::Unsupported);
}

#[tokio::test]
async fn a_silent_peer_is_closed_after_the_idle_timeout() {
    let app = spawn_app_with(|s| {
        s.server.ping_interval_secs = 1;
        s.server.idle_timeout_secs = 2;
    })
    .await;
    // A peer that never reads never answers pings: the server must give up on it. A raw socket
    // plays that peer (a WebSocket client library would try to answer the pings it reads late,
    // and fail on the closed socket before surfacing the close frame).
    let frames = silent_peer(app.port, std::time::Duration::from_secs(4)).await;
    let opcodes: Vec<u8> = frames.iter().map(|(op, _)| *op).collect();
    assert!(opcodes.contains(&0x9), "pinged while silent: {opcodes:?}");
    let (_, close) = frames
        .iter()
        .find(|(op, _)| *op == 0x8)
        .expect("a close frame");
    assert_eq!(u16::from_be_bytes([close[0], close[1]]), 1001, "going away");

    // A peer that keeps reading answers pings and stays.
    let mut live = app.connect().await;
    let s = live.start(&["concurrency"], "junior", 1).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(4);
    let mut pings = 0;
    while let Ok(frame) =
        tokio::time::timeout_at(deadline, futures_util::StreamExt::next(&mut live.ws)).await
    {
        match frame {
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("only pings while idle, got {other:?}"),
        }
    }
    assert!(pings >= 2, "pinged every second, got {pings}");
    live.answer_and_grade(DECENT, "still-here").await;
    assert!(!s.session_id.is_empty());
}

#[tokio::test]
async fn health_catalog_and_unknown_routes_answer_json() {
    let app = spawn_app().await;
    let (status, health) = app.get("/healthz").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    let (status, catalog) = app.get("/api/catalog").await;
    assert_eq!(status, 200);
    assert_eq!(catalog["topics"].as_array().unwrap().len(), 13);
    assert_eq!(catalog["levels"], json!(["junior", "mid", "senior"]));
    let cells = catalog["counts"].as_array().unwrap();
    assert_eq!(cells.len(), 39);
    assert!(cells.iter().all(|c| c["count"].as_u64().unwrap() >= 4));

    let (status, err) = app.get("/nope").await;
    assert_eq!(status, 404);
    assert_eq!(err["code"], "not_found");

    let page = reqwest::get(app.url("/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

/// Opens a WebSocket by hand, stays silent for `wait`, then reads every frame the server sent
/// until it hung up: (opcode, payload) pairs.
async fn silent_peer(port: u16, wait: std::time::Duration) -> Vec<(u8, Vec<u8>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let handshake = format!(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(handshake.as_bytes()).await.unwrap();
    tokio::time::sleep(wait).await;
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(crate::app::WAIT, tcp.read_to_end(&mut bytes)).await;
    let body = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| &bytes[i + 4..])
        .expect("an upgrade response");
    let mut frames = Vec::new();
    let mut at = 0;
    while at + 2 <= body.len() {
        let opcode = body[at] & 0x0f;
        let len = (body[at + 1] & 0x7f) as usize;
        assert!(len < 126, "control frames are short");
        frames.push((
            opcode,
            body[at + 2..(at + 2 + len).min(body.len())].to_vec(),
        ));
        at += 2 + len;
    }
    frames
}
