//! Who a request comes from, and how much one caller may ask: the client address behind
//! trusted proxies, and the rate limits with their headers.

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Resp, TestApp};

/// A login with a wrong password for an unknown email, sent with `X-Forwarded-For: {chain}`.
async fn failed_login_forwarded_for(app: &TestApp, chain: &str) -> Resp {
    let body = json!({"email": "nobody@byline.test", "password": "not-the-password"});
    app.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[("X-Forwarded-For", chain)],
        Some(body),
    )
    .await
    .expect(401)
}

/// The IP address of the newest failed login in the audit log.
async fn ip_of_the_failed_login(app: &TestApp) -> Value {
    let page = app
        .get(
            "/api/v1/audit?action=auth.login_failed",
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    page["data"][0]["ip"].clone()
}

both_backends! {
    async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored(app) {
        failed_login_forwarded_for(&app, "203.0.113.7").await;
        assert_eq!(ip_of_the_failed_login(&app).await, "127.0.0.1");
    }

    async fn behind_a_trusted_proxy_the_client_it_forwards_for_is_recorded(app, [("BYLINE_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")]) {
        // The leftmost address is whatever the client claimed; the proxies vouch for the rest.
        failed_login_forwarded_for(&app, "198.51.100.66, 203.0.113.7, 10.1.2.3").await;
        assert_eq!(ip_of_the_failed_login(&app).await, "203.0.113.7");
    }
}

/// An anonymous read of the article list, with extra headers.
async fn list(app: &TestApp, headers: &[(&str, &str)]) -> Resp {
    app.send(Method::GET, "/api/v1/articles", None, headers, None)
        .await
}

/// A `RateLimit-*` header as a number.
fn number(r: &Resp, name: &str) -> u64 {
    r.header(name)
        .unwrap_or_else(|| panic!("{name} missing (status {})", r.status))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number"))
}

/// Sends anonymous reads until one is refused; the refusal. Panics after `most` requests.
async fn read_until_refused(app: &TestApp, headers: &[(&str, &str)], most: usize) -> Resp {
    for _ in 0..most {
        let r = list(app, headers).await;
        if r.status == 429 {
            return r.expect(429);
        }
        r.expect(200);
    }
    panic!("no 429 within {most} requests");
}

both_backends! {
    async fn past_the_limit_a_caller_gets_429_with_retry_after(app, [("BYLINE_RATE_LIMIT", "5")]) {
        // Spawning the app spent one request of this address on the admin's login.
        let refused = read_until_refused(&app, &[], 5).await;
        let problem = refused.json();
        assert_eq!(problem["type"], "urn:byline:problem:too-many-requests");
        assert!(problem["detail"].as_str().expect("detail").contains("5 requests a minute from this address"));
        let retry: u64 = refused.header("retry-after").expect("Retry-After").parse().expect("seconds");
        assert!((1..=12).contains(&retry), "one request every 12 s; Retry-After {retry}");
        assert_eq!((number(&refused, "ratelimit-limit"), number(&refused, "ratelimit-remaining")), (5, 0));
        assert!((50..=60).contains(&number(&refused, "ratelimit-reset")));
    }

    async fn each_response_says_how_many_requests_remain(app, [("BYLINE_RATE_LIMIT", "50")]) {
        let first = list(&app, &[]).await.expect(200);
        let second = list(&app, &[]).await.expect(200);
        assert_eq!(number(&first, "ratelimit-limit"), 50);
        assert_eq!(number(&first, "ratelimit-remaining"), number(&second, "ratelimit-remaining") + 1);
        assert!((1..=60).contains(&number(&second, "ratelimit-reset")));
    }

    async fn a_signed_in_caller_counts_apart_from_its_address(app, [("BYLINE_RATE_LIMIT", "5")]) {
        read_until_refused(&app, &[], 5).await;
        let me = app.get("/api/v1/auth/me", Some(&app.admin_token)).await.expect(200);
        assert_eq!(number(&me, "ratelimit-remaining"), 4, "the admin's own budget");
        let mut last = me;
        while last.status == 200 {
            last = app.get("/api/v1/articles", Some(&app.admin_token)).await;
        }
        let refused = last.expect(429);
        assert!(refused.json()["detail"].as_str().expect("detail").contains("for this account"));
    }

    async fn health_probes_are_never_limited(app, [("BYLINE_RATE_LIMIT", "2")]) {
        read_until_refused(&app, &[], 2).await;
        for probe in ["/healthz", "/readyz"] {
            for _ in 0..3 {
                let r = app.get(probe, None).await.expect(200);
                assert!(r.header("ratelimit-limit").is_none(), "{probe} is not counted");
            }
        }
    }

    async fn errors_and_every_kind_of_route_carry_the_ratelimit_headers(app) {
        let answers = [
            ("list", list(&app, &[]).await.expect(200)),
            ("unknown route", app.get("/api/v1/nothing-here", None).await.expect(404)),
            ("NUL in the path", app.get("/api/v1/articles/a%00b", None).await.expect(404)),
            ("bad token", app.get("/api/v1/auth/me", Some("not-a-token")).await.expect(401)),
            ("wrong method", app.send(Method::DELETE, "/api/v1/tags", None, &[], None).await.expect(405)),
            ("Swagger UI", app.get("/swagger-ui/", None).await.expect(200)),
        ];
        for (what, r) in answers {
            assert_eq!(number(&r, "ratelimit-limit"), 1200, "{what}");
            assert!(r.header("ratelimit-remaining").is_some() && r.header("ratelimit-reset").is_some(), "{what}");
        }
    }

    async fn browsers_on_other_origins_may_read_the_ratelimit_headers(app) {
        let r = list(&app, &[("Origin", "https://news.example")]).await.expect(200);
        let exposed = r.header("access-control-expose-headers").expect("exposed headers").to_lowercase();
        for name in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"] {
            assert!(exposed.contains(name), "{name} in {exposed}");
        }
    }

    async fn a_limit_of_zero_limits_nothing_and_sends_no_headers(app, [("BYLINE_RATE_LIMIT", "0")]) {
        for _ in 0..20 {
            let r = list(&app, &[]).await.expect(200);
            assert!(r.header("ratelimit-limit").is_none());
        }
    }

    async fn a_forged_forwarded_for_buys_no_new_budget(app, [("BYLINE_RATE_LIMIT", "3")]) {
        read_until_refused(&app, &[("X-Forwarded-For", "203.0.113.1")], 3).await;
        list(&app, &[("X-Forwarded-For", "203.0.113.2")]).await.expect(429);
    }

    async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(app, [("BYLINE_RATE_LIMIT", "3"), ("BYLINE_TRUSTED_PROXIES", "127.0.0.1")]) {
        read_until_refused(&app, &[("X-Forwarded-For", "203.0.113.1")], 4).await;
        let other = list(&app, &[("X-Forwarded-For", "203.0.113.2")]).await.expect(200);
        assert_eq!(number(&other, "ratelimit-remaining"), 2);
    }
}
