//! Sitemaps: the news window, every published article, the index past the page size, and one
//! query per document.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use byline::distribution::site::Site;
use chrono::{NaiveDateTime, TimeDelta, Utc};
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use serde_json::json;

use super::{article_url, content_type, id_of, mixed_articles, texts_of};
use crate::both_backends;
use crate::helpers::TestApp;

/// Moves an article's first publication `hours` into the past.
fn backdate(app: &TestApp, id: &str, hours: i64) {
    use byline::db::schema::articles;
    let at: NaiveDateTime = (Utc::now() - TimeDelta::hours(hours)).naive_utc();
    let mut conn = app.db.get().expect("conn");
    diesel::update(articles::table.filter(articles::id.eq(id)))
        .set((articles::published_at.eq(at), articles::listed_at.eq(at)))
        .execute(&mut *conn)
        .expect("backdate");
}

both_backends!(the_news_sitemap_holds_only_articles_of_the_last_48_hours);
async fn the_news_sitemap_holds_only_articles_of_the_last_48_hours(app: TestApp) {
    let fresh = app
        .create_published(json!({"title": "Fresh & new", "language": "en-GB"}))
        .await;
    let yesterday = app.create_published(json!({"title": "Yesterday's"})).await;
    let old = app
        .create_published(json!({"title": "Three days old"}))
        .await;
    backdate(&app, &id_of(&yesterday), 30);
    backdate(&app, &id_of(&old), 49);
    app.create_article(json!({"title": "Draft"})).await;
    let r = app.get("/sitemaps/news.xml", None).await.expect(200);
    assert!(
        content_type(&r).starts_with("application/xml"),
        "{}",
        content_type(&r)
    );
    let docs = [fresh.clone(), yesterday.clone()];
    assert_eq!(
        texts_of(&r.body, "loc"),
        [
            article_url(&id_of(&fresh), &docs),
            article_url(&id_of(&yesterday), &docs)
        ]
    );
    assert_eq!(texts_of(&r.body, "title"), ["Fresh & new", "Yesterday's"]);
    assert_eq!(texts_of(&r.body, "language"), ["en", "en"]);
    assert_eq!(texts_of(&r.body, "name"), ["Byline", "Byline"]);
    for date in texts_of(&r.body, "publication_date") {
        chrono::DateTime::parse_from_rfc3339(&date).expect("W3C datetime");
    }
}

both_backends!(the_articles_sitemap_lists_every_published_article);
async fn the_articles_sitemap_lists_every_published_article(app: TestApp) {
    let published = mixed_articles(&app).await;
    let r = app.get("/sitemaps/articles.xml", None).await.expect(200);
    let locs = texts_of(&r.body, "loc");
    assert_eq!(locs.len(), published.len());
    let docs = app.get("/api/v1/articles", None).await.expect(200).json()["data"]
        .as_array()
        .expect("data")
        .clone();
    for id in &published {
        assert!(locs.contains(&article_url(id, &docs)), "{id} in {locs:?}");
    }
    assert_eq!(texts_of(&r.body, "lastmod").len(), published.len());
    let page = app.get("/sitemaps/articles-1.xml", None).await.expect(200);
    assert_eq!(page.body, r.body, "page 1 is the whole list while it fits");
    app.get("/sitemaps/articles-2.xml", None).await.expect(404);
    app.get("/sitemaps/articles-0.xml", None).await.expect(404);
    app.get("/sitemaps/articles-99999999999999999999.xml", None)
        .await
        .expect(404);
}

both_backends!(past_the_page_size_the_articles_sitemap_is_an_index_of_pages);
async fn past_the_page_size_the_articles_sitemap_is_an_index_of_pages(app: TestApp) {
    for n in 1..=5 {
        app.create_published(json!({"title": format!("Story {n}")}))
            .await;
    }
    let site = Site::default();
    let mut conn = app.db.get().expect("conn");
    let index = byline::distribution::articles_sitemap(&mut conn, &site, 2).expect("index");
    assert!(String::from_utf8_lossy(&index).contains("<sitemapindex"));
    assert_eq!(
        texts_of(&index, "loc"),
        (1..=3)
            .map(|n| format!("http://127.0.0.1:8080/sitemaps/articles-{n}.xml"))
            .collect::<Vec<_>>()
    );
    let mut seen = Vec::new();
    for n in 1..=3 {
        let page = byline::distribution::articles_sitemap_page(&mut conn, &site, n, 2)
            .expect("query")
            .expect("page exists");
        seen.extend(texts_of(&page, "loc"));
    }
    seen.dedup();
    assert_eq!(seen.len(), 5, "every article on exactly one page: {seen:?}");
    assert!(
        byline::distribution::articles_sitemap_page(&mut conn, &site, 4, 2)
            .expect("query")
            .is_none()
    );
}

struct CountQueries(Arc<AtomicUsize>);

impl Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

both_backends!(a_feed_or_sitemap_costs_one_query_however_many_articles);
async fn a_feed_or_sitemap_costs_one_query_however_many_articles(app: TestApp) {
    for n in 1..=4 {
        app.create_published(json!({"title": format!("Story {n}"), "tags": ["a", "b"]}))
            .await;
    }
    let site = Site::default();
    let mut conn = app.db.get().expect("conn");
    let counter = Arc::new(AtomicUsize::new(0));
    conn.set_instrumentation(CountQueries(counter.clone()));
    let now = Utc::now().naive_utc();
    byline::distribution::rss(&mut conn, &site, None).expect("rss");
    assert_eq!(counter.swap(0, Ordering::SeqCst), 1, "rss");
    byline::distribution::atom(&mut conn, &site, Some("a")).expect("atom");
    assert_eq!(counter.swap(0, Ordering::SeqCst), 1, "atom");
    byline::distribution::news_sitemap(&mut conn, &site, now).expect("news");
    assert_eq!(counter.swap(0, Ordering::SeqCst), 1, "news sitemap");
    byline::distribution::articles_sitemap(&mut conn, &site, 50_000).expect("sitemap");
    assert_eq!(counter.swap(0, Ordering::SeqCst), 1, "articles sitemap");
    conn.set_instrumentation(CountQueries(Arc::new(AtomicUsize::new(0))));
}
