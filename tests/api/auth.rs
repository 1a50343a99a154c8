//! Sessions, refresh-token rotation, password changes, API keys and login throttling: every way
//! a token stops working, and the 401s, 403s and 429s that follow.

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{claims_of, sign, Pair, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET};

const PASSWORD: &str = "a-long-test-password";

async fn new_user(app: &TestApp, role: &str) -> (String, String) {
    let email = format!("{role}-{}@byline.test", uuid::Uuid::now_v7().simple());
    let id = app.create_user(&email, role, PASSWORD).await;
    (id, email)
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/auth/me", Some(token)).await.status
}

async fn create_key(app: &TestApp, role: &str) -> (String, String) {
    let key = app
        .post(
            "/api/v1/api-keys",
            Some(&app.admin_token),
            json!({"name": "Publishing bot", "role": role}),
        )
        .await
        .expect(201)
        .json();
    (
        key["id"].as_str().expect("id").to_owned(),
        key["secret"].as_str().expect("secret").to_owned(),
    )
}

async fn key_token(app: &TestApp, id: &str, secret: &str) -> String {
    let body =
        json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
    let r = app
        .post("/api/v1/auth/token", None, body)
        .await
        .expect(200)
        .json();
    assert_eq!(r["token_type"], "Bearer");
    assert!(r.get("refresh_token").is_none());
    r["access_token"].as_str().expect("token").to_owned()
}

async fn form(app: &TestApp, path: &str, body: &str) -> crate::helpers::Resp {
    app.send_raw(
        Method::POST,
        path,
        None,
        &[],
        Some((
            body.as_bytes().to_vec(),
            "application/x-www-form-urlencoded",
        )),
    )
    .await
}

both_backends!(login_answers_an_access_token_and_a_refresh_token);
async fn login_answers_an_access_token_and_a_refresh_token(app: TestApp) {
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await
        .expect(200);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let body = r.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let refresh = body["refresh_token"].as_str().expect("refresh_token");
    assert_eq!(refresh.len(), 43, "32 random bytes in base64url");
    let claims = claims_of(body["access_token"].as_str().expect("access"));
    for claim in ["sub", "sid", "exp", "iat", "nbf", "iss", "aud", "jti"] {
        assert!(claims.get(claim).is_some(), "access token lacks {claim}");
    }
    assert!(
        claims.get("role").is_none(),
        "the role is never in the token"
    );
}

both_backends!(refresh_rotates_and_a_reused_refresh_token_revokes_every_token_of_its_login);
async fn refresh_rotates_and_a_reused_refresh_token_revokes_every_token_of_its_login(app: TestApp) {
    let (_, email) = new_user(&app, "editor").await;
    let first = app.login_pair(&email, PASSWORD).await;
    let other_login = app.login_pair(&email, PASSWORD).await;
    let second = Pair::from_response(&app.refresh(&first.refresh).await.expect(200).json());
    let third = Pair::from_response(&app.refresh(&second.refresh).await.expect(200).json());
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(
        claims_of(&third.access)["sid"],
        claims_of(&first.access)["sid"],
        "one login, one session"
    );
    for token in [&first.access, &second.access, &third.access] {
        assert_eq!(me_status(&app, token).await, 200);
    }
    let r = app.refresh(&first.refresh).await.expect(401);
    assert!(r.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("used before"));
    app.refresh(&third.refresh).await.expect(401);
    app.refresh(&second.refresh).await.expect(401);
    for token in [&first.access, &second.access, &third.access] {
        assert_eq!(
            me_status(&app, token).await,
            401,
            "every access token of the reused login"
        );
    }
    assert_eq!(
        me_status(&app, &other_login.access).await,
        200,
        "another login of the same user lives on"
    );
    app.refresh(&other_login.refresh).await.expect(200);
}

both_backends!(unknown_and_malformed_refresh_tokens_are_401);
async fn unknown_and_malformed_refresh_tokens_are_401(app: TestApp) {
    app.refresh("not-a-refresh-token").await.expect(401);
    app.refresh("nul\u{0}inside").await.expect(401);
    app.refresh("").await.expect(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": 5}))
        .await
        .expect(422);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": "x", "extra": 1}),
    )
    .await
    .expect(422);
}

