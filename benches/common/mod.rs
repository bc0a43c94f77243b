//! What the benches that drive the real (release) binary share: starting it, and reading its
//! memory from /proc.

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts `rehearse serve` on a free port with a database URL and extra settings as environment
/// variables; returns the process (killed when dropped) and its port.
pub async fn serve(db_url: &str, env: &[(&str, &str)]) -> (Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("REHEARSE_DATABASE__URL", db_url)
        .env("REHEARSE_LOG", "warn")
        .env("REHEARSE_SERVER__STARTS_PER_MINUTE", "1000000")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the release binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    (child, first.rsplit(':').next().unwrap().parse().unwrap())
}

/// A memory field of /proc/PID/status (`VmRSS`, `VmHWM`, `RssAnon`, …) in MiB; 0 when absent.
pub fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

#[allow(dead_code)] // each bench compiles this module; only ws_load counts log lines
/// [`serve`] with the server's log lines on stderr counted when they contain `needle` (run it
/// with a log filter that prints what is to be counted, e.g. `sqlx::query=debug`).
pub async fn serve_counting(
    db_url: &str,
    env: &[(&str, &str)],
    needle: &'static str,
) -> (Child, u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("REHEARSE_DATABASE__URL", db_url)
        .env("REHEARSE_SERVER__STARTS_PER_MINUTE", "1000000")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the release binary starts");
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let mut errors = BufReader::new(child.stderr.take().unwrap()).lines();
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = errors.next_line().await {
            if line.contains(needle) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    (
        child,
        first.rsplit(':').next().unwrap().parse().unwrap(),
        count,
    )
}
