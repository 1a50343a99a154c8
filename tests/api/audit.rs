//! The audit log: what sign-ins and account changes record, who may read it, its filters and
//! pages, and that nothing can change an entry.

use diesel::connection::SimpleConnection;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{claims_of, Backend, TestApp};

const PASSWORD: &str = "a-long-test-password";

/// An audit entry as the API answers it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    at: String,
    actor: Option<Actor>,
    action: String,
    target: Option<Target>,
    ip: Option<String>,
    detail: Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Actor {
    id: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Target {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

impl Target {
    fn of(kind: &str, id: &str) -> Option<Self> {
        Some(Self {
            kind: kind.into(),
            id: id.into(),
        })
    }
}

/// One page of `GET /audit?{query}` as the admin.
async fn page(app: &TestApp, query: &str) -> (Vec<Entry>, Option<String>) {
    let body = app
        .get(&format!("/api/v1/audit?{query}"), Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    let entries = serde_json::from_value(body["data"].clone()).expect("entries");
    (
        entries,
        body["meta"]["next_cursor"].as_str().map(str::to_owned),
    )
}

/// The only entry with this action.
async fn the_entry(app: &TestApp, action: &str) -> Entry {
    let (mut entries, _) = page(app, &format!("action={action}")).await;
    assert_eq!(entries.len(), 1, "one {action} entry: {entries:?}");
    entries.remove(0)
}

async fn me(app: &TestApp, token: &str) -> Actor {
    let me = app
        .get("/api/v1/auth/me", Some(token))
        .await
        .expect(200)
        .json();
    Actor {
        id: me["id"].as_str().expect("id").into(),
        name: me["name"].as_str().expect("name").into(),
    }
}

async fn admin(app: &TestApp) -> Option<Actor> {
    Some(me(app, &app.admin_token).await)
}

/// A new author through the API; their id and email.
async fn new_author(app: &TestApp) -> (String, String) {
    let email = format!("author-{}@byline.test", uuid::Uuid::now_v7().simple());
    (app.create_user(&email, "author", PASSWORD).await, email)
}

async fn new_key(app: &TestApp) -> (String, String) {
    let key = app
        .post(
            "/api/v1/api-keys",
            Some(&app.admin_token),
            json!({"name": "Wire bot", "role": "editor"}),
        )
        .await
        .expect(201)
        .json();
    (
        key["id"].as_str().expect("id").into(),
        key["secret"].as_str().expect("secret").into(),
    )
}

fn session_of(token: &str) -> String {
    claims_of(token)["sid"].as_str().expect("sid").into()
}

fn localhost() -> Option<String> {
    Some("127.0.0.1".into())
}

both_backends!(a_login_is_recorded_with_the_user_as_actor_the_session_as_target_and_the_ip);
async fn a_login_is_recorded_with_the_user_as_actor_the_session_as_target_and_the_ip(app: TestApp) {
    let (_, email) = new_author(&app).await;
    let token = app.login(&email, PASSWORD).await;
    let entries = page(&app, "action=auth.login").await.0;
    let entry = entries.first().expect("an entry").clone();
    assert_eq!(entry.actor, Some(me(&app, &token).await));
    assert_eq!(entry.target, Target::of("session", &session_of(&token)));
    assert_eq!((entry.ip, entry.detail), (localhost(), json!({})));
}

both_backends!(a_failed_login_records_the_email_tried_and_never_the_password);
async fn a_failed_login_records_the_email_tried_and_never_the_password(app: TestApp) {
    let (id, email) = new_author(&app).await;
    let wrong = "not-the-password-at-all";
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": wrong}),
    )
    .await
    .expect(401);
    let entry = the_entry(&app, "auth.login_failed").await;
    assert_eq!(
        (entry.actor, entry.target, entry.ip),
        (None, Target::of("user", &id), localhost())
    );
    assert_eq!(
        entry.detail,
        json!({"email": email, "reason": "wrong_password"})
    );
    let body = String::from_utf8(app.get("/api/v1/audit", Some(&app.admin_token)).await.body)
        .expect("utf-8");
    assert!(!body.contains(wrong), "the password must not be recorded");
}

both_backends!(a_failed_login_with_an_unknown_email_is_recorded_without_a_target);
async fn a_failed_login_with_an_unknown_email_is_recorded_without_a_target(app: TestApp) {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "Nobody@Byline.test", "password": PASSWORD}),
    )
    .await
    .expect(401);
    let entry = the_entry(&app, "auth.login_failed").await;
    assert_eq!((entry.actor, entry.target), (None, None));
    assert_eq!(
        entry.detail,
        json!({"email": "nobody@byline.test", "reason": "unknown_email"})
    );
}

