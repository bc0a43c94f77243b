//! Interview socket under load, against the real (release) binary, on a fresh SQLite file and
//! (when `REHEARSE_BENCH_POSTGRES_URL` or the local cluster at 127.0.0.1:5432 answers) on a fresh
//! PostgreSQL database:
//!
//! 1. the anchor: the protocol path without a session (a message answered with an error, no
//!    storage), round trips per second and p50/p99 on one connection;
//! 2. answer cycles (answer → ack → evaluation → next question) per second, and answer → ack
//!    p50/p99, with 1, 25 and 100 candidates answering at once;
//! 3. SQL statements (a batch counted statement by statement), round trips to the database and
//!    (PostgreSQL) WAL flushes per answer cycle, counted from the server's own statement log and
//!    `pg_stat_wal`;
//! 4. server memory (VmRSS) per open interview, with 1,000 idle interviews open (SQLite).
//!
//! Run: `cargo bench --bench ws_load` (needs ~2,100 file descriptors);
//! `REHEARSE_BENCH_ONLY=idle cargo bench --bench ws_load` measures only the memory of idle
//! interviews, `REHEARSE_BENCH_ONLY=sqlite` (or `postgres`) only phase 2 on that backend,
//! `REHEARSE_BENCH_ONLY=statements` only phase 3.

mod common;

use common::{PgDatabase, memory_mib, serve, serve_counting};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
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
/// No per-connection message limit gets in the way of the measurement.
const UNLIMITED: &[(&str, &str)] = &[
    ("REHEARSE_SERVER__MESSAGES_PER_SECOND", "1000000"),
    ("REHEARSE_SERVER__MESSAGE_BURST", "1000000"),
    ("REHEARSE_LOG", "warn"),
];

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

async fn connect(port: u16) -> Socket {
    tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws"))
        .await
        .unwrap()
        .0
}

async fn start(port: u16, count: usize) -> Socket {
    let mut ws = connect(port).await;
    ws.send(Message::text(
        json!({"type": "start", "topics": TOPICS, "level": "mid", "count": count}).to_string(),
    ))
    .await
    .unwrap();
    recv_type(&mut ws, "question").await;
    ws
}

/// Answers `n` questions (starting a new interview whenever one ends); returns each answer's
/// send → ack latency.
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

/// `candidates` answering `each` questions at once: cycles per second and ack latencies.
async fn cycles(port: u16, candidates: usize, each: usize) -> (f64, Vec<Duration>) {
    let began = Instant::now();
    let tasks: Vec<_> = (0..candidates)
        .map(|t| tokio::spawn(answer_loop(port, each, t + 1000 * candidates)))
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (
        (candidates * each) as f64 / began.elapsed().as_secs_f64(),
        all,
    )
}

