//! The database side of operations: the pool size, and PostgreSQL's statement timeout, which
//! turns a statement stuck behind a lock into a 503 the client may retry.

use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::helpers::{Backend, TestApp};

#[actix_web::test]
async fn a_statement_past_the_timeout_is_503_and_the_next_one_succeeds() {
    let env = [("BYLINE_DB_STATEMENT_TIMEOUT_MS", "300")];
    let Some(app) = TestApp::spawn_with(Backend::Postgres, &env).await else {
        return;
    };
    let a = app.create_article(json!({"title": "Held by a lock"})).await;
    let id = a["id"].as_str().expect("id");
    let path = format!("/api/v1/articles/{id}");
    let mut holder = app.db.get().expect("connection");
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT 1 FROM articles WHERE id = '{id}' FOR UPDATE"
        ))
        .expect("a transaction that holds the article's row");
    let stuck = app
        .patch(&path, Some(&app.admin_token), json!({"dek": "Waits"}))
        .await
        .expect(503);
    assert!(stuck.header("retry-after").is_some());
    holder.batch_execute("ROLLBACK").expect("release");
    let done = app
        .patch(
            &path,
            Some(&app.admin_token),
            json!({"dek": "Goes through"}),
        )
        .await
        .expect(200);
    assert_eq!(
        done.json()["version"],
        2,
        "the timed-out write left nothing behind"
    );
}
