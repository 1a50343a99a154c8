//! Preview links (SPEC §8): a signed, expiring, revocable URL that shows an article's current
//! document to anyone who holds it, and nothing once it is expired, revoked or tampered with.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;
use byline::users::domain::Role;

async fn link(app: &TestApp, id: &str, body: Value) -> Value {
    app.post(
        &format!("/api/v1/articles/{id}/preview-links"),
        Some(&app.admin_token),
        body,
    )
    .await
    .expect(201)
    .json()
}

fn id_of(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

both_backends!(a_preview_link_shows_a_draft_to_a_reader_without_a_token);
async fn a_preview_link_shows_a_draft_to_a_reader_without_a_token(app: TestApp) {
    let draft = app.create_article(json!({"title": "Not out yet"})).await;
    let created = link(&app, id_of(&draft), json!({})).await;
    let token = created["token"].as_str().expect("token");
    assert_eq!(created["url"], format!("/api/v1/preview/{token}"));
    let expires: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["expires_at"].clone()).expect("time");
    let ttl = expires - chrono::Utc::now();
    assert!(
        ttl > chrono::Duration::hours(23) && ttl <= chrono::Duration::hours(24),
        "{ttl}"
    );
    let r = app
        .get(created["url"].as_str().expect("url"), Some("not-a-token"))
        .await
        .expect(200);
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    assert_eq!(r.header("x-robots-tag").as_deref(), Some("noindex"));
    assert_eq!(r.json()["title"], "Not out yet");
    assert_eq!(r.json()["status"], "draft");
}

both_backends!(a_preview_shows_related_articles_as_anonymous_readers_see_them);
async fn a_preview_shows_related_articles_as_anonymous_readers_see_them(app: TestApp) {
    let public = app.create_published(json!({"title": "Public"})).await;
    let hidden = app.create_article(json!({"title": "Hidden"})).await;
    let draft = app
        .create_article(json!({"title": "Previewed", "related": [id_of(&public), id_of(&hidden)]}))
        .await;
    let created = link(&app, id_of(&draft), json!({})).await;
    let doc = app
        .get(created["url"].as_str().expect("url"), None)
        .await
        .expect(200)
        .json();
    assert_eq!(doc["related"].as_array().expect("related").len(), 1);
    assert_eq!(doc["related"][0]["id"], public["id"]);
}

both_backends!(an_expired_link_is_404);
async fn an_expired_link_is_404(app: TestApp) {
    let draft = app.create_article(json!({"title": "Short-lived"})).await;
    let created = link(&app, id_of(&draft), json!({"ttl_seconds": 1})).await;
    let url = created["url"].as_str().expect("url");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    app.get(url, None).await.expect(404);
}

both_backends!(a_tampered_token_is_404);
async fn a_tampered_token_is_404(app: TestApp) {
    let draft = app.create_article(json!({"title": "Tamper"})).await;
    let created = link(&app, id_of(&draft), json!({})).await;
    let url = created["url"].as_str().expect("url");
    app.get(url, None).await.expect(200);
    let mut bytes = url.as_bytes().to_vec();
    for i in [bytes.len() - 3, 20, url.rfind('.').expect("dot") - 1] {
        let mut changed = bytes.clone();
        changed[i] = if changed[i] == b'1' { b'2' } else { b'1' };
        let changed = String::from_utf8(changed).expect("ascii");
        app.get(&changed, None).await.expect(404);
    }
    bytes.truncate(bytes.len() - 1);
    app.get(&String::from_utf8(bytes).expect("ascii"), None)
        .await
        .expect(404);
    app.get("/api/v1/preview/unknown", None).await.expect(404);
}

both_backends!(revoking_ends_every_link_of_the_article_only);
async fn revoking_ends_every_link_of_the_article_only(app: TestApp) {
    let draft = app.create_article(json!({"title": "Revoked"})).await;
    let other = app.create_article(json!({"title": "Kept"})).await;
    let one = link(&app, id_of(&draft), json!({})).await;
    let two = link(&app, id_of(&draft), json!({"ttl_seconds": 604800})).await;
    let kept = link(&app, id_of(&other), json!({})).await;
    app.delete(
        &format!("/api/v1/articles/{}/preview-links", id_of(&draft)),
        Some(&app.admin_token),
    )
    .await
    .expect(204);
    for l in [&one, &two] {
        app.get(l["url"].as_str().expect("url"), None)
            .await
            .expect(404);
    }
    app.get(kept["url"].as_str().expect("url"), None)
        .await
        .expect(200);
}

both_backends!(ttl_seconds_outside_one_second_to_seven_days_is_422);
async fn ttl_seconds_outside_one_second_to_seven_days_is_422(app: TestApp) {
    let draft = app.create_article(json!({"title": "TTL"})).await;
    let path = format!("/api/v1/articles/{}/preview-links", id_of(&draft));
    for ttl in [json!(0), json!(604801), json!(-5), json!("60"), json!(1.5)] {
        let r = app
            .post(&path, Some(&app.admin_token), json!({"ttl_seconds": ttl}))
            .await
            .expect(422);
        assert_eq!(r.pointers(), ["/ttl_seconds"], "{ttl}");
    }
}

both_backends!(only_those_who_may_edit_the_article_create_links);
async fn only_those_who_may_edit_the_article_create_links(app: TestApp) {
    let (_, owner) = app.user_token(Role::Author).await;
    let (_, other) = app.user_token(Role::Author).await;
    let doc = app
        .post("/api/v1/articles", Some(&owner), json!({"title": "Mine"}))
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/articles/{}/preview-links", id_of(&doc));
    app.post(&path, Some(&owner), json!({})).await.expect(201);
    app.post(&path, Some(&other), json!({})).await.expect(404);
    app.post(&path, None, json!({})).await.expect(401);
    let missing = uuid::Uuid::now_v7();
    app.post(
        &format!("/api/v1/articles/{missing}/preview-links"),
        Some(&app.admin_token),
        json!({}),
    )
    .await
    .expect(404);
}

both_backends!(preview_links_are_audited);
async fn preview_links_are_audited(app: TestApp) {
    let draft = app.create_article(json!({"title": "Audited"})).await;
    link(&app, id_of(&draft), json!({})).await;
    app.delete(
        &format!("/api/v1/articles/{}/preview-links", id_of(&draft)),
        Some(&app.admin_token),
    )
    .await
    .expect(204);
    let log = app
        .get(
            "/api/v1/audit?action=article.preview_link.revoke",
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(log["data"][0]["target"]["id"], draft["id"]);
    assert_eq!(log["data"][0]["detail"]["revoked"], 1);
}
