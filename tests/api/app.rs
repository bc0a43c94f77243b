//! A real server on a free port, and a real WebSocket client for it.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use rehearse::config::Settings;
use rehearse::startup::Application;
use rehearse::store::{ConnectOptions, Store};

/// How long a test waits for any one message before failing.
pub const WAIT: Duration = Duration::from_secs(10);

pub struct TestApp {
    pub port: u16,
    /// The separate metrics listener's port, when `server.metrics_bind` is set.
    pub metrics_port: Option<u16>,
    pub db_url: String,
    shutdown: rehearse::startup::Shutdown,
    pub dir: std::sync::Arc<tempfile::TempDir>,
    /// The server's clock for expiries: move it forward instead of waiting.
    pub clock: rehearse::clock::Clock,
}

/// Settings for a test server on a fresh SQLite file.
pub fn test_settings(dir: &tempfile::TempDir) -> Settings {
    let mut s = Settings::default();
    s.database.url = rehearse::config::DatabaseUrl::new(format!(
        "sqlite://{}",
        dir.path().join("rehearse.db").display()
    ));
    s.server.bind = "127.0.0.1:0".into();
    s.server.workers = 2;
    s.server.shutdown_timeout_secs = 1;
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let mut settings = test_settings(&dir);
    adjust(&mut settings);
    spawn_on(settings, dir).await
}