both_backends!(a_right_password_for_a_disabled_account_is_recorded_as_a_failed_login);
async fn a_right_password_for_a_disabled_account_is_recorded_as_a_failed_login(app: TestApp) {
    let (id, email) = new_author(&app).await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        json!({"active": false}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .await
    .expect(401);
    let entry = the_entry(&app, "auth.login_failed").await;
    assert_eq!(entry.target, Target::of("user", &id));
    assert_eq!(entry.detail["reason"], "disabled");
}

both_backends!(a_logout_is_recorded_against_the_session_it_ended);
async fn a_logout_is_recorded_against_the_session_it_ended(app: TestApp) {
    let (_, email) = new_author(&app).await;
    let token = app.login(&email, PASSWORD).await;
    let actor = me(&app, &token).await;
    app.post("/api/v1/auth/logout", Some(&token), json!({}))
        .await
        .expect(204);
    let entry = the_entry(&app, "auth.logout").await;
    assert_eq!(
        (entry.actor, entry.target, entry.ip),
        (
            Some(actor),
            Target::of("session", &session_of(&token)),
            localhost()
        )
    );
}

both_backends!(a_password_change_is_recorded_for_the_user_without_any_password);
async fn a_password_change_is_recorded_for_the_user_without_any_password(app: TestApp) {
    let (id, email) = new_author(&app).await;
    let token = app.login(&email, PASSWORD).await;
    let actor = me(&app, &token).await;
    let new_password = "a-brand-new-long-password";
    app.put(
        "/api/v1/auth/me/password",
        Some(&token),
        json!({"current_password": PASSWORD, "new_password": new_password}),
    )
    .await
    .expect(200);
    let entry = the_entry(&app, "auth.password_change").await;
    assert_eq!(
        (entry.actor, entry.target, entry.ip),
        (Some(actor), Target::of("user", &id), localhost())
    );
    assert_eq!(entry.detail, json!({}));
}

both_backends!(a_reused_refresh_token_is_recorded_with_the_login_it_revoked);
async fn a_reused_refresh_token_is_recorded_with_the_login_it_revoked(app: TestApp) {
    let (_, email) = new_author(&app).await;
    let pair = app.login_pair(&email, PASSWORD).await;
    let actor = me(&app, &pair.access).await;
    app.refresh(&pair.refresh).await.expect(200);
    app.refresh(&pair.refresh).await.expect(401);
    let entry = the_entry(&app, "auth.refresh_reuse").await;
    assert_eq!(
        (entry.actor, entry.target, entry.ip),
        (
            Some(actor),
            Target::of("session", &session_of(&pair.access)),
            localhost()
        )
    );
}

both_backends!(creating_a_user_is_recorded_with_the_admin_as_actor);
async fn creating_a_user_is_recorded_with_the_admin_as_actor(app: TestApp) {
    let (id, email) = new_author(&app).await;
    let entry = the_entry(&app, "user.create").await;
    assert_eq!(
        (entry.actor, entry.target, entry.ip),
        (admin(&app).await, Target::of("user", &id), localhost())
    );
    assert_eq!(
        entry.detail,
        json!({"email": email, "name": email.split('@').next(), "role": "author"})
    );
}

both_backends!(updating_a_user_records_the_fields_that_changed_and_never_the_password);
async fn updating_a_user_records_the_fields_that_changed_and_never_the_password(app: TestApp) {
    let (id, _) = new_author(&app).await;
    let new_password = "an-admin-reset-password";
    let patch =
        json!({"name": "Renamed", "role": "editor", "active": true, "password": new_password});
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        patch,
    )
    .await
    .expect(200);
    let entry = the_entry(&app, "user.update").await;
    assert_eq!(
        (entry.actor, entry.target),
        (admin(&app).await, Target::of("user", &id))
    );
    assert_eq!(entry.detail["changed"], json!(["name", "role", "password"]));
    assert_eq!(
        entry.detail["to"],
        json!({"name": "Renamed", "role": "editor"})
    );
    assert_eq!(entry.detail["from"]["role"], "author");
    let text = entry.detail.to_string();
    assert!(
        !text.contains(new_password) && !text.contains("argon2"),
        "{text}"
    );
}

