//! User management by admins, the last-admin rule, unique case-insensitive emails,
//! `byline user create` and `byline user set-password`.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{byline, TestApp, ADMIN_EMAIL};

const PASSWORD: &str = "a-long-test-password";

async fn admin_id(app: &TestApp) -> String {
    app.get("/api/v1/auth/me", Some(&app.admin_token))
        .await
        .expect(200)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

both_backends!(admins_create_read_update_and_delete_users);
async fn admins_create_read_update_and_delete_users(app: TestApp) {
    let body = json!({
        "email": "Mara.Lind@Example.com", "name": "Mara Lind",
        "role": "editor", "password": PASSWORD
    });
    let r = app
        .post("/api/v1/users", Some(&app.admin_token), body)
        .await
        .expect(201);
    let user = r.json();
    let id = user["id"].as_str().expect("id").to_owned();
    assert_eq!(r.header("location"), Some(format!("/api/v1/users/{id}")));
    let mut keys: Vec<&str> = user
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["active", "created_at", "email", "id", "name", "role"]
    );
    assert_eq!(
        (
            user["email"].as_str(),
            user["role"].as_str(),
            user["active"].as_bool()
        ),
        (Some("mara.lind@example.com"), Some("editor"), Some(true))
    );
    let path = format!("/api/v1/users/{id}");
    assert_eq!(
        app.get(&path, Some(&app.admin_token))
            .await
            .expect(200)
            .json(),
        user
    );
    let changed = app
        .patch(
            &path,
            Some(&app.admin_token),
            json!({"name": "Mara L.", "role": "author", "email": "mara@example.com"}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            changed["name"].as_str(),
            changed["role"].as_str(),
            changed["email"].as_str()
        ),
        (Some("Mara L."), Some("author"), Some("mara@example.com"))
    );
    app.login("MARA@example.com", PASSWORD).await;
    app.delete(&path, Some(&app.admin_token)).await.expect(204);
    app.get(&path, Some(&app.admin_token)).await.expect(404);
    app.delete(&path, Some(&app.admin_token)).await.expect(404);
    app.patch(&path, Some(&app.admin_token), json!({"name": "x"}))
        .await
        .expect(404);
    app.get("/api/v1/users/not-a-uuid", Some(&app.admin_token))
        .await
        .expect(404);
}

both_backends!(a_user_without_a_name_is_named_after_the_email);
async fn a_user_without_a_name_is_named_after_the_email(app: TestApp) {
    let r = app
        .post(
            "/api/v1/users",
            Some(&app.admin_token),
            json!({"email": "desk@example.com", "role": "author", "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(r.json()["name"], "desk");
}

both_backends!(users_are_listed_in_pages_with_an_opaque_cursor);
async fn users_are_listed_in_pages_with_an_opaque_cursor(app: TestApp) {
    for i in 0..4 {
        app.create_user(&format!("page{i}@byline.test"), "author", PASSWORD)
            .await;
    }
    let mut seen = vec![];
    let mut path = "/api/v1/users?limit=2".to_owned();
    loop {
        let r = app.get(&path, Some(&app.admin_token)).await.expect(200);
        let body = r.json();
        assert_eq!(body["meta"]["limit"], 2);
        seen.extend(
            body["data"]
                .as_array()
                .expect("data")
                .iter()
                .map(|u| u["email"].as_str().expect("email").to_owned()),
        );
        match body["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                let link = r.header("link").expect("Link header");
                assert!(
                    link.contains(cursor) && link.ends_with("rel=\"next\""),
                    "{link}"
                );
                path = format!("/api/v1/users?limit=2&cursor={cursor}");
            }
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            ADMIN_EMAIL,
            "page0@byline.test",
            "page1@byline.test",
            "page2@byline.test",
            "page3@byline.test"
        ]
    );
    let all = app
        .get("/api/v1/users", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            all["meta"]["limit"].as_i64(),
            all["meta"]["next_cursor"].is_null()
        ),
        (Some(20), true)
    );
    for bad in [
        "limit=0",
        "limit=101",
        "limit=x",
        "cursor=tampered",
        "cursor=bm90LWEtdXVpZA",
    ] {
        app.get(&format!("/api/v1/users?{bad}"), Some(&app.admin_token))
            .await
            .expect(400);
    }
}

both_backends!(emails_are_unique_regardless_of_case);
async fn emails_are_unique_regardless_of_case(app: TestApp) {
    app.create_user("desk@example.com", "author", PASSWORD)
        .await;
    let r = app
        .post(
            "/api/v1/users",
            Some(&app.admin_token),
            json!({"email": "DESK@Example.com", "role": "editor", "password": PASSWORD}),
        )
        .await
        .expect(409);
    assert!(r.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("email"));
    let other = app
        .create_user("other@example.com", "author", PASSWORD)
        .await;
    app.patch(
        &format!("/api/v1/users/{other}"),
        Some(&app.admin_token),
        json!({"email": " Desk@EXAMPLE.com "}),
    )
    .await
    .expect(409);
    let token = app.login("Desk@Example.COM", PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&token))
            .await
            .expect(200)
            .json()["email"],
        "desk@example.com"
    );
}

