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
