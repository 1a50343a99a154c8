//! Rate limits for every route but the health probes: `BYLINE_RATE_LIMIT` requests a minute
//! per caller — per user or API key for a request with a valid access token, per client
//! address otherwise (an IPv6 address counts with its whole /64, which one host usually has).
//!
//! Counting is `governor`'s GCRA, a token bucket: a caller may spend the whole minute's limit at
//! once, and gets one more request every `60 s / limit` after that. The counters are in this
//! process's memory, so nothing on the read path writes to the database; with several
//! processes behind a load balancer each counts on its own. (The login throttle, which guards
//! passwords, is shared through the database instead.)
//!
//! Every limited response carries `RateLimit-Limit`, `RateLimit-Remaining` and
//! `RateLimit-Reset` (draft-ietf-httpapi-ratelimit-headers); past the limit the answer is a 429
//! with `Retry-After`, and the request goes no further.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;

use crate::auth::extract::bearer_token;
use crate::auth::throttle::retry_after_seconds;
use crate::error::AppError;
use crate::state::AppState;

/// How many requests a caller may make in a minute.
pub const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
/// How many more requests the caller may make at once.
pub const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
/// Seconds until the caller's whole limit is available again.
pub const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// Paths never limited: load balancers and orchestrators poll them.
pub const EXEMPT: [&str; 2] = ["/healthz", "/readyz"];

/// How often callers idle long enough to have their whole limit back are forgotten.
const FORGET_IDLE_EVERY: Duration = Duration::from_secs(60);

type Limiter = governor::RateLimiter<
    Caller,
    DashMapStateStore<Caller>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// Who a request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// A signed-in user or an API key, by id.
    Principal(String),
    /// An anonymous client, by address (IPv6 by its /64).
    Address(IpAddr),
}

impl Caller {
    /// The caller for an anonymous request from `ip`.
    pub fn address(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !(u128::from(u64::MAX));
                Self::Address(IpAddr::V6(prefix.into()))
            }
            v4 => Self::Address(v4),
        }
    }
}

/// The per-caller request counters of this process; off when the limit is 0.
pub struct RateLimit {
    counters: Option<Counters>,
}

struct Counters {
    limiter: Limiter,
    /// Requests a minute.
    limit: u32,
    /// How often a caller gets one request back.
    interval: Duration,
}

/// What the counters said about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The limit per minute.
    pub limit: u32,
    /// Requests the caller may still make at once.
    pub remaining: u32,
    /// Seconds until the whole limit is available again.
    pub reset: u64,
    /// `Some(seconds to wait)` when this request is refused.
    pub refused: Option<u64>,
}

impl RateLimit {
    /// Counters allowing `per_minute` requests a minute per caller; `0` turns them off.
    pub fn new(per_minute: u32) -> Self {
        let counters = NonZeroU32::new(per_minute).map(|n| {
            let quota = Quota::per_minute(n);
            Counters {
                limiter: governor::RateLimiter::dashmap(quota).with_middleware(),
                limit: n.get(),
                interval: quota.replenish_interval(),
            }
        });
        Self { counters }
    }

    /// Whether requests are limited at all.
    pub fn is_on(&self) -> bool {
        self.counters.is_some()
    }

    /// Counts one request of `caller`; `None` when limits are off.
    pub fn check(&self, caller: &Caller) -> Option<Decision> {
        let Counters {
            limiter,
            limit,
            interval,
        } = self.counters.as_ref()?;
        let (limit, interval) = (*limit, *interval);
        Some(match limiter.check_key(caller) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                Decision {
                    limit,
                    remaining,
                    reset: retry_after_seconds(interval * (limit - remaining)),
                    refused: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(limiter.clock().now());
                Decision {
                    limit,
                    remaining: 0,
                    reset: retry_after_seconds(wait + interval * (limit - 1)),
                    refused: Some(retry_after_seconds(wait)),
                }
            }
        })
    }

    /// Forgets the callers that have their whole limit back, so that the counters hold only
    /// recent callers.
    pub fn forget_idle(&self) {
        if let Some(counters) = &self.counters {
            counters.limiter.retain_recent();
            counters.limiter.shrink_to_fit();
        }
    }
}

