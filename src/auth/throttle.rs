//! Login throttling: after `MAX_FAILURES` failed logins for one email within `WINDOW`, every
//! attempt for that email is refused until the oldest of those failures leaves the window.
//!
//! An attempt counts as a failure from the moment it starts and is taken back when it succeeds,
//! so a burst of concurrent guesses cannot all slip in before the first one is recorded.
//!
//! The failures are rows of `login_failures`, so every process on one database counts the same
//! ones and a restart forgets none. Starting an attempt is one short transaction, serialised per
//! email: on PostgreSQL by an advisory lock on the email's key, on SQLite by the database's write
//! lock, which its first statement (the attempt's insert) takes. Keys are SHA-256 digests of the
//! normalised email, so the table holds no addresses and its keys have a fixed size whatever a
//! client sends. Rows that left the window are deleted at most once a minute per process.
//!
//! This is a sliding log rather than a rate limiter such as `governor`: the rule counts failures
//! only, yet must also refuse a correct password while an email is locked, so it needs to look at
//! the state without spending from it — which a token-bucket limiter cannot do.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use uuid::Uuid;

use super::secret;
use crate::db::schema::login_failures;
use crate::db::{now, AnyConnection, Db};
use crate::error::AppError;
use crate::users::domain::normalize_email;

/// Failed logins that lock an email.
pub const MAX_FAILURES: usize = 10;
/// The window in which they count.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// How often a process deletes the rows that left the window, in seconds.
const PRUNE_EVERY_SECS: i64 = 60;
/// Keeps the advisory locks of this module apart from the service's other ones.
const ADVISORY_LOCK_CLASS: i32 = 727_140_002;

/// Failed logins per email, kept in the database.
pub struct LoginThrottle {
    db: Db,
    max_failures: usize,
    window: chrono::Duration,
    /// When this process last deleted stale rows, in Unix seconds.
    pruned_at: AtomicI64,
}

impl LoginThrottle {
    /// The throttle of the specification: 10 failures within 15 minutes lock an email.
    pub fn new(db: Db) -> Self {
        Self::with_limits(db, MAX_FAILURES, WINDOW)
    }

    /// A throttle that locks an email after `max_failures` failures within `window`.
    pub fn with_limits(db: Db, max_failures: usize, window: Duration) -> Self {
        Self {
            db,
            max_failures: max_failures.max(1),
            window: chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX),
            pruned_at: AtomicI64::new(0),
        }
    }

    /// Starts an attempt for the email, counted as a failure until [`Self::release`] takes it
    /// back; a 429 with the seconds to wait while the email is locked.
    pub async fn begin(&self, email: &str) -> Result<Attempt, AppError> {
        let attempt = Attempt {
            id: Uuid::now_v7().to_string(),
        };
        let key = secret::digest(&normalize_email(email));
        let id = attempt.id.clone();
        let (max, window) = (self.max_failures, self.window);
        let prune = self.prune_due();
        self.db
            .run(move |conn| {
                let started = start(conn, &key, &id, max, window);
                if prune {
                    if let Err(e) = forget_before(conn, now() - window) {
                        tracing::warn!(error = %e, "could not delete old login failures");
                    }
                }
                started
            })
            .await?;
        Ok(attempt)
    }

    /// Takes back an attempt that did not fail: it succeeded, or it never got as far as
    /// checking the password. When the database cannot be reached the attempt stays counted.
    pub async fn release(&self, attempt: Attempt) {
        let taken_back = self
            .db
            .run(move |conn| {
                diesel::delete(login_failures::table.find(&attempt.id)).execute(conn)?;
                Ok(())
            })
            .await;
        if let Err(e) = taken_back {
            tracing::warn!(error = %e, "a login attempt could not be taken back; it counts as a failure");
        }
    }

    /// Whether it is this call's turn to delete stale rows; at most one call a minute is.
    fn prune_due(&self) -> bool {
        let now = chrono::Utc::now().timestamp();
        let last = self.pruned_at.load(Ordering::Relaxed);
        now - last >= PRUNE_EVERY_SECS
            && self
                .pruned_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// A login attempt in progress; it stays a failure unless it is handed to
/// [`LoginThrottle::release`].
#[derive(Debug)]
pub struct Attempt {
    id: String,
}

// Records the attempt and counts the failures before it, in one transaction that no other
// attempt for the same email can interleave with; rolled back when the email is locked.
fn start(
    conn: &mut AnyConnection,
    key: &str,
    id: &str,
    max: usize,
    window: chrono::Duration,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        if let AnyConnection::Postgresql(pg) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind::<diesel::sql_types::Integer, _>(ADVISORY_LOCK_CLASS)
                .bind::<diesel::sql_types::Integer, _>(lock_id(key))
                .execute(pg)?;
        }
        let at = now();
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::id.eq(id),
                login_failures::email_key.eq(key),
                login_failures::at.eq(at),
            ))
            .execute(conn)?;
        let earlier: Vec<NaiveDateTime> = login_failures::table
            .filter(login_failures::email_key.eq(key))
            .filter(login_failures::at.gt(at - window))
            .filter(login_failures::id.ne(id))
            .order(login_failures::at.asc())
            .select(login_failures::at)
            .load(conn)?;
        match wait_for(&earlier, at, max, window) {
            None => Ok(()),
            Some(wait) => {
                let secs = retry_after_seconds(wait);
                Err(AppError::TooManyRequests {
                    detail: format!(
                        "too many failed logins for this email; the next attempt is allowed in {secs} seconds"
                    ),
                    retry_after: secs,
                })
            }
        }
    })
}

