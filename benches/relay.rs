//! Relay overhead of streamed feedback: from the moment the (mock) LLM endpoint writes a token
//! to its socket until the candidate's WebSocket client receives the `feedback_delta` frame
//! carrying it — through reqwest, SSE parsing, the token channel, the hub, the connection's
//! outbox and actix-ws. Everything runs in one process, so both instants use one clock.
//!
//! Run: `cargo bench --bench relay`.

#[path = "../tests/api/mock_llm.rs"]
mod mock_llm;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

use mock_llm::{MockLlm, Reply, sse};
use rehearse::config::{DatabaseUrl, EvaluatorKind, LlmSettings, Settings};
use rehearse::startup::Application;

const TOKENS_PER_ANSWER: usize = 200;
const ANSWERS: usize = 15;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn recv(ws: &mut Socket) -> (Value, Instant) {
    loop {
        if let Message::Text(t) = ws.next().await.unwrap().unwrap() {
            return (serde_json::from_str(&t).unwrap(), Instant::now());
        }
    }
}

#[tokio::main]
async fn main() {
    let mock = MockLlm::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.database.url = DatabaseUrl::new(format!(
        "sqlite://{}",
        dir.path().join("relay.db").display()
    ));
    settings.server.bind = "127.0.0.1:0".into();
    settings.evaluator = Some(EvaluatorKind::Llm);
    settings.llm = LlmSettings {
        base_url: Some(mock.base_url.clone()),
        model: "mock".into(),
        regrade_interval_secs: 3600.0,
        ..LlmSettings::default()
    };
    let app = Application::build(settings).await.unwrap();
    let port = app.port();
    tokio::spawn(app.run_until_stopped());

    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
        .await
        .unwrap();
    let start = json!({"type": "start", "topics": ["python-core", "concurrency", "data-structures", "ecosystem"], "level": "mid", "count": 20});
    ws.send(Message::text(start.to_string())).await.unwrap();
    let mut overheads = Vec::new();
    for n in 0..ANSWERS {
        // Wait for a question, then script judge, follow-up writer and a long, paced coach stream.
        loop {
            let (m, _) = recv(&mut ws).await;
            if m["type"] == "question" {
                break;
            }
        }
        let pieces: Vec<(Duration, String)> = (0..TOKENS_PER_ANSWER)
            .map(|i| {
                (
                    Duration::from_millis(2),
                    sse(&json!({"choices": [{"delta": {"content": format!("w{i} ")}}]})),
                )
            })
            .chain([(Duration::ZERO, "data: [DONE]\n\n".to_string())])
            .collect();
        mock.script([
            Reply::judge(|v| v.to_string()),
            Reply::completion("And an example?"),
            Reply::Stream { pieces, cut: false },
        ]);
        let sent_before = mock.token_times().len();
        ws.send(Message::text(json!({"type": "answer", "text": "An answer about the topic, explained with reasons.", "client_msg_id": format!("r{n}")}).to_string()))
            .await
            .unwrap();
        let mut received = Vec::new();
        loop {
            let (m, at) = recv(&mut ws).await;
            match m["type"].as_str() {
                Some("feedback_delta") => {
                    received.push((m["text"].as_str().unwrap().to_string(), at))
                }
                Some("evaluation") => break,
                _ => {}
            }
        }
        let sent = mock.token_times();
        let sent = &sent[sent_before..];
        assert_eq!(received.len(), sent.len(), "every token relayed");
        for ((text, at), (token, written)) in received.iter().zip(sent) {
            assert_eq!(text, token);
            overheads.push(at.duration_since(*written));
        }
    }
    overheads.sort();
    let pct =
        |p: f64| overheads[((overheads.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e6;
    println!(
        "relay overhead per streamed token (mock write → WebSocket frame received): n={} p50={:.0} µs p99={:.0} µs max={:.0} µs",
        overheads.len(),
        pct(0.5),
        pct(0.99),
        overheads.last().unwrap().as_secs_f64() * 1e6
    );
}
