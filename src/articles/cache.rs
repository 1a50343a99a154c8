//! An in-process cache of the documents anonymous readers fetch, the hot path. It never answers
//! with a document older than the database's:
//! - every committed article write in this process bumps a generation counter, which empties
//!   the cache at once;
//! - on SQLite, every lookup first asks a connection of the cache's own for
//!   `PRAGMA data_version`, which changes whenever another connection — in this process or any
//!   other — has committed; a change empties the cache. The check reads SQLite's shared memory,
//!   not the disk.
//! - on PostgreSQL, a connection of the cache's own listens on the channel every document
//!   change notifies when it commits (`rendered::CHANNEL`), and empties the cache on each
//!   notification. A notification alone can arrive after a reader who saw the write's response
//!   asks another process, so a lookup first waits for a round trip on that connection that
//!   started after the lookup did: PostgreSQL delivers pending notifications before it answers,
//!   so every write committed before the lookup has emptied the cache by then. One round trip
//!   serves every lookup waiting for it, so the cost does not grow with the request rate.
//!   While that connection is down, the cache is not used at all.
//!
//! No entry is ever trusted because of its age alone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use actix_web::web::Bytes;
use diesel::connection::SimpleConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::rendered;
use crate::db::DatabaseUrl;

/// Entries kept before the cache starts afresh.
const CAPACITY: usize = 10_000;

/// How many bytes of documents are kept before the cache starts afresh.
const BUDGET: usize = 16 * 1024 * 1024;

/// How long the PostgreSQL listener waits before connecting again after losing its connection.
const RECONNECT: Duration = Duration::from_secs(1);

/// How long a lookup waits for the listener's round trip before it reads the database instead.
const FENCE_TIMEOUT: Duration = Duration::from_millis(100);

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Marks every cached document stale; called after each committed article write.
pub fn invalidate() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The current generation; read it before loading what will be cached.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// A rendered public document.
#[derive(Clone)]
pub struct Cached {
    /// The JSON body.
    pub body: Bytes,
    /// Its strong ETag.
    pub etag: String,
    /// Its `updated_at`.
    pub last_modified: SystemTime,
    generation: u64,
}

impl Cached {
    /// An entry for a document loaded while `generation` was current.
    pub fn new(body: Bytes, etag: String, last_modified: SystemTime, generation: u64) -> Self {
        Self {
            body,
            etag,
            last_modified,
            generation,
        }
    }
}

/// How the cache learns of commits made by other connections.
enum Watch {
    /// Nothing to watch (tests of the cache itself).
    Local,
    /// The cache is never used.
    Off,
    /// SQLite: this connection's `PRAGMA data_version`, and the value last seen.
    Sqlite(Mutex<(SqliteConnection, i64)>),
    /// PostgreSQL: the listener.
    Postgres(Arc<Listener>),
}

/// The state a PostgreSQL listener shares with lookups.
#[derive(Default)]
pub struct Listener {
    /// Whether the listening connection is up.
    listening: AtomicBool,
    /// Woken by a lookup that waits for a round trip.
    wanted: tokio::sync::Notify,
    /// How many round trips have been started.
    started: AtomicU64,
    /// The number of the last round trip that has been answered.
    answered: Option<tokio::sync::watch::Sender<u64>>,
}

impl Listener {
    fn new() -> Self {
        Self {
            answered: Some(tokio::sync::watch::channel(0).0),
            ..Self::default()
        }
    }

    /// Waits until every notification committed before the call has been received.
    async fn fence(&self) -> bool {
        let Some(answered) = &self.answered else {
            return false;
        };
        if !self.listening.load(Ordering::SeqCst) {
            return false;
        }
        let mut answers = answered.subscribe();
        let needed = self.started.load(Ordering::SeqCst) + 1;
        self.wanted.notify_one();
        let answered = tokio::time::timeout(FENCE_TIMEOUT, answers.wait_for(|&n| n >= needed));
        matches!(answered.await, Ok(Ok(_))) && self.listening.load(Ordering::SeqCst)
    }
}

/// Rendered documents by the id or slug they were requested with, all of one generation.
#[derive(Default)]
struct Entries {
    generation: u64,
    bytes: usize,
    by_key: HashMap<String, Cached>,
}

/// Rendered documents for anonymous readers.
pub struct ReadCache {
    entries: RwLock<Entries>,
    watch: Watch,
}

impl Default for ReadCache {
    fn default() -> Self {
        Self {
            entries: RwLock::default(),
            watch: Watch::Local,
        }
    }
}

#[derive(QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    data_version: i64,
}

fn data_version(conn: &mut SqliteConnection) -> Option<i64> {
    diesel::sql_query("PRAGMA data_version")
        .get_result::<DataVersion>(conn)
        .ok()
        .map(|v| v.data_version)
}

impl ReadCache {
    /// A cache for the database at `url`. On PostgreSQL it is unused until [`listen`] has
    /// connected; on SQLite, when its own connection cannot be opened, it is never used.
    pub fn for_database(url: &DatabaseUrl) -> Self {
        let watch = match url {
            DatabaseUrl::Sqlite(path) => {
                match SqliteConnection::establish(path).and_then(|mut c| {
                    c.batch_execute("PRAGMA busy_timeout = 1000")
                        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                    Ok(c)
                }) {
                    Ok(mut conn) => {
                        let seen = data_version(&mut conn).unwrap_or(-1);
                        Watch::Sqlite(Mutex::new((conn, seen)))
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the read cache is off: cannot open its own SQLite connection");
                        Watch::Off
                    }
                }
            }
            DatabaseUrl::Postgres(_) => Watch::Postgres(Arc::new(Listener::new())),
        };
        Self {
            entries: RwLock::default(),
            watch,
        }
    }