both_backends!(a_user_update_that_changes_nothing_records_nothing);
async fn a_user_update_that_changes_nothing_records_nothing(app: TestApp) {
    let (id, _) = new_author(&app).await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        json!({"role": "author"}),
    )
    .await
    .expect(200);
    assert!(page(&app, "action=user.update").await.0.is_empty());
}

both_backends!(deleting_a_user_is_recorded_with_what_the_account_was);
async fn deleting_a_user_is_recorded_with_what_the_account_was(app: TestApp) {
    let (id, email) = new_author(&app).await;
    app.delete(&format!("/api/v1/users/{id}"), Some(&app.admin_token))
        .await
        .expect(204);
    let entry = the_entry(&app, "user.delete").await;
    assert_eq!(
        (entry.actor, entry.target, entry.ip),
        (admin(&app).await, Target::of("user", &id), localhost())
    );
    assert_eq!(
        (
            entry.detail["email"].as_str(),
            entry.detail["role"].as_str()
        ),
        (Some(email.as_str()), Some("author"))
    );
}

both_backends!(a_refused_change_records_nothing);
async fn a_refused_change_records_nothing(app: TestApp) {
    let (_, email) = new_author(&app).await;
    app.post(
        "/api/v1/users",
        Some(&app.admin_token),
        json!({"email": email, "role": "author", "password": PASSWORD}),
    )
    .await
    .expect(409);
    assert_eq!(page(&app, "action=user.create").await.0.len(), 1);
}

both_backends!(creating_an_api_key_is_recorded_without_its_secret);
async fn creating_an_api_key_is_recorded_without_its_secret(app: TestApp) {
    let (id, secret) = new_key(&app).await;
    let entry = the_entry(&app, "api_key.create").await;
    assert_eq!(
        (entry.actor, entry.target, entry.ip),
        (admin(&app).await, Target::of("api_key", &id), localhost())
    );
    assert_eq!(entry.detail, json!({"name": "Wire bot", "role": "editor"}));
    let body = String::from_utf8(app.get("/api/v1/audit", Some(&app.admin_token)).await.body)
        .expect("utf-8");
    assert!(!body.contains(&secret));
}

both_backends!(revoking_an_api_key_is_recorded);
async fn revoking_an_api_key_is_recorded(app: TestApp) {
    let (id, _) = new_key(&app).await;
    app.delete(&format!("/api/v1/api-keys/{id}"), Some(&app.admin_token))
        .await
        .expect(204);
    app.delete(&format!("/api/v1/api-keys/{id}"), Some(&app.admin_token))
        .await
        .expect(404);
    let entry = the_entry(&app, "api_key.revoke").await;
    assert_eq!(
        (entry.actor, entry.target, entry.ip),
        (admin(&app).await, Target::of("api_key", &id), localhost())
    );
    assert_eq!(entry.detail, json!({"name": "Wire bot", "role": "editor"}));
}

both_backends!(only_admins_may_read_the_audit_log);
async fn only_admins_may_read_the_audit_log(app: TestApp) {
    let (_, email) = new_author(&app).await;
    let author = app.login(&email, PASSWORD).await;
    app.get("/api/v1/audit", Some(&author)).await.expect(403);
    app.get("/api/v1/audit", None).await.expect(401);
    app.get("/api/v1/audit", Some(&app.admin_token))
        .await
        .expect(200);
}

both_backends!(the_action_filter_takes_an_exact_action_or_a_prefix);
async fn the_action_filter_takes_an_exact_action_or_a_prefix(app: TestApp) {
    let (id, _) = new_author(&app).await;
    app.delete(&format!("/api/v1/users/{id}"), Some(&app.admin_token))
        .await
        .expect(204);
    let actions = |entries: Vec<Entry>| entries.into_iter().map(|e| e.action).collect::<Vec<_>>();
    assert_eq!(
        actions(page(&app, "action=user.*").await.0),
        ["user.delete", "user.create"]
    );
    assert_eq!(
        actions(page(&app, "action=user.create").await.0),
        ["user.create"]
    );
    assert_eq!(actions(page(&app, "action=auth.*").await.0), ["auth.login"]);
    assert!(page(&app, "action=user").await.0.is_empty());
}