both_backends!(logout_ends_only_the_callers_login);
async fn logout_ends_only_the_callers_login(app: TestApp) {
    let (_, email) = new_user(&app, "author").await;
    let a = app.login_pair(&email, PASSWORD).await;
    let b = app.login_pair(&email, PASSWORD).await;
    app.send(
        Method::POST,
        "/api/v1/auth/logout",
        Some(&a.access),
        &[],
        None,
    )
    .await
    .expect(204);
    assert_eq!(me_status(&app, &a.access).await, 401);
    app.refresh(&a.refresh).await.expect(401);
    assert_eq!(me_status(&app, &b.access).await, 200);
    app.send(Method::POST, "/api/v1/auth/logout", None, &[], None)
        .await
        .expect(401);
}

both_backends!(a_disabled_users_tokens_stop_working_at_once);
async fn a_disabled_users_tokens_stop_working_at_once(app: TestApp) {
    let (id, email) = new_user(&app, "editor").await;
    let pair = app.login_pair(&email, PASSWORD).await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        json!({"active": false}),
    )
    .await
    .expect(200);
    let r = app
        .get("/api/v1/auth/me", Some(&pair.access))
        .await
        .expect(401);
    assert!(r
        .header("www-authenticate")
        .expect("challenge")
        .contains("invalid_token"));
    app.refresh(&pair.refresh).await.expect(401);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await
    .expect(401);
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        json!({"active": true}),
    )
    .await
    .expect(200);
    assert_eq!(
        me_status(&app, &pair.access).await,
        401,
        "re-enabling does not revive old sessions"
    );
    app.login(&email, PASSWORD).await;
}

both_backends!(a_deleted_users_tokens_stop_working_at_once);
async fn a_deleted_users_tokens_stop_working_at_once(app: TestApp) {
    let (id, email) = new_user(&app, "editor").await;
    let pair = app.login_pair(&email, PASSWORD).await;
    app.delete(&format!("/api/v1/users/{id}"), Some(&app.admin_token))
        .await
        .expect(204);
    assert_eq!(me_status(&app, &pair.access).await, 401);
    app.refresh(&pair.refresh).await.expect(401);
}

both_backends!(a_password_change_ends_every_earlier_session_and_answers_a_new_pair);
async fn a_password_change_ends_every_earlier_session_and_answers_a_new_pair(app: TestApp) {
    let (_, email) = new_user(&app, "author").await;
    let current = app.login_pair(&email, PASSWORD).await;
    let elsewhere = app.login_pair(&email, PASSWORD).await;
    let new_password = "a-brand-new-passphrase";
    let body = json!({"current_password": PASSWORD, "new_password": new_password});
    let r = app
        .put("/api/v1/auth/me/password", Some(&current.access), body)
        .await
        .expect(200);
    let fresh = Pair::from_response(&r.json());
    for old in [&current, &elsewhere] {
        assert_eq!(me_status(&app, &old.access).await, 401);
        app.refresh(&old.refresh).await.expect(401);
    }
    assert_eq!(me_status(&app, &fresh.access).await, 200);
    app.refresh(&fresh.refresh).await.expect(200);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await
    .expect(401);
    app.login(&email, new_password).await;
}

both_backends!(a_token_issued_before_the_last_password_change_is_401_even_in_a_live_session);
async fn a_token_issued_before_the_last_password_change_is_401_even_in_a_live_session(
    app: TestApp,
) {
    let (_, email) = new_user(&app, "author").await;
    let pair = app.login_pair(&email, PASSWORD).await;
    let body = json!({"current_password": PASSWORD, "new_password": "another-long-passphrase"});
    let fresh = Pair::from_response(
        &app.put("/api/v1/auth/me/password", Some(&pair.access), body)
            .await
            .expect(200)
            .json(),
    );
    let mut claims = claims_of(&fresh.access);
    let iat = claims["iat"].as_i64().expect("iat") - 120;
    claims["iat"] = json!(iat);
    claims["nbf"] = json!(iat);
    let backdated = sign(&claims, JWT_SECRET, jsonwebtoken::Algorithm::HS256);
    let r = app
        .get("/api/v1/auth/me", Some(&backdated))
        .await
        .expect(401);
    assert!(r.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("password change"));
}

