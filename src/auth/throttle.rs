//! Login throttling: after `MAX_FAILURES` failed logins for one email within `WINDOW`, every
//! attempt for that email is refused until the oldest of those failures leaves the window.
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

    /// `Err(wait)` while the email is locked: how long until the next attempt is allowed.
    pub fn check(&self, email: &str) -> Result<(), Duration> {
        self.check_at(&key(email), Instant::now())
    }

    /// Counts a failed login for the email.
    pub fn record_failure(&self, email: &str) {
        self.record_at(key(email), Instant::now());
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(log) = map.get_mut(key) else {
            return Ok(());
        };
        forget_before(log, now, self.window);
        if log.len() < self.max_failures {
            return Ok(());
        }
        let oldest = log.front().copied().unwrap_or(now);
        Err((oldest + self.window).saturating_duration_since(now))
    }

    fn record_at(&self, key: String, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, log| {
                forget_before(log, now, self.window);
                !log.is_empty()
            });
        }
        let log = map.entry(key).or_default();
        forget_before(log, now, self.window);
        log.push_back(now);
        // Only the newest `max_failures` decide whether the email is locked.
        while log.len() > self.max_failures {
            log.pop_front();
        }
    }
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
            assert!(t.check_at("k", start + Duration::from_secs(i)).is_ok());
            t.record_at("k".into(), start + Duration::from_secs(i));
        }
        let wait = t
            .check_at("k", start + Duration::from_secs(60))
            .expect_err("locked after ten failures");
        assert_eq!(wait, Duration::from_secs(840));
        assert!(t.check_at("k", start + Duration::from_secs(900)).is_ok());
        assert!(t.check_at("other", start + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let t = LoginThrottle::new(3, Duration::from_secs(10));
        let start = Instant::now();
        t.record_at("k".into(), start);
        t.record_at("k".into(), start);
        t.record_at("k".into(), start + Duration::from_secs(11));
        assert!(t.check_at("k", start + Duration::from_secs(11)).is_ok());
    }

    #[test]
    fn emails_are_keyed_case_insensitively() {
        let t = LoginThrottle::new(1, Duration::from_secs(60));
        t.record_failure("Editor@Example.com");
        assert!(t.check(" editor@example.com").is_err());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(840)), 840);
    }
}
