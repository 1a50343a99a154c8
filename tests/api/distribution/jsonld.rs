//! `?formats=jsonld`: the demo article as a schema.org `NewsArticle` on the configured site.

use chrono::Utc;
use serde_json::json;

use super::{action, id_of};
use crate::both_backends;
use crate::helpers::TestApp;

const DEMO_SLUG: &str = "velmora-council-approves-electric-harbour-ferry-plan";

both_backends!(
    jsonld_of_the_demo_article_is_a_news_article_on_the_site,
    [
        ("BYLINE_DEMO", "1"),
        ("BYLINE_SITE_URL", "https://news.example/"),
        ("BYLINE_ARTICLE_PATH", "/{id}/{slug}"),
        ("BYLINE_PUBLISHER_NAME", "Velmora Daily"),
        ("BYLINE_PUBLISHER_LOGO_URL", "https://news.example/logo.png"),
    ]
);
async fn jsonld_of_the_demo_article_is_a_news_article_on_the_site(app: TestApp) {
    let path = format!("/api/v1/articles/{DEMO_SLUG}?formats=jsonld");
    let doc = app.get(&path, None).await.expect(200).json();
    let ld = &doc["jsonld"];
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], doc["seo_title"]);
    assert!(ld["headline"].as_str().expect("headline").chars().count() <= 110);
    assert_eq!(ld["description"], doc["seo_description"]);
    assert_eq!(ld["inLanguage"], doc["language"]);
    assert_eq!(ld["keywords"], doc["tags"]);
    assert_eq!(
        ld["mainEntityOfPage"],
        format!("https://news.example/{}/{DEMO_SLUG}", id_of(&doc))
    );
    assert_eq!(ld["publisher"]["@type"], "Organization");
    assert_eq!(ld["publisher"]["name"], "Velmora Daily");
    assert_eq!(
        ld["publisher"]["logo"]["url"],
        "https://news.example/logo.png"
    );
    for (ld_key, doc_key) in [
        ("datePublished", "published_at"),
        ("dateModified", "updated_at"),
    ] {
        let ld_time =
            chrono::DateTime::parse_from_rfc3339(ld[ld_key].as_str().expect(ld_key)).expect(ld_key);
        let doc_time: chrono::DateTime<Utc> = doc[doc_key]
            .as_str()
            .expect(doc_key)
            .parse()
            .expect(doc_key);
        assert_eq!(ld_time.to_utc(), doc_time, "{ld_key}");
    }
    let plain = app
        .get(&format!("/api/v1/articles/{DEMO_SLUG}"), None)
        .await
        .expect(200)
        .json();
    assert!(plain.get("jsonld").is_none(), "only when asked for");
}

both_backends!(an_unknown_format_is_a_400_naming_it);
async fn an_unknown_format_is_a_400_naming_it(app: TestApp) {
    let id = id_of(&app.create_published(json!({"title": "Formats"})).await);
    let r = app
        .get(&format!("/api/v1/articles/{id}?formats=jsonld,pdf"), None)
        .await
        .expect(400);
    assert!(r.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("\"pdf\""));
}

both_backends!(jsonld_follows_visibility_and_revalidates);
async fn jsonld_follows_visibility_and_revalidates(app: TestApp) {
    let draft = id_of(&app.create_article(json!({"title": "Secret"})).await);
    app.get(&format!("/api/v1/articles/{draft}?formats=jsonld"), None)
        .await
        .expect(404);
    let path = format!("/api/v1/articles/{draft}?formats=jsonld");
    let staff = app
        .get(&path, Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert!(
        staff["jsonld"].get("datePublished").is_none(),
        "never published"
    );
    action(&app, &draft, "publish", json!({})).await;
    let r = app.get(&path, None).await.expect(200);
    let etag = r.header("etag").expect("etag");
    let again = app
        .send(
            awc::http::Method::GET,
            &path,
            None,
            &[("If-None-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304);
}

both_backends!(jsonld_names_the_byline_in_order);
async fn jsonld_names_the_byline_in_order(app: TestApp) {
    let mut ids = vec![];
    for name in ["Ines Harbour", "Tomas Quay"] {
        let author = app
            .post(
                "/api/v1/authors",
                Some(&app.admin_token),
                json!({"name": name}),
            )
            .await
            .expect(201)
            .json();
        ids.push(author["id"].clone());
    }
    ids.reverse();
    let id = id_of(
        &app.create_published(json!({"title": "Two bylines", "authors": ids}))
            .await,
    );
    let doc = app
        .get(&format!("/api/v1/articles/{id}?formats=jsonld"), None)
        .await
        .expect(200)
        .json();
    assert_eq!(
        doc["jsonld"]["author"],
        json!([
            {"@type": "Person", "name": "Tomas Quay"},
            {"@type": "Person", "name": "Ines Harbour"},
        ])
    );
}
