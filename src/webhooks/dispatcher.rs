//! Sends queued webhook deliveries. One dispatcher runs in every process: it claims due
//! deliveries for a lease (on PostgreSQL skipping rows another process is claiming, so each
//! delivery goes out once), POSTs them signed, and records the attempt. A failure is retried
//! with exponential backoff and jitter until 24 hours after the event, then marked failed.
//! A process that dies mid-send leaves its claims to expire and be sent again.

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use actix_tls::connect::{Resolve, Resolver};
use actix_web::web;
use chrono::{NaiveDateTime, TimeDelta};
use futures_util::future::{join_all, LocalBoxFuture};
use rand::Rng;
use tokio::sync::Notify;
use uuid::Uuid;

use super::address;
use super::signing;
use super::store::{self, Claimed, Next, Outcome};
use crate::db::now;
use crate::state::AppState;

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claim holds: longer than an attempt can take (connecting and answering within
/// the timeout, then recording it), so only a dead dispatcher's claims expire.
const LEASE: Duration = Duration::from_secs(30);
/// How often the queue is looked at when nothing wakes the dispatcher sooner.
const POLL: Duration = Duration::from_millis(500);
/// Deliveries claimed and sent at once.
const BATCH: i64 = 32;
/// How long a delivery is retried, from its event.
const RETRY_FOR: TimeDelta = TimeDelta::hours(24);
/// The longest wait between two attempts.
const MAX_DELAY: Duration = Duration::from_secs(3600);

fn wakeup() -> &'static Notify {
    static WAKE: OnceLock<Notify> = OnceLock::new();
    WAKE.get_or_init(Notify::new)
}

/// Tells this process's dispatchers that deliveries were queued (after a commit).
pub fn wake() {
    wakeup().notify_waiters();
}

/// The delay before retry number `failures` (1 after the first failed attempt): the base
/// doubled per earlier failure, at most an hour, then scaled by a random 0.8 to 1.2 so that
/// receivers that failed together are not retried together.
pub fn backoff(base: Duration, failures: u32, jitter: f64) -> Duration {
    let doubled = base.saturating_mul(1u32 << failures.saturating_sub(1).min(20));
    doubled.min(MAX_DELAY).mul_f64(jitter.clamp(0.8, 1.2))
}

/// Where a delivery goes after a failed attempt at `at`: tried again after `delay`, unless
/// that would be more than 24 hours after its event was queued.
pub fn after_failure(queued: NaiveDateTime, at: NaiveDateTime, delay: Duration) -> Next {
    let retry_at = at + TimeDelta::from_std(delay).unwrap_or(RETRY_FOR);
    if retry_at > queued + RETRY_FOR {
        Next::GiveUp
    } else {
        Next::RetryAt(retry_at)
    }
}

