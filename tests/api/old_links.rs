//! Old links keep working (SPEC §8): old slugs of published articles answer one 301 to the
//! current slug, until another article takes them.

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

/// The status and `Location` of a request, without following redirects (the test client
/// follows them).
async fn unfollowed(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
) -> (u16, Option<String>) {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut req = client.request(method, format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    let res = req.send().await.expect("request sent");
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (res.status().as_u16(), location)
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Option<String>) {
    unfollowed(app, Method::GET, path, token).await
}

async fn rename(app: &TestApp, doc: &Value, slug: &str) -> Value {
    let path = format!("/api/v1/articles/{}", doc["id"].as_str().expect("id"));
    app.patch(&path, Some(&app.admin_token), json!({"slug": slug}))
        .await
        .expect(200)
        .json()
}

both_backends!(every_old_slug_of_a_published_article_answers_one_301_to_the_current_one);
async fn every_old_slug_of_a_published_article_answers_one_301_to_the_current_one(app: TestApp) {
    let doc = app
        .create_published(json!({"title": "T", "slug": "first-name"}))
        .await;
    rename(&app, &doc, "second-name").await;
    rename(&app, &doc, "third-name").await;
    for old in ["first-name", "second-name"] {
        for method in [Method::GET, Method::HEAD] {
            let path = format!("/api/v1/articles/{old}");
            let r = unfollowed(&app, method.clone(), &path, None).await;
            assert_eq!(
                r,
                (301, Some("/api/v1/articles/third-name".into())),
                "{method} {old}"
            );
        }
    }
    app.get("/api/v1/articles/third-name", None)
        .await
        .expect(200);
}

both_backends!(a_draft_that_was_never_published_leaves_no_redirect);
async fn a_draft_that_was_never_published_leaves_no_redirect(app: TestApp) {
    let doc = app
        .create_article(json!({"title": "T", "slug": "draft-name"}))
        .await;
    rename(&app, &doc, "renamed-draft").await;
    app.get("/api/v1/articles/draft-name", Some(&app.admin_token))
        .await
        .expect(404);
}

both_backends!(a_new_article_taking_an_old_slug_ends_that_redirect);
async fn a_new_article_taking_an_old_slug_ends_that_redirect(app: TestApp) {
    let doc = app
        .create_published(json!({"title": "T", "slug": "taken-later"}))
        .await;
    rename(&app, &doc, "moved-away").await;
    let r = get(&app, "/api/v1/articles/taken-later", None).await;
    assert_eq!(r, (301, Some("/api/v1/articles/moved-away".into())));
    let newcomer = app
        .create_published(json!({"title": "New", "slug": "taken-later"}))
        .await;
    let read = app
        .get("/api/v1/articles/taken-later", None)
        .await
        .expect(200)
        .json();
    assert_eq!(read["id"], newcomer["id"]);
    app.delete(
        &format!("/api/v1/articles/{}", newcomer["id"].as_str().expect("id")),
        Some(&app.admin_token),
    )
    .await
    .expect(204);
    app.get("/api/v1/articles/taken-later", None)
        .await
        .expect(404);
}

both_backends!(renaming_back_to_an_old_slug_ends_its_redirect);
async fn renaming_back_to_an_old_slug_ends_its_redirect(app: TestApp) {
    let doc = app
        .create_published(json!({"title": "T", "slug": "original"}))
        .await;
    rename(&app, &doc, "detour").await;
    rename(&app, &doc, "original").await;
    app.get("/api/v1/articles/original", None).await.expect(200);
    let r = get(&app, "/api/v1/articles/detour", None).await;
    assert_eq!(r, (301, Some("/api/v1/articles/original".into())));
}

both_backends!(an_old_slug_of_an_unpublished_article_is_404_for_anonymous_readers);
async fn an_old_slug_of_an_unpublished_article_is_404_for_anonymous_readers(app: TestApp) {
    let doc = app
        .create_published(json!({"title": "T", "slug": "was-public"}))
        .await;
    rename(&app, &doc, "now-hidden").await;
    app.post(
        &format!(
            "/api/v1/articles/{}/unpublish",
            doc["id"].as_str().expect("id")
        ),
        Some(&app.admin_token),
        json!({}),
    )
    .await
    .expect(200);
    app.get("/api/v1/articles/was-public", None)
        .await
        .expect(404);
    let r = get(&app, "/api/v1/articles/was-public", Some(&app.admin_token)).await;
    assert_eq!(r, (301, Some("/api/v1/articles/now-hidden".into())));
}