both_backends!(the_last_active_admin_cannot_be_demoted_disabled_or_deleted);
async fn the_last_active_admin_cannot_be_demoted_disabled_or_deleted(app: TestApp) {
    let me = admin_id(&app).await;
    let path = format!("/api/v1/users/{me}");
    for body in [
        json!({"role": "editor"}),
        json!({"active": false}),
        json!({"role": "author", "active": false}),
    ] {
        let r = app
            .patch(&path, Some(&app.admin_token), body)
            .await
            .expect(409);
        assert!(r.json()["detail"]
            .as_str()
            .expect("detail")
            .contains("last active admin"));
    }
    app.delete(&path, Some(&app.admin_token)).await.expect(409);
    let inactive = app
        .create_user("dormant@byline.test", "admin", PASSWORD)
        .await;
    app.patch(
        &format!("/api/v1/users/{inactive}"),
        Some(&app.admin_token),
        json!({"active": false}),
    )
    .await
    .expect(200);
    app.patch(&path, Some(&app.admin_token), json!({"role": "editor"}))
        .await
        .expect(409);
    app.patch(
        &path,
        Some(&app.admin_token),
        json!({"name": "Still the admin"}),
    )
    .await
    .expect(200);
    let second = app
        .create_user("second-admin@byline.test", "admin", PASSWORD)
        .await;
    app.patch(&path, Some(&app.admin_token), json!({"role": "editor"}))
        .await
        .expect(200);
    app.get("/api/v1/users", Some(&app.admin_token))
        .await
        .expect(403);
    let token = app.login("second-admin@byline.test", PASSWORD).await;
    app.delete(&format!("/api/v1/users/{second}"), Some(&token))
        .await
        .expect(409);
}

both_backends!(two_admins_demoting_each_other_at_once_leave_one_admin);
async fn two_admins_demoting_each_other_at_once_leave_one_admin(app: TestApp) {
    let me = admin_id(&app).await;
    let other = app
        .create_user("rival@byline.test", "admin", PASSWORD)
        .await;
    let rival = app.login("rival@byline.test", PASSWORD).await;
    let (other_path, my_path) = (
        format!("/api/v1/users/{other}"),
        format!("/api/v1/users/{me}"),
    );
    let demote_other = app.patch(
        &other_path,
        Some(&app.admin_token),
        json!({"role": "editor"}),
    );
    let demote_me = app.patch(&my_path, Some(&rival), json!({"role": "editor"}));
    let (a, b) = tokio::join!(demote_other, demote_me);
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    // Either one wins and the other meets the last-admin rule (409), or the other runs after
    // its caller lost the admin role (403). Never both.
    assert!(
        statuses == [200, 409] || statuses == [200, 403],
        "{statuses:?}"
    );
    let rival = app.login("rival@byline.test", PASSWORD).await;
    let mut still_admin = 0;
    for token in [&app.admin_token, &rival] {
        if app.get("/api/v1/users", Some(token)).await.status == 200 {
            still_admin += 1;
        }
    }
    assert_eq!(still_admin, 1);
}

