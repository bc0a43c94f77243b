//! Attacks and faults that once cost memory, workers or data: oversized WebSocket frames, clients
//! that stop reading, absurd LLM headers and replies, NUL characters, crafted cursors, reviews
//! leaking to candidates, a full disk, cross-site logout and start floods. Real sockets, a real
//! HTTP mock for the LLM, and both databases where the database matters.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use rehearse::config::LlmSettings;
use rehearse::llm::{LlmClient, LlmError};
use rehearse::staff::create_token;
use rehearse::tokens::Role;

use crate::app::{TestApp, WAIT, call, spawn_app_with, spawn_on, test_settings};
use crate::llm::{GIL_ANSWER, llm_app, request, settings};
use crate::mock_llm::{MockLlm, Reply, sse};

/// A WebSocket client that writes raw frames, to send what well-behaved libraries refuse to.
struct RawWs {
    socket: TcpStream,
    buf: Vec<u8>,
}

impl RawWs {
    async fn connect(app: &TestApp) -> RawWs {
        Self::connect_with(app, None).await
    }

    /// Connects; `recv_buffer` shrinks the socket's receive buffer (a client that reads slowly).
    async fn connect_with(app: &TestApp, recv_buffer: Option<u32>) -> RawWs {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size).unwrap();
        }
        let mut socket = socket
            .connect(format!("127.0.0.1:{}", app.port).parse().unwrap())
            .await
            .unwrap();
        let request = format!(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            app.port
        );
        socket.write_all(request.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = tokio::time::timeout(WAIT, socket.read(&mut chunk))
                .await
                .expect("handshake in time")
                .unwrap();
            assert!(n > 0, "the server closed during the handshake");
            buf.extend_from_slice(&chunk[..n]);
        };
        assert!(
            buf.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&buf)
        );
        buf.drain(..end);
        RawWs { socket, buf }
    }

    /// A masked frame header announcing `len` payload bytes.
    fn header(fin: bool, opcode: u8, len: u64) -> Vec<u8> {
        let mut h = vec![(u8::from(fin) << 7) | opcode];
        if len < 126 {
            h.push(0x80 | len as u8);
        } else if len <= u64::from(u16::MAX) {
            h.push(0x80 | 126);
            h.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            h.push(0x80 | 127);
            h.extend_from_slice(&len.to_be_bytes());
        }
        h.extend_from_slice(&[0, 0, 0, 0]); // a zero mask leaves the payload as written
        h
    }

    fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = Self::header(fin, opcode, payload.len() as u64);
        f.extend_from_slice(payload);
        f
    }

    async fn send_text(&mut self, text: &str) {
        let f = Self::frame(true, 1, text.as_bytes());
        self.socket.write_all(&f).await.unwrap();
    }

    /// The next frame from the server: (opcode, payload). None when the connection ended.
    async fn read_frame(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut chunk = [0u8; 8192];
        loop {
            if self.buf.len() >= 2 {
                let opcode = self.buf[0] & 0x0f;
                let (len, start) = match self.buf[1] & 0x7f {
                    126 if self.buf.len() >= 4 => {
                        (u16::from_be_bytes([self.buf[2], self.buf[3]]) as usize, 4)
                    }
                    127 if self.buf.len() >= 10 => (
                        u64::from_be_bytes(self.buf[2..10].try_into().unwrap()) as usize,
                        10,
                    ),
                    126 | 127 => (usize::MAX, 0),
                    n => (n as usize, 2),
                };
                if len != usize::MAX && self.buf.len() >= start + len {
                    let payload = self.buf[start..start + len].to_vec();
                    self.buf.drain(..start + len);
                    return Some((opcode, payload));
                }
            }
            match tokio::time::timeout(WAIT, self.socket.read(&mut chunk))
                .await
                .expect("the server answers or closes in time")
            {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Reads until a close frame; its status code. None when the connection ended without one.
    async fn close_code(&mut self) -> Option<u16> {
        while let Some((opcode, payload)) = self.read_frame().await {
            if opcode == 8 {
                return payload.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            }
        }
        None
    }

    /// Reads until the server ends the connection; false if it is still open after `WAIT`.
    async fn ends(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        loop {
            match tokio::time::timeout(WAIT, self.socket.read(&mut chunk)).await {
                Err(_) => return false,
                Ok(Ok(0) | Err(_)) => return true,
                Ok(Ok(_)) => {}
            }
        }
    }
}

#[tokio::test]
async fn an_oversized_frame_is_refused_from_its_header_not_after_buffering_it() {
    let app = spawn_app_with(|_| {}).await;
    let mut ws = RawWs::connect(&app).await;
    // A 512 MiB frame is announced and only its first MiB is sent: the refusal must not wait
    // for (and buffer) the rest.
    ws.socket
        .write_all(&RawWs::header(true, 1, 512 << 20))
        .await
        .unwrap();
    ws.socket.write_all(&vec![b'x'; 1 << 20]).await.unwrap();
    assert_eq!(ws.close_code().await, Some(1009));
    assert!(ws.ends().await, "the server keeps the connection open");
}

#[tokio::test]
async fn a_frame_announcing_two_to_the_63_bytes_is_closed_with_1009_at_once() {
    // The idle timeout (30 s) is far longer than the wait below: the close is the header's doing.
    let app = spawn_app_with(|_| {}).await;
    let mut ws = RawWs::connect(&app).await;
    ws.socket
        .write_all(&RawWs::header(true, 2, (1 << 63) - 1))
        .await
        .unwrap();
    assert_eq!(ws.close_code().await, Some(1009));
}

#[tokio::test]
async fn an_oversized_fragmented_message_is_closed_with_1009() {
    let app = spawn_app_with(|_| {}).await;
    let mut ws = RawWs::connect(&app).await;
    let piece = vec![b'a'; 40 * 1024];
    for (fin, opcode) in [(false, 1), (false, 0)] {
        let f = RawWs::frame(fin, opcode, &piece);
        ws.socket.write_all(&f).await.unwrap();
    }
    assert_eq!(ws.close_code().await, Some(1009));

    // Fragments that stay within the limit make one message as before.
    let mut ws = RawWs::connect(&app).await;
    let start = json!({"type": "start", "topics": ["concurrency"], "level": "junior", "count": 1})
        .to_string();
    let (a, b) = start.as_bytes().split_at(10);
    for f in [RawWs::frame(false, 1, a), RawWs::frame(true, 0, b)] {
        ws.socket.write_all(&f).await.unwrap();
    }
    let (opcode, payload) = ws.read_frame().await.unwrap();
    assert_eq!(opcode, 1);
    let session: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(session["type"], "session", "{session}");
}

#[tokio::test]
async fn a_client_that_pings_but_never_reads_is_let_go_and_resumes_without_loss() {
    let app = spawn_app_with(|s| {
        s.server.write_timeout_secs = 1;
        s.server.messages_per_second = 10_000.0;
    })
    .await;
    let mut ws = RawWs::connect_with(&app, Some(4096)).await;
    ws.send_text(
        &json!({"type": "start", "topics": ["concurrency"], "level": "junior", "count": 2})
            .to_string(),
    )
    .await;
    let (_, session) = ws.read_frame().await.unwrap();
    let session: Value = serde_json::from_slice(&session).unwrap();
    let (_, question) = ws.read_frame().await.unwrap();
    let question: Value = serde_json::from_slice(&question).unwrap();
    assert_eq!(question["type"], "question");
    ws.send_text(
        &json!({"type": "answer", "text": GIL_ANSWER, "client_msg_id": "s-1"}).to_string(),
    )
    .await;
    assert_eq!(app.get("/healthz").await.1["connected_interviews"], 1);

    // From here on the client only writes: pings (which count as activity to a naive idle
    // check), each of which the server must answer with a pong that can no longer be
    // delivered. 16 MiB of pings is more pong than the socket buffers hold.
    let ping = RawWs::frame(true, 9, &[b'p'; 125]);
    let burst: Vec<u8> = ping
        .iter()
        .copied()
        .cycle()
        .take(ping.len() * 512)
        .collect();
    let flood = async {
        let mut written = 0;
        while written < 16 << 20 {
            if ws.socket.write_all(&burst).await.is_err() {
                return;
            }
            written += burst.len();
        }
    };
    // A server that stops reading makes these writes block; that is what is being tested, so
    // the flood is bounded rather than required to finish.
    let _ = tokio::time::timeout(WAIT, flood).await;

    // The server lets the connection go on its own: the interview is no longer held by it.
    let deadline = Instant::now() + WAIT;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
        if app.get("/healthz").await.1["connected_interviews"] == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a connection that does not read still holds its interview"
        );
    }

    // The candidate comes back on a new connection and finds the acknowledged answer graded.
    let mut c = app.connect().await;
    let transcript = c
        .resume(
            session["session_id"].as_str().unwrap(),
            session["resume_token"].as_str().unwrap(),
        )
        .await;
    let first = &transcript["turns"][0];
    assert_eq!(first["answer"], GIL_ANSWER);
    assert!(first["evaluation"]["overall"].is_u64(), "{first}");
}

