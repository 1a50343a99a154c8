//! No stale reads across processes: a change committed through one process is what another
//! process answers as soon as the write's response has arrived, although that other process
//! keeps the documents anonymous readers fetch in memory. The second process is the real
//! binary, so nothing in memory is shared with the test's own server.

use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::crash::{free_port, start_with};
use crate::helpers::TestApp;

/// An anonymous GET through the other process: status and body.
async fn read(client: &awc::Client, url: &str) -> (u16, Value) {
    let mut res = client.get(url).send().await.expect("request sent");
    let body = res.body().limit(1 << 24).await.expect("body read");
    (
        res.status().as_u16(),
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

both_backends!(another_process_answers_every_write_at_once);
async fn another_process_answers_every_write_at_once(app: TestApp) {
    let other = start_with(&app.database, free_port(), &[("BYLINE_RATE_LIMIT", "0")]).await;
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish();
    let article = app
        .create_published(json!({"title": "Coherent 0", "slug": "coherent"}))
        .await;
    let id = article["id"].as_str().expect("id").to_owned();
    let by_slug = format!("{}/api/v1/articles/coherent", other.base);
    let by_id = format!("{}/api/v1/articles/{id}", other.base);

    for round in 1..=30 {
        // Both keys are now cached in the other process.
        for url in [&by_slug, &by_id] {
            assert_eq!(read(&client, url).await.0, 200);
        }
        let title = format!("Coherent {round}");
        app.patch(
            &format!("/api/v1/articles/{id}"),
            Some(&app.admin_token),
            json!({"title": title}),
        )
        .await
        .expect(200);
        for url in [&by_slug, &by_id] {
            let (status, doc) = read(&client, url).await;
            assert_eq!(status, 200);
            assert_eq!(doc["title"], title, "round {round}: stale read of {url}");
        }
    }

    for round in 1..=5 {
        assert_eq!(read(&client, &by_slug).await.0, 200);
        app.post(
            &format!("/api/v1/articles/{id}/unpublish"),
            Some(&app.admin_token),
            json!({}),
        )
        .await
        .expect(200);
        assert_eq!(
            read(&client, &by_slug).await.0,
            404,
            "round {round}: an unpublished article is gone at once"
        );
        app.post(
            &format!("/api/v1/articles/{id}/publish"),
            Some(&app.admin_token),
            json!({}),
        )
        .await
        .expect(200);
        assert_eq!(read(&client, &by_slug).await.0, 200, "round {round}");
    }
}

both_backends!(a_related_article_renamed_elsewhere_shows_in_every_document);
async fn a_related_article_renamed_elsewhere_shows_in_every_document(app: TestApp) {
    let other = start_with(&app.database, free_port(), &[("BYLINE_RATE_LIMIT", "0")]).await;
    let client = awc::Client::default();
    let target = app
        .create_published(json!({"title": "The first name"}))
        .await;
    let target_id = target["id"].as_str().expect("id");
    let hidden = app.create_article(json!({"title": "A draft"})).await;
    let lister = app
        .create_published(json!({
            "title": "Lists two",
            "related": [target_id, hidden["id"]],
        }))
        .await;
    let url = format!(
        "{}/api/v1/articles/{}",
        other.base,
        lister["id"].as_str().expect("id")
    );
    let (_, doc) = read(&client, &url).await;
    assert_eq!(
        doc["related"],
        json!([{"id": target_id, "slug": target["slug"], "title": "The first name",
                "published_at": target["published_at"]}]),
        "anonymous readers do not see the draft"
    );

    app.patch(
        &format!("/api/v1/articles/{target_id}"),
        Some(&app.admin_token),
        json!({"title": "The second name"}),
    )
    .await
    .expect(200);
    let (_, doc) = read(&client, &url).await;
    assert_eq!(doc["related"][0]["title"], "The second name");

    app.post(
        &format!(
            "/api/v1/articles/{}/publish",
            hidden["id"].as_str().expect("id")
        ),
        Some(&app.admin_token),
        json!({}),
    )
    .await
    .expect(200);
    let (_, doc) = read(&client, &url).await;
    assert_eq!(doc["related"].as_array().map(Vec::len), Some(2));

    app.delete(
        &format!("/api/v1/articles/{target_id}"),
        Some(&app.admin_token),
    )
    .await
    .expect(204);
    let (_, doc) = read(&client, &url).await;
    assert_eq!(doc["related"][0]["title"], "A draft");
    assert_eq!(doc["related"].as_array().map(Vec::len), Some(1));
}

both_backends!(a_renamed_author_shows_in_every_byline);
async fn a_renamed_author_shows_in_every_byline(app: TestApp) {
    let other = start_with(&app.database, free_port(), &[("BYLINE_RATE_LIMIT", "0")]).await;
    let client = awc::Client::default();
    let author = app
        .post(
            "/api/v1/authors",
            Some(&app.admin_token),
            json!({"name": "Ada Byline"}),
        )
        .await
        .expect(201)
        .json();
    let author_id = author["id"].as_str().expect("id");
    let article = app
        .create_published(json!({"title": "Credited", "authors": [author_id]}))
        .await;
    let url = format!(
        "{}/api/v1/articles/{}",
        other.base,
        article["id"].as_str().expect("id")
    );
    let (_, doc) = read(&client, &url).await;
    assert_eq!(doc["authors"][0]["name"], "Ada Byline");
    app.patch(
        &format!("/api/v1/authors/{author_id}"),
        Some(&app.admin_token),
        json!({"name": "Ada Renamed", "slug": "ada-renamed"}),
    )
    .await
    .expect(200);
    let (_, doc) = read(&client, &url).await;
    assert_eq!(doc["authors"][0]["name"], "Ada Renamed");
    assert_eq!(doc["authors"][0]["slug"], "ada-renamed");
}
