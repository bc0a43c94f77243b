//! Server memory under the attacks the hardening work answers, against the real (release) binary
//! on a fresh SQLite file. Prints VmRSS (and VmHWM, the peak) of the server process:
//!
//! 1. four unauthenticated connections each announcing a 512 MiB frame and then sending as fast
//!    as the server takes it (the frame is refused from its header: nothing is buffered);
//! 2. connection storms: rounds of 2,000 connections that each start an interview and drop, and
//!    the memory left once they are gone.
//!
//! Run: `cargo bench --bench attacks` (needs ~2,100 file descriptors).

mod common;

use common::{memory_mib, serve};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// (VmRSS, VmHWM) of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    (memory_mib(pid, "VmRSS"), memory_mib(pid, "VmHWM"))
}

/// Opens a raw WebSocket, announces a frame of `len` bytes and streams payload until the server
/// stops taking it; returns how many payload bytes it wrote.
async fn oversized_frame(port: u16, len: u64) -> u64 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let hello = format!(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(hello.as_bytes()).await.unwrap();
    let mut buf = [0u8; 1024];
    let _ = s.read(&mut buf).await.unwrap();
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&len.to_be_bytes());
    header.extend_from_slice(&[0, 0, 0, 0]);
    s.write_all(&header).await.unwrap();
    let piece = vec![b'x'; 256 * 1024];
    let mut written = 0u64;
    while written < len {
        match tokio::time::timeout(Duration::from_secs(5), s.write(&piece)).await {
            Ok(Ok(n)) if n > 0 => written += n as u64,
            _ => break,
        }
    }
    written
}

async fn storm(port: u16, connections: usize) {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        tasks.push(tokio::spawn(async move {
            let Ok((mut ws, _)) =
                tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws")).await
            else {
                return;
            };
            let start =
                json!({"type": "start", "topics": ["concurrency"], "level": "junior", "count": 1});
            let _ = ws.send(Message::text(start.to_string())).await;
            // Wait for the question, then drop the connection without a close handshake.
            let mut seen = 0;
            while let Some(Ok(m)) = ws.next().await {
                if m.is_text() {
                    seen += 1;
                    if seen == 2 {
                        break;
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}

/// Anonymous and file-backed resident memory (MiB) and open file descriptors of a process.
fn breakdown(pid: u32) -> (f64, f64, usize) {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
    let file = memory_mib(pid, "RssFile") + memory_mib(pid, "RssShmem");
    (memory_mib(pid, "RssAnon"), file, fds)
}

/// Waits until the server's RSS has not fallen for 15 s (the allocator gives freed memory back
/// over about ten seconds).
async fn settled(pid: u32) -> f64 {
    let mut lowest = memory(pid).0;
    let mut stable = 0;
    while stable < 5 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let now = memory(pid).0;
        if now < lowest - 0.5 {
            lowest = now;
            stable = 0;
        } else {
            stable += 1;
        }
    }
    memory(pid).0
}

#[tokio::main]
async fn main() {
    rehearse::tokens::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("attacks.db").display());

    let (server, port) = serve(&db_url, &[]).await;
    let pid = server.id().unwrap();
    let (start, _) = memory(pid);
    let started = Instant::now();
    let writers: Vec<_> = (0..4)
        .map(|_| tokio::spawn(oversized_frame(port, 512 << 20)))
        .collect();
    let mut taken = Vec::new();
    for w in writers {
        taken.push(w.await.unwrap());
    }
    let (after, peak) = memory(pid);
    println!(
        "oversized frames: 4 × 512 MiB announced; server took {:?} MiB each before closing, in {:.1} s",
        taken.iter().map(|b| b >> 20).collect::<Vec<_>>(),
        started.elapsed().as_secs_f64()
    );
    println!("  server RSS: start {start:.1} MiB, peak {peak:.1} MiB, after {after:.1} MiB");
    drop(server);

    let (server, port) = serve(&db_url, &[]).await;
    let pid = server.id().unwrap();
    let baseline = settled(pid).await;
    println!("connection storms (2,000 connections per round, each starting an interview):");
    println!("  baseline RSS {baseline:.1} MiB");
    for round in 1..=4 {
        storm(port, 2_000).await;
        let (_, peak) = memory(pid);
        let rest = settled(pid).await;
        let (anon, file, fds) = breakdown(pid);
        let health: serde_json::Value = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        println!(
            "  after round {round}: peak {peak:.1} MiB, settled {rest:.1} MiB \
             (anonymous {anon:.1}, file-backed {file:.1}; {fds} fds open; {} interviews connected)",
            health["connected_interviews"]
        );
    }
}
