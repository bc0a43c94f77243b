//! Interview socket under load, against the real (release) binary on a fresh SQLite file:
//!
//! 1. answer → ack latency, p50/p99: one candidate answering back to back, then 25 candidates
//!    answering at the same time;
//! 2. server memory (VmRSS) with 1,000 idle interviews open (each started, first question asked,
//!    the client answering pings but otherwise silent).
//!
//! Run: `cargo bench --bench ws_load` (needs ~2,100 file descriptors).

mod common;

use common::{memory_mib, serve};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const TOPICS: &[&str] = &[
    "python-core",
    "data-structures",
    "functions-oop",
    "concurrency",
    "ecosystem",
];
const ANSWER: &str = "I would start from the definition, then explain why it behaves that way, because the \
    mechanism matters more than the name. For example, in production we measured the difference with a \
    profiler and kept the simpler version since the cost was negligible compared with the database calls.";

async fn recv(ws: &mut Socket) -> Value {
    loop {
        match ws.next().await.expect("open").expect("frame") {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            _ => continue,
        }
    }
}

async fn recv_type(ws: &mut Socket, ty: &str) -> Value {
    loop {
        let m = recv(ws).await;
        if m["type"] == ty {
            return m;
        }
    }
}

async fn start(port: u16, count: usize) -> Socket {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
        .await
        .unwrap();
    ws.send(Message::text(
        json!({"type": "start", "topics": TOPICS, "level": "mid", "count": count}).to_string(),
    ))
    .await
    .unwrap();
    recv_type(&mut ws, "question").await;
    ws
}

/// Answers `n` questions on fresh interviews; returns each answer's send → ack latency.
async fn answer_loop(port: u16, n: usize, tag: usize) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(n);
    let mut ws = start(port, 20).await;
    for i in 0..n {
        let id = format!("{tag}-{i}");
        let sent = Instant::now();
        ws.send(Message::text(
            json!({"type": "answer", "text": ANSWER, "client_msg_id": id}).to_string(),
        ))
        .await
        .unwrap();
        let ack = recv(&mut ws).await;
        latencies.push(sent.elapsed());
        assert_eq!(ack["type"], "ack", "{ack}");
        recv_type(&mut ws, "evaluation").await;
        let next = recv(&mut ws).await;
        if next["type"] == "summary" {
            ws = start(port, 20).await;
        }
    }
    latencies
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(label: &str, mut v: Vec<Duration>) {
    v.sort();
    println!(
        "{label}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        v.len(),
        percentile(&v, 0.50).as_secs_f64() * 1e3,
        percentile(&v, 0.99).as_secs_f64() * 1e3,
        v.last().unwrap().as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("load.db").display());
    let (server, port) = serve(
        &db_url,
        &[
            ("REHEARSE_SERVER__MESSAGES_PER_SECOND", "1000"),
            ("REHEARSE_SERVER__MESSAGE_BURST", "1000"),
        ],
    )
    .await;

    // Warm-up: connection pool, page cache, prepared statements.
    answer_loop(port, 20, 999).await;

    report(
        "answer→ack, 1 candidate, SQLite",
        answer_loop(port, 500, 0).await,
    );

    let tasks: Vec<_> = (0..25)
        .map(|t| tokio::spawn(answer_loop(port, 40, t + 1)))
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    report("answer→ack, 25 concurrent candidates, SQLite", all);

    // Idle interviews: a fresh server so the figure is not inflated by the latency phase.
    drop(server);
    let db_url = format!("sqlite://{}", dir.path().join("idle.db").display());
    let (server, port) = serve(
        &db_url,
        &[
            ("REHEARSE_SERVER__MESSAGES_PER_SECOND", "1000"),
            ("REHEARSE_SERVER__MESSAGE_BURST", "1000"),
        ],
    )
    .await;
    let pid_idle = server.id().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = memory_mib(pid_idle, "VmRSS");
    let mut sockets = Vec::with_capacity(1000);
    for _ in 0..1000 {
        sockets.push(start(port, 3).await);
    }
    // Keep reading so pings are answered (an idle browser tab does the same).
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut ws| tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} }))
        .collect();
    tokio::time::sleep(Duration::from_secs(12)).await;
    let after = memory_mib(pid_idle, "VmRSS");
    println!(
        "1,000 idle interviews: server RSS {:.1} MiB before, {:.1} MiB with them open (+{:.1} MiB, {:.1} KiB per interview)",
        before,
        after,
        after - before,
        (after - before) * 1024.0 / 1000.0
    );
    for r in readers {
        r.abort();
    }
}
