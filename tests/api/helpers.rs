//! Shared test fixtures: the shipped content, stores on real databases, the built binary.

use std::path::Path;
use std::sync::LazyLock;

use rehearse::assets::{ContentDir, SourceFile, read_dir};
use rehearse::bank::{Bank, Question};
use rehearse::rubric::{Rubric, RubricSet};
use rehearse::store::{ConnectOptions, Store};

/// The shipped question bank.
pub static BANK: LazyLock<Bank> =
    LazyLock::new(|| Bank::load(&bank_files()).expect("shipped bank is valid"));

/// The shipped rubrics.
pub static RUBRICS: LazyLock<RubricSet> = LazyLock::new(|| {
    RubricSet::load(&read_dir(ContentDir::Rubrics, Path::new("rubrics")).unwrap())
        .expect("shipped rubrics are valid")
});

pub fn bank_files() -> Vec<SourceFile> {
    read_dir(ContentDir::Questions, Path::new("questions")).unwrap()
}

pub fn question(id: &str) -> &'static Question {
    BANK.get(id)
        .unwrap_or_else(|| panic!("question {id} is in the bank"))
}

pub fn rubric_for(q: &Question) -> &'static Rubric {
    RUBRICS.for_kind(q.kind)
}

/// A store on a fresh SQLite file in its own temporary directory.
pub struct SqliteFixture {
    pub store: Store,
    _dir: tempfile::TempDir,
}

pub async fn sqlite_store() -> SqliteFixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("rehearse.db").display());
    let store = Store::open(&url, ConnectOptions::default()).await.unwrap();
    SqliteFixture { store, _dir: dir }
}

/// A fresh PostgreSQL database, dropped when the test ends normally. `None` when
/// `REHEARSE_TEST_POSTGRES_URL` is not set.
pub struct PostgresFixture {
    pub store: Store,
    admin_url: String,
    name: String,
}

/// Why a PostgreSQL test built to run found no server named.
pub const NO_POSTGRES: &str =
    "REHEARSE_TEST_POSTGRES_URL was set when the tests were built but is not set now";

pub fn postgres_url() -> Option<String> {
    std::env::var("REHEARSE_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

pub async fn postgres_store() -> Option<PostgresFixture> {
    let admin_url = postgres_url()?;
    let name = format!("rehearse_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Store::connect(
        &admin_url,
        ConnectOptions {
            max_connections: 1,
            ..Default::default()
        },
    )
    .await
    .expect("REHEARSE_TEST_POSTGRES_URL is reachable");
    rehearse_test_sql(&admin_url, &format!("CREATE DATABASE {name}")).await;
    admin.close().await;
    let url = with_database(&admin_url, &name);
    let store = Store::open(
        &url,
        ConnectOptions {
            max_connections: 4,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Some(PostgresFixture {
        store,
        admin_url,
        name,
    })
}

impl PostgresFixture {
    /// The URL of the fixture's own database.
    pub fn url(&self) -> String {
        with_database(&self.admin_url, &self.name)
    }

    pub async fn drop_database(self) {
        self.store.close().await;
        rehearse_test_sql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        )
        .await;
    }
}

/// Runs one administrative statement (CREATE/DROP DATABASE) outside the store, which
/// deliberately offers no such thing.
pub async fn rehearse_test_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs the built `rehearse` binary from the crate root.
pub fn rehearse(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("REHEARSE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}