fn too_many_requests(header: &str, value: &str) -> Reply {
    Reply::Full {
        status: 429,
        headers: vec![(header.into(), value.into())],
        body: json!({"error": {"message": "slow down"}}).to_string(),
    }
}

#[tokio::test]
async fn absurd_retry_after_headers_neither_panic_nor_stall_grading() {
    let mock = MockLlm::start().await;
    // Infinite waits are ignored (the usual backoff applies) and the call then succeeds.
    mock.script([
        too_many_requests("retry-after-ms", "inf"),
        too_many_requests("retry-after", "inf"),
    ]);
    let app = spawn_app_with(llm_app(&mock)).await;
    let mut c = app.connect().await;
    c.start(&["concurrency"], "junior", 3).await;
    let (_, graded) = c.answer_and_grade(GIL_ANSWER, "r-1").await;
    assert_eq!(graded["evaluation"]["source"], "llm", "{graded}");

    // A finite but absurd wait (1e20 s, capped to two minutes) is longer than a call may take:
    // the built-in evaluation is delivered at once and the turn queued for a regrade, which
    // the (still running) worker then does.
    c.recv_until("question").await;
    mock.script([too_many_requests("retry-after", "1e20")]);
    let started = Instant::now();
    let (_, fallback) = c.answer_and_grade(GIL_ANSWER, "r-2").await;
    assert_eq!(fallback["evaluation"]["source"], "fallback", "{fallback}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let regraded = loop {
        let m = c.recv().await;
        if m["type"] == "evaluation" && m["evaluation"]["source"] == "llm" {
            break m;
        }
    };
    assert_eq!(regraded["turn"], fallback["turn"]);
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["tasks"]["regrade_worker"]["state"], "running");
    assert_eq!(health["tasks"]["regrade_worker"]["panics"], 0);
}

