//! Database access: one connection type for both backends, the pool, migrations and the
//! one place (`Db::run`) where request handlers reach the blocking connection pool.
//!
//! It also keeps the state of the storage behind the database: whether a write recently
//! failed for lack of disk space (for `/readyz`), and SQLite's write-ahead log, checkpointed
//! and truncated periodically so that it does not grow without bound.
//!
//! Nothing here knows about HTTP beyond mapping pool failures to `AppError`.

mod preflight;
pub mod schema;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend `DATABASE_URL` names. Queries written against it run on
/// both; backend-specific SQL matches on the variant.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL points at, parsed once at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path for the embedded SQLite database.
    Sqlite(String),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Reads `byline.db`, `sqlite://path`, `sqlite:path` or a PostgreSQL URL.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if path.is_empty() {
            return Err("expected a SQLite file path or a postgres:// URL".into());
        }
        if path.contains("://") {
            return Err(format!("unsupported database scheme in {path:?}"));
        }
        Ok(Self::Sqlite(path.to_owned()))
    }

    /// `sqlite` or `postgres`, for logs and health output.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// The current time in UTC at the resolution both backends keep (microseconds).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A failure to open or check a pooled connection.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// Opens connections for the pool, choosing the backend from the URL so that an outage
/// reports the real driver error, and applying SQLite's per-connection settings.
pub struct Manager {
    url: DatabaseUrl,
    /// PostgreSQL's `statement_timeout` for every connection, if any.
    statement_timeout: Option<Duration>,
}

// WAL lets readers proceed while one writer commits; busy_timeout makes concurrent writers wait
// for the lock instead of failing; foreign keys are off in SQLite unless asked for. A checkpoint
// every 1,000 pages (4 MiB) keeps the log short, and journal_size_limit shrinks the file back to
// 16 MiB when a checkpoint resets it, after readers held it open through a burst of writes.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA wal_autocheckpoint = 1000; PRAGMA journal_size_limit = 16777216;";

/// How often SQLite's write-ahead log is checkpointed and truncated to zero bytes.
pub const WAL_CHECKPOINT_INTERVAL: Duration = Duration::from_secs(60);

/// How long a truncating checkpoint waits for readers and writers before giving up until the
/// next round; short, because it blocks new writers while it waits.
const CHECKPOINT_BUSY_TIMEOUT_MS: u32 = 200;

/// How long `/readyz` reports not ready after a write failed for lack of space, before it
/// tries a write of its own: as long as clients are told to wait.
const STORAGE_FULL_QUIET: Duration = Duration::from_secs(crate::error::UNAVAILABLE_RETRY_AFTER);

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<AnyConnection, ConnectError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
                Ok(AnyConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                if let Some(limit) = self.statement_timeout {
                    conn.batch_execute(&format!("SET statement_timeout = {}", limit.as_millis()))?;
                }
                Ok(AnyConnection::Postgresql(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        match conn {
            AnyConnection::Postgresql(c) => c.is_broken(),
            AnyConnection::Sqlite(c) => c.is_broken(),
        }
    }
}

/// When a write last failed because the disk was full; `None` while writes succeed.
#[derive(Debug, Default)]
struct StorageState {
    full_since: Mutex<Option<Instant>>,
}

/// The connection pool and the bridge from async handlers to blocking queries.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    url: DatabaseUrl,
    storage: Arc<StorageState>,
    /// Requests waiting for a connection right now, for `/metrics`.
    waiting: Arc<AtomicI64>,
}

impl Db {
    /// Opens the pool, with no statement timeout (the command line: exports and imports may
    /// run long statements). Fails when the database cannot be reached at all.
    pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Self, String> {
        Self::connect_with(url, max_size, None)
    }