both_backends!(the_actor_and_target_filters_take_ids);
async fn the_actor_and_target_filters_take_ids(app: TestApp) {
    let (id, email) = new_author(&app).await;
    let token = app.login(&email, PASSWORD).await;
    let admin_id = admin(&app).await.expect("admin").id;
    let by_author = page(&app, &format!("actor={id}")).await.0;
    assert_eq!(
        by_author
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["auth.login"]
    );
    let about_author = page(&app, &format!("target={}", id.to_uppercase())).await.0;
    assert_eq!(
        about_author
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["user.create"]
    );
    let by_admin = page(
        &app,
        &format!("actor={admin_id}&target={}", session_of(&token)),
    )
    .await
    .0;
    assert!(by_admin.is_empty());
}

both_backends!(the_time_filters_take_after_inclusive_and_before_exclusive);
async fn the_time_filters_take_after_inclusive_and_before_exclusive(app: TestApp) {
    new_author(&app).await;
    let created = the_entry(&app, "user.create").await;
    let after: Vec<String> = page(&app, &format!("after={}", created.at))
        .await
        .0
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(after, [created.id.as_str()]);
    let before = page(&app, &format!("before={}", created.at)).await.0;
    assert!(!before.is_empty() && before.iter().all(|e| e.id < created.id));
}

both_backends!(malformed_filters_limits_and_cursors_are_400_problems);
async fn malformed_filters_limits_and_cursors_are_400_problems(app: TestApp) {
    for query in [
        "after=yesterday",
        "before=2026-13-01T00:00:00Z",
        "actor=not-an-id",
        "target=0198b7c12f4e7cc19a516f1d2a3b4c5d",
        "action=Auth.Login",
        "action=auth.",
        "action=a%00",
        "limit=0",
        "cursor=bm90LWFuLWlk",
    ] {
        app.get(&format!("/api/v1/audit?{query}"), Some(&app.admin_token))
            .await
            .expect(400);
    }
}

both_backends!(pages_follow_the_cursor_newest_first_and_never_repeat_an_entry);
async fn pages_follow_the_cursor_newest_first_and_never_repeat_an_entry(app: TestApp) {
    for i in 0..5 {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": format!("ghost{i}@byline.test"), "password": PASSWORD}),
        )
        .await
        .expect(401);
    }
    let mut seen: Vec<Entry> = vec![];
    let mut path = "/api/v1/audit?action=auth.login_failed&limit=2".to_owned();
    loop {
        let r = app.get(&path, Some(&app.admin_token)).await.expect(200);
        let body = r.json();
        assert_eq!(body["meta"]["limit"], 2);
        seen.extend(serde_json::from_value::<Vec<Entry>>(body["data"].clone()).expect("entries"));
        let Some(link) = r.header("link") else {
            assert!(body["meta"]["next_cursor"].is_null());
            break;
        };
        assert!(
            link.contains("action=auth.login_failed"),
            "the link keeps the filter: {link}"
        );
        path = link
            .trim_start_matches('<')
            .split('>')
            .next()
            .expect("url")
            .to_owned();
    }
    let emails: Vec<&str> = seen
        .iter()
        .map(|e| e.detail["email"].as_str().expect("email"))
        .collect();
    assert_eq!(
        emails,
        [
            "ghost4@byline.test",
            "ghost3@byline.test",
            "ghost2@byline.test",
            "ghost1@byline.test",
            "ghost0@byline.test"
        ]
    );
}

both_backends!(entries_cannot_be_updated_or_deleted_even_with_direct_sql);
async fn entries_cannot_be_updated_or_deleted_even_with_direct_sql(app: TestApp) {
    let before = page(&app, "").await.0;
    assert!(!before.is_empty());
    let mut conn = app.db.get().expect("conn");
    let mut refused = vec![
        "UPDATE audit_log SET action = 'auth.logout'",
        "DELETE FROM audit_log",
    ];
    if app.backend == Backend::Postgres {
        // Statement-level there, so even a statement that matches no row is refused.
        refused.extend([
            "UPDATE audit_log SET detail = '{}' WHERE id = 'none'",
            "TRUNCATE audit_log",
        ]);
    }
    for sql in refused {
        let err = conn.batch_execute(sql).expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    drop(conn);
    assert_eq!(page(&app, "").await.0, before);
}