both_backends!(users_who_wrote_articles_are_disabled_rather_than_deleted);
async fn users_who_wrote_articles_are_disabled_rather_than_deleted(app: TestApp) {
    let (id, token) = app.user_token(byline::users::domain::Role::Author).await;
    let doc = app
        .post(
            "/api/v1/articles",
            Some(&token),
            json!({"title": "A byline to keep"}),
        )
        .await
        .expect(201)
        .json();
    let r = app
        .delete(&format!("/api/v1/users/{id}"), Some(&app.admin_token))
        .await
        .expect(409);
    assert!(r.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("disable"));
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        json!({"active": false}),
    )
    .await
    .expect(200);
    let again = app
        .get(
            &format!("/api/v1/articles/{}", doc["id"].as_str().expect("id")),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(again["author_id"], id.as_str());
}

both_backends!(an_admin_password_reset_ends_the_users_sessions);
async fn an_admin_password_reset_ends_the_users_sessions(app: TestApp) {
    let id = app
        .create_user("reset@byline.test", "editor", PASSWORD)
        .await;
    let pair = app.login_pair("reset@byline.test", PASSWORD).await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        json!({"password": "a-reset-passphrase"}),
    )
    .await
    .expect(200);
    app.get("/api/v1/auth/me", Some(&pair.access))
        .await
        .expect(401);
    app.refresh(&pair.refresh).await.expect(401);
    app.login("reset@byline.test", "a-reset-passphrase").await;
}

