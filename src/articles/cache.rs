//! A one-second micro-cache of the rendered documents anonymous readers fetch, the hot path.
//!
//! Entries are filled only from anonymous reads of published articles. Every committed article
//! write in this process bumps a generation counter, which empties the cache at once, so a
//! process always serves its own writes. Another process sharing a PostgreSQL database serves
//! a change at most one second late — well inside the `max-age=60` those responses carry.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant, SystemTime};

use actix_web::web::Bytes;

/// How long an entry is served without asking the database.
const TTL: Duration = Duration::from_secs(1);
/// Entries kept before the cache starts afresh.
const CAPACITY: usize = 10_000;

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
    expires: Instant,
}

impl Cached {
    /// An entry for a document loaded while `generation` was current.
    pub fn new(body: Bytes, etag: String, last_modified: SystemTime, generation: u64) -> Self {
        Self {
            body,
            etag,
            last_modified,
            generation,
            expires: Instant::now() + TTL,
        }
    }
}

/// Rendered documents by the id or slug they were requested with.
#[derive(Default)]
pub struct ReadCache {
    entries: RwLock<HashMap<String, Cached>>,
}

impl ReadCache {
    /// A fresh entry for `key`, if there is one.
    pub fn get(&self, key: &str) -> Option<Cached> {
        let entries = self.entries.read().ok()?;
        entries
            .get(key)
            .filter(|c| c.generation == generation() && c.expires > Instant::now())
            .cloned()
    }

    /// Stores an entry, unless a write happened since its generation was read.
    pub fn put(&self, key: String, entry: Cached) {
        if entry.generation != generation() {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key, entry);
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
}