/// Starts a server with `settings`, keeping `dir` (which holds its database) alive.
pub async fn spawn_on(settings: Settings, dir: std::sync::Arc<tempfile::TempDir>) -> TestApp {
    rehearse::tokens::install_crypto_provider();
    // `TEST_LOG=1 cargo test …` shows the servers' logs (filtered by `REHEARSE_LOG`).
    if std::env::var_os("TEST_LOG").is_some() {
        rehearse::logging::init(rehearse::logging::LogFormat::Text);
    }
    let db_url = settings.database.url.expose().to_string();
    let clock = rehearse::clock::Clock::default();
    let app = Application::build_with_clock(settings, clock.clone())
        .await
        .expect("the app builds");
    let port = app.port();
    let metrics_port = app.metrics_port();
    let shutdown = app.shutdown();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        port,
        metrics_port,
        db_url,
        shutdown,
        dir,
        clock,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub async fn connect(&self) -> Client {
        let (ws, _) = connect_async(format!("ws://127.0.0.1:{}/ws", self.port))
            .await
            .expect("WebSocket connects");
        Client { ws }
    }

    /// A second handle on the server's database, to check what it stored.
    pub async fn store(&self) -> Store {
        Store::connect(
            &self.db_url,
            ConnectOptions {
                max_connections: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
    }

    /// Stops the server (gracefully) and waits until it is down.
    pub async fn stop(self) -> std::sync::Arc<tempfile::TempDir> {
        self.shutdown.trigger().await;
        self.dir
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let resp = reqwest::get(self.url(path)).await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body)
    }
}

/// One method per API endpoint the tests call often: the path, method and body shape in one place.
impl TestApp {
    /// `POST /api/invites` with a staff token.
    pub async fn create_invite(&self, token: &str, body: Value) -> (StatusCode, Value) {
        call(self, Method::POST, "/api/invites", Some(token), Some(body)).await
    }

    /// The version of an invite's notice, as the candidate's page reads it before agreeing.
    pub async fn notice_version(&self, invite_token: &str) -> String {
        let (status, check) = self.check_invite(json!({"token": invite_token})).await;
        assert_eq!(status, StatusCode::OK, "{check}");
        check["notice"]["version"].as_str().unwrap().to_string()
    }

    /// `GET /api/invites` with a staff token.
    pub async fn list_invites(&self, token: &str) -> (StatusCode, Value) {
        call(self, Method::GET, "/api/invites", Some(token), None).await
    }

    /// `POST /api/invites/check`, as the invite page does (no token).
    pub async fn check_invite(&self, body: Value) -> (StatusCode, Value) {
        call(self, Method::POST, "/api/invites/check", None, Some(body)).await
    }

    /// `GET /api/sessions` (first page, default filters) with a staff token.
    pub async fn list_sessions(&self, token: &str) -> (StatusCode, Value) {
        call(self, Method::GET, "/api/sessions", Some(token), None).await
    }

    /// `GET /api/sessions/{id}` with a staff or the candidate's resume token.
    pub async fn session_detail(&self, token: &str, id: &str) -> (StatusCode, Value) {
        let path = format!("/api/sessions/{id}");
        call(self, Method::GET, &path, Some(token), None).await
    }

    /// `POST /api/sessions/{id}/turns/{turn}/review` with a staff token.
    pub async fn review(
        &self,
        token: &str,
        id: &str,
        turn: i64,
        body: Value,
    ) -> (StatusCode, Value) {
        let path = format!("/api/sessions/{id}/turns/{turn}/review");
        call(self, Method::POST, &path, Some(token), Some(body)).await
    }

    /// `POST /api/rubrics/{id}/preview` with an admin token.
    pub async fn preview_rubric(
        &self,
        token: &str,
        rubric: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let path = format!("/api/rubrics/{rubric}/preview");
        call(self, Method::POST, &path, Some(token), Some(body)).await
    }

    /// A rubric document as TOML (`POST /api/rubrics`, `PUT /api/rubrics/{id}`).
    pub async fn send_rubric_toml(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: String,
    ) -> (StatusCode, Value) {
        let resp = reqwest::Client::new()
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/toml")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `GET /api/rubric-assignments` with a staff token.
    pub async fn assignments(&self, token: &str) -> (StatusCode, Value) {
        call(
            self,
            Method::GET,
            "/api/rubric-assignments",
            Some(token),
            None,
        )
        .await
    }

    /// `PUT /api/rubric-assignments` with a staff token.
    pub async fn set_assignments(&self, token: &str, body: Value) -> (StatusCode, Value) {
        call(
            self,
            Method::PUT,
            "/api/rubric-assignments",
            Some(token),
            Some(body),
        )
        .await
    }

    /// `POST /api/rubrics/{id}/examples` (`{session_id, turn}`) with a staff token.
    pub async fn add_calibration_example(
        &self,
        token: &str,
        rubric: &str,
        session_id: &str,
        turn: i64,
    ) -> (StatusCode, Value) {
        let path = format!("/api/rubrics/{rubric}/examples");
        let body = json!({"session_id": session_id, "turn": turn});
        call(self, Method::POST, &path, Some(token), Some(body)).await
    }

    /// `POST /api/rubrics/{id}/calibrate` with a staff token.
    pub async fn calibrate_rubric(&self, token: &str, rubric: &str) -> (StatusCode, Value) {
        let path = format!("/api/rubrics/{rubric}/calibrate");
        call(self, Method::POST, &path, Some(token), None).await
    }
}

/// One API request with an optional bearer token and JSON body; the status and the body (JSON,
/// or the text as a JSON string).
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What a started interview handed back.
pub struct Started {
    pub session_id: String,
    pub token: String,
    pub question: Value,
}

impl Client {
    pub async fn send(&mut self, v: Value) {
        self.ws.send(Message::text(v.to_string())).await.unwrap();
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text.to_string())).await.unwrap();
    }

    /// The next JSON message (pings and pongs skipped).
    pub async fn recv(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a message arrives in time")
                .expect("the connection is open")
                .expect("a valid frame");
            match frame {
                Message::Text(t) => return serde_json::from_str(&t).unwrap(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// Reads until a message of type `ty` arrives; returns it and everything before it.
    pub async fn recv_until(&mut self, ty: &str) -> (Value, Vec<Value>) {
        let mut before = Vec::new();
        loop {
            let m = self.recv().await;
            if m["type"] == ty {
                return (m, before);
            }
            before.push(m);
        }
    }

    /// Reads until the server closes; returns the close frame.
    pub async fn recv_close(&mut self) -> Option<CloseFrame> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("closes in time")
            {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    eprintln!("connection ended without a close frame: {e}");
                    return None;
                }
                None => return None,
            }
        }
    }

    pub async fn start(&mut self, topics: &[&str], level: &str, count: usize) -> Started {
        self.send(json!({"type": "start", "topics": topics, "level": level, "count": count}))
            .await;
        let session = self.recv().await;
        assert_eq!(session["type"], "session", "{session}");
        let question = self.recv().await;
        assert_eq!(question["type"], "question", "{question}");
        Started {
            session_id: session["session_id"].as_str().unwrap().to_string(),
            token: session["resume_token"].as_str().unwrap().to_string(),
            question,
        }
    }

    /// Resumes an interview on this connection; returns the replayed `transcript`.
    pub async fn resume(&mut self, session_id: &str, token: &str) -> Value {
        self.send(json!({"type": "resume", "session_id": session_id, "resume_token": token}))
            .await;
        let session = self.recv().await;
        assert_eq!(session["type"], "session", "{session}");
        let transcript = self.recv().await;
        assert_eq!(transcript["type"], "transcript", "{transcript}");
        transcript
    }

    pub async fn answer(&mut self, text: &str, client_msg_id: &str) {
        self.send(json!({"type": "answer", "text": text, "client_msg_id": client_msg_id}))
            .await;
    }

    /// Sends an answer and reads up to and including its evaluation.
    pub async fn answer_and_grade(&mut self, text: &str, client_msg_id: &str) -> (Value, Value) {
        self.answer(text, client_msg_id).await;
        let ack = self.recv().await;
        assert_eq!(ack["type"], "ack", "{ack}");
        let (evaluation, deltas) = self.recv_until("evaluation").await;
        assert!(
            deltas.iter().all(|d| d["type"] == "feedback_delta"),
            "{deltas:?}"
        );
        assert!(
            !deltas.is_empty(),
            "feedback is streamed before the evaluation"
        );
        (ack, evaluation)
    }

    /// Answers the open main question with `text` and each follow-up on it with "I am not sure."
    /// until the question closes; returns the closing `evaluation` message.
    pub async fn answer_until_closed(&mut self, text: &str) -> Value {
        let mut n = 0;
        let mut reply = text.to_string();
        loop {
            n += 1;
            let (_, evaluation) = self.answer_and_grade(&reply, &format!("closing-{n}")).await;
            if evaluation["closed"] == true {
                return evaluation;
            }
            let follow = self.recv().await;
            assert_eq!(
                (follow["type"].as_str(), follow["follow_up"].as_bool()),
                (Some("question"), Some(true)),
                "{follow}"
            );
            reply = "I am not sure.".into();
        }
    }

    pub async fn expect_error(&mut self, code: &str) -> Value {
        let m = self.recv().await;
        assert_eq!(m["type"], "error", "{m}");
        assert_eq!(m["code"], code, "{m}");
        assert_eq!(m["fatal"], false, "{m}");
        m
    }
}