    /// Whether the cache may answer now, after taking note of every commit made elsewhere
    /// before the call. Call it before [`get`](Self::get) and before reading the generation
    /// for [`put`](Self::put).
    pub async fn fresh(&self) -> bool {
        match &self.watch {
            Watch::Local => true,
            Watch::Off => false,
            Watch::Postgres(listener) => listener.fence().await,
            Watch::Sqlite(conn) => {
                let Ok(mut guard) = conn.lock() else {
                    return false;
                };
                let (conn, seen) = &mut *guard;
                match data_version(conn) {
                    Some(now) if now == *seen => true,
                    Some(now) => {
                        *seen = now;
                        invalidate();
                        true
                    }
                    None => false,
                }
            }
        }
    }

    /// A current entry for `key`, if there is one.
    pub fn get(&self, key: &str) -> Option<Cached> {
        let entries = self.entries.read().ok()?;
        if entries.generation != generation() {
            return None;
        }
        entries.by_key.get(key).cloned()
    }

    /// Stores an entry, unless a write happened since its generation was read.
    pub fn put(&self, key: String, entry: Cached) {
        if entry.generation != generation() {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.generation != entry.generation
                || entries.by_key.len() >= CAPACITY
                || entries.bytes + entry.body.len() > BUDGET
            {
                entries.by_key.clear();
                entries.bytes = 0;
                entries.generation = entry.generation;
            }
            entries.bytes += entry.body.len();
            if let Some(old) = entries.by_key.insert(key, entry) {
                entries.bytes -= old.body.len();
            }
        }
    }

    /// On PostgreSQL, listens for document changes committed by any process until `stopping`,
    /// reconnecting after a lost connection; the cache is used only while it listens. Does
    /// nothing on SQLite.
    pub async fn listen(
        self: Arc<Self>,
        url: DatabaseUrl,
        mut stopping: tokio::sync::watch::Receiver<bool>,
    ) {
        let (DatabaseUrl::Postgres(url), Watch::Postgres(listener)) = (&url, &self.watch) else {
            return;
        };
        loop {
            let session = listen_once(url, listener);
            tokio::select! {
                outcome = session => {
                    listener.listening.store(false, Ordering::SeqCst);
                    invalidate();
                    if let Err(e) = outcome {
                        tracing::warn!(error = %e, "the read cache is off until its PostgreSQL listener reconnects");
                    }
                }
                _ = stopping.changed() => {
                    listener.listening.store(false, Ordering::SeqCst);
                    return;
                }
            }
            tokio::select! {
                () = actix_web::rt::time::sleep(RECONNECT) => {}
                _ = stopping.changed() => return,
            }
        }
    }
}

/// One listening connection: connects, listens, empties the cache on every notification, and
/// answers lookups' round trips, until the connection ends.
async fn listen_once(url: &str, listener: &Listener) -> Result<(), tokio_postgres::Error> {
    use futures_util::StreamExt;
    let (client, mut connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {}", rendered::CHANNEL);
    // The connection is driven (its messages read) while a statement runs.
    macro_rules! while_driving {
        ($statement:expr) => {{
            let statement = $statement;
            tokio::pin!(statement);
            loop {
                tokio::select! {
                    done = &mut statement => break done?,
                    message = messages.next() => match message {
                        Some(Ok(_)) => invalidate(),
                        Some(Err(e)) => return Err(e),
                        None => return Ok(()),
                    }
                }
            }
        }};
    }
    while_driving!(client.batch_execute(&statement));
    invalidate();
    listener.listening.store(true, Ordering::SeqCst);
    loop {
        tokio::select! {
            () = listener.wanted.notified() => {
                let number = listener.started.fetch_add(1, Ordering::SeqCst) + 1;
                // An empty query: PostgreSQL sends pending notifications before its answer.
                while_driving!(client.simple_query(""));
                if let Some(answered) = &listener.answered {
                    answered.send_replace(number);
                }
            }
            message = messages.next() => match message {
                Some(Ok(_)) => invalidate(),
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_makes_every_entry_stale() {
        let cache = ReadCache::default();
        let entry = Cached::new(
            Bytes::from_static(b"{}"),
            "\"a-1\"".into(),
            SystemTime::now(),
            generation(),
        );
        cache.put("a".into(), entry.clone());
        assert!(cache.get("a").is_some());
        invalidate();
        assert!(cache.get("a").is_none());
        cache.put("a".into(), entry);
        assert!(
            cache.get("a").is_none(),
            "an entry loaded before the write is not stored"
        );
    }

    #[actix_web::test]
    async fn a_commit_by_another_connection_empties_a_sqlite_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cache.db").display().to_string();
        let mut other = SqliteConnection::establish(&path).expect("open");
        other
            .batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .expect("create");
        let cache = ReadCache::for_database(&DatabaseUrl::Sqlite(path));
        let entry = Cached::new(
            Bytes::from_static(b"{}"),
            "\"a-1\"".into(),
            SystemTime::now(),
            generation(),
        );
        assert!(cache.fresh().await);
        cache.put("a".into(), entry);
        assert!(cache.fresh().await && cache.get("a").is_some());
        other
            .batch_execute("INSERT INTO t VALUES (1)")
            .expect("insert");
        assert!(cache.fresh().await);
        assert!(cache.get("a").is_none(), "a commit elsewhere is noticed");
    }
}