both_backends!(user_bodies_are_validated_field_by_field);
async fn user_bodies_are_validated_field_by_field(app: TestApp) {
    let r = app
        .post(
            "/api/v1/users",
            Some(&app.admin_token),
            json!({"email": "not-an-email", "name": "", "role": "author", "password": "short"}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/email", "/name", "/password"]);
    let r = app
        .post(
            "/api/v1/users",
            Some(&app.admin_token),
            json!({"email": "a@b.c", "role": "owner", "password": PASSWORD}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/role"]);
    let r = app
        .post(
            "/api/v1/users",
            Some(&app.admin_token),
            json!({"email": "a@b.c", "role": "author", "password": PASSWORD, "password_hash": "x"}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/password_hash"]);
    let body =
        json!({"email": "a\u{0}@b.c", "name": "n\u{0}", "role": "author", "password": PASSWORD});
    let r = app
        .post("/api/v1/users", Some(&app.admin_token), body)
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/email", "/name"]);
    let id = app
        .create_user("valid@byline.test", "author", PASSWORD)
        .await;
    let path = format!("/api/v1/users/{id}");
    for (body, pointer) in [
        (json!({"name": null}), "/name"),
        (json!({"active": "no"}), "/active"),
        (json!({"password": "too-short"}), "/password"),
        (json!({"email": "nope"}), "/email"),
        (json!({"id": "x"}), "/id"),
    ] {
        let r = app
            .patch(&path, Some(&app.admin_token), body)
            .await
            .expect(422);
        assert_eq!(r.pointers(), [pointer]);
    }
    let user = app
        .get(&path, Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(user["name"], "valid");
}

both_backends!(byline_user_create_adds_a_user_who_can_log_in);
async fn byline_user_create_adds_a_user_who_can_log_in(app: TestApp) {
    use std::io::Write;
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_byline"))
            .args(args)
            .env("DATABASE_URL", app.database.url())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run byline");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("byline exits")
    };
    let out = run(
        &[
            "user",
            "create",
            "--email",
            "CLI@Example.com",
            "--role",
            "editor",
            "--name",
            "Cli User",
            "--password-stdin",
        ],
        "a-password-from-stdin\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("cli@example.com"));
    let token = app.login("cli@example.com", "a-password-from-stdin").await;
    let me = app
        .get("/api/v1/auth/me", Some(&token))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (me["role"].as_str(), me["name"].as_str()),
        (Some("editor"), Some("Cli User"))
    );
    let dup = run(
        &[
            "user",
            "create",
            "--email",
            "cli@EXAMPLE.com",
            "--role",
            "author",
            "--password-stdin",
        ],
        "another-long-password\n",
    );
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let short = run(
        &[
            "user",
            "create",
            "--email",
            "x@example.com",
            "--role",
            "author",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(String::from_utf8_lossy(&short.stderr).contains("the password must be 12"));
    let generated = run(
        &[
            "user",
            "create",
            "--email",
            "gen@example.com",
            "--role",
            "author",
        ],
        "",
    );
    let stdout = String::from_utf8_lossy(&generated.stdout).into_owned();
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("printed password");
    app.login("gen@example.com", password).await;
    let help = run(&["user", "create", "--help"], "");
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for flag in ["--email", "--role", "--name", "--password-stdin"] {
        assert!(help.contains(flag), "{help}");
    }
}

both_backends!(byline_user_set_password_ends_the_users_sessions_and_sets_the_new_one);
async fn byline_user_set_password_ends_the_users_sessions_and_sets_the_new_one(app: TestApp) {
    let id = app
        .create_user("mara@example.com", "editor", PASSWORD)
        .await;
    let pair = app.login_pair("mara@example.com", PASSWORD).await;
    let run = byline(
        &app.database,
        &[
            "user",
            "set-password",
            "Mara@Example.com",
            "--password-stdin",
        ],
        Some(b"a-password-from-stdin\n"),
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout().contains("mara@example.com"),
        "{}",
        run.stdout()
    );
    assert!(
        !run.stdout().contains("a-password-from-stdin"),
        "a chosen password is not echoed"
    );
    app.get("/api/v1/auth/me", Some(&pair.access))
        .await
        .expect(401);
    app.refresh(&pair.refresh).await.expect(401);
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "mara@example.com", "password": PASSWORD}),
        )
        .await;
    r.expect(401);
    app.login("mara@example.com", "a-password-from-stdin").await;
    let audit = app
        .get("/api/v1/audit?action=user.update", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    let entry = &audit["data"][0];
    assert_eq!(
        (
            entry["target"]["id"].as_str(),
            entry["actor"].is_null(),
            entry["ip"].is_null()
        ),
        (Some(id.as_str()), true, true)
    );
    assert_eq!(entry["detail"]["changed"], json!(["password"]));
}

both_backends!(byline_user_set_password_without_stdin_prints_a_random_password_once);
async fn byline_user_set_password_without_stdin_prints_a_random_password_once(app: TestApp) {
    app.create_user("desk@example.com", "author", PASSWORD)
        .await;
    let run = byline(
        &app.database,
        &["user", "set-password", "desk@example.com"],
        None,
    );
    assert!(run.ok, "{}", run.stderr);
    let stdout = run.stdout();
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Password: "))
        .expect("printed password");
    assert!(stdout.contains("shown only once"), "{stdout}");
    app.login("desk@example.com", password).await;
}

both_backends!(byline_user_set_password_names_an_unknown_email_and_a_short_password);
async fn byline_user_set_password_names_an_unknown_email_and_a_short_password(app: TestApp) {
    let run = byline(
        &app.database,
        &[
            "user",
            "set-password",
            "nobody@example.com",
            "--password-stdin",
        ],
        Some(b"long-enough-password\n"),
    );
    assert!(!run.ok);
    assert!(
        run.stderr.contains("nobody@example.com") && run.stderr.contains("byline user create"),
        "{}",
        run.stderr
    );
    let run = byline(
        &app.database,
        &["user", "set-password", ADMIN_EMAIL, "--password-stdin"],
        Some(b"short\n"),
    );
    assert!(!run.ok);
    assert!(
        run.stderr.contains("the password must be 12"),
        "{}",
        run.stderr
    );
    app.login(ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD).await;
    let help = byline(&app.database, &["user", "set-password", "--help"], None).stdout();
    assert!(
        help.contains("EMAIL") && help.contains("--password-stdin"),
        "{help}"
    );
}

both_backends!(byline_user_set_password_says_when_the_account_is_disabled);
async fn byline_user_set_password_says_when_the_account_is_disabled(app: TestApp) {
    let id = app
        .create_user("gone@example.com", "author", PASSWORD)
        .await;
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&app.admin_token),
        json!({"active": false}),
    )
    .await
    .expect(200);
    let run = byline(
        &app.database,
        &[
            "user",
            "set-password",
            "gone@example.com",
            "--password-stdin",
        ],
        Some(b"a-password-from-stdin\n"),
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout().contains("disabled"), "{}", run.stdout());
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "gone@example.com", "password": "a-password-from-stdin"}),
    )
    .await
    .expect(401);
}
