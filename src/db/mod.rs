//! Database access: one connection type for both backends, the pool, migrations and the
//! one place (`Db::run`) where request handlers reach the blocking connection pool.
//!
//! Nothing here knows about HTTP beyond mapping pool failures to `AppError`.

mod preflight;
pub mod schema;

use std::time::Duration;

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
}

// WAL lets readers proceed while one writer commits; busy_timeout makes concurrent writers wait
// for the lock instead of failing; foreign keys are off in SQLite unless asked for.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

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
                Ok(AnyConnection::Postgresql(PgConnection::establish(url)?))
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

/// The connection pool and the bridge from async handlers to blocking queries.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    url: DatabaseUrl,
}

impl Db {
    /// Opens the pool. Fails when the database cannot be reached at all.
    pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<Self, String> {
        preflight::check(url)?;
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(3))
            .build(Manager { url: url.clone() })
            .map_err(|e| format!("cannot connect to the {} database: {e}", url.backend_name()))?;
        Ok(Self {
            pool,
            url: url.clone(),
        })
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
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| {
                tracing::warn!(error = %e, "database connection unavailable");
                AppError::Unavailable
            })?;
            f(&mut conn)
        })
        .await
        .map_err(|_| AppError::internal("blocking task was cancelled"))?
    }

    /// A connection for start-up work outside any request.
    pub fn get(&self) -> Result<r2d2::PooledConnection<Manager>, AppError> {
        self.pool.get().map_err(|_| AppError::Unavailable)
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