    /// Opens the pool; on PostgreSQL, every statement is cancelled after `statement_timeout`.
    pub fn connect_with(
        url: &DatabaseUrl,
        max_size: u32,
        statement_timeout: Option<Duration>,
    ) -> Result<Self, String> {
        preflight::check(url)?;
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(3))
            .build(Manager {
                url: url.clone(),
                statement_timeout,
            })
            .map_err(|e| format!("cannot connect to the {} database: {e}", url.backend_name()))?;
        Ok(Self {
            pool,
            url: url.clone(),
            storage: Arc::default(),
            waiting: Arc::default(),
        })
    }

    /// Sets the pool's gauges for `/metrics`: connections in use and idle, and requests
    /// waiting for one.
    pub fn report_pool(&self) {
        let state = self.pool.state();
        let idle = f64::from(state.idle_connections);
        let in_use = f64::from(state.connections.saturating_sub(state.idle_connections));
        metrics::gauge!("byline_db_pool_connections", "state" => "idle").set(idle);
        metrics::gauge!("byline_db_pool_connections", "state" => "in_use").set(in_use);
        metrics::gauge!("byline_db_pool_waiting").set(self.waiting.load(Ordering::Relaxed) as f64);
    }

    /// Which backend this pool talks to.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<F, T>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let waiting = self.waiting.clone();
        // The request's span, so that log lines of the database work carry its request id.
        let span = tracing::Span::current();
        let result = actix_web::web::block(move || {
            let _in_request = span.enter();
            waiting.fetch_add(1, Ordering::Relaxed);
            let conn = pool.get();
            waiting.fetch_sub(1, Ordering::Relaxed);
            let mut conn = conn.map_err(|e| {
                tracing::warn!(error = %e, "database connection unavailable");
                AppError::Unavailable
            })?;
            f(&mut conn)
        })
        .await
        .map_err(|_| AppError::internal("blocking task was cancelled"))?;
        if let Err(AppError::StorageFull) = &result {
            self.mark_storage_full();
        }
        result
    }

    /// Records a write refused for lack of space; logs the first of a series.
    fn mark_storage_full(&self) {
        let mut since = self
            .storage
            .full_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if since.is_none() {
            tracing::error!(
                backend = self.url.backend_name(),
                "the database is out of disk space: writes answer 503 and /readyz is not ready \
                 until space is freed"
            );
        }
        *since = Some(Instant::now());
    }

    /// `Ok` when the database can take writes as far as this process knows: no write failed
    /// for lack of space, or one did and a probe write succeeds again now. A probe is tried
    /// only once the last failure is as old as the `Retry-After` clients were given.
    pub async fn check_storage(&self) -> Result<(), AppError> {
        let last = *self
            .storage
            .full_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(last) = last else { return Ok(()) };
        if last.elapsed() < STORAGE_FULL_QUIET {
            return Err(AppError::StorageFull);
        }
        self.run(probe_write).await?;
        let mut since = self
            .storage
            .full_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // A write that failed while the probe ran keeps the service not ready.
        if *since == Some(last) {
            *since = None;
            tracing::info!(
                backend = self.url.backend_name(),
                "the database accepts writes again"
            );
        }
        Ok(())
    }

    /// A connection for start-up work outside any request.
    pub fn get(&self) -> Result<r2d2::PooledConnection<Manager>, AppError> {
        self.pool.get().map_err(|_| AppError::Unavailable)
    }
}

/// A write that needs free space, to learn whether the disk has room again. On SQLite the log
/// is first moved into the database and truncated, so that the probe's page must be written to
/// newly allocated space rather than into the log's old frames. PostgreSQL offers no such
/// write without a table of its own; there the probe only checks the connection.
fn probe_write(conn: &mut AnyConnection) -> Result<(), AppError> {
    match conn {
        AnyConnection::Sqlite(_) => {
            checkpoint_wal(conn)?;
            let AnyConnection::Sqlite(c) = conn else {
                return Ok(());
            };
            let version: UserVersion = diesel::sql_query("PRAGMA user_version").get_result(c)?;
            // Writing the value back unchanged still commits page 1 to the log.
            c.batch_execute(&format!("PRAGMA user_version = {}", version.user_version))?;
        }
        AnyConnection::Postgresql(c) => c.batch_execute("SELECT 1")?,
    }
    Ok(())
}

#[derive(QueryableByName)]
struct UserVersion {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    user_version: i32,
}

/// Moves SQLite's write-ahead log into the database and truncates it to zero bytes; `Ok(false)`
/// when readers or a writer kept it from finishing (it is tried again next time). Nothing to do
/// on PostgreSQL.
pub fn checkpoint_wal(conn: &mut AnyConnection) -> Result<bool, AppError> {
    let AnyConnection::Sqlite(c) = conn else {
        return Ok(true);
    };
    #[derive(QueryableByName)]
    struct Checkpoint {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        busy: i32,
    }
    c.batch_execute(&format!(
        "PRAGMA busy_timeout = {CHECKPOINT_BUSY_TIMEOUT_MS}"
    ))?;
    let outcome = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result::<Checkpoint>(c);
    c.batch_execute("PRAGMA busy_timeout = 10000")?;
    Ok(outcome?.busy == 0)
}

/// Checkpoints SQLite's write-ahead log every [`WAL_CHECKPOINT_INTERVAL`], forever; returns
/// at once on PostgreSQL.
pub async fn checkpoint_periodically(db: Db) {
    if !matches!(db.url(), DatabaseUrl::Sqlite(_)) {
        return;
    }
    let mut interval = actix_web::rt::time::interval(WAL_CHECKPOINT_INTERVAL);
    interval.tick().await;
    loop {
        interval.tick().await;
        match db.run(checkpoint_wal).await {
            Ok(true) => {}
            Ok(false) => tracing::debug!("WAL checkpoint deferred: the database was busy"),
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
}

/// Applies every pending migration of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, String> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        AnyConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| format!("migration failed: {e}"))
}

/// Whether the schema is behind the migrations embedded in this binary.
pub fn has_pending_migrations(conn: &mut AnyConnection) -> Result<bool, String> {
    let pending = match conn {
        AnyConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        AnyConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    };
    pending.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn database_urls_pick_the_backend_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("byline.db"),
            Ok(DatabaseUrl::Sqlite("byline.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db"),
            Ok(DatabaseUrl::Sqlite("/tmp/x.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db"),
            Ok(DatabaseUrl::Postgres("postgres://u@h/db".into()))
        );
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
        assert!(DatabaseUrl::parse("").is_err());
    }
}