both_backends!(password_changes_check_the_current_password_and_the_new_ones_length);
async fn password_changes_check_the_current_password_and_the_new_ones_length(app: TestApp) {
    let (_, email) = new_user(&app, "author").await;
    let token = app.login(&email, PASSWORD).await;
    let wrong = json!({
        "current_password": "wrong-password-here",
        "new_password": "long-enough-password"
    });
    let r = app
        .put("/api/v1/auth/me/password", Some(&token), wrong)
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/current_password"]);
    let r = app
        .put(
            "/api/v1/auth/me/password",
            Some(&token),
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/new_password"]);
    app.put(
        "/api/v1/auth/me/password",
        Some(&token),
        json!({"current_password": PASSWORD, "new_password": "twelve\u{0}chars!"}),
    )
    .await
    .expect(422);
    app.put(
        "/api/v1/auth/me/password",
        None,
        json!({"current_password": PASSWORD, "new_password": "long-enough-password"}),
    )
    .await
    .expect(401);
    assert_eq!(
        me_status(&app, &token).await,
        200,
        "failed changes end nothing"
    );
}

both_backends!(login_is_throttled_after_ten_failures_even_with_the_right_password);
async fn login_is_throttled_after_ten_failures_even_with_the_right_password(app: TestApp) {
    let (_, email) = new_user(&app, "editor").await;
    for i in 0..10 {
        // Mixed case: the count is per email, compared case-insensitively.
        let given = if i % 2 == 0 {
            email.to_uppercase()
        } else {
            email.clone()
        };
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": given, "password": "wrong-password"}),
        )
        .await
        .expect(401);
    }
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": PASSWORD}),
        )
        .await
        .expect(429);
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    assert_eq!(r.json()["type"], "urn:byline:problem:too-many-requests");
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": "wrong-password"}),
    )
    .await
    .expect(429);
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

both_backends!(concurrent_guesses_cannot_outrun_the_throttle);
async fn concurrent_guesses_cannot_outrun_the_throttle(app: TestApp) {
    let (_, email) = new_user(&app, "author").await;
    let body = json!({"email": email, "password": "wrong-password"});
    let guesses = (0..15).map(|_| app.post("/api/v1/auth/login", None, body.clone()));
    let statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        5,
        "{statuses:?}"
    );
}

both_backends!(unknown_emails_are_throttled_like_known_ones);
async fn unknown_emails_are_throttled_like_known_ones(app: TestApp) {
    for _ in 0..10 {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@byline.test", "password": "whatever-password"}),
        )
        .await
        .expect(401);
    }
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "Nobody@Byline.test", "password": "whatever-password"}),
        )
        .await
        .expect(429);
    assert!(r.header("retry-after").is_some());
}

both_backends!(wrong_current_passwords_count_towards_the_login_throttle);
async fn wrong_current_passwords_count_towards_the_login_throttle(app: TestApp) {
    let (_, email) = new_user(&app, "author").await;
    let token = app.login(&email, PASSWORD).await;
    let wrong = json!({
        "current_password": "wrong-password-here",
        "new_password": "long-enough-password"
    });
    for _ in 0..10 {
        app.put("/api/v1/auth/me/password", Some(&token), wrong.clone())
            .await
            .expect(422);
    }
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await
    .expect(429);
}

