//! What the benches share: starting the real (release) binary, reading its memory from /proc,
//! and a fresh PostgreSQL database per run.

// Each bench compiles this module and uses part of it.
#![allow(dead_code)]

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts `rehearse serve` on a free port with a database URL and extra settings as environment
/// variables; returns the process (killed when dropped) and its port.
pub async fn serve(db_url: &str, env: &[(&str, &str)]) -> (Child, u16) {
    let (child, port, _) = start(db_url, &[&[("REHEARSE_LOG", "warn")], env].concat(), None).await;
    (child, port)
}

/// What [`serve_counting`] counts in the server's log.
#[derive(Clone, Default)]
pub struct Counts {
    /// Log lines containing the needle (for `sqlx::query`: round trips to the database).
    pub lines: Arc<AtomicUsize>,
    /// SQL statements in those lines: a batch (`BEGIN; …; COMMIT`) counts each of its statements.
    pub statements: Arc<AtomicUsize>,
}

/// [`serve`] with the server's log lines on stderr counted when they contain `needle` (run it
/// with a log filter that prints what is to be counted, e.g. `sqlx::query=debug`).
pub async fn serve_counting(
    db_url: &str,
    env: &[(&str, &str)],
    needle: &'static str,
) -> (Child, u16, Counts) {
    let (child, port, count) = start(db_url, env, Some(needle)).await;
    (child, port, count.unwrap_or_default())
}

/// The SQL statements in a `sqlx::query` log line: its `db.statement` split at semicolons
/// (no statement the server runs has one inside a literal); 1 when the line shows none.
fn statements_in(line: &str) -> usize {
    let Some((_, rest)) = line.split_once("db.statement=\"") else {
        return 1;
    };
    let sql = rest.split_once("\" rows_affected").map_or(rest, |(s, _)| s);
    sql.split(';')
        .filter(|part| !part.replace("\\n", " ").trim().is_empty())
        .count()
        .max(1)
}

async fn start(
    db_url: &str,
    env: &[(&str, &str)],
    needle: Option<&'static str>,
) -> (Child, u16, Option<Counts>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("REHEARSE_DATABASE__URL", db_url)
        .env("REHEARSE_SERVER__STARTS_PER_MINUTE", "1000000")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(if needle.is_some() {
            Stdio::piped()
        } else {
            Stdio::inherit()
        })
        .kill_on_drop(true)
        .spawn()
        .expect("the release binary starts");
    let count = needle.map(|needle| {
        let count = Counts::default();
        let mut errors = BufReader::new(child.stderr.take().unwrap()).lines();
        let counter = count.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = errors.next_line().await {
                if line.contains(needle) {
                    counter.lines.fetch_add(1, Ordering::Relaxed);
                    counter
                        .statements
                        .fetch_add(statements_in(&line), Ordering::Relaxed);
                }
            }
        });
        count
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    (
        child,
        first.rsplit(':').next().unwrap().parse().unwrap(),
        count,
    )
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

/// A fresh PostgreSQL database for one run, dropped afterwards; None when no server answers.
pub struct PgDatabase {
    pub admin_url: String,
    pub name: String,
}

/// Numbers the databases one bench creates.
static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl PgDatabase {
    pub async fn create() -> Option<PgDatabase> {
        use sqlx::Connection;
        let admin_url = std::env::var("REHEARSE_BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut conn = sqlx::PgConnection::connect(&admin_url).await.ok()?;
        let name = format!(
            "rehearse_bench_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&mut conn)
        .await
        .ok()?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .ok()?;
        Some(PgDatabase { admin_url, name })
    }

    pub fn url(&self) -> String {
        let base = self.admin_url.rsplit_once('/').map_or("", |(b, _)| b);
        format!("{base}/{}", self.name)
    }

    /// WAL flushes to disk in the whole cluster so far (one per durable commit; the bench is
    /// assumed to be alone on the cluster).
    pub async fn wal_syncs(&self) -> i64 {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&self.admin_url).await.unwrap();
        sqlx::query_scalar("SELECT wal_sync FROM pg_stat_wal")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }

    pub async fn drop(self) {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&self.admin_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut conn)
        .await
        .unwrap();
    }
}
