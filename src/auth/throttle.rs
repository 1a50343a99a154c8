//! Login throttling: after `MAX_FAILURES` failed logins for one email within `WINDOW`, every
//! attempt for that email is refused until the oldest of those failures leaves the window.
//!
//! An attempt counts as a failure from the moment it starts and is taken back when it succeeds,
//! so a burst of concurrent guesses cannot all slip in before the first one is recorded.
//!
//! The state is in memory, per process: several processes behind a load balancer each keep
//! their own count. Keys are SHA-256 digests of the normalised email, so the map holds no
//! addresses and its keys have a fixed size whatever a client sends.
//!
//! This is a sliding log rather than a rate limiter such as `governor`: the rule counts failures
//! only, yet must also refuse a correct password while an email is locked, so it needs to look at
//! the state without spending from it — which a token-bucket limiter cannot do.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::secret;
use crate::users::domain::normalize_email;

/// Failed logins that lock an email.
pub const MAX_FAILURES: usize = 10;
/// The window in which they count.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Above this many tracked emails, stale entries are swept on the next failure.
const SWEEP_ABOVE: usize = 10_000;

/// Failed logins per email, in this process.
#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(MAX_FAILURES, WINDOW)
    }
}

impl LoginThrottle {
    /// A throttle that locks an email after `max_failures` failures within `window`.
    pub fn new(max_failures: usize, window: Duration) -> Self {
        Self {
            max_failures: max_failures.max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Starts an attempt for the email, counted as a failure until [`Self::release`] takes it
    /// back; `Err(wait)` while the email is locked: how long until the next attempt is allowed.
    pub fn begin(&self, email: &str) -> Result<Attempt, Duration> {
        let key = key(email);
        let at = Instant::now();
        self.begin_at(&key, at)?;
        Ok(Attempt { key, at })
    }

    /// Takes back an attempt that did not fail: it succeeded, or it never got as far as
    /// checking the password.
    pub fn release(&self, attempt: Attempt) {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(log) = map.get_mut(&attempt.key) {
            if let Some(i) = log.iter().rposition(|t| *t == attempt.at) {
                log.remove(i);
            }
            if log.is_empty() {
                map.remove(&attempt.key);
            }
        }
    }

    fn begin_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, log| {
                forget_before(log, now, self.window);
                !log.is_empty()
            });
        }
        let log = map.entry(key.to_owned()).or_default();
        forget_before(log, now, self.window);
        if log.len() >= self.max_failures {
            let oldest = log.front().copied().unwrap_or(now);
            return Err((oldest + self.window).saturating_duration_since(now));
        }
        log.push_back(now);
        Ok(())
    }
}

/// A login attempt in progress; it stays a failure unless it is handed to
/// [`LoginThrottle::release`].
#[derive(Debug)]
pub struct Attempt {
    key: String,
    at: Instant,
}

fn key(email: &str) -> String {
    secret::digest(&normalize_email(email))
}

fn forget_before(log: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while log
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        log.pop_front();
    }
}

/// Whole seconds to put in `Retry-After`: rounded up, at least one.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_attempt_within_the_window_is_refused_until_the_oldest_failure_expires() {
        let t = LoginThrottle::new(10, Duration::from_secs(900));
        let start = Instant::now();
        for i in 0..10 {
            assert!(t.begin_at("k", start + Duration::from_secs(i)).is_ok());
        }
        let wait = t
            .begin_at("k", start + Duration::from_secs(60))
            .expect_err("locked after ten failures");
        assert_eq!(wait, Duration::from_secs(840));
        assert!(t.begin_at("k", start + Duration::from_secs(900)).is_ok());
        assert!(t.begin_at("other", start + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let t = LoginThrottle::new(3, Duration::from_secs(10));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(t.begin_at("k", start).is_ok());
        }
        assert!(t.begin_at("k", start + Duration::from_secs(5)).is_err());
        assert!(t.begin_at("k", start + Duration::from_secs(11)).is_ok());
    }

    #[test]
    fn released_attempts_are_taken_back_and_pending_ones_count() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        for _ in 0..5 {
            let ok = t.begin("editor@example.com").expect("not locked");
            t.release(ok);
        }
        let _pending = t.begin("editor@example.com").expect("first");
        let _failed = t.begin("EDITOR@example.com ").expect("second, same email");
        assert!(
            t.begin("editor@example.com").is_err(),
            "two attempts in flight lock it"
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(840)), 840);
    }
}