both_backends!(an_api_key_is_exchanged_for_tokens_that_work_until_the_key_is_revoked);
async fn an_api_key_is_exchanged_for_tokens_that_work_until_the_key_is_revoked(app: TestApp) {
    let (id, secret) = create_key(&app, "editor").await;
    let token = key_token(&app, &id, &secret).await;
    let form_body =
        format!("grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=write");
    let from_form = form(&app, "/api/v1/auth/token", &form_body)
        .await
        .expect(200)
        .json();
    let form_token = from_form["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let doc = app
        .post(
            "/api/v1/articles",
            Some(&token),
            json!({"title": "Filed by the bot"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(doc["author_id"], id.as_str(), "the key is the author");
    let path = format!(
        "/api/v1/articles/{}/publish",
        doc["id"].as_str().expect("id")
    );
    app.post(&path, Some(&form_token), json!({}))
        .await
        .expect(200);
    let listed = app
        .get("/api/v1/api-keys", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(listed["data"][0]["id"], id.as_str());
    assert!(listed["data"][0]["last_used_at"].is_string());
    assert!(listed["data"][0].get("secret").is_none());
    app.delete(&format!("/api/v1/api-keys/{id}"), Some(&app.admin_token))
        .await
        .expect(204);
    for t in [&token, &form_token] {
        assert_eq!(
            me_status(&app, t).await,
            401,
            "a revoked key's tokens stop at once"
        );
    }
    app.post(
        "/api/v1/auth/token",
        None,
        json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
    )
    .await
    .expect(401);
    app.get(&format!("/api/v1/api-keys/{id}"), Some(&app.admin_token))
        .await
        .expect(404);
    app.delete(&format!("/api/v1/api-keys/{id}"), Some(&app.admin_token))
        .await
        .expect(404);
    assert_eq!(
        app.get("/api/v1/api-keys", Some(&app.admin_token))
            .await
            .expect(200)
            .json()["data"],
        json!([])
    );
    app.get(
        &format!("/api/v1/articles/{}", doc["id"].as_str().expect("id")),
        None,
    )
    .await
    .expect(200);
}

both_backends!(an_api_key_acts_with_its_own_role_and_has_no_login);
async fn an_api_key_acts_with_its_own_role_and_has_no_login(app: TestApp) {
    let (id, secret) = create_key(&app, "author").await;
    let token = key_token(&app, &id, &secret).await;
    let doc = app
        .post(
            "/api/v1/articles",
            Some(&token),
            json!({"title": "Author bot draft"}),
        )
        .await
        .expect(201)
        .json();
    app.post(
        &format!(
            "/api/v1/articles/{}/publish",
            doc["id"].as_str().expect("id")
        ),
        Some(&token),
        json!({}),
    )
    .await
    .expect(403);
    app.get("/api/v1/users", Some(&token)).await.expect(403);
    app.send(Method::POST, "/api/v1/auth/logout", Some(&token), &[], None)
        .await
        .expect(403);
    app.put(
        "/api/v1/auth/me/password",
        Some(&token),
        json!({"current_password": secret, "new_password": "long-enough-password"}),
    )
    .await
    .expect(403);
    let me = app
        .get("/api/v1/auth/me", Some(&token))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (me["id"].as_str(), me["role"].as_str()),
        (Some(id.as_str()), Some("author"))
    );
    let email = me["email"].as_str().expect("email").to_owned();
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": secret}),
    )
    .await
    .expect(401);
    app.get(&format!("/api/v1/users/{id}"), Some(&app.admin_token))
        .await
        .expect(404);
    let users = app
        .get("/api/v1/users", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert!(users["data"]
        .as_array()
        .expect("data")
        .iter()
        .all(|u| u["id"] != id.as_str()));
}

both_backends!(bad_client_credentials_are_401_and_bad_requests_are_4xx_never_500);
async fn bad_client_credentials_are_401_and_bad_requests_are_4xx_never_500(app: TestApp) {
    let (id, secret) = create_key(&app, "editor").await;
    let no_such_id = "01890000-0000-7000-8000-000000000000";
    let cases: Vec<(Value, u16)> = vec![
        (
            json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "wrong"}),
            401,
        ),
        (
            json!({
                "grant_type": "client_credentials", "client_id": no_such_id,
                "client_secret": secret
            }),
            401,
        ),
        (
            json!({
                "grant_type": "client_credentials", "client_id": "not-a-uuid",
                "client_secret": secret
            }),
            401,
        ),
        (
            json!({
                "grant_type": "client_credentials", "client_id": "a\u{0}b",
                "client_secret": "c\u{0}d"
            }),
            401,
        ),
        (
            json!({"grant_type": "password", "client_id": id, "client_secret": secret}),
            422,
        ),
        (
            json!({"grant_type": "client_credentials", "client_id": id}),
            422,
        ),
        (
            json!({
                "grant_type": "client_credentials", "client_id": id, "client_secret": secret,
                "audience": "x"
            }),
            422,
        ),
    ];
    for (body, status) in cases {
        app.post("/api/v1/auth/token", None, body)
            .await
            .expect(status);
    }
    let r = form(
        &app,
        "/api/v1/auth/token",
        &format!("grant_type=client_credentials&client_id={id}"),
    )
    .await
    .expect(422);
    assert_eq!(r.pointers(), ["/client_secret"]);
    form(
        &app,
        "/api/v1/auth/token",
        &format!("grant_type=client_credentials&client_id={id}%00&client_secret={secret}"),
    )
    .await
    .expect(401);
    let r = app
        .send_raw(
            Method::POST,
            "/api/v1/auth/token",
            None,
            &[],
            Some((b"grant_type=client_credentials".to_vec(), "text/plain")),
        )
        .await
        .expect(415);
    assert!(r.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("x-www-form-urlencoded"));
    app.send_raw(
        Method::POST,
        "/api/v1/auth/token",
        None,
        &[],
        Some((b"{\"grant_type\":".to_vec(), "application/json")),
    )
    .await
    .expect(400);
}

both_backends!(the_password_grant_logs_a_person_in_as_swagger_ui_sends_it);
async fn the_password_grant_logs_a_person_in_as_swagger_ui_sends_it(app: TestApp) {
    let (_, email) = new_user(&app, "editor").await;
    // Swagger UI's default "Authorization header" location sends empty client credentials.
    let body = format!(
        "grant_type=password&username={}&password={PASSWORD}",
        email.replace('@', "%40")
    );
    let r = app
        .send_raw(
            Method::POST,
            "/api/v1/auth/token",
            None,
            &[("Authorization", "Basic Og==")],
            Some((body.into_bytes(), "application/x-www-form-urlencoded")),
        )
        .await
        .expect(200);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let tokens = r.json();
    assert_eq!(
        (tokens["token_type"].as_str(), tokens["expires_in"].as_u64()),
        (Some("Bearer"), Some(900))
    );
    let pair = Pair::from_response(&tokens);
    let me = app
        .get("/api/v1/auth/me", Some(&pair.access))
        .await
        .expect(200)
        .json();
    assert_eq!(me["email"], email.as_str());
    app.refresh(&pair.refresh).await.expect(200);
}

both_backends!(the_password_grant_takes_json_too_and_is_audited_as_a_login);
async fn the_password_grant_takes_json_too_and_is_audited_as_a_login(app: TestApp) {
    let (id, email) = new_user(&app, "author").await;
    let body =
        json!({"grant_type": "password", "username": email.to_uppercase(), "password": PASSWORD});
    let tokens = app
        .post("/api/v1/auth/token", None, body)
        .await
        .expect(200)
        .json();
    let claims = claims_of(tokens["access_token"].as_str().expect("token"));
    assert_eq!(claims["sub"], id.as_str());
    app.post(
        "/api/v1/auth/token",
        None,
        json!({"grant_type": "password", "username": email, "password": "wrong-password"}),
    )
    .await
    .expect(401);
    let audit = app
        .get("/api/v1/audit?action=auth.*", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    let actions: Vec<(&str, &str)> = audit["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|e| e["target"]["id"] == id.as_str() || e["actor"]["id"] == id.as_str())
        .map(|e| {
            (
                e["action"].as_str().unwrap_or(""),
                e["detail"]["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [("auth.login_failed", "wrong_password"), ("auth.login", "")]
    );
}

both_backends!(the_password_grant_shares_the_login_throttle);
async fn the_password_grant_shares_the_login_throttle(app: TestApp) {
    let (_, email) = new_user(&app, "author").await;
    for _ in 0..5 {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "wrong-password"}),
        )
        .await
        .expect(401);
        form(
            &app,
            "/api/v1/auth/token",
            &format!("grant_type=password&username={email}&password=wrong-password"),
        )
        .await
        .expect(401);
    }
    let r = form(
        &app,
        "/api/v1/auth/token",
        &format!("grant_type=password&username={email}&password={PASSWORD}"),
    )
    .await
    .expect(429);
    assert!(r.header("retry-after").is_some());
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await
    .expect(429);
}

both_backends!(password_grant_bodies_are_checked_field_by_field);
async fn password_grant_bodies_are_checked_field_by_field(app: TestApp) {
    let r = form(
        &app,
        "/api/v1/auth/token",
        "grant_type=password&username=someone%40byline.test",
    )
    .await
    .expect(422);
    assert_eq!(r.pointers(), ["/password"]);
    let body = format!(
        "grant_type=password&username={ADMIN_EMAIL}&password={ADMIN_PASSWORD}&client_id=swagger"
    );
    let r = form(&app, "/api/v1/auth/token", &body).await.expect(422);
    assert_eq!(r.pointers(), ["/client_id"]);
    form(
        &app,
        "/api/v1/auth/token",
        &format!("grant_type=password&username={ADMIN_EMAIL}&password={ADMIN_PASSWORD}&scope="),
    )
    .await
    .expect(200);
    let r = form(
        &app,
        "/api/v1/auth/token",
        "grant_type=authorization_code&code=x",
    )
    .await
    .expect(422);
    assert!(
        r.json()["errors"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains("password"),
        "names the grants served"
    );
}

both_backends!(a_token_pasted_with_its_bearer_prefix_is_401_saying_so);
async fn a_token_pasted_with_its_bearer_prefix_is_401_saying_so(app: TestApp) {
    let r = app
        .send(
            Method::GET,
            "/api/v1/auth/me",
            None,
            &[(
                "Authorization",
                &format!("Bearer Bearer {}", app.admin_token),
            )],
            None,
        )
        .await
        .expect(401);
    assert!(
        r.json()["detail"]
            .as_str()
            .expect("detail")
            .contains("twice"),
        "{}",
        r.json()
    );
}

both_backends!(only_admins_manage_api_keys_and_bodies_are_validated);
async fn only_admins_manage_api_keys_and_bodies_are_validated(app: TestApp) {
    let (_, editor) = app.user_token(byline::users::domain::Role::Editor).await;
    app.post(
        "/api/v1/api-keys",
        Some(&editor),
        json!({"name": "x", "role": "author"}),
    )
    .await
    .expect(403);
    app.get("/api/v1/api-keys", None).await.expect(401);
    let r = app
        .post(
            "/api/v1/api-keys",
            Some(&app.admin_token),
            json!({"name": "", "role": "owner"}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/role"]);
    let r = app
        .post(
            "/api/v1/api-keys",
            Some(&app.admin_token),
            json!({"name": "a\u{0}b", "role": "author"}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/name"]);
    let r = app
        .post(
            "/api/v1/api-keys",
            Some(&app.admin_token),
            json!({"name": "Bot", "role": "author"}),
        )
        .await
        .expect(201);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(r.header("location"), Some(format!("/api/v1/api-keys/{id}")));
    let got = app
        .get(&format!("/api/v1/api-keys/{id}"), Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            got["name"].as_str(),
            got["role"].as_str(),
            got["last_used_at"].is_null()
        ),
        (Some("Bot"), Some("author"), true)
    );
    assert!(got.get("secret").is_none());
    app.get("/api/v1/api-keys/a%00b", Some(&app.admin_token))
        .await
        .expect(404);
    app.get("/api/v1/api-keys/not-an-id", Some(&app.admin_token))
        .await
        .expect(404);
}

/// The status of a login at another server's `base` URL.
async fn login_status_at(base: &str, email: &str, password: &str) -> u16 {
    awc::Client::default()
        .post(format!("{base}/api/v1/auth/login"))
        .send_json(&json!({"email": email, "password": password}))
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

both_backends! {
    async fn three_servers_on_one_database_share_the_login_throttle(app) {
        let (_, email) = new_user(&app, "editor").await;
        let servers = [app.base.clone(), app.spawn_second_server().await, app.spawn_second_server().await];
        for i in 0..10 {
            assert_eq!(login_status_at(&servers[i % 3], &email, "wrong-password").await, 401, "failure {i}");
        }
        for server in &servers {
            assert_eq!(login_status_at(server, &email, PASSWORD).await, 429, "the 11th attempt at {server}");
        }
    }

    async fn concurrent_guesses_spread_over_three_servers_cannot_outrun_the_throttle(app) {
        let (_, email) = new_user(&app, "author").await;
        let servers = [app.base.clone(), app.spawn_second_server().await, app.spawn_second_server().await];
        let guesses = (0..15).map(|i| login_status_at(&servers[i % 3], &email, "wrong-password"));
        let statuses = futures_util::future::join_all(guesses).await;
        assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    }

    async fn failures_that_left_the_window_stop_counting_and_are_deleted(app) {
        use byline::auth::throttle::LoginThrottle;
        use diesel::prelude::*;
        let window = std::time::Duration::from_millis(300);
        let throttle = LoginThrottle::with_limits(app.db.clone(), 2, window);
        let _first = throttle.begin("window@byline.test").await.expect("first");
        let _second = throttle.begin("window@byline.test").await.expect("second");
        assert!(throttle.begin("WINDOW@byline.test").await.is_err(), "locked after two");
        actix_web::rt::time::sleep(window * 2).await;
        // A new process deletes what left the window on its first attempt.
        let fresh = LoginThrottle::with_limits(app.db.clone(), 2, window);
        fresh.begin("window@byline.test").await.expect("the old failures have left the window");
        let mut conn = app.db.get().expect("conn");
        let rows: i64 = byline::db::schema::login_failures::table.count().get_result(&mut *conn).expect("count");
        assert_eq!(rows, 1, "only the new attempt is left");
    }
}
