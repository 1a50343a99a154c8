//! What an author may do with their own articles and with other authors': edit their drafts,
//! never publish, and lose the pen once an editor publishes.

use byline::users::domain::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

/// A draft by a new author: the author's token and the draft's path.
async fn authors_draft(app: &TestApp) -> (String, String) {
    let (_, author) = app.user_token(Role::Author).await;
    let body = json!({"title": "Mine", "kicker": "first"});
    let doc = app
        .post("/api/v1/articles", Some(&author), body)
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/articles/{}", doc["id"].as_str().expect("id"));
    (author, path)
}

/// The article at `path`, as the admin reads it.
async fn stored(app: &TestApp, path: &str) -> Value {
    let r = app.get(path, Some(&app.admin_token)).await;
    r.expect(200).json()
}

/// Publishes the article at `path` as a new editor; answers the editor's token.
async fn published_by_an_editor(app: &TestApp, path: &str) -> String {
    let (_, editor) = app.user_token(Role::Editor).await;
    let publish = format!("{path}/publish");
    app.post(&publish, Some(&editor), json!({}))
        .await
        .expect(200);
    editor
}

both_backends!(an_author_edits_their_own_draft);
async fn an_author_edits_their_own_draft(app: TestApp) {
    let (author, path) = authors_draft(&app).await;
    let r = app
        .patch(&path, Some(&author), json!({"kicker": "k"}))
        .await;
    assert_eq!(r.expect(200).json()["kicker"], "k");
}

both_backends!(an_author_can_neither_see_nor_edit_another_authors_draft);
async fn an_author_can_neither_see_nor_edit_another_authors_draft(app: TestApp) {
    let (_, path) = authors_draft(&app).await;
    let (_, other) = app.user_token(Role::Author).await;
    app.get(&path, Some(&other)).await.expect(404);
    app.patch(&path, Some(&other), json!({"kicker": "x"}))
        .await
        .expect(404);
    assert_eq!(stored(&app, &path).await["kicker"], "first");
}

both_backends!(an_author_cannot_publish_their_own_draft);
async fn an_author_cannot_publish_their_own_draft(app: TestApp) {
    let (author, path) = authors_draft(&app).await;
    let publish = format!("{path}/publish");
    app.post(&publish, Some(&author), json!({}))
        .await
        .expect(403);
    assert_eq!(stored(&app, &path).await["status"], "draft");
}

both_backends!(an_editor_publishes_an_authors_draft);
async fn an_editor_publishes_an_authors_draft(app: TestApp) {
    let (_, path) = authors_draft(&app).await;
    published_by_an_editor(&app, &path).await;
    assert_eq!(stored(&app, &path).await["status"], "published");
}

both_backends!(once_published_the_author_can_neither_edit_nor_delete_the_article);
async fn once_published_the_author_can_neither_edit_nor_delete_the_article(app: TestApp) {
    let (author, path) = authors_draft(&app).await;
    published_by_an_editor(&app, &path).await;
    let before = stored(&app, &path).await;
    app.patch(&path, Some(&author), json!({"kicker": "late"}))
        .await
        .expect(403);
    app.delete(&path, Some(&author)).await.expect(403);
    assert_eq!(stored(&app, &path).await, before);
}

both_backends!(once_published_another_authors_edit_is_403_not_404);
async fn once_published_another_authors_edit_is_403_not_404(app: TestApp) {
    let (_, path) = authors_draft(&app).await;
    published_by_an_editor(&app, &path).await;
    let (_, other) = app.user_token(Role::Author).await;
    app.patch(&path, Some(&other), json!({"kicker": "late"}))
        .await
        .expect(403);
}

both_backends!(editors_edit_and_delete_a_published_authors_article);
async fn editors_edit_and_delete_a_published_authors_article(app: TestApp) {
    let (_, path) = authors_draft(&app).await;
    let editor = published_by_an_editor(&app, &path).await;
    let r = app
        .patch(&path, Some(&editor), json!({"kicker": "edited"}))
        .await;
    assert_eq!(r.expect(200).json()["kicker"], "edited");
    app.delete(&path, Some(&editor)).await.expect(204);
    app.get(&path, Some(&app.admin_token)).await.expect(404);
}