/// Deletes the failures recorded before `cutoff`, of every email.
fn forget_before(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::at.le(cutoff))).execute(conn)
}

/// The advisory lock's id for a key: its first 28 bits.
fn lock_id(key: &str) -> i32 {
    key.get(..7)
        .and_then(|h| i32::from_str_radix(h, 16).ok())
        .unwrap_or_default()
}

/// How long an email stays locked, given its failures still in the window (oldest first) at
/// `now`: `None` when an attempt may start. Locked while `max` or more failures are in the
/// window; it opens when enough of the oldest have left it to bring them below `max`.
fn wait_for(
    failures: &[NaiveDateTime],
    now: NaiveDateTime,
    max: usize,
    window: chrono::Duration,
) -> Option<Duration> {
    let excess = failures.len().checked_sub(max)?;
    let opens = *failures.get(excess)? + window;
    Some((opens - now).to_std().unwrap_or_default())
}

/// Whole seconds to put in `Retry-After`: rounded up, at least one.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .expect("valid time")
            .naive_utc()
    }

    const FIFTEEN_MINUTES: chrono::Duration = chrono::Duration::seconds(900);

    #[test]
    fn ten_failures_lock_the_email_until_the_oldest_leaves_the_window() {
        let failures: Vec<_> = (0..10).map(at).collect();
        assert_eq!(wait_for(&failures[..9], at(60), 10, FIFTEEN_MINUTES), None);
        assert_eq!(
            wait_for(&failures, at(60), 10, FIFTEEN_MINUTES),
            Some(Duration::from_secs(840))
        );
    }

    #[test]
    fn more_failures_than_the_limit_wait_for_enough_of_them_to_leave() {
        // Twelve failures (the limit was lower once): three must leave before the next attempt.
        let failures: Vec<_> = (0..12).map(at).collect();
        assert_eq!(
            wait_for(&failures, at(100), 10, FIFTEEN_MINUTES),
            Some(Duration::from_secs(802))
        );
    }

    #[test]
    fn a_window_that_has_passed_waits_no_time() {
        let failures: Vec<_> = (0..10).map(at).collect();
        assert_eq!(
            wait_for(&failures, at(2_000), 10, FIFTEEN_MINUTES),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn lock_ids_come_from_the_key_and_fit_an_int4() {
        assert_eq!(lock_id("fffffff0abc"), 0x0fff_ffff);
        assert_eq!(lock_id("0000001"), 1);
        assert_eq!(lock_id("xyz"), 0);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(840)), 840);
    }
}
