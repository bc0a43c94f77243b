//! The staff session list at scale: 20,000 stored sessions on a fresh SQLite file and (when the
//! local cluster at 127.0.0.1:5432 or `REHEARSE_BENCH_POSTGRES_URL` answers) a fresh PostgreSQL
//! database; the first page (50) of every filter and sort the list offers, median of 15 runs,
//! against the unfiltered first page.
//!
//! Run: `cargo bench --bench session_list`.

mod common;

use std::time::{Duration, Instant};

use common::PgDatabase;

use rehearse::store::{ConnectOptions, ListStatus, SessionQuery, SessionSort, Store};
use sqlx::Connection;

const SESSIONS: i64 = 20_000;

/// Fills the database with `SESSIONS` sessions in one statement: a mix of statuses, levels,
/// topics, scores, flags and candidates (one in 400 named "Quinn …").
fn fill_sql(series: &str) -> String {
    format!(
        "INSERT INTO sessions (id, resume_token_hash, candidate_name, candidate_email, topics, level, \
         question_count, plan, status, invite_id, overall, flagged, summary, created_at, updated_at, epoch) \
         SELECT 'bench-' || n, 'h' || n, \
         CASE WHEN n % 400 = 0 THEN 'Quinn Example ' || n ELSE 'Candidate ' || n END, \
         'candidate' || n || '@example.com', \
         CASE n % 3 WHEN 0 THEN 'concurrency' WHEN 1 THEN 'python-core,algorithms' ELSE 'behavioral' END, \
         CASE n % 3 WHEN 0 THEN 'junior' WHEN 1 THEN 'mid' ELSE 'senior' END, \
         5, '{{\"question_ids\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"topics\":[\"concurrency\"],\"level\":\"mid\",\"count\":5}}', \
         CASE WHEN n % 5 = 0 THEN 'active' ELSE 'finished' END, \
         CASE WHEN n % 50 = 0 THEN 'invite-' || (n % 7) ELSE NULL END, \
         CASE WHEN n % 5 = 0 THEN NULL ELSE n % 101 END, \
         n % 37 = 0, \
         CASE WHEN n % 5 = 0 THEN NULL ELSE '{{\"overall\":70,\"passed\":true,\"by_topic\":[],\"strengths\":[\"clear\"],\"focus_areas\":[],\"topics_to_review\":[]}}' END, \
         1700000000000 + n * 60000, 1700000000000 + n * 60000, 1 \
         FROM {series}"
    )
}

async fn median(store: &Store, q: &SessionQuery) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..15 {
        let t = Instant::now();
        let (rows, _) = store.list_sessions(q).await.unwrap();
        times.push(t.elapsed());
        n = rows.len();
    }
    times.sort();
    (times[times.len() / 2], n)
}

async fn measure(label: &str, store: &Store) {
    let page = |f: &dyn Fn(&mut SessionQuery)| {
        let mut q = SessionQuery {
            limit: 50,
            descending: true,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let cases: Vec<(&str, SessionQuery)> = vec![
        ("unfiltered, newest first", page(&|_| {})),
        (
            "status = active",
            page(&|q| q.status = Some(ListStatus::Active)),
        ),
        ("level = senior", page(&|q| q.level = Some("senior".into()))),
        (
            "topic = algorithms",
            page(&|q| q.topic = Some("algorithms".into())),
        ),
        (
            "candidate ~ \"quinn\"",
            page(&|q| q.candidate = Some("quinn".into())),
        ),
        (
            "invite = invite-3",
            page(&|q| q.invite_id = Some("invite-3".into())),
        ),
        (
            "score 90–100",
            page(&|q| {
                q.min_score = Some(90);
                q.max_score = Some(100);
            }),
        ),
        ("flagged", page(&|q| q.flagged = Some(true))),
        (
            "created in one day",
            page(&|q| {
                q.from = Some(1_700_000_000_000 + 5_000 * 60_000);
                q.to = Some(1_700_000_000_000 + 5_000 * 60_000 + 86_400_000);
            }),
        ),
        (
            "sorted by overall",
            page(&|q| q.sort = SessionSort::Overall),
        ),
        (
            "sorted by candidate",
            page(&|q| q.sort = SessionSort::Candidate),
        ),
        ("oldest first", page(&|q| q.descending = false)),
    ];
    let (base, _) = median(store, &cases[0].1).await;
    for (name, q) in &cases {
        let (t, n) = median(store, q).await;
        println!(
            "{label}: {name}: {:.2} ms ({n} rows), {:.1}× the unfiltered first page",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() / base.as_secs_f64()
        );
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("list.db").display());
    let store = Store::open(&url, ConnectOptions::default()).await.unwrap();
    {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let series = format!(
            "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {SESSIONS}) SELECT n FROM s)"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(fill_sql(&series)))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::raw_sql("ANALYZE").execute(&mut conn).await.unwrap();
    }
    measure("SQLite", &store).await;

    let Some(pg) = PgDatabase::create().await else {
        println!("PostgreSQL: skipped (no server)");
        return;
    };
    let url = pg.url();
    let store = Store::open(&url, ConnectOptions::default()).await.unwrap();
    {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let series = format!("generate_series(1, {SESSIONS}) AS s(n)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(fill_sql(&series)))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::raw_sql("ANALYZE sessions")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    measure("PostgreSQL", &store).await;
    store.close().await;
    pg.drop().await;
}
