//! Three replicas of the real binary on one PostgreSQL database behind a real load balancer
//! (Debian's nginx, on loopback ports), 30 candidates interviewing through it while replicas are
//! killed with SIGKILL and restarted one at a time. Afterwards: every acknowledged answer is stored
//! exactly once, every interview finished, and no turn has two evaluations.
//!
//! Run by `scripts/cluster-test` (which the README's test command calls when PostgreSQL is
//! reachable): `cargo test --test cluster -- --ignored --nocapture`. Needs `nginx` on the PATH or in
//! /usr/sbin and `REHEARSE_TEST_POSTGRES_URL`.

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

use rehearse::store::SessionStatus;

// The integration suite's fixtures (a fresh PostgreSQL database); this test uses only those.
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

const REPLICAS: usize = 3;
const CANDIDATES: usize = 30;
const QUESTIONS: usize = 8;
/// The whole trial must end within this.
const DEADLINE: Duration = Duration::from_secs(240);
const ANSWER: &str = "The GIL lets one thread run Python bytecode at a time, so CPU-bound threads take \
    turns while I/O-bound threads release it while they wait; for CPU work I would use processes, and \
    I measured the difference with a profiler before choosing.";

/// A free loopback port (bound, then released for the process that will use it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One replica: the release binary serving on a fixed port.
struct Replica {
    port: u16,
    child: Option<Child>,
}

impl Replica {
    async fn start(&mut self, db_url: &str) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .args(["serve", "--bind", &format!("127.0.0.1:{}", self.port)])
            .env("REHEARSE_DATABASE__URL", db_url)
            .env("REHEARSE_LOG", "error")
            .env("REHEARSE_SERVER__STARTS_PER_MINUTE", "1000000")
            .env("REHEARSE_SERVER__MESSAGES_PER_SECOND", "1000")
            .env("REHEARSE_SERVER__MESSAGE_BURST", "1000")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        // The first line on stdout is the address it listens on: it is ready.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        lines
            .next_line()
            .await
            .unwrap()
            .expect("the replica starts");
        self.child = Some(child);
    }

    async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().unwrap();
            child.wait().await.unwrap();
        }
    }
}

/// The nginx binary.
fn nginx_path() -> &'static str {
    ["nginx", "/usr/sbin/nginx"]
        .into_iter()
        .find(|n| {
            std::process::Command::new(n)
                .arg("-v")
                .stderr(Stdio::null())
                .status()
                .is_ok()
        })
        .expect("nginx is installed (scripts/cluster-test installs Debian's nginx-light)")
}