impl Decision {
    /// Writes the `RateLimit-*` headers.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert(RATELIMIT_LIMIT, HeaderValue::from(self.limit));
        headers.insert(RATELIMIT_REMAINING, HeaderValue::from(self.remaining));
        headers.insert(RATELIMIT_RESET, HeaderValue::from(self.reset));
    }
}

/// Forgets idle callers every minute, forever; returns at once when limits are off.
pub async fn forget_idle_periodically(state: web::Data<AppState>) {
    if !state.rate_limit.is_on() {
        return;
    }
    let mut interval = actix_web::rt::time::interval(FORGET_IDLE_EVERY);
    loop {
        interval.tick().await;
        state.rate_limit.forget_idle();
    }
}

/// Who `req` is counted against: the user or API key its access token names when the token is
/// valid, else the client's address; `None` when there is neither (in-process tests).
fn caller_of(req: &ServiceRequest, state: &AppState) -> Option<Caller> {
    // An invalid token is answered 401 further in; it is counted against the address meanwhile.
    if let Ok(Some(token)) = bearer_token(req.request()) {
        if let Ok(claims) = state.tokens.verify(&token) {
            return Some(Caller::Principal(claims.sub));
        }
    }
    state
        .config
        .trusted_proxies
        .client_of(req.request())
        .map(Caller::address)
}

/// The middleware: counts the request, answers 429 past the limit, and adds the `RateLimit-*`
/// headers to whatever comes back, errors included.
pub async fn enforce<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let decision = req
        .app_data::<web::Data<AppState>>()
        .filter(|_| !EXEMPT.contains(&req.path()))
        .and_then(|state| {
            let caller = caller_of(&req, state)?;
            state.rate_limit.check(&caller).map(|d| (d, caller))
        });
    let Some((decision, caller)) = decision else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    if let Some(retry_after) = decision.refused {
        let whose = match caller {
            Caller::Principal(_) => "for this account",
            Caller::Address(_) => "from this address",
        };
        let refusal = AppError::TooManyRequests {
            detail: format!(
                "more than {} requests a minute {whose}; retry in {retry_after} seconds",
                decision.limit
            ),
            retry_after,
        };
        let mut res = refusal.error_response();
        decision.write_headers(res.headers_mut());
        return Ok(req.into_response(res).map_into_right_body());
    }
    match next.call(req).await {
        Ok(mut res) => {
            decision.write_headers(res.headers_mut());
            Ok(res.map_into_left_body())
        }
        Err(err) => {
            let mut res = err.error_response();
            decision.write_headers(res.headers_mut());
            Err(InternalError::from_response(err, res).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_spends_the_limit_then_waits_while_others_go_on() {
        let limits = RateLimit::new(3);
        let me = Caller::address("203.0.113.7".parse().expect("ip"));
        let remaining: Vec<u32> = (0..3)
            .map(|_| limits.check(&me).expect("on").remaining)
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limits.check(&me).expect("on");
        assert_eq!(refused.refused, Some(20), "one request every 20 s");
        assert_eq!((refused.remaining, refused.reset), (0, 60));
        let other = Caller::Principal("user-1".into());
        assert_eq!(limits.check(&other).expect("on").refused, None);
    }

    #[test]
    fn reset_counts_the_seconds_until_the_whole_limit_is_back() {
        let limits = RateLimit::new(60);
        let me = Caller::Principal("user-1".into());
        let first = limits.check(&me).expect("on");
        assert_eq!((first.limit, first.remaining, first.reset), (60, 59, 1));
        for _ in 0..9 {
            limits.check(&me);
        }
        assert_eq!(limits.check(&me).expect("on").reset, 11);
    }

    #[test]
    fn a_limit_of_zero_turns_counting_off() {
        let limits = RateLimit::new(0);
        assert!(!limits.is_on());
        assert_eq!(limits.check(&Caller::Principal("x".into())), None);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_bit_prefix() {
        let a = Caller::address("2001:db8:1:2:aaaa::1".parse().expect("ip"));
        let b = Caller::address("2001:db8:1:2:bbbb::9".parse().expect("ip"));
        let c = Caller::address("2001:db8:1:3::1".parse().expect("ip"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mapped = Caller::address("::ffff:192.0.2.1".parse().expect("ip"));
        assert_eq!(mapped, Caller::Address("192.0.2.1".parse().expect("ip")));
    }
}
