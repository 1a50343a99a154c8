//! RSS and Atom: exactly the published articles, newest first, escaped, filtered by tag, and
//! revalidated with their ETag.

use serde_json::json;

use super::{action, article_url, content_type, feed, id_of, mixed_articles, texts_of};
use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(rss_lists_exactly_the_published_articles_newest_first);
async fn rss_lists_exactly_the_published_articles_newest_first(app: TestApp) {
    let published = mixed_articles(&app).await;
    let r = app.get("/feeds/rss.xml", None).await.expect(200);
    assert!(
        content_type(&r).starts_with("application/rss+xml"),
        "{}",
        content_type(&r)
    );
    let feed = feed(&app, "/feeds/rss.xml").await;
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, published, "guids are the article ids, newest first");
    assert!(feed.entries.iter().all(|e| e.published.is_some()));
}

both_backends!(atom_lists_exactly_the_published_articles_newest_first);
async fn atom_lists_exactly_the_published_articles_newest_first(app: TestApp) {
    let published = mixed_articles(&app).await;
    let r = app.get("/feeds/atom.xml", None).await.expect(200);
    assert!(
        content_type(&r).starts_with("application/atom+xml"),
        "{}",
        content_type(&r)
    );
    let feed = feed(&app, "/feeds/atom.xml").await;
    let ids: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    let expected: Vec<String> = published
        .iter()
        .map(|id| format!("urn:uuid:{id}"))
        .collect();
    assert_eq!(ids, expected);
    assert!(feed
        .entries
        .iter()
        .all(|e| e.published.is_some() && e.updated.is_some()));
}

both_backends!(feed_items_carry_link_summary_and_categories);
async fn feed_items_carry_link_summary_and_categories(app: TestApp) {
    let doc = app
        .create_published(json!({
            "title": "Ferries go electric", "dek": "A standfirst.",
            "tags": ["ferries", "velmora"],
        }))
        .await;
    let url = article_url(&id_of(&doc), std::slice::from_ref(&doc));
    for path in ["/feeds/rss.xml", "/feeds/atom.xml"] {
        let feed = feed(&app, path).await;
        let entry = &feed.entries[0];
        assert_eq!(entry.links[0].href, url, "{path}");
        assert_eq!(
            entry.summary.as_ref().map(|s| s.content.as_str()),
            Some("A standfirst."),
            "{path}"
        );
        let terms: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, ["ferries", "velmora"], "{path}");
    }
}

both_backends!(hostile_titles_survive_both_feeds_unchanged);
async fn hostile_titles_survive_both_feeds_unchanged(app: TestApp) {
    let title = r#"<script>alert("x")</script> & ]]> 'quoted' "double" </title>"#;
    app.create_published(json!({"title": title, "summary": "]]> & <b>"}))
        .await;
    for path in ["/feeds/rss.xml", "/feeds/atom.xml"] {
        let feed = feed(&app, path).await;
        let parsed = feed.entries[0].title.as_ref().expect("title");
        assert_eq!(parsed.content, title, "{path}");
    }
    let atom = feed(&app, "/feeds/atom.xml").await;
    let summary = atom.entries[0].summary.as_ref().expect("summary");
    assert_eq!(summary.content, "]]> & <b>");
}

both_backends!(tag_filters_the_feeds);
async fn tag_filters_the_feeds(app: TestApp) {
    let tagged = id_of(
        &app.create_published(json!({"title": "Tagged", "tags": ["ferries"]}))
            .await,
    );
    app.create_published(json!({"title": "Other", "tags": ["budget"]}))
        .await;
    let rss = feed(&app, "/feeds/rss.xml?tag=ferries").await;
    let ids: Vec<&str> = rss.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [tagged.as_str()]);
    let atom = feed(&app, "/feeds/atom.xml?tag=ferries").await;
    assert_eq!(atom.entries.len(), 1);
    assert!(feed(&app, "/feeds/rss.xml?tag=nothing-here")
        .await
        .entries
        .is_empty());
}

both_backends!(feeds_refuse_a_malformed_tag_and_unknown_parameters);
async fn feeds_refuse_a_malformed_tag_and_unknown_parameters(app: TestApp) {
    app.get("/feeds/rss.xml?tag=Not%20a%20tag", None)
        .await
        .expect(400);
    app.get("/feeds/atom.xml?author=ana", None)
        .await
        .expect(400);
}

both_backends!(an_unpublished_article_leaves_feeds_and_sitemaps_at_once);
async fn an_unpublished_article_leaves_feeds_and_sitemaps_at_once(app: TestApp) {
    let id = id_of(
        &app.create_published(json!({"title": "Here, then gone"}))
            .await,
    );
    assert_eq!(feed(&app, "/feeds/rss.xml").await.entries.len(), 1);
    action(&app, &id, "unpublish", json!({})).await;
    assert!(feed(&app, "/feeds/rss.xml").await.entries.is_empty());
    assert!(feed(&app, "/feeds/atom.xml").await.entries.is_empty());
    for path in ["/sitemaps/articles.xml", "/sitemaps/news.xml"] {
        let r = app.get(path, None).await.expect(200);
        assert!(texts_of(&r.body, "loc").is_empty(), "{path}");
    }
}

both_backends!(feeds_and_sitemaps_answer_304_to_their_etag_until_something_changes);
async fn feeds_and_sitemaps_answer_304_to_their_etag_until_something_changes(app: TestApp) {
    app.create_published(json!({"title": "Cached"})).await;
    let paths = [
        "/feeds/rss.xml",
        "/feeds/atom.xml",
        "/sitemaps/news.xml",
        "/sitemaps/articles.xml",
    ];
    let mut etags = Vec::new();
    for path in paths {
        let r = app.get(path, None).await.expect(200);
        let etag = r.header("etag").expect("etag");
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("public, max-age=60, stale-while-revalidate=300")
        );
        let again = app
            .send(
                awc::http::Method::GET,
                path,
                None,
                &[("If-None-Match", &etag)],
                None,
            )
            .await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        etags.push(etag);
    }
    app.create_published(json!({"title": "News"})).await;
    for (path, etag) in paths.iter().zip(etags) {
        let r = app
            .send(
                awc::http::Method::GET,
                path,
                None,
                &[("If-None-Match", &etag)],
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{path} changed");
    }
}