/// Runs on the current actix runtime until `stopping` turns true; deliveries being sent
/// finish and are recorded first.
pub async fn run(state: web::Data<AppState>, mut stopping: tokio::sync::watch::Receiver<bool>) {
    install_crypto();
    let owner = Uuid::now_v7().to_string();
    let client = client(state.config.webhook_allow_private);
    loop {
        if *stopping.borrow() {
            return;
        }
        let notified = wakeup().notified();
        let claimed = {
            let owner = owner.clone();
            state
                .db
                .run(move |conn| {
                    let at = now();
                    let lease = at + TimeDelta::from_std(LEASE).unwrap_or(TimeDelta::MAX);
                    Ok(store::claim(conn, &owner, at, lease, BATCH)?)
                })
                .await
        };
        match claimed {
            Ok(batch) if !batch.is_empty() => {
                let full = i64::try_from(batch.len()).is_ok_and(|n| n == BATCH);
                join_all(
                    batch
                        .into_iter()
                        .map(|c| deliver(&state, &client, &owner, c)),
                )
                .await;
                if full {
                    continue;
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not claim webhook deliveries"),
        }
        let wait = Box::pin(actix_web::rt::time::timeout(POLL, notified));
        let stop = Box::pin(crate::startup::until_stopped(&mut stopping));
        let _ = futures_util::future::select(wait, stop).await;
    }
}

async fn deliver(state: &web::Data<AppState>, client: &awc::Client, owner: &str, claimed: Claimed) {
    let started = Instant::now();
    let (status_code, error) = send(client, &claimed, state.config.webhook_allow_private).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let at = now();
    let delivered = error.is_none();
    let next = if delivered {
        Next::Delivered
    } else {
        let failures = u32::try_from(claimed.attempts + 1).unwrap_or(u32::MAX);
        let jitter = rand::thread_rng().gen_range(0.8..=1.2);
        after_failure(
            claimed.created_at,
            at,
            backoff(state.config.webhook_retry_base, failures, jitter),
        )
    };
    if let Some(e) = &error {
        tracing::info!(webhook = %claimed.webhook_id, event = %claimed.event_id, attempt = claimed.attempts + 1, error = %e, "webhook delivery failed");
    }
    let outcome_name = match next {
        Next::Delivered => "delivered",
        Next::RetryAt(_) => "retry",
        Next::GiveUp => "failed",
    };
    let outcome = Outcome {
        status_code,
        error,
        duration_ms,
        at,
        next,
    };
    let owner = owner.to_owned();
    let result = state
        .db
        .run(move |conn| Ok(store::finish(conn, &claimed, &owner, &outcome)?))
        .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not record a webhook delivery; it will be sent again");
    }
    metrics::counter!("byline_webhook_deliveries_total", "outcome" => outcome_name).increment(1);
}

// The receiver's status, and why the attempt failed when it did.
async fn send(
    client: &awc::Client,
    c: &Claimed,
    allow_private: bool,
) -> (Option<i32>, Option<String>) {
    // Host names are checked by the resolver; an address written in the URL is checked here.
    if !allow_private {
        if let Err(e) = super::check_url(&c.url, false) {
            return (None, Some(format!("the URL {e}")));
        }
    }
    let timestamp = chrono::Utc::now().timestamp();
    let Some(signature) = signing::sign(&c.secret, &c.event_id, timestamp, c.payload.as_bytes())
    else {
        return (None, Some("the webhook's secret is unreadable".into()));
    };
    let request = client
        .post(&c.url)
        .insert_header(("content-type", "application/json"))
        .insert_header(("webhook-id", c.event_id.as_str()))
        .insert_header(("webhook-timestamp", timestamp.to_string()))
        .insert_header(("webhook-signature", signature));
    match request.send_body(c.payload.clone()).await {
        Ok(res) => {
            let status = res.status();
            let code = Some(i32::from(status.as_u16()));
            if status.is_success() {
                (code, None)
            } else {
                (
                    code,
                    Some(format!("the receiver answered {}", status.as_u16())),
                )
            }
        }
        Err(awc::error::SendRequestError::Timeout) => (
            None,
            Some(format!("no answer within {} s", TIMEOUT.as_secs())),
        ),
        Err(e) => (None, Some(e.to_string())),
    }
}

/// Resolves host names and refuses every one with a forbidden address, so that a name cannot
/// lead a delivery into the private network, whatever it resolved to when it was registered.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn StdError>>> {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
            if addrs.iter().any(|a| address::is_forbidden(a.ip())) {
                return Err(format!(
                    "{host} resolves to a loopback, private or link-local address"
                )
                .into());
            }
            Ok(addrs)
        })
    }
}

fn client(allow_private: bool) -> awc::Client {
    let resolver = if allow_private {
        Resolver::default()
    } else {
        Resolver::custom(PublicOnly)
    };
    let connector = awc::Connector::new()
        .connector(actix_tls::connect::Connector::new(resolver).service())
        .timeout(TIMEOUT);
    awc::Client::builder()
        .connector(connector)
        .timeout(TIMEOUT)
        .disable_redirects()
        .add_default_header((
            "user-agent",
            concat!("Byline-Webhooks/", env!("CARGO_PKG_VERSION")),
        ))
        .finish()
}

/// HTTPS to receivers uses rustls with the ring provider, whichever crates ask first.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1, 1.0), Duration::from_secs(5));
        assert_eq!(backoff(base, 2, 1.0), Duration::from_secs(10));
        assert_eq!(backoff(base, 5, 1.0), Duration::from_secs(80));
        assert_eq!(backoff(base, 30, 1.0), MAX_DELAY);
        assert_eq!(backoff(base, 1, 0.8), Duration::from_secs(4));
        assert_eq!(backoff(base, 1, 5.0), Duration::from_secs(6));
    }

    #[test]
    fn a_delivery_is_retried_for_24_hours_after_its_event_then_failed() {
        let queued = chrono::DateTime::from_timestamp(1_700_000_000, 0)
            .expect("time")
            .naive_utc();
        let hour = Duration::from_secs(3600);
        let at = queued + TimeDelta::hours(22);
        assert_eq!(
            after_failure(queued, at, hour),
            Next::RetryAt(at + TimeDelta::hours(1))
        );
        assert_eq!(
            after_failure(queued, at, hour * 2),
            Next::RetryAt(queued + RETRY_FOR)
        );
        assert_eq!(after_failure(queued, at, hour * 3), Next::GiveUp);
    }
}
