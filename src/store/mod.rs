//! Persistence: the only module with SQL. SQLite (default) or PostgreSQL, picked from the URL
//! scheme; the same statements run on both (`$n` placeholders, BIGINT millisecond timestamps,
//! JSON as text), each dialect with its own migrations folder.

mod assignments;
mod error;
mod evaluations;
mod invites;
mod live;
mod notify;
mod pipeline;
mod profiles;
mod records;
mod regrade;
mod retention;
mod rubrics;
mod session_list;
mod sessions;
mod step;
mod tokens;
mod turns;
mod turnstile;

pub use error::StoreError;
pub use invites::{InviteProblem, InviteRecord, InviteSession, NewInvite};
pub use live::{AnswerStored, GradingCommit, Next};
pub use notify::Notifications;
pub use pipeline::{ListStatus, SessionStats};
pub use profiles::{ProfileErased, ProfileRecord};
pub use records::*;
pub use regrade::RegradeItem;
pub use retention::{AuditEntry, SESSION_ERASED};
pub use session_list::{SessionQuery, SessionSort, SortKey, decode_cursor, encode_cursor};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// SQLite's memory map of the database file (reads skip a copy through the page cache).
const SQLITE_MMAP_BYTES: u64 = 256 * 1024 * 1024;
/// SQLite's page cache per connection.
const SQLITE_CACHE_KIB: u64 = 8 * 1024;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// SQLite takes one writer at a time: its writes go through a pool of one connection, so they
/// queue in-process instead of sleeping in SQLite's busy handler, and reads use their own pool.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to whichever pool the store holds (SQLite: the read pool). The
/// body is compiled once per backend, so one statement text serves both.
macro_rules! on_pool {
    ($store:expr, |$p:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite { read: $p, .. } => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// [`on_pool!`] for a statement that writes (SQLite: the writer connection), in its turn among
/// background writes.
macro_rules! on_writer {
    ($store:expr, |$p:ident| $body:expr) => {{
        let _turn = $store.background_turn().await;
        match &$store.pool {
            $crate::store::Pool::Sqlite { write: $p, .. } => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    }};
}
pub(crate) use on_writer;

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// The queue writes take their turn in (SQLite: one at a time on the writer connection;
    /// PostgreSQL: as many as the pool has connections): a write a candidate waits on goes first.
    writes: Arc<turnstile::Turnstile>,
    /// Set when the last answer, turn, session or evaluation write failed for lack of disk space;
    /// cleared by the next one that succeeds.
    storage_full: Arc<AtomicBool>,
}

/// Connection settings beyond the URL.
#[derive(Debug, Clone, Copy)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub busy_timeout: Duration,
    /// SQLite: `synchronous=FULL` instead of `NORMAL`.
    pub full_sync: bool,
    /// PostgreSQL: how long a connection may sit idle in the pool before it is pinged on
    /// checkout (one in steady use is not).
    pub ping_after_idle: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 10,
            busy_timeout: Duration::from_secs(5),
            full_sync: false,
            ping_after_idle: Duration::from_secs(1),
        }
    }
}

impl Store {
    /// Connects to `url` (`sqlite://file.db`, `postgres://…`). A SQLite file is created if it is
    /// missing and opened in WAL mode with `synchronous=NORMAL` (or `FULL`), a busy timeout, a
    /// memory map and a page cache; one connection writes, the others read.
    pub async fn connect(url: &str, opts: ConnectOptions) -> Result<Store, StoreError> {
        let pool = match Backend::from_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(if opts.full_sync {
                        SqliteSynchronous::Full
                    } else {
                        SqliteSynchronous::Normal
                    })
                    .busy_timeout(opts.busy_timeout)
                    .foreign_keys(true)
                    .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
                    .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
                // The writer first: it creates the file and switches it to WAL.
                // A SQLite connection is a file handle that cannot hang up, so the pools skip
                // the liveness ping sqlx sends on every checkout (one more round trip to the
                // connection's worker thread before each write or read).
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(opts.max_connections.max(1))
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                Pool::Sqlite { read, write }
            }
            Backend::Postgres => Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(opts.max_connections)
                    // A connection in steady use needs no ping (a network round trip) before
                    // each statement; one that sat idle, perhaps through a database restart, is
                    // checked before it is handed out.
                    .test_before_acquire(false)
                    .before_acquire(move |conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= opts.ping_after_idle {
                                sqlx::Connection::ping(conn).await?;
                            }
                            Ok(true)
                        })
                    })
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?,
            ),
        };
        let writes = Arc::new(turnstile::Turnstile::new(match pool {
            Pool::Sqlite { .. } => 1,
            Pool::Postgres(_) => opts.max_connections as usize,
        }));
        Ok(Store {
            pool,
            writes,
            storage_full: Arc::default(),
        })
    }

    /// Connects and applies pending migrations.
    pub async fn open(url: &str, opts: ConnectOptions) -> Result<Store, StoreError> {
        let store = Store::connect(url, opts).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations for this backend; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await.unwrap_or(0);
        match &self.pool {
            Pool::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(self.applied_migrations().await?.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<usize, StoreError> {
        let n: i64 = on_pool!(self, |p| {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(p)
                .await?
        });
        Ok(n as usize)
    }

    /// Waits for this store's turn to write among background writes (after any answer a
    /// candidate is waiting on); the turn ends when the returned guard is dropped.
    async fn background_turn(&self) -> turnstile::Turn {
        self.writes.enter(turnstile::Urgency::Background).await
    }

    /// Which engine this store uses.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Cheap liveness check for `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    /// What a commit waits for before it counts as stored: SQLite's `synchronous` setting on the
    /// writer connection (`normal`, `full`), or PostgreSQL's `synchronous_commit`.
    pub async fn durability(&self) -> Result<String, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite { write, .. } => {
                let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(write)
                    .await?;
                let name = match level {
                    0 => "off",
                    1 => "normal",
                    2 => "full",
                    _ => "extra",
                };
                format!("sqlite synchronous={name}")
            }
            Pool::Postgres(p) => {
                let level: String = sqlx::query_scalar("SHOW synchronous_commit")
                    .fetch_one(p)
                    .await?;
                format!("postgres synchronous_commit={level}")
            }
        })
    }

    /// True when the last write that records an interview failed because the disk is full.
    pub fn storage_full(&self) -> bool {
        self.storage_full.load(Ordering::Relaxed)
    }

    /// Notes whether a write that records an interview ran out of disk space.
    fn observe_write<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match &result {
            Ok(_) => self.storage_full.store(false, Ordering::Relaxed),
            Err(e) if e.is_storage_full() => self.storage_full.store(true, Ordering::Relaxed),
            Err(_) => {}
        }
        result
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pool::Postgres(p) => p.close().await,
        }
    }
}

impl Backend {
    /// The backend a database URL names.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }
}
