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
