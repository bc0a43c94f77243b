//! The real binary, killed with SIGKILL mid-interview and started again on the same database.

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::app::Client;

/// Starts `rehearse serve` on a free port; returns the process and its port.
async fn serve(db_url: &str) -> (Child, u16) {
    serve_with(db_url, &[]).await
}

async fn serve_with(db_url: &str, env: &[(&str, &str)]) -> (Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("REHEARSE_DATABASE__URL", db_url)
        .env("REHEARSE_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(crate::app::WAIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let port = first
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("a port in `{first}`"));
    (child, port)
}

/// Kills the server and returns everything it logged (stderr).
async fn kill_and_read_logs(mut server: Child) -> String {
    use tokio::io::AsyncReadExt;
    server.kill().await.unwrap();
    let mut logs = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .await
        .unwrap();
    logs
}

async fn connect(port: u16) -> Client {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
        .await
        .unwrap();
    Client { ws }
}

#[tokio::test]
async fn an_interview_survives_kill_9_and_resumes_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("killed.db").display());
    let (mut server, port) = serve(&db_url).await;

    let mut c = connect(port).await;
    let s = c.start(&["scenarios"], "senior", 2).await;
    c.answer_and_grade(
        "First I would check the dashboards and roll back the release if users are hurt.",
        "k-1",
    )
    .await;
    let second = c.recv().await;
    assert_eq!(second["type"], "question");
    c.answer(
        "Then I would profile the worker with py-spy and compare heap snapshots.",
        "k-2",
    )
    .await;
    let ack = c.recv().await;
    assert_eq!(ack["type"], "ack");
    server.kill().await.unwrap(); // SIGKILL: no shutdown, no flush beyond what was committed

    let (_server, port) = serve(&db_url).await;
    let mut c = connect(port).await;
    let transcript = c.resume(&s.session_id, &s.token).await;
    let turns = transcript["turns"].as_array().unwrap();
    assert_eq!(
        turns[0]["answer"],
        "First I would check the dashboards and roll back the release if users are hurt."
    );
    assert!(turns[0]["evaluation"].is_object());
    let acked_turn = ack["turn"].as_i64().unwrap() as usize;
    assert_eq!(
        turns[acked_turn - 1]["answer"],
        "Then I would profile the worker with py-spy and compare heap snapshots.",
        "an acknowledged answer survives SIGKILL"
    );
    // Whether or not it was graded before the kill, it is graded now and the interview goes on.
    let mut seen_evaluation = !turns[acked_turn - 1]["evaluation"].is_null();
    let summary = loop {
        let m = c.recv().await;
        match m["type"].as_str().unwrap() {
            "evaluation" => seen_evaluation = true,
            "question" => {
                c.send(json!({"type": "end"})).await;
                break c.recv_until("summary").await.0;
            }
            "summary" => break m,
            _ => {}
        }
    };
    assert!(seen_evaluation);
    assert_eq!(summary["session_id"], s.session_id.as_str());
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("term.db").display());
    let (mut server, port) = serve(&db_url).await;
    let mut c = connect(port).await;
    c.start(&["concurrency"], "junior", 1).await;
    let pid = server.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let close = c
        .recv_close()
        .await
        .expect("connections are told to come back");
    assert_eq!(
        close.code,
        tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode::Restart
    );
    let exit = tokio::time::timeout(std::time::Duration::from_secs(5), server.wait())
        .await
        .expect("exits promptly")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn the_llm_is_configured_from_the_environment_and_the_key_stays_secret() {
    let mock = crate::mock_llm::MockLlm::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("llm.db").display());
    let (server, port) = serve_with(
        &db_url,
        &[
            ("REHEARSE_LLM__BASE_URL", mock.base_url.as_str()),
            ("REHEARSE_LLM__MODEL", "env-model"),
            ("REHEARSE_LLM__API_KEY_ENV", "REHEARSE_TEST_PROVIDER_KEY"),
            ("REHEARSE_TEST_PROVIDER_KEY", "sk-live-do-not-log"),
            ("REHEARSE_LOG", "rehearse=debug,info"),
        ],
    )
    .await;
    let mut c = connect(port).await;
    c.start(&["concurrency"], "junior", 1).await;
    let (_, e) = c
        .answer_and_grade("The GIL lets one thread run bytecode at a time.", "env-1")
        .await;
    assert_eq!(e["evaluation"]["source"], "llm");
    assert_eq!(e["evaluation"]["evaluator"]["version"], "env-model");
    let sent = mock.received();
    assert!(
        sent.iter()
            .all(|r| r.header("authorization") == Some("Bearer sk-live-do-not-log"))
    );
    assert!(sent.iter().all(|r| r.body["model"] == "env-model"));
    let logs = kill_and_read_logs(server).await;
    assert!(logs.contains("env-model"), "debug logs were captured");
    assert!(
        !logs.contains("sk-live-do-not-log"),
        "the key never reaches the logs"
    );
}

#[tokio::test]
async fn json_logs_carry_access_lines_and_interview_events_but_no_answers_or_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let (server, port) = serve_with(
        &db_url,
        &[
            ("REHEARSE_LOG", "info"),
            ("REHEARSE_SERVER__LOG_FORMAT", "json"),
        ],
    )
    .await;
    let store = rehearse::store::Store::connect(&db_url, Default::default())
        .await
        .unwrap();
    let (_, token) =
        rehearse::staff::create_token(&store, "logs-admin", rehearse::tokens::Role::Admin)
            .await
            .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // A visit before logging in (a redirect), a login, a missing page, an API call.
    let redirect = http
        .get(format!("{base}/admin/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 303);
    let login = http
        .post(format!("{base}/admin/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"))
        .send()
        .await
        .unwrap();
    let cookie = login
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    assert_eq!(
        http.get(format!("{base}/nowhere"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let list = http
        .get(format!("{base}/api/sessions"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);

    const ANSWER: &str = "Zanzibar-marker: the GIL lets one thread run bytecode at a time.";
    let mut c = connect(port).await;
    let s = c.start(&["concurrency"], "junior", 1).await;
    c.answer_and_grade(ANSWER, "log-1").await;
    let stderr = kill_and_read_logs(server).await;

    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not a JSON line: {l}")))
        .collect();
    for line in &lines {
        for field in ["timestamp", "level", "target"] {
            assert!(line.get(field).is_some(), "{field} missing in {line}");
        }
        assert_ne!(line["level"], "ERROR", "{line}");
    }
    let access = |route: &str, status: u64| {
        lines.iter().any(|l| {
            l["target"] == "rehearse::access"
                && l["fields"]["route"] == route
                && l["fields"]["status"] == status
        })
    };
    assert!(access("/admin/sessions", 303), "{stderr}");
    assert!(access("/api/sessions", 200), "{stderr}");
    assert!(
        access("unmatched", 404) || access("/{tail}*", 404),
        "{stderr}"
    );
    let events: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["fields"]["message"].as_str())
        .collect();
    for event in ["interview started", "answer stored", "answer graded"] {
        assert!(events.contains(&event), "{event} not logged: {events:?}");
    }
    for secret in [
        ANSWER,
        "Zanzibar",
        &token,
        &s.token,
        &cookie,
        "<html",
        "<!doctype",
    ] {
        assert!(!stderr.contains(secret), "the log carries `{secret}`");
    }
}