#[tokio::test]
async fn replies_larger_than_the_limit_fail_as_reply_too_large() {
    let mock = MockLlm::start().await;
    let limit = 64 * 1024;
    let client = LlmClient::new(&LlmSettings {
        max_reply_bytes: limit,
        ..settings(&mock)
    })
    .unwrap();

    let huge = "x".repeat(4 * limit);
    mock.script([Reply::completion(&huge)]);
    let err = client.complete(&request()).await.unwrap_err();
    assert!(matches!(err, LlmError::ReplyTooLarge(_)), "{err:?}");
    assert_eq!(err.kind(), "reply_too_large");

    // Streamed: many small chunks that add up past the limit.
    let chunk = sse(&json!({"choices": [{"index": 0, "delta": {"content": "y".repeat(1000)}}]}));
    let pieces = (0..300).map(|_| (Duration::ZERO, chunk.clone())).collect();
    mock.script([Reply::Stream { pieces, cut: false }]);
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let err = client.stream(&request(), tx).await.unwrap_err();
    assert!(matches!(err, LlmError::ReplyTooLarge(_)), "{err:?}");
    drain.await.unwrap();

    // Within the limit, both still work.
    mock.script([Reply::completion("fine")]);
    assert_eq!(client.complete(&request()).await.unwrap().content, "fine");
}

crate::app::on_both_backends!(
    nul_characters_are_refused_up_front_on_every_backend,
    a_crafted_cursor_is_a_422_on_every_backend,
    a_database_failure_while_grading_an_acked_answer_delays_grading_and_the_interview_goes_on
);

