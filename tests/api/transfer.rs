//! `byline export` / `byline import`: a lossless round trip, across backends too.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{full_article, Backend, TestApp, TestDb, ADMIN_EMAIL, ADMIN_PASSWORD};

fn byline(db: &TestDb, args: &[&str], stdin: Option<&[u8]>) -> (bool, Vec<u8>, String) {
    let run = crate::helpers::byline(db, args, stdin);
    (run.ok, run.stdout, run.stderr)
}

both_backends!(
    export_then_import_round_trips_losslessly_across_backends,
    [("BYLINE_DEMO", "1")]
);
async fn export_then_import_round_trips_losslessly_across_backends(app: TestApp) {
    let neighbour = app.create_published(json!({"title": "Neighbour"})).await;
    let mut body = full_article("Everything exported");
    body["related"] = json!([neighbour["id"].clone()]);
    let doc = app.create_article(body).await;
    let id = doc["id"].as_str().expect("id");
    let at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    app.post(
        &format!("/api/v1/articles/{id}/schedule"),
        Some(&app.admin_token),
        json!({"publish_at": at}),
    )
    .await
    .expect(200);
    use byline::users::domain::Role;
    let (_, author) = app.user_token(Role::Author).await;
    app.post(
        "/api/v1/articles",
        Some(&author),
        json!({"title": "Author's draft"}),
    )
    .await
    .expect(201);

    let (ok, first, err) = byline(&app.database, &["export"], None);
    assert!(ok, "export failed: {err}");
    let dump: serde_json::Value = serde_json::from_slice(&first).expect("export is JSON");
    assert_eq!(dump["articles"].as_array().expect("articles").len(), 4);
    assert!(
        dump["users"][0].get("password_hash").is_none(),
        "no password hashes leave the database"
    );
    let actions: Vec<&str> = dump["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    assert_eq!(
        actions.len(),
        6,
        "demo 1, neighbour 2, scheduled 2, draft 1: {actions:?}"
    );
    assert!(
        actions.contains(&"schedule") && actions.contains(&"publish"),
        "{actions:?}"
    );

    for target in [Backend::Sqlite, Backend::Postgres] {
        let Some(fresh) = TestDb::create(target) else {
            continue;
        };
        let (ok, _, err) = byline(&fresh, &["import"], Some(&first));
        assert!(ok, "import into {target:?} failed: {err}");
        let (ok, second, err) = byline(&fresh, &["export"], None);
        assert!(ok, "{err}");
        assert_eq!(
            String::from_utf8_lossy(&first),
            String::from_utf8_lossy(&second),
            "{:?} -> {target:?} is lossless",
            app.backend
        );
        let (ok, _, err) = byline(&fresh, &["import"], Some(&first));
        assert!(
            !ok && err.contains("already exists"),
            "a second import fails whole: {err}"
        );
        let (_, third, _) = byline(&fresh, &["export"], None);
        assert_eq!(second, third, "the failed import left nothing behind");
    }
    let (ok, _, err) = byline(
        &app.database,
        &["import"],
        Some(b"{\"format\": \"other\", \"version\": 1, \"users\": [], \"articles\": []}"),
    );
    assert!(!ok && err.contains("byline-export"), "{err}");
}

both_backends!(an_import_without_revisions_gives_each_article_an_import_revision);
async fn an_import_without_revisions_gives_each_article_an_import_revision(app: TestApp) {
    let doc = app.create_article(json!({"title": "Old export"})).await;
    let (ok, dump, err) = byline(&app.database, &["export"], None);
    assert!(ok, "{err}");
    let mut v1: serde_json::Value = serde_json::from_slice(&dump).expect("json");
    v1["version"] = json!(1);
    v1.as_object_mut().expect("object").remove("revisions");
    let Some(fresh) = TestDb::create(app.backend) else {
        return;
    };
    let (ok, _, err) = byline(
        &fresh,
        &["import"],
        Some(&serde_json::to_vec(&v1).expect("json")),
    );
    assert!(ok, "{err}");
    let (_, again, _) = byline(&fresh, &["export"], None);
    let again: serde_json::Value = serde_json::from_slice(&again).expect("json");
    let revisions = again["revisions"].as_array().expect("revisions");
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0]["article_id"], doc["id"]);
    assert_eq!(revisions[0]["action"], "import");
    assert_eq!(revisions[0]["actor"], serde_json::Value::Null);
}

both_backends!(an_import_names_the_email_another_user_already_has);
async fn an_import_names_the_email_another_user_already_has(app: TestApp) {
    let (ok, dump, err) = byline(&app.database, &["export"], None);
    assert!(ok, "{err}");
    let Some(served_first) = TestDb::create(app.backend) else {
        return;
    };
    let (ok, _, err) = byline(
        &served_first,
        &["user", "create", "--email", ADMIN_EMAIL, "--role", "admin"],
        None,
    );
    assert!(ok, "{err}");
    let (ok, _, err) = byline(&served_first, &["import"], Some(&dump));
    assert!(!ok, "the import must fail");
    assert!(
        err.contains(ADMIN_EMAIL) && err.contains("empty database"),
        "{err}"
    );
}

both_backends!(imported_people_log_in_once_set_password_gives_them_a_password);
async fn imported_people_log_in_once_set_password_gives_them_a_password(app: TestApp) {
    let doc = app
        .create_published(json!({"title": "Moved to a new server"}))
        .await;
    let me = app
        .get("/api/v1/auth/me", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    let (ok, dump, err) = byline(&app.database, &["export"], None);
    assert!(ok, "{err}");
    let Some(fresh) = TestDb::create(app.backend) else {
        return;
    };
    let (ok, _, err) = byline(&fresh, &["import"], Some(&dump));
    assert!(ok, "{err}");
    let (ok, _, err) = byline(
        &fresh,
        &["user", "set-password", ADMIN_EMAIL, "--password-stdin"],
        Some(format!("{ADMIN_PASSWORD}\n").as_bytes()),
    );
    assert!(ok, "{err}");
    // Logs in as ADMIN_EMAIL with ADMIN_PASSWORD: the imported admin, with the password just set.
    let moved = TestApp::spawn_on(fresh, app.backend, &[]).await;
    let again = moved
        .get("/api/v1/auth/me", Some(&moved.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(again["id"], me["id"]);
    let path = format!("/api/v1/articles/{}", doc["id"].as_str().expect("id"));
    moved.get(&path, None).await.expect(200);
}
