//! Feeds, sitemaps and JSON-LD (SPEC §10): only published articles, parsed by a real feed
//! parser, escaped, filtered by tag, revalidated with ETags, and loaded in one query.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use byline::distribution::site::Site;
use chrono::{NaiveDateTime, TimeDelta, Utc};
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use quick_xml::events::Event;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Resp, TestApp};

fn id_of(doc: &Value) -> String {
    doc["id"].as_str().expect("id").to_owned()
}

async fn action(app: &TestApp, id: &str, action: &str, body: Value) {
    let path = format!("/api/v1/articles/{id}/{action}");
    app.post(&path, Some(&app.admin_token), body)
        .await
        .expect(200);
}

/// Published articles oldest first, plus a draft, a scheduled, an archived and an
/// unpublished one; answers the published ids, newest first.
async fn mixed_articles(app: &TestApp) -> Vec<String> {
    let mut published = Vec::new();
    for title in ["First story", "Second story", "Third story"] {
        published.push(id_of(&app.create_published(json!({"title": title})).await));
    }
    app.create_article(json!({"title": "A draft"})).await;
    let scheduled = id_of(
        &app.create_article(json!({"title": "A scheduled one"}))
            .await,
    );
    let later = (Utc::now() + TimeDelta::days(2)).to_rfc3339();
    action(app, &scheduled, "schedule", json!({"publish_at": later})).await;
    let archived = id_of(
        &app.create_published(json!({"title": "An archived one"}))
            .await,
    );
    action(app, &archived, "archive", json!({})).await;
    let unpublished = id_of(
        &app.create_published(json!({"title": "An unpublished one"}))
            .await,
    );
    action(app, &unpublished, "unpublish", json!({})).await;
    published.reverse();
    published
}

async fn feed(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    let r = app.get(path, None).await.expect(200);
    feed_rs::parser::parse(&r.body[..]).unwrap_or_else(|e| {
        panic!(
            "{path} does not parse ({e}): {}",
            String::from_utf8_lossy(&r.body)
        )
    })
}

fn content_type(r: &Resp) -> String {
    r.header("content-type").unwrap_or_default()
}

/// The text of every element named `name` (local name), in document order.
fn texts_of(xml: &[u8], name: &str) -> Vec<String> {
    let xml = std::str::from_utf8(xml).expect("UTF-8");
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.local_name().as_ref() == name => {
                let raw = reader.read_text(e.name()).expect("text");
                out.push(
                    quick_xml::escape::unescape(&raw)
                        .expect("escaped")
                        .into_owned(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn article_url(id: &str, app_docs: &[Value]) -> String {
    let slug = app_docs
        .iter()
        .find(|d| d["id"] == id)
        .and_then(|d| d["slug"].as_str())
        .expect("slug");
    format!("http://127.0.0.1:8080/articles/{slug}")
}

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