/// Settings for a test server on a fresh PostgreSQL database (`None` without a server).
pub async fn on_postgres(
    dir: &tempfile::TempDir,
) -> Option<(Settings, crate::helpers::PostgresFixture)> {
    let fixture = crate::helpers::postgres_store().await?;
    let mut settings = test_settings(dir);
    settings.database.url = rehearse::config::DatabaseUrl::new(fixture.url());
    Some((settings, fixture))
}

/// A SQLite test and a PostgreSQL test (ignored when no server was named at build time) for
/// each check (an `async fn(TestApp)`), as `check::sqlite` and `check::postgres`.
macro_rules! on_both_backends {
    // `settings = f;` adjusts both servers' settings with `f(&mut Settings)` first.
    (settings = $adjust:ident; $($check:ident),* $(,)?) => {
        $(mod $check {
            #[tokio::test]
            async fn sqlite() {
                super::$check(crate::app::spawn_app_with(super::$adjust).await).await;
            }

            #[tokio::test]
            #[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL")]
            async fn postgres() {
                let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
                let (mut settings, fixture) = crate::app::on_postgres(&dir)
                    .await
                    .expect(crate::helpers::NO_POSTGRES);
                super::$adjust(&mut settings);
                super::$check(crate::app::spawn_on(settings, dir).await).await;
                fixture.drop_database().await;
            }
        })*
    };
    ($($check:ident),* $(,)?) => {
        $(mod $check {
            #[tokio::test]
            async fn sqlite() {
                super::$check(crate::app::spawn_app_with(|_| {}).await).await;
            }

            #[tokio::test]
            #[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set REHEARSE_TEST_POSTGRES_URL")]
            async fn postgres() {
                let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
                let (settings, fixture) = crate::app::on_postgres(&dir)
                    .await
                    .expect(crate::helpers::NO_POSTGRES);
                super::$check(crate::app::spawn_on(settings, dir).await).await;
                fixture.drop_database().await;
            }
        })*
    };
}
pub(crate) use on_both_backends;