async fn nul_characters_are_refused_up_front_on_every_backend(app: TestApp) {
    let store = app.store().await;
    let (_, admin) = create_token(&store, "nul-admin", Role::Admin)
        .await
        .unwrap();
    let mut c = app.connect().await;
    c.send(json!({"type": "start", "topics": ["concurrency"], "level": "junior", "count": 1, "candidate": {"name": "A\u{0}B"}}))
        .await;
    let e = c.expect_error("invalid_message").await;
    assert!(e["message"].as_str().unwrap().contains("NUL"), "{e}");
    let s = c.start(&["concurrency"], "junior", 1).await;
    c.answer("threads \u{0} share the GIL", "nul-1").await;
    c.expect_error("invalid_message").await;
    c.answer("a\u{0}", "id-\u{0}").await;
    c.expect_error("invalid_message").await;
    // Nothing was stored, and the question is still open for a clean answer.
    let (ack, _) = c.answer_and_grade(GIL_ANSWER, "nul-2").await;
    assert_eq!(ack["turn"], 1);
    let turns = store.turns(&s.session_id).await.unwrap();
    assert_eq!(turns[0].answer_text.as_deref(), Some(GIL_ANSWER));

    for (method, path, body) in [
        (
            Method::POST,
            "/api/invites",
            Some(
                json!({"topics": ["concurrency"], "level": "junior", "count": 1, "candidate_name": "Eve\u{0}"}),
            ),
        ),
        (Method::GET, "/api/sessions/abc%00def", None),
        (Method::GET, "/api/sessions?candidate=a%00", None),
    ] {
        let (status, err) = call(&app, method, path, Some(&admin), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {err}");
        assert_eq!(err["code"], "invalid_request", "{path}: {err}");
    }
    // An escaped backslash followed by "u0000" is ordinary text.
    let (status, err) = app.create_invite(&admin, json!({"topics": ["concurrency"], "level": "junior", "count": 1, "candidate_name": "C:\\u0000"}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{err}");
}

async fn a_crafted_cursor_is_a_422_on_every_backend(app: TestApp) {
    let store = app.store().await;
    let (_, admin) = create_token(&store, "cursor-admin", Role::Admin)
        .await
        .unwrap();
    let crafted = [
        // Text where the created_at column is a number.
        hex(&json!({"sort": "created_at", "desc": true, "key": ["x", "id"]})),
        // A number where the candidate column is text.
        hex(&json!({"sort": "candidate", "desc": true, "key": [5, "id"]})),
        hex(&json!({"sort": "candidate", "desc": true, "key": ["a\u{0}", "id"]})),
    ];
    for (i, cursor) in crafted.iter().enumerate() {
        let sort = if i == 0 { "created_at" } else { "candidate" };
        let (status, err) = call(
            &app,
            Method::GET,
            &format!("/api/sessions?sort={sort}&cursor={cursor}"),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cursor}: {err}");
    }
}

fn hex(v: &Value) -> String {
    v.to_string().bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_candidate_resuming_sees_machine_evaluations_not_the_review() {
    let app = spawn_app_with(|_| {}).await;
    let store = app.store().await;
    let (_, recruiter) = create_token(&store, "rita", Role::Recruiter).await.unwrap();
    let mut c = app.connect().await;
    let s = c.start(&["concurrency"], "junior", 1).await;
    let (_, machine) = c.answer_and_grade(GIL_ANSWER, "v-1").await;
    c.send(json!({"type": "end"})).await;
    let (summary, _) = c.recv_until("summary").await;

    let (status, reviewed) = app
        .review(
            &recruiter,
            &s.session_id,
            1,
            json!({"overall": 3, "comment": "Reviewer's private note"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");

    let mut again = app.connect().await;
    let transcript = again.resume(&s.session_id, &s.token).await;
    let text = transcript.to_string();
    assert!(!text.contains("rita"), "{text}");
    assert!(!text.contains("Reviewer's private note"), "{text}");
    let shown = &transcript["turns"][0]["evaluation"];
    assert_eq!(shown["source"], machine["evaluation"]["source"]);
    assert_eq!(shown["overall"], machine["evaluation"]["overall"]);
    let resumed_summary = again.recv().await;
    assert_eq!(resumed_summary["type"], "summary");
    assert_eq!(
        resumed_summary["summary"]["overall"], summary["summary"]["overall"],
        "the summary the candidate sees is not rescored by the review"
    );
}

#[tokio::test]
async fn a_cross_site_post_cannot_log_staff_out() {
    let app = spawn_app_with(|_| {}).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client
        .post(app.url("/admin/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.headers().get("set-cookie").is_none());
    let resp = client
        .post(app.url("/admin/logout"))
        .header("origin", format!("http://127.0.0.1:{}", app.port))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(resp.headers().get("set-cookie").is_some());
}

#[tokio::test]
async fn interview_starts_are_limited_per_client_address_across_connections() {
    let app = spawn_app_with(|s| s.server.starts_per_minute = 3.0).await;
    for _ in 0..3 {
        let mut c = app.connect().await;
        c.start(&["concurrency"], "junior", 1).await;
    }
    let mut c = app.connect().await;
    c.send(json!({"type": "start", "topics": ["concurrency"], "level": "junior", "count": 1}))
        .await;
    let e = c.expect_error("rate_limited").await;
    assert!(e["message"].as_str().unwrap().contains("address"), "{e}");
}

#[tokio::test]
async fn every_ref_in_the_openapi_document_resolves() {
    let app = spawn_app_with(|_| {}).await;
    let (status, doc) = app.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let pointer = r.strip_prefix('#').expect("local reference");
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

#[tokio::test]
async fn healthz_reports_a_full_disk_and_recovers_when_space_returns() {
    let mount = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(mount.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(&self.0)
                .status();
        }
    }
    let _unmount = Unmount(mount.path().to_path_buf());
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let mut settings = test_settings(&dir);
    settings.server.starts_per_minute = 10_000.0;
    settings.database.url = rehearse::config::DatabaseUrl::new(format!(
        "sqlite://{}",
        mount.path().join("rehearse.db").display()
    ));
    let app = spawn_on(settings, dir).await;
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 200, "{health}");

    // Fill the disk, then keep starting interviews until a write fails for lack of space.
    let filler = mount.path().join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 8 << 20]);
    let mut c = app.connect().await;
    let mut refused = false;
    for _ in 0..50 {
        c.send(json!({"type": "start", "topics": ["concurrency"], "level": "junior", "count": 1, "candidate": {"name": "x".repeat(150)}}))
            .await;
        let m = c.recv().await;
        if m["type"] == "error" {
            refused = true;
            break;
        }
        c = app.connect().await;
    }
    assert!(refused, "no write failed on a full disk");
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["status"], "degraded");
    assert!(
        health["problems"][0].as_str().unwrap().contains("disk"),
        "{health}"
    );

    // Space comes back: the next write succeeds and health follows by itself.
    std::fs::remove_file(&filler).unwrap();
    let mut c = app.connect().await;
    c.start(&["concurrency"], "junior", 1).await;
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn metrics_can_live_on_their_own_listener_with_latency_histograms() {
    let app = spawn_app_with(|s| s.server.metrics_bind = Some("127.0.0.1:0".into())).await;
    let mut c = app.connect().await;
    c.start(&["concurrency"], "junior", 1).await;
    c.answer_and_grade(GIL_ANSWER, "m-1").await;
    c.recv_until("question").await;
    c.send(json!({"type": "answer", "text": "", "client_msg_id": "m-2"}))
        .await;
    c.expect_error("empty_answer").await;

    let (status, _) = app.get("/metrics").await;
    assert_eq!(status, 404, "not on the public listener");
    let port = app.metrics_port.expect("a metrics listener");
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "rehearse_answer_ack_seconds_bucket",
        "rehearse_answer_evaluation_seconds_bucket",
        "rehearse_http_request_duration_seconds_bucket",
        "rehearse_interviews_started_total",
        "rehearse_answers_total",
        "rehearse_evaluations_total{source=\"builtin\"}",
        "rehearse_ws_errors_total{code=\"empty_answer\"}",
        "rehearse_connected_interviews 1",
        "rehearse_task_running{task=\"rubric_refresh\"} 1",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    // Each metric is declared once, or scrapers reject the whole page.
    let mut types: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE ")).collect();
    let declared = types.len();
    types.sort_unstable();
    types.dedup();
    assert_eq!(types.len(), declared, "a metric is declared twice:\n{text}");
}

/// Runs one statement on the server's database from outside it.
async fn sql_on(db_url: &str, sql: &str) {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if db_url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(db_url).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(db_url).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    }
}

async fn a_database_failure_while_grading_an_acked_answer_delays_grading_and_the_interview_goes_on(
    app: TestApp,
) {
    let mut c = app.connect().await;
    let s = c.start(&["concurrency"], "junior", 2).await;
    // Evaluations cannot be stored until the test lets them (answers still can).
    let (block, unblock) = if app.db_url.starts_with("sqlite:") {
        (
            "CREATE TRIGGER refuse_evaluations BEFORE INSERT ON evaluations \
             BEGIN SELECT RAISE(ABORT, 'evaluations are refused by the test'); END;",
            "DROP TRIGGER refuse_evaluations",
        )
    } else {
        (
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'evaluations are refused by the test'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER refuse_evaluations BEFORE INSERT ON evaluations \
             FOR EACH ROW EXECUTE FUNCTION refuse();",
            "DROP TRIGGER refuse_evaluations ON evaluations",
        )
    };
    sql_on(&app.db_url, block).await;
    c.answer(GIL_ANSWER, "db-1").await;
    let (ack, _) = c.recv_until("ack").await;
    assert_eq!(ack["turn"], 1);
    // Told that grading is delayed — not that nothing was saved.
    let (delayed, before) = c.recv_until("error").await;
    assert_eq!(delayed["code"], "grading_delayed", "{delayed}");
    assert_eq!(delayed["fatal"], false);
    assert!(before.iter().all(|m| m["type"] != "evaluation"));
    let store = app.store().await;
    assert_eq!(
        store.turns(&s.session_id).await.unwrap()[0]
            .answer_text
            .as_deref(),
        Some(GIL_ANSWER),
        "the acknowledged answer is stored"
    );

    // The database recovers: the evaluation and the next question arrive on the same
    // connection, and a resend is acknowledged, not stored again.
    sql_on(&app.db_url, unblock).await;
    let (graded, _) = c.recv_until("evaluation").await;
    assert_eq!(graded["turn"], 1);
    let (next, _) = c.recv_until("question").await;
    assert_eq!(next["turn"], 2);
    c.answer(GIL_ANSWER, "db-1").await;
    let (again, _) = c.recv_until("ack").await;
    assert_eq!(again["turn"], 1);
    let (ack, _) = c.answer_and_grade(GIL_ANSWER, "db-2").await;
    assert_eq!(ack["turn"], 2);
    assert_eq!(store.evaluations(&s.session_id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn health_reports_how_durably_answers_are_stored() {
    let app = spawn_app_with(|_| {}).await;
    let (_, health) = app.get("/healthz").await;
    assert_eq!(
        health["durability"], "sqlite synchronous=normal",
        "{health}"
    );
    let strict = spawn_app_with(|s| {
        s.database.synchronous = rehearse::config::Synchronous::Full;
    })
    .await;
    let (_, health) = strict.get("/healthz").await;
    assert_eq!(health["durability"], "sqlite synchronous=full", "{health}");
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL"
)]
async fn health_reports_how_durably_answers_are_stored_on_postgres() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let (settings, fixture) = crate::app::on_postgres(&dir)
        .await
        .expect(crate::helpers::NO_POSTGRES);
    let app = spawn_on(settings, dir).await;
    let (_, health) = app.get("/healthz").await;
    assert_eq!(
        health["durability"], "postgres synchronous_commit=on",
        "{health}"
    );
    fixture.drop_database().await;
}

#[tokio::test]
async fn the_server_queues_a_reconnect_storm_of_1024_connections() {
    let app = spawn_app_with(|_| {}).await;
    // For a listening socket `ss` shows the accept backlog in the Send-Q column.
    let Ok(out) = std::process::Command::new("ss")
        .args(["-ltnH", &format!("sport = :{}", app.port)])
        .output()
    else {
        eprintln!("skipped: `ss` (iproute2) is not installed");
        return;
    };
    // The kernel caps the backlog at net.core.somaxconn.
    let cap: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(4096);
    let expected = 1024.min(cap).to_string();
    let text = String::from_utf8_lossy(&out.stdout);
    let backlog: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert_eq!(backlog, [expected.as_str()], "{text}");
}

#[tokio::test]
async fn a_server_side_failure_answers_an_opaque_message_and_the_request_id_it_was_logged_under() {
    let app = spawn_app_with(|_| {}).await;
    let store = app.store().await;
    let (_, admin) = create_token(&store, "opaque-admin", Role::Admin)
        .await
        .unwrap();
    // The invites table refuses every read: the database answers with an error naming it.
    sql_on(
        &app.db_url,
        "ALTER TABLE invites RENAME TO invites_gone_for_the_test",
    )
    .await;
    let response = reqwest::Client::new()
        .get(app.url("/api/invites"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "storage_unavailable", "{body}");
    let message = body["message"].as_str().unwrap();
    assert_eq!(
        message,
        "the database is unavailable; nothing was saved — please try again"
    );
    let text = body.to_string();
    assert!(
        !text.contains("invites") && !text.to_lowercase().contains("sql"),
        "no database text reaches the client: {text}"
    );
    let request_id = body["request_id"].as_str().expect("a request id");
    assert!(uuid::Uuid::parse_str(request_id).is_ok(), "{request_id}");

    // A client error says exactly what is wrong, and carries no request id.
    let (status, body) = call(
        &app,
        Method::GET,
        "/api/sessions?limit=0",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_query");
    assert!(body.get("request_id").is_none(), "{body}");
}
