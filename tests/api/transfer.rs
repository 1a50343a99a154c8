//! `byline export` / `byline import`: a lossless round trip, across backends too.

use std::process::{Command, Stdio};

use serde_json::json;

use crate::both_backends;
use crate::helpers::{full_article, Backend, TestDb};

fn byline(db: &TestDb, args: &[&str], stdin: Option<&[u8]>) -> (bool, Vec<u8>, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_byline"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("BYLINE_DEMO", "0")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run byline");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

both_backends! {
    async fn export_then_import_round_trips_losslessly_across_backends(app, [("BYLINE_DEMO", "1")]) {
        let neighbour = app.create_published(json!({"title": "Neighbour"})).await;
        let mut body = full_article("Everything exported");
        body["related"] = json!([neighbour["id"].clone()]);
        let doc = app.create_article(body).await;
        let id = doc["id"].as_str().expect("id");
        let at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        app.post(&format!("/api/v1/articles/{id}/schedule"), Some(&app.admin_token), json!({"publish_at": at})).await.expect(200);
        use byline::users::domain::Role;
        let (_, author) = app.user_token(Role::Author).await;
        app.post("/api/v1/articles", Some(&author), json!({"title": "Author's draft"})).await.expect(201);

        let (ok, first, err) = byline(&app.database, &["export"], None);
        assert!(ok, "export failed: {err}");
        let dump: serde_json::Value = serde_json::from_slice(&first).expect("export is JSON");
        assert_eq!(dump["articles"].as_array().expect("articles").len(), 4);
        assert!(dump["users"][0].get("password_hash").is_none(), "no password hashes leave the database");

        for target in [Backend::Sqlite, Backend::Postgres] {
            let Some(fresh) = TestDb::create(target) else { continue };
            let (ok, _, err) = byline(&fresh, &["import"], Some(&first));
            assert!(ok, "import into {target:?} failed: {err}");
            let (ok, second, err) = byline(&fresh, &["export"], None);
            assert!(ok, "{err}");
            assert_eq!(String::from_utf8_lossy(&first), String::from_utf8_lossy(&second), "{:?} -> {target:?} is lossless", app.backend);
            let (ok, _, err) = byline(&fresh, &["import"], Some(&first));
            assert!(!ok && err.contains("already exists"), "a second import fails whole: {err}");
            let (_, third, _) = byline(&fresh, &["export"], None);
            assert_eq!(second, third, "the failed import left nothing behind");
        }
        let (ok, _, err) = byline(&app.database, &["import"], Some(b"{\"format\": \"other\", \"version\": 1, \"users\": [], \"articles\": []}"));
        assert!(!ok && err.contains("byline-export"), "{err}");
    }
}