/// Round trips of a message that needs no session (answered with an error, nothing stored).
async fn anchor(port: u16, n: usize) -> (f64, Vec<Duration>) {
    let mut ws = connect(port).await;
    let mut latencies = Vec::with_capacity(n);
    let began = Instant::now();
    for _ in 0..n {
        let sent = Instant::now();
        ws.send(Message::text(r#"{"type":"skip"}"#)).await.unwrap();
        let reply = recv(&mut ws).await;
        latencies.push(sent.elapsed());
        assert_eq!(reply["code"], "no_session", "{reply}");
    }
    (n as f64 / began.elapsed().as_secs_f64(), latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn latency(mut v: Vec<Duration>) -> String {
    v.sort();
    format!(
        "p50 {:.2} ms, p99 {:.2} ms",
        percentile(&v, 0.50).as_secs_f64() * 1e3,
        percentile(&v, 0.99).as_secs_f64() * 1e3
    )
}

async fn measure(label: &str, db_url: &str) {
    let (server, port) = serve(db_url, UNLIMITED).await;
    let (rate, lat) = anchor(port, 5000).await;
    println!(
        "{label}: anchor (no session, no storage): {rate:.0} round trips/s, {}",
        latency(lat)
    );
    // Warm-up: connection pool, page cache, prepared statements.
    answer_loop(port, 40, 999_999).await;
    for (candidates, each) in [(1, 2000), (25, 80), (100, 20)] {
        let (rate, lat) = cycles(port, candidates, each).await;
        println!(
            "{label}: {candidates} candidate(s): {rate:.0} answer cycles/s, answer→ack {}",
            latency(lat)
        );
    }
    drop(server);
}

/// SQL statements per answer cycle, from the server's statement log (sqlx logs each statement it
/// runs, BEGIN and COMMIT included, at debug level under `sqlx::query`).
async fn statements(label: &str, db_url: &str, pg: Option<&PgDatabase>) {
    let mut env = UNLIMITED.to_vec();
    env.retain(|(k, _)| *k != "REHEARSE_LOG");
    env.push(("REHEARSE_LOG", "warn,sqlx::query=debug"));
    let (server, port, count) = serve_counting(db_url, &env, "sqlx::query").await;
    // One interview of 20 main questions, answered to the end after a warm-up interview.
    answer_loop(port, 40, 7_777_777).await;
    let mut ws = start(port, 20).await;
    let before = (
        count.lines.load(Ordering::Relaxed),
        count.statements.load(Ordering::Relaxed),
    );
    let syncs_before = match pg {
        Some(pg) => Some(pg.wal_syncs().await),
        None => None,
    };
    let mut answered = 0;
    loop {
        answered += 1;
        ws.send(Message::text(
            json!({"type": "answer", "text": ANSWER, "client_msg_id": format!("s-{answered}")})
                .to_string(),
        ))
        .await
        .unwrap();
        recv_type(&mut ws, "evaluation").await;
        let next = recv(&mut ws).await;
        if next["type"] == "summary" {
            break;
        }
    }
    // The last statements are logged before the summary is sent; let the log reader catch up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let trips = count.lines.load(Ordering::Relaxed) - before.0;
    let n = count.statements.load(Ordering::Relaxed) - before.1;
    // The server's PostgreSQL backends report their WAL statistics when they exit.
    drop(server);
    let commits = match (pg, syncs_before) {
        (Some(pg), Some(b)) => {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            format!(
                ", {:.2} WAL flushes (fsyncs) per cycle",
                (pg.wal_syncs().await - b) as f64 / answered as f64
            )
        }
        _ => String::new(),
    };
    let per_cycle = |n: usize| n as f64 / answered as f64;
    println!(
        "{label}: {n} statements in {trips} round trips for {answered} answer cycles (the interview's end included): \
         {:.2} statements and {:.2} round trips per cycle{commits}",
        per_cycle(n),
        per_cycle(trips)
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    match std::env::var("REHEARSE_BENCH_ONLY").as_deref() {
        Ok("idle") => idle(&sqlite("idle.db")).await,
        Ok("sqlite") => measure("SQLite", &sqlite("load.db")).await,
        Ok("statements") => {
            statements("SQLite", &sqlite("statements.db"), None).await;
            match PgDatabase::create().await {
                Some(pg) => {
                    statements("PostgreSQL", &pg.url(), Some(&pg)).await;
                    pg.drop().await;
                }
                None => println!("{NO_POSTGRES}"),
            }
        }
        Ok("postgres") => match PgDatabase::create().await {
            Some(pg) => {
                measure("PostgreSQL", &pg.url()).await;
                pg.drop().await;
            }
            None => println!("{NO_POSTGRES}"),
        },
        _ => {
            load(&sqlite).await;
            idle(&sqlite("idle.db")).await;
        }
    }
}

const NO_POSTGRES: &str =
    "PostgreSQL: skipped (no server at REHEARSE_BENCH_POSTGRES_URL or 127.0.0.1:5432)";

/// Phases 1–3 on SQLite, then on PostgreSQL when a server answers.
async fn load(sqlite: &impl Fn(&str) -> String) {
    measure("SQLite", &sqlite("load.db")).await;
    statements("SQLite", &sqlite("statements.db"), None).await;
    match PgDatabase::create().await {
        Some(pg) => {
            measure("PostgreSQL", &pg.url()).await;
            pg.drop().await;
            let pg = PgDatabase::create().await.unwrap();
            statements("PostgreSQL", &pg.url(), Some(&pg)).await;
            pg.drop().await;
        }
        None => println!("{NO_POSTGRES}"),
    }
}

/// Phase 4: memory per idle interview, on a fresh server so the figure is not inflated by the
/// load phases.
async fn idle(url: &str) {
    let (server, port) = serve(url, UNLIMITED).await;
    let pid_idle = server.id().unwrap();
    // Settle first: the allocator returns what start-up freed after its decay time (10 s), and
    // that must not be counted against the interviews opened afterwards.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let before = memory_mib(pid_idle, "VmRSS");
    let anon_before = memory_mib(pid_idle, "RssAnon");
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
    let anon_after = memory_mib(pid_idle, "RssAnon");
    println!(
        "1,000 idle interviews: server RSS {:.1} MiB before, {:.1} MiB with them open (+{:.1} MiB, {:.1} KiB per interview; \
         of which anonymous memory +{:.1} KiB per interview, the rest the database file's mapped pages)",
        before,
        after,
        after - before,
        (after - before) * 1024.0 / 1000.0,
        (anon_after - anon_before) * 1024.0 / 1000.0
    );
    for r in readers {
        r.abort();
    }
}