/// nginx in the foreground with its own prefix directory.
fn start_nginx(dir: &std::path::Path, listen: u16, replicas: &[u16]) -> std::process::Child {
    let upstreams: String = replicas
        .iter()
        .map(|p| format!("    server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;\n"))
        .collect();
    let d = dir.display();
    let conf = format!(
        "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 2048; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}\n\
           upstream rehearse {{\n{upstreams}  }}\n\
           server {{\n    listen 127.0.0.1:{listen};\n    location / {{\n      proxy_pass http://rehearse;\n\
               proxy_http_version 1.1;\n      proxy_set_header Upgrade $http_upgrade;\n\
               proxy_set_header Connection $connection_upgrade;\n      proxy_connect_timeout 1s;\n\
               proxy_read_timeout 120s;\n      proxy_next_upstream error timeout http_502;\n    }}\n  }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    std::process::Command::new(nginx_path())
        .args([
            "-p",
            &dir.display().to_string(),
            "-c",
            "nginx.conf",
            "-g",
            "daemon off;",
        ])
        .spawn()
        .expect("nginx starts")
}

/// What the candidates saw: each acknowledged answer (session, turn, client_msg_id), and the
/// sessions whose summary arrived.
#[derive(Default)]
struct Seen {
    acked: Vec<(String, i64, String)>,
    finished: HashSet<String>,
    sessions: HashSet<String>,
    reconnects: usize,
    taken_over: usize,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn candidate(n: usize, lb: u16, seen: Arc<Mutex<Seen>>) {
    let mut session: Option<(String, String)> = None;
    let mut acked_turns: HashSet<i64> = HashSet::new();
    loop {
        let Ok(Ok((mut ws, _))) = tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{lb}/ws")),
        )
        .await
        else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let hello = match &session {
            None => {
                json!({"type": "start", "topics": ["concurrency", "python-core"], "level": "mid",
                           "count": QUESTIONS, "candidate": {"name": format!("Candidate {n}")}})
            }
            Some((id, token)) => json!({"type": "resume", "session_id": id, "resume_token": token}),
        };
        if ws.send(Message::text(hello.to_string())).await.is_ok()
            && converse(n, &mut ws, &mut session, &mut acked_turns, &seen).await
        {
            return;
        }
        seen.lock().await.reconnects += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Talks on one connection until the summary (true) or until the connection is lost (false).
async fn converse(
    n: usize,
    ws: &mut Socket,
    session: &mut Option<(String, String)>,
    acked_turns: &mut HashSet<i64>,
    seen: &Arc<Mutex<Seen>>,
) -> bool {
    let mut pending: Option<(i64, String)> = None;
    loop {
        let m: Value = match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str(&t).unwrap(),
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) | Err(_) => return false,
            Ok(Some(Ok(_))) => continue,
        };
        match m["type"].as_str().unwrap_or("") {
            "session" if session.is_none() => {
                let id = m["session_id"].as_str().unwrap().to_string();
                seen.lock().await.sessions.insert(id.clone());
                *session = Some((id, m["resume_token"].as_str().unwrap().to_string()));
            }
            "question" => {
                let turn = m["turn"].as_i64().unwrap();
                if !acked_turns.contains(&turn) {
                    let think = rand::rng().random_range(300..1500);
                    tokio::time::sleep(Duration::from_millis(think)).await;
                    let id = format!("c{n}-t{turn}");
                    let answer = json!({"type": "answer", "text": ANSWER, "client_msg_id": id});
                    if ws.send(Message::text(answer.to_string())).await.is_err() {
                        return false;
                    }
                    pending = Some((turn, id));
                }
            }
            "ack" => {
                let turn = m["turn"].as_i64().unwrap();
                let id = m["client_msg_id"].as_str().unwrap().to_string();
                acked_turns.insert(turn);
                if pending.as_ref().is_some_and(|(_, p)| *p == id) {
                    pending = None;
                }
                let session_id = session.as_ref().unwrap().0.clone();
                seen.lock().await.acked.push((session_id, turn, id));
            }
            "summary" => {
                let id = session.as_ref().unwrap().0.clone();
                seen.lock().await.finished.insert(id);
                return true;
            }
            "error" => {
                if m["code"] == "session_taken_over" {
                    seen.lock().await.taken_over += 1;
                }
                if m["fatal"] == true {
                    return false;
                }
                // Not stored (the database was busy or the replica is going away): send it again.
                if matches!(m["code"].as_str(), Some("storage_unavailable" | "internal"))
                    && let Some((_, id)) = &pending
                {
                    let answer = json!({"type": "answer", "text": ANSWER, "client_msg_id": id});
                    if ws.send(Message::text(answer.to_string())).await.is_err() {
                        return false;
                    }
                }
            }
            _ => {}
        }
    }
}

#[tokio::test]
#[ignore = "run by scripts/cluster-test: needs PostgreSQL, nginx and the release binary's time"]
async fn replicas_killed_under_load_lose_no_acknowledged_answer() {
    rehearse::tokens::install_crypto_provider();
    // A fresh, migrated database (so the replicas do not race to migrate it).
    let fixture = helpers::postgres_store()
        .await
        .expect("scripts/cluster-test needs REHEARSE_TEST_POSTGRES_URL");
    let db_url = fixture.url();

    let mut replicas: Vec<Replica> = (0..REPLICAS)
        .map(|_| Replica {
            port: free_port(),
            child: None,
        })
        .collect();
    for r in &mut replicas {
        r.start(&db_url).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let lb = free_port();
    let ports: Vec<u16> = replicas.iter().map(|r| r.port).collect();
    let mut nginx = start_nginx(dir.path(), lb, &ports);
    // nginx is up once it accepts a connection.
    let up = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", lb))
        .await
        .is_err()
    {
        assert!(up.elapsed() < Duration::from_secs(10), "nginx listens");
        tokio::task::yield_now().await;
    }

    let seen = Arc::new(Mutex::new(Seen::default()));
    let done = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let candidates: Vec<_> = (0..CANDIDATES)
        .map(|n| {
            let (seen, done) = (seen.clone(), done.clone());
            tokio::spawn(async move {
                candidate(n, lb, seen).await;
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();

    // One replica at a time: SIGKILL, back half a second later, next one a second after that.
    let mut kills = 0;
    while done.load(Ordering::SeqCst) < CANDIDATES {
        assert!(
            began.elapsed() < DEADLINE,
            "every interview finishes in time"
        );
        tokio::time::sleep(Duration::from_millis(1000)).await;
        if done.load(Ordering::SeqCst) == CANDIDATES {
            break;
        }
        let r = &mut replicas[kills % REPLICAS];
        r.kill().await;
        kills += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
        r.start(&db_url).await;
    }
    for c in candidates {
        c.await.unwrap();
    }
    let elapsed = began.elapsed();
    // SIGTERM to the master (through its pid file) stops its workers too; SIGKILL would not.
    std::process::Command::new(nginx_path())
        .args([
            "-p",
            &dir.path().display().to_string(),
            "-c",
            "nginx.conf",
            "-s",
            "stop",
        ])
        .status()
        .ok();
    nginx.wait().ok();
    for r in &mut replicas {
        r.kill().await;
    }

    let store = fixture.store.clone();
    let seen = seen.lock().await;
    assert_eq!(
        seen.finished.len(),
        CANDIDATES,
        "every candidate saw a summary"
    );
    let mut answers = 0;
    let mut evaluations = 0;
    for id in &seen.finished {
        let session = store.session(id).await.unwrap();
        assert_eq!(session.status, SessionStatus::Finished, "{id} is finished");
        let turns = store.turns(id).await.unwrap();
        let mut per_turn: HashMap<i64, usize> = HashMap::new();
        for e in store.evaluations(id).await.unwrap() {
            *per_turn.entry(e.turn).or_default() += 1;
        }
        for t in &turns {
            let n = per_turn.get(&t.turn).copied().unwrap_or(0);
            assert!(n <= 1, "{id} turn {} has {n} evaluations", t.turn);
            if t.answer_text.is_some() {
                answers += 1;
                assert_eq!(n, 1, "{id} turn {} was answered and graded once", t.turn);
            }
        }
        evaluations += per_turn.values().sum::<usize>();
    }
    for (session_id, turn, client_msg_id) in &seen.acked {
        let turns = store.turns(session_id).await.unwrap();
        let stored: Vec<_> = turns
            .iter()
            .filter(|t| t.client_msg_id.as_deref() == Some(client_msg_id))
            .collect();
        assert_eq!(
            stored.len(),
            1,
            "acked {client_msg_id} is stored exactly once"
        );
        assert_eq!(stored[0].turn, *turn);
        assert_eq!(stored[0].answer_text.as_deref(), Some(ANSWER));
    }
    println!(
        "cluster: {CANDIDATES} candidates, {REPLICAS} replicas behind nginx, {kills} SIGKILLs in {:.1} s; \
         {} acks, {answers} answers stored, {evaluations} evaluations (one per answered turn), \
         {} reconnects, {} told session_taken_over; {} interviews started, {} finished",
        elapsed.as_secs_f64(),
        seen.acked.len(),
        seen.reconnects,
        seen.taken_over,
        seen.sessions.len(),
        seen.finished.len()
    );
    drop(seen);
    fixture.drop_database().await;
}
